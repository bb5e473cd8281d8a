//! Org units form a tree: HQ (ستاد) at the root, its deputies (معاونت‌ها) and the 31 provincial
//! directorates (ادارات کل) under it, branches (شعب) under a province.

use crate::ids::OrgUnitId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgUnitKind {
    Hq,
    Deputy,
    Province,
    Branch,
}

impl OrgUnitKind {
    pub const ALL: [OrgUnitKind; 4] = [Self::Hq, Self::Deputy, Self::Province, Self::Branch];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hq => "hq",
            Self::Deputy => "deputy",
            Self::Province => "province",
            Self::Branch => "branch",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The kind a unit's parent must have; `None` means the unit is the root.
    pub fn parent_kind(self) -> Option<Self> {
        match self {
            Self::Hq => None,
            Self::Deputy | Self::Province => Some(Self::Hq),
            Self::Branch => Some(Self::Province),
        }
    }
}

/// Whether a unit of `kind` may hang under a parent of `parent` (or at the root when `None`).
pub fn may_attach(kind: OrgUnitKind, parent: Option<OrgUnitKind>) -> bool {
    kind.parent_kind() == parent
}

/// A unit code: a short ASCII slug that never changes and appears in URLs and imports.
pub fn is_valid_code(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// A unit of the organization, in the tree under HQ.
pub struct OrgUnit {
    pub id: OrgUnitId,
    pub parent_id: Option<OrgUnitId>,
    pub kind: OrgUnitKind,
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    /// For a province and its branches: the province's code from `hamafza_persian::provinces`.
    pub province_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_hang_only_under_provinces() {
        assert!(may_attach(OrgUnitKind::Branch, Some(OrgUnitKind::Province)));
        assert!(!may_attach(OrgUnitKind::Branch, Some(OrgUnitKind::Hq)));
        assert!(may_attach(OrgUnitKind::Hq, None));
        assert!(!may_attach(OrgUnitKind::Deputy, None));
    }

    #[test]
    fn unit_codes_are_lowercase_slugs() {
        assert!(is_valid_code("tehran-branch-7"));
        assert!(!is_valid_code("Tehran"));
        assert!(!is_valid_code("-x"));
        assert!(!is_valid_code("ا"));
    }
}
