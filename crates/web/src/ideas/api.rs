//! Ideas over the API.

use crate::AppState;
use crate::access::{LedIdea, SignedIn, VisibleCall, VisibleIdea};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::ideas::service::{self as ideas, Submitted};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hamafza_core::account::FieldError;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaInput};
use hamafza_core::ids::{AxisId, IdeaId, OrgUnitId, TagId};
use hamafza_core::time::UnixSeconds;
use hamafza_store::teams::MemberState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_ideas, submit_idea))
        .routes(routes!(get_idea, edit_idea))
        .routes(routes!(idea_versions))
}

#[derive(Serialize, ToSchema)]
pub struct IdeaOut {
    /// The idea's public id.
    pub id: String,
    /// Ten digits the author quotes to follow the idea up.
    pub tracking_code: String,
    /// The call's public id.
    pub call_id: String,
    pub axis_id: AxisId,
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
    pub owner_unit_id: Option<OrgUnitId>,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
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

pub(crate) async fn out(state: &AppState, idea: Idea, call_public_id: &str) -> AppResult<IdeaOut> {
    outs(state, vec![idea], call_public_id)
        .await?
        .pop()
        .ok_or(AppError::NotFound)
}

/// Ideas of one call as the API shows them: their current texts and kept ids come in one query
/// per 500 ideas, so a page costs the same few queries whatever its size.
pub(crate) async fn outs(
    state: &AppState,
    ideas: Vec<Idea>,
    call_public_id: &str,
) -> AppResult<Vec<IdeaOut>> {
    let ids: Vec<IdeaId> = ideas.iter().map(|i| i.id).collect();
    let mut texts = state.store.current_texts(&ids).await?;
    ideas
        .into_iter()
        .map(|idea| {
            let t = texts.remove(&idea.id).ok_or(AppError::NotFound)?;
            Ok(idea_out(idea, t, call_public_id))
        })
        .collect()
}

fn idea_out(idea: Idea, t: hamafza_store::ideas::CurrentText, call_public_id: &str) -> IdeaOut {
    let v = t.version;
    IdeaOut {
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
        duplicate_of: t.duplicate_of,
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
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
    pub axis_id: Option<AxisId>,
    /// A stage position (index in the call's `stages`).
    pub stage: Option<i64>,
    /// A province code (of the author's unit), e.g. `tehran`.
    pub province: Option<String>,
    /// An org unit id: the author's unit when the idea arrived.
    pub unit_id: Option<OrgUnitId>,
    /// `web`, `api`, `exhibition`, `paper`.
    pub channel: Option<String>,
    /// Submitted on or after this Jalali date (any digits), e.g. `1403/01/15`.
    pub from: Option<String>,
    /// Submitted on or before this Jalali date.
    pub to: Option<String>,
    pub tag_id: Option<TagId>,
    /// `true`: only ideas with attached files; `false`: only those without.
    pub attachments: Option<bool>,
    /// Part of the title (Persian-normalized).
    pub search: Option<String>,
    /// `newest` (default), `oldest`, `title`, `updated`.
    pub sort: Option<String>,
}

impl PageParams {
    /// The store's query (`screening::service::read_inbox`); any value that cannot be read is a
    /// 422 naming its field.
    fn query(&self) -> AppResult<hamafza_store::ideas::InboxQuery> {
        use crate::screening::service::{InboxWords, read_inbox};
        fn text(s: &Option<String>) -> &str {
            s.as_deref().unwrap_or("")
        }
        let (q, errors) = read_inbox(InboxWords {
            status: text(&self.status),
            channel: text(&self.channel),
            sort: text(&self.sort),
            from: text(&self.from),
            to: text(&self.to),
            province: text(&self.province),
            search: text(&self.search),
        });
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(hamafza_store::ideas::InboxQuery {
            axis_id: self.axis_id,
            stage: self.stage,
            unit_id: self.unit_id,
            tag_id: self.tag_id,
            attachments: self.attachments,
            after: self.after.clone(),
            before: self.before.clone(),
            offset: self.offset,
            limit: self.limit.unwrap_or(50),
            ..q
        })
    }
}

/// A call's ideas: for the secretariat, the inbox with filters, sort and cursor pages; anyone
/// else gets their own ideas in the call.
#[utoipa::path(get, path = "/calls/{id}/ideas", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path), PageParams),
    responses((status = 200, body = IdeaPage), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_ideas(
    user: SignedIn,
    seen: VisibleCall,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> AppResult<Json<IdeaPage>> {
    let call = seen.call();
    let page = if crate::access::runs_calls(&user) {
        state.store.inbox_page(call.id, &p.query()?).await?
    } else {
        let mine = state.store.ideas_of_author(user.id, Some(call.id)).await?;
        hamafza_store::screening::InboxPage {
            total: mine.len() as i64,
            ideas: mine,
            capped: false,
            next: None,
            prev: None,
        }
    };
    Ok(Json(IdeaPage {
        items: outs(&state, page.ideas, &call.public_id).await?,
        total: page.total,
        total_capped: page.capped,
        next_cursor: page.next,
        prev_cursor: page.prev,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct IdeaIn {
    /// One of the call's axis ids.
    pub axis_id: AxisId,
    pub title: String,
    pub problem: String,
    pub solution: String,
    #[serde(default)]
    pub benefits: String,
    #[serde(default)]
    pub resources: String,
    #[serde(default)]
    pub owner_unit_id: Option<OrgUnitId>,
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

/// The API's answer to a blocker: its own problem type, 403 for who the caller is and 409 for
/// when (the call's schedule or the idea's status).
pub(crate) fn refused(why: hamafza_core::idea::Blocker) -> AppError {
    AppError::Refused(why)
}

/// Submit an idea while the call's submission stage is open (server clock). Send an
/// `Idempotency-Key` header: a retry with the same key returns the first idea (200) instead of
/// making a second one (201).
#[utoipa::path(post, path = "/calls/{id}/ideas", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Any unique string per intended submission")),
    request_body = IdeaIn,
    responses(
        (status = 201, body = IdeaOut), (status = 200, description = "A replay of an earlier submission", body = IdeaOut),
        (status = 403, description = "Outside the call's audience (`not-audience`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The submission stage is not open (`not-open`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit_idea(
    user: SignedIn,
    seen: VisibleCall,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<IdeaIn>,
) -> AppResult<(StatusCode, Json<IdeaOut>)> {
    let call = seen.call();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200);
    let extras = ideas::Extras::default();
    match ideas::submit(
        &state,
        call,
        &user,
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

#[derive(Serialize, ToSchema)]
pub struct PersonOut {
    /// Absent for someone without an account (the author of a paper or booth idea).
    pub username: Option<String>,
    pub name: String,
}

/// One idea with who is behind it and where it stands.
#[derive(Serialize, ToSchema)]
pub struct IdeaDetail {
    #[serde(flatten)]
    pub idea: IdeaOut,
    /// The author: the lead's account, or the name a paper or booth form gave (that name only
    /// for the secretariat, as on the idea's page).
    pub author: Option<PersonOut>,
    /// The lead first, then the members in the order they were invited (as `GET …/team`).
    pub team: Vec<crate::intake::api::MemberOut>,
    /// Credited besides the team: the authors of duplicates merged into this idea.
    pub credited: Vec<String>,
    /// The secretariat's message on its latest decision that carried one (a rejection's reason,
    /// the changes asked for).
    pub decision_message: Option<String>,
}

/// One idea with its author, team, credits and the secretariat's last message: for those who
/// may see it (its team and the secretariat).
#[utoipa::path(get, path = "/ideas/{id}", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = IdeaDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_idea(
    seen: VisibleIdea,
    State(state): State<AppState>,
) -> AppResult<Json<IdeaDetail>> {
    let (idea, call, viewer) = seen.into_parts();
    let team = state.store.team(&idea).await?;
    let author = match team.iter().find(|m| m.state == MemberState::Lead) {
        Some(lead) => Some(PersonOut {
            username: Some(lead.username.clone()),
            name: lead.display_name.clone(),
        }),
        None if crate::access::runs_calls(&viewer) => state
            .store
            .submitter_name(idea.id)
            .await?
            .map(|name| PersonOut {
                username: None,
                name,
            }),
        None => None,
    };
    let credited = state
        .store
        .credits(idea.id)
        .await?
        .into_iter()
        .map(|c| c.name)
        .filter(|n| !n.is_empty())
        .collect();
    let decision_message = state.store.decision_message(&idea.public_id).await?;
    Ok(Json(IdeaDetail {
        author,
        team: team
            .into_iter()
            .map(|m| crate::intake::api::MemberOut {
                user_id: m.user_id,
                username: m.username,
                display_name: m.display_name,
                state: m.state.as_str().into(),
            })
            .collect(),
        credited,
        decision_message,
        idea: out(&state, idea, &call.public_id).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    /// 1 for the text as first submitted.
    pub version: i64,
    pub axis_id: AxisId,
    pub title: String,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
    pub owner_unit_id: Option<OrgUnitId>,
    pub created_at: UnixSeconds,
}

/// Every version of an idea's text, oldest first: for those who may see the idea.
#[utoipa::path(get, path = "/ideas/{id}/versions", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Vec<VersionOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn idea_versions(
    seen: VisibleIdea,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<VersionOut>>> {
    let versions = state.store.idea_versions(seen.idea().id).await?;
    Ok(Json(
        versions
            .into_iter()
            .map(|v| VersionOut {
                version: v.version,
                axis_id: v.axis_id,
                title: v.title,
                problem: v.problem,
                solution: v.solution,
                benefits: v.benefits,
                resources: v.resources,
                owner_unit_id: v.owner_unit_id,
                created_at: v.created_at,
            })
            .collect(),
    ))
}

/// Edit an idea (its author, while the call allows editing): the whole text is replaced and
/// saved as a new version.
#[utoipa::path(patch, path = "/ideas/{id}", tag = "ideas", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = IdeaIn,
    responses((status = 200, body = IdeaOut), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not editable now (`not-open`, `not-editable`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn edit_idea(
    led: LedIdea,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<IdeaIn>,
) -> AppResult<Json<IdeaOut>> {
    let (idea, call, lead) = led.into_parts();
    if let Some(why) = ideas::edit_blocker(&call, &idea, &lead, hamafza_store::now()) {
        return Err(refused(why));
    }
    let axes: Vec<AxisId> = call.axes.iter().map(|a| a.id).collect();
    let text = IdeaInput::from(input)
        .validate(&axes)
        .map_err(AppError::Validation)?;
    let idea = ideas::save_edit(&state, &idea, &text, &lead)
        .await?
        .ok_or_else(|| AppError::Validation(vec![("idea", FieldError::Changed)]))?;
    Ok(Json(out(&state, idea, &call.public_id).await?))
}
