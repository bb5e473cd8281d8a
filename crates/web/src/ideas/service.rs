//! Who may submit, see and edit ideas, shared by the pages and the API. Deadlines are the
//! server's clock against the call's stages.

use crate::AppState;
use crate::http::error::AppResult;
use hamafza_core::account::User;
use hamafza_core::call::Call;
use hamafza_core::call::{CallState, StageAction};
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Blocker, Channel, IdeaInput, in_audience};
use hamafza_core::ids::{AxisId, UserId};
use hamafza_core::time::UnixSeconds;
use hamafza_store::ideas::NewIdea;

/// Whether the call's open stage (by the server clock) allows `action`.
pub fn stage_allows(call: &Call, action: StageAction, now: UnixSeconds) -> bool {
    call.state == CallState::Published
        && call
            .current_stage(now)
            .is_some_and(|s| s.kind.actions().contains(&action))
}

/// Why someone cannot submit to a call right now; `None` if they can.
pub fn submit_blocker(call: &Call, user: &User, now: UnixSeconds) -> Option<Blocker> {
    if !stage_allows(call, StageAction::Submit, now) {
        Some(Blocker::NotOpen)
    } else if !in_audience(call.audience, user.org_unit_id.is_some()) {
        Some(Blocker::NotAudience)
    } else {
        None
    }
}

/// Why the author cannot edit now, as a catalog key; `None` if they can.
pub fn edit_blocker(call: &Call, idea: &Idea, user: &User, now: UnixSeconds) -> Option<Blocker> {
    if idea.author_id != Some(user.id) {
        Some(Blocker::NotAuthor)
    } else if revising(call, idea, now) {
        None
    } else if !idea.status.author_may_edit() {
        Some(Blocker::NotEditable)
    } else if !stage_allows(call, StageAction::Edit, now) {
        Some(Blocker::NotOpen)
    } else {
        None
    }
}

/// Whether `idea` is a finalist in the revision stage now open (orientation and revision):
/// accepted into that very stage, it may be revised into a new version.
fn revising(call: &Call, idea: &Idea, now: UnixSeconds) -> bool {
    call.state == CallState::Published
        && idea.status == hamafza_core::idea::IdeaStatus::Accepted
        && call.current_stage(now).is_some_and(|s| {
            s.position == idea.stage_position && s.kind.actions().contains(&StageAction::Revise)
        })
}

/// The outcome of a submission.
pub enum Submitted {
    Created(Idea),
    /// The same idempotency key was used before: the earlier idea.
    Replayed(Idea),
    /// Fields that failed, and files or teammates that did (named).
    Invalid(
        hamafza_core::account::FieldErrors,
        Vec<crate::intake::attachments::ItemError>,
    ),
    /// Why not.
    Refused(Blocker),
}

/// What comes with a submission besides its text, already checked by `attachments::check` and
/// `teams::resolve`; their errors are reported with the text's.
#[derive(Default)]
pub struct Extras {
    pub attachments: Vec<hamafza_store::attachments::NewAttachment>,
    pub invitees: Vec<UserId>,
    pub errors: Vec<crate::intake::attachments::ItemError>,
}

/// Submits an idea by `user` to `call` with its files and team: checks the deadline and the
/// audience, validates, stores all of it in one transaction and deletes the author's draft.
pub async fn submit(
    state: &AppState,
    call: &Call,
    user: &User,
    input: &IdeaInput,
    extras: Extras,
    channel: Channel,
    idempotency_key: Option<&str>,
) -> AppResult<Submitted> {
    if let Some(why) = submit_blocker(call, user, hamafza_store::now()) {
        return Ok(Submitted::Refused(why));
    }
    let axes: Vec<AxisId> = call.axes.iter().map(|a| a.id).collect();
    let text = match (input.validate(&axes), extras.errors.is_empty()) {
        (Ok(t), true) => t,
        (r, _) => {
            return Ok(Submitted::Invalid(
                r.err().unwrap_or_default(),
                extras.errors,
            ));
        }
    };
    // Invitations count against the author's daily limit before anything is written; a replay
    // of an idempotent request invites no one new, so it counts nothing.
    let replay = match (extras.invitees.is_empty(), idempotency_key) {
        (false, Some(k)) => state.store.idea_by_key(user.id, k).await?.is_some(),
        _ => false,
    };
    if !extras.invitees.is_empty()
        && !replay
        && !crate::intake::teams::count_invitations(state, user.id, extras.invitees.len()).await?
    {
        let limit = hamafza_core::limits::INVITES_PER_INVITER.max as usize;
        return Ok(Submitted::Invalid(
            Default::default(),
            vec![crate::intake::attachments::ItemError {
                field: "team",
                item: String::new(),
                error: hamafza_core::account::FieldError::InviteLimit(limit),
            }],
        ));
    }
    let new = NewIdea {
        call_id: call.id,
        author_id: Some(user.id),
        channel,
        text: &text,
        idempotency_key,
    };
    let more = hamafza_store::ideas::SubmitExtras {
        attachments: &extras.attachments,
        invitees: &extras.invitees,
        clear_draft: true,
    };
    let (idea, created) = state.store.submit_idea_with(&new, &more).await?;
    Ok(if created {
        Submitted::Created(idea)
    } else {
        Submitted::Replayed(idea)
    })
}

/// The secretariat decides on an idea. `expected` is where the decider saw the idea (the form
/// and the API send it back): if it moved meanwhile, say by a double click, nothing happens and
/// the error says so. `Err` lists what is wrong with the request: a transition that makes no
/// sense from the idea's status and stage, a missing message, a stale view.
pub async fn decide(
    state: &AppState,
    call: &Call,
    idea: &Idea,
    transition: Option<hamafza_core::idea::Transition>,
    expected: Option<hamafza_core::idea::Place>,
    message: &str,
    actor: &crate::access::Secretariat,
) -> AppResult<Result<Idea, hamafza_core::account::FieldErrors>> {
    use hamafza_core::account::FieldError;
    let message = hamafza_core::account::fix_letters_keep_lines(message);
    let from = expected.unwrap_or(idea.place());
    if from != idea.place() {
        return Ok(Err(vec![("transition", FieldError::Changed)]));
    }
    let Some(t) = transition else {
        return Ok(Err(vec![("transition", FieldError::Unknown)]));
    };
    let Some(to) = t.plan(from, &stage_kinds(call)) else {
        return Ok(Err(vec![("transition", FieldError::Unknown)]));
    };
    if t.needs_message() && message.is_empty() {
        return Ok(Err(vec![("message", FieldError::Required)]));
    }
    if message.chars().count() > crate::screening::service::MESSAGE_MAX {
        return Ok(Err(vec![(
            "message",
            FieldError::TooLong(crate::screening::service::MESSAGE_MAX),
        )]));
    }
    match state
        .store
        .transition_idea(idea.id, from, to, &message, Some(actor.id))
        .await
    {
        Ok(i) => Ok(Ok(i)),
        Err(hamafza_store::StoreError::Conflict(_)) => {
            Ok(Err(vec![("transition", FieldError::Changed)]))
        }
        Err(e) => Err(e.into()),
    }
}

/// Saves `text` as the next version of `idea` by `editor`, if the idea is still where the edit
/// was allowed (`idea.place()`, judged by `edit_blocker` on this read). `None` if it moved
/// meanwhile (a decision, a merge) or another edit landed first: the caller keeps the typed
/// text and says so.
pub async fn save_edit(
    state: &AppState,
    idea: &Idea,
    text: &hamafza_core::idea::IdeaText,
    editor: &User,
) -> AppResult<Option<Idea>> {
    match state
        .store
        .edit_idea(idea.id, idea.place(), text, Some(editor.id))
        .await
    {
        Ok(i) => Ok(Some(i)),
        Err(hamafza_store::StoreError::Conflict(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The kinds of a call's stages in pipeline order (an idea's stage is a position in it).
pub fn stage_kinds(call: &Call) -> Vec<hamafza_core::call::StageKind> {
    call.stages.iter().map(|s| s.kind).collect()
}
