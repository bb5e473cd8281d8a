//! The secretariat's page for offline intake: upload a CSV or XLSX of exhibition or paper ideas,
//! check it (dry run) and import it. The rules, and the plan of what an import writes, are the
//! API's (`crate::intake::import::plan`).

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
use hamafza_core::call::Call;
use hamafza_core::idea::Channel;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/secretariat/calls/{id}/import", get(page).post(upload))
        .route("/secretariat/calls/{id}/import/template", get(template))
}

/// The workbook to fill in for this call (its columns and axes), in the page's language.
async fn template(managed: ManagedCall, ctx: Ctx) -> AppResult<Response> {
    crate::intake::template::download(managed.call(), ctx.lang)
}

#[derive(Template)]
#[template(path = "ideas/import.html")]
struct ImportPage<'a> {
    ctx: &'a Ctx,
    call: Call,
    report: Option<Report>,
    /// The choices on the form, as sent (a file input cannot be refilled).
    form: Choices,
}

/// The form's choices besides the file.
struct Choices {
    dry_run: bool,
    partial: bool,
    channel: Channel,
}

impl Choices {
    fn paper(&self) -> bool {
        self.channel == Channel::Paper
    }
}

struct Report {
    dry_run: bool,
    rows: usize,
    valid: usize,
    imported: usize,
    skipped: usize,
    /// Each skipped row, in words.
    skipped_rows: Vec<String>,
    errors: Vec<ProblemField>,
    /// After a dry run that would write rows: the checked file's id, to import it without a
    /// second upload.
    staged: Option<String>,
}

async fn page(managed: ManagedCall, ctx: Ctx) -> AppResult<Response> {
    let (call, _) = managed.into_parts();
    html(ImportPage {
        ctx: &ctx,
        call,
        report: None,
        form: Choices {
            dry_run: true,
            partial: false,
            channel: Channel::Exhibition,
        },
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
    let mut staged = None;
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
            "staged" => staged = Some(field.text().await.unwrap_or_default()),
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
    let form = Choices {
        dry_run,
        partial,
        channel,
    };
    // No file but a checked one named: the file kept by the dry run (only its checker's).
    let staged = staged.filter(|_| file.is_empty());
    if let Some(id) = &staged {
        match state
            .store
            .staged_import(id, call.id, Some(actor.id))
            .await?
        {
            Some(kept) => file = kept,
            None => {
                let report = Report {
                    dry_run: true,
                    rows: 0,
                    valid: 0,
                    imported: 0,
                    skipped: 0,
                    skipped_rows: Vec::new(),
                    errors: vec![ProblemField {
                        field: "file".into(),
                        detail: ctx.t("import.staged_gone").into(),
                        line: None,
                    }],
                    staged: None,
                };
                return rejected(ImportPage {
                    ctx: &ctx,
                    call,
                    report: Some(report),
                    form,
                });
            }
        }
    }
    let options = crate::intake::import::Options {
        dry_run,
        partial,
        channel,
        staged,
    };
    let run = match crate::intake::import::run(&state.store, &call, actor.id, &file, options).await
    {
        Ok(r) => r,
        Err(AppError::Rows(errors)) => {
            let errors = errors.iter().map(|e| row_problem(ctx.lang, e)).collect();
            let report = Report {
                dry_run: true,
                rows: 0,
                valid: 0,
                imported: 0,
                skipped: 0,
                skipped_rows: Vec::new(),
                errors,
                staged: None,
            };
            return rejected(ImportPage {
                ctx: &ctx,
                call,
                report: Some(report),
                form,
            });
        }
        Err(e) => return Err(e),
    };
    let skipped_rows = if run.writes {
        run.plan.skipped.as_slice()
    } else {
        &[]
    };
    let report = Report {
        dry_run: dry_run || !run.writes,
        rows: run.plan.rows,
        valid: run.plan.valid,
        imported: run.imported,
        skipped: run.skipped,
        skipped_rows: skipped_rows
            .iter()
            .map(|s| crate::intake::import::skipped_detail(ctx.lang, s))
            .collect(),
        errors: run
            .plan
            .errors
            .iter()
            .map(|e| row_problem(ctx.lang, e))
            .collect(),
        staged: run.staged,
    };
    html(ImportPage {
        ctx: &ctx,
        call,
        report: Some(report),
        form,
    })
}
