//! Submitting and editing ideas through pages and the API, on both databases.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::Call;
use hamafza_core::call::{Audience, StageKind};
use hamafza_core::ids::AxisId;
use hamafza_web::testing::TestApp;
use hamafza_web::web_tests;
use serde_json::json;

web_tests!(
    a_participant_submits_an_idea_and_gets_a_tracking_code,
    a_double_submit_makes_one_idea,
    a_rejected_form_keeps_the_text_and_says_what_to_fix,
    ideas_are_refused_outside_the_submission_stage,
    an_employees_only_call_refuses_citizens,
    only_the_author_and_the_secretariat_see_an_idea,
    an_edit_is_a_new_version,
    the_api_submits_ideas_idempotently,
    a_full_submission_queue_answers_503_with_retry_after,
    an_edit_that_loses_a_race_keeps_the_text_and_is_not_a_500,
    a_page_of_500_ideas_over_the_api_takes_a_few_queries,
);

/// A published call whose submission stage spans `from`..`to` days from today.
async fn call(app: &TestApp, audience: Audience, from: i64, to: i64) -> Call {
    hamafza_web::testing::fixtures::published_call(
        app,
        "فراخوان آزمایشی",
        audience,
        &["خدمات غیرحضوری", "مستمری‌بگیران"],
        &[
            (StageKind::Submission, from, to),
            (StageKind::Screening, to + 1, to + 10),
        ],
    )
    .await
}

fn form(call: &Call, title: &str) -> Vec<(&'static str, String)> {
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
        ("benefits", "کاهش مراجعهٔ حضوری".into()),
        ("idempotency", "form-token-1".into()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn a_participant_submits_an_idea_and_gets_a_tracking_code(app: TestApp) {
    let c = call(&app, Audience::Both, -1, 10).await;
    let anon = app
        .client()
        .get(&format!("/calls/{}/submit", c.public_id))
        .await;
    assert!(anon.location().starts_with("/login?next="));
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    assert!(
        p.get(&format!("/calls/{}", c.public_id))
            .await
            .body
            .contains(&format!("/calls/{}/submit", c.public_id))
    );
    let page = p.get(&format!("/calls/{}/submit", c.public_id)).await;
    assert!(page.body.contains("خدمات غیرحضوری"));
    let r = p
        .post_form(
            &format!("/calls/{}/submit", c.public_id),
            &pairs(&form(&c, "پیامک وضعیت پرونده")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let receipt = p.get(r.location()).await;
    assert!(receipt.body.contains("ایدهٔ شما ثبت شد"));
    let idea = &app
        .state
        .store
        .ideas_of_author(user.id, None)
        .await
        .unwrap()[0];
    let code = hamafza_persian::digits::to_persian(&idea.tracking_code);
    assert!(
        receipt.body.contains(&code),
        "the tracking code in Persian digits"
    );
    assert!(receipt.body.contains("ثبت‌شده، در انتظار بررسی"));
    let mine = p.get("/my/ideas").await;
    assert!(mine.body.contains("پیامک وضعیت پرونده"));
}

async fn a_double_submit_makes_one_idea(app: TestApp) {
    let c = call(&app, Audience::Both, 0, 10).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    let f = form(&c, "دو بار کلیک");
    let a = p
        .post_form(&format!("/calls/{}/submit", c.public_id), &pairs(&f))
        .await;
    let b = p
        .post_form(&format!("/calls/{}/submit", c.public_id), &pairs(&f))
        .await;
    assert_eq!(a.location(), b.location());
    assert_eq!(
        app.state
            .store
            .ideas_of_author(user.id, None)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn a_rejected_form_keeps_the_text_and_says_what_to_fix(app: TestApp) {
    let c = call(&app, Audience::Both, 0, 10).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    let mut f = form(&c, "ک");
    f[3].1 = "کوتاه".into();
    let r = p
        .post_form(&format!("/calls/{}/submit", c.public_id), &pairs(&f))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("دست‌کم ۵ نویسه"));
    assert!(r.body.contains("دست‌کم ۲۰ نویسه بنویسید"));
    assert!(
        r.body.contains("بیمه‌شدگان برای دانستن وضعیت پرونده"),
        "the problem text as typed"
    );
    assert!(
        r.body.contains(r#"value="form-token-1""#),
        "the same idempotency token, so a fixed resubmit is still one idea"
    );
    assert!(
        app.state
            .store
            .ideas_of_author(user.id, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn ideas_are_refused_outside_the_submission_stage(app: TestApp) {
    let later = call(&app, Audience::Both, 3, 10).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    let page = p.get(&format!("/calls/{}/submit", later.public_id)).await;
    assert!(page.body.contains("اکنون باز نیست"));
    let r = p
        .post_form(
            &format!("/calls/{}/submit", later.public_id),
            &pairs(&form(&later, "زودتر از موعد")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("اکنون باز نیست"));
    let past = call(&app, Audience::Both, -10, -1).await;
    let token = p.token("sara").await;
    let body = json!({"axis_id": past.axes[0].id, "title": "دیرتر از موعد", "problem": "x".repeat(30), "solution": "y".repeat(30)});
    let r = p
        .api(
            "POST",
            &format!("/api/v1/calls/{}/ideas", past.public_id),
            Some(&token),
            Some(body),
        )
        .await;
    // Its own problem: a conflict with the call's schedule, not "some fields are invalid".
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let p_ = r.json();
    assert_eq!(p_["type"], "https://hamafza.ir/problems/not-open");
    assert_eq!(p_["title"], "این فراخوان اکنون ایده نمی‌پذیرد");
    assert!(p_["detail"].as_str().unwrap().contains("اکنون باز نیست"));
    assert!(p_.get("errors").is_none());
    assert!(
        app.state
            .store
            .ideas_of_author(user.id, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_employees_only_call_refuses_citizens(app: TestApp) {
    let c = call(&app, Audience::Employees, 0, 5).await;
    let (mut citizen, _) = app.signed_in("09121112222", &[Role::Participant]).await;
    let page = citizen.get(&format!("/calls/{}/submit", c.public_id)).await;
    assert!(page.body.contains("ویژهٔ کارکنان"));
    let token = citizen.token("09121112222").await;
    let body = json!({"axis_id": c.axes[0].id, "title": "ایدهٔ شهروند", "problem": "x".repeat(30), "solution": "y".repeat(30)});
    let r = citizen
        .api(
            "POST",
            &format!("/api/v1/calls/{}/ideas", c.public_id),
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn only_the_author_and_the_secretariat_see_an_idea(app: TestApp) {
    let c = call(&app, Audience::Both, 0, 5).await;
    let (mut author, _) = app.signed_in("sara", &[Role::Participant]).await;
    let r = author
        .post_form(
            &format!("/calls/{}/submit", c.public_id),
            &pairs(&form(&c, "ایدهٔ سارا")),
        )
        .await;
    let url = r.location().split('?').next().unwrap().to_string();
    let (mut other, _) = app
        .signed_in("reza", &[Role::Participant, Role::Judge])
        .await;
    assert_eq!(other.get(&url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&format!("{url}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = other
        .post_form(&format!("{url}/edit"), &pairs(&form(&c, "ربوده")))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let token = other.token("reza").await;
    let id = url.trim_start_matches("/ideas/");
    assert_eq!(
        other
            .api("GET", &format!("/api/v1/ideas/{id}"), Some(&token), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = other
        .api(
            "GET",
            &format!("/api/v1/calls/{}/ideas", c.public_id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 0, "others' ideas are not listed");
    let (mut dabir, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    assert_eq!(dabir.get(&url).await.status, StatusCode::OK);
    let token = dabir.token("dabir").await;
    let r = dabir
        .api(
            "GET",
            &format!("/api/v1/calls/{}/ideas", c.public_id),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 1);
    // The secretariat sees it but cannot edit someone else's text.
    let r = dabir
        .post_form(&format!("{url}/edit"), &pairs(&form(&c, "ویرایش دبیرخانه")))
        .await;
    assert!(r.body.contains("فقط نویسندهٔ ایده"));
}

async fn an_edit_is_a_new_version(app: TestApp) {
    let c = call(&app, Audience::Both, 0, 5).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    let r = p
        .post_form(
            &format!("/calls/{}/submit", c.public_id),
            &pairs(&form(&c, "نسخهٔ نخست")),
        )
        .await;
    let url = r.location().split('?').next().unwrap().to_string();
    let edit = p.get(&format!("{url}/edit")).await;
    assert!(edit.body.contains(r#"value="نسخهٔ نخست""#));
    let mut f = form(&c, "نسخهٔ دوم");
    f[0].1 = c.axes[1].id.to_string();
    let r = p.post_form(&format!("{url}/edit"), &pairs(&f)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = p.get(&url).await;
    assert!(page.body.contains("نسخهٔ دوم") && page.body.contains("مستمری‌بگیران"));
    assert!(page.body.contains("نسخهٔ تازه ذخیره شد"), "the timeline");
    let idea = &app
        .state
        .store
        .ideas_of_author(user.id, None)
        .await
        .unwrap()[0];
    assert_eq!(
        app.state.store.idea_versions(idea.id).await.unwrap().len(),
        2
    );
}

async fn the_api_submits_ideas_idempotently(app: TestApp) {
    let c = call(&app, Audience::Both, 0, 5).await;
    app.user("sara", &[Role::Participant]).await;
    let mut client = app.client().with_header("idempotency-key", "retry-42");
    let token = client.token("sara").await;
    let body = json!({"axis_id": c.axes[1].id, "title": "درگاه پیگیری پرونده", "problem": "پیگیری پرونده فقط حضوری است و وقت می‌گیرد.", "solution": "یک درگاه برخط برای پیگیری پرونده با کد رهگیری."});
    let first = client
        .api(
            "POST",
            &format!("/api/v1/calls/{}/ideas", c.public_id),
            Some(&token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = client
        .api(
            "POST",
            &format!("/api/v1/calls/{}/ideas", c.public_id),
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(first.json()["id"], again.json()["id"]);
    assert_eq!(first.json()["channel"], "api");
    let id = first.json()["id"].as_str().unwrap().to_string();
    let bad = json!({"axis_id": 999999, "title": "", "problem": "", "solution": ""});
    let r = client
        .api(
            "PATCH",
            &format!("/api/v1/ideas/{id}"),
            Some(&token),
            Some(bad),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().into())
        .collect();
    assert_eq!(fields, ["axis", "title", "problem", "solution"]);
    let fixed = json!({"axis_id": c.axes[0].id, "title": "درگاه پیگیری پرونده‌ها", "problem": "پیگیری پرونده فقط حضوری است و وقت می‌گیرد.", "solution": "درگاه برخط با کد رهگیری و پیامک."});
    let r = client
        .api(
            "PATCH",
            &format!("/api/v1/ideas/{id}"),
            Some(&token),
            Some(fixed),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    let r = client
        .api("GET", &format!("/api/v1/ideas/{id}"), Some(&token), None)
        .await;
    assert_eq!(r.json()["title"], "درگاه پیگیری پرونده‌ها");
}

mod export {
    use super::*;

    web_tests!(the_secretariat_exports_a_calls_ideas_as_xlsx_and_csv);

    async fn the_secretariat_exports_a_calls_ideas_as_xlsx_and_csv(app: TestApp) {
        let c = call(&app, Audience::Both, 0, 5).await;
        let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
        p.post_form(
            &format!("/calls/{}/submit", c.public_id),
            &pairs(&form(&c, "پیامک وضعیت پرونده")),
        )
        .await;
        // Not for participants.
        assert_eq!(
            p.get(&format!(
                "/secretariat/calls/{}/export?format=xlsx",
                c.public_id
            ))
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
        let r = d
            .get(&format!(
                "/secretariat/calls/{}/export?format=csv",
                c.public_id
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.starts_with('\u{FEFF}'), "a BOM so Excel reads UTF-8");
        assert!(
            r.body.contains("کد رهگیری")
                && r.body.contains("پیامک وضعیت پرونده")
                && r.body.contains("کاربر sara")
        );
        assert!(
            r.header("content-disposition")
                .contains(&format!("ideas-{}.csv", c.public_id))
        );
        let token = d.token("dabir").await;
        let r = d
            .api(
                "GET",
                &format!("/api/v1/calls/{}/export?format=xlsx", c.public_id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.header("content-type").contains("spreadsheetml"));
        assert!(r.body.starts_with("PK"), "a zip container");
        let r = d
            .api(
                "GET",
                &format!("/api/v1/calls/{}/export?format=pdf", c.public_id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
}

mod screening {
    use super::*;

    web_tests!(
        the_secretariat_decides_and_the_author_sees_why,
        the_inbox_filters_and_searches_in_persian
    );

    async fn the_secretariat_decides_and_the_author_sees_why(app: TestApp) {
        let c = call(&app, Audience::Both, 0, 5).await;
        let (mut author, _) = app.signed_in("sara", &[Role::Participant]).await;
        let r = author
            .post_form(
                &format!("/calls/{}/submit", c.public_id),
                &pairs(&form(&c, "پیامک وضعیت پرونده")),
            )
            .await;
        let url = r.location().split('?').next().unwrap().to_string();
        let id = url.trim_start_matches("/ideas/").to_string();
        // The author cannot decide on their own idea.
        let r = author
            .post_form(&format!("{url}/decide"), &[("transition", "accept")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
        let r = d
            .post_form(
                &format!("{url}/decide"),
                &[("transition", "reject"), ("message", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("این خانه را پر کنید"));
        let r = d
            .post_form(
                &format!("{url}/decide"),
                &[
                    ("transition", "request_changes"),
                    ("message", "لطفاً هزینهٔ پیامک‌ها را برآورد کنید."),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = author.get(&url).await;
        assert!(page.body.contains("نیازمند اصلاح"));
        assert!(
            page.body.contains("لطفاً هزینهٔ پیامک‌ها را برآورد کنید."),
            "the secretariat's message reaches the author"
        );
        // Editing answers the request and sends it back for review.
        let r = author
            .post_form(
                &format!("{url}/edit"),
                &pairs(&form(&c, "پیامک وضعیت پرونده با برآورد هزینه")),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            author
                .get(&url)
                .await
                .body
                .contains("ثبت‌شده، در انتظار بررسی")
        );
        // Over the API: accept, then an impossible move.
        let token = d.token("dabir").await;
        let r = d
            .api(
                "POST",
                &format!("/api/v1/ideas/{id}/transitions"),
                Some(&token),
                Some(json!({"transition": "accept"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["status"], "accepted");
        let r = d
            .api(
                "POST",
                &format!("/api/v1/ideas/{id}/transitions"),
                Some(&token),
                Some(json!({"transition": "request_changes", "message": "x"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let t = author.token("sara").await;
        let r = author
            .api(
                "POST",
                &format!("/api/v1/ideas/{id}/transitions"),
                Some(&t),
                Some(json!({"transition": "reopen"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Every decision is in the audit log.
        let log = app.state.store.audit_for("idea", &id).await.unwrap();
        assert_eq!(
            log.iter().filter(|e| e.action == "idea.transition").count(),
            2
        );
    }

    async fn the_inbox_filters_and_searches_in_persian(app: TestApp) {
        let c = call(&app, Audience::Both, 0, 5).await;
        let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
        for (i, title) in [
            "سامانهٔ نوبت‌دهی شعب",
            "پیامک وضعیت پرونده",
            "پرداخت برخط حق بیمه",
        ]
        .iter()
        .enumerate()
        {
            let mut f = form(&c, title);
            f[5].1 = format!("key-{i}");
            a.post_form(&format!("/calls/{}/submit", c.public_id), &pairs(&f))
                .await;
        }
        let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
        let inbox = format!("/secretariat/calls/{}/ideas", c.public_id);
        let r = d.get(&inbox).await;
        assert!(r.body.contains("۳ ایده"));
        // Arabic ي and ك in the query still find Persian ی and ک.
        let r = d
            .get(&format!("{inbox}?search=%D9%BE%D9%8A%D8%A7%D9%85%D9%83"))
            .await;
        assert!(
            r.body.contains("پیامک وضعیت پرونده") && !r.body.contains("نوبت‌دهی"),
            "{}",
            r.body
        );
        assert_eq!(a.get(&inbox).await.status, StatusCode::FORBIDDEN);
        let r = d.get(&format!("{inbox}?status=rejected")).await;
        assert!(r.body.contains("۰ ایده"));
    }
}

mod results {
    use super::*;

    web_tests!(
        the_secretariat_publishes_ranked_winners_and_the_public_sees_them,
        every_accepted_idea_can_be_awarded_past_the_first_500,
    );

    /// The results form lists every accepted idea, not the first 500, and saves an award for
    /// the last one.
    async fn every_accepted_idea_can_be_awarded_past_the_first_500(app: TestApp) {
        use hamafza_web::testing::fixtures;
        let c = fixtures::open_call(&app, Audience::Both).await;
        let author = app.user("sara", &[Role::Participant]).await;
        let mut ids = Vec::new();
        for i in 0..501 {
            let idea = fixtures::idea_by(&app, &c, &author, &format!("ایدهٔ شمارهٔ {i}")).await;
            ids.push(idea.public_id);
        }
        let accept = hamafza_store::screening::BulkAction::Accept {
            stages: c.stages.iter().map(|s| s.kind).collect(),
        };
        for chunk in ids.chunks(500) {
            app.state
                .store
                .bulk_screen(c.id, chunk, &accept, None)
                .await
                .unwrap();
        }
        let last = app
            .state
            .store
            .idea_by_public_id(&ids[0])
            .await
            .unwrap()
            .unwrap();
        let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
        let edit = format!("/secretariat/calls/{}/results", c.public_id);
        let r = d.get(&edit).await;
        assert_eq!(r.body.matches("name=\"award_").count(), 501);
        let (award, rank) = (format!("award_{}", last.id), format!("rank_{}", last.id));
        let r = d
            .post_form(&edit, &[(&award, "winner"), (&rank, "1")])
            .await;
        assert!(
            r.status.is_success() || r.status.is_redirection(),
            "{}",
            r.body
        );
        let results = app.state.store.results(c.id).await.unwrap();
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].idea_id, last.id);
    }

    async fn the_secretariat_publishes_ranked_winners_and_the_public_sees_them(app: TestApp) {
        let c = call(&app, Audience::Both, 0, 5).await;
        let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
        let mut ids = Vec::new();
        for (i, title) in [
            "سامانهٔ نوبت‌دهی شعب",
            "پیامک وضعیت پرونده",
            "پرداخت برخط حق بیمه",
        ]
        .iter()
        .enumerate()
        {
            let mut f = form(&c, title);
            f[5].1 = format!("key-{i}");
            let r = a
                .post_form(&format!("/calls/{}/submit", c.public_id), &pairs(&f))
                .await;
            ids.push(
                r.location()
                    .split('?')
                    .next()
                    .unwrap()
                    .trim_start_matches("/ideas/")
                    .to_string(),
            );
        }
        let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
        for id in &ids {
            d.post_form(&format!("/ideas/{id}/decide"), &[("transition", "accept")])
                .await;
        }
        let url = format!("/calls/{}/results", c.public_id);
        assert_eq!(
            app.client().get(&url).await.status,
            StatusCode::NOT_FOUND,
            "nothing public before publishing"
        );
        let mut n = Vec::new();
        for pid in &ids {
            n.push(
                app.state
                    .store
                    .idea_by_public_id(pid)
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            );
        }
        let (i0, i1, i2) = (n[0], n[1], n[2]);
        let edit = format!("/secretariat/calls/{}/results", c.public_id);
        // Two winners with the same rank are refused, with the titles named.
        let (a0, a1, a2) = (
            format!("award_{i0}"),
            format!("award_{i1}"),
            format!("award_{i2}"),
        );
        let (r0, r1, r2) = (
            format!("rank_{i0}"),
            format!("rank_{i1}"),
            format!("rank_{i2}"),
        );
        let r = d
            .post_form(
                &edit,
                &[(&a0, "winner"), (&r0, "۱"), (&a1, "winner"), (&r1, "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("پیامک وضعیت پرونده"));
        let r = d
            .post_form(
                &edit,
                &[
                    (&a0, "winner"),
                    (&r0, "۲"),
                    (&a1, "winner"),
                    (&r1, "۱"),
                    (&a2, "jury_choice"),
                    (&r2, "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(
            d.get(&url).await.status,
            StatusCode::OK,
            "the secretariat previews"
        );
        let publish = format!("{edit}/publish");
        // Submission is open: refused in words, without a question.
        let r = d.post_form(&publish, &[("confirm", "yes")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("مرحلهٔ دریافت ایده‌های این فراخوان هنوز تمام نشده است")
        );
        hamafza_web::testing::fixtures::end_submission(&app, &c).await;
        assert_eq!(
            d.post_form(&publish, &[]).await.status,
            StatusCode::OK,
            "asks first"
        );
        assert_eq!(
            d.post_form(&publish, &[("confirm", "yes")]).await.status,
            StatusCode::SEE_OTHER
        );
        let page = app.client().get(&url).await;
        assert_eq!(page.status, StatusCode::OK);
        let first = page.body.find("پیامک وضعیت پرونده").unwrap();
        let second = page.body.find("سامانهٔ نوبت‌دهی شعب").unwrap();
        assert!(first < second, "winners in rank order");
        assert!(
            page.body.contains("برگزیدهٔ هیئت داوران") && page.body.contains("پرداخت برخط حق بیمه")
        );
        let cert = app
            .client()
            .get(&format!("/ideas/{}/certificate", ids[1]))
            .await;
        assert!(
            cert.body.contains("لوح تقدیر")
                && cert.body.contains("کاربر sara")
                && cert.body.contains("رتبهٔ ۱")
        );
        let api = app
            .client()
            .api(
                "GET",
                &format!("/api/v1/calls/{}/results", c.public_id),
                None,
                None,
            )
            .await;
        let list = api.json();
        assert_eq!(list[0]["award"], "winner");
        assert_eq!(list[0]["rank"], 1);
        assert_eq!(list[2]["award"], "jury_choice");
    }
}

mod import {
    use super::*;

    web_tests!(
        an_import_reports_bad_rows_by_line_and_imports_a_file_once,
        a_spreadsheet_claiming_the_last_cell_gets_a_clear_error,
    );

    const GOOD: &str = "\u{FEFF}عنوان,محور,مسئله,راه‌حل,نام,تلفن همراه,تاریخ\n\
        سامانهٔ نوبت‌دهی,خدمات غیرحضوری,صف‌های طولانی در شعب برای کارهای ساده,نوبت‌دهی برخط با پیامک یادآوری,علی رضایی,۰۹۱۲۱۲۳۴۵۶۷,۱۴۰۲/۰۳/۰۲\n\
        کیوسک خدمات,۲,مستمری‌بگیران سالمند به شعبه می‌آیند,کیوسک لمسی در داروخانه‌ها و درمانگاه‌ها,مریم احمدی,,\n";

    async fn post(
        d: &mut hamafza_web::testing::Client,
        q: String,
        body: Vec<u8>,
        token: String,
    ) -> hamafza_web::testing::TestResponse {
        let req = axum::http::Request::post(q)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(body))
            .unwrap();
        d.send(req).await
    }

    async fn an_import_reports_bad_rows_by_line_and_imports_a_file_once(app: TestApp) {
        let c = call(&app, Audience::Both, -5, 5).await;
        app.user("dabir", &[Role::Secretariat]).await;
        let mut d = app.client();
        let token = d.token("dabir").await;
        let url = |q: &str| format!("/api/v1/calls/{}/imports?{q}", c.public_id);
        let bad = format!("{GOOD}ایده,محور ناشناس,کوتاه,,نام,12345,1402/13/01\n");
        let r = post(
            &mut d,
            url("dry_run=true"),
            bad.clone().into_bytes(),
            token.clone(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let report = r.json();
        assert_eq!(
            (
                report["rows"].as_i64(),
                report["valid"].as_i64(),
                report["imported"].as_i64()
            ),
            (Some(3), Some(2), Some(0))
        );
        let lines: Vec<i64> = report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["line"].as_i64().unwrap())
            .collect();
        assert!(lines.iter().all(|l| *l == 4), "{lines:?}");
        assert!(
            report["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .starts_with("سطر ۴")
        );
        assert_eq!(
            app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().1,
            0,
            "a dry run writes nothing"
        );
        let r = post(
            &mut d,
            url("dry_run=false"),
            bad.into_bytes(),
            token.clone(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().1,
            0,
            "nothing half-written"
        );
        let r = post(
            &mut d,
            url("dry_run=false&channel=exhibition"),
            GOOD.as_bytes().to_vec(),
            token.clone(),
        )
        .await;
        assert_eq!(r.json()["imported"], 2, "{}", r.body);
        let r = post(
            &mut d,
            url("dry_run=false"),
            GOOD.as_bytes().to_vec(),
            token.clone(),
        )
        .await;
        assert_eq!(
            (r.json()["imported"].as_i64(), r.json()["skipped"].as_i64()),
            (Some(0), Some(2)),
            "the same file twice adds nothing"
        );
        let (ideas, total) = app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap();
        assert_eq!(total, 2);
        assert!(
            ideas
                .iter()
                .all(|i| i.channel == hamafza_core::idea::Channel::Exhibition)
        );
        // The same content as XLSX.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, row) in [
            ["عنوان", "محور", "مسئله", "راه‌حل"],
            [
                "پیامک وضعیت",
                "1",
                "مراجعهٔ حضوری برای پیگیری پرونده",
                "پیامک خودکار پس از هر تغییر",
            ],
        ]
        .iter()
        .enumerate()
        {
            for (col, v) in row.iter().enumerate() {
                sheet.write_string(r as u32, col as u16, *v).unwrap();
            }
        }
        let xlsx = book.save_to_buffer().unwrap();
        let r = post(
            &mut d,
            url("dry_run=false&channel=paper"),
            xlsx,
            token.clone(),
        )
        .await;
        assert_eq!(r.json()["imported"], 1, "{}", r.body);
        // Participants may not import.
        let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
        let t = p.token("sara").await;
        let r = post(&mut p, url("dry_run=true"), GOOD.as_bytes().to_vec(), t).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    /// Issue 14: headers in row 1 and one cell at XFD1048576 used to abort the process.
    async fn a_spreadsheet_claiming_the_last_cell_gets_a_clear_error(app: TestApp) {
        let c = call(&app, Audience::Both, -5, 5).await;
        app.user("dabir", &[Role::Secretariat]).await;
        let mut d = app.client();
        let token = d.token("dabir").await;
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (col, h) in ["عنوان", "محور", "مسئله", "راه‌حل"].iter().enumerate()
        {
            sheet.write_string(0, col as u16, *h).unwrap();
        }
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let xlsx = book.save_to_buffer().unwrap();
        let url = format!("/api/v1/calls/{}/imports?dry_run=true", c.public_id);
        let r = post(&mut d, url.clone(), xlsx, token.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let e = &r.json()["errors"][0];
        assert_eq!(e["field"], "file");
        assert_eq!(
            e["detail"],
            "پرونده: این پرونده بیش از ۵۰٬۰۰۰ ردیف دارد؛ آن را به چند پروندهٔ کوچک‌تر بخش کنید."
        );
        // UTF-16 with a lone surrogate: the hint is in Persian words (issue 18.12).
        let r = post(&mut d, url, b"\xff\xfe\x00\xd8".to_vec(), token).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("«کتاب کار اکسل»"), "{}", r.body);
    }
}

mod import_page {
    use super::*;

    web_tests!(
        the_import_page_checks_then_imports_an_uploaded_file,
        the_import_page_says_why_a_file_is_refused,
    );

    async fn the_import_page_says_why_a_file_is_refused(app: TestApp) {
        let c = call(&app, Audience::Both, -5, 5).await;
        let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
        let url = format!("/secretariat/calls/{}/import", c.public_id);
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "عنوان").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let token = d.csrf().await;
        let (ct, body) = multipart(
            &[("csrf", token.as_str()), ("dry_run", "on")],
            &book.save_to_buffer().unwrap(),
        );
        let req = axum::http::Request::post(&url)
            .header("content-type", ct)
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = d.send(req).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("بیش از ۵۰٬۰۰۰ ردیف"), "{}", r.body);
    }

    fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
        let boundary = "----hamafza-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"booth.csv\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
        body.extend(file);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }

    async fn the_import_page_checks_then_imports_an_uploaded_file(app: TestApp) {
        let c = call(&app, Audience::Both, -5, 5).await;
        let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
        let url = format!("/secretariat/calls/{}/import", c.public_id);
        assert_eq!(d.get(&url).await.status, StatusCode::OK);
        let file = "عنوان,محور,مسئله,راه‌حل\nکیوسک خدمات,۱,مستمری‌بگیران سالمند به شعبه می‌آیند,کیوسک لمسی در داروخانه‌ها\nبد,۹,کوتاه,کوتاه\n";
        let send = |fields: Vec<(&'static str, String)>| {
            let token = fields
                .iter()
                .find(|(k, _)| *k == "csrf")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let mut f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            f.retain(|(k, _)| *k != "csrf" || !token.is_empty());
            multipart(&f, file.as_bytes())
        };
        let token = d.csrf().await;
        let (ct, body) = send(vec![("csrf", token.clone()), ("dry_run", "on".into())]);
        let req = axum::http::Request::post(&url)
            .header("content-type", ct)
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = d.send(req).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("۲ سطر خوانده شد، ۱ سطر درست بود"),
            "{}",
            r.body
        );
        assert!(r.body.contains("سطر ۳"));
        let (ct, body) = send(vec![
            ("csrf", token.clone()),
            ("partial", "on".into()),
            ("channel", "paper".into()),
        ]);
        let req = axum::http::Request::post(&url)
            .header("content-type", ct)
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = d.send(req).await;
        assert!(r.body.contains("۱ ایده وارد شد"), "{}", r.body);
        assert_eq!(
            app.state.store.ideas_of_call(c.id, 0, 10).await.unwrap().0[0].channel,
            hamafza_core::idea::Channel::Paper
        );
        // Without the CSRF token, nothing happens.
        let (ct, body) = send(vec![("partial", "on".into())]);
        let req = axum::http::Request::post(&url)
            .header("content-type", ct)
            .body(axum::body::Body::from(body))
            .unwrap();
        assert_eq!(d.send(req).await.status, StatusCode::FORBIDDEN);
    }
}

fn api_idea(c: &Call, title: &str) -> serde_json::Value {
    json!({"axis_id": c.axes[0].id, "title": title,
        "problem": "پیگیری پرونده فقط حضوری است و وقت می‌گیرد.",
        "solution": "یک درگاه برخط برای پیگیری پرونده با کد رهگیری."})
}

/// A full submission queue is refused at once: 503 with `Retry-After`, in Persian, on the API
/// and the page; what was queued is committed once the writer gets on.
async fn a_full_submission_queue_answers_503_with_retry_after(app: TestApp) {
    let app = app.with_submission_queue(1);
    let c = call(&app, Audience::Both, 0, 5).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let token = p.token("sara").await;
    p.csrf().await;
    let path = format!("/api/v1/calls/{}/ideas", c.public_id);
    let hold = app.state.store.hold_writes().await;
    let mut waiting = Vec::new();
    let refused = loop {
        let (mut client, path, token) = (app.client(), path.clone(), token.clone());
        let body = api_idea(&c, &format!("ایدهٔ شمارهٔ {}", waiting.len()));
        let mut task =
            tokio::spawn(async move { client.api("POST", &path, Some(&token), Some(body)).await });
        match tokio::time::timeout(std::time::Duration::from_millis(500), &mut task).await {
            Ok(answer) => break answer.unwrap(),
            Err(_) => waiting.push(task),
        }
        assert!(
            waiting.len() <= 4,
            "{} queued and none refused",
            waiting.len()
        );
    };
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert_eq!(refused.header("retry-after"), "5");
    assert_eq!(refused.header("content-type"), "application/problem+json");
    assert_eq!(refused.json()["title"], "سامانه شلوغ است");
    // The page says the same, in Persian, while the queue is still full.
    let page = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        p.post_form(
            &format!("/calls/{}/submit", c.public_id),
            &pairs(&form(&c, "از راه صفحه")),
        ),
    )
    .await
    .expect("a full queue answers at once");
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        page.body
    );
    assert_eq!(page.header("retry-after"), "5");
    assert!(page.body.contains("سامانه شلوغ است"), "{}", page.body);
    hold.release().await;
    for task in waiting {
        assert_eq!(task.await.unwrap().status, StatusCode::CREATED);
    }
}

/// Two edits of the same version race (a double submit from two tabs): one is saved, the other
/// comes back as a 422 that keeps the typed text (the page) or names the conflict (the API), never
/// a 500. The same path answers when the secretariat decided between the check and the write.
async fn an_edit_that_loses_a_race_keeps_the_text_and_is_not_a_500(app: TestApp) {
    let c = call(&app, Audience::Both, 0, 5).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let token = p.token("sara").await;
    let r = p
        .post_form(
            &format!("/calls/{}/submit", c.public_id),
            &pairs(&form(&c, "نسخهٔ نخست")),
        )
        .await;
    let url = r.location().split('?').next().unwrap().to_string();
    let id = url.trim_start_matches("/ideas/").to_string();
    p.csrf().await;
    let wait = std::time::Duration::from_millis(1500);

    // Pages: both tabs read version 1 and wait for the writer; the second to write loses.
    let hold = app.state.store.hold_writes().await;
    let tabs: Vec<_> = ["متن برگهٔ یکم", "متن برگهٔ دوم"]
        .into_iter()
        .map(|title| {
            let (mut tab, url, f) = (p.clone(), url.clone(), form(&c, title));
            tokio::spawn(async move { tab.post_form(&format!("{url}/edit"), &pairs(&f)).await })
        })
        .collect();
    tokio::time::sleep(wait).await;
    hold.release().await;
    let mut answers = Vec::new();
    for t in tabs {
        answers.push(t.await.unwrap());
    }
    answers.sort_by_key(|r| r.status);
    assert_eq!(
        answers[0].status,
        StatusCode::SEE_OTHER,
        "{}",
        answers[0].body
    );
    let lost = &answers[1];
    assert_eq!(
        lost.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        lost.body
    );
    assert!(
        lost.body.contains("متن شما در فرم مانده است"),
        "{}",
        lost.body
    );
    assert!(
        lost.body.contains(r#"value="متن برگهٔ یکم""#)
            || lost.body.contains(r#"value="متن برگهٔ دوم""#),
        "the typed title is kept"
    );

    // The API: the same race is a 422 naming the idea as changed.
    let hold = app.state.store.hold_writes().await;
    let calls: Vec<_> = ["از API یکم", "از API دوم"]
        .into_iter()
        .map(|title| {
            let (mut client, token, body) = (app.client(), token.clone(), api_idea(&c, title));
            let path = format!("/api/v1/ideas/{id}");
            tokio::spawn(async move { client.api("PATCH", &path, Some(&token), Some(body)).await })
        })
        .collect();
    tokio::time::sleep(wait).await;
    hold.release().await;
    let mut answers = Vec::new();
    for t in calls {
        answers.push(t.await.unwrap());
    }
    answers.sort_by_key(|r| r.status);
    assert_eq!(answers[0].status, StatusCode::OK, "{}", answers[0].body);
    let lost = &answers[1];
    assert_eq!(
        lost.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        lost.body
    );
    assert_eq!(lost.json()["errors"][0]["field"], "idea");
    let versions = app
        .state
        .store
        .idea_versions(
            app.state
                .store
                .idea_by_public_id(&id)
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert_eq!(versions.len(), 3, "one edit of each race was saved");
}

/// The API list assembles a page with a fixed number of queries, whatever its size: the texts
/// (latest version after edits) and the kept ids of duplicates come in one query.
async fn a_page_of_500_ideas_over_the_api_takes_a_few_queries(app: TestApp) {
    let c = call(&app, Audience::Both, 0, 5).await;
    let author = app.user("sara", &[Role::Participant]).await;
    app.user("dabir", &[Role::Secretariat]).await;
    let mut d = app.client();
    let token = d.token("dabir").await;
    let axes: Vec<AxisId> = c.axes.iter().map(|a| a.id).collect();
    let mut tasks = Vec::new();
    for i in 0..500 {
        let (store, axes) = (app.state.store.clone(), axes.clone());
        let (call_id, author_id) = (c.id, author.id);
        tasks.push(tokio::spawn(async move {
            let text = hamafza_core::idea::IdeaInput {
                axis: axes[i % 2].to_string(),
                title: format!("ایدهٔ شمارهٔ {i}"),
                problem: "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.".into(),
                solution: "پس از هر تغییر وضعیت پرونده، پیامکی فرستاده شود.".into(),
                ..Default::default()
            }
            .validate(&axes)
            .unwrap();
            let new = hamafza_store::ideas::NewIdea {
                call_id,
                author_id: Some(author_id),
                channel: hamafza_core::idea::Channel::Api,
                text: &text,
                idempotency_key: None,
            };
            store.submit_idea(&new).await.unwrap().0
        }));
    }
    let mut ideas = Vec::new();
    for t in tasks {
        ideas.push(t.await.unwrap());
    }
    // One edited (its text must be the new one) and one merged into another.
    let edited = &ideas[7];
    let text = hamafza_core::idea::IdeaInput {
        axis: axes[0].to_string(),
        title: "ویرایش‌شده".into(),
        problem: "متن تازهٔ مسئله پس از ویرایش نویسنده.".into(),
        solution: "راه‌حل تازه پس از ویرایش نویسنده.".into(),
        ..Default::default()
    }
    .validate(&axes)
    .unwrap();
    store_edit(&app, edited, &text).await;
    app.state
        .store
        .merge_ideas(&ideas[8], &ideas[9], None)
        .await
        .unwrap();
    let before = app.state.store.queries();
    let r = d
        .api(
            "GET",
            &format!("/api/v1/calls/{}/ideas?limit=500", c.public_id),
            Some(&token),
            None,
        )
        .await;
    let inbox_queries = app.state.store.queries() - before;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = r.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 500);
    assert!(
        inbox_queries <= 10,
        "{inbox_queries} queries for a page of 500"
    );
    let find = |id: &str| items.iter().find(|i| i["id"] == id).unwrap().clone();
    let e = find(&edited.public_id);
    assert_eq!(
        (e["version"].as_i64(), e["problem"].as_str()),
        (Some(2), Some("متن تازهٔ مسئله پس از ویرایش نویسنده."))
    );
    assert_eq!(
        find(&ideas[8].public_id)["duplicate_of"],
        ideas[9].public_id.as_str()
    );
    // The author's own list (not the inbox) costs as few.
    let mut p = app.client();
    let t = p.token("sara").await;
    let before = app.state.store.queries();
    let r = p
        .api(
            "GET",
            &format!("/api/v1/calls/{}/ideas", c.public_id),
            Some(&t),
            None,
        )
        .await;
    let queries = app.state.store.queries() - before;
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 500);
    assert!(
        queries <= 10,
        "{queries} queries for the author's 500 ideas"
    );
    eprintln!("API list at limit=500: {inbox_queries} queries (inbox), {queries} (author)");
}

async fn store_edit(
    app: &TestApp,
    idea: &hamafza_core::idea::Idea,
    text: &hamafza_core::idea::IdeaText,
) {
    app.state
        .store
        .edit_idea(idea.id, idea.place(), text, None)
        .await
        .unwrap();
}
