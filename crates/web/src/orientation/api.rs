//! Orientation over the API: a call's sessions, scheduling one, invitations and attendance.

use crate::AppState;
use crate::access::{ManagedCall, ManagedSession};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::ApiJson;
use crate::orientation::service;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hamafza_core::account::FieldError;
use hamafza_core::ids::IdeaId;
use hamafza_core::orientation::{Attendance, OrientationSession, SessionInput};
use hamafza_core::time::UnixSeconds;
use hamafza_persian::jalali;
use hamafza_store::orientation::Invitee;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            list_orientation_sessions,
            create_orientation_session
        ))
        .routes(routes!(get_orientation_session))
        .routes(routes!(invite_to_session))
        .routes(routes!(record_attendance))
}

#[derive(Serialize, ToSchema)]
pub struct OrientationSessionOut {
    /// The session's public id.
    pub id: String,
    pub title: String,
    /// Jalali date and Tehran time of the start, e.g. `1402/02/20 10:00`.
    pub starts: String,
    pub starts_at: UnixSeconds,
    /// A room, or an online meeting's link.
    pub place: String,
    /// Markdown: the agenda, reading, links.
    pub materials: String,
}

impl From<OrientationSession> for OrientationSessionOut {
    fn from(s: OrientationSession) -> Self {
        OrientationSessionOut {
            id: s.public_id,
            title: s.title,
            starts: jalali::format_datetime_latin(s.starts_at.to_timestamp()),
            starts_at: s.starts_at,
            place: s.place,
            materials: s.materials,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrientationInviteeOut {
    /// The idea's public id.
    pub idea_id: String,
    pub tracking_code: String,
    pub title: String,
    pub author: Option<String>,
    /// `invited` (not recorded yet), `attended` or `absent`.
    pub attendance: String,
}

impl From<Invitee> for OrientationInviteeOut {
    fn from(i: Invitee) -> Self {
        OrientationInviteeOut {
            idea_id: i.idea_public_id,
            tracking_code: i.tracking_code,
            title: i.title,
            author: i.author,
            attendance: i.attendance.as_str().into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrientationSessionDetail {
    #[serde(flatten)]
    pub session: OrientationSessionOut,
    pub invitees: Vec<OrientationInviteeOut>,
}

/// A call's orientation sessions, earliest first (the secretariat).
#[utoipa::path(get, path = "/calls/{id}/orientation", tag = "orientation", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<OrientationSessionOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_orientation_sessions(
    managed: ManagedCall,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<OrientationSessionOut>>> {
    let sessions = state.store.orientations_of_call(managed.call().id).await?;
    Ok(Json(sessions.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct OrientationSessionIn {
    pub title: String,
    /// Jalali, e.g. `1402/02/20`, in any digits.
    pub date: String,
    /// `HH:MM`, Tehran time, in any digits.
    pub time: String,
    /// A room, or an online meeting's link.
    pub place: String,
    /// Markdown.
    #[serde(default)]
    pub materials: String,
}

/// Schedule an orientation session for the call (the secretariat); every invalid field at once.
#[utoipa::path(post, path = "/calls/{id}/orientation", tag = "orientation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = OrientationSessionIn,
    responses((status = 201, body = OrientationSessionOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create_orientation_session(
    managed: ManagedCall,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<OrientationSessionIn>,
) -> AppResult<(StatusCode, Json<OrientationSessionOut>)> {
    let (call, actor) = managed.into_parts();
    let valid = SessionInput {
        title: input.title,
        date: input.date,
        time: input.time,
        place: input.place,
        materials: input.materials,
    }
    .validate()
    .map_err(AppError::Validation)?;
    let session = service::schedule(&state, &call, &valid, actor.id).await?;
    Ok((StatusCode::CREATED, Json(session.into())))
}

/// One session with the ideas invited and their attendance (the secretariat).
#[utoipa::path(get, path = "/orientation/{id}", tag = "orientation", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = OrientationSessionDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_orientation_session(
    managed: ManagedSession,
    State(state): State<AppState>,
) -> AppResult<Json<OrientationSessionDetail>> {
    let (session, _, _) = managed.into_parts();
    let invitees = state.store.orientation_invitees(session.id).await?;
    Ok(Json(OrientationSessionDetail {
        session: session.into(),
        invitees: invitees.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct OrientationInviteIn {
    /// Invite every idea that reached the call's orientation stage.
    #[serde(default)]
    pub finalists: bool,
    /// And/or these ideas of the call, by tracking code (any digits).
    #[serde(default)]
    pub tracking_codes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangedOut {
    /// How many ideas were newly invited, or whose attendance changed.
    pub changed: usize,
}

/// Invite ideas' teams to the session (the secretariat): the finalists, or ideas by tracking
/// code. Inviting again is harmless (`changed` counts the new ones). A code naming no idea of
/// the call is a 422 and nobody is invited.
#[utoipa::path(post, path = "/orientation/{id}/invitations", tag = "orientation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = OrientationInviteIn,
    responses((status = 200, body = ChangedOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn invite_to_session(
    managed: ManagedSession,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<OrientationInviteIn>,
) -> AppResult<Json<ChangedOut>> {
    let (session, call, actor) = managed.into_parts();
    if !input.finalists && input.tracking_codes.is_empty() {
        return Err(AppError::Validation(vec![(
            "tracking_codes",
            FieldError::Required,
        )]));
    }
    let mut ids = match service::ideas_by_codes(&state, &call, &input.tracking_codes).await? {
        Ok(ids) => ids,
        Err(_) => {
            return Err(AppError::Validation(vec![(
                "tracking_codes",
                FieldError::NoSuchIdea,
            )]));
        }
    };
    if input.finalists {
        ids.extend(service::finalists(&state, &call).await?);
    }
    ids.sort();
    ids.dedup();
    let changed = state
        .store
        .invite_to_orientation(&session, &ids, Some(actor.id))
        .await?;
    Ok(Json(ChangedOut { changed }))
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceMarkIn {
    /// An invited idea's public id.
    pub idea_id: String,
    /// `attended`, `absent`, or `invited` to clear a mark.
    pub attendance: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AttendanceIn {
    pub marks: Vec<AttendanceMarkIn>,
}

/// Record who came (the secretariat). Every mark must name an invited idea and a known value, or
/// nothing is recorded (422).
#[utoipa::path(put, path = "/orientation/{id}/attendance", tag = "orientation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AttendanceIn,
    responses((status = 200, body = ChangedOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn record_attendance(
    managed: ManagedSession,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<AttendanceIn>,
) -> AppResult<Json<ChangedOut>> {
    let (session, _, actor) = managed.into_parts();
    let invitees = state.store.orientation_invitees(session.id).await?;
    let mut marks: Vec<(IdeaId, Attendance)> = Vec::new();
    let mut errors = Vec::new();
    for m in &input.marks {
        match invitees.iter().find(|i| i.idea_public_id == m.idea_id) {
            Some(i) => match Attendance::parse(&m.attendance) {
                Some(a) => marks.push((i.idea_id, a)),
                None => errors.push(("attendance", FieldError::Unknown)),
            },
            None => errors.push(("idea_id", FieldError::Unknown)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let changed = state
        .store
        .record_attendance(&session, &marks, Some(actor.id))
        .await?;
    Ok(Json(ChangedOut { changed }))
}
