//! Files attached to ideas. The bytes live in the database as content-addressed blobs (keyed by
//! their SHA-256), so app nodes keep nothing on disk and nothing is under a web root; each idea
//! links to blobs with the name, type and size the uploader gave. Types are checked (sniffed) by
//! the caller before anything reaches here.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, now};
use hamafza_core::audit::Action;
use hamafza_core::ids::{AttachmentId, IdeaId, UserId};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, SqliteConnection};

/// At most this many files per idea.
pub const MAX_PER_IDEA: usize = 5;

/// A file to attach, already checked.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// The name the uploader gave (shown and offered on download; never used as a path).
    pub name: String,
    /// The sniffed content type.
    pub mime: String,
    pub bytes: Vec<u8>,
}

impl NewAttachment {
    pub fn sha256(&self) -> String {
        hex(&Sha256::digest(&self.bytes))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Attachment {
    #[serde(skip)]
    pub id: AttachmentId,
    pub public_id: String,
    #[serde(skip)]
    pub idea_id: IdeaId,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub uploader_id: Option<UserId>,
    pub created_at: UnixSeconds,
}

const COLUMNS: &str = "id, public_id, idea_id, name, mime, size, sha256, uploader_id, created_at";

/// Inserts attachments inside the caller's transaction (a submission writes its files with it).
pub(crate) trait AttachConn {
    async fn attach(
        &mut self,
        idea_id: IdeaId,
        idea_public_id: &str,
        file: &NewAttachment,
        uploader_id: Option<UserId>,
    ) -> StoreResult<Attachment>;
}

macro_rules! attach_body {
    ($conn:expr, $idea_id:expr, $idea_public_id:expr, $file:expr, $uploader:expr) => {{
        let conn = $conn;
        let f = $file;
        let sha = f.sha256();
        let at = now();
        // DO UPDATE (not NOTHING) locks the blob row, so a concurrent detach cannot delete it
        // between this insert and the link below.
        sqlx::query(
            "INSERT INTO blobs (sha256, size, data, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (sha256) DO UPDATE SET size = excluded.size",
        )
        .bind(&sha)
        .bind(f.bytes.len() as i64)
        .bind(&f.bytes)
        .bind(at)
        .execute(&mut *conn)
        .await?;
        let a: Attachment = sqlx::query_as(&format!(
            "INSERT INTO idea_attachments (public_id, idea_id, sha256, name, mime, size, uploader_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
        ))
        .bind(crate::calls::new_public_id())
        .bind($idea_id)
        .bind(&sha)
        .bind(&f.name)
        .bind(&f.mime)
        .bind(f.bytes.len() as i64)
        .bind($uploader)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?;
        conn.append_audit(NewAudit {
            actor_id: $uploader,
            action: Action::IdeaAttach,
            entity_type: "idea",
            entity_id: $idea_public_id.to_string(),
            data: json!({ "name": f.name, "size": a.size, "sha256": sha }),
        })
        .await?;
        Ok(a)
    }};
}

impl AttachConn for SqliteConnection {
    async fn attach(
        &mut self,
        idea_id: IdeaId,
        idea_public_id: &str,
        file: &NewAttachment,
        uploader_id: Option<UserId>,
    ) -> StoreResult<Attachment> {
        attach_body!(self, idea_id, idea_public_id, file, uploader_id)
    }
}

impl AttachConn for PgConnection {
    async fn attach(
        &mut self,
        idea_id: IdeaId,
        idea_public_id: &str,
        file: &NewAttachment,
        uploader_id: Option<UserId>,
    ) -> StoreResult<Attachment> {
        attach_body!(self, idea_id, idea_public_id, file, uploader_id)
    }
}

impl Store {
    /// An idea's attachments, oldest first.
    pub async fn attachments(&self, idea_id: IdeaId) -> StoreResult<Vec<Attachment>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM idea_attachments WHERE idea_id = $1 ORDER BY created_at, id"
            ))
            .bind(idea_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// One attachment of an idea by its public id.
    pub async fn attachment(&self, idea_id: IdeaId, public_id: &str) -> StoreResult<Attachment> {
        let row: Option<Attachment> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM idea_attachments WHERE idea_id = $1 AND public_id = $2"
            ))
            .bind(idea_id)
            .bind(public_id)
            .fetch_optional(p)
            .await?
        });
        row.ok_or(StoreError::NotFound)
    }

    /// The bytes of an attachment.
    pub async fn attachment_bytes(&self, a: &Attachment) -> StoreResult<Vec<u8>> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar("SELECT data FROM blobs WHERE sha256 = $1")
                .bind(&a.sha256)
                .fetch_one(p)
                .await?
        }))
    }

    /// Attaches files to an existing idea, all or none. More than `MAX_PER_IDEA` in all is a
    /// `Conflict("attachments")`, counted inside the transaction so two uploads cannot both pass.
    pub async fn add_attachments(
        &self,
        idea_id: IdeaId,
        idea_public_id: &str,
        files: &[NewAttachment],
        uploader_id: Option<UserId>,
    ) -> StoreResult<Vec<Attachment>> {
        if files.is_empty() {
            // An edit without files: no transaction, no wait for the writer.
            return Ok(Vec::new());
        }
        Ok(db_write!(self, |p| {
            let mut tx = p.begin().await?;
            if self.backend() == crate::Backend::Postgres {
                // Serializes uploads to one idea so the count below stays true.
                sqlx::query("SELECT id FROM ideas WHERE id = $1 FOR UPDATE")
                    .bind(idea_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM idea_attachments WHERE idea_id = $1")
                    .bind(idea_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if n as usize + files.len() > MAX_PER_IDEA {
                return Err(StoreError::Conflict("attachments".into()));
            }
            let mut out = Vec::with_capacity(files.len());
            for f in files {
                out.push(tx.attach(idea_id, idea_public_id, f, uploader_id).await?);
            }
            tx.commit().await?;
            out
        }))
    }

    /// Removes an attachment; its blob goes too when no other idea links to it.
    pub async fn remove_attachment(
        &self,
        idea_public_id: &str,
        a: &Attachment,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query("DELETE FROM idea_attachments WHERE id = $1")
                .bind(a.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query(
                "DELETE FROM blobs WHERE sha256 = $1
                 AND NOT EXISTS (SELECT 1 FROM idea_attachments WHERE sha256 = $1)",
            )
            .bind(&a.sha256)
            .execute(&mut *tx)
            .await?;
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::IdeaDetach,
                entity_type: "idea",
                entity_id: idea_public_id.to_string(),
                data: json!({ "name": a.name }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}
