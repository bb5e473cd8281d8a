//! The secretariat's inbox of a call: filters, counts, pages of ideas and the bulk form.

use crate::AppState;
use crate::access::ManagedCall;
use crate::http::error::AppResult;
use crate::http::view::{Ctx, FormErrors, html};
use crate::screening::service::{InboxWords, number, read_inbox, typed};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaStatus};
use hamafza_core::ids::{AxisId, IdeaId};
use hamafza_store::screening::{
    BulkOutcome, InboxCounts, InboxPage as Page, InboxQuery, InboxSort, RejectionTemplate, Tag,
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/secretariat/calls/{id}/ideas", get(inbox))
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
    /// The call's ideas by status and by axis, above the list.
    counts: InboxCounts,
    /// The bulk form as typed, when it came back with errors: nothing typed or ticked is lost.
    bulk: BulkForm,
}

/// The bulk form as sent.
#[derive(Default)]
pub(crate) struct BulkForm {
    pub action: String,
    pub template: String,
    pub tag: String,
    pub axis: String,
    pub message: String,
    /// The public ids of the ideas ticked.
    pub selected: Vec<String>,
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

    /// An idea's page, carrying the inbox's filters so that a decision there moves on to the
    /// next idea of this list.
    fn idea_href(&self, i: &Idea) -> String {
        let q = serde_urlencoded::to_string([("inbox", self.return_query())]).unwrap_or_default();
        format!("/ideas/{}?{q}", i.public_id)
    }

    /// This page again with every idea ticked (`all`) or none (`""`).
    fn select_href(&self, select: &str) -> String {
        let mut q = self.q.filters();
        for (k, v) in [("after", &self.q.after), ("before", &self.q.before)] {
            if !v.trim().is_empty() {
                q.push((k, v.clone()));
            }
        }
        if !select.is_empty() {
            q.push(("select", select.to_string()));
        }
        let q = serde_urlencoded::to_string(q).unwrap_or_default();
        format!("/secretariat/calls/{}/ideas?{q}#bulk", self.call.public_id)
    }

    fn all_selected(&self) -> bool {
        self.q.select == "all"
    }

    fn ticked(&self, i: &Idea) -> bool {
        self.all_selected() || self.bulk.selected.contains(&i.public_id)
    }

    /// The inbox narrowed to `value` of `filter` alone (what a count links to).
    fn only_href(&self, filter: &str, value: &str) -> String {
        let q = serde_urlencoded::to_string([(filter, value)]).unwrap_or_default();
        format!("/secretariat/calls/{}/ideas?{q}", self.call.public_id)
    }

    fn total(&self) -> i64 {
        self.counts.by_status.iter().map(|(_, n)| n).sum()
    }

    /// Whether any filter or the title search narrows the list.
    fn narrowed(&self) -> bool {
        self.active_filters() > 0 || !self.q.search.trim().is_empty()
    }

    /// Each error of the forms, with the id of the field it is about, for the alert at the top.
    fn error_list(&self) -> Vec<(&'static str, String)> {
        [
            ("from", "from"),
            ("to", "to"),
            ("idea", "bulk"),
            ("template", "template"),
            ("tag", "bulk-tag"),
            ("axis", "bulk-axis"),
            ("message", "bulk-message"),
        ]
        .into_iter()
        .filter_map(|(field, id)| {
            let e = self.errors.get(field)?;
            let e = if field == "idea" {
                self.ctx.t("screening.select_some").to_string()
            } else {
                e.to_string()
            };
            Some((id, e))
        })
        .collect()
    }

    /// The inbox with no filter at all.
    fn first_href_plain(&self) -> String {
        format!("/secretariat/calls/{}/ideas", self.call.public_id)
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
pub(crate) struct InboxParams {
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
    /// `all`: every idea of the page ticked (select all without a script).
    #[serde(default)]
    select: String,
    /// `list`: a decision on the last idea of this list was just saved.
    #[serde(default)]
    done: String,
}

/// `with` / `without` attached files; anything else is no filter.
fn files_filter(s: &str) -> Option<bool> {
    match s.trim() {
        "with" => Some(true),
        "without" => Some(false),
        _ => None,
    }
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

    /// The store query (`service::read_inbox`); what cannot be read is no filter, but a date
    /// that cannot be read is reported on its field.
    fn query(&self, limit: i64) -> (InboxQuery, Vec<(&'static str, FieldError)>) {
        let (q, mut errors) = read_inbox(InboxWords {
            status: &self.status,
            channel: &self.channel,
            sort: &self.sort,
            from: &self.from,
            to: &self.to,
            province: &self.province,
            search: &self.search,
        });
        errors.retain(|(_, e)| matches!(e, FieldError::Date | FieldError::NoSuchDay));
        let q = InboxQuery {
            axis_id: number(&self.axis),
            stage: number(&self.stage),
            unit_id: number(&self.unit),
            tag_id: number(&self.tag),
            attachments: files_filter(&self.files),
            after: typed(&self.after),
            before: typed(&self.before),
            offset: 0,
            limit,
            ..q
        };
        (q, errors)
    }
}

const INBOX_PAGE: i64 = 50;

/// How stale the counts above a large call's inbox may be (a small call's are counted live).
const COUNTS_MAX_AGE_SECS: i64 = 60;

/// The secretariat's inbox of a call: filters, sort, keyset pages, and bulk actions on a selection.
async fn inbox(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<InboxParams>,
) -> AppResult<Response> {
    let (call, _) = managed.into_parts();
    render_inbox(&state, &ctx, call, q, None, Vec::new(), BulkForm::default()).await
}

pub(crate) async fn render_inbox(
    state: &AppState,
    ctx: &Ctx,
    call: Call,
    q: InboxParams,
    outcome: Option<BulkOutcome>,
    mut errors: Vec<(&'static str, FieldError)>,
    bulk: BulkForm,
) -> AppResult<Response> {
    let (query, bad) = q.query(INBOX_PAGE);
    errors.extend(bad);
    let errors = FormErrors::new(ctx.lang, &errors);
    let page = state.store.inbox_page(call.id, &query).await?;
    let ids: Vec<IdeaId> = page.ideas.iter().map(|i| i.id).collect();
    let tags = state.store.tags_of_ideas(&ids).await?;
    let counts = state
        .store
        .inbox_counts_kept(call.id, COUNTS_MAX_AGE_SECS)
        .await?;
    let page = InboxPage {
        counts,
        ctx,
        call_tags: state.store.tags_of_call(call.id).await?,
        templates: state.store.rejection_templates().await?,
        units: state.store.org_units().await?,
        call,
        page,
        tags,
        bulk,
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

/// The idea after `after` in the inbox list `inbox` (the filters as a query string, as
/// [`InboxPage::idea_href`] carries them), if there is one: where a decision moves on to.
pub(crate) async fn next_in_inbox(
    state: &AppState,
    call: &Call,
    inbox: &str,
    after: &str,
) -> AppResult<Option<String>> {
    let q: InboxParams = serde_urlencoded::from_str(inbox).unwrap_or_default();
    let (mut query, _) = q.query(1);
    query.after = Some(after.to_string());
    query.before = None;
    let page = state.store.inbox_page(call.id, &query).await?;
    Ok(page.ideas.into_iter().next().map(|i| i.public_id))
}
