//! Attachments, teams, drafts, similar ideas and offline imports over the API.

use crate::AppState;
use crate::access::{AudienceCall, InvitedIdea, LedIdea, ManagedCall, VisibleIdea};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ideas::service as ideas;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hamafza_core::account::FieldError;
use hamafza_core::idea::Channel;
use hamafza_core::ids::{AxisId, UserId};
use hamafza_core::time::UnixSeconds;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check the file and report, writing nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Import the good rows even if others are bad (by default a file with a bad row imports nothing).
    #[serde(default)]
    pub partial: bool,
    /// `exhibition` (default) or `paper`.
    pub channel: Option<String>,
    /// With an empty body: import the file an earlier dry run of the caller kept (its report's
    /// `staged`), without sending it again. Kept for a day.
    pub staged: Option<String>,
}

/// What an import did, or in a dry run what the same import (same file, same `partial`) will do:
/// the dry run and the import are one plan.
#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    /// Nothing was written.
    pub dry_run: bool,
    /// Data rows read (empty rows are not counted).
    pub rows: usize,
    /// Rows that passed every check.
    pub valid: usize,
    /// Ideas written (in a dry run: that the import will write).
    pub imported: usize,
    /// Valid rows left out: the same text from the same person (name and mobile) as an earlier
    /// row of the file, or imported before (the same file again adds nothing).
    pub skipped: usize,
    /// Each row counted in `skipped`, and why.
    pub skipped_rows: Vec<SkippedRowOut>,
    pub errors: Vec<crate::http::error::ProblemField>,
    /// After a dry run that would write ideas: pass as `staged` (with an empty body) to import
    /// this file without sending it again.
    pub staged: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedRowOut {
    pub line: usize,
    /// The earlier line of the file it repeats; `null`: the call has it from an earlier import.
    pub same_as_line: Option<usize>,
    pub detail: String,
}

/// The workbook to fill in for importing into this call: its columns as headers (required ones
/// marked), the call's axes as a list on the axis column, and a guide sheet. Headers follow
/// `Accept-Language` (Persian by default); an import reads either language's.
#[utoipa::path(get, path = "/calls/{id}/imports/template", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "The XLSX workbook", content(
            (crate::api::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn import_template(
    managed: ManagedCall,
    headers: HeaderMap,
) -> AppResult<axum::response::Response> {
    crate::intake::template::download(managed.call(), crate::http::view::lang_of(&headers))
}

/// Import ideas from an exhibition booth or paper forms: the body is an XLSX or CSV file whose
/// first row has Persian headers (عنوان، محور، مسئله، راه‌حل، and optionally فایده‌ها، منابع، نام،
/// تلفن همراه، تاریخ). A CSV may be UTF-8 (BOM or not), UTF-16 with a BOM or Windows-1256, and
/// separated by commas, semicolons or tabs (read from the header line). Digits in any script,
/// Jalali dates. A bad row makes the whole import a 422 listing every bad row by line, unless
/// `partial=true`; a row with the same text and person as an earlier one, or imported before, is
/// skipped. A dry run reports exactly what the import will do.
#[utoipa::path(post, path = "/calls/{id}/imports", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ImportParams),
    request_body(content = crate::api::FileBytes, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import_ideas(
    managed: ManagedCall,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> AppResult<Json<ImportReport>> {
    let (call, actor) = managed.into_parts();
    let channel = match p.channel.as_deref().unwrap_or("exhibition") {
        "exhibition" => Channel::Exhibition,
        "paper" => Channel::Paper,
        _ => return Err(AppError::Validation(vec![("channel", FieldError::Unknown)])),
    };
    let staged = p.staged.clone().filter(|_| body.is_empty());
    let file = match &staged {
        Some(id) => state
            .store
            .staged_import(id, call.id, Some(actor.id))
            .await?
            .ok_or(AppError::Validation(vec![("staged", FieldError::Unknown)]))?,
        None => body.to_vec(),
    };
    let lang = crate::http::view::lang_of(&headers);
    let options = crate::intake::import::Options {
        dry_run: p.dry_run,
        partial: p.partial,
        channel,
        staged,
    };
    let run = crate::intake::import::run(&state.store, &call, actor.id, &file, options).await?;
    // Without `partial` a file with a bad row imports nothing, and says so as an error.
    if !run.writes && !p.dry_run {
        return Err(AppError::Rows(run.plan.errors));
    }
    let skipped_rows = if run.writes {
        run.plan.skipped.as_slice()
    } else {
        &[]
    };
    Ok(Json(ImportReport {
        staged: run.staged,
        dry_run: p.dry_run,
        rows: run.plan.rows,
        valid: run.plan.valid,
        imported: run.imported,
        skipped: run.skipped,
        skipped_rows: skipped_rows
            .iter()
            .map(|s| SkippedRowOut {
                line: s.line,
                same_as_line: s.same_as_line,
                detail: crate::intake::import::skipped_detail(lang, s),
            })
            .collect(),
        errors: run
            .plan
            .errors
            .iter()
            .map(|e| crate::http::error::row_problem(lang, e))
            .collect(),
    }))
}

/// Offline imports over the API.
pub fn imports_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_ideas))
        .routes(routes!(import_template))
}

/// Attachments, team, drafts and similar ideas over the API.
pub fn router(max_upload_mb: usize) -> OpenApiRouter<AppState> {
    use utoipa_axum::router::UtoipaMethodRouterExt;
    OpenApiRouter::new()
        .routes(routes!(list_attachments, upload_attachments).layer(
            axum::extract::DefaultBodyLimit::max(crate::intake::attachments::body_limit(
                max_upload_mb,
            )),
        ))
        .routes(routes!(download_attachment, delete_attachment))
        .routes(routes!(get_team, invite_member))
        .routes(routes!(remove_member))
        .routes(routes!(accept_invitation))
        .routes(routes!(decline_invitation))
        .routes(routes!(make_lead))
        .routes(routes!(get_draft, put_draft, delete_draft))
        .routes(routes!(similar_ideas))
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    /// The attachment's public id.
    pub id: String,
    /// The name the uploader gave.
    pub name: String,
    /// The type sniffed from the content.
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: UnixSeconds,
}

impl From<hamafza_store::attachments::Attachment> for AttachmentOut {
    fn from(a: hamafza_store::attachments::Attachment) -> Self {
        AttachmentOut {
            name: crate::intake::attachments::file_name(&a.name, &a.mime),
            id: a.public_id,
            mime: a.mime,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// An idea's attachments: for its team and the secretariat.
#[utoipa::path(get, path = "/ideas/{id}/attachments", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_attachments(
    seen: VisibleIdea,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<AttachmentOut>>> {
    let list = state.store.attachments(seen.idea().id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Attach files (the lead, while the idea may be edited): the raw body named by an `X-Filename`
/// header (percent-encoded UTF-8) or `Content-Disposition`, or `multipart/form-data` with one
/// part per file. PDF, PNG, JPEG, WebP, DOCX, XLSX and PPTX, recognized by content; at most
/// `max_upload_mb` each and 5 per idea. One bad file attaches none.
#[utoipa::path(post, path = "/ideas/{id}/attachments", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("X-Filename" = Option<String>, Header, description = "The file's name, percent-encoded UTF-8")),
    request_body(content = crate::api::FileBytes, content_type = "application/octet-stream"),
    responses((status = 201, body = Vec<AttachmentOut>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload_attachments(
    led: LedIdea,
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> AppResult<(StatusCode, Json<Vec<AttachmentOut>>)> {
    let (idea, call, lead) = led.into_parts();
    if let Some(why) = ideas::edit_blocker(&call, &idea, &lead, hamafza_store::now()) {
        return Err(crate::ideas::api::refused(why));
    }
    let uploads = crate::intake::attachments::api_uploads(&state, req).await?;
    let existing = state.store.attachments(idea.id).await?.len();
    let files = crate::intake::attachments::check(
        &uploads,
        existing,
        crate::intake::attachments::max_bytes(&state),
    )
    .map_err(item_problems)?;
    let added = match state
        .store
        .add_attachments(idea.id, &idea.public_id, &files, Some(lead.id))
        .await
    {
        Err(hamafza_store::StoreError::Conflict(_)) => {
            return Err(AppError::Validation(vec![(
                "attachments",
                FieldError::TooManyFiles(hamafza_store::attachments::MAX_PER_IDEA),
            )]));
        }
        r => r?,
    };
    Ok((
        StatusCode::CREATED,
        Json(added.into_iter().map(Into::into).collect()),
    ))
}

fn item_problems(items: Vec<crate::intake::attachments::ItemError>) -> AppError {
    AppError::Validation(items.into_iter().map(|e| (e.field, e.error)).collect())
}

/// Download an attachment: `Content-Disposition: attachment`, the sniffed type, `nosniff`.
#[utoipa::path(get, path = "/ideas/{id}/attachments/{aid}", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("aid" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = crate::api::FileBytes), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn download_attachment(
    seen: VisibleIdea,
    State(state): State<AppState>,
    ApiPath((_idea, aid)): ApiPath<(String, String)>,
) -> AppResult<axum::response::Response> {
    let a = state.store.attachment(seen.idea().id, &aid).await?;
    crate::intake::attachments::download(&state, &a).await
}

/// Remove an attachment (the lead, while the idea may be edited).
#[utoipa::path(delete, path = "/ideas/{id}/attachments/{aid}", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("aid" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_attachment(
    led: LedIdea,
    State(state): State<AppState>,
    ApiPath((_idea, aid)): ApiPath<(String, String)>,
) -> AppResult<StatusCode> {
    let (idea, call, lead) = led.into_parts();
    let a = state.store.attachment(idea.id, &aid).await?;
    if let Some(why) = ideas::edit_blocker(&call, &idea, &lead, hamafza_store::now()) {
        return Err(crate::ideas::api::refused(why));
    }
    state
        .store
        .remove_attachment(&idea.public_id, &a, Some(lead.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    /// `lead`, `accepted` or `invited`.
    pub state: String,
}

async fn team_out(
    state: &AppState,
    idea: &hamafza_core::idea::Idea,
) -> AppResult<Json<Vec<MemberOut>>> {
    let team = state.store.team(idea).await?;
    Ok(Json(
        team.into_iter()
            .map(|m| MemberOut {
                user_id: m.user_id,
                username: m.username,
                display_name: m.display_name,
                state: m.state.as_str().into(),
            })
            .collect(),
    ))
}

/// The idea's team: the lead, then members and pending invitations.
#[utoipa::path(get, path = "/ideas/{id}/team", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<MemberOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_team(
    seen: VisibleIdea,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<MemberOut>>> {
    team_out(&state, seen.idea()).await
}

#[derive(Deserialize, ToSchema)]
pub struct InviteIn {
    /// A username or an Iranian mobile number (any digit script) of someone with an account.
    pub user: String,
}

/// The lead invites someone to the team (at most 5 with the lead; the person must have an
/// account and be in the call's audience). At most 10 invitations an idea and 20 an inviter a
/// day (429 past them); inviting the same person again the same day sends them nothing.
#[utoipa::path(post, path = "/ideas/{id}/team", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = InviteIn,
    responses((status = 201, body = Vec<MemberOut>), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many invitations today", body = Problem, content_type = "application/problem+json")))]
pub async fn invite_member(
    led: LedIdea,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<InviteIn>,
) -> AppResult<(StatusCode, Json<Vec<MemberOut>>)> {
    let (idea, call, lead) = led.into_parts();
    if let Some(why) = ideas::edit_blocker(&call, &idea, &lead, hamafza_store::now()) {
        return Err(crate::ideas::api::refused(why));
    }
    crate::intake::teams::invite(&state, &call, &idea, &lead, &input.user)
        .await?
        .map_err(|e| AppError::Validation(vec![("user", e)]))?;
    Ok((StatusCode::CREATED, team_out(&state, &idea).await?))
}

/// Answers the caller's own invitation; `{user}` must be the caller.
async fn answer(
    state: &AppState,
    invited: InvitedIdea,
    user: UserId,
    accept: bool,
) -> AppResult<StatusCode> {
    let (idea, _, invitee) = invited.into_parts();
    if invitee.id != user {
        return Err(AppError::Forbidden);
    }
    state.store.answer_invitation(&idea, user, accept).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept an invitation (only the invited person, for themselves).
#[utoipa::path(post, path = "/ideas/{id}/team/{user}/accept", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = i64, Path, description = "The invited user's id (the caller)")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn accept_invitation(
    invited: InvitedIdea,
    State(state): State<AppState>,
    ApiPath((_idea, user)): ApiPath<(String, UserId)>,
) -> AppResult<StatusCode> {
    answer(&state, invited, user, true).await
}

/// Decline an invitation (only the invited person, for themselves).
#[utoipa::path(post, path = "/ideas/{id}/team/{user}/decline", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = i64, Path, description = "The invited user's id (the caller)")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn decline_invitation(
    invited: InvitedIdea,
    State(state): State<AppState>,
    ApiPath((_idea, user)): ApiPath<(String, UserId)>,
) -> AppResult<StatusCode> {
    answer(&state, invited, user, false).await
}

/// The lead takes someone off the team (a member or an invitation).
#[utoipa::path(delete, path = "/ideas/{id}/team/{user}", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_member(
    led: LedIdea,
    State(state): State<AppState>,
    ApiPath((_idea, user)): ApiPath<(String, UserId)>,
) -> AppResult<StatusCode> {
    let (idea, call, lead) = led.into_parts();
    if let Some(why) = ideas::edit_blocker(&call, &idea, &lead, hamafza_store::now()) {
        return Err(crate::ideas::api::refused(why));
    }
    state
        .store
        .remove_member(&idea, user, Some(lead.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The lead hands the lead over to an accepted member and stays on the team as a member.
#[utoipa::path(post, path = "/ideas/{id}/team/{user}/lead", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn make_lead(
    led: LedIdea,
    State(state): State<AppState>,
    ApiPath((_idea, user)): ApiPath<(String, UserId)>,
) -> AppResult<StatusCode> {
    let (idea, call, lead) = led.into_parts();
    if let Some(why) = ideas::edit_blocker(&call, &idea, &lead, hamafza_store::now()) {
        return Err(crate::ideas::api::refused(why));
    }
    state
        .store
        .hand_over_lead(&idea, user, Some(lead.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DraftOut {
    /// The form's fields as last saved (axis, title, problem, solution, benefits, resources,
    /// owner_unit, team).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub updated_at: UnixSeconds,
}

/// The caller's draft for this call.
#[utoipa::path(get, path = "/calls/{id}/draft", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = DraftOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_draft(
    open: AudienceCall,
    State(state): State<AppState>,
) -> AppResult<Json<DraftOut>> {
    let (call, user) = open.into_parts();
    let d = state
        .store
        .draft(user.id, call.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(DraftOut {
        data: d.data,
        updated_at: d.updated_at,
    }))
}

/// Save (replace) the caller's draft: an object of the form's fields as strings.
#[utoipa::path(put, path = "/calls/{id}/draft", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content = Object),
    responses((status = 200, body = DraftOut), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn put_draft(
    open: AudienceCall,
    State(state): State<AppState>,
    ApiJson(fields): ApiJson<std::collections::HashMap<String, String>>,
) -> AppResult<Json<DraftOut>> {
    let (call, user) = open.into_parts();
    let data = crate::intake::service::draft_json(&fields);
    let updated_at = state.store.save_draft(user.id, call.id, &data).await?;
    Ok(Json(DraftOut { data, updated_at }))
}

/// Delete the caller's draft.
#[utoipa::path(delete, path = "/calls/{id}/draft", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_draft(
    open: AudienceCall,
    State(state): State<AppState>,
) -> AppResult<StatusCode> {
    let (call, user) = open.into_parts();
    if state.store.delete_draft(user.id, call.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// The title and problem typed so far.
    pub q: String,
}

#[derive(Serialize, ToSchema)]
pub struct SimilarOut {
    pub title: String,
    pub axis_id: AxisId,
    /// Words shared with `q`.
    pub shared: usize,
}

/// Up to 5 ideas of the call that share the most words with `q`: title and axis only (ideas are
/// private; neither their author nor their text is shown).
#[utoipa::path(get, path = "/calls/{id}/similar", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path), SimilarParams),
    responses((status = 200, body = Vec<SimilarOut>)))]
pub async fn similar_ideas(
    open: AudienceCall,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<SimilarParams>,
) -> AppResult<Json<Vec<SimilarOut>>> {
    let call = open.call();
    let q: String = p.q.chars().take(2000).collect();
    let found = state.store.similar_ideas(call.id, &q, 5).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|s| SimilarOut {
                title: s.title,
                axis_id: s.axis_id,
                shared: s.shared,
            })
            .collect(),
    ))
}
