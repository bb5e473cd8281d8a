//! Any input, no 500 (issue 14, item 9): every query parameter and path parameter of every GET
//! route of the API and the pages gets hostile text (NUL, invalid UTF-8 and lone surrogates as
//! escapes, huge numbers, `%`, quotes, full-text operators, direction controls), first a fixed
//! list for each parameter, then random values from proptest, as a signed-in secretariat user
//! (who is also an admin, so the admin pages are read too), on both databases.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::{Audience, CallState, StageKind, ValidCall, ValidStage};
use hamafza_web::testing::fixtures::days_from_today;
use hamafza_web::testing::{Client, TestApp};
use hamafza_web::web_tests;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::json;
use std::collections::BTreeSet;

web_tests!(
    no_query_or_path_parameter_makes_a_server_error,
    nul_in_a_json_form_or_multipart_body_is_refused,
);

/// The GET routes of the API (under `/api/v1`) with their query parameters.
const API: &[(&str, &[&str])] = &[
    ("/me", &[]),
    (
        "/users",
        &["search", "role", "org_unit_id", "offset", "limit"],
    ),
    ("/users/{user}", &[]),
    ("/org-units", &[]),
    ("/provinces", &[]),
    ("/calls", &[]),
    ("/calls/{call}", &[]),
    ("/calls/{call}/export", &["format"]),
    ("/calls/{call}/results", &[]),
    (
        "/calls/{call}/ideas",
        &[
            "offset",
            "limit",
            "after",
            "before",
            "status",
            "axis_id",
            "stage",
            "province",
            "unit_id",
            "channel",
            "from",
            "to",
            "tag_id",
            "attachments",
            "search",
            "sort",
        ],
    ),
    ("/calls/{call}/draft", &[]),
    ("/stages/{stage}/jury", &[]),
    ("/stages/{stage}/ranking", &["method"]),
    ("/judging/assignments", &[]),
    ("/judging/assignments/{assignment}", &[]),
    ("/stages/{stage}/pair", &[]),
    ("/calls/{call}/similar", &["q"]),
    ("/calls/{call}/tags", &[]),
    ("/ideas/{idea}", &[]),
    ("/ideas/{idea}/attachments", &[]),
    ("/ideas/{idea}/attachments/{file}", &[]),
    ("/ideas/{idea}/team", &[]),
    ("/notifications", &["offset", "limit"]),
    ("/rejection-templates", &[]),
];

/// The GET routes of the pages with their query parameters.
const PAGES: &[(&str, &[&str])] = &[
    ("/", &[]),
    ("/login", &["next"]),
    ("/otp", &["next"]),
    ("/otp/verify", &["mobile", "next"]),
    ("/lang/{lang}", &["next"]),
    ("/settings", &[]),
    ("/admin", &[]),
    ("/admin/users", &["search", "role", "unit", "page"]),
    ("/admin/users/new", &["created", "saved"]),
    ("/admin/users/{user}", &["created", "saved"]),
    ("/admin/units", &[]),
    ("/admin/audit", &["before"]),
    ("/calls", &[]),
    ("/calls/{call}", &[]),
    ("/calls/{call}/submit", &[]),
    ("/calls/{call}/similar", &["q"]),
    ("/calls/{call}/results", &[]),
    ("/secretariat/calls", &[]),
    ("/secretariat/calls/new", &[]),
    ("/secretariat/calls/{call}/edit", &[]),
    ("/secretariat/calls/{call}/export", &["format"]),
    ("/secretariat/calls/{call}/import", &[]),
    (
        "/secretariat/calls/{call}/ideas",
        &[
            "status", "axis", "stage", "province", "unit", "channel", "from", "to", "tag", "files",
            "search", "sort", "after", "before",
        ],
    ),
    ("/secretariat/calls/{call}/orientation", &[]),
    ("/secretariat/orientation/{session}", &[]),
    ("/secretariat/calls/{call}/results", &[]),
    ("/secretariat/rejection-templates", &["edit"]),
    ("/ideas/{idea}", &["submitted", "template"]),
    ("/ideas/{idea}/edit", &[]),
    ("/ideas/{idea}/compare", &["from", "to"]),
    ("/ideas/{idea}/attachments/{file}", &[]),
    ("/ideas/{idea}/invitation", &[]),
    ("/ideas/{idea}/certificate", &[]),
    ("/my/ideas", &[]),
    ("/notifications", &["page"]),
    ("/judging", &["done"]),
    ("/judging/{assignment}", &["saved"]),
    ("/judging/stages/{stage}/compare", &[]),
    (
        "/secretariat/stages/{stage}",
        &["method", "assigned", "short"],
    ),
];

/// Parameters no route reads, sent everywhere to show they are ignored.
const STRAY: &[&str] = &["page", "q"];

/// A value as sent: bytes to percent-encode, or text put into the URL as it is.
#[derive(Debug, Clone)]
enum Value {
    Encoded(Vec<u8>),
    Raw(&'static str),
}

impl Value {
    fn in_url(&self) -> String {
        match self {
            Value::Raw(s) => s.to_string(),
            Value::Encoded(b) => b
                .iter()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(b) {
                        (*b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect(),
        }
    }
}

fn hostile() -> Vec<Value> {
    let text = [
        "ab\0",
        "\0",
        "%",
        "%%",
        "_",
        "\\",
        "\\%",
        "'",
        "\"",
        "' OR 1=1 --",
        "\"a\" NEAR b",
        "a* OR b",
        "-a ^b c:d",
        "NEAR(a b)",
        "(",
        "{}",
        "ab\"",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "99999999999999999999999999",
        "1e308",
        "-1",
        "0",
        "NaN",
        "1.5",
        "true",
        "",
        " ",
        "\u{202E}",
        "\u{FFFF}",
        "😀",
        "۱۴۰۳/۰۱/۱۵",
        "1403/13/45",
        "9999999/1/1",
        "0/0/0",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "\r\n",
        "//evil.example",
    ];
    let mut v: Vec<Value> = text
        .iter()
        .map(|s| Value::Encoded(s.as_bytes().to_vec()))
        .collect();
    v.push(Value::Encoded("ا".repeat(5000).into_bytes()));
    // Not UTF-8: a lone surrogate, an overlong NUL, a stray continuation byte.
    for b in [&b"\xED\xA0\x80"[..], b"\xC0\x80", b"\xFF", b"a\x80"] {
        v.push(Value::Encoded(b.to_vec()));
    }
    for raw in ["%", "%zz", "%0", "%00", "%C0%80", "%ED%A0%80", "a+b", "%2"] {
        v.push(Value::Raw(raw));
    }
    v
}

/// Random values: any text, any bytes, operator soup, numbers of any size.
fn random() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(|s| Value::Encoded(s.into_bytes())),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(Value::Encoded),
        "[%'\"*():^\\\\+\\-_ a-z0-9\u{0}\u{202E}\u{200C}ا-ی]{0,16}"
            .prop_map(|s| Value::Encoded(s.into_bytes())),
        any::<i64>().prop_map(|n| Value::Encoded(n.to_string().into_bytes())),
        any::<f64>().prop_map(|n| Value::Encoded(n.to_string().into_bytes())),
        "-?[0-9]{15,40}".prop_map(|s| Value::Encoded(s.into_bytes())),
    ]
}

/// The ids a route's path parameters stand for.
struct Ids {
    call: String,
    stage: String,
    idea: String,
    file: String,
    user: String,
}

impl Ids {
    fn fill(&self, route: &str) -> String {
        route
            .replace("{call}", &self.call)
            .replace("{idea}", &self.idea)
            .replace("{file}", &self.file)
            .replace("{user}", &self.user)
            .replace("{session}", "1")
            .replace("{stage}", &self.stage)
            .replace("{assignment}", "x")
            .replace("{lang}", "en")
    }
}

async fn fixture(app: &TestApp) -> (Client, String, Ids) {
    let v = ValidCall {
        title: "فراخوان آزمایشی".into(),
        description: String::new(),
        audience: Audience::Both,
        axes: vec![("خدمات غیرحضوری".into(), String::new())],
        stages: vec![ValidStage {
            kind: StageKind::Submission,
            title: String::new(),
            start: days_from_today(-1),
            end: days_from_today(10),
        }],
    };
    let c = app.state.store.create_call(&v, None, None).await.unwrap();
    let c = app
        .state
        .store
        .set_call_state(c.id, CallState::Published, None)
        .await
        .unwrap();
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let token = p.token("sara").await;
    let r = p
        .api(
            "POST",
            &format!("/api/v1/calls/{}/ideas", c.public_id),
            Some(&token),
            Some(json!({
                "axis_id": c.axes[0].id, "title": "کیوسک خدمات",
                "problem": "مستمری‌بگیران سالمند برای کارهای ساده به شعبه می‌آیند.",
                "solution": "کیوسک لمسی در داروخانه‌های طرف قرارداد نصب شود."
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let idea = r.json()["id"].as_str().unwrap().to_string();
    let req = axum::http::Request::post(format!("/api/v1/ideas/{idea}/attachments"))
        .header("authorization", format!("Bearer {token}"))
        .header("x-filename", "plan.pdf")
        .body(axum::body::Body::from(&b"%PDF-1.7\n%\xe2\xe3\n"[..]))
        .unwrap();
    let r = p.send(req).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let file = r.json()[0]["id"].as_str().unwrap().to_string();
    let (mut d, user) = app
        .signed_in("dabir", &[Role::Secretariat, Role::Admin])
        .await;
    let token = d.token("dabir").await;
    let ids = Ids {
        stage: c.stages[0].id.to_string(),
        call: c.public_id,
        idea,
        file,
        user: user.id.to_string(),
    };
    (d, token, ids)
}

/// One request; a 5xx fails the test with the request that caused it.
async fn get(c: &mut Client, token: &str, api: bool, url: &str) {
    let r = if api {
        c.api("GET", url, Some(token), None).await
    } else {
        c.get(url).await
    };
    assert!(
        r.status.as_u16() < 500,
        "GET {url} answered {}: {}",
        r.status,
        r.body.chars().take(400).collect::<String>()
    );
}

/// Every (route, parameter) the test reaches: a query parameter by name, or a path parameter.
fn targets() -> Vec<(bool, &'static str, &'static str)> {
    let mut t = Vec::new();
    for (api, routes) in [(true, API), (false, PAGES)] {
        for (route, params) in routes {
            for p in params.iter().chain(STRAY) {
                t.push((api, *route, *p));
            }
            for seg in route.split('/').filter(|s| s.starts_with('{')) {
                t.push((api, *route, seg));
            }
        }
    }
    t
}

fn url(api: bool, route: &str, param: &str, value: &Value, ids: &Ids) -> String {
    let v = value.in_url();
    let path = if param.starts_with('{') {
        ids.fill(&route.replace(param, &v))
    } else {
        format!("{}?{param}={v}", ids.fill(route))
    };
    if api { format!("/api/v1{path}") } else { path }
}

async fn no_query_or_path_parameter_makes_a_server_error(app: TestApp) {
    // The API's documented query parameters are all in the list above.
    let doc = serde_json::to_value(hamafza_web::api::openapi()).unwrap();
    let mut missing = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(params) = item["get"]["parameters"].as_array() else {
            continue;
        };
        let route = path.trim_start_matches("/api/v1");
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap();
            let listed = API.iter().any(|(r, ps)| {
                r.split('/').count() == route.split('/').count()
                    && r.split('/')
                        .zip(route.split('/'))
                        .all(|(a, b)| a == b || (a.starts_with('{') && b.starts_with('{')))
                    && ps.contains(&name)
            });
            if !listed {
                missing.insert(format!("{path}?{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "add to API: {missing:?}");

    let (mut c, token, ids) = fixture(&app).await;
    let targets = targets();
    for (api, route, param) in &targets {
        for value in hostile() {
            get(&mut c, &token, *api, &url(*api, route, param, &value, &ids)).await;
        }
    }
    // The same reached through the request that issue 14 found.
    let r = c
        .api(
            "GET",
            &format!("/api/v1/calls/{}/ideas?search=ab%00", ids.call),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("U+0000"), "{}", r.body);

    let cases: usize = std::env::var("HAMAFZA_INPUT_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(400);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[14; 32]),
    );
    let pick = (0..targets.len(), random());
    for _ in 0..cases {
        let (i, value) = pick.new_tree(&mut runner).unwrap().current();
        let (api, route, param) = targets[i];
        get(&mut c, &token, api, &url(api, route, param, &value, &ids)).await;
    }
}

/// PostgreSQL's text columns refuse NUL; every kind of body refuses it first, with a 400.
async fn nul_in_a_json_form_or_multipart_body_is_refused(app: TestApp) {
    let (_, _, ids) = fixture(&app).await;
    let (mut p, _) = app.signed_in("reza", &[Role::Participant]).await;
    let token = p.token("reza").await;
    let call = app
        .state
        .store
        .call_by_public_id(&ids.call)
        .await
        .unwrap()
        .unwrap();
    let idea = |title: &str| {
        json!({
            "axis_id": call.axes[0].id, "title": title,
            "problem": "مستمری‌بگیران سالمند برای کارهای ساده به شعبه می‌آیند.",
            "solution": "کیوسک لمسی در داروخانه‌های طرف قرارداد نصب شود."
        })
    };
    let url = format!("/api/v1/calls/{}/ideas", ids.call);
    let r = p
        .api("POST", &url, Some(&token), Some(idea("کیوسک\0خدمات")))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("U+0000"), "{}", r.body);
    // A lone surrogate is not text at all.
    let req = axum::http::Request::post(&url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            idea("x").to_string().replace("\"x\"", "\"\\ud800\""),
        ))
        .unwrap();
    let r = p.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    // An escaped backslash before `u0000` is text, not NUL.
    let r = p
        .api(
            "POST",
            &url,
            Some(&token),
            Some(idea("کیوسک \\u0000 خدمات")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    let form = [
        ("axis", call.axes[0].id.to_string()),
        ("title", "کیوسک\0خدمات".to_string()),
        (
            "problem",
            "مستمری‌بگیران سالمند برای کارهای ساده به شعبه می‌آیند.".into(),
        ),
        (
            "solution",
            "کیوسک لمسی در داروخانه‌های طرف قرارداد نصب شود.".into(),
        ),
    ];
    let page = format!("/calls/{}/submit", ids.call);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = p.post_form(&page, &pairs).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);

    let b = "----hamafza-nul";
    let mut body = String::new();
    for (k, v) in form.iter().cloned().chain([("csrf", p.csrf().await)]) {
        body.push_str(&format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{b}--\r\n"));
    let req = axum::http::Request::post(&page)
        .header("content-type", format!("multipart/form-data; boundary={b}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let r = p.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        app.state
            .store
            .ideas_of_call(call.id, 0, 10)
            .await
            .unwrap()
            .1,
        2,
        "the fixture's idea and the one with a backslash"
    );
}
