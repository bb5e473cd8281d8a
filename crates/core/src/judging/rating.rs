//! Rubric mode: from each judge's overall scores to one score per idea.
//!
//! ## The model (why "normalized" is fairer than the raw mean)
//! Each idea reaches only `k` of the judges, so a harsh or lenient judge moves the raw mean of
//! exactly the ideas they happened to get. We fit an additive model by least squares:
//!
//! ```text
//! score(idea i, judge j) = a_i + b_j + noise
//! ```
//!
//! `a_i` is the idea's score with the judges' leniency taken out (the *normalized* score, on the
//! same 0–100 scale as the reviews) and `b_j` is judge `j`'s bias: how many points above the
//! other judges they score the same ideas. Minimised is `Σ (score − a_i − b_j)² + λ Σ b_j²`; the
//! small ridge term `λ` ([`BIAS_PRIOR`]) says a judge is unbiased until their reviews show
//! otherwise — it makes the fit unique even when two groups of judges share no idea, and keeps a
//! judge with two reviews from being declared harsh. The fit is by alternating exact updates
//! (each step solves for all `a` given `b`, then all `b` given `a`), which converges for this
//! convex problem.
//!
//! We chose the additive fit over per-judge z-scores because z-scores assume every judge saw a
//! sample of ideas of the same quality: a judge who happened to get the weaker ideas would be
//! "corrected" upwards. The additive fit compares judges only on what they both judged, through
//! the ideas they share.
//!
//! Uncertainty: the residual standard deviation `σ` pooled over all reviews, and for each idea
//! `σ / √reviews` (the uncertainty of the biases is left out, which narrows the interval a little).

use super::Z95;

/// A judge's overall score of an idea (0–100, see [`super::criteria::overall`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rating {
    pub item: usize,
    pub judge: usize,
    pub score: f64,
}

/// The ridge penalty λ on judge biases, in reviews: a judge's bias is shrunk as if they had also
/// given this many reviews exactly in line with the others.
pub const BIAS_PRIOR: f64 = 2.0;

/// A judge whose scores correlate with the other judges' less than this, over at least
/// [`CONSENSUS_MIN_REVIEWS`] shared ideas, is flagged to the secretariat.
pub const CONSENSUS_MIN_CORRELATION: f64 = 0.2;
pub const CONSENSUS_MIN_REVIEWS: u32 = 5;

/// The fitted model. Vectors are indexed by item or judge; an item nobody reviewed has `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub raw_mean: Vec<Option<f64>>,
    pub normalized: Vec<Option<f64>>,
    /// Half the width of the 95% interval around `normalized`.
    pub margin: Vec<Option<f64>>,
    pub reviews: Vec<u32>,
    /// Per judge: points above (positive) or below the other judges on the same ideas.
    pub bias: Vec<f64>,
    pub judges: Vec<JudgeAgreement>,
    /// Residual standard deviation, in points.
    pub sigma: f64,
}

/// How one judge's scores sit with the rest of the jury.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JudgeAgreement {
    pub reviews: u32,
    /// Pearson correlation of the judge's scores with the mean of the other judges' (bias
    /// corrected) scores of the same ideas; `None` under two shared ideas or without spread.
    pub correlation: Option<f64>,
    /// The correlation is below [`CONSENSUS_MIN_CORRELATION`] over enough ideas.
    pub far_from_consensus: bool,
}

/// Fits the additive model to `ratings` of `items` ideas by `judges` judges. Indices out of range
/// are a caller's bug and panic.
pub fn fit(items: usize, judges: usize, ratings: &[Rating]) -> Fit {
    let mut reviews = vec![0u32; items];
    let mut judge_reviews = vec![0u32; judges];
    let mut sum = vec![0.0; items];
    for r in ratings {
        reviews[r.item] += 1;
        judge_reviews[r.judge] += 1;
        sum[r.item] += r.score;
    }
    let raw_mean: Vec<Option<f64>> = (0..items)
        .map(|i| (reviews[i] > 0).then(|| sum[i] / f64::from(reviews[i])))
        .collect();

    let mut a: Vec<f64> = raw_mean.iter().map(|m| m.unwrap_or(0.0)).collect();
    let mut b = vec![0.0; judges];
    let mut acc = vec![0.0; items.max(judges)];
    for _ in 0..10_000 {
        // b given a
        acc[..judges].iter_mut().for_each(|x| *x = 0.0);
        for r in ratings {
            acc[r.judge] += r.score - a[r.item];
        }
        let mut change: f64 = 0.0;
        for j in 0..judges {
            let nb = acc[j] / (f64::from(judge_reviews[j]) + BIAS_PRIOR);
            change = change.max((nb - b[j]).abs());
            b[j] = nb;
        }
        // a given b
        acc[..items].iter_mut().for_each(|x| *x = 0.0);
        for r in ratings {
            acc[r.item] += r.score - b[r.judge];
        }
        for i in 0..items {
            if reviews[i] > 0 {
                let na = acc[i] / f64::from(reviews[i]);
                change = change.max((na - a[i]).abs());
                a[i] = na;
            }
        }
        if change < 1e-10 {
            break;
        }
    }

    let rated_items = reviews.iter().filter(|&&n| n > 0).count();
    let rating_judges = judge_reviews.iter().filter(|&&n| n > 0).count();
    let rss: f64 = ratings
        .iter()
        .map(|r| (r.score - a[r.item] - b[r.judge]).powi(2))
        .sum();
    let dof = ratings
        .len()
        .saturating_sub(rated_items + rating_judges)
        .max(1);
    let sigma = (rss / dof as f64).sqrt();

    let normalized = (0..items)
        .map(|i| (reviews[i] > 0).then_some(a[i]))
        .collect();
    let margin = (0..items)
        .map(|i| (reviews[i] > 0).then(|| Z95 * sigma / f64::from(reviews[i]).sqrt()))
        .collect();
    let judges_agreement = agreement(items, judges, ratings, &b, &judge_reviews);
    Fit {
        raw_mean,
        normalized,
        margin,
        reviews,
        bias: b,
        judges: judges_agreement,
        sigma,
    }
}

/// Each judge's correlation with the others' consensus on the ideas they share.
fn agreement(
    items: usize,
    judges: usize,
    ratings: &[Rating],
    bias: &[f64],
    judge_reviews: &[u32],
) -> Vec<JudgeAgreement> {
    // Per item: the sum and count of bias-corrected scores, so "the others" is the total less one.
    let mut sum = vec![0.0; items];
    let mut count = vec![0u32; items];
    for r in ratings {
        sum[r.item] += r.score - bias[r.judge];
        count[r.item] += 1;
    }
    let mut pairs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); judges];
    for r in ratings {
        let others = count[r.item] - 1;
        if others > 0 {
            let consensus = (sum[r.item] - (r.score - bias[r.judge])) / f64::from(others);
            pairs[r.judge].push((r.score, consensus));
        }
    }
    (0..judges)
        .map(|j| {
            let correlation = pearson(&pairs[j]);
            JudgeAgreement {
                reviews: judge_reviews[j],
                correlation,
                far_from_consensus: pairs[j].len() as u32 >= CONSENSUS_MIN_REVIEWS
                    && correlation.is_some_and(|c| c < CONSENSUS_MIN_CORRELATION),
            }
        })
        .collect()
}

fn pearson(xy: &[(f64, f64)]) -> Option<f64> {
    if xy.len() < 2 {
        return None;
    }
    let n = xy.len() as f64;
    let (mx, my) = xy
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xy {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    (sxx > 1e-12 && syy > 1e-12).then(|| sxy / (sxx * syy).sqrt())
}

/// Why an idea comes after the idea ranked just above it although their scores are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieBreak {
    /// Fewer judgments stand behind its score.
    FewerJudgments,
    /// Its raw mean (before bias correction) is lower.
    LowerRawMean,
    /// It was submitted later (every other measure equal).
    Later,
}

/// What the ranking needs of each item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    /// `None` when the item has no judgment: it ranks after every judged item.
    pub score: Option<f64>,
    pub judgments: u32,
    pub raw_mean: Option<f64>,
}

/// One place of the ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub item: usize,
    /// 1, 2, 3, … with no shared places: ties are broken and the reason recorded.
    pub rank: u32,
    /// Set when the score equals the score of the item ranked just above.
    pub tie_break: Option<TieBreak>,
}

/// Scores closer than this are equal: float noise must not decide an idea's place.
const SAME_SCORE: f64 = 1e-9;

/// Ranks items by score, highest first. Items are indexed in submission order, so `Later` means a
/// higher index. Ties on score are broken by more judgments, then higher raw mean, then earlier.
pub fn rank(standings: &[Standing]) -> Vec<Place> {
    use std::cmp::Ordering;
    let key = |i: usize| standings[i].score.unwrap_or(f64::NEG_INFINITY);
    let same = |x: f64, y: f64| x == y || (x - y).abs() < SAME_SCORE;
    let mut order: Vec<usize> = (0..standings.len()).collect();
    order.sort_by(|&x, &y| {
        let (sx, sy) = (key(x), key(y));
        if !same(sx, sy) {
            return sy.total_cmp(&sx);
        }
        let (a, b) = (&standings[x], &standings[y]);
        b.judgments
            .cmp(&a.judgments)
            .then_with(|| {
                let (ra, rb) = (
                    a.raw_mean.unwrap_or(f64::NEG_INFINITY),
                    b.raw_mean.unwrap_or(f64::NEG_INFINITY),
                );
                if same(ra, rb) {
                    Ordering::Equal
                } else {
                    rb.total_cmp(&ra)
                }
            })
            .then(x.cmp(&y))
    });
    let mut places = Vec::with_capacity(order.len());
    for (n, &item) in order.iter().enumerate() {
        let tie_break = (n > 0).then(|| order[n - 1]).and_then(|above| {
            let (a, b) = (&standings[above], &standings[item]);
            if !same(key(above), key(item)) {
                None
            } else if a.judgments != b.judgments {
                Some(TieBreak::FewerJudgments)
            } else if !same(
                a.raw_mean.unwrap_or(f64::NEG_INFINITY),
                b.raw_mean.unwrap_or(f64::NEG_INFINITY),
            ) {
                Some(TieBreak::LowerRawMean)
            } else {
                Some(TieBreak::Later)
            }
        });
        places.push(Place {
            item,
            rank: n as u32 + 1,
            tie_break,
        });
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(item: usize, judge: usize, score: f64) -> Rating {
        Rating { item, judge, score }
    }

    #[test]
    fn a_harsh_judge_does_not_sink_the_ideas_they_got() {
        // Judges 0 and 1 score each idea its true quality; judge 2 scores 30 points lower. Idea 0
        // is judged by 0 and 1, idea 1 by 0 and 2; both are worth 70. Ideas 2–6 are shared by
        // all three judges, so judge 2's harshness shows.
        let quality = [70.0, 70.0, 40.0, 50.0, 60.0, 80.0, 30.0];
        let mut ratings = vec![r(0, 0, 70.0), r(0, 1, 70.0), r(1, 0, 70.0), r(1, 2, 40.0)];
        for (i, q) in quality.iter().enumerate().skip(2) {
            ratings.extend([r(i, 0, *q), r(i, 1, *q), r(i, 2, q - 30.0)]);
        }
        let fit = fit(7, 3, &ratings);
        assert_eq!(fit.raw_mean[1], Some(55.0), "the raw mean punishes idea 1");
        let (n0, n1) = (fit.normalized[0].unwrap(), fit.normalized[1].unwrap());
        // The ridge prior keeps a little of the harshness with so few reviews: a third at most.
        assert!((n0 - n1).abs() < 15.0 / 3.0, "normalized {n0} vs {n1}");
        let harsher = fit.bias[2] - fit.bias[0];
        assert!(harsher < -20.0, "judge 2 is found harsh: {harsher}");
    }

    #[test]
    fn without_bias_the_normalized_score_is_the_mean() {
        let ratings = [r(0, 0, 80.0), r(0, 1, 60.0), r(1, 0, 40.0), r(1, 1, 60.0)];
        let fit = fit(3, 2, &ratings);
        assert!((fit.normalized[0].unwrap() - 70.0).abs() < 1e-9);
        assert!((fit.normalized[1].unwrap() - 50.0).abs() < 1e-9);
        assert_eq!(fit.normalized[2], None);
        assert_eq!(fit.reviews, vec![2, 2, 0]);
    }

    #[test]
    fn a_careless_judge_is_flagged() {
        // Judges 0-2 agree on a clear order; judge 3 scores the opposite.
        let mut ratings = Vec::new();
        for i in 0..10 {
            let q = 10.0 * i as f64;
            for j in 0..3 {
                ratings.push(r(i, j, q + j as f64));
            }
            ratings.push(r(i, 3, 100.0 - q));
        }
        let fit = fit(10, 4, &ratings);
        assert!(fit.judges[3].far_from_consensus);
        assert!(fit.judges[..3].iter().all(|j| !j.far_from_consensus));
    }

    #[test]
    fn ties_are_broken_and_explained() {
        let s = |score: Option<f64>, judgments, raw_mean: Option<f64>| Standing {
            score,
            judgments,
            raw_mean,
        };
        let standings = [
            s(Some(50.0), 3, Some(50.0)),
            s(Some(60.0), 3, Some(60.0)),
            s(Some(50.0), 4, Some(49.0)),
            s(Some(50.0), 3, Some(52.0)),
            s(None, 0, None),
            s(Some(50.0 + 1e-12), 3, Some(50.0)),
        ];
        let places = rank(&standings);
        let items: Vec<usize> = places.iter().map(|p| p.item).collect();
        assert_eq!(items, vec![1, 2, 3, 0, 5, 4]);
        let breaks: Vec<Option<TieBreak>> = places.iter().map(|p| p.tie_break).collect();
        assert_eq!(
            breaks,
            vec![
                None,
                None,
                Some(TieBreak::FewerJudgments),
                Some(TieBreak::LowerRawMean),
                Some(TieBreak::Later),
                None
            ]
        );
        assert_eq!(
            places.iter().map(|p| p.rank).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
    }
}
