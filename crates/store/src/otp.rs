//! One-time sign-in codes sent by SMS (rules in `hamafza_core::limits`). One live code per
//! mobile number; only a keyed hash of the code is stored.

use crate::{Store, StoreResult, db_read, db_write};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OtpCode {
    pub mobile: String,
    pub code_hash: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub attempts: i64,
}

impl Store {
    /// Stores a fresh code for `mobile`, replacing any earlier one.
    pub async fn put_otp(
        &self,
        mobile: &str,
        code_hash: &str,
        sent_at: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            sqlx::query(
                "INSERT INTO otp_codes (mobile, code_hash, sent_at, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)
                 ON CONFLICT (mobile) DO UPDATE SET code_hash = $2, sent_at = $3, expires_at = $4, attempts = 0",
            )
            .bind(mobile)
            .bind(code_hash)
            .bind(sent_at)
            .bind(expires_at)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    pub async fn otp(&self, mobile: &str) -> StoreResult<Option<OtpCode>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as("SELECT mobile, code_hash, sent_at, expires_at, attempts FROM otp_codes WHERE mobile = $1")
                .bind(mobile)
                .fetch_optional(p)
                .await?
        }))
    }

    /// Counts a wrong guess; returns the attempts so far.
    pub async fn otp_failed(&self, mobile: &str) -> StoreResult<i64> {
        let n: Option<i64> = db_write!(self, |p| {
            sqlx::query_scalar(
                "UPDATE otp_codes SET attempts = attempts + 1 WHERE mobile = $1 RETURNING attempts",
            )
            .bind(mobile)
            .fetch_optional(p)
            .await?
        });
        Ok(n.unwrap_or(i64::MAX))
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
