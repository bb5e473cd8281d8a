//! Screening: the secretariat's inbox at scale (filters, sorts, keyset pages, bounded counts),
//! free tags per call, axis reclassification, merging duplicates (both authors stay credited),
//! reusable rejection templates, and bulk actions done in one transaction each.

mod bulk;
mod inbox;
pub use inbox::tracking_code_in;
pub(crate) mod merge;
mod tags;
mod templates;

pub use bulk::{BulkAction, BulkOutcome};
pub(crate) use inbox::inbox;
pub use inbox::{COUNT_CAP, InboxCounts, InboxPage, InboxQuery, InboxSort};
pub use merge::Credit;
pub use tags::{TAG_MAX, Tag, TagChange, tag_name};
pub use templates::RejectionTemplate;

use crate::audit::{AuditConn, NewAudit};
use crate::ideas::{IDEA_COLUMNS, IdeaRow};
use crate::{Store, StoreError, StoreResult, db_read, db_write, now};
use hamafza_core::audit::Action;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{IdeaStatus, Place};
use hamafza_core::ids::{AxisId, CallId, IdeaId, UserId};
use serde_json::json;
use sqlx::{PgConnection, SqliteConnection};

/// The `Conflict` of reclassifying a duplicate: it keeps its axis, as bulk reclassification
/// skips it.
pub const DUPLICATE_CONFLICT: &str = "a duplicate idea keeps its axis";

/// Screening steps inside a transaction, on either backend; each appends its audit entry.
pub(crate) trait ScreenConn: AuditConn {
    /// Moves `idea` from `from` to `to`; `false` when it was not at `from` any more.
    async fn move_idea(
        &mut self,
        idea: &Idea,
        from: Place,
        to: Place,
        message: &str,
        actor: Option<UserId>,
    ) -> StoreResult<bool>;

    async fn retag(
        &mut self,
        idea: &Idea,
        add: &[String],
        remove: &[String],
        actor: Option<UserId>,
    ) -> StoreResult<TagChange>;

    /// Moves `idea` to axis `to` (of the same call); `false` when it already is there, the
    /// axis changed meanwhile, or it is a duplicate (now, whatever `idea` says).
    async fn reclassify(
        &mut self,
        idea: &Idea,
        to: AxisId,
        actor: Option<UserId>,
    ) -> StoreResult<bool>;
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
                actor: Option<UserId>,
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
                        action: Action::IdeaTransition,
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
                actor: Option<UserId>,
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
                        action: Action::IdeaTag,
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
                to: AxisId,
                actor: Option<UserId>,
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
                        action: Action::IdeaReclassify,
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
        idea_id: IdeaId,
        from: Place,
        to: Place,
        message: &str,
        actor_id: Option<UserId>,
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

    /// Ideas of a call that reached stage `position` or a later one and are still in the race
    /// (not rejected, not merged), oldest first: e.g. the finalists are those at or beyond the
    /// orientation stage.
    pub async fn ideas_at_or_beyond(
        &self,
        call_id: CallId,
        position: i64,
    ) -> StoreResult<Vec<Idea>> {
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

    /// Moves an idea to another axis of its call. `Conflict` ([`DUPLICATE_CONFLICT`]) if it is
    /// a duplicate, checked in the update itself, so a merge that lands first wins; `Conflict`
    /// too if the axis changed meanwhile or `to` is not an axis of the call.
    pub async fn reclassify_idea(
        &self,
        idea: &Idea,
        to_axis: AxisId,
        actor_id: Option<UserId>,
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
}
