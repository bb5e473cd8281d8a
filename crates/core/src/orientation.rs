//! Orientation sessions: what the secretariat types to schedule one for a call's finalists.

use crate::account::{FieldError, FieldErrors, fix_letters, fix_letters_keep_lines};
use crate::ids::{CallId, OrientationId};
use crate::time::UnixSeconds;
use hamafza_persian::jalali::{self, JalaliDate};
use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 200;
pub const PLACE_MAX: usize = 300;
pub const MATERIALS_MAX: usize = 20_000;

/// The session form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionInput {
    #[serde(default)]
    pub title: String,
    /// Jalali, e.g. `1402/02/20`, in any digits.
    #[serde(default)]
    pub date: String,
    /// `HH:MM`, in any digits.
    #[serde(default)]
    pub time: String,
    /// A room, or an online meeting's link.
    #[serde(default)]
    pub place: String,
    /// Markdown: the agenda, reading, links to the organization's rules.
    #[serde(default)]
    pub materials: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSession {
    pub title: String,
    pub date: JalaliDate,
    /// Minutes after midnight, Tehran time.
    pub minutes: u32,
    pub place: String,
    pub materials: String,
}

/// `HH:MM` (or `H:MM`) in any digit script, as minutes after midnight.
pub fn parse_time(s: &str) -> Option<u32> {
    let s = hamafza_persian::digits::to_latin(s.trim());
    let (h, m) = s.split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && m.to_string().len() <= 2).then_some(h * 60 + m)
}

impl SessionInput {
    pub fn validate(&self) -> Result<ValidSession, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = fix_letters(&self.title);
        if title.is_empty() {
            errors.push(("title", FieldError::Required));
        } else if title.chars().count() > TITLE_MAX {
            errors.push(("title", FieldError::TooLong(TITLE_MAX)));
        }
        let date = if self.date.trim().is_empty() {
            errors.push(("date", FieldError::Required));
            None
        } else {
            jalali::parse(&self.date)
                .map_err(|e| errors.push(("date", e.into())))
                .ok()
        };
        let minutes = if self.time.trim().is_empty() {
            errors.push(("time", FieldError::Required));
            None
        } else {
            parse_time(&self.time).or_else(|| {
                errors.push(("time", FieldError::Time));
                None
            })
        };
        let place = fix_letters(&self.place);
        if place.is_empty() {
            errors.push(("place", FieldError::Required));
        } else if place.chars().count() > PLACE_MAX {
            errors.push(("place", FieldError::TooLong(PLACE_MAX)));
        }
        let materials = fix_letters_keep_lines(&self.materials);
        if materials.chars().count() > MATERIALS_MAX {
            errors.push(("materials", FieldError::TooLong(MATERIALS_MAX)));
        }
        match (date, minutes) {
            (Some(date), Some(minutes)) if errors.is_empty() => Ok(ValidSession {
                title,
                date,
                minutes,
                place,
                materials,
            }),
            _ => Err(errors),
        }
    }
}

/// A scheduled orientation session of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "sqlx", derive(sqlx::FromRow))]
pub struct OrientationSession {
    pub id: OrientationId,
    pub public_id: String,
    pub call_id: CallId,
    pub title: String,
    pub starts_at: UnixSeconds,
    /// A room or an online link.
    pub place: String,
    /// Markdown.
    pub materials: String,
    pub created_at: UnixSeconds,
}

/// Whether an invited idea's team came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Invited,
    Attended,
    Absent,
}

impl Attendance {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Attended => "attended",
            Self::Absent => "absent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Invited, Self::Attended, Self::Absent]
            .into_iter()
            .find(|a| a.as_str() == s.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_any_digits() {
        assert_eq!(parse_time("14:30"), Some(870));
        assert_eq!(parse_time("۹:۰۵"), Some(545));
        assert_eq!(parse_time("٠٨:٠٠"), Some(480));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("10:60"), None);
        assert_eq!(parse_time("ده"), None);
    }

    #[test]
    fn a_session_needs_title_date_time_and_place() {
        let blank = SessionInput {
            title: "\u{200C}\u{200C}\u{200C}".into(),
            place: "\u{2067}\u{200B}".into(),
            ..Default::default()
        };
        let e = blank.validate().unwrap_err();
        assert!(e.contains(&("title", FieldError::Required)), "{e:?}");
        assert!(e.contains(&("place", FieldError::Required)), "{e:?}");
        let e = SessionInput::default().validate().unwrap_err();
        for f in ["title", "date", "time", "place"] {
            assert!(
                e.iter().any(|(k, x)| *k == f && *x == FieldError::Required),
                "{f}"
            );
        }
        let ok = SessionInput {
            title: "آشنایی با نظام مسائل سازمان".into(),
            date: "۱۴۰۲/۰۲/۲۰".into(),
            time: "۱۰:۰۰".into(),
            place: "تالار همایش‌های ستاد".into(),
            materials: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.minutes, 600);
        assert_eq!(
            ok.date,
            JalaliDate {
                year: 1402,
                month: 2,
                day: 20
            }
        );
        let bad = SessionInput {
            date: "1402/13/01".into(),
            time: "25:00".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(bad.contains(&("date", FieldError::NoSuchDay)), "month 13");
        assert!(bad.contains(&("time", FieldError::Time)));
        // Esfand 1404 has 29 days: well written, not in the calendar. A misread date is another
        // error, that says how to write one.
        for (date, error) in [
            ("1404/12/30", FieldError::NoSuchDay),
            ("۱۴۰۳/۱۲/۳۰", FieldError::Date),
            ("20 Esfand", FieldError::Date),
        ] {
            let e = SessionInput {
                date: date.into(),
                ..Default::default()
            }
            .validate()
            .unwrap_err();
            let got = e.iter().find(|(f, _)| *f == "date").map(|(_, e)| *e);
            if date == "۱۴۰۳/۱۲/۳۰" {
                assert_eq!(got, None, "1403 is a leap year");
            } else {
                assert_eq!(got, Some(error), "{date}");
            }
        }
    }
}
