//! Server-rendered pages. Each handler takes a `Ctx` (who, which language, CSRF token), checks
//! what the user may do, calls the store, and renders a template.

mod account;
mod admin;
mod calls;
mod home;
mod ideas;
mod import;
mod intake;
mod orientation;
pub use intake::draft_json;
mod notifications;
mod results;
mod screening;

pub(crate) use screening::{TEMPLATE_TITLE_MAX, bulk_action, merge_ideas};
mod settings;
mod versions;

use crate::AppState;
use crate::auth::csrf;
use crate::error::AppError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

/// Every page; each visitor gets a CSRF cookie so the forms on a page can carry a token.
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(account::router())
        .merge(settings::router())
        .merge(admin::router())
        .merge(calls::router())
        .merge(ideas::router())
        .merge(import::router())
        .merge(orientation::router())
        .merge(results::router())
        .merge(versions::router())
        .merge(intake::router())
        .merge(notifications::router())
        .merge(screening::router())
        .layer(axum::middleware::from_fn_with_state(
            state,
            csrf::ensure_cookie,
        ))
}

/// Liveness and readiness, for load balancers and orchestrators.
pub fn health_router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready only when the database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready" })),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "database unavailable" })),
        )
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// A local path to return to after signing in; anything else (another site, `//host`) becomes `/`.
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_string()
    } else {
        "/".into()
    }
}
