//! Background jobs in the database, so any app node can run them and none is lost when one dies.
//!
//! A worker *claims* due jobs for a lease (`claimed_by`, `lease_until`) and counts the attempt at
//! claim time. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so workers on several nodes take
//! disjoint batches without waiting on each other; SQLite has a single writer, so the same
//! conditional UPDATE is already atomic there. If a worker dies after claiming and before
//! finishing, the lease expires and another worker claims the job again: delivery is *at least
//! once*, never silently dropped.

use crate::{Backend, Store, StoreResult, db_read, db_write};
use hamafza_core::ids::JobId;
use hamafza_core::time::UnixSeconds;
use serde::Serialize;

/// A job to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What to do: `email` or `sms`.
    pub kind: String,
    /// JSON the runner of `kind` understands.
    pub payload: String,
    /// The audit entry that caused it, if any.
    pub audit_seq: Option<i64>,
    pub max_attempts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub audit_seq: Option<i64>,
    /// Attempts made so far, counting the current one once claimed.
    pub attempts: i64,
    pub max_attempts: i64,
    /// Not to be run before this moment.
    pub run_at: UnixSeconds,
    pub claimed_by: Option<String>,
    /// Until when `claimed_by` holds it; after that any worker may claim it again.
    pub lease_until: Option<UnixSeconds>,
    pub done_at: Option<UnixSeconds>,
    /// Set when the job gave up after `max_attempts`.
    pub failed_at: Option<UnixSeconds>,
    pub last_error: Option<String>,
    pub created_at: UnixSeconds,
}

const JOB_COLUMNS: &str = "id, kind, payload, audit_seq, attempts, max_attempts, run_at, claimed_by, lease_until, done_at, failed_at, last_error, created_at";

/// What happens to a job whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Try again at this moment.
    At(UnixSeconds),
    /// No attempts left: record the failure.
    GiveUp,
}

impl Store {
    /// Claims up to `limit` due jobs for `worker` until `now + lease_secs`, oldest first.
    pub async fn claim_jobs(
        &self,
        worker: &str,
        now: UnixSeconds,
        lease_secs: i64,
        limit: i64,
    ) -> StoreResult<Vec<Job>> {
        // The outer lease test is checked again on the row PostgreSQL finally locks, so a job
        // another worker claimed meanwhile is not taken twice.
        let due = "done_at IS NULL AND failed_at IS NULL AND run_at <= $3 AND (lease_until IS NULL OR lease_until < $3)";
        let pick = format!("SELECT id FROM jobs WHERE {due} ORDER BY run_at, id LIMIT $4");
        let batch = match self.backend() {
            // Row locks to skip, and the batch picked once, as an array: as `id IN (…)` the
            // planner may run the subquery again for each row it updates, each run skipping
            // the rows updated so far, and the claim would take every due job, not `limit`.
            Backend::Postgres => format!("id = ANY(ARRAY({pick} FOR UPDATE SKIP LOCKED))"),
            // SQLite's one writer serializes claims anyway.
            Backend::Sqlite => format!("id IN ({pick})"),
        };
        let sql = format!(
            "UPDATE jobs SET claimed_by = $1, lease_until = $2, attempts = attempts + 1
             WHERE {batch} AND {due}
             RETURNING {JOB_COLUMNS}"
        );
        let mut jobs: Vec<Job> = db_write!(self, |p| {
            sqlx::query_as(&sql)
                .bind(worker)
                .bind(now + lease_secs)
                .bind(now)
                .bind(limit)
                .fetch_all(p)
                .await?
        });
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    /// Marks a job `worker` holds as done. False when the lease was lost meanwhile.
    pub async fn finish_job(&self, id: JobId, worker: &str, now: UnixSeconds) -> StoreResult<bool> {
        let n = db_write!(self, |p| {
            sqlx::query(
                "UPDATE jobs SET done_at = $1, claimed_by = NULL, lease_until = NULL, last_error = NULL
                 WHERE id = $2 AND claimed_by = $3",
            )
            .bind(now)
            .bind(id)
            .bind(worker)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Records a failed attempt of a job `worker` holds: retry later, or give up for good.
    pub async fn fail_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        retry: Retry,
        now: UnixSeconds,
    ) -> StoreResult<bool> {
        let (run_at, failed_at) = match retry {
            Retry::At(t) => (Some(t), None),
            Retry::GiveUp => (None, Some(now)),
        };
        let n = db_write!(self, |p| {
            sqlx::query(
                "UPDATE jobs SET run_at = COALESCE($1, run_at), failed_at = $2, last_error = $3,
                                 claimed_by = NULL, lease_until = NULL
                 WHERE id = $4 AND claimed_by = $5",
            )
            .bind(run_at)
            .bind(failed_at)
            .bind(error.chars().take(1000).collect::<String>())
            .bind(id)
            .bind(worker)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// Jobs of one kind, oldest first (for tests and operators).
    pub async fn jobs(&self, kind: &str) -> StoreResult<Vec<Job>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE kind = $1 ORDER BY id"
            ))
            .bind(kind)
            .fetch_all(p)
            .await?
        }))
    }
}
