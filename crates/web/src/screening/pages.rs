//! The secretariat's screening: the inbox of a call's ideas and the decisions on one idea.

use crate::AppState;
use crate::access::{ManagedCall, ScreenedIdea, Secretariat};
use crate::auth::csrf::CsrfForm;
use crate::http::confirm::{self, Ask};
use crate::http::error::AppResult;
use crate::http::view::{Ctx, FormErrors, html};
use crate::ideas::service as ideas;
use crate::screening::service::{
    self, bulk_action, merge_ideas, number, reclassify_idea, split_tags,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hamafza_core::account::FieldError;
use hamafza_core::audit::Action;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaStatus, Place, Transition};
use hamafza_core::ids::{AxisId, IdeaId, TemplateId};
use hamafza_core::time::UnixSeconds;
use hamafza_store::screening::{
    BulkAction, BulkOutcome, Credit, InboxPage as Page, InboxQuery, InboxSort, RejectionTemplate,
    Tag,
};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ideas/{id}/decide", axum::routing::post(decide))
        .route("/secretariat/calls/{id}/ideas", get(inbox))
        .route("/secretariat/calls/{id}/bulk", axum::routing::post(bulk))
        .route("/ideas/{id}/tags", axum::routing::post(tags))
        .route("/ideas/{id}/reclassify", axum::routing::post(reclassify))
        .route("/ideas/{id}/merge", axum::routing::post(merge))
        .route(
            "/secretariat/rejection-templates",
            get(templates_page).post(save_template),
        )
        .route(
            "/secretariat/rejection-templates/{id}/delete",
            axum::routing::post(delete_template),
        )
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
    match ideas::decide(&state, &call, &idea, t, expected, &message, &user).await? {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{}", idea.public_id)).into_response()),
        Err(errors) => {
            let errors = FormErrors::new(ctx.lang, &errors);
            crate::ideas::pages::rejected_decision(&state, &ctx, &user, idea, call, errors, message)
                .await
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

#[derive(Template)]
#[template(path = "screening/inbox.html")]
struct InboxPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    page: Page,
    tags: Vec<(IdeaId, Tag)>,
    call_tags: Vec<Tag>,
    templates: Vec<RejectionTemplate>,
    units: Vec<hamafza_core::org::OrgUnit>,
    q: InboxParams,
    /// What the last bulk action did, shown once.
    outcome: Option<BulkOutcome>,
    errors: FormErrors,
}

impl InboxPage<'_> {
    fn status(&self, i: &Idea) -> &'static str {
        self.ctx.t(&format!("idea.status.{}", i.status.as_str()))
    }

    fn axis_title(&self, id: &AxisId) -> &str {
        self.call
            .axes
            .iter()
            .find(|a| a.id == *id)
            .map_or("—", |a| a.title.as_str())
    }

    fn stage_name(&self, position: &i64) -> String {
        stage_name(self.ctx, &self.call, *position)
    }

    fn statuses(&self) -> [IdeaStatus; 5] {
        STATUSES
    }

    fn status_name(&self, s: &IdeaStatus) -> &'static str {
        self.ctx.t(&format!("idea.status.{}", s.as_str()))
    }

    fn channels(&self) -> [Channel; 4] {
        [
            Channel::Web,
            Channel::Api,
            Channel::Exhibition,
            Channel::Paper,
        ]
    }

    fn sorts(&self) -> [InboxSort; 4] {
        InboxSort::ALL
    }

    fn provinces(&self) -> &'static [hamafza_persian::provinces::Province] {
        &hamafza_persian::provinces::PROVINCES
    }

    fn province_name(&self, p: &hamafza_persian::provinces::Province) -> &'static str {
        if self.ctx.is_fa() {
            p.name_fa
        } else {
            p.name_en
        }
    }

    fn unit_name<'b>(&self, u: &'b hamafza_core::org::OrgUnit) -> &'b str {
        if self.ctx.is_fa() {
            &u.name_fa
        } else {
            &u.name_en
        }
    }

    fn tags_of(&self, id: &IdeaId) -> Vec<&str> {
        self.tags
            .iter()
            .filter(|(i, _)| i == id)
            .map(|(_, t)| t.name.as_str())
            .collect()
    }

    /// The inbox with the same filters and a cursor (`after` or `before`).
    fn href(&self, cursor: &str, value: &str) -> String {
        let mut q = self.q.filters();
        q.push((cursor, value.to_string()));
        let q = serde_urlencoded::to_string(q).unwrap_or_default();
        format!("/secretariat/calls/{}/ideas?{q}", self.call.public_id)
    }

    /// The filters, so the inbox after a bulk action shows the same selection.
    fn return_query(&self) -> String {
        serde_urlencoded::to_string(self.q.filters()).unwrap_or_default()
    }

    /// How many filters (the title search and the sort aside) narrow the list.
    fn active_filters(&self) -> usize {
        let q = &self.q;
        [
            &q.status,
            &q.axis,
            &q.stage,
            &q.province,
            &q.unit,
            &q.channel,
            &q.from,
            &q.to,
            &q.tag,
            &q.files,
        ]
        .iter()
        .filter(|f| !f.trim().is_empty())
        .count()
    }

    fn first_href(&self) -> String {
        let q = serde_urlencoded::to_string(self.q.filters()).unwrap_or_default();
        format!("/secretariat/calls/{}/ideas?{q}", self.call.public_id)
    }
}

const STATUSES: [IdeaStatus; 5] = [
    IdeaStatus::Submitted,
    IdeaStatus::ChangesRequested,
    IdeaStatus::Accepted,
    IdeaStatus::Rejected,
    IdeaStatus::Duplicate,
];

/// The name of the stage at `position` of `call`: its title, or its kind's name.
pub(crate) fn stage_name(ctx: &Ctx, call: &Call, position: i64) -> String {
    match call.stages.iter().find(|s| s.position == position) {
        Some(s) if !s.title.trim().is_empty() => s.title.clone(),
        Some(s) => ctx.t(&format!("stage.{}", s.kind.as_str())).to_string(),
        None => "—".into(),
    }
}

/// The inbox's query string as typed: every field is text so a bad value is ignored, not a 400.
#[derive(Deserialize, Default, Clone)]
struct InboxParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    axis: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    channel: String,
    /// Jalali, any digits.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    tag: String,
    /// `with` or `without` attached files.
    #[serde(default)]
    files: String,
    #[serde(default)]
    search: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    before: String,
}

/// `with` / `without` attached files; anything else is no filter.
fn files_filter(s: &str) -> Option<bool> {
    match s.trim() {
        "with" => Some(true),
        "without" => Some(false),
        _ => None,
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl InboxParams {
    /// The filters (no cursor), to carry into page links.
    fn filters(&self) -> Vec<(&'static str, String)> {
        [
            ("status", &self.status),
            ("axis", &self.axis),
            ("stage", &self.stage),
            ("province", &self.province),
            ("unit", &self.unit),
            ("channel", &self.channel),
            ("from", &self.from),
            ("to", &self.to),
            ("tag", &self.tag),
            ("files", &self.files),
            ("search", &self.search),
            ("sort", &self.sort),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect()
    }

    /// The store query; a date that cannot be read is reported on its field.
    fn query(&self, limit: i64) -> (InboxQuery, Vec<(&'static str, FieldError)>) {
        let mut errors = Vec::new();
        let mut date = |field: &'static str, s: &str, end: bool| -> Option<UnixSeconds> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            match hamafza_persian::jalali::parse(s) {
                Ok(d) if end => Some(UnixSeconds::from_timestamp(
                    hamafza_persian::jalali::end_of_day_tehran(d),
                )),
                Ok(d) => Some(UnixSeconds::from_timestamp(
                    hamafza_persian::jalali::start_of_day_tehran(d),
                )),
                Err(_) => {
                    errors.push((field, FieldError::Date));
                    None
                }
            }
        };
        let from = date("from", &self.from, false);
        let to = date("to", &self.to, true);
        let q = InboxQuery {
            status: IdeaStatus::parse(self.status.trim()),
            axis_id: number(&self.axis),
            stage: number(&self.stage),
            province: some(&self.province),
            unit_id: number(&self.unit),
            channel: Channel::parse(self.channel.trim()),
            from,
            to,
            tag_id: number(&self.tag),
            attachments: files_filter(&self.files),
            search: some(&self.search),
            sort: InboxSort::parse(&self.sort).unwrap_or_default(),
            after: some(&self.after),
            before: some(&self.before),
            offset: 0,
            limit,
        };
        (q, errors)
    }
}

const INBOX_PAGE: i64 = 50;

/// The secretariat's inbox of a call: filters, sort, keyset pages, and bulk actions on a selection.
async fn inbox(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InboxParams>,
) -> AppResult<Response> {
    let (call, _) = managed.into_parts();
    render_inbox(&state, &ctx, call, q, None, Vec::new()).await
}

async fn render_inbox(
    state: &AppState,
    ctx: &Ctx,
    call: Call,
    q: InboxParams,
    outcome: Option<BulkOutcome>,
    mut errors: Vec<(&'static str, FieldError)>,
) -> AppResult<Response> {
    let (query, bad) = q.query(INBOX_PAGE);
    errors.extend(bad);
    let errors = FormErrors::new(ctx.lang, &errors);
    let page = state.store.inbox_page(call.id, &query).await?;
    let ids: Vec<IdeaId> = page.ideas.iter().map(|i| i.id).collect();
    let tags = state.store.tags_of_ideas(&ids).await?;
    let page = InboxPage {
        ctx,
        call_tags: state.store.tags_of_call(call.id).await?,
        templates: state.store.rejection_templates().await?,
        units: state.store.org_units().await?,
        call,
        page,
        tags,
        q,
        outcome,
        errors,
    };
    if page.errors.is_empty() {
        html(page)
    } else {
        crate::http::view::rejected(page)
    }
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
    let message =
        match service::bulk_message(&state, &field("message"), number(&field("template"))).await? {
            Ok(m) => m,
            Err(e) => return render_inbox(&state, &ctx, call, q, None, e).await,
        };
    let action = match bulk_action(
        &call,
        &field("action"),
        message,
        &field("tag"),
        &field("axis"),
    ) {
        Ok(a) => a,
        Err(e) => return render_inbox(&state, &ctx, call, q, None, e).await,
    };
    if selected.is_empty() {
        let errors = vec![("idea", FieldError::Required)];
        return render_inbox(&state, &ctx, call, q, None, errors).await;
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
    render_inbox(&state, &ctx, call, q, Some(outcome), Vec::new()).await
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
        return crate::ideas::pages::rejected_decision(
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
            crate::ideas::pages::rejected_decision(
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
            crate::ideas::pages::rejected_decision(
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
}

pub(crate) async fn panel(
    state: &AppState,
    ctx: &Ctx,
    call: &Call,
    idea: &Idea,
    manage: bool,
    template: Option<&str>,
) -> AppResult<IdeaPanel> {
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
    })
}

#[derive(Template)]
#[template(path = "screening/templates.html")]
struct TemplatesPage<'a> {
    ctx: &'a Ctx,
    templates: Vec<RejectionTemplate>,
    /// The form: the template being edited (`None` to add one) and what was typed.
    editing: Option<TemplateId>,
    title: String,
    body: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct TemplatesQuery {
    edit: Option<String>,
}

/// The rejection templates: list, add, edit (`?edit=ID`), delete.
async fn templates_page(
    _: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TemplatesQuery>,
) -> AppResult<Response> {
    let editing = q.edit.as_deref().and_then(number);
    let (title, body) = match editing {
        Some(id) => {
            let t = state.store.rejection_template(id).await?;
            (t.title, t.body)
        }
        None => Default::default(),
    };
    html(TemplatesPage {
        templates: state.store.rejection_templates().await?,
        ctx: &ctx,
        editing,
        title,
        body,
        errors: FormErrors::default(),
    })
}

async fn save_template(
    actor: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let title = hamafza_core::account::fix_letters(raw.get("title").map_or("", String::as_str));
    let body =
        hamafza_core::account::fix_letters_keep_lines(raw.get("body").map_or("", String::as_str));
    let editing = raw.get("id").and_then(|i| number(i));
    let errors = match service::check_template(&title, &body) {
        Ok(()) => {
            state
                .store
                .save_rejection_template(editing, &title, &body, Some(actor.id))
                .await?;
            return Ok(Redirect::to("/secretariat/rejection-templates").into_response());
        }
        Err(errors) => errors,
    };
    crate::http::view::rejected(TemplatesPage {
        templates: state.store.rejection_templates().await?,
        errors: FormErrors::new(ctx.lang, &errors),
        ctx: &ctx,
        editing,
        title,
        body,
    })
}

/// Deletes a rejection template, after asking.
async fn delete_template(
    actor: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<TemplateId>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    if !confirm::confirmed(&raw) {
        let t = state.store.rejection_template(id).await?;
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.tf("confirm.template.question", &[("title", &t.title)]),
                detail: ctx.t("confirm.template.detail").into(),
                items: Vec::new(),
                button: ctx.t("screening.delete").into(),
                back: "/secretariat/rejection-templates".into(),
            },
        );
    }
    state
        .store
        .delete_rejection_template(id, Some(actor.id))
        .await?;
    Ok(Redirect::to("/secretariat/rejection-templates").into_response())
}

/// The timeline text of a screening entry (stage moves, tags, axis, merges); `None` for others.
pub(crate) fn event(ctx: &Ctx, call: &Call, e: &hamafza_core::audit::AuditEntry) -> Option<String> {
    let data: serde_json::Value = serde_json::from_str(&e.data).ok()?;
    let text = |k: &str| {
        data.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let axis = |k: &str| {
        let id = data.get(k).and_then(|v| v.as_i64()).map(AxisId::new);
        call.axes
            .iter()
            .find(|a| Some(a.id) == id)
            .map_or("—".to_string(), |a| a.title.clone())
    };
    let list = |k: &str| {
        data.get(k)
            .and_then(|v| v.as_array())
            .map(|a| {
                // Tags are typed by the secretariat: each is isolated from the next.
                ctx.lang
                    .list(&a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    Some(match e.kind()? {
        Action::IdeaTransition => {
            let to = text("to");
            let status = ctx.t(&format!("idea.status.{to}"));
            match (
                data.get("stage_from").and_then(|v| v.as_i64()),
                data.get("stage_to").and_then(|v| v.as_i64()),
            ) {
                (Some(a), Some(b)) if a != b => ctx.tf(
                    "screening.event.moved",
                    &[("status", status), ("stage", &stage_name(ctx, call, b))],
                ),
                _ => ctx.tf("idea.event.idea_transition", &[("status", status)]),
            }
        }
        Action::IdeaReclassify => ctx.tf(
            "screening.event.reclassify",
            &[("from", &axis("from_axis")), ("to", &axis("to_axis"))],
        ),
        Action::IdeaTag => ctx.tf(
            "screening.event.tag",
            &[("added", &list("added")), ("removed", &list("removed"))],
        ),
        // The other idea by title where the page found it (`other_title`), else by id.
        Action::IdeaMerge | Action::IdeaAbsorb => {
            let (key, id) = if e.kind() == Some(Action::IdeaMerge) {
                ("screening.event.merge", text("into"))
            } else {
                ("screening.event.absorb", text("from"))
            };
            let title = text("other_title");
            ctx.tf(
                key,
                &[("title", if title.is_empty() { &id } else { &title })],
            )
        }
        _ => return None,
    })
}

/// Tags are the secretariat's own labels; the author's timeline leaves them out.
pub(crate) fn author_sees(e: &hamafza_core::audit::AuditEntry) -> bool {
    e.kind() != Some(Action::IdeaTag)
}
