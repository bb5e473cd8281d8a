//! The secretariat's inbox at 100,000 ideas in one call: fills a fresh database (SQLite, and
//! PostgreSQL when `HAMAFZA_TEST_PG` is set), then times filtered, sorted pages — first pages and
//! deep ones — beside `SELECT 1` on the same pool as the baseline. Run by `bench/inbox.sh`:
//!
//!     cargo run --release -p hamafza-store --example inbox_bench -- bench/RESULTS-inbox.md

use hamafza_core::call::{Audience, StageKind, ValidCall, ValidStage};
use hamafza_core::idea::{Channel, IdeaStatus};
use hamafza_core::ids::IdeaId;
use hamafza_persian::jalali::JalaliDate;
use hamafza_store::Store;
use hamafza_store::screening::{InboxQuery, InboxSort};
use hamafza_store::testing::bench;
use std::fmt::Write;
use std::time::{Duration, Instant};

const IDEAS: i64 = 100_000;
const RUNS: usize = 200;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn time<F, Fut>(mut f: F) -> (f64, f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..10 {
        f().await;
    }
    let mut v = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        f().await;
        v.push(t.elapsed());
    }
    v.sort();
    (
        percentile(&v, 0.5),
        percentile(&v, 0.95),
        percentile(&v, 0.99),
    )
}

async fn run(name: &str, store: Store, out: &mut String) {
    let day = |d| JalaliDate {
        year: 1403,
        month: 1,
        day: d,
    };
    let call = store
        .create_call(
            &ValidCall {
                title: "جمعینو، دور نخست".into(),
                description: String::new(),
                audience: Audience::Employees,
                axes: (1..=3)
                    .map(|i| (format!("محور {i}"), String::new()))
                    .collect(),
                stages: [
                    StageKind::Submission,
                    StageKind::Screening,
                    StageKind::Shortlisting,
                    StageKind::Orientation,
                ]
                .iter()
                .enumerate()
                .map(|(i, k)| ValidStage {
                    kind: *k,
                    title: String::new(),
                    start: day(1 + 2 * i as u32),
                    end: day(2 + 2 * i as u32),
                })
                .collect(),
            },
            None,
            None,
        )
        .await
        .unwrap();
    let axes = [call.axes[0].id, call.axes[1].id, call.axes[2].id];
    let t = Instant::now();
    let filled = bench::fill(&store, call.id, &axes, IDEAS).await.unwrap();
    let fill_secs = t.elapsed().as_secs_f64();
    let now = hamafza_store::now();
    // A cursor half-way down the newest-first order: what page 1,000 of 50 would start after.
    let mid = store
        .inbox_page(
            call.id,
            &InboxQuery {
                offset: IDEAS / 2,
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .ideas[0]
        .public_id
        .clone();
    let base = |limit| InboxQuery {
        limit,
        ..Default::default()
    };
    let cases: Vec<(&str, InboxQuery)> = vec![
        ("no filter, newest, first page", base(50)),
        (
            "no filter, newest, deep page (keyset, after idea 50,000)",
            InboxQuery {
                after: Some(mid.clone()),
                ..base(50)
            },
        ),
        (
            "no filter, newest, deep page (OFFSET 50,000, the API's `offset`)",
            InboxQuery {
                offset: IDEAS / 2,
                ..base(50)
            },
        ),
        (
            "status=accepted, sort by last update",
            InboxQuery {
                status: Some(IdeaStatus::Accepted),
                sort: InboxSort::Updated,
                ..base(50)
            },
        ),
        (
            "status=submitted + axis, deep page (keyset)",
            InboxQuery {
                status: Some(IdeaStatus::Submitted),
                axis_id: Some(axes[1]),
                after: Some(mid.clone()),
                ..base(50)
            },
        ),
        (
            "axis + stage=shortlisting, sort by title",
            InboxQuery {
                axis_id: Some(axes[0]),
                stage: Some(2),
                sort: InboxSort::Title,
                ..base(50)
            },
        ),
        (
            "province of the author's unit",
            InboxQuery {
                province: Some(filled.province.clone()),
                ..base(50)
            },
        ),
        (
            "unit",
            InboxQuery {
                unit_id: Some(filled.unit_id),
                ..base(50)
            },
        ),
        (
            "channel=paper, oldest first",
            InboxQuery {
                channel: Some(Channel::Paper),
                sort: InboxSort::Oldest,
                ..base(50)
            },
        ),
        (
            "tag",
            InboxQuery {
                tag_id: Some(filled.tag_id),
                ..base(50)
            },
        ),
        (
            "submitted in the last 7 days",
            InboxQuery {
                from: Some(now - 7 * 86400),
                to: Some(now),
                ..base(50)
            },
        ),
        (
            "title search «پیامک» (common word)",
            InboxQuery {
                search: Some("پيامك".into()),
                ..base(50)
            },
        ),
        (
            "title search, no match",
            InboxQuery {
                search: Some("واژه‌ای که نیست".into()),
                ..base(50)
            },
        ),
    ];
    let (b50, b95, b99) = time(|| {
        let s = store.clone();
        async move {
            assert!(s.ping().await);
        }
    })
    .await;
    let _ = writeln!(
        out,
        "\n## {name}\n\n{IDEAS} ideas in one call, filled in {fill_secs:.1} s. {RUNS} timed runs per row after 10 warm-up runs; each run is one page of 50 rows **and** its count (capped at 2,000), as the inbox does.\n"
    );
    let _ = writeln!(
        out,
        "| query | rows | count | p50 ms | p95 ms | p99 ms | p95 / baseline |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| `SELECT 1` (baseline, same pool) | | | {b50:.2} | {b95:.2} | {b99:.2} | 1 |"
    );
    for (label, q) in cases {
        let page = store.inbox_page(call.id, &q).await.unwrap();
        let count = if page.capped {
            format!("> {}", page.total)
        } else {
            page.total.to_string()
        };
        let (p50, p95, p99) = time(|| {
            let s = store.clone();
            let q = q.clone();
            async move {
                s.inbox_page(call.id, &q).await.unwrap();
            }
        })
        .await;
        let ratio = p95 / b95.max(0.001);
        let _ = writeln!(
            out,
            "| {label} | {} | {count} | {p50:.2} | {p95:.2} | {p99:.2} | {ratio:.0} |",
            page.ideas.len()
        );
        eprintln!("{name}: {label}: p95 {p95:.2} ms");
    }
    // The API's idea list at `limit=500` makes these store calls: the page with its count, then
    // every idea's current text (`current_texts`, one statement per 500 ids), so its cost is a
    // fixed number of statements whatever the page size (it was one query per idea and more).
    let q = base(500);
    let page = store.inbox_page(call.id, &q).await.unwrap();
    let before = store.queries();
    let ids: Vec<IdeaId> = page.ideas.iter().map(|i| i.id).collect();
    store.current_texts(&ids).await.unwrap();
    store.inbox_page(call.id, &q).await.unwrap();
    let statements = store.queries() - before;
    let (p50, p95, p99) = time(|| {
        let s = store.clone();
        let q = q.clone();
        async move {
            let page = s.inbox_page(call.id, &q).await.unwrap();
            let ids: Vec<IdeaId> = page.ideas.iter().map(|i| i.id).collect();
            s.current_texts(&ids).await.unwrap();
        }
    })
    .await;
    let ratio = p95 / b95.max(0.001);
    let _ = writeln!(
        out,
        "| the API's list, `limit=500`: page, count and current texts ({statements} store calls) | {} | | {p50:.2} | {p95:.2} | {p99:.2} | {ratio:.0} |",
        page.ideas.len()
    );
    eprintln!("{name}: API list limit=500: p95 {p95:.2} ms");
    // The counts above the inbox page (by status and by axis), on every view of it.
    let (p50, p95, p99) = time(|| {
        let s = store.clone();
        async move {
            s.inbox_counts(call.id).await.unwrap();
        }
    })
    .await;
    let ratio = p95 / b95.max(0.001);
    let _ = writeln!(
        out,
        "| the inbox's counts by status and by axis (2 statements) | | | {p50:.2} | {p95:.2} | {p99:.2} | {ratio:.0} |"
    );
    eprintln!("{name}: counts: p95 {p95:.2} ms");
    // What a view of a large call's inbox pays for them: the counts kept a minute.
    let (p50, p95, p99) = time(|| {
        let s = store.clone();
        async move {
            s.inbox_counts_kept(call.id, 60).await.unwrap();
        }
    })
    .await;
    let ratio = p95 / b95.max(0.001);
    let _ = writeln!(
        out,
        "| the same counts as the inbox reads them for a large call (kept a minute, shared by all nodes) | | | {p50:.2} | {p95:.2} | {p99:.2} | {ratio:.0} |"
    );
    eprintln!("{name}: counts kept: p95 {p95:.2} ms");
}

#[tokio::main]
async fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench/RESULTS-inbox.md".into());
    let mut out = String::new();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let _ = writeln!(
        out,
        "# Inbox benchmark: 100,000 ideas in one call\n\nTarget: p95 < 50 ms for a filtered, sorted page. Release build, {cores} cores, database on this machine.\nReproduce: `bash bench/inbox.sh` (set `HAMAFZA_TEST_PG=postgres://…` for PostgreSQL too), or\n`cargo run --release -p hamafza-store --example inbox_bench -- bench/RESULTS-inbox.md`.\nAfter the fill the bench runs what autovacuum would do on its own: `ANALYZE` (SQLite), `VACUUM ANALYZE` (PostgreSQL)."
    );
    let db = hamafza_store::testing::sqlite().await;
    run("SQLite", db.store.clone(), &mut out).await;
    drop(db);
    if let Some(db) = hamafza_store::testing::postgres().await {
        run("PostgreSQL", db.store.clone(), &mut out).await;
    } else {
        let _ = writeln!(
            out,
            "\n## PostgreSQL\n\nNot measured: HAMAFZA_TEST_PG was not set."
        );
    }
    std::fs::write(&path, out).unwrap();
    eprintln!("wrote {path}");
}
