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
