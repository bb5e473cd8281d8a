//! What every page template gets (`Ctx`: language, the signed-in user, the CSRF token), helpers
//! to render templates and form errors, the error page, and the security headers.

use crate::AppState;
use crate::auth::{self, csrf};
use crate::http::error::{AppError, AppResult, field_message};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use hamafza_core::Role;
use hamafza_core::account::FieldError;
use hamafza_core::account::User;
use hamafza_core::time::UnixSeconds;

pub const LANG_COOKIE: &str = "hz_lang";

/// The language of an API answer: the `hz_lang` cookie, else `Accept-Language`, else Persian.
/// (Pages do not follow `Accept-Language`: see [`Ctx`].)
pub fn lang_of(headers: &HeaderMap) -> Lang {
    auth::cookie(headers, LANG_COOKIE)
        .and_then(|v| Lang::parse(&v))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

/// The context of a page: who is looking, in which language, and the token their forms carry.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    /// The path of this page, for the language switch to come back to.
    pub path: String,
    /// Unread notifications of the signed-in user (up to `UNREAD_CAP`), for the header badge.
    pub unread: i64,
}

/// The badge counts no further than this and shows "99+".
const UNREAD_CAP: i64 = 100;

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = auth::session_user(parts, state).await?;
        // Persian unless the person chose English (the switch's cookie, or their account's
        // setting). Not `Accept-Language`: many office PCs and phones in Iran ask for English
        // without anyone having chosen it.
        let lang = auth::cookie(&parts.headers, LANG_COOKIE)
            .and_then(|v| Lang::parse(&v))
            .or_else(|| user.as_ref().and_then(|u| Lang::parse(&u.locale)))
            .unwrap_or_default();
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        // Only signed-in pages pay for the badge: one count on a partial index.
        let unread = match &user {
            Some(u) => state.store.unread_notifications(u.id, UNREAD_CAP).await?,
            None => 0,
        };
        Ok(Ctx {
            lang,
            user,
            csrf: csrf::form_token(parts, state),
            path,
            unread,
        })
    }
}

impl Ctx {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    pub fn tf(&self, key: &str, args: &[(&str, &str)]) -> String {
        self.lang.tf(key, args)
    }

    pub fn num(&self, n: impl Int) -> String {
        self.lang.num(n.get())
    }

    pub fn digits(&self, s: &str) -> String {
        self.lang.digits(s)
    }

    /// User text isolated as plain text (FSI … PDI), for where HTML elements cannot go: the
    /// `<title>`, attribute values such as `aria-label`. In the page body use `<bdi>`.
    pub fn isolate(&self, s: &str) -> String {
        hamafza_persian::controls::isolate(s)
    }

    /// A moment as a Jalali date (templates pass the value or a reference).
    pub fn date(&self, t: impl Moment) -> String {
        self.lang.date(t.moment())
    }

    /// A moment as a Jalali date and Tehran time.
    pub fn datetime(&self, t: impl Moment) -> String {
        self.lang.datetime(t.moment())
    }

    pub fn is_fa(&self) -> bool {
        self.lang == Lang::Fa
    }

    /// The other language, for the switch in the header.
    pub fn other_lang(&self) -> Lang {
        match self.lang {
            Lang::Fa => Lang::En,
            Lang::En => Lang::Fa,
        }
    }

    pub fn lang_switch_href(&self) -> String {
        format!(
            "/lang/{}?next={}",
            self.other_lang().code(),
            crate::http::error::urlencode(&self.path)
        )
    }

    /// The header badge's number: "99+" past the cap.
    pub fn unread_badge(&self) -> String {
        if self.unread >= UNREAD_CAP {
            format!("{}+", self.num(UNREAD_CAP - 1))
        } else {
            self.num(self.unread)
        }
    }

    pub fn has_role(&self, role: &str) -> bool {
        let role = Role::parse(role);
        self.user
            .as_ref()
            .is_some_and(|u| role.is_some_and(|r| u.has(r)))
    }

    /// The name of a role in this language.
    pub fn role_name(&self, role: &Role) -> &'static str {
        self.t(&format!("role.{}", role.as_str()))
    }
}

/// An integer as templates pass it: by value or by reference, whatever its width.
pub trait Int {
    fn get(&self) -> i64;
}

macro_rules! int {
    ($($t:ty),*) => { $(impl Int for $t { fn get(&self) -> i64 { *self as i64 } })* };
}
int!(i64, i32, u16, u32, usize);

impl<T: Int> Int for &T {
    fn get(&self) -> i64 {
        (**self).get()
    }
}

/// A moment as templates hold it: the value, or a reference to it (loops add one per level).
pub trait Moment {
    fn moment(&self) -> UnixSeconds;
}

impl Moment for UnixSeconds {
    fn moment(&self) -> UnixSeconds {
        *self
    }
}

impl<T: Moment> Moment for &T {
    fn moment(&self) -> UnixSeconds {
        (**self).moment()
    }
}

/// Renders a template into an HTML response; a rendering failure is an internal error.
pub fn html(t: impl Template) -> AppResult<Response> {
    Ok(Html(t.render().map_err(|e| AppError::Internal(e.into()))?).into_response())
}

/// Renders a form again with status 422, after validation failed.
pub fn rejected(t: impl Template) -> AppResult<Response> {
    let mut r = html(t)?;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

/// Field errors of a form, as messages in the page's language, keyed by field name.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(Vec<(&'static str, String)>);

impl FormErrors {
    pub fn new(lang: Lang, errors: &[(&'static str, FieldError)]) -> Self {
        FormErrors(
            errors
                .iter()
                .map(|(f, e)| (*f, field_message(lang, *e)))
                .collect(),
        )
    }

    /// A message not tied to one field (shown above the form).
    pub fn general(message: String) -> Self {
        FormErrors(vec![("_form", message)])
    }

    pub fn push(&mut self, field: &'static str, message: String) {
        self.0.push((field, message));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: Ctx,
    pub status: u16,
    pub title: String,
    pub detail: String,
}

impl ErrorPage {
    /// The error page for `err`, seen by `ctx` (the viewer's header and language), or by an
    /// anonymous Persian reader when the viewer could not be looked up: an error page must render
    /// even when the database does not answer.
    pub fn render(ctx: Option<Ctx>, err: &AppError) -> Response {
        let ctx = ctx.unwrap_or_else(|| Ctx {
            lang: Lang::default(),
            user: None,
            csrf: String::new(),
            path: "/".into(),
            unread: 0,
        });
        let lang = ctx.lang;
        let page = ErrorPage {
            ctx,
            status: err.status().as_u16(),
            title: err.title(lang).to_string(),
            detail: err.detail(lang),
        };
        let body = page
            .render()
            .unwrap_or_else(|_| err.title(lang).to_string());
        (err.status(), Html(body)).into_response()
    }
}

/// Headers every response carries: no sniffing, no framing, a strict content policy (scripts only
/// from our own origin, never inline); `no-store` unless the handler chose a cache policy (only
/// static assets do: pages carry the viewer's name and CSRF token, the API and exports personal
/// data); behind HTTPS (`secure_cookies`), `Strict-Transport-Security`.
pub async fn security_headers(
    axum::extract::State(config): axum::extract::State<std::sync::Arc<crate::WebConfig>>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    if config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.entry("content-security-policy").or_insert(HeaderValue::from_static(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    ));
    res
}
