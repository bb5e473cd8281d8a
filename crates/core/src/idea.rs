//! Ideas: what a participant submits to a call, and the lifecycle the secretariat moves it
//! through. Every edit is a new version; the text is kept as typed.

use crate::account::{FieldError, FieldErrors, fix_letters, fix_letters_keep_lines};
use crate::call::{Audience, StageKind};
use crate::ids::{AxisId, CallId, IdeaId, OrgUnitId, UserId};
use crate::time::UnixSeconds;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdeaStatus {
    /// Submitted, waiting for the secretariat.
    Submitted,
    /// The secretariat asked the author for changes; editing sends it back as `Submitted`.
    ChangesRequested,
    /// Accepted into the next stage.
    Accepted,
    Rejected,
    /// Merged into another idea; both authors stay credited there.
    Duplicate,
}

/// A decision of the secretariat on an idea.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Accept,
    Reject,
    RequestChanges,
    /// Undo a decision: back to `Submitted`.
    Reopen,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::RequestChanges => "request_changes",
            Self::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Accept,
            Self::Reject,
            Self::RequestChanges,
            Self::Reopen,
        ]
        .into_iter()
        .find(|x| x.as_str() == s.trim())
    }

    /// The status `from` becomes, or `None` when the move makes no sense from there. (Whether
    /// an accepted idea can go further depends on the call's stages: see [`Transition::plan`].)
    pub fn apply(self, from: IdeaStatus) -> Option<IdeaStatus> {
        use IdeaStatus::*;
        match (self, from) {
            (Self::Accept, Submitted | ChangesRequested | Accepted) => Some(Accepted),
            (Self::Reject, Submitted | ChangesRequested | Accepted) => Some(Rejected),
            (Self::RequestChanges, Submitted) => Some(ChangesRequested),
            (Self::Reopen, Accepted | Rejected | ChangesRequested) => Some(Submitted),
            _ => None,
        }
    }

    /// Where an idea at `from` (status, stage position) ends up in a call whose pipeline is
    /// `stages`, or `None` when the move makes no sense. Accepting moves the idea to the next
    /// stage where it is judged (screening is where the secretariat looks at submitted ideas, so
    /// it is passed over); reopening an accepted idea undoes that one step.
    pub fn plan(self, from: Place, stages: &[StageKind]) -> Option<Place> {
        let status = self.apply(from.status)?;
        let stage = match (self, from.status) {
            (Self::Accept, IdeaStatus::Accepted) => next_stage(stages, from.stage)?,
            // With no stage left to move to, the first acceptance still counts.
            (Self::Accept, _) => next_stage(stages, from.stage).unwrap_or(from.stage),
            (Self::Reopen, IdeaStatus::Accepted) => {
                let back = previous_stage(stages, from.stage);
                if back > entry_stage(stages) {
                    return Some(Place {
                        status: IdeaStatus::Accepted,
                        stage: back,
                    });
                }
                back
            }
            _ => from.stage,
        };
        Some(Place { status, stage })
    }

    /// Rejecting and asking for changes must tell the author why.
    pub fn needs_message(self) -> bool {
        matches!(self, Self::Reject | Self::RequestChanges)
    }
}

/// Where an idea stands: its status at the stage (a position in the call's pipeline) it reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub status: IdeaStatus,
    pub stage: i64,
}

/// Stages ideas are accepted into: not submission, not the secretariat's screening.
fn judged(kind: StageKind) -> bool {
    !matches!(kind, StageKind::Submission | StageKind::Screening)
}

/// The stage new ideas start at: the first submission stage (or the first stage).
pub fn entry_stage(stages: &[StageKind]) -> i64 {
    stages
        .iter()
        .position(|k| *k == StageKind::Submission)
        .unwrap_or(0) as i64
}

/// The stage an idea accepted at `stage` moves to, if the pipeline goes further.
pub fn next_stage(stages: &[StageKind], stage: i64) -> Option<i64> {
    stages
        .iter()
        .enumerate()
        .skip((stage + 1).max(0) as usize)
        .find(|(_, k)| judged(**k))
        .map(|(i, _)| i as i64)
}

/// The stage an idea came from when it was accepted into `stage`.
pub fn previous_stage(stages: &[StageKind], stage: i64) -> i64 {
    let entry = entry_stage(stages);
    stages
        .iter()
        .enumerate()
        .take(stage.max(0) as usize)
        .rev()
        .find(|(i, k)| judged(**k) && *i as i64 > entry)
        .map_or(entry, |(i, _)| i as i64)
}

/// The position of the first stage of `kind`, e.g. where finalists are (orientation).
pub fn stage_of_kind(stages: &[StageKind], kind: StageKind) -> Option<i64> {
    stages.iter().position(|k| *k == kind).map(|i| i as i64)
}

/// How an idea reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Web,
    Api,
    Exhibition,
    Paper,
}

impl IdeaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::ChangesRequested => "changes_requested",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Duplicate => "duplicate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::ChangesRequested,
            Self::Accepted,
            Self::Rejected,
            Self::Duplicate,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Whether the author may still edit the text (while the call's stage allows editing).
    pub fn author_may_edit(self) -> bool {
        matches!(self, Self::Submitted | Self::ChangesRequested)
    }
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Web => "web",
            Self::Api => "api",
            Self::Exhibition => "exhibition",
            Self::Paper => "paper",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Web, Self::Api, Self::Exhibition, Self::Paper]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Why someone may not submit to a call or change an idea now. The web layer words it (the
/// catalog key is `key()`) and the API maps it to a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocker {
    /// The call's open stage (by the server clock) does not allow it.
    NotOpen,
    /// The call is for employees or for the public, and the person is not.
    NotAudience,
    /// Only the idea's author (the team's lead) changes it.
    NotAuthor,
    /// The idea's status no longer lets its author change it.
    NotEditable,
}

impl Blocker {
    /// The message catalog key that explains it.
    pub fn key(self) -> &'static str {
        match self {
            Blocker::NotOpen => "idea.not_open",
            Blocker::NotAudience => "idea.not_audience",
            Blocker::NotAuthor => "idea.not_author",
            Blocker::NotEditable => "idea.not_editable",
        }
    }
}

/// Whether someone may take part in a call with `audience`: employees are people with an org
/// unit; citizens sign up by mobile number and have none.
pub fn in_audience(audience: Audience, is_employee: bool) -> bool {
    match audience {
        Audience::Employees => is_employee,
        Audience::Public | Audience::Both => true,
    }
}

pub const TITLE_MIN: usize = 5;
pub const TITLE_MAX: usize = 200;
pub const TEXT_MIN: usize = 20;
pub const TEXT_MAX: usize = 10_000;

/// An idea as typed into the form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IdeaInput {
    /// The axis's id.
    #[serde(default)]
    pub axis: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub solution: String,
    #[serde(default)]
    pub benefits: String,
    #[serde(default)]
    pub resources: String,
    /// The suggested owner unit's id, optional.
    #[serde(default)]
    pub owner_unit: String,
}

/// An idea's text after validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdeaText {
    pub axis_id: AxisId,
    pub title: String,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
    pub owner_unit_id: Option<OrgUnitId>,
}

fn long_text(input: &str, field: &'static str, required: bool, errors: &mut FieldErrors) -> String {
    let s = fix_letters_keep_lines(input);
    let n = s.chars().count();
    if required && n == 0 {
        errors.push((field, FieldError::Required));
    } else if required && n < TEXT_MIN {
        errors.push((field, FieldError::TooShort(TEXT_MIN)));
    } else if n > TEXT_MAX {
        errors.push((field, FieldError::TooLong(TEXT_MAX)));
    }
    s
}

impl IdeaInput {
    /// Checks every field against the call's axes (`axis_ids`) and reports all problems at once.
    pub fn validate(&self, axis_ids: &[AxisId]) -> Result<IdeaText, FieldErrors> {
        let mut errors = FieldErrors::new();
        let axis_id = hamafza_persian::digits::to_latin(self.axis.trim())
            .parse::<AxisId>()
            .ok()
            .filter(|a| axis_ids.contains(a));
        if axis_id.is_none() {
            errors.push((
                "axis",
                if self.axis.trim().is_empty() {
                    FieldError::Required
                } else {
                    FieldError::Unknown
                },
            ));
        }
        let title = fix_letters(&self.title);
        let n = title.chars().count();
        if n == 0 {
            errors.push(("title", FieldError::Required));
        } else if n < TITLE_MIN {
            errors.push(("title", FieldError::TooShort(TITLE_MIN)));
        } else if n > TITLE_MAX {
            errors.push(("title", FieldError::TooLong(TITLE_MAX)));
        }
        let problem = long_text(&self.problem, "problem", true, &mut errors);
        let solution = long_text(&self.solution, "solution", true, &mut errors);
        let benefits = long_text(&self.benefits, "benefits", false, &mut errors);
        let resources = long_text(&self.resources, "resources", false, &mut errors);
        let owner_unit_id = match self.owner_unit.trim() {
            "" => None,
            s => match hamafza_persian::digits::to_latin(s).parse::<OrgUnitId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(("owner_unit", FieldError::Unknown));
                    None
                }
            },
        };
        match axis_id {
            Some(axis_id) if errors.is_empty() => Ok(IdeaText {
                axis_id,
                title,
                problem,
                solution,
                benefits,
                resources,
                owner_unit_id,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// An idea as stored: its place in the call's pipeline and its current version's title.
pub struct Idea {
    pub id: IdeaId,
    pub public_id: String,
    /// What the author quotes to follow the idea up (کد رهگیری): ten digits.
    pub tracking_code: String,
    pub call_id: CallId,
    pub author_id: Option<UserId>,
    pub channel: Channel,
    pub status: IdeaStatus,
    pub axis_id: AxisId,
    pub title: String,
    pub version: i64,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
    /// The position (in the call's pipeline) of the stage the idea reached.
    pub stage_position: i64,
    /// For a duplicate: the idea it was merged into.
    pub duplicate_of: Option<IdeaId>,
}

impl Idea {
    /// Its status at the stage it reached.
    pub fn place(&self) -> Place {
        Place {
            status: self.status,
            stage: self.stage_position,
        }
    }
}

/// One version of an idea's text; every edit adds one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct IdeaVersion {
    pub version: i64,
    pub axis_id: AxisId,
    pub title: String,
    pub problem: String,
    pub solution: String,
    pub benefits: String,
    pub resources: String,
    pub owner_unit_id: Option<OrgUnitId>,
    pub edited_by: Option<UserId>,
    pub created_at: UnixSeconds,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> IdeaInput {
        IdeaInput {
            axis: "۷".into(),
            title: "پيامک وضعيت پرونده".into(),
            problem: "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه می‌آیند.".into(),
            solution: "پس از هر تغییر وضعیت، پیامکی با کد رهگیری فرستاده شود.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_idea_is_normalized_for_display() {
        let t = input().validate(&[AxisId::new(7), AxisId::new(8)]).unwrap();
        assert_eq!(t.axis_id, AxisId::new(7));
        assert_eq!(t.title, "پیامک وضعیت پرونده");
        assert_eq!(t.owner_unit_id, None);
    }

    #[test]
    fn every_problem_is_reported() {
        let i = IdeaInput {
            axis: "9".into(),
            title: "کم".into(),
            problem: "".into(),
            solution: "کوتاه".into(),
            ..Default::default()
        };
        let e = i.validate(&[AxisId::new(7)]).unwrap_err();
        assert_eq!(
            e,
            vec![
                ("axis", FieldError::Unknown),
                ("title", FieldError::TooShort(TITLE_MIN)),
                ("problem", FieldError::Required),
                ("solution", FieldError::TooShort(TEXT_MIN)),
            ]
        );
    }

    #[test]
    fn text_with_nothing_visible_is_required_and_overrides_are_removed() {
        let i = IdeaInput {
            title: "\u{200C}".repeat(5),
            problem: "\u{200B}".repeat(25),
            solution: "\u{200E}\u{200F}\u{202E}\u{2066} \u{FEFF}\n\u{200C}".repeat(5),
            ..input()
        };
        let e = i.validate(&[AxisId::new(7)]).unwrap_err();
        assert_eq!(
            e,
            vec![
                ("title", FieldError::Required),
                ("problem", FieldError::Required),
                ("solution", FieldError::Required),
            ]
        );
        let i = IdeaInput {
            title: "پیامک \u{202E}وضعیت پرونده".into(),
            ..input()
        };
        assert_eq!(
            i.validate(&[AxisId::new(7)]).unwrap().title,
            "پیامک وضعیت پرونده"
        );
    }

    #[test]
    fn employees_only_calls_exclude_citizens() {
        assert!(!in_audience(Audience::Employees, false));
        assert!(in_audience(Audience::Public, true));
        assert!(in_audience(Audience::Both, false));
    }

    #[test]
    fn decisions_follow_the_lifecycle() {
        assert_eq!(
            Transition::Accept.apply(IdeaStatus::Submitted),
            Some(IdeaStatus::Accepted)
        );
        assert_eq!(Transition::RequestChanges.apply(IdeaStatus::Accepted), None);
        assert_eq!(
            Transition::Reopen.apply(IdeaStatus::Rejected),
            Some(IdeaStatus::Submitted)
        );
        assert_eq!(Transition::Accept.apply(IdeaStatus::Duplicate), None);
        assert!(Transition::Reject.needs_message() && !Transition::Accept.needs_message());
    }

    const ROUND2: [StageKind; 6] = [
        StageKind::Submission,
        StageKind::Screening,
        StageKind::Shortlisting,
        StageKind::Orientation,
        StageKind::FinalPresentation,
        StageKind::Results,
    ];

    fn at(status: IdeaStatus, stage: i64) -> Place {
        Place { status, stage }
    }

    #[test]
    fn accepting_moves_an_idea_through_the_pipeline() {
        use IdeaStatus::*;
        let p = Transition::Accept.plan(at(Submitted, 0), &ROUND2).unwrap();
        assert_eq!(p, at(Accepted, 2), "screening passes to shortlisting");
        let p = Transition::Accept.plan(p, &ROUND2).unwrap();
        assert_eq!(p, at(Accepted, 3), "finalists reach orientation");
        let p = Transition::Accept.plan(at(Accepted, 4), &ROUND2).unwrap();
        assert_eq!(p, at(Accepted, 5));
        assert_eq!(
            Transition::Accept.plan(p, &ROUND2),
            None,
            "nothing after results"
        );
        // A rejection keeps the stage; reopening undoes one acceptance.
        assert_eq!(
            Transition::Reject.plan(at(Accepted, 3), &ROUND2),
            Some(at(Rejected, 3))
        );
        assert_eq!(
            Transition::Reopen.plan(at(Accepted, 3), &ROUND2),
            Some(at(Accepted, 2))
        );
        assert_eq!(
            Transition::Reopen.plan(at(Accepted, 2), &ROUND2),
            Some(at(Submitted, 0))
        );
        assert_eq!(
            Transition::Reopen.plan(at(Rejected, 3), &ROUND2),
            Some(at(Submitted, 3))
        );
        assert_eq!(Transition::Accept.plan(at(Duplicate, 0), &ROUND2), None);
        let short = [StageKind::Submission, StageKind::Screening];
        let p = Transition::Accept.plan(at(Submitted, 0), &short);
        assert_eq!(p, Some(at(Accepted, 0)), "a call without later stages");
        assert_eq!(Transition::Accept.plan(p.unwrap(), &short), None);
        assert_eq!(stage_of_kind(&ROUND2, StageKind::Orientation), Some(3));
    }

    #[test]
    fn only_open_ideas_are_editable() {
        assert!(IdeaStatus::ChangesRequested.author_may_edit());
        assert!(!IdeaStatus::Rejected.author_may_edit());
    }
}
