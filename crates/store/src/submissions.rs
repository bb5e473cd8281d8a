//! Group commit for idea submissions.
//!
//! A submission must be durable before its `201`. On SQLite a durable commit costs an fsync on
//! the one writer (about 1 ms on this machine's disk), so one transaction per submission caps
//! the whole node well under 1,000 ideas/s. Instead, submissions queue here, and one task per
//! store writes whatever has queued in a single transaction and answers them all after the
//! commit. (Each statement is a round trip to SQLite's connection thread, so the write path is
//! kept to a few statements per idea: no savepoints, the idempotency key checked by the insert.)
//!
//! Nothing is answered before it is committed, so a crash loses only unanswered requests, which
//! their clients retry with the same idempotency key. An idle server adds no delay: a lone
//! submission is written at once, and batches only form while a commit is in flight. Only
//! requests in flight live in this queue, so app nodes stay stateless.
//!
//! The queue is bounded ([`SUBMISSION_QUEUE`]): when the database cannot keep up, a submission
//! that finds it full is refused at once with `StoreError::Busy` (the web answers 503 with
//! `Retry-After`) instead of waiting behind thousands of others, holding memory all the while.

use crate::attachments::{AttachConn, NewAttachment};
use crate::audit::{AuditConn, NewAudit};
use crate::drafts::DraftConn;
use crate::ideas::NewVersion;
use crate::teams::TeamConn;
use crate::{Store, StoreError, StoreResult, db_write, now};
use hamafza_core::audit::Action;
use hamafza_core::idea::{Channel, IdeaText};
use hamafza_core::ids::{CallId, IdeaId, UserId};
use serde_json::json;
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

/// The most submissions written in one transaction.
const MAX_BATCH: usize = 256;

/// The most submissions waiting for the writer (of one store) before new ones are refused:
/// 16 full batches. A healthy writer commits a batch in milliseconds, so a queue this long
/// means the database has stalled or is overloaded; one more waiting would likely outlive its
/// client's timeout anyway (and be retried), so it is cheaper to say "busy" now.
pub const SUBMISSION_QUEUE: usize = 16 * MAX_BATCH;

/// A submission waiting for the writer.
pub(crate) struct Pending {
    pub call_id: CallId,
    pub author_id: Option<UserId>,
    pub channel: Channel,
    pub text: IdeaText,
    pub idempotency_key: Option<String>,
    /// Files, already type-checked.
    pub attachments: Vec<NewAttachment>,
    /// Users invited to the team.
    pub invitees: Vec<UserId>,
    /// Delete the author's draft for this call.
    pub clear_draft: bool,
    /// The idea's id, and whether it is new (false: the idempotency key was used before).
    pub reply: oneshot::Sender<StoreResult<(IdeaId, bool)>>,
}

/// The queue of one store, its writer task started on first use (in the runtime using it).
#[derive(Clone)]
pub(crate) struct Queue {
    capacity: usize,
    sender: Arc<OnceLock<mpsc::Sender<Pending>>>,
}

impl Queue {
    pub(crate) fn new(capacity: usize) -> Queue {
        Queue {
            capacity: capacity.max(1),
            sender: Default::default(),
        }
    }
}

impl Store {
    /// Queues a submission; its `reply` answers once it is committed (or failed). `Busy` at
    /// once, without waiting, when the queue is full.
    pub(crate) async fn write_submission(&self, p: Pending) -> StoreResult<()> {
        let sender = self.submissions.sender.get_or_init(|| {
            let (tx, rx) = mpsc::channel(self.submissions.capacity);
            tokio::spawn(writer(self.clone(), rx));
            tx
        });
        sender.try_send(p).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => StoreError::Busy,
            mpsc::error::TrySendError::Closed(_) => {
                StoreError::Config("the submission writer has stopped".into())
            }
        })
    }
}

/// Writes batches for as long as the runtime runs (the store it holds keeps the queue open). A
/// batch is one transaction; if any submission in it fails (rare: a concurrent duplicate key, a
/// constraint), the batch is rolled back and each of its submissions is written alone, so the
/// bad one fails by itself.
async fn writer(store: Store, mut rx: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let results = match store.write_batch(&batch).await {
            Ok(ids) => ids.into_iter().map(Ok).collect(),
            Err(_) if batch.len() > 1 => {
                let mut one_by_one = Vec::with_capacity(batch.len());
                for p in &batch {
                    one_by_one.push(
                        store
                            .write_batch(std::slice::from_ref(p))
                            .await
                            .map(|r| r[0]),
                    );
                }
                one_by_one
            }
            Err(e) => vec![Err(e)],
        };
        for (p, r) in batch.drain(..).zip(results) {
            if let Err(e) = &r {
                tracing::warn!(error = %e, "a submission was not saved");
            }
            let _ = p.reply.send(r);
        }
    }
}

impl Store {
    /// Writes the batch in one transaction: all of it, or (`Err`) nothing.
    async fn write_batch(&self, batch: &[Pending]) -> StoreResult<Vec<(IdeaId, bool)>> {
        let at = now();
        Ok(db_write!(self, |pool| {
            let mut tx = pool.begin().await?;
            let mut results = Vec::with_capacity(batch.len());
            // Versions and audit entries are written for the whole batch at the end: a few
            // statements instead of a few per idea.
            let mut versions = Vec::with_capacity(batch.len());
            let mut audits = Vec::with_capacity(batch.len());
            // Files, invitations and drafts come after, so each idea's timeline starts with it
            // being submitted.
            let mut extras = Vec::new();
            for p in batch {
                let public_id = crate::calls::new_public_id();
                let code = crate::ideas::tracking_code();
                let t = &p.text;
                // A key the author used before inserts nothing; then it is that idea.
                let id: Option<IdeaId> = sqlx::query_scalar(
                    "INSERT INTO ideas (public_id, tracking_code, call_id, author_id, channel, status, axis_id, title, title_norm,
                                        version, idempotency_key, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, 1, $9, $10, $10)
                     ON CONFLICT (author_id, idempotency_key) DO NOTHING RETURNING id",
                )
                .bind(&public_id)
                .bind(&code)
                .bind(p.call_id)
                .bind(p.author_id)
                .bind(p.channel.as_str())
                .bind(t.axis_id)
                .bind(&t.title)
                .bind(hamafza_persian::normalize(&t.title))
                .bind(&p.idempotency_key)
                .bind(at)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    let seen: IdeaId = sqlx::query_scalar(
                        "SELECT id FROM ideas WHERE author_id = $1 AND idempotency_key = $2",
                    )
                    .bind(p.author_id)
                    .bind(&p.idempotency_key)
                    .fetch_one(&mut *tx)
                    .await?;
                    results.push((seen, false));
                    continue;
                };
                versions.push(NewVersion {
                    idea_id: id,
                    call_id: p.call_id,
                    version: 1,
                    text: t,
                    editor: p.author_id,
                    at,
                });
                audits.push(NewAudit {
                    actor_id: p.author_id,
                    action: Action::IdeaSubmit,
                    entity_type: "idea",
                    entity_id: public_id.clone(),
                    data: json!({ "call_id": p.call_id, "channel": p.channel.as_str(), "tracking_code": code }),
                });
                if !p.attachments.is_empty() || !p.invitees.is_empty() || p.clear_draft {
                    extras.push((id, public_id.clone(), p));
                }
                results.push((id, true));
            }
            crate::ideas::insert_versions!(tx, &versions);
            tx.append_audits(&audits).await?;
            for (id, public_id, p) in extras {
                for f in &p.attachments {
                    tx.attach(id, &public_id, f, p.author_id).await?;
                }
                for u in &p.invitees {
                    tx.invite(id, &public_id, *u, p.author_id, false).await?;
                }
                if let (true, Some(author)) = (p.clear_draft, p.author_id) {
                    tx.delete_draft(author, p.call_id).await?;
                }
            }
            tx.commit().await?;
            results
        }))
    }
}
