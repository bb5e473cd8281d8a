//! The audit log for admins: its entries in words, newest first, and a check of its hash chain.

use crate::AppState;
use crate::access::Admin;
use crate::auth::csrf::CsrfForm;
use crate::http::error::AppResult;
use crate::http::view::{Ctx, html};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use hamafza_core::audit::AuditEntry;
use hamafza_core::ids::UserId;
use hamafza_store::audit::Verification;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/audit", get(audit))
        .route("/admin/audit/verify", post(verify_audit))
}

const PAGE_SIZE: i64 = 50;

/// One line of the audit page, in words: the action's name, who did it, and what to, as a link
/// where the reader may follow it.
struct AuditRow {
    entry: AuditEntry,
    /// The action's name in the reader's language (the stored name for an action this build does
    /// not know).
    action: String,
    /// The actor's display name; `None` for the system itself (the CLI, the worker).
    actor: Option<String>,
    /// The kind of subject, e.g. «ایده».
    subject_kind: String,
    subject_link: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: Ctx,
    rows: Vec<AuditRow>,
    next_before: Option<i64>,
    verification: Option<Verification>,
}

impl AuditPage {
    fn short(&self, hash: &str) -> String {
        hash.chars().take(12).collect()
    }
}

impl AuditRow {
    fn new(ctx: &Ctx, entry: AuditEntry, names: &HashMap<UserId, String>) -> AuditRow {
        let action = match entry.kind() {
            Some(a) => ctx.t(&format!("audit.action.{}", a.as_str())).to_string(),
            None => entry.action.clone(),
        };
        let actor = entry
            .actor_id
            .map(|id| names.get(&id).cloned().unwrap_or_else(|| ctx.num(id.get())));
        let kind_key = format!("audit.entity.{}", entry.entity_type);
        let subject_kind = if ctx.lang.has(&kind_key) {
            ctx.t(&kind_key).to_string()
        } else {
            entry.entity_type.clone()
        };
        let sees_ideas = ctx.user.as_ref().is_some_and(crate::access::runs_calls);
        let id = &entry.entity_id;
        let subject_link = match entry.entity_type.as_str() {
            "user" => Some(format!("/admin/users/{id}")),
            "call" => Some(format!("/calls/{id}")),
            "idea" if sees_ideas => Some(format!("/ideas/{id}")),
            "org_unit" => Some("/admin/units".to_string()),
            _ => None,
        };
        AuditRow {
            entry,
            action,
            actor,
            subject_kind,
            subject_link,
        }
    }
}

#[derive(Deserialize)]
struct AuditQuery {
    before: Option<i64>,
}

async fn audit_page(
    state: &AppState,
    ctx: Ctx,
    before: Option<i64>,
    verification: Option<Verification>,
) -> AppResult<Response> {
    let entries = state.store.audit_page(before, PAGE_SIZE).await?;
    let next_before = (entries.len() as i64 == PAGE_SIZE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let mut actors: Vec<UserId> = entries.iter().filter_map(|e| e.actor_id).collect();
    actors.sort_unstable();
    actors.dedup();
    let names: HashMap<UserId, String> = state
        .store
        .display_names(&actors)
        .await?
        .into_iter()
        .collect();
    let rows = entries
        .into_iter()
        .map(|e| AuditRow::new(&ctx, e, &names))
        .collect();
    html(AuditPage {
        ctx,
        rows,
        next_before,
        verification,
    })
}

async fn audit(
    _: Admin,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    audit_page(&state, ctx, q.before, None).await
}

#[derive(Deserialize)]
struct Empty {}

async fn verify_audit(
    _: Admin,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    let v = state.store.verify_audit().await?;
    audit_page(&state, ctx, None, Some(v)).await
}
