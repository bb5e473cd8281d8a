//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`
//! and browsable at `/api/docs`. Callers authenticate with `Authorization: Bearer <token>`
//! (from `POST /api/v1/auth/token` or the settings page). Errors are RFC 9457 problem documents
//! whose `detail` follows `Accept-Language` (Persian by default).

mod accounts;
mod auth;
mod calls;
mod ideas;
mod notifications;
mod screening;
mod types;

use crate::AppState;
use crate::error::{AppError, Problem, ProblemField};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Hamafza API", version = "1", description = "Hamafza (همافزا): ideas to action. Errors are RFC 9457 problem documents; send `Accept-Language: en` for English messages."),
    paths(
        auth::token,
        auth::revoke_token,
        accounts::me,
        accounts::list_users,
        accounts::create_user,
        accounts::get_user,
        accounts::org_units,
        accounts::provinces,
        calls::list_calls,
        calls::create_call,
        calls::get_call,
        calls::export_call,
        calls::call_results,
        ideas::list_ideas,
        ideas::submit_idea,
        ideas::get_idea,
        ideas::edit_idea,
        ideas::transition_idea,
        ideas::import_ideas,
        ideas::list_attachments,
        ideas::upload_attachments,
        ideas::download_attachment,
        ideas::delete_attachment,
        ideas::get_team,
        ideas::invite_member,
        ideas::accept_invitation,
        ideas::decline_invitation,
        ideas::remove_member,
        ideas::make_lead,
        ideas::get_draft,
        ideas::put_draft,
        ideas::delete_draft,
        ideas::similar_ideas,
        notifications::list_notifications,
        notifications::read_notifications,
        screening::tag_idea,
        screening::call_tags,
        screening::reclassify_idea,
        screening::merge_idea,
        screening::bulk,
        screening::list_templates,
        screening::create_template,
        screening::update_template,
        screening::delete_template,
    ),
    components(schemas(Problem, ProblemField)),
    modifiers(&BearerAuth),
    tags((name = "auth", description = "Tokens"), (name = "accounts", description = "Users and org units"), (name = "calls", description = "Calls, their axes and stages"), (name = "ideas", description = "Ideas and their versions"), (name = "notifications", description = "The caller's notifications"), (name = "screening", description = "The secretariat's screening: tags, axes, duplicates, bulk actions, rejection templates"))
)]
pub struct ApiDoc;

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

pub fn router(max_upload_mb: usize) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .merge(auth::router())
        .merge(accounts::router())
        .merge(calls::router())
        .merge(ideas::router())
        .merge(ideas::intake_router(max_upload_mb))
        .merge(notifications::router())
        .merge(screening::router())
        .fallback(|| async { AppError::NotFound })
}

/// `/api/docs`: Swagger UI on the OpenAPI document, from the embedded npm package.
pub fn docs_router() -> Router<AppState> {
    Router::new().route(
        "/api/docs",
        get(|| async { Html(include_str!("../../templates/api_docs.html")).into_response() }),
    )
}

/// `Json` whose rejection is a problem document.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// `Path` whose rejection is a problem document.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// `Query` whose rejection is a problem document.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        AppError::BadRequest(r.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::BadRequest(r.body_text())
    }
}
