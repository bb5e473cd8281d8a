//! Calls: the public list and page of each call, and the secretariat's pages to create, edit,
//! publish, close, archive and copy them.

use crate::AppState;
use crate::access::{ManagedCall, Public, Secretariat, VisibleCall};
use crate::auth::csrf::CsrfForm;
use crate::http::confirm::{self, Ask};
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html, rejected};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::call::Call;
use hamafza_core::call::{
    AxisInput, CallInput, CallState, MAX_AXES, MAX_STAGES, StageInput, StageKind,
};
use hamafza_core::time::UnixSeconds;
use hamafza_persian::jalali;
use hamafza_store::calls::CallFilter;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", get(public_list))
        .route("/calls/{id}", get(call_page))
        .route("/secretariat/calls", get(manage_list))
        .route("/secretariat/calls/new", get(new_page).post(create))
        .route("/secretariat/calls/{id}/edit", get(edit_page).post(update))
        .route("/secretariat/calls/{id}/state", post(change_state))
        .route("/secretariat/calls/{id}/copy", post(copy))
        .route("/secretariat/calls/{id}/export", get(export))
}

/// Display helpers shared by the call templates.
pub struct CallView<'a> {
    ctx: &'a Ctx,
    now: UnixSeconds,
}

impl CallView<'_> {
    fn date(&self, t: &UnixSeconds) -> String {
        let d = jalali::from_timestamp(t.to_timestamp());
        if self.ctx.is_fa() {
            jalali::format_long(d)
        } else {
            jalali::format_long_latin(d)
        }
    }

    fn state(&self, c: &Call) -> &'static str {
        self.ctx.t(&format!("call.state.{}", c.state.as_str()))
    }

    fn audience(&self, c: &Call) -> &'static str {
        self.ctx
            .t(&format!("call.audience.{}", c.audience.as_str()))
    }

    fn kind(&self, k: &StageKind) -> &'static str {
        self.ctx.t(&format!("stage.{}", k.as_str()))
    }

    fn current(&self, c: &Call) -> String {
        match c.current_stage(self.now) {
            Some(s) => self.kind(&s.kind).to_string(),
            None => "—".into(),
        }
    }

    fn is_now(&self, s: &hamafza_core::call::Stage) -> bool {
        s.is_open_at(self.now)
    }
}

#[derive(Template)]
#[template(path = "calls/list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    v: CallView<'a>,
    calls: Vec<Call>,
    manage: bool,
}

async fn public_list(_: Public, State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let calls = state.store.calls(CallFilter::Public).await?;
    html(ListPage {
        ctx: &ctx,
        v: CallView {
            ctx: &ctx,
            now: hamafza_store::now(),
        },
        calls,
        manage: false,
    })
}

async fn manage_list(
    _: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let calls = state.store.calls(CallFilter::All).await?;
    html(ListPage {
        ctx: &ctx,
        v: CallView {
            ctx: &ctx,
            now: hamafza_store::now(),
        },
        calls,
        manage: true,
    })
}

#[derive(Template)]
#[template(path = "calls/page.html")]
struct CallPage<'a> {
    ctx: &'a Ctx,
    v: CallView<'a>,
    call: Call,
    description: String,
    manage: bool,
}

impl CallPage<'_> {
    /// Whether the call takes ideas now (the form itself checks who may submit).
    fn submission_open(&self) -> bool {
        crate::ideas::service::stage_allows(
            &self.call,
            hamafza_core::call::StageAction::Submit,
            self.v.now,
        )
    }

    /// The states the secretariat may move this call to, in the order of the buttons.
    fn transitions(&self) -> Vec<CallState> {
        [CallState::Published, CallState::Closed, CallState::Archived]
            .into_iter()
            .filter(|to| self.call.state.can_become(*to))
            .collect()
    }
}

async fn call_page(seen: VisibleCall, ctx: Ctx) -> AppResult<Response> {
    let manage = seen.caller().runs_calls();
    let (call, _) = seen.into_parts();
    let description = crate::http::markdown::to_safe_html(&call.description);
    html(CallPage {
        ctx: &ctx,
        v: CallView {
            ctx: &ctx,
            now: hamafza_store::now(),
        },
        manage,
        call,
        description,
    })
}

/// The call form's rows, as typed (padded to the rows the form offers).
#[derive(Default)]
struct CallForm {
    input: CallInput,
}

impl CallForm {
    fn from_raw(raw: &HashMap<String, String>) -> CallForm {
        let f = |k: String| raw.get(&k).cloned().unwrap_or_default();
        CallForm {
            input: CallInput {
                title: f("title".into()),
                description: f("description".into()),
                audience: f("audience".into()),
                axes: (0..MAX_AXES)
                    .map(|i| AxisInput {
                        title: f(format!("axis_title_{i}")),
                        description: f(format!("axis_description_{i}")),
                    })
                    .collect(),
                stages: (0..MAX_STAGES)
                    .map(|i| StageInput {
                        kind: f(format!("stage_kind_{i}")),
                        title: f(format!("stage_title_{i}")),
                        start: f(format!("stage_start_{i}")),
                        end: f(format!("stage_end_{i}")),
                    })
                    .collect(),
            },
        }
    }

    /// The form for an existing call, dates in Jalali with Persian or Latin digits.
    fn from_call(call: &Call, ctx: &Ctx) -> CallForm {
        let mut input = call.to_input();
        for s in &mut input.stages {
            s.start = ctx.digits(&s.start);
            s.end = ctx.digits(&s.end);
        }
        let mut form = CallForm { input };
        form.pad();
        form
    }

    /// A new call's form: the usual pipeline, dates left for the secretariat.
    fn blank() -> CallForm {
        let mut form = CallForm::default();
        form.input.audience = "both".into();
        form.input.stages = [
            StageKind::Submission,
            StageKind::Screening,
            StageKind::Shortlisting,
            StageKind::Orientation,
            StageKind::FinalPresentation,
            StageKind::Results,
        ]
        .iter()
        .map(|k| StageInput {
            kind: k.as_str().into(),
            ..Default::default()
        })
        .collect();
        form.pad();
        form
    }

    fn pad(&mut self) {
        self.input.axes.resize(MAX_AXES, AxisInput::default());
        self.input.stages.resize(MAX_STAGES, StageInput::default());
    }
}

#[derive(Template)]
#[template(path = "calls/form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    /// `None` for a new call.
    call: Option<Call>,
    form: CallForm,
    errors: FormErrors,
}

impl FormPage<'_> {
    fn kinds(&self) -> &'static [StageKind] {
        StageKind::ALL
    }

    fn kind_name(&self, k: &StageKind) -> &'static str {
        self.ctx.t(&format!("stage.{}", k.as_str()))
    }

    fn audience_is(&self, a: &str) -> bool {
        self.form.input.audience == a
    }

    fn err(&self, field: &str, i: &usize) -> Option<&str> {
        self.errors.get(&format!("{field}_{i}"))
    }
}

async fn new_page(_: Secretariat, ctx: Ctx) -> AppResult<Response> {
    html(FormPage {
        ctx: &ctx,
        call: None,
        form: CallForm::blank(),
        errors: FormErrors::default(),
    })
}

async fn create(
    actor: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let form = CallForm::from_raw(&raw);
    match form.input.validate() {
        Ok(v) => {
            let call = state.store.create_call(&v, None, Some(actor.id)).await?;
            Ok(Redirect::to(&format!("/calls/{}", call.public_id)).into_response())
        }
        Err(errors) => {
            let errors = FormErrors::new(ctx.lang, &errors);
            rejected(FormPage {
                ctx: &ctx,
                call: None,
                form,
                errors,
            })
        }
    }
}

async fn edit_page(managed: ManagedCall, ctx: Ctx) -> AppResult<Response> {
    let (call, _) = managed.into_parts();
    let form = CallForm::from_call(&call, &ctx);
    html(FormPage {
        ctx: &ctx,
        call: Some(call),
        form,
        errors: FormErrors::default(),
    })
}

async fn update(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (call, actor) = managed.into_parts();
    let form = CallForm::from_raw(&raw);
    let saved = match form.input.validate() {
        Ok(v) => crate::calls::service::update(&state, &call, &v, actor.id)
            .await
            .map(|_| ()),
        Err(errors) => Err(AppError::Validation(errors)),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/calls/{}", call.public_id)).into_response()),
        Err(AppError::Validation(errors)) => {
            let errors = FormErrors::new(ctx.lang, &errors);
            rejected(FormPage {
                ctx: &ctx,
                call: Some(call),
                form,
                errors,
            })
        }
        Err(e) => Err(e),
    }
}

/// Publishes, closes or archives a call; closing and archiving ask first.
async fn change_state(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (call, actor) = managed.into_parts();
    let to = raw
        .get("to")
        .and_then(|s| CallState::parse(s))
        .ok_or(AppError::BadRequest("to".into()))?;
    if !call.state.can_become(to) {
        return Err(AppError::BadRequest("to".into()));
    }
    let ask = match to {
        CallState::Closed => Some(("confirm.close.question", "confirm.close.detail")),
        CallState::Archived => Some(("confirm.archive.question", "confirm.archive.detail")),
        _ => None,
    };
    if let Some((question, detail)) = ask.filter(|_| !confirm::confirmed(&raw)) {
        let button = ctx.t(&format!("call.to.{}", to.as_str())).to_string();
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.t(question).into(),
                detail: ctx.tf(detail, &[("title", &call.title)]),
                items: Vec::new(),
                button,
                back: format!("/calls/{}", call.public_id),
            },
        );
    }
    // A move made meanwhile (a double click, another secretary) is the store's `Conflict`: 409.
    state
        .store
        .set_call_state(call.id, to, Some(actor.id))
        .await?;
    Ok(Redirect::to(&format!("/calls/{}", call.public_id)).into_response())
}

/// "New round from this call": a draft with the same axes and stages.
async fn copy(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (call, actor) = managed.into_parts();
    let mut v = call.to_valid();
    v.title = format!("{} {}", v.title, ctx.t("call.new_round_suffix"));
    let copy = state
        .store
        .create_call(&v, Some(call.id), Some(actor.id))
        .await?;
    Ok(Redirect::to(&format!("/secretariat/calls/{}/edit", copy.public_id)).into_response())
}

#[derive(serde::Deserialize)]
struct ExportQuery {
    format: String,
}

async fn export(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<ExportQuery>,
) -> AppResult<Response> {
    crate::calls::export::download(&state, managed.call(), &q.format, ctx.lang).await
}
