//! The secretariat's page for offline intake: upload a CSV or XLSX of exhibition or paper ideas,
//! check it (dry run) and import it. The rules are those of the API (`crate::import`).

use crate::AppState;
use crate::access::ManagedCall;
use crate::auth::csrf;
use crate::http::error::{AppError, AppResult, ProblemField, row_problem};
use crate::http::view::{Ctx, html, rejected};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
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

async fn page(managed: ManagedCall, ctx: Ctx) -> AppResult<Response> {
    let (call, _) = managed.into_parts();
    html(ImportPage {
        ctx: &ctx,
        call,
        report: None,
    })
}

async fn upload(
    managed: ManagedCall,
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    mut form: Multipart,
) -> AppResult<Response> {
    let (call, actor) = managed.into_parts();
    let mut guard = csrf::MultipartCsrf::new(&headers, &state);
    let (mut file, mut dry_run, mut partial, mut channel) =
        (Vec::new(), false, false, Channel::Exhibition);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name().unwrap_or_default() {
            "csrf" => guard.token(&field.text().await.unwrap_or_default())?,
            "file" => {
                guard.before_file()?;
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
    guard.finish()?;
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
            .import_ideas(call.id, &checked.good, channel, Some(actor.id))
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
