//! Orientation sessions for a call's finalists and their attendance.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, decode, now};
use hamafza_core::audit::Action;
use hamafza_core::ids::{CallId, IdeaId, OrientationId, UserId};
use hamafza_core::orientation::{Attendance, OrientationSession};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;

/// An idea invited to a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitee {
    pub idea_id: IdeaId,
    pub idea_public_id: String,
    pub tracking_code: String,
    pub title: String,
    pub author: Option<String>,
    pub attendance: Attendance,
}

#[derive(sqlx::FromRow)]
struct InviteeRow {
    idea_id: IdeaId,
    public_id: String,
    tracking_code: String,
    title: String,
    author: Option<String>,
    attendance: String,
}

/// A new session.
pub struct NewOrientation<'a> {
    pub title: &'a str,
    pub starts_at: UnixSeconds,
    pub place: &'a str,
    pub materials: &'a str,
}

const SESSION_COLUMNS: &str =
    "id, public_id, call_id, title, starts_at, place, materials, created_at";

impl Store {
    pub async fn create_orientation(
        &self,
        call_id: CallId,
        new: &NewOrientation<'_>,
        actor_id: Option<UserId>,
    ) -> StoreResult<OrientationSession> {
        let public_id = crate::calls::new_public_id();
        let id: OrientationId = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let id: OrientationId = sqlx::query_scalar(
                "INSERT INTO orientation_sessions (public_id, call_id, title, starts_at, place, materials, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(&public_id)
            .bind(call_id)
            .bind(new.title)
            .bind(new.starts_at)
            .bind(new.place)
            .bind(new.materials)
            .bind(actor_id)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::OrientationCreate,
                entity_type: "orientation_session",
                entity_id: public_id.clone(),
                data: json!({ "call_id": call_id, "title": new.title, "starts_at": new.starts_at }),
            })
            .await?;
            tx.commit().await?;
            id
        });
        self.orientation(id).await
    }

    pub async fn orientation(&self, id: OrientationId) -> StoreResult<OrientationSession> {
        let s: Option<OrientationSession> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {SESSION_COLUMNS} FROM orientation_sessions WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(p)
            .await?
        });
        s.ok_or(StoreError::NotFound)
    }

    pub async fn orientation_by_public_id(
        &self,
        public_id: &str,
    ) -> StoreResult<Option<OrientationSession>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {SESSION_COLUMNS} FROM orientation_sessions WHERE public_id = $1"
            ))
            .bind(public_id)
            .fetch_optional(p)
            .await?
        }))
    }

    /// A call's sessions, earliest first.
    pub async fn orientations_of_call(
        &self,
        call_id: CallId,
    ) -> StoreResult<Vec<OrientationSession>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {SESSION_COLUMNS} FROM orientation_sessions WHERE call_id = $1 ORDER BY starts_at, id"
            ))
            .bind(call_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// The sessions an idea is invited to, with its attendance, earliest first.
    pub async fn orientations_of_idea(
        &self,
        idea_id: IdeaId,
    ) -> StoreResult<Vec<(OrientationSession, Attendance)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            session: OrientationSession,
            attendance: String,
        }
        let rows: Vec<Row> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT s.id, s.public_id, s.call_id, s.title, s.starts_at, s.place, s.materials, s.created_at,
                        i.attendance
                 FROM orientation_invites i
                 JOIN orientation_sessions s ON s.id = i.session_id
                 WHERE i.idea_id = $1 ORDER BY s.starts_at, s.id",
            )
            .bind(idea_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                let a = decode(
                    "orientation_invites.attendance",
                    &r.attendance,
                    Attendance::parse,
                )?;
                Ok((r.session, a))
            })
            .collect()
    }

    /// Invites ideas of the session's call (others are ignored); returns how many were newly
    /// invited. Inviting again changes nothing.
    pub async fn invite_to_orientation(
        &self,
        session: &OrientationSession,
        idea_ids: &[IdeaId],
        actor_id: Option<UserId>,
    ) -> StoreResult<usize> {
        Ok(db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let mut n = 0;
            for &idea_id in idea_ids {
                let idea: Option<String> = sqlx::query_scalar(
                    "SELECT public_id FROM ideas WHERE id = $1 AND call_id = $2",
                )
                .bind(idea_id)
                .bind(session.call_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(idea_public_id) = idea else { continue };
                let added = sqlx::query(
                    "INSERT INTO orientation_invites (session_id, idea_id) VALUES ($1, $2)
                     ON CONFLICT (session_id, idea_id) DO NOTHING",
                )
                .bind(session.id)
                .bind(idea_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if added == 0 {
                    continue;
                }
                tx.append_audit(NewAudit {
                    actor_id,
                    action: Action::OrientationInvite,
                    entity_type: "idea",
                    entity_id: idea_public_id,
                    data: json!({ "session": session.public_id, "title": session.title, "starts_at": session.starts_at }),
                })
                .await?;
                n += 1;
            }
            tx.commit().await?;
            n
        }))
    }

    pub async fn orientation_invitees(
        &self,
        session_id: OrientationId,
    ) -> StoreResult<Vec<Invitee>> {
        let rows: Vec<InviteeRow> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT d.id AS idea_id, d.public_id, d.tracking_code, d.title, u.display_name AS author, i.attendance
                 FROM orientation_invites i
                 JOIN ideas d ON d.id = i.idea_id
                 LEFT JOIN users u ON u.id = d.author_id
                 WHERE i.session_id = $1 ORDER BY d.title, d.id",
            )
            .bind(session_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Invitee {
                    idea_id: r.idea_id,
                    idea_public_id: r.public_id,
                    tracking_code: r.tracking_code,
                    title: r.title,
                    author: r.author,
                    attendance: decode(
                        "orientation_invites.attendance",
                        &r.attendance,
                        Attendance::parse,
                    )?,
                })
            })
            .collect()
    }

    /// Records attendance for invited ideas; ideas not invited are ignored. Returns how many
    /// changed.
    pub async fn record_attendance(
        &self,
        session: &OrientationSession,
        marks: &[(IdeaId, Attendance)],
        actor_id: Option<UserId>,
    ) -> StoreResult<usize> {
        let at = now();
        Ok(db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let mut changed = Vec::new();
            for &(idea_id, a) in marks {
                let n = sqlx::query(
                    "UPDATE orientation_invites SET attendance = $1, recorded_by = $2, recorded_at = $3
                     WHERE session_id = $4 AND idea_id = $5 AND attendance <> $1",
                )
                .bind(a.as_str())
                .bind(actor_id)
                .bind(at)
                .bind(session.id)
                .bind(idea_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n > 0 {
                    changed.push(json!({ "idea_id": idea_id, "attendance": a.as_str() }));
                }
            }
            if !changed.is_empty() {
                tx.append_audit(NewAudit {
                    actor_id,
                    action: Action::OrientationAttendance,
                    entity_type: "orientation_session",
                    entity_id: session.public_id.clone(),
                    data: json!({ "marks": changed }),
                })
                .await?;
            }
            tx.commit().await?;
            changed.len()
        }))
    }
}
