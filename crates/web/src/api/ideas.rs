//! Ideas over the API.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{AppError, AppResult, Problem};
use crate::ideas::{self, Submitted};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use hamafza_core::account::FieldError;
use hamafza_core::idea::{Channel, IdeaInput};
use hamafza_store::ideas::Idea;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls/{id}/ideas", get(list_ideas).post(submit_idea))
        .route("/ideas/{id}", get(get_idea).patch(edit_idea))
        .route("/calls/{id}/imports", axum::routing::post(import_ideas))
        .route(
            "/ideas/{id}/transitions",
            axum::routing::post(transition_idea),
        )
}

#[derive(Serialize, ToSchema)]
pub struct IdeaOut {
    /// The idea's public id.
    pub id: String,
    /// Ten digits the author quotes to follow the idea up.
    pub tracking_code: String,
    /// The call's public id.
    pub call_id: String,
    pub axis_id: i64,
    /// `submitted`, `changes_requested`, `accepted`, `rejected`, `duplicate`.
    pub status: String,
    /// `web`, `api`, `exhibition`, `paper`.
    pub channel: String,
    pub version: i64,
    pub title: String,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
    pub owner_unit_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The position (in the call's `stages`) of the stage the idea reached.
    pub stage_position: i64,
    /// For a duplicate: the public id of the idea it was merged into.
    pub duplicate_of: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IdeaPage {
    pub items: Vec<IdeaOut>,
    /// How many ideas match, counted up to 2,000 (see `total_capped`).
    pub total: i64,
    /// Whether more than 2,000 ideas match.
    #[serde(default)]
    pub total_capped: bool,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `before` to get the previous page.
    pub prev_cursor: Option<String>,
}

pub(super) async fn out(state: &AppState, idea: Idea, call_public_id: &str) -> AppResult<IdeaOut> {
    let v = state
        .store
        .idea_versions(idea.id)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    Ok(IdeaOut {
        id: idea.public_id,
        tracking_code: idea.tracking_code,
        call_id: call_public_id.to_string(),
        axis_id: idea.axis_id,
        status: idea.status.as_str().into(),
        channel: idea.channel.as_str().into(),
        version: idea.version,
        title: idea.title,
        problem: v.problem,
        solution: v.solution,
        benefits: v.benefits,
        resources: v.resources,
        owner_unit_id: v.owner_unit_id,
        created_at: idea.created_at,
        updated_at: idea.updated_at,
        stage_position: idea.stage_position,
        duplicate_of: match idea.duplicate_of {
            Some(id) => Some(state.store.idea(id).await?.public_id),
            None => None,
        },
    })
}

#[derive(Deserialize, IntoParams, Default)]
pub struct PageParams {
    /// Rows to skip (without a cursor). Prefer `after`: it stays fast on deep pages.
    #[serde(default)]
    pub offset: i64,
    /// At most 500; 50 by default.
    pub limit: Option<i64>,
    /// The page after this idea id (`next_cursor` of the previous page).
    pub after: Option<String>,
    /// The page before this idea id (`prev_cursor`).
    pub before: Option<String>,
    /// `submitted`, `changes_requested`, `accepted`, `rejected`, `duplicate`.
    pub status: Option<String>,
    pub axis_id: Option<i64>,
    /// A stage position (index in the call's `stages`).
    pub stage: Option<i64>,
    /// A province code (of the author's unit), e.g. `tehran`.
    pub province: Option<String>,
    /// An org unit id: the author's unit when the idea arrived.
    pub unit_id: Option<i64>,
    /// `web`, `api`, `exhibition`, `paper`.
    pub channel: Option<String>,
    /// Submitted on or after this Jalali date (any digits), e.g. `1403/01/15`.
    pub from: Option<String>,
    /// Submitted on or before this Jalali date.
    pub to: Option<String>,
    pub tag_id: Option<i64>,
    /// `true`: only ideas with attached files; `false`: only those without.
    pub attachments: Option<bool>,
    /// Part of the title (Persian-normalized).
    pub search: Option<String>,
    /// `newest` (default), `oldest`, `title`, `updated`.
    pub sort: Option<String>,
}

impl PageParams {
    /// The store's query; an unreadable value is a 422 on its field.
    fn query(&self) -> AppResult<hamafza_store::ideas::InboxQuery> {
        use hamafza_store::screening::InboxSort;
        let bad = |f: &'static str, e: FieldError| AppError::Validation(vec![(f, e)]);
        let date = |f: &'static str, s: &Option<String>, end: bool| -> AppResult<Option<i64>> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => {
                    let d =
                        hamafza_persian::jalali::parse(s).map_err(|_| bad(f, FieldError::Date))?;
                    Ok(Some(if end {
                        hamafza_persian::jalali::end_of_day_tehran(d).as_second()
                    } else {
                        hamafza_persian::jalali::start_of_day_tehran(d).as_second()
                    }))
                }
            }
        };
        let parse =
            |f: &'static str, v: &Option<String>, ok: &dyn Fn(&str) -> bool| match v.as_deref() {
                Some(s) if !ok(s) => Err(bad(f, FieldError::Unknown)),
                _ => Ok(()),
            };
        parse("status", &self.status, &|s| {
            hamafza_core::idea::IdeaStatus::parse(s).is_some()
        })?;
        parse("channel", &self.channel, &|s| Channel::parse(s).is_some())?;
        parse("sort", &self.sort, &|s| InboxSort::parse(s).is_some())?;
        Ok(hamafza_store::ideas::InboxQuery {
            status: self
                .status
                .as_deref()
                .and_then(hamafza_core::idea::IdeaStatus::parse),
            axis_id: self.axis_id,
            stage: self.stage,
            province: self.province.clone().filter(|p| !p.is_empty()),
            unit_id: self.unit_id,
            channel: self.channel.as_deref().and_then(Channel::parse),
            from: date("from", &self.from, false)?,
            to: date("to", &self.to, true)?,
            tag_id: self.tag_id,
            attachments: self.attachments,
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            sort: self
                .sort
                .as_deref()
                .and_then(InboxSort::parse)
                .unwrap_or_default(),
            after: self.after.clone(),
            before: self.before.clone(),
            offset: self.offset,
            limit: self.limit.unwrap_or(50),
        })
    }
}

/// A call's ideas: for the secretariat, the inbox with filters, sort and cursor pages; anyone
/// else gets their own ideas in the call.
#[utoipa::path(get, path = "/api/v1/calls/{id}/ideas", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path), PageParams),
    responses((status = 200, body = IdeaPage), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_ideas(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> AppResult<Json<IdeaPage>> {
    let call = crate::ideas::call(&state, &id).await?;
    if !call.state.is_public() && !ideas::manages(&caller.0) {
        return Err(AppError::NotFound);
    }
    let page = if ideas::manages(&caller.0) {
        state.store.inbox_page(call.id, &p.query()?).await?
    } else {
        let mine = state
            .store
            .ideas_of_author(caller.0.id, Some(call.id))
            .await?;
        hamafza_store::screening::InboxPage {
            total: mine.len() as i64,
            ideas: mine,
            capped: false,
            next: None,
            prev: None,
        }
    };
    let mut items = Vec::with_capacity(page.ideas.len());
    for idea in page.ideas {
        items.push(out(&state, idea, &call.public_id).await?);
    }
    Ok(Json(IdeaPage {
        items,
        total: page.total,
        total_capped: page.capped,
        next_cursor: page.next,
        prev_cursor: page.prev,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct IdeaIn {
    /// One of the call's axis ids.
    pub axis_id: i64,
    pub title: String,
    pub problem: String,
    pub solution: String,
    #[serde(default)]
    pub benefits: String,
    #[serde(default)]
    pub resources: String,
    #[serde(default)]
    pub owner_unit_id: Option<i64>,
}

impl From<IdeaIn> for IdeaInput {
    fn from(i: IdeaIn) -> Self {
        IdeaInput {
            axis: i.axis_id.to_string(),
            title: i.title,
            problem: i.problem,
            solution: i.solution,
            benefits: i.benefits,
            resources: i.resources,
            owner_unit: i.owner_unit_id.map(|u| u.to_string()).unwrap_or_default(),
        }
    }
}

fn refused(why: &'static str) -> AppError {
    match why {
        "idea.not_audience" | "idea.not_author" => AppError::Forbidden,
        _ => AppError::Validation(vec![("call", FieldError::Closed)]),
    }
}

/// Submit an idea while the call's submission stage is open (server clock). Send an
/// `Idempotency-Key` header: a retry with the same key returns the first idea (200) instead of
/// making a second one (201).
#[utoipa::path(post, path = "/api/v1/calls/{id}/ideas", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string per intended submission")),
    request_body = IdeaIn,
    responses(
        (status = 201, body = IdeaOut), (status = 200, description = "A replay of an earlier submission", body = IdeaOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit_idea(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<IdeaIn>,
) -> AppResult<(StatusCode, Json<IdeaOut>)> {
    let call = crate::ideas::call(&state, &id).await?;
    if !call.state.is_public() {
        return Err(AppError::NotFound);
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200);
    let extras = ideas::Extras::default();
    match ideas::submit(
        &state,
        &call,
        &caller.0,
        &input.into(),
        extras,
        Channel::Api,
        key,
    )
    .await?
    {
        Submitted::Created(idea) => Ok((
            StatusCode::CREATED,
            Json(out(&state, idea, &call.public_id).await?),
        )),
        Submitted::Replayed(idea) => Ok((
            StatusCode::OK,
            Json(out(&state, idea, &call.public_id).await?),
        )),
        Submitted::Invalid(mut errors, items) => {
            errors.extend(items.into_iter().map(|e| (e.field, e.error)));
            Err(AppError::Validation(errors))
        }
        Submitted::Refused(why) => Err(refused(why)),
    }
}

/// One idea: for its author and the secretariat.
#[utoipa::path(get, path = "/api/v1/ideas/{id}", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = IdeaOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_idea(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<IdeaOut>> {
    let (idea, call) = ideas::visible(&state, &caller.0, &id).await?;
    Ok(Json(out(&state, idea, &call.public_id).await?))
}

/// Edit an idea (its author, while the call allows editing): the whole text is replaced and
/// saved as a new version.
#[utoipa::path(patch, path = "/api/v1/ideas/{id}", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = IdeaIn,
    responses((status = 200, body = IdeaOut), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn edit_idea(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<IdeaIn>,
) -> AppResult<Json<IdeaOut>> {
    let (idea, call) = ideas::visible(&state, &caller.0, &id).await?;
    if let Some(why) = ideas::edit_blocker(&call, &idea, &caller.0, hamafza_store::now()) {
        return Err(refused(why));
    }
    let axes: Vec<i64> = call.axes.iter().map(|a| a.id).collect();
    let text = IdeaInput::from(input)
        .validate(&axes)
        .map_err(AppError::Validation)?;
    let idea = state
        .store
        .edit_idea(idea.id, idea.place(), &text, Some(caller.0.id))
        .await?;
    Ok(Json(out(&state, idea, &call.public_id).await?))
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
#[utoipa::path(post, path = "/api/v1/ideas/{id}/transitions", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = TransitionIn,
    responses((status = 200, body = IdeaOut), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn transition_idea(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<TransitionIn>,
) -> AppResult<Json<IdeaOut>> {
    let (idea, call) = ideas::visible(&state, &caller.0, &id).await?;
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
    let idea = ideas::decide(&state, &call, &idea, t, expected, &input.message, &caller.0)
        .await?
        .map_err(AppError::Validation)?;
    Ok(Json(out(&state, idea, &call.public_id).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    /// Check the file and report, writing nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Import the good rows even if others are bad (by default a file with a bad row imports nothing).
    #[serde(default)]
    pub partial: bool,
    /// `exhibition` (default) or `paper`.
    pub channel: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read (empty rows are not counted).
    pub rows: usize,
    /// Rows that passed every check.
    pub valid: usize,
    pub imported: usize,
    /// Valid rows imported before (the same file again adds nothing).
    pub skipped: usize,
    pub errors: Vec<crate::error::ProblemField>,
}

/// Import ideas from an exhibition booth or paper forms: the body is a CSV (UTF-8, BOM or not) or
/// XLSX file whose first row has Persian headers (عنوان، محور، مسئله، راه‌حل، and optionally
/// فایده‌ها، منابع، نام، تلفن همراه، تاریخ). Digits in any script, Jalali dates. A bad row makes
/// the whole import a 422 listing every bad row by line, unless `partial=true`.
#[utoipa::path(post, path = "/api/v1/calls/{id}/imports", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ImportParams),
    request_body(content = Vec<u8>, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn import_ideas(
    State(state): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<ImportParams>,
    body: axum::body::Bytes,
) -> AppResult<Json<ImportReport>> {
    if !ideas::manages(&caller.0) {
        return Err(AppError::Forbidden);
    }
    let call = crate::ideas::call(&state, &id).await?;
    let channel = match p.channel.as_deref().unwrap_or("exhibition") {
        "exhibition" => Channel::Exhibition,
        "paper" => Channel::Paper,
        _ => return Err(AppError::Validation(vec![("channel", FieldError::Unknown)])),
    };
    let checked = crate::import::check(&call, &body)?;
    let lang = crate::view::lang_of(&headers);
    if !checked.errors.is_empty() && !p.dry_run && !p.partial {
        return Err(AppError::Rows(checked.errors));
    }
    let outcome = if p.dry_run {
        hamafza_store::ideas::ImportOutcome {
            imported: 0,
            skipped: 0,
        }
    } else {
        state
            .store
            .import_ideas(call.id, &checked.good, channel, Some(caller.0.id))
            .await?
    };
    Ok(Json(ImportReport {
        dry_run: p.dry_run,
        rows: checked.rows,
        valid: checked.good.len(),
        imported: outcome.imported,
        skipped: outcome.skipped,
        errors: checked
            .errors
            .iter()
            .map(|e| crate::error::row_problem(lang, e))
            .collect(),
    }))
}

/// Attachments, team, drafts and similar ideas over the API.
pub fn intake_router(max_upload_mb: usize) -> Router<AppState> {
    use axum::routing::{delete, post};
    Router::new()
        .route(
            "/ideas/{id}/attachments",
            get(list_attachments).post(upload_attachments).layer(
                axum::extract::DefaultBodyLimit::max(crate::attachments::body_limit(max_upload_mb)),
            ),
        )
        .route(
            "/ideas/{id}/attachments/{aid}",
            get(download_attachment).delete(delete_attachment),
        )
        .route("/ideas/{id}/team", get(get_team).post(invite_member))
        .route("/ideas/{id}/team/{user}", delete(remove_member))
        .route("/ideas/{id}/team/{user}/accept", post(accept_invitation))
        .route("/ideas/{id}/team/{user}/decline", post(decline_invitation))
        .route("/ideas/{id}/team/{user}/lead", post(make_lead))
        .route(
            "/calls/{id}/draft",
            get(get_draft).put(put_draft).delete(delete_draft),
        )
        .route("/calls/{id}/similar", get(similar_ideas))
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
    pub created_at: i64,
}

impl From<hamafza_store::attachments::Attachment> for AttachmentOut {
    fn from(a: hamafza_store::attachments::Attachment) -> Self {
        AttachmentOut {
            id: a.public_id,
            name: a.name,
            mime: a.mime,
            size: a.size,
            sha256: a.sha256,
            created_at: a.created_at,
        }
    }
}

/// An idea's attachments: for its team and the secretariat.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/attachments", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<AttachmentOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_attachments(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<Vec<AttachmentOut>>> {
    let (idea, _) = ideas::visible(&state, &caller.0, &id).await?;
    let list = state.store.attachments(idea.id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Attach files (the lead, while the idea may be edited): the raw body named by an `X-Filename`
/// header (percent-encoded UTF-8) or `Content-Disposition`, or `multipart/form-data` with one
/// part per file. PDF, PNG, JPEG, WebP, DOCX, XLSX and PPTX, recognized by content; at most
/// `max_upload_mb` each and 5 per idea. One bad file attaches none.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/attachments", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("X-Filename" = Option<String>, Header, description = "The file's name, percent-encoded UTF-8")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Vec<AttachmentOut>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload_attachments(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    req: axum::extract::Request,
) -> AppResult<(StatusCode, Json<Vec<AttachmentOut>>)> {
    let (idea, call) = ideas::visible(&state, &caller.0, &id).await?;
    if let Some(why) = ideas::edit_blocker(&call, &idea, &caller.0, hamafza_store::now()) {
        return Err(refused(why));
    }
    let uploads = crate::attachments::api_uploads(&state, req).await?;
    let existing = state.store.attachments(idea.id).await?.len();
    let files =
        crate::attachments::check(&uploads, existing, crate::attachments::max_bytes(&state))
            .map_err(item_problems)?;
    let added = match state
        .store
        .add_attachments(idea.id, &idea.public_id, &files, Some(caller.0.id))
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

fn item_problems(items: Vec<crate::attachments::ItemError>) -> AppError {
    AppError::Validation(items.into_iter().map(|e| (e.field, e.error)).collect())
}

/// Download an attachment: `Content-Disposition: attachment`, the sniffed type, `nosniff`.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/attachments/{aid}", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("aid" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn download_attachment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, aid)): ApiPath<(String, String)>,
) -> AppResult<axum::response::Response> {
    let (idea, _) = ideas::visible(&state, &caller.0, &id).await?;
    let a = state.store.attachment(idea.id, &aid).await?;
    crate::attachments::download(&state, &a).await
}

/// Remove an attachment (the lead, while the idea may be edited).
#[utoipa::path(delete, path = "/api/v1/ideas/{id}/attachments/{aid}", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("aid" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_attachment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, aid)): ApiPath<(String, String)>,
) -> AppResult<StatusCode> {
    let (idea, call) = ideas::visible(&state, &caller.0, &id).await?;
    let a = state.store.attachment(idea.id, &aid).await?;
    if let Some(why) = ideas::edit_blocker(&call, &idea, &caller.0, hamafza_store::now()) {
        return Err(refused(why));
    }
    state
        .store
        .remove_attachment(&idea.public_id, &a, Some(caller.0.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// `lead`, `accepted` or `invited`.
    pub state: String,
}

async fn team_out(
    state: &AppState,
    idea: &hamafza_store::ideas::Idea,
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
#[utoipa::path(get, path = "/api/v1/ideas/{id}/team", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<MemberOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<Vec<MemberOut>>> {
    let (idea, _) = ideas::visible(&state, &caller.0, &id).await?;
    team_out(&state, &idea).await
}

#[derive(Deserialize, ToSchema)]
pub struct InviteIn {
    /// A username or an Iranian mobile number (any digit script) of someone with an account.
    pub user: String,
}

/// The lead invites someone to the team (at most 5 with the lead; the person must have an
/// account and be in the call's audience).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/team", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = InviteIn,
    responses((status = 201, body = Vec<MemberOut>), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn invite_member(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<InviteIn>,
) -> AppResult<(StatusCode, Json<Vec<MemberOut>>)> {
    let (idea, call) = ideas::visible(&state, &caller.0, &id).await?;
    if let Some(why) = ideas::edit_blocker(&call, &idea, &caller.0, hamafza_store::now()) {
        return Err(refused(why));
    }
    let u = crate::teams::check_invitee(&state, &call, caller.0.id, &input.user)
        .await?
        .map_err(|e| AppError::Validation(vec![("user", e)]))?;
    match state.store.invite(&idea, u.id, Some(caller.0.id)).await {
        Err(hamafza_store::StoreError::Conflict(w)) => {
            let e = if w == "team_full" {
                FieldError::TeamFull(hamafza_store::teams::MAX_TEAM)
            } else {
                FieldError::AlreadyMember
            };
            return Err(AppError::Validation(vec![("user", e)]));
        }
        r => r?,
    }
    Ok((StatusCode::CREATED, team_out(&state, &idea).await?))
}

/// The idea by public id, for someone answering an invitation (who cannot see it yet).
async fn invited_idea(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
    user: i64,
) -> AppResult<hamafza_store::ideas::Idea> {
    if caller.0.id != user {
        return Err(AppError::Forbidden);
    }
    state
        .store
        .idea_by_public_id(id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Accept an invitation (only the invited person, for themselves).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/team/{user}/accept", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = i64, Path, description = "The invited user's id (the caller)")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, user)): ApiPath<(String, i64)>,
) -> AppResult<StatusCode> {
    let idea = invited_idea(&state, &caller, &id, user).await?;
    state.store.answer_invitation(&idea, user, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Decline an invitation (only the invited person, for themselves).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/team/{user}/decline", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = i64, Path, description = "The invited user's id (the caller)")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn decline_invitation(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, user)): ApiPath<(String, i64)>,
) -> AppResult<StatusCode> {
    let idea = invited_idea(&state, &caller, &id, user).await?;
    state.store.answer_invitation(&idea, user, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The lead takes someone off the team (a member or an invitation).
#[utoipa::path(delete, path = "/api/v1/ideas/{id}/team/{user}", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, user)): ApiPath<(String, i64)>,
) -> AppResult<StatusCode> {
    let (idea, call) = ideas::visible(&state, &caller.0, &id).await?;
    if let Some(why) = ideas::edit_blocker(&call, &idea, &caller.0, hamafza_store::now()) {
        return Err(refused(why));
    }
    state
        .store
        .remove_member(&idea, user, Some(caller.0.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The lead hands the lead over to an accepted member and stays on the team as a member.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/team/{user}/lead", tag = "ideas", security(("bearer" = [])),
    params(("id" = String, Path), ("user" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn make_lead(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath((id, user)): ApiPath<(String, i64)>,
) -> AppResult<StatusCode> {
    let (idea, call) = ideas::visible(&state, &caller.0, &id).await?;
    if let Some(why) = ideas::edit_blocker(&call, &idea, &caller.0, hamafza_store::now()) {
        return Err(refused(why));
    }
    state
        .store
        .hand_over_lead(&idea, user, Some(caller.0.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DraftOut {
    /// The form's fields as last saved (axis, title, problem, solution, benefits, resources,
    /// owner_unit, team).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub updated_at: i64,
}

/// A call open to the caller, for drafts and similar ideas.
async fn call_for_caller(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
) -> AppResult<hamafza_store::calls::Call> {
    let call = crate::ideas::call(state, id).await?;
    if !call.state.is_public()
        || !hamafza_core::idea::in_audience(call.audience, caller.0.org_unit_id.is_some())
    {
        return Err(AppError::NotFound);
    }
    Ok(call)
}

/// The caller's draft for this call.
#[utoipa::path(get, path = "/api/v1/calls/{id}/draft", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = DraftOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_draft(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<DraftOut>> {
    let call = call_for_caller(&state, &caller, &id).await?;
    let d = state
        .store
        .draft(caller.0.id, call.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Json(DraftOut {
        data: d.data,
        updated_at: d.updated_at,
    }))
}

/// Save (replace) the caller's draft: an object of the form's fields as strings.
#[utoipa::path(put, path = "/api/v1/calls/{id}/draft", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    request_body(content = Object),
    responses((status = 200, body = DraftOut), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn put_draft(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(fields): ApiJson<std::collections::HashMap<String, String>>,
) -> AppResult<Json<DraftOut>> {
    let call = call_for_caller(&state, &caller, &id).await?;
    let data = crate::pages::draft_json(&fields);
    let updated_at = state.store.save_draft(caller.0.id, call.id, &data).await?;
    Ok(Json(DraftOut { data, updated_at }))
}

/// Delete the caller's draft.
#[utoipa::path(delete, path = "/api/v1/calls/{id}/draft", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_draft(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<StatusCode> {
    let call = call_for_caller(&state, &caller, &id).await?;
    if state.store.delete_draft(caller.0.id, call.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SimilarParams {
    /// The title and problem typed so far.
    pub q: String,
}

#[derive(Serialize, ToSchema)]
pub struct SimilarOut {
    pub title: String,
    pub axis_id: i64,
    /// Words shared with `q`.
    pub shared: usize,
}

/// Up to 5 ideas of the call that share the most words with `q`: title and axis only (ideas are
/// private; neither their author nor their text is shown).
#[utoipa::path(get, path = "/api/v1/calls/{id}/similar", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path), SimilarParams),
    responses((status = 200, body = Vec<SimilarOut>)))]
pub async fn similar_ideas(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<SimilarParams>,
) -> AppResult<Json<Vec<SimilarOut>>> {
    let call = call_for_caller(&state, &caller, &id).await?;
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
