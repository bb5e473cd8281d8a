//! Calls, their axes and stages.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, decode, now};
use hamafza_core::audit::Action;
use hamafza_core::call::{Audience, CallState, StageKind, ValidCall};
use hamafza_core::call::{Axis, Call, Stage};
use hamafza_core::ids::{CallId, StageId, UserId};
use hamafza_core::time::UnixSeconds;
use hamafza_persian::jalali;
use rand::Rng;
use serde::Serialize;
use serde_json::json;

#[derive(sqlx::FromRow)]
struct CallRow {
    id: CallId,
    public_id: String,
    title: String,
    description: String,
    audience: String,
    state: String,
    copied_from: Option<CallId>,
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    results_published_at: Option<UnixSeconds>,
}

#[derive(sqlx::FromRow)]
struct StageRow {
    id: StageId,
    call_id: CallId,
    position: i64,
    kind: String,
    title: String,
    starts_at: UnixSeconds,
    ends_at: UnixSeconds,
}

const CALL_COLUMNS: &str = "id, public_id, title, description, audience, state, copied_from, created_at, updated_at, results_published_at";

/// A new opaque id: 10 characters of lowercase base32, not a guessable sequence.
pub fn new_public_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn stage_times(s: &hamafza_core::call::ValidStage) -> (i64, i64) {
    (
        jalali::start_of_day_tehran(s.start).as_second(),
        jalali::end_of_day_tehran(s.end).as_second(),
    )
}

/// Which calls a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFilter {
    /// What the public sees: published, closed and archived calls.
    Public,
    /// Everything, drafts included (the secretariat).
    All,
}

/// Writes the axes and stages of `call_id` to match `v`: rows are matched by position, so ideas
/// that later point at an axis keep pointing at the same row when its text is edited.
macro_rules! write_children {
    ($tx:expr, $call_id:expr, $v:expr) => {{
        for (pos, (title, description)) in $v.axes.iter().enumerate() {
            sqlx::query(
                "INSERT INTO call_axes (call_id, position, title, description) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (call_id, position) DO UPDATE SET title = $3, description = $4",
            )
            .bind($call_id)
            .bind(pos as i64)
            .bind(title)
            .bind(description)
            .execute(&mut *$tx)
            .await?;
        }
        sqlx::query("DELETE FROM call_axes WHERE call_id = $1 AND position >= $2")
            .bind($call_id)
            .bind($v.axes.len() as i64)
            .execute(&mut *$tx)
            .await?;
        for (pos, s) in $v.stages.iter().enumerate() {
            let (starts, ends) = stage_times(s);
            sqlx::query(
                "INSERT INTO call_stages (call_id, position, kind, title, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (call_id, position) DO UPDATE SET kind = $3, title = $4, starts_at = $5, ends_at = $6",
            )
            .bind($call_id)
            .bind(pos as i64)
            .bind(s.kind.as_str())
            .bind(&s.title)
            .bind(starts)
            .bind(ends)
            .execute(&mut *$tx)
            .await?;
        }
        sqlx::query("DELETE FROM call_stages WHERE call_id = $1 AND position >= $2")
            .bind($call_id)
            .bind($v.stages.len() as i64)
            .execute(&mut *$tx)
            .await?;
    }};
}

impl Store {
    /// Creates a draft call.
    pub async fn create_call(
        &self,
        v: &ValidCall,
        copied_from: Option<CallId>,
        actor_id: Option<UserId>,
    ) -> StoreResult<Call> {
        let public_id = new_public_id();
        let at = now();
        let id: CallId = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let id: CallId = sqlx::query_scalar(
                "INSERT INTO calls (public_id, title, description, audience, state, copied_from, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $7) RETURNING id",
            )
            .bind(&public_id)
            .bind(&v.title)
            .bind(&v.description)
            .bind(v.audience.as_str())
            .bind(copied_from)
            .bind(actor_id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            write_children!(tx, id, v);
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::CallCreate,
                entity_type: "call",
                entity_id: public_id.clone(),
                data: json!({ "title": v.title, "axes": v.axes.len(), "stages": v.stages.len(), "copied_from": copied_from }),
            })
            .await?;
            tx.commit().await?;
            id
        });
        self.call(id).await
    }

    /// Replaces a call's fields, axes and stages. Axes and stages are matched by position; one
    /// that would go while ideas are filed under it (an axis) or have reached it (a stage) is
    /// `Conflict("axis_in_use")` or `Conflict("stage_in_use")`, and nothing changes.
    pub async fn update_call(
        &self,
        id: CallId,
        v: &ValidCall,
        actor_id: Option<UserId>,
    ) -> StoreResult<Call> {
        let before = self.call(id).await?;
        let (axis_used, stage_used): (i64, i64) = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT
                   (SELECT COUNT(*) FROM ideas i JOIN call_axes a ON a.id = i.axis_id
                    WHERE a.call_id = $1 AND a.position >= $2),
                   (SELECT COUNT(*) FROM ideas WHERE call_id = $1 AND stage_position >= $3)",
            )
            .bind(id)
            .bind(v.axes.len() as i64)
            .bind(v.stages.len() as i64)
            .fetch_one(p)
            .await?
        });
        if axis_used > 0 {
            return Err(StoreError::Conflict("axis_in_use".into()));
        }
        if stage_used > 0 {
            return Err(StoreError::Conflict("stage_in_use".into()));
        }
        // A stage ideas have reached keeps its kind: turning "shortlisting" into "screening" under
        // them would change what their acceptance meant.
        for (pos, (old, new)) in before.stages.iter().zip(&v.stages).enumerate() {
            if old.kind == new.kind {
                continue;
            }
            let reached: i64 = db_read!(self, |p| {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM ideas WHERE call_id = $1 AND stage_position = $2",
                )
                .bind(id)
                .bind(pos as i64)
                .fetch_one(p)
                .await?
            });
            if reached > 0 {
                return Err(StoreError::Conflict("stage_in_use".into()));
            }
        }
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE calls SET title = $1, description = $2, audience = $3, updated_at = $4 WHERE id = $5")
                .bind(&v.title)
                .bind(&v.description)
                .bind(v.audience.as_str())
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            write_children!(tx, id, v);
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::CallUpdate,
                entity_type: "call",
                entity_id: before.public_id.clone(),
                data: json!({ "title": { "from": before.title, "to": v.title }, "axes": v.axes.len(), "stages": v.stages.len() }),
            })
            .await?;
            tx.commit().await?;
        });
        self.call(id).await
    }

    /// Moves a call to `to`; refuses moves the rules do not allow with `Conflict`.
    pub async fn set_call_state(
        &self,
        id: CallId,
        to: CallState,
        actor_id: Option<UserId>,
    ) -> StoreResult<Call> {
        let call = self.call(id).await?;
        if !call.state.can_become(to) {
            return Err(StoreError::Conflict(format!(
                "call state {} → {}",
                call.state.as_str(),
                to.as_str()
            )));
        }
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            // The state in the WHERE makes a concurrent change lose instead of being overwritten.
            let n = sqlx::query(
                "UPDATE calls SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
            )
            .bind(to.as_str())
            .bind(now())
            .bind(id)
            .bind(call.state.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("call state changed meanwhile".into()));
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::CallState,
                entity_type: "call",
                entity_id: call.public_id.clone(),
                data: json!({ "from": call.state.as_str(), "to": to.as_str() }),
            })
            .await?;
            tx.commit().await?;
        });
        self.call(id).await
    }

    /// Moves stages' dates by hand (`changes`, made by `Call::move_end` or `Call::open_now` on
    /// `call` as read), with the reason, audited. Each stage changes only if its dates are still
    /// those of `call`: another secretary's change meanwhile is `Conflict("changed")`, and
    /// nothing is written.
    pub async fn reschedule_stages(
        &self,
        call: &Call,
        changes: &[hamafza_core::call::StageDates],
        reason: &str,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        let mut log = Vec::new();
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            for change in changes {
                let Some(old) = call.stages.iter().find(|s| s.id == change.stage_id) else {
                    return Err(StoreError::NotFound);
                };
                let n = sqlx::query(
                    "UPDATE call_stages SET starts_at = $1, ends_at = $2
                     WHERE id = $3 AND call_id = $4 AND starts_at = $5 AND ends_at = $6",
                )
                .bind(change.starts_at)
                .bind(change.ends_at)
                .bind(change.stage_id)
                .bind(call.id)
                .bind(old.starts_at)
                .bind(old.ends_at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict("changed".into()));
                }
                log.push(json!({
                    "stage_id": change.stage_id,
                    "from": [old.starts_at, old.ends_at],
                    "to": [change.starts_at, change.ends_at],
                }));
            }
            sqlx::query("UPDATE calls SET updated_at = $1 WHERE id = $2")
                .bind(now())
                .bind(call.id)
                .execute(&mut *tx)
                .await?;
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::StageReschedule,
                entity_type: "call",
                entity_id: call.public_id.clone(),
                data: json!({ "reason": reason, "stages": log }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn call(&self, id: CallId) -> StoreResult<Call> {
        let rows: Vec<CallRow> = db_read!(self, |p| {
            sqlx::query_as(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"))
                .bind(id)
                .fetch_all(p)
                .await?
        });
        self.with_children(rows)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub async fn call_by_public_id(&self, public_id: &str) -> StoreResult<Option<Call>> {
        let rows: Vec<CallRow> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {CALL_COLUMNS} FROM calls WHERE public_id = $1"
            ))
            .bind(public_id)
            .fetch_all(p)
            .await?
        });
        Ok(self.with_children(rows).await?.pop())
    }

    /// Calls, newest first, with their axes and stages (three queries, whatever the count).
    pub async fn calls(&self, filter: CallFilter) -> StoreResult<Vec<Call>> {
        let cond = match filter {
            CallFilter::Public => "state IN ('published', 'closed', 'archived')",
            CallFilter::All => "1 = 1",
        };
        let rows: Vec<CallRow> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {CALL_COLUMNS} FROM calls WHERE {cond} ORDER BY created_at DESC, id DESC"
            ))
            .fetch_all(p)
            .await?
        });
        self.with_children(rows).await
    }

    async fn with_children(&self, rows: Vec<CallRow>) -> StoreResult<Vec<Call>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // Ids are our own integers, so inlining them is safe and keeps one statement per table.
        let ids = rows
            .iter()
            .map(|r| r.id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let (axes, stages): (Vec<Axis>, Vec<StageRow>) = db_read!(self, |p| {
            let axes = sqlx::query_as(&format!(
                "SELECT id, call_id, position, title, description FROM call_axes WHERE call_id IN ({ids}) ORDER BY call_id, position"
            ))
            .fetch_all(p)
            .await?;
            let stages = sqlx::query_as(&format!(
                "SELECT id, call_id, position, kind, title, starts_at, ends_at FROM call_stages WHERE call_id IN ({ids}) ORDER BY call_id, position"
            ))
            .fetch_all(p)
            .await?;
            (axes, stages)
        });
        rows.into_iter()
            .map(|r| {
                Ok(Call {
                    axes: axes.iter().filter(|a| a.call_id == r.id).cloned().collect(),
                    stages: stages
                        .iter()
                        .filter(|s| s.call_id == r.id)
                        .map(|s| {
                            Ok(Stage {
                                id: s.id,
                                position: s.position,
                                kind: decode("call_stages.kind", &s.kind, StageKind::parse)?,
                                title: s.title.clone(),
                                starts_at: s.starts_at,
                                ends_at: s.ends_at,
                            })
                        })
                        .collect::<StoreResult<_>>()?,
                    id: r.id,
                    public_id: r.public_id,
                    title: r.title,
                    description: r.description,
                    audience: decode("calls.audience", &r.audience, Audience::parse)?,
                    state: decode("calls.state", &r.state, CallState::parse)?,
                    copied_from: r.copied_from,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                    results_published_at: r.results_published_at,
                })
            })
            .collect()
    }
}

/// A published call as the home page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallSummary {
    pub public_id: String,
    pub title: String,
    /// The stage open at the time asked about, if any.
    pub current_stage: Option<StageKind>,
    pub axes: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: CallId,
    public_id: String,
    title: String,
    stage: Option<String>,
    axis: Option<String>,
}

impl Store {
    /// Published calls with their axis titles and the stage open at `now`, newest first, in one
    /// query: the home page shows them on every visit.
    pub async fn open_calls(&self, now: UnixSeconds) -> StoreResult<Vec<CallSummary>> {
        let rows: Vec<SummaryRow> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT c.id, c.public_id, c.title,
                        (SELECT s.kind FROM call_stages s WHERE s.call_id = c.id AND s.starts_at <= $1 AND s.ends_at >= $1
                         ORDER BY s.position LIMIT 1) AS stage,
                        a.title AS axis
                 FROM calls c LEFT JOIN call_axes a ON a.call_id = c.id
                 WHERE c.state = 'published'
                 ORDER BY c.created_at DESC, c.id DESC, a.position",
            )
            .bind(now)
            .fetch_all(p)
            .await?
        });
        let mut out: Vec<(CallId, CallSummary)> = Vec::new();
        for r in rows {
            if out.last().is_none_or(|(id, _)| *id != r.id) {
                let summary = CallSummary {
                    public_id: r.public_id,
                    title: r.title,
                    current_stage: r
                        .stage
                        .as_deref()
                        .map(|k| decode("call_stages.kind", k, StageKind::parse))
                        .transpose()?,
                    axes: Vec::new(),
                };
                out.push((r.id, summary));
            }
            if let (Some((_, s)), Some(axis)) = (out.last_mut(), r.axis) {
                s.axes.push(axis);
            }
        }
        Ok(out.into_iter().map(|(_, s)| s).collect())
    }
}
