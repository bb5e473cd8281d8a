//! The signed-in user's own settings: their account, password, and personal API tokens.

use crate::AppState;
use crate::access::SignedIn;
use crate::auth::{self, csrf::CsrfForm, password};
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html, rejected};
use crate::notify;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::account::{FieldError, check_password};
use hamafza_store::notifications::Pref;
use hamafza_store::org_units::OrgUnit;
use hamafza_store::tokens::ApiToken;
use hamafza_store::users::User;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(page))
        .route("/settings/password", post(change_password))
        .route("/settings/tokens", post(create_token))
        .route("/settings/tokens/{id}/revoke", post(revoke_token))
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
    async fn load(state: &AppState, ctx: Ctx, user: &User) -> AppResult<SettingsPage> {
        let user = user.clone();
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

async fn page(user: SignedIn, State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    html(SettingsPage::load(&state, ctx, &user).await?)
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
    let mut page = SettingsPage::load(&state, ctx, &user).await?;
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
    ctx: Ctx,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> AppResult<Response> {
    let lang = ctx.lang;
    let name = hamafza_core::account::fix_letters(&f.name);
    let mut page = SettingsPage::load(&state, ctx, &user).await?;
    let problem = if name.is_empty() {
        Some(FieldError::Required)
    } else if name.chars().count() > 60 {
        Some(FieldError::TooLong(60))
    } else {
        None
    };
    if let Some(e) = problem {
        page.errors = FormErrors::new(lang, &[("name", e)]);
        page.token_name = f.name;
        return rejected(page);
    }
    let token = auth::random_token();
    state
        .store
        .create_api_token(user.id, &name, &auth::token_hash(&token), None)
        .await?;
    page.tokens = state.store.api_tokens(user.id).await?;
    page.new_token = Some(token);
    html(page)
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke_token(
    user: SignedIn,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    // Only the owner's tokens match; anyone else's id is "not found".
    state
        .store
        .revoke_api_token(user.id, id)
        .await
        .map_err(AppError::from)?;
    Ok(Redirect::to("/settings").into_response())
}

/// Saves the email address and, for every topic, whether it goes by email and by SMS. Unticked
/// boxes are absent from the form, so every topic is saved explicitly.
async fn save_notifications(
    user: SignedIn,
    State(state): State<AppState>,
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
                let mut page = SettingsPage::load(&state, ctx, &user).await?;
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
    let mut page = SettingsPage::load(&state, ctx, &user).await?;
    page.notice = Some("notify.saved");
    html(page)
}
