//! Free tags per call.

use super::ScreenConn;
use crate::{Store, StoreResult, db_read, db_write};
use hamafza_core::idea::Idea;
use hamafza_core::ids::{CallId, IdeaId, TagId, UserId};
use serde::Serialize;

/// A free tag of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Tag {
    pub id: TagId,
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

impl Store {
    /// The tags used in a call, by name.
    pub async fn tags_of_call(&self, call_id: CallId) -> StoreResult<Vec<Tag>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as("SELECT id, name FROM call_tags WHERE call_id = $1 ORDER BY name_norm")
                .bind(call_id)
                .fetch_all(p)
                .await?
        }))
    }

    /// The tags of each of `idea_ids`, as (idea id, tag) pairs ordered by name.
    pub async fn tags_of_ideas(&self, idea_ids: &[IdeaId]) -> StoreResult<Vec<(IdeaId, Tag)>> {
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
        let rows: Vec<(IdeaId, TagId, String)> = db_read!(self, |p| {
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
        actor_id: Option<UserId>,
    ) -> StoreResult<TagChange> {
        Ok(db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let change = tx.retag(idea, add, remove, actor_id).await?;
            tx.commit().await?;
            change
        }))
    }
}
