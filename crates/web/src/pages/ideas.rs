//! Ideas in the browser: the submission form and its receipt, the idea's own page (text, status,
//! versions, timeline), editing while the call allows it, and "my ideas".

use crate::AppState;
use crate::auth::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::ideas::{self, Submitted};
use crate::view::{Ctx, FormErrors, html, rejected};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hamafza_core::audit::AuditEntry;
use hamafza_core::idea::{Channel, IdeaInput, Transition};
use hamafza_store::calls::Call;
use hamafza_store::ideas::{Idea, IdeaVersion};
use hamafza_store::org_units::OrgUnit;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls/{id}/submit", get(submit_page).post(submit))
        .route("/ideas/{id}", get(idea_page))
        .route("/ideas/{id}/edit", get(edit_page).post(edit))
        .route("/my/ideas", get(my_ideas))
}

#[derive(Template)]
#[template(path = "ideas/form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    /// The idea being edited; `None` when submitting.
    idea: Option<Idea>,
    input: IdeaInput,
    units: Vec<OrgUnit>,
    /// Sent back with the form so a double click or a retry makes one idea.
    idempotency: String,
    /// Why the form cannot be used now (a catalog key), instead of the form.
    blocked: Option<&'static str>,
    errors: FormErrors,
}

impl FormPage<'_> {
    fn unit_name<'b>(&self, u: &'b OrgUnit) -> &'b str {
        if self.ctx.is_fa() {
            &u.name_fa
        } else {
            &u.name_en
        }
    }

    fn is_axis(&self, id: &i64) -> bool {
        self.input.axis == id.to_string()
    }

    fn is_unit(&self, id: &i64) -> bool {
        self.input.owner_unit == id.to_string()
    }
}

fn input_from(raw: &HashMap<String, String>) -> IdeaInput {
    let f = |k: &str| raw.get(k).cloned().unwrap_or_default();
    IdeaInput {
        axis: f("axis"),
        title: f("title"),
        problem: f("problem"),
        solution: f("solution"),
        benefits: f("benefits"),
        resources: f("resources"),
        owner_unit: f("owner_unit"),
    }
}

/// Units an idea may suggest as its owner: HQ deputies and provincial directorates.
async fn owner_units(state: &AppState) -> AppResult<Vec<OrgUnit>> {
    use hamafza_core::OrgUnitKind::*;
    Ok(state
        .store
        .org_units()
        .await?
        .into_iter()
        .filter(|u| matches!(u.kind, Deputy | Province))
        .collect())
}

async fn call_or_404(state: &AppState, id: &str) -> AppResult<Call> {
    let call = ideas::call(state, id).await?;
    if call.state.is_public() {
        Ok(call)
    } else {
        Err(AppError::NotFound)
    }
}

async fn submit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let call = call_or_404(&state, &id).await?;
    let blocked = ideas::submit_blocker(&call, &user, hamafza_store::now());
    let input = IdeaInput {
        axis: call
            .axes
            .first()
            .map(|a| a.id.to_string())
            .unwrap_or_default(),
        ..Default::default()
    };
    html(FormPage {
        units: owner_units(&state).await?,
        ctx: &ctx,
        call,
        idea: None,
        input,
        idempotency: crate::auth::random_token(),
        blocked,
        errors: FormErrors::default(),
    })
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let call = call_or_404(&state, &id).await?;
    let input = input_from(&raw);
    let key = raw.get("idempotency").filter(|k| !k.is_empty()).cloned();
    let outcome = ideas::submit(&state, &call, &user, &input, Channel::Web, key.as_deref()).await?;
    let (errors, blocked) = match outcome {
        Submitted::Created(idea) | Submitted::Replayed(idea) => {
            return Ok(
                Redirect::to(&format!("/ideas/{}?submitted=1", idea.public_id)).into_response(),
            );
        }
        Submitted::Invalid(e) => (FormErrors::new(ctx.lang, &e), None),
        Submitted::Refused(why) => (FormErrors::general(ctx.t(why).to_string()), Some(why)),
    };
    rejected(FormPage {
        units: owner_units(&state).await?,
        ctx: &ctx,
        call,
        idea: None,
        input,
        idempotency: key.unwrap_or_else(crate::auth::random_token),
        blocked,
        errors,
    })
}

#[derive(Template)]
#[template(path = "ideas/page.html")]
struct IdeaPage<'a> {
    ctx: &'a Ctx,
    idea: Idea,
    call: Call,
    versions: Vec<IdeaVersion>,
    timeline: Vec<AuditEntry>,
    just_submitted: bool,
    can_edit: bool,
    /// The viewer screens ideas (the secretariat).
    manage: bool,
    errors: FormErrors,
    screening: super::screening::IdeaPanel,
}

impl IdeaPage<'_> {
    fn current(&self) -> Option<&IdeaVersion> {
        self.versions.last()
    }

    fn axis_title(&self, id: &i64) -> &str {
        self.call
            .axes
            .iter()
            .find(|a| a.id == *id)
            .map_or("—", |a| a.title.as_str())
    }

    fn status(&self) -> &'static str {
        self.ctx
            .t(&format!("idea.status.{}", self.idea.status.as_str()))
    }

    fn event(&self, e: &AuditEntry) -> String {
        if let Some(text) = super::screening::event(self.ctx, &self.call, e) {
            return text;
        }
        if e.action == "idea.transition" {
            let to = self.data(e, "to");
            return self.ctx.tf(
                "idea.event.idea_transition",
                &[("status", self.ctx.t(&format!("idea.status.{to}")))],
            );
        }
        self.ctx
            .t(&format!("idea.event.{}", e.action.replace('.', "_")))
            .to_string()
    }

    /// A text field of an entry's details, e.g. the secretariat's message.
    fn data(&self, e: &AuditEntry, key: &str) -> String {
        serde_json::from_str::<serde_json::Value>(&e.data)
            .ok()
            .and_then(|v| v.get(key).and_then(|m| m.as_str()).map(String::from))
            .unwrap_or_default()
    }

    fn transitions(&self) -> Vec<Transition> {
        [
            Transition::Accept,
            Transition::RequestChanges,
            Transition::Reject,
            Transition::Reopen,
        ]
        .into_iter()
        .filter(|t| {
            t.plan(self.idea.place(), &ideas::stage_kinds(&self.call))
                .is_some()
        })
        .collect()
    }
}

#[derive(Deserialize)]
struct PageQuery {
    submitted: Option<String>,
    /// A rejection template to pre-fill the decision message with.
    template: Option<String>,
}

async fn idea_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (idea, call) = ideas::visible(&state, &user, &id).await?;
    let versions = state.store.idea_versions(idea.id).await?;
    let mut timeline = state.store.audit_for("idea", &idea.public_id).await?;
    let can_edit = ideas::edit_blocker(&call, &idea, &user, hamafza_store::now()).is_none();
    let manage = ideas::manages(&user);
    if !manage {
        timeline.retain(super::screening::author_sees);
    }
    let screening =
        super::screening::panel(&state, &ctx, &call, &idea, manage, q.template.as_deref()).await?;
    html(IdeaPage {
        screening,
        ctx: &ctx,
        idea,
        call,
        versions,
        timeline,
        just_submitted: q.submitted.is_some(),
        can_edit,
        manage,
        errors: FormErrors::default(),
    })
}

async fn edit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (idea, call) = ideas::visible(&state, &user, &id).await?;
    let blocked = ideas::edit_blocker(&call, &idea, &user, hamafza_store::now());
    let v = state
        .store
        .idea_versions(idea.id)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let input = IdeaInput {
        axis: v.axis_id.to_string(),
        title: v.title,
        problem: v.problem,
        solution: v.solution,
        benefits: v.benefits,
        resources: v.resources,
        owner_unit: v.owner_unit_id.map(|u| u.to_string()).unwrap_or_default(),
    };
    html(FormPage {
        units: owner_units(&state).await?,
        ctx: &ctx,
        call,
        idea: Some(idea),
        input,
        idempotency: String::new(),
        blocked,
        errors: FormErrors::default(),
    })
}

async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (idea, call) = ideas::visible(&state, &user, &id).await?;
    let input = input_from(&raw);
    let (errors, blocked) = match ideas::edit_blocker(&call, &idea, &user, hamafza_store::now()) {
        Some(why) => (FormErrors::general(ctx.t(why).to_string()), Some(why)),
        None => {
            let axes: Vec<i64> = call.axes.iter().map(|a| a.id).collect();
            match input.validate(&axes) {
                Ok(text) => {
                    state.store.edit_idea(idea.id, &text, Some(user.id)).await?;
                    return Ok(Redirect::to(&format!("/ideas/{}", idea.public_id)).into_response());
                }
                Err(e) => (FormErrors::new(ctx.lang, &e), None),
            }
        }
    };
    rejected(FormPage {
        units: owner_units(&state).await?,
        ctx: &ctx,
        call,
        idea: Some(idea),
        input,
        idempotency: String::new(),
        blocked,
        errors,
    })
}

#[derive(Template)]
#[template(path = "ideas/mine.html")]
struct MinePage<'a> {
    ctx: &'a Ctx,
    ideas: Vec<(Idea, String)>,
}

impl MinePage<'_> {
    fn status(&self, i: &Idea) -> &'static str {
        self.ctx.t(&format!("idea.status.{}", i.status.as_str()))
    }
}

async fn my_ideas(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let mine = state.store.ideas_of_author(user.id, None).await?;
    let calls = state
        .store
        .calls(hamafza_store::calls::CallFilter::All)
        .await?;
    let ideas = mine
        .into_iter()
        .map(|i| {
            let title = calls
                .iter()
                .find(|c| c.id == i.call_id)
                .map(|c| c.title.clone())
                .unwrap_or_default();
            (i, title)
        })
        .collect();
    html(MinePage { ctx: &ctx, ideas })
}

/// The idea page after a refused secretariat decision: the errors shown, the rest as usual.
pub(super) async fn rejected_decision(
    state: &AppState,
    ctx: &Ctx,
    idea: Idea,
    call: Call,
    errors: FormErrors,
    message: String,
) -> AppResult<Response> {
    let versions = state.store.idea_versions(idea.id).await?;
    let timeline = state.store.audit_for("idea", &idea.public_id).await?;
    let mut screening = super::screening::panel(state, ctx, &call, &idea, true, None).await?;
    screening.message = message;
    rejected(IdeaPage {
        screening,
        ctx,
        idea,
        call,
        versions,
        timeline,
        just_submitted: false,
        can_edit: false,
        manage: true,
        errors,
    })
}
