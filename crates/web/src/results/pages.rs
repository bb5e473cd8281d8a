//! Results: the secretariat awards ranked winners and "jury's choice" commendations among the
//! finalists and publishes them; everyone then sees the results page and each winner's
//! printable certificate.

use crate::AppState;
use crate::access::{AwardedIdea, ManagedCall, ResultsCall};
use crate::auth::csrf::CsrfForm;
use crate::http::confirm::{self, Ask};
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html, rejected};
use crate::results::service::{self, AwardInput};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_store::results::{Award, ResultRow};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls/{id}/results", get(public_results))
        .route("/secretariat/calls/{id}/results", get(edit_page).post(save))
        .route("/secretariat/calls/{id}/results/publish", post(publish))
        .route("/ideas/{id}/certificate", get(certificate))
}

#[derive(Template)]
#[template(path = "results/public.html")]
struct PublicPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    results: Vec<ResultRow>,
}

impl PublicPage<'_> {
    fn winners(&self) -> Vec<&ResultRow> {
        self.results
            .iter()
            .filter(|r| r.award == Award::Winner)
            .collect()
    }

    fn jury_choice(&self) -> Vec<&ResultRow> {
        self.results
            .iter()
            .filter(|r| r.award == Award::JuryChoice)
            .collect()
    }
}

async fn public_results(
    seen: ResultsCall,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let call = seen.into_call();
    let results = state.store.results(call.id).await?;
    html(PublicPage {
        ctx: &ctx,
        call,
        results,
    })
}

#[derive(Template)]
#[template(path = "results/edit.html")]
struct EditPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    /// Accepted ideas with the award and rank typed for each.
    rows: Vec<(Idea, String, String)>,
    errors: FormErrors,
    saved: bool,
}

/// The finalists with the award and rank each holds now, as the editor shows them.
async fn editor_rows(
    state: &AppState,
    call: &Call,
    ctx: &Ctx,
) -> AppResult<Vec<(Idea, String, String)>> {
    let current = state.store.results(call.id).await?;
    Ok(service::finalists(state, call)
        .await?
        .into_iter()
        .map(|i| {
            let r = current.iter().find(|r| r.idea_id == i.id);
            let award = r.map(|r| r.award.as_str().to_string()).unwrap_or_default();
            let rank = r
                .map(|r| ctx.digits(&r.rank.to_string()))
                .unwrap_or_default();
            (i, award, rank)
        })
        .collect())
}

async fn edit_page(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let (call, _) = managed.into_parts();
    let rows = editor_rows(&state, &call, &ctx).await?;
    html(EditPage {
        ctx: &ctx,
        call,
        rows,
        errors: FormErrors::default(),
        saved: false,
    })
}

async fn save(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (call, actor) = managed.into_parts();
    let ideas = service::finalists(&state, &call).await?;
    let field = |name: &str, i: &Idea| {
        raw.get(&format!("{name}_{}", i.id))
            .cloned()
            .unwrap_or_default()
    };
    let inputs: Vec<AwardInput> = ideas
        .iter()
        .filter_map(|i| {
            Award::parse(&field("award", i)).map(|award| AwardInput {
                idea_id: i.id,
                award,
                rank: field("rank", i),
            })
        })
        .collect();
    let checked = service::check_awards(&ideas, &inputs);
    let rows = ideas
        .iter()
        .map(|i| (i.clone(), field("award", i), field("rank", i)))
        .collect();
    let awards = match checked {
        Ok(awards) => awards,
        Err(bad) => {
            let named: Vec<String> = bad
                .iter()
                .filter_map(|(n, _)| ideas.iter().find(|i| i.id == inputs[*n].idea_id))
                .map(|i| i.title.clone())
                .collect();
            let mut errors = FormErrors::new(ctx.lang, &[("rank", FieldError::Rank)]);
            errors.push(
                "_form",
                ctx.tf("results.bad_rank", &[("ideas", &ctx.lang.list(&named))]),
            );
            return rejected(EditPage {
                ctx: &ctx,
                call,
                rows,
                errors,
                saved: false,
            });
        }
    };
    match service::save(&state, &call, &awards, actor.id).await {
        Ok(()) => {}
        Err(AppError::ResultsRefused(why)) => {
            let mut errors = FormErrors::default();
            errors.push("_form", ctx.t(why.key()).to_string());
            return rejected(EditPage {
                ctx: &ctx,
                call,
                rows,
                errors,
                saved: false,
            });
        }
        Err(e) => return Err(e),
    }
    html(EditPage {
        ctx: &ctx,
        call,
        rows,
        errors: FormErrors::default(),
        saved: true,
    })
}

/// Makes the results public, after asking; what blocks it (nothing awarded, submission still
/// open) is said on the editor, before any question.
async fn publish(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (call, actor) = managed.into_parts();
    let awarded = state.store.results(call.id).await?.len();
    if let Some(why) = call.results_blocker(awarded, hamafza_store::now()) {
        let rows = editor_rows(&state, &call, &ctx).await?;
        let mut errors = FormErrors::default();
        errors.push("_form", ctx.t(why.key()).to_string());
        return rejected(EditPage {
            ctx: &ctx,
            call,
            rows,
            errors,
            saved: false,
        });
    }
    if !confirm::confirmed(&raw) {
        return confirm::ask(
            &ctx,
            &raw,
            Ask {
                question: ctx.t("results.publish_confirm").into(),
                detail: ctx.tf("confirm.publish.detail", &[("title", &call.title)]),
                items: Vec::new(),
                button: ctx.t("results.publish").into(),
                back: format!("/secretariat/calls/{}/results", call.public_id),
            },
        );
    }
    service::publish(&state, &call, actor.id).await?;
    Ok(Redirect::to(&format!("/calls/{}/results", call.public_id)).into_response())
}

#[derive(Template)]
#[template(path = "results/certificate.html")]
struct CertificatePage<'a> {
    ctx: &'a Ctx,
    call: Call,
    result: ResultRow,
    date: String,
}

/// A printable certificate for an awarded idea, once the results are public.
async fn certificate(awarded: AwardedIdea, ctx: Ctx) -> AppResult<Response> {
    let (call, result) = awarded.into_parts();
    let date = ctx.date(call.results_published_at.unwrap_or_else(hamafza_store::now));
    html(CertificatePage {
        ctx: &ctx,
        call,
        result,
        date,
    })
}
