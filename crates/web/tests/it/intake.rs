//! Participant intake through pages and the API, on both databases: attachments, teams, drafts
//! and similar ideas.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hamafza_core::Role;
use hamafza_core::call::Call;
use hamafza_core::call::{Audience, StageKind};
use hamafza_core::ids::UserId;
use hamafza_web::testing::fixtures::{self};
use hamafza_web::testing::{Client, TestApp};
use hamafza_web::web_tests;
use serde_json::json;
use tower::ServiceExt;

web_tests!(
    a_pdf_named_file_with_png_bytes_is_stored_as_png_and_an_exe_is_refused,
    a_file_is_named_for_its_content_without_direction_controls,
    a_file_over_the_limit_is_refused_and_the_text_kept,
    only_the_team_and_the_secretariat_download,
    the_api_attaches_lists_downloads_and_deletes,
    a_team_is_invited_accepts_and_the_lead_is_handed_over,
    an_unknown_teammate_is_a_persian_error_and_no_idea_is_made,
    a_draft_is_saved_restored_and_deleted_by_the_submission,
    similar_ideas_show_titles_never_authors,
);

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";

async fn call(app: &TestApp) -> Call {
    fixtures::published_call(
        app,
        "فراخوان آزمایشی",
        Audience::Both,
        &["خدمات غیرحضوری", "مستمری‌بگیران"],
        &[(StageKind::Submission, -1, 10)],
    )
    .await
}

fn fields(call: &Call, title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("axis", call.axes[0].id.to_string()),
        ("title", title.into()),
        (
            "problem",
            "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.".into(),
        ),
        (
            "solution",
            "پس از هر تغییر وضعیت پرونده، پیامکی با کد رهگیری فرستاده شود.".into(),
        ),
    ]
}

/// A multipart body with `fields` and `files` (field `attachments`).
fn multipart(fields: &[(&str, String)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let b = "----hamafza-intake-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

async fn post_multipart(
    c: &mut Client,
    url: &str,
    mut f: Vec<(&'static str, String)>,
    files: &[(&str, &[u8])],
) -> hamafza_web::testing::TestResponse {
    f.push(("csrf", c.csrf().await));
    let (ct, body) = multipart(&f, files);
    let req = Request::post(url)
        .header("content-type", ct)
        .body(Body::from(body))
        .unwrap();
    c.send(req).await
}

/// The raw bytes of a download, by API token (the test client keeps bodies as text).
async fn api_bytes(
    app: &TestApp,
    token: &str,
    url: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::get(url)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, bytes.to_vec())
}

async fn only_idea(app: &TestApp, call: &Call) -> hamafza_core::idea::Idea {
    let (list, n) = app.state.store.ideas_of_call(call.id, 0, 10).await.unwrap();
    assert_eq!(n, 1);
    list.into_iter().next().unwrap()
}

async fn a_pdf_named_file_with_png_bytes_is_stored_as_png_and_an_exe_is_refused(app: TestApp) {
    let c = call(&app).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let url = format!("/calls/{}/submit", c.public_id);
    let r = post_multipart(
        &mut p,
        &url,
        fields(&c, "پیامک وضعیت پرونده"),
        &[("setup.pdf", EXE)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("«\u{2068}setup.pdf\u{2069}»: نوع این پرونده پذیرفته نیست"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("دوباره برگزینید"),
        "says files must be chosen again"
    );
    assert!(r.body.contains("پیامک وضعیت پرونده"), "the title is kept");
    assert_eq!(
        app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().1,
        0,
        "no idea without its files"
    );
    let r = post_multipart(
        &mut p,
        &url,
        fields(&c, "پیامک وضعیت پرونده"),
        &[("طرح.pdf", PNG)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let idea = only_idea(&app, &c).await;
    let a = app.state.store.attachments(idea.id).await.unwrap();
    assert_eq!(
        (a[0].name.as_str(), a[0].mime.as_str()),
        ("طرح.png", "image/png")
    );
    let page = p.get(&format!("/ideas/{}", idea.public_id)).await;
    assert!(page.body.contains("طرح.png"));
    let dl = p
        .get(&format!(
            "/ideas/{}/attachments/{}",
            idea.public_id, a[0].public_id
        ))
        .await;
    assert_eq!(dl.status, StatusCode::OK);
    assert_eq!(dl.header("content-type"), "image/png");
    assert_eq!(dl.header("x-content-type-options"), "nosniff");
    assert!(dl.header("content-disposition").starts_with("attachment;"));
    assert!(
        dl.header("content-disposition")
            .contains("filename*=UTF-8''%D8%B7%D8%B1%D8%AD.png")
    );
}

const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n";

/// Issue 14: a PDF uploaded as `plan.hta` kept that name, and `invoice<U+202E>fdp.hta` showed as
/// "invoiceath.pdf".
async fn a_file_is_named_for_its_content_without_direction_controls(app: TestApp) {
    let c = call(&app).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let url = format!("/calls/{}/submit", c.public_id);
    let r = post_multipart(
        &mut p,
        &url,
        fields(&c, "پیامک وضعیت پرونده"),
        &[
            ("plan.hta", PDF),
            ("invoice\u{202E}fdp.html", PDF),
            ("logo.svg", PNG),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let idea = only_idea(&app, &c).await;
    let names: Vec<String> = app
        .state
        .store
        .attachments(idea.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["plan.pdf", "invoicefdp.pdf", "logo.png"]);
    // Over the API, the name from X-Filename; and a row stored before this rule is shown and
    // downloaded under its content's name too.
    let token = p.token("sara").await;
    let req = Request::post(format!("/api/v1/ideas/{}/attachments", idea.public_id))
        .header("authorization", format!("Bearer {token}"))
        .header("x-filename", "setup%E2%80%AEfdp.exe")
        .body(Body::from(PDF))
        .unwrap();
    let r = p.send(req).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()[0]["name"], "setupfdp.pdf");
    let old = app
        .state
        .store
        .add_attachments(
            idea.id,
            &idea.public_id,
            &[hamafza_store::attachments::NewAttachment {
                name: "old\u{202E}lmth.hta".into(),
                mime: "application/pdf".into(),
                bytes: b"%PDF-1.4 old".to_vec(),
            }],
            None,
        )
        .await
        .unwrap();
    let list = p
        .api(
            "GET",
            &format!("/api/v1/ideas/{}/attachments", idea.public_id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(list.json()[4]["name"], "oldlmth.pdf", "{}", list.body);
    let page = p.get(&format!("/ideas/{}", idea.public_id)).await;
    assert!(page.body.contains("oldlmth.pdf") && !page.body.contains('\u{202E}'));
    let (_, h, _) = api_bytes(
        &app,
        &token,
        &format!(
            "/api/v1/ideas/{}/attachments/{}",
            idea.public_id, old[0].public_id
        ),
    )
    .await;
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"oldlmth.pdf\"; filename*=UTF-8''oldlmth.pdf"
    );
}

async fn a_file_over_the_limit_is_refused_and_the_text_kept(app: TestApp) {
    let c = call(&app).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(app.state.config.max_upload_mb * 1024 * 1024 + 1, b'x');
    let url = format!("/calls/{}/submit", c.public_id);
    let r = post_multipart(&mut p, &url, fields(&c, "ایدهٔ پرحجم"), &[("big.pdf", &big)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("بزرگ‌تر از ۱۰ مگابایت"), "{}", r.body);
    assert!(r.body.contains("ایدهٔ پرحجم"));
    assert_eq!(
        app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().1,
        0
    );
}

async fn only_the_team_and_the_secretariat_download(app: TestApp) {
    let c = call(&app).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let (mut other, _) = app.signed_in("omid", &[Role::Participant]).await;
    let (mut dabir, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let r = post_multipart(
        &mut p,
        &format!("/calls/{}/submit", c.public_id),
        fields(&c, "ایدهٔ خصوصی"),
        &[("a.pdf", b"%PDF-1.4 secret")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let idea = only_idea(&app, &c).await;
    let a = &app.state.store.attachments(idea.id).await.unwrap()[0];
    let url = format!("/ideas/{}/attachments/{}", idea.public_id, a.public_id);
    assert_eq!(other.get(&url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other
            .get(&format!("/ideas/{}", idea.public_id))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(dabir.get(&url).await.status, StatusCode::OK);
    let token = other.token("omid").await;
    let (s, _, _) = api_bytes(&app, &token, &format!("/api/v1{url}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Once omid joins the team, he may.
    let r = p
        .post_form(
            &format!("/ideas/{}/team", idea.public_id),
            &[("invitee", "omid")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        other.get(&url).await.status,
        StatusCode::NOT_FOUND,
        "an invitation is not enough"
    );
    let r = other
        .post_form(
            &format!("/ideas/{}/invitation", idea.public_id),
            &[("answer", "accept")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(other.get(&url).await.status, StatusCode::OK);
    let (s, _, bytes) = api_bytes(&app, &token, &format!("/api/v1{url}")).await;
    assert_eq!(
        (s, bytes.as_slice()),
        (StatusCode::OK, &b"%PDF-1.4 secret"[..])
    );
    // The author removes the file: asked first, naming it; removed on the answer.
    let delete = format!("{url}/delete");
    let r = p.post_form(&delete, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("این فایل حذف شود؟") && r.body.contains("a.pdf"),
        "{}",
        r.body
    );
    assert_eq!(app.state.store.attachments(idea.id).await.unwrap().len(), 1);
    let r = p.post_form(&delete, &[("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        app.state
            .store
            .attachments(idea.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn the_api_attaches_lists_downloads_and_deletes(app: TestApp) {
    let c = call(&app).await;
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
    let id = r.json()["id"].as_str().unwrap().to_string();
    let upload = |bytes: &'static [u8], name: &str| {
        Request::post(format!("/api/v1/ideas/{id}/attachments"))
            .header("authorization", format!("Bearer {token}"))
            .header("x-filename", name)
            .body(Body::from(bytes))
            .unwrap()
    };
    let r = p.send(upload(PNG, "%D8%B7%D8%B1%D8%AD.pdf")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let a = &r.json()[0];
    assert_eq!(
        (a["name"].as_str(), a["mime"].as_str()),
        (Some("طرح.png"), Some("image/png"))
    );
    let aid = a["id"].as_str().unwrap().to_string();
    let r = p.send(upload(EXE, "x.exe")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.header("content-type"), "application/problem+json");
    assert!(r.body.contains("نوع این پرونده پذیرفته نیست"), "{}", r.body);
    let list = p
        .api(
            "GET",
            &format!("/api/v1/ideas/{id}/attachments"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    let (s, h, bytes) = api_bytes(
        &app,
        &token,
        &format!("/api/v1/ideas/{id}/attachments/{aid}"),
    )
    .await;
    assert_eq!((s, bytes.as_slice()), (StatusCode::OK, PNG));
    assert_eq!(h["content-type"], "image/png");
    let r = p
        .api(
            "DELETE",
            &format!("/api/v1/ideas/{id}/attachments/{aid}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let list = p
        .api(
            "GET",
            &format!("/api/v1/ideas/{id}/attachments"),
            Some(&token),
            None,
        )
        .await;
    assert!(list.json().as_array().unwrap().is_empty());
}

async fn a_team_is_invited_accepts_and_the_lead_is_handed_over(app: TestApp) {
    let c = call(&app).await;
    let (mut p, sara) = app.signed_in("sara", &[Role::Participant]).await;
    let (mut ali, ali_user) = app.signed_in("ali", &[Role::Participant]).await;
    let (mut reza, reza_user) = app.signed_in("reza", &[Role::Participant]).await;
    let mut f = fields(&c, "ایدهٔ تیمی");
    f.push(("team", "ALI\n".into()));
    let r = post_multipart(&mut p, &format!("/calls/{}/submit", c.public_id), f, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let idea = only_idea(&app, &c).await;
    let mine = ali.get("/my/ideas").await;
    assert!(
        mine.body.contains("ایدهٔ تیمی") && mine.body.contains("دعوت‌های من"),
        "{}",
        mine.body
    );
    let r = ali
        .post_form(
            &format!("/ideas/{}/invitation", idea.public_id),
            &[("answer", "accept")],
        )
        .await;
    assert_eq!(r.location(), format!("/ideas/{}", idea.public_id));
    let page = ali.get(&format!("/ideas/{}", idea.public_id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("سرگروه") && page.body.contains("کاربر sara"));
    assert!(
        !page
            .body
            .contains(&format!("/ideas/{}/edit", idea.public_id)),
        "only the lead edits"
    );
    assert!(
        ali.get(&format!("/ideas/{}/edit", idea.public_id))
            .await
            .body
            .contains("فقط نویسندهٔ ایده"),
        "a teammate's edit page says only the author edits"
    );
    // The API: invite reza, who declines.
    let token = p.token("sara").await;
    let r = p
        .api(
            "POST",
            &format!("/api/v1/ideas/{}/team", idea.public_id),
            Some(&token),
            Some(json!({ "user": "reza" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let rt = reza.token("reza").await;
    let r = reza
        .api(
            "POST",
            &format!(
                "/api/v1/ideas/{}/team/{}/decline",
                idea.public_id, reza_user.id
            ),
            Some(&rt),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = reza
        .api(
            "POST",
            &format!(
                "/api/v1/ideas/{}/team/{}/accept",
                idea.public_id, reza_user.id
            ),
            Some(&rt),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "no invitation left");
    // Hand the lead to ali (after a question naming him); then he edits and sara no longer can.
    let lead = format!("/ideas/{}/team/{}/lead", idea.public_id, ali_user.id);
    let r = p.post_form(&lead, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("سرپرستی تیم به") && r.body.contains("کاربر ali"),
        "{}",
        r.body
    );
    assert_eq!(
        app.state.store.idea(idea.id).await.unwrap().author_id,
        Some(sara.id),
        "nothing before the answer"
    );
    let r = p.post_form(&lead, &[("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.state.store.idea(idea.id).await.unwrap().author_id,
        Some(ali_user.id)
    );
    let team = p
        .api(
            "GET",
            &format!("/api/v1/ideas/{}/team", idea.public_id),
            Some(&token),
            None,
        )
        .await;
    let states: Vec<(UserId, String)> = team
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                UserId::new(m["user_id"].as_i64().unwrap()),
                m["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (ali_user.id, "lead".to_string()),
            (sara.id, "accepted".to_string())
        ]
    );
    let remove = format!("/ideas/{}/team/{}/remove", idea.public_id, sara.id);
    let r = ali.post_form(&remove, &[]).await;
    assert!(
        r.body.contains("از تیم برداشته شود؟"),
        "asks first: {}",
        r.body
    );
    let r = ali.post_form(&remove, &[("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        p.get(&format!("/ideas/{}", idea.public_id)).await.status,
        StatusCode::NOT_FOUND
    );
    let actions: Vec<String> = app
        .state
        .store
        .audit_for("idea", &idea.public_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "idea.submit",
            "team.invite",
            "team.accept",
            "team.invite",
            "team.decline",
            "team.lead",
            "team.remove"
        ]
    );
}

async fn an_unknown_teammate_is_a_persian_error_and_no_idea_is_made(app: TestApp) {
    let c = call(&app).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let mut f = fields(&c, "ایدهٔ با هم‌تیمی ناشناس");
    f.push(("team", "nobody\n۰۹۱۲۱۲۳۴۵۶۷".into()));
    let r = post_multipart(&mut p, &format!("/calls/{}/submit", c.public_id), f, &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("«\u{2068}nobody\u{2069}»: کاربری با این نام کاربری یا شمارهٔ همراه نیست"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("«\u{2068}۰۹۱۲۱۲۳۴۵۶۷\u{2069}»") || r.body.contains("09121234567"),
        "{}",
        r.body
    );
    assert!(r.body.contains("ایدهٔ با هم‌تیمی ناشناس"));
    assert_eq!(
        app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().1,
        0
    );
    // A mobile number in Persian digits finds the account.
    let mut new = hamafza_store::users::NewUser {
        username: "maryam".into(),
        display_name: "مریم".into(),
        password_hash: None,
        national_id: None,
        mobile: Some("09121234567".into()),
        org_unit_id: None,
        roles: vec![Role::Participant],
    };
    let maryam = app.state.store.create_user(&new, None).await.unwrap();
    new.username = "x".into();
    let mut f = fields(&c, "ایدهٔ با هم‌تیمی");
    f.push(("team", "۰۹۱۲۱۲۳۴۵۶۷".into()));
    let r = post_multipart(&mut p, &format!("/calls/{}/submit", c.public_id), f, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let idea = only_idea(&app, &c).await;
    assert!(
        app.state
            .store
            .is_invited(idea.id, maryam.id)
            .await
            .unwrap()
    );
    let token = p.token("sara").await;
    let r = p
        .api(
            "POST",
            &format!("/api/v1/ideas/{}/team", idea.public_id),
            Some(&token),
            Some(json!({ "user": "ghost" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("کاربری با این نام کاربری"), "{}", r.body);
}

async fn a_draft_is_saved_restored_and_deleted_by_the_submission(app: TestApp) {
    let c = call(&app).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    let url = format!("/calls/{}/submit", c.public_id);
    // Without JavaScript: the "save draft" button.
    let mut f = fields(&c, "پیش‌نویس من");
    f.push(("save_draft", "1".into()));
    let r = post_multipart(&mut p, &url, f, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("پیش‌نویس ذخیره شد"));
    // The autosave script's endpoint.
    let r = p
        .post_form(
            &format!("/calls/{}/draft", c.public_id),
            &[("title", "پیش‌نویس خودکار"), ("problem", "مسئله")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("پیش‌نویس ذخیره شد: ۱۴"),
        "{}",
        r.body
    );
    let page = p.get(&url).await;
    assert!(
        page.body.contains("پیش‌نویس خودکار") && page.body.contains("پیش‌نویس ذخیره شد"),
        "{}",
        page.body
    );
    assert!(page.body.contains("/assets/intake.js"));
    // The API sees the same draft.
    let token = p.token("sara").await;
    let d = p
        .api(
            "GET",
            &format!("/api/v1/calls/{}/draft", c.public_id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(d.json()["data"]["title"], "پیش‌نویس خودکار");
    let r = p
        .api(
            "PUT",
            &format!("/api/v1/calls/{}/draft", c.public_id),
            Some(&token),
            Some(json!({ "title": "از API" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = post_multipart(&mut p, &url, fields(&c, "ثبت نهایی"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        app.state
            .store
            .draft(user.id, c.id)
            .await
            .unwrap()
            .is_none()
    );
    let d = p
        .api(
            "GET",
            &format!("/api/v1/calls/{}/draft", c.public_id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(d.status, StatusCode::NOT_FOUND);
    // Without a CSRF token the autosave endpoint refuses.
    let r = p
        .post_form_raw(&format!("/calls/{}/draft", c.public_id), &[("title", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn similar_ideas_show_titles_never_authors(app: TestApp) {
    let c = call(&app).await;
    let (mut author, _) = app.signed_in("sara", &[Role::Participant]).await;
    let mut f = fields(&c, "پیامک وضعیت پرونده بیمه");
    f.push((
        "problem",
        "بیمه‌شدگان برای پیگیری پرونده به شعبه می‌روند و وقت می‌گذارند.".into(),
    ));
    let r = post_multipart(
        &mut author,
        &format!("/calls/{}/submit", c.public_id),
        f,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (mut p, _) = app.signed_in("omid", &[Role::Participant]).await;
    let frag = p
        .get(&format!(
            "/calls/{}/similar?q={}",
            c.public_id,
            hamafza_web_urlencode("ارسال پيامك وضعيت پرونده")
        ))
        .await;
    assert_eq!(frag.status, StatusCode::OK);
    assert!(
        frag.body.contains("پیامک وضعیت پرونده بیمه") && frag.body.contains("خدمات غیرحضوری"),
        "{}",
        frag.body
    );
    assert!(
        !frag.body.contains("کاربر sara") && !frag.body.contains("وقت می‌گذارند"),
        "{}",
        frag.body
    );
    // Without JavaScript: the "check for similar ideas" button.
    let mut f = fields(&c, "پیامک پرونده");
    f.push(("check_similar", "1".into()));
    let r = post_multipart(&mut p, &format!("/calls/{}/submit", c.public_id), f, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("پیامک وضعیت پرونده بیمه") && !r.body.contains("کاربر sara"));
    let token = p.token("omid").await;
    let r = p
        .api(
            "GET",
            &format!(
                "/api/v1/calls/{}/similar?q={}",
                c.public_id,
                hamafza_web_urlencode("پرونده بیمه")
            ),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let item = &r.json()[0];
    assert_eq!(item["title"], "پیامک وضعیت پرونده بیمه");
    assert!(item.get("author").is_none() && item.get("id").is_none() && !r.body.contains("sara"));
    assert_eq!(
        app.client()
            .get(&format!("/calls/{}/similar?q=x", c.public_id))
            .await
            .status,
        StatusCode::SEE_OTHER,
        "signed-in only"
    );
}

fn hamafza_web_urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_string()
}
