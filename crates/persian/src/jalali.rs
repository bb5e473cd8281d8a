//! The Jalali (Solar Hijri) calendar: conversion, formatting, parsing, and
//! dates in Tehran time.
//!
//! Conversion is delegated to ICU4X's Persian calendar, which uses the
//! 33-year arithmetic rule with a correction table that matches the
//! astronomical calendar for 1178–3000 SH. Civil dates use [`jiff`].

use std::fmt;

use icu_calendar::Date;
use icu_calendar::cal::Persian;
use jiff::Timestamp;
use jiff::civil;
use jiff::tz::{Offset, TimeZone};

use crate::digits;

/// IANA name of Iran's time zone.
pub const TEHRAN: &str = "Asia/Tehran";

/// Years accepted by [`parse`]; wide enough for birth dates and deadlines,
/// narrow enough to catch a Gregorian year typed by mistake.
pub const PARSE_YEARS: std::ops::RangeInclusive<i32> = 1200..=1600;

/// Persian month names, Farvardin first.
pub const MONTHS_FA: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];

/// Romanized month names for the English UI.
pub const MONTHS_EN: [&str; 12] = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
];

/// Persian weekday names; the Iranian week starts on Saturday.
pub const WEEKDAYS_FA: [&str; 7] = [
    "شنبه",
    "یکشنبه",
    "دوشنبه",
    "سه‌شنبه",
    "چهارشنبه",
    "پنجشنبه",
    "جمعه",
];

/// A date in the Jalali calendar. Fields are public for pattern matching;
/// construct through [`JalaliDate::new`] or a conversion to get a valid one.
///
/// Ordering is chronological because fields compare year, month, day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JalaliDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl JalaliDate {
    /// A validated date; `None` if it does not exist or falls outside the
    /// Gregorian years -9999..=9999 that [`jiff`] can represent.
    #[must_use]
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        to_gregorian(year, month, day).map(|_| Self { year, month, day })
    }

    /// Converts a Gregorian date; `None` if it does not exist.
    #[must_use]
    pub fn from_gregorian(y: i32, m: u32, d: u32) -> Option<Self> {
        from_gregorian(y, m, d).map(|(year, month, day)| Self { year, month, day })
    }

    /// Converts to a Gregorian `(year, month, day)`; `None` if `self` is not
    /// a valid date.
    #[must_use]
    pub fn to_gregorian(self) -> Option<(i32, u32, u32)> {
        to_gregorian(self.year, self.month, self.day)
    }

    /// Converts a civil date. Every [`civil::Date`] has a Jalali equivalent.
    #[must_use]
    pub fn from_civil(date: civil::Date) -> Self {
        let iso = Date::try_new_iso(
            i32::from(date.year()),
            date.month().unsigned_abs(),
            date.day().unsigned_abs(),
        )
        .expect("jiff's civil range lies inside ICU4X's ISO range");
        let p = iso.to_calendar(Persian);
        Self {
            year: p.year().extended_year(),
            month: u32::from(p.month().ordinal),
            day: u32::from(p.day_of_month().0),
        }
    }

    /// Converts to a civil date.
    ///
    /// Total, so a hand-built invalid date is clamped rather than panicking:
    /// month to 1..=12, day to the month's length, and dates beyond jiff's
    /// range saturate to [`civil::Date::MIN`]/[`civil::Date::MAX`].
    #[must_use]
    pub fn to_civil(self) -> civil::Date {
        let month = self.month.clamp(1, 12);
        let day = self.day.clamp(1, days_in_month(self.year, month));
        to_civil_checked(self.year, month, day).unwrap_or(if self.year < 0 {
            civil::Date::MIN
        } else {
            civil::Date::MAX
        })
    }

    /// The day after this one.
    #[must_use]
    pub fn succ(self) -> Self {
        if self.day < days_in_month(self.year, self.month) {
            Self {
                day: self.day + 1,
                ..self
            }
        } else if self.month < 12 {
            Self {
                month: self.month + 1,
                day: 1,
                ..self
            }
        } else {
            Self {
                year: self.year + 1,
                month: 1,
                day: 1,
            }
        }
    }
}

impl fmt::Display for JalaliDate {
    /// ASCII `1401/11/01`; use [`format_numeric`] for Persian digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}/{:02}", self.year, self.month, self.day)
    }
}

/// Converts a Gregorian date to Jalali `(year, month, day)`; `None` if the
/// Gregorian date does not exist or is outside years -9999..=9999.
#[must_use]
pub fn from_gregorian(y: i32, m: u32, d: u32) -> Option<(i32, u32, u32)> {
    let date = civil::Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()?;
    let j = JalaliDate::from_civil(date);
    Some((j.year, j.month, j.day))
}

/// Converts a Jalali date to Gregorian `(year, month, day)`; `None` if the
/// Jalali date does not exist (month 13, day 32, 30 Esfand in a common
/// year, …) or its Gregorian year is outside -9999..=9999.
#[must_use]
pub fn to_gregorian(y: i32, m: u32, d: u32) -> Option<(i32, u32, u32)> {
    if d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let c = to_civil_checked(y, m, d)?;
    Some((
        i32::from(c.year()),
        u32::from(c.month().unsigned_abs()),
        u32::from(c.day().unsigned_abs()),
    ))
}

fn to_civil_checked(y: i32, m: u32, d: u32) -> Option<civil::Date> {
    let p = Date::try_new_persian(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()?;
    let iso = p.to_calendar(icu_calendar::Iso);
    civil::Date::new(
        i16::try_from(iso.year().extended_year()).ok()?,
        i8::try_from(iso.month().ordinal).ok()?,
        i8::try_from(iso.day_of_month().0).ok()?,
    )
    .ok()
}

/// Whether Esfand of year `y` has 30 days. Years outside ICU4X's supported
/// range (-9999..=9999) report `false`.
#[must_use]
pub fn is_leap_year(y: i32) -> bool {
    Date::try_new_persian(y, 1, 1).is_ok_and(|d| d.is_in_leap_year())
}

/// Days in month `m` of year `y`: 31 for months 1–6, 30 for 7–11, 29 or 30
/// for Esfand; 0 if `m` is not 1..=12.
#[must_use]
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1..=6 => 31,
        7..=11 => 30,
        12 if is_leap_year(y) => 30,
        12 => 29,
        _ => 0,
    }
}

/// `۱۴۰۱/۱۱/۰۱`: Persian digits, zero-padded month and day.
#[must_use]
pub fn format_numeric(d: JalaliDate) -> String {
    digits::to_persian(&d.to_string())
}

/// `۱ بهمن ۱۴۰۱`.
#[must_use]
pub fn format_long(d: JalaliDate) -> String {
    let month = month_name(&MONTHS_FA, d.month);
    digits::to_persian(&format!("{} {month} {}", d.day, d.year))
}

/// `1 Bahman 1401`, for the English UI.
#[must_use]
pub fn format_long_latin(d: JalaliDate) -> String {
    format!("{} {} {}", d.day, month_name(&MONTHS_EN, d.month), d.year)
}

fn month_name(names: &[&'static str; 12], month: u32) -> &'static str {
    names[month.clamp(1, 12) as usize - 1]
}

/// Persian weekday name, e.g. `شنبه` for Saturday.
#[must_use]
pub fn weekday_fa(d: JalaliDate) -> &'static str {
    let sunday_zero = d.to_civil().weekday().to_sunday_zero_offset();
    // Shift so that Saturday (6 counting from Sunday) becomes 0.
    WEEKDAYS_FA[((sunday_zero + 1) % 7) as usize]
}

/// Why a date could not be parsed. `Display` is a short English
/// description; [`ParseDateError::message_fa`] tells a Persian user how to
/// fix the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseDateError {
    #[error("date must look like 1403/01/15 (year/month/day)")]
    Format,
    #[error("year must be between 1200 and 1600")]
    Year,
    #[error("month must be between 1 and 12")]
    Month,
    #[error("that day does not exist in that month")]
    Day,
}

impl ParseDateError {
    /// A Persian message that says what to change.
    #[must_use]
    pub fn message_fa(&self) -> &'static str {
        match self {
            Self::Format => "تاریخ را به شکل ۱۴۰۳/۰۱/۱۵ وارد کنید.",
            Self::Year => "سال باید چهاررقمی و بین ۱۲۰۰ تا ۱۶۰۰ باشد، مانند ۱۴۰۳.",
            Self::Month => "ماه باید عددی بین ۱ تا ۱۲ باشد.",
            Self::Day => {
                "این روز در آن ماه وجود ندارد. شش ماه اول ۳۱ روز، پنج ماه بعد ۳۰ روز و اسفند ۲۹ روز (در سال کبیسه ۳۰ روز) دارد."
            }
        }
    }
}

/// Parses `year/month/day` with a 4-digit year and 1- or 2-digit month and
/// day, in any digit script, separated by `/` or `-` (the same one twice),
/// with optional surrounding whitespace: `1401/11/01`, `۱۴۰۱/۱۱/۱`,
/// `١٤٠١-١١-٠١`.
pub fn parse(input: &str) -> Result<JalaliDate, ParseDateError> {
    let s = input.trim();
    let sep = s
        .chars()
        .find(|&c| c == '/' || c == '-')
        .ok_or(ParseDateError::Format)?;
    let mut parts = s.split(sep);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ParseDateError::Format);
    };
    let year = number(y, 4..=4).ok_or(ParseDateError::Format)?;
    let month = number(m, 1..=2).ok_or(ParseDateError::Format)?;
    let day = number(d, 1..=2).ok_or(ParseDateError::Format)?;
    let year = i32::try_from(year).map_err(|_| ParseDateError::Year)?;
    if !PARSE_YEARS.contains(&year) {
        return Err(ParseDateError::Year);
    }
    if !(1..=12).contains(&month) {
        return Err(ParseDateError::Month);
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(ParseDateError::Day);
    }
    Ok(JalaliDate { year, month, day })
}

/// A run of `len` digits in any script.
fn number(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<u32> {
    let mut count = 0;
    let mut n = 0u32;
    for c in s.chars() {
        n = n * 10 + digits::value(c)?;
        count += 1;
        if count > *len.end() {
            return None;
        }
    }
    len.contains(&count).then_some(n)
}

/// The Asia/Tehran zone. Falls back to a fixed +03:30, Iran's offset since
/// it abolished DST in 2022, should the bundled database ever lack it.
fn tehran() -> TimeZone {
    TimeZone::get(TEHRAN)
        .unwrap_or_else(|_| Offset::from_seconds(12_600).map_or(TimeZone::UTC, TimeZone::fixed))
}

/// Today's date in Tehran.
#[must_use]
pub fn today_tehran() -> JalaliDate {
    from_timestamp(Timestamp::now())
}

/// The Tehran calendar date at instant `ts`.
#[must_use]
pub fn from_timestamp(ts: Timestamp) -> JalaliDate {
    JalaliDate::from_civil(ts.to_zoned(tehran()).date())
}

/// `۱۴۰۱/۱۱/۰۱ ساعت ۱۴:۳۰` in Tehran local time.
#[must_use]
pub fn format_datetime(ts: Timestamp) -> String {
    let z = ts.to_zoned(tehran());
    let date = JalaliDate::from_civil(z.date());
    digits::to_persian(&format!("{date} ساعت {:02}:{:02}", z.hour(), z.minute()))
}

/// `1401/11/01 14:30` in Tehran local time, for the English UI.
#[must_use]
pub fn format_datetime_latin(ts: Timestamp) -> String {
    let z = ts.to_zoned(tehran());
    let date = JalaliDate::from_civil(z.date());
    format!("{date} {:02}:{:02}", z.hour(), z.minute())
}

/// The first instant (00:00:00) of `d` in Tehran.
#[must_use]
pub fn start_of_day_tehran(d: JalaliDate) -> Timestamp {
    d.to_civil()
        .at(0, 0, 0, 0)
        .to_zoned(tehran())
        .map_or(Timestamp::MIN, |z| z.timestamp())
}

/// The last second of `d` in Tehran: a deadline "on" `d` is met up to this instant. Computed as
/// one second before the next day starts, because on the nights Iran left daylight saving time
/// (until 2022) the hour before midnight happened twice, and 23:59:59 names the first of them.
#[must_use]
pub fn end_of_day_tehran(d: JalaliDate) -> Timestamp {
    start_of_day_tehran(d.succ())
        .checked_sub(jiff::SignedDuration::from_secs(1))
        .unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn j(year: i32, month: u32, day: u32) -> JalaliDate {
        JalaliDate { year, month, day }
    }

    #[test]
    fn known_anchor_dates_convert_both_ways() {
        let anchors = [
            ((1403, 1, 1), (2024, 3, 20)),
            ((1404, 1, 1), (2025, 3, 21)),
            ((1401, 11, 1), (2023, 1, 21)),
            ((1300, 1, 1), (1921, 3, 21)),
            ((1354, 1, 1), (1975, 3, 21)),
            ((1399, 12, 30), (2021, 3, 20)),
            ((1403, 12, 30), (2025, 3, 20)),
            ((1200, 1, 1), (1821, 3, 21)),
        ];
        for ((jy, jm, jd), g) in anchors {
            assert_eq!(to_gregorian(jy, jm, jd), Some(g), "{jy}/{jm}/{jd}");
            assert_eq!(from_gregorian(g.0, g.1, g.2), Some((jy, jm, jd)), "{g:?}");
        }
    }

    #[test]
    fn leap_years_follow_the_official_calendar() {
        for y in [1399, 1403, 1408, 1375, 1370] {
            assert!(is_leap_year(y), "{y}");
        }
        for y in [1400, 1401, 1402, 1404, 1398] {
            assert!(!is_leap_year(y), "{y}");
        }
    }

    #[test]
    fn invalid_jalali_dates_are_rejected() {
        assert_eq!(to_gregorian(1402, 12, 30), None);
        assert_eq!(to_gregorian(1403, 13, 1), None);
        assert_eq!(to_gregorian(1403, 0, 1), None);
        assert_eq!(to_gregorian(1403, 1, 32), None);
        assert_eq!(to_gregorian(1403, 7, 31), None);
        assert_eq!(to_gregorian(1403, 1, 0), None);
        assert_eq!(JalaliDate::new(1402, 12, 30), None);
        assert_eq!(JalaliDate::new(1403, 12, 30), Some(j(1403, 12, 30)));
    }

    #[test]
    fn invalid_gregorian_dates_are_rejected() {
        assert_eq!(from_gregorian(2023, 2, 29), None);
        assert_eq!(from_gregorian(2024, 13, 1), None);
        assert_eq!(from_gregorian(2024, 4, 31), None);
        assert_eq!(from_gregorian(100_000, 1, 1), None);
    }

    #[test]
    fn days_in_month_knows_esfand_and_rejects_month_13() {
        assert_eq!(days_in_month(1403, 1), 31);
        assert_eq!(days_in_month(1403, 7), 30);
        assert_eq!(days_in_month(1403, 12), 30);
        assert_eq!(days_in_month(1402, 12), 29);
        assert_eq!(days_in_month(1403, 13), 0);
    }

    #[test]
    fn every_day_from_1200_to_1600_round_trips_and_follows_the_previous_one() {
        let mut g = civil::date(1821, 3, 21);
        let end = civil::date(2222, 3, 21);
        let mut prev: Option<JalaliDate> = None;
        let mut year_len = 0;
        while g < end {
            let jd = JalaliDate::from_civil(g);
            assert_eq!(jd.to_civil(), g);
            if let Some(p) = prev {
                assert_eq!(jd, p.succ(), "after {p:?}");
                if jd.month == 1 && jd.day == 1 {
                    let expected = if is_leap_year(p.year) { 366 } else { 365 };
                    assert_eq!(year_len, expected, "length of {}", p.year);
                    year_len = 0;
                }
            } else {
                assert_eq!(jd, j(1200, 1, 1));
            }
            year_len += 1;
            prev = Some(jd);
            g = g.tomorrow().unwrap();
        }
        assert_eq!(prev, Some(j(1600, 12, days_in_month(1600, 12))));
    }

    #[test]
    fn round_trip_through_gregorian_tuples_holds_for_every_day() {
        let mut g = civil::date(1821, 3, 21);
        let end = civil::date(2221, 3, 21);
        while g < end {
            let (y, m, d) = (i32::from(g.year()), g.month() as u32, g.day() as u32);
            let (jy, jm, jd) = from_gregorian(y, m, d).unwrap();
            assert_eq!(to_gregorian(jy, jm, jd), Some((y, m, d)));
            g = g.tomorrow().unwrap();
        }
    }

    #[test]
    fn to_civil_clamps_hand_built_invalid_dates() {
        assert_eq!(j(1402, 12, 30).to_civil(), j(1402, 12, 29).to_civil());
        assert_eq!(j(1403, 0, 0).to_civil(), civil::date(2024, 3, 20));
        assert_eq!(j(20_000, 1, 1).to_civil(), civil::Date::MAX);
        assert_eq!(j(-20_000, 1, 1).to_civil(), civil::Date::MIN);
    }

    #[test]
    fn extreme_civil_dates_convert_without_panicking() {
        let min = JalaliDate::from_civil(civil::Date::MIN);
        let max = JalaliDate::from_civil(civil::Date::MAX);
        assert!(min < max);
        assert_eq!(max.to_civil(), civil::Date::MAX);
    }

    #[test]
    fn numeric_format_uses_persian_digits_and_padding() {
        assert_eq!(format_numeric(j(1401, 11, 1)), "۱۴۰۱/۱۱/۰۱");
        assert_eq!(j(1401, 11, 1).to_string(), "1401/11/01");
    }

    #[test]
    fn long_format_names_the_month() {
        assert_eq!(format_long(j(1401, 11, 1)), "۱ بهمن ۱۴۰۱");
        assert_eq!(format_long_latin(j(1401, 11, 1)), "1 Bahman 1401");
        assert_eq!(format_long_latin(j(1403, 1, 15)), "15 Farvardin 1403");
    }

    #[test]
    fn weekdays_start_on_saturday() {
        // 2024-03-20 was a Wednesday; 2024-03-23 a Saturday; 2024-03-22 a Friday.
        assert_eq!(weekday_fa(j(1403, 1, 1)), "چهارشنبه");
        assert_eq!(weekday_fa(j(1403, 1, 3)), "جمعه");
        assert_eq!(weekday_fa(j(1403, 1, 4)), "شنبه");
        assert_eq!(weekday_fa(j(1403, 1, 7)), "سه‌شنبه");
    }

    #[test]
    fn parse_accepts_every_digit_script_and_separator() {
        let want = Ok(j(1401, 11, 1));
        assert_eq!(parse("1401/11/01"), want);
        assert_eq!(parse("۱۴۰۱/۱۱/۱"), want);
        assert_eq!(parse("١٤٠١-١١-٠١"), want);
        assert_eq!(parse("  1401-11-1\n"), want);
    }

    #[test]
    fn parse_explains_what_is_wrong() {
        assert_eq!(parse("1401/11"), Err(ParseDateError::Format));
        assert_eq!(parse("1401/11/01/02"), Err(ParseDateError::Format));
        assert_eq!(parse("1401/11-01"), Err(ParseDateError::Format));
        assert_eq!(parse("01/11/1401"), Err(ParseDateError::Format));
        assert_eq!(parse("1401/011/01"), Err(ParseDateError::Format));
        assert_eq!(parse("1401/+1/01"), Err(ParseDateError::Format));
        assert_eq!(parse(""), Err(ParseDateError::Format));
        assert_eq!(parse("2024/03/20"), Err(ParseDateError::Year));
        assert_eq!(parse("1199/01/01"), Err(ParseDateError::Year));
        assert_eq!(parse("1401/13/01"), Err(ParseDateError::Month));
        assert_eq!(parse("1401/00/01"), Err(ParseDateError::Month));
        assert_eq!(parse("1402/12/30"), Err(ParseDateError::Day));
        assert_eq!(parse("1401/07/31"), Err(ParseDateError::Day));
        assert_eq!(parse("1401/07/00"), Err(ParseDateError::Day));
        assert_eq!(parse("1403/12/30"), Ok(j(1403, 12, 30)));
    }

    #[test]
    fn parse_errors_have_english_and_persian_messages() {
        for e in [
            ParseDateError::Format,
            ParseDateError::Year,
            ParseDateError::Month,
            ParseDateError::Day,
        ] {
            assert!(!e.to_string().is_empty());
            assert!(e.message_fa().ends_with('.'));
        }
        assert_eq!(
            ParseDateError::Format.message_fa(),
            "تاریخ را به شکل ۱۴۰۳/۰۱/۱۵ وارد کنید."
        );
    }

    #[test]
    fn tehran_is_utc_plus_three_thirty_all_year_in_2024() {
        let tz = TimeZone::get(TEHRAN).unwrap();
        for ts in ["2024-01-15T12:00:00Z", "2024-07-15T12:00:00Z"] {
            let ts: Timestamp = ts.parse().unwrap();
            assert_eq!(tz.to_offset(ts).seconds(), 12_600);
        }
    }

    #[test]
    fn timestamps_are_read_in_tehran_time() {
        // 2023-01-21 11:00 UTC is 14:30 in Tehran on 1 Bahman 1401.
        let ts: Timestamp = "2023-01-21T11:00:00Z".parse().unwrap();
        assert_eq!(from_timestamp(ts), j(1401, 11, 1));
        assert_eq!(format_datetime(ts), "۱۴۰۱/۱۱/۰۱ ساعت ۱۴:۳۰");
        assert_eq!(format_datetime_latin(ts), "1401/11/01 14:30");
        // 21:00 UTC is already the next day in Tehran.
        let late: Timestamp = "2023-01-21T21:00:00Z".parse().unwrap();
        assert_eq!(from_timestamp(late), j(1401, 11, 2));
    }

    #[test]
    fn day_bounds_are_tehran_midnight_and_one_second_before_the_next() {
        let d = j(1403, 1, 1);
        let start: Timestamp = "2024-03-19T20:30:00Z".parse().unwrap();
        let end: Timestamp = "2024-03-20T20:29:59Z".parse().unwrap();
        assert_eq!(start_of_day_tehran(d), start);
        assert_eq!(end_of_day_tehran(d), end);
        assert_eq!(from_timestamp(start_of_day_tehran(d)), d);
        assert_eq!(from_timestamp(end_of_day_tehran(d)), d);
    }

    #[test]
    fn today_in_tehran_is_a_valid_date() {
        let today = today_tehran();
        assert_eq!(
            JalaliDate::new(today.year, today.month, today.day),
            Some(today)
        );
    }

    fn any_date() -> impl Strategy<Value = JalaliDate> {
        (PARSE_YEARS, 1u32..=12, 1u32..=31)
            .prop_map(|(y, m, d)| j(y, m, d.min(days_in_month(y, m))))
    }

    #[test]
    fn the_day_daylight_saving_ended_lasts_25_hours() {
        // 30 Shahrivar 1370 (1991-09-21): clocks went back from 24:00 to 23:00.
        let d = j(1370, 6, 30);
        let span = end_of_day_tehran(d).as_second() - start_of_day_tehran(d).as_second() + 1;
        assert_eq!(span, 25 * 3600);
        assert_eq!(
            from_timestamp(end_of_day_tehran(d) + jiff::SignedDuration::from_secs(1)),
            d.succ()
        );
    }

    proptest! {
        #[test]
        fn parse_reads_back_the_numeric_format(d in any_date()) {
            prop_assert_eq!(parse(&format_numeric(d)), Ok(d));
            prop_assert_eq!(parse(&d.to_string()), Ok(d));
            prop_assert_eq!(parse(&d.to_string().replace('/', "-")), Ok(d));
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = parse(&s);
        }

        #[test]
        fn day_bounds_enclose_every_instant_of_the_day(d in any_date()) {
            let start = start_of_day_tehran(d);
            let end = end_of_day_tehran(d);
            prop_assert!(start < end);
            prop_assert_eq!(from_timestamp(start), d);
            prop_assert_eq!(from_timestamp(end), d);
            prop_assert_eq!(from_timestamp(end + jiff::SignedDuration::from_secs(1)), d.succ());
        }
    }
}
