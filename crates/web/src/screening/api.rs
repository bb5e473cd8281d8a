//! Screening over the API (secretariat and admins only): tags, axis reclassification, merging
//! duplicates, bulk actions, and the rejection templates.

use crate::AppState;
use crate::access::{ManagedCall, ScreenedIdea, Secretariat};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::{ApiJson, ApiPath};
use crate::ideas::api::{IdeaOut, out};
use crate::ideas::service as ideas;
use crate::screening::service;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hamafza_core::account::FieldError;
use hamafza_core::ids::{AxisId, TagId, TemplateId};
use hamafza_store::screening::RejectionTemplate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(transition_idea))
        .routes(routes!(tag_idea))
        .routes(routes!(reclassify_idea))
        .routes(routes!(merge_idea))
        .routes(routes!(bulk))
        .routes(routes!(call_tags))
        .routes(routes!(list_templates, create_template))
        .routes(routes!(update_template, delete_template))
}

#[derive(Deserialize, ToSchema)]
pub struct TagsIn {
    /// Tags to add; new names become tags of the call (normalized, so «پيامك» and «پیامک» are one).
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TagsOut {
    /// The idea's tags after the change.
    pub tags: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// Add and remove free tags on an idea.
#[utoipa::path(post, path = "/ideas/{id}/tags", tag = "screening", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = TagsIn,
    responses((status = 200, body = TagsOut), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn tag_idea(
    screened: ScreenedIdea,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<TagsIn>,
) -> AppResult<Json<TagsOut>> {
    let (idea, _, caller) = screened.into_parts();
    service::check_tags(&input.add).map_err(|e| AppError::Validation(vec![("add", e)]))?;
    let change = state
        .store
        .tag_idea(&idea, &input.add, &input.remove, Some(caller.id))
        .await?;
    let tags = state
        .store
        .tags_of_ideas(&[idea.id])
        .await?
        .into_iter()
        .map(|(_, t)| t.name)
        .collect();
    Ok(Json(TagsOut {
        tags,
        added: change.added,
        removed: change.removed,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TagOut {
    pub id: TagId,
    pub name: String,
}

/// The tags used in a call (for the `tag_id` filter of the inbox).
#[utoipa::path(get, path = "/calls/{id}/tags", tag = "screening", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<TagOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn call_tags(
    managed: ManagedCall,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<TagOut>>> {
    let (call, _) = managed.into_parts();
    Ok(Json(
        state
            .store
            .tags_of_call(call.id)
            .await?
            .into_iter()
            .map(|t| TagOut {
                id: t.id,
                name: t.name,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ReclassifyIn {
    /// One of the call's axis ids.
    pub axis_id: AxisId,
}

/// Move an idea to another axis of its call.
#[utoipa::path(post, path = "/ideas/{id}/reclassify", tag = "screening", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ReclassifyIn,
    responses((status = 200, body = IdeaOut), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn reclassify_idea(
    screened: ScreenedIdea,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ReclassifyIn>,
) -> AppResult<Json<IdeaOut>> {
    let (idea, call, caller) = screened.into_parts();
    let idea = service::reclassify_idea(&state, &call, &idea, Some(input.axis_id), caller.id)
        .await?
        .map_err(|e| AppError::Validation(vec![("axis_id", e)]))?;
    Ok(Json(out(&state, idea, &call.public_id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MergeIn {
    /// The kept idea (same call): its id or tracking code.
    pub into: String,
}

/// Mark this idea as a duplicate of another idea of the same call. Its author stays credited on
/// the kept idea.
#[utoipa::path(post, path = "/ideas/{id}/merge", tag = "screening", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = MergeIn,
    responses((status = 200, body = IdeaOut), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn merge_idea(
    screened: ScreenedIdea,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<MergeIn>,
) -> AppResult<Json<IdeaOut>> {
    let (idea, call, caller) = screened.into_parts();
    let idea = service::merge_ideas(&state, &idea, &input.into, caller.id)
        .await?
        .map_err(AppError::Validation)?;
    Ok(Json(out(&state, idea, &call.public_id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct BulkIn {
    /// Public ids of the selected ideas.
    pub ideas: Vec<String>,
    /// `accept`, `reject`, `tag` or `reclassify`.
    pub action: String,
    /// For `reject`: the message; if empty, the template's text.
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub template_id: Option<TemplateId>,
    /// For `tag`.
    #[serde(default)]
    pub tag: String,
    /// For `reclassify`.
    #[serde(default)]
    pub axis_id: Option<AxisId>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkOut {
    /// Ideas changed.
    pub changed: Vec<String>,
    /// Ideas left alone because their status did not allow it (or not in this call).
    pub skipped: Vec<String>,
}

/// Apply one screening action to a selection of a call's ideas, in one transaction.
#[utoipa::path(post, path = "/calls/{id}/bulk", tag = "screening", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = BulkIn,
    responses((status = 200, body = BulkOut), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn bulk(
    managed: ManagedCall,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<BulkIn>,
) -> AppResult<Json<BulkOut>> {
    let (call, caller) = managed.into_parts();
    if input.ideas.is_empty() || input.ideas.len() > 500 {
        return Err(AppError::Validation(vec![("ideas", FieldError::Required)]));
    }
    let message = service::bulk_message(&state, &input.message, input.template_id)
        .await?
        .map_err(AppError::Validation)?;
    let axis = input.axis_id.map(|a| a.to_string()).unwrap_or_default();
    let action = service::bulk_action(&call, &input.action, message, &input.tag, &axis)
        .map_err(AppError::Validation)?;
    let o = state
        .store
        .bulk_screen(call.id, &input.ideas, &action, Some(caller.id))
        .await?;
    Ok(Json(BulkOut {
        changed: o.changed,
        skipped: o.skipped,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct TemplateOut {
    pub id: TemplateId,
    pub title: String,
    pub body: String,
}

impl From<RejectionTemplate> for TemplateOut {
    fn from(t: RejectionTemplate) -> Self {
        TemplateOut {
            id: t.id,
            title: t.title,
            body: t.body,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct TemplateIn {
    pub title: String,
    /// The message the author reads.
    pub body: String,
}

fn checked(t: &TemplateIn) -> AppResult<(String, String)> {
    let title = hamafza_core::account::fix_letters(&t.title);
    let body = hamafza_core::account::fix_letters_keep_lines(&t.body);
    service::check_template(&title, &body).map_err(AppError::Validation)?;
    Ok((title, body))
}

/// The rejection templates.
#[utoipa::path(get, path = "/rejection-templates", tag = "screening", security(("bearer" = [])),
    responses((status = 200, body = Vec<TemplateOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_templates(
    _: Secretariat,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<TemplateOut>>> {
    Ok(Json(
        state
            .store
            .rejection_templates()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Add a rejection template.
#[utoipa::path(post, path = "/rejection-templates", tag = "screening", security(("bearer" = [])),
    request_body = TemplateIn,
    responses((status = 201, body = TemplateOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_template(
    caller: Secretariat,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<TemplateIn>,
) -> AppResult<(StatusCode, Json<TemplateOut>)> {
    let (title, body) = checked(&input)?;
    let t = state
        .store
        .save_rejection_template(None, &title, &body, Some(caller.id))
        .await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// Replace a rejection template's text.
#[utoipa::path(put, path = "/rejection-templates/{id}", tag = "screening", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = TemplateIn,
    responses((status = 200, body = TemplateOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update_template(
    caller: Secretariat,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<TemplateId>,
    ApiJson(input): ApiJson<TemplateIn>,
) -> AppResult<Json<TemplateOut>> {
    let (title, body) = checked(&input)?;
    state.store.rejection_template(id).await?;
    let t = state
        .store
        .save_rejection_template(Some(id), &title, &body, Some(caller.id))
        .await?;
    Ok(Json(t.into()))
}

/// Delete a rejection template.
#[utoipa::path(delete, path = "/rejection-templates/{id}", tag = "screening", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_template(
    caller: Secretariat,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<TemplateId>,
) -> AppResult<StatusCode> {
    state
        .store
        .delete_rejection_template(id, Some(caller.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionIn {
    /// `accept`, `reject`, `request_changes` or `reopen`.
    pub transition: String,
    /// Shown to the author; required to reject or to request changes.
    #[serde(default)]
    pub message: String,
    /// The status the caller saw; if the idea is no longer there (a retry, or someone else
    /// decided meanwhile) the decision is refused with a 422 on `transition`.
    #[serde(default)]
    pub expected_status: Option<String>,
    /// The stage position the caller saw (see `stage_position`); checked with `expected_status`.
    #[serde(default)]
    pub expected_stage: Option<i64>,
}

/// The secretariat's decision on an idea. A decision that does not fit the idea's status (or
/// that someone else made meanwhile) is a 422 on `transition`.
#[utoipa::path(post, path = "/ideas/{id}/transitions", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = TransitionIn,
    responses((status = 200, body = IdeaOut), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn transition_idea(
    screened: ScreenedIdea,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<TransitionIn>,
) -> AppResult<Json<IdeaOut>> {
    let (idea, call, caller) = screened.into_parts();
    let t = hamafza_core::idea::Transition::parse(&input.transition);
    let expected = match &input.expected_status {
        None => None,
        Some(s) => Some(hamafza_core::idea::Place {
            status: hamafza_core::idea::IdeaStatus::parse(s).ok_or(AppError::Validation(vec![
                ("expected_status", FieldError::Unknown),
            ]))?,
            stage: input.expected_stage.unwrap_or(idea.stage_position),
        }),
    };
    let idea = ideas::decide(&state, &call, &idea, t, expected, &input.message, &caller)
        .await?
        .map_err(AppError::Validation)?;
    Ok(Json(out(&state, idea, &call.public_id).await?))
}
