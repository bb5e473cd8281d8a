//! Notifications: the in-app inbox, email and SMS, for receipts, status changes, merges, team
//! invitations and results.
//!
//! Why this shape: every change that matters is already appended to the hash-chained audit log
//! in the same transaction as the change itself. So the audit log *is* the outbox — a request
//! never sends anything, and nothing can be committed without its notification or notified
//! without being committed. A background [`Worker`] in every `serve` process (nodes are
//! stateless) tails the log from a cursor kept in the database, turns each relevant entry into
//! per-user notifications and email/SMS jobs, and advances the cursor with compare-and-set in the
//! same transaction, so two nodes never fan out the same entry twice. Jobs are claimed with a
//! lease and delivered with retries and backoff; a node that dies mid-send leaves its lease to
//! expire and another node sends again — delivery is at least once, never silently lost.

pub mod email;
mod events;
pub mod text;
mod worker;

pub use email::{Email, Mailer, SmtpConfig};
pub use events::recipients_of_idea;
pub use text::{link_label, notification_text};
pub use worker::{Pass, Worker};

use hamafza_store::notifications::Pref;
use serde::{Deserialize, Serialize};

/// What a notification is about. Its texts are `notify.kind.<kind>` and `notify.subject.<kind>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An idea was submitted: the receipt with its tracking code.
    Receipt,
    /// An idea came in on paper or at a booth: an SMS receipt to whoever gave it.
    ImportReceipt,
    /// The secretariat moved an idea (accepted, rejected, changes requested…).
    Status,
    /// The idea was merged into another as a duplicate; its author stays credited.
    Merged,
    TeamInvite,
    TeamAccept,
    /// The idea's team is invited to an orientation session.
    Orientation,
    /// A call's results were published.
    Results,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Receipt,
        Kind::ImportReceipt,
        Kind::Status,
        Kind::Merged,
        Kind::TeamInvite,
        Kind::TeamAccept,
        Kind::Orientation,
        Kind::Results,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Receipt => "receipt",
            Kind::ImportReceipt => "import_receipt",
            Kind::Status => "status",
            Kind::Merged => "merged",
            Kind::TeamInvite => "team_invite",
            Kind::TeamAccept => "team_accept",
            Kind::Orientation => "orientation",
            Kind::Results => "results",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The preference that decides its email and SMS.
    pub fn topic(self) -> Topic {
        match self {
            Kind::Receipt | Kind::ImportReceipt => Topic::Receipt,
            Kind::Status | Kind::Orientation => Topic::Status,
            Kind::Merged => Topic::Merged,
            Kind::TeamInvite | Kind::TeamAccept => Topic::Team,
            Kind::Results => Topic::Results,
        }
    }
}

/// What a user chooses channels for, on the settings page (`notify.topic.<topic>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Receipt,
    Status,
    Merged,
    Team,
    Results,
}

impl Topic {
    pub const ALL: [Topic; 5] = [
        Topic::Receipt,
        Topic::Status,
        Topic::Merged,
        Topic::Team,
        Topic::Results,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Receipt => "receipt",
            Topic::Status => "status",
            Topic::Merged => "merged",
            Topic::Team => "team",
            Topic::Results => "results",
        }
    }

    /// Email is on for everything; SMS costs money and attention, so by default it carries only
    /// the receipt and the results.
    pub fn default_channels(self) -> Channels {
        Channels {
            email: true,
            sms: matches!(self, Topic::Receipt | Topic::Results),
        }
    }
}

/// Whether a topic goes by email and by SMS (in-app is always on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Channels {
    pub email: bool,
    pub sms: bool,
}

/// A user's channels for `topic`: their stored choice, else the default.
pub fn channels(stored: &[Pref], topic: Topic) -> Channels {
    stored
        .iter()
        .find(|p| p.kind == topic.as_str())
        .map(|p| Channels {
            email: p.email,
            sms: p.sms,
        })
        .unwrap_or_else(|| topic.default_channels())
}

/// Notification settings (`notify.*` in `hamafza.toml`, `HAMAFZA_NOTIFY__*`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// The site's address as people reach it, for links in email and SMS.
    pub public_url: String,
    /// Attempts per email or SMS before giving up.
    pub max_attempts: i64,
    /// How often the worker looks for new events and due jobs, in seconds.
    pub interval_secs: u64,
    /// How long a worker may hold a job before another may take it over, in seconds.
    pub lease_secs: i64,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            max_attempts: 5,
            interval_secs: 2,
            lease_secs: 300,
        }
    }
}

impl NotifyConfig {
    /// Checks the values; a bad one is a sentence naming the setting.
    pub fn check(&self) -> anyhow::Result<()> {
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            anyhow::bail!(
                "notify.public_url (HAMAFZA_NOTIFY__PUBLIC_URL) must start with http:// or https://, got {:?}",
                self.public_url
            );
        }
        if !(1..=50).contains(&self.max_attempts) {
            anyhow::bail!("notify.max_attempts must be between 1 and 50");
        }
        if self.interval_secs == 0 || self.lease_secs < 30 {
            anyhow::bail!(
                "notify.interval_secs must be at least 1 and notify.lease_secs at least 30"
            );
        }
        Ok(())
    }
}

/// How long to wait after failed attempt number `attempts` (1, 2, …): 30 s, 2 min, 8 min,
/// 32 min…, at most six hours, so a provider that is down for a while is not hammered.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 10) - 1;
    (30 * 4i64.pow(exp as u32)).min(6 * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_secs(1), 30);
        assert_eq!(backoff_secs(2), 120);
        assert_eq!(backoff_secs(3), 480);
        assert_eq!(backoff_secs(9), 6 * 3600);
    }

    #[test]
    fn stored_choices_win_over_defaults() {
        assert_eq!(
            channels(&[], Topic::Status),
            Channels {
                email: true,
                sms: false
            }
        );
        assert!(channels(&[], Topic::Results).sms);
        let stored = [Pref {
            kind: "results".into(),
            email: false,
            sms: false,
        }];
        assert_eq!(
            channels(&stored, Topic::Results),
            Channels {
                email: false,
                sms: false
            }
        );
    }

    #[test]
    fn every_kind_and_topic_has_its_texts() {
        for lang in crate::i18n::Lang::ALL {
            for k in Kind::ALL {
                for key in [
                    format!("notify.kind.{}", k.as_str()),
                    format!("notify.subject.{}", k.as_str()),
                ] {
                    assert_ne!(lang.t(&key), "…", "{key} missing in {}", lang.code());
                }
            }
            for t in Topic::ALL {
                let key = format!("notify.topic.{}", t.as_str());
                assert_ne!(lang.t(&key), "…", "{key} missing in {}", lang.code());
            }
        }
    }
}
