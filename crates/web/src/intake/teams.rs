//! Teams over HTTP: turning what a lead typed (usernames or mobile numbers, one per line, any
//! digit script) into accounts that may join, and the rules of who may change a team.

use crate::AppState;
use crate::http::error::AppResult;
use crate::intake::attachments::ItemError;
use hamafza_core::account::FieldError;
use hamafza_core::idea::in_audience;
use hamafza_store::calls::Call;
use hamafza_store::teams::MAX_TEAM;
use hamafza_store::users::User;

/// The account a username or mobile number names, if any (disabled accounts count as none).
pub async fn find_user(state: &AppState, typed: &str) -> AppResult<Option<User>> {
    let s = hamafza_persian::digits::to_latin(typed.trim());
    let user = match hamafza_persian::mobile::normalize(&s) {
        Some(mobile) => state.store.user_by_mobile(&mobile).await?,
        None => state.store.user_by_username(&s.to_lowercase()).await?,
    };
    Ok(user.filter(|u| !u.disabled))
}

/// Checks one person the lead wants on the team.
pub async fn check_invitee(
    state: &AppState,
    call: &Call,
    lead_id: i64,
    typed: &str,
) -> AppResult<Result<User, FieldError>> {
    let Some(u) = find_user(state, typed).await? else {
        return Ok(Err(FieldError::NoSuchUser));
    };
    if u.id == lead_id {
        return Ok(Err(FieldError::AlreadyMember));
    }
    if !in_audience(call.audience, u.org_unit_id.is_some()) {
        return Ok(Err(FieldError::NotInAudience));
    }
    Ok(Ok(u))
}

/// The accounts named in `typed` (one per line), or what is wrong with each line that fails.
pub async fn resolve(
    state: &AppState,
    call: &Call,
    lead_id: i64,
    typed: &str,
) -> AppResult<(Vec<i64>, Vec<ItemError>)> {
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    for line in typed
        .lines()
        .map(str::trim)
        .filter(|l| !hamafza_core::account::is_blank(l))
    {
        match check_invitee(state, call, lead_id, line).await? {
            Ok(u) if ids.contains(&u.id) => {}
            Ok(u) => ids.push(u.id),
            Err(error) => errors.push(ItemError {
                field: "team",
                item: line.to_string(),
                error,
            }),
        }
    }
    if ids.len() + 1 > MAX_TEAM {
        errors.push(ItemError {
            field: "team",
            item: String::new(),
            error: FieldError::TeamFull(MAX_TEAM),
        });
    }
    Ok((ids, errors))
}
