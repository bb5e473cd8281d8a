//! Notifications: the cursor over the audit log (the outbox), each user's in-app inbox, their
//! delivery preferences and email address. Turning audit entries into notifications is the web
//! crate's worker (`hamafza_web::notify`); this module only stores what it decides.

use crate::audit::{AuditConn, NewAudit};
use crate::jobs::NewJob;
use crate::{Store, StoreResult, db_read, db_write, now};
use hamafza_core::audit::Action;
use hamafza_core::audit::AuditEntry;
use hamafza_core::ids::{CallId, NotificationId, UserId};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;

/// One notification in a user's inbox. `data` is JSON, rendered in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: NotificationId,
    pub user_id: UserId,
    pub kind: String,
    pub audit_seq: i64,
    pub data: String,
    /// A path on this site (the idea page, the results page…).
    pub link: String,
    pub created_at: UnixSeconds,
    pub read_at: Option<UnixSeconds>,
}

const NOTIFICATION_COLUMNS: &str = "id, user_id, kind, audit_seq, data, link, created_at, read_at";

/// A notification to add to a user's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub user_id: UserId,
    /// The audit entry it comes from; one notification per entry and user.
    pub audit_seq: i64,
    pub kind: String,
    pub data: String,
    pub link: String,
}

/// What the worker needs to know about a recipient.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    pub id: UserId,
    pub display_name: String,
    pub locale: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub disabled: bool,
}

/// A user's stored choice for one kind of notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Pref {
    pub kind: String,
    pub email: bool,
    pub sms: bool,
}

/// An idea as notifications describe it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IdeaNotice {
    pub public_id: String,
    pub title: String,
    pub tracking_code: String,
    pub author_id: Option<UserId>,
    /// For ideas imported from paper forms and booths, who gave them (they may have no account).
    pub submitter_mobile: Option<String>,
    pub call_id: CallId,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: UnixSeconds,
    actor_id: Option<UserId>,
    action: String,
    entity_type: String,
    entity_id: String,
    data: String,
    prev_hash: String,
    hash: String,
}

/// The cursor's name in `notify_cursor`.
const CURSOR: &str = "audit";

impl Store {
    /// The last audit entry already turned into notifications.
    pub async fn notify_cursor(&self) -> StoreResult<i64> {
        Ok(db_write!(self, |p| {
            sqlx::query_scalar("SELECT seq FROM notify_cursor WHERE name = $1")
                .bind(CURSOR)
                .fetch_one(p)
                .await?
        }))
    }

    /// Up to `limit` audit entries after `seq`, oldest first. Entries become visible in `seq`
    /// order (appends are serialized until commit, see `audit.rs`), so none is skipped.
    pub async fn audit_after(&self, seq: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = db_write!(self, |p| {
            sqlx::query_as(
                "SELECT seq, at, actor_id, action, entity_type, entity_id, data, prev_hash, hash
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(seq)
            .bind(limit)
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                seq: r.seq,
                at: r.at,
                actor_id: r.actor_id,
                action: r.action,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
                data: r.data,
                prev_hash: r.prev_hash,
                hash: r.hash,
            })
            .collect())
    }

    /// Moves the cursor from `from` to `to` and stores what those entries produced, in one
    /// transaction. False (and nothing written) when another worker moved the cursor first.
    /// `at` is the worker's clock: the notifications' time and when the jobs become due.
    pub async fn record_fanout(
        &self,
        from: i64,
        to: i64,
        notifications: &[NewNotification],
        jobs: &[NewJob],
        at: UnixSeconds,
    ) -> StoreResult<bool> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let moved =
                sqlx::query("UPDATE notify_cursor SET seq = $1 WHERE name = $2 AND seq = $3")
                    .bind(to)
                    .bind(CURSOR)
                    .bind(from)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if moved != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            // Many rows per statement: a busy round brings thousands of entries, and every
            // statement is a round trip on the one writer that submissions need too.
            for chunk in notifications.chunks(100) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO notifications (user_id, kind, audit_seq, data, link, created_at) ",
                );
                q.push_values(chunk, |mut row, n| {
                    row.push_bind(n.user_id)
                        .push_bind(&n.kind)
                        .push_bind(n.audit_seq)
                        .push_bind(&n.data)
                        .push_bind(&n.link)
                        .push_bind(at);
                });
                q.push(" ON CONFLICT (audit_seq, user_id) DO NOTHING");
                q.build().execute(&mut *tx).await?;
            }
            for chunk in jobs.chunks(100) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO jobs (kind, payload, audit_seq, max_attempts, run_at, created_at) ",
                );
                q.push_values(chunk, |mut row, j| {
                    row.push_bind(&j.kind)
                        .push_bind(&j.payload)
                        .push_bind(j.audit_seq)
                        .push_bind(j.max_attempts)
                        .push_bind(at)
                        .push_bind(at);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(true)
    }

    /// The people to notify, by id (unknown ids are left out).
    pub async fn recipient(&self, user_id: UserId) -> StoreResult<Option<Recipient>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT id, display_name, locale, email, mobile, disabled FROM users WHERE id = $1",
            )
            .bind(user_id)
            .fetch_optional(p)
            .await?
        }))
    }

    /// An idea by public id, as notifications describe it.
    pub async fn idea_notice(&self, public_id: &str) -> StoreResult<Option<IdeaNotice>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT public_id, title, tracking_code, author_id, submitter_mobile, call_id
                 FROM ideas WHERE public_id = $1",
            )
            .bind(public_id)
            .fetch_optional(p)
            .await?
        }))
    }

    /// Everyone who submitted an idea to a call, once each.
    pub async fn call_authors(&self, call_id: CallId) -> StoreResult<Vec<UserId>> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar(
                "SELECT DISTINCT author_id FROM ideas WHERE call_id = $1 AND author_id IS NOT NULL ORDER BY author_id",
            )
            .bind(call_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// A page of a user's notifications, newest first, and how many they have.
    pub async fn notifications(
        &self,
        user_id: UserId,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Notification>, i64)> {
        Ok(db_read!(self, |p| {
            let rows = sqlx::query_as(&format!(
                "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1
                 ORDER BY id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(user_id)
            .bind(limit.clamp(1, 200))
            .bind(offset.max(0))
            .fetch_all(p)
            .await?;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(p)
                .await?;
            (rows, total)
        }))
    }

    /// How many unread notifications a user has, counted up to `cap` only: the header badge
    /// shows "99+" beyond that, and the count stays a short walk of the partial index.
    pub async fn unread_notifications(&self, user_id: UserId, cap: i64) -> StoreResult<i64> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE user_id = $1 AND read_at IS NULL LIMIT $2) AS unread",
            )
            .bind(user_id)
            .bind(cap)
            .fetch_one(p)
            .await?
        }))
    }

    /// Marks some of a user's notifications read (all of them when `ids` is `None`). Other
    /// users' ids match nothing. Returns how many changed.
    pub async fn mark_notifications_read(
        &self,
        user_id: UserId,
        ids: Option<&[NotificationId]>,
    ) -> StoreResult<u64> {
        let at = now();
        Ok(db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let mut changed = 0;
            match ids {
                None => {
                    changed += sqlx::query(
                        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
                    )
                    .bind(at)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                Some(ids) => {
                    for id in ids {
                        changed += sqlx::query(
                            "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
                        )
                        .bind(at)
                        .bind(id)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    }
                }
            }
            tx.commit().await?;
            changed
        }))
    }

    /// The choices a user changed from the defaults.
    pub async fn notification_prefs(&self, user_id: UserId) -> StoreResult<Vec<Pref>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT kind, email, sms FROM notification_prefs WHERE user_id = $1 ORDER BY kind",
            )
            .bind(user_id)
            .fetch_all(p)
            .await?
        }))
    }

    pub async fn user_email(&self, user_id: UserId) -> StoreResult<Option<String>> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar::<_, Option<String>>("SELECT email FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(p)
                .await?
                .flatten()
        }))
    }

    /// Saves a user's email address (already validated; `None` removes it) and their choice for
    /// every kind, in one transaction with its audit entry. The address itself stays out of the
    /// append-only log; only whether there is one.
    pub async fn save_notification_settings(
        &self,
        user_id: UserId,
        email: Option<&str>,
        prefs: &[Pref],
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        let at = now();
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
                .bind(email)
                .bind(at)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            for pref in prefs {
                sqlx::query(
                    "INSERT INTO notification_prefs (user_id, kind, email, sms) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (user_id, kind) DO UPDATE SET email = excluded.email, sms = excluded.sms",
                )
                .bind(user_id)
                .bind(&pref.kind)
                .bind(pref.email)
                .bind(pref.sms)
                .execute(&mut *tx)
                .await?;
            }
            let choices: serde_json::Map<String, serde_json::Value> = prefs
                .iter()
                .map(|p| (p.kind.clone(), json!({ "email": p.email, "sms": p.sms })))
                .collect();
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::NotifySettings,
                entity_type: "user",
                entity_id: user_id.to_string(),
                data: json!({ "has_email": email.is_some(), "prefs": choices }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

/// What a citizen may learn of an idea from its tracking code and the mobile number it was filed
/// with: its status and the secretariat's last message, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedIdea {
    pub status: hamafza_core::idea::IdeaStatus,
    /// The message of the latest decision that had one.
    pub message: Option<String>,
    /// Unix seconds of the latest change.
    pub updated_at: UnixSeconds,
}

impl Store {
    /// The secretariat's message on its latest decision about the idea with `public_id` that
    /// carried one (a rejection's reason, the changes asked for), if any.
    pub async fn decision_message(&self, public_id: &str) -> StoreResult<Option<String>> {
        Ok(self
            .audit_for("idea", public_id)
            .await?
            .iter()
            .rev()
            .filter(|e| e.kind() == Some(Action::IdeaTransition))
            .find_map(|e| {
                let d: serde_json::Value = serde_json::from_str(&e.data).ok()?;
                let m = d.get("message")?.as_str()?.trim().to_string();
                (!m.is_empty()).then_some(m)
            }))
    }

    /// The idea with tracking code `code` filed with `mobile` (the submitter's number of a paper
    /// or booth idea, or the author's account's); `None` when there is no such pair, without
    /// saying which half was wrong.
    pub async fn track_idea(&self, code: &str, mobile: &str) -> StoreResult<Option<TrackedIdea>> {
        let row: Option<(String, String, UnixSeconds)> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT i.public_id, i.status, i.updated_at FROM ideas i
                 LEFT JOIN users u ON u.id = i.author_id
                 WHERE i.tracking_code = $1 AND (i.submitter_mobile = $2 OR u.mobile = $2)",
            )
            .bind(code)
            .bind(mobile)
            .fetch_optional(p)
            .await?
        });
        let Some((public_id, status, updated_at)) = row else {
            return Ok(None);
        };
        let status = crate::error::decode(
            "ideas.status",
            &status,
            hamafza_core::idea::IdeaStatus::parse,
        )?;
        let message = self.decision_message(&public_id).await?;
        Ok(Some(TrackedIdea {
            status,
            message,
            updated_at,
        }))
    }
}
