//! Results over the API: the finalists, the awards, publishing, and the published results.

use crate::AppState;
use crate::access::{ManagedCall, ResultsCall};
use crate::http::error::{AppError, AppResult, Problem};
use crate::http::extract::ApiJson;
use crate::results::service::{self, AwardInput};
use axum::Json;
use axum::extract::State;
use hamafza_core::account::FieldError;
use hamafza_core::call::Call;
use hamafza_store::results::{Award, ResultRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(call_results, set_results))
        .routes(routes!(list_finalists))
        .routes(routes!(publish_results))
}

#[derive(Serialize, ToSchema)]
pub struct ResultOut {
    /// `winner` or `jury_choice`.
    pub award: String,
    /// 1 for the first of its award.
    pub rank: i64,
    /// The idea's public id.
    pub idea_id: String,
    pub title: String,
    /// The author's name (the account's, or the one a paper form gave).
    pub author: Option<String>,
    pub unit: Option<String>,
    /// Everyone else the award honours: accepted teammates, then the authors of duplicates
    /// merged into the idea.
    pub credited: Vec<String>,
}

impl From<ResultRow> for ResultOut {
    fn from(r: ResultRow) -> Self {
        ResultOut {
            award: r.award.as_str().into(),
            rank: r.rank,
            idea_id: r.idea_public_id,
            title: r.title,
            author: r.author,
            unit: r.unit,
            credited: r.credited,
        }
    }
}

async fn results_of(state: &AppState, call: &Call) -> AppResult<Vec<ResultOut>> {
    let rows = state.store.results(call.id).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A call's results: winners by rank, then the jury's choice. 404 until published (the
/// secretariat may preview).
#[utoipa::path(get, path = "/calls/{id}/results", tag = "results", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ResultOut>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn call_results(
    seen: ResultsCall,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<ResultOut>>> {
    Ok(Json(results_of(&state, seen.call()).await?))
}

#[derive(Serialize, ToSchema)]
pub struct FinalistOut {
    /// The idea's public id, to name in an award.
    pub idea_id: String,
    pub tracking_code: String,
    pub title: String,
    /// The position (in the call's `stages`) of the stage the finalists reached.
    pub stage_position: i64,
}

/// The ideas results may award: those accepted at the furthest stage any idea of the call
/// reached. Empty before any idea is accepted.
#[utoipa::path(get, path = "/calls/{id}/results/finalists", tag = "results", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<FinalistOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_finalists(
    managed: ManagedCall,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<FinalistOut>>> {
    let ideas = service::finalists(&state, managed.call()).await?;
    Ok(Json(
        ideas
            .into_iter()
            .map(|i| FinalistOut {
                idea_id: i.public_id,
                tracking_code: i.tracking_code,
                title: i.title,
                stage_position: i.stage_position,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AwardIn {
    /// A finalist's public id.
    pub idea_id: String,
    /// `winner` or `jury_choice`.
    pub award: String,
    /// From 1; unique within the award.
    pub rank: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct ResultsIn {
    /// Every award; what is not listed is no longer awarded. An empty list clears the results.
    pub awards: Vec<AwardIn>,
}

/// Replace the call's awards (the secretariat). Each idea must be a finalist, and each award's
/// ranks run 1, 2, 3… without gaps; every invalid field is reported at once. Public results
/// change at once, and cannot be emptied (409). Answers the results as
/// they now stand (a preview until published).
#[utoipa::path(put, path = "/calls/{id}/results", tag = "results", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ResultsIn,
    responses((status = 200, body = Vec<ResultOut>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn set_results(
    managed: ManagedCall,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ResultsIn>,
) -> AppResult<Json<Vec<ResultOut>>> {
    let (call, actor) = managed.into_parts();
    let ideas = service::finalists(&state, &call).await?;
    let mut errors = Vec::new();
    let mut inputs = Vec::new();
    for a in &input.awards {
        let idea = ideas.iter().find(|i| i.public_id == a.idea_id);
        let award = Award::parse(&a.award);
        match (idea, award) {
            (Some(i), Some(award)) => inputs.push(AwardInput {
                idea_id: i.id,
                award,
                rank: a.rank.to_string(),
            }),
            (i, award) => {
                if i.is_none() {
                    errors.push(("idea_id", FieldError::NotFinalist));
                }
                if a.rank < 1 {
                    errors.push(("rank", FieldError::Rank));
                }
                if award.is_none() {
                    errors.push(("award", FieldError::Unknown));
                }
            }
        }
    }
    match service::check_awards(&ideas, &inputs) {
        Ok(awards) if errors.is_empty() => {
            service::save(&state, &call, &awards, actor.id).await?;
            Ok(Json(results_of(&state, &call).await?))
        }
        checked => {
            errors.extend(checked.err().into_iter().flatten().flat_map(|(_, e)| e));
            Err(AppError::Validation(errors))
        }
    }
}

/// Make the call's results public (the secretariat). 409 while nothing is awarded or a
/// submission stage has not ended; the detail says which. Answers the published results.
#[utoipa::path(post, path = "/calls/{id}/results/publish", tag = "results", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ResultOut>),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn publish_results(
    managed: ManagedCall,
    State(state): State<AppState>,
) -> AppResult<Json<Vec<ResultOut>>> {
    let (call, actor) = managed.into_parts();
    service::publish(&state, &call, actor.id).await?;
    Ok(Json(results_of(&state, &call).await?))
}
