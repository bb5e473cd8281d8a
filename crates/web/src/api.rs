//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`
//! and browsable at `/api/docs`. Callers authenticate with `Authorization: Bearer <token>`
//! (from `POST /api/v1/auth/token` or the settings page). Errors are RFC 9457 problem documents
//! whose `detail` follows `Accept-Language` (Persian by default).

use crate::AppState;
use crate::access::Public;
use crate::accounts::{api as accounts, tokens_api as auth};
use crate::http::error::{AppError, Problem, ProblemField};
use crate::intake::api as intake;
use crate::juries::api as juries;
use crate::orientation::api as orientation;
use crate::results::api as results;
use crate::{calls::api as calls, ideas::api as ideas};
use crate::{notifications::api as notifications, screening::api as screening};
use axum::Router;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use std::sync::LazyLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(title = "Hamafza API", version = "1", description = "Hamafza (همافزا): ideas to action. Errors are RFC 9457 problem documents; send `Accept-Language: en` for English messages."),
    components(schemas(Problem, ProblemField)),
    modifiers(&BearerAuth),
    tags((name = "auth", description = "Tokens"), (name = "accounts", description = "Users and org units"), (name = "calls", description = "Calls, their axes and stages"), (name = "ideas", description = "Ideas and their versions"), (name = "juries", description = "Juries of judged stages: settings, judges, assignments, blind reviews, rankings"), (name = "notifications", description = "The caller's notifications"), (name = "orientation", description = "Orientation sessions for finalists: scheduling, invitations, attendance"), (name = "results", description = "Finalists, awards and their publication"), (name = "screening", description = "The secretariat's screening: tags, axes, duplicates, bulk actions, rejection templates"))
)]
pub struct ApiDoc;

/// A file's bytes as sent (an upload, a download): `type: string, format: binary` in the
/// document, not the array of numbers a `Vec<u8>` would be described as.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(#[allow(dead_code)] Vec<u8>);

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API's routes, each registering its operation in the OpenAPI document (paths relative to
/// `/api/v1`).
fn routes(max_upload_mb: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router())
        .merge(accounts::router())
        .merge(calls::router())
        .merge(ideas::router())
        .merge(intake::imports_router())
        .merge(intake::router(max_upload_mb))
        .merge(juries::router())
        .merge(notifications::router())
        .merge(orientation::router())
        .merge(results::router())
        .merge(screening::router())
}

/// The router to nest at `/api/v1`: the API's routes and `/openapi.json`.
pub fn router(max_upload_mb: usize) -> Router<AppState> {
    let (router, _) = routes(max_upload_mb).split_for_parts();
    router
        .route("/openapi.json", get(openapi_json))
        .fallback(|| async { AppError::NotFound })
}

/// The OpenAPI document, made from the routes the API serves (so an operation cannot be served
/// without being described, nor described without being served).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, operations) = routes(0).split_for_parts();
    ApiDoc::openapi().nest("/api/v1", operations)
}

/// The document as served: serialized once, kept as text (a fraction of the memory of the
/// document itself, and no copy per request).
async fn openapi_json(_: Public) -> impl IntoResponse {
    static JSON: LazyLock<String> =
        LazyLock::new(|| serde_json::to_string(&openapi()).unwrap_or_default());
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        JSON.as_str(),
    )
}

/// `/api/docs`: Swagger UI on the OpenAPI document, from the embedded npm package.
pub fn docs_router() -> Router<AppState> {
    Router::new().route("/api/docs", get(api_docs))
}

async fn api_docs(_: Public) -> impl IntoResponse {
    Html(include_str!("../templates/api_docs.html"))
}
