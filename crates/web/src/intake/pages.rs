//! The participant's side of an idea beyond its text: downloading and removing attachments, the
//! team (invite, answer, remove, hand over the lead), drafts saved by the autosave script, and
//! similar ideas as a fragment for the submission page.

use crate::AppState;
use crate::access::{AudienceCall, InvitedIdea, LedIdea, VisibleIdea};
use crate::auth::csrf::CsrfForm;
use crate::http::confirm::{self, Ask};
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html};
use crate::ideas::service as ideas;
use crate::intake::attachments::ItemError;
use crate::intake::service::{SIMILAR_LIMIT, draft_json};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hamafza_core::account::User;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::ids::{AxisId, UserId};
use hamafza_core::time::UnixSeconds;
use hamafza_store::attachments::Attachment;
use hamafza_store::similar::SimilarIdea;
use hamafza_store::teams::{Invitation, Member, MemberState};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ideas/{id}/attachments/{aid}", get(download))
        .route(
            "/ideas/{id}/attachments/{aid}/delete",
            post(remove_attachment),
        )
        .route("/ideas/{id}/team", post(invite))
        .route("/ideas/{id}/team/{user}/remove", post(remove_member))
        .route("/ideas/{id}/team/{user}/lead", post(make_lead))
        .route("/ideas/{id}/invitation", get(invitation).post(answer))
        .route("/calls/{id}/draft", post(save_draft))
        .route("/calls/{id}/draft/discard", post(discard_draft))
        .route("/calls/{id}/similar", get(similar))
}

/// What the idea page shows about attachments and the team.
#[derive(Default)]
pub struct IntakeView {
    pub attachments: Vec<Attachment>,
    pub team: Vec<Member>,
    /// The viewer leads the team and may change it now.
    pub manage_team: bool,
    pub errors: FormErrors,
    /// What was typed into the invitation field, kept after an error.
    pub invitee: String,
}

impl IntakeView {
    pub async fn load(state: &AppState, idea: &Idea, call: &Call, user: &User) -> AppResult<Self> {
        Ok(IntakeView {
            attachments: state.store.attachments(idea.id).await?,
            team: state.store.team(idea).await?,
            manage_team: ideas::edit_blocker(call, idea, user, hamafza_store::now()).is_none(),
            errors: FormErrors::default(),
            invitee: String::new(),
        })
    }

    pub fn is_lead(m: &Member) -> bool {
        m.state == MemberState::Lead
    }

    pub fn is_accepted(m: &Member) -> bool {
        m.state == MemberState::Accepted
    }
}

/// Field errors of a form, with the file or person each one is about.
pub fn item_errors(ctx: &Ctx, fields: &FormErrors, items: &[ItemError]) -> FormErrors {
    let mut out = fields.clone();
    let mut by_field: HashMap<&'static str, Vec<String>> = HashMap::new();
    for e in items {
        let message = crate::http::error::field_message(ctx.lang, e.error);
        let line = if e.item.is_empty() {
            message
        } else {
            // The item (a file name, a teammate as typed) is user text and isolated; the
            // message is the catalog's own.
            ctx.lang.tf_own(
                "attach.item_error",
                &[
                    ("item", &hamafza_persian::controls::isolate(&e.item)),
                    ("message", &message),
                ],
            )
        };
        by_field.entry(e.field).or_default().push(line);
    }
    for (field, lines) in by_field {
        out.push(field, lines.join(" "));
    }
    out
}

/// "Draft saved: …" in the page's language and calendar.
pub fn saved_at(ctx: &Ctx, at: UnixSeconds) -> String {
    ctx.lang
        .tf_own("draft.saved_at", &[("at", &ctx.datetime(at))])
}

async fn download(
    seen: VisibleIdea,
    State(state): State<AppState>,
    Path((_, aid)): Path<(String, String)>,
) -> AppResult<Response> {
    let a = state.store.attachment(seen.idea().id, &aid).await?;
    crate::intake::attachments::download(&state, &a).await
}

/// Removes a file from the idea, after asking.
async fn remove_attachment(
    led: LedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, aid)): Path<(String, String)>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, call, user) = led.into_parts();
    if ideas::edit_blocker(&call, &idea, &user, hamafza_store::now()).is_some() {
        return Err(AppError::Forbidden);
    }
    let a = state.store.attachment(idea.id, &aid).await?;
    if !confirm::confirmed(&raw) {
        let name = crate::intake::attachments::file_name(&a.name, &a.mime);
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.t("confirm.remove_file.question").into(),
                detail: ctx.tf("confirm.remove_file.detail", &[("name", &name)]),
                items: Vec::new(),
                button: ctx.t("confirm.remove_file.button").into(),
                back: format!("/ideas/{}/edit", idea.public_id),
            },
        );
    }
    state
        .store
        .remove_attachment(&idea.public_id, &a, Some(user.id))
        .await?;
    Ok(Redirect::to(&format!("/ideas/{}/edit", idea.public_id)).into_response())
}

/// The lead invites someone. A name that fails comes back to the idea page with the reason.
async fn invite(
    led: LedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, call, user) = led.into_parts();
    if ideas::edit_blocker(&call, &idea, &user, hamafza_store::now()).is_some() {
        return Err(AppError::Forbidden);
    }
    let typed = raw.get("invitee").cloned().unwrap_or_default();
    let errors = match crate::intake::teams::invite(&state, &call, &idea, &user, &typed).await {
        Ok(Ok(())) => {
            return Ok(Redirect::to(&format!("/ideas/{}#team", idea.public_id)).into_response());
        }
        Ok(Err(error)) => item_errors(
            &ctx,
            &FormErrors::default(),
            &[ItemError {
                field: "invitee",
                item: typed.trim().to_string(),
                error,
            }],
        ),
        Err(e @ AppError::RateLimited { .. }) => {
            let mut errors = FormErrors::default();
            errors.push("invitee", e.detail(ctx.lang));
            errors
        }
        Err(e) => return Err(e),
    };
    let mut view = IntakeView::load(&state, &idea, &call, &user).await?;
    view.errors = errors;
    view.invitee = typed;
    crate::ideas::show::idea_page_with(
        &state,
        &ctx,
        &user,
        idea,
        call,
        Some(view),
        Default::default(),
    )
    .await
}

/// `/ideas/{id}/team/{user}/…`: the idea is `LedIdea`'s, the member is this.
#[derive(Deserialize)]
struct MemberPath {
    user: UserId,
}

/// The idea, if the lead may change its team now.
fn team_open(led: LedIdea) -> AppResult<(Idea, User)> {
    let (idea, call, lead) = led.into_parts();
    if ideas::edit_blocker(&call, &idea, &lead, hamafza_store::now()).is_some() {
        return Err(AppError::Forbidden);
    }
    Ok((idea, lead.into_user()))
}

/// The name of `user` on the team of `idea`, for a question about them; 404 when not on it.
async fn member_name(
    state: &AppState,
    idea: &hamafza_core::idea::Idea,
    user: hamafza_core::ids::UserId,
) -> AppResult<String> {
    let team = state.store.team(idea).await?;
    let m = team.into_iter().find(|m| m.user_id == user);
    m.map(|m| m.display_name).ok_or(AppError::NotFound)
}

/// Takes someone off the team, after asking.
async fn remove_member(
    led: LedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(p): Path<MemberPath>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, user) = team_open(led)?;
    if !confirm::confirmed(&raw) {
        let name = member_name(&state, &idea, p.user).await?;
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.tf("confirm.remove_member.question", &[("name", &name)]),
                detail: ctx.t("confirm.remove_member.detail").into(),
                items: Vec::new(),
                button: ctx.t("confirm.remove_member.button").into(),
                back: format!("/ideas/{}#team", idea.public_id),
            },
        );
    }
    state
        .store
        .remove_member(&idea, p.user, Some(user.id))
        .await?;
    Ok(Redirect::to(&format!("/ideas/{}#team", idea.public_id)).into_response())
}

/// Hands the lead to an accepted member, after asking: the lead loses the right to edit.
async fn make_lead(
    led: LedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(p): Path<MemberPath>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, user) = team_open(led)?;
    if !confirm::confirmed(&raw) {
        let name = member_name(&state, &idea, p.user).await?;
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.tf("confirm.make_lead.question", &[("name", &name)]),
                detail: ctx.t("confirm.make_lead.detail").into(),
                items: Vec::new(),
                button: ctx.t("confirm.make_lead.button").into(),
                back: format!("/ideas/{}#team", idea.public_id),
            },
        );
    }
    match state
        .store
        .hand_over_lead(&idea, p.user, Some(user.id))
        .await
    {
        Ok(()) | Err(hamafza_store::StoreError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/ideas/{}#team", idea.public_id)).into_response())
}

#[derive(Template)]
#[template(path = "ideas/invitation.html")]
struct InvitationPage<'a> {
    ctx: &'a Ctx,
    invitation: Invitation,
}

async fn invitation(invited: InvitedIdea, ctx: Ctx) -> AppResult<Response> {
    let (_, invitation, _) = invited.into_parts();
    html(InvitationPage {
        ctx: &ctx,
        invitation,
    })
}

async fn answer(
    invited: InvitedIdea,
    State(state): State<AppState>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (idea, _, user) = invited.into_parts();
    let accept = raw.get("answer").map(String::as_str) == Some("accept");
    state
        .store
        .answer_invitation(&idea, user.id, accept)
        .await?;
    Ok(if accept {
        Redirect::to(&format!("/ideas/{}", idea.public_id))
    } else {
        Redirect::to("/my/ideas")
    }
    .into_response())
}

/// The autosave script posts the form here (with its CSRF token); the answer is the line the page
/// shows, "Draft saved: <Jalali time>".
async fn save_draft(
    open: AudienceCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (call, user) = open.into_parts();
    let at = state
        .store
        .save_draft(user.id, call.id, &draft_json(&raw))
        .await?;
    Ok(Json(serde_json::json!({ "saved_at": at, "message": saved_at(&ctx, at) })).into_response())
}

/// "Discard draft", beside the notice that a draft was restored: deletes it and shows the empty
/// form.
async fn discard_draft(
    open: AudienceCall,
    State(state): State<AppState>,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (call, user) = open.into_parts();
    state.store.delete_draft(user.id, call.id).await?;
    Ok(Redirect::to(&format!("/calls/{}/submit?draft=discarded", call.public_id)).into_response())
}

#[derive(Template)]
#[template(path = "ideas/similar.html")]
pub struct SimilarList<'a> {
    pub ctx: &'a Ctx,
    pub call: &'a Call,
    pub similar: &'a [SimilarIdea],
}

impl SimilarList<'_> {
    pub fn axis_title(&self, id: &AxisId) -> &str {
        self.call
            .axes
            .iter()
            .find(|a| a.id == *id)
            .map_or("—", |a| a.title.as_str())
    }
}

#[derive(Deserialize)]
struct SimilarQuery {
    #[serde(default)]
    q: String,
}

/// Similar ideas as an HTML fragment for the submission page's script: titles and axes only.
async fn similar(
    open: AudienceCall,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SimilarQuery>,
) -> AppResult<Response> {
    let (call, _) = open.into_parts();
    let text: String = q.q.chars().take(2000).collect();
    let found = state
        .store
        .similar_ideas(call.id, &text, SIMILAR_LIMIT)
        .await?;
    html(SimilarList {
        ctx: &ctx,
        call: &call,
        similar: &found,
    })
}
