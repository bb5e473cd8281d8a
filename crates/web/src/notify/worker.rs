//! The background worker: fans new audit entries out into notifications and jobs, then delivers
//! due jobs. Every node runs one; they agree through the database only.

use super::events::{Fanout, plan};
use super::{Mailer, NotifyConfig, backoff_secs};
use crate::AppState;
use crate::sms::SmsSender;
use hamafza_store::Store;
use hamafza_store::jobs::{Job, Retry};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// Audit entries read per transaction.
const FANOUT_BATCH: i64 = 200;
/// Jobs claimed at a time.
const CLAIM_BATCH: i64 = 20;

#[derive(Clone)]
pub struct Worker {
    store: Store,
    mailer: Mailer,
    sms: SmsSender,
    config: Arc<NotifyConfig>,
    /// Names this worker's claims; unique per process.
    id: String,
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
        }
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
        self.run_once_at(hamafza_store::now()).await
    }

    /// One pass as if the clock said `now` (tests move time forward to reach retries).
    pub async fn run_once_at(&self, now: i64) -> anyhow::Result<Pass> {
        let mut pass = Pass::default();
        self.fan_out(now, &mut pass).await?;
        self.deliver(now, &mut pass).await?;
        Ok(pass)
    }

    async fn fan_out(&self, now: i64, pass: &mut Pass) -> anyhow::Result<()> {
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

    async fn deliver(&self, now: i64, pass: &mut Pass) -> anyhow::Result<()> {
        loop {
            let jobs = self
                .store
                .claim_jobs(&self.id, now, self.config.lease_secs, CLAIM_BATCH)
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
                        self.store.finish_job(job.id, &self.id, now).await?;
                        pass.sent += 1;
                    }
                    Err(e) => {
                        pass.failed += 1;
                        let retry = if job.attempts >= job.max_attempts {
                            pass.gave_up += 1;
                            tracing::warn!(job = job.id, kind = job.kind, attempts = job.attempts, error = %e, "notification delivery gave up");
                            Retry::GiveUp
                        } else {
                            tracing::info!(job = job.id, kind = job.kind, attempts = job.attempts, error = %e, "notification delivery failed; will retry");
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
