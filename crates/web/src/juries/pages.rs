//! Jury pages. Judges: their assignments with progress, and one idea at a time — blind when the
//! jury is — with the rubric's level descriptions beside each choice, a draft kept, the next
//! idea one click away, and a way to skip or declare a conflict. The secretariat: a judged
//! stage's jury — settings and criteria, judges and their progress, assigning, and the ranking
//! with its reliability and the judges far from consensus.

use crate::AppState;
use crate::access::{AssignedIdea, Judge, JudgedStage, ManagedStage};
use crate::auth::csrf::CsrfForm;
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, FormErrors, html, rejected};
use crate::juries::service::{self, Method, Ranking, ReviewInput};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use hamafza_core::Role;
use hamafza_core::account::FieldError;
use hamafza_core::call::{Call, Stage, StageKind};
use hamafza_core::ids::StageId;
use hamafza_core::judging::criteria::{Criterion, Scale};
use hamafza_core::judging::jury::{JurySettings, Mode};
use hamafza_store::access::JurorAssignment;
use hamafza_store::juries::{IdeaLabel, Juror, Jury};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/judging", get(mine))
        .route("/judging/{id}", get(review_page).post(save_review))
        .route("/judging/{id}/pass", post(pass_on))
        .route("/judging/{id}/draft", post(autosave))
        .route(
            "/judging/stages/{id}/compare",
            get(compare_page).post(compare),
        )
        .route("/secretariat/stages/{id}", get(stage_page))
        .route("/secretariat/stages/{id}/jury", post(save_settings))
        .route("/secretariat/stages/{id}/schedule", post(reschedule))
        .route("/secretariat/stages/{id}/jurors", post(save_jurors))
        .route("/secretariat/stages/{id}/assign", post(assign))
        .route("/secretariat/stages/{id}/shortlist", post(shortlist))
}

/// One stage of a judge's list.
struct StageGroup {
    call_title: String,
    stage_title: String,
    ends_at: hamafza_core::time::UnixSeconds,
    done: usize,
    items: Vec<JurorAssignment>,
}

/// A pairwise stage of the judge's list.
struct PairwiseGroup {
    stage_id: StageId,
    call_title: String,
    stage_title: String,
    ends_at: hamafza_core::time::UnixSeconds,
    comparisons: i64,
}

#[derive(Template)]
#[template(path = "juries/mine.html")]
struct MinePage<'a> {
    ctx: &'a Ctx,
    groups: Vec<StageGroup>,
    pairwise: Vec<PairwiseGroup>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct Notice {
    #[serde(default)]
    done: Option<String>,
}

fn stage_name(ctx: &Ctx, stage: &Stage) -> String {
    if stage.title.trim().is_empty() {
        ctx.t(&format!("stage.{}", stage.kind.as_str())).to_string()
    } else {
        stage.title.clone()
    }
}

async fn mine(
    judge: Judge,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(notice): Query<Notice>,
) -> AppResult<Response> {
    let list = state.store.as_juror(judge.id).assignments().await?;
    let mut groups: Vec<StageGroup> = Vec::new();
    let mut seen: std::collections::HashSet<StageId> = Default::default();
    for a in list {
        if seen.insert(a.stage_id) {
            let call_id = state
                .store
                .call_of_stage(a.stage_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let call = state.store.call(call_id).await?;
            let stage = call
                .stages
                .iter()
                .find(|s| s.id == a.stage_id)
                .ok_or(AppError::NotFound)?;
            groups.push(StageGroup {
                call_title: call.title.clone(),
                stage_title: stage_name(&ctx, stage),
                ends_at: stage.ends_at,
                done: 0,
                items: Vec::new(),
            });
        }
        let group = groups.last_mut().expect("pushed above");
        if a.review == "submitted" {
            group.done += 1;
        }
        group.items.push(a);
    }
    let mut pairwise = Vec::new();
    for p in state.store.as_juror(judge.id).pairwise_stages().await? {
        let call_id = state
            .store
            .call_of_stage(p.stage_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let call = state.store.call(call_id).await?;
        if let Some(stage) = call.stages.iter().find(|s| s.id == p.stage_id) {
            pairwise.push(PairwiseGroup {
                stage_id: p.stage_id,
                call_title: call.title.clone(),
                stage_title: stage_name(&ctx, stage),
                ends_at: p.stage_ends_at,
                comparisons: p.comparisons,
            });
        }
    }
    html(MinePage {
        ctx: &ctx,
        groups,
        pairwise,
        notice: notice.done.map(|_| "jury.all_done"),
    })
}

/// A criterion as the judge's form shows it: its choices with their descriptions.
struct CriterionView {
    name: String,
    weight: u32,
    choices: Vec<(i32, String)>,
    /// The level chosen so far.
    chosen: Option<i32>,
}

#[derive(Template)]
#[template(path = "juries/review.html")]
struct ReviewPage<'a> {
    ctx: &'a Ctx,
    assigned: &'a AssignedIdea,
    call_title: String,
    stage_title: String,
    blind: bool,
    authors: Vec<String>,
    criteria: Vec<CriterionView>,
    comment: String,
    note: String,
    /// Place in the judge's queue and its size, the next open idea's id.
    position: usize,
    total: usize,
    done: usize,
    next: Option<String>,
    open: bool,
    errors: FormErrors,
    notice: Option<&'static str>,
    reason: String,
}

#[derive(Deserialize, Default)]
struct ReviewNotice {
    #[serde(default)]
    saved: Option<String>,
}

impl CriterionView {
    fn is(&self, level: &i32) -> bool {
        self.chosen == Some(*level)
    }
}

impl ReviewPage<'_> {
    /// A reviewed idea cannot be passed on.
    fn may_pass(&self) -> bool {
        self.assigned
            .idea()
            .review
            .as_ref()
            .is_none_or(|r| r.submitted_at.is_none())
    }
}

fn criteria_view(criteria: &[Criterion], chosen: &[Option<i32>]) -> Vec<CriterionView> {
    criteria
        .iter()
        .enumerate()
        .map(|(i, c)| CriterionView {
            name: c.name.clone(),
            weight: c.weight,
            choices: match &c.scale {
                Scale::Rubric { levels } => levels
                    .iter()
                    .enumerate()
                    .map(|(l, d)| (l as i32 + 1, d.clone()))
                    .collect(),
                Scale::Range { min, max } => (*min..=*max).map(|v| (v, String::new())).collect(),
            },
            chosen: chosen.get(i).copied().flatten(),
        })
        .collect()
}

/// What the judge typed (or saved before): the levels chosen, the comment, the note, and the
/// reason of a pass-on form.
struct Typed {
    chosen: Vec<Option<i32>>,
    comment: String,
    note: String,
    reason: String,
}

impl Typed {
    /// What the judge saved, or nothing yet.
    fn saved(assigned: &AssignedIdea) -> Typed {
        let review = assigned.idea().review.clone();
        let chosen = review.as_ref().map_or_else(
            || vec![None; assigned.jury().settings.criteria.len()],
            |r| r.scores.clone(),
        );
        let (comment, note) = review.map_or_else(Default::default, |r| (r.comment, r.note));
        Typed {
            chosen,
            comment,
            note,
            reason: String::new(),
        }
    }
}

/// What the review page shows besides the form's values.
async fn render_review(
    state: &AppState,
    ctx: &Ctx,
    assigned: &AssignedIdea,
    typed: Typed,
    errors: FormErrors,
    notice: Option<&'static str>,
) -> AppResult<(ReviewPageData, Vec<CriterionView>)> {
    let Typed {
        chosen,
        comment,
        note,
        reason,
    } = typed;
    let idea = assigned.idea();
    let stage_id = idea.assignment.stage_id;
    let queue = state
        .store
        .as_juror(assigned.judge_id())
        .queue(stage_id)
        .await?;
    let position = queue
        .iter()
        .position(|a| a.public_id == idea.assignment.public_id)
        .map_or(0, |p| p + 1);
    let next = next_open(&queue, &idea.assignment.public_id);
    // The jury row already names the call.
    let call = state.store.call(assigned.jury().call_id).await?;
    let stage = call
        .stages
        .iter()
        .find(|s| s.id == stage_id)
        .ok_or(AppError::NotFound)?;
    let blind = assigned.jury().settings.blind;
    let authors = if blind {
        Vec::new()
    } else {
        state
            .store
            .as_juror(assigned.judge_id())
            .authors(idea)
            .await?
    };
    let open = idea.assignment.state == "open"
        && hamafza_store::now() <= stage.ends_at
        && assigned.jury().settings.mode == Mode::Rubric;
    Ok((
        ReviewPageData {
            call_title: call.title.clone(),
            stage_title: stage_name(ctx, stage),
            blind,
            authors,
            comment,
            note,
            position,
            total: queue.len(),
            done: queue.iter().filter(|a| a.review == "submitted").count(),
            next,
            open,
            errors,
            notice,
            reason,
        },
        criteria_view(&assigned.jury().settings.criteria, &chosen),
    ))
}

struct ReviewPageData {
    call_title: String,
    stage_title: String,
    blind: bool,
    authors: Vec<String>,
    comment: String,
    note: String,
    position: usize,
    total: usize,
    done: usize,
    next: Option<String>,
    open: bool,
    errors: FormErrors,
    notice: Option<&'static str>,
    reason: String,
}

fn page<'a>(
    ctx: &'a Ctx,
    assigned: &'a AssignedIdea,
    d: ReviewPageData,
    criteria: Vec<CriterionView>,
) -> ReviewPage<'a> {
    ReviewPage {
        ctx,
        assigned,
        call_title: d.call_title,
        stage_title: d.stage_title,
        blind: d.blind,
        authors: d.authors,
        criteria,
        comment: d.comment,
        note: d.note,
        position: d.position,
        total: d.total,
        done: d.done,
        next: d.next,
        open: d.open,
        errors: d.errors,
        notice: d.notice,
        reason: d.reason,
    }
}

/// The first idea after `current` in the judge's order that has no submitted review, else the
/// first such before it.
fn next_open(queue: &[JurorAssignment], current: &str) -> Option<String> {
    let at = queue
        .iter()
        .position(|a| a.public_id == current)
        .unwrap_or(0);
    queue[at..]
        .iter()
        .chain(queue[..at].iter())
        .find(|a| a.public_id != current && a.review != "submitted")
        .map(|a| a.public_id.clone())
}

async fn review_page(
    assigned: AssignedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(notice): Query<ReviewNotice>,
) -> AppResult<Response> {
    let notice = notice.saved.map(|s| {
        if s == "submitted" {
            "jury.submitted"
        } else {
            "jury.draft_saved"
        }
    });
    let (d, criteria) = render_review(
        &state,
        &ctx,
        &assigned,
        Typed::saved(&assigned),
        FormErrors::default(),
        notice,
    )
    .await?;
    html(page(&ctx, &assigned, d, criteria))
}

/// The review form's fields, as typed: `s0`, `s1`… levels, `comment`, `note`, and `action`
/// (`submit`, or anything else for a draft).
fn read_form(form: &[(String, String)], criteria: usize) -> Typed {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    Typed {
        chosen: (0..criteria)
            .map(|i| {
                let raw = hamafza_persian::digits::to_latin(get(&format!("s{i}")).trim());
                (!raw.is_empty()).then(|| raw.parse::<i32>().unwrap_or(i32::MIN))
            })
            .collect(),
        comment: get("comment").to_string(),
        note: get("note").to_string(),
        reason: String::new(),
    }
}

/// Saves what was typed: a level that is not a number (kept as `i32::MIN` by [`read_form`]) is
/// off the scale like any other, so the service's check covers it.
async fn save_typed(
    state: &AppState,
    assigned: &AssignedIdea,
    typed: &Typed,
    submit: bool,
) -> AppResult<()> {
    service::save_review(
        state,
        assigned,
        ReviewInput {
            scores: typed.chosen.clone(),
            comment: typed.comment.clone(),
            note: typed.note.clone(),
            submit,
        },
    )
    .await
}

async fn save_review(
    assigned: AssignedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let typed = read_form(&form, assigned.jury().settings.criteria.len());
    let submit = form.iter().any(|(k, v)| k == "action" && v == "submit");
    match save_typed(&state, &assigned, &typed, submit).await {
        Ok(()) => {
            let id = &assigned.idea().assignment.public_id;
            if submit {
                let queue = state
                    .store
                    .as_juror(assigned.judge_id())
                    .queue(assigned.idea().assignment.stage_id)
                    .await?;
                match next_open(&queue, id) {
                    Some(next) => {
                        Ok(Redirect::to(&format!("/judging/{next}?saved=submitted"))
                            .into_response())
                    }
                    None => Ok(Redirect::to("/judging?done=1").into_response()),
                }
            } else {
                Ok(Redirect::to(&format!("/judging/{id}?saved=draft")).into_response())
            }
        }
        Err(AppError::Validation(errors)) => {
            let (d, criteria) = render_review(
                &state,
                &ctx,
                &assigned,
                typed,
                FormErrors::new(ctx.lang, &errors),
                None,
            )
            .await?;
            rejected(page(&ctx, &assigned, d, criteria))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct PassForm {
    #[serde(default)]
    reason: String,
    /// `conflict` or `skip`.
    #[serde(default)]
    action: String,
}

async fn pass_on(
    assigned: AssignedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PassForm>,
) -> AppResult<Response> {
    let conflict = form.action == "conflict";
    match service::pass_on(&state, &assigned, conflict, &form.reason).await {
        Ok(_) => {
            let queue = state
                .store
                .as_juror(assigned.judge_id())
                .queue(assigned.idea().assignment.stage_id)
                .await?;
            match next_open(&queue, &assigned.idea().assignment.public_id) {
                Some(next) => Ok(Redirect::to(&format!("/judging/{next}")).into_response()),
                None => Ok(Redirect::to("/judging").into_response()),
            }
        }
        Err(AppError::Validation(errors)) => {
            let typed = Typed {
                reason: form.reason,
                ..Typed::saved(&assigned)
            };
            let (d, criteria) = render_review(
                &state,
                &ctx,
                &assigned,
                typed,
                FormErrors::new(ctx.lang, &errors),
                None,
            )
            .await?;
            rejected(page(&ctx, &assigned, d, criteria))
        }
        Err(e) => Err(e),
    }
}

/// The settings form as typed: up to [`CRITERIA_ROWS`] criteria rows.
#[derive(Debug, Clone, Default, Deserialize)]
struct SettingsForm {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    reviews_per_idea: String,
    #[serde(default)]
    blind: Option<String>,
    #[serde(default)]
    unit_conflict: Option<String>,
    #[serde(flatten)]
    rows: HashMap<String, String>,
}

/// Criterion rows the settings form offers.
const CRITERIA_ROWS: usize = 6;

/// A criterion row as typed: name, weight, kind (`rubric`/`range`), min, max, levels (one a line).
#[derive(Debug, Clone, Default)]
struct CriterionRow {
    name: String,
    weight: String,
    kind: String,
    min: String,
    max: String,
    levels: String,
}

impl SettingsForm {
    fn rows(&self) -> Vec<CriterionRow> {
        let get = |k: String| self.rows.get(&k).cloned().unwrap_or_default();
        (0..CRITERIA_ROWS)
            .map(|i| CriterionRow {
                name: get(format!("c{i}_name")),
                weight: get(format!("c{i}_weight")),
                kind: get(format!("c{i}_kind")),
                min: get(format!("c{i}_min")),
                max: get(format!("c{i}_max")),
                levels: get(format!("c{i}_levels")),
            })
            .collect()
    }

    fn of(settings: &JurySettings) -> (SettingsForm, Vec<CriterionRow>) {
        let mut rows: Vec<CriterionRow> = settings
            .criteria
            .iter()
            .map(|c| {
                let (kind, min, max, levels) = match &c.scale {
                    Scale::Range { min, max } => {
                        ("range", min.to_string(), max.to_string(), String::new())
                    }
                    Scale::Rubric { levels } => {
                        ("rubric", String::new(), String::new(), levels.join("\n"))
                    }
                };
                CriterionRow {
                    name: c.name.clone(),
                    weight: c.weight.to_string(),
                    kind: kind.into(),
                    min,
                    max,
                    levels,
                }
            })
            .collect();
        rows.resize(CRITERIA_ROWS.max(rows.len()), CriterionRow::default());
        (
            SettingsForm {
                mode: settings.mode.as_str().into(),
                reviews_per_idea: settings.reviews_per_idea.to_string(),
                blind: settings.blind.then(|| "on".into()),
                unit_conflict: settings.unit_conflict.then(|| "on".into()),
                rows: HashMap::new(),
            },
            rows,
        )
    }

    /// The settings, or the fields at fault.
    fn settings(&self) -> Result<JurySettings, Vec<(&'static str, FieldError)>> {
        let mut errors = Vec::new();
        let mode = Mode::parse(&self.mode).unwrap_or_else(|| {
            errors.push(("mode", FieldError::Unknown));
            Mode::Rubric
        });
        let number = |s: &str| {
            hamafza_persian::digits::to_latin(s.trim())
                .parse::<i64>()
                .ok()
        };
        let reviews_per_idea = number(&self.reviews_per_idea)
            .and_then(|k| u32::try_from(k).ok())
            .unwrap_or_else(|| {
                errors.push(("reviews_per_idea", FieldError::ReviewsPerIdea));
                0
            });
        let mut criteria = Vec::new();
        for row in self.rows() {
            if row.name.trim().is_empty() {
                continue;
            }
            let weight = number(&row.weight)
                .and_then(|w| u32::try_from(w).ok())
                .unwrap_or(0);
            let scale = if row.kind == "range" {
                match (
                    number(&row.min).and_then(|v| i32::try_from(v).ok()),
                    number(&row.max).and_then(|v| i32::try_from(v).ok()),
                ) {
                    (Some(min), Some(max)) => Scale::Range { min, max },
                    _ => Scale::Range { min: 0, max: 0 },
                }
            } else {
                Scale::Rubric {
                    levels: row
                        .levels
                        .lines()
                        .map(|l| hamafza_core::account::fix_letters(l.trim()))
                        .filter(|l| !l.is_empty())
                        .collect(),
                }
            };
            criteria.push(Criterion {
                name: hamafza_core::account::fix_letters(row.name.trim()),
                weight,
                scale,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let settings = JurySettings {
            mode,
            reviews_per_idea,
            blind: self.blind.is_some(),
            unit_conflict: self.unit_conflict.is_some(),
            criteria,
        };
        service::check_settings(&settings)?;
        Ok(settings)
    }
}

#[derive(Template)]
#[template(path = "juries/stage.html")]
struct StagePage<'a> {
    ctx: &'a Ctx,
    call: Call,
    stage: Stage,
    stage_title: String,
    jury: Option<Jury>,
    form: SettingsForm,
    rows: Vec<CriterionRow>,
    jurors: Vec<Juror>,
    judges_to_add: String,
    ranking: Option<Ranking>,
    labels: HashMap<hamafza_core::ids::IdeaId, IdeaLabel>,
    names: HashMap<hamafza_core::ids::UserId, String>,
    method: Method,
    errors: FormErrors,
    notice: Option<String>,
    /// The schedule form as typed: the end date and the reason.
    end: String,
    reason: String,
    /// Ideas still at the stage (only they can be shortlisted), and the shortlist's proposed size.
    current: std::collections::HashSet<hamafza_core::ids::IdeaId>,
    top_n: usize,
    shortlist_reason: String,
    /// The ideas ticked on a shortlist form that was refused, kept as they were ticked.
    ticked: Option<std::collections::HashSet<String>>,
}

impl StagePage<'_> {
    fn judged(&self) -> bool {
        matches!(
            self.stage.kind,
            StageKind::Shortlisting | StageKind::FinalPresentation
        )
    }

    fn label(&self, id: &hamafza_core::ids::IdeaId) -> Option<&IdeaLabel> {
        self.labels.get(id)
    }

    fn name(&self, id: &hamafza_core::ids::UserId) -> String {
        self.names.get(id).cloned().unwrap_or_default()
    }

    /// A number with `places` decimals as the page's language writes it (Persian: ۱۲٫۵).
    fn decimal(&self, x: f64, places: usize) -> String {
        let s = self.ctx.digits(&format!("{x:.places$}"));
        if self.ctx.is_fa() {
            s.replace('.', "٫")
        } else {
            s
        }
    }

    fn score(&self, v: &Option<f64>) -> String {
        v.map(|x| self.decimal(x, 1)).unwrap_or_else(|| "—".into())
    }

    fn bias(&self, b: &f64) -> String {
        let sign = if *b >= 0.0 { "+" } else { "−" };
        format!("{sign}{}", self.decimal(b.abs(), 1))
    }

    fn corr(&self, v: &Option<f64>) -> String {
        v.map(|x| self.decimal(x, 2)).unwrap_or_else(|| "—".into())
    }

    fn alpha(&self) -> String {
        self.ranking
            .as_ref()
            .and_then(|r| r.reliability.alpha)
            .map(|a| self.decimal(a, 3))
            .unwrap_or_else(|| "—".into())
    }

    fn reading_key(&self) -> String {
        let r = self.ranking.as_ref().and_then(|r| r.reliability.reading);
        format!(
            "jury.reliability.{}",
            r.map_or("none", crate::juries::api::reading_name)
        )
    }

    fn tie_key(&self, t: &Option<hamafza_core::judging::rating::TieBreak>) -> String {
        t.map(|t| format!("jury.tie.{}", crate::juries::api::tie_break_name(t)))
            .unwrap_or_default()
    }

    fn is_current(&self, id: &hamafza_core::ids::IdeaId) -> bool {
        self.current.contains(id)
    }

    /// Whether the idea's box is ticked: as the secretariat left it on a refused form, else
    /// whether it is among the top `top_n` of those still at the stage.
    fn proposed(&self, id: &hamafza_core::ids::IdeaId) -> bool {
        if let Some(ticked) = &self.ticked {
            return self
                .labels
                .get(id)
                .is_some_and(|l| ticked.contains(&l.public_id));
        }
        self.ranking.as_ref().is_some_and(|r| {
            r.places
                .iter()
                .filter(|p| self.current.contains(&p.idea_id))
                .take(self.top_n)
                .any(|p| p.idea_id == *id)
        })
    }

    fn row_kind_is(&self, row: &CriterionRow, kind: &&str) -> bool {
        let k = if row.kind.is_empty() {
            "rubric"
        } else {
            &row.kind
        };
        k == *kind
    }
}

#[derive(Deserialize, Default)]
struct StageQuery {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    assigned: Option<usize>,
    #[serde(default)]
    short: Option<usize>,
    /// The shortlist's proposed size.
    #[serde(default)]
    n: Option<usize>,
    #[serde(default)]
    advanced: Option<usize>,
    #[serde(default)]
    declined: Option<usize>,
}

async fn render_stage<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    managed: ManagedStage,
    form: Option<(SettingsForm, Vec<CriterionRow>)>,
    method: Method,
    errors: FormErrors,
    notice: Option<String>,
) -> AppResult<StagePage<'a>> {
    let (stage, call, _) = managed.into_parts();
    let jury = state.store.jury(stage.id).await?;
    let (form, rows) = form.unwrap_or_else(|| match &jury {
        Some(j) => SettingsForm::of(&j.settings),
        None => SettingsForm::of(&JurySettings {
            mode: Mode::Rubric,
            reviews_per_idea: 3,
            blind: true,
            unit_conflict: true,
            criteria: Vec::new(),
        }),
    });
    let jurors = state.store.jurors(stage.id).await?;
    let ranking = match &jury {
        Some(_) => Some(service::ranking(state, &stage, method).await?),
        None => None,
    };
    let ids: Vec<_> = ranking
        .as_ref()
        .map(|r| r.places.iter().map(|p| p.idea_id).collect())
        .unwrap_or_default();
    let labels = state
        .store
        .idea_labels(&ids)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let names = jurors
        .iter()
        .map(|j| (j.user_id, j.display_name.clone()))
        .collect();
    let stage_ideas = state.store.stage_ideas(stage.id).await?;
    let current: std::collections::HashSet<_> = stage_ideas
        .ideas
        .iter()
        .zip(&stage_ideas.current)
        .filter(|(_, c)| **c)
        .map(|(i, _)| *i)
        .collect();
    let top_n = 19.min(current.len());
    Ok(StagePage {
        ctx,
        stage_title: stage_name(ctx, &stage),
        call,
        stage,
        jury,
        form,
        rows,
        jurors,
        judges_to_add: String::new(),
        ranking,
        labels,
        names,
        method,
        errors,
        notice,
        end: String::new(),
        reason: String::new(),
        current,
        top_n,
        shortlist_reason: String::new(),
        ticked: None,
    })
}

async fn stage_page(
    managed: ManagedStage,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<StageQuery>,
) -> AppResult<Response> {
    let method = q
        .method
        .as_deref()
        .and_then(Method::parse)
        .unwrap_or(Method::Normalized);
    let shortlisted = q.advanced.map(|advanced| {
        ctx.tf(
            "jury.shortlisted_notice",
            &[
                ("advanced", &ctx.num(advanced as i64)),
                ("declined", &ctx.num(q.declined.unwrap_or(0) as i64)),
            ],
        )
    });
    let notice = q.assigned.map(|added| {
        ctx.tf(
            "jury.assigned_notice",
            &[
                ("added", &ctx.num(added as i64)),
                ("short", &ctx.num(q.short.unwrap_or(0) as i64)),
            ],
        )
    });
    let mut page = render_stage(
        &state,
        &ctx,
        managed,
        None,
        method,
        FormErrors::default(),
        notice.or(shortlisted),
    )
    .await?;
    if let Some(n) = q.n {
        page.top_n = n.min(page.current.len());
    }
    html(page)
}

async fn save_settings(
    managed: ManagedStage,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> AppResult<Response> {
    crate::calls::service::writable(managed.call())?;
    let id = managed.stage().id;
    let result = match form.settings() {
        Ok(settings) => {
            if !matches!(
                managed.stage().kind,
                StageKind::Shortlisting | StageKind::FinalPresentation
            ) {
                return Err(AppError::NotFound);
            }
            match service::save_settings(&state, managed.stage(), &settings, managed.by_id()).await
            {
                Ok(()) => Ok(()),
                Err(AppError::Validation(v)) => Err(v),
                Err(e) => return Err(e),
            }
        }
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/secretariat/stages/{id}")).into_response()),
        Err(errors) => {
            let rows = form.rows();
            let rows = {
                let mut r = rows;
                r.resize(CRITERIA_ROWS, CriterionRow::default());
                r
            };
            let page = render_stage(
                &state,
                &ctx,
                managed,
                Some((form, rows)),
                Method::Normalized,
                FormErrors::new(ctx.lang, &errors),
                None,
            )
            .await?;
            rejected(page)
        }
    }
}

#[derive(Deserialize)]
struct JurorsForm {
    #[serde(default)]
    add: String,
    #[serde(default)]
    remove: Option<String>,
}

async fn save_jurors(
    managed: ManagedStage,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<JurorsForm>,
) -> AppResult<Response> {
    crate::calls::service::writable(managed.call())?;
    let id = managed.stage().id;
    if state.store.jury(id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let mut add = Vec::new();
    let mut error = None;
    // Usernames separated by spaces, commas or lines, in any digits.
    for name in form
        .add
        .split(|c: char| c.is_whitespace() || c == ',' || c == '،')
        .filter(|s| !s.is_empty())
    {
        let username = hamafza_persian::digits::to_latin(name).to_lowercase();
        match state.store.user_by_username(&username).await? {
            None => error = Some(FieldError::NoSuchUser),
            Some(u) if !u.has(Role::Judge) => error = Some(FieldError::NotJudge),
            Some(u) => add.push(u.id),
        }
        if error.is_some() {
            break;
        }
    }
    if let Some(e) = error {
        let mut page = render_stage(
            &state,
            &ctx,
            managed,
            None,
            Method::Normalized,
            FormErrors::new(ctx.lang, &[("add", e)]),
            None,
        )
        .await?;
        page.judges_to_add = form.add;
        return rejected(page);
    }
    let remove: Vec<_> = form
        .remove
        .as_deref()
        .and_then(|r| r.parse().ok())
        .map(hamafza_core::ids::UserId::new)
        .into_iter()
        .collect();
    state
        .store
        .set_jurors(id, &add, &remove, Some(managed.by_id()))
        .await?;
    Ok(Redirect::to(&format!("/secretariat/stages/{id}")).into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn assign(
    managed: ManagedStage,
    State(state): State<AppState>,
    CsrfForm(_): CsrfForm<Empty>,
) -> AppResult<Response> {
    crate::calls::service::writable(managed.call())?;
    let jury = state
        .store
        .jury(managed.stage().id)
        .await?
        .ok_or(AppError::NotFound)?;
    let done = service::assign_stage(&state, managed.stage(), &jury, managed.by_id()).await?;
    Ok(Redirect::to(&format!(
        "/secretariat/stages/{}?assigned={}&short={}",
        managed.stage().id,
        done.added,
        done.short
    ))
    .into_response())
}

#[derive(Deserialize)]
struct ScheduleForm {
    /// `open_now` or `end`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    reason: String,
}

async fn reschedule(
    managed: ManagedStage,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ScheduleForm>,
) -> AppResult<Response> {
    let how = if form.action == "open_now" {
        crate::calls::service::StageMove::OpenNow
    } else {
        crate::calls::service::StageMove::EndOn(form.end.clone())
    };
    let id = managed.stage().id;
    let result = crate::calls::service::reschedule(
        &state,
        managed.call(),
        managed.stage(),
        &how,
        &form.reason,
        managed.by_id(),
    )
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/secretariat/stages/{id}")).into_response()),
        Err(AppError::Validation(errors)) => {
            let mut page = render_stage(
                &state,
                &ctx,
                managed,
                None,
                Method::Normalized,
                FormErrors::new(ctx.lang, &errors),
                None,
            )
            .await?;
            page.end = form.end;
            page.reason = form.reason;
            rejected(page)
        }
        Err(e) => Err(e),
    }
}

async fn shortlist(
    managed: ManagedStage,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let method = Method::parse(&get("method")).unwrap_or(Method::Normalized);
    let count = hamafza_persian::digits::to_latin(get("count").trim())
        .parse::<usize>()
        .unwrap_or(0);
    let chosen: Vec<String> = form
        .iter()
        .filter(|(n, _)| n == "chosen")
        .map(|(_, v)| v.clone())
        .collect();
    let reason = get("reason");
    let chosen_kept = chosen.clone();
    let id = managed.stage().id;
    let result = service::shortlist(
        &state,
        managed.stage(),
        managed.call(),
        service::ShortlistInput {
            method,
            count,
            chosen: Some(chosen),
            reason: reason.clone(),
        },
        managed.by_id(),
    )
    .await;
    match result {
        Ok(done) => Ok(Redirect::to(&format!(
            "/secretariat/stages/{id}?advanced={}&declined={}",
            done.advanced, done.declined
        ))
        .into_response()),
        Err(AppError::Validation(errors)) => {
            let mut page = render_stage(
                &state,
                &ctx,
                managed,
                None,
                method,
                FormErrors::new(ctx.lang, &errors),
                None,
            )
            .await?;
            page.top_n = count.min(page.current.len());
            page.shortlist_reason = reason;
            page.ticked = Some(chosen_kept.into_iter().collect());
            rejected(page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "juries/compare.html")]
struct ComparePage<'a> {
    ctx: &'a Ctx,
    stage_id: StageId,
    stage_title: String,
    pair: Option<(
        hamafza_store::access::PairIdea,
        hamafza_store::access::PairIdea,
    )>,
    compared: usize,
    open: bool,
    errors: FormErrors,
}

impl ComparePage<'_> {
    /// Each idea of the pair with the other: the form under each names it the winner.
    fn sides(
        &self,
    ) -> Vec<(
        &hamafza_store::access::PairIdea,
        &hamafza_store::access::PairIdea,
    )> {
        match &self.pair {
            Some((a, b)) => vec![(a, b), (b, a)],
            None => Vec::new(),
        }
    }
}

async fn render_compare(
    state: &AppState,
    ctx: &Ctx,
    judged: &JudgedStage,
    errors: FormErrors,
) -> AppResult<Response> {
    let (pair, compared) = service::next_pair(state, judged).await?;
    let page = ComparePage {
        ctx,
        stage_id: judged.stage().id,
        stage_title: stage_name(ctx, judged.stage()),
        pair,
        compared,
        open: judged.jury().settings.mode == Mode::Pairwise
            && judged.stage().is_open_at(hamafza_store::now()),
        errors,
    };
    if page.errors.is_empty() {
        html(page)
    } else {
        rejected(page)
    }
}

async fn compare_page(
    judged: JudgedStage,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    render_compare(&state, &ctx, &judged, FormErrors::default()).await
}

#[derive(Deserialize)]
struct CompareForm {
    #[serde(default)]
    winner: String,
    #[serde(default)]
    loser: String,
}

async fn compare(
    judged: JudgedStage,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<CompareForm>,
) -> AppResult<Response> {
    match service::compare(&state, &judged, &form.winner, &form.loser).await {
        Ok(()) => Ok(
            Redirect::to(&format!("/judging/stages/{}/compare", judged.stage().id)).into_response(),
        ),
        Err(AppError::Validation(errors)) => {
            render_compare(&state, &ctx, &judged, FormErrors::new(ctx.lang, &errors)).await
        }
        Err(e) => Err(e),
    }
}

/// Saves the review form as a draft while the judge works (htmx posts it a moment after each
/// change) and answers the line that says so. A submitted review is left as it is: its changes
/// count when the judge submits again.
async fn autosave(
    assigned: AssignedIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    let submitted = assigned
        .idea()
        .review
        .as_ref()
        .is_some_and(|r| r.submitted_at.is_some());
    if submitted {
        return Ok(
            axum::response::Html(escape_text(ctx.t("jury.autosave_submitted"))).into_response(),
        );
    }
    let typed = read_form(&form, assigned.jury().settings.criteria.len());
    let line = match save_typed(&state, &assigned, &typed, false).await {
        Ok(()) => ctx.tf(
            "jury.autosaved",
            &[("time", &ctx.datetime(hamafza_store::now()))],
        ),
        Err(AppError::Validation(errors)) => FormErrors::new(ctx.lang, &errors)
            .get(errors[0].0)
            .unwrap_or_default()
            .to_string(),
        Err(e) => return Err(e),
    };
    Ok(axum::response::Html(escape_text(&line)).into_response())
}

/// Text as HTML (the autosave line is a fragment, not a template).
fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
