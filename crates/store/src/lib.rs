//! Storage: one API over SQLite (the embedded default, WAL mode) and PostgreSQL (scale-out),
//! chosen by the database URL. `Store` is cheap to clone and has methods in domain terms, grouped
//! by module; no SQL leaves this crate.
//!
//! Both backends run the same SQL text wherever the dialects agree (`$1` placeholders work on
//! SQLite too); the few places that differ match on the backend. SQLite gets a separate pool with
//! one connection for writes: SQLite allows one writer at a time anyway, and queueing writers in
//! the pool is faster and fairer than letting them spin on `SQLITE_BUSY`.

pub mod access;
pub mod attachments;
pub mod audit;
pub mod calls;
pub mod drafts;
mod error;
pub mod ideas;
pub mod imports;
pub mod jobs;
pub mod juries;
pub mod notifications;
pub mod org_units;
pub mod orientation;
pub mod otp;
pub mod rate_limits;
pub mod results;
pub mod screening;
pub mod sessions;
pub mod settings;
pub mod similar;
mod submissions;
pub mod teams;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod users;

pub(crate) use error::decode;
pub use error::{StoreError, StoreResult};
pub use submissions::SUBMISSION_QUEUE;

use hamafza_core::time::UnixSeconds;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// Submissions waiting to be committed together.
    submissions: submissions::Queue,
    /// Calls of `db_read!`/`db_write!` so far (shared by clones), for tests that bound the
    /// queries of a request.
    #[cfg(feature = "testing")]
    queries: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

#[derive(Clone)]
enum Pool {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$body` with `$p` bound to a pool for reading: the same SQL on either backend.
macro_rules! db_read {
    ($store:expr, |$p:ident| $body:expr) => {{
        $store.count_query();
        match &$store.pool {
            $crate::Pool::Sqlite { read: $p, .. } => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    }};
}

/// Runs `$body` with `$p` bound to the pool for writing.
macro_rules! db_write {
    ($store:expr, |$p:ident| $body:expr) => {{
        $store.count_query();
        match &$store.pool {
            $crate::Pool::Sqlite { write: $p, .. } => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    }};
}
pub(crate) use {db_read, db_write};

tokio::task_local! {
    /// The time [`now`] answers inside [`as_of`]: the demo replays past rounds at their dates.
    static AS_OF: UnixSeconds;
}

/// The current time: the clock's, or inside [`as_of`] the time it was given.
pub fn now() -> UnixSeconds {
    AS_OF
        .try_with(|t| *t)
        .unwrap_or_else(|_| UnixSeconds::now())
}

/// Runs `f` with [`now`] answering `at`: what the store writes meanwhile (rows' times, audit
/// entries, notifications) is dated `at`. For replaying history (the demo's past rounds), never
/// for serving requests. Only this task sees it: work `f` hands to other tasks keeps the clock.
pub async fn as_of<F: std::future::Future>(at: UnixSeconds, f: F) -> F::Output {
    AS_OF.scope(at, f).await
}

/// Connection settings beyond the URL.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Connections for reading (SQLite) or in all (PostgreSQL).
    pub max_connections: u32,
    /// How long to wait for the database before giving up at start-up.
    pub connect_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

impl Store {
    /// Opens `url` (`sqlite://path`, `sqlite::memory:` is refused, or `postgres://…`). The SQLite
    /// file is created if missing. Fails with a sentence an operator can act on.
    pub async fn connect(url: &str, opts: &ConnectOptions) -> StoreResult<Store> {
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url, opts).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let o = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("the PostgreSQL URL is malformed: {e}")))?;
            Self::connect_postgres(o, opts).await
        } else {
            Err(StoreError::Config(format!(
                "the database URL must start with sqlite:// or postgres:// (got {:?})",
                redact(url)
            )))
        }
    }

    async fn connect_sqlite(url: &str, opts: &ConnectOptions) -> StoreResult<Store> {
        if url.contains(":memory:") {
            return Err(StoreError::Config(
                "an in-memory SQLite database would lose everything on restart; give a file path"
                    .into(),
            ));
        }
        let o = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("the SQLite URL is malformed: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL syncs the WAL on every commit, so an acknowledged write survives a power loss
            // too, not only a crash of the process.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(o.clone())
            .await
            .map_err(|e| StoreError::Config(format!("cannot open the SQLite database: {e}")))?;
        let read = SqlitePoolOptions::new()
            .max_connections(opts.max_connections)
            .min_connections(1)
            .connect_with(o.read_only(true))
            .await
            .map_err(|e| StoreError::Config(format!("cannot open the SQLite database: {e}")))?;
        Ok(Store::new(Pool::Sqlite { read, write }))
    }

    async fn connect_postgres(o: PgConnectOptions, opts: &ConnectOptions) -> StoreResult<Store> {
        let pool = PgPoolOptions::new()
            .max_connections(opts.max_connections)
            .acquire_timeout(opts.connect_timeout)
            .connect_with(o)
            .await
            .map_err(|e| StoreError::Config(format!("cannot reach PostgreSQL: {e}")))?;
        Ok(Store::new(Pool::Postgres(pool)))
    }

    fn new(pool: Pool) -> Store {
        Store {
            pool,
            submissions: submissions::Queue::new(submissions::SUBMISSION_QUEUE),
            #[cfg(feature = "testing")]
            queries: Default::default(),
        }
    }

    /// Counts one use of the pools (see `testing::queries`); nothing outside tests.
    #[inline]
    pub(crate) fn count_query(&self) {
        #[cfg(feature = "testing")]
        self.queries
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// This store (the same database and pools) with a submission queue of its own, which holds
    /// at most `capacity` submissions waiting for the writer ([`SUBMISSION_QUEUE`] by default);
    /// one more is refused with `Busy`.
    pub fn with_submission_queue(mut self, capacity: usize) -> Store {
        self.submissions = submissions::Queue::new(capacity);
        self
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations. On PostgreSQL, sqlx holds an advisory lock meanwhile, so nodes
    /// starting together take turns.
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Whether the database answers a trivial query (readiness).
    pub async fn ping(&self) -> bool {
        db_read!(self, |p| sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    /// Closes every connection; pending writes finish first.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// A database URL with its password hidden, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let names = |dir: &str| {
            let mut v: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            v.sort();
            v
        };
        let base = env!("CARGO_MANIFEST_DIR");
        assert_eq!(
            names(&format!("{base}/migrations/sqlite")),
            names(&format!("{base}/migrations/postgres"))
        );
    }

    #[tokio::test]
    async fn a_bad_url_is_a_clear_error() {
        let e = Store::connect("mysql://x", &ConnectOptions::default())
            .await
            .err()
            .unwrap();
        assert!(e.to_string().contains("sqlite:// or postgres://"), "{e}");
        let e = Store::connect("sqlite::memory:", &ConnectOptions::default())
            .await
            .err()
            .unwrap();
        assert!(e.to_string().contains("in-memory"), "{e}");
    }
}
