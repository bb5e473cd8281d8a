//! The store as a restricted viewer sees it (lldap's pattern): each view's queries carry the
//! viewer's filter in their own SQL, so whatever a handler asks, a view cannot return a row its
//! viewer may not see. Those who run calls use `Store` itself. A blind juror or a provincial
//! manager gets a view of the same shape.

use crate::ideas::{IDEA_COLUMNS, IdeaRow};
use crate::{Store, StoreResult, db_read, db_write};
use hamafza_core::idea::Idea;
use hamafza_core::ids::UserId;

/// What one participant may see: the ideas they lead (their author) or whose team they joined
/// (accepted). An invitation alone shows nothing.
pub struct MemberView<'a> {
    store: &'a Store,
    user_id: UserId,
}

impl Store {
    /// The store as participant `user_id` sees it.
    pub fn as_member(&self, user_id: UserId) -> MemberView<'_> {
        MemberView {
            store: self,
            user_id,
        }
    }
}

/// Rows the viewer leads or joined, as SQL over `ideas` with the viewer's id as `$2`.
const MEMBER_FILTER: &str = "(ideas.author_id = $2 OR EXISTS (SELECT 1 FROM idea_members m \
     WHERE m.idea_id = ideas.id AND m.user_id = $2 AND m.state = 'accepted'))";

impl MemberView<'_> {
    /// The idea with this public id, if the viewer leads it or joined its team; `None` for
    /// anyone else's, exactly as for an unknown id.
    pub async fn idea(&self, public_id: &str) -> StoreResult<Option<Idea>> {
        let store = self.store;
        let row: Option<IdeaRow> = db_read!(store, |p| {
            sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE public_id = $1 AND {MEMBER_FILTER}"
            ))
            .bind(public_id)
            .bind(self.user_id)
            .fetch_optional(p)
            .await?
        });
        row.map(Idea::try_from).transpose()
    }
}

/// What a judge may see: their own assignments, and of each idea only what cannot identify its
/// authors — title, text, axis, and attachments by number and type. No query here selects an
/// author, teammate, username, mobile, unit, province, tracking code or the idea's public id:
/// the types below have no field to put them in. Whether the jury is blind or not, the names a
/// non-blind jury may show are read separately ([`JurorView::authors`]), and only when the
/// caller holds a non-blind jury's assignment.
pub struct JurorView<'a> {
    store: &'a Store,
    judge_id: UserId,
}

impl Store {
    /// The store as judge `judge_id` sees it.
    pub fn as_juror(&self, judge_id: UserId) -> JurorView<'_> {
        JurorView {
            store: self,
            judge_id,
        }
    }
}

/// One of a judge's assignments, as their list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct JurorAssignment {
    /// The assignment's public id: the judge's URLs carry it, never the idea's.
    pub public_id: String,
    pub stage_id: hamafza_core::ids::StageId,
    /// The judge's reading order within the stage, from 1.
    pub position: i64,
    pub title: String,
    pub axis_title: String,
    /// `open`, `skipped`, `conflict` or `withdrawn`.
    pub state: String,
    /// `none`, `draft` or `submitted`.
    pub review: String,
    pub stage_ends_at: hamafza_core::time::UnixSeconds,
}

/// An assigned idea as a judge reads it, with their review so far.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlindIdea {
    pub assignment: JurorAssignment,
    /// Internal: to record the judge's review against; never shown.
    #[serde(skip)]
    pub assignment_id: i64,
    #[serde(skip)]
    pub idea_id: hamafza_core::ids::IdeaId,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
    /// Attachments by number: `(public id, mime type, size in bytes)`; names are left out, as
    /// a file's name often carries its author's.
    pub attachments: Vec<(String, String, i64)>,
    pub review: Option<ReviewDraft>,
}

/// A review as saved: `scores[i]` for criterion `i` (`None` where a draft has none yet).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReviewDraft {
    pub scores: Vec<Option<i32>>,
    pub comment: String,
    pub note: String,
    pub submitted_at: Option<hamafza_core::time::UnixSeconds>,
}

#[derive(sqlx::FromRow)]
struct BlindRow {
    #[sqlx(flatten)]
    assignment: JurorAssignment,
    assignment_id: i64,
    idea_id: hamafza_core::ids::IdeaId,
    problem: String,
    solution: String,
    benefits: String,
    resources: String,
    scores: Option<String>,
    comment: Option<String>,
    note: Option<String>,
    submitted_at: Option<hamafza_core::time::UnixSeconds>,
}

/// The columns of [`JurorAssignment`] over `assignments a`, `ideas i`, `call_axes x`,
/// `call_stages s` and `reviews r` (left-joined).
const JUROR_ASSIGNMENT_COLUMNS: &str = "a.public_id, a.stage_id, a.position, i.title,
    x.title AS axis_title, a.state,
    CASE WHEN r.submitted_at IS NOT NULL THEN 'submitted'
         WHEN r.assignment_id IS NOT NULL THEN 'draft' ELSE 'none' END AS review,
    s.ends_at AS stage_ends_at";

const JUROR_FROM: &str = "assignments a JOIN ideas i ON i.id = a.idea_id
    JOIN call_axes x ON x.id = i.axis_id JOIN call_stages s ON s.id = a.stage_id
    LEFT JOIN reviews r ON r.assignment_id = a.id";

impl JurorView<'_> {
    /// The judge's open assignments in `stage_id`, in their reading order.
    pub async fn queue(
        &self,
        stage_id: hamafza_core::ids::StageId,
    ) -> StoreResult<Vec<JurorAssignment>> {
        let store = self.store;
        Ok(db_read!(store, |p| {
            sqlx::query_as(&format!(
                "SELECT {JUROR_ASSIGNMENT_COLUMNS} FROM {JUROR_FROM}
                 WHERE a.judge_id = $1 AND a.stage_id = $2 AND a.state = 'open'
                 ORDER BY a.position"
            ))
            .bind(self.judge_id)
            .bind(stage_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// All the judge's open assignments, stage by stage in reading order.
    pub async fn assignments(&self) -> StoreResult<Vec<JurorAssignment>> {
        let store = self.store;
        Ok(db_read!(store, |p| {
            sqlx::query_as(&format!(
                "SELECT {JUROR_ASSIGNMENT_COLUMNS} FROM {JUROR_FROM}
                 WHERE a.judge_id = $1 AND a.state = 'open'
                 ORDER BY a.stage_id, a.position"
            ))
            .bind(self.judge_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// The assignment with this public id, if it is the judge's (open or ended); `None` for
    /// anyone else's, exactly as for an unknown id.
    pub async fn idea(&self, assignment: &str) -> StoreResult<Option<BlindIdea>> {
        let store = self.store;
        let row: Option<BlindRow> = db_read!(store, |p| {
            sqlx::query_as(&format!(
                "SELECT {JUROR_ASSIGNMENT_COLUMNS}, a.id AS assignment_id, a.idea_id,
                   v.problem, v.solution, v.benefits, v.resources,
                   r.scores, r.comment, r.note, r.submitted_at
                 FROM {JUROR_FROM}
                 JOIN idea_versions v ON v.idea_id = i.id AND v.version = i.version
                 WHERE a.public_id = $1 AND a.judge_id = $2"
            ))
            .bind(assignment)
            .bind(self.judge_id)
            .fetch_optional(p)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let attachments: Vec<(String, String, i64)> = db_read!(store, |p| {
            sqlx::query_as(
                "SELECT public_id, mime, size FROM idea_attachments WHERE idea_id = $1 ORDER BY id",
            )
            .bind(row.idea_id)
            .fetch_all(p)
            .await?
        });
        let review = match row.scores {
            Some(scores) => Some(ReviewDraft {
                scores: crate::decode("reviews.scores", &scores, |s| serde_json::from_str(s).ok())?,
                comment: row.comment.unwrap_or_default(),
                note: row.note.unwrap_or_default(),
                submitted_at: row.submitted_at,
            }),
            None => None,
        };
        Ok(Some(BlindIdea {
            assignment: row.assignment,
            assignment_id: row.assignment_id,
            idea_id: row.idea_id,
            problem: row.problem,
            solution: row.solution,
            benefits: row.benefits,
            resources: row.resources,
            attachments,
            review,
        }))
    }

    /// The names of the idea's author and accepted teammates, for a jury that is not blind. The
    /// caller must have checked that the assignment's jury is not blind.
    pub async fn authors(&self, idea: &BlindIdea) -> StoreResult<Vec<String>> {
        let store = self.store;
        Ok(db_read!(store, |p| {
            sqlx::query_scalar(
                "SELECT u.display_name FROM ideas i JOIN users u ON u.id = i.author_id
                 WHERE i.id = $1
                 UNION ALL
                 SELECT u.display_name FROM idea_members m JOIN users u ON u.id = m.user_id
                 WHERE m.idea_id = $1 AND m.state = 'accepted'",
            )
            .bind(idea.idea_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Saves the judge's review of the open assignment `assignment_id`, as a draft or
    /// submitted (`overall` set). Refused with `Conflict("closed")` once the stage has ended
    /// (a submitted review is frozen then), `Conflict("ended")` when the assignment is no longer
    /// open, `NotFound` when it is not the judge's. Submitting appends `review.submit` to the
    /// audit log with the scores, which a ranking replay reads.
    pub async fn save_review(
        &self,
        assignment_id: i64,
        draft: &ReviewDraft,
        overall: Option<f64>,
    ) -> StoreResult<()> {
        let store = self.store;
        let scores = serde_json::to_string(&draft.scores).expect("scores serialize");
        let t = crate::now();
        db_write!(store, |p| {
            let mut tx = p.begin().await?;
            let row: Option<(
                hamafza_core::ids::StageId,
                hamafza_core::ids::IdeaId,
                String,
                hamafza_core::time::UnixSeconds,
            )> = sqlx::query_as(
                "SELECT a.stage_id, a.idea_id, a.state, s.ends_at
                 FROM assignments a JOIN call_stages s ON s.id = a.stage_id
                 WHERE a.id = $1 AND a.judge_id = $2",
            )
            .bind(assignment_id)
            .bind(self.judge_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((stage_id, idea_id, state, ends_at)) = row else {
                return Err(crate::StoreError::NotFound);
            };
            if state != "open" {
                return Err(crate::StoreError::Conflict("ended".into()));
            }
            if t > ends_at {
                return Err(crate::StoreError::Conflict("closed".into()));
            }
            let submitted_at = overall.map(|_| t);
            sqlx::query(
                "INSERT INTO reviews (assignment_id, scores, overall, comment, note, submitted_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (assignment_id) DO UPDATE SET scores = excluded.scores,
                   overall = excluded.overall, comment = excluded.comment, note = excluded.note,
                   submitted_at = excluded.submitted_at, updated_at = excluded.updated_at",
            )
            .bind(assignment_id)
            .bind(&scores)
            .bind(overall)
            .bind(draft.comment.as_str())
            .bind(draft.note.as_str())
            .bind(submitted_at)
            .bind(t)
            .execute(&mut *tx)
            .await?;
            if let Some(overall) = overall {
                use crate::audit::AuditConn;
                tx.append_audit(crate::audit::NewAudit {
                    actor_id: Some(self.judge_id),
                    action: hamafza_core::audit::Action::ReviewSubmit,
                    entity_type: "stage",
                    entity_id: stage_id.to_string(),
                    data: serde_json::json!({
                        "idea_id": idea_id, "judge_id": self.judge_id,
                        "scores": draft.scores, "overall": overall,
                    }),
                })
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// An idea a judge compares in pairwise mode, as they may see it: no id but the idea's opaque
/// public id (what a comparison names), nothing identifying its authors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct PairIdea {
    pub public_id: String,
    #[serde(skip)]
    pub id: hamafza_core::ids::IdeaId,
    pub title: String,
    pub axis_title: String,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
}

/// A pairwise stage the judge sits on, with the comparisons they made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct PairwiseStage {
    pub stage_id: hamafza_core::ids::StageId,
    pub comparisons: i64,
    pub stage_ends_at: hamafza_core::time::UnixSeconds,
}

impl JurorView<'_> {
    /// Whether the judge sits on the jury of `stage_id`.
    pub async fn sits_on(&self, stage_id: hamafza_core::ids::StageId) -> StoreResult<bool> {
        self.store.is_juror(stage_id, self.judge_id).await
    }

    /// The pairwise juries the judge sits on, with how many comparisons they made in each.
    pub async fn pairwise_stages(&self) -> StoreResult<Vec<PairwiseStage>> {
        let store = self.store;
        Ok(db_read!(store, |p| {
            sqlx::query_as(
                "SELECT j.stage_id,
                   (SELECT COUNT(*) FROM comparisons c
                    WHERE c.stage_id = j.stage_id AND c.judge_id = j.user_id) AS comparisons,
                   s.ends_at AS stage_ends_at
                 FROM jurors j JOIN juries y ON y.stage_id = j.stage_id
                 JOIN call_stages s ON s.id = j.stage_id
                 WHERE j.user_id = $1 AND y.mode = 'pairwise'
                 ORDER BY j.stage_id",
            )
            .bind(self.judge_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// The ideas `ids` of a stage the judge sits on, as the judge may read them; ideas not at
    /// the stage, and any stage the judge does not sit on, give nothing.
    pub async fn stage_ideas(
        &self,
        stage_id: hamafza_core::ids::StageId,
        ids: &[hamafza_core::ids::IdeaId],
    ) -> StoreResult<Vec<PairIdea>> {
        let store = self.store;
        let mut out = Vec::new();
        for id in ids {
            let row: Option<PairIdea> = db_read!(store, |p| {
                sqlx::query_as(
                    "SELECT i.public_id, i.id, i.title, x.title AS axis_title,
                       v.problem, v.solution, v.benefits, v.resources
                     FROM jurors j JOIN call_stages s ON s.id = j.stage_id
                     JOIN ideas i ON i.call_id = s.call_id AND i.stage_position = s.position
                       AND i.status = 'accepted'
                     JOIN idea_versions v ON v.idea_id = i.id AND v.version = i.version
                     JOIN call_axes x ON x.id = i.axis_id
                     WHERE j.stage_id = $1 AND j.user_id = $2 AND i.id = $3",
                )
                .bind(stage_id)
                .bind(self.judge_id)
                .bind(id)
                .fetch_optional(p)
                .await?
            });
            out.extend(row);
        }
        Ok(out)
    }
}
