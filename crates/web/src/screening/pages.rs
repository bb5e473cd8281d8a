//! Screening one idea and many: decisions, tags, reclassification, merging and bulk actions.

use crate::AppState;
use crate::access::{ManagedCall, ScreenedIdea};
use crate::auth::csrf::CsrfForm;
use crate::http::confirm::{self, Ask};
use crate::http::error::AppResult;
use crate::http::view::{Ctx, FormErrors};
use crate::ideas::service as ideas;
use crate::screening::inbox::{BulkForm, InboxParams, next_in_inbox, render_inbox, stage_name};
use crate::screening::service::{
    self, bulk_action, merge_ideas, number, reclassify_idea, split_tags,
};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{IdeaStatus, Place, Transition};
use hamafza_store::screening::{BulkAction, Credit, RejectionTemplate, Tag};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ideas/{id}/decide", axum::routing::post(decide))
        .route("/secretariat/calls/{id}/bulk", axum::routing::post(bulk))
        .route("/ideas/{id}/tags", axum::routing::post(tags))
        .route("/ideas/{id}/reclassify", axum::routing::post(reclassify))
        .route("/ideas/{id}/merge", axum::routing::post(merge))
}

async fn decide(
    screened: ScreenedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, call, user) = screened.into_parts();
    let t = raw.get("transition").and_then(|t| Transition::parse(t));
    let message = raw.get("message").cloned().unwrap_or_default();
    let expected = expected_place(&raw);
    // Rejecting asks first; without a message it fails below and there is nothing to confirm.
    let reject = t == Some(Transition::Reject);
    if reject && !hamafza_core::account::is_blank(&message) && !confirm::confirmed(&raw) {
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.t("confirm.reject.question").into(),
                detail: ctx.tf("confirm.reject.detail", &[("title", &idea.title)]),
                items: Vec::new(),
                button: ctx.t("idea.transition.reject").into(),
                back: format!("/ideas/{}#decide-title", idea.public_id),
            },
        );
    }
    let inbox = raw.get("inbox").filter(|q| !q.is_empty()).cloned();
    match ideas::decide(&state, &call, &idea, t, expected, &message, &user).await? {
        // Screening at speed: from the inbox, on to the next idea of the same filtered list.
        Ok(_) => Ok(match inbox {
            Some(q) => {
                let carry = serde_urlencoded::to_string([("inbox", &q)]).unwrap_or_default();
                match next_in_inbox(&state, &call, &q, &idea.public_id).await? {
                    Some(next) => Redirect::to(&format!("/ideas/{next}?{carry}&done=next")),
                    None => Redirect::to(&format!(
                        "/secretariat/calls/{}/ideas?{q}&done=list",
                        call.public_id
                    )),
                }
            }
            None => Redirect::to(&format!("/ideas/{}", idea.public_id)),
        }
        .into_response()),
        Err(errors) => {
            let view = crate::ideas::show::PageView {
                decision: Some((FormErrors::new(ctx.lang, &errors), message)),
                inbox,
                ..Default::default()
            };
            crate::ideas::show::idea_page_with(&state, &ctx, &user, idea, call, None, view).await
        }
    }
}

/// Where the form showed the idea (`expected_status`, `expected_stage`), so that a second click
/// or a decision made meanwhile by someone else is refused instead of applied twice.
fn expected_place(raw: &HashMap<String, String>) -> Option<Place> {
    let status = IdeaStatus::parse(raw.get("expected_status")?)?;
    let stage = hamafza_persian::digits::to_latin(raw.get("expected_stage")?.trim())
        .parse()
        .ok()?;
    Some(Place { status, stage })
}

/// A bulk action on the ideas ticked in the inbox, in one transaction; the inbox shows how many
/// changed and which were skipped.
async fn bulk(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (call, user) = managed.into_parts();
    let field = |k: &str| {
        raw.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let selected: Vec<String> = raw
        .iter()
        .filter(|(k, _)| k == "idea")
        .map(|(_, v)| v.clone())
        .collect();
    let q: InboxParams = serde_urlencoded::from_str(&field("return")).unwrap_or_default();
    let typed = || BulkForm {
        action: field("action"),
        template: field("template"),
        tag: field("tag"),
        axis: field("axis"),
        message: field("message"),
        selected: selected.clone(),
    };
    let message =
        match service::bulk_message(&state, &field("message"), number(&field("template"))).await? {
            Ok(m) => m,
            Err(e) => return render_inbox(&state, &ctx, call, q, None, e, typed()).await,
        };
    let action = match bulk_action(
        &call,
        &field("action"),
        message,
        &field("tag"),
        &field("axis"),
    ) {
        Ok(a) => a,
        Err(e) => return render_inbox(&state, &ctx, call, q, None, e, typed()).await,
    };
    if selected.is_empty() {
        let errors = vec![("idea", FieldError::Required)];
        return render_inbox(&state, &ctx, call, q, None, errors, typed()).await;
    }
    if !confirm::confirmed(&raw) {
        let mut items = Vec::new();
        for id in &selected {
            if let Some(i) = state.store.idea_by_public_id(id).await?
                && i.call_id == call.id
            {
                items.push(i.title);
            }
        }
        let n = ctx.num(selected.len() as i64);
        let detail = match &action {
            BulkAction::Accept { .. } => ctx.tf("confirm.bulk.accept", &[("n", &n)]),
            BulkAction::Reject { .. } => ctx.tf("confirm.bulk.reject", &[("n", &n)]),
            BulkAction::Tag(tag) => ctx.tf("confirm.bulk.tag", &[("n", &n), ("tag", tag)]),
            BulkAction::Reclassify(axis) => {
                let axis = call.axes.iter().find(|a| a.id == *axis);
                let axis = axis.map_or("", |a| a.title.as_str());
                ctx.tf("confirm.bulk.reclassify", &[("n", &n), ("axis", axis)])
            }
        };
        let back = format!(
            "/secretariat/calls/{}/ideas?{}",
            call.public_id,
            field("return")
        );
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.tf("confirm.bulk.question", &[("n", &n)]),
                detail,
                items,
                button: ctx.t("screening.apply").into(),
                back,
            },
        );
    }
    let outcome = state
        .store
        .bulk_screen(call.id, &selected, &action, Some(user.id))
        .await?;
    render_inbox(
        &state,
        &ctx,
        call,
        q,
        Some(outcome),
        Vec::new(),
        BulkForm::default(),
    )
    .await
}

/// Adds the comma-separated tags in `add` and removes the tag `remove`.
async fn tags(
    screened: ScreenedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, call, actor) = screened.into_parts();
    let add = split_tags(raw.get("add").map_or("", String::as_str));
    let remove = split_tags(raw.get("remove").map_or("", String::as_str));
    if let Err(e) = service::check_tags(&add) {
        let errors = FormErrors::new(ctx.lang, &[("add", e)]);
        return crate::ideas::show::rejected_decision(
            &state,
            &ctx,
            &actor,
            idea,
            call,
            errors,
            String::new(),
        )
        .await;
    }
    state
        .store
        .tag_idea(&idea, &add, &remove, Some(actor.id))
        .await?;
    Ok(Redirect::to(&format!("/ideas/{}#screening", idea.public_id)).into_response())
}

async fn reclassify(
    screened: ScreenedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, call, actor) = screened.into_parts();
    let axis = raw.get("axis").and_then(|a| number(a));
    match reclassify_idea(&state, &call, &idea, axis, actor.id).await? {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{}#screening", idea.public_id)).into_response()),
        Err(e) => {
            let errors = FormErrors::new(ctx.lang, &[("axis", e)]);
            crate::ideas::show::rejected_decision(
                &state,
                &ctx,
                &actor,
                idea,
                call,
                errors,
                String::new(),
            )
            .await
        }
    }
}

/// Marks this idea as a duplicate of the idea named in `into` (public id or tracking code).
async fn merge(
    screened: ScreenedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, call, actor) = screened.into_parts();
    let into = raw.get("into").map_or("", String::as_str);
    // Asks only about a target that exists: a wrong one is said at once, by the merge below
    // (which then changes nothing).
    if !confirm::confirmed(&raw)
        && let Ok(kept) = service::merge_target(&state, &idea, into).await?
    {
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.t("confirm.merge.question").into(),
                detail: ctx.tf(
                    "confirm.merge.detail",
                    &[("title", &idea.title), ("kept", &kept.title)],
                ),
                items: Vec::new(),
                button: ctx.t("screening.merge").into(),
                back: format!("/ideas/{}#screening", idea.public_id),
            },
        );
    }
    match merge_ideas(&state, &idea, into, actor.id).await? {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{}", idea.public_id)).into_response()),
        Err(e) => {
            let errors = FormErrors::new(ctx.lang, &e);
            crate::ideas::show::rejected_decision(
                &state,
                &ctx,
                &actor,
                idea,
                call,
                errors,
                String::new(),
            )
            .await
        }
    }
}

/// What the idea page shows of screening: the stage reached, tags, credits, the kept idea of a
/// duplicate, and for the secretariat the rejection templates and a pre-filled message.
pub(crate) struct IdeaPanel {
    pub stage: String,
    pub tags: Vec<Tag>,
    pub credits: Vec<Credit>,
    /// For a duplicate: the kept idea's public id and title.
    pub merged_into: Option<(String, String)>,
    pub templates: Vec<RejectionTemplate>,
    /// The decision message to start from (a chosen template, or what was typed).
    pub message: String,
    /// For the secretariat: ideas of the call this one may repeat, to merge it into with one
    /// choice (public id, title).
    pub merge_similar: Vec<(String, String)>,
    /// The search for a merge target as typed, and what it found.
    pub merge_search: Option<(String, Vec<MergeTarget>)>,
}

/// An idea offered as the one a duplicate repeats: (public id, title, tracking code).
pub(crate) type MergeTarget = (String, String, String);

pub(crate) async fn panel(
    state: &AppState,
    ctx: &Ctx,
    call: &Call,
    idea: &Idea,
    current: Option<&hamafza_core::idea::IdeaVersion>,
    manage: bool,
    view: &crate::ideas::show::PageView,
) -> AppResult<IdeaPanel> {
    let (template, merge_q) = (view.template.as_deref(), view.merge_q.as_deref());
    let mergeable = manage && idea.status != IdeaStatus::Duplicate;
    let merge_similar = if mergeable {
        let text = current.map_or_else(
            || idea.title.clone(),
            |v| format!("{}\n{}", v.title, v.problem),
        );
        state
            .store
            .similar_ideas(call.id, &text, 6)
            .await?
            .into_iter()
            .filter(|s| s.public_id != idea.public_id)
            .take(5)
            .map(|s| (s.public_id, s.title))
            .collect()
    } else {
        Vec::new()
    };
    let merge_search = match merge_q
        .map(str::trim)
        .filter(|q| mergeable && !q.is_empty())
    {
        Some(q) => {
            let query = hamafza_store::screening::InboxQuery {
                search: Some(q.to_string()),
                limit: 11,
                ..Default::default()
            };
            let found = state
                .store
                .inbox_page(call.id, &query)
                .await?
                .ideas
                .into_iter()
                .filter(|i| i.id != idea.id && i.status != IdeaStatus::Duplicate)
                .take(10)
                .map(|i| (i.public_id, i.title, i.tracking_code))
                .collect();
            Some((q.to_string(), found))
        }
        None => None,
    };
    let merged_into = match idea.duplicate_of {
        Some(k) => {
            let k = state.store.idea(k).await?;
            Some((k.public_id, k.title))
        }
        None => None,
    };
    let templates = if manage {
        state.store.rejection_templates().await?
    } else {
        Vec::new()
    };
    let message = template
        .and_then(number)
        .and_then(|t| templates.iter().find(|x| x.id == t))
        .map(|t| t.body.clone())
        .unwrap_or_default();
    Ok(IdeaPanel {
        stage: stage_name(ctx, call, idea.stage_position),
        tags: state
            .store
            .tags_of_ideas(&[idea.id])
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect(),
        credits: state.store.credits(idea.id).await?,
        merged_into,
        templates,
        message,
        merge_similar,
        merge_search,
    })
}
