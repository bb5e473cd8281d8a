//! Killing the server with SIGKILL in the middle of a submission load loses no acknowledged idea:
//! `hamafza load submit` records every idea the server answered `201` for, the server is killed
//! while the load runs, and after a restart every recorded idea is in the database. On SQLite,
//! and on PostgreSQL when `HAMAFZA_TEST_PG` is set.

use hamafza_store::{ConnectOptions, Store};
use sqlx::{Connection, PgConnection};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "crash-test-password";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(command: &str, url: &str, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_hamafza"))
        .arg(command)
        .env("HAMAFZA_DATABASE_URL", url)
        .env("HAMAFZA_ADDR", format!("127.0.0.1:{port}"))
        .env("HAMAFZA_DEMO_PASSWORD", PASSWORD)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

async fn no_acknowledged_idea_is_lost(url: &str, dir: &std::path::Path) {
    let port = free_port();
    let mut server = start("demo", url, port);
    let acks = dir.join("acks.txt");
    let load = Command::new(env!("CARGO_BIN_EXE_hamafza"))
        .args(["load", "submit", "--clients", "16", "--seconds", "4"])
        .args(["--url", &format!("http://127.0.0.1:{port}")])
        .arg("--acks")
        .arg(&acks)
        .env("HAMAFZA_DEMO_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let the load get going, then pull the plug.
    let t0 = Instant::now();
    while std::fs::read_to_string(&acks)
        .map(|s| s.lines().count())
        .unwrap_or(0)
        < 200
    {
        assert!(t0.elapsed() < Duration::from_secs(30), "no submissions");
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let out = load.wait_with_output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(report.trim()).unwrap();
    assert!(
        report["errors"].as_u64() > Some(0),
        "the kill came after the load: {report}"
    );

    // Restart on the same database: it opens (recovering the journal) and serves.
    let mut again = start("serve", url, port);
    let store = Store::connect(url, &ConnectOptions::default())
        .await
        .unwrap();
    let acknowledged: Vec<String> = std::fs::read_to_string(&acks)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        acknowledged.len() as u64,
        report["acknowledged"].as_u64().unwrap()
    );
    let mut lost = Vec::new();
    for id in &acknowledged {
        if store.idea_by_public_id(id).await.unwrap().is_none() {
            lost.push(id.clone());
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged ideas lost: {lost:?}",
        lost.len(),
        acknowledged.len()
    );
    // The audit chain survived the crash too.
    let v = store.verify_audit().await.unwrap();
    assert!(v.broken.is_none(), "{:?}", v.broken);
    store.close().await;
    again.kill().unwrap();
    again.wait().unwrap();
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("hamafza-crash-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_during_submissions_loses_nothing_on_sqlite() {
    let dir = temp_dir("sqlite");
    let url = format!("sqlite://{}/h.db", dir.display());
    no_acknowledged_idea_is_lost(&url, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_during_submissions_loses_nothing_on_postgres() {
    let Some(base) = hamafza_store::testing::postgres_url() else {
        return;
    };
    // A database of its own, dropped afterwards.
    let name = format!("hamafza_crash_{}", std::process::id());
    let mut admin = PgConnection::connect(&base).await.unwrap();
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(&sql).execute(&mut admin).await.unwrap();
    }
    let url = match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("HAMAFZA_TEST_PG has no database name"),
    };
    let dir = temp_dir("pg");
    no_acknowledged_idea_is_lost(&url, &dir).await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
