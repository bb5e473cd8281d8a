//! Teams over HTTP: turning what a lead typed (usernames or mobile numbers, one per line, any
//! digit script) into accounts that may join, and the rules of who may change a team.
//!
//! Every invitation mails or texts its invitee a title the inviter chose, so invitations are
//! limited per idea and per inviter ([`INVITES_PER_IDEA`], [`INVITES_PER_INVITER`]), counted
//! before the invitee is even looked up (parallel requests cannot pass the limit together, and
//! the lookup cannot be used without limit to learn who has an account); inviting the same person
//! to the same idea again within the day is recorded but sends nothing.

use crate::AppState;
use crate::auth::throttle;
use crate::http::error::AppResult;
use crate::intake::attachments::ItemError;
use hamafza_core::account::FieldError;
use hamafza_core::account::User;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::in_audience;
use hamafza_core::ids::UserId;
use hamafza_core::limits::{INVITES_PER_IDEA, INVITES_PER_INVITER, Limit, REINVITE_QUIET_SECS};
use hamafza_store::teams::MAX_TEAM;

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
    lead_id: UserId,
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

/// Counts `n` invitations a submission is about to send against `lead_id`'s daily limit;
/// `false` when they would pass it (send none then).
pub async fn count_invitations(state: &AppState, lead_id: UserId, n: usize) -> AppResult<bool> {
    let now = hamafza_store::now();
    let bucket = format!("invite:by:{lead_id}");
    let mut hits = 0;
    for _ in 0..n {
        hits = state.store.hit(&bucket, INVITES_PER_INVITER, now).await?;
    }
    Ok(hits <= INVITES_PER_INVITER.max)
}

/// Invites the person `typed` names to `idea`, led by `lead`: counts the attempt first, then
/// checks the person and invites. `Ok(Err(_))` is what the lead should fix; past a limit it is
/// `Err(AppError::RateLimited)`.
pub async fn invite(
    state: &AppState,
    call: &Call,
    idea: &Idea,
    lead: &User,
    typed: &str,
) -> AppResult<Result<(), FieldError>> {
    let now = hamafza_store::now();
    throttle(
        state,
        &format!("invite:idea:{}", idea.id),
        INVITES_PER_IDEA,
        now,
    )
    .await?;
    throttle(
        state,
        &format!("invite:by:{}", lead.id),
        INVITES_PER_INVITER,
        now,
    )
    .await?;
    let u = match check_invitee(state, call, lead.id, typed).await? {
        Ok(u) => u,
        Err(_) if hamafza_core::account::is_blank(typed) => return Ok(Err(FieldError::Required)),
        Err(e) => return Ok(Err(e)),
    };
    // The first invitation of this person to this idea in the window is sent; repeats (after a
    // removal or a decline) are quiet.
    let pair = Limit {
        max: 1,
        window_secs: REINVITE_QUIET_SECS,
    };
    let bucket = format!("invite:pair:{}:{}", idea.id, u.id);
    let quiet = state.store.hit(&bucket, pair, now).await? > pair.max;
    match state
        .store
        .invite_with(idea, u.id, Some(lead.id), quiet)
        .await
    {
        Ok(()) => Ok(Ok(())),
        Err(hamafza_store::StoreError::Conflict(w)) if w == "team_full" => {
            Ok(Err(FieldError::TeamFull(MAX_TEAM)))
        }
        Err(hamafza_store::StoreError::Conflict(_)) => Ok(Err(FieldError::AlreadyMember)),
        Err(e) => Err(e.into()),
    }
}

/// The accounts named in `typed` (one per line), or what is wrong with each line that fails.
/// (A submission counts them against the lead's daily limit with [`count_invitations`] once the
/// rest of it is valid, so a form sent back for a typo costs nothing.)
pub async fn resolve(
    state: &AppState,
    call: &Call,
    lead_id: UserId,
    typed: &str,
) -> AppResult<(Vec<UserId>, Vec<ItemError>)> {
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
