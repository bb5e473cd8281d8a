//! Orientation's rules shared by the secretariat's pages and the API: scheduling a session,
//! naming whom to invite, and who the finalists are.

use crate::AppState;
use crate::http::error::AppResult;
use hamafza_core::call::{Call, StageKind};
use hamafza_core::idea::stage_of_kind;
use hamafza_core::ids::{IdeaId, UserId};
use hamafza_core::orientation::{OrientationSession, ValidSession};
use hamafza_core::time::UnixSeconds;
use hamafza_persian::jalali;
use hamafza_store::orientation::NewOrientation;

/// Schedules a session of `call` at the validated date and time (Tehran).
pub async fn schedule(
    state: &AppState,
    call: &Call,
    valid: &ValidSession,
    actor: UserId,
) -> AppResult<OrientationSession> {
    crate::calls::service::writable(call)?;
    let starts_at = UnixSeconds::from_timestamp(jalali::start_of_day_tehran(valid.date))
        + i64::from(valid.minutes) * 60;
    Ok(state
        .store
        .create_orientation(
            call.id,
            &NewOrientation {
                title: &valid.title,
                starts_at,
                place: &valid.place,
                materials: &valid.materials,
            },
            Some(actor),
        )
        .await?)
}

/// The tracking codes in `text`, one per line or separated by spaces or commas, in any digits.
pub fn codes_in(text: &str) -> Vec<String> {
    hamafza_persian::digits::to_latin(text)
        .split(|c: char| c.is_whitespace() || c == ',' || c == '،')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The ideas of `call` with these tracking codes (any digits), or the codes that name none of
/// its ideas.
pub async fn ideas_by_codes(
    state: &AppState,
    call: &Call,
    codes: &[String],
) -> AppResult<Result<Vec<IdeaId>, Vec<String>>> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for code in codes {
        let code = hamafza_persian::digits::to_latin(code.trim());
        match state.store.idea_by_tracking_code(&code).await? {
            Some(i) if i.call_id == call.id => ids.push(i.id),
            _ => unknown.push(code),
        }
    }
    Ok(if unknown.is_empty() {
        Ok(ids)
    } else {
        Err(unknown)
    })
}

/// The call's finalists for orientation: ideas still in the race that reached its orientation
/// stage (none when the call has no such stage).
pub async fn finalists(state: &AppState, call: &Call) -> AppResult<Vec<IdeaId>> {
    let kinds: Vec<StageKind> = call.stages.iter().map(|s| s.kind).collect();
    let Some(position) = stage_of_kind(&kinds, StageKind::Orientation) else {
        return Ok(Vec::new());
    };
    let ideas = state.store.ideas_at_or_beyond(call.id, position).await?;
    Ok(ideas.into_iter().map(|i| i.id).collect())
}
