//! A fresh, migrated database per test on each backend, so tests run in parallel and never see
//! each other's rows. SQLite: a new file in the temp directory. PostgreSQL (when
//! `HAMAFZA_TEST_PG` is set): a new schema in that database, dropped afterwards unless
//! `HAMAFZA_TEST_KEEP_DB` is set. Without `HAMAFZA_TEST_PG` the PostgreSQL variant of a test says
//! it is skipped, except under `CI=true`, where that is a failure.

pub mod bench;

use crate::{Pool, Store};
use rand::Rng;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection};
use std::path::PathBuf;
use std::str::FromStr;

pub struct TestDb {
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

fn unique_name(prefix: &str) -> String {
    let n: u64 = rand::rng().random();
    format!("{prefix}_{}_{n:016x}", std::process::id())
}

fn keep() -> bool {
    std::env::var_os("HAMAFZA_TEST_KEEP_DB").is_some()
}

/// A migrated SQLite database in a new file.
pub async fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("{}.db", unique_name("hamafza_test")));
    let url = format!("sqlite://{}", path.display());
    let store = Store::connect(&url, &Default::default())
        .await
        .expect("open test SQLite");
    store.migrate().await.expect("migrate test SQLite");
    TestDb {
        store,
        cleanup: Cleanup::Sqlite(path),
    }
}

/// The PostgreSQL URL for tests, or `None` (with a note, or a panic under CI) when unset.
pub fn postgres_url() -> Option<String> {
    match std::env::var("HAMAFZA_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but HAMAFZA_TEST_PG is not set: PostgreSQL tests are required in CI")
        }
        _ => {
            eprintln!("skipped: set HAMAFZA_TEST_PG=postgres://… to run this test on PostgreSQL");
            None
        }
    }
}

/// A migrated PostgreSQL schema of its own, or `None` when `HAMAFZA_TEST_PG` is unset.
pub async fn postgres() -> Option<TestDb> {
    let url = postgres_url()?;
    let schema = unique_name("t");
    let mut admin = PgConnection::connect(&url)
        .await
        .expect("connect to HAMAFZA_TEST_PG");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut admin)
        .await
        .expect("create test schema");
    admin.close().await.ok();
    let opts = PgConnectOptions::from_str(&url)
        .expect("HAMAFZA_TEST_PG is a PostgreSQL URL")
        .options([("search_path", schema.as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await
        .expect("connect to the test schema");
    let store = Store::new(Pool::Postgres(pool));
    store.migrate().await.expect("migrate test schema");
    Some(TestDb {
        store,
        cleanup: Cleanup::Postgres { url, schema },
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if keep() {
            return;
        }
        match &self.cleanup {
            Cleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres { url, schema } => {
                let (url, schema) = (url.clone(), schema.clone());
                // Drop runs inside the test's runtime, which must not block: use a runtime of our own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let mut c = PgConnection::connect(&url).await.ok()?;
                        sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                            .execute(&mut c)
                            .await
                            .ok()
                    })
                })
                .join();
            }
        }
    }
}

/// Expands each `async fn name(store: Store)` into `sqlite::name` (always) and `postgres::name`
/// (when `HAMAFZA_TEST_PG` is set) tests.
#[macro_export]
macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::testing::sqlite().await;
                    super::$name(db.store.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::testing::postgres().await {
                        super::$name(db.store.clone()).await;
                    }
                }
            )*
        }
    };
}

impl Store {
    /// How many times this store (and its clones) went to the database through `db_read!` or
    /// `db_write!` so far: one per statement, except that a helper running a few statements
    /// at once (a call with its axes and stages, a page with its count, a transaction) counts
    /// once. For tests that bound the queries of a request.
    pub fn queries(&self) -> u64 {
        self.queries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Rewrites an audit entry's data behind the log's back, to prove verification catches it.
    pub async fn tamper_audit_entry(&self, seq: i64, data: &str) {
        crate::db_write!(self, |p| {
            sqlx::query("UPDATE audit_log SET data = $1 WHERE seq = $2")
                .bind(data)
                .bind(seq)
                .execute(p)
                .await
                .expect("tamper");
        });
    }

    /// Sets `column` of the `table` rows matching `filter` (SQL) to `value`, past any CHECK
    /// constraint: what a newer node's value looks like to this code in a rolling deploy.
    pub async fn write_unchecked(&self, table: &str, column: &str, value: &str, filter: &str) {
        let update = format!("UPDATE {table} SET {column} = $1 WHERE {filter}");
        match &self.pool {
            Pool::Sqlite { write, .. } => {
                let mut c = write.acquire().await.expect("the write connection");
                sqlx::query("PRAGMA ignore_check_constraints = ON")
                    .execute(&mut *c)
                    .await
                    .expect("ignore CHECK");
                let n = sqlx::query(&update).bind(value).execute(&mut *c).await;
                sqlx::query("PRAGMA ignore_check_constraints = OFF")
                    .execute(&mut *c)
                    .await
                    .expect("restore CHECK");
                assert!(n.expect("unchecked update").rows_affected() > 0, "{update}");
            }
            Pool::Postgres(p) => {
                // The test's own schema: its CHECK constraint can go.
                sqlx::query(&format!(
                    "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_check"
                ))
                .execute(p)
                .await
                .expect("drop CHECK");
                let n = sqlx::query(&update).bind(value).execute(p).await;
                assert!(n.expect("unchecked update").rows_affected() > 0, "{update}");
            }
        }
    }

    /// Blocks every write that touches `ideas` until [`WriteHold::release`]: on SQLite by taking
    /// the one write connection, on PostgreSQL by a lock on the table. For tests of what waits
    /// behind a stalled writer.
    pub async fn hold_writes(&self) -> WriteHold {
        match &self.pool {
            Pool::Sqlite { write, .. } => {
                WriteHold::Sqlite(write.acquire().await.expect("the write connection"))
            }
            Pool::Postgres(p) => {
                let mut tx = p.begin().await.expect("begin");
                sqlx::query("LOCK TABLE ideas IN SHARE MODE")
                    .execute(&mut *tx)
                    .await
                    .expect("lock ideas");
                WriteHold::Postgres(tx)
            }
        }
    }
}

/// Writes held back by [`Store::hold_writes`].
pub enum WriteHold {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl WriteHold {
    pub async fn release(self) {
        match self {
            WriteHold::Sqlite(c) => drop(c),
            WriteHold::Postgres(tx) => tx.rollback().await.expect("release the lock"),
        }
    }
}
