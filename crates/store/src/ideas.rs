//! Ideas and their versions.

use crate::attachments::NewAttachment;
use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, decode, now};
use hamafza_core::audit::Action;
use hamafza_core::idea::{Channel, IdeaStatus, IdeaText, Place};
use hamafza_core::idea::{Idea, IdeaVersion};
use hamafza_core::ids::{AxisId, CallId, IdeaId, UserId};
use hamafza_core::time::UnixSeconds;
use rand::Rng;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
pub(crate) struct IdeaRow {
    id: IdeaId,
    public_id: String,
    tracking_code: String,
    call_id: CallId,
    author_id: Option<UserId>,
    channel: String,
    status: String,
    axis_id: AxisId,
    title: String,
    version: i64,
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    stage_position: i64,
    duplicate_of: Option<IdeaId>,
}

impl TryFrom<IdeaRow> for Idea {
    type Error = StoreError;

    fn try_from(r: IdeaRow) -> StoreResult<Self> {
        Ok(Idea {
            id: r.id,
            public_id: r.public_id,
            tracking_code: r.tracking_code,
            call_id: r.call_id,
            author_id: r.author_id,
            channel: decode("ideas.channel", &r.channel, Channel::parse)?,
            status: decode("ideas.status", &r.status, IdeaStatus::parse)?,
            axis_id: r.axis_id,
            title: r.title,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
            stage_position: r.stage_position,
            duplicate_of: r.duplicate_of,
        })
    }
}

pub(crate) const IDEA_COLUMNS: &str = "id, public_id, tracking_code, call_id, author_id, channel, status, axis_id, title, version, created_at, updated_at, stage_position, duplicate_of";
const VERSION_COLUMNS: &str = "version, axis_id, title, problem, solution, benefits, resources, owner_unit_id, edited_by, created_at";

pub(crate) fn tracking_code() -> String {
    let mut rng = rand::rng();
    format!(
        "{}{:09}",
        rng.random_range(1..10),
        rng.random_range(0..1_000_000_000u64)
    )
}

/// The normalized text of a version, for search and near-duplicate detection later.
pub(crate) fn text_norm(t: &IdeaText) -> String {
    hamafza_persian::normalize(&[t.title.as_str(), &t.problem, &t.solution, &t.benefits].join("\n"))
}

/// A version to store (see `insert_versions!`).
pub(crate) struct NewVersion<'a> {
    pub idea_id: IdeaId,
    pub call_id: CallId,
    pub version: i64,
    pub text: &'a IdeaText,
    pub editor: Option<UserId>,
    pub at: UnixSeconds,
}

/// Stores `$rows` (a slice of `NewVersion`) inside transaction `$tx` and indexes their words
/// (for similar ideas), many rows per statement: a batch of submissions or an import writes
/// them all at once. A version after the first replaces its idea's indexed words.
macro_rules! insert_versions {
    ($tx:expr, $rows:expr) => {{
        let rows: &[$crate::ideas::NewVersion] = $rows;
        for chunk in rows.chunks(200) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO idea_versions (idea_id, version, axis_id, title, problem, solution, benefits, resources,
                                            owner_unit_id, text_norm, edited_by, created_at) ",
            );
            q.push_values(chunk, |mut b, v| {
                b.push_bind(v.idea_id)
                    .push_bind(v.version)
                    .push_bind(v.text.axis_id)
                    .push_bind(&v.text.title)
                    .push_bind(&v.text.problem)
                    .push_bind(&v.text.solution)
                    .push_bind(&v.text.benefits)
                    .push_bind(&v.text.resources)
                    .push_bind(v.text.owner_unit_id)
                    .push_bind($crate::ideas::text_norm(v.text))
                    .push_bind(v.editor)
                    .push_bind(v.at);
            });
            q.build().execute(&mut *$tx).await?;
        }
        for v in rows.iter().filter(|v| v.version > 1) {
            sqlx::query("DELETE FROM idea_words WHERE idea_id = $1")
                .bind(v.idea_id)
                .execute(&mut *$tx)
                .await?;
        }
        let words: Vec<(CallId, IdeaId, String)> = rows
            .iter()
            .flat_map(|v| {
                $crate::similar::indexed_words(v.text)
                    .into_iter()
                    .map(move |w| (v.call_id, v.idea_id, w))
            })
            .collect();
        for chunk in words.chunks(1000) {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO idea_words (call_id, idea_id, word) ");
            q.push_values(chunk, |mut b, (call_id, idea_id, word)| {
                b.push_bind(*call_id).push_bind(*idea_id).push_bind(word);
            });
            q.build().execute(&mut *$tx).await?;
        }
    }};
}

pub(crate) use insert_versions;

/// A new idea to store.
pub struct NewIdea<'a> {
    pub call_id: CallId,
    pub author_id: Option<UserId>,
    pub channel: Channel,
    pub text: &'a IdeaText,
    /// Makes a retried submission return the first one instead of a copy.
    pub idempotency_key: Option<&'a str>,
}

/// What a participant's submission brings besides its text, written in the same transaction.
#[derive(Debug, Default)]
pub struct SubmitExtras<'a> {
    /// Files, already type-checked.
    pub attachments: &'a [NewAttachment],
    /// Users invited to the team.
    pub invitees: &'a [UserId],
    /// Delete the author's draft for this call.
    pub clear_draft: bool,
}

impl Store {
    /// Stores a submitted idea and its first version; returns it and whether it is new. With an
    /// idempotency key the author already used, returns that idea untouched. Returns once the
    /// idea is committed (see `submissions` for how commits are grouped).
    pub async fn submit_idea(&self, new: &NewIdea<'_>) -> StoreResult<(Idea, bool)> {
        self.submit_idea_with(new, &SubmitExtras::default()).await
    }

    /// `submit_idea` with attachments, team invitations and the draft's deletion, all in one
    /// transaction: a failure in any of them stores no idea.
    pub async fn submit_idea_with(
        &self,
        new: &NewIdea<'_>,
        extras: &SubmitExtras<'_>,
    ) -> StoreResult<(Idea, bool)> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.write_submission(crate::submissions::Pending {
            call_id: new.call_id,
            author_id: new.author_id,
            channel: new.channel,
            text: new.text.clone(),
            idempotency_key: new.idempotency_key.map(str::to_owned),
            attachments: extras.attachments.to_vec(),
            invitees: extras.invitees.to_vec(),
            clear_draft: extras.clear_draft,
            reply,
        })
        .await?;
        let written = answer
            .await
            .map_err(|_| StoreError::Config("the submission writer has stopped".into()))?;
        match written {
            Ok((id, created)) => Ok((self.idea(id).await?, created)),
            // Two nodes wrote the same key at once; the other one won.
            Err(e) if e.is_conflict_on("idempotency") => match (new.idempotency_key, new.author_id)
            {
                (Some(key), Some(author)) => Ok((
                    self.idea_by_key(author, key)
                        .await?
                        .ok_or(StoreError::NotFound)?,
                    false,
                )),
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// The idea `author_id` submitted with idempotency key `key`, if any (read from the writer,
    /// so a submission just acknowledged is seen).
    pub async fn idea_by_key(&self, author_id: UserId, key: &str) -> StoreResult<Option<Idea>> {
        let row: Option<IdeaRow> = db_write!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE author_id = $1 AND idempotency_key = $2"
            ))
            .bind(author_id)
            .bind(key)
            .fetch_optional(p)
            .await?
        });
        row.map(Idea::try_from).transpose()
    }

    /// Adds a version with the new text, if the idea is still at `from`: the place (status and
    /// stage) the caller saw when it allowed the edit, e.g. `idea.place()` of the read the web's
    /// `edit_blocker` judged. A `ChangesRequested` idea goes back to `Submitted`. `Conflict` if
    /// the idea moved meanwhile (decided, merged, moved on) or another edit landed first:
    /// checked in the update itself, so a decision between the check and the write wins.
    pub async fn edit_idea(
        &self,
        idea_id: IdeaId,
        from: Place,
        text: &IdeaText,
        editor_id: Option<UserId>,
    ) -> StoreResult<Idea> {
        let idea = self.idea(idea_id).await?;
        if idea.place() != from {
            return Err(StoreError::Conflict("idea moved meanwhile".into()));
        }
        let at = now();
        let version = idea.version + 1;
        let status = if from.status == IdeaStatus::ChangesRequested {
            IdeaStatus::Submitted
        } else {
            from.status
        };
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            // The version in the WHERE turns a concurrent edit into a conflict, not a lost
            // update; the place, a decision made since the edit was allowed (transitions do not
            // change the version).
            let n = sqlx::query(
                "UPDATE ideas SET axis_id = $1, title = $2, title_norm = $3, version = $4, status = $5, updated_at = $6
                 WHERE id = $7 AND version = $8 AND status = $9 AND stage_position = $10",
            )
            .bind(text.axis_id)
            .bind(&text.title)
            .bind(hamafza_persian::normalize(&text.title))
            .bind(version)
            .bind(status.as_str())
            .bind(at)
            .bind(idea_id)
            .bind(idea.version)
            .bind(from.status.as_str())
            .bind(from.stage)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(
                    "idea edited or moved meanwhile".into(),
                ));
            }
            insert_versions!(
                tx,
                &[NewVersion {
                    idea_id,
                    call_id: idea.call_id,
                    version,
                    text,
                    editor: editor_id,
                    at,
                }]
            );
            tx.append_audit(NewAudit {
                actor_id: editor_id,
                action: Action::IdeaEdit,
                entity_type: "idea",
                entity_id: idea.public_id.clone(),
                data: json!({ "version": version }),
            })
            .await?;
            tx.commit().await?;
        });
        self.idea(idea_id).await
    }

    pub async fn idea(&self, id: IdeaId) -> StoreResult<Idea> {
        let row: Option<IdeaRow> = db_read!(self, |p| {
            sqlx::query_as(&format!("SELECT {IDEA_COLUMNS} FROM ideas WHERE id = $1"))
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    pub async fn idea_by_public_id(&self, public_id: &str) -> StoreResult<Option<Idea>> {
        let row: Option<IdeaRow> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE public_id = $1"
            ))
            .bind(public_id)
            .fetch_optional(p)
            .await?
        });
        row.map(Idea::try_from).transpose()
    }

    /// Every version of an idea, oldest first.
    pub async fn idea_versions(&self, idea_id: IdeaId) -> StoreResult<Vec<IdeaVersion>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {VERSION_COLUMNS} FROM idea_versions WHERE idea_id = $1 ORDER BY version"
            ))
            .bind(idea_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// The ideas an author submitted, newest first (in one call, or all).
    pub async fn ideas_of_author(
        &self,
        author_id: UserId,
        call_id: Option<CallId>,
    ) -> StoreResult<Vec<Idea>> {
        let rows: Vec<IdeaRow> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE author_id = $1 AND ($2 IS NULL OR call_id = $2) ORDER BY created_at DESC, id DESC"
            ))
            .bind(author_id)
            .bind(call_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(Idea::try_from).collect()
    }

    /// A page of a call's ideas, newest first, and how many there are. (The secretariat's inbox
    /// with filters comes with screening.)
    pub async fn ideas_of_call(
        &self,
        call_id: CallId,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Idea>, i64)> {
        let (rows, total): (Vec<IdeaRow>, i64) = db_read!(self, |p| {
            let rows = sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE call_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
            ))
            .bind(call_id)
            .bind(limit.clamp(1, 500))
            .bind(offset.max(0))
            .fetch_all(p)
            .await?;
            let total = sqlx::query_scalar("SELECT COUNT(*) FROM ideas WHERE call_id = $1")
                .bind(call_id)
                .fetch_one(p)
                .await?;
            (rows, total)
        });
        Ok((
            rows.into_iter()
                .map(Idea::try_from)
                .collect::<StoreResult<_>>()?,
            total,
        ))
    }
}

/// What a list of ideas shows besides the idea row: its current text and where it was merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentText {
    /// The latest version (the one `Idea::version` names).
    pub version: IdeaVersion,
    /// For a duplicate: the public id of the idea it was merged into.
    pub duplicate_of: Option<String>,
}

/// Ids per statement in [`Store::current_texts`]: a whole inbox or API page (at most 500) is
/// one statement, and the placeholders stay far below either backend's limit.
pub(crate) const CURRENT_CHUNK: usize = 500;

impl Store {
    /// The current text of each of `idea_ids`, and for duplicates the kept idea's public id,
    /// keyed by idea id (unknown ids are left out): one query per 500 ids, so a page of a list
    /// costs one query instead of two per idea.
    pub async fn current_texts(
        &self,
        idea_ids: &[IdeaId],
    ) -> StoreResult<HashMap<IdeaId, CurrentText>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            idea_id: IdeaId,
            #[sqlx(flatten)]
            version: IdeaVersion,
            kept_public_id: Option<String>,
        }
        let mut out = HashMap::with_capacity(idea_ids.len());
        for chunk in idea_ids.chunks(CURRENT_CHUNK) {
            let list = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT i.id AS idea_id, v.version, v.axis_id, v.title, v.problem, v.solution, v.benefits,
                        v.resources, v.owner_unit_id, v.edited_by, v.created_at, k.public_id AS kept_public_id
                 FROM ideas i
                 JOIN idea_versions v ON v.idea_id = i.id AND v.version = i.version
                 LEFT JOIN ideas k ON k.id = i.duplicate_of
                 WHERE i.id IN ({list})"
            );
            let rows: Vec<Row> = db_read!(self, |p| {
                let mut q = sqlx::query_as(&sql);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(p).await?
            });
            out.extend(rows.into_iter().map(|r| {
                (
                    r.idea_id,
                    CurrentText {
                        version: r.version,
                        duplicate_of: r.kept_public_id,
                    },
                )
            }));
        }
        Ok(out)
    }
}

/// One idea as the secretariat's export lists it: the current version with its author and unit.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExportRow {
    pub tracking_code: String,
    pub title: String,
    pub axis: String,
    pub status: String,
    pub channel: String,
    pub author: Option<String>,
    pub unit: Option<String>,
    pub province_code: Option<String>,
    pub created_at: UnixSeconds,
    pub version: i64,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
}

impl Store {
    /// Every idea of a call with its current text, oldest first, for exports. The author is the
    /// account's name, or the name an imported row gave; the cell also names the authors of
    /// ideas merged into it (they stay credited).
    pub async fn ideas_for_export(&self, call_id: CallId) -> StoreResult<Vec<ExportRow>> {
        let mut rows = self.export_rows(call_id).await?;
        let credits: Vec<(String, Option<UserId>, String)> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT i.tracking_code, c.user_id, c.name FROM idea_credits c JOIN ideas i ON i.id = c.idea_id
                 WHERE i.call_id = $1 AND {}
                 ORDER BY c.created_at, c.from_idea_id",
                crate::screening::merge::NOT_THE_AUTHOR
            ))
            .bind(call_id)
            .fetch_all(p)
            .await?
        });
        let at: std::collections::HashMap<String, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.tracking_code.clone(), i))
            .collect();
        let mut seen: std::collections::HashMap<String, Vec<(Option<UserId>, String)>> =
            Default::default();
        for (code, user, name) in credits {
            if !crate::screening::merge::first_time(
                seen.entry(code.clone()).or_default(),
                user,
                &name,
            ) {
                continue;
            }
            if let Some(r) = at.get(&code).map(|i| &mut rows[*i]) {
                r.author = Some(match r.author.take() {
                    Some(a) if !a.is_empty() => format!("{a}، {name}"),
                    _ => name,
                });
            }
        }
        Ok(rows)
    }

    async fn export_rows(&self, call_id: CallId) -> StoreResult<Vec<ExportRow>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT i.tracking_code, i.title, a.title AS axis, i.status, i.channel,
                        COALESCE(u.display_name, NULLIF(i.submitter_name, '')) AS author,
                        o.name_fa AS unit, o.province_code, i.created_at, i.version,
                        v.problem, v.solution, v.benefits, v.resources
                 FROM ideas i
                 JOIN idea_versions v ON v.idea_id = i.id AND v.version = i.version
                 JOIN call_axes a ON a.id = i.axis_id
                 LEFT JOIN users u ON u.id = i.author_id
                 LEFT JOIN org_units o ON o.id = u.org_unit_id
                 WHERE i.call_id = $1 ORDER BY i.created_at, i.id",
            )
            .bind(call_id)
            .fetch_all(p)
            .await?
        }))
    }
}

impl Store {
    /// The ideas of a call matching the inbox query `q`, and how many match (at most
    /// [`crate::screening::COUNT_CAP`]). [`Store::inbox_page`] also gives the page cursors.
    pub async fn inbox(&self, call_id: CallId, q: &InboxQuery) -> StoreResult<(Vec<Idea>, i64)> {
        let page = crate::screening::inbox(self, call_id, q).await?;
        Ok((page.ideas, page.total))
    }
}

pub use crate::screening::{InboxPage, InboxQuery, InboxSort};
