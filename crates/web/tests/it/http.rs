//! The web layer through the real router: pages, forms, the API, sign-in, on both databases.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_web::testing::{PASSWORD, TestApp, fixtures};
use hamafza_web::web_tests;
use serde_json::json;

web_tests!(
    health_and_readiness_answer,
    the_home_page_is_persian_right_to_left_with_persian_digits,
    pages_are_persian_unless_english_is_chosen,
    an_error_page_shows_the_signed_in_header,
    identifiers_keep_latin_digits_and_read_left_to_right,
    an_unknown_page_is_a_persian_404_and_the_api_answers_problem_json,
    a_form_without_its_csrf_token_is_refused,
    every_state_changing_page_route_checks_csrf,
    uploads_and_imports_are_refused_before_their_body_is_read,
    a_wrong_password_keeps_the_username_and_says_why,
    signing_in_and_out_works,
    sign_in_is_throttled_per_account,
    the_token_endpoint_gives_a_working_bearer_token,
    api_errors_are_problem_json_in_the_requested_language,
    admin_pages_need_the_admin_role,
    the_admin_creates_an_account_and_bad_fields_are_kept_with_messages,
    the_api_creates_accounts_and_reports_every_bad_field,
    a_user_sees_only_their_own_account_over_the_api,
    a_citizen_signs_up_with_a_mobile_number_and_a_code,
    a_code_allows_five_tries_and_a_resend_waits,
    personal_tokens_are_made_and_revoked_on_the_settings_page,
    changing_the_password_ends_other_sessions_and_revokes_every_token,
    an_older_password_hash_is_replaced_at_sign_in_and_nothing_else_changes,
    a_person_sees_and_ends_their_sessions_on_the_page_and_over_the_api,
    token_names_and_the_number_of_live_tokens_are_bounded,
    the_admin_adds_an_org_unit_under_the_right_parent,
    the_audit_page_verifies_the_chain,
    the_openapi_document_describes_the_api,
    a_store_conflict_no_handler_expects_is_a_409_not_a_500,
    parallel_wrong_passwords_are_counted_before_they_are_checked,
    parallel_guesses_take_no_more_than_a_codes_five_tries,
    a_next_parameter_never_leaves_the_site,
    behind_https_cookies_are_secure_and_nothing_personal_is_stored,
);

async fn health_and_readiness_answer(app: TestApp) {
    let mut c = app.client();
    let r = c.get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    assert_eq!(c.get("/readyz").await.status, StatusCode::OK);
    assert!(!r.header("x-request-id").is_empty());
}

async fn the_home_page_is_persian_right_to_left_with_persian_digits(app: TestApp) {
    let r = app.client().get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(r#"<html lang="fa" dir="rtl">"#));
    assert!(
        r.body.contains("۲۱۶"),
        "round 2's idea count in Persian digits"
    );
    assert!(r.body.contains("فرهنگ بیمه"));
    assert!(!r.body.contains("216"));
    assert!(
        r.header("content-security-policy")
            .contains("script-src 'self'")
    );
    assert!(r.header("set-cookie").contains("hz_csrf="));
}

async fn pages_are_persian_unless_english_is_chosen(app: TestApp) {
    // A browser that asks for English has not chosen it: the page is Persian, 404s too.
    let mut c = app
        .client()
        .with_header("accept-language", "en-US,en;q=0.9");
    let r = c.get("/").await;
    assert!(r.body.contains(r#"<html lang="fa" dir="rtl">"#));
    assert!(!r.body.contains("216 initial ideas"));
    assert!(
        c.get("/no/such/page")
            .await
            .body
            .contains(r#"<html lang="fa" dir="rtl">"#)
    );
    // The API's problem details still follow Accept-Language.
    let r = c.get("/api/v1/calls/nope").await;
    assert_eq!(r.json()["title"], "Not found", "{}", r.body);
    let r = c.get("/lang/en?next=/").await;
    assert!(c.get(r.location()).await.body.contains("216 initial ideas"));
    let mut c = app.client();
    let r = c.get("/lang/en?next=/login").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login");
    assert!(c.get("/login").await.body.contains("Sign in to Hamafza"));
    // Open redirects are refused.
    assert_eq!(c.get("/lang/fa?next=//evil.example").await.location(), "/");
    assert!(c.get("/").await.body.contains(r#"lang="fa""#));
}

async fn an_error_page_shows_the_signed_in_header(app: TestApp) {
    let (mut c, _) = app.signed_in("sara", &[Role::Participant]).await;
    let home = c.get("/").await;
    assert!(home.body.contains("کاربر sara"));
    for (path, status) in [
        ("/no/such/page", StatusCode::NOT_FOUND),
        ("/admin/users", StatusCode::FORBIDDEN),
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, status, "{path}");
        assert!(r.body.contains("کاربر sara"), "{path}: {}", r.body);
        assert!(!r.body.contains(r#"href="/login""#), "{path}");
    }
    // A person who chose English keeps it on error pages.
    c.get("/lang/en?next=/").await;
    assert!(
        c.get("/no/such/page")
            .await
            .body
            .contains(r#"<html lang="en" dir="ltr">"#)
    );
}

async fn identifiers_keep_latin_digits_and_read_left_to_right(app: TestApp) {
    let (mut c, _) = app.signed_in("participant1", &[Role::Participant]).await;
    let page = c.get("/settings").await.body;
    assert!(
        page.contains(r#"<bdi dir="ltr">participant1</bdi>"#),
        "{page}"
    );
    assert!(!page.contains("participant۱"));
    let (mut admin, _) = app.signed_in("boss", &[Role::Admin]).await;
    let list = admin.get("/admin/users?q=participant").await.body;
    assert!(
        list.contains(r#"<bdi dir="ltr">participant1</bdi>"#),
        "{list}"
    );
    assert!(!list.contains("participant۱"));
}

async fn an_unknown_page_is_a_persian_404_and_the_api_answers_problem_json(app: TestApp) {
    let mut c = app.client();
    let r = c.get("/no-such-page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("صفحه پیدا نشد"));
    assert!(r.body.contains(r#"dir="rtl""#));
    let r = c.get("/api/v1/no-such-thing").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("content-type"), "application/problem+json");
    assert_eq!(r.json()["status"], 404);
}

async fn a_form_without_its_csrf_token_is_refused(app: TestApp) {
    app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    c.get("/login").await;
    let r = c
        .post_form_raw("/login", &[("username", "sara"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("فرم منقضی شده است"));
    let r = c
        .post_form_raw(
            "/login",
            &[
                ("csrf", "forged"),
                ("username", "sara"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(c.cookie("hz_session").is_none());
}

/// Every page route that changes state, from the route table, refuses a signed-in admin's form
/// without a CSRF token: with real ids, so the request gets past access to the token check.
async fn every_state_changing_page_route_checks_csrf(app: TestApp) {
    let (mut c, boss) = app.signed_in("boss", &[Role::Admin]).await;
    let call = fixtures::open_call(&app, hamafza_core::call::Audience::Both).await;
    let idea = fixtures::idea_by(&app, &call, &boss, "ایده‌ای برای آزمون مسیرها").await;
    // An invitation waiting for the admin, so that answering one gets past access too.
    let sara = app.user("sara", &[Role::Participant]).await;
    let invited = fixtures::idea_by(&app, &call, &sara, "ایده‌ای با دعوت").await;
    app.state
        .store
        .invite(&invited, boss.id, None)
        .await
        .unwrap();
    let session = app
        .state
        .store
        .create_orientation(
            call.id,
            &hamafza_store::orientation::NewOrientation {
                title: "جلسهٔ آشنایی",
                starts_at: hamafza_store::now(),
                place: "تالار",
                materials: "",
            },
            None,
        )
        .await
        .unwrap();
    let routes = routes::table();
    let mut tried = 0;
    for r in routes.iter().filter(|r| !r.api && r.method != "get") {
        let idea = if r.path.ends_with("/invitation") {
            &invited
        } else {
            &idea
        };
        let path = r.concrete(
            &call.public_id,
            &idea.public_id,
            &session.public_id,
            boss.id,
        );
        // A URL-encoded form: refused (400 where only multipart is taken).
        let res = c.post_form_raw(&path, &[("x", "y")]).await;
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::BAD_REQUEST].contains(&res.status),
            "{} {path} ({}) answered {} to a form without a CSRF token: {}",
            r.method,
            r.handler,
            res.status,
            res.body
        );
        // A file before any token: refused before the file is read.
        let file: &[u8] = b"%PDF-1.4 not read";
        let res = c
            .post_multipart_raw(
                &path,
                &[],
                &[("file", "a.pdf", file), ("attachments", "b.pdf", file)],
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "{} {path} ({}) took a file without a CSRF token: {}",
            r.method,
            r.handler,
            res.body
        );
        tried += 1;
    }
    assert!(tried >= 35, "the route table lists only {tried} page forms");
}

/// A request body that records whether anyone read it.
fn watched_body() -> (
    axum::body::Body,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let read = std::sync::Arc::new(AtomicBool::new(false));
    let flag = read.clone();
    let mut sent = false;
    let stream = futures_util::stream::poll_fn(move |_| {
        flag.store(true, Ordering::SeqCst);
        if sent {
            return std::task::Poll::Ready(None);
        }
        sent = true;
        let chunk = axum::body::Bytes::from(vec![b'x'; 1 << 20]);
        std::task::Poll::Ready(Some(Ok::<_, std::io::Error>(chunk)))
    });
    (axum::body::Body::from_stream(stream), read)
}

/// Access is checked before a body is read: an anonymous or unprivileged upload or import costs
/// the server its headers only (issue 14 item 8).
async fn uploads_and_imports_are_refused_before_their_body_is_read(app: TestApp) {
    use axum::http::{Request, header};
    use std::sync::atomic::Ordering;
    let (_, author) = app.signed_in("author", &[Role::Participant]).await;
    let (mut other, _) = app.signed_in("other", &[Role::Participant]).await;
    let call = fixtures::open_call(&app, hamafza_core::call::Audience::Both).await;
    let idea = fixtures::idea_by(&app, &call, &author, "ایدهٔ دیگری").await;
    let token = other.token("other").await;
    let multipart = "multipart/form-data; boundary=x";
    let cases: Vec<(&str, String, Option<&str>, StatusCode)> = vec![
        (
            "anonymous",
            format!("/calls/{}/submit", call.public_id),
            None,
            StatusCode::SEE_OTHER,
        ),
        (
            "participant",
            format!("/secretariat/calls/{}/import", call.public_id),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "participant",
            format!("/api/v1/calls/{}/imports", call.public_id),
            Some(token.as_str()),
            StatusCode::FORBIDDEN,
        ),
        (
            "stranger",
            format!("/api/v1/ideas/{}/attachments", idea.public_id),
            Some(token.as_str()),
            StatusCode::NOT_FOUND,
        ),
        (
            "anonymous",
            format!("/api/v1/calls/{}/imports", call.public_id),
            None,
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (who, path, bearer, want) in cases {
        let (body, read) = watched_body();
        let mut req = Request::post(&path).header(header::CONTENT_TYPE, multipart);
        if let Some(t) = bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let mut client = if who == "participant" || who == "stranger" {
            other.clone()
        } else {
            app.client()
        };
        let r = client.send(req.body(body).unwrap()).await;
        assert_eq!(r.status, want, "{who} {path}: {}", r.body);
        assert!(
            !read.load(Ordering::SeqCst),
            "{who} {path}: the body was read"
        );
    }
}

/// The route table read from the source: every handler's first argument is an access proof
/// from `hamafza_web::access` (or `Public`, on purpose), so no handler can forget its check and
/// every check runs before a body is read; every page handler that changes state takes its body
/// through a CSRF-checking extractor.
#[test]
fn every_handler_proves_access_first_and_page_forms_check_csrf() {
    let routes = routes::table();
    assert!(routes.len() >= 100, "only {} routes found", routes.len());
    let mut bad = Vec::new();
    for r in &routes {
        match r.params.first() {
            Some(first) if routes::ACCESS.contains(&routes::type_name(first)) => {}
            other => bad.push(format!(
                "{} {} → {} takes {:?} first, not an access proof",
                r.method, r.path, r.handler, other
            )),
        }
        let csrf = r
            .params
            .iter()
            .any(|p| p.contains("CsrfForm") || p.contains("UploadForm"))
            || r.body.contains("MultipartCsrf");
        if !r.api && r.method != "get" && !csrf {
            bad.push(format!(
                "{} {} → {} changes state without a CSRF check",
                r.method, r.path, r.handler
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Two types that derive `ToSchema` under one name are one component in the OpenAPI document:
/// utoipa keeps either, and the other's operations are described with the wrong fields (the
/// orientation API once showed the sign-in sessions' `SessionOut`). Every name is unique.
#[test]
fn every_api_schema_name_is_unique() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("src"), &mut files);
    walk(&root.join("../core/src"), &mut files);
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut twice = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !(line.contains("derive(") && line.contains("ToSchema")) {
                continue;
            }
            // The type follows the derive, after any attributes and doc lines.
            let name = lines[i + 1..].iter().find_map(|l| {
                let l = l.trim();
                ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|k| l.strip_prefix(k))
                    .map(|rest| {
                        rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap_or_default()
                            .to_string()
                    })
            });
            if let Some(name) = name {
                let here = format!("{}:{}", f.display(), i + 1);
                if let Some(first) = seen.insert(name.clone(), here.clone()) {
                    twice.push(format!("{name}: {first} and {here}"));
                }
            }
        }
    }
    assert!(seen.len() > 40, "found the API's types: {}", seen.len());
    assert!(twice.is_empty(), "{}", twice.join("\n"));
}

/// Reads the `.route(…)` calls of the web crate's source and the signatures of their handlers.
mod routes {
    use std::path::Path;

    /// The proofs of `hamafza_web::access`.
    pub const ACCESS: &[&str] = &[
        "Public",
        "Caller",
        "SignedIn",
        "Secretariat",
        "Admin",
        "VisibleCall",
        "AudienceCall",
        "ManagedCall",
        "ManagedSession",
        "ResultsCall",
        "VisibleIdea",
        "ScreenedIdea",
        "LedIdea",
        "InvitedIdea",
        "AwardedIdea",
        "Judge",
        "ManagedStage",
        "AssignedIdea",
        "JudgedStage",
    ];

    pub struct Route {
        pub path: String,
        pub method: String,
        pub handler: String,
        /// The handler's parameters as written (`name: Type`).
        pub params: Vec<String>,
        pub body: String,
        /// Under `/api/v1` (bearer tokens, no CSRF).
        pub api: bool,
    }

    impl Route {
        /// The path with its parameters filled in: `{id}` is the call or the idea by the path's
        /// prefix, other ids the user's or a number.
        pub fn concrete(
            &self,
            call: &str,
            idea: &str,
            session: &str,
            user: hamafza_core::ids::UserId,
        ) -> String {
            let id = if self.path.starts_with("/ideas/") {
                idea.to_string()
            } else if self.path.contains("/orientation/") {
                session.to_string()
            } else if self.path.contains("/calls/") {
                call.to_string()
            } else {
                user.to_string()
            };
            self.path
                .replace("{id}", &id)
                .replace("{user}", &user.to_string())
                .replace("{aid}", "x")
                .replace("{code}", "en")
        }
    }

    /// The last path segment of a parameter's type, generics dropped: `a: crate::x::Y<Z>` → `Y`.
    pub fn type_name(param: &str) -> &str {
        let ty = param.split_once(':').map_or(param, |(_, t)| t).trim();
        let ty = ty.split('<').next().unwrap_or(ty);
        ty.rsplit("::").next().unwrap_or(ty).trim()
    }

    /// The text between the parenthesis at `open` and its match.
    fn balanced(s: &str, open: usize) -> &str {
        let mut depth = 0;
        for (i, ch) in s[open..].char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return &s[open + 1..open + i];
                    }
                }
                _ => {}
            }
        }
        panic!("unbalanced parentheses")
    }

    /// Splits at commas outside brackets.
    fn split_top(s: &str) -> Vec<String> {
        let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
        for ch in s.chars() {
            match ch {
                '(' | '<' | '[' | '{' => depth += 1,
                ')' | '>' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            }
            cur.push(ch);
        }
        out.push(cur);
        out.into_iter()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect()
    }

    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    pub fn table() -> Vec<Route> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut paths = Vec::new();
        files(&src, &mut paths);
        let mut routes = Vec::new();
        for file in paths {
            let text = std::fs::read_to_string(&file).unwrap();
            // Routers inside test modules serve fake providers, not Hamafza.
            let text = text.split("#[cfg(test)]").next().unwrap();
            let name = file.file_name().unwrap().to_str().unwrap();
            let api = name.ends_with("api.rs");
            // API routes: `.routes(routes!(a, b))`, each handler's method and path in its
            // `#[utoipa::path(method, path = "…")]`.
            let mut at = 0;
            while let Some(i) = text[at..].find("routes!(") {
                let open = at + i + "routes!".len();
                let names = balanced(text, open);
                at = open + names.len();
                for handler in split_top(names) {
                    let sig = format!("fn {handler}(");
                    let f = text
                        .find(&sig)
                        .unwrap_or_else(|| panic!("{name}: no `{sig}`"));
                    let attr = text[..f]
                        .rfind("#[utoipa::path(")
                        .unwrap_or_else(|| panic!("{name}: `{handler}` has no #[utoipa::path]"));
                    let doc = balanced(text, attr + "#[utoipa::path".len());
                    let method = doc.split(',').next().unwrap().trim().to_string();
                    let path = doc.split("path = \"").nth(1).unwrap();
                    let path = path[..path.find('"').unwrap()].to_string();
                    let params = balanced(text, f + sig.len() - 1);
                    let body_start = f + sig.len() + params.len();
                    let body_end = text[body_start..]
                        .find("\n}\n")
                        .map_or(text.len(), |e| body_start + e);
                    routes.push(Route {
                        path,
                        method,
                        handler,
                        params: split_top(params),
                        body: text[body_start..body_end].to_string(),
                        api: true,
                    });
                }
            }
            let mut at = 0;
            while let Some(i) = text[at..].find(".route(") {
                let open = at + i + ".route".len();
                let args = balanced(text, open);
                at = open + args.len();
                let path = args.split('"').nth(1).unwrap().to_string();
                let api = api || path == "/openapi.json";
                let methods = &args[args.find('"').unwrap() + path.len() + 2..];
                for m in ["get", "post", "put", "patch", "delete"] {
                    let mut from = 0;
                    while let Some(k) = methods[from..].find(&format!("{m}(")) {
                        let start = from + k;
                        from = start + m.len();
                        let before = methods[..start].chars().last().unwrap_or(' ');
                        if before.is_alphanumeric() || before == '_' {
                            continue;
                        }
                        let inner = balanced(methods, start + m.len()).trim().to_string();
                        let (handler, params, body) = if let Some(c) = inner.strip_prefix('|') {
                            let params = c.split('|').next().unwrap();
                            ("closure".to_string(), split_top(params), inner.clone())
                        } else {
                            let sig = format!("fn {inner}(");
                            let f = text
                                .find(&sig)
                                .unwrap_or_else(|| panic!("{name}: no `{sig}`"));
                            let params = balanced(text, f + sig.len() - 1);
                            let body_start = f + sig.len() + params.len();
                            let body_end = text[body_start..]
                                .find("\n}\n")
                                .map_or(text.len(), |e| body_start + e);
                            (
                                inner,
                                split_top(params),
                                text[body_start..body_end].to_string(),
                            )
                        };
                        routes.push(Route {
                            path: path.clone(),
                            method: m.to_string(),
                            handler,
                            params,
                            body,
                            api,
                        });
                    }
                }
            }
        }
        routes
    }
}

async fn a_wrong_password_keeps_the_username_and_says_why(app: TestApp) {
    app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "sara"),
                ("password", "nope"),
                ("next", "/settings"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r#"value="sara""#));
    assert!(r.body.contains("نام کاربری یا گذرواژه نادرست است"));
    assert!(r.body.contains(r#"value="/settings""#));
    let r = c
        .post_form("/login", &[("username", ""), ("password", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r#"id="username-error""#));
    assert!(r.body.contains("این خانه را پر کنید"));
}

async fn signing_in_and_out_works(app: TestApp) {
    app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    assert_eq!(
        c.get("/settings").await.location(),
        "/login?next=%2Fsettings"
    );
    // Persian digits and upper case in the username are accepted.
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "SARA"),
                ("password", PASSWORD),
                ("next", "/settings"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/settings");
    assert!(r.header("set-cookie").contains("HttpOnly"));
    let r = c.get("/settings").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("کاربر sara"));
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(c.get("/settings").await.status, StatusCode::SEE_OTHER);
}

async fn sign_in_is_throttled_per_account(app: TestApp) {
    app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    for _ in 0..5 {
        c.post_form(
            "/login",
            &[("username", "sara"), ("password", "wrong password")],
        )
        .await;
    }
    // Even the right password is refused now, with a message saying when to retry.
    let r = c
        .post_form("/login", &[("username", "sara"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("دقیقهٔ دیگر دوباره بکوشید"), "{}", r.body);
    let r = c
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "sara", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!r.header("retry-after").is_empty());
    // Other accounts are unaffected.
    app.user("reza", &[Role::Participant]).await;
    let r = c
        .post_form("/login", &[("username", "reza"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

async fn the_token_endpoint_gives_a_working_bearer_token(app: TestApp) {
    app.user("sara", &[Role::Judge]).await;
    let mut c = app.client();
    let token = c.token("sara").await;
    let r = c.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["username"], "sara");
    assert_eq!(r.json()["roles"], json!(["judge"]));
    // A session cookie does not authenticate the API.
    let (mut browser, _) = app.signed_in("reza", &[Role::Admin]).await;
    assert_eq!(
        browser.api("GET", "/api/v1/me", None, None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

async fn api_errors_are_problem_json_in_the_requested_language(app: TestApp) {
    app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    let r = c
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "sara", "password": "bad"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.header("content-type"), "application/problem+json");
    assert!(r.json()["detail"].as_str().unwrap().contains("نادرست"));
    let mut en = app.client().with_header("accept-language", "en");
    let r = en
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "sara", "password": "bad"})),
        )
        .await;
    assert!(r.json()["detail"].as_str().unwrap().contains("wrong"));
    let r = en
        .api("POST", "/api/v1/auth/token", None, Some(json!({"user": 1})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.header("content-type"), "application/problem+json");
    let r = en.api("GET", "/api/v1/me", Some("not-a-token"), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn admin_pages_need_the_admin_role(app: TestApp) {
    let (mut c, _) = app
        .signed_in("sara", &[Role::Participant, Role::Judge])
        .await;
    for path in [
        "/admin/users",
        "/admin/users/new",
        "/admin/units",
        "/admin/audit",
        "/admin/users/1",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(r.body.contains("دسترسی ندارید"));
    }
    let r = c.post_form("/admin/users/new", &[("username", "x")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.client().get("/admin/users").await;
    assert_eq!(r.location(), "/login?next=%2Fadmin%2Fusers");
    let token = c.token("sara").await;
    assert_eq!(
        c.api("GET", "/api/v1/users", Some(&token), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

async fn the_admin_creates_an_account_and_bad_fields_are_kept_with_messages(app: TestApp) {
    let (mut c, _) = app.signed_in("boss", &[Role::Admin]).await;
    assert!(c.get("/admin/users/new").await.body.contains("کاربر تازه"));
    let bad = [
        ("username", "nima.k"),
        ("display_name", "نيما كريمي"),
        ("password", "long enough password"),
        ("national_id", "1234567890"),
        ("mobile", "۰۸۰۰۱۲۳"),
        ("role_judge", "on"),
    ];
    let r = c.post_form("/admin/users/new", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("کد ملی معتبر نیست"));
    assert!(r.body.contains("شمارهٔ همراه ایرانی معتبر نیست"));
    assert!(r.body.contains(r#"value="۰۸۰۰۱۲۳""#), "the mobile as typed");
    assert!(
        r.body.contains(r#"value="نيما كريمي""#),
        "the name as typed"
    );
    assert!(r.body.contains(r#"name="role_judge" checked"#));
    assert!(
        !r.body.contains("long enough password"),
        "passwords are never echoed"
    );
    assert!(
        app.state
            .store
            .user_by_username("nima.k")
            .await
            .unwrap()
            .is_none()
    );

    let good = [
        ("username", "nima.k"),
        ("display_name", "نيما كريمي"),
        ("password", "long enough password"),
        ("national_id", "۰۴۹۹۳۷۰۸۹۹"),
        ("mobile", "+98 912 000 1122"),
        ("role_judge", "on"),
    ];
    let r = c.post_form("/admin/users/new", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let u = app
        .state
        .store
        .user_by_username("nima.k")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.display_name, "نیما کریمی");
    assert_eq!(u.mobile.as_deref(), Some("09120001122"));
    assert_eq!(u.national_id.as_deref(), Some("0499370899"));
    assert_eq!(u.roles, vec![Role::Judge]);
    // The same username again: a message on that field.
    let r = c.post_form("/admin/users/new", &good).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("پیش‌تر ثبت شده است"));
    // The new account can sign in.
    let mut other = app.client();
    let r = other
        .post_form(
            "/login",
            &[("username", "nima.k"), ("password", "long enough password")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Editing: roles replaced, the admin cannot demote themselves.
    let r = c
        .post_form(
            &format!("/admin/users/{}", u.id),
            &[("display_name", "نیما"), ("role_manager", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.state.store.user(u.id).await.unwrap().roles,
        vec![Role::Manager]
    );
    let me = app
        .state
        .store
        .user_by_username("boss")
        .await
        .unwrap()
        .unwrap();
    let r = c
        .post_form(
            &format!("/admin/users/{}", me.id),
            &[("display_name", "رئیس")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.state.store.user(me.id).await.unwrap().roles,
        vec![Role::Admin]
    );
}

async fn the_api_creates_accounts_and_reports_every_bad_field(app: TestApp) {
    app.user("boss", &[Role::Admin]).await;
    let mut c = app.client();
    let token = c.token("boss").await;
    let bad = json!({"username": "x", "display_name": "", "password": "short", "mobile": "123", "roles": ["king"]});
    let r = c
        .api("POST", "/api/v1/users", Some(&token), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        fields,
        ["username", "display_name", "password", "mobile", "roles"]
    );
    let good = json!({"username": "zahra", "display_name": "زهرا", "password": "a good long password", "roles": ["judge", "manager"]});
    let r = c
        .api("POST", "/api/v1/users", Some(&token), Some(good))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["roles"], json!(["judge", "manager"]));
    let r = c
        .api("GET", "/api/v1/users?role=judge", Some(&token), None)
        .await;
    assert_eq!(r.json()["total"], 1);
}

async fn a_user_sees_only_their_own_account_over_the_api(app: TestApp) {
    let sara = app.user("sara", &[Role::Participant]).await;
    let reza = app.user("reza", &[Role::Participant]).await;
    let mut c = app.client();
    let token = c.token("sara").await;
    assert_eq!(
        c.api(
            "GET",
            &format!("/api/v1/users/{}", sara.id),
            Some(&token),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        c.api(
            "GET",
            &format!("/api/v1/users/{}", reza.id),
            Some(&token),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

fn code_in(sms: &str) -> String {
    hamafza_persian::digits::to_latin(sms)
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(6)
        .collect()
}

async fn a_citizen_signs_up_with_a_mobile_number_and_a_code(app: TestApp) {
    let mut c = app.client();
    let r = c.post_form("/otp", &[("mobile", "۰۹۱۲ ۳۴۵ ۶۷۸۹")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/otp/verify?mobile=09123456789"));
    let sms = app.last_sms("09123456789").expect("an SMS was sent");
    assert!(sms.contains("کد ورود"));
    let code = code_in(&sms);
    assert_eq!(code.len(), 6);
    // A new number needs a name; the code is not spent by asking for it.
    let r = c
        .post_form(
            "/otp/verify",
            &[
                ("mobile", "09123456789"),
                ("code", &code),
                ("display_name", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("این خانه را پر کنید"));
    let persian_code = hamafza_persian::digits::to_persian(&code);
    let r = c
        .post_form(
            "/otp/verify",
            &[
                ("mobile", "09123456789"),
                ("code", &persian_code),
                ("display_name", "مريم"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let u = app
        .state
        .store
        .user_by_mobile("09123456789")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (u.display_name.as_str(), u.roles.as_slice()),
        ("مریم", [Role::Participant].as_slice())
    );
    assert!(c.get("/settings").await.body.contains("مریم"));
    // The code is used up.
    let mut other = app.client();
    let r = other
        .post_form("/otp/verify", &[("mobile", "09123456789"), ("code", &code)])
        .await;
    assert!(r.body.contains("کد معتبری برای این شماره نیست"));
}

async fn a_code_allows_five_tries_and_a_resend_waits(app: TestApp) {
    let mut c = app.client();
    c.post_form("/otp", &[("mobile", "09351112233")]).await;
    let r = c.post_form("/otp", &[("mobile", "09351112233")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("دقیقهٔ دیگر"));
    assert_eq!(app.sms.lock().unwrap().len(), 1);
    let code = code_in(&app.last_sms("09351112233").unwrap());
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..5).rev() {
        let r = c
            .post_form(
                "/otp/verify",
                &[
                    ("mobile", "09351112233"),
                    ("code", wrong),
                    ("display_name", "نام"),
                ],
            )
            .await;
        assert!(
            r.body.contains(&format!(
                "{} بار دیگر",
                hamafza_persian::digits::to_persian(&left.to_string())
            )),
            "{}",
            r.body
        );
    }
    c.post_form(
        "/otp/verify",
        &[
            ("mobile", "09351112233"),
            ("code", wrong),
            ("display_name", "نام"),
        ],
    )
    .await;
    // Five wrong tries void the code, even the right one fails now.
    let r = c
        .post_form(
            "/otp/verify",
            &[
                ("mobile", "09351112233"),
                ("code", &code),
                ("display_name", "نام"),
            ],
        )
        .await;
    assert!(r.body.contains("کد معتبری برای این شماره نیست"));
    let r = c.post_form("/otp", &[("mobile", "12345")]).await;
    assert!(r.body.contains("شمارهٔ همراه ایرانی معتبر نیست"));
    assert!(r.body.contains(r#"value="12345""#));
}

async fn personal_tokens_are_made_and_revoked_on_the_settings_page(app: TestApp) {
    let (mut c, user) = app.signed_in("sara", &[Role::Participant]).await;
    let r = c.post_form("/settings/tokens", &[("name", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post_form("/settings/tokens", &[("name", "اسکریپت گزارش")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let start = r.body.find(r#"id="new-token">"#).unwrap() + r#"id="new-token">"#.len();
    let token = &r.body[start..start + r.body[start..].find('<').unwrap()];
    let mut api = app.client();
    assert_eq!(
        api.api("GET", "/api/v1/me", Some(token), None).await.status,
        StatusCode::OK
    );
    let id = app.state.store.api_tokens(user.id).await.unwrap()[0].id;
    // Someone else cannot revoke it.
    let (mut other, _) = app.signed_in("reza", &[Role::Participant]).await;
    assert_eq!(
        other
            .post_form(&format!("/settings/tokens/{id}/revoke"), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.post_form(
            &format!("/settings/tokens/{id}/revoke"),
            &[("confirm", "yes")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        api.api("GET", "/api/v1/me", Some(token), None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// A hash stored with older parameters (argon2's defaults, 19 MiB) is replaced by one with the
/// current ones when its owner signs in; the password, sessions and tokens stay as they were.
async fn an_older_password_hash_is_replaced_at_sign_in_and_nothing_else_changes(app: TestApp) {
    use argon2::PasswordHasher;
    let sara = app.user("sara", &[Role::Participant]).await;
    let salt =
        argon2::password_hash::SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let old = argon2::Argon2::default()
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    app.state
        .store
        .set_password_many(&[sara.id], &old)
        .await
        .unwrap();
    let mut api = app.client();
    let first = api.token("sara").await;
    let (_, stored) = app.state.store.credentials("sara").await.unwrap().unwrap();
    let stored = stored.unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
        "{stored}"
    );
    // The same password signs in again, and the token made before the upgrade still works.
    let second = api.token("sara").await;
    for t in [&first, &second] {
        assert_eq!(
            api.api("GET", "/api/v1/me", Some(t), None).await.status,
            StatusCode::OK
        );
    }
    let (_, again) = app.state.store.credentials("sara").await.unwrap().unwrap();
    assert_eq!(again.unwrap(), stored, "a current hash is left alone");
}

async fn changing_the_password_ends_other_sessions_and_revokes_every_token(app: TestApp) {
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let mut api = app.client();
    let token = api.token("sara").await;
    assert_eq!(
        api.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::OK
    );
    let mut b = app.client();
    b.post_form("/login", &[("username", "sara"), ("password", PASSWORD)])
        .await;
    let r = a
        .post_form(
            "/settings/password",
            &[
                ("current", "wrong"),
                ("new", "a brand new password"),
                ("confirm", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r#"id="current-error""#));
    let r = a
        .post_form(
            "/settings/password",
            &[
                ("current", PASSWORD),
                ("new", "a brand new password"),
                ("confirm", "different"),
            ],
        )
        .await;
    assert!(r.body.contains("دو گذرواژه یکسان نیستند"));
    let r = a
        .post_form(
            "/settings/password",
            &[
                ("current", PASSWORD),
                ("new", "a brand new password"),
                ("confirm", "a brand new password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("گذرواژه تغییر کرد"));
    assert_eq!(
        a.get("/settings").await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        b.get("/settings").await.status,
        StatusCode::SEE_OTHER,
        "the other one ends"
    );
    assert_eq!(
        api.api("GET", "/api/v1/me", Some(&token), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "a token made with the old password is revoked"
    );
    assert!(r.body.contains("توکن‌های API شما باطل شدند"));
}

/// The handles of the sessions listed on a settings page, from their "end" forms.
fn session_handles(body: &str) -> Vec<String> {
    body.split("/settings/sessions/")
        .skip(1)
        .filter_map(|rest| rest.split_once("/end\""))
        .map(|(h, _)| h.to_string())
        .collect()
}

async fn a_person_sees_and_ends_their_sessions_on_the_page_and_over_the_api(app: TestApp) {
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let mut b = app.client().with_header("user-agent", firefox);
    let r = b
        .post_form("/login", &[("username", "sara"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (mut other, _) = app.signed_in("reza", &[Role::Participant]).await;

    let page = a.get("/settings").await;
    assert!(page.body.contains("Firefox · Linux"), "{}", page.body);
    assert!(page.body.contains("همین دستگاه"));
    // Only the other session has an "end" button; this one is marked instead.
    let handles = session_handles(&page.body);
    assert_eq!(handles.len(), 1, "{handles:?}");
    let theirs = session_handles(&other.get("/settings").await.body);
    assert!(theirs.is_empty());

    // Someone else's session, or a made-up handle, is not found; both sessions live on.
    let mut reza_api = app.client();
    let reza = reza_api.token("reza").await;
    let r = reza_api
        .api(
            "DELETE",
            &format!("/api/v1/auth/sessions/{}", handles[0]),
            Some(&reza),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .post_form(&format!("/settings/sessions/{}/end", handles[0]), &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(b.get("/settings").await.status, StatusCode::OK);

    // Over the API sara sees both, with the device.
    let mut api = app.client();
    let token = api.token("sara").await;
    let listed = api
        .api("GET", "/api/v1/auth/sessions", Some(&token), None)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    let listed = listed.json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(listed.to_string().contains("Firefox · Linux"));

    // She ends the Firefox session from the page.
    let end = format!("/settings/sessions/{}/end", handles[0]);
    let r = a.post_form(&end, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "asks first");
    assert!(r.body.contains("Firefox · Linux"), "{}", r.body);
    assert_eq!(b.get("/settings").await.status, StatusCode::OK);
    let r = a.post_form(&end, &[("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(b.get("/settings").await.status, StatusCode::SEE_OTHER);
    assert!(a.get(r.location()).await.body.contains("نشست بسته شد"));

    // Sign in again twice; "end all others" keeps only this one.
    for _ in 0..2 {
        app.client()
            .post_form("/login", &[("username", "sara"), ("password", PASSWORD)])
            .await;
    }
    assert_eq!(session_handles(&a.get("/settings").await.body).len(), 2);
    let r = a.post_form("/settings/sessions/end-others", &[]).await;
    assert_eq!(r.status, StatusCode::OK, "asks first");
    assert!(r.body.contains("۲ نشست دیگر بسته می‌شود"), "{}", r.body);
    assert_eq!(session_handles(&a.get("/settings").await.body).len(), 2);
    let r = a
        .post_form("/settings/sessions/end-others", &[("confirm", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = a.get(r.location()).await;
    assert!(session_handles(&page.body).is_empty());
    assert!(page.body.contains("نشست‌های دیگر بسته شدند"));
    let listed = api
        .api("GET", "/api/v1/auth/sessions", Some(&token), None)
        .await;
    assert_eq!(listed.json().as_array().unwrap().len(), 1);
    let tokens = api
        .api("GET", "/api/v1/auth/tokens", Some(&token), None)
        .await;
    assert_eq!(tokens.json()[0]["live"], true);
    assert!(tokens.json()[0].get("token_hash").is_none());
}

async fn token_names_and_the_number_of_live_tokens_are_bounded(app: TestApp) {
    use hamafza_core::limits::LIVE_TOKENS_MAX;
    let (mut c, user) = app.signed_in("sara", &[Role::Participant]).await;
    let mut api = app.client();
    let huge = "ن".repeat(100_000);
    for name in [huge.as_str(), &"a".repeat(61), "\u{200c}\u{200c} "] {
        let r = api
            .api(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(json!({ "username": "sara", "password": PASSWORD, "name": name })),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "name", "{}", r.body);
    }
    assert!(
        app.state
            .store
            .api_tokens(user.id)
            .await
            .unwrap()
            .is_empty()
    );
    let r = c
        .post_form("/settings/tokens", &[("name", &"a".repeat(61))])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    for _ in 0..LIVE_TOKENS_MAX {
        api.token("sara").await;
    }
    let r = api
        .api(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(json!({ "username": "sara", "password": PASSWORD })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.json()["type"].as_str().unwrap().ends_with("too-many"),
        "{}",
        r.body
    );
    assert!(
        r.json()["detail"].as_str().unwrap().contains("۲۰"),
        "{}",
        r.body
    );
    let r = c
        .post_form("/settings/tokens", &[("name", "یکی دیگر")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("۲۰ توکن فعال"), "{}", r.body);
    assert!(r.body.contains(r#"value="یکی دیگر""#));
    // Revoking one makes room for one.
    let id = app.state.store.api_tokens(user.id).await.unwrap()[0].id;
    c.post_form(
        &format!("/settings/tokens/{id}/revoke"),
        &[("confirm", "yes")],
    )
    .await;
    api.token("sara").await;
}

async fn the_admin_adds_an_org_unit_under_the_right_parent(app: TestApp) {
    let store = &app.state.store;
    let hq = store
        .create_org_unit(
            &hamafza_store::org_units::NewOrgUnit {
                parent_id: None,
                kind: hamafza_core::OrgUnitKind::Hq,
                code: "hq".into(),
                name_fa: "ستاد".into(),
                name_en: "HQ".into(),
                province_code: None,
            },
            None,
        )
        .await
        .unwrap();
    let (mut c, _) = app.signed_in("boss", &[Role::Admin]).await;
    let hq_id = hq.id.to_string();
    // A branch cannot hang under HQ.
    let r = c
        .post_form(
            "/admin/units",
            &[
                ("kind", "branch"),
                ("parent_id", &hq_id),
                ("code", "qom-1"),
                ("name_fa", "شعبه ۱ قم"),
                ("name_en", "Qom 1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(r#"value="qom-1""#));
    let r = c
        .post_form(
            "/admin/units",
            &[
                ("kind", "province"),
                ("parent_id", &hq_id),
                ("code", "prov-qom"),
                ("name_fa", "اداره کل قم"),
                ("name_en", "Qom"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c.get("/admin/units").await;
    assert!(r.body.contains("اداره کل قم"));
    let r = c.api("GET", "/api/v1/org-units", None, None).await;
    assert_eq!(r.json().as_array().unwrap().len(), 2);
}

async fn the_audit_page_verifies_the_chain(app: TestApp) {
    let (mut c, boss) = app.signed_in("boss", &[Role::Admin]).await;
    let r = c.get("/admin/audit").await;
    // Actions by name, actors by name, subjects by kind with a link; no stored keys on show.
    assert!(r.body.contains("ساخت حساب"), "{}", r.body);
    assert!(r.body.contains("ورود به سامانه"));
    assert!(!r.body.contains("user.create") && !r.body.contains("auth.login"));
    assert!(r.body.contains(&format!(
        r#"<a href="/admin/users/{}"><bdi>کاربر boss</bdi></a>"#,
        boss.id
    )));
    assert!(
        r.body.contains("سامانه"),
        "the account made without an actor"
    );
    assert!(r.body.contains(&format!(
        r#"کاربر <a href="/admin/users/{0}"><bdi dir="ltr">{0}</bdi></a>"#,
        boss.id
    )));
    let r = c.post_form("/admin/audit/verify", &[]).await;
    assert!(r.body.contains("زنجیره سالم است"), "{}", r.body);
    app.state.store.tamper_audit_entry(1, "{}").await;
    let r = c.post_form("/admin/audit/verify", &[]).await;
    assert!(r.body.contains("زنجیره گسسته است"));
}

async fn the_openapi_document_describes_the_api(app: TestApp) {
    let mut c = app.client();
    let r = c.get("/api/v1/openapi.json").await;
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/org-units",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    // The document is made from the routes: every API route is in it, nothing else is.
    let served: std::collections::BTreeSet<String> = routes::table()
        .into_iter()
        .filter(|r| r.api && r.path != "/openapi.json" && r.path != "/api/docs")
        .map(|r| format!("{} /api/v1{}", r.method, r.path))
        .collect();
    let described: std::collections::BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| format!("{m} {path}"))
        })
        .collect();
    assert_eq!(served, described);
    // Query parameters are in the query, path parameters in the path.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let want = if path.contains(&format!("{{{name}}}")) {
                    "path"
                } else if name.starts_with(char::is_uppercase) {
                    "header"
                } else {
                    "query"
                };
                assert_eq!(p["in"], want, "{method} {path}: {name}");
            }
        }
    }
    let export = &doc["paths"]["/api/v1/calls/{id}/export"]["get"]["responses"]["200"]["content"];
    assert!(export["text/csv"].is_object(), "{export}");
    assert_eq!(c.get("/api/docs").await.status, StatusCode::OK);
    assert_eq!(
        c.get("/assets/swagger-ui-bundle.js").await.status,
        StatusCode::OK
    );
    assert_eq!(
        c.get("/assets/vazirmatn.woff2")
            .await
            .header("content-type"),
        "font/woff2"
    );
}

/// A unique violation no handler turns into a field error is a 409 saying the thing changed,
/// not a 500: here a citizen signs up by code with a number a staff account already uses as its
/// username.
async fn a_store_conflict_no_handler_expects_is_a_409_not_a_500(app: TestApp) {
    app.user("09121112233", &[Role::Secretariat]).await;
    let mut c = app.client();
    let r = c.post_form("/otp", &[("mobile", "09121112233")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = code_in(&app.last_sms("09121112233").unwrap());
    let r = c
        .post_form(
            "/otp/verify",
            &[
                ("mobile", "09121112233"),
                ("code", &code),
                ("display_name", "مریم"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("در این فاصله تغییر کرده است"), "{}", r.body);
}

/// Fourteen wrong passwords sent at once: each is counted before its password is checked, so
/// only the first five are checked (401) and the rest are refused (429); the right password sent
/// while they are still being checked is refused too.
async fn parallel_wrong_passwords_are_counted_before_they_are_checked(app: TestApp) {
    app.user("sara", &[Role::Participant]).await;
    let attempt = |password: &'static str, delay_ms: u64| {
        let mut c = app.client();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            c.api(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "sara", "password": password})),
            )
            .await
            .status
        })
    };
    let wrong: Vec<_> = (0..14).map(|_| attempt("wrong password", 0)).collect();
    let right = attempt(PASSWORD, 300);
    let mut statuses = Vec::new();
    for t in wrong {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 9), "{statuses:?}");
    assert_eq!(right.await.unwrap(), StatusCode::TOO_MANY_REQUESTS);
}

/// Twelve wrong guesses of a one-time code at once take its five tries and no more: four say
/// how many are left, the fifth and the rest find the code void, and so does the right code.
async fn parallel_guesses_take_no_more_than_a_codes_five_tries(app: TestApp) {
    let mut c = app.client();
    c.post_form("/otp", &[("mobile", "09351112233")]).await;
    let code = code_in(&app.last_sms("09351112233").unwrap());
    let wrong = if code == "000000" { "111111" } else { "000000" };
    c.csrf().await;
    let guesses: Vec<_> = (0..12)
        .map(|_| {
            let mut c = c.clone();
            tokio::spawn(async move {
                c.post_form(
                    "/otp/verify",
                    &[
                        ("mobile", "09351112233"),
                        ("code", wrong),
                        ("display_name", "نام"),
                    ],
                )
                .await
                .body
            })
        })
        .collect();
    let mut left = Vec::new();
    for g in guesses {
        let body = g.await.unwrap();
        if let Some(n) = (1..5).find(|n| {
            body.contains(&format!(
                "{} بار دیگر",
                hamafza_persian::digits::to_persian(&n.to_string())
            ))
        }) {
            left.push(n);
        } else {
            assert!(body.contains("کد معتبری برای این شماره نیست"), "{body}");
        }
    }
    left.sort();
    assert_eq!(left, [1, 2, 3, 4]);
    let stored = app.state.store.otp("09351112233").await.unwrap().unwrap();
    assert_eq!(stored.attempts, 5);
    let r = c
        .post_form(
            "/otp/verify",
            &[
                ("mobile", "09351112233"),
                ("code", &code),
                ("display_name", "نام"),
            ],
        )
        .await;
    assert!(r.body.contains("کد معتبری برای این شماره نیست"));
}

/// `next` (after switching the language or signing in) only ever leads to a path of this site;
/// a tab, a newline or a backslash that a browser would read as another host ends at `/`, and
/// nothing is a 500.
async fn a_next_parameter_never_leaves_the_site(app: TestApp) {
    let bad = [
        "/%09/evil.example/x",
        "/%0d/x",
        "/%0a/x",
        "//evil.example/x",
        "/%5Cevil.example",
        "/.//evil.example",
        "https://evil.example/",
    ];
    let mut c = app.client();
    for next in bad {
        let r = c.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/"),
            "{next}"
        );
    }
    let r = c.get("/lang/fa?next=/calls%3Fpage%3D2").await;
    assert_eq!(r.location(), "/calls?page=2");
    assert!(
        r.header("strict-transport-security").is_empty(),
        "not without HTTPS"
    );
    app.user("sara", &[Role::Participant]).await;
    for next in bad {
        let mut c = app.client();
        let next = next
            .replace("%09", "\t")
            .replace("%0d", "\r")
            .replace("%0a", "\n")
            .replace("%5C", "\\");
        let r = c
            .post_form(
                "/login",
                &[
                    ("username", "sara"),
                    ("password", PASSWORD),
                    ("next", &next),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/"),
            "{next:?}"
        );
        // Signed in already: the sign-in page sends the visitor on to `next`.
        let r = c
            .get(&format!(
                "/login?next={}",
                hamafza_web::http::error::urlencode(&next)
            ))
            .await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/"),
            "{next:?}"
        );
    }
}

/// Served over HTTPS (`secure_cookies`): HSTS, every cookie `Secure` (the language too), a new
/// CSRF cookie at sign-in, and `no-store` on pages, personal pages and API answers (only static
/// assets may be cached).
async fn behind_https_cookies_are_secure_and_nothing_personal_is_stored(app: TestApp) {
    let app = app.configured(|c| c.secure_cookies = true);
    app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    let r = c.get("/login").await;
    assert_eq!(r.header("strict-transport-security"), "max-age=31536000");
    assert_eq!(r.header("cache-control"), "no-store");
    let cookies = |r: &hamafza_web::testing::TestResponse| -> Vec<String> {
        r.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    };
    assert!(
        cookies(&r).iter().all(|c| c.contains("; Secure")),
        "{:?}",
        cookies(&r)
    );
    let r = c.get("/lang/en?next=/login").await;
    let lang = cookies(&r);
    assert!(lang.iter().any(|c| c.starts_with("hz_lang=en")), "{lang:?}");
    assert!(lang.iter().all(|c| c.contains("; Secure")), "{lang:?}");
    let before = c.cookie("hz_csrf").cloned().unwrap();
    let r = c
        .post_form("/login", &[("username", "sara"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        cookies(&r).iter().all(|c| c.contains("; Secure")),
        "{:?}",
        cookies(&r)
    );
    assert_ne!(
        c.cookie("hz_csrf").unwrap(),
        &before,
        "a new CSRF cookie at sign-in"
    );
    // The new cookie works: a form posted with it goes through.
    let r = c.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (mut p, _) = app.signed_in("reza", &[Role::Participant]).await;
    let r = p.get("/my/ideas").await;
    assert_eq!(
        (r.status, r.header("cache-control")),
        (StatusCode::OK, "no-store")
    );
    let token = p.token("reza").await;
    let r = p.api("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(
        (r.status, r.header("cache-control")),
        (StatusCode::OK, "no-store")
    );
    let r = p.api("GET", "/api/v1/me", Some("wrong"), None).await;
    assert_eq!(r.header("cache-control"), "no-store");
    assert!(!r.header("strict-transport-security").is_empty());
    let r = p.get("/assets/app.css").await;
    assert_eq!(r.header("cache-control"), "public, max-age=86400");
}

/// The OpenAPI document is valid by a validator that is not utoipa's (PyPI's
/// `openapi-spec-validator`, which `.ci/run` installs; elsewhere the test says how to get it).
#[test]
fn the_openapi_document_passes_an_independent_validator() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let doc = serde_json::to_string_pretty(&hamafza_web::api::openapi()).unwrap();
    let path = std::env::temp_dir().join(format!("hamafza-openapi-{}.json", std::process::id()));
    std::fs::write(&path, doc).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-m", "openapi_spec_validator", "--errors", "all"])
        .arg(&path)
        .output();
    let _ = std::fs::remove_file(&path);
    let missing = "skipped: `python3 -m pip install openapi-spec-validator` to run this test";
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) if !ci && String::from_utf8_lossy(&o.stderr).contains("No module named") => {
            eprintln!("{missing}");
        }
        Err(_) if !ci => eprintln!("{missing}"),
        Ok(o) => panic!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("python3: {e}"),
    }
}

/// The part of a page between `<main …>` and `</main>`, with the per-request CSRF token blanked.
fn main_of(body: &str) -> String {
    let start = body.find("<main").expect("a <main>");
    let end = body.find("</main>").expect("a </main>") + "</main>".len();
    let main = &body[start..end];
    match main.find(r#"name="csrf" value=""#) {
        Some(i) => {
            let v = i + r#"name="csrf" value=""#.len();
            let close = v + main[v..].find('"').unwrap();
            format!("{}[csrf]{}", &main[..v], &main[close..])
        }
        None => main.to_string(),
    }
}

/// Snapshots of what clients depend on: the whole OpenAPI document, the problem documents of
/// each kind of error, and the HTML of the sign-in form and the 404 page. A change to any of
/// them shows up in review as a diff of `tests/snapshots/` (`cargo insta review`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_of_the_api_document_problems_and_key_pages() {
    let app = TestApp::new(hamafza_store::testing::sqlite().await).await;
    insta::assert_json_snapshot!("openapi", hamafza_web::api::openapi());

    app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    let token = c.token("sara").await;
    let mut problems = serde_json::Map::new();
    for (name, method, path, auth, body) in [
        ("not_found", "GET", "/api/v1/calls/nope", true, None),
        ("unauthorized", "GET", "/api/v1/me", false, None),
        ("forbidden", "GET", "/api/v1/users", true, None),
        (
            "bad_credentials",
            "POST",
            "/api/v1/auth/token",
            false,
            Some(json!({ "username": "sara", "password": "wrong" })),
        ),
        (
            "validation",
            "POST",
            "/api/v1/auth/token",
            false,
            Some(json!({ "username": "sara", "password": "x", "name": "" })),
        ),
        (
            "bad_request",
            "POST",
            "/api/v1/notifications/read",
            true,
            Some(json!([1])),
        ),
    ] {
        let r = c
            .api(method, path, auth.then_some(token.as_str()), body)
            .await;
        assert_eq!(
            r.header("content-type"),
            "application/problem+json",
            "{name}"
        );
        problems.insert(name.into(), r.json());
    }
    insta::assert_json_snapshot!("problems", problems);

    let mut c = app.client();
    insta::assert_snapshot!("login_form", main_of(&c.get("/login").await.body));
    let r = c
        .post_form("/login", &[("username", "sara"), ("password", "")])
        .await;
    insta::assert_snapshot!("login_form_with_errors", main_of(&r.body));
    insta::assert_snapshot!(
        "not_found_page",
        main_of(&c.get("/no/such/page").await.body)
    );
}
