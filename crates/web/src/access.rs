//! Access as types: who is asking, and proofs that they may act or may see one object.
//!
//! A handler gets its user, call or idea only through one of these extractors, and each checks
//! once. They are `FromRequestParts`, and axum runs those before the body extractor (always the
//! last argument), so a request that may not pass is refused before its body is read: an
//! anonymous 50 MB upload costs the server its headers only. Fields are private; nothing outside
//! this module can build a proof, so a handler that holds a `ScreenedIdea` was let in by it.
//!
//! Pages and the API share these types. Which credential counts is fixed per router by [`Via`]:
//! pages read the session cookie, `/api/v1` only the bearer token. The API never reads cookies,
//! so a page on another site cannot make a signed-in browser call it, and it needs no CSRF token.
//!
//! Object loaders read the `{id}` path parameter (every route names its main object so). An
//! object the caller may not see is `NotFound`, never `Forbidden`: its existence is not told.
//!
//! | proof          | who                                             | fails with           |
//! |----------------|-------------------------------------------------|----------------------|
//! | `Public`       | anyone: the handler is deliberately open        | —                    |
//! | `Caller`       | anyone; the user if signed in                   | 401 for a bad token  |
//! | `SignedIn`     | any signed-in user                              | 401 (pages: sign in) |
//! | `Secretariat`  | the secretariat or an admin (they run calls)    | 401, 403             |
//! | `Admin`        | an admin                                        | 401, 403             |
//! | `VisibleCall`  | a published/closed/archived call; drafts to those who run calls | 404 |
//! | `AudienceCall` | a public call whose audience includes the signed-in caller | 401, 404 |
//! | `ManagedCall`  | any call, to those who run calls                | 401, 403, 404        |
//! | `ManagedSession` | an orientation session, to those who run calls | 401, 403, 404        |
//! | `VisibleIdea`  | the idea's author, accepted teammates, those who run calls (`Store::as_member`) | 401, 404 |
//! | `ScreenedIdea` | any idea, to those who run calls                | 401, 403, 404        |
//! | `LedIdea`      | the idea's author (the team's lead)             | 401, 404, 403        |
//! | `Judge`        | a user with the judge role                      | 401, 403             |
//! | `ManagedStage` | a stage of any call, to those who run calls     | 401, 403, 404        |
//! | `AssignedIdea` | the judge's own assignment, blind (`Store::as_juror`) | 401, 403, 404  |
//! | `JudgedStage`  | a stage on whose jury the judge sits            | 401, 403, 404        |

use crate::AppState;
use crate::auth;
use crate::http::error::{AppError, AppResult};
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header;
use axum::http::request::Parts;
use hamafza_core::Role;
use hamafza_core::account::User;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::in_audience;
use std::ops::Deref;

/// The credential a router accepts, set on it with [`Via::layer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The `hz_session` cookie (pages; state-changing forms also carry a CSRF token).
    Session,
    /// `Authorization: Bearer <token>` (the API).
    Bearer,
}

impl Via {
    /// The layer that marks every route of a router as reached with this credential.
    pub fn layer(self) -> axum::Extension<Via> {
        axum::Extension(self)
    }
}

/// Whoever is asking: a user or nobody, and how they came. Looked up once per request.
#[derive(Clone)]
pub struct Caller {
    user: Option<User>,
    via: Via,
}

impl Caller {
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    pub fn via(&self) -> Via {
        self.via
    }

    /// Whether the caller runs calls (the secretariat, or an admin).
    pub fn runs_calls(&self) -> bool {
        self.user.as_ref().is_some_and(runs_calls)
    }

    fn signed_in(self) -> AppResult<SignedIn> {
        self.user
            .map(|user| SignedIn { user })
            .ok_or(AppError::Unauthorized)
    }
}

/// Whether `user` runs calls: the secretariat, or an admin.
pub fn runs_calls(user: &User) -> bool {
    user.has(Role::Secretariat) || user.has(Role::Admin)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let via = *parts.extensions.get::<Via>().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "route without a Via layer: {}",
                parts.uri.path()
            ))
        })?;
        let user = match via {
            Via::Session => auth::session_user(parts, state).await?,
            Via::Bearer => bearer_user(parts, state).await?,
        };
        let caller = Caller { user, via };
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// The user of the request's bearer token: `None` without an `Authorization` header,
/// `Unauthorized` for another scheme, `BadCredentials` for an unknown or expired token.
async fn bearer_user(parts: &Parts, state: &AppState) -> AppResult<Option<User>> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    let user = state
        .store
        .token_user(&auth::token_hash(token.trim()), hamafza_store::now())
        .await?
        .ok_or(AppError::BadCredentials)?;
    Ok(Some(user))
}

/// Marks a handler that anyone may call, on purpose. It checks nothing; the route-table test
/// requires every handler to take it or another proof from this module.
pub struct Public;

impl FromRequestParts<AppState> for Public {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Public)
    }
}

macro_rules! user_proof {
    ($(#[$doc:meta])* $name:ident, |$u:ident| $allowed:expr) => {
        $(#[$doc])*
        pub struct $name {
            user: User,
        }

        impl $name {
            pub fn user(&self) -> &User {
                &self.user
            }

            pub fn into_user(self) -> User {
                self.user
            }
        }

        impl Deref for $name {
            type Target = User;

            fn deref(&self) -> &User {
                &self.user
            }
        }

        impl FromRequestParts<AppState> for $name {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
                let user = Caller::from_request_parts(parts, state).await?.signed_in()?.user;
                let $u = &user;
                if $allowed {
                    Ok($name { user })
                } else {
                    Err(AppError::Forbidden)
                }
            }
        }
    };
}

user_proof!(
    /// A signed-in user (pages without one redirect to the sign-in page).
    SignedIn,
    |_u| true
);
user_proof!(
    /// A user who runs calls: the secretariat, or an admin.
    Secretariat,
    |u| runs_calls(u)
);
user_proof!(
    /// An administrator.
    Admin,
    |u| u.has(Role::Admin)
);

user_proof!(
    /// A judge: sits on juries, scores and compares ideas.
    Judge,
    |u| u.has(Role::Judge)
);

impl From<Secretariat> for SignedIn {
    fn from(s: Secretariat) -> Self {
        SignedIn { user: s.user }
    }
}

/// The `{id}` path parameter: the public id of the route's call or idea.
async fn path_id(parts: &mut Parts, state: &AppState) -> AppResult<String> {
    // A parameter that is not UTF-8 once decoded (`%ED%A0%80`) names nothing: 404, as `ApiPath`.
    let raw = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::NotFound)?;
    raw.iter()
        .find(|(k, _)| *k == "id")
        .map(|(_, v)| v.to_string())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("route without an {{id}} parameter")))
}

async fn call_by_public_id(state: &AppState, public_id: &str) -> AppResult<Call> {
    state
        .store
        .call_by_public_id(public_id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn idea_with_call(state: &AppState, public_id: &str) -> AppResult<(Idea, Call)> {
    let idea = state
        .store
        .idea_by_public_id(public_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let call = state.store.call(idea.call_id).await?;
    Ok((idea, call))
}

/// Whether `user` may see `call`: a call that is public (published, closed or archived), or any
/// call to those who run calls. Drafts are invisible to everyone else.
pub fn may_see_call(user: Option<&User>, call: &Call) -> bool {
    call.state.is_public() || user.is_some_and(runs_calls)
}

/// A call the caller may see (see [`may_see_call`]); anyone may ask.
pub struct VisibleCall {
    call: Call,
    caller: Caller,
}

impl VisibleCall {
    pub fn call(&self) -> &Call {
        &self.call
    }

    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    pub fn into_parts(self) -> (Call, Caller) {
        (self.call, self.caller)
    }
}

impl FromRequestParts<AppState> for VisibleCall {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let call = call_by_public_id(state, &path_id(parts, state).await?).await?;
        if !may_see_call(caller.user(), &call) {
            return Err(AppError::NotFound);
        }
        Ok(VisibleCall { call, caller })
    }
}

/// A public call whose audience includes the signed-in caller (staff, the public or both): what
/// drafts and the similar-ideas search are for.
pub struct AudienceCall {
    call: Call,
    user: SignedIn,
}

impl AudienceCall {
    pub fn call(&self) -> &Call {
        &self.call
    }

    pub fn user(&self) -> &SignedIn {
        &self.user
    }

    pub fn into_parts(self) -> (Call, SignedIn) {
        (self.call, self.user)
    }
}

impl FromRequestParts<AppState> for AudienceCall {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let user = SignedIn::from_request_parts(parts, state).await?;
        let call = call_by_public_id(state, &path_id(parts, state).await?).await?;
        if !call.state.is_public() || !in_audience(call.audience, user.org_unit_id.is_some()) {
            return Err(AppError::NotFound);
        }
        Ok(AudienceCall { call, user })
    }
}

/// Any call, to someone who runs calls.
pub struct ManagedCall {
    call: Call,
    by: Secretariat,
}

impl ManagedCall {
    pub fn call(&self) -> &Call {
        &self.call
    }

    pub fn by(&self) -> &Secretariat {
        &self.by
    }

    pub fn into_parts(self) -> (Call, Secretariat) {
        (self.call, self.by)
    }
}

impl FromRequestParts<AppState> for ManagedCall {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let by = Secretariat::from_request_parts(parts, state).await?;
        let call = call_by_public_id(state, &path_id(parts, state).await?).await?;
        Ok(ManagedCall { call, by })
    }
}

/// An orientation session of a call the caller manages (the secretariat), with its call.
pub struct ManagedSession {
    session: hamafza_core::orientation::OrientationSession,
    call: Call,
    by: Secretariat,
}

impl ManagedSession {
    pub fn session(&self) -> &hamafza_core::orientation::OrientationSession {
        &self.session
    }

    pub fn into_parts(
        self,
    ) -> (
        hamafza_core::orientation::OrientationSession,
        Call,
        Secretariat,
    ) {
        (self.session, self.call, self.by)
    }
}

impl FromRequestParts<AppState> for ManagedSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let by = Secretariat::from_request_parts(parts, state).await?;
        let session = state
            .store
            .orientation_by_public_id(&path_id(parts, state).await?)
            .await?
            .ok_or(AppError::NotFound)?;
        let call = state.store.call(session.call_id).await?;
        Ok(ManagedSession { session, call, by })
    }
}

/// An idea the signed-in caller may see, with its call: its author (the team's lead), the
/// teammates who accepted, and those who run calls. To anyone else it does not exist. A
/// participant's idea is read through `Store::as_member`, whose SQL cannot return another's.
pub struct VisibleIdea {
    idea: Idea,
    call: Call,
    viewer: SignedIn,
}

impl VisibleIdea {
    pub fn idea(&self) -> &Idea {
        &self.idea
    }

    pub fn call(&self) -> &Call {
        &self.call
    }

    pub fn viewer(&self) -> &SignedIn {
        &self.viewer
    }

    pub fn into_parts(self) -> (Idea, Call, SignedIn) {
        (self.idea, self.call, self.viewer)
    }

    /// The idea by its public id, if `viewer` may see it; for handlers whose idea is not the
    /// route's `{id}` (an invitation found by the invitee, say).
    pub async fn load(state: &AppState, viewer: SignedIn, public_id: &str) -> AppResult<Self> {
        let idea = if runs_calls(&viewer) {
            state.store.idea_by_public_id(public_id).await?
        } else {
            state.store.as_member(viewer.id).idea(public_id).await?
        };
        let idea = idea.ok_or(AppError::NotFound)?;
        let call = state.store.call(idea.call_id).await?;
        Ok(VisibleIdea { idea, call, viewer })
    }
}

impl FromRequestParts<AppState> for VisibleIdea {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let viewer = SignedIn::from_request_parts(parts, state).await?;
        let id = path_id(parts, state).await?;
        VisibleIdea::load(state, viewer, &id).await
    }
}

/// Any idea, with its call, to someone who runs calls: screening, merging, tagging, deciding.
pub struct ScreenedIdea {
    idea: Idea,
    call: Call,
    by: Secretariat,
}

impl ScreenedIdea {
    pub fn idea(&self) -> &Idea {
        &self.idea
    }

    pub fn call(&self) -> &Call {
        &self.call
    }

    pub fn by(&self) -> &Secretariat {
        &self.by
    }

    pub fn into_parts(self) -> (Idea, Call, Secretariat) {
        (self.idea, self.call, self.by)
    }
}

impl FromRequestParts<AppState> for ScreenedIdea {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let by = Secretariat::from_request_parts(parts, state).await?;
        let (idea, call) = idea_with_call(state, &path_id(parts, state).await?).await?;
        Ok(ScreenedIdea { idea, call, by })
    }
}

/// An idea whose author (the team's lead) is the signed-in caller. Others who may see it get
/// `Forbidden`; those who may not, `NotFound`. Whether the call still allows a change is the
/// handler's rule (`ideas::service::edit_blocker`), not access.
pub struct LedIdea {
    idea: Idea,
    call: Call,
    lead: SignedIn,
}

impl LedIdea {
    pub fn idea(&self) -> &Idea {
        &self.idea
    }

    pub fn call(&self) -> &Call {
        &self.call
    }

    pub fn lead(&self) -> &SignedIn {
        &self.lead
    }

    pub fn into_parts(self) -> (Idea, Call, SignedIn) {
        (self.idea, self.call, self.lead)
    }
}

impl FromRequestParts<AppState> for LedIdea {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let (idea, call, lead) = VisibleIdea::from_request_parts(parts, state)
            .await?
            .into_parts();
        if idea.author_id != Some(lead.id) {
            return Err(AppError::Forbidden);
        }
        Ok(LedIdea { idea, call, lead })
    }
}

/// An idea whose team invited the signed-in caller, with the invitation still waiting: enough to
/// see the invitation and answer it, not to see the idea.
pub struct InvitedIdea {
    idea: Idea,
    invitation: hamafza_store::teams::Invitation,
    invitee: SignedIn,
}

impl InvitedIdea {
    pub fn idea(&self) -> &Idea {
        &self.idea
    }

    pub fn into_parts(self) -> (Idea, hamafza_store::teams::Invitation, SignedIn) {
        (self.idea, self.invitation, self.invitee)
    }
}

impl FromRequestParts<AppState> for InvitedIdea {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let invitee = SignedIn::from_request_parts(parts, state).await?;
        let id = path_id(parts, state).await?;
        let idea = state
            .store
            .idea_by_public_id(&id)
            .await?
            .ok_or(AppError::NotFound)?;
        let invitation = state
            .store
            .invitations_of(invitee.id)
            .await?
            .into_iter()
            .find(|i| i.idea_public_id == idea.public_id)
            .ok_or(AppError::NotFound)?;
        Ok(InvitedIdea {
            idea,
            invitation,
            invitee,
        })
    }
}

/// Whether `caller` may see a call's results: once published, or those who run calls (preview).
pub fn may_see_results(caller: &Caller, call: &Call) -> bool {
    call.results_published_at.is_some() || caller.runs_calls()
}

/// A call whose results the caller may see (see [`may_see_results`]); anyone may ask.
pub struct ResultsCall {
    call: Call,
}

impl ResultsCall {
    pub fn call(&self) -> &Call {
        &self.call
    }

    pub fn into_call(self) -> Call {
        self.call
    }
}

impl FromRequestParts<AppState> for ResultsCall {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let call = call_by_public_id(state, &path_id(parts, state).await?).await?;
        if !may_see_results(&caller, &call) {
            return Err(AppError::NotFound);
        }
        Ok(ResultsCall { call })
    }
}

/// An idea that won an award, with its call and the award, once the caller may see the results:
/// what a certificate shows.
pub struct AwardedIdea {
    call: Call,
    result: hamafza_store::results::ResultRow,
}

impl AwardedIdea {
    pub fn into_parts(self) -> (Call, hamafza_store::results::ResultRow) {
        (self.call, self.result)
    }
}

impl FromRequestParts<AppState> for AwardedIdea {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let (idea, call) = idea_with_call(state, &path_id(parts, state).await?).await?;
        if !may_see_results(&caller, &call) {
            return Err(AppError::NotFound);
        }
        let result = state
            .store
            .results(call.id)
            .await?
            .into_iter()
            .find(|r| r.idea_id == idea.id)
            .ok_or(AppError::NotFound)?;
        Ok(AwardedIdea { call, result })
    }
}

/// A stage of a call the caller runs (the secretariat), by its id in the `{id}` path parameter,
/// with its call.
pub struct ManagedStage {
    stage: hamafza_core::call::Stage,
    call: Call,
    by: Secretariat,
}

impl ManagedStage {
    pub fn stage(&self) -> &hamafza_core::call::Stage {
        &self.stage
    }

    pub fn call(&self) -> &Call {
        &self.call
    }

    /// The secretary or admin acting.
    pub fn by_id(&self) -> hamafza_core::ids::UserId {
        self.by.id
    }

    pub fn into_parts(self) -> (hamafza_core::call::Stage, Call, Secretariat) {
        (self.stage, self.call, self.by)
    }
}

impl FromRequestParts<AppState> for ManagedStage {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let by = Secretariat::from_request_parts(parts, state).await?;
        let id: hamafza_core::ids::StageId = path_id(parts, state)
            .await?
            .parse()
            .map_err(|_| AppError::NotFound)?;
        let call_id = state
            .store
            .call_of_stage(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let call = state.store.call(call_id).await?;
        let stage = call
            .stages
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok(ManagedStage { stage, call, by })
    }
}

/// One of the signed-in judge's assignments, by its public id in the `{id}` path parameter, as
/// the judge may see it: read through `Store::as_juror`, whose queries cannot return another
/// judge's assignment or any field that identifies the authors. With the stage's jury.
pub struct AssignedIdea {
    idea: hamafza_store::access::BlindIdea,
    jury: hamafza_store::juries::Jury,
    judge: Judge,
}

impl AssignedIdea {
    pub fn idea(&self) -> &hamafza_store::access::BlindIdea {
        &self.idea
    }

    pub fn jury(&self) -> &hamafza_store::juries::Jury {
        &self.jury
    }

    pub fn judge_id(&self) -> hamafza_core::ids::UserId {
        self.judge.id
    }

    pub fn into_parts(
        self,
    ) -> (
        hamafza_store::access::BlindIdea,
        hamafza_store::juries::Jury,
        Judge,
    ) {
        (self.idea, self.jury, self.judge)
    }
}

impl FromRequestParts<AppState> for AssignedIdea {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let judge = Judge::from_request_parts(parts, state).await?;
        let public_id = path_id(parts, state).await?;
        AssignedIdea::load(state, judge, &public_id).await
    }
}

impl AssignedIdea {
    /// The assignment `public_id` of `judge` (for a body that names it, as `POST /reviews`).
    pub async fn load(state: &AppState, judge: Judge, public_id: &str) -> AppResult<Self> {
        let idea = state
            .store
            .as_juror(judge.id)
            .idea(public_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let jury = state
            .store
            .jury(idea.assignment.stage_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(AssignedIdea { idea, jury, judge })
    }
}

/// A stage on whose jury the signed-in judge sits, by its id in the `{id}` path parameter, with
/// its jury. Another stage does not exist for them (404).
pub struct JudgedStage {
    stage: hamafza_core::call::Stage,
    jury: hamafza_store::juries::Jury,
    judge: Judge,
}

impl JudgedStage {
    pub fn stage(&self) -> &hamafza_core::call::Stage {
        &self.stage
    }

    pub fn jury(&self) -> &hamafza_store::juries::Jury {
        &self.jury
    }

    pub fn judge_id(&self) -> hamafza_core::ids::UserId {
        self.judge.id
    }
}

impl FromRequestParts<AppState> for JudgedStage {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let judge = Judge::from_request_parts(parts, state).await?;
        let id: hamafza_core::ids::StageId = path_id(parts, state)
            .await?
            .parse()
            .map_err(|_| AppError::NotFound)?;
        if !state.store.as_juror(judge.id).sits_on(id).await? {
            return Err(AppError::NotFound);
        }
        let jury = state.store.jury(id).await?.ok_or(AppError::NotFound)?;
        let call = state.store.call(jury.call_id).await?;
        let stage = call
            .stages
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or(AppError::NotFound)?;
        Ok(JudgedStage { stage, jury, judge })
    }
}
