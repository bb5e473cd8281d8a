use thiserror::Error;

/// What callers of the store need to tell apart; driver details stay inside `Other`.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated; the string names what was duplicated when known.
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database URL or options are wrong: a sentence for the operator.
    #[error("{0}")]
    Config(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Other(sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(ref d) if d.is_unique_violation() => {
                StoreError::Conflict(d.constraint().unwrap_or_else(|| d.message()).to_string())
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            e => StoreError::Other(e),
        }
    }
}

impl StoreError {
    /// For a unique violation: whether it was on a column whose name contains `column`. SQLite
    /// reports "UNIQUE constraint failed: users.mobile", PostgreSQL the constraint "users_mobile_key".
    pub fn is_conflict_on(&self, column: &str) -> bool {
        matches!(self, StoreError::Conflict(what) if what.contains(column))
    }
}
