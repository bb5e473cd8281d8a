//! Filling a call with many synthetic ideas, for the inbox benchmark (`bench/inbox.sh`).

use crate::{Store, StoreResult, db_write};
use hamafza_core::ids::{AxisId, CallId, OrgUnitId, TagId, UserId};

/// What [`fill`] made.
pub struct Filled {
    pub tag_id: TagId,
    /// A unit of one of the provinces, with its province code.
    pub province: String,
    pub unit_id: OrgUnitId,
}

/// Adds 31 provincial units, 1,000 authors spread over them and `n` ideas to `call_id`
/// (statuses, stages, channels, axes and dates spread like a real round), tags every 50th,
/// then runs the maintenance the database runs on its own over time.
pub async fn fill(
    store: &Store,
    call_id: CallId,
    axes: &[AxisId; 3],
    n: i64,
) -> StoreResult<Filled> {
    let at = crate::now() - n * 30;
    Ok(db_write!(store, |p| {
        let mut tx = p.begin().await?;
        let mut units = Vec::new();
        for prov in hamafza_persian::provinces::PROVINCES.iter() {
            let id: OrgUnitId = sqlx::query_scalar(
                "INSERT INTO org_units (kind, code, name_fa, name_en, province_code, created_at)
                 VALUES ('province', $1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(format!("bench-{}", prov.code))
            .bind(prov.name_fa)
            .bind(prov.name_en)
            .bind(prov.code)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            units.push(id);
        }
        let mut users = Vec::new();
        for u in 0..1000usize {
            let id: UserId = sqlx::query_scalar(
                "INSERT INTO users (username, display_name, org_unit_id, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(format!("bench{u}"))
            .bind(format!("کارمند {u}"))
            .bind(units[u % units.len()])
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            users.push(id);
        }
        sqlx::query(
            "INSERT INTO ideas (public_id, tracking_code, call_id, author_id, channel, status, axis_id,
                                title, title_norm, version, created_at, updated_at, stage_position)
             WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1)
             SELECT 'bench' || n, CAST(1000000000 + n AS TEXT), $2, $3 + (n % 1000),
                    CASE n % 20 WHEN 0 THEN 'exhibition' WHEN 1 THEN 'paper' WHEN 2 THEN 'api' ELSE 'web' END,
                    CASE WHEN n % 10 < 6 THEN 'submitted' WHEN n % 10 < 8 THEN 'accepted'
                         WHEN n % 10 = 8 THEN 'rejected' ELSE 'changes_requested' END,
                    CASE n % 3 WHEN 0 THEN $4 WHEN 1 THEN $5 ELSE $6 END,
                    t, t, 1, $7 + n * 30, $7 + n * 30 + (n % 1000),
                    CASE WHEN n % 10 IN (6, 7) THEN 2 + (n % 2) ELSE 0 END
             FROM (SELECT n, 'ایده شماره ' || n || ' ' ||
                          CASE n % 8 WHEN 0 THEN 'پیامک وضعیت پرونده' WHEN 1 THEN 'نوبت دهی شعب'
                                     WHEN 2 THEN 'بیمه خانواده' WHEN 3 THEN 'مستمری بگیران'
                                     WHEN 4 THEN 'پرداخت برخط' WHEN 5 THEN 'فرهنگ بیمه'
                                     WHEN 6 THEN 'دانشجویان و زنان خانه دار' ELSE 'خدمات غیرحضوری' END AS t
                   FROM seq) s",
        )
        .bind(n)
        .bind(call_id)
        .bind(users[0])
        .bind(axes[0])
        .bind(axes[1])
        .bind(axes[2])
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let tag_id: TagId = sqlx::query_scalar(
            "INSERT INTO call_tags (call_id, name, name_norm) VALUES ($1, 'پیامک', 'پیامک') RETURNING id",
        )
        .bind(call_id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO idea_tags (idea_id, tag_id) SELECT id, $1 FROM ideas WHERE call_id = $2 AND id % 50 = 0")
            .bind(tag_id)
            .bind(call_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // What autovacuum does on its own after a bulk insert (statistics, and on PostgreSQL
        // the visibility map that index-only scans need); SQLite has only the statistics.
        let maintain = match store.backend() {
            crate::Backend::Sqlite => "ANALYZE",
            crate::Backend::Postgres => "VACUUM ANALYZE ideas",
        };
        sqlx::query(maintain).execute(p).await?;
        sqlx::query("ANALYZE idea_tags").execute(p).await?;
        Filled {
            tag_id,
            province: hamafza_persian::provinces::PROVINCES[0].code.to_string(),
            unit_id: units[0],
        }
    }))
}
