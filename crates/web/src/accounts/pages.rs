//! Signing in and out: username and password, or mobile number and a one-time code (which also
//! signs a citizen up); and the language switch.

use crate::AppState;
use crate::auth::{self, ClientIp, csrf::CsrfForm, otp};
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, LANG_COOKIE, html, rejected};
use crate::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hamafza_core::Role;
use hamafza_core::account::{FieldError, fix_letters, parse_display_name, parse_mobile};
use hamafza_core::audit::Action;
use hamafza_core::ids::UserId;
use hamafza_store::sessions::SessionClient;
use hamafza_store::users::NewUser;
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/otp", get(otp_page).post(otp_send))
        .route("/otp/verify", get(otp_verify_page).post(otp_verify))
        .route("/lang/{code}", get(switch_lang))
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage {
    ctx: Ctx,
    username: String,
    next: String,
    errors: FormErrors,
}

async fn login_page(
    _: crate::access::Public,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&crate::http::safe_next(&q.next)).into_response());
    }
    html(LoginPage {
        ctx,
        username: String::new(),
        next: q.next,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Starts a session for a user who proved who they are, logs it, and returns to `next`.
async fn signed_in(
    state: &AppState,
    user_id: UserId,
    client: &SessionClient,
    how: serde_json::Value,
    next: &str,
) -> AppResult<Response> {
    let cookie = auth::start_session(state, user_id, client).await?;
    state
        .store
        .audit(hamafza_store::audit::NewAudit {
            actor_id: Some(user_id),
            action: Action::AuthLogin,
            entity_type: "user",
            entity_id: user_id.to_string(),
            data: how,
        })
        .await?;
    let mut r = Redirect::to(&crate::http::safe_next(next)).into_response();
    if let Ok(v) = cookie.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    auth::csrf::rotate(&mut r, state);
    Ok(r)
}

async fn login(
    _: crate::access::Public,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    client: auth::Client,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let again = |ctx: Ctx, errors: FormErrors| {
        rejected(LoginPage {
            ctx,
            username: f.username.clone(),
            next: f.next.clone(),
            errors,
        })
    };
    if f.username.trim().is_empty() || f.password.is_empty() {
        let mut errors = FormErrors::default();
        if f.username.trim().is_empty() {
            errors.push(
                "username",
                crate::http::error::field_message(lang, FieldError::Required),
            );
        }
        if f.password.is_empty() {
            errors.push(
                "password",
                crate::http::error::field_message(lang, FieldError::Required),
            );
        }
        return again(ctx, errors);
    }
    let user = match auth::sign_in_with_password(&state, &f.username, &f.password, &ip).await {
        Ok(u) => u,
        Err(e @ AppError::RateLimited { .. }) => {
            return again(ctx, FormErrors::general(e.detail(lang)));
        }
        Err(AppError::BadCredentials) => {
            return again(ctx, FormErrors::general(lang.t("login.failed").to_string()));
        }
        Err(e) => return Err(e),
    };
    signed_in(
        &state,
        user.id,
        &client.session(),
        json!({ "method": "password", "ip": ip }),
        &f.next,
    )
    .await
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(
    _: crate::access::Public,
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    if let Some(h) = auth::session_hash(&headers) {
        state.store.delete_session(&h).await?;
    }
    let mut r = Redirect::to("/").into_response();
    auth::add_cookie(&mut r, &state, auth::SESSION_COOKIE, "", 0);
    Ok(r)
}

#[derive(Template)]
#[template(path = "account/otp.html")]
struct OtpPage {
    ctx: Ctx,
    mobile: String,
    next: String,
    errors: FormErrors,
}

async fn otp_page(
    _: crate::access::Public,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    html(OtpPage {
        ctx,
        mobile: String::new(),
        next: q.next,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct OtpForm {
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    next: String,
}

async fn otp_send(
    _: crate::access::Public,
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<OtpForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let again = |ctx: Ctx, errors: FormErrors| {
        rejected(OtpPage {
            ctx,
            mobile: f.mobile.clone(),
            next: f.next.clone(),
            errors,
        })
    };
    let mobile = match parse_mobile(&f.mobile) {
        Ok(Some(m)) => m,
        Ok(None) => {
            return again(
                ctx,
                FormErrors::new(lang, &[("mobile", FieldError::Required)]),
            );
        }
        Err(e) => return again(ctx, FormErrors::new(lang, &[("mobile", e)])),
    };
    match otp::send_code(&state, &mobile, &ip, lang).await {
        Ok(()) => {}
        Err(e @ AppError::RateLimited { .. }) => {
            return again(ctx, FormErrors::general(e.detail(lang)));
        }
        Err(e) => return Err(e),
    }
    let to = format!(
        "/otp/verify?mobile={}&next={}",
        crate::http::error::urlencode(&mobile),
        crate::http::error::urlencode(&f.next)
    );
    Ok(Redirect::to(&to).into_response())
}

#[derive(Template)]
#[template(path = "account/otp_verify.html")]
struct OtpVerifyPage {
    ctx: Ctx,
    mobile: String,
    display_name: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct VerifyQuery {
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    next: String,
}

async fn otp_verify_page(
    _: crate::access::Public,
    ctx: Ctx,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Response> {
    let mobile = parse_mobile(&q.mobile)
        .ok()
        .flatten()
        .ok_or(AppError::NotFound)?;
    html(OtpVerifyPage {
        ctx,
        mobile,
        display_name: String::new(),
        next: q.next,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
struct VerifyForm {
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    next: String,
}

async fn otp_verify(
    _: crate::access::Public,
    State(state): State<AppState>,
    client: auth::Client,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<VerifyForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let mobile = parse_mobile(&f.mobile)
        .ok()
        .flatten()
        .ok_or(AppError::BadRequest("mobile".into()))?;
    let again = |ctx: Ctx, errors: FormErrors| {
        rejected(OtpVerifyPage {
            ctx,
            mobile: mobile.clone(),
            display_name: f.display_name.clone(),
            next: f.next.clone(),
            errors,
        })
    };
    let existing = state.store.user_by_mobile(&mobile).await?;
    // Checked before the code is spent, so a missing name does not cost the user their code.
    let name = if existing.is_none() {
        match parse_display_name(&f.display_name) {
            Ok(n) => Some(n),
            Err(e) => return again(ctx, FormErrors::new(lang, &[("display_name", e)])),
        }
    } else {
        None
    };
    if f.code.trim().is_empty() {
        return again(
            ctx,
            FormErrors::new(lang, &[("code", FieldError::Required)]),
        );
    }
    match otp::verify_code(&state, &mobile, &f.code).await? {
        Ok(()) => {}
        Err(otp::OtpRejection::NoCode) => {
            return again(ctx, FormErrors::general(lang.t("otp.no_code").to_string()));
        }
        Err(otp::OtpRejection::Wrong { tries_left }) => {
            let mut e = FormErrors::default();
            e.push(
                "code",
                lang.tf("otp.wrong", &[("n", &lang.num(tries_left))]),
            );
            return again(ctx, e);
        }
    }
    let user = match existing {
        Some(u) if u.disabled => return Err(AppError::Forbidden),
        Some(u) => u,
        None => {
            let new = NewUser {
                username: mobile.clone(),
                display_name: name.unwrap_or_else(|| fix_letters(&f.display_name)),
                password_hash: None,
                national_id: None,
                mobile: Some(mobile.clone()),
                org_unit_id: None,
                roles: vec![Role::Participant],
            };
            let u = state.store.create_user(&new, None).await?;
            state.store.set_locale(u.id, lang.code()).await?;
            u
        }
    };
    signed_in(
        &state,
        user.id,
        &client.session(),
        json!({ "method": "otp" }),
        &f.next,
    )
    .await
}

/// Switches the interface language (a preference cookie; for a signed-in user also their
/// account's language, used in SMS and email) and returns to the page.
async fn switch_lang(
    _: crate::access::Public,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    if let Some(u) = &ctx.user {
        state.store.set_locale(u.id, lang.code()).await?;
    }
    let mut r = Redirect::to(&crate::http::safe_next(&q.next)).into_response();
    auth::add_cookie(&mut r, &state, LANG_COOKIE, lang.code(), 365 * 86_400);
    Ok(r)
}
