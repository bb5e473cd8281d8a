//! Ideas in the browser: the submission form and its receipt, editing while the call allows it,
//! and "my ideas" (the idea's own page is `show.rs`).

use crate::AppState;
use crate::access::{SignedIn, VisibleCall, VisibleIdea};
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html, rejected};
use crate::ideas::service::{self as ideas, Submitted};
use crate::intake::attachments::UploadForm;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaInput};
use hamafza_core::ids::{AxisId, OrgUnitId};
use hamafza_core::org::OrgUnit;
use hamafza_core::time::UnixSeconds;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        // These two take attachments: `UploadForm` caps each file, the app-wide layer the body.
        .route(
            "/calls/{id}/submit",
            get(submit_page)
                .post(submit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/ideas/{id}/edit",
            get(edit_page)
                .post(edit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/my/ideas", get(my_ideas))
}

#[derive(Template)]
#[template(path = "ideas/form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    /// The idea being edited; `None` when submitting.
    idea: Option<Idea>,
    input: IdeaInput,
    units: Vec<OrgUnit>,
    /// Sent back with the form so a double click or a retry makes one idea.
    idempotency: String,
    /// Why the form cannot be used now (a catalog key), instead of the form.
    blocked: Option<hamafza_core::idea::Blocker>,
    errors: FormErrors,
    /// Files already attached (editing).
    attachments: Vec<hamafza_store::attachments::Attachment>,
    /// Teammates typed at submission, one per line.
    team: String,
    /// When the restored or just saved draft was saved.
    draft_at: Option<UnixSeconds>,
    /// A saved draft was put back in the form: when it was saved (the notice and its "discard").
    restored: Option<UnixSeconds>,
    /// The draft was just discarded.
    discarded: bool,
    /// Similar ideas, after "check for similar ideas" (without JavaScript).
    similar: Option<Vec<hamafza_store::similar::SimilarIdea>>,
    /// Files were chosen but the form came back: they must be chosen again.
    files_lost: bool,
    max_mb: usize,
}

impl<'a> FormPage<'a> {
    /// A form with nothing extra: no attachments, team, draft or similar ideas.
    fn plain(
        ctx: &'a Ctx,
        state: &AppState,
        call: Call,
        idea: Option<Idea>,
        input: IdeaInput,
    ) -> Self {
        FormPage {
            ctx,
            call,
            idea,
            input,
            units: Vec::new(),
            idempotency: String::new(),
            blocked: None,
            errors: FormErrors::default(),
            attachments: Vec::new(),
            team: String::new(),
            draft_at: None,
            restored: None,
            discarded: false,
            similar: None,
            files_lost: false,
            max_mb: state.config.max_upload_mb,
        }
    }

    fn similar_list(&self) -> String {
        use askama::Template;
        let list = self.similar.as_deref().unwrap_or_default();
        crate::intake::pages::SimilarList {
            ctx: self.ctx,
            call: &self.call,
            similar: list,
        }
        .render()
        .unwrap_or_default()
    }

    fn saved_at(&self, at: &UnixSeconds) -> String {
        crate::intake::pages::saved_at(self.ctx, *at)
    }

    fn kb(&self, size: &i64) -> String {
        self.ctx
            .tf("attach.kb", &[("n", &self.ctx.num((size + 1023) / 1024))])
    }

    fn file_name(&self, a: &hamafza_store::attachments::Attachment) -> String {
        crate::intake::attachments::file_name(&a.name, &a.mime)
    }

    fn unit_name<'b>(&self, u: &'b OrgUnit) -> &'b str {
        if self.ctx.is_fa() {
            &u.name_fa
        } else {
            &u.name_en
        }
    }

    fn is_axis(&self, id: &AxisId) -> bool {
        self.input.axis == id.to_string()
    }

    fn is_unit(&self, id: &OrgUnitId) -> bool {
        self.input.owner_unit == id.to_string()
    }
}

fn input_from(raw: &HashMap<String, String>) -> IdeaInput {
    let f = |k: &str| raw.get(k).cloned().unwrap_or_default();
    IdeaInput {
        axis: f("axis"),
        title: f("title"),
        problem: f("problem"),
        solution: f("solution"),
        benefits: f("benefits"),
        resources: f("resources"),
        owner_unit: f("owner_unit"),
    }
}

/// Units an idea may suggest as its owner: HQ deputies and provincial directorates.
async fn owner_units(state: &AppState) -> AppResult<Vec<OrgUnit>> {
    use hamafza_core::OrgUnitKind::*;
    Ok(state
        .store
        .org_units()
        .await?
        .into_iter()
        .filter(|u| matches!(u.kind, Deputy | Province))
        .collect())
}

#[derive(Deserialize)]
struct SubmitQuery {
    /// `discarded` after "discard draft".
    #[serde(default)]
    draft: String,
}

async fn submit_page(
    user: SignedIn,
    seen: VisibleCall,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SubmitQuery>,
) -> AppResult<Response> {
    let (call, _) = seen.into_parts();
    let blocked = ideas::submit_blocker(&call, &user, hamafza_store::now());
    let draft = state.store.draft(user.id, call.id).await?;
    let mut raw: HashMap<String, String> = draft
        .as_ref()
        .and_then(|d| serde_json::from_value(d.data.clone()).ok())
        .unwrap_or_default();
    // The author chooses the axis, unless there is nothing to choose.
    if let [only] = call.axes.as_slice() {
        raw.entry("axis".into())
            .or_insert_with(|| only.id.to_string());
    }
    let mut page = FormPage::plain(&ctx, &state, call, None, input_from(&raw));
    page.units = owner_units(&state).await?;
    page.idempotency = crate::auth::random_token();
    page.blocked = blocked;
    page.team = raw.remove("team").unwrap_or_default();
    page.draft_at = draft.map(|d| d.updated_at);
    page.restored = page.draft_at.filter(|_| page.blocked.is_none());
    page.discarded = q.draft == "discarded";
    html(page)
}

/// The submission form posts here: to submit (with files and teammates), or, from its other
/// buttons, to save a draft or to look for similar ideas without JavaScript.
async fn submit(
    user: SignedIn,
    seen: VisibleCall,
    State(state): State<AppState>,
    ctx: Ctx,
    UploadForm { fields: raw, files }: UploadForm,
) -> AppResult<Response> {
    let (call, _) = seen.into_parts();
    let input = input_from(&raw);
    let key = raw.get("idempotency").filter(|k| !k.is_empty()).cloned();
    let team = raw.get("team").cloned().unwrap_or_default();
    let mut page = FormPage::plain(&ctx, &state, call.clone(), None, input.clone());
    page.units = owner_units(&state).await?;
    page.idempotency = key.clone().unwrap_or_else(crate::auth::random_token);
    page.team = team.clone();
    page.files_lost = !files.is_empty();
    if raw.contains_key("save_draft") {
        let at = state
            .store
            .save_draft(user.id, call.id, &crate::intake::service::draft_json(&raw))
            .await?;
        page.draft_at = Some(at);
        return html(page);
    }
    if raw.contains_key("check_similar") {
        let q = format!("{}\n{}", input.title, input.problem);
        page.similar = Some(
            state
                .store
                .similar_ideas(call.id, &q, crate::intake::service::SIMILAR_LIMIT)
                .await?,
        );
        return html(page);
    }
    let (attachments, mut item_errors) = match crate::intake::attachments::check(
        &files,
        0,
        crate::intake::attachments::max_bytes(&state),
    ) {
        Ok(a) => (a, Vec::new()),
        Err(e) => (Vec::new(), e),
    };
    let (invitees, team_errors) =
        crate::intake::teams::resolve(&state, &call, user.id, &team).await?;
    item_errors.extend(team_errors);
    let extras = ideas::Extras {
        attachments,
        invitees,
        errors: item_errors,
    };
    let outcome = ideas::submit(
        &state,
        &call,
        &user,
        &input,
        extras,
        Channel::Web,
        key.as_deref(),
    )
    .await?;
    let (errors, blocked) = match outcome {
        Submitted::Created(idea) | Submitted::Replayed(idea) => {
            return Ok(
                Redirect::to(&format!("/ideas/{}?submitted=1", idea.public_id)).into_response(),
            );
        }
        Submitted::Invalid(e, items) => (
            crate::intake::pages::item_errors(&ctx, &FormErrors::new(ctx.lang, &e), &items),
            None,
        ),
        Submitted::Refused(why) => (FormErrors::general(ctx.t(why.key()).to_string()), Some(why)),
    };
    page.errors = errors;
    page.blocked = blocked;
    rejected(page)
}

async fn edit_page(
    seen: VisibleIdea,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let (idea, call, user) = seen.into_parts();
    let blocked = ideas::edit_blocker(&call, &idea, &user, hamafza_store::now());
    let v = state
        .store
        .idea_versions(idea.id)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let input = IdeaInput {
        axis: v.axis_id.to_string(),
        title: v.title,
        problem: v.problem,
        solution: v.solution,
        benefits: v.benefits,
        resources: v.resources,
        owner_unit: v.owner_unit_id.map(|u| u.to_string()).unwrap_or_default(),
    };
    let attachments = state.store.attachments(idea.id).await?;
    let mut page = FormPage::plain(&ctx, &state, call, Some(idea), input);
    page.units = owner_units(&state).await?;
    page.blocked = blocked;
    page.attachments = attachments;
    html(page)
}

async fn edit(
    seen: VisibleIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    UploadForm { fields: raw, files }: UploadForm,
) -> AppResult<Response> {
    let (idea, call, user) = seen.into_parts();
    let input = input_from(&raw);
    let existing = state.store.attachments(idea.id).await?;
    // Files are saved before the text; if the text then cannot be, the form lists them as kept.
    let mut files_saved = false;
    let (errors, blocked) = match ideas::edit_blocker(&call, &idea, &user, hamafza_store::now()) {
        Some(why) => (FormErrors::general(ctx.t(why.key()).to_string()), Some(why)),
        None => {
            let axes: Vec<AxisId> = call.axes.iter().map(|a| a.id).collect();
            let max = crate::intake::attachments::max_bytes(&state);
            match (
                input.validate(&axes),
                crate::intake::attachments::check(&files, existing.len(), max),
            ) {
                (Ok(text), Ok(new_files)) => {
                    // Files first: if they no longer fit (another upload meanwhile), the text
                    // is not saved either and the form says why.
                    match state
                        .store
                        .add_attachments(idea.id, &idea.public_id, &new_files, Some(user.id))
                        .await
                    {
                        Err(hamafza_store::StoreError::Conflict(_)) => {
                            let e = crate::intake::attachments::ItemError {
                                field: "attachments",
                                item: String::new(),
                                error: hamafza_core::account::FieldError::TooManyFiles(
                                    hamafza_store::attachments::MAX_PER_IDEA,
                                ),
                            };
                            (
                                crate::intake::pages::item_errors(
                                    &ctx,
                                    &FormErrors::default(),
                                    &[e],
                                ),
                                None,
                            )
                        }
                        Err(e) => return Err(e.into()),
                        Ok(_) => {
                            files_saved = !files.is_empty();
                            if ideas::save_edit(&state, &idea, &text, &user)
                                .await?
                                .is_some()
                            {
                                return Ok(Redirect::to(&format!("/ideas/{}", idea.public_id))
                                    .into_response());
                            }
                            // Moved meanwhile: the form comes back with the text typed.
                            (
                                FormErrors::general(ctx.t("idea.edit_changed").to_string()),
                                None,
                            )
                        }
                    }
                }
                (text, files) => {
                    let fields = FormErrors::new(ctx.lang, &text.err().unwrap_or_default());
                    let items = files.err().unwrap_or_default();
                    (
                        crate::intake::pages::item_errors(&ctx, &fields, &items),
                        None,
                    )
                }
            }
        }
    };
    let attachments = if files_saved {
        state.store.attachments(idea.id).await?
    } else {
        existing
    };
    let mut page = FormPage::plain(&ctx, &state, call, Some(idea), input);
    page.units = owner_units(&state).await?;
    page.blocked = blocked;
    page.errors = errors;
    page.attachments = attachments;
    page.files_lost = !files.is_empty() && !files_saved;
    rejected(page)
}

#[derive(Template)]
#[template(path = "ideas/mine.html")]
struct MinePage<'a> {
    ctx: &'a Ctx,
    ideas: Vec<(Idea, String)>,
    /// Invitations to teams waiting for an answer.
    invitations: Vec<hamafza_store::teams::Invitation>,
    /// Ideas whose team the user joined, with their call's title.
    shared: Vec<(Idea, String)>,
}

impl MinePage<'_> {
    fn status(&self, i: &Idea) -> &'static str {
        self.ctx.t(&format!("idea.status.{}", i.status.as_str()))
    }
}

async fn my_ideas(user: SignedIn, State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mine = state.store.ideas_of_author(user.id, None).await?;
    let invitations = state.store.invitations_of(user.id).await?;
    let joined = state.store.ideas_as_member(user.id).await?;
    let calls = state
        .store
        .calls(hamafza_store::calls::CallFilter::All)
        .await?;
    let title_of = |i: Idea| {
        let title = calls
            .iter()
            .find(|c| c.id == i.call_id)
            .map(|c| c.title.clone())
            .unwrap_or_default();
        (i, title)
    };
    let ideas = mine.into_iter().map(title_of).collect();
    let shared = joined.into_iter().map(title_of).collect();
    html(MinePage {
        ctx: &ctx,
        ideas,
        invitations,
        shared,
    })
}
