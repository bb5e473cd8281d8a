//! An idea's own page: its text, status, files, team, versions and timeline, with the
//! secretariat's screening panel when they manage the call.

use crate::AppState;
use crate::access::VisibleIdea;
use crate::http::error::AppResult;
use crate::http::view::{Ctx, FormErrors, html, rejected};
use crate::ideas::service::{self as ideas};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use hamafza_core::audit::AuditEntry;
use hamafza_core::call::Call;
use hamafza_core::idea::Transition;
use hamafza_core::idea::{Idea, IdeaVersion};
use hamafza_core::ids::AxisId;
use hamafza_core::orientation::{Attendance, OrientationSession};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/ideas/{id}", get(idea_page))
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
    intake: crate::intake::pages::IntakeView,
    /// A form on the page came back with errors.
    failed: bool,
    screening: crate::screening::pages::IdeaPanel,
    /// Orientation sessions the idea's team is invited to, materials rendered.
    sessions: Vec<(OrientationSession, Attendance, String)>,
    /// The name an imported idea's author gave on paper or at the booth (they have no account
    /// and so no team to list them): for the secretariat only, like the author of any idea.
    submitter: Option<String>,
    /// The inbox list the secretariat came from (its filters as a query string): a decision
    /// moves on to the next idea of it.
    inbox: Option<String>,
    /// Arrived here from the decision on the previous idea of that list.
    moved_on: bool,
}

impl IdeaPage<'_> {
    /// The inbox list this idea was opened from.
    fn inbox_href(&self) -> String {
        match &self.inbox {
            Some(q) => format!("/secretariat/calls/{}/ideas?{q}", self.call.public_id),
            None => format!("/secretariat/calls/{}/ideas", self.call.public_id),
        }
    }
}

impl IdeaPage<'_> {
    fn kb(&self, size: &i64) -> String {
        self.ctx
            .tf("attach.kb", &[("n", &self.ctx.num((size + 1023) / 1024))])
    }

    fn file_name(&self, a: &hamafza_store::attachments::Attachment) -> String {
        crate::intake::attachments::file_name(&a.name, &a.mime)
    }

    fn is_lead(&self, m: &hamafza_store::teams::Member) -> bool {
        crate::intake::pages::IntakeView::is_lead(m)
    }

    fn is_accepted(&self, m: &hamafza_store::teams::Member) -> bool {
        crate::intake::pages::IntakeView::is_accepted(m)
    }

    fn viewer_leads(&self) -> bool {
        self.ctx.user.as_ref().map(|u| u.id) == self.idea.author_id
    }

    fn current(&self) -> Option<&IdeaVersion> {
        self.versions.last()
    }

    fn axis_title(&self, id: &AxisId) -> &str {
        self.call
            .axes
            .iter()
            .find(|a| a.id == *id)
            .map_or("—", |a| a.title.as_str())
    }

    /// How the idea came in (web, exhibition, paper form), in words.
    fn channel(&self) -> &'static str {
        self.ctx
            .t(&format!("idea.channel.{}", self.idea.channel.as_str()))
    }

    fn status(&self) -> &'static str {
        self.ctx
            .t(&format!("idea.status.{}", self.idea.status.as_str()))
    }

    fn event(&self, e: &AuditEntry) -> String {
        if let Some(text) = crate::screening::timeline::event(self.ctx, &self.call, e) {
            return text;
        }
        use hamafza_core::audit::Action;
        match e.kind() {
            Some(Action::IdeaTransition) => {
                let to = self.data(e, "to");
                return self.ctx.tf(
                    "idea.event.idea_transition",
                    &[("status", self.ctx.t(&format!("idea.status.{to}")))],
                );
            }
            Some(Action::OrientationInvite) => {
                let session = self.data(e, "title");
                return self
                    .ctx
                    .tf("idea.event.orientation_invite", &[("session", &session)]);
            }
            // A newer node's action: named as stored rather than guessed at.
            None => return e.action.clone(),
            _ => {}
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
    /// The inbox list the secretariat came from, as a query string.
    inbox: Option<String>,
    /// `next`: the decision on the previous idea of that list was saved.
    done: Option<String>,
    /// A search for the idea to merge this one into (title or tracking code).
    merge_q: Option<String>,
}

async fn idea_page(
    seen: VisibleIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let (idea, call, user) = seen.into_parts();
    let view = PageView {
        just_submitted: q.submitted.is_some(),
        template: q.template,
        decision: None,
        moved_on: q.done.as_deref() == Some("next"),
        inbox: q.inbox,
        merge_q: q.merge_q,
    };
    idea_page_with(&state, &ctx, &user, idea, call, None, view).await
}

/// What a view of the idea page carries besides the idea.
#[derive(Default)]
pub(crate) struct PageView {
    /// Right after submitting: show the receipt.
    pub just_submitted: bool,
    /// A rejection template chosen to pre-fill the decision message.
    pub template: Option<String>,
    /// The decision form came back: its errors and the message typed.
    pub decision: Option<(FormErrors, String)>,
    /// The inbox list the secretariat came from, as a query string.
    pub inbox: Option<String>,
    /// The decision on the previous idea of that list was saved.
    pub moved_on: bool,
    /// A search for the idea to merge this one into.
    pub merge_q: Option<String>,
}

/// The idea page as `user` sees it (the handler proved they may). `intake` is the
/// attachments-and-team view when its form came back with errors (loaded otherwise); any form
/// with errors makes the status 422.
pub(crate) async fn idea_page_with(
    state: &AppState,
    ctx: &Ctx,
    user: &hamafza_core::account::User,
    idea: Idea,
    call: Call,
    intake: Option<crate::intake::pages::IntakeView>,
    view: PageView,
) -> AppResult<Response> {
    let intake = match intake {
        Some(i) => i,
        None => crate::intake::pages::IntakeView::load(state, &idea, &call, user).await?,
    };
    let versions = state.store.idea_versions(idea.id).await?;
    let mut timeline = state.store.audit_for("idea", &idea.public_id).await?;
    // A merge names the other idea by its public id; readers want its title (a merge or two
    // per idea at most, so one lookup each).
    for e in &mut timeline {
        use hamafza_core::audit::Action;
        if !matches!(e.kind(), Some(Action::IdeaMerge | Action::IdeaAbsorb)) {
            continue;
        }
        let mut d: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
        let other = ["into", "from"]
            .iter()
            .find_map(|k| d.get(*k).and_then(|v| v.as_str()))
            .map(str::to_string);
        if let Some(notice) = match other {
            Some(o) => state.store.idea_notice(&o).await?,
            None => None,
        } {
            d["other_title"] = notice.title.into();
            e.data = d.to_string();
        }
    }
    let can_edit = ideas::edit_blocker(&call, &idea, user, hamafza_store::now()).is_none();
    let manage = crate::access::runs_calls(user);
    if !manage {
        timeline.retain(crate::screening::timeline::author_sees);
    }
    let mut screening =
        crate::screening::pages::panel(state, ctx, &call, &idea, versions.last(), manage, &view)
            .await?;
    let (errors, failed) = match view.decision {
        Some((errors, message)) => {
            screening.message = message;
            (errors, true)
        }
        None => (FormErrors::default(), !intake.errors.is_empty()),
    };
    let sessions = state
        .store
        .orientations_of_idea(idea.id)
        .await?
        .into_iter()
        .map(|(s, a)| {
            let materials = crate::http::markdown::to_safe_html(&s.materials);
            (s, a, materials)
        })
        .collect();
    let submitter = if manage {
        state.store.submitter_name(idea.id).await?
    } else {
        None
    };
    let page = IdeaPage {
        ctx,
        manage,
        submitter,
        inbox: view.inbox.filter(|q| manage && !q.is_empty()),
        moved_on: view.moved_on,
        screening,
        sessions,
        idea,
        call,
        versions,
        timeline,
        just_submitted: view.just_submitted,
        can_edit,
        errors,
        failed,
        intake,
    };
    if page.failed {
        rejected(page)
    } else {
        html(page)
    }
}

/// The idea page after a refused secretariat decision: the errors shown, the rest as usual.
pub(crate) async fn rejected_decision(
    state: &AppState,
    ctx: &Ctx,
    user: &hamafza_core::account::User,
    idea: Idea,
    call: Call,
    errors: FormErrors,
    message: String,
) -> AppResult<Response> {
    let view = PageView {
        decision: Some((errors, message)),
        ..Default::default()
    };
    idea_page_with(state, ctx, user, idea, call, None, view).await
}
