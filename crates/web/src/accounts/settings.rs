//! The signed-in user's own settings: their account, password, notifications, the sessions
//! signed in to their account (each can be ended) and their personal API tokens.

use crate::AppState;
use crate::access::SignedIn;
use crate::accounts::service;
use crate::auth::{self, csrf::CsrfForm, password};
use crate::http::confirm::{self, Ask};
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html, rejected};
use crate::notify;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::account::User;
use hamafza_core::account::{FieldError, check_password};
use hamafza_core::ids::TokenId;
use hamafza_core::org::OrgUnit;
use hamafza_core::time::UnixSeconds;
use hamafza_store::notifications::Pref;
use hamafza_store::sessions::{SessionInfo, session_handle};
use hamafza_store::tokens::ApiToken;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(page))
        .route("/settings/password", post(change_password))
        .route("/settings/tokens", post(create_token))
        .route("/settings/tokens/{id}/revoke", post(revoke_token))
        .route("/settings/sessions/{handle}/end", post(end_session))
        .route("/settings/sessions/end-others", post(end_other_sessions))
        .route("/settings/notifications", post(save_notifications))
}

/// One row of the notification choices on the settings page.
struct TopicRow {
    topic: &'static str,
    label: &'static str,
    email: bool,
    sms: bool,
}

#[derive(Template)]
#[template(path = "account/settings.html")]
struct SettingsPage {
    ctx: Ctx,
    unit: Option<OrgUnit>,
    has_password: bool,
    tokens: Vec<ApiToken>,
    sessions: Vec<SessionInfo>,
    /// The handle of the session this page is seen in ("this device").
    this_session: Option<String>,
    /// Unix seconds, to tell live tokens from expired ones.
    now: UnixSeconds,
    /// A token just created, shown once.
    new_token: Option<String>,
    token_name: String,
    notice: Option<&'static str>,
    errors: FormErrors,
    /// The email address for notifications, as stored or as just typed.
    email: String,
    topics: Vec<TopicRow>,
}

impl SettingsPage {
    async fn load(
        state: &AppState,
        ctx: Ctx,
        user: &User,
        headers: &HeaderMap,
    ) -> AppResult<SettingsPage> {
        let user = user.clone();
        let now = hamafza_store::now();
        let unit = match user.org_unit_id {
            Some(id) => Some(state.store.org_unit(id).await?),
            None => None,
        };
        let has_password = state
            .store
            .credentials(&user.username)
            .await?
            .and_then(|c| c.1)
            .is_some();
        let stored = state.store.notification_prefs(user.id).await?;
        let topics = notify::Topic::ALL
            .iter()
            .map(|t| {
                let c = notify::channels(&stored, *t);
                TopicRow {
                    topic: t.as_str(),
                    label: ctx.t(&format!("notify.topic.{}", t.as_str())),
                    email: c.email,
                    sms: c.sms,
                }
            })
            .collect();
        Ok(SettingsPage {
            email: state.store.user_email(user.id).await?.unwrap_or_default(),
            topics,
            tokens: state.store.api_tokens(user.id).await?,
            sessions: state.store.sessions_of(user.id, now).await?,
            this_session: auth::session_hash(headers).map(|h| session_handle(&h).to_string()),
            now,
            ctx,
            unit,
            has_password,
            new_token: None,
            token_name: String::new(),
            notice: None,
            errors: FormErrors::default(),
        })
    }
}

#[derive(Deserialize)]
struct PageQuery {
    /// What was just done, from a redirect: "revoked", "ended" or "others".
    #[serde(default)]
    done: String,
}

async fn page(
    user: SignedIn,
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let mut page = SettingsPage::load(&state, ctx, &user, &headers).await?;
    page.notice = match q.done.as_str() {
        "revoked" => Some("settings.token_revoked"),
        "ended" => Some("settings.session_ended"),
        "others" => Some("settings.others_ended"),
        _ => None,
    };
    html(page)
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    user: SignedIn,
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let stored = state
        .store
        .credentials(&user.username)
        .await?
        .and_then(|c| c.1);
    let mut errors = Vec::new();
    // Accounts made by SMS have no password yet; they may set one without a current one.
    if let Some(phc) = &stored {
        if f.current.is_empty() {
            errors.push(("current", FieldError::Required));
        } else if !password::verify(&f.current, Some(phc)).await {
            errors.push(("current", FieldError::Wrong));
        }
    }
    if let Err(e) = check_password(&f.new, &user.username) {
        errors.push(("new", e));
    } else if f.new != f.confirm {
        errors.push(("confirm", FieldError::PasswordsDiffer));
    }
    let mut page = SettingsPage::load(&state, ctx, &user, &headers).await?;
    if !errors.is_empty() {
        page.errors = FormErrors::new(lang, &errors);
        return rejected(page);
    }
    let hash = password::hash(&f.new).await?;
    let keep = auth::session_hash(&headers);
    state
        .store
        .set_password(user.id, &hash, keep.as_deref(), Some(user.id))
        .await?;
    page.has_password = true;
    page.tokens = state.store.api_tokens(user.id).await?;
    page.sessions = state.store.sessions_of(user.id, page.now).await?;
    page.notice = Some("settings.password_changed");
    html(page)
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    user: SignedIn,
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let mut page = SettingsPage::load(&state, ctx, &user, &headers).await?;
    let made = match service::check_token_name(&f.name) {
        Ok(name) => service::create_token(&state, user.id, &name, None).await,
        Err(e) => Err(AppError::Validation(vec![("name", e)])),
    };
    match made {
        Ok((secret, _)) => {
            page.tokens = state.store.api_tokens(user.id).await?;
            page.new_token = Some(secret);
            html(page)
        }
        Err(AppError::Validation(errors)) => {
            page.errors = FormErrors::new(lang, &errors);
            page.token_name = f.name;
            rejected(page)
        }
        Err(e @ AppError::TooMany { .. }) => {
            page.errors = FormErrors::default();
            page.errors.push("name", e.detail(lang));
            page.token_name = f.name;
            rejected(page)
        }
        Err(e) => Err(e),
    }
}

/// The confirmation page of an action on the settings page, whose "cancel" goes back to the
/// section `section`.
fn ask(
    ctx: &Ctx,
    raw: &HashMap<String, String>,
    question: String,
    detail: String,
    button: &str,
    section: &str,
) -> AppResult<Response> {
    confirm::ask(
        ctx,
        raw,
        Ask {
            question,
            detail,
            items: Vec::new(),
            button: ctx.t(button).into(),
            back: format!("/settings#{section}-title"),
        },
    )
}

async fn revoke_token(
    user: SignedIn,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<TokenId>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    if !confirm::confirmed(&raw) {
        let tokens = state.store.api_tokens(user.id).await?;
        let token = tokens
            .iter()
            .find(|t| t.id == id)
            .ok_or(AppError::NotFound)?;
        let question = ctx.tf("confirm.revoke.question", &[("name", &token.name)]);
        let detail = ctx.t("settings.revoke_confirm").to_string();
        return ask(&ctx, &raw, question, detail, "settings.revoke", "tokens");
    }
    // Only the owner's tokens match; anyone else's id is "not found".
    state
        .store
        .revoke_api_token(user.id, id)
        .await
        .map_err(AppError::from)?;
    Ok(Redirect::to("/settings?done=revoked").into_response())
}

/// Ends one of the user's sessions, named by its handle; another user's is "not found".
async fn end_session(
    user: SignedIn,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    if !confirm::confirmed(&raw) {
        let sessions = state
            .store
            .sessions_of(user.id, hamafza_store::now())
            .await?;
        let s = sessions.iter().find(|s| s.handle == handle);
        let s = s.ok_or(AppError::NotFound)?;
        let device = s.device.as_deref();
        let device = device.unwrap_or_else(|| ctx.t("settings.unknown_device"));
        let at = ctx.datetime(s.created_at);
        let detail = ctx.tf("confirm.session.detail", &[("device", device), ("at", &at)]);
        let question = ctx.t("settings.end_session_confirm").to_string();
        return ask(
            &ctx,
            &raw,
            question,
            detail,
            "settings.end_session",
            "sessions",
        );
    }
    state.store.end_session(user.id, &handle).await?;
    Ok(Redirect::to("/settings?done=ended").into_response())
}

/// Ends every session of the user but the one this request comes from.
async fn end_other_sessions(
    user: SignedIn,
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    if !confirm::confirmed(&raw) {
        let sessions = state
            .store
            .sessions_of(user.id, hamafza_store::now())
            .await?;
        let others = ctx.num(sessions.len().saturating_sub(1));
        let detail = ctx.tf("confirm.others.detail", &[("n", &others)]);
        let question = ctx.t("settings.end_others_confirm").to_string();
        return ask(
            &ctx,
            &raw,
            question,
            detail,
            "settings.end_others",
            "sessions",
        );
    }
    let keep = auth::session_hash(&headers).ok_or(AppError::Unauthorized)?;
    state.store.end_other_sessions(user.id, &keep).await?;
    Ok(Redirect::to("/settings?done=others").into_response())
}

/// Saves the email address and, for every topic, whether it goes by email and by SMS. Unticked
/// boxes are absent from the form, so every topic is saved explicitly.
async fn save_notifications(
    user: SignedIn,
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let field = |name: &str| f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let typed = field("email").unwrap_or("").trim().to_string();
    let email = if typed.is_empty() {
        None
    } else {
        match notify::email::check_address(&typed) {
            Some(e) => Some(e),
            None => {
                let lang = ctx.lang;
                let mut page = SettingsPage::load(&state, ctx, &user, &headers).await?;
                page.errors = FormErrors::default();
                page.errors
                    .push("email", lang.t("notify.email_invalid").into());
                page.email = typed;
                for row in &mut page.topics {
                    row.email = field(&format!("email_{}", row.topic)).is_some();
                    row.sms = field(&format!("sms_{}", row.topic)).is_some();
                }
                return rejected(page);
            }
        }
    };
    let prefs: Vec<Pref> = notify::Topic::ALL
        .iter()
        .map(|t| Pref {
            kind: t.as_str().into(),
            email: field(&format!("email_{}", t.as_str())).is_some(),
            sms: field(&format!("sms_{}", t.as_str())).is_some(),
        })
        .collect();
    state
        .store
        .save_notification_settings(user.id, email.as_deref(), &prefs, Some(user.id))
        .await?;
    let mut page = SettingsPage::load(&state, ctx, &user, &headers).await?;
    page.notice = Some("notify.saved");
    html(page)
}
