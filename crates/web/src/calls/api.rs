//! Calls over the API.

use crate::AppState;
use crate::access::{Caller, ManagedCall, Secretariat, VisibleCall};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::ApiJson;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_core::call::{CallInput, CallState};
use hamafza_core::ids::{AxisId, StageId};
use hamafza_core::time::UnixSeconds;
use hamafza_persian::jalali;
use hamafza_store::calls::CallFilter;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calls, create_call))
        .routes(routes!(get_call, patch_call))
        .routes(routes!(change_call_state))
        .routes(routes!(export_call))
        .routes(routes!(reschedule_stage))
}

#[derive(Serialize, ToSchema)]
pub struct CallOut {
    /// The call's public id, used in URLs.
    pub id: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// `employees`, `public` or `both`.
    pub audience: String,
    /// `draft`, `published`, `closed` or `archived`.
    pub state: String,
    pub axes: Vec<AxisOut>,
    pub stages: Vec<StageOut>,
    pub created_at: UnixSeconds,
}

#[derive(Serialize, ToSchema)]
pub struct AxisOut {
    pub id: AxisId,
    pub title: String,
    pub description: String,
}

#[derive(Serialize, ToSchema)]
pub struct StageOut {
    /// The stage's id: stable across edits that keep the stage in its place.
    pub id: StageId,
    /// `submission`, `screening`, `shortlisting`, `orientation`, `final_presentation`, `results`.
    pub kind: String,
    pub title: String,
    /// Jalali date of the first day, e.g. `1401/11/01`.
    pub start: String,
    /// Jalali date of the last day.
    pub end: String,
    /// Unix seconds: 00:00 of the first day and 23:59:59 of the last, Tehran time.
    pub starts_at: UnixSeconds,
    pub ends_at: UnixSeconds,
    /// What the stage lets people do while open, e.g. `submit`, `screen`.
    pub actions: Vec<String>,
}

fn jalali_of(t: UnixSeconds) -> String {
    jalali::from_timestamp(t.to_timestamp()).to_string()
}

impl From<Call> for CallOut {
    fn from(c: Call) -> Self {
        CallOut {
            id: c.public_id,
            title: c.title,
            description: c.description,
            audience: c.audience.as_str().into(),
            state: c.state.as_str().into(),
            axes: c
                .axes
                .into_iter()
                .map(|a| AxisOut {
                    id: a.id,
                    title: a.title,
                    description: a.description,
                })
                .collect(),
            stages: c
                .stages
                .into_iter()
                .map(|s| StageOut {
                    id: s.id,
                    kind: s.kind.as_str().into(),
                    title: s.title,
                    start: jalali_of(s.starts_at),
                    end: jalali_of(s.ends_at),
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                    actions: s.kind.actions().iter().map(|a| a.as_str().into()).collect(),
                })
                .collect(),
            created_at: c.created_at,
        }
    }
}

/// List calls: published, closed and archived ones for everyone; drafts too for the secretariat.
#[utoipa::path(get, path = "/calls", tag = "calls", responses((status = 200, body = Vec<CallOut>)))]
pub async fn list_calls(
    caller: Caller,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<CallOut>>> {
    let filter = if caller.runs_calls() {
        CallFilter::All
    } else {
        CallFilter::Public
    };
    Ok(Json(
        state
            .store
            .calls(filter)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewCallIn {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `employees`, `public` or `both`.
    pub audience: String,
    pub axes: Vec<NewAxisIn>,
    pub stages: Vec<NewStageIn>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewAxisIn {
    /// In a change: the axis's id from the call (axes keep their places; a new axis has none).
    #[serde(default)]
    pub id: Option<AxisId>,
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Deserialize, ToSchema)]
pub struct NewStageIn {
    pub kind: String,
    #[serde(default)]
    pub title: String,
    /// Jalali date in any digits, `1403/01/15` or `1403-01-15`.
    pub start: String,
    pub end: String,
}

impl From<NewAxisIn> for hamafza_core::call::AxisInput {
    fn from(a: NewAxisIn) -> Self {
        Self {
            title: a.title,
            description: a.description,
        }
    }
}

impl From<NewStageIn> for hamafza_core::call::StageInput {
    fn from(s: NewStageIn) -> Self {
        Self {
            kind: s.kind,
            title: s.title,
            start: s.start,
            end: s.end,
        }
    }
}

/// Create a call as a draft (the secretariat). Every invalid field is reported at once; rows are
/// named by position, e.g. `stage_end_1` is the second stage's end date.
#[utoipa::path(post, path = "/calls", tag = "calls", security(("bearer" = [])), request_body = NewCallIn,
    responses(
        (status = 201, body = CallOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_call(
    actor: Secretariat,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewCallIn>,
) -> AppResult<(StatusCode, Json<CallOut>)> {
    let input = CallInput {
        title: input.title,
        description: input.description,
        audience: input.audience,
        axes: input.axes.into_iter().map(Into::into).collect(),
        stages: input.stages.into_iter().map(Into::into).collect(),
    };
    let valid = input.validate().map_err(AppError::Validation)?;
    let call = state
        .store
        .create_call(&valid, None, Some(actor.id))
        .await?;
    Ok((StatusCode::CREATED, Json(call.into())))
}

/// A change to a call: what is given replaces what the call has, what is left out stays.
/// `axes` and `stages` are whole lists in order (the call's `GET`, edited), matched by place:
/// an axis keeps its place (send its `id` to have that checked), a stage ideas have reached
/// keeps its kind, and neither may be removed while ideas depend on it.
#[derive(Deserialize, ToSchema)]
pub struct CallPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `employees`, `public` or `both`.
    pub audience: Option<String>,
    pub axes: Option<Vec<NewAxisIn>>,
    pub stages: Option<Vec<NewStageIn>>,
}

/// Edit a call (the secretariat): its title, description, audience, axes or stages' kinds,
/// titles and dates. The result is checked as a whole, like a new call (422 names every invalid
/// field, and an axis that ideas are filed under or a stage they reached cannot be removed).
#[utoipa::path(patch, path = "/calls/{id}", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CallPatch,
    responses(
        (status = 200, body = CallOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn patch_call(
    managed: ManagedCall,
    State(state): State<AppState>,
    ApiJson(patch): ApiJson<CallPatch>,
) -> AppResult<Json<CallOut>> {
    let (call, actor) = managed.into_parts();
    let mut input = call.to_input();
    if let Some(t) = patch.title {
        input.title = t;
    }
    if let Some(d) = patch.description {
        input.description = d;
    }
    if let Some(a) = patch.audience {
        input.audience = a;
    }
    if let Some(axes) = patch.axes {
        // Ideas are filed under an axis by its place: an axis sent at another place would rename
        // the one there, and carry its ideas with it.
        let moved = axes.iter().enumerate().any(|(i, a)| {
            a.id.is_some_and(|id| call.axes.get(i).map(|x| x.id) != Some(id))
        });
        if moved {
            return Err(AppError::Validation(vec![("axes", FieldError::Moved)]));
        }
        input.axes = axes.into_iter().map(Into::into).collect();
    }
    if let Some(stages) = patch.stages {
        input.stages = stages.into_iter().map(Into::into).collect();
    }
    let valid = input.validate().map_err(AppError::Validation)?;
    let call = crate::calls::service::update(&state, &call, &valid, actor.id).await?;
    Ok(Json(call.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct StateIn {
    /// `published`, `closed` or `archived`: a draft is published or archived, a published call
    /// closed, a closed one published again or archived.
    pub to: String,
}

/// Publish, close, reopen or archive a call (the secretariat). 409 for a move its state does not
/// allow, or one made meanwhile by someone else.
#[utoipa::path(post, path = "/calls/{id}/state", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = StateIn,
    responses(
        (status = 200, body = CallOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_call_state(
    managed: ManagedCall,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<StateIn>,
) -> AppResult<Json<CallOut>> {
    let (call, actor) = managed.into_parts();
    let to = CallState::parse(&input.to)
        .ok_or_else(|| AppError::Validation(vec![("to", FieldError::Unknown)]))?;
    if !call.state.can_become(to) {
        return Err(AppError::CallStateMove);
    }
    let call = state
        .store
        .set_call_state(call.id, to, Some(actor.id))
        .await?;
    Ok(Json(call.into()))
}

/// One call by its public id (drafts only for the secretariat).
#[utoipa::path(get, path = "/calls/{id}", tag = "calls", params(("id" = String, Path)),
    responses((status = 200, body = CallOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_call(seen: VisibleCall) -> AppResult<Json<CallOut>> {
    Ok(Json(seen.into_parts().0.into()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `xlsx` (right-to-left sheet) or `csv` (UTF-8 with BOM).
    pub format: String,
}

/// A call's ideas with their current text, authors and units, for the secretariat. Headers and
/// dates follow `Accept-Language` (Persian, Jalali, by default).
#[utoipa::path(get, path = "/calls/{id}/export", tag = "calls", security(("bearer" = [])),
    params(("id" = String, Path), ExportParams),
    responses((status = 200, description = "The file: XLSX by default, CSV with `format=csv`", content(
            (crate::api::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn export_call(
    managed: ManagedCall,
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    crate::http::extract::ApiQuery(p): crate::http::extract::ApiQuery<ExportParams>,
) -> AppResult<axum::response::Response> {
    crate::calls::export::download(
        &state,
        managed.call(),
        &p.format,
        crate::http::view::lang_of(&headers),
    )
    .await
}

#[derive(Deserialize, ToSchema)]
pub struct StageScheduleIn {
    /// `open_now` (open this stage now, ending the open one) or `end` (end it on `end`).
    pub action: String,
    /// For `end`: the Jalali day the stage ends on, e.g. `1403/08/20`, in any digits.
    #[serde(default)]
    pub end: String,
    /// Why (kept in the audit log).
    pub reason: String,
}

/// Move a stage by hand (the secretariat): open it now, or extend or shorten it, with a reason,
/// audited. A stage cannot run into the next one, end before it starts, or open early unless
/// it is the next one (422 naming the field); the call as changed is returned.
#[utoipa::path(post, path = "/stages/{id}/schedule", tag = "calls", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The stage's id, from the call's `stages[].id`")),
    request_body = StageScheduleIn,
    responses((status = 200, body = CallOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn reschedule_stage(
    managed: crate::access::ManagedStage,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<StageScheduleIn>,
) -> AppResult<Json<CallOut>> {
    let (stage, call, by) = managed.into_parts();
    let how = match input.action.trim() {
        "open_now" => crate::calls::service::StageMove::OpenNow,
        "end" => crate::calls::service::StageMove::EndOn(input.end),
        _ => return Err(AppError::Validation(vec![("action", FieldError::Unknown)])),
    };
    crate::calls::service::reschedule(&state, &call, &stage, &how, &input.reason, by.id).await?;
    Ok(Json(state.store.call(call.id).await?.into()))
}
