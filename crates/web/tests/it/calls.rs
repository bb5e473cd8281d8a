//! Calls through pages and the API, on both databases.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_web::testing::TestApp;
use hamafza_web::web_tests;
use serde_json::json;

web_tests!(
    the_secretariat_creates_edits_and_publishes_a_call,
    a_bad_call_form_keeps_every_row_and_points_at_the_wrong_one,
    drafts_are_hidden_from_everyone_but_the_secretariat,
    only_the_secretariat_manages_calls,
    a_new_round_copies_a_call,
    the_api_creates_and_lists_calls,
);

fn call_form(title: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_string()),
        (
            "description",
            "شرح **فراخوان** <script>alert(1)</script>".into(),
        ),
        ("audience", "both".into()),
        ("axis_title_0", "معرفی خدمات سازمان".into()),
        ("axis_title_1", "فرهنگ بیمه".into()),
        ("axis_title_2", "بیمهٔ فراگیر خانواده".into()),
        ("stage_kind_0", "submission".into()),
        ("stage_start_0", "۱۴۰۱/۱۱/۰۱".into()),
        ("stage_end_0", "1401/12/15".into()),
        ("stage_kind_1", "screening".into()),
        ("stage_start_1", "1401/12/16".into()),
        ("stage_end_1", "1401/12/25".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn the_secretariat_creates_edits_and_publishes_a_call(app: TestApp) {
    let (mut c, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    assert_eq!(c.get("/secretariat/calls/new").await.status, StatusCode::OK);
    let r = c
        .post_form(
            "/secretariat/calls/new",
            &pairs(&call_form("جمعینو ۲: محتوای رسانه‌ای")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = r.location().to_string();
    let page = c.get(&url).await;
    assert!(page.body.contains("فرهنگ بیمه"));
    assert!(
        page.body.contains("۱ بهمن ۱۴۰۱"),
        "Jalali dates in Persian digits"
    );
    assert!(page.body.contains("<strong>فراخوان</strong>"));
    assert!(
        !page.body.contains("<script>alert"),
        "the description is sanitized"
    );
    assert!(page.body.contains("پیش‌نویس"));
    let id = url.trim_start_matches("/calls/");
    // Edit: rename the first axis.
    let mut form = call_form("جمعینو ۲: محتوای رسانه‌ای");
    form[3].1 = "معرفی خدمات تأمین اجتماعی".into();
    let r = c
        .post_form(&format!("/secretariat/calls/{id}/edit"), &pairs(&form))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post_form(
            &format!("/secretariat/calls/{id}/state"),
            &[("to", "published")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let public = app.client().get("/calls").await;
    assert!(public.body.contains("جمعینو ۲: محتوای رسانه‌ای"));
    let page = app.client().get(&url).await;
    assert!(page.body.contains("معرفی خدمات تأمین اجتماعی"));
    assert!(page.body.contains("منتشرشده"));
    assert!(
        !page.body.contains("/secretariat/calls/"),
        "no management buttons for the public"
    );
    // A move the rules forbid is refused.
    let r = c
        .post_form(
            &format!("/secretariat/calls/{id}/state"),
            &[("to", "draft")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

async fn a_bad_call_form_keeps_every_row_and_points_at_the_wrong_one(app: TestApp) {
    let (mut c, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let mut form = call_form("جمعینو ۳");
    form[8].1 = "1401/13/40".into();
    form[10].1 = "1401/10/01".into();
    let r = c.post_form("/secretariat/calls/new", &pairs(&form)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("این روز در تقویم نیست"),
        "month 13 is no day"
    );
    assert!(r.body.contains("پیش از پایان مرحلهٔ بالایی آغاز می‌شود"));
    assert!(
        r.body.contains(r#"value="1401/13/40""#),
        "the bad date as typed"
    );
    assert!(r.body.contains(r#"value="فرهنگ بیمه""#));
    assert!(r.body.contains(r#"value="۱۴۰۱/۱۱/۰۱""#));
    assert!(
        app.state
            .store
            .calls(hamafza_store::calls::CallFilter::All)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn drafts_are_hidden_from_everyone_but_the_secretariat(app: TestApp) {
    let (mut c, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let r = c
        .post_form(
            "/secretariat/calls/new",
            &pairs(&call_form("پیش‌نویس محرمانه")),
        )
        .await;
    let url = r.location().to_string();
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    assert_eq!(p.get(&url).await.status, StatusCode::NOT_FOUND);
    assert!(!p.get("/calls").await.body.contains("پیش‌نویس محرمانه"));
    let id = url.trim_start_matches("/calls/");
    let r = p
        .api("GET", &format!("/api/v1/calls/{id}"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = p.api("GET", "/api/v1/calls", None, None).await;
    assert_eq!(r.json().as_array().unwrap().len(), 0);
    let token = c.token("dabir").await;
    let r = c.api("GET", "/api/v1/calls", Some(&token), None).await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
}

async fn only_the_secretariat_manages_calls(app: TestApp) {
    let (mut dabir, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let r = dabir
        .post_form("/secretariat/calls/new", &pairs(&call_form("فراخوان")))
        .await;
    let id = r.location().trim_start_matches("/calls/").to_string();
    let (mut judge, _) = app
        .signed_in("judge", &[Role::Judge, Role::Participant])
        .await;
    for path in [
        "/secretariat/calls".to_string(),
        "/secretariat/calls/new".into(),
        format!("/secretariat/calls/{id}/edit"),
    ] {
        assert_eq!(
            judge.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for path in [
        format!("/secretariat/calls/{id}/state"),
        format!("/secretariat/calls/{id}/copy"),
        format!("/secretariat/calls/{id}/edit"),
    ] {
        let r = judge.post_form(&path, &[("to", "published")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let token = judge.token("judge").await;
    let r = judge
        .api(
            "POST",
            "/api/v1/calls",
            Some(&token),
            Some(json!({"title": "x", "audience": "both", "axes": [], "stages": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (mut admin, _) = app.signed_in("boss", &[Role::Admin]).await;
    assert_eq!(admin.get("/secretariat/calls").await.status, StatusCode::OK);
}

async fn a_new_round_copies_a_call(app: TestApp) {
    let (mut c, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let r = c
        .post_form("/secretariat/calls/new", &pairs(&call_form("جمعینو ۲")))
        .await;
    let id = r.location().trim_start_matches("/calls/").to_string();
    let r = c
        .post_form(&format!("/secretariat/calls/{id}/copy"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().ends_with("/edit"));
    let edit = c.get(r.location()).await;
    assert!(edit.body.contains("جمعینو ۲ (دور تازه)"));
    assert!(edit.body.contains(r#"value="بیمهٔ فراگیر خانواده""#));
    assert_eq!(
        app.state
            .store
            .calls(hamafza_store::calls::CallFilter::All)
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn the_api_creates_and_lists_calls(app: TestApp) {
    app.user("dabir", &[Role::Secretariat]).await;
    let mut c = app.client();
    let token = c.token("dabir").await;
    let bad = json!({"title": "ف", "audience": "aliens", "axes": [{"title": ""}], "stages": [{"kind": "submission", "start": "1403/01/40", "end": "1403/01/10"}]});
    let r = c
        .api("POST", "/api/v1/calls", Some(&token), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().into())
        .collect();
    assert_eq!(
        fields,
        ["title", "audience", "axis_title_0", "stage_start_0"]
    );
    let good = json!({
        "title": "جمعینو ۲", "description": "شرح", "audience": "both",
        "axes": [{"title": "فرهنگ بیمه"}, {"title": "بیمه فراگیر خانواده", "description": "دانشجویان"}],
        "stages": [{"kind": "submission", "start": "۱۴۰۱/۱۱/۰۱", "end": "1401-12-15"}, {"kind": "results", "start": "1402/04/01", "end": "1402/04/10"}]
    });
    let r = c
        .api("POST", "/api/v1/calls", Some(&token), Some(good))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let call = r.json();
    assert_eq!(call["state"], "draft");
    assert_eq!(call["stages"][0]["start"], "1401/11/01");
    assert_eq!(call["stages"][0]["actions"], json!(["submit", "edit"]));
    let id = call["id"].as_str().unwrap();
    let r = c
        .api("GET", &format!("/api/v1/calls/{id}"), Some(&token), None)
        .await;
    assert_eq!(r.json()["axes"][1]["description"], "دانشجویان");
    let doc = c.get("/api/v1/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/calls"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/calls/{id}"]["get"].is_object());
}
