//! The public status page: a citizen who filed an idea online, on paper or at a booth types the
//! tracking code from their receipt and the mobile number it was filed with, and learns the
//! idea's status and the secretariat's last message, nothing else. Throttled like sign-in, per
//! address and per code, counted before the lookup.

use crate::AppState;
use crate::access::Public;
use crate::auth::{ClientIp, csrf::CsrfForm, throttle};
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html, rejected};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use hamafza_core::account::{FieldError, parse_mobile};
use hamafza_core::limits::{TRACK_PER_CODE, TRACK_PER_IP};
use hamafza_store::notifications::TrackedIdea;
use hamafza_store::screening::tracking_code_in;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/track", get(page).post(lookup))
}

#[derive(Template)]
#[template(path = "ideas/track.html")]
struct TrackPage {
    ctx: Ctx,
    code: String,
    mobile: String,
    errors: FormErrors,
    found: Option<TrackedIdea>,
}

async fn page(_: Public, ctx: Ctx) -> AppResult<Response> {
    html(TrackPage {
        ctx,
        code: String::new(),
        mobile: String::new(),
        errors: FormErrors::default(),
        found: None,
    })
}

#[derive(Deserialize)]
struct TrackForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    mobile: String,
}

async fn lookup(
    _: Public,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<TrackForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let code = tracking_code_in(&hamafza_persian::normalize(&f.code));
    let mobile = parse_mobile(&f.mobile);
    let mut errors = Vec::new();
    if code.is_none() {
        let e = if f.code.trim().is_empty() {
            FieldError::Required
        } else {
            FieldError::TrackingCode
        };
        errors.push(("code", e));
    }
    match &mobile {
        Ok(Some(_)) => {}
        Ok(None) => errors.push(("mobile", FieldError::Required)),
        Err(e) => errors.push(("mobile", *e)),
    }
    let again = |ctx: Ctx, errors: FormErrors| {
        rejected(TrackPage {
            ctx,
            code: f.code.clone(),
            mobile: f.mobile.clone(),
            errors,
            found: None,
        })
    };
    let (Some(code), Ok(Some(mobile))) = (code, mobile) else {
        return again(ctx, FormErrors::new(lang, &errors));
    };
    // Counted first, per address and per code, so parallel guesses cannot pass the limit.
    let now = hamafza_store::now();
    for (bucket, limit) in [
        (format!("track:ip:{ip}"), TRACK_PER_IP),
        (format!("track:code:{code}"), TRACK_PER_CODE),
    ] {
        if let Err(e @ AppError::RateLimited { .. }) = throttle(&state, &bucket, limit, now).await {
            return again(ctx, FormErrors::general(e.detail(lang)));
        }
    }
    match state.store.track_idea(&code, &mobile).await? {
        Some(found) => html(TrackPage {
            ctx,
            code: f.code.clone(),
            mobile: f.mobile.clone(),
            errors: FormErrors::default(),
            found: Some(found),
        }),
        None => again(
            ctx,
            FormErrors::general(lang.t("track.not_found").to_string()),
        ),
    }
}
