//! CSRF protection for every state-changing form: a random `hz_csrf` cookie, and in each form a
//! token that is an HMAC of it under the instance secret. A cross-site page can neither read the
//! cookie nor compute the token, and the check needs no server-side state, so any app node can
//! verify a token another one issued.

use crate::AppState;
use crate::http::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

pub const CSRF_COOKIE: &str = "hz_csrf";
/// The form field (or `X-CSRF-Token` header, for htmx) that carries the token.
pub const CSRF_FIELD: &str = "csrf";

/// A cookie value issued in this response, before the browser has sent it back.
#[derive(Clone)]
struct FreshSeed(String);

/// Gives every visitor of a page a CSRF cookie, so the forms on it can carry a token.
pub async fn ensure_cookie(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if super::cookie(req.headers(), CSRF_COOKIE).is_some() {
        return next.run(req).await;
    }
    let seed = super::random_token();
    req.extensions_mut().insert(FreshSeed(seed.clone()));
    let mut res = next.run(req).await;
    set_seed(&mut res, &state, &seed);
    res
}

/// Gives the browser a new CSRF cookie (at sign-in: a token seen before signing in, say on a
/// shared computer, is worth nothing after).
pub fn rotate(res: &mut Response, state: &AppState) {
    set_seed(res, state, &super::random_token());
}

fn set_seed(res: &mut Response, state: &AppState, seed: &str) {
    // A year: the cookie carries no authority by itself.
    super::add_cookie(res, state, CSRF_COOKIE, seed, 365 * 86_400);
}

/// The form token for a CSRF cookie value.
pub fn token_for(state: &AppState, seed: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&state.secret).expect("HMAC takes any key length");
    mac.update(b"csrf:");
    mac.update(seed.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The token forms on this page must carry; empty when the request has no CSRF cookie yet.
pub fn form_token(parts: &Parts, state: &AppState) -> String {
    let seed = parts
        .extensions
        .get::<FreshSeed>()
        .map(|s| s.0.clone())
        .or_else(|| super::cookie(&parts.headers, CSRF_COOKIE));
    seed.map(|s| token_for(state, &s)).unwrap_or_default()
}

/// Checks a submitted token against the request's cookie, in constant time.
pub fn check(
    headers: &HeaderMap,
    state: &AppState,
    submitted: Option<&str>,
) -> Result<(), AppError> {
    let seed = super::cookie(headers, CSRF_COOKIE).ok_or(AppError::Csrf)?;
    let submitted = submitted
        .or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))
        .ok_or(AppError::Csrf)?;
    let submitted = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(submitted)
        .map_err(|_| AppError::Csrf)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&state.secret).expect("HMAC takes any key length");
    mac.update(b"csrf:");
    mac.update(seed.as_bytes());
    mac.verify_slice(&submitted).map_err(|_| AppError::Csrf)
}

/// A URL-encoded form whose CSRF token has been checked. Every page handler that changes state
/// takes its input through this extractor.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct Token {
    csrf: Option<String>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let token: Token = serde_urlencoded::from_bytes(&body).map_err(|_| AppError::Csrf)?;
        check(&headers, state, token.csrf.as_deref())?;
        if crate::http::extract::urlencoded_has_nul(&body) {
            return Err(crate::http::extract::nul_refused());
        }
        let form =
            serde_urlencoded::from_bytes(&body).map_err(|e| AppError::BadRequest(e.to_string()))?;
        Ok(CsrfForm(form))
    }
}

/// The CSRF check of a multipart form, made as its parts arrive. The token must come before any
/// file (Hamafza's forms carry it as their first field, and browsers send fields in document
/// order) or in the `X-CSRF-Token` header, so a forged upload is refused before a byte of its
/// files is read.
pub struct MultipartCsrf<'a> {
    headers: &'a HeaderMap,
    state: &'a AppState,
    checked: bool,
}

impl<'a> MultipartCsrf<'a> {
    pub fn new(headers: &'a HeaderMap, state: &'a AppState) -> Self {
        MultipartCsrf {
            headers,
            state,
            checked: false,
        }
    }

    /// The form's `csrf` field arrived: check it now.
    pub fn token(&mut self, submitted: &str) -> Result<(), AppError> {
        check(self.headers, self.state, Some(submitted))?;
        self.checked = true;
        Ok(())
    }

    /// A file part is next: without a checked token (field or header) the request stops here.
    pub fn before_file(&mut self) -> Result<(), AppError> {
        if !self.checked {
            check(self.headers, self.state, None)?;
            self.checked = true;
        }
        Ok(())
    }

    /// The form ended: a form without files must still have carried a valid token.
    pub fn finish(self) -> Result<(), AppError> {
        if self.checked {
            Ok(())
        } else {
            check(self.headers, self.state, None)
        }
    }
}
