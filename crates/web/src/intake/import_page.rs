//! The secretariat's page for offline intake: upload a CSV or XLSX of exhibition or paper ideas,
//! check it (dry run) and import it. The rules are those of the API (`crate::import`).

use crate::AppState;
use crate::auth::csrf;
use crate::http::error::{AppError, AppResult, ProblemField, row_problem};
use crate::http::view::{Ctx, html, rejected};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use hamafza_core::idea::Channel;
use hamafza_store::calls::Call;

pub fn router() -> Router<AppState> {
    Router::new().route("/secretariat/calls/{id}/import", get(page).post(upload))
}

#[derive(Template)]
#[template(path = "ideas/import.html")]
struct ImportPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    report: Option<Report>,
}

struct Report {
    dry_run: bool,
    rows: usize,
    valid: usize,
    imported: usize,
    skipped: usize,
    errors: Vec<ProblemField>,
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ctx.require_secretariat()?;
    let call = crate::ideas::service::call(&state, &id).await?;
    html(ImportPage {
        ctx: &ctx,
        call,
        report: None,
    })
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    mut form: Multipart,
) -> AppResult<Response> {
    let (mut token, mut file, mut dry_run, mut partial, mut channel) =
        (None, Vec::new(), false, false, Channel::Exhibition);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name().unwrap_or_default() {
            "csrf" => token = field.text().await.ok(),
            "file" => {
                file = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(e.body_text()))?
                    .to_vec()
            }
            "dry_run" => dry_run = true,
            "partial" => partial = true,
            "channel" => {
                channel = if field.text().await.ok().as_deref() == Some("paper") {
                    Channel::Paper
                } else {
                    Channel::Exhibition
                }
            }
            _ => {}
        }
    }
    // Multipart bodies do not pass through `CsrfForm`, so the token is checked here.
    csrf::check(&headers, &state, token.as_deref())?;
    let actor = ctx.require_secretariat()?;
    let call = crate::ideas::service::call(&state, &id).await?;
    let checked = match crate::intake::import::check(&call, &file) {
        Ok(c) => c,
        Err(AppError::Rows(errors)) => {
            let errors = errors.iter().map(|e| row_problem(ctx.lang, e)).collect();
            let report = Report {
                dry_run,
                rows: 0,
                valid: 0,
                imported: 0,
                skipped: 0,
                errors,
            };
            return rejected(ImportPage {
                ctx: &ctx,
                call,
                report: Some(report),
            });
        }
        Err(e) => return Err(e),
    };
    let write = !dry_run && (checked.errors.is_empty() || partial);
    let outcome = if write {
        state
            .store
            .import_ideas(call.id, &checked.good, channel, Some(actor))
            .await?
    } else {
        hamafza_store::ideas::ImportOutcome {
            imported: 0,
            skipped: 0,
        }
    };
    let errors = checked
        .errors
        .iter()
        .map(|e| row_problem(ctx.lang, e))
        .collect();
    let report = Report {
        dry_run: !write,
        rows: checked.rows,
        valid: checked.good.len(),
        imported: outcome.imported,
        skipped: outcome.skipped,
        errors,
    };
    html(ImportPage {
        ctx: &ctx,
        call,
        report: Some(report),
    })
}
