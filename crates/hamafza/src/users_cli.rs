//! `hamafza user add|passwd|roles|list`: account management from the shell, e.g. to create the
//! first administrator of a new installation.

use anyhow::{Context, bail};
use clap::Subcommand;
use hamafza_core::Role;
use hamafza_core::account::NewAccount;
use hamafza_store::Store;
use hamafza_store::users::{NewUser, UserQuery};
use hamafza_web::auth::password;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. Without --password, the password is read from standard input.
    Add {
        username: String,
        /// Display name, e.g. "سارا احمدی".
        #[arg(long)]
        name: String,
        #[arg(long)]
        password: Option<String>,
        /// Comma-separated: admin,secretariat,judge,implementer,manager,participant.
        #[arg(long, default_value = "participant")]
        roles: String,
        /// The org unit's code, e.g. prov-tehran.
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, default_value = "")]
        mobile: String,
        #[arg(long, default_value = "")]
        national_id: String,
    },
    /// Set a new password (read from standard input without --password); signs the user out.
    Passwd {
        username: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// Replace an account's roles.
    Roles { username: String, roles: String },
    /// List accounts.
    List,
}

fn parse_roles(s: &str) -> anyhow::Result<Vec<Role>> {
    s.split(',')
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            Role::parse(r).with_context(|| format!("unknown role {r:?}; use {}", role_names()))
        })
        .collect()
}

fn role_names() -> String {
    Role::ALL.map(|r| r.as_str()).join(",")
}

fn password_from(arg: Option<String>) -> anyhow::Result<String> {
    match arg {
        Some(p) => Ok(p),
        None => {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
    }
}

pub async fn run(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            name,
            password: pw,
            roles,
            unit,
            mobile,
            national_id,
        } => {
            let account = NewAccount {
                username,
                display_name: name,
                password: password_from(pw)?,
                national_id,
                mobile,
            };
            let valid = account.validate().map_err(|errors| {
                let list: Vec<String> = errors.iter().map(|(f, e)| format!("{f}: {e}")).collect();
                anyhow::anyhow!("invalid account: {}", list.join("; "))
            })?;
            let org_unit_id = match unit {
                Some(code) => Some(
                    store
                        .org_unit_by_code(&code)
                        .await?
                        .with_context(|| format!("no org unit with code {code:?}"))?
                        .id,
                ),
                None => None,
            };
            let new = NewUser {
                username: valid.username,
                display_name: valid.display_name,
                password_hash: Some(password::hash_blocking(&valid.password)?),
                national_id: valid.national_id,
                mobile: valid.mobile,
                org_unit_id,
                roles: parse_roles(&roles)?,
            };
            let u = store.create_user(&new, None).await.map_err(|e| match e {
                hamafza_store::StoreError::Conflict(what) => {
                    anyhow::anyhow!("already taken: {what}")
                }
                e => e.into(),
            })?;
            println!("created user {} (id {})", u.username, u.id);
        }
        UserCommand::Passwd {
            username,
            password: pw,
        } => {
            let u = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no user {username:?}"))?;
            let pw = password_from(pw)?;
            if let Err(e) = hamafza_core::account::check_password(&pw, &u.username) {
                bail!("password: {e}");
            }
            store
                .set_password(u.id, &password::hash_blocking(&pw)?, None, None)
                .await?;
            println!(
                "password of {} changed; their sessions were ended",
                u.username
            );
        }
        UserCommand::Roles { username, roles } => {
            let u = store
                .user_by_username(&username)
                .await?
                .with_context(|| format!("no user {username:?}"))?;
            let u = store.set_roles(u.id, &parse_roles(&roles)?, None).await?;
            println!(
                "{}: {}",
                u.username,
                u.roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            );
        }
        UserCommand::List => {
            let (users, total) = store
                .users(&UserQuery {
                    limit: 500,
                    ..Default::default()
                })
                .await?;
            for u in users {
                let roles: Vec<_> = u.roles.iter().map(|r| r.as_str()).collect();
                println!("{}\t{}\t{}", u.username, u.display_name, roles.join(","));
            }
            println!("{total} users");
        }
    }
    Ok(())
}
