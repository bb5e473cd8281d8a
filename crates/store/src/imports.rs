//! Ideas that arrive in bulk: offline intake from spreadsheets (paper forms, exhibition booths)
//! and the demo's generated rounds, written in one transaction per batch.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreResult, db_read, db_write, now};
use hamafza_core::audit::Action;
use hamafza_core::idea::{Channel, IdeaText};
use hamafza_core::ids::{CallId, IdeaId, UserId};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;

use crate::ideas::{CURRENT_CHUNK, NewVersion, insert_versions, tracking_code};

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub imported: usize,
    /// Rows already imported before (same fingerprint in this call).
    pub skipped: usize,
}

/// An idea written in bulk: imported from a booth or paper form, or loaded by the demo.
pub struct BulkIdea<'a> {
    pub text: &'a IdeaText,
    pub author_id: Option<UserId>,
    pub channel: Channel,
    pub at: UnixSeconds,
    /// Who gave it, when they have no account (booths, paper forms).
    pub submitter_name: Option<&'a str>,
    pub submitter_mobile: Option<&'a str>,
    /// The same key in the same call is written once: importing a file twice adds nothing.
    pub import_key: Option<&'a str>,
    /// Where it came from, for the audit entry (e.g. the file's line).
    pub line: Option<usize>,
}

impl Store {
    /// Which of `keys` (import fingerprints) the call already has: one query per 500 keys, on
    /// the unique `(call_id, import_key)` index. An import's dry run asks this to say which rows
    /// the import will skip.
    pub async fn imported_keys(
        &self,
        call_id: CallId,
        keys: &[&str],
    ) -> StoreResult<std::collections::HashSet<String>> {
        let mut out = std::collections::HashSet::new();
        for chunk in keys.chunks(CURRENT_CHUNK) {
            let list = (2..chunk.len() + 2)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT import_key FROM ideas WHERE call_id = $1 AND import_key IN ({list})"
            );
            let found: Vec<String> = db_read!(self, |p| {
                let mut q = sqlx::query_scalar(&sql).bind(call_id);
                for key in chunk {
                    q = q.bind(*key);
                }
                q.fetch_all(p).await?
            });
            out.extend(found);
        }
        Ok(out)
    }

    /// The name an imported idea's author gave (booth or paper form; they have no account), if
    /// any: for the secretariat's view of the idea.
    pub async fn submitter_name(&self, idea_id: IdeaId) -> StoreResult<Option<String>> {
        let name: Option<Option<String>> = db_read!(self, |p| {
            sqlx::query_scalar("SELECT submitter_name FROM ideas WHERE id = $1")
                .bind(idea_id)
                .fetch_optional(p)
                .await?
        });
        Ok(name.flatten().filter(|n| !n.trim().is_empty()))
    }

    /// Stores imported rows in one transaction: all of them or, on any error, none.
    pub async fn import_ideas(
        &self,
        call_id: CallId,
        rows: &[hamafza_core::import::ImportedIdea],
        channel: Channel,
        actor_id: Option<UserId>,
    ) -> StoreResult<ImportOutcome> {
        let now_at = now();
        let bulk: Vec<BulkIdea> = rows
            .iter()
            .map(|r| BulkIdea {
                text: &r.text,
                author_id: None,
                channel,
                // A dated row counts from noon of its day, Tehran time.
                at: r.date.map_or(now_at, |d| {
                    UnixSeconds::from_timestamp(hamafza_persian::jalali::start_of_day_tehran(d))
                        + 12 * 3600
                }),
                submitter_name: Some(r.name.as_str()),
                submitter_mobile: r.mobile.as_deref(),
                import_key: Some(&r.fingerprint),
                line: Some(r.line),
            })
            .collect();
        let imported = self.insert_ideas(call_id, &bulk, actor_id).await?.len();
        Ok(ImportOutcome {
            imported,
            skipped: rows.len() - imported,
        })
    }

    /// Writes ideas in one transaction (all or none) and returns the ids of those written; a row
    /// whose `import_key` the call already has is skipped. Each gets an `idea.import` audit entry
    /// (`idea.submit` when it has an author).
    pub async fn insert_ideas(
        &self,
        call_id: CallId,
        rows: &[BulkIdea<'_>],
        actor_id: Option<UserId>,
    ) -> StoreResult<Vec<IdeaId>> {
        Ok(db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let mut ids = Vec::with_capacity(rows.len());
            let mut versions = Vec::with_capacity(rows.len());
            let mut audits = Vec::with_capacity(rows.len());
            for r in rows {
                let public_id = crate::calls::new_public_id();
                let code = tracking_code();
                let t = r.text;
                let id: Option<IdeaId> = sqlx::query_scalar(
                    "INSERT INTO ideas (public_id, tracking_code, call_id, author_id, channel, status, axis_id, title, title_norm,
                                        version, created_at, updated_at, submitter_name, submitter_mobile, import_key)
                     VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, 1, $9, $9, $10, $11, $12)
                     ON CONFLICT (call_id, import_key) DO NOTHING RETURNING id",
                )
                .bind(&public_id)
                .bind(&code)
                .bind(call_id)
                .bind(r.author_id)
                .bind(r.channel.as_str())
                .bind(t.axis_id)
                .bind(&t.title)
                .bind(hamafza_persian::normalize(&t.title))
                .bind(r.at)
                .bind(r.submitter_name)
                .bind(r.submitter_mobile)
                .bind(r.import_key)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else { continue };
                versions.push(NewVersion {
                    idea_id: id,
                    call_id,
                    version: 1,
                    text: t,
                    editor: r.author_id.or(actor_id),
                    at: r.at,
                });
                let action = if r.author_id.is_some() {
                    Action::IdeaSubmit
                } else {
                    Action::IdeaImport
                };
                audits.push(NewAudit {
                    actor_id: r.author_id.or(actor_id),
                    action,
                    entity_type: "idea",
                    entity_id: public_id,
                    data: json!({ "call_id": call_id, "channel": r.channel.as_str(), "line": r.line, "tracking_code": code }),
                });
                ids.push(id);
            }
            insert_versions!(tx, &versions);
            tx.append_audits(&audits).await?;
            tx.commit().await?;
            ids
        }))
    }
}

/// How long a checked file is kept for importing without a second upload.
pub const STAGED_FOR_SECS: i64 = 86_400;

impl Store {
    /// Keeps a checked file for `call_id` and its checker, for [`STAGED_FOR_SECS`]; returns the
    /// id to import it by. Files kept longer than that go now, so the table holds at most a
    /// day's checks.
    pub async fn stage_import(
        &self,
        call_id: CallId,
        actor_id: Option<UserId>,
        data: &[u8],
    ) -> StoreResult<String> {
        let public_id = crate::calls::new_public_id();
        let at = now();
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM staged_imports WHERE created_at < $1")
                .bind(at - STAGED_FOR_SECS)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO staged_imports (public_id, call_id, created_by, data, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&public_id)
            .bind(call_id)
            .bind(actor_id)
            .bind(data)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(public_id)
    }

    /// The file kept as `public_id` for `call_id` by `actor_id`, if it is still kept: someone
    /// else's check, another call's, or an expired one is `None`.
    pub async fn staged_import(
        &self,
        public_id: &str,
        call_id: CallId,
        actor_id: Option<UserId>,
    ) -> StoreResult<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>, Option<UserId>)> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT data, created_by FROM staged_imports
                 WHERE public_id = $1 AND call_id = $2 AND created_at >= $3",
            )
            .bind(public_id)
            .bind(call_id)
            .bind(now() - STAGED_FOR_SECS)
            .fetch_optional(p)
            .await?
        });
        Ok(row.filter(|(_, by)| *by == actor_id).map(|(data, _)| data))
    }

    /// Forgets a kept file once it was imported.
    pub async fn drop_staged_import(&self, public_id: &str) -> StoreResult<()> {
        db_write!(self, |p| {
            sqlx::query("DELETE FROM staged_imports WHERE public_id = $1")
                .bind(public_id)
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
