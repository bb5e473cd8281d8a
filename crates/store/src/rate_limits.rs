//! Fixed-window counters for throttling (rules in `hamafza_core::limits`), in the database so all
//! app nodes count together.

use crate::{Store, StoreResult, db_read, db_write};
use hamafza_core::limits::Limit;
use hamafza_core::time::UnixSeconds;

impl Store {
    /// Counts one hit on `bucket` in the current window and returns the hits so far, this one
    /// included: one statement, so parallel callers each get their own number. Count first,
    /// then check the number, then act (never read `hits`, act, and count afterwards).
    pub async fn hit(&self, bucket: &str, limit: Limit, now: UnixSeconds) -> StoreResult<i64> {
        let window = limit.window_start(now);
        Ok(db_write!(self, |p| {
            sqlx::query_scalar(
                "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
                 ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
                 RETURNING hits",
            )
            .bind(bucket)
            .bind(window)
            .fetch_one(p)
            .await?
        }))
    }

    /// Takes back one hit on `bucket` in the current window (an attempt counted before it was
    /// checked that turned out not to count, e.g. a successful sign-in).
    pub async fn unhit(&self, bucket: &str, limit: Limit, now: UnixSeconds) -> StoreResult<()> {
        let window = limit.window_start(now);
        db_write!(self, |p| {
            sqlx::query(
                "UPDATE rate_limits SET hits = hits - 1
                 WHERE bucket = $1 AND window_start = $2 AND hits > 0",
            )
            .bind(bucket)
            .bind(window)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Hits on `bucket` in the current window.
    pub async fn hits(&self, bucket: &str, limit: Limit, now: UnixSeconds) -> StoreResult<i64> {
        let window = limit.window_start(now);
        let n: Option<i64> = db_read!(self, |p| {
            sqlx::query_scalar(
                "SELECT hits FROM rate_limits WHERE bucket = $1 AND window_start = $2",
            )
            .bind(bucket)
            .bind(window)
            .fetch_optional(p)
            .await?
        });
        Ok(n.unwrap_or(0))
    }

    /// Forgets `bucket` (after a successful sign-in, its failures no longer count).
    pub async fn clear_hits(&self, bucket: &str) -> StoreResult<()> {
        db_write!(self, |p| {
            sqlx::query("DELETE FROM rate_limits WHERE bucket = $1")
                .bind(bucket)
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
