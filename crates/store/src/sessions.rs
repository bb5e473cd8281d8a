//! Sign-in sessions, kept in the database so any app node can serve any request. The cookie holds
//! a random token; only its SHA-256 is stored, so a copy of the database cannot be replayed.
//!
//! A person sees their own sessions on the settings page and may end any of them. A session is
//! named there by a *handle*: the first 16 hex digits of its hash, which says nothing about the
//! cookie and is only ever shown to the session's owner.

use crate::audit::{AuditConn, NewAudit};
use crate::users::{USER_COLUMNS, UserRow, fold_users};
use crate::{Store, StoreError, StoreResult, db_read, db_write};
use hamafza_core::account::User;
use hamafza_core::audit::Action;
use hamafza_core::ids::UserId;
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;

/// How often "last seen" is written: at most once an hour per session or token, so that a busy
/// person costs one write an hour rather than one per request.
pub const SEEN_EVERY_SECS: i64 = 3600;

/// Hex digits of the hash that name a session to its owner.
const HANDLE_LEN: usize = 16;

/// Where a session was started from, recorded when it starts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionClient {
    /// Browser and system, e.g. "Chrome · Windows 10" (a summary, never the raw User-Agent).
    pub device: Option<String>,
    /// The client address as the server saw it.
    pub ip: Option<String>,
}

/// One live session of a user, as the settings page and `GET /api/v1/auth/sessions` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SessionInfo {
    /// Names the session to its owner (not the cookie, nor enough to find it).
    pub handle: String,
    /// Unix seconds.
    pub created_at: UnixSeconds,
    /// Unix seconds, to within [`SEEN_EVERY_SECS`]; `None` before the first hour's use.
    pub last_seen_at: Option<UnixSeconds>,
    /// Unix seconds.
    pub expires_at: UnixSeconds,
    pub device: Option<String>,
    pub ip: Option<String>,
}

/// The handle of the session hashed `id_hash`, to mark "this device" in a list.
pub fn session_handle(id_hash: &str) -> &str {
    id_hash.get(..HANDLE_LEN).unwrap_or(id_hash)
}

#[derive(sqlx::FromRow)]
struct SeenUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    seen: Option<UnixSeconds>,
}

impl Store {
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: UserId,
        now: UnixSeconds,
        expires_at: UnixSeconds,
        client: &SessionClient,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, device, ip, last_seen_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $3)",
            )
            .bind(id_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .bind(&client.device)
            .bind(&client.ip)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// The enabled user a live session belongs to: one round trip per request. At most once an
    /// hour it also notes that the session is in use, in the background: a busy or stalled writer
    /// must not hold up signed-in reading.
    pub async fn session_user(&self, id_hash: &str, now: UnixSeconds) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.last_seen_at AS seen FROM sessions s JOIN users u ON u.id = s.user_id
             LEFT JOIN user_roles r ON r.user_id = u.id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled ORDER BY u.id"
        );
        let rows: Vec<SeenUserRow> = db_read!(self, |p| {
            sqlx::query_as(&sql)
                .bind(id_hash)
                .bind(now)
                .fetch_all(p)
                .await?
        });
        let Some(seen) = rows.first().map(|r| r.seen) else {
            return Ok(None);
        };
        if seen.is_none_or(|s| s <= now - SEEN_EVERY_SECS) {
            self.note_use_in_background(
                "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2",
                now,
                id_hash,
            );
        }
        Ok(fold_users(rows.into_iter().map(|r| r.user).collect()).pop())
    }

    /// Runs `sql` (binding `now` and `key`) on the writer in a spawned task: notes of use are
    /// best-effort and must not hold up the read that found them due; a failure is logged.
    pub(crate) fn note_use_in_background(&self, sql: &'static str, now: UnixSeconds, key: &str) {
        let (store, key) = (self.clone(), key.to_string());
        tokio::spawn(async move {
            let noted: StoreResult<()> = async {
                db_write!(store, |p| {
                    sqlx::query(sql).bind(now).bind(&key).execute(p).await?;
                });
                Ok(())
            }
            .await;
            if let Err(e) = noted {
                tracing::warn!(error = %e, sql, "noting a use failed");
            }
        });
    }

    pub async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        db_write!(self, |p| {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// `user_id`'s live sessions, the most recently used first.
    pub async fn sessions_of(
        &self,
        user_id: UserId,
        now: UnixSeconds,
    ) -> StoreResult<Vec<SessionInfo>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT substr(id_hash, 1, 16) AS handle, created_at, last_seen_at, expires_at, device, ip
                 FROM sessions WHERE user_id = $1 AND expires_at > $2
                 ORDER BY COALESCE(last_seen_at, created_at) DESC, created_at DESC",
            )
            .bind(user_id)
            .bind(now)
            .fetch_all(p)
            .await?
        }))
    }

    /// Ends the session of `user_id` that `handle` names; anyone else's is `NotFound`.
    pub async fn end_session(&self, user_id: UserId, handle: &str) -> StoreResult<()> {
        if handle.len() != HANDLE_LEN || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::NotFound);
        }
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "DELETE FROM sessions WHERE user_id = $1 AND substr(id_hash, 1, 16) = $2",
            )
            .bind(user_id)
            .bind(handle.to_ascii_lowercase())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            tx.append_audit(NewAudit {
                actor_id: Some(user_id),
                action: Action::SessionEnd,
                entity_type: "user",
                entity_id: user_id.to_string(),
                data: json!({ "sessions": n }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Ends every session of `user_id` but the one hashed `keep` ("sign out everywhere else");
    /// returns how many ended.
    pub async fn end_other_sessions(&self, user_id: UserId, keep: &str) -> StoreResult<u64> {
        Ok(db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                .bind(user_id)
                .bind(keep)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                tx.append_audit(NewAudit {
                    actor_id: Some(user_id),
                    action: Action::SessionEnd,
                    entity_type: "user",
                    entity_id: user_id.to_string(),
                    data: json!({ "sessions": n }),
                })
                .await?;
            }
            tx.commit().await?;
            n
        }))
    }

    /// Removes expired sessions, rate-limit windows and one-time codes; returns rows removed.
    pub async fn prune_expired(&self, now: UnixSeconds) -> StoreResult<u64> {
        Ok(db_write!(self, |p| {
            let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(p)
                .await?
                .rows_affected();
            // Windows are at most a day long; anything older is dead.
            let b = sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
                .bind(now - 86_400)
                .execute(p)
                .await?
                .rows_affected();
            let c = sqlx::query("DELETE FROM otp_codes WHERE expires_at <= $1")
                .bind(now - 86_400)
                .execute(p)
                .await?
                .rows_affected();
            a + b + c
        }))
    }
}
