//! Calls (فراخوان): a call has thematic axes (محور) and an ordered pipeline of stages, each with
//! Jalali start and end dates and the actions it opens. A call moves draft → published → closed →
//! archived (a closed call may be published again to extend it).

use crate::account::{FieldError, FieldErrors};
use crate::ids::{AxisId, CallId, StageId};
use crate::time::UnixSeconds;
use hamafza_persian::jalali::{self, JalaliDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    /// Employees, signed in with an organization account.
    Employees,
    /// Citizens, signed in with a mobile number.
    Public,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallState {
    Draft,
    Published,
    Closed,
    Archived,
}

/// What a stage is for; it decides which actions the stage opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    Submission,
    Screening,
    Shortlisting,
    Orientation,
    FinalPresentation,
    Results,
}

/// Something a stage lets people do while it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageAction {
    /// Participants submit new ideas.
    Submit,
    /// Authors edit their ideas (each edit a new version).
    Edit,
    /// The secretariat accepts, rejects, reclassifies and merges ideas.
    Screen,
    /// Judges score ideas (the Juries issue).
    Score,
    /// Finalists attend orientation sessions and revise their ideas.
    Revise,
    /// Finalists present to the jury.
    Present,
    /// The secretariat publishes the results.
    PublishResults,
}

macro_rules! names {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $s),* }
            }
            pub fn parse(s: &str) -> Option<$t> {
                match s.trim() { $($s => Some(<$t>::$v),)* _ => None }
            }
        }
    };
}

names!(Audience { Employees => "employees", Public => "public", Both => "both" });
names!(CallState { Draft => "draft", Published => "published", Closed => "closed", Archived => "archived" });
names!(StageKind {
    Submission => "submission", Screening => "screening", Shortlisting => "shortlisting",
    Orientation => "orientation", FinalPresentation => "final_presentation", Results => "results",
});
names!(StageAction {
    Submit => "submit", Edit => "edit", Screen => "screen", Score => "score", Revise => "revise",
    Present => "present", PublishResults => "publish_results",
});

impl StageKind {
    pub fn actions(self) -> &'static [StageAction] {
        use StageAction::*;
        match self {
            StageKind::Submission => &[Submit, Edit],
            StageKind::Screening => &[Screen],
            StageKind::Shortlisting => &[Score],
            StageKind::Orientation => &[Revise],
            StageKind::FinalPresentation => &[Present, Score],
            StageKind::Results => &[PublishResults],
        }
    }
}

impl CallState {
    /// Whether the secretariat may move a call from `self` to `to`.
    pub fn can_become(self, to: CallState) -> bool {
        use CallState::*;
        matches!(
            (self, to),
            (Draft, Published)
                | (Published, Closed)
                | (Closed, Published)
                | (Closed, Archived)
                | (Draft, Archived)
        )
    }

    /// Whether the public sees the call.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            CallState::Published | CallState::Closed | CallState::Archived
        )
    }
}

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const AXIS_TITLE_MAX: usize = 200;
/// Rows the call form offers; a call may have at most this many axes and stages.
pub const MAX_AXES: usize = 12;
pub const MAX_STAGES: usize = 8;

/// A call as typed into the secretariat's form or the API: dates are Jalali text in any digits.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub axes: Vec<AxisInput>,
    #[serde(default)]
    pub stages: Vec<StageInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AxisInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StageInput {
    pub kind: String,
    #[serde(default)]
    pub title: String,
    /// Jalali, e.g. `1403/01/15`.
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCall {
    pub title: String,
    pub description: String,
    pub audience: Audience,
    pub axes: Vec<(String, String)>,
    pub stages: Vec<ValidStage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidStage {
    pub kind: StageKind,
    pub title: String,
    pub start: JalaliDate,
    pub end: JalaliDate,
}

/// Field names of the form's rows (`axis_title_3`, `stage_start_0`…), so errors can point at one.
pub mod fields {
    macro_rules! rows {
        ($name:ident, $prefix:literal, $n:literal) => {
            pub const $name: [&str; $n] = {
                // Written out so the names are `&'static str` without allocation.
                seq_names!($prefix)
            };
        };
    }
    macro_rules! seq_names {
        ($p:literal) => {
            [
                concat!($p, "0"),
                concat!($p, "1"),
                concat!($p, "2"),
                concat!($p, "3"),
                concat!($p, "4"),
                concat!($p, "5"),
                concat!($p, "6"),
                concat!($p, "7"),
                concat!($p, "8"),
                concat!($p, "9"),
                concat!($p, "10"),
                concat!($p, "11"),
            ]
        };
    }
    rows!(AXIS_TITLE, "axis_title_", 12);
    rows!(AXIS_DESCRIPTION, "axis_description_", 12);
    rows!(STAGE_KIND, "stage_kind_", 12);
    rows!(STAGE_TITLE, "stage_title_", 12);
    rows!(STAGE_START, "stage_start_", 12);
    rows!(STAGE_END, "stage_end_", 12);
}

fn text(input: &str, max: usize, field: &'static str, errors: &mut FieldErrors) -> String {
    let s = crate::account::fix_letters_keep_lines(input);
    if s.chars().count() > max {
        errors.push((field, FieldError::TooLong(max)));
    }
    s
}

impl CallInput {
    /// Checks every field; empty axis and stage rows (as a form sends them) are skipped.
    pub fn validate(&self) -> Result<ValidCall, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = text(&self.title, TITLE_MAX, "title", &mut errors);
        if title.chars().count() < 5 {
            errors.push((
                "title",
                if title.is_empty() {
                    FieldError::Required
                } else {
                    FieldError::TooShort(5)
                },
            ));
        }
        let description = text(
            &self.description,
            DESCRIPTION_MAX,
            "description",
            &mut errors,
        );
        let audience = Audience::parse(&self.audience).unwrap_or_else(|| {
            errors.push(("audience", FieldError::Unknown));
            Audience::Both
        });
        let mut axes = Vec::new();
        for (i, a) in self.axes.iter().enumerate() {
            if a.title.trim().is_empty() && a.description.trim().is_empty() {
                continue;
            }
            if i >= MAX_AXES {
                errors.push(("axes", FieldError::TooLong(MAX_AXES)));
                break;
            }
            let t = text(&a.title, AXIS_TITLE_MAX, fields::AXIS_TITLE[i], &mut errors);
            if t.is_empty() {
                errors.push((fields::AXIS_TITLE[i], FieldError::Required));
            }
            axes.push((
                t,
                text(
                    &a.description,
                    2000,
                    fields::AXIS_DESCRIPTION[i],
                    &mut errors,
                ),
            ));
        }
        if axes.is_empty() {
            errors.push((fields::AXIS_TITLE[0], FieldError::Required));
        }
        let mut stages: Vec<ValidStage> = Vec::new();
        // The last readable start date above, so order is checked even past a row with a bad end.
        let mut prev_end: Option<JalaliDate> = None;
        for (i, s) in self.stages.iter().enumerate() {
            // A row without dates or title is unused, even with a kind chosen: the blank form
            // offers the usual pipeline and the secretariat dates only the stages it runs.
            if s.start.trim().is_empty() && s.end.trim().is_empty() && s.title.trim().is_empty() {
                continue;
            }
            if i >= MAX_STAGES {
                errors.push(("stages", FieldError::TooLong(MAX_STAGES)));
                break;
            }
            let kind = StageKind::parse(&s.kind);
            if kind.is_none() {
                errors.push((fields::STAGE_KIND[i], FieldError::Unknown));
            }
            let start = jalali::parse(&s.start)
                .map_err(|e| errors.push((fields::STAGE_START[i], e.into())))
                .ok();
            let end = jalali::parse(&s.end)
                .map_err(|e| errors.push((fields::STAGE_END[i], e.into())))
                .ok();
            if let (Some(a), Some(b)) = (start, end)
                && b < a
            {
                errors.push((fields::STAGE_END[i], FieldError::DateOrder));
            }
            // Stages follow one another: two open at once would leave "the stage open now"
            // (what may be done today) to chance.
            if let (Some(a), Some(prev)) = (start, prev_end)
                && a <= prev
            {
                errors.push((fields::STAGE_START[i], FieldError::StageOrder));
            }
            prev_end = end.or(start).or(prev_end);
            let title = text(
                &s.title,
                AXIS_TITLE_MAX,
                fields::STAGE_TITLE[i],
                &mut errors,
            );
            if let (Some(kind), Some(start), Some(end)) = (kind, start, end) {
                stages.push(ValidStage {
                    kind,
                    title,
                    start,
                    end,
                });
            }
        }
        if stages.is_empty() && !errors.iter().any(|(f, _)| f.starts_with("stage_")) {
            errors.push((fields::STAGE_KIND[0], FieldError::Required));
        }
        if errors.is_empty() {
            Ok(ValidCall {
                title,
                description,
                audience,
                axes,
                stages,
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// A call for ideas as stored: its axes in order and its stages in pipeline order.
pub struct Call {
    pub id: CallId,
    /// The opaque id in URLs and the API.
    pub public_id: String,
    pub title: String,
    /// Markdown as the secretariat typed it; rendered sanitized.
    pub description: String,
    pub audience: Audience,
    pub state: CallState,
    pub copied_from: Option<CallId>,
    pub created_at: UnixSeconds,
    pub updated_at: UnixSeconds,
    /// When the results were made public, if they were.
    pub results_published_at: Option<UnixSeconds>,
    pub axes: Vec<Axis>,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
/// A thematic axis of a call; ideas are filed under one.
pub struct Axis {
    pub id: AxisId,
    #[serde(skip)]
    pub call_id: CallId,
    pub position: i64,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// A stage of a call's pipeline, open from `starts_at` to `ends_at` (both included).
pub struct Stage {
    pub id: StageId,
    pub position: i64,
    pub kind: StageKind,
    pub title: String,
    pub starts_at: UnixSeconds,
    pub ends_at: UnixSeconds,
}

impl Stage {
    pub fn is_open_at(&self, now: UnixSeconds) -> bool {
        self.starts_at <= now && now <= self.ends_at
    }
}

impl Call {
    /// The stage open at `now`, if any.
    pub fn current_stage(&self, now: UnixSeconds) -> Option<&Stage> {
        self.stages.iter().find(|s| s.is_open_at(now))
    }
}

impl Call {
    /// The call as its form or the API would type it (Jalali dates in Latin digits): what an
    /// edit starts from.
    pub fn to_input(&self) -> CallInput {
        let v = self.to_valid();
        CallInput {
            title: v.title,
            description: v.description,
            audience: v.audience.as_str().into(),
            axes: v
                .axes
                .into_iter()
                .map(|(title, description)| AxisInput { title, description })
                .collect(),
            stages: v
                .stages
                .into_iter()
                .map(|s| StageInput {
                    kind: s.kind.as_str().into(),
                    title: s.title,
                    start: s.start.to_string(),
                    end: s.end.to_string(),
                })
                .collect(),
        }
    }

    /// The call's configuration as validated input, e.g. to start a new round from it.
    pub fn to_valid(&self) -> ValidCall {
        ValidCall {
            title: self.title.clone(),
            description: self.description.clone(),
            audience: self.audience,
            axes: self
                .axes
                .iter()
                .map(|a| (a.title.clone(), a.description.clone()))
                .collect(),
            stages: self
                .stages
                .iter()
                .map(|s| ValidStage {
                    kind: s.kind,
                    title: s.title.clone(),
                    start: jalali::from_timestamp(s.starts_at.to_timestamp()),
                    end: jalali::from_timestamp(s.ends_at.to_timestamp()),
                })
                .collect(),
        }
    }
}

/// A stage's new dates, decided by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StageDates {
    pub stage_id: StageId,
    pub starts_at: UnixSeconds,
    pub ends_at: UnixSeconds,
}

/// Why a stage's dates cannot be moved as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RescheduleError {
    /// The stage would end before it starts (or before now, for a stage opened now).
    #[error("the stage would end before it starts")]
    EndsBeforeStart,
    /// The stage would run into the next one.
    #[error("the stage would run into the next stage")]
    Overlaps,
    /// Only the stage after the open one (or the first not yet begun) can be opened now, and
    /// only before it has begun.
    #[error("only the next stage can be opened now")]
    NotNext,
}

impl Call {
    /// Extends or shortens stage `index` to end at `ends_at` (the end of a day, or any moment).
    /// Refused when it would end before it starts or run into the next stage (move that first).
    pub fn move_end(
        &self,
        index: usize,
        ends_at: UnixSeconds,
    ) -> Result<Vec<StageDates>, RescheduleError> {
        let stage = &self.stages[index];
        if ends_at < stage.starts_at {
            return Err(RescheduleError::EndsBeforeStart);
        }
        if self
            .stages
            .get(index + 1)
            .is_some_and(|next| ends_at >= next.starts_at)
        {
            return Err(RescheduleError::Overlaps);
        }
        Ok(vec![StageDates {
            stage_id: stage.id,
            starts_at: stage.starts_at,
            ends_at,
        }])
    }

    /// Opens stage `index` at `now`, ahead of its date (a round that runs early, as Decidim's
    /// "activate phase"): the stage before it, if still open, ends a second earlier. Refused for
    /// a stage that has begun, that is not the one after the last begun, or that would then end
    /// before `now`.
    pub fn open_now(
        &self,
        index: usize,
        now: UnixSeconds,
    ) -> Result<Vec<StageDates>, RescheduleError> {
        let stage = &self.stages[index];
        let begun = self.stages.iter().filter(|s| s.starts_at <= now).count();
        if stage.starts_at <= now || index != begun {
            return Err(RescheduleError::NotNext);
        }
        if stage.ends_at < now {
            return Err(RescheduleError::EndsBeforeStart);
        }
        let mut out = Vec::new();
        if let Some(previous) = index.checked_sub(1).map(|p| &self.stages[p])
            && previous.ends_at >= now
        {
            out.push(StageDates {
                stage_id: previous.id,
                starts_at: previous.starts_at,
                ends_at: UnixSeconds::new(now.get() - 1),
            });
        }
        out.push(StageDates {
            stage_id: stage.id,
            starts_at: now,
            ends_at: stage.ends_at,
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round2() -> CallInput {
        CallInput {
            title: "جمعينو ۲: ایده‌های تولید محتوای رسانه‌ای".into(),
            description: "فراخوان **ایده**".into(),
            audience: "employees".into(),
            axes: vec![
                AxisInput {
                    title: "معرفی خدمات سازمان".into(),
                    description: String::new(),
                },
                AxisInput::default(),
                AxisInput {
                    title: "فرهنگ بیمه".into(),
                    description: "فرهنگ‌سازی".into(),
                },
            ],
            stages: vec![
                StageInput {
                    kind: "submission".into(),
                    title: "ثبت ایده".into(),
                    start: "۱۴۰۱/۱۱/۰۱".into(),
                    end: "1401-12-15".into(),
                },
                StageInput {
                    kind: "screening".into(),
                    title: String::new(),
                    start: "1401/12/16".into(),
                    end: "1401/12/25".into(),
                },
                StageInput::default(),
            ],
        }
    }

    #[test]
    fn a_valid_call_skips_empty_rows_and_reads_any_digits() {
        let v = round2().validate().unwrap();
        assert_eq!(v.title, "جمعینو ۲: ایده‌های تولید محتوای رسانه‌ای");
        assert_eq!(v.axes.len(), 2);
        assert_eq!(v.stages.len(), 2);
        assert_eq!(
            v.stages[0].start,
            JalaliDate {
                year: 1401,
                month: 11,
                day: 1
            }
        );
        assert_eq!(
            v.stages[0].end,
            JalaliDate {
                year: 1401,
                month: 12,
                day: 15
            }
        );
    }

    #[test]
    fn bad_dates_and_orders_point_at_their_row() {
        let mut c = round2();
        c.stages[0].end = "1401/13/01".into();
        c.stages[1].start = "1401/10/01".into();
        c.stages[1].end = "1401/09/01".into();
        c.axes[2].title = String::new();
        let e = c.validate().unwrap_err();
        assert!(
            e.contains(&("stage_end_0", FieldError::NoSuchDay)),
            "month 13"
        );
        assert!(e.contains(&("stage_end_1", FieldError::DateOrder)));
        assert!(e.contains(&("axis_title_2", FieldError::Required)));
    }

    #[test]
    fn titles_of_invisible_characters_are_required() {
        let mut c = round2();
        c.title = "\u{200C}".repeat(6);
        c.axes[1].title = "\u{200B}\u{202E}\u{200F}".into();
        let e = c.validate().unwrap_err();
        assert!(e.contains(&("title", FieldError::Required)), "{e:?}");
        assert!(e.contains(&("axis_title_1", FieldError::Required)), "{e:?}");
    }

    #[test]
    fn a_call_needs_a_title_an_axis_and_a_stage() {
        let e = CallInput::default().validate().unwrap_err();
        let fields: Vec<_> = e.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            ["title", "audience", "axis_title_0", "stage_kind_0"]
        );
    }

    #[test]
    fn states_move_only_forward_except_reopening() {
        assert!(CallState::Draft.can_become(CallState::Published));
        assert!(CallState::Closed.can_become(CallState::Published));
        assert!(!CallState::Archived.can_become(CallState::Published));
        assert!(!CallState::Published.can_become(CallState::Draft));
    }

    #[test]
    fn stage_kinds_open_their_actions() {
        assert_eq!(
            StageKind::Submission.actions(),
            &[StageAction::Submit, StageAction::Edit]
        );
        for k in StageKind::ALL {
            assert_eq!(StageKind::parse(k.as_str()), Some(*k));
        }
    }
    #[test]
    fn results_wait_for_submission_to_end_and_for_an_award() {
        let at = |secs| UnixSeconds::new(secs);
        let stage = |kind, start, end| Stage {
            id: crate::ids::StageId::new(1),
            position: 0,
            kind,
            title: String::new(),
            starts_at: at(start),
            ends_at: at(end),
        };
        let call = Call {
            id: crate::ids::CallId::new(1),
            public_id: "c".into(),
            title: "t".into(),
            description: String::new(),
            audience: Audience::Both,
            state: CallState::Published,
            copied_from: None,
            created_at: at(0),
            updated_at: at(0),
            results_published_at: None,
            axes: Vec::new(),
            stages: vec![
                stage(StageKind::Submission, 100, 200),
                stage(StageKind::Results, 201, 300),
            ],
        };
        // Before and during submission, whatever is awarded.
        assert_eq!(
            call.results_blocker(3, at(50)),
            Some(ResultsBlocker::SubmissionOpen)
        );
        assert_eq!(
            call.results_blocker(3, at(200)),
            Some(ResultsBlocker::SubmissionOpen),
            "the last second still takes ideas"
        );
        assert_eq!(
            call.results_blocker(0, at(201)),
            Some(ResultsBlocker::NoAwards)
        );
        assert_eq!(call.results_blocker(1, at(201)), None);
    }

    fn three_stages() -> Call {
        let at = UnixSeconds::new;
        let stage = |id, kind, start, end| Stage {
            id: crate::ids::StageId::new(id),
            position: id,
            kind,
            title: String::new(),
            starts_at: at(start),
            ends_at: at(end),
        };
        Call {
            id: crate::ids::CallId::new(1),
            public_id: "c".into(),
            title: "t".into(),
            description: String::new(),
            audience: Audience::Both,
            state: CallState::Published,
            copied_from: None,
            created_at: at(0),
            updated_at: at(0),
            results_published_at: None,
            axes: Vec::new(),
            stages: vec![
                stage(0, StageKind::Submission, 100, 199),
                stage(1, StageKind::Screening, 200, 299),
                stage(2, StageKind::Shortlisting, 300, 399),
            ],
        }
    }

    #[test]
    fn a_stage_is_extended_or_shortened_but_never_into_the_next() {
        let call = three_stages();
        let at = UnixSeconds::new;
        assert_eq!(call.move_end(0, at(150)).unwrap()[0].ends_at, at(150));
        assert_eq!(call.move_end(2, at(1000)).unwrap()[0].ends_at, at(1000));
        assert_eq!(call.move_end(0, at(200)), Err(RescheduleError::Overlaps));
        assert_eq!(
            call.move_end(1, at(199)),
            Err(RescheduleError::EndsBeforeStart)
        );
    }

    #[test]
    fn only_the_next_stage_opens_now_and_the_open_one_ends_first() {
        let call = three_stages();
        let at = UnixSeconds::new;
        // During submission (150) screening may open now; submission ends a second before.
        let moved = call.open_now(1, at(150)).unwrap();
        assert_eq!(
            moved,
            vec![
                StageDates {
                    stage_id: call.stages[0].id,
                    starts_at: at(100),
                    ends_at: at(149)
                },
                StageDates {
                    stage_id: call.stages[1].id,
                    starts_at: at(150),
                    ends_at: at(299)
                },
            ]
        );
        assert_eq!(call.open_now(2, at(150)), Err(RescheduleError::NotNext));
        assert_eq!(
            call.open_now(0, at(150)),
            Err(RescheduleError::NotNext),
            "begun already"
        );
        assert_eq!(call.open_now(2, at(250)).unwrap()[0].ends_at, at(249));
        // Between stages nothing is open: only the next one's start moves.
        let gap = Call {
            stages: vec![call.stages[0].clone(), call.stages[2].clone()],
            ..call.clone()
        };
        assert_eq!(gap.open_now(1, at(250)).unwrap().len(), 1);
    }
}

/// Why a call's results may not be made public now. The web layer words it (the catalog key is
/// `key()`); the API answers 409.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsBlocker {
    /// No idea is awarded: an empty results page would announce that nobody won.
    NoAwards,
    /// A submission stage has not ended: people may still send ideas the results cannot weigh.
    SubmissionOpen,
}

impl ResultsBlocker {
    /// The message catalog key that explains it and says what to do.
    pub fn key(self) -> &'static str {
        match self {
            Self::NoAwards => "results.blocked.no_awards",
            Self::SubmissionOpen => "results.blocked.submission_open",
        }
    }
}

impl Call {
    /// Whether results with `awards` awarded ideas may be published at `now`.
    pub fn results_blocker(&self, awards: usize, now: UnixSeconds) -> Option<ResultsBlocker> {
        if self
            .stages
            .iter()
            .any(|s| s.kind == StageKind::Submission && now <= s.ends_at)
        {
            return Some(ResultsBlocker::SubmissionOpen);
        }
        (awards == 0).then_some(ResultsBlocker::NoAwards)
    }
}
