//! What every feature's HTTP code shares: the closed error type and its rendering, the page
//! context and templates helpers, API extractors, embedded assets, Markdown, health checks.

pub mod assets;
pub mod error;
pub mod extract;
pub mod markdown;
pub mod view;

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use error::AppError;

/// Liveness and readiness, for load balancers and orchestrators.
pub fn health_router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz(_: crate::access::Public) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready only when the database answers.
async fn readyz(_: crate::access::Public, State(state): State<AppState>) -> impl IntoResponse {
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
