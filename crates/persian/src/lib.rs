//! Persian text and Iranian locale data for Hamafza.
//!
//! * [`normalize`] turns Persian text into one canonical form for search and
//!   duplicate detection: Arabic `ي`/`ك` become Persian `ی`/`ک`, digits in
//!   every script become ASCII, diacritics and tatweel go, half-spaces and
//!   whitespace are tidied.
//! * [`digits`] converts between digit scripts and formats numbers.
//! * [`jalali`] converts, formats and parses Jalali (Solar Hijri) dates and
//!   anchors them in Tehran time.
//! * [`controls`] finds the invisible characters that reorder or hide text around them, tells
//!   whether text has anything visible, removes stray direction controls and isolates text.
//! * [`national_id`], [`mobile`] and [`provinces`] validate and describe the
//!   identifiers Iranian users type into forms.
//!
//! Why hand-written: the normalization rules are specific to Persian (which
//! Arabic letters count as variants, what to do with ZWNJ) and no maintained
//! crate implements them; Unicode NFKC does something different (it folds
//! presentation forms but keeps `ي` vs `ی`). The calendar arithmetic is *not*
//! hand-written: Jalali conversion comes from ICU4X's Persian calendar, and
//! time zones from jiff's bundled tz database.
//!
//! Everything here is pure: no I/O, no global state beyond reading the clock
//! in [`jalali::today_tehran`].

pub mod controls;
pub mod digits;
pub mod jalali;
pub mod mobile;
pub mod national_id;
mod normalize;
pub mod provinces;

pub use normalize::{normalize, normalize_into};
