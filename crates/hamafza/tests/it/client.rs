//! The OpenAPI document is usable, not only valid: a Python client is generated from it with
//! PyPI's `openapi-python-client` (every operation, no warning), and a script written against
//! that client's typed functions creates, edits, publishes and reads a call on the real binary.
//! Without the generator the test says so and passes, except under `CI=true` (`.ci/run` installs
//! it).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The generator reads binary bodies only as `application/octet-stream`; the document names the
/// real types (CSV, XLSX), so they are mapped as its configuration allows.
const CONFIG: &str = "content_type_overrides:
  text/csv: application/octet-stream
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
";

/// Written against the generated client: its modules, models and `sync_detailed` functions.
const SCRIPT: &str = r#"
import sys
sys.path.insert(0, sys.argv[1])
from hamafza_client import Client, AuthenticatedClient
from hamafza_client.api.auth import token
from hamafza_client.api.calls import create_call, patch_call, change_call_state, get_call, list_calls
from hamafza_client.models import (
    TokenRequest, NewCallIn, NewAxisIn, NewStageIn, CallPatch, StateIn, CallOut, Problem,
)

base = sys.argv[2]
anon = Client(base_url=base)
t = token.sync(client=anon, body=TokenRequest(username="dabir", password="a long test password"))
assert not isinstance(t, Problem), t
api = AuthenticatedClient(base_url=base, token=t.token)

stages = [
    NewStageIn(kind="submission", start="1403/01/15", end="1403/02/15"),
    NewStageIn(kind="screening", start="1403/02/16", end="1403/03/01"),
]
call = create_call.sync(client=api, body=NewCallIn(
    title="فراخوان از کلاینت ساخته‌شده", audience="both",
    axes=[NewAxisIn(title="خدمات غیرحضوری")], stages=stages))
assert isinstance(call, CallOut), call
assert call.state == "draft"

bad = patch_call.sync_detailed(call.id, client=api, body=CallPatch(title=""))
assert bad.status_code == 422, bad.status_code
assert isinstance(bad.parsed, Problem) and bad.parsed.errors[0].field == "title", bad.parsed

edited = patch_call.sync(call.id, client=api, body=CallPatch(title="فراخوان ویرایش‌شده با کلاینت"))
assert edited.title == "فراخوان ویرایش‌شده با کلاینت", edited
published = change_call_state.sync(call.id, client=api, body=StateIn(to="published"))
assert published.state == "published", published

seen = get_call.sync(call.id, client=anon)
assert seen.title == "فراخوان ویرایش‌شده با کلاینت" and len(seen.stages) == 2, seen
assert seen.stages[0].start == "1403/01/15"
assert any(c.id == call.id for c in list_calls.sync(client=anon))
print("ok")
"#;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(cmd: &mut Command) -> (bool, String) {
    match cmd.output() {
        Ok(o) => (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        ),
        Err(e) => (false, format!("cannot run: {e}")),
    }
}

#[test]
fn a_client_generated_from_the_document_drives_the_server() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    // As a module of the python3 on PATH, wherever pip put its script.
    let generator = || {
        let mut c = Command::new("python3");
        c.args(["-m", "openapi_python_client"]);
        c
    };
    if !generator()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(!ci, "openapi-python-client is required under CI");
        eprintln!("skipped: `python3 -m pip install openapi-python-client` to run this test");
        return;
    }
    let dir = Dir(std::env::temp_dir().join(format!(
        "hamafza-client-{}-{}",
        std::process::id(),
        free_port()
    )));
    std::fs::create_dir_all(&dir.0).unwrap();
    let spec = dir.0.join("openapi.json");
    std::fs::write(
        &spec,
        serde_json::to_string_pretty(&hamafza_web::api::openapi()).unwrap(),
    )
    .unwrap();
    let config = dir.0.join("config.yml");
    std::fs::write(&config, CONFIG).unwrap();
    let (ok, out) = run(generator()
        .args(["generate", "--meta", "none", "--path"])
        .arg(&spec)
        .arg("--config")
        .arg(&config)
        .arg("--output-path")
        .arg(dir.0.join("hamafza_client")));
    assert!(ok, "{out}");
    // Every operation made it into the client.
    assert!(
        !out.contains("WARNING") && !out.contains("Warning"),
        "the generator left something out:\n{out}"
    );

    let db = format!("sqlite://{}/h.db", dir.0.display());
    let hamafza = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hamafza"));
        c.args(args)
            .env("HAMAFZA_DATABASE_URL", &db)
            .env("RUST_LOG", "warn")
            .current_dir(&dir.0);
        c
    };
    let (ok, out) = run(&mut hamafza(&["migrate"]));
    assert!(ok, "{out}");
    let (ok, out) = run(&mut hamafza(&[
        "user",
        "add",
        "dabir",
        "--name",
        "دبیرخانه",
        "--roles",
        "secretariat",
        "--password",
        "a long test password",
    ]));
    assert!(ok, "{out}");
    let port = free_port();
    let _server = Proc(
        hamafza(&["serve"])
            .env("HAMAFZA_ADDR", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (ok, out) = run(Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(&dir.0)
        .arg(format!("http://127.0.0.1:{port}")));
    assert!(ok && out.trim_end().ends_with("ok"), "{out}");
}
