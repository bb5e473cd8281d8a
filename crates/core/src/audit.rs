//! The audit log is append-only and hash-chained: each entry's hash covers its own fields and the
//! previous entry's hash, so changing, removing or reordering any entry breaks every link after it.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first entry links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry as stored. `entity` and `action` are free-form so any later capability (ideas,
/// reviews, implementations) can log without changing this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// JSON text of the details.
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
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
    at: i64,
    actor_id: Option<i64>,
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
                    at: 1_700_000_000 + seq,
                    actor_id: Some(1),
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
        let a = entry_hash(GENESIS, 1, 1, None, "ab", "c", "", "");
        let b = entry_hash(GENESIS, 1, 1, None, "a", "bc", "", "");
        assert_ne!(a, b);
    }
}
