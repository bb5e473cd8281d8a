//! Personal API tokens (`Authorization: Bearer …`). Like sessions, only the SHA-256 is stored.
//! A person holds at most [`LIVE_TOKENS_MAX`] live tokens; changing the password or disabling
//! the account revokes them all.

use crate::audit::{AuditConn, NewAudit};
use crate::sessions::SEEN_EVERY_SECS;
use crate::users::{USER_COLUMNS, UserRow, fold_users};
use crate::{Backend, Store, StoreError, StoreResult, db_read, db_write, now};
use hamafza_core::account::User;
use hamafza_core::audit::Action;
use hamafza_core::ids::{TokenId, UserId};
use hamafza_core::limits::LIVE_TOKENS_MAX;
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub created_at: UnixSeconds,
    pub last_used_at: Option<UnixSeconds>,
    pub expires_at: Option<UnixSeconds>,
    pub revoked_at: Option<UnixSeconds>,
}

impl ApiToken {
    /// Neither revoked nor past its expiry at `now` (Unix seconds).
    pub fn is_live(&self, now: UnixSeconds) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

#[derive(sqlx::FromRow)]
struct UsedUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    used: Option<UnixSeconds>,
}

impl Store {
    /// Creates a token for `user_id`. `Conflict("tokens")` when the user already holds
    /// [`LIVE_TOKENS_MAX`] live tokens (counted under a lock on the user, so parallel requests
    /// cannot pass the limit together).
    pub async fn create_api_token(
        &self,
        user_id: UserId,
        name: &str,
        token_hash: &str,
        expires_at: Option<UnixSeconds>,
    ) -> StoreResult<ApiToken> {
        let at = now();
        let id: TokenId = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            if self.backend() == Backend::Postgres {
                // SQLite has one writer; PostgreSQL needs the user's row locked for the count.
                sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let live: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL
                   AND (expires_at IS NULL OR expires_at > $2)",
            )
            .bind(user_id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            if live >= LIVE_TOKENS_MAX {
                return Err(StoreError::Conflict("tokens".into()));
            }
            let id: TokenId = sqlx::query_scalar(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(at)
            .bind(expires_at)
            .fetch_one(&mut *tx)
            .await?;
            tx.append_audit(NewAudit {
                actor_id: Some(user_id),
                action: Action::ApiTokenCreate,
                entity_type: "api_token",
                entity_id: id.to_string(),
                data: json!({ "name": name }),
            })
            .await?;
            tx.commit().await?;
            id
        });
        Ok(ApiToken {
            id,
            name: name.to_string(),
            created_at: at,
            last_used_at: None,
            expires_at,
            revoked_at: None,
        })
    }

    /// The enabled user a live token belongs to; notes the token's use at most once an hour, in
    /// the background (see `session_user`).
    pub async fn token_user(
        &self,
        token_hash: &str,
        now: UnixSeconds,
    ) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.last_used_at AS used FROM api_tokens t JOIN users u ON u.id = t.user_id
             LEFT JOIN user_roles r ON r.user_id = u.id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)
               AND NOT u.disabled ORDER BY u.id"
        );
        let rows: Vec<UsedUserRow> = db_read!(self, |p| {
            sqlx::query_as(&sql)
                .bind(token_hash)
                .bind(now)
                .fetch_all(p)
                .await?
        });
        let Some(used) = rows.first().map(|r| r.used) else {
            return Ok(None);
        };
        if used.is_none_or(|u| u <= now - SEEN_EVERY_SECS) {
            self.note_use_in_background(
                "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2",
                now,
                token_hash,
            );
        }
        Ok(fold_users(rows.into_iter().map(|r| r.user).collect()).pop())
    }

    /// A user's tokens, newest first, revoked ones included (so the page can show them).
    pub async fn api_tokens(&self, user_id: UserId) -> StoreResult<Vec<ApiToken>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT id, name, created_at, last_used_at, expires_at, revoked_at FROM api_tokens
                 WHERE user_id = $1 ORDER BY id DESC",
            )
            .bind(user_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Revokes one of `user_id`'s tokens; someone else's token is `NotFound`.
    pub async fn revoke_api_token(&self, user_id: UserId, token_id: TokenId) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            )
            .bind(now())
            .bind(token_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            tx.append_audit(NewAudit {
                actor_id: Some(user_id),
                action: Action::ApiTokenRevoke,
                entity_type: "api_token",
                entity_id: token_id.to_string(),
                data: json!({}),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}
