//! Creating accounts, shared by the admin form and the API: both validate the same way, report
//! every bad field at once, and name the field a duplicate is about. Making API tokens, shared by
//! the settings page and `POST /api/v1/auth/token`.

use crate::AppState;
use crate::auth::password;
use crate::http::error::{AppError, AppResult};
use hamafza_core::Role;
use hamafza_core::account::User;
use hamafza_core::account::{FieldError, FieldErrors, NewAccount};
use hamafza_core::ids::{OrgUnitId, UserId};
use hamafza_core::time::UnixSeconds;
use hamafza_store::StoreError;
use hamafza_store::tokens::ApiToken;
use hamafza_store::users::NewUser;

/// An account as typed by an admin.
pub struct AccountInput {
    pub account: NewAccount,
    /// The org unit's id as typed; empty for none.
    pub org_unit: String,
    pub roles: Vec<String>,
}

/// The org unit chosen in a form: empty for none, else an id that exists.
pub async fn parse_unit(
    state: &AppState,
    raw: &str,
) -> AppResult<Result<Option<OrgUnitId>, FieldError>> {
    if raw.trim().is_empty() {
        return Ok(Ok(None));
    }
    let Ok(id) = hamafza_persian::digits::to_latin(raw.trim()).parse::<OrgUnitId>() else {
        return Ok(Err(FieldError::Unknown));
    };
    match state.store.org_unit(id).await {
        Ok(_) => Ok(Ok(Some(id))),
        Err(StoreError::NotFound) => Ok(Err(FieldError::Unknown)),
        Err(e) => Err(e.into()),
    }
}

/// The field a unique violation is about.
pub fn conflict_field(e: &StoreError) -> Option<&'static str> {
    ["username", "mobile", "national_id"]
        .into_iter()
        .find(|c| e.is_conflict_on(c))
}

/// Creates the account, or says which fields are wrong (nothing is written then).
pub async fn create(
    state: &AppState,
    input: &AccountInput,
    actor_id: UserId,
) -> AppResult<Result<User, FieldErrors>> {
    let mut errors = input.account.validate().err().unwrap_or_default();
    let unit = parse_unit(state, &input.org_unit)
        .await?
        .map_err(|e| errors.push(("org_unit_id", e)))
        .unwrap_or_default();
    let roles: Vec<Role> = input.roles.iter().filter_map(|r| Role::parse(r)).collect();
    if roles.len() != input.roles.len() {
        errors.push(("roles", FieldError::Unknown));
    }
    let valid = match input.account.validate() {
        Ok(v) if errors.is_empty() => v,
        _ => return Ok(Err(errors)),
    };
    let new = NewUser {
        username: valid.username,
        display_name: valid.display_name,
        password_hash: Some(password::hash(&valid.password).await?),
        national_id: valid.national_id,
        mobile: valid.mobile,
        org_unit_id: unit,
        roles,
    };
    match state.store.create_user(&new, Some(actor_id)).await {
        Ok(u) => Ok(Ok(u)),
        Err(e) => match conflict_field(&e) {
            Some(field) => Ok(Err(vec![(field, FieldError::Taken)])),
            None => Err(e.into()),
        },
    }
}

/// A token's name as typed: letters fixed and trimmed, visible, at most
/// [`TOKEN_NAME_MAX`](hamafza_core::limits::TOKEN_NAME_MAX) characters.
pub fn check_token_name(raw: &str) -> Result<String, FieldError> {
    use hamafza_core::limits::TOKEN_NAME_MAX;
    // `fix_letters` leaves nothing of text with nothing visible in it.
    let name = hamafza_core::account::fix_letters(&hamafza_persian::controls::strip_unwanted(raw));
    if name.is_empty() {
        Err(FieldError::Required)
    } else if name.chars().count() > TOKEN_NAME_MAX {
        Err(FieldError::TooLong(TOKEN_NAME_MAX))
    } else {
        Ok(name)
    }
}

/// Makes a token named `name` (already checked) for `user_id`, living until `expires_at` (Unix
/// seconds; `None`: until revoked). Returns the secret, shown once, and the stored token.
/// `TooMany` when the user holds the most live tokens allowed.
pub async fn create_token(
    state: &AppState,
    user_id: UserId,
    name: &str,
    expires_at: Option<UnixSeconds>,
) -> AppResult<(String, ApiToken)> {
    let secret = crate::auth::random_token();
    match state
        .store
        .create_api_token(user_id, name, &crate::auth::token_hash(&secret), expires_at)
        .await
    {
        Ok(t) => Ok((secret, t)),
        Err(StoreError::Conflict(what)) if what == "tokens" => Err(AppError::TooMany {
            what: "tokens",
            max: hamafza_core::limits::LIVE_TOKENS_MAX,
        }),
        Err(e) => Err(e.into()),
    }
}
