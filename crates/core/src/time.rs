//! Moments in time as the database keeps them: whole seconds since 1970-01-01 00:00 UTC.

use std::ops::{Add, AddAssign, Sub};

/// A moment as Unix time in whole seconds (UTC), the unit of every `*_at` column. Adding or
/// subtracting an `i64` moves it by that many seconds; the difference of two is in seconds.
/// Shown to people in the Jalali calendar and Tehran's time zone (`hamafza_persian::jalali`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema), schema(value_type = i64))]
pub struct UnixSeconds(i64);

impl UnixSeconds {
    /// The moment `secs` seconds after 1970-01-01 00:00 UTC.
    pub const fn new(secs: i64) -> Self {
        Self(secs)
    }

    /// Seconds since 1970-01-01 00:00 UTC.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Now, by this machine's clock (0 if the clock is before 1970).
    pub fn now() -> Self {
        Self(jiff::Timestamp::now().as_second().max(0))
    }

    /// The same moment as a `jiff` timestamp, for calendars and formatting; out-of-range values
    /// (none a database of ours holds) become the epoch.
    pub fn to_timestamp(self) -> jiff::Timestamp {
        jiff::Timestamp::from_second(self.0).unwrap_or_default()
    }

    /// The whole second of `t`.
    pub fn from_timestamp(t: jiff::Timestamp) -> Self {
        Self(t.as_second())
    }
}

/// The number of seconds, as stored (and hashed into the audit chain).
impl std::fmt::Display for UnixSeconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Add<i64> for UnixSeconds {
    type Output = UnixSeconds;

    fn add(self, secs: i64) -> UnixSeconds {
        UnixSeconds(self.0.saturating_add(secs))
    }
}

impl AddAssign<i64> for UnixSeconds {
    fn add_assign(&mut self, secs: i64) {
        *self = *self + secs;
    }
}

impl Sub<i64> for UnixSeconds {
    type Output = UnixSeconds;

    fn sub(self, secs: i64) -> UnixSeconds {
        UnixSeconds(self.0.saturating_sub(secs))
    }
}

/// The seconds from `other` to `self`.
impl Sub for UnixSeconds {
    type Output = i64;

    fn sub(self, other: UnixSeconds) -> i64 {
        self.0.saturating_sub(other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_add_and_subtract() {
        let t = UnixSeconds::new(1_000);
        assert_eq!(t + 60, UnixSeconds::new(1_060));
        assert_eq!(t - 60, UnixSeconds::new(940));
        assert_eq!((t + 60) - t, 60);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1000");
        assert_eq!(UnixSeconds::from_timestamp(t.to_timestamp()), t);
    }
}
