//! Calls' rules shared by the secretariat's form and the API.

use crate::AppState;
use crate::http::error::{AppError, AppResult};
use hamafza_core::account::FieldError;
use hamafza_core::call::{Call, ValidCall};
use hamafza_core::ids::UserId;
use hamafza_store::StoreError;

/// Saves an edited call. Dropping an axis that ideas are filed under, or a stage that ideas have
/// reached, is an invalid `axes` or `stages` field (422 on the API, a message on the form): the
/// ideas would be left pointing at nothing.
pub async fn update(
    state: &AppState,
    call: &Call,
    valid: &ValidCall,
    actor: UserId,
) -> AppResult<Call> {
    writable(call)?;
    match state.store.update_call(call.id, valid, Some(actor)).await {
        Ok(call) => Ok(call),
        Err(StoreError::Conflict(what)) if what == "axis_in_use" => {
            Err(AppError::Validation(vec![("axes", FieldError::InUse)]))
        }
        Err(StoreError::Conflict(what)) if what == "stage_in_use" => {
            Err(AppError::Validation(vec![("stages", FieldError::InUse)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// Refuses any change to an archived call: it is kept as it was ([`AppError::Archived`]).
pub fn writable(call: &Call) -> AppResult<()> {
    if call.state == hamafza_core::call::CallState::Archived {
        return Err(AppError::Archived);
    }
    Ok(())
}

/// How the secretariat moves a stage by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageMove {
    /// Open the stage now, ending the open one.
    OpenNow,
    /// End the stage on this Jalali day (as typed, any digits): extend or shorten it.
    EndOn(String),
}

/// Longest reason for moving a stage, in characters.
pub const REASON_MAX: usize = 500;

/// Moves `stage` of `call` as asked, with a reason (required), audited. Errors name the field:
/// `reason`, `end` (a bad date, before the start, into the next stage) or `action` (not the next
/// stage); a change by someone else meanwhile is `Changed`.
pub async fn reschedule(
    state: &AppState,
    call: &Call,
    stage: &hamafza_core::call::Stage,
    how: &StageMove,
    reason: &str,
    actor: hamafza_core::ids::UserId,
) -> AppResult<()> {
    use hamafza_core::call::RescheduleError;
    writable(call)?;
    let reason = hamafza_core::account::fix_letters(reason.trim());
    let mut errors = Vec::new();
    if reason.is_empty() {
        errors.push(("reason", FieldError::Required));
    } else if reason.chars().count() > REASON_MAX {
        errors.push(("reason", FieldError::TooLong(REASON_MAX)));
    }
    let index = call
        .stages
        .iter()
        .position(|s| s.id == stage.id)
        .ok_or(AppError::NotFound)?;
    let planned = match how {
        StageMove::OpenNow => call.open_now(index, hamafza_store::now()),
        StageMove::EndOn(day) => match hamafza_persian::jalali::parse(day) {
            Ok(d) => call.move_end(
                index,
                hamafza_core::time::UnixSeconds::from_timestamp(
                    hamafza_persian::jalali::end_of_day_tehran(d),
                ),
            ),
            Err(e) => {
                errors.push(("end", FieldError::from(e)));
                Ok(Vec::new())
            }
        },
    };
    let changes = match planned {
        Ok(c) => c,
        Err(RescheduleError::EndsBeforeStart) => {
            errors.push(("end", FieldError::DateOrder));
            Vec::new()
        }
        Err(RescheduleError::Overlaps) => {
            errors.push(("end", FieldError::Overlaps));
            Vec::new()
        }
        Err(RescheduleError::NotNext) => {
            errors.push(("action", FieldError::NotNextStage));
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    match state
        .store
        .reschedule_stages(call, &changes, &reason, Some(actor))
        .await
    {
        Err(hamafza_store::StoreError::Conflict(_)) => {
            Err(AppError::Validation(vec![("action", FieldError::Changed)]))
        }
        r => Ok(r?),
    }
}
