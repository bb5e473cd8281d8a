//! A jury's settings for one judged stage: how it judges, how many reviews an idea gets, whether
//! authors are hidden, and what counts as a conflict of interest.

use super::criteria::{self, CriteriaError, Criterion};
use serde::{Deserialize, Serialize};

/// How the jury judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Each judge scores each idea assigned to them on the stage's criteria.
    Rubric,
    /// Judges pick the better of two ideas, again and again.
    Pairwise,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Rubric => "rubric",
            Mode::Pairwise => "pairwise",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim() {
            "rubric" => Some(Mode::Rubric),
            "pairwise" => Some(Mode::Pairwise),
            _ => None,
        }
    }
}

/// Most reviews an idea may get in a stage.
pub const MAX_REVIEWS_PER_IDEA: u32 = 10;

/// A judged stage's jury settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JurySettings {
    pub mode: Mode,
    /// Judges per idea (`k`), 1 to [`MAX_REVIEWS_PER_IDEA`]; in pairwise mode, comparisons each
    /// idea should appear in, as a target for progress.
    pub reviews_per_idea: u32,
    /// Judges see no names, units or anything identifying.
    pub blind: bool,
    /// A judge of the same org unit as an author or teammate has a conflict of interest.
    pub unit_conflict: bool,
    /// Rubric mode's criteria (pairwise mode keeps them to describe what "better" means).
    pub criteria: Vec<Criterion>,
}

/// Why settings cannot be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("reviews per idea must be 1 to {MAX_REVIEWS_PER_IDEA}")]
    ReviewsPerIdea,
    #[error(transparent)]
    Criteria(#[from] CriteriaError),
}

impl JurySettings {
    /// Checks the settings as a whole; a pairwise jury may have no criteria.
    pub fn check(&self) -> Result<(), SettingsError> {
        if !(1..=MAX_REVIEWS_PER_IDEA).contains(&self.reviews_per_idea) {
            return Err(SettingsError::ReviewsPerIdea);
        }
        if self.mode == Mode::Rubric || !self.criteria.is_empty() {
            criteria::check(&self.criteria)?;
        }
        Ok(())
    }
}
