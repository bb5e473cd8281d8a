//! What the API sends and takes. Kept apart from the store's types so the wire format changes
//! only on purpose.

use hamafza_core::account::User;
use hamafza_core::ids::{OrgUnitId, UserId};
use hamafza_core::org::OrgUnit;
use hamafza_core::time::UnixSeconds;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserOut {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub mobile: Option<String>,
    pub national_id: Option<String>,
    pub org_unit_id: Option<OrgUnitId>,
    /// `admin`, `secretariat`, `judge`, `implementer`, `manager`, `participant`.
    pub roles: Vec<String>,
    pub disabled: bool,
    /// Unix seconds.
    pub created_at: UnixSeconds,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        UserOut {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            mobile: u.mobile,
            national_id: u.national_id,
            org_unit_id: u.org_unit_id,
            roles: u.roles.iter().map(|r| r.as_str().to_string()).collect(),
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserOut>,
    pub total: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserIn {
    pub username: String,
    pub display_name: String,
    pub password: String,
    #[serde(default)]
    pub national_id: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    pub org_unit_id: Option<OrgUnitId>,
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OrgUnitOut {
    pub id: OrgUnitId,
    pub parent_id: Option<OrgUnitId>,
    /// `hq`, `deputy`, `province` or `branch`.
    pub kind: String,
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub province_code: Option<String>,
}

impl From<OrgUnit> for OrgUnitOut {
    fn from(u: OrgUnit) -> Self {
        OrgUnitOut {
            id: u.id,
            parent_id: u.parent_id,
            kind: u.kind.as_str().to_string(),
            code: u.code,
            name_fa: u.name_fa,
            name_en: u.name_en,
            province_code: u.province_code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProvinceOut {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
}
