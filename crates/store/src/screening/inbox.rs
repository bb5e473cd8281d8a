//! The secretariat's inbox at scale: filters, sorts, keyset pages and bounded counts, as one
//! query built at run time.

use crate::ideas::{IDEA_COLUMNS, IdeaRow};
use crate::{Store, StoreResult, db_read};
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaStatus};
use hamafza_core::ids::{AxisId, CallId, IdeaId, OrgUnitId, TagId};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;

/// How the inbox is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxSort {
    #[default]
    Newest,
    Oldest,
    Title,
    /// Last updated first.
    Updated,
}

impl InboxSort {
    pub const ALL: [InboxSort; 4] = [Self::Newest, Self::Oldest, Self::Title, Self::Updated];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Title => "title",
            Self::Updated => "updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// The column ordered on (an index `(call_id, column, id)` exists for each).
    fn column(self) -> &'static str {
        match self {
            Self::Newest | Self::Oldest => "created_at",
            Self::Title => "title_norm",
            Self::Updated => "updated_at",
        }
    }

    fn descending(self) -> bool {
        matches!(self, Self::Newest | Self::Updated)
    }
}

/// Filters and page of the secretariat's inbox. Every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    pub status: Option<IdeaStatus>,
    pub axis_id: Option<AxisId>,
    pub stage: Option<i64>,
    /// Of the author's unit (`org_units.province_code`).
    pub province: Option<String>,
    /// The author's unit (when the idea arrived).
    pub unit_id: Option<OrgUnitId>,
    pub channel: Option<Channel>,
    /// Submitted at or after (Unix seconds).
    pub from: Option<UnixSeconds>,
    /// Submitted at or before (Unix seconds).
    pub to: Option<UnixSeconds>,
    pub tag_id: Option<TagId>,
    /// With (`true`) or without (`false`) attached files.
    pub attachments: Option<bool>,
    /// Part of the title; matched against the normalized title.
    pub search: Option<String>,
    pub sort: InboxSort,
    /// The page after the idea with this public id (keyset pagination).
    pub after: Option<String>,
    /// The page before the idea with this public id.
    pub before: Option<String>,
    /// Rows to skip when no cursor is given (the API's `offset`).
    pub offset: i64,
    pub limit: i64,
}

/// Counting stops here, so a page view never counts a whole 100,000-idea call.
pub const COUNT_CAP: i64 = 2_000;

/// One page of the inbox.
#[derive(Debug, Clone, Serialize)]
pub struct InboxPage {
    pub ideas: Vec<Idea>,
    /// How many ideas match, at most [`COUNT_CAP`] (beyond it, counting would read every
    /// matching row of a large call on each page view).
    pub total: i64,
    /// Whether more than [`COUNT_CAP`] match.
    pub capped: bool,
    /// The cursor (`after`) of the next page, if there is one.
    pub next: Option<String>,
    /// The cursor (`before`) of the previous page, if there is one.
    pub prev: Option<String>,
}

/// A value bound to a placeholder of a query built at run time.
#[derive(Debug, Clone)]
enum Arg {
    Int(i64),
    Text(String),
}

/// `WHERE` conditions with their arguments, numbered `$1`, `$2`… in order.
#[derive(Default)]
struct Where {
    conds: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// Adds `arg` and returns its placeholder.
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    fn eq(&mut self, column: &str, arg: Arg) {
        let p = self.arg(arg);
        self.conds.push(format!("{column} = {p}"));
    }

    fn sql(&self) -> String {
        self.conds.join(" AND ")
    }
}

/// `%` and `_` typed by the user match themselves.
fn like_pattern(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The filter part of an inbox query (no cursor). New filters are one more condition here.
fn filters(backend: crate::Backend, call_id: CallId, q: &InboxQuery) -> Where {
    let mut w = Where::default();
    w.eq("call_id", Arg::Int(call_id.get()));
    if let Some(s) = q.status {
        w.eq("status", Arg::Text(s.as_str().into()));
    }
    if let Some(a) = q.axis_id {
        w.eq("axis_id", Arg::Int(a.get()));
    }
    if let Some(s) = q.stage {
        w.eq("stage_position", Arg::Int(s));
    }
    if let Some(c) = q.channel {
        w.eq("channel", Arg::Text(c.as_str().into()));
    }
    // The author's unit and province as they were when the idea arrived (kept by a trigger).
    if let Some(p) = &q.province {
        w.eq("author_province", Arg::Text(p.clone()));
    }
    if let Some(u) = q.unit_id {
        w.eq("author_unit_id", Arg::Int(u.get()));
    }
    if let Some(f) = q.from {
        let f = w.arg(Arg::Int(f.get()));
        w.conds.push(format!("created_at >= {f}"));
    }
    if let Some(t) = q.to {
        let t = w.arg(Arg::Int(t.get()));
        w.conds.push(format!("created_at <= {t}"));
    }
    if let Some(t) = q.tag_id {
        let t = w.arg(Arg::Int(t.get()));
        // Driven from the tag's index: a tag usually marks few ideas, and an `EXISTS` here
        // would test every idea of the call when counting.
        w.conds.push(format!(
            "id IN (SELECT t.idea_id FROM idea_tags t WHERE t.tag_id = {t})"
        ));
    }
    if let Some(with) = q.attachments {
        let not = if with { "" } else { "NOT " };
        w.conds.push(format!(
            "{not}EXISTS (SELECT 1 FROM idea_attachments a WHERE a.idea_id = ideas.id)"
        ));
    }
    // A tracking code (10 digits in any script, spaces or dashes allowed, as people copy it from
    // an SMS) finds its idea; anything else is a substring of the normalized title, answered
    // from a trigram index (migration 0010): FTS5's on SQLite, pg_trgm's GIN index on PostgreSQL.
    let search = q.search.as_deref().map(hamafza_persian::normalize);
    if let Some(code) = search.as_deref().and_then(tracking_code_in) {
        let p = w.arg(Arg::Text(code));
        w.conds.push(format!("tracking_code = {p}"));
    } else if let Some(s) = search.filter(|s| !s.is_empty()) {
        match backend {
            // A phrase query on the trigrams reads only the index. Shorter searches (no whole
            // trigram) match so many titles that the plain scan below stops early.
            crate::Backend::Sqlite if s.chars().count() >= 3 => {
                let p = w.arg(Arg::Text(format!("\"{}\"", s.replace('"', "\"\""))));
                w.conds.push(format!(
                    "id IN (SELECT rowid FROM ideas_title_fts WHERE ideas_title_fts MATCH {p})"
                ));
            }
            _ => {
                let p = w.arg(Arg::Text(like_pattern(&s)));
                w.conds.push(format!("title_norm LIKE {p} ESCAPE '\\'"));
            }
        }
    }
    w
}

/// The tracking code `search` is, if it is one: 10 digits (already Latin after `normalize`),
/// with any spaces and dashes between them dropped.
pub fn tracking_code_in(search: &str) -> Option<String> {
    let digits: String = search
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Binds `args` in order to a query on either backend.
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}

/// The sort key of the cursor idea, if it is in this call.
#[derive(sqlx::FromRow)]
struct CursorRow {
    id: IdeaId,
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    title_norm: String,
}

pub(crate) async fn inbox(
    store: &Store,
    call_id: CallId,
    q: &InboxQuery,
) -> StoreResult<InboxPage> {
    let limit = q.limit.clamp(1, 500);
    let sort = q.sort;
    let col = sort.column();
    let base = filters(store.backend(), call_id, q);
    let count_sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM ideas WHERE {} LIMIT {}) x",
        base.sql(),
        COUNT_CAP + 1
    );
    // Backwards pages read the index the other way and are turned round afterwards.
    let (cursor, backwards) = match (&q.after, &q.before) {
        (Some(a), _) => (Some(a), false),
        (None, Some(b)) => (Some(b), true),
        _ => (None, false),
    };
    let mut page = base;
    let mut offset = q.offset.max(0);
    if let Some(c) = cursor {
        let row: Option<CursorRow> = db_read!(store, |p| {
            sqlx::query_as(
                "SELECT id, created_at, updated_at, title_norm FROM ideas WHERE public_id = $1 AND call_id = $2",
            )
            .bind(c)
            .bind(call_id)
            .fetch_optional(p)
            .await?
        });
        if let Some(r) = row {
            let key = match sort {
                InboxSort::Newest | InboxSort::Oldest => Arg::Int(r.created_at.get()),
                InboxSort::Updated => Arg::Int(r.updated_at.get()),
                InboxSort::Title => Arg::Text(r.title_norm),
            };
            let k = page.arg(key);
            let i = page.arg(Arg::Int(r.id.get()));
            let op = if sort.descending() != backwards {
                "<"
            } else {
                ">"
            };
            page.conds.push(format!("({col}, id) {op} ({k}, {i})"));
            offset = 0;
        }
    }
    let dir = if sort.descending() != backwards {
        "DESC"
    } else {
        "ASC"
    };
    let rows_sql = format!(
        "SELECT {IDEA_COLUMNS} FROM ideas WHERE {} ORDER BY {col} {dir}, id {dir} LIMIT {} OFFSET {offset}",
        page.sql(),
        limit + 1
    );
    let (mut rows, counted): (Vec<IdeaRow>, i64) = db_read!(store, |p| {
        let rows = bind_all!(sqlx::query_as(&rows_sql), &page.args)
            .fetch_all(p)
            .await?;
        let counted = bind_all!(
            sqlx::query_scalar(&count_sql),
            &filters(store.backend(), call_id, q).args
        )
        .fetch_one(p)
        .await?;
        (rows, counted)
    });
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    let ideas = rows
        .into_iter()
        .map(Idea::try_from)
        .collect::<StoreResult<Vec<_>>>()?;
    let first = ideas.first().map(|i| i.public_id.clone());
    let last = ideas.last().map(|i| i.public_id.clone());
    let (next, prev) = if backwards {
        (last, if more { first } else { None })
    } else {
        (
            if more { last } else { None },
            if cursor.is_some() || offset > 0 {
                first
            } else {
                None
            },
        )
    };
    Ok(InboxPage {
        ideas,
        total: counted.min(COUNT_CAP),
        capped: counted > COUNT_CAP,
        next,
        prev,
    })
}

impl Store {
    /// A page of a call's ideas for the secretariat's inbox (see [`InboxQuery`]).
    pub async fn inbox_page(&self, call_id: CallId, q: &InboxQuery) -> StoreResult<InboxPage> {
        inbox(self, call_id, q).await
    }
}

/// How a call's ideas spread over statuses and axes: what the inbox shows above its list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InboxCounts {
    /// Each status with ideas, with how many.
    pub by_status: Vec<(IdeaStatus, i64)>,
    /// Each axis with ideas, with how many.
    pub by_axis: Vec<(AxisId, i64)>,
    /// When they were counted, for counts kept a while ([`Store::inbox_counts_kept`]); `None`
    /// when counted now.
    #[serde(skip)]
    pub as_of: Option<UnixSeconds>,
}

impl Store {
    /// The call's ideas counted by status and by axis. Each count reads only the
    /// `(call_id, status…)` or `(call_id, axis_id…)` index, not the rows.
    pub async fn inbox_counts(&self, call_id: CallId) -> StoreResult<InboxCounts> {
        let statuses: Vec<(String, i64)> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT status, COUNT(*) FROM ideas WHERE call_id = $1 GROUP BY status ORDER BY status",
            )
            .bind(call_id)
            .fetch_all(p)
            .await?
        });
        let by_axis: Vec<(AxisId, i64)> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT axis_id, COUNT(*) FROM ideas WHERE call_id = $1 GROUP BY axis_id ORDER BY axis_id",
            )
            .bind(call_id)
            .fetch_all(p)
            .await?
        });
        let by_status = statuses
            .into_iter()
            .map(|(s, n)| Ok((crate::decode("ideas.status", &s, IdeaStatus::parse)?, n)))
            .collect::<StoreResult<_>>()?;
        Ok(InboxCounts {
            by_status,
            by_axis,
            as_of: None,
        })
    }

    /// [`Store::inbox_counts`] for a page view: counted now for a call of up to [`COUNT_CAP`]
    /// ideas; for a larger one (100,000 ideas take tens of milliseconds to count) as counted at
    /// most `max_age_secs` ago, kept in the database so every app node shares them and counted
    /// again by whichever view finds them stale. `as_of` says which.
    pub async fn inbox_counts_kept(
        &self,
        call_id: CallId,
        max_age_secs: i64,
    ) -> StoreResult<InboxCounts> {
        let at = crate::now();
        let kept: Option<(String, UnixSeconds)> = db_read!(self, |p| {
            sqlx::query_as("SELECT counts, computed_at FROM call_counts WHERE call_id = $1")
                .bind(call_id)
                .fetch_optional(p)
                .await?
        });
        if let Some((json, computed_at)) = kept
            && at - computed_at <= max_age_secs
            && let Ok(mut counts) = serde_json::from_str::<InboxCounts>(&json)
        {
            counts.as_of = Some(computed_at);
            return Ok(counts);
        }
        let ideas: i64 = db_read!(self, |p| {
            sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM ideas WHERE call_id = $1 LIMIT {}) x",
                COUNT_CAP + 1
            ))
            .bind(call_id)
            .fetch_one(p)
            .await?
        });
        let mut counts = self.inbox_counts(call_id).await?;
        if ideas <= COUNT_CAP {
            return Ok(counts);
        }
        let json = serde_json::to_string(&counts).unwrap_or_default();
        crate::db_write!(self, |p| {
            sqlx::query(
                "INSERT INTO call_counts (call_id, counts, computed_at) VALUES ($1, $2, $3)
                 ON CONFLICT (call_id) DO UPDATE SET counts = $2, computed_at = $3",
            )
            .bind(call_id)
            .bind(&json)
            .bind(at)
            .execute(p)
            .await?;
        });
        counts.as_of = Some(at);
        Ok(counts)
    }
}
