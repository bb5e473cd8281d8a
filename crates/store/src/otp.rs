//! One-time sign-in codes sent by SMS (rules in `hamafza_core::limits`). One live code per
//! mobile number; only a keyed hash of the code is stored.

use crate::{Store, StoreResult, db_read, db_write};
use hamafza_core::time::UnixSeconds;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OtpCode {
    pub mobile: String,
    pub code_hash: String,
    pub sent_at: UnixSeconds,
    pub expires_at: UnixSeconds,
    pub attempts: i64,
}

impl Store {
    /// Stores a fresh code for `mobile`, replacing an earlier one only if that was sent at least
    /// `cooldown_secs` before `sent_at`; returns whether it stored it. Checked in the upsert
    /// itself, so of two requests racing for a new code only one gets `true` (and sends an SMS).
    pub async fn put_otp(
        &self,
        mobile: &str,
        code_hash: &str,
        sent_at: UnixSeconds,
        expires_at: UnixSeconds,
        cooldown_secs: i64,
    ) -> StoreResult<bool> {
        let n = db_write!(self, |p| {
            sqlx::query(
                "INSERT INTO otp_codes (mobile, code_hash, sent_at, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)
                 ON CONFLICT (mobile) DO UPDATE SET code_hash = $2, sent_at = $3, expires_at = $4, attempts = 0
                 WHERE otp_codes.sent_at <= $5",
            )
            .bind(mobile)
            .bind(code_hash)
            .bind(sent_at)
            .bind(expires_at)
            .bind(sent_at - cooldown_secs)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn otp(&self, mobile: &str) -> StoreResult<Option<OtpCode>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as("SELECT mobile, code_hash, sent_at, expires_at, attempts FROM otp_codes WHERE mobile = $1")
                .bind(mobile)
                .fetch_optional(p)
                .await?
        }))
    }

    /// Takes one of the `max_attempts` tries of the live code of `mobile` before the guess is
    /// checked: the code with the tries taken so far, this one included, or `None` if there is
    /// no live code or its tries are used up. Counted and checked in one statement, so parallel
    /// guesses cannot take more tries than there are.
    pub async fn otp_attempt(
        &self,
        mobile: &str,
        now: UnixSeconds,
        max_attempts: i64,
    ) -> StoreResult<Option<OtpCode>> {
        Ok(db_write!(self, |p| {
            sqlx::query_as(
                "UPDATE otp_codes SET attempts = attempts + 1
                 WHERE mobile = $1 AND expires_at > $2 AND attempts < $3
                 RETURNING mobile, code_hash, sent_at, expires_at, attempts",
            )
            .bind(mobile)
            .bind(now)
            .bind(max_attempts)
            .fetch_optional(p)
            .await?
        }))
    }

    /// Removes the code of `mobile` if it is still `code_hash`; returns whether it did. A code is
    /// used once: of two requests racing with the same code, only one gets `true`.
    pub async fn take_otp(&self, mobile: &str, code_hash: &str) -> StoreResult<bool> {
        let n = db_write!(self, |p| {
            sqlx::query("DELETE FROM otp_codes WHERE mobile = $1 AND code_hash = $2")
                .bind(mobile)
                .bind(code_hash)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }
}
