//! The secretariat's screening: the inbox of a call's ideas and the decisions on one idea.

use crate::AppState;
use crate::auth::csrf::CsrfForm;
use crate::error::{AppError, AppResult};
use crate::ideas;
use crate::view::{Ctx, FormErrors, html};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hamafza_core::idea::{IdeaStatus, Transition};
use hamafza_store::calls::Call;
use hamafza_store::ideas::{Idea, InboxQuery};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ideas/{id}/decide", axum::routing::post(decide))
        .route("/secretariat/calls/{id}/ideas", get(inbox))
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (idea, call) = ideas::visible(&state, &user, &id).await?;
    let t = raw.get("transition").and_then(|t| Transition::parse(t));
    let message = raw.get("message").cloned().unwrap_or_default();
    match ideas::decide(&state, &idea, t, &message, &user).await? {
        Ok(_) => Ok(Redirect::to(&format!("/ideas/{}", idea.public_id)).into_response()),
        Err(errors) => {
            let errors = FormErrors::new(ctx.lang, &errors);
            super::ideas::rejected_decision(&state, &ctx, idea, call, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "screening/inbox.html")]
struct InboxPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    ideas: Vec<Idea>,
    total: i64,
    q: InboxParams,
    page: i64,
    pages: i64,
}

impl InboxPage<'_> {
    fn status(&self, i: &Idea) -> &'static str {
        self.ctx.t(&format!("idea.status.{}", i.status.as_str()))
    }

    fn axis_title(&self, id: &i64) -> &str {
        self.call
            .axes
            .iter()
            .find(|a| a.id == *id)
            .map_or("—", |a| a.title.as_str())
    }

    fn statuses(&self) -> [IdeaStatus; 5] {
        [
            IdeaStatus::Submitted,
            IdeaStatus::ChangesRequested,
            IdeaStatus::Accepted,
            IdeaStatus::Rejected,
            IdeaStatus::Duplicate,
        ]
    }

    fn status_name(&self, s: &IdeaStatus) -> &'static str {
        self.ctx.t(&format!("idea.status.{}", s.as_str()))
    }

    fn page_href(&self, p: i64) -> String {
        let q = serde_urlencoded::to_string([
            ("status", self.q.status.as_str()),
            ("axis", self.q.axis.as_str()),
            ("search", self.q.search.as_str()),
            ("page", &p.to_string()),
        ])
        .unwrap_or_default();
        format!("/secretariat/calls/{}/ideas?{q}", self.call.public_id)
    }
}

#[derive(Deserialize, Default)]
struct InboxParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    axis: String,
    #[serde(default)]
    search: String,
    #[serde(default)]
    page: String,
}

const INBOX_PAGE: i64 = 50;

/// The secretariat's inbox of a call: filter by status and axis, search titles, page through.
async fn inbox(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<InboxParams>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    if !ideas::manages(user) {
        return Err(AppError::Forbidden);
    }
    let call = crate::ideas::call(&state, &id).await?;
    let page = hamafza_persian::digits::to_latin(&q.page)
        .parse::<i64>()
        .unwrap_or(1)
        .max(1);
    let query = InboxQuery {
        status: IdeaStatus::parse(&q.status),
        axis_id: q.axis.parse().ok(),
        search: Some(q.search.trim().to_string()).filter(|s| !s.is_empty()),
        offset: (page - 1) * INBOX_PAGE,
        limit: INBOX_PAGE,
    };
    let (ideas, total) = state.store.inbox(call.id, &query).await?;
    html(InboxPage {
        ctx: &ctx,
        call,
        ideas,
        total,
        q,
        page,
        pages: ((total + INBOX_PAGE - 1) / INBOX_PAGE).max(1),
    })
}

