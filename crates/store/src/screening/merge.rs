//! Merging duplicates: the duplicate points at the kept idea, and both authors stay credited.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, now};
use hamafza_core::audit::Action;
use hamafza_core::idea::Idea;
use hamafza_core::idea::IdeaStatus;
use hamafza_core::ids::{CallId, IdeaId, UserId};
use serde::Serialize;
use serde_json::json;

/// Someone credited on a kept idea because their idea was merged into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Credit {
    pub from_idea_id: IdeaId,
    pub user_id: Option<UserId>,
    pub name: String,
}

impl Store {
    /// Marks `duplicate` as a duplicate of `kept` (same call): it points at the kept idea, and
    /// its author (and anyone credited on it) is credited on the kept idea. `Conflict` when the
    /// duplicate's status changed meanwhile, or the two cannot be merged.
    pub async fn merge_ideas(
        &self,
        duplicate: &Idea,
        kept: &Idea,
        actor_id: Option<UserId>,
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
                action: Action::IdeaMerge,
                entity_type: "idea",
                entity_id: duplicate.public_id.clone(),
                data: json!({ "into": kept.public_id }),
            })
            .await?;
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::IdeaAbsorb,
                entity_type: "idea",
                entity_id: kept.public_id.clone(),
                data: json!({ "from": duplicate.public_id }),
            })
            .await?;
            tx.commit().await?;
        });
        self.idea(duplicate.id).await
    }

    /// Who is credited on an idea besides its author, in the order they were merged, each once
    /// (an author who merged a repeat of their own idea, or whose two ideas were merged into
    /// another, is not listed twice).
    pub async fn credits(&self, idea_id: IdeaId) -> StoreResult<Vec<Credit>> {
        let rows: Vec<Credit> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT c.from_idea_id, c.user_id, c.name FROM idea_credits c
                 JOIN ideas i ON i.id = c.idea_id
                 WHERE c.idea_id = $1 AND {NOT_THE_AUTHOR}
                 ORDER BY c.created_at, c.from_idea_id"
            ))
            .bind(idea_id)
            .fetch_all(p)
            .await?
        });
        let mut seen = Vec::new();
        Ok(rows
            .into_iter()
            .filter(|c| first_time(&mut seen, c.user_id, &c.name))
            .collect())
    }

    /// Credited names per idea of a call, for exports: (idea id, name).
    pub async fn credits_of_call(&self, call_id: CallId) -> StoreResult<Vec<(IdeaId, String)>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT c.idea_id, c.name FROM idea_credits c JOIN ideas i ON i.id = c.idea_id
                     WHERE i.call_id = $1 AND {NOT_THE_AUTHOR}
                     ORDER BY c.idea_id, c.created_at, c.from_idea_id"
            ))
            .bind(call_id)
            .fetch_all(p)
            .await?
        }))
    }
}

/// The condition (over `idea_credits c` joined to its `ideas i`) that leaves out a credit to the
/// idea's own author.
pub(crate) const NOT_THE_AUTHOR: &str =
    "(c.user_id IS NULL OR i.author_id IS NULL OR c.user_id <> i.author_id)";

/// Whether the person (`user`, or by `name` when they have no account) is not in `seen` yet;
/// records them.
pub(crate) fn first_time(
    seen: &mut Vec<(Option<UserId>, String)>,
    user: Option<UserId>,
    name: &str,
) -> bool {
    let dup = seen.iter().any(|(u, n)| match (user, u) {
        (Some(a), Some(b)) => a == *b,
        _ => n == name,
    });
    if !dup {
        seen.push((user, name.to_string()));
    }
    !dup
}
