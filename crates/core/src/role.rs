//! Roles a user can hold; a user may hold several.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages accounts, org units and settings.
    Admin,
    /// The event secretariat: runs calls, screens ideas, publishes results.
    Secretariat,
    /// Scores ideas on a jury.
    Judge,
    /// Owns the implementation of a selected idea or program.
    Implementer,
    /// A provincial or HQ manager: raises and answers proposals, watches dashboards.
    Manager,
    /// Submits ideas. Everyone who signs up by mobile number gets this role.
    Participant,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Secretariat,
        Role::Judge,
        Role::Implementer,
        Role::Manager,
        Role::Participant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretariat => "secretariat",
            Role::Judge => "judge",
            Role::Implementer => "implementer",
            Role::Manager => "manager",
            Role::Participant => "participant",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_back_from_its_name() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
