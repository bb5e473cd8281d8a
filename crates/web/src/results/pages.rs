//! Results: the secretariat awards ranked winners and "jury's choice" commendations among the
//! accepted ideas and publishes them; everyone then sees the results page and each winner's
//! printable certificate.

use crate::AppState;
use crate::access::{AwardedIdea, ManagedCall, ResultsCall};
use crate::auth::csrf::CsrfForm;
use crate::http::confirm::{self, Ask};
use crate::http::error::AppResult;
use crate::http::view::{Ctx, FormErrors, html, rejected};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::IdeaStatus;
use hamafza_store::ideas::InboxQuery;
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

/// Every accepted idea of the call, page after page of the inbox's keyset cursor (one page
/// holds at most 500): an award for the 501st must be as possible as for the first.
async fn candidates(state: &AppState, call: &Call) -> AppResult<Vec<Idea>> {
    let mut q = InboxQuery {
        status: Some(IdeaStatus::Accepted),
        limit: 500,
        ..Default::default()
    };
    let mut all = Vec::new();
    loop {
        let page = state.store.inbox_page(call.id, &q).await?;
        all.extend(page.ideas);
        match page.next {
            Some(next) => q.after = Some(next),
            None => return Ok(all),
        }
    }
}

async fn edit_page(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let (call, _) = managed.into_parts();
    let current = state.store.results(call.id).await?;
    let rows = candidates(&state, &call)
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
        .collect();
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
    let ideas = candidates(&state, &call).await?;
    let mut awards = Vec::new();
    let mut bad = Vec::new();
    let mut rows = Vec::new();
    for i in ideas {
        let award_raw = raw
            .get(&format!("award_{}", i.id))
            .cloned()
            .unwrap_or_default();
        let rank_raw = raw
            .get(&format!("rank_{}", i.id))
            .cloned()
            .unwrap_or_default();
        if let Some(award) = Award::parse(&award_raw) {
            match hamafza_persian::digits::to_latin(rank_raw.trim()).parse::<i64>() {
                Ok(rank)
                    if rank >= 1 && !awards.iter().any(|(_, a, r)| *a == award && *r == rank) =>
                {
                    awards.push((i.id, award, rank))
                }
                _ => bad.push(i.title.clone()),
            }
        }
        rows.push((i, award_raw, rank_raw));
    }
    if !bad.is_empty() {
        let mut errors = FormErrors::new(ctx.lang, &[("rank", FieldError::Unknown)]);
        errors.push(
            "_form",
            ctx.tf("results.bad_rank", &[("ideas", &ctx.lang.list(&bad))]),
        );
        return rejected(EditPage {
            ctx: &ctx,
            call,
            rows,
            errors,
            saved: false,
        });
    }
    state
        .store
        .set_results(call.id, &awards, Some(actor.id))
        .await?;
    html(EditPage {
        ctx: &ctx,
        call,
        rows,
        errors: FormErrors::default(),
        saved: true,
    })
}

/// Makes the results public, after asking.
async fn publish(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(raw): CsrfForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let (call, actor) = managed.into_parts();
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
    state.store.publish_results(call.id, Some(actor.id)).await?;
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
