//! Juries over the API: a stage's jury settings, judges and assignments and its ranking (the
//! secretariat); a judge's own assignments, blind, their reviews and passing an idea on.

use crate::AppState;
use crate::access::{AssignedIdea, Judge, JudgedStage, ManagedStage};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::{ApiJson, ApiQuery};
use crate::juries::service::{self, Method, ReviewInput};
use axum::Json;
use axum::extract::State;
use hamafza_core::Role;
use hamafza_core::account::FieldError;
use hamafza_core::judging::criteria::{Criterion, Scale};
use hamafza_core::judging::jury::{JurySettings, Mode};
use hamafza_core::judging::rating::TieBreak;
use hamafza_core::judging::reliability::Reading;
use hamafza_core::time::UnixSeconds;
use hamafza_store::access::{BlindIdea, JurorAssignment};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_jury, put_jury))
        .routes(routes!(put_jurors))
        .routes(routes!(assign_ideas))
        .routes(routes!(stage_ranking))
        .routes(routes!(my_assignments))
        .routes(routes!(get_assignment))
        .routes(routes!(pass_on_assignment))
        .routes(routes!(save_review))
        .routes(routes!(shortlist_stage))
        .routes(routes!(next_pair))
        .routes(routes!(add_comparison))
}

/// A criterion's scale: `{"kind": "range", "min": 1, "max": 10}` or
/// `{"kind": "rubric", "levels": ["…", "…"]}` (level 1 first).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScaleIo {
    Range { min: i32, max: i32 },
    Rubric { levels: Vec<String> },
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CriterionIo {
    pub name: String,
    /// Relative weight, 1 to 100.
    pub weight: u32,
    pub scale: ScaleIo,
}

#[derive(Deserialize, ToSchema)]
pub struct JuryIn {
    /// `rubric` or `pairwise`.
    pub mode: String,
    /// Judges per idea, 1 to 10.
    pub reviews_per_idea: u32,
    /// Hide the authors from the judges.
    pub blind: bool,
    /// A judge of the same org unit as an author or teammate has a conflict of interest.
    #[serde(default = "yes")]
    pub unit_conflict: bool,
    #[serde(default)]
    pub criteria: Vec<CriterionIo>,
}

fn yes() -> bool {
    true
}

#[derive(Serialize, ToSchema)]
pub struct JurorOut {
    pub username: String,
    pub display_name: String,
    /// Open assignments, and how many of them are reviewed.
    pub assigned: i64,
    pub done: i64,
    pub comparisons: i64,
}

#[derive(Serialize, ToSchema)]
pub struct JuryOut {
    pub stage_id: hamafza_core::ids::StageId,
    pub mode: String,
    pub reviews_per_idea: u32,
    pub blind: bool,
    pub unit_conflict: bool,
    pub criteria: Vec<CriterionIo>,
    /// A review was submitted or a comparison made: mode and criteria are fixed.
    pub started: bool,
    pub jurors: Vec<JurorOut>,
}

fn criterion_out(c: &Criterion) -> CriterionIo {
    CriterionIo {
        name: c.name.clone(),
        weight: c.weight,
        scale: match &c.scale {
            Scale::Range { min, max } => ScaleIo::Range {
                min: *min,
                max: *max,
            },
            Scale::Rubric { levels } => ScaleIo::Rubric {
                levels: levels.clone(),
            },
        },
    }
}

async fn jury_out(state: &AppState, stage: hamafza_core::ids::StageId) -> AppResult<JuryOut> {
    let jury = state.store.jury(stage).await?.ok_or(AppError::NotFound)?;
    let jurors = state.store.jurors(stage).await?;
    Ok(JuryOut {
        stage_id: stage,
        mode: jury.settings.mode.as_str().into(),
        reviews_per_idea: jury.settings.reviews_per_idea,
        blind: jury.settings.blind,
        unit_conflict: jury.settings.unit_conflict,
        criteria: jury.settings.criteria.iter().map(criterion_out).collect(),
        started: jury.started,
        jurors: jurors
            .into_iter()
            .map(|j| JurorOut {
                username: j.username,
                display_name: j.display_name,
                assigned: j.assigned,
                done: j.done,
                comparisons: j.comparisons,
            })
            .collect(),
    })
}

/// A judged stage's jury: settings, criteria and judges with their progress (the secretariat).
/// 404 until the stage has a jury.
#[utoipa::path(get, path = "/stages/{id}/jury", tag = "juries", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The stage's id, from the call's `stages[].id`")),
    responses((status = 200, body = JuryOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_jury(
    managed: ManagedStage,
    State(state): State<AppState>,
) -> AppResult<Json<JuryOut>> {
    Ok(Json(jury_out(&state, managed.stage().id).await?))
}

/// Set a stage's jury (the secretariat). Once a review was submitted or a comparison made, the
/// mode and criteria are fixed (422 on `criteria`); the rest may change.
#[utoipa::path(put, path = "/stages/{id}/jury", tag = "juries", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = JuryIn,
    responses((status = 200, body = JuryOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn put_jury(
    managed: ManagedStage,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<JuryIn>,
) -> AppResult<Json<JuryOut>> {
    let (stage, call, by) = managed.into_parts();
    crate::calls::service::writable(&call)?;
    if !matches!(
        stage.kind,
        hamafza_core::call::StageKind::Shortlisting
            | hamafza_core::call::StageKind::FinalPresentation
    ) {
        return Err(AppError::Validation(vec![("stage", FieldError::Unknown)]));
    }
    let mode = Mode::parse(&input.mode)
        .ok_or(AppError::Validation(vec![("mode", FieldError::Unknown)]))?;
    let settings = JurySettings {
        mode,
        reviews_per_idea: input.reviews_per_idea,
        blind: input.blind,
        unit_conflict: input.unit_conflict,
        criteria: input
            .criteria
            .into_iter()
            .map(|c| Criterion {
                name: hamafza_core::account::fix_letters(c.name.trim()),
                weight: c.weight,
                scale: match c.scale {
                    ScaleIo::Range { min, max } => Scale::Range { min, max },
                    ScaleIo::Rubric { levels } => Scale::Rubric {
                        levels: levels
                            .iter()
                            .map(|l| hamafza_core::account::fix_letters(l.trim()))
                            .collect(),
                    },
                },
            })
            .collect(),
    };
    service::save_settings(&state, &stage, &settings, by.id).await?;
    Ok(Json(jury_out(&state, stage.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct JurorsIn {
    /// Usernames to add; each must hold the judge role.
    #[serde(default)]
    pub add: Vec<String>,
    /// Usernames to take off (their open assignments without a review are withdrawn).
    #[serde(default)]
    pub remove: Vec<String>,
}

/// Add judges to or take them off a stage's jury (the secretariat). An unknown username is a
/// 422 `NoSuchUser`, one without the judge role `NotJudge`; nothing changes then.
#[utoipa::path(put, path = "/stages/{id}/jurors", tag = "juries", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = JurorsIn,
    responses((status = 200, body = JuryOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn put_jurors(
    managed: ManagedStage,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<JurorsIn>,
) -> AppResult<Json<JuryOut>> {
    let (stage, call, by) = managed.into_parts();
    crate::calls::service::writable(&call)?;
    if state.store.jury(stage.id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let mut add = Vec::new();
    for name in &input.add {
        let user = state
            .store
            .user_by_username(&hamafza_persian::digits::to_latin(name.trim()).to_lowercase())
            .await?
            .ok_or(AppError::Validation(vec![("add", FieldError::NoSuchUser)]))?;
        if !user.has(Role::Judge) {
            return Err(AppError::Validation(vec![("add", FieldError::NotJudge)]));
        }
        add.push(user.id);
    }
    let mut remove = Vec::new();
    for name in &input.remove {
        let user = state
            .store
            .user_by_username(&hamafza_persian::digits::to_latin(name.trim()).to_lowercase())
            .await?
            .ok_or(AppError::Validation(vec![(
                "remove",
                FieldError::NoSuchUser,
            )]))?;
        remove.push(user.id);
    }
    state
        .store
        .set_jurors(stage.id, &add, &remove, Some(by.id))
        .await?;
    Ok(Json(jury_out(&state, stage.id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct AssignedOut {
    /// New (idea, judge) assignments.
    pub added: usize,
    /// Ideas still short of judges: too few judges free of a conflict of interest.
    pub short: usize,
}

/// Assign the stage's ideas to its judges (the secretariat): each idea up to the jury's reviews
/// per idea, the work spread evenly, each judge's list in an order of its own, never to an
/// author, teammate, a judge of their unit (when the jury says so) or a judge who had it
/// before. Running it again only fills gaps (new ideas, new judges, ideas passed on).
#[utoipa::path(post, path = "/stages/{id}/assignments", tag = "juries", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AssignedOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn assign_ideas(
    managed: ManagedStage,
    State(state): State<AppState>,
) -> AppResult<Json<AssignedOut>> {
    let (stage, call, by) = managed.into_parts();
    crate::calls::service::writable(&call)?;
    let jury = state
        .store
        .jury(stage.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let done = service::assign_stage(&state, &stage, &jury, by.id).await?;
    Ok(Json(AssignedOut {
        added: done.added,
        short: done.short,
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingParams {
    /// `mean`, `normalized` (the default: judges' leniency taken out) or `pairwise`.
    pub method: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedOut {
    /// The idea's public id.
    pub idea_id: String,
    pub tracking_code: String,
    pub title: String,
    /// 1, 2, 3… with no shared places.
    pub rank: u32,
    /// What the ranking sorts by: `raw_mean`, `normalized` (0–100) or the pairwise
    /// log-strength.
    pub score: Option<f64>,
    pub raw_mean: Option<f64>,
    pub normalized: Option<f64>,
    /// Bradley–Terry maximum-likelihood log-strength, centred to mean 0; only when the
    /// comparison graph is strongly connected.
    pub bt_log_strength: Option<f64>,
    /// The score's 95% interval.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Reviews (rubric) or comparisons (pairwise) behind the score.
    pub reviews: u32,
    /// Set when the score equals the idea's above: `fewer_judgments`, `lower_raw_mean` or
    /// `later` (submitted later).
    pub tie_break: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReliabilityOut {
    /// Krippendorff's alpha, interval metric; null under two ideas with two reviews.
    pub krippendorff_alpha: Option<f64>,
    /// `reliable` (α ≥ 0.8), `tentative` (≥ 0.667) or `unreliable`.
    pub reading: Option<String>,
    /// The same in words, in the caller's language.
    pub explanation: String,
    /// Reviews that count: those of ideas with at least two.
    pub pairable: usize,
}

#[derive(Serialize, ToSchema)]
pub struct JudgeStandingOut {
    pub username: String,
    pub reviews: u32,
    /// Points (0–100 scale) above (+) or below (−) the other judges on the same ideas.
    pub bias: f64,
    /// Correlation with the other judges' consensus on the same ideas.
    pub correlation: Option<f64>,
    /// Scores far from the rest of the jury: worth a look by the secretariat.
    pub far_from_consensus: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RankingOut {
    pub method: String,
    pub ideas: Vec<RankedOut>,
    pub reliability: ReliabilityOut,
    pub judges: Vec<JudgeStandingOut>,
    /// Pairwise: whether every idea is connected both ways through comparisons; when not, the
    /// maximum-likelihood strengths do not exist and the ranking uses a weak prior instead.
    pub strongly_connected: Option<bool>,
    pub components: Option<usize>,
}

pub fn tie_break_name(t: TieBreak) -> &'static str {
    match t {
        TieBreak::FewerJudgments => "fewer_judgments",
        TieBreak::LowerRawMean => "lower_raw_mean",
        TieBreak::Later => "later",
    }
}

pub fn reading_name(r: Reading) -> &'static str {
    match r {
        Reading::Reliable => "reliable",
        Reading::Tentative => "tentative",
        Reading::Unreliable => "unreliable",
    }
}

/// A judged stage's ranking with its reliability and each judge's standing (the secretariat).
/// Judges never see it.
#[utoipa::path(get, path = "/stages/{id}/ranking", tag = "juries", security(("bearer" = [])),
    params(("id" = i64, Path), RankingParams),
    responses((status = 200, body = RankingOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn stage_ranking(
    managed: ManagedStage,
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiQuery(params): ApiQuery<RankingParams>,
) -> AppResult<Json<RankingOut>> {
    let stage = managed.stage();
    let method = match params.method.as_deref() {
        None | Some("") => Method::Normalized,
        Some(m) => {
            Method::parse(m).ok_or(AppError::Validation(vec![("method", FieldError::Unknown)]))?
        }
    };
    let ranking = service::ranking(&state, stage, method).await?;
    let ids: Vec<_> = ranking.places.iter().map(|p| p.idea_id).collect();
    let labels: HashMap<_, _> = state
        .store
        .idea_labels(&ids)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let mut names = HashMap::new();
    for j in state.store.jurors(stage.id).await? {
        names.insert(j.user_id, j.username);
    }
    let lang = crate::http::view::lang_of(&headers);
    let reading = ranking.reliability.reading;
    Ok(Json(RankingOut {
        method: method.as_str().into(),
        ideas: ranking
            .places
            .iter()
            .map(|p| {
                let label = labels.get(&p.idea_id);
                RankedOut {
                    idea_id: label.map(|l| l.public_id.clone()).unwrap_or_default(),
                    tracking_code: label.map(|l| l.tracking_code.clone()).unwrap_or_default(),
                    title: label.map(|l| l.title.clone()).unwrap_or_default(),
                    rank: p.rank,
                    score: p.score,
                    raw_mean: p.raw_mean,
                    normalized: p.normalized,
                    bt_log_strength: p.bt_log_strength,
                    ci_low: p.ci_low,
                    ci_high: p.ci_high,
                    reviews: p.reviews,
                    tie_break: p.tie_break.map(|t| tie_break_name(t).into()),
                }
            })
            .collect(),
        reliability: ReliabilityOut {
            krippendorff_alpha: ranking.reliability.alpha,
            reading: reading.map(|r| reading_name(r).into()),
            explanation: lang
                .t(&format!(
                    "jury.reliability.{}",
                    reading.map_or("none", reading_name)
                ))
                .into(),
            pairable: ranking.reliability.pairable,
        },
        judges: ranking
            .judges
            .iter()
            .map(|j| JudgeStandingOut {
                username: names.get(&j.user_id).cloned().unwrap_or_default(),
                reviews: j.reviews,
                bias: j.bias,
                correlation: j.correlation,
                far_from_consensus: j.far_from_consensus,
            })
            .collect(),
        strongly_connected: ranking.strongly_connected,
        components: ranking.components,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentOut {
    /// The assignment's id: what the judge's URLs and reviews carry (never the idea's).
    pub id: String,
    pub stage_id: hamafza_core::ids::StageId,
    /// The judge's reading order within the stage, from 1.
    pub position: i64,
    pub title: String,
    pub axis: String,
    /// The judge's review: `none`, `draft` or `submitted`.
    pub review_state: String,
    /// When the stage closes (reviews are frozen then).
    pub stage_ends_at: UnixSeconds,
}

impl From<JurorAssignment> for AssignmentOut {
    fn from(a: JurorAssignment) -> Self {
        AssignmentOut {
            id: a.public_id,
            stage_id: a.stage_id,
            position: a.position,
            title: a.title,
            axis: a.axis_title,
            review_state: a.review,
            stage_ends_at: a.stage_ends_at,
        }
    }
}

/// The caller's open assignments as a judge, stage by stage in their reading order. Only what
/// a blind review may show: no author, unit or idea id.
#[utoipa::path(get, path = "/judging/assignments", tag = "juries", security(("bearer" = [])),
    responses((status = 200, body = Vec<AssignmentOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn my_assignments(
    judge: Judge,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<AssignmentOut>>> {
    let list = state.store.as_juror(judge.id).assignments().await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentRefOut {
    /// The attachment's id.
    pub id: String,
    pub mime: String,
    pub size: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewOut {
    /// One level per criterion, in order; null where a draft has none yet.
    pub scores: Vec<Option<i32>>,
    /// For the authors.
    pub comment: String,
    /// For the secretariat only.
    pub note: String,
    pub submitted_at: Option<UnixSeconds>,
}

#[derive(Serialize, ToSchema)]
pub struct AssignedIdeaOut {
    #[serde(flatten)]
    pub assignment: AssignmentOut,
    /// `open`, `skipped`, `conflict` or `withdrawn`.
    pub state: String,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
    /// Attachments by number; their names are not shown to judges.
    pub attachments: Vec<AttachmentRefOut>,
    /// Names of the author and teammates: only when the jury is not blind.
    pub authors: Option<Vec<String>>,
    pub criteria: Vec<CriterionIo>,
    pub review: Option<ReviewOut>,
}

async fn assigned_out(state: &AppState, assigned: &AssignedIdea) -> AppResult<AssignedIdeaOut> {
    let idea: &BlindIdea = assigned.idea();
    let authors = if assigned.jury().settings.blind {
        None
    } else {
        Some(
            state
                .store
                .as_juror(assigned.judge_id())
                .authors(idea)
                .await?,
        )
    };
    Ok(AssignedIdeaOut {
        assignment: idea.assignment.clone().into(),
        state: idea.assignment.state.clone(),
        problem: idea.problem.clone(),
        solution: idea.solution.clone(),
        benefits: idea.benefits.clone(),
        resources: idea.resources.clone(),
        attachments: idea
            .attachments
            .iter()
            .map(|(id, mime, size)| AttachmentRefOut {
                id: id.clone(),
                mime: mime.clone(),
                size: *size,
            })
            .collect(),
        authors,
        criteria: assigned
            .jury()
            .settings
            .criteria
            .iter()
            .map(criterion_out)
            .collect(),
        review: idea.review.as_ref().map(|r| ReviewOut {
            scores: r.scores.clone(),
            comment: r.comment.clone(),
            note: r.note.clone(),
            submitted_at: r.submitted_at,
        }),
    })
}

/// One of the caller's assignments with the idea as a judge may read it, the criteria and the
/// judge's review so far. Another judge's assignment is 404.
#[utoipa::path(get, path = "/judging/assignments/{id}", tag = "juries", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AssignedIdeaOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_assignment(
    assigned: AssignedIdea,
    State(state): State<AppState>,
) -> AppResult<Json<AssignedIdeaOut>> {
    Ok(Json(assigned_out(&state, &assigned).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct PassOnIn {
    /// True to declare a conflict of interest (a reason is then required); false to skip.
    #[serde(default)]
    pub conflict: bool,
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct PassedOnOut {
    /// Whether another judge took the idea over (false when none is free of conflict: the
    /// secretariat is shown the idea as short of judges).
    pub reassigned: bool,
}

/// Pass an assignment on: skip it, or declare a conflict of interest with a reason. The idea
/// goes to another judge and never comes back to the caller. A reviewed one cannot be passed on.
#[utoipa::path(post, path = "/judging/assignments/{id}/pass", tag = "juries", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PassOnIn,
    responses((status = 200, body = PassedOnOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn pass_on_assignment(
    assigned: AssignedIdea,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<PassOnIn>,
) -> AppResult<Json<PassedOnOut>> {
    let reassigned = service::pass_on(&state, &assigned, input.conflict, &input.reason).await?;
    Ok(Json(PassedOnOut { reassigned }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReviewIn {
    /// The assignment's id (`GET /judging/assignments`).
    pub assignment: String,
    /// One level per criterion, in order; null for not chosen yet (a draft only).
    pub scores: Vec<Option<i32>>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub note: String,
    /// True to submit (every criterion scored); false saves a draft.
    #[serde(default)]
    pub submit: bool,
}

/// Save a review of one of the caller's assignments as a draft, or submit it. A submitted review
/// may be changed until the stage closes, then it is frozen. Scores off the scale, a missing
/// score on submission, or a closed stage are 422 and nothing changes.
#[utoipa::path(post, path = "/reviews", tag = "juries", security(("bearer" = [])),
    request_body = ReviewIn,
    responses((status = 200, body = AssignedIdeaOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn save_review(
    judge: Judge,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ReviewIn>,
) -> AppResult<Json<AssignedIdeaOut>> {
    let assigned = AssignedIdea::load(&state, judge, &input.assignment).await?;
    service::save_review(
        &state,
        &assigned,
        ReviewInput {
            scores: input.scores,
            comment: input.comment,
            note: input.note,
            submit: input.submit,
        },
    )
    .await?;
    // Read again: the answer shows what was stored.
    let (idea, _, judge) = assigned.into_parts();
    let fresh = AssignedIdea::load(&state, judge, &idea.assignment.public_id).await?;
    Ok(Json(assigned_out(&state, &fresh).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ShortlistIn {
    /// The ranking to shortlist from: `normalized` (the default), `mean` or `pairwise`.
    #[serde(default)]
    pub method: Option<String>,
    /// How many ideas move on, e.g. 19; the ranking's top `count` is the proposal.
    pub count: usize,
    /// The ideas chosen (public ids), when they differ from the top `count`; omit to take it.
    #[serde(default)]
    pub chosen: Option<Vec<String>>,
    /// Why, required when `chosen` differs from the ranking's top `count`.
    #[serde(default)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ShortlistOut {
    /// Ideas that moved on to the next stage.
    pub advanced: usize,
    /// Ideas turned down, each told with the jury's comments for it.
    pub declined: usize,
    /// Ideas put in against the ranking, and taken out (public ids).
    pub included: Vec<String>,
    pub excluded: Vec<String>,
}

/// Shortlist a judged stage from its ranking (the secretariat): the chosen ideas move on, the
/// rest are turned down with the jury's comments, in one step; the ranking's top `count`, every
/// deviation and its reason are audited. 422 for a deviation without a reason, an id that is not
/// an idea at the stage, a size out of range, or a stage already shortlisted.
#[utoipa::path(post, path = "/stages/{id}/shortlist", tag = "juries", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ShortlistIn,
    responses((status = 200, body = ShortlistOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn shortlist_stage(
    managed: ManagedStage,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ShortlistIn>,
) -> AppResult<Json<ShortlistOut>> {
    let (stage, call, by) = managed.into_parts();
    let method = match input.method.as_deref() {
        None | Some("") => Method::Normalized,
        Some(m) => {
            Method::parse(m).ok_or(AppError::Validation(vec![("method", FieldError::Unknown)]))?
        }
    };
    let done = service::shortlist(
        &state,
        &stage,
        &call,
        service::ShortlistInput {
            method,
            count: input.count,
            chosen: input.chosen,
            reason: input.reason,
        },
        by.id,
    )
    .await?;
    Ok(Json(ShortlistOut {
        advanced: done.advanced,
        declined: done.declined,
        included: done.included,
        excluded: done.excluded,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PairIdeaOut {
    /// The idea's public id: what a comparison names.
    pub id: String,
    pub title: String,
    pub axis: String,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
}

impl From<hamafza_store::access::PairIdea> for PairIdeaOut {
    fn from(i: hamafza_store::access::PairIdea) -> Self {
        PairIdeaOut {
            id: i.public_id,
            title: i.title,
            axis: i.axis_title,
            problem: i.problem,
            solution: i.solution,
            benefits: i.benefits,
            resources: i.resources,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PairOut {
    /// The two ideas to compare, or null when the caller has compared every pair they may.
    pub pair: Option<Vec<PairIdeaOut>>,
    /// Pairs the caller has compared in this stage.
    pub compared: usize,
}

async fn pair_out(state: &AppState, judged: &JudgedStage) -> AppResult<PairOut> {
    let (pair, compared) = service::next_pair(state, judged).await?;
    Ok(PairOut {
        pair: pair.map(|(a, b)| vec![a.into(), b.into()]),
        compared,
    })
}

/// The next pair for the caller to compare in a pairwise stage whose jury they sit on: the most
/// informative pair, never an idea they have a conflict with, nor a pair they compared. Blind:
/// no author, unit or tracking code.
#[utoipa::path(get, path = "/stages/{id}/pair", tag = "juries", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = PairOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn next_pair(
    judged: JudgedStage,
    State(state): State<AppState>,
) -> AppResult<Json<PairOut>> {
    Ok(Json(pair_out(&state, &judged).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ComparisonIn {
    /// The better idea's id (from `GET /stages/{id}/pair`).
    pub winner: String,
    pub loser: String,
}

/// Record that the caller picked `winner` over `loser`, and get the next pair. 422 for the same
/// idea twice, an idea not at the stage, one the caller has a conflict with, or a stage that is
/// not pairwise or not open; nothing is recorded then.
#[utoipa::path(post, path = "/stages/{id}/comparisons", tag = "juries", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ComparisonIn,
    responses((status = 201, body = PairOut),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn add_comparison(
    judged: JudgedStage,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ComparisonIn>,
) -> AppResult<(axum::http::StatusCode, Json<PairOut>)> {
    service::compare(&state, &judged, &input.winner, &input.loser).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(pair_out(&state, &judged).await?),
    ))
}
