//! One error type for every handler, and the one place that turns it into a response: a Persian
//! (or English) error page for pages, an RFC 9457 `application/problem+json` document for the API.
//! Internal details go to the log with the request ID, never to the client.

use crate::http::view::{ErrorPage, lang_of};
use crate::i18n::Lang;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hamafza_core::account::FieldError;
use hamafza_core::idea::Blocker;
use hamafza_store::StoreError;
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// Signing in would help: pages redirect to the sign-in page.
    #[error("sign-in required")]
    Unauthorized,
    /// A wrong username or password, a bad token: stays on the API as 401.
    #[error("bad credentials")]
    BadCredentials,
    #[error("forbidden")]
    Forbidden,
    /// The form's CSRF token is missing or does not match.
    #[error("CSRF check failed")]
    Csrf,
    /// The request cannot be read; the string says why (for the API's detail).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Fields that failed validation, with the reason for each.
    #[error("invalid fields")]
    Validation(Vec<(&'static str, FieldError)>),
    /// Rows of an imported file that failed, each with its line number.
    #[error("invalid rows")]
    Rows(Vec<hamafza_core::import::RowError>),
    #[error("too many attempts; retry in {retry_after} s")]
    RateLimited { retry_after: i64 },
    #[error("the database is unavailable")]
    Unavailable,
    /// Too much work is waiting (the submission queue is full): 503 with `Retry-After`.
    #[error("too busy; retry in {BUSY_RETRY_SECS} s")]
    Busy,
    /// What the request would change was changed by someone else meanwhile (a store `Conflict`
    /// no handler turned into a field error): 409, reload and try again.
    #[error("changed meanwhile")]
    Conflict,
    /// The person already holds as many of something as they may (`what`: "tokens"): 409, and
    /// the detail says what to end first.
    #[error("at most {max} {what}")]
    TooMany { what: &'static str, max: i64 },
    /// Why the caller may not submit or edit here: not open now or no longer editable (409: the
    /// state of the call or idea decides), outside the audience or not the author (403).
    #[error("refused: {0:?}")]
    Refused(hamafza_core::idea::Blocker),
    /// Why a call's results may not be published now (nothing awarded, submission still open):
    /// 409, the call's state decides.
    #[error("results refused: {0:?}")]
    ResultsRefused(hamafza_core::call::ResultsBlocker),
    /// A call moved to a state its state does not lead to (closing a draft, publishing an
    /// archived call): 409, and the detail lists the moves there are.
    #[error("no such move of a call's state")]
    CallStateMove,
    /// The call is archived: kept as it was, read-only (409; a new round starts from a copy).
    #[error("the call is archived")]
    Archived,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// How long a client is asked to wait when the server is busy: a healthy writer empties a full
/// submission queue in well under this.
pub const BUSY_RETRY_SECS: i64 = 5;

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Unavailable(_) => AppError::Unavailable,
            StoreError::Busy => AppError::Busy,
            StoreError::Conflict(what) => {
                tracing::info!(what, "conflict");
                AppError::Conflict
            }
            e => AppError::Internal(e.into()),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) | AppError::Rows(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable | AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Conflict
            | AppError::TooMany { .. }
            | AppError::ResultsRefused(_)
            | AppError::CallStateMove
            | AppError::Archived => StatusCode::CONFLICT,
            AppError::Refused(why) => match why {
                Blocker::NotOpen | Blocker::NotEditable => StatusCode::CONFLICT,
                Blocker::NotAudience | Blocker::NotAuthor => StatusCode::FORBIDDEN,
            },
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The catalog key prefix of this error's title and detail (`problem.<kind>.title|detail`).
    fn kind(&self) -> &'static str {
        match self {
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::BadCredentials => "bad_credentials",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::BadRequest(_) => "bad_request",
            AppError::Validation(_) | AppError::Rows(_) => "validation",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable => "unavailable",
            AppError::Busy => "busy",
            AppError::Conflict => "conflict",
            AppError::TooMany { .. } => "too_many",
            AppError::Refused(why) => match why {
                Blocker::NotOpen => "not_open",
                Blocker::NotEditable => "not_editable",
                Blocker::NotAudience => "not_audience",
                Blocker::NotAuthor => "not_author",
            },
            AppError::ResultsRefused(_) => "results_blocked",
            AppError::CallStateMove => "call_state",
            AppError::Archived => "archived",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn title(&self, lang: Lang) -> &'static str {
        lang.t(&format!("problem.{}.title", self.kind()))
    }

    pub fn detail(&self, lang: Lang) -> String {
        match self {
            AppError::RateLimited { retry_after } => lang.tf(
                "problem.rate_limited.detail",
                &[("minutes", &lang.num((retry_after + 59) / 60))],
            ),
            AppError::Busy => lang.tf(
                "problem.busy.detail",
                &[("seconds", &lang.num(BUSY_RETRY_SECS))],
            ),
            AppError::Refused(why) => lang.t(why.key()).to_string(),
            AppError::ResultsRefused(why) => lang.t(why.key()).to_string(),
            AppError::TooMany { what, max } => lang.tf(
                &format!("problem.too_many.{what}"),
                &[("n", &lang.num(*max))],
            ),
            AppError::BadRequest(why) => {
                format!("{} ({why})", lang.t("problem.bad_request.detail"))
            }
            _ => lang
                .t(&format!("problem.{}.detail", self.kind()))
                .to_string(),
        }
    }
}

/// The message for one invalid field, in `lang`.
pub fn field_message(lang: Lang, e: FieldError) -> String {
    match e.arg() {
        Some(n) => lang.tf(e.key(), &[("n", &lang.num(n as i64))]),
        None => lang.t(e.key()).to_string(),
    }
}

/// One bad row of an import, as the problem document lists it.
/// Line 0 is the file as a whole (unreadable, too large), which has no line to name.
pub fn row_problem(lang: Lang, r: &hamafza_core::import::RowError) -> ProblemField {
    if r.line == 0 {
        return ProblemField {
            field: r.field.to_string(),
            detail: lang.tf_own(
                "import.file_error",
                &[("message", &field_message(lang, r.error))],
            ),
            line: None,
        };
    }
    // Catalog words and a line number only: the bad value itself is not repeated.
    let detail = lang.tf_own(
        "import.row_error",
        &[
            ("line", &lang.num(r.line as i64)),
            ("field", lang.t(&format!("import.field.{}", r.field))),
            ("message", &field_message(lang, r.error)),
        ],
    );
    ProblemField {
        field: r.field.to_string(),
        detail,
        line: Some(r.line),
    }
}

/// Marks the response with the error; `render_errors` gives it a body once the language and the
/// kind of route (page or API) are known.
struct Rendered(Arc<AppError>);

impl Clone for Rendered {
    fn clone(&self) -> Self {
        Rendered(self.0.clone())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let mut r = self.status().into_response();
        let retry_after = match &self {
            AppError::RateLimited { retry_after } => Some(*retry_after),
            AppError::Busy => Some(BUSY_RETRY_SECS),
            _ => None,
        };
        if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r.extensions_mut().insert(Rendered(Arc::new(self)));
        r
    }
}

/// RFC 9457 problem details.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What went wrong and how to fix it, in the language of `Accept-Language` (Persian by default).
    pub detail: String,
    /// For validation problems: each invalid field and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub detail: String,
    /// For an imported file: the line of the row (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

fn problem(e: &AppError, lang: Lang) -> Problem {
    let errors = match e {
        AppError::Validation(fields) => fields
            .iter()
            .map(|(f, err)| ProblemField {
                field: f.to_string(),
                detail: field_message(lang, *err),
                line: None,
            })
            .collect(),
        AppError::Rows(rows) => rows.iter().map(|r| row_problem(lang, r)).collect(),
        _ => Vec::new(),
    };
    Problem {
        kind: format!("https://hamafza.ir/problems/{}", e.kind().replace('_', "-")),
        title: e.title(lang).to_string(),
        status: e.status().as_u16(),
        detail: e.detail(lang),
        errors,
    }
}

/// Gives error responses their body. API routes get problem+json; pages get an error page, or a
/// redirect to the sign-in page when signing in would help.
pub async fn render_errors(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let is_api = path.starts_with("/api/");
    let lang = lang_of(req.headers());
    // What an error page needs to know its viewer again (the handler's lookup went with it).
    let viewer: Vec<_> = [header::COOKIE, header::HOST]
        .iter()
        .flat_map(|h| {
            req.headers()
                .get_all(h)
                .iter()
                .map(move |v| (h.clone(), v.clone()))
        })
        .collect();
    let mut res = next.run(req).await;
    let Some(Rendered(err)) = res.extensions_mut().remove::<Rendered>() else {
        return res;
    };
    let headers = std::mem::take(res.headers_mut());
    let mut out = if is_api {
        let p = problem(&err, lang);
        let mut r = (err.status(), axum::Json(p)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        r
    } else if matches!(*err, AppError::Unauthorized) {
        let next = format!("{path}{query}");
        Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response()
    } else {
        ErrorPage::render(viewer_ctx(&state, viewer, &path, &err).await, &err)
    };
    for (k, v) in headers.iter() {
        if k == header::RETRY_AFTER || k == header::SET_COOKIE {
            out.headers_mut().append(k, v.clone());
        }
    }
    out
}

/// The page context of the viewer of an error page: who is signed in (so the header shows them
/// as on every other page) and their language. `None` when the error is the database itself.
async fn viewer_ctx(
    state: &crate::AppState,
    headers: Vec<(header::HeaderName, HeaderValue)>,
    path: &str,
    err: &AppError,
) -> Option<crate::http::view::Ctx> {
    use axum::extract::FromRequestParts;
    if matches!(
        err,
        AppError::Unavailable | AppError::Busy | AppError::Internal(_)
    ) {
        return None;
    }
    let mut req = axum::http::Request::builder().uri(path);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let (mut parts, ()) = req.body(()).ok()?.into_parts();
    crate::http::view::Ctx::from_request_parts(&mut parts, state)
        .await
        .ok()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q[1..].to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_or_conflicting_store_is_never_a_500() {
        let busy = AppError::from(StoreError::Busy);
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        let r = busy.into_response();
        assert_eq!(
            r.headers()[header::RETRY_AFTER],
            BUSY_RETRY_SECS.to_string()
        );
        let conflict = AppError::from(StoreError::Conflict("ideas_tracking_code_key".into()));
        assert_eq!(conflict.status(), StatusCode::CONFLICT);
        assert!(!conflict.detail(Lang::Fa).contains("tracking_code"));
    }
}
