//! The caller's own notifications over the API: read the inbox, mark some or all read.

use crate::AppState;
use crate::access::SignedIn;
use crate::http::error::{AppResult, Problem};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::notify;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use hamafza_core::ids::NotificationId;
use hamafza_core::time::UnixSeconds;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(read_notifications))
}

#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: NotificationId,
    /// `receipt`, `status`, `merged`, `team_invite`, `team_accept`, `results`.
    pub kind: String,
    /// What happened, in the language of `Accept-Language` (Persian by default).
    pub text: String,
    /// A path on this site: the idea or the results page.
    pub link: String,
    /// Unix seconds.
    pub created_at: UnixSeconds,
    /// Unix seconds; absent while unread.
    pub read_at: Option<UnixSeconds>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<NotificationOut>,
    pub total: i64,
    /// Unread notifications, counted up to 100.
    pub unread: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    #[serde(default)]
    pub offset: i64,
    /// At most 200; 50 by default.
    pub limit: Option<i64>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])), params(NotificationParams),
    responses((status = 200, body = NotificationPage), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_notifications(
    caller: SignedIn,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(p): ApiQuery<NotificationParams>,
) -> AppResult<Json<NotificationPage>> {
    let lang = crate::http::view::lang_of(&headers);
    let user = caller.id;
    let (list, total) = state
        .store
        .notifications(user, p.offset, p.limit.unwrap_or(50))
        .await?;
    let items = list
        .into_iter()
        .map(|n| NotificationOut {
            text: notify::notification_text(lang, &n.kind, &n.data),
            id: n.id,
            kind: n.kind,
            link: n.link,
            created_at: n.created_at,
            read_at: n.read_at,
        })
        .collect();
    Ok(Json(NotificationPage {
        items,
        total,
        unread: state.store.unread_notifications(user, 100).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReadIn {
    /// The notifications to mark read; ids of other users' notifications change nothing.
    #[serde(default)]
    pub ids: Vec<NotificationId>,
    /// Mark every notification read (then `ids` is ignored).
    #[serde(default)]
    pub all: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ReadOut {
    /// How many changed from unread to read.
    pub marked: u64,
    pub unread: i64,
}

/// Marks some or all of the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read", tag = "notifications", security(("bearer" = [])), request_body = ReadIn,
    responses((status = 200, body = ReadOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn read_notifications(
    caller: SignedIn,
    State(state): State<AppState>,
    ApiJson(r): ApiJson<ReadIn>,
) -> AppResult<Json<ReadOut>> {
    let user = caller.id;
    let ids = (!r.all).then_some(&r.ids[..]);
    let marked = state.store.mark_notifications_read(user, ids).await?;
    Ok(Json(ReadOut {
        marked,
        unread: state.store.unread_notifications(user, 100).await?,
    }))
}
