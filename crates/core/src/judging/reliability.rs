//! Inter-rater reliability: Krippendorff's alpha with the interval metric, the measure that
//! allows any number of judges per idea and missing reviews (each idea has only `k` judges).
//!
//! `α = 1 − D_o / D_e`: `D_o` is the disagreement observed between judges of the same idea,
//! `D_e` the disagreement expected if scores were handed out at random from all the scores
//! given. Only ideas with two or more scores count. Source: K. Krippendorff, *Computing
//! Krippendorff's Alpha-Reliability* (2011); checked against PyPI's `krippendorff` package.

use super::rating::Rating;

/// How far the jury agreed, in Krippendorff's own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// α ≥ 0.800: the jury's scores can be relied on.
    Reliable,
    /// 0.667 ≤ α < 0.800: good enough for tentative conclusions only.
    Tentative,
    /// α < 0.667: the judges disagree too much for the scores alone to decide.
    Unreliable,
}

/// Alpha and its reading; `None` alpha when fewer than two ideas have two scores or all scores
/// are the same (there is no disagreement to measure against).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reliability {
    pub alpha: Option<f64>,
    pub reading: Option<Reading>,
    /// The scores that count: those of ideas with at least two.
    pub pairable: usize,
}

impl Reading {
    pub fn of(alpha: f64) -> Reading {
        if alpha >= 0.800 {
            Reading::Reliable
        } else if alpha >= 0.667 {
            Reading::Tentative
        } else {
            Reading::Unreliable
        }
    }
}

/// Krippendorff's alpha (interval) of `ratings` of `items` ideas. A judge who scored one idea
/// twice is counted once per score, as the reference implementation does.
pub fn krippendorff_interval(items: usize, ratings: &[Rating]) -> Reliability {
    let mut count = vec![0u32; items];
    let mut sum = vec![0.0; items];
    let mut squares = vec![0.0; items];
    for r in ratings {
        count[r.item] += 1;
        sum[r.item] += r.score;
        squares[r.item] += r.score * r.score;
    }
    // Σ over ordered pairs c≠k of a set of m values of (v_c − v_k)² is 2(m Σv² − (Σv)²).
    let pair_sum = |m: f64, s: f64, q: f64| 2.0 * (m * q - s * s);
    let (mut n, mut total, mut total_sq, mut observed) = (0.0, 0.0, 0.0, 0.0);
    let mut units = 0;
    for i in 0..items {
        if count[i] < 2 {
            continue;
        }
        units += 1;
        let m = f64::from(count[i]);
        n += m;
        total += sum[i];
        total_sq += squares[i];
        observed += pair_sum(m, sum[i], squares[i]) / (m - 1.0);
    }
    let pairable = n as usize;
    let expected = pair_sum(n, total, total_sq) / (n * (n - 1.0));
    let observed = observed / n;
    if units < 2 || expected.is_nan() || expected <= 1e-12 {
        return Reliability {
            alpha: None,
            reading: None,
            pairable,
        };
    }
    let alpha = 1.0 - observed / expected;
    Reliability {
        alpha: Some(alpha),
        reading: Some(Reading::of(alpha)),
        pairable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(item: usize, judge: usize, score: f64) -> Rating {
        Rating { item, judge, score }
    }

    #[test]
    fn krippendorffs_worked_example() {
        // The interval example of Krippendorff (2011), §C: 4 coders, 12 units, missing values;
        // α = 0.849 as printed (and 0.8491 by PyPI's `krippendorff`).
        let data: [[Option<f64>; 12]; 4] = {
            let n = None;
            let s = |x: f64| Some(x);
            [
                [
                    s(1.),
                    s(2.),
                    s(3.),
                    s(3.),
                    s(2.),
                    s(1.),
                    s(4.),
                    s(1.),
                    s(2.),
                    n,
                    n,
                    n,
                ],
                [
                    s(1.),
                    s(2.),
                    s(3.),
                    s(3.),
                    s(2.),
                    s(2.),
                    s(4.),
                    s(1.),
                    s(2.),
                    s(5.),
                    n,
                    s(3.),
                ],
                [
                    n,
                    s(3.),
                    s(3.),
                    s(3.),
                    s(2.),
                    s(3.),
                    s(4.),
                    s(2.),
                    s(2.),
                    s(5.),
                    s(1.),
                    n,
                ],
                [
                    s(1.),
                    s(2.),
                    s(3.),
                    s(3.),
                    s(2.),
                    s(4.),
                    s(4.),
                    s(1.),
                    s(2.),
                    s(5.),
                    s(1.),
                    n,
                ],
            ]
        };
        let mut ratings = Vec::new();
        for (j, row) in data.iter().enumerate() {
            for (i, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    ratings.push(r(i, j, *v));
                }
            }
        }
        let rel = krippendorff_interval(12, &ratings);
        assert!((rel.alpha.unwrap() - 0.849).abs() < 5e-4, "{rel:?}");
        assert_eq!(rel.reading, Some(Reading::Reliable));
        // Unit 12 has one value and does not count.
        assert_eq!(rel.pairable, 40);
    }

    #[test]
    fn perfect_agreement_and_none() {
        let same = [r(0, 0, 1.0), r(0, 1, 1.0), r(1, 0, 5.0), r(1, 1, 5.0)];
        assert_eq!(krippendorff_interval(2, &same).alpha, Some(1.0));
        let single = [r(0, 0, 1.0), r(1, 1, 5.0)];
        assert_eq!(krippendorff_interval(2, &single).alpha, None);
        let flat = [r(0, 0, 3.0), r(0, 1, 3.0), r(1, 0, 3.0), r(1, 1, 3.0)];
        assert_eq!(krippendorff_interval(2, &flat).alpha, None);
    }
}
