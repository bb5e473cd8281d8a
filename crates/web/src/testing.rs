//! A test harness that drives the real router without a socket: `TestApp` (a fresh database per
//! test on SQLite, and on PostgreSQL when `HAMAFZA_TEST_PG` is set) and `Client`, a browser-like
//! caller that keeps cookies and fills in CSRF tokens.

use crate::{AppState, WebConfig, router};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hamafza_core::Role;
use hamafza_core::account::User;
use hamafza_store::testing::TestDb;
use hamafza_store::users::NewUser;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    /// Every SMS "sent", as (to, text).
    pub sms: Arc<Mutex<Vec<(String, String)>>>,
    /// Every email "sent" by the notification worker.
    pub emails: Arc<Mutex<Vec<crate::notify::Email>>>,
    _db: TestDb,
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        let sms = Arc::new(Mutex::new(Vec::new()));
        let mut state = AppState::new(db.store.clone(), WebConfig::default())
            .await
            .expect("state");
        state.sms = crate::sms::SmsSender::Memory(sms.clone());
        let emails = Arc::new(Mutex::new(Vec::new()));
        state.mailer = crate::notify::Mailer::Memory(emails.clone());
        TestApp {
            router: router(state.clone()),
            state,
            sms,
            emails,
            _db: db,
        }
    }

    /// This app with its web settings changed by `f` (say `secure_cookies`).
    pub fn configured(mut self, f: impl FnOnce(&mut WebConfig)) -> TestApp {
        let mut config = (*self.state.config).clone();
        f(&mut config);
        self.state.config = Arc::new(config);
        self.router = router(self.state.clone());
        self
    }

    /// This app with a submission queue of `capacity` (see `Store::with_submission_queue`).
    pub fn with_submission_queue(mut self, capacity: usize) -> TestApp {
        self.state.store = self.state.store.clone().with_submission_queue(capacity);
        self.router = router(self.state.clone());
        self
    }

    /// A user with `roles` whose password is `PASSWORD`.
    pub async fn user(&self, username: &str, roles: &[Role]) -> User {
        let hash = crate::auth::password::hash(PASSWORD).await.unwrap();
        let new = NewUser {
            username: username.into(),
            display_name: format!("کاربر {username}"),
            password_hash: Some(hash),
            national_id: None,
            mobile: None,
            org_unit_id: None,
            roles: roles.to_vec(),
        };
        self.state.store.create_user(&new, None).await.unwrap()
    }

    pub fn client(&self) -> Client {
        Client {
            app: self.router.clone(),
            state: self.state.clone(),
            cookies: HashMap::new(),
            headers: Vec::new(),
        }
    }

    /// A client signed in as a new user with `roles`.
    pub async fn signed_in(&self, username: &str, roles: &[Role]) -> (Client, User) {
        let user = self.user(username, roles).await;
        let mut c = self.client();
        let r = c
            .post_form("/login", &[("username", username), ("password", PASSWORD)])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "sign-in failed: {}",
            r.body
        );
        (c, user)
    }

    /// A notification worker over this app's store and memory transports; `run_once()` makes
    /// one pass synchronously.
    pub fn worker(&self) -> crate::notify::Worker {
        crate::notify::Worker::new(&self.state)
    }

    /// The last SMS sent to `mobile`.
    pub fn last_sms(&self, mobile: &str) -> Option<String> {
        self.sms
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(to, _)| to == mobile)
            .map(|(_, t)| t.clone())
    }
}

#[derive(Clone)]
pub struct Client {
    app: Router,
    state: AppState,
    cookies: HashMap<String, String>,
    headers: Vec<(String, String)>,
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    /// The body as text (invalid UTF-8 replaced); `body_bytes` has it as sent.
    pub body: String,
    bytes: Vec<u8>,
}

impl TestResponse {
    /// The body as sent, e.g. a downloaded workbook.
    pub fn body_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn location(&self) -> &str {
        self.header("location")
    }
}

impl Client {
    /// Sends `name: value` with every request from now on.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn cookie(&self, name: &str) -> Option<&String> {
        self.cookies.get(name)
    }

    pub async fn send(&mut self, req: Request<Body>) -> TestResponse {
        let mut req = req;
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookie.is_empty() {
            req.headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        for (k, v) in &self.headers {
            req.headers_mut().insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let res = self.app.clone().oneshot(req).await.unwrap();
        for c in res.headers().get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// The CSRF token the forms of this client's pages carry (visiting a page first if needed).
    pub async fn csrf(&mut self) -> String {
        if !self.cookies.contains_key(crate::auth::csrf::CSRF_COOKIE) {
            self.get("/login").await;
        }
        let seed = &self.cookies[crate::auth::csrf::CSRF_COOKIE];
        crate::auth::csrf::token_for(&self.state, seed)
    }

    /// Posts a form with a valid CSRF token.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Posts `multipart/form-data` exactly as given, fields first, then files as
    /// (field, file name, bytes); no CSRF token is added.
    pub async fn post_multipart_raw(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> TestResponse {
        let b = "----hamafza-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(
                format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        for (field, name, bytes) in files {
            body.extend(
                format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"{field}\"; \
                     filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend(*bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{b}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={b}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    pub async fn api(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> TestResponse {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    /// A bearer token for `username`.
    pub async fn token(&mut self, username: &str) -> String {
        let r = self
            .api(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({ "username": username, "password": PASSWORD })),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.json()["token"].as_str().unwrap().to_string()
    }
}

/// Expands each `async fn name(app: TestApp)` into `sqlite::name` and `postgres::name` tests.
#[macro_export]
macro_rules! web_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::testing::TestApp::new(hamafza_store::testing::sqlite().await).await;
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = hamafza_store::testing::postgres().await {
                        super::$name($crate::testing::TestApp::new(db).await).await;
                    }
                }
            )*
        }
    };
}

/// What most tests start from: a call open for submissions today and ideas in it.
pub mod fixtures {
    use super::TestApp;
    use hamafza_core::account::User;
    use hamafza_core::call::Call;
    use hamafza_core::call::{Audience, CallState, StageKind, ValidCall, ValidStage};
    use hamafza_core::idea::Idea;
    use hamafza_core::idea::{Channel, IdeaInput};
    use hamafza_persian::jalali::{self, JalaliDate};
    use hamafza_store::ideas::NewIdea;

    /// The Jalali date `days` from today in Tehran (negative: before).
    pub fn days_from_today(days: i64) -> JalaliDate {
        let today = jalali::today_tehran().to_civil();
        JalaliDate::from_civil(today.checked_add(jiff::Span::new().days(days)).unwrap())
    }

    /// A published call titled `title` for `audience`, with `axes` (titles) and `stages` (kind,
    /// first and last day counted from today).
    pub async fn published_call(
        app: &TestApp,
        title: &str,
        audience: Audience,
        axes: &[&str],
        stages: &[(StageKind, i64, i64)],
    ) -> Call {
        let v = ValidCall {
            title: title.into(),
            description: String::new(),
            audience,
            axes: axes
                .iter()
                .map(|a| (a.to_string(), String::new()))
                .collect(),
            stages: stages
                .iter()
                .map(|&(kind, from, to)| ValidStage {
                    kind,
                    title: String::new(),
                    start: days_from_today(from),
                    end: days_from_today(to),
                })
                .collect(),
        };
        let c = app.state.store.create_call(&v, None, None).await.unwrap();
        app.state
            .store
            .set_call_state(c.id, CallState::Published, None)
            .await
            .unwrap()
    }

    /// A published call for `audience` with two axes, its submission stage open from yesterday
    /// to a week from now, then screening.
    pub async fn open_call(app: &TestApp, audience: Audience) -> Call {
        published_call(
            app,
            "فراخوان آزمایشی",
            audience,
            &["خدمات غیرحضوری", "مستمری‌بگیران"],
            &[
                (StageKind::Submission, -1, 7),
                (StageKind::Screening, 8, 20),
            ],
        )
        .await
    }

    /// An idea titled `title` submitted online by `author` to `call`'s first axis.
    pub async fn idea_by(app: &TestApp, call: &Call, author: &User, title: &str) -> Idea {
        let text = IdeaInput {
            axis: call.axes[0].id.to_string(),
            title: title.into(),
            problem: "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.".into(),
            solution: "پس از هر تغییر وضعیت پرونده، پیامکی با کد رهگیری فرستاده شود.".into(),
            ..Default::default()
        }
        .validate(&call.axes.iter().map(|a| a.id).collect::<Vec<_>>())
        .unwrap();
        let new = NewIdea {
            call_id: call.id,
            author_id: Some(author.id),
            channel: Channel::Web,
            text: &text,
            idempotency_key: None,
        };
        app.state.store.submit_idea(&new).await.unwrap().0
    }

    /// `call` with its submission stage over (it ended yesterday), the later stages from today:
    /// what results need before they may be published.
    pub async fn end_submission(app: &TestApp, call: &Call) -> Call {
        let mut v = call.to_valid();
        let n = v.stages.len() as i64;
        for (i, s) in v.stages.iter_mut().enumerate() {
            let i = i as i64;
            if s.kind == StageKind::Submission {
                s.start = days_from_today(-10);
                s.end = days_from_today(-1);
            } else {
                s.start = days_from_today(i * 3);
                s.end = days_from_today(i * 3 + 2);
            }
        }
        debug_assert!(n > 0);
        app.state
            .store
            .update_call(call.id, &v, None)
            .await
            .unwrap()
    }

    /// Accepts `idea` and makes it the call's only winner (rank 1), unpublished.
    pub async fn award(app: &TestApp, call: &Call, idea: &Idea) {
        let kinds: Vec<StageKind> = call.stages.iter().map(|s| s.kind).collect();
        let to = hamafza_core::idea::Transition::Accept
            .plan(idea.place(), &kinds)
            .unwrap();
        app.state
            .store
            .transition_idea(idea.id, idea.place(), to, "", None)
            .await
            .unwrap();
        app.state
            .store
            .set_results(
                call.id,
                &[(idea.id, hamafza_store::results::Award::Winner, 1)],
                None,
            )
            .await
            .unwrap();
    }
}
