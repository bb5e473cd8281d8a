//! Throttling rules for sign-in, one-time codes, API tokens and team invitations. The counters live in the database (app nodes
//! keep no state); the numbers live here.

use crate::time::UnixSeconds;
/// A fixed-window limit: at most `max` hits per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

/// Failed sign-ins for one account before it is locked for the rest of the window.
pub const LOGIN_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window_secs: 15 * 60,
};
/// Failed sign-ins from one address, across accounts (password spraying).
pub const LOGIN_PER_IP: Limit = Limit {
    max: 30,
    window_secs: 15 * 60,
};
/// One-time codes requested from one address.
pub const OTP_SEND_PER_IP: Limit = Limit {
    max: 10,
    window_secs: 60 * 60,
};
/// One-time codes sent to one mobile number.
pub const OTP_SEND_PER_MOBILE: Limit = Limit {
    max: 5,
    window_secs: 60 * 60,
};

/// A one-time code is valid this long after it is sent.
pub const OTP_TTL_SECS: i64 = 120;
/// Wrong guesses allowed for one code; the next one voids it.
pub const OTP_MAX_ATTEMPTS: i64 = 5;
/// A new code for the same number only after this many seconds.
pub const OTP_RESEND_COOLDOWN_SECS: i64 = 60;
/// Digits in a one-time code.
pub const OTP_DIGITS: u32 = 6;

/// Status lookups by tracking code from one address (like sign-in: each one tries a code).
pub const TRACK_PER_IP: Limit = Limit {
    max: 30,
    window_secs: 15 * 60,
};
/// Status lookups of one tracking code (a wrong mobile number guessed against a known code).
pub const TRACK_PER_CODE: Limit = Limit {
    max: 5,
    window_secs: 15 * 60,
};

/// Characters in the name of an API token.
pub const TOKEN_NAME_MAX: usize = 60;
/// Live (neither revoked nor expired) API tokens one person may hold; past it, a new one is
/// refused until one is revoked, so a leaked password cannot mint tokens without end.
pub const LIVE_TOKENS_MAX: i64 = 20;

/// Team invitations sent for one idea (each one mails or texts the invitee).
pub const INVITES_PER_IDEA: Limit = Limit {
    max: 10,
    window_secs: 24 * 60 * 60,
};
/// Team invitations sent by one person, across their ideas.
pub const INVITES_PER_INVITER: Limit = Limit {
    max: 20,
    window_secs: 24 * 60 * 60,
};
/// Inviting the same person to the same idea again within this long (after removing them, or
/// after they declined) records the invitation but sends no second message.
pub const REINVITE_QUIET_SECS: i64 = 24 * 60 * 60;

impl Limit {
    /// The window a moment falls in; counters are keyed by it.
    pub fn window_start(self, now: UnixSeconds) -> UnixSeconds {
        now - now.get().rem_euclid(self.window_secs)
    }

    /// Seconds until the window of `now` ends.
    pub fn retry_after(self, now: UnixSeconds) -> i64 {
        (self.window_start(now) + self.window_secs) - now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_starts_on_its_boundary() {
        let l = Limit {
            max: 1,
            window_secs: 900,
        };
        assert_eq!(
            l.window_start(UnixSeconds::new(1800)),
            UnixSeconds::new(1800)
        );
        assert_eq!(
            l.window_start(UnixSeconds::new(2699)),
            UnixSeconds::new(1800)
        );
        assert_eq!(l.retry_after(UnixSeconds::new(2699)), 1);
    }
}
