//! Instance-wide settings kept in the database, so every app node agrees on them.

use crate::{Store, StoreResult, db_read, db_write};

impl Store {
    pub async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(p)
                .await?
        }))
    }

    /// Returns the value of `key`, storing `make()` first if there is none. When several nodes
    /// race, the first write wins and all of them return it.
    pub async fn setting_or_init(
        &self,
        key: &str,
        make: impl FnOnce() -> String,
    ) -> StoreResult<String> {
        if let Some(v) = self.setting(key).await? {
            return Ok(v);
        }
        let value = make();
        db_write!(self, |p| {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            )
            .bind(key)
            .bind(&value)
            .execute(p)
            .await?;
        });
        Ok(db_write!(self, |p| {
            sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_one(p)
                .await?
        }))
    }
}
