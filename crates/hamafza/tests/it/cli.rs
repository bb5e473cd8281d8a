//! The binary from the outside: configuration errors, `user` and `audit verify` commands, the demo
//! data loaded twice, and a graceful stop on SIGTERM.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Db(std::path::PathBuf);

impl Db {
    fn new(name: &str) -> Db {
        let dir = std::env::temp_dir().join(format!("hamafza-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Db(dir)
    }

    fn url(&self) -> String {
        format!("sqlite://{}/h.db", self.0.display())
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hamafza"));
        cmd.args(args)
            .env("HAMAFZA_DATABASE_URL", self.url())
            .current_dir(&self.0)
            .env("RUST_LOG", "warn");
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(input) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
        }
        child.wait_with_output().unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_bad_setting_stops_start_up_with_its_name() {
    let db = Db::new("config");
    let o = Command::new(env!("CARGO_BIN_EXE_hamafza"))
        .arg("migrate")
        .env("HAMAFZA_ADDR", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("HAMAFZA_ADDR"), "{}", text(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_hamafza"))
        .arg("migrate")
        .env("HAMAFZA_MAX_CONNECTIONS", "many")
        .output()
        .unwrap();
    assert!(text(&o).contains("MAX_CONNECTIONS"), "{}", text(&o));
    for (var, value, named) in [
        ("HAMAFZA_SMTP__URL", "http://mail.example.org", "smtp.url"),
        ("HAMAFZA_SMTP__FROM", "no address", "smtp.from"),
        (
            "HAMAFZA_NOTIFY__PUBLIC_URL",
            "example.org",
            "HAMAFZA_NOTIFY__PUBLIC_URL",
        ),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_hamafza"))
            .arg("migrate")
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{var}: {}", text(&o));
        assert!(text(&o).contains(named), "{}", text(&o));
    }
    let o = Command::new(env!("CARGO_BIN_EXE_hamafza"))
        .arg("migrate")
        .env("HAMAFZA_DATABASE_URL", "mysql://x/y")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o).contains("HAMAFZA_DATABASE_URL") && text(&o).contains("sqlite:// or postgres://"),
        "{}",
        text(&o)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_hamafza"))
        .arg("migrate")
        .env("HAMAFZA_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(text(&o).contains("cannot reach PostgreSQL"), "{}", text(&o));
    // The same from hamafza.toml in the working directory.
    std::fs::write(
        db.0.join("hamafza.toml"),
        "addr = \"also-not-an-address\"\n",
    )
    .unwrap();
    let o = db.run(&["migrate"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("also-not-an-address"), "{}", text(&o));
}

#[test]
fn accounts_are_managed_from_the_shell_and_the_audit_log_verifies() {
    let db = Db::new("user");
    assert!(db.run(&["migrate"], None).status.success());
    let o = db.run(
        &[
            "user",
            "add",
            "chief",
            "--name",
            "رئيس دبيرخانه",
            "--roles",
            "admin,secretariat",
        ],
        Some("a long admin password\n"),
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = db.run(
        &[
            "user",
            "add",
            "chief",
            "--name",
            "دوباره",
            "--password",
            "another long password",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("already taken"), "{}", text(&o));
    let o = db.run(
        &["user", "add", "x", "--name", "", "--password", "short"],
        None,
    );
    assert!(
        text(&o).contains("username") && text(&o).contains("password"),
        "{}",
        text(&o)
    );
    let o = db.run(&["user", "roles", "chief", "judge,manager"], None);
    assert!(text(&o).contains("judge,manager"), "{}", text(&o));
    assert!(
        db.run(
            &[
                "user",
                "passwd",
                "chief",
                "--password",
                "a newer long password"
            ],
            None
        )
        .status
        .success()
    );
    let o = db.run(&["user", "list"], None);
    assert!(
        text(&o).contains("رئیس دبیرخانه"),
        "names are stored with Persian ی: {}",
        text(&o)
    );
    let o = db.run(&["audit", "verify"], None);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("3 entries"), "{}", text(&o));
}

#[test]
fn a_tampered_audit_log_fails_verification() {
    let db = Db::new("tamper");
    assert!(
        db.run(
            &[
                "user",
                "add",
                "alef",
                "--name",
                "الف",
                "--password",
                "a long password 1"
            ],
            None
        )
        .status
        .success()
    );
    assert!(
        db.run(
            &[
                "user",
                "add",
                "beh",
                "--name",
                "بهمن",
                "--password",
                "a long password 2"
            ],
            None
        )
        .status
        .success()
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = hamafza_store::Store::connect(&db.url(), &Default::default())
            .await
            .unwrap();
        store
            .tamper_audit_entry(1, r#"{"username":"mallory"}"#)
            .await;
        store.close().await;
    });
    let o = db.run(&["audit", "verify"], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("entry 1"), "{}", text(&o));
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let db = Db::new("sigterm");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hamafza"))
        .arg("serve")
        .env("HAMAFZA_DATABASE_URL", db.url())
        .env("HAMAFZA_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let t0 = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn gen_sheet_writes_a_booth_spreadsheet() {
    let db = Db::new("gen");
    let csv = db.0.join("booth.csv");
    let o = db.run(
        &[
            "gen",
            "sheet",
            "--rows",
            "30",
            "--out",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let s = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 31);
    assert!(lines[0].starts_with("عنوان,محور,مسئله,راه‌حل"));
    let xlsx = db.0.join("booth.xlsx");
    let o = db.run(
        &[
            "gen",
            "sheet",
            "--rows",
            "30",
            "--out",
            xlsx.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        std::fs::read(&xlsx).unwrap().starts_with(b"PK"),
        "a zip, as XLSX is"
    );
}
