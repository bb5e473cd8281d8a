//! Asking before a consequential action (closing a call, rejecting, merging, a bulk action,
//! publishing results, ending sessions), without JavaScript. The page's form posts as before;
//! a post without `confirm=yes` is answered with a page that says what will happen and to what,
//! and whose form posts the same fields back with a fresh CSRF token and `confirm=yes`. Only
//! that second post acts. Both posts come through `CsrfForm`, so both are checked. The API asks
//! nothing: its callers already chose.

use crate::http::error::AppResult;
use crate::http::view::{Ctx, html};
use askama::Template;
use axum::response::Response;
use std::collections::HashMap;

/// The field a confirmed form carries.
pub const FIELD: &str = "confirm";

/// A posted form's fields, as the handlers take them.
pub trait Fields {
    /// Every field in order (a map's sorted by name), the CSRF token and `confirm` included.
    fn pairs(&self) -> Vec<(&str, &str)>;
}

impl Fields for HashMap<String, String> {
    fn pairs(&self) -> Vec<(&str, &str)> {
        let mut v: Vec<_> = self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        v.sort_unstable();
        v
    }
}

impl Fields for Vec<(String, String)> {
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

/// Whether the person already said yes on the confirmation page.
pub fn confirmed(form: &impl Fields) -> bool {
    form.pairs().iter().any(|(k, v)| *k == FIELD && *v == "yes")
}

/// What the confirmation page says.
pub struct Ask {
    /// The question, as the page's heading ("Close this call?").
    pub question: String,
    /// What will happen, and to what (user text inside it isolated by `tf`).
    pub detail: String,
    /// The things it will happen to, when there are several (a bulk action's ideas).
    pub items: Vec<String>,
    /// The confirm button's words.
    pub button: String,
    /// Where "cancel" leads: the page the form was on.
    pub back: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage<'a> {
    ctx: &'a Ctx,
    ask: Ask,
    /// Where the form posted, to post again.
    action: &'a str,
    /// The form's fields, less its token and any earlier `confirm`.
    fields: Vec<(&'a str, &'a str)>,
}

/// The confirmation page for a form posted to this page's path (`ctx.path`).
pub fn ask<'a>(ctx: &'a Ctx, form: &'a impl Fields, ask: Ask) -> AppResult<Response> {
    let fields = form
        .pairs()
        .into_iter()
        .filter(|(k, _)| *k != crate::auth::csrf::CSRF_FIELD && *k != FIELD)
        .collect();
    html(ConfirmPage {
        ctx,
        ask,
        action: &ctx.path,
        fields,
    })
}
