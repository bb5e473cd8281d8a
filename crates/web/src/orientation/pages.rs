//! Orientation and revision: the secretariat schedules sessions for a call's finalists, invites
//! them and records who came; finalists see their sessions and materials on their idea's page.

use crate::AppState;
use crate::access::{ManagedCall, ManagedSession};
use crate::auth::csrf::CsrfForm;
use crate::http::error::AppResult;
use crate::http::view::{Ctx, FormErrors, html, rejected};
use crate::orientation::service;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_core::ids::IdeaId;
use hamafza_core::orientation::SessionInput;
use hamafza_core::orientation::{Attendance, OrientationSession};
use hamafza_store::orientation::Invitee;
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
    let session = service::schedule(&state, &call, &valid, actor.id).await?;
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
    managed: ManagedSession,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let (session, call, _) = managed.into_parts();
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
    managed: ManagedSession,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (session, call, actor) = managed.into_parts();
    let codes = raw.get("codes").cloned().unwrap_or_default();
    let ids = if raw.contains_key("finalists") {
        service::finalists(&state, &call).await?
    } else {
        let wanted = service::codes_in(&codes);
        let (ids, unknown) = match service::ideas_by_codes(&state, &call, &wanted).await? {
            Ok(ids) => (ids, Vec::new()),
            Err(unknown) => (Vec::new(), unknown),
        };
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

/// Records attendance: a radio group `a_<idea id>` per invitee.
async fn attendance(
    managed: ManagedSession,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (session, call, actor) = managed.into_parts();
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
