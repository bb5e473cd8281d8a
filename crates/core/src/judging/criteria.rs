//! The criteria a jury scores an idea on (innovation, feasibility, impact, fit with the axis…),
//! each with a relative weight and a scale, and a review's overall score from them.

use serde::{Deserialize, Serialize};

/// Longest criterion name and rubric level description, in characters.
pub const NAME_MAX: usize = 120;
pub const LEVEL_MAX: usize = 500;
/// Most criteria a stage may have, and most levels a rubric may have.
pub const MAX_CRITERIA: usize = 10;
pub const MAX_LEVELS: usize = 10;
/// Largest relative weight.
pub const WEIGHT_MAX: u32 = 100;

/// How a criterion is scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scale {
    /// A whole number from `min` to `max` inclusive, e.g. 1 to 10.
    Range { min: i32, max: i32 },
    /// Levels 1, 2, … n, each with the description the judge reads before choosing it.
    Rubric { levels: Vec<String> },
}

impl Scale {
    /// The lowest and highest score.
    pub fn bounds(&self) -> (i32, i32) {
        match self {
            Scale::Range { min, max } => (*min, *max),
            Scale::Rubric { levels } => (1, levels.len() as i32),
        }
    }

    /// Whether `value` is on the scale.
    pub fn contains(&self, value: i32) -> bool {
        let (lo, hi) = self.bounds();
        (lo..=hi).contains(&value)
    }

    /// `value` as a fraction of the scale: 0 at the bottom, 1 at the top.
    pub fn fraction(&self, value: i32) -> f64 {
        let (lo, hi) = self.bounds();
        if hi == lo {
            return 1.0;
        }
        f64::from(value - lo) / f64::from(hi - lo)
    }
}

/// One criterion of a judged stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// Relative weight, 1 to [`WEIGHT_MAX`]; weights need not add up to anything.
    pub weight: u32,
    pub scale: Scale,
}

/// Why a stage's criteria cannot be saved; `usize` is the criterion's place (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaError {
    #[error("a judged stage needs at least one criterion")]
    None,
    #[error("more than {MAX_CRITERIA} criteria")]
    TooMany,
    #[error("criterion {0} has no name or one too long")]
    Name(usize),
    #[error("criterion {0} has the same name as an earlier one")]
    Repeated(usize),
    #[error("criterion {0}'s weight is not 1 to {WEIGHT_MAX}")]
    Weight(usize),
    #[error("criterion {0}'s range is empty or too wide")]
    Range(usize),
    #[error("criterion {0}'s rubric needs 2 to {MAX_LEVELS} levels, each described")]
    Levels(usize),
}

/// Checks a stage's criteria as a whole.
pub fn check(criteria: &[Criterion]) -> Result<(), CriteriaError> {
    if criteria.is_empty() {
        return Err(CriteriaError::None);
    }
    if criteria.len() > MAX_CRITERIA {
        return Err(CriteriaError::TooMany);
    }
    for (i, c) in criteria.iter().enumerate() {
        let name = c.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX {
            return Err(CriteriaError::Name(i));
        }
        if criteria[..i].iter().any(|d| d.name.trim() == name) {
            return Err(CriteriaError::Repeated(i));
        }
        if !(1..=WEIGHT_MAX).contains(&c.weight) {
            return Err(CriteriaError::Weight(i));
        }
        match &c.scale {
            // A range of one value says nothing; more than 100 steps is not a judgment people make.
            Scale::Range { min, max } if *max <= *min || max - min > 100 || *min < -100 => {
                return Err(CriteriaError::Range(i));
            }
            Scale::Rubric { levels }
                if !(2..=MAX_LEVELS).contains(&levels.len())
                    || levels
                        .iter()
                        .any(|l| l.trim().is_empty() || l.chars().count() > LEVEL_MAX) =>
            {
                return Err(CriteriaError::Levels(i));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Why a review's scores cannot be taken; `usize` is the criterion's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("{0} scores for {1} criteria")]
    Count(usize, usize),
    #[error("criterion {criterion}: {value} is not from {min} to {max}")]
    OutOfScale {
        criterion: usize,
        value: i32,
        min: i32,
        max: i32,
    },
}

/// A review's overall score, 0 to 100: the weighted mean of its criterion scores, each first put
/// on 0..1 by its scale so that a 1–10 criterion and a 4-level rubric weigh what their weights
/// say. `scores[i]` is the score of `criteria[i]`.
///
/// Errors: a missing or extra score, or a score off its scale.
pub fn overall(criteria: &[Criterion], scores: &[i32]) -> Result<f64, ScoreError> {
    if scores.len() != criteria.len() {
        return Err(ScoreError::Count(scores.len(), criteria.len()));
    }
    let mut sum = 0.0;
    let mut weights = 0.0;
    for (i, (c, &v)) in criteria.iter().zip(scores).enumerate() {
        if !c.scale.contains(v) {
            let (min, max) = c.scale.bounds();
            return Err(ScoreError::OutOfScale {
                criterion: i,
                value: v,
                min,
                max,
            });
        }
        sum += f64::from(c.weight) * c.scale.fraction(v);
        weights += f64::from(c.weight);
    }
    Ok(100.0 * sum / weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(name: &str, weight: u32, min: i32, max: i32) -> Criterion {
        Criterion {
            name: name.into(),
            weight,
            scale: Scale::Range { min, max },
        }
    }

    #[test]
    fn overall_weighs_each_scale_by_its_weight() {
        let rubric = Criterion {
            name: "اثرگذاری".into(),
            weight: 1,
            scale: Scale::Rubric {
                levels: vec!["کم".into(), "متوسط".into(), "زیاد".into()],
            },
        };
        let criteria = [range("نوآوری", 3, 1, 10), rubric];
        // 10 of 1..10 is 1.0 with weight 3; level 2 of 3 is 0.5 with weight 1.
        let s = overall(&criteria, &[10, 2]).unwrap();
        assert!((s - 100.0 * (3.0 + 0.5) / 4.0).abs() < 1e-12);
        assert_eq!(overall(&criteria, &[1, 1]).unwrap(), 0.0);
        assert_eq!(
            overall(&criteria, &[11, 1]),
            Err(ScoreError::OutOfScale {
                criterion: 0,
                value: 11,
                min: 1,
                max: 10
            })
        );
        assert_eq!(
            overall(&criteria, &[5, 4]).unwrap_err(),
            ScoreError::OutOfScale {
                criterion: 1,
                value: 4,
                min: 1,
                max: 3
            }
        );
        assert_eq!(overall(&criteria, &[5]), Err(ScoreError::Count(1, 2)));
    }

    #[test]
    fn check_names_the_criterion_at_fault() {
        assert_eq!(check(&[]), Err(CriteriaError::None));
        assert_eq!(check(&[range("الف", 1, 1, 10)]), Ok(()));
        assert_eq!(
            check(&[range("الف", 1, 1, 10), range(" الف ", 1, 1, 5)]),
            Err(CriteriaError::Repeated(1))
        );
        assert_eq!(
            check(&[range("الف", 0, 1, 10)]),
            Err(CriteriaError::Weight(0))
        );
        assert_eq!(
            check(&[range("الف", 1, 5, 5)]),
            Err(CriteriaError::Range(0))
        );
        let one_level = Criterion {
            name: "ب".into(),
            weight: 1,
            scale: Scale::Rubric {
                levels: vec!["فقط یکی".into()],
            },
        };
        assert_eq!(
            check(&[range("الف", 1, 1, 10), one_level]),
            Err(CriteriaError::Levels(1))
        );
    }
}
