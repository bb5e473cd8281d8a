//! The background worker: fans new audit entries out into notifications and jobs, then delivers
//! due jobs. Every node runs one; they agree through the database only.

use super::events::{Fanout, plan};
use super::{Mailer, NotifyConfig, backoff_secs};
use crate::AppState;
use crate::sms::SmsSender;
use hamafza_core::time::UnixSeconds;
use hamafza_store::Store;
use hamafza_store::jobs::{Job, Retry};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// Audit entries read per transaction.
const FANOUT_BATCH: i64 = 200;
/// Jobs claimed at a time.
const CLAIM_BATCH: i64 = 20;

/// Where a worker reads the time (Unix seconds).
type Clock = Arc<dyn Fn() -> UnixSeconds + Send + Sync>;

#[derive(Clone)]
pub struct Worker {
    store: Store,
    mailer: Mailer,
    sms: SmsSender,
    config: Arc<NotifyConfig>,
    /// Names this worker's claims; unique per process.
    id: String,
    clock: Clock,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Audit entries read.
    pub entries: usize,
    pub notifications: usize,
    pub queued: usize,
    pub sent: usize,
    /// Attempts that failed (to be retried, or given up).
    pub failed: usize,
    pub gave_up: usize,
}

#[derive(Deserialize)]
struct EmailJob {
    to: String,
    subject: String,
    body: String,
}

#[derive(Deserialize)]
struct SmsJob {
    to: String,
    text: String,
}

impl Worker {
    pub fn new(state: &AppState) -> Worker {
        let n: u32 = rand::random();
        Worker {
            store: state.store.clone(),
            mailer: state.mailer.clone(),
            sms: state.sms.clone(),
            config: Arc::new(state.config.notify.clone()),
            id: format!("{}-{n:08x}", std::process::id()),
            clock: Arc::new(hamafza_store::now),
        }
    }

    /// The same worker reading the time from `clock` (tests make time pass during a pass).
    pub fn with_clock(mut self, clock: impl Fn() -> UnixSeconds + Send + Sync + 'static) -> Worker {
        self.clock = Arc::new(clock);
        self
    }

    /// The same worker with other transports (tests use failing ones).
    pub fn with_transports(mut self, mailer: Mailer, sms: SmsSender) -> Worker {
        self.mailer = mailer;
        self.sms = sms;
        self
    }

    /// A second worker, as another node would run.
    pub fn another(&self) -> Worker {
        let n: u32 = rand::random();
        Worker {
            id: format!("{}-{n:08x}", std::process::id()),
            ..self.clone()
        }
    }

    /// One pass now: catch up with the audit log, then deliver what is due.
    pub async fn run_once(&self) -> anyhow::Result<Pass> {
        self.pass(&*self.clock).await
    }

    /// One pass as if the clock said `now` throughout (tests move time forward to reach
    /// retries).
    pub async fn run_once_at(&self, now: UnixSeconds) -> anyhow::Result<Pass> {
        self.pass(&move || now).await
    }

    async fn pass(&self, clock: &(dyn Fn() -> UnixSeconds + Send + Sync)) -> anyhow::Result<Pass> {
        let mut pass = Pass::default();
        self.fan_out(clock(), &mut pass).await?;
        self.deliver(clock, &mut pass).await?;
        Ok(pass)
    }

    async fn fan_out(&self, now: UnixSeconds, pass: &mut Pass) -> anyhow::Result<()> {
        loop {
            let from = self.store.notify_cursor().await?;
            let entries = self.store.audit_after(from, FANOUT_BATCH).await?;
            let Some(last) = entries.last() else {
                return Ok(());
            };
            let mut out = Fanout::default();
            for e in &entries {
                plan(&self.store, &self.config, e, &mut out).await?;
            }
            // Losing the race means another node stored these already: read on from where it is.
            if self
                .store
                .record_fanout(from, last.seq, &out.notifications, &out.jobs, now)
                .await?
            {
                pass.entries += entries.len();
                pass.notifications += out.notifications.len();
                pass.queued += out.jobs.len();
            }
        }
    }

    /// Claims and sends due jobs, a batch at a time, until none is left. The clock is read for
    /// each claim: sends can be slow, and a lease counted from the start of the pass would be
    /// short, or over, for later batches, so another node could take them and send them again.
    async fn deliver(
        &self,
        clock: &(dyn Fn() -> UnixSeconds + Send + Sync),
        pass: &mut Pass,
    ) -> anyhow::Result<()> {
        loop {
            let jobs = self
                .store
                .claim_jobs(&self.id, clock(), self.config.lease_secs, CLAIM_BATCH)
                .await?;
            if jobs.is_empty() {
                return Ok(());
            }
            for job in jobs {
                // A send must end well within the lease, or another worker would start it too.
                let limit = Duration::from_secs((self.config.lease_secs / 2).max(1) as u64);
                let result = match tokio::time::timeout(limit, self.send(&job)).await {
                    Ok(r) => r,
                    Err(_) => Err(anyhow::anyhow!("timed out after {limit:?}")),
                };
                match result {
                    Ok(()) => {
                        self.store.finish_job(job.id, &self.id, clock()).await?;
                        pass.sent += 1;
                    }
                    Err(e) => {
                        let now = clock();
                        pass.failed += 1;
                        let retry = if job.attempts >= job.max_attempts {
                            pass.gave_up += 1;
                            tracing::warn!(job = job.id.get(), kind = job.kind, attempts = job.attempts, error = %e, "notification delivery gave up");
                            Retry::GiveUp
                        } else {
                            tracing::info!(job = job.id.get(), kind = job.kind, attempts = job.attempts, error = %e, "notification delivery failed; will retry");
                            Retry::At(now + backoff_secs(job.attempts))
                        };
                        self.store
                            .fail_job(job.id, &self.id, &format!("{e:#}"), retry, now)
                            .await?;
                    }
                }
            }
        }
    }

    async fn send(&self, job: &Job) -> anyhow::Result<()> {
        match job.kind.as_str() {
            "email" => {
                let m: EmailJob = serde_json::from_str(&job.payload)?;
                self.mailer.send(&m.to, &m.subject, &m.body).await
            }
            "sms" => {
                let m: SmsJob = serde_json::from_str(&job.payload)?;
                Ok(self.sms.send(&m.to, &m.text).await?)
            }
            other => anyhow::bail!("unknown job kind {other:?}"),
        }
    }

    /// Runs passes forever, one every `interval_secs`; errors are logged and the next pass tries
    /// again (the database may be briefly unavailable).
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let every = Duration::from_secs(self.config.interval_secs);
            loop {
                match self.run_once().await {
                    Ok(p) if p != Pass::default() => tracing::debug!(?p, "notification pass"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "notification pass failed"),
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::SmsConfig;
    use axum::extract::State;
    use hamafza_store::jobs::NewJob;
    use hamafza_store::store_tests;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicI64, Ordering};

    store_tests!(a_long_pass_claims_each_batch_with_a_lease_from_a_fresh_clock);

    /// The SMS provider of the test: each message takes a twentieth of the lease (on the test's
    /// clock), and before it answers it notes the jobs the worker holds whose lease is over
    /// (another node could claim those and send them again).
    #[derive(Clone)]
    struct Provider {
        store: Store,
        clock: Arc<AtomicI64>,
        step: i64,
        expired: Arc<Mutex<std::collections::BTreeSet<i64>>>,
    }

    async fn send(State(p): State<Provider>) -> &'static str {
        let now = UnixSeconds::new(p.clock.load(Ordering::SeqCst));
        for j in p.store.jobs("sms").await.unwrap() {
            let held = j.claimed_by.is_some() && j.done_at.is_none();
            if held && j.lease_until.is_some_and(|l| l < now) {
                p.expired.lock().unwrap().insert(j.id.get());
            }
        }
        p.clock.fetch_add(p.step, Ordering::SeqCst);
        "ok"
    }

    /// Two batches' worth of SMS, each send slow: the second batch is claimed when the first
    /// batch's lease is nearly over, so its lease must be counted from then, not from the start
    /// of the pass; and each job is marked done when it was.
    async fn a_long_pass_claims_each_batch_with_a_lease_from_a_fresh_clock(store: Store) {
        let config = NotifyConfig::default();
        let start = hamafza_store::now();
        let clock = Arc::new(AtomicI64::new(start.get()));
        let provider = Provider {
            store: store.clone(),
            clock: clock.clone(),
            // The first batch of 20 ends just inside its lease.
            step: config.lease_secs / CLAIM_BATCH,
            expired: Default::default(),
        };
        let app = axum::Router::new()
            .route("/send", axum::routing::get(send))
            .with_state(provider.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let sms = SmsSender::from_config(&SmsConfig {
            sender: "http".into(),
            url: format!("http://{addr}/send?to={{to}}&text={{text}}"),
            ..Default::default()
        })
        .unwrap();

        let jobs: Vec<NewJob> = (0..2 * CLAIM_BATCH)
            .map(|n| NewJob {
                kind: "sms".into(),
                payload: serde_json::json!({ "to": "09121234567", "text": format!("پیام {n}") })
                    .to_string(),
                audit_seq: None,
                max_attempts: config.max_attempts,
            })
            .collect();
        let cursor = store.notify_cursor().await.unwrap();
        assert!(
            store
                .record_fanout(cursor, cursor, &[], &jobs, start)
                .await
                .unwrap()
        );

        let c = clock.clone();
        let worker = Worker {
            store: store.clone(),
            mailer: Mailer::Log,
            sms,
            config: Arc::new(config),
            id: "node-a".into(),
            clock: Arc::new(hamafza_store::now),
        }
        .with_clock(move || UnixSeconds::new(c.load(Ordering::SeqCst)));
        let pass = worker.run_once().await.unwrap();
        assert_eq!(pass.sent, jobs.len(), "{pass:?}");
        let expired = provider.expired.lock().unwrap().clone();
        assert!(
            expired.is_empty(),
            "jobs held past their lease: {expired:?}"
        );
        let done: Vec<UnixSeconds> = store
            .jobs("sms")
            .await
            .unwrap()
            .iter()
            .map(|j| j.done_at.unwrap())
            .collect();
        assert!(
            done.windows(2).all(|w| w[0] < w[1]),
            "done at the pass's start, not when sent: {done:?}"
        );
    }
}
