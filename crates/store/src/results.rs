//! A call's results: ranked winners and "jury's choice" commendations.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, decode, now};
use hamafza_core::audit::Action;
use hamafza_core::ids::{CallId, IdeaId, UserId};
use serde::Serialize;
use serde_json::json;

/// The two kinds of award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Award {
    Winner,
    /// برگزیدهٔ هیئت داوران.
    JuryChoice,
}

impl Award {
    pub fn as_str(self) -> &'static str {
        match self {
            Award::Winner => "winner",
            Award::JuryChoice => "jury_choice",
        }
    }

    pub fn parse(s: &str) -> Option<Award> {
        [Award::Winner, Award::JuryChoice]
            .into_iter()
            .find(|a| a.as_str() == s.trim())
    }
}

/// One awarded idea, as the results page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultRow {
    pub award: Award,
    pub rank: i64,
    pub idea_id: IdeaId,
    pub idea_public_id: String,
    pub title: String,
    /// The author's name: the account's, or the one a paper or booth form gave.
    pub author: Option<String>,
    pub unit: Option<String>,
    /// Everyone else the award honours, in order: the accepted teammates, then the authors of
    /// duplicates merged into the idea (and whoever was credited on those).
    pub credited: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    award: String,
    rank: i64,
    idea_id: IdeaId,
    public_id: String,
    title: String,
    author: Option<String>,
    unit: Option<String>,
}

impl Store {
    /// Replaces a call's results with `awards` (idea id, award, rank). Ideas must belong to the call.
    pub async fn set_results(
        &self,
        call_id: CallId,
        awards: &[(IdeaId, Award, i64)],
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        let call = self.call(call_id).await?;
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM call_results WHERE call_id = $1")
                .bind(call_id)
                .execute(&mut *tx)
                .await?;
            for (idea_id, award, rank) in awards {
                let n = sqlx::query(
                    "INSERT INTO call_results (call_id, idea_id, award, rank)
                     SELECT $1, id, $3, $4 FROM ideas WHERE id = $2 AND call_id = $1",
                )
                .bind(call_id)
                .bind(idea_id)
                .bind(award.as_str())
                .bind(rank)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound);
                }
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::CallResults,
                entity_type: "call",
                entity_id: call.public_id.clone(),
                data: json!({ "awards": awards.iter().map(|(i, a, r)| json!({ "idea_id": i, "award": a.as_str(), "rank": r })).collect::<Vec<_>>() }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The position of the furthest stage any accepted idea of the call reached: its ideas are
    /// the finalists, the only ones results may award. `None` before any idea was accepted.
    pub async fn finalist_stage(&self, call_id: CallId) -> StoreResult<Option<i64>> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar(
                "SELECT MAX(stage_position) FROM ideas WHERE call_id = $1 AND status = 'accepted'",
            )
            .bind(call_id)
            .fetch_one(p)
            .await?
        }))
    }

    /// Makes the results public. Publishing results already public changes nothing and tells
    /// nobody again (a double click, or two secretaries at once, must not send every author a
    /// second SMS): only the write that sets the date records the event.
    pub async fn publish_results(
        &self,
        call_id: CallId,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        let call = self.call(call_id).await?;
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE calls SET results_published_at = $1
                 WHERE id = $2 AND results_published_at IS NULL",
            )
            .bind(now())
            .bind(call_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(());
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::CallResultsPublished,
                entity_type: "call",
                entity_id: call.public_id.clone(),
                data: json!({}),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// A call's awards: winners by rank, then jury's choice by rank.
    pub async fn results(&self, call_id: CallId) -> StoreResult<Vec<ResultRow>> {
        let rows: Vec<Row> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT r.award, r.rank, i.id AS idea_id, i.public_id, i.title,
                        COALESCE(u.display_name, NULLIF(i.submitter_name, '')) AS author, o.name_fa AS unit
                 FROM call_results r JOIN ideas i ON i.id = r.idea_id
                 LEFT JOIN users u ON u.id = i.author_id LEFT JOIN org_units o ON o.id = u.org_unit_id
                 WHERE r.call_id = $1 ORDER BY CASE r.award WHEN 'winner' THEN 0 ELSE 1 END, r.rank",
            )
            .bind(call_id)
            .fetch_all(p)
            .await?
        });
        let credits: Vec<(IdeaId, Option<UserId>, String)> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT m.idea_id, u.id AS user_id, u.display_name, CAST(0 AS BIGINT) AS source, m.invited_at AS at, u.id AS tie
                 FROM idea_members m JOIN users u ON u.id = m.user_id
                 JOIN call_results r ON r.idea_id = m.idea_id
                 WHERE r.call_id = $1 AND m.state = 'accepted'
                 UNION ALL
                 SELECT c.idea_id, c.user_id, c.name, 1, c.created_at, c.from_idea_id
                 FROM idea_credits c JOIN call_results r ON r.idea_id = c.idea_id
                 JOIN ideas i ON i.id = c.idea_id
                 WHERE r.call_id = $1 AND {}
                 ORDER BY source, at, tie",
                crate::screening::merge::NOT_THE_AUTHOR
            ))
            .bind(call_id)
            .fetch_all(p)
            .await?
            .into_iter()
            .map(
                |(id, user, name, _, _, _): (IdeaId, Option<UserId>, String, i64, i64, i64)| {
                    (id, user, name)
                },
            )
            .collect()
        });
        rows.into_iter()
            .map(|r| {
                // Each person once: a teammate who also wrote a merged repeat is one name.
                let mut seen = Vec::new();
                let credited = credits
                    .iter()
                    .filter(|(id, user, name)| {
                        *id == r.idea_id
                            && !name.is_empty()
                            && crate::screening::merge::first_time(&mut seen, *user, name)
                    })
                    .map(|(_, _, name)| name.clone())
                    .collect();
                Ok(ResultRow {
                    credited,
                    award: decode("call_results.award", &r.award, Award::parse)?,
                    rank: r.rank,
                    idea_id: r.idea_id,
                    idea_public_id: r.public_id,
                    title: r.title,
                    author: r.author,
                    unit: r.unit,
                })
            })
            .collect()
    }
}
