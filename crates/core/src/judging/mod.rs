//! Judging: the criteria a jury scores on, who reviews what, and how the jury's judgments become
//! a ranking that can be explained and replayed.
//!
//! Everything here works on dense indices — items (ideas) `0..n`, judges `0..m` — so the math is
//! fast and testable without ids; the store maps ids to indices and back. Nothing here reads a
//! clock or draws randomness it was not given a seed for, so a ranking recomputed from the audit
//! log is the same ranking.
//!
//! - [`criteria`]: criteria with weights and a scale (a numeric range or rubric levels), and a
//!   review's overall score.
//! - [`jury`]: a judged stage's settings: mode, reviews per idea, blind or not, conflicts.
//! - [`assign`]: each idea to `k` judges, load balanced, conflicts excluded, each judge's order
//!   shuffled.
//! - [`rating`]: rubric mode — raw mean, the judge-bias-corrected ("normalized") score, ranking
//!   with explained tie breaks, judges far from consensus.
//! - [`ranking`]: a stage's ranking by one method — shared by the ranking page and the replay.
//! - [`reliability`]: Krippendorff's alpha (interval metric) and its plain reading.
//! - [`pairwise`]: pairwise mode — Bradley–Terry maximum likelihood, CrowdBT, uncertainty, and
//!   the next most informative pair.

pub mod assign;
pub mod criteria;
pub mod jury;
pub mod pairwise;
pub mod ranking;
pub mod rating;
pub mod reliability;
pub mod simulate;

/// The standard normal quantile for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;
