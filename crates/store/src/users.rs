//! Users and their roles. Passwords arrive here already hashed (argon2id, in the web crate).

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, now};
use hamafza_core::Role;
use hamafza_core::account::User;
use hamafza_core::audit::Action;
use hamafza_core::ids::{OrgUnitId, UserId};
use hamafza_core::time::UnixSeconds;

use serde_json::json;

/// One row of a user joined with one of their roles (or none).
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: UserId,
    username: String,
    display_name: String,
    national_id: Option<String>,
    mobile: Option<String>,
    org_unit_id: Option<OrgUnitId>,
    locale: String,
    disabled: bool,
    created_at: UnixSeconds,
    role: Option<String>,
}

pub(crate) const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.national_id, u.mobile, \
     u.org_unit_id, u.locale, u.disabled, u.created_at, r.role";

/// Folds rows of (user, role) ordered by user into users with their roles.
pub(crate) fn fold_users(rows: Vec<UserRow>) -> Vec<User> {
    let mut users: Vec<User> = Vec::new();
    for r in rows {
        let role = r.role.as_deref().and_then(Role::parse);
        match users.last_mut() {
            Some(u) if u.id == r.id => u.roles.extend(role),
            _ => users.push(User {
                id: r.id,
                username: r.username,
                display_name: r.display_name,
                national_id: r.national_id,
                mobile: r.mobile,
                org_unit_id: r.org_unit_id,
                locale: r.locale,
                disabled: r.disabled,
                created_at: r.created_at,
                roles: role.into_iter().collect(),
            }),
        }
    }
    for u in &mut users {
        u.roles.sort();
    }
    users
}

/// A user to create, already validated (see `hamafza_core::account`).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub national_id: Option<String>,
    pub mobile: Option<String>,
    pub org_unit_id: Option<OrgUnitId>,
    pub roles: Vec<Role>,
}

/// Filters for the admin's user list.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Matches username, display name or mobile, anywhere.
    pub search: Option<String>,
    pub role: Option<Role>,
    pub org_unit_id: Option<OrgUnitId>,
    pub offset: i64,
    pub limit: i64,
}

/// The fields an admin may change on an account.
#[derive(Debug, Clone)]
pub struct UserUpdate {
    pub display_name: String,
    pub national_id: Option<String>,
    pub mobile: Option<String>,
    pub org_unit_id: Option<OrgUnitId>,
    pub roles: Vec<Role>,
    pub disabled: bool,
}

fn role_names(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.as_str()).collect()
}

impl Store {
    /// Creates a user and their roles, and logs it. A duplicate username, mobile or national ID
    /// is a `Conflict` naming the column.
    pub async fn create_user(&self, new: &NewUser, actor_id: Option<UserId>) -> StoreResult<User> {
        let at = now();
        let id: UserId = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let id: UserId = sqlx::query_scalar(
                "INSERT INTO users (username, password_hash, display_name, national_id, mobile, org_unit_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(&new.username)
            .bind(&new.password_hash)
            .bind(&new.display_name)
            .bind(&new.national_id)
            .bind(&new.mobile)
            .bind(new.org_unit_id)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            for role in &new.roles {
                sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                    .bind(id)
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::UserCreate,
                entity_type: "user",
                entity_id: id.to_string(),
                data: json!({ "username": new.username, "roles": role_names(&new.roles), "org_unit_id": new.org_unit_id }),
            })
            .await?;
            tx.commit().await?;
            id
        });
        self.user(id).await
    }

    pub async fn user(&self, id: UserId) -> StoreResult<User> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.id = $1"
        );
        let rows: Vec<UserRow> =
            db_read!(self, |p| sqlx::query_as(&sql).bind(id).fetch_all(p).await?);
        fold_users(rows).pop().ok_or(StoreError::NotFound)
    }

    pub async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        self.user_by_text("username", username).await
    }

    pub async fn user_by_mobile(&self, mobile: &str) -> StoreResult<Option<User>> {
        self.user_by_text("mobile", mobile).await
    }

    /// The user whose unique text `column` (a name from the two callers above) equals `value`.
    async fn user_by_text(&self, column: &'static str, value: &str) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.{column} = $1"
        );
        let rows: Vec<UserRow> = db_read!(self, |p| sqlx::query_as(&sql)
            .bind(value)
            .fetch_all(p)
            .await?);
        Ok(fold_users(rows).pop())
    }

    /// The password hash of an enabled account, with the account, for signing in.
    pub async fn credentials(&self, username: &str) -> StoreResult<Option<(User, Option<String>)>> {
        let Some(user) = self.user_by_username(username).await? else {
            return Ok(None);
        };
        let hash: Option<String> = db_read!(self, |p| {
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user.id)
                .fetch_one(p)
                .await?
        });
        Ok(Some((user, hash)))
    }

    /// A page of users matching `q`, ordered by username, and how many match in all.
    pub async fn users(&self, q: &UserQuery) -> StoreResult<(Vec<User>, i64)> {
        let search = q
            .search
            .as_deref()
            .map(|s| format!("%{}%", s.trim().to_lowercase()));
        // Each filter is "no filter" when its argument is NULL, so one SQL text serves all combinations.
        let filter = "($1 IS NULL OR LOWER(u.username) LIKE $1 OR LOWER(u.display_name) LIKE $1 OR u.mobile LIKE $1)
             AND ($2 IS NULL OR EXISTS (SELECT 1 FROM user_roles x WHERE x.user_id = u.id AND x.role = $2))
             AND ($3 IS NULL OR u.org_unit_id = $3)";
        let role = q.role.map(|r| r.as_str());
        let page_sql = format!(
            "SELECT {USER_COLUMNS} FROM (SELECT * FROM users u WHERE {filter} ORDER BY u.username LIMIT $4 OFFSET $5) u
             LEFT JOIN user_roles r ON r.user_id = u.id ORDER BY u.username, u.id"
        );
        let count_sql = format!("SELECT COUNT(*) FROM users u WHERE {filter}");
        let (rows, total): (Vec<UserRow>, i64) = db_read!(self, |p| {
            let rows = sqlx::query_as(&page_sql)
                .bind(&search)
                .bind(role)
                .bind(q.org_unit_id)
                .bind(q.limit.clamp(1, 500))
                .bind(q.offset.max(0))
                .fetch_all(p)
                .await?;
            let total = sqlx::query_scalar(&count_sql)
                .bind(&search)
                .bind(role)
                .bind(q.org_unit_id)
                .fetch_one(p)
                .await?;
            (rows, total)
        });
        Ok((fold_users(rows), total))
    }

    /// Applies an admin's changes to an account, logging what changed.
    pub async fn update_user(
        &self,
        id: UserId,
        u: &UserUpdate,
        actor_id: Option<UserId>,
    ) -> StoreResult<User> {
        let before = self.user(id).await?;
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query(
                "UPDATE users SET display_name = $1, national_id = $2, mobile = $3, org_unit_id = $4,
                 disabled = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(&u.display_name)
            .bind(&u.national_id)
            .bind(&u.mobile)
            .bind(u.org_unit_id)
            .bind(u.disabled)
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for role in &u.roles {
                sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                    .bind(id)
                    .bind(role.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            if u.disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                )
                .bind(now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::UserUpdate,
                entity_type: "user",
                entity_id: id.to_string(),
                data: json!({
                    "roles": { "from": role_names(&before.roles), "to": role_names(&u.roles) },
                    "org_unit_id": { "from": before.org_unit_id, "to": u.org_unit_id },
                    "disabled": { "from": before.disabled, "to": u.disabled },
                }),
            })
            .await?;
            tx.commit().await?;
        });
        self.user(id).await
    }

    /// The display names of the accounts `ids` names (ids without one are left out), in one
    /// query: for lists that say who did what, such as the audit page.
    pub async fn display_names(&self, ids: &[UserId]) -> StoreResult<Vec<(UserId, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(db_read!(self, |p| {
            let mut q = sqlx::QueryBuilder::new("SELECT id, display_name FROM users WHERE id IN (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as::<(UserId, String)>().fetch_all(p).await?
        }))
    }

    /// Replaces a user's roles (the CLI's `user roles`).
    pub async fn set_roles(
        &self,
        id: UserId,
        roles: &[Role],
        actor_id: Option<UserId>,
    ) -> StoreResult<User> {
        let u = self.user(id).await?;
        let update = UserUpdate {
            display_name: u.display_name,
            national_id: u.national_id,
            mobile: u.mobile,
            org_unit_id: u.org_unit_id,
            roles: roles.to_vec(),
            disabled: u.disabled,
        };
        self.update_user(id, &update, actor_id).await
    }

    /// Sets a new password hash, ends the user's other sessions (all of them when
    /// `keep_session_hash` is `None`) and revokes every API token: whoever knew the old password
    /// may have made one.
    pub async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        keep_session_hash: Option<&str>,
        actor_id: Option<UserId>,
    ) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let n =
                sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                    .bind(password_hash)
                    .bind(now())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            let sessions = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                .bind(id)
                .bind(keep_session_hash.unwrap_or(""))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let tokens = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::UserPassword,
                entity_type: "user",
                entity_id: id.to_string(),
                data: json!({ "sessions_ended": sessions, "tokens_revoked": tokens }),
            })
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sets the password of every account in `ids` to the same hash in one statement (the demo
    /// users share one password).
    /// Replaces the hash `old` of a user's unchanged password by `new` (the same password under
    /// current parameters). Not a change of password: sessions and tokens stay, and nothing is
    /// audited. `false` when the stored hash is no longer `old` (changed meanwhile: left as is).
    pub async fn upgrade_password_hash(
        &self,
        id: UserId,
        old: &str,
        new: &str,
    ) -> StoreResult<bool> {
        let n = db_write!(self, |p| {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
                .bind(new)
                .bind(id)
                .bind(old)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }

    pub async fn set_password_many(&self, ids: &[UserId], password_hash: &str) -> StoreResult<()> {
        db_write!(self, |p| {
            let mut tx = p.begin().await?;
            for id in ids {
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn set_locale(&self, id: UserId, locale: &str) -> StoreResult<()> {
        db_write!(self, |p| {
            sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
                .bind(locale)
                .bind(id)
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// How many users hold each role, for the admin dashboard.
    pub async fn count_users(&self) -> StoreResult<i64> {
        Ok(db_read!(self, |p| {
            sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(p)
                .await?
        }))
    }
}
