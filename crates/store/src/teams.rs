//! Teams behind an idea. The lead is the idea's author (`ideas.author_id`), so everything that
//! asks "who may edit" keeps working; the other members are invited and accept or decline.
//! Handing the lead over swaps the author with an accepted member in one transaction.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, now};
use hamafza_core::audit::Action;
use hamafza_core::idea::Idea;
use hamafza_core::ids::{IdeaId, UserId};
use hamafza_core::time::UnixSeconds;
use serde::Serialize;
use serde_json::json;
use sqlx::{PgConnection, SqliteConnection};

/// The lead and the members (invited or accepted) together.
pub const MAX_TEAM: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    Lead,
    Invited,
    Accepted,
}

impl MemberState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Invited => "invited",
            Self::Accepted => "accepted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub state: MemberState,
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    user_id: UserId,
    username: String,
    display_name: String,
    state: String,
}

/// An invitation waiting for someone's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Invitation {
    pub idea_public_id: String,
    pub idea_title: String,
    pub call_title: String,
    pub lead_name: Option<String>,
    pub invited_at: UnixSeconds,
}

/// Invites inside the caller's transaction (a submission invites its team with it).
pub(crate) trait TeamConn {
    async fn invite(
        &mut self,
        idea_id: IdeaId,
        idea_public_id: &str,
        user_id: UserId,
        actor_id: Option<UserId>,
        quiet: bool,
    ) -> StoreResult<()>;
}

macro_rules! invite_body {
    ($conn:expr, $idea_id:expr, $public_id:expr, $user_id:expr, $actor:expr, $quiet:expr) => {{
        let conn = $conn;
        sqlx::query(
            "INSERT INTO idea_members (idea_id, user_id, state, invited_by, invited_at)
             VALUES ($1, $2, 'invited', $3, $4)",
        )
        .bind($idea_id)
        .bind($user_id)
        .bind($actor)
        .bind(now())
        .execute(&mut *conn)
        .await?;
        conn.append_audit(NewAudit {
            actor_id: $actor,
            action: Action::TeamInvite,
            entity_type: "idea",
            entity_id: $public_id.to_string(),
            data: if $quiet {
                json!({ "user_id": $user_id, "quiet": true })
            } else {
                json!({ "user_id": $user_id })
            },
        })
        .await
    }};
}

impl TeamConn for SqliteConnection {
    async fn invite(
        &mut self,
        i: IdeaId,
        p: &str,
        u: UserId,
        a: Option<UserId>,
        q: bool,
    ) -> StoreResult<()> {
        invite_body!(self, i, p, u, a, q)
    }
}

impl TeamConn for PgConnection {
    async fn invite(
        &mut self,
        i: IdeaId,
        p: &str,
        u: UserId,
        a: Option<UserId>,
        q: bool,
    ) -> StoreResult<()> {
        invite_body!(self, i, p, u, a, q)
    }
}

impl Store {
    /// The lead first, then the members in the order they were invited.
    pub async fn team(&self, idea: &Idea) -> StoreResult<Vec<Member>> {
        let rows: Vec<MemberRow> = db_read!(self, |p| {
            sqlx::query_as(
                "SELECT u.id AS user_id, u.username, u.display_name, 'lead' AS state, 0 AS invited_at
                 FROM ideas i JOIN users u ON u.id = i.author_id WHERE i.id = $1
                 UNION ALL
                 SELECT u.id, u.username, u.display_name, m.state, m.invited_at
                 FROM idea_members m JOIN users u ON u.id = m.user_id WHERE m.idea_id = $1
                 ORDER BY invited_at, user_id",
            )
            .bind(idea.id)
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Member {
                user_id: r.user_id,
                username: r.username,
                display_name: r.display_name,
                state: match r.state.as_str() {
                    "lead" => MemberState::Lead,
                    "accepted" => MemberState::Accepted,
                    _ => MemberState::Invited,
                },
            })
            .collect())
    }

    /// Everyone who works on the idea: the lead and the members who accepted.
    pub async fn member_ids(&self, idea_id: IdeaId) -> StoreResult<Vec<UserId>> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar(
                "SELECT author_id FROM ideas WHERE id = $1 AND author_id IS NOT NULL
                 UNION
                 SELECT user_id FROM idea_members WHERE idea_id = $1 AND state = 'accepted'",
            )
            .bind(idea_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Whether `user_id` accepted to work on the idea (the lead is not asked here).
    pub async fn is_member(&self, idea_id: IdeaId, user_id: UserId) -> StoreResult<bool> {
        let n: i64 = db_read!(self, |p| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM idea_members WHERE idea_id = $1 AND user_id = $2 AND state = 'accepted'",
            )
            .bind(idea_id)
            .bind(user_id)
            .fetch_one(p)
            .await?
        });
        Ok(n > 0)
    }

    /// Invitations waiting for `user_id`, newest first.
    pub async fn invitations_of(&self, user_id: UserId) -> StoreResult<Vec<Invitation>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT i.public_id AS idea_public_id, i.title AS idea_title, c.title AS call_title,
                        u.display_name AS lead_name, m.invited_at
                 FROM idea_members m JOIN ideas i ON i.id = m.idea_id JOIN calls c ON c.id = i.call_id
                 LEFT JOIN users u ON u.id = i.author_id
                 WHERE m.user_id = $1 AND m.state = 'invited' ORDER BY m.invited_at DESC, i.id DESC",
            )
            .bind(user_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Whether `user_id` has an invitation to the idea waiting.
    pub async fn is_invited(&self, idea_id: IdeaId, user_id: UserId) -> StoreResult<bool> {
        let n: i64 = db_read!(self, |p| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM idea_members WHERE idea_id = $1 AND user_id = $2 AND state = 'invited'",
            )
            .bind(idea_id)
            .bind(user_id)
            .fetch_one(p)
            .await?
        });
        Ok(n > 0)
    }

    /// Invites `user_id`. `Conflict("member")` if already on the team (or the lead),
    /// `Conflict("team_full")` past `MAX_TEAM`.
    pub async fn invite(
        &self,
        idea: &Idea,
        user_id: UserId,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        self.invite_with(idea, user_id, actor_id, false).await
    }

    /// [`Store::invite`]; a `quiet` invitation is recorded (audit `"quiet": true`) but sends no
    /// message: the same person was just invited to the same idea.
    pub async fn invite_with(
        &self,
        idea: &Idea,
        user_id: UserId,
        actor_id: Option<UserId>,
        quiet: bool,
    ) -> StoreResult<()> {
        if idea.author_id == Some(user_id) {
            return Err(StoreError::Conflict("member".into()));
        }
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            if self.backend() == crate::Backend::Postgres {
                // Serializes invitations to one idea so the size check below stays true.
                sqlx::query("SELECT id FROM ideas WHERE id = $1 FOR UPDATE")
                    .bind(idea.id)
                    .execute(&mut *tx)
                    .await?;
            }
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idea_members WHERE idea_id = $1")
                .bind(idea.id)
                .fetch_one(&mut *tx)
                .await?;
            // The lead, the members so far and the new one.
            if 1 + n as usize + 1 > MAX_TEAM {
                return Err(StoreError::Conflict("team_full".into()));
            }
            match tx
                .invite(idea.id, &idea.public_id, user_id, actor_id, quiet)
                .await
            {
                Err(StoreError::Conflict(_)) => return Err(StoreError::Conflict("member".into())),
                r => r?,
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// `user_id` answers an invitation. `NotFound` if there is none waiting.
    pub async fn answer_invitation(
        &self,
        idea: &Idea,
        user_id: UserId,
        accept: bool,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = if accept {
                sqlx::query(
                    "UPDATE idea_members SET state = 'accepted', responded_at = $3
                     WHERE idea_id = $1 AND user_id = $2 AND state = 'invited'",
                )
                .bind(idea.id)
                .bind(user_id)
                .bind(now())
                .execute(&mut *tx)
                .await?
            } else {
                sqlx::query(
                    "DELETE FROM idea_members WHERE idea_id = $1 AND user_id = $2 AND state = 'invited'",
                )
                .bind(idea.id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
            }
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            tx.append_audit(NewAudit {
                actor_id: Some(user_id),
                action: if accept {
                    Action::TeamAccept
                } else {
                    Action::TeamDecline
                },
                entity_type: "idea",
                entity_id: idea.public_id.clone(),
                data: json!({ "user_id": user_id }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Takes `user_id` off the team (an invitation or a member). `NotFound` if not on it.
    pub async fn remove_member(
        &self,
        idea: &Idea,
        user_id: UserId,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query("DELETE FROM idea_members WHERE idea_id = $1 AND user_id = $2")
                .bind(idea.id)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::TeamRemove,
                entity_type: "idea",
                entity_id: idea.public_id.clone(),
                data: json!({ "user_id": user_id }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Makes the accepted member `user_id` the lead (the idea's author); the old lead stays on
    /// the team as an accepted member. `NotFound` if `user_id` is not an accepted member;
    /// `Conflict` if the lead changed meanwhile.
    pub async fn hand_over_lead(
        &self,
        idea: &Idea,
        user_id: UserId,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        let Some(old) = idea.author_id else {
            return Err(StoreError::NotFound);
        };
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "DELETE FROM idea_members WHERE idea_id = $1 AND user_id = $2 AND state = 'accepted'",
            )
            .bind(idea.id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            let at = now();
            let n = sqlx::query(
                "UPDATE ideas SET author_id = $1, updated_at = $2 WHERE id = $3 AND author_id = $4",
            )
            .bind(user_id)
            .bind(at)
            .bind(idea.id)
            .bind(old)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict("lead changed meanwhile".into()));
            }
            sqlx::query(
                "INSERT INTO idea_members (idea_id, user_id, state, invited_by, invited_at, responded_at)
                 VALUES ($1, $2, 'accepted', $3, $4, $4)",
            )
            .bind(idea.id)
            .bind(old)
            .bind(actor_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::TeamLead,
                entity_type: "idea",
                entity_id: idea.public_id.clone(),
                data: json!({ "user_id": user_id }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Ideas `user_id` accepted to work on without leading them, newest first.
    pub async fn ideas_as_member(&self, user_id: UserId) -> StoreResult<Vec<Idea>> {
        let rows: Vec<crate::ideas::IdeaRow> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {IDEA_COLUMNS} FROM ideas WHERE id IN
                   (SELECT idea_id FROM idea_members WHERE user_id = $1 AND state = 'accepted')
                 ORDER BY (SELECT responded_at FROM idea_members m
                           WHERE m.idea_id = ideas.id AND m.user_id = $1) DESC, id DESC",
                IDEA_COLUMNS = crate::ideas::IDEA_COLUMNS
            ))
            .bind(user_id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(Idea::try_from).collect()
    }
}
