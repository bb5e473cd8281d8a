//! Sign-in sessions, kept in the database so any app node can serve any request. The cookie holds
//! a random token; only its SHA-256 is stored, so a copy of the database cannot be replayed.

use crate::users::{USER_COLUMNS, User, UserRow, fold_users};
use crate::{Store, StoreResult, db_read, db_write};

impl Store {
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            sqlx::query("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(id_hash)
                .bind(user_id)
                .bind(now)
                .bind(expires_at)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// The enabled user a live session belongs to: one round trip per request.
    pub async fn session_user(&self, id_hash: &str, now: i64) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
             LEFT JOIN user_roles r ON r.user_id = u.id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled ORDER BY u.id"
        );
        let rows: Vec<UserRow> = db_read!(self, |p| {
            sqlx::query_as(&sql)
                .bind(id_hash)
                .bind(now)
                .fetch_all(p)
                .await?
        });
        Ok(fold_users(rows).pop())
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

    /// Removes expired sessions, rate-limit windows and one-time codes; returns rows removed.
    pub async fn prune_expired(&self, now: i64) -> StoreResult<u64> {
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
