//! Orientation and revision: the secretariat schedules sessions for a call's finalists, invites
//! them and records who came; finalists see their sessions and materials on their idea's page.

use crate::AppState;
use crate::access::{ManagedCall, Secretariat};
use crate::auth::csrf::CsrfForm;
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html, rejected};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_core::call::StageKind;
use hamafza_core::idea::stage_of_kind;
use hamafza_core::ids::IdeaId;
use hamafza_core::orientation::SessionInput;
use hamafza_core::orientation::{Attendance, OrientationSession};
use hamafza_core::time::UnixSeconds;
use hamafza_persian::jalali;
use hamafza_store::orientation::{Invitee, NewOrientation};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/secretariat/calls/{id}/orientation",
            get(sessions_page).post(create),
        )
        .route("/secretariat/orientation/{id}", get(session_page))
        .route("/secretariat/orientation/{id}/invite", post(invite))
        .route("/secretariat/orientation/{id}/attendance", post(attendance))
}

#[derive(Template)]
#[template(path = "orientation/sessions.html")]
struct SessionsPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    sessions: Vec<OrientationSession>,
    input: SessionInput,
    errors: FormErrors,
}

impl SessionsPage<'_> {
    /// The one-line fields of the form: name, what was typed, hint key, digits-only.
    fn fields(&self) -> [(&'static str, &str, &'static str, bool); 4] {
        [
            ("title", &self.input.title, "", false),
            ("date", &self.input.date, "orientation.date_hint", true),
            ("time", &self.input.time, "orientation.time_hint", true),
            ("place", &self.input.place, "orientation.place_hint", false),
        ]
    }
}

async fn sessions_page(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let (call, _) = managed.into_parts();
    let sessions = state.store.orientations_of_call(call.id).await?;
    html(SessionsPage {
        ctx: &ctx,
        call,
        sessions,
        input: SessionInput::default(),
        errors: FormErrors::default(),
    })
}

async fn create(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(input): CsrfForm<SessionInput>,
) -> AppResult<Response> {
    let (call, actor) = managed.into_parts();
    let valid = match input.validate() {
        Ok(v) => v,
        Err(e) => {
            let sessions = state.store.orientations_of_call(call.id).await?;
            return rejected(SessionsPage {
                errors: FormErrors::new(ctx.lang, &e),
                ctx: &ctx,
                call,
                sessions,
                input,
            });
        }
    };
    let starts_at = UnixSeconds::from_timestamp(jalali::start_of_day_tehran(valid.date))
        + i64::from(valid.minutes) * 60;
    let session = state
        .store
        .create_orientation(
            call.id,
            &NewOrientation {
                title: &valid.title,
                starts_at,
                place: &valid.place,
                materials: &valid.materials,
            },
            Some(actor.id),
        )
        .await?;
    Ok(Redirect::to(&format!("/secretariat/orientation/{}", session.public_id)).into_response())
}

#[derive(Template)]
#[template(path = "orientation/session.html")]
struct SessionPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    session: OrientationSession,
    materials_html: String,
    invitees: Vec<Invitee>,
    /// Tracking codes typed into the invite form, kept when it is rejected.
    codes: String,
    errors: FormErrors,
    notice: Option<String>,
}

impl SessionPage<'_> {
    fn is(&self, i: &Invitee, a: &&str) -> bool {
        i.attendance.as_str() == *a
    }

    fn attended(&self) -> usize {
        self.invitees
            .iter()
            .filter(|i| i.attendance == Attendance::Attended)
            .count()
    }
}

async fn session_of(state: &AppState, id: &str) -> AppResult<(OrientationSession, Call)> {
    let session = state
        .store
        .orientation_by_public_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let call = state.store.call(session.call_id).await?;
    Ok((session, call))
}

async fn render_session(
    state: &AppState,
    ctx: &Ctx,
    session: OrientationSession,
    call: Call,
    codes: String,
    errors: FormErrors,
    notice: Option<String>,
) -> AppResult<Response> {
    let invitees = state.store.orientation_invitees(session.id).await?;
    let page = SessionPage {
        ctx,
        materials_html: crate::http::markdown::to_safe_html(&session.materials),
        call,
        session,
        invitees,
        codes,
        notice,
        errors,
    };
    if page.errors.is_empty() {
        html(page)
    } else {
        rejected(page)
    }
}

async fn session_page(
    _: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (session, call) = session_of(&state, &id).await?;
    render_session(
        &state,
        &ctx,
        session,
        call,
        String::new(),
        FormErrors::default(),
        None,
    )
    .await
}

/// Invites the call's finalists (`finalists=1`) or the ideas whose tracking codes are typed,
/// one per line or separated by spaces or commas, in any digits.
async fn invite(
    actor: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (session, call) = session_of(&state, &id).await?;
    let codes = raw.get("codes").cloned().unwrap_or_default();
    let ids = if raw.contains_key("finalists") {
        finalists(&state, &call).await?
    } else {
        let wanted: Vec<String> = hamafza_persian::digits::to_latin(&codes)
            .split(|c: char| c.is_whitespace() || c == ',' || c == '،')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for code in &wanted {
            match state.store.idea_by_tracking_code(code).await? {
                Some(i) if i.call_id == call.id => ids.push(i.id),
                _ => unknown.push(code.as_str()),
            }
        }
        if wanted.is_empty() || !unknown.is_empty() {
            let errors = if wanted.is_empty() {
                FormErrors::new(ctx.lang, &[("codes", FieldError::Required)])
            } else {
                let mut e = FormErrors::new(ctx.lang, &[("codes", FieldError::Unknown)]);
                e.push(
                    "_form",
                    ctx.tf(
                        "orientation.unknown_codes",
                        &[(
                            "codes",
                            &ctx.lang
                                .list(&unknown.iter().map(|c| ctx.digits(c)).collect::<Vec<_>>()),
                        )],
                    ),
                );
                e
            };
            return render_session(&state, &ctx, session, call, codes, errors, None).await;
        }
        ids
    };
    let n = state
        .store
        .invite_to_orientation(&session, &ids, Some(actor.id))
        .await?;
    let notice = ctx.tf("orientation.invited_n", &[("n", &ctx.num(n as i64))]);
    render_session(
        &state,
        &ctx,
        session,
        call,
        String::new(),
        FormErrors::default(),
        Some(notice),
    )
    .await
}

/// The call's finalists: ideas still in the race that reached its orientation stage (none when
/// the call has no such stage).
async fn finalists(state: &AppState, call: &Call) -> AppResult<Vec<IdeaId>> {
    let kinds: Vec<StageKind> = call.stages.iter().map(|s| s.kind).collect();
    let Some(position) = stage_of_kind(&kinds, StageKind::Orientation) else {
        return Ok(Vec::new());
    };
    let ideas = state.store.ideas_at_or_beyond(call.id, position).await?;
    Ok(ideas.into_iter().map(|i| i.id).collect())
}

/// Records attendance: a radio group `a_<idea id>` per invitee.
async fn attendance(
    actor: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (session, call) = session_of(&state, &id).await?;
    let marks: Vec<(IdeaId, Attendance)> = raw
        .iter()
        .filter_map(|(k, v)| {
            let idea = k.strip_prefix("a_")?.parse().ok()?;
            Some((idea, Attendance::parse(v)?))
        })
        .collect();
    let n = state
        .store
        .record_attendance(&session, &marks, Some(actor.id))
        .await?;
    let notice = ctx.tf("orientation.recorded", &[("n", &ctx.num(n as i64))]);
    render_session(
        &state,
        &ctx,
        session,
        call,
        String::new(),
        FormErrors::default(),
        Some(notice),
    )
    .await
}
