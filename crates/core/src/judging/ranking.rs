//! A stage's ranking from its judgments, by one of three methods — the one function the web's
//! ranking page and the audit-log replay (`hamafza ranking replay`) both call, so a replay that
//! matches proves the stored ranking came from the logged judgments.

use super::Z95;
use super::pairwise::{self, Comparison, Strengths};
use super::rating::{self, Fit, Rating, Standing, TieBreak};
use super::reliability::{self, Reliability};

/// How a stage's ideas are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The plain mean of the reviews' overall scores.
    Mean,
    /// The mean with each judge's leniency or harshness taken out (see [`rating`]).
    Normalized,
    /// Bradley–Terry on the pairwise comparisons (see [`pairwise`]).
    Pairwise,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Normalized, Method::Mean, Method::Pairwise];

    pub fn parse(s: &str) -> Option<Method> {
        match s.trim() {
            "mean" => Some(Method::Mean),
            "normalized" => Some(Method::Normalized),
            "pairwise" => Some(Method::Pairwise),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Mean => "mean",
            Method::Normalized => "normalized",
            Method::Pairwise => "pairwise",
        }
    }
}

/// One item's place, with everything the ranking page shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub item: usize,
    pub rank: u32,
    /// What the ranking sorts by (the method's score); `None` without a judgment.
    pub score: Option<f64>,
    pub raw_mean: Option<f64>,
    pub normalized: Option<f64>,
    /// Maximum-likelihood log-strength, when the comparison graph is strongly connected.
    pub bt_log_strength: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Reviews (rubric) or comparisons (pairwise) behind the score.
    pub judgments: u32,
    pub tie_break: Option<TieBreak>,
}

/// A stage's ranking by one method, with the rubric fit and agreement behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRanking {
    pub method: Method,
    pub places: Vec<Placed>,
    pub fit: Fit,
    pub reliability: Reliability,
    /// Pairwise only.
    pub strengths: Option<Strengths>,
}

/// Ranks `items` ideas (indices in submission order) judged by `judges` judges by `method`.
pub fn rank(
    items: usize,
    judges: usize,
    ratings: &[Rating],
    comparisons: &[Comparison],
    method: Method,
) -> StageRanking {
    let fit = rating::fit(items, judges, ratings);
    let reliability = reliability::krippendorff_interval(items, ratings);
    let (scores, margins, counts, strengths) = match method {
        Method::Mean => {
            // The interval of a plain mean uses the same pooled spread as the fit.
            let margins = (0..items)
                .map(|i| {
                    (fit.reviews[i] > 0).then(|| Z95 * fit.sigma / f64::from(fit.reviews[i]).sqrt())
                })
                .collect();
            (fit.raw_mean.clone(), margins, fit.reviews.clone(), None)
        }
        Method::Normalized => (
            fit.normalized.clone(),
            fit.margin.clone(),
            fit.reviews.clone(),
            None,
        ),
        Method::Pairwise => {
            let bt = pairwise::bradley_terry(items, comparisons);
            let scores = bt.log_strength.iter().map(|s| Some(*s)).collect();
            (scores, bt.margin.clone(), bt.comparisons.clone(), Some(bt))
        }
    };
    let standings: Vec<Standing> = (0..items)
        .map(|i| Standing {
            score: if counts[i] > 0 { scores[i] } else { None },
            judgments: counts[i],
            raw_mean: fit.raw_mean[i],
        })
        .collect();
    let places = rating::rank(&standings)
        .into_iter()
        .map(|p| {
            let i = p.item;
            let score = standings[i].score;
            let margin: Option<f64> = margins[i];
            Placed {
                item: i,
                rank: p.rank,
                score,
                raw_mean: fit.raw_mean[i],
                normalized: fit.normalized[i],
                bt_log_strength: strengths
                    .as_ref()
                    .filter(|bt| bt.mle)
                    .map(|bt| bt.log_strength[i]),
                ci_low: score.zip(margin).map(|(s, m)| s - m),
                ci_high: score.zip(margin).map(|(s, m)| s + m),
                judgments: counts[i],
                tie_break: p.tie_break,
            }
        })
        .collect();
    StageRanking {
        method,
        places,
        fit,
        reliability,
        strengths,
    }
}
