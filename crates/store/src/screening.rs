//! Screening: the secretariat's inbox at scale (filters, sorts, keyset pages, bounded counts),
//! free tags per call, axis reclassification, merging duplicates (both authors stay credited),
//! reusable rejection templates, and bulk actions done in one transaction each.

use crate::audit::{AuditConn, NewAudit};
use crate::ideas::{IDEA_COLUMNS, Idea, IdeaRow};
use crate::{Store, StoreError, StoreResult, db_read, db_write, now};
use hamafza_core::idea::{Channel, IdeaStatus, Place, Transition};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, SqliteConnection};

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
    pub axis_id: Option<i64>,
    pub stage: Option<i64>,
    /// Of the author's unit (`org_units.province_code`).
    pub province: Option<String>,
    /// The author's unit (when the idea arrived).
    pub unit_id: Option<i64>,
    pub channel: Option<Channel>,
    /// Submitted at or after (Unix seconds).
    pub from: Option<i64>,
    /// Submitted at or before (Unix seconds).
    pub to: Option<i64>,
    pub tag_id: Option<i64>,
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
fn filters(backend: crate::Backend, call_id: i64, q: &InboxQuery) -> Where {
    let mut w = Where::default();
    w.eq("call_id", Arg::Int(call_id));
    if let Some(s) = q.status {
        w.eq("status", Arg::Text(s.as_str().into()));
    }
    if let Some(a) = q.axis_id {
        w.eq("axis_id", Arg::Int(a));
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
        w.eq("author_unit_id", Arg::Int(u));
    }
    if let Some(f) = q.from {
        let f = w.arg(Arg::Int(f));
        w.conds.push(format!("created_at >= {f}"));
    }
    if let Some(t) = q.to {
        let t = w.arg(Arg::Int(t));
        w.conds.push(format!("created_at <= {t}"));
    }
    if let Some(t) = q.tag_id {
        let t = w.arg(Arg::Int(t));
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
    // A substring of the normalized title, answered from a trigram index (migration 0010):
    // FTS5's on SQLite, pg_trgm's GIN index on PostgreSQL.
    let search = q.search.as_deref().map(hamafza_persian::normalize);
    if let Some(s) = search.filter(|s| !s.is_empty()) {
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
    id: i64,
    created_at: i64,
    updated_at: i64,
    title_norm: String,
}

pub(crate) async fn inbox(store: &Store, call_id: i64, q: &InboxQuery) -> StoreResult<InboxPage> {
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
                InboxSort::Newest | InboxSort::Oldest => Arg::Int(r.created_at),
                InboxSort::Updated => Arg::Int(r.updated_at),
                InboxSort::Title => Arg::Text(r.title_norm),
            };
            let k = page.arg(key);
            let i = page.arg(Arg::Int(r.id));
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

/// The `Conflict` of reclassifying a duplicate: it keeps its axis, as bulk reclassification
/// skips it.
pub const DUPLICATE_CONFLICT: &str = "a duplicate idea keeps its axis";

/// A free tag of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Tag {
    pub id: i64,
    pub name: String,
}

/// What a change of tags did, as the audit log records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TagChange {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl TagChange {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// A tag as shown (letters fixed, spaces collapsed) and as compared (normalized); `None` when
/// nothing is left or it is too long.
pub fn tag_name(raw: &str) -> Option<(String, String)> {
    let shown = hamafza_core::account::fix_letters(raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let n = shown.chars().count();
    if n == 0 || n > TAG_MAX {
        return None;
    }
    let norm = hamafza_persian::normalize(&shown);
    Some((shown, norm))
}

pub const TAG_MAX: usize = 50;

/// Someone credited on a kept idea because their idea was merged into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Credit {
    pub from_idea_id: i64,
    pub user_id: Option<i64>,
    pub name: String,
}

/// A reusable reason for rejecting ideas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RejectionTemplate {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub updated_at: i64,
}

/// A screening action on a selection of inbox rows.
#[derive(Debug, Clone)]
pub enum BulkAction {
    /// Accept into the next stage of the call's pipeline (the stage kinds in order).
    Accept {
        stages: Vec<hamafza_core::call::StageKind>,
    },
    Reject {
        stages: Vec<hamafza_core::call::StageKind>,
        message: String,
    },
    Tag(String),
    Reclassify(i64),
}

/// What a bulk action did: public ids changed, and those skipped because their status (or
/// stage) did not allow it, or they were not in the call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BulkOutcome {
    pub changed: Vec<String>,
    pub skipped: Vec<String>,
}

/// Screening steps inside a transaction, on either backend; each appends its audit entry.
pub(crate) trait ScreenConn: AuditConn {
    /// Moves `idea` from `from` to `to`; `false` when it was not at `from` any more.
    async fn move_idea(
        &mut self,
        idea: &Idea,
        from: Place,
        to: Place,
        message: &str,
        actor: Option<i64>,
    ) -> StoreResult<bool>;

    async fn retag(
        &mut self,
        idea: &Idea,
        add: &[String],
        remove: &[String],
        actor: Option<i64>,
    ) -> StoreResult<TagChange>;

    /// Moves `idea` to axis `to` (of the same call); `false` when it already is there, the
    /// axis changed meanwhile, or it is a duplicate (now, whatever `idea` says).
    async fn reclassify(&mut self, idea: &Idea, to: i64, actor: Option<i64>) -> StoreResult<bool>;
}

macro_rules! screen_conn {
    ($conn:ty) => {
        impl ScreenConn for $conn {
            async fn move_idea(
                &mut self,
                idea: &Idea,
                from: Place,
                to: Place,
                message: &str,
                actor: Option<i64>,
            ) -> StoreResult<bool> {
                let n = sqlx::query(
                    "UPDATE ideas SET status = $1, stage_position = $2, updated_at = $3
                     WHERE id = $4 AND status = $5 AND stage_position = $6",
                )
                .bind(to.status.as_str())
                .bind(to.stage)
                .bind(now())
                .bind(idea.id)
                .bind(from.status.as_str())
                .bind(from.stage)
                .execute(&mut *self)
                .await?
                .rows_affected();
                if n == 1 {
                    self.append_audit(NewAudit {
                        actor_id: actor,
                        action: "idea.transition",
                        entity_type: "idea",
                        entity_id: idea.public_id.clone(),
                        data: json!({
                            "from": from.status.as_str(), "to": to.status.as_str(), "message": message,
                            "stage_from": from.stage, "stage_to": to.stage,
                        }),
                    })
                    .await?;
                }
                Ok(n == 1)
            }

            async fn retag(
                &mut self,
                idea: &Idea,
                add: &[String],
                remove: &[String],
                actor: Option<i64>,
            ) -> StoreResult<TagChange> {
                let mut change = TagChange::default();
                for raw in add {
                    let Some((name, norm)) = tag_name(raw) else { continue };
                    sqlx::query(
                        "INSERT INTO call_tags (call_id, name, name_norm) VALUES ($1, $2, $3)
                         ON CONFLICT (call_id, name_norm) DO NOTHING",
                    )
                    .bind(idea.call_id)
                    .bind(&name)
                    .bind(&norm)
                    .execute(&mut *self)
                    .await?;
                    let tag: Tag = sqlx::query_as(
                        "SELECT id, name FROM call_tags WHERE call_id = $1 AND name_norm = $2",
                    )
                    .bind(idea.call_id)
                    .bind(&norm)
                    .fetch_one(&mut *self)
                    .await?;
                    let n = sqlx::query(
                        "INSERT INTO idea_tags (idea_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(idea.id)
                    .bind(tag.id)
                    .execute(&mut *self)
                    .await?
                    .rows_affected();
                    if n == 1 {
                        change.added.push(tag.name);
                    }
                }
                for raw in remove {
                    let Some((_, norm)) = tag_name(raw) else { continue };
                    let tag: Option<Tag> = sqlx::query_as(
                        "SELECT id, name FROM call_tags WHERE call_id = $1 AND name_norm = $2",
                    )
                    .bind(idea.call_id)
                    .bind(&norm)
                    .fetch_optional(&mut *self)
                    .await?;
                    let Some(tag) = tag else { continue };
                    let n = sqlx::query("DELETE FROM idea_tags WHERE idea_id = $1 AND tag_id = $2")
                        .bind(idea.id)
                        .bind(tag.id)
                        .execute(&mut *self)
                        .await?
                        .rows_affected();
                    if n == 1 {
                        change.removed.push(tag.name);
                    }
                }
                if !change.is_empty() {
                    self.append_audit(NewAudit {
                        actor_id: actor,
                        action: "idea.tag",
                        entity_type: "idea",
                        entity_id: idea.public_id.clone(),
                        data: json!({ "added": change.added, "removed": change.removed }),
                    })
                    .await?;
                }
                Ok(change)
            }

            async fn reclassify(
                &mut self,
                idea: &Idea,
                to: i64,
                actor: Option<i64>,
            ) -> StoreResult<bool> {
                if idea.axis_id == to {
                    return Ok(false);
                }
                // A duplicate keeps its axis: it is judged as the kept idea.
                let n = sqlx::query(
                    "UPDATE ideas SET axis_id = $1, updated_at = $2
                     WHERE id = $3 AND axis_id = $4 AND status <> 'duplicate'
                       AND EXISTS (SELECT 1 FROM call_axes WHERE id = $1 AND call_id = ideas.call_id)",
                )
                .bind(to)
                .bind(now())
                .bind(idea.id)
                .bind(idea.axis_id)
                .execute(&mut *self)
                .await?
                .rows_affected();
                if n == 1 {
                    self.append_audit(NewAudit {
                        actor_id: actor,
                        action: "idea.reclassify",
                        entity_type: "idea",
                        entity_id: idea.public_id.clone(),
                        data: json!({ "from_axis": idea.axis_id, "to_axis": to }),
                    })
                    .await?;
                }
                Ok(n == 1)
            }
        }
    };
}

screen_conn!(SqliteConnection);
screen_conn!(PgConnection);

impl Store {
    /// Moves an idea from `from` to `to` (status and stage) with the secretariat's message (kept
    /// in the audit log, which is the idea's timeline). If the idea is no longer at `from`
    /// (someone else decided meanwhile, or a double click), nothing changes and this is a
    /// `Conflict`.
    pub async fn transition_idea(
        &self,
        idea_id: i64,
        from: Place,
        to: Place,
        message: &str,
        actor_id: Option<i64>,
    ) -> StoreResult<Idea> {
        let idea = self.idea(idea_id).await?;
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            if !tx.move_idea(&idea, from, to, message, actor_id).await? {
                return Err(StoreError::Conflict("idea status changed meanwhile".into()));
            }
            tx.commit().await?;
        });
        self.idea(idea_id).await
    }

    /// A page of a call's ideas for the secretariat's inbox (see [`InboxQuery`]).
    pub async fn inbox_page(&self, call_id: i64, q: &InboxQuery) -> StoreResult<InboxPage> {
        inbox(self, call_id, q).await
    }

    /// Ideas of a call that reached stage `position` or a later one and are still in the race
    /// (not rejected, not merged), oldest first: e.g. the finalists are those at or beyond the
    /// orientation stage.
    pub async fn ideas_at_or_beyond(&self, call_id: i64, position: i64) -> StoreResult<Vec<Idea>> {
        let rows: Vec<IdeaRow> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE call_id = $1 AND stage_position >= $2
                   AND status NOT IN ('rejected', 'duplicate') ORDER BY created_at, id"
            ))
            .bind(call_id)
            .bind(position)
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(Idea::try_from).collect()
    }

    /// An idea by the tracking code its author quotes.
    pub async fn idea_by_tracking_code(&self, code: &str) -> StoreResult<Option<Idea>> {
        let row: Option<IdeaRow> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE tracking_code = $1"
            ))
            .bind(code)
            .fetch_optional(p)
            .await?
        });
        row.map(Idea::try_from).transpose()
    }

    /// The tags used in a call, by name.
    pub async fn tags_of_call(&self, call_id: i64) -> StoreResult<Vec<Tag>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as("SELECT id, name FROM call_tags WHERE call_id = $1 ORDER BY name_norm")
                .bind(call_id)
                .fetch_all(p)
                .await?
        }))
    }

    /// The tags of each of `idea_ids`, as (idea id, tag) pairs ordered by name.
    pub async fn tags_of_ideas(&self, idea_ids: &[i64]) -> StoreResult<Vec<(i64, Tag)>> {
        if idea_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = (1..=idea_ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT it.idea_id, t.id, t.name FROM idea_tags it JOIN call_tags t ON t.id = it.tag_id
             WHERE it.idea_id IN ({list}) ORDER BY t.name_norm"
        );
        let rows: Vec<(i64, i64, String)> = db_read!(self, |p| {
            let mut q = sqlx::query_as(&sql);
            for id in idea_ids {
                q = q.bind(*id);
            }
            q.fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|(idea, id, name)| (idea, Tag { id, name }))
            .collect())
    }

    /// Adds and removes tags on an idea (new names become tags of its call).
    pub async fn tag_idea(
        &self,
        idea: &Idea,
        add: &[String],
        remove: &[String],
        actor_id: Option<i64>,
    ) -> StoreResult<TagChange> {
        Ok(db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let change = tx.retag(idea, add, remove, actor_id).await?;
            tx.commit().await?;
            change
        }))
    }

    /// Moves an idea to another axis of its call. `Conflict` ([`DUPLICATE_CONFLICT`]) if it is
    /// a duplicate, checked in the update itself, so a merge that lands first wins; `Conflict`
    /// too if the axis changed meanwhile or `to` is not an axis of the call.
    pub async fn reclassify_idea(
        &self,
        idea: &Idea,
        to_axis: i64,
        actor_id: Option<i64>,
    ) -> StoreResult<Idea> {
        if idea.status == IdeaStatus::Duplicate {
            return Err(StoreError::Conflict(DUPLICATE_CONFLICT.into()));
        }
        if idea.axis_id != to_axis {
            db_write!(self, |p| {
                let mut tx = p.begin().await?;
                if !tx.reclassify(idea, to_axis, actor_id).await? {
                    // Only to say why: nothing was written.
                    let status: Option<String> =
                        sqlx::query_scalar("SELECT status FROM ideas WHERE id = $1")
                            .bind(idea.id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    return Err(StoreError::Conflict(
                        if status.as_deref() == Some(IdeaStatus::Duplicate.as_str()) {
                            DUPLICATE_CONFLICT
                        } else {
                            "idea axis changed meanwhile"
                        }
                        .into(),
                    ));
                }
                tx.commit().await?;
            });
        }
        self.idea(idea.id).await
    }

    /// Marks `duplicate` as a duplicate of `kept` (same call): it points at the kept idea, and
    /// its author (and anyone credited on it) is credited on the kept idea. `Conflict` when the
    /// duplicate's status changed meanwhile, or the two cannot be merged.
    pub async fn merge_ideas(
        &self,
        duplicate: &Idea,
        kept: &Idea,
        actor_id: Option<i64>,
    ) -> StoreResult<Idea> {
        if duplicate.id == kept.id
            || duplicate.call_id != kept.call_id
            || kept.status == IdeaStatus::Duplicate
            || duplicate.status == IdeaStatus::Duplicate
        {
            return Err(StoreError::Conflict("these ideas cannot be merged".into()));
        }
        let at = now();
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE ideas SET status = 'duplicate', duplicate_of = $1, updated_at = $2
                 WHERE id = $3 AND status = $4",
            )
            .bind(kept.id)
            .bind(at)
            .bind(duplicate.id)
            .bind(duplicate.status.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("idea status changed meanwhile".into()));
            }
            // The duplicate's author (or, for an imported idea, the name given on paper).
            sqlx::query(
                "INSERT INTO idea_credits (idea_id, from_idea_id, user_id, name, created_at)
                 SELECT $1, i.id, i.author_id, COALESCE(u.display_name, i.submitter_name, ''), $2
                 FROM ideas i LEFT JOIN users u ON u.id = i.author_id WHERE i.id = $3
                 ON CONFLICT DO NOTHING",
            )
            .bind(kept.id)
            .bind(at)
            .bind(duplicate.id)
            .execute(&mut *tx)
            .await?;
            // Whoever was credited on the duplicate stays credited.
            sqlx::query(
                "INSERT INTO idea_credits (idea_id, from_idea_id, user_id, name, created_at)
                 SELECT $1, from_idea_id, user_id, name, $2 FROM idea_credits WHERE idea_id = $3
                 ON CONFLICT DO NOTHING",
            )
            .bind(kept.id)
            .bind(at)
            .bind(duplicate.id)
            .execute(&mut *tx)
            .await?;
            tx.append_audit(NewAudit {
                actor_id,
                action: "idea.merge",
                entity_type: "idea",
                entity_id: duplicate.public_id.clone(),
                data: json!({ "into": kept.public_id }),
            })
            .await?;
            tx.append_audit(NewAudit {
                actor_id,
                action: "idea.absorb",
                entity_type: "idea",
                entity_id: kept.public_id.clone(),
                data: json!({ "from": duplicate.public_id }),
            })
            .await?;
            tx.commit().await?;
        });
        self.idea(duplicate.id).await
    }

    /// Who is credited on an idea besides its author, in the order they were merged.
    pub async fn credits(&self, idea_id: i64) -> StoreResult<Vec<Credit>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT from_idea_id, user_id, name FROM idea_credits WHERE idea_id = $1
                 ORDER BY created_at, from_idea_id",
            )
            .bind(idea_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Credited names per idea of a call, for exports: (idea id, name).
    pub async fn credits_of_call(&self, call_id: i64) -> StoreResult<Vec<(i64, String)>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT c.idea_id, c.name FROM idea_credits c JOIN ideas i ON i.id = c.idea_id
                 WHERE i.call_id = $1 ORDER BY c.idea_id, c.created_at, c.from_idea_id",
            )
            .bind(call_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Applies `action` to the ideas of `call_id` named by public id, in one transaction: ideas
    /// whose status does not allow it are skipped and listed.
    pub async fn bulk_screen(
        &self,
        call_id: i64,
        public_ids: &[String],
        action: &BulkAction,
        actor_id: Option<i64>,
    ) -> StoreResult<BulkOutcome> {
        let mut ideas = Vec::new();
        let mut out = BulkOutcome::default();
        for id in public_ids {
            match self.idea_by_public_id(id).await? {
                Some(i) if i.call_id == call_id => ideas.push(i),
                _ => out.skipped.push(id.clone()),
            }
        }
        let done: Vec<String> = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let mut done = Vec::new();
            for idea in &ideas {
                let changed = match action {
                    BulkAction::Accept { stages } => {
                        match Transition::Accept.plan(idea.place(), stages) {
                            Some(to) => tx.move_idea(idea, idea.place(), to, "", actor_id).await?,
                            None => false,
                        }
                    }
                    BulkAction::Reject { stages, message } => {
                        match Transition::Reject.plan(idea.place(), stages) {
                            Some(to) => {
                                tx.move_idea(idea, idea.place(), to, message, actor_id)
                                    .await?
                            }
                            None => false,
                        }
                    }
                    BulkAction::Tag(name) => !tx
                        .retag(idea, std::slice::from_ref(name), &[], actor_id)
                        .await?
                        .is_empty(),
                    BulkAction::Reclassify(axis) => tx.reclassify(idea, *axis, actor_id).await?,
                };
                if changed {
                    done.push(idea.public_id.clone());
                }
            }
            tx.commit().await?;
            done
        });
        for idea in ideas {
            if !done.contains(&idea.public_id) {
                out.skipped.push(idea.public_id);
            }
        }
        out.changed = done;
        Ok(out)
    }

    /// The rejection templates, by title.
    pub async fn rejection_templates(&self) -> StoreResult<Vec<RejectionTemplate>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT id, title, body, updated_at FROM rejection_templates ORDER BY title, id",
            )
            .fetch_all(p)
            .await?
        }))
    }

    pub async fn rejection_template(&self, id: i64) -> StoreResult<RejectionTemplate> {
        let t: Option<RejectionTemplate> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT id, title, body, updated_at FROM rejection_templates WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(p)
            .await?
        });
        t.ok_or(StoreError::NotFound)
    }

    /// Adds a template (`id` `None`) or replaces one's text.
    pub async fn save_rejection_template(
        &self,
        id: Option<i64>,
        title: &str,
        body: &str,
        actor_id: Option<i64>,
    ) -> StoreResult<RejectionTemplate> {
        let at = now();
        let id: i64 = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let id: i64 = match id {
                None => sqlx::query_scalar(
                    "INSERT INTO rejection_templates (title, body, created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $4) RETURNING id",
                )
                .bind(title)
                .bind(body)
                .bind(actor_id)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?,
                Some(id) => sqlx::query_scalar(
                    "UPDATE rejection_templates SET title = $1, body = $2, updated_at = $3 WHERE id = $4 RETURNING id",
                )
                .bind(title)
                .bind(body)
                .bind(at)
                .bind(id)
                .fetch_one(&mut *tx)
                .await?,
            };
            tx.append_audit(NewAudit {
                actor_id,
                action: "rejection_template.save",
                entity_type: "rejection_template",
                entity_id: id.to_string(),
                data: json!({ "title": title }),
            })
            .await?;
            tx.commit().await?;
            id
        });
        self.rejection_template(id).await
    }

    pub async fn delete_rejection_template(
        &self,
        id: i64,
        actor_id: Option<i64>,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query("DELETE FROM rejection_templates WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: "rejection_template.delete",
                entity_type: "rejection_template",
                entity_id: id.to_string(),
                data: json!({}),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

/// Filling a call with many synthetic ideas, for the inbox benchmark (`bench/inbox.sh`).
#[cfg(feature = "testing")]
pub mod bench {
    use crate::{Store, StoreResult, db_write};

    /// What [`fill`] made.
    pub struct Filled {
        pub tag_id: i64,
        /// A unit of one of the provinces, with its province code.
        pub province: String,
        pub unit_id: i64,
    }

    /// Adds 31 provincial units, 1,000 authors spread over them and `n` ideas to `call_id`
    /// (statuses, stages, channels, axes and dates spread like a real round), tags every 50th,
    /// then runs the maintenance the database runs on its own over time.
    pub async fn fill(store: &Store, call_id: i64, axes: &[i64; 3], n: i64) -> StoreResult<Filled> {
        let at = crate::now() - n * 30;
        Ok(db_write!(store, |p| {
            let mut tx = p.begin().await?;
            let mut units = Vec::new();
            for prov in hamafza_persian::provinces::PROVINCES.iter() {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO org_units (kind, code, name_fa, name_en, province_code, created_at)
                     VALUES ('province', $1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(format!("bench-{}", prov.code))
                .bind(prov.name_fa)
                .bind(prov.name_en)
                .bind(prov.code)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                units.push(id);
            }
            let mut users = Vec::new();
            for u in 0..1000usize {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (username, display_name, org_unit_id, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $4) RETURNING id",
                )
                .bind(format!("bench{u}"))
                .bind(format!("کارمند {u}"))
                .bind(units[u % units.len()])
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                users.push(id);
            }
            sqlx::query(
                "INSERT INTO ideas (public_id, tracking_code, call_id, author_id, channel, status, axis_id,
                                    title, title_norm, version, created_at, updated_at, stage_position)
                 WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1)
                 SELECT 'bench' || n, CAST(1000000000 + n AS TEXT), $2, $3 + (n % 1000),
                        CASE n % 20 WHEN 0 THEN 'exhibition' WHEN 1 THEN 'paper' WHEN 2 THEN 'api' ELSE 'web' END,
                        CASE WHEN n % 10 < 6 THEN 'submitted' WHEN n % 10 < 8 THEN 'accepted'
                             WHEN n % 10 = 8 THEN 'rejected' ELSE 'changes_requested' END,
                        CASE n % 3 WHEN 0 THEN $4 WHEN 1 THEN $5 ELSE $6 END,
                        t, t, 1, $7 + n * 30, $7 + n * 30 + (n % 1000),
                        CASE WHEN n % 10 IN (6, 7) THEN 2 + (n % 2) ELSE 0 END
                 FROM (SELECT n, 'ایده شماره ' || n || ' ' ||
                              CASE n % 8 WHEN 0 THEN 'پیامک وضعیت پرونده' WHEN 1 THEN 'نوبت دهی شعب'
                                         WHEN 2 THEN 'بیمه خانواده' WHEN 3 THEN 'مستمری بگیران'
                                         WHEN 4 THEN 'پرداخت برخط' WHEN 5 THEN 'فرهنگ بیمه'
                                         WHEN 6 THEN 'دانشجویان و زنان خانه دار' ELSE 'خدمات غیرحضوری' END AS t
                       FROM seq) s",
            )
            .bind(n)
            .bind(call_id)
            .bind(users[0])
            .bind(axes[0])
            .bind(axes[1])
            .bind(axes[2])
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let tag_id: i64 = sqlx::query_scalar(
                "INSERT INTO call_tags (call_id, name, name_norm) VALUES ($1, 'پیامک', 'پیامک') RETURNING id",
            )
            .bind(call_id)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO idea_tags (idea_id, tag_id) SELECT id, $1 FROM ideas WHERE call_id = $2 AND id % 50 = 0")
                .bind(tag_id)
                .bind(call_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            // What autovacuum does on its own after a bulk insert (statistics, and on PostgreSQL
            // the visibility map that index-only scans need); SQLite has only the statistics.
            let maintain = match store.backend() {
                crate::Backend::Sqlite => "ANALYZE",
                crate::Backend::Postgres => "VACUUM ANALYZE ideas",
            };
            sqlx::query(maintain).execute(p).await?;
            sqlx::query("ANALYZE idea_tags").execute(p).await?;
            Filled {
                tag_id,
                province: hamafza_persian::provinces::PROVINCES[0].code.to_string(),
                unit_id: units[0],
            }
        }))
    }
}
