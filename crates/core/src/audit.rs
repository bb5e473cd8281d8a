//! The audit log is append-only and hash-chained: each entry's hash covers its own fields and the
//! previous entry's hash, so changing, removing or reordering any entry breaks every link after it.

use crate::ids::UserId;
use crate::time::UnixSeconds;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first entry links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Declares [`Action`]: each variant with the name it is stored under (part of the hashed entry,
/// so a name never changes once written).
macro_rules! actions {
    ($($variant:ident = $name:literal, $doc:literal;)*) => {
        /// What an audit entry records. The writer, the idea timeline, the audit page and the
        /// notifier all name actions by this type; the stored text is [`Action::as_str`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $(#[doc = $doc] $variant,)*
        }

        impl Action {
            /// Every action, in declaration order.
            pub const ALL: &[Action] = &[$(Action::$variant,)*];

            /// The stored name, e.g. `idea.submit`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// The action stored as `name`; `None` for a name this build does not know (a newer
            /// node's, in a rolling deploy: readers show or skip it, never guess).
            pub fn parse(name: &str) -> Option<Action> {
                match name {
                    $($name => Some(Action::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

actions! {
    ApiTokenCreate = "api_token.create", "A person made an API token.";
    ApiTokenRevoke = "api_token.revoke", "A person revoked one of their API tokens.";
    AuthLogin = "auth.login", "A person signed in.";
    CallCreate = "call.create", "The secretariat created a call.";
    CallUpdate = "call.update", "The secretariat edited a call.";
    CallState = "call.state", "A call was published, closed or archived.";
    CallResults = "call.results", "The secretariat saved a call's results.";
    CallResultsPublished = "call.results_published", "A call's results were published.";
    IdeaSubmit = "idea.submit", "An idea was submitted online.";
    IdeaImport = "idea.import", "An idea collected on paper or at a booth was imported.";
    IdeaEdit = "idea.edit", "The author revised an idea.";
    IdeaAttach = "idea.attach", "A file was attached to an idea.";
    IdeaDetach = "idea.detach", "A file was removed from an idea.";
    IdeaTransition = "idea.transition", "The secretariat decided on an idea (status or stage).";
    IdeaTag = "idea.tag", "The secretariat tagged an idea.";
    IdeaReclassify = "idea.reclassify", "The secretariat moved an idea to another axis.";
    IdeaMerge = "idea.merge", "An idea was merged into another as its duplicate.";
    IdeaAbsorb = "idea.absorb", "An idea absorbed a duplicate.";
    TeamInvite = "team.invite", "The lead invited someone to the team.";
    TeamAccept = "team.accept", "An invitee joined the team.";
    TeamDecline = "team.decline", "An invitee declined.";
    TeamRemove = "team.remove", "Someone was taken off the team.";
    TeamLead = "team.lead", "The lead handed the idea over.";
    OrientationCreate = "orientation.create", "The secretariat scheduled an orientation session.";
    OrientationInvite = "orientation.invite", "Finalists were invited to a session.";
    OrientationAttendance = "orientation.attendance", "Attendance at a session was recorded.";
    StageReschedule = "stage.reschedule", "The secretariat moved a stage's dates by hand, with a reason.";
    JuryConfigure = "jury.configure", "The secretariat set a judged stage's jury: mode, criteria, blind or not.";
    JuryJurors = "jury.jurors", "Judges were added to or taken off a stage's jury.";
    JuryAssign = "jury.assign", "Ideas were assigned to judges.";
    JuryReassign = "jury.reassign", "An assignment ended (skipped, a conflict, withdrawn) and maybe passed to another judge.";
    ReviewSubmit = "review.submit", "A judge submitted a review.";
    ComparisonAdd = "comparison.add", "A judge picked the better of two ideas.";
    JuryShortlist = "jury.shortlist", "The secretariat shortlisted a judged stage's ideas from its ranking.";
    RejectionTemplateSave = "rejection_template.save", "A rejection template was saved.";
    RejectionTemplateDelete = "rejection_template.delete", "A rejection template was deleted.";
    NotifySettings = "notify.settings", "A person changed their notification settings.";
    OrgUnitCreate = "org_unit.create", "An admin added an org unit.";
    UserCreate = "user.create", "An account was created.";
    UserUpdate = "user.update", "An account's roles, unit or state changed.";
    UserPassword = "user.password", "A password was set or changed.";
    SessionEnd = "session.end", "A person ended sessions signed in to their account.";
}

/// One entry as stored. `action` is kept as stored text so an entry written by a newer node
/// still reads (see [`AuditEntry::kind`]); `entity_type` is free-form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: UnixSeconds,
    pub actor_id: Option<UserId>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// JSON text of the details.
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The entry's action, if this build knows it.
    pub fn kind(&self) -> Option<Action> {
        Action::parse(&self.action)
    }
}

/// The hash of an entry's fields chained to `prev_hash`. Fields are length-prefixed so no two
/// different entries serialize to the same bytes.
#[expect(
    clippy::too_many_arguments,
    reason = "the hashed fields, in their order"
)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: UnixSeconds,
    actor_id: Option<UserId>,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    data: &str,
) -> String {
    let mut h = Sha256::new();
    let actor = actor_id.map(|a| a.to_string()).unwrap_or_default();
    for field in [
        prev_hash,
        &seq.to_string(),
        &at.to_string(),
        &actor,
        action,
        entity_type,
        entity_id,
        data,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Where a chain stops holding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokenLink {
    #[error("entry {seq}: its hash does not match its contents")]
    Tampered { seq: i64 },
    #[error("entry {seq}: it does not link to the entry before it")]
    Unlinked { seq: i64 },
    #[error("entry {seq}: expected sequence number {expected}")]
    Gap { seq: i64, expected: i64 },
}

impl AuditEntry {
    pub fn computed_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            self.seq,
            self.at,
            self.actor_id,
            &self.action,
            &self.entity_type,
            &self.entity_id,
            &self.data,
        )
    }
}

/// Checks entries in sequence order, continuing from `prev` (the last verified entry's seq and
/// hash, or `None` at the start of the log). Returns the new last link, or the first broken one.
pub fn verify_chain<'a>(
    prev: Option<(i64, String)>,
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<Option<(i64, String)>, BrokenLink> {
    let mut last = prev;
    for e in entries {
        let (expected_seq, expected_prev) = match &last {
            Some((seq, hash)) => (seq + 1, hash.as_str()),
            None => (1, GENESIS),
        };
        if e.seq != expected_seq {
            return Err(BrokenLink::Gap {
                seq: e.seq,
                expected: expected_seq,
            });
        }
        if e.prev_hash != expected_prev {
            return Err(BrokenLink::Unlinked { seq: e.seq });
        }
        if e.computed_hash() != e.hash {
            return Err(BrokenLink::Tampered { seq: e.seq });
        }
        last = Some((e.seq, e.hash.clone()));
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: UnixSeconds::new(1_700_000_000 + seq),
                    actor_id: Some(UserId::new(1)),
                    action: "user.create".into(),
                    entity_type: "user".into(),
                    entity_id: seq.to_string(),
                    data: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.computed_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify_chain(None, &c).unwrap().unwrap().0, 5);
    }

    #[test]
    fn a_changed_entry_is_reported_as_the_first_broken_link() {
        let mut c = chain(5);
        c[2].data = r#"{"role":"admin"}"#.into();
        assert_eq!(verify_chain(None, &c), Err(BrokenLink::Tampered { seq: 3 }));
    }

    #[test]
    fn a_removed_entry_is_a_gap() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify_chain(None, &c),
            Err(BrokenLink::Gap {
                seq: 3,
                expected: 2
            })
        );
    }

    #[test]
    fn a_rehashed_entry_no_longer_links() {
        let mut c = chain(3);
        c[1].data = "{}x".into();
        c[1].hash = c[1].computed_hash();
        assert_eq!(verify_chain(None, &c), Err(BrokenLink::Unlinked { seq: 3 }));
    }

    #[test]
    fn field_boundaries_matter() {
        let a = entry_hash(GENESIS, 1, UnixSeconds::new(1), None, "ab", "c", "", "");
        let b = entry_hash(GENESIS, 1, UnixSeconds::new(1), None, "a", "bc", "", "");
        assert_ne!(a, b);
    }
}
