//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/v1/openapi.json`
//! and browsable at `/api/docs`. Callers authenticate with `Authorization: Bearer <token>`
//! (from `POST /api/v1/auth/token` or the settings page). Errors are RFC 9457 problem documents
//! whose `detail` follows `Accept-Language` (Persian by default).

use crate::AppState;
use crate::access::Public;
use crate::accounts::{api as accounts, tokens_api as auth};
use crate::http::error::{AppError, Problem, ProblemField};
use crate::intake::api as intake;
use crate::{calls::api as calls, ideas::api as ideas};
use crate::{notifications::api as notifications, screening::api as screening};
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
        auth::list_tokens,
        auth::list_sessions,
        auth::end_session,
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
        screening::transition_idea,
        intake::import_ideas,
        intake::list_attachments,
        intake::upload_attachments,
        intake::download_attachment,
        intake::delete_attachment,
        intake::get_team,
        intake::invite_member,
        intake::accept_invitation,
        intake::decline_invitation,
        intake::remove_member,
        intake::make_lead,
        intake::get_draft,
        intake::put_draft,
        intake::delete_draft,
        intake::similar_ideas,
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
        .route("/openapi.json", get(openapi_json))
        .merge(auth::router())
        .merge(accounts::router())
        .merge(calls::router())
        .merge(ideas::router())
        .merge(intake::imports_router())
        .merge(intake::router(max_upload_mb))
        .merge(notifications::router())
        .merge(screening::router())
        .fallback(|| async { AppError::NotFound })
}

async fn openapi_json(_: Public) -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// `/api/docs`: Swagger UI on the OpenAPI document, from the embedded npm package.
pub fn docs_router() -> Router<AppState> {
    Router::new().route("/api/docs", get(api_docs))
}

async fn api_docs(_: Public) -> impl IntoResponse {
    Html(include_str!("../templates/api_docs.html"))
}
