//! Tokens for the API, and the caller's own tokens and sessions (to see and end them).

use crate::AppState;
use crate::access::{Public, SignedIn};
use crate::accounts::service;
use crate::auth::{self, ClientIp};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::{ApiJson, ApiPath};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hamafza_core::ids::TokenId;
use hamafza_core::time::UnixSeconds;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(token))
        .routes(routes!(list_tokens))
        .routes(routes!(revoke_token))
        .routes(routes!(list_sessions))
        .routes(routes!(end_session))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// A name to recognise the token by on the settings page; at most 60 characters. Default "API".
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is kept.
    pub token: String,
    pub id: TokenId,
    pub expires_at: Option<UnixSeconds>,
}

/// Tokens from this endpoint live 30 days; personal tokens made on the settings page do not expire.
const TOKEN_TTL_SECS: i64 = 30 * 86_400;

/// Exchange a username and password for a bearer token.
///
/// Throttled like the sign-in page: after 5 wrong passwords an account is locked for 15 minutes.
/// A person holds at most 20 live tokens; changing the password revokes them all.
#[utoipa::path(post, path = "/auth/token", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong username or password", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already 20 live tokens: revoke one first", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The name is blank or too long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn token(
    _: Public,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<Json<TokenResponse>> {
    // The name is checked before the password, so a bad name costs no sign-in attempt.
    let name = match req.name.as_deref() {
        None => "API".to_string(),
        Some(raw) => {
            service::check_token_name(raw).map_err(|e| AppError::Validation(vec![("name", e)]))?
        }
    };
    let user = auth::sign_in_with_password(&state, &req.username, &req.password, &ip).await?;
    let expires_at = Some(hamafza_store::now() + TOKEN_TTL_SECS);
    let (secret, t) = service::create_token(&state, user.id, &name, expires_at).await?;
    Ok(Json(TokenResponse {
        token: secret,
        id: t.id,
        expires_at,
    }))
}

/// Revoke one of your own tokens.
#[utoipa::path(delete, path = "/auth/tokens/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204),
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_token(
    caller: SignedIn,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<TokenId>,
) -> AppResult<StatusCode> {
    state
        .store
        .revoke_api_token(caller.id, id)
        .await
        .map_err(AppError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

/// One of the caller's tokens (never its secret).
#[derive(Serialize, ToSchema)]
pub struct TokenOut {
    pub id: TokenId,
    pub name: String,
    /// Unix seconds.
    pub created_at: UnixSeconds,
    /// Unix seconds, to within an hour; absent before first use.
    pub last_used_at: Option<UnixSeconds>,
    /// Unix seconds; absent for tokens that live until revoked.
    pub expires_at: Option<UnixSeconds>,
    /// Unix seconds; absent while not revoked.
    pub revoked_at: Option<UnixSeconds>,
    /// Neither revoked nor expired.
    pub live: bool,
}

/// Your tokens, newest first, revoked and expired ones included.
#[utoipa::path(get, path = "/auth/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [TokenOut])))]
pub async fn list_tokens(
    caller: SignedIn,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<TokenOut>>> {
    let now = hamafza_store::now();
    let tokens = state.store.api_tokens(caller.id).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenOut {
                live: t.is_live(now),
                id: t.id,
                name: t.name,
                created_at: t.created_at,
                last_used_at: t.last_used_at,
                expires_at: t.expires_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// One of the caller's signed-in browser sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    /// Names the session for `DELETE /api/v1/auth/sessions/{handle}` (16 hex digits).
    pub handle: String,
    /// Browser and system, e.g. "Firefox · Linux"; absent when unknown.
    pub device: Option<String>,
    pub ip: Option<String>,
    /// Unix seconds.
    pub created_at: UnixSeconds,
    /// Unix seconds, to within an hour.
    pub last_seen_at: Option<UnixSeconds>,
    /// Unix seconds.
    pub expires_at: UnixSeconds,
}

/// Your live browser sessions, the most recently used first.
#[utoipa::path(get, path = "/auth/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [SessionOut])))]
pub async fn list_sessions(
    caller: SignedIn,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<SessionOut>>> {
    let sessions = state
        .store
        .sessions_of(caller.id, hamafza_store::now())
        .await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionOut {
                handle: s.handle,
                device: s.device,
                ip: s.ip,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
            })
            .collect(),
    ))
}

/// End one of your browser sessions (that browser must sign in again).
#[utoipa::path(delete, path = "/auth/sessions/{handle}", tag = "auth", security(("bearer" = [])),
    params(("handle" = String, Path, description = "The session's handle from `GET /api/v1/auth/sessions`")),
    responses(
        (status = 204),
        (status = 404, description = "No such session of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_session(
    caller: SignedIn,
    State(state): State<AppState>,
    ApiPath(handle): ApiPath<String>,
) -> AppResult<StatusCode> {
    state.store.end_session(caller.id, &handle).await?;
    Ok(StatusCode::NO_CONTENT)
}
