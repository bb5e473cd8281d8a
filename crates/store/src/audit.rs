//! The append-only, hash-chained audit log (rules in `hamafza_core::audit`). An entry is appended
//! inside the transaction of the change it records, so both commit or neither does.

use crate::{Store, StoreResult, db_read};
use hamafza_core::audit::{Action, AuditEntry, BrokenLink, GENESIS, entry_hash, verify_chain};
use hamafza_core::ids::UserId;
use hamafza_core::time::UnixSeconds;
use sqlx::{PgConnection, SqliteConnection};

/// What happened, by whom, to what. `data` is any JSON value with the details.
#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub actor_id: Option<UserId>,
    pub action: Action,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub data: serde_json::Value,
}

#[derive(sqlx::FromRow)]
struct Last {
    seq: i64,
    hash: String,
}

/// Appends entries on a connection that is inside a transaction.
///
/// Appends must be serial or two of them would link to the same predecessor. SQLite has one
/// writer; PostgreSQL takes a transaction-scoped advisory lock, released at commit. The primary
/// key on `seq` would refuse a fork anyway.
pub(crate) trait AuditConn {
    /// Appends `entries` in order, in a few statements (one read of the chain's end, then
    /// many rows per insert): a batch of submissions appends all its entries at once.
    async fn append_audits(&mut self, entries: &[NewAudit<'_>]) -> StoreResult<()>;

    async fn append_audit(&mut self, entry: NewAudit<'_>) -> StoreResult<()> {
        self.append_audits(std::slice::from_ref(&entry)).await
    }
}

/// Rows per insert statement (9 parameters each).
const ROWS_PER_INSERT: usize = 500;

macro_rules! append_body {
    ($conn:expr, $entries:expr) => {{
        let conn = $conn;
        let last: Option<Last> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *conn)
                .await?;
        let (mut seq, mut prev) = last.map_or((0, GENESIS.to_string()), |l| (l.seq, l.hash));
        let at = crate::now();
        let mut rows = Vec::with_capacity($entries.len());
        for e in $entries {
            seq += 1;
            let data = e.data.to_string();
            let hash = entry_hash(&prev, seq, at, e.actor_id, e.action.as_str(), e.entity_type, &e.entity_id, &data);
            rows.push((seq, e, data, std::mem::replace(&mut prev, hash.clone()), hash));
        }
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO audit_log (seq, at, actor_id, action, entity_type, entity_id, data, prev_hash, hash) ",
            );
            q.push_values(chunk, |mut row, (seq, e, data, prev, hash)| {
                row.push_bind(*seq)
                    .push_bind(at)
                    .push_bind(e.actor_id)
                    .push_bind(e.action.as_str())
                    .push_bind(e.entity_type)
                    .push_bind(&e.entity_id)
                    .push_bind(data)
                    .push_bind(prev)
                    .push_bind(hash);
            });
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    }};
}

impl AuditConn for SqliteConnection {
    async fn append_audits(&mut self, entries: &[NewAudit<'_>]) -> StoreResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        append_body!(self, entries)
    }
}

/// Any constant shared by all nodes; it names the audit log's lock.
const AUDIT_LOCK: i64 = 0x6861_6d61_6661_7a61; // "hamafaza"

impl AuditConn for PgConnection {
    async fn append_audits(&mut self, entries: &[NewAudit<'_>]) -> StoreResult<()> {
        if entries.is_empty() {
            return Ok(());
        }
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut *self)
            .await?;
        append_body!(self, entries)
    }
}

const SELECT_ENTRY: &str = "SELECT seq, at, actor_id, action, entity_type, entity_id, data, prev_hash, hash FROM audit_log";

#[derive(sqlx::FromRow)]
struct Row {
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

impl From<Row> for AuditEntry {
    fn from(r: Row) -> Self {
        AuditEntry {
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            data: r.data,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub checked: i64,
    pub broken: Option<BrokenLink>,
}

impl Store {
    /// Appends one entry in a transaction of its own, for events that change nothing else
    /// (a sign-in, a failed verification).
    pub async fn audit(&self, entry: NewAudit<'_>) -> StoreResult<()> {
        crate::db_write!(self, |p| {
            let mut tx = p.begin().await?;
            tx.append_audit(entry).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The newest entries first, `limit` of them before `before_seq` (all when `None`).
    pub async fn audit_page(
        &self,
        before_seq: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<Row> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "{SELECT_ENTRY} WHERE seq < $1 ORDER BY seq DESC LIMIT $2"
            ))
            .bind(before_seq.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Entries about one entity, oldest first.
    pub async fn audit_for(
        &self,
        entity_type: &str,
        entity_id: &str,
    ) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<Row> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "{SELECT_ENTRY} WHERE entity_type = $1 AND entity_id = $2 ORDER BY seq"
            ))
            .bind(entity_type)
            .bind(entity_id)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Walks the whole chain in batches and reports the first broken link.
    pub async fn verify_audit(&self) -> StoreResult<Verification> {
        const BATCH: i64 = 5000;
        let mut last: Option<(i64, String)> = None;
        let mut checked = 0;
        loop {
            let after = last.as_ref().map_or(0, |l| l.0);
            let rows: Vec<Row> = db_read!(self, |p| {
                sqlx::query_as(&format!(
                    "{SELECT_ENTRY} WHERE seq > $1 ORDER BY seq LIMIT $2"
                ))
                .bind(after)
                .bind(BATCH)
                .fetch_all(p)
                .await?
            });
            if rows.is_empty() {
                return Ok(Verification {
                    checked,
                    broken: None,
                });
            }
            let entries: Vec<AuditEntry> = rows.into_iter().map(Into::into).collect();
            match verify_chain(last.clone(), &entries) {
                Ok(l) => {
                    checked += entries.len() as i64;
                    last = l;
                }
                Err(broken) => {
                    let seq = match &broken {
                        BrokenLink::Tampered { seq }
                        | BrokenLink::Unlinked { seq }
                        | BrokenLink::Gap { seq, .. } => *seq,
                    };
                    checked += entries.iter().take_while(|e| e.seq < seq).count() as i64;
                    return Ok(Verification {
                        checked,
                        broken: Some(broken),
                    });
                }
            }
        }
    }
}
