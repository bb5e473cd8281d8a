//! `hamafza load submit`: a load generator for idea submission through the public API, for
//! benchmarks and for checking a deployment. `clients` tasks each submit ideas back to back to
//! one call for `seconds`, every request with its own `Idempotency-Key`; the report gives the
//! sustained rate and latency percentiles. With `--acks FILE` each acknowledged idea's id is
//! appended to FILE as soon as its `201` arrives, so a crash test can check that none is lost.

use anyhow::{Context, bail};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct SubmitLoad {
    /// Base URL of a running Hamafza.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// A participant who may submit to the call.
    #[arg(long, default_value = "participant1")]
    pub username: String,
    #[arg(
        long,
        env = "HAMAFZA_DEMO_PASSWORD",
        default_value = "hamafza-demo-1403"
    )]
    pub password: String,
    /// The call's public id; by default the first call whose submission stage is open.
    #[arg(long)]
    pub call: Option<String>,
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Append the id of every acknowledged idea to this file, one per line.
    #[arg(long)]
    pub acks: Option<std::path::PathBuf>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub clients: usize,
    pub seconds: f64,
    pub acknowledged: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

struct Shared {
    latencies_us: Vec<u32>,
    errors: usize,
    acks: Option<std::fs::File>,
}

pub async fn submit(opts: &SubmitLoad) -> anyhow::Result<Report> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.clients)
        .timeout(Duration::from_secs(30))
        .build()?;
    let base = opts.url.trim_end_matches('/');
    let token = token(&http, base, &opts.username, &opts.password).await?;
    let (call, axis) = open_call(&http, base, opts.call.as_deref()).await?;
    let url = format!("{base}/api/v1/calls/{call}/ideas");
    let acks = match &opts.acks {
        Some(p) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("opening {}", p.display()))?,
        ),
        None => None,
    };
    let shared = Arc::new(Mutex::new(Shared {
        latencies_us: Vec::new(),
        errors: 0,
        acks,
    }));
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(opts.seconds);
    let mut tasks = Vec::new();
    for client in 0..opts.clients {
        let (http, url, token, shared) = (http.clone(), url.clone(), token.clone(), shared.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                n += 1;
                let body = idea_body(axis, client, n);
                let t0 = Instant::now();
                let res = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header(
                        "Idempotency-Key",
                        format!("load-{client}-{n}-{}", rand_suffix()),
                    )
                    .json(&body)
                    .send()
                    .await;
                let id = match res {
                    Ok(r) if r.status() == reqwest::StatusCode::CREATED => r
                        .json::<Value>()
                        .await
                        .ok()
                        .and_then(|v| v["id"].as_str().map(str::to_owned)),
                    _ => None,
                };
                let us = t0.elapsed().as_micros().min(u32::MAX as u128) as u32;
                let failed = {
                    let mut s = shared.lock().unwrap();
                    match id {
                        Some(id) => {
                            s.latencies_us.push(us);
                            if let Some(f) = s.acks.as_mut() {
                                let _ = writeln!(f, "{id}");
                            }
                            false
                        }
                        None => {
                            s.errors += 1;
                            true
                        }
                    }
                };
                if failed {
                    // A server that went away: don't spin.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut s = shared.lock().unwrap();
    s.latencies_us.sort_unstable();
    let pct = |p: f64| -> f64 {
        let v = &s.latencies_us;
        if v.is_empty() {
            return 0.0;
        }
        let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
        v[i] as f64 / 1000.0
    };
    Ok(Report {
        clients: opts.clients,
        seconds: elapsed,
        acknowledged: s.latencies_us.len(),
        errors: s.errors,
        per_second: s.latencies_us.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p95_ms: pct(0.95),
        p99_ms: pct(0.99),
        max_ms: pct(1.0),
    })
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}

/// A plausible idea, different for every request so nothing is a byte-for-byte duplicate.
fn idea_body(axis: i64, client: usize, n: u64) -> Value {
    json!({
        "axis_id": axis,
        "title": format!("کاهش زمان پاسخ‌گویی شعبه‌ها، پیشنهاد {client}-{n}"),
        "problem": "مراجعه‌کنندگان برای گرفتن سوابق بیمه‌ای چند بار به شعبه می‌آیند و صف‌ها طولانی است.",
        "solution": "سوابق از راه پیامک و درگاه غیرحضوری فرستاده شود و نوبت‌دهی اینترنتی شود.",
        "benefits": "کم شدن مراجعه حضوری و رضایت بیشتر بیمه‌شدگان.",
    })
}

async fn token(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<String> {
    let r = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({ "username": username, "password": password, "name": "load" }))
        .send()
        .await
        .with_context(|| format!("connecting to {base}"))?;
    if !r.status().is_success() {
        bail!("signing in as {username}: {}", r.text().await?);
    }
    Ok(r.json::<Value>().await?["token"]
        .as_str()
        .context("no token in the answer")?
        .to_owned())
}

/// The call to load (given, or the first with an open submission stage) and its first axis.
async fn open_call(
    http: &reqwest::Client,
    base: &str,
    wanted: Option<&str>,
) -> anyhow::Result<(String, i64)> {
    let calls: Vec<Value> = http
        .get(format!("{base}/api/v1/calls"))
        .send()
        .await?
        .json()
        .await?;
    let now = jiff::Timestamp::now().as_second();
    let open = |c: &&Value| match wanted {
        Some(id) => c["id"] == id,
        None => {
            c["state"] == "published"
                && c["stages"].as_array().is_some_and(|s| {
                    s.iter().any(|s| {
                        s["starts_at"].as_i64() <= Some(now)
                            && s["ends_at"].as_i64() >= Some(now)
                            && s["actions"]
                                .as_array()
                                .is_some_and(|a| a.contains(&json!("submit")))
                    })
                })
        }
    };
    let call = calls
        .iter()
        .find(open)
        .context("no call open for submission")?;
    let axis = call["axes"][0]["id"]
        .as_i64()
        .context("the call has no axis")?;
    Ok((call["id"].as_str().unwrap_or_default().to_owned(), axis))
}
