//! Rejection message templates: the list, the editor and deletion (asked first).

use crate::AppState;
use crate::access::Secretariat;
use crate::auth::csrf::CsrfForm;
use crate::http::confirm::{self, Ask};
use crate::http::error::AppResult;
use crate::http::view::{Ctx, FormErrors, html};
use crate::screening::service::{self, number};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use hamafza_core::ids::TemplateId;
use hamafza_store::screening::RejectionTemplate;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/secretariat/rejection-templates",
            get(templates_page).post(save_template),
        )
        .route(
            "/secretariat/rejection-templates/{id}/delete",
            axum::routing::post(delete_template),
        )
}

#[derive(Template)]
#[template(path = "screening/templates.html")]
struct TemplatesPage<'a> {
    ctx: &'a Ctx,
    templates: Vec<RejectionTemplate>,
    /// The form: the template being edited (`None` to add one) and what was typed.
    editing: Option<TemplateId>,
    title: String,
    body: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct TemplatesQuery {
    edit: Option<String>,
}

/// The rejection templates: list, add, edit (`?edit=ID`), delete.
async fn templates_page(
    _: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TemplatesQuery>,
) -> AppResult<Response> {
    let editing = q.edit.as_deref().and_then(number);
    let (title, body) = match editing {
        Some(id) => {
            let t = state.store.rejection_template(id).await?;
            (t.title, t.body)
        }
        None => Default::default(),
    };
    html(TemplatesPage {
        templates: state.store.rejection_templates().await?,
        ctx: &ctx,
        editing,
        title,
        body,
        errors: FormErrors::default(),
    })
}

async fn save_template(
    actor: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let title = hamafza_core::account::fix_letters(raw.get("title").map_or("", String::as_str));
    let body =
        hamafza_core::account::fix_letters_keep_lines(raw.get("body").map_or("", String::as_str));
    let editing = raw.get("id").and_then(|i| number(i));
    let errors = match service::check_template(&title, &body) {
        Ok(()) => {
            state
                .store
                .save_rejection_template(editing, &title, &body, Some(actor.id))
                .await?;
            return Ok(Redirect::to("/secretariat/rejection-templates").into_response());
        }
        Err(errors) => errors,
    };
    crate::http::view::rejected(TemplatesPage {
        templates: state.store.rejection_templates().await?,
        errors: FormErrors::new(ctx.lang, &errors),
        ctx: &ctx,
        editing,
        title,
        body,
    })
}

/// Deletes a rejection template, after asking.
async fn delete_template(
    actor: Secretariat,
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<TemplateId>,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    if !confirm::confirmed(&raw) {
        let t = state.store.rejection_template(id).await?;
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.tf("confirm.template.question", &[("title", &t.title)]),
                detail: ctx.t("confirm.template.detail").into(),
                items: Vec::new(),
                button: ctx.t("screening.delete").into(),
                back: "/secretariat/rejection-templates".into(),
            },
        );
    }
    state
        .store
        .delete_rejection_template(id, Some(actor.id))
        .await?;
    Ok(Redirect::to("/secretariat/rejection-templates").into_response())
}
