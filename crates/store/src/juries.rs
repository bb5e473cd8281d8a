//! Juries of judged stages: settings and criteria, judges, assignments, rubric reviews and
//! pairwise comparisons. What a judge reads goes through [`JurorView`](crate::access::JurorView);
//! these methods are for those who run calls and for the ranking.
//!
//! Every change appends to the audit log in the same transaction. A submitted review's entry
//! carries its scores and overall score, and a comparison's its winner and loser, so a stage's
//! ranking can be recomputed from the log alone.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, decode, now};
use hamafza_core::audit::Action;
use hamafza_core::ids::{CallId, IdeaId, OrgUnitId, StageId, UserId};
use hamafza_core::judging::criteria::{Criterion, Scale};
use hamafza_core::judging::jury::{JurySettings, Mode};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;

/// A judged stage's jury as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Jury {
    pub stage_id: StageId,
    pub call_id: CallId,
    pub settings: JurySettings,
    /// Whether any review was submitted or comparison made: the mode and criteria are fixed then.
    pub started: bool,
}

/// A judge on a jury, with their work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Juror {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub org_unit_id: Option<OrgUnitId>,
    /// Open assignments, and of those the ones with a submitted review.
    pub assigned: i64,
    pub done: i64,
    /// Comparisons made (pairwise mode).
    pub comparisons: i64,
}

/// Why an assignment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ending {
    /// The judge passed it on (e.g. outside their expertise).
    Skipped,
    /// The judge declared a conflict of interest.
    Conflict,
    /// The secretariat took it back.
    Withdrawn,
}

impl Ending {
    pub fn as_str(self) -> &'static str {
        match self {
            Ending::Skipped => "skipped",
            Ending::Conflict => "conflict",
            Ending::Withdrawn => "withdrawn",
        }
    }
}

/// The ideas a stage judges and what assignment needs to know of them: who wrote each (lead and
/// accepted teammates) and their units. Indices are the store's order: by submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StageIdeas {
    pub ideas: Vec<IdeaId>,
    /// `current[i]`: the idea is at the stage now (accepted into it, not yet moved on or
    /// turned down there): only these are assigned to judges.
    pub current: Vec<bool>,
    /// `people[i]`: the author and accepted teammates of `ideas[i]`.
    pub people: Vec<Vec<UserId>>,
    /// `units[i]`: their org units.
    pub units: Vec<Vec<OrgUnitId>>,
}

/// Every (idea, judge) pair of a stage that was ever assigned, open or ended, with its state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssignmentRow {
    pub id: i64,
    pub public_id: String,
    pub idea_id: IdeaId,
    pub judge_id: UserId,
    pub state: String,
}

/// A submitted review, for the ranking.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SubmittedReview {
    pub idea_id: IdeaId,
    pub judge_id: UserId,
    pub overall: f64,
    pub comment: String,
    pub note: String,
    pub submitted_at: UnixSeconds,
}

/// A comparison, for the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredComparison {
    pub judge_id: UserId,
    pub winner_id: IdeaId,
    pub loser_id: IdeaId,
}

#[derive(sqlx::FromRow)]
struct JuryRow {
    stage_id: StageId,
    call_id: CallId,
    mode: String,
    reviews_per_idea: i64,
    blind: bool,
    unit_conflict: bool,
    started: bool,
}

#[derive(sqlx::FromRow)]
struct CriterionRow {
    name: String,
    weight: i64,
    scale: String,
}

/// The `stage_id` column's stage is judged: its call, and whether any judgment was made.
const JURY_COLUMNS: &str =
    "j.stage_id, s.call_id, j.mode, j.reviews_per_idea, j.blind, j.unit_conflict,
     (EXISTS (SELECT 1 FROM assignments a JOIN reviews r ON r.assignment_id = a.id
              WHERE a.stage_id = j.stage_id AND r.submitted_at IS NOT NULL)
      OR EXISTS (SELECT 1 FROM comparisons c WHERE c.stage_id = j.stage_id)) AS started";

/// A new open assignment `($1 public id, $2 stage, $3 idea, $4 judge, $5 at)`, last in the judge's
/// reading order of the stage.
const INSERT_ASSIGNMENT: &str = "INSERT INTO assignments
      (public_id, stage_id, idea_id, judge_id, position, state, created_at)
    VALUES ($1, $2, $3, $4,
      (SELECT COALESCE(MAX(position), 0) + 1 FROM assignments WHERE stage_id = $2 AND judge_id = $4),
      'open', $5)";

/// A pair assigned before (open or ended) is `Conflict("assigned")`: a judge never gets an idea
/// of a stage twice.
fn already_assigned(e: sqlx::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(_) => StoreError::Conflict("assigned".into()),
        other => other,
    }
}

/// A new assignment's public id: what a judge's URLs carry instead of the idea's.
fn assignment_public_id() -> String {
    crate::calls::new_public_id()
}

impl Store {
    /// The jury of `stage_id`, or `None` when the stage has none yet.
    pub async fn jury(&self, stage_id: StageId) -> StoreResult<Option<Jury>> {
        let row: Option<JuryRow> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {JURY_COLUMNS} FROM juries j JOIN call_stages s ON s.id = j.stage_id
                 WHERE j.stage_id = $1"
            ))
            .bind(stage_id)
            .fetch_optional(p)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let criteria: Vec<CriterionRow> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT name, weight, scale FROM jury_criteria WHERE stage_id = $1 ORDER BY position",
            )
            .bind(stage_id)
            .fetch_all(p)
            .await?
        });
        let criteria = criteria
            .into_iter()
            .map(|c| {
                let scale: Scale = decode("jury_criteria.scale", &c.scale, |s| {
                    serde_json::from_str(s).ok()
                })?;
                let weight = decode("jury_criteria.weight", &c.weight.to_string(), |w| {
                    w.parse().ok()
                })?;
                Ok(Criterion {
                    name: c.name,
                    weight,
                    scale,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Some(Jury {
            stage_id: row.stage_id,
            call_id: row.call_id,
            settings: JurySettings {
                mode: decode("juries.mode", &row.mode, Mode::parse)?,
                reviews_per_idea: decode(
                    "juries.reviews_per_idea",
                    &row.reviews_per_idea.to_string(),
                    |k| k.parse().ok(),
                )?,
                blind: row.blind,
                unit_conflict: row.unit_conflict,
                criteria,
            },
            started: row.started,
        }))
    }

    /// Sets the jury of `stage_id` (checked settings). Once a review was submitted or a
    /// comparison made, the mode and criteria are fixed: changing them is `Conflict("started")`;
    /// reviews per idea, blindness and the unit rule may still change.
    pub async fn save_jury(
        &self,
        stage_id: StageId,
        settings: &JurySettings,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        let before = self.jury(stage_id).await?;
        if let Some(before) = &before
            && before.started
            && (before.settings.mode != settings.mode
                || before.settings.criteria != settings.criteria)
        {
            return Err(StoreError::Conflict("started".into()));
        }
        let scales: Vec<String> = settings
            .criteria
            .iter()
            .map(|c| serde_json::to_string(&c.scale).expect("a scale serializes"))
            .collect();
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO juries (stage_id, mode, reviews_per_idea, blind, unit_conflict, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (stage_id) DO UPDATE SET mode = excluded.mode,
                   reviews_per_idea = excluded.reviews_per_idea, blind = excluded.blind,
                   unit_conflict = excluded.unit_conflict, updated_at = excluded.updated_at",
            )
            .bind(stage_id)
            .bind(settings.mode.as_str())
            .bind(i64::from(settings.reviews_per_idea))
            .bind(settings.blind)
            .bind(settings.unit_conflict)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM jury_criteria WHERE stage_id = $1")
                .bind(stage_id)
                .execute(&mut *tx)
                .await?;
            for (i, (c, scale)) in settings.criteria.iter().zip(&scales).enumerate() {
                sqlx::query(
                    "INSERT INTO jury_criteria (stage_id, position, name, weight, scale)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(stage_id)
                .bind(i as i64)
                .bind(c.name.trim())
                .bind(i64::from(c.weight))
                .bind(scale)
                .execute(&mut *tx)
                .await?;
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::JuryConfigure,
                entity_type: "stage",
                entity_id: stage_id.to_string(),
                data: json!({ "settings": settings }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Adds `add` to and takes `remove` off the jury of `stage_id`. A judge taken off keeps
    /// their submitted reviews; their open assignments without one are withdrawn.
    pub async fn set_jurors(
        &self,
        stage_id: StageId,
        add: &[UserId],
        remove: &[UserId],
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let t = now();
            for user in add {
                sqlx::query(
                    "INSERT INTO jurors (stage_id, user_id, added_at) VALUES ($1, $2, $3)
                     ON CONFLICT (stage_id, user_id) DO NOTHING",
                )
                .bind(stage_id)
                .bind(user)
                .bind(t)
                .execute(&mut *tx)
                .await?;
            }
            for user in remove {
                sqlx::query("DELETE FROM jurors WHERE stage_id = $1 AND user_id = $2")
                    .bind(stage_id)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE assignments SET state = 'withdrawn', reason = 'removed', ended_at = $3
                     WHERE stage_id = $1 AND judge_id = $2 AND state = 'open'
                       AND NOT EXISTS (SELECT 1 FROM reviews r
                                       WHERE r.assignment_id = assignments.id
                                         AND r.submitted_at IS NOT NULL)",
                )
                .bind(stage_id)
                .bind(user)
                .bind(t)
                .execute(&mut *tx)
                .await?;
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::JuryJurors,
                entity_type: "stage",
                entity_id: stage_id.to_string(),
                data: json!({ "added": add, "removed": remove }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The judges of `stage_id` with their open and done assignments, by name.
    pub async fn jurors(&self, stage_id: StageId) -> StoreResult<Vec<Juror>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT u.id AS user_id, u.username, u.display_name, u.org_unit_id,
                   (SELECT COUNT(*) FROM assignments a
                    WHERE a.stage_id = j.stage_id AND a.judge_id = u.id AND a.state = 'open') AS assigned,
                   (SELECT COUNT(*) FROM assignments a JOIN reviews r ON r.assignment_id = a.id
                    WHERE a.stage_id = j.stage_id AND a.judge_id = u.id AND a.state = 'open'
                      AND r.submitted_at IS NOT NULL) AS done,
                   (SELECT COUNT(*) FROM comparisons c
                    WHERE c.stage_id = j.stage_id AND c.judge_id = u.id) AS comparisons
                 FROM jurors j JOIN users u ON u.id = j.user_id
                 WHERE j.stage_id = $1 ORDER BY u.display_name, u.id",
            )
            .bind(stage_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Whether `user_id` sits on the jury of `stage_id`.
    pub async fn is_juror(&self, stage_id: StageId, user_id: UserId) -> StoreResult<bool> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM jurors WHERE stage_id = $1 AND user_id = $2",
            )
            .bind(stage_id)
            .bind(user_id)
            .fetch_one(p)
            .await?
        }) > 0)
    }

    /// The ideas a stage judges, in submission order: those that reached it — accepted into
    /// it or a later stage, or turned down at it — with their authors, accepted teammates and
    /// those people's units. An idea that moved on keeps its place in the stage's ranking.
    pub async fn stage_ideas(&self, stage_id: StageId) -> StoreResult<StageIdeas> {
        let rows: Vec<(IdeaId, bool, Option<UserId>, Option<OrgUnitId>)> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT i.id, (i.status = 'accepted' AND i.stage_position = s.position), u.id,
                   u.org_unit_id
                 FROM call_stages s
                 JOIN ideas i ON i.call_id = s.call_id
                   AND ((i.status = 'accepted' AND i.stage_position >= s.position)
                        OR (i.status = 'rejected' AND i.stage_position = s.position))
                 LEFT JOIN users u ON u.id = i.author_id
                    OR u.id IN (SELECT m.user_id FROM idea_members m
                                WHERE m.idea_id = i.id AND m.state = 'accepted')
                 WHERE s.id = $1
                 ORDER BY i.created_at, i.id, u.id",
            )
            .bind(stage_id)
            .fetch_all(p)
            .await?
        });
        let mut out = StageIdeas::default();
        for (idea, current, person, unit) in rows {
            if out.ideas.last() != Some(&idea) {
                out.ideas.push(idea);
                out.current.push(current);
                out.people.push(Vec::new());
                out.units.push(Vec::new());
            }
            if let Some(person) = person {
                out.people.last_mut().expect("pushed").push(person);
            }
            if let Some(unit) = unit {
                let units = out.units.last_mut().expect("pushed");
                if !units.contains(&unit) {
                    units.push(unit);
                }
            }
        }
        Ok(out)
    }

    /// Every assignment of `stage_id`, open or ended.
    pub async fn stage_assignments(&self, stage_id: StageId) -> StoreResult<Vec<AssignmentRow>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT id, public_id, idea_id, judge_id, state FROM assignments
                 WHERE stage_id = $1 ORDER BY id",
            )
            .bind(stage_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Records new assignments: `(idea, judge)` pairs, each judge's in the order given (their
    /// reading order follows their earlier ones). A pair assigned before, even if ended, is
    /// `Conflict("assigned")` and nothing is written.
    pub async fn assign(
        &self,
        stage_id: StageId,
        pairs: &[(IdeaId, UserId)],
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        if pairs.is_empty() {
            return Ok(());
        }
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let t = now();
            for (idea, judge) in pairs {
                sqlx::query(INSERT_ASSIGNMENT)
                    .bind(assignment_public_id())
                    .bind(stage_id)
                    .bind(idea)
                    .bind(judge)
                    .bind(t)
                    .execute(&mut *tx)
                    .await
                    .map_err(already_assigned)?;
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::JuryAssign,
                entity_type: "stage",
                entity_id: stage_id.to_string(),
                data: json!({ "pairs": pairs }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Ends the open assignment `assignment_id` (`ending`, with `reason`) and, when
    /// `replacement` is given, assigns the idea to that judge in the same transaction. An
    /// assignment already ended is `Conflict("ended")`; one with a submitted review may only be
    /// withdrawn (the review then no longer counts).
    pub async fn end_assignment(
        &self,
        assignment_id: i64,
        ending: Ending,
        reason: &str,
        replacement: Option<UserId>,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let t = now();
            let row: Option<(StageId, IdeaId, UserId, bool)> = sqlx::query_as(
                "SELECT a.stage_id, a.idea_id, a.judge_id,
                   EXISTS (SELECT 1 FROM reviews r WHERE r.assignment_id = a.id
                           AND r.submitted_at IS NOT NULL)
                 FROM assignments a WHERE a.id = $1 AND a.state = 'open'",
            )
            .bind(assignment_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((stage_id, idea_id, judge_id, reviewed)) = row else {
                return Err(StoreError::Conflict("ended".into()));
            };
            if reviewed && ending != Ending::Withdrawn {
                return Err(StoreError::Conflict("reviewed".into()));
            }
            sqlx::query(
                "UPDATE assignments SET state = $2, reason = $3, ended_at = $4
                 WHERE id = $1 AND state = 'open'",
            )
            .bind(assignment_id)
            .bind(ending.as_str())
            .bind(reason)
            .bind(t)
            .execute(&mut *tx)
            .await?;
            if let Some(judge) = replacement {
                sqlx::query(INSERT_ASSIGNMENT)
                    .bind(assignment_public_id())
                    .bind(stage_id)
                    .bind(idea_id)
                    .bind(judge)
                    .bind(t)
                    .execute(&mut *tx)
                    .await
                    .map_err(already_assigned)?;
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::JuryReassign,
                entity_type: "stage",
                entity_id: stage_id.to_string(),
                data: json!({
                    "idea_id": idea_id, "judge_id": judge_id, "ending": ending,
                    "reason": reason, "replacement": replacement,
                }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The submitted reviews of open assignments of `stage_id`: what the ranking counts.
    pub async fn stage_reviews(&self, stage_id: StageId) -> StoreResult<Vec<SubmittedReview>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT a.idea_id, a.judge_id, r.overall, r.comment, r.note, r.submitted_at
                 FROM assignments a JOIN reviews r ON r.assignment_id = a.id
                 WHERE a.stage_id = $1 AND a.state = 'open' AND r.submitted_at IS NOT NULL
                   AND r.overall IS NOT NULL
                 ORDER BY a.idea_id, a.judge_id",
            )
            .bind(stage_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// The comparisons of `stage_id`, oldest first.
    pub async fn stage_comparisons(&self, stage_id: StageId) -> StoreResult<Vec<StoredComparison>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT judge_id, winner_id, loser_id FROM comparisons
                 WHERE stage_id = $1 ORDER BY id",
            )
            .bind(stage_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Records that `judge_id` picked `winner` over `loser` in `stage_id`. The caller has checked
    /// that both ideas are the stage's and the judge sits on its jury.
    pub async fn add_comparison(
        &self,
        stage_id: StageId,
        judge_id: UserId,
        winner: IdeaId,
        loser: IdeaId,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(
                "INSERT INTO comparisons (stage_id, judge_id, winner_id, loser_id, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(stage_id)
            .bind(judge_id)
            .bind(winner)
            .bind(loser)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            tx.append_audit(NewAudit {
                actor_id: Some(judge_id),
                action: Action::ComparisonAdd,
                entity_type: "stage",
                entity_id: stage_id.to_string(),
                data: json!({ "winner": winner, "loser": loser, "judge_id": judge_id }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Closes a judged stage's shortlisting in one transaction: each of `advance` moves on
    /// (accepted into the next judged stage), each of `(idea, message)` in `decline` is turned
    /// down with its message (the jury's comments for its authors), and `record` (the ranking's
    /// top N, the deviations and their reason) is appended to the audit log as `jury.shortlist`.
    /// Each idea must still be where it was read (`place`): otherwise `Conflict("changed")` and
    /// nothing is written. `stages` is the call's pipeline.
    pub async fn shortlist(
        &self,
        stage_id: StageId,
        stages: &[hamafza_core::call::StageKind],
        advance: &[hamafza_core::idea::Idea],
        decline: &[(hamafza_core::idea::Idea, String)],
        record: serde_json::Value,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        use crate::screening::ScreenConn;
        use hamafza_core::idea::Transition;
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            for idea in advance {
                let to = Transition::Accept
                    .plan(idea.place(), stages)
                    .ok_or_else(|| StoreError::Conflict("changed".into()))?;
                if !tx.move_idea(idea, idea.place(), to, "", actor_id).await? {
                    return Err(StoreError::Conflict("changed".into()));
                }
            }
            for (idea, message) in decline {
                let to = Transition::Reject
                    .plan(idea.place(), stages)
                    .ok_or_else(|| StoreError::Conflict("changed".into()))?;
                if !tx
                    .move_idea(idea, idea.place(), to, message, actor_id)
                    .await?
                {
                    return Err(StoreError::Conflict("changed".into()));
                }
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::JuryShortlist,
                entity_type: "stage",
                entity_id: stage_id.to_string(),
                data: record.clone(),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The call a stage belongs to; `None` for an unknown stage.
    pub async fn call_of_stage(&self, stage_id: StageId) -> StoreResult<Option<CallId>> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar("SELECT call_id FROM call_stages WHERE id = $1")
                .bind(stage_id)
                .fetch_optional(p)
                .await?
        }))
    }

    /// Public id, tracking code and title of each of `ids` (for the secretariat's ranking), in
    /// no particular order; unknown ids are left out.
    pub async fn idea_labels(&self, ids: &[IdeaId]) -> StoreResult<Vec<IdeaLabel>> {
        let mut out = Vec::with_capacity(ids.len());
        // In chunks, to stay under both backends' limits on bound parameters.
        for chunk in ids.chunks(500) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, public_id, tracking_code, title FROM ideas WHERE id IN ({})",
                marks.join(", ")
            );
            let rows: Vec<IdeaLabel> = db_read!(self, |p| {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(p).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }
}

/// How the secretariat's ranking names an idea.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdeaLabel {
    pub id: IdeaId,
    pub public_id: String,
    pub tracking_code: String,
    pub title: String,
}
