//! Reusable reasons for rejecting ideas.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, now};
use hamafza_core::audit::Action;
use hamafza_core::ids::{TemplateId, UserId};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;

/// A reusable reason for rejecting ideas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct RejectionTemplate {
    pub id: TemplateId,
    pub title: String,
    pub body: String,
    pub updated_at: UnixSeconds,
}

impl Store {
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

    pub async fn rejection_template(&self, id: TemplateId) -> StoreResult<RejectionTemplate> {
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
        id: Option<TemplateId>,
        title: &str,
        body: &str,
        actor_id: Option<UserId>,
    ) -> StoreResult<RejectionTemplate> {
        let at = now();
        let id: TemplateId = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let id: TemplateId = match id {
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
                action: Action::RejectionTemplateSave,
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
        id: TemplateId,
        actor_id: Option<UserId>,
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
                action: Action::RejectionTemplateDelete,
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
