//! What every feature's HTTP code shares: the closed error type and its rendering, the page
//! context and templates helpers, API extractors, embedded assets, Markdown, health checks.

pub mod assets;
pub mod confirm;
pub mod error;
pub mod extract;
pub mod markdown;
pub mod view;

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use error::AppError;

/// Liveness and readiness, for load balancers and orchestrators.
pub fn health_router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

async fn healthz(_: crate::access::Public) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready only when the database answers.
async fn readyz(_: crate::access::Public, State(state): State<AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready" })),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "database unavailable" })),
        )
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// A local path to return to after signing in or switching the language: a path of this site
/// (with its query and fragment), parsed as a browser would against this origin; anything else
/// (another site, `//host`, `/\host`, `/\t/host`, control characters that would break the
/// `Location` header) becomes `/`.
pub fn safe_next(next: &str) -> String {
    local_path(next).unwrap_or_else(|| "/".into())
}

fn local_path(next: &str) -> Option<String> {
    // Browsers drop tabs and newlines and read `\` as `/`, so `/\t/evil` and `/\evil` would
    // leave the site; such a `next` was never made by our pages anyway.
    if !next.starts_with('/') || next.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let base = url::Url::parse("http://hamafza.invalid/").ok()?;
    let url = base.join(next).ok()?;
    if url.origin() != base.origin() {
        return None;
    }
    let mut out = url.path().to_string();
    // `/.//evil` normalizes to `//evil`, which a browser would read as another host.
    if out.starts_with("//") {
        return None;
    }
    if let Some(q) = url.query() {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = url.fragment() {
        out.push('#');
        out.push_str(f);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        for ok in ["/", "/calls?page=2", "/ideas/abc#team", "/notifications"] {
            assert_eq!(safe_next(ok), ok);
        }
        assert_eq!(safe_next("/calls/ایده"), "/calls/%D8%A7%DB%8C%D8%AF%D9%87");
        for bad in [
            "",
            "calls",
            "//evil.example/x",
            "/\\evil.example",
            "/\t/evil.example/x",
            "/\r/x",
            "/\n/x",
            "/.//evil.example",
            "/x/..//evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\u{85}/x",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
