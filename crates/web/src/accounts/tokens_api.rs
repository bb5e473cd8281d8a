//! Tokens for the API.

use crate::AppState;
use crate::access::{Public, SignedIn};
use crate::auth::{self, ClientIp};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::{ApiJson, ApiPath};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(token))
        .route("/auth/tokens/{id}", delete(revoke_token))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// A name to recognise the token by on the settings page.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is kept.
    pub token: String,
    pub id: i64,
    pub expires_at: Option<i64>,
}

/// Tokens from this endpoint live 30 days; personal tokens made on the settings page do not expire.
const TOKEN_TTL_SECS: i64 = 30 * 86_400;

/// Exchange a username and password for a bearer token.
///
/// Throttled like the sign-in page: after 5 wrong passwords an account is locked for 15 minutes.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Wrong username or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn token(
    _: Public,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<TokenRequest>,
) -> AppResult<Json<TokenResponse>> {
    let user = auth::sign_in_with_password(&state, &req.username, &req.password, &ip).await?;
    let raw = auth::random_token();
    // Shown in the settings page's list: kept like any typed name (stray direction controls
    // removed), and a name with nothing visible in it is no name.
    let name = req
        .name
        .map(|n| {
            hamafza_core::account::fix_letters(&n)
                .chars()
                .take(60)
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "API".into());
    let expires_at = Some(hamafza_store::now() + TOKEN_TTL_SECS);
    let t = state
        .store
        .create_api_token(user.id, &name, &auth::token_hash(&raw), expires_at)
        .await?;
    Ok(Json(TokenResponse {
        token: raw,
        id: t.id,
        expires_at,
    }))
}

/// Revoke one of your own tokens.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204),
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_token(
    caller: SignedIn,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    state
        .store
        .revoke_api_token(caller.id, id)
        .await
        .map_err(AppError::from)?;
    Ok(StatusCode::NO_CONTENT)
}
