use thiserror::Error;

/// What callers of the store need to tell apart; driver details stay inside `Other`.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated; the string names what was duplicated when known.
    #[error("already exists: {0}")]
    Conflict(String),
    /// Too much work is waiting already (the submission queue is full): refused at once, to be
    /// retried shortly (the web answers 503 with `Retry-After`).
    #[error("too busy; retry shortly")]
    Busy,
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database URL or options are wrong: a sentence for the operator.
    #[error("{0}")]
    Config(String),
    /// A stored value this code does not know, e.g. one a newer node wrote during a rolling
    /// deploy. Never read as a default: that could change what the row means (an unknown stage
    /// kind read as `submission` would take submissions). An internal error for callers.
    #[error("unknown value {value:?} in {column}")]
    Corrupt { column: &'static str, value: String },
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
            // A row others still point at (an axis with ideas filed under it): the caller's
            // change lost to the data, as a conflict, never an internal error.
            sqlx::Error::Database(ref d) if d.is_foreign_key_violation() => {
                StoreError::Conflict(d.constraint().unwrap_or_else(|| d.message()).to_string())
            }
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            e => StoreError::Other(e),
        }
    }
}

/// A stored enum value read with `parse`; one this code does not know is `Corrupt`, naming
/// `column` (never a default).
pub(crate) fn decode<T>(
    column: &'static str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> StoreResult<T> {
    parse(value).ok_or_else(|| StoreError::Corrupt {
        column,
        value: value.to_string(),
    })
}

impl StoreError {
    /// For a unique violation: whether it was on a column whose name contains `column`. SQLite
    /// reports "UNIQUE constraint failed: users.mobile", PostgreSQL the constraint "users_mobile_key".
    pub fn is_conflict_on(&self, column: &str) -> bool {
        matches!(self, StoreError::Conflict(what) if what.contains(column))
    }
}
