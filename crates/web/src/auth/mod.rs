//! Who is asking: sessions (cookie), API tokens (bearer), passwords, one-time codes, CSRF.
//! Secrets handed to clients are random 32-byte tokens; the store keeps only their SHA-256.

pub mod csrf;
pub mod otp;
pub mod password;

use crate::AppState;
use crate::http::error::{AppError, AppResult};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use hamafza_core::account::User;
use hamafza_core::ids::UserId;
use hamafza_core::time::UnixSeconds;
use hamafza_store::Store;
use hamafza_store::sessions::SessionClient;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "hz_session";

/// A fresh random token, URL-safe.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// What the store keeps of a token.
pub fn token_hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The instance secret (HMAC key for CSRF tokens and one-time codes), created on first start and
/// kept in the database so every app node uses the same one.
pub async fn instance_secret(store: &Store) -> anyhow::Result<Vec<u8>> {
    let b64 = store
        .setting_or_init("instance_secret", random_token)
        .await?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64)?)
}

/// The value of cookie `name`, if the request has it.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, for the whole site, and `Secure` when the site
/// is served over HTTPS. Every cookie Hamafza sets is made here.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> String {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// Adds the cookie [`set_cookie`] makes to `res`.
pub fn add_cookie(
    res: &mut axum::response::Response,
    state: &AppState,
    name: &str,
    value: &str,
    max_age_secs: i64,
) {
    if let Ok(v) = axum::http::HeaderValue::from_str(&set_cookie(state, name, value, max_age_secs))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The client's address: the socket peer, or behind a trusted proxy the last hop it added.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .config
            .behind_proxy
            .then(|| {
                parts
                    .headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
            })
            .flatten()
            .and_then(|v| v.rsplit(',').next())
            .map(|ip| ip.trim().to_string());
        let peer = || {
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into())
        };
        Ok(ClientIp(forwarded.unwrap_or_else(peer)))
    }
}

/// Where a sign-in comes from, for the person's list of sessions: the `User-Agent` (summarized
/// by [`Client::session`] only once the sign-in succeeds, so a refused attempt costs no parsing;
/// the raw header is never stored) and the client address.
pub struct Client {
    user_agent: Option<String>,
    ip: String,
}

impl Client {
    /// What the session records: the device's name and the address.
    pub fn session(&self) -> SessionClient {
        SessionClient {
            device: self.user_agent.as_deref().and_then(device_name),
            ip: Some(self.ip.clone()),
        }
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state).await?;
        // A User-Agent longer than any real one is not worth summarizing.
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .filter(|ua| ua.len() <= 1024)
            .map(str::to_string);
        Ok(Client { user_agent, ip })
    }
}

/// "Chrome · Windows 10" from a User-Agent; `None` when neither part is known.
pub fn device_name(user_agent: &str) -> Option<String> {
    let ua = woothee::parser::Parser::new().parse(user_agent)?;
    let known =
        |s: &str| (!s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN).then(|| s.to_string());
    let os = known(ua.os).map(|os| match known(&ua.os_version) {
        // Windows names its version in `os` already ("Windows 10").
        Some(v) if !os.starts_with("Windows") => format!("{os} {v}"),
        _ => os,
    });
    let name: String = match (known(ua.name), os) {
        (Some(b), Some(o)) => format!("{b} · {o}"),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => return None,
    };
    // Only letters, digits and plain punctuation reach the page.
    Some(
        hamafza_persian::controls::strip_unwanted(&name)
            .chars()
            .take(80)
            .collect(),
    )
}

/// The session's hash from the request's cookie, if any.
pub fn session_hash(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).map(|t| token_hash(&t))
}

/// Looked-up viewer, cached in the request so several extractors query the store once.
#[derive(Clone)]
struct SessionLookup(Option<User>);

/// The user signed in by session cookie, if any.
pub async fn session_user(parts: &mut Parts, state: &AppState) -> AppResult<Option<User>> {
    if let Some(SessionLookup(u)) = parts.extensions.get::<SessionLookup>() {
        return Ok(u.clone());
    }
    let user = match session_hash(&parts.headers) {
        Some(h) => state.store.session_user(&h, hamafza_store::now()).await?,
        None => None,
    };
    parts.extensions.insert(SessionLookup(user.clone()));
    Ok(user)
}

/// Starts a session for `user_id`; returns the `Set-Cookie` value.
pub async fn start_session(
    state: &AppState,
    user_id: UserId,
    client: &SessionClient,
) -> AppResult<String> {
    let token = random_token();
    let now = hamafza_store::now();
    let ttl = state.config.session_hours * 3600;
    state
        .store
        .create_session(&token_hash(&token), user_id, now, now + ttl, client)
        .await?;
    Ok(set_cookie(state, SESSION_COOKIE, &token, ttl))
}

/// Checks a username and password, throttled per account and per address (counters in the
/// store). `BadCredentials` never says which of the two was wrong, and an unknown username costs
/// as much time as a wrong password.
pub async fn sign_in_with_password(
    state: &AppState,
    username: &str,
    pass: &str,
    ip: &str,
) -> AppResult<User> {
    use hamafza_core::limits::{LOGIN_PER_ACCOUNT, LOGIN_PER_IP};
    let username = hamafza_core::account::parse_username(username)
        .unwrap_or_else(|_| username.trim().to_string());
    let now = hamafza_store::now();
    let user_bucket = format!("login:user:{username}");
    let ip_bucket = format!("login:ip:{ip}");
    // Every attempt is counted before its password is checked (one atomic statement each), so
    // parallel guesses cannot all slip in under the limit; a success takes its count back.
    for (bucket, limit) in [
        (&user_bucket, LOGIN_PER_ACCOUNT),
        (&ip_bucket, LOGIN_PER_IP),
    ] {
        throttle(state, bucket, limit, now).await?;
    }
    let found = state.store.credentials(&username).await?;
    let phc = found.as_ref().and_then(|(_, h)| h.clone());
    let ok = password::verify(pass, phc.as_deref()).await;
    match found {
        Some((user, Some(stored))) if ok && !user.disabled => {
            state.store.clear_hits(&user_bucket).await?;
            state.store.unhit(&ip_bucket, LOGIN_PER_IP, now).await?;
            // A hash made with older parameters is replaced while the password is at hand, so
            // every account moves to the current ones; failing to is no reason to refuse entry.
            if password::outdated(&stored) {
                let upgraded = match password::hash(pass).await {
                    Ok(new) => state
                        .store
                        .upgrade_password_hash(user.id, &stored, &new)
                        .await
                        .map_err(AppError::from),
                    Err(e) => Err(e),
                };
                if let Err(e) = upgraded {
                    tracing::warn!(user = user.id.get(), error = %e, "password hash not upgraded");
                }
            }
            Ok(user)
        }
        _ => {
            tracing::info!(username, ip, "failed sign-in");
            Err(AppError::BadCredentials)
        }
    }
}

/// Counts an attempt on `bucket` and refuses it with `RateLimited` past `limit`: count first,
/// atomically, then check, then do the work (a read-then-count lets parallel requests through).
pub async fn throttle(
    state: &AppState,
    bucket: &str,
    limit: hamafza_core::limits::Limit,
    now: UnixSeconds,
) -> AppResult<()> {
    if state.store.hit(bucket, limit, now).await? > limit.max {
        return Err(AppError::RateLimited {
            retry_after: limit.retry_after(now),
        });
    }
    Ok(())
}
