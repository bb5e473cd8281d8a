//! Juries, shared by pages and API: settings from what was typed, assigning a stage's ideas to
//! its judges without conflicts, a judge's review and skip, and the stage's ranking.

use crate::AppState;
use crate::access::{AssignedIdea, JudgedStage};
use crate::http::error::{AppError, AppResult};
use hamafza_core::account::{FieldError, FieldErrors};
use hamafza_core::call::Stage;
use hamafza_core::ids::{IdeaId, UserId};
use hamafza_core::judging::assign;
use hamafza_core::judging::criteria::{self, CriteriaError, ScoreError};
use hamafza_core::judging::jury::{JurySettings, Mode, SettingsError};
use hamafza_core::judging::pairwise::{self, Comparison};
use hamafza_core::judging::rating::{Rating, TieBreak};
use hamafza_core::judging::reliability::Reliability;
use hamafza_store::StoreError;
use hamafza_store::access::{PairIdea, ReviewDraft};
use hamafza_store::juries::{Ending, Jury};
use std::collections::{HashMap, HashSet};

/// Longest comment for the authors, private note and skip reason, in characters.
pub const COMMENT_MAX: usize = 4000;
pub const REASON_MAX: usize = 500;

/// Maps settings errors to the field they concern (`criteria` for all criterion errors; the
/// message names the rule).
pub fn check_settings(settings: &JurySettings) -> Result<(), FieldErrors> {
    settings.check().map_err(|e| {
        let error = match e {
            SettingsError::ReviewsPerIdea => ("reviews_per_idea", FieldError::ReviewsPerIdea),
            SettingsError::Criteria(c) => (
                "criteria",
                match c {
                    CriteriaError::None => FieldError::Required,
                    CriteriaError::TooMany => FieldError::TooLong(criteria::MAX_CRITERIA),
                    CriteriaError::Name(_) => FieldError::TooLong(criteria::NAME_MAX),
                    CriteriaError::Repeated(_) => FieldError::Taken,
                    CriteriaError::Weight(_) => FieldError::Weight,
                    CriteriaError::Range(_) => FieldError::ScaleRange,
                    CriteriaError::Levels(_) => FieldError::Levels,
                },
            ),
        };
        vec![error]
    })
}

/// Saves a stage's jury settings; once judging started, a change of mode or criteria is a 422
/// on `criteria`.
pub async fn save_settings(
    state: &AppState,
    stage: &Stage,
    settings: &JurySettings,
    actor: UserId,
) -> AppResult<()> {
    check_settings(settings).map_err(AppError::Validation)?;
    match state.store.save_jury(stage.id, settings, Some(actor)).await {
        Err(StoreError::Conflict(w)) if w == "started" => Err(AppError::Validation(vec![(
            "criteria",
            FieldError::Started,
        )])),
        r => Ok(r?),
    }
}

/// What one assigning run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    /// New (idea, judge) pairs.
    pub added: usize,
    /// Ideas still short of judges, for want of judges free of conflict.
    pub short: usize,
}

/// Brings every idea of the stage up to its jury's reviews per idea, spreading the work and
/// never giving an idea to its author, a teammate, a judge of their unit (when the jury says
/// so), or a judge who had it before (skipped, declared a conflict, was withdrawn). Running it
/// again after new ideas or judges arrive only fills the gaps.
pub async fn assign_stage(
    state: &AppState,
    stage: &Stage,
    jury: &Jury,
    actor: UserId,
) -> AppResult<Assigned> {
    let ideas = state.store.stage_ideas(stage.id).await?;
    let jurors = state.store.jurors(stage.id).await?;
    let existing = state.store.stage_assignments(stage.id).await?;
    let idea_index: HashMap<IdeaId, usize> = ideas
        .ideas
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let judge_index: HashMap<UserId, usize> = jurors
        .iter()
        .enumerate()
        .map(|(j, u)| (u.user_id, j))
        .collect();
    let k = jury.settings.reviews_per_idea as usize;
    // Ideas that moved on or were turned down keep their reviews and get no new judges.
    let mut need: Vec<usize> = ideas
        .current
        .iter()
        .map(|&now| if now { k } else { 0 })
        .collect();
    let mut load = vec![0u32; jurors.len()];
    let mut taken: HashSet<(usize, usize)> = HashSet::new();
    for a in &existing {
        let (Some(&i), Some(&j)) = (idea_index.get(&a.idea_id), judge_index.get(&a.judge_id))
        else {
            continue;
        };
        taken.insert((i, j));
        if a.state == "open" {
            need[i] = need[i].saturating_sub(1);
            load[j] += 1;
        }
    }
    let eligible = |i: usize, j: usize| {
        let judge = &jurors[j];
        let same_unit = jury.settings.unit_conflict
            && judge
                .org_unit_id
                .is_some_and(|u| ideas.units[i].contains(&u));
        !taken.contains(&(i, j)) && !ideas.people[i].contains(&judge.user_id) && !same_unit
    };
    // The thread's generator is not `Send`: it lives only in this block, before any await.
    let plan = {
        let mut rng = rand::rng();
        assign::assign(&need, jurors.len(), &load, eligible, &mut rng)
    };
    // Each judge's new ideas in their shuffled order.
    let mut pairs: Vec<(IdeaId, UserId)> = Vec::new();
    for (j, items) in plan.order.iter().enumerate() {
        for &i in items {
            pairs.push((ideas.ideas[i], jurors[j].user_id));
        }
    }
    state.store.assign(stage.id, &pairs, Some(actor)).await?;
    Ok(Assigned {
        added: pairs.len(),
        short: plan.short.len(),
    })
}

/// A review as typed: one level per criterion (`None` not chosen yet), the comment for the
/// authors and the note for the secretariat.
pub struct ReviewInput {
    pub scores: Vec<Option<i32>>,
    pub comment: String,
    pub note: String,
    pub submit: bool,
}

/// Saves a judge's review of their assignment as a draft, or submits it (every criterion
/// scored, each on its scale). Errors name the field: `scores` (`Required`, `OutOfScale`),
/// `comment`/`note` (`TooLong`); a closed stage or an ended assignment is `Closed`.
pub async fn save_review(
    state: &AppState,
    assigned: &AssignedIdea,
    input: ReviewInput,
) -> AppResult<()> {
    let criteria = &assigned.jury().settings.criteria;
    if assigned.jury().settings.mode != Mode::Rubric {
        return Err(AppError::Validation(vec![("scores", FieldError::Closed)]));
    }
    let mut errors: FieldErrors = Vec::new();
    if input.scores.len() != criteria.len()
        || input
            .scores
            .iter()
            .zip(criteria)
            .any(|(s, c)| s.is_some_and(|v| !c.scale.contains(v)))
    {
        errors.push(("scores", FieldError::OutOfScale));
    } else if input.submit && input.scores.iter().any(Option::is_none) {
        errors.push(("scores", FieldError::Required));
    }
    let comment = hamafza_core::account::fix_letters(input.comment.trim());
    let note = hamafza_core::account::fix_letters(input.note.trim());
    if comment.chars().count() > COMMENT_MAX {
        errors.push(("comment", FieldError::TooLong(COMMENT_MAX)));
    }
    if note.chars().count() > COMMENT_MAX {
        errors.push(("note", FieldError::TooLong(COMMENT_MAX)));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let overall = if input.submit {
        let scores: Vec<i32> = input.scores.iter().map(|s| s.unwrap_or_default()).collect();
        Some(criteria::overall(criteria, &scores).map_err(|e| match e {
            ScoreError::Count(..) | ScoreError::OutOfScale { .. } => {
                AppError::Validation(vec![("scores", FieldError::OutOfScale)])
            }
        })?)
    } else {
        None
    };
    let draft = ReviewDraft {
        scores: input.scores,
        comment,
        note,
        submitted_at: None,
    };
    let viewer = state.store.as_juror(assigned.judge_id());
    match viewer
        .save_review(assigned.idea().assignment_id, &draft, overall)
        .await
    {
        Err(StoreError::Conflict(_)) => {
            Err(AppError::Validation(vec![("scores", FieldError::Closed)]))
        }
        r => Ok(r?),
    }
}

/// The judge passes an assignment on — skipping it, or declaring a conflict of interest with a
/// reason — and the idea goes to the least-loaded other judge free of conflict (never back to
/// this one). Returns whether someone took it over. A reviewed assignment cannot be passed on.
pub async fn pass_on(
    state: &AppState,
    assigned: &AssignedIdea,
    conflict: bool,
    reason: &str,
) -> AppResult<bool> {
    let reason = hamafza_core::account::fix_letters(reason.trim());
    if conflict && reason.is_empty() {
        return Err(AppError::Validation(vec![("reason", FieldError::Required)]));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::Validation(vec![(
            "reason",
            FieldError::TooLong(REASON_MAX),
        )]));
    }
    if assigned.idea().assignment.state != "open" {
        return Err(AppError::Validation(vec![("reason", FieldError::Closed)]));
    }
    let stage_id = assigned.idea().assignment.stage_id;
    let idea_id = assigned.idea().idea_id;
    let ideas = state.store.stage_ideas(stage_id).await?;
    let jurors = state.store.jurors(stage_id).await?;
    let existing = state.store.stage_assignments(stage_id).await?;
    let on_it: Vec<usize> = existing
        .iter()
        .filter(|a| a.idea_id == idea_id)
        .filter_map(|a| jurors.iter().position(|j| j.user_id == a.judge_id))
        .collect();
    let me = jurors.iter().position(|j| j.user_id == assigned.judge_id());
    let load: Vec<u32> = jurors.iter().map(|j| j.assigned as u32).collect();
    let place = ideas.ideas.iter().position(|i| *i == idea_id);
    let unit_conflict = assigned.jury().settings.unit_conflict;
    let eligible = |_: usize, j: usize| {
        let Some(i) = place else { return false };
        let judge = &jurors[j];
        let same_unit = unit_conflict
            && judge
                .org_unit_id
                .is_some_and(|u| ideas.units[i].contains(&u));
        !ideas.people[i].contains(&judge.user_id) && !same_unit
    };
    let excluded: Vec<usize> = me.into_iter().collect();
    let replacement = {
        let mut rng = rand::rng();
        assign::replacement(0, &on_it, &excluded, &load, eligible, &mut rng)
            .map(|j| jurors[j].user_id)
    };
    let ending = if conflict {
        Ending::Conflict
    } else {
        Ending::Skipped
    };
    match state
        .store
        .end_assignment(
            assigned.idea().assignment_id,
            ending,
            &reason,
            replacement,
            Some(assigned.judge_id()),
        )
        .await
    {
        Err(StoreError::Conflict(_)) => {
            Err(AppError::Validation(vec![("reason", FieldError::Closed)]))
        }
        r => {
            r?;
            Ok(replacement.is_some())
        }
    }
}

pub use hamafza_core::judging::ranking::Method;

/// One idea's place in a stage's ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub idea_id: IdeaId,
    pub rank: u32,
    /// What the ranking sorts by (the method's score).
    pub score: Option<f64>,
    pub raw_mean: Option<f64>,
    pub normalized: Option<f64>,
    /// Maximum-likelihood log-strength, when the comparison graph is strongly connected.
    pub bt_log_strength: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Reviews (rubric) or comparisons (pairwise) behind the score.
    pub reviews: u32,
    pub tie_break: Option<TieBreak>,
}

/// A judge's standing with the jury (rubric mode).
#[derive(Debug, Clone, PartialEq)]
pub struct JudgeStanding {
    pub user_id: UserId,
    pub reviews: u32,
    /// Points above (positive) or below the other judges on the same ideas.
    pub bias: f64,
    pub correlation: Option<f64>,
    pub far_from_consensus: bool,
}

/// A stage's ranking with its reliability.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub method: Method,
    pub places: Vec<Ranked>,
    pub reliability: Reliability,
    pub judges: Vec<JudgeStanding>,
    /// Pairwise: whether the comparison graph is strongly connected, and its components.
    pub strongly_connected: Option<bool>,
    pub components: Option<usize>,
}

/// The judgments of a stage as the ranking reads them: its ideas (in submission order), the
/// submitted reviews of open assignments and the comparisons, on dense indices.
pub struct StageJudgments {
    pub ideas: Vec<IdeaId>,
    /// Judges of `ratings`, by index.
    pub judges: Vec<UserId>,
    pub ratings: Vec<Rating>,
    pub comparisons: Vec<Comparison>,
}

/// Reads a stage's judgments from the store.
pub async fn stage_judgments(
    store: &hamafza_store::Store,
    stage: hamafza_core::ids::StageId,
) -> hamafza_store::StoreResult<StageJudgments> {
    let ideas = store.stage_ideas(stage).await?.ideas;
    let reviews = store.stage_reviews(stage).await?;
    let stored = store.stage_comparisons(stage).await?;
    Ok(judgments_of(
        ideas,
        reviews.iter().map(|r| (r.idea_id, r.judge_id, r.overall)),
        stored.iter().map(|c| (c.winner_id, c.loser_id, c.judge_id)),
    ))
}

/// Puts `(idea, judge, overall)` reviews and `(winner, loser, judge)` comparisons of `ideas` on
/// dense indices; judgments of other ideas are left out.
pub fn judgments_of(
    ideas: Vec<IdeaId>,
    reviews: impl Iterator<Item = (IdeaId, UserId, f64)>,
    comparisons: impl Iterator<Item = (IdeaId, IdeaId, UserId)>,
) -> StageJudgments {
    let index: HashMap<IdeaId, usize> = ideas.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    fn judge_of(u: UserId, judges: &mut Vec<UserId>) -> usize {
        match judges.iter().position(|x| *x == u) {
            Some(j) => j,
            None => {
                judges.push(u);
                judges.len() - 1
            }
        }
    }
    let mut judges = Vec::new();
    let ratings = reviews
        .filter_map(|(idea, judge, score)| {
            Some(Rating {
                item: *index.get(&idea)?,
                judge: judge_of(judge, &mut judges),
                score,
            })
        })
        .collect();
    let mut pair_judges = Vec::new();
    let comparisons = comparisons
        .filter_map(|(w, l, judge)| {
            Some(Comparison {
                winner: *index.get(&w)?,
                loser: *index.get(&l)?,
                judge: judge_of(judge, &mut pair_judges),
            })
        })
        .collect();
    StageJudgments {
        ideas,
        judges,
        ratings,
        comparisons,
    }
}

/// Computes the ranking of a stage's ideas by `method` from the submitted reviews (of open
/// assignments) or the comparisons. Every idea of the stage is ranked; an idea with no
/// judgment comes last.
pub async fn ranking(state: &AppState, stage: &Stage, method: Method) -> AppResult<Ranking> {
    let j = stage_judgments(&state.store, stage.id).await?;
    let ranked = hamafza_core::judging::ranking::rank(
        j.ideas.len(),
        j.judges.len(),
        &j.ratings,
        &j.comparisons,
        method,
    );
    let standings = j
        .judges
        .iter()
        .enumerate()
        .map(|(k, u)| JudgeStanding {
            user_id: *u,
            reviews: ranked.fit.judges[k].reviews,
            bias: ranked.fit.bias[k],
            correlation: ranked.fit.judges[k].correlation,
            far_from_consensus: ranked.fit.judges[k].far_from_consensus,
        })
        .collect();
    Ok(Ranking {
        method,
        places: ranked
            .places
            .iter()
            .map(|p| Ranked {
                idea_id: j.ideas[p.item],
                rank: p.rank,
                score: p.score,
                raw_mean: p.raw_mean,
                normalized: p.normalized,
                bt_log_strength: p.bt_log_strength,
                ci_low: p.ci_low,
                ci_high: p.ci_high,
                reviews: p.judgments,
                tie_break: p.tie_break,
            })
            .collect(),
        reliability: ranked.reliability,
        judges: standings,
        strongly_connected: ranked.strengths.as_ref().map(|bt| bt.mle),
        components: ranked.strengths.as_ref().map(|bt| bt.components),
    })
}

/// What the secretariat decided: the shortlist's size `count` (the ranking's top `count` is the
/// proposal) and, when it deviates, the ideas chosen instead (public ids) and why.
pub struct ShortlistInput {
    pub method: Method,
    pub count: usize,
    /// The chosen ideas; `None` takes the top `count` as they are.
    pub chosen: Option<Vec<String>>,
    pub reason: String,
}

/// What shortlisting did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortlisted {
    pub advanced: usize,
    pub declined: usize,
    /// Ideas the secretariat put in against the ranking, and took out.
    pub included: Vec<String>,
    pub excluded: Vec<String>,
}

/// Shortlists a judged stage from its ranking (only ideas still at the stage count): the chosen
/// move on to the next stage, the rest are turned down with the jury's comments for them, in one
/// transaction; the ranking's top `count`, every deviation from it and the reason are audited
/// (`jury.shortlist`). A deviation needs a reason (`reason`); a chosen id that is not an idea at
/// the stage is `NoSuchIdea` on `chosen`; a stage with nothing left is `Shortlisted`.
pub async fn shortlist(
    state: &AppState,
    stage: &Stage,
    call: &hamafza_core::call::Call,
    input: ShortlistInput,
    actor: UserId,
) -> AppResult<Shortlisted> {
    crate::calls::service::writable(call)?;
    let ideas = state.store.stage_ideas(stage.id).await?;
    let current: HashSet<IdeaId> = ideas
        .ideas
        .iter()
        .zip(&ideas.current)
        .filter(|(_, c)| **c)
        .map(|(i, _)| *i)
        .collect();
    if current.is_empty() {
        return Err(AppError::Validation(vec![(
            "count",
            FieldError::Shortlisted,
        )]));
    }
    if input.count == 0 || input.count > current.len() {
        return Err(AppError::Validation(vec![(
            "count",
            FieldError::ShortlistSize,
        )]));
    }
    let ranking = ranking(state, stage, input.method).await?;
    let order: Vec<IdeaId> = ranking
        .places
        .iter()
        .map(|p| p.idea_id)
        .filter(|i| current.contains(i))
        .collect();
    let labels: HashMap<IdeaId, hamafza_store::juries::IdeaLabel> = state
        .store
        .idea_labels(&order)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let public = |i: &IdeaId| {
        labels
            .get(i)
            .map(|l| l.public_id.clone())
            .unwrap_or_default()
    };
    let top: Vec<IdeaId> = order[..input.count].to_vec();
    let chosen: Vec<IdeaId> = match &input.chosen {
        None => top.clone(),
        Some(ids) => {
            let by_public: HashMap<&str, IdeaId> = labels
                .values()
                .map(|l| (l.public_id.as_str(), l.id))
                .collect();
            let mut out = Vec::new();
            for id in ids {
                match by_public.get(id.trim()) {
                    Some(i) if !out.contains(i) => out.push(*i),
                    Some(_) => {}
                    None => {
                        return Err(AppError::Validation(vec![(
                            "chosen",
                            FieldError::NoSuchIdea,
                        )]));
                    }
                }
            }
            if out.is_empty() {
                return Err(AppError::Validation(vec![(
                    "count",
                    FieldError::ShortlistSize,
                )]));
            }
            // In the ranking's order.
            order.iter().filter(|i| out.contains(i)).copied().collect()
        }
    };
    let included: Vec<IdeaId> = chosen
        .iter()
        .filter(|i| !top.contains(i))
        .copied()
        .collect();
    let excluded: Vec<IdeaId> = top
        .iter()
        .filter(|i| !chosen.contains(i))
        .copied()
        .collect();
    let reason = hamafza_core::account::fix_letters(input.reason.trim());
    if (!included.is_empty() || !excluded.is_empty()) && reason.is_empty() {
        return Err(AppError::Validation(vec![("reason", FieldError::Required)]));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::Validation(vec![(
            "reason",
            FieldError::TooLong(REASON_MAX),
        )]));
    }

    // The jury's comments for each declined idea's authors, without the judges' names.
    let mut comments: HashMap<IdeaId, Vec<String>> = HashMap::new();
    for r in state.store.stage_reviews(stage.id).await? {
        if !r.comment.trim().is_empty() {
            comments.entry(r.idea_id).or_default().push(r.comment);
        }
    }
    let mut advance = Vec::new();
    let mut decline = Vec::new();
    for id in &order {
        let idea = state.store.idea(*id).await?;
        if chosen.contains(id) {
            advance.push(idea);
        } else {
            let mut message = format!("ایدهٔ شما در مرحلهٔ «{}» برگزیده نشد.", stage_label(stage));
            if let Some(cs) = comments.get(id) {
                message.push_str("\n\nنظر داوران:");
                for c in cs {
                    message.push_str("\n- ");
                    message.push_str(c);
                }
            }
            decline.push((idea, message));
        }
    }
    let record = serde_json::json!({
        "method": input.method.as_str(),
        "count": input.count,
        "top": top.iter().map(&public).collect::<Vec<_>>(),
        "chosen": chosen.iter().map(&public).collect::<Vec<_>>(),
        "included": included.iter().map(&public).collect::<Vec<_>>(),
        "excluded": excluded.iter().map(&public).collect::<Vec<_>>(),
        "reason": reason,
    });
    let kinds: Vec<_> = call.stages.iter().map(|s| s.kind).collect();
    match state
        .store
        .shortlist(stage.id, &kinds, &advance, &decline, record, Some(actor))
        .await
    {
        Err(StoreError::Conflict(_)) => {
            return Err(AppError::Validation(vec![("count", FieldError::Changed)]));
        }
        r => r?,
    }
    Ok(Shortlisted {
        advanced: advance.len(),
        declined: decline.len(),
        included: included.iter().map(&public).collect(),
        excluded: excluded.iter().map(&public).collect(),
    })
}

/// A stage's title, or its kind's Persian name (for messages to authors, which are stored).
fn stage_label(stage: &Stage) -> String {
    if stage.title.trim().is_empty() {
        match stage.kind {
            hamafza_core::call::StageKind::FinalPresentation => "ارائهٔ نهایی".into(),
            _ => "داوری و گزینش".into(),
        }
    } else {
        stage.title.clone()
    }
}

/// A pairwise stage as one judge may compare it: the ideas still at the stage (local indices),
/// which of them the judge has a conflict with, the pairs they compared, and everyone's
/// comparisons as the model's input.
struct PairwiseView {
    ideas: Vec<IdeaId>,
    conflicted: Vec<bool>,
    mine: HashSet<(usize, usize)>,
    comparisons: Vec<Comparison>,
}

async fn pairwise_view(state: &AppState, judged: &JudgedStage) -> AppResult<PairwiseView> {
    let stage = judged.stage();
    let all = state.store.stage_ideas(stage.id).await?;
    let me = judged.judge_id();
    let judge = state.store.user(me).await?;
    let unit_conflict = judged.jury().settings.unit_conflict;
    let mut ideas = Vec::new();
    let mut conflicted = Vec::new();
    for (i, id) in all.ideas.iter().enumerate() {
        if !all.current[i] {
            continue;
        }
        ideas.push(*id);
        let same_unit =
            unit_conflict && judge.org_unit_id.is_some_and(|u| all.units[i].contains(&u));
        conflicted.push(all.people[i].contains(&me) || same_unit);
    }
    let index: HashMap<IdeaId, usize> = ideas.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut judges: Vec<UserId> = Vec::new();
    let mut mine = HashSet::new();
    let mut comparisons = Vec::new();
    for c in state.store.stage_comparisons(stage.id).await? {
        let (Some(&w), Some(&l)) = (index.get(&c.winner_id), index.get(&c.loser_id)) else {
            continue;
        };
        let judge = match judges.iter().position(|j| *j == c.judge_id) {
            Some(j) => j,
            None => {
                judges.push(c.judge_id);
                judges.len() - 1
            }
        };
        if c.judge_id == me {
            mine.insert((w.min(l), w.max(l)));
        }
        comparisons.push(Comparison {
            winner: w,
            loser: l,
            judge,
        });
    }
    Ok(PairwiseView {
        ideas,
        conflicted,
        mine,
        comparisons,
    })
}

/// The next pair for the judge, the most informative (see `pairwise::next_pair`), never an idea
/// they have a conflict with nor a pair they compared; `None` when none is left. Also the number
/// of pairs the judge has compared in the stage.
pub async fn next_pair(
    state: &AppState,
    judged: &JudgedStage,
) -> AppResult<(Option<(PairIdea, PairIdea)>, usize)> {
    let view = pairwise_view(state, judged).await?;
    let fit = pairwise::bradley_terry(view.ideas.len(), &view.comparisons);
    let compared = |a: usize, b: usize| {
        view.conflicted[a] || view.conflicted[b] || view.mine.contains(&(a.min(b), a.max(b)))
    };
    let pair = {
        let mut rng = rand::rng();
        pairwise::next_pair(&fit, compared, &mut rng)
    };
    let Some((a, b)) = pair else {
        return Ok((None, view.mine.len()));
    };
    let mut shown = state
        .store
        .as_juror(judged.judge_id())
        .stage_ideas(judged.stage().id, &[view.ideas[a], view.ideas[b]])
        .await?;
    if shown.len() != 2 {
        return Ok((None, view.mine.len()));
    }
    let second = shown.pop().expect("two");
    let first = shown.pop().expect("two");
    Ok((Some((first, second)), view.mine.len()))
}

/// Records the judge's pick of `winner` over `loser` (public ids). Errors name the field: the
/// same idea twice (`loser`: `SameIdea`), an idea not at the stage (`NoSuchIdea`), one the judge
/// has a conflict with (`Conflicted`), a stage that is not pairwise or not open (`winner`:
/// `Closed`).
pub async fn compare(
    state: &AppState,
    judged: &JudgedStage,
    winner: &str,
    loser: &str,
) -> AppResult<()> {
    let stage = judged.stage();
    if judged.jury().settings.mode != Mode::Pairwise || !stage.is_open_at(hamafza_store::now()) {
        return Err(AppError::Validation(vec![("winner", FieldError::Closed)]));
    }
    if winner.trim() == loser.trim() {
        return Err(AppError::Validation(vec![("loser", FieldError::SameIdea)]));
    }
    let view = pairwise_view(state, judged).await?;
    let labels = state.store.idea_labels(&view.ideas).await?;
    let find = |public: &str, field: &'static str| -> AppResult<usize> {
        let missing = || AppError::Validation(vec![(field, FieldError::NoSuchIdea)]);
        let id = labels
            .iter()
            .find(|l| l.public_id == public.trim())
            .map(|l| l.id)
            .ok_or_else(missing)?;
        let i = view
            .ideas
            .iter()
            .position(|x| *x == id)
            .ok_or_else(missing)?;
        if view.conflicted[i] {
            return Err(AppError::Validation(vec![(field, FieldError::Conflicted)]));
        }
        Ok(i)
    };
    let (w, l) = (find(winner, "winner")?, find(loser, "loser")?);
    state
        .store
        .add_comparison(stage.id, judged.judge_id(), view.ideas[w], view.ideas[l])
        .await?;
    Ok(())
}

/// How a stage's ranking replayed from the audit log compares with the stored one.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// Audit entries about the stage read, and the judgments rebuilt from them.
    pub entries: usize,
    pub reviews: usize,
    pub comparisons: usize,
    /// Per method: whether the replayed ranking is the stored one (same order, scores within
    /// 1e-9), and the first place where they differ, if any.
    pub methods: Vec<(Method, bool, Option<u32>)>,
    /// The stored ranking's ideas in order (normalized).
    pub top: Vec<IdeaId>,
}

/// Recomputes a stage's ranking from the audit log alone — the reviews as submitted
/// (`review.submit`, the latest per idea and judge, less those withdrawn by `jury.reassign`) and
/// the comparisons (`comparison.add`) — and compares it with the ranking from the stored
/// reviews and comparisons, by every method.
pub async fn replay(
    store: &hamafza_store::Store,
    stage: hamafza_core::ids::StageId,
) -> hamafza_store::StoreResult<Replay> {
    let live = stage_judgments(store, stage).await?;
    let entries = store.audit_for("stage", &stage.to_string()).await?;
    let mut reviews: std::collections::BTreeMap<(IdeaId, UserId), f64> = Default::default();
    let mut comparisons: Vec<(IdeaId, IdeaId, UserId)> = Vec::new();
    let id = |v: &serde_json::Value| v.as_i64();
    for e in &entries {
        let data: serde_json::Value = serde_json::from_str(&e.data).unwrap_or_default();
        match e.action.as_str() {
            "review.submit" => {
                if let (Some(i), Some(j), Some(o)) = (
                    id(&data["idea_id"]),
                    id(&data["judge_id"]),
                    data["overall"].as_f64(),
                ) {
                    reviews.insert((IdeaId::new(i), UserId::new(j)), o);
                }
            }
            "jury.reassign" if data["ending"] == "withdrawn" => {
                if let (Some(i), Some(j)) = (id(&data["idea_id"]), id(&data["judge_id"])) {
                    reviews.remove(&(IdeaId::new(i), UserId::new(j)));
                }
            }
            "comparison.add" => {
                if let (Some(w), Some(l), Some(j)) = (
                    id(&data["winner"]),
                    id(&data["loser"]),
                    id(&data["judge_id"]),
                ) {
                    comparisons.push((IdeaId::new(w), IdeaId::new(l), UserId::new(j)));
                }
            }
            _ => {}
        }
    }
    // In the stored order (by idea, then judge), so both fits add the same numbers in the same
    // order.
    let replayed = judgments_of(
        live.ideas.clone(),
        reviews.iter().map(|((i, j), o)| (*i, *j, *o)),
        comparisons.iter().copied(),
    );
    let mut methods = Vec::new();
    let mut top = Vec::new();
    for method in Method::ALL {
        let rank = |j: &StageJudgments| {
            hamafza_core::judging::ranking::rank(
                j.ideas.len(),
                j.judges.len(),
                &j.ratings,
                &j.comparisons,
                method,
            )
        };
        let (a, b) = (rank(&live), rank(&replayed));
        let differs = a.places.iter().zip(&b.places).find(|(x, y)| {
            x.item != y.item
                || match (x.score, y.score) {
                    (Some(s), Some(t)) => (s - t).abs() > 1e-9,
                    (None, None) => false,
                    _ => true,
                }
        });
        if method == Method::Normalized {
            top = a.places.iter().map(|p| live.ideas[p.item]).collect();
        }
        methods.push((method, differs.is_none(), differs.map(|(x, _)| x.rank)));
    }
    Ok(Replay {
        entries: entries.len(),
        reviews: replayed.ratings.len(),
        comparisons: replayed.comparisons.len(),
        methods,
        top,
    })
}
