//! The signed-in user's inbox of notifications: newest first, unread ones highlighted, marked
//! read one by one or all at once. Only the owner's notifications are ever read or changed.

use crate::AppState;
use crate::access::SignedIn;
use crate::auth::csrf::CsrfForm;
use crate::http::error::AppResult;
use crate::http::view::{Ctx, html};
use crate::notify;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::ids::NotificationId;
use hamafza_store::notifications::Notification;
use serde::Deserialize;

const PER_PAGE: i64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox))
        .route("/notifications/{id}/read", post(mark_one))
        .route("/notifications/read", post(mark_all))
}

/// One notification as the page shows it.
struct Item {
    n: Notification,
    text: String,
    link_label: &'static str,
}

#[derive(Template)]
#[template(path = "notifications/list.html")]
struct InboxPage {
    ctx: Ctx,
    items: Vec<Item>,
    page: i64,
    pages: i64,
}

impl InboxPage {
    fn page_href(&self, p: i64) -> String {
        format!("/notifications?page={p}")
    }
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

async fn inbox(
    user: SignedIn,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let page = q.page.unwrap_or(1).max(1);
    let (list, total) = state
        .store
        .notifications(user.id, (page - 1).saturating_mul(PER_PAGE), PER_PAGE)
        .await?;
    let items = list
        .into_iter()
        .map(|n| Item {
            text: notify::notification_text(ctx.lang, &n.kind, &n.data),
            link_label: notify::link_label(ctx.lang, &n.kind),
            n,
        })
        .collect();
    html(InboxPage {
        items,
        page,
        pages: (total + PER_PAGE - 1) / PER_PAGE,
        ctx,
    })
}

#[derive(Deserialize)]
struct ReadForm {
    /// Where to go back to (the page the form was on).
    #[serde(default)]
    next: String,
}

fn back(next: &str) -> Response {
    let next = crate::http::safe_next(next);
    let next = if next == "/" { "/notifications" } else { &next };
    Redirect::to(next).into_response()
}

async fn mark_one(
    user: SignedIn,
    State(state): State<AppState>,
    Path(id): Path<NotificationId>,
    CsrfForm(f): CsrfForm<ReadForm>,
) -> AppResult<Response> {
    // Another user's id matches nothing: nothing changes and nothing is revealed.
    state
        .store
        .mark_notifications_read(user.id, Some(&[id]))
        .await?;
    Ok(back(&f.next))
}

async fn mark_all(
    user: SignedIn,
    State(state): State<AppState>,
    CsrfForm(f): CsrfForm<ReadForm>,
) -> AppResult<Response> {
    state.store.mark_notifications_read(user.id, None).await?;
    Ok(back(&f.next))
}
