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
    pub author: Option<String>,
    pub unit: Option<String>,
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

    /// Makes the results public.
    pub async fn publish_results(
        &self,
        call_id: CallId,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        let call = self.call(call_id).await?;
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE calls SET results_published_at = $1 WHERE id = $2")
                .bind(now())
                .bind(call_id)
                .execute(&mut *tx)
                .await?;
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
                "SELECT r.award, r.rank, i.id AS idea_id, i.public_id, i.title, u.display_name AS author, o.name_fa AS unit
                 FROM call_results r JOIN ideas i ON i.id = r.idea_id
                 LEFT JOIN users u ON u.id = i.author_id LEFT JOIN org_units o ON o.id = u.org_unit_id
                 WHERE r.call_id = $1 ORDER BY CASE r.award WHEN 'winner' THEN 0 ELSE 1 END, r.rank",
            )
            .bind(call_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(ResultRow {
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
