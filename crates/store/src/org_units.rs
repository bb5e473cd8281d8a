//! Org units: HQ, its deputies, the 31 provincial directorates and their branches.

use crate::audit::{AuditConn, NewAudit};
use crate::{Store, StoreError, StoreResult, db_read, db_write, decode, now};
use hamafza_core::OrgUnitKind;
use hamafza_core::audit::Action;
use hamafza_core::ids::{OrgUnitId, UserId};
use hamafza_core::org::OrgUnit;

use serde_json::json;

#[derive(sqlx::FromRow)]
struct Row {
    id: OrgUnitId,
    parent_id: Option<OrgUnitId>,
    kind: String,
    code: String,
    name_fa: String,
    name_en: String,
    province_code: Option<String>,
}

impl TryFrom<Row> for OrgUnit {
    type Error = StoreError;

    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(OrgUnit {
            id: r.id,
            parent_id: r.parent_id,
            kind: decode("org_units.kind", &r.kind, OrgUnitKind::parse)?,
            code: r.code,
            name_fa: r.name_fa,
            name_en: r.name_en,
            province_code: r.province_code,
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewOrgUnit {
    pub parent_id: Option<OrgUnitId>,
    pub kind: OrgUnitKind,
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub province_code: Option<String>,
}

const COLUMNS: &str = "id, parent_id, kind, code, name_fa, name_en, province_code";

impl Store {
    pub async fn create_org_unit(
        &self,
        u: &NewOrgUnit,
        actor_id: Option<UserId>,
    ) -> StoreResult<OrgUnit> {
        let id: OrgUnitId = db_write!(self, |p| {
            let mut tx = p.begin().await?;
            let id: OrgUnitId = sqlx::query_scalar(
                "INSERT INTO org_units (parent_id, kind, code, name_fa, name_en, province_code, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(u.parent_id)
            .bind(u.kind.as_str())
            .bind(&u.code)
            .bind(&u.name_fa)
            .bind(&u.name_en)
            .bind(&u.province_code)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
            tx.append_audit(NewAudit {
                actor_id,
                action: Action::OrgUnitCreate,
                entity_type: "org_unit",
                entity_id: id.to_string(),
                data: json!({ "code": u.code, "kind": u.kind.as_str(), "parent_id": u.parent_id }),
            })
            .await?;
            tx.commit().await?;
            id
        });
        self.org_unit(id).await
    }

    pub async fn org_unit(&self, id: OrgUnitId) -> StoreResult<OrgUnit> {
        let row: Option<Row> = db_read!(self, |p| {
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM org_units WHERE id = $1"))
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.try_into()
    }

    pub async fn org_unit_by_code(&self, code: &str) -> StoreResult<Option<OrgUnit>> {
        let row: Option<Row> = db_read!(self, |p| {
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM org_units WHERE code = $1"))
                .bind(code)
                .fetch_optional(p)
                .await?
        });
        row.map(OrgUnit::try_from).transpose()
    }

    /// Every unit, parents before children (HQ, deputies, provinces, branches), then by code.
    pub async fn org_units(&self) -> StoreResult<Vec<OrgUnit>> {
        let rows: Vec<Row> = db_read!(self, |p| {
            sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM org_units ORDER BY
                   CASE kind WHEN 'hq' THEN 0 WHEN 'deputy' THEN 1 WHEN 'province' THEN 2 ELSE 3 END, id"
            ))
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(OrgUnit::try_from).collect()
    }

    /// The number of users in each unit, for the tree page.
    pub async fn org_unit_member_counts(&self) -> StoreResult<Vec<(OrgUnitId, i64)>> {
        Ok(db_read!(self, |p| {
            sqlx::query_as(
                "SELECT org_unit_id, COUNT(*) FROM users WHERE org_unit_id IS NOT NULL GROUP BY org_unit_id",
            )
            .fetch_all(p)
            .await?
        }))
    }
}

impl Store {
    /// How many units of each kind there are, for the home page.
    pub async fn org_unit_counts(&self) -> StoreResult<Vec<(OrgUnitKind, i64)>> {
        let rows: Vec<(String, i64)> = db_read!(self, |p| {
            sqlx::query_as("SELECT kind, COUNT(*) FROM org_units GROUP BY kind")
                .fetch_all(p)
                .await?
        });
        rows.into_iter()
            .map(|(k, n)| Ok((decode("org_units.kind", &k, OrgUnitKind::parse)?, n)))
            .collect()
    }
}
