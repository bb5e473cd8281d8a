//! Drafts of an idea: one per (user, call), the form's fields as JSON, saved as the participant
//! types (autosave) or with the "save draft" button, restored on the submission page and deleted
//! by a successful submission (in its transaction).

use crate::{Store, StoreResult, db_read, db_write, now};
use hamafza_core::ids::{CallId, UserId};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use sqlx::{PgConnection, SqliteConnection};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Draft {
    /// The form's fields, as the browser sent them.
    pub data: serde_json::Value,
    pub updated_at: UnixSeconds,
}

#[derive(sqlx::FromRow)]
struct DraftRow {
    data: String,
    updated_at: UnixSeconds,
}

/// Deletes a draft inside the caller's transaction.
pub(crate) trait DraftConn {
    async fn delete_draft(&mut self, user_id: UserId, call_id: CallId) -> StoreResult<()>;
}

macro_rules! delete_body {
    ($conn:expr, $user:expr, $call:expr) => {{
        sqlx::query("DELETE FROM idea_drafts WHERE user_id = $1 AND call_id = $2")
            .bind($user)
            .bind($call)
            .execute(&mut *$conn)
            .await?;
        Ok(())
    }};
}

impl DraftConn for SqliteConnection {
    async fn delete_draft(&mut self, user_id: UserId, call_id: CallId) -> StoreResult<()> {
        delete_body!(self, user_id, call_id)
    }
}

impl DraftConn for PgConnection {
    async fn delete_draft(&mut self, user_id: UserId, call_id: CallId) -> StoreResult<()> {
        delete_body!(self, user_id, call_id)
    }
}

impl Store {
    /// Saves (replaces) the draft; returns when it was saved.
    pub async fn save_draft(
        &self,
        user_id: UserId,
        call_id: CallId,
        data: &serde_json::Value,
    ) -> StoreResult<UnixSeconds> {
        let at = now();
        db_write!(self, |p| {
            sqlx::query(
                "INSERT INTO idea_drafts (user_id, call_id, data, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, call_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            )
            .bind(user_id)
            .bind(call_id)
            .bind(data.to_string())
            .bind(at)
            .execute(p)
            .await?;
        });
        Ok(at)
    }

    pub async fn draft(&self, user_id: UserId, call_id: CallId) -> StoreResult<Option<Draft>> {
        let row: Option<DraftRow> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT data, updated_at FROM idea_drafts WHERE user_id = $1 AND call_id = $2",
            )
            .bind(user_id)
            .bind(call_id)
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(|r| Draft {
            data: serde_json::from_str(&r.data).unwrap_or(serde_json::Value::Null),
            updated_at: r.updated_at,
        }))
    }

    /// Deletes the draft; whether there was one.
    pub async fn delete_draft(&self, user_id: UserId, call_id: CallId) -> StoreResult<bool> {
        let n = db_write!(self, |p| {
            sqlx::query("DELETE FROM idea_drafts WHERE user_id = $1 AND call_id = $2")
                .bind(user_id)
                .bind(call_id)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }
}
