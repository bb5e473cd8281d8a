//! Results' rules, shared by the editor page and the API: who may be awarded (the finalists),
//! what makes a set of awards valid, and when results may be published.

use crate::AppState;
use crate::http::error::{AppError, AppResult};
use hamafza_core::account::{FieldError, FieldErrors};
use hamafza_core::call::Call;
use hamafza_core::idea::{Idea, IdeaStatus};
use hamafza_core::ids::{IdeaId, UserId};
use hamafza_store::ideas::InboxQuery;
use hamafza_store::results::Award;

/// The ideas results may award: those accepted at the furthest stage any idea of the call
/// reached (the 19 of round 2, not the 157 accepted in screening), page after page of the
/// inbox's keyset cursor so the 501st is as possible as the first. Empty before any acceptance.
pub async fn finalists(state: &AppState, call: &Call) -> AppResult<Vec<Idea>> {
    let Some(stage) = state.store.finalist_stage(call.id).await? else {
        return Ok(Vec::new());
    };
    let mut q = InboxQuery {
        status: Some(IdeaStatus::Accepted),
        stage: Some(stage),
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

/// An award to store: the idea, the award and its rank.
pub type ValidAward = (IdeaId, Award, i64);

/// The awards that were refused, by their index in the input, with every reason for each.
pub type RefusedAwards = Vec<(usize, FieldErrors)>;

/// One award as typed: the idea, the award and the rank (in any digits), before it is checked.
pub struct AwardInput {
    pub idea_id: IdeaId,
    pub award: Award,
    pub rank: String,
}

/// Checks `awards` against the finalists: each idea must be one, each rank a whole number from 1,
/// and no two ideas may share an award and a rank. Returns the awards to store, or every reason
/// they cannot be, each with the index of the award it is about.
pub fn check_awards(
    finalists: &[Idea],
    awards: &[AwardInput],
) -> Result<Vec<ValidAward>, RefusedAwards> {
    let mut valid: Vec<ValidAward> = Vec::new();
    let mut bad = Vec::new();
    for (n, a) in awards.iter().enumerate() {
        let mut errors = FieldErrors::new();
        if !finalists.iter().any(|i| i.id == a.idea_id) {
            errors.push(("idea_id", FieldError::NotFinalist));
        } else if valid.iter().any(|v| v.0 == a.idea_id) {
            // One award per idea: a second would print two certificates for one idea.
            errors.push(("idea_id", FieldError::Taken));
        }
        match hamafza_persian::digits::to_latin(a.rank.trim()).parse::<i64>() {
            Ok(rank) if rank >= 1 => {
                if valid.iter().any(|v| v.1 == a.award && v.2 == rank) {
                    errors.push(("rank", FieldError::RankTaken));
                } else if errors.is_empty() {
                    valid.push((a.idea_id, a.award, rank));
                }
            }
            _ => errors.push(("rank", FieldError::Rank)),
        }
        if !errors.is_empty() {
            bad.push((n, errors));
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    // Each award's ranks run 1, 2, 3…: a lone winner at rank 5 would read as four missing.
    for award in [Award::Winner, Award::JuryChoice] {
        let mut ranks: Vec<i64> = valid.iter().filter(|v| v.1 == award).map(|v| v.2).collect();
        ranks.sort_unstable();
        if let Some(n) = ranks.iter().zip(1..).position(|(r, want)| *r != want) {
            let at = awards
                .iter()
                .position(|a| a.award == award && a.rank.trim() == ranks[n].to_string())
                .unwrap_or(0);
            bad.push((at, vec![("rank", FieldError::RankGap)]));
        }
    }
    if bad.is_empty() { Ok(valid) } else { Err(bad) }
}

/// Replaces the call's awards. Results already public cannot be emptied this way: the public page
/// would announce that nobody won ([`AppError::ResultsRefused`]).
pub async fn save(
    state: &AppState,
    call: &Call,
    awards: &[ValidAward],
    actor: UserId,
) -> AppResult<()> {
    crate::calls::service::writable(call)?;
    if awards.is_empty() && call.results_published_at.is_some() {
        return Err(AppError::ResultsRefused(
            hamafza_core::call::ResultsBlocker::NoAwards,
        ));
    }
    state
        .store
        .set_results(call.id, awards, Some(actor))
        .await?;
    Ok(())
}

/// Makes the call's results public, unless nothing is awarded or a submission stage has not
/// ended ([`AppError::ResultsRefused`], 409).
pub async fn publish(state: &AppState, call: &Call, actor: UserId) -> AppResult<()> {
    crate::calls::service::writable(call)?;
    let awards = state.store.results(call.id).await?.len();
    if let Some(why) = call.results_blocker(awards, hamafza_store::now()) {
        return Err(AppError::ResultsRefused(why));
    }
    state.store.publish_results(call.id, Some(actor)).await?;
    Ok(())
}
