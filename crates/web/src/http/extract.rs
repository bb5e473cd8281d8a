//! Extractors for the API whose rejection is a problem document instead of axum's plain text.

use crate::http::error::AppError;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// `Json` whose rejection is a problem document. Text with a NUL character (`\u0000`) is
/// refused here, before it reaches a column PostgreSQL would refuse it from.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .is_some_and(|m| {
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !json {
            return Err(AppError::BadRequest(
                "Expected request with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        if json_has_nul(&bytes) {
            return Err(nul_refused());
        }
        let axum::Json(v) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(ApiJson(v))
    }
}

/// The error for text with a NUL character, wherever it arrives.
pub fn nul_refused() -> AppError {
    AppError::BadRequest("text may not contain the NUL character (U+0000)".into())
}

/// Whether a JSON text has a string with NUL in it: an escape `\u0000` (a raw NUL byte is not
/// valid JSON, and is refused too). `\\u0000` is a backslash and the letters `u0000`.
fn json_has_nul(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            0 => return true,
            b'\\' if b[i + 1..].starts_with(b"u0000") => return true,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    false
}

/// Whether URL-encoded text (a query string, a path, a form body) decodes to a NUL character.
pub fn urlencoded_has_nul(b: &[u8]) -> bool {
    b.contains(&0) || b.windows(3).any(|w| w == b"%00")
}

/// Refuses, for every route at once, a path or query string that carries a NUL character: no
/// parameter can then bring one to SQL, a header or a parser.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let nul = urlencoded_has_nul(uri.path().as_bytes())
        || uri
            .query()
            .is_some_and(|q| urlencoded_has_nul(q.as_bytes()));
    if nul {
        return nul_refused().into_response();
    }
    next.run(req).await
}

/// `Path` whose rejection is a problem document.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// `Query` whose rejection is a problem document.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        AppError::BadRequest(r.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::BadRequest(r.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_only_where_it_decodes_to_nul() {
        assert!(json_has_nul(br#"{"a":"x\u0000"}"#));
        assert!(json_has_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"\\u0000"}"#));
        assert!(json_has_nul(br#"{"a":"\u00001"}"#));
        assert!(!json_has_nul(br#"{"a":"\"u0000"}"#));
        assert!(!json_has_nul(b"\\"));
        assert!(urlencoded_has_nul(b"search=ab%00"));
        assert!(!urlencoded_has_nul(b"search=ab%2500"));
    }
}
