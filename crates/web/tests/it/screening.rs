//! The secretariat's screening through pages and the API, on both databases: stages, the stale
//! double accept, inbox filters, tags, templates, reclassify, merge credits, bulk actions, and
//! that participants reach none of it.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::Call;
use hamafza_core::call::{Audience, StageKind};
use hamafza_persian::jalali::{self};
use hamafza_web::testing::fixtures::{self};
use hamafza_web::testing::{Client, TestApp};
use hamafza_web::web_tests;
use serde_json::json;

web_tests!(
    accept_moves_to_the_next_stage_and_a_double_click_is_refused,
    participants_reach_no_screening_route,
    the_inbox_filters_by_stage_tag_date_and_pages_by_cursor,
    templates_prefill_the_rejection_and_are_managed_on_a_page,
    merge_credits_both_authors_and_the_author_reads_the_timeline,
    bulk_actions_report_changes_and_skips,
    an_over_long_tag_is_refused_on_the_page_as_over_the_api,
    reclassifying_a_duplicate_or_a_moved_idea_is_a_field_error_not_a_500,
);

/// A published call of round 2's pipeline, open for submissions today.
async fn call(app: &TestApp) -> Call {
    let kinds = [
        StageKind::Submission,
        StageKind::Screening,
        StageKind::Shortlisting,
        StageKind::Orientation,
        StageKind::FinalPresentation,
        StageKind::Results,
    ];
    let stages: Vec<(StageKind, i64, i64)> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i as i64 * 10, i as i64 * 10 + 5))
        .collect();
    fixtures::published_call(
        app,
        "فراخوان محتوای رسانه‌ای",
        Audience::Both,
        &["معرفی خدمات سازمان", "فرهنگ بیمه"],
        &stages,
    )
    .await
}

/// Submits an idea through the form; returns its public id.
async fn submit(c: &mut Client, call: &Call, title: &str, key: &str) -> String {
    let axis = call.axes[0].id.to_string();
    let r = c
        .post_form(
            &format!("/calls/{}/submit", call.public_id),
            &[
                ("axis", axis.as_str()),
                ("title", title),
                (
                    "problem",
                    "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.",
                ),
                (
                    "solution",
                    "پس از هر تغییر وضعیت پرونده، پیامکی با کد رهگیری فرستاده شود.",
                ),
                ("idempotency", key),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .split('?')
        .next()
        .unwrap()
        .trim_start_matches("/ideas/")
        .to_string()
}

async fn accept_moves_to_the_next_stage_and_a_double_click_is_refused(app: TestApp) {
    let c = call(&app).await;
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let id = submit(&mut a, &c, "پیامک وضعیت پرونده", "k1").await;
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let page = d.get(&format!("/ideas/{id}")).await;
    assert!(
        page.body
            .contains(r#"name="expected_status" value="submitted""#)
    );
    let form = [
        ("transition", "accept"),
        ("expected_status", "submitted"),
        ("expected_stage", "۰"),
    ];
    let r = d.post_form(&format!("/ideas/{id}/decide"), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The second click of a double click carries the same stale view: refused, said plainly.
    let r = d.post_form(&format!("/ideas/{id}/decide"), &form).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("در این فاصله تغییر کرده است"), "{}", r.body);
    let idea = app
        .state
        .store
        .idea_by_public_id(&id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        idea.stage_position, 2,
        "accepted once: screening → shortlisting"
    );
    // The page and the author's timeline name the stage.
    let page = a.get(&format!("/ideas/{id}")).await;
    assert!(page.body.contains("داوری و گزینش"), "{}", page.body);
    // Values in a sentence are isolated (FSI … PDI).
    assert!(
        page.body
            .contains("راه‌یافته به مرحلهٔ «\u{2068}داوری و گزینش\u{2069}»")
    );
    // Over the API, with the expected place: on to orientation, then a stale retry is a 422.
    let token = d.token("dabir").await;
    let body = json!({"transition": "accept", "expected_status": "accepted", "expected_stage": 2});
    let r = d
        .api(
            "POST",
            &format!("/api/v1/ideas/{id}/transitions"),
            Some(&token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["stage_position"], 3);
    let r = d
        .api(
            "POST",
            &format!("/api/v1/ideas/{id}/transitions"),
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "transition", "{}", r.body);
    let finalists = app.state.store.ideas_at_or_beyond(c.id, 3).await.unwrap();
    assert_eq!(finalists.len(), 1);
    // The inbox shows the stage and filters on it.
    let r = d
        .get(&format!("/secretariat/calls/{}/ideas?stage=3", c.public_id))
        .await;
    assert!(
        r.body.contains("۱ ایده") && r.body.contains("آشناسازی و بازنگری"),
        "{}",
        r.body
    );
}

async fn participants_reach_no_screening_route(app: TestApp) {
    let c = call(&app).await;
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let id = submit(&mut a, &c, "پیامک وضعیت پرونده", "k1").await;
    let inbox = format!("/secretariat/calls/{}/ideas", c.public_id);
    assert_eq!(a.get(&inbox).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        a.get("/secretariat/rejection-templates").await.status,
        StatusCode::FORBIDDEN
    );
    for (path, fields) in [
        (
            format!("/ideas/{id}/decide"),
            vec![("transition", "accept")],
        ),
        (format!("/ideas/{id}/tags"), vec![("add", "x")]),
        (format!("/ideas/{id}/reclassify"), vec![("axis", "1")]),
        (format!("/ideas/{id}/merge"), vec![("into", "x")]),
        (
            format!("/secretariat/calls/{}/bulk", c.public_id),
            vec![("action", "accept"), ("idea", id.as_str())],
        ),
        (
            "/secretariat/rejection-templates".into(),
            vec![("title", "t"), ("body", "b")],
        ),
        ("/secretariat/rejection-templates/1/delete".into(), vec![]),
    ] {
        let r = a.post_form(&path, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    let t = a.token("sara").await;
    for (m, path, body) in [
        (
            "POST",
            format!("/api/v1/ideas/{id}/transitions"),
            json!({"transition": "accept"}),
        ),
        (
            "POST",
            format!("/api/v1/ideas/{id}/tags"),
            json!({"add": ["x"]}),
        ),
        (
            "POST",
            format!("/api/v1/ideas/{id}/reclassify"),
            json!({"axis_id": 1}),
        ),
        (
            "POST",
            format!("/api/v1/ideas/{id}/merge"),
            json!({"into": "x"}),
        ),
        (
            "POST",
            format!("/api/v1/calls/{}/bulk", c.public_id),
            json!({"ideas": [id], "action": "accept"}),
        ),
        (
            "GET",
            format!("/api/v1/calls/{}/tags", c.public_id),
            json!(null),
        ),
        ("GET", "/api/v1/rejection-templates".into(), json!(null)),
        (
            "POST",
            "/api/v1/rejection-templates".into(),
            json!({"title": "t", "body": "b"}),
        ),
        (
            "PUT",
            "/api/v1/rejection-templates/1".into(),
            json!({"title": "t", "body": "b"}),
        ),
        (
            "DELETE",
            "/api/v1/rejection-templates/1".into(),
            json!(null),
        ),
    ] {
        let body = if body.is_null() { None } else { Some(body) };
        let r = a.api(m, &path, Some(&t), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{m} {path}: {}", r.body);
    }
    // Someone else's idea does not exist for a participant.
    let (mut b, _) = app.signed_in("reza", &[Role::Participant]).await;
    let r = b
        .post_form(&format!("/ideas/{id}/tags"), &[("add", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let t = b.token("reza").await;
    let r = b
        .api("GET", &format!("/api/v1/ideas/{id}"), Some(&t), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The participant's API list is their own ideas only, filters or not.
    let r = b
        .api(
            "GET",
            &format!("/api/v1/calls/{}/ideas?status=submitted", c.public_id),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.json()["total"], 0);
    let log = app.state.store.audit_for("idea", &id).await.unwrap();
    assert_eq!(log.len(), 1, "nothing but the submission");
}

async fn the_inbox_filters_by_stage_tag_date_and_pages_by_cursor(app: TestApp) {
    let c = call(&app).await;
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let mut ids = Vec::new();
    for n in 0..60 {
        ids.push(submit(&mut a, &c, &format!("ایدهٔ شمارهٔ {n}"), &format!("k{n}")).await);
    }
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let inbox = format!("/secretariat/calls/{}/ideas", c.public_id);
    let r = d.get(&inbox).await;
    assert!(r.body.contains("۶۰ ایده"));
    assert!(r.body.contains(&ids[59]) && !r.body.contains(&ids[9]));
    let next = r.body.split("rel=\"next\"").next().unwrap();
    let href = next
        .rsplit("href=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let r = d.get(&href.replace("&amp;", "&")).await;
    assert!(
        r.body.contains(&ids[9]) && !r.body.contains(&ids[59]),
        "{}",
        r.body
    );
    assert!(!r.body.contains("rel=\"next\"") && r.body.contains("rel=\"prev\""));
    // Tags from the idea page, then the tag filter (Arabic letters typed, Persian stored).
    let r = d
        .post_form(
            &format!("/ideas/{}/tags", ids[3]),
            &[("add", "پيامك، فوری")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let tags = app.state.store.tags_of_call(c.id).await.unwrap();
    let sms = tags.iter().find(|t| t.name == "پیامک").unwrap();
    let r = d.get(&format!("{inbox}?tag={}", sms.id)).await;
    assert!(
        r.body.contains("۱ ایده") && r.body.contains(&ids[3]),
        "{}",
        r.body
    );
    // Dates in Persian digits; a wrong date says how to write it and keeps the filter.
    let today = jalali::format_numeric(jalali::today_tehran());
    let fa = hamafza_persian::digits::to_persian(&today);
    let r = d
        .get(&format!(
            "{inbox}?from={}&to={}",
            urlencode(&fa),
            urlencode(&fa)
        ))
        .await;
    assert!(r.body.contains("۶۰ ایده"), "{}", r.body);
    let r = d.get(&format!("{inbox}?from=1403-99-99")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("۱۴۰۳/۰۱/۱۵") && r.body.contains("1403-99-99"));
    // The API: filters, sort and cursors.
    let t = d.token("dabir").await;
    let base = format!("/api/v1/calls/{}/ideas", c.public_id);
    let r = d
        .api(
            "GET",
            &format!("{base}?sort=oldest&limit=25&channel=web"),
            Some(&t),
            None,
        )
        .await;
    let j = r.json();
    assert_eq!(
        (j["total"].as_i64(), j["items"].as_array().unwrap().len()),
        (Some(60), 25)
    );
    assert_eq!(j["items"][0]["id"], ids[0]);
    let cursor = j["next_cursor"].as_str().unwrap().to_string();
    let j = d
        .api(
            "GET",
            &format!("{base}?sort=oldest&limit=25&after={cursor}"),
            Some(&t),
            None,
        )
        .await
        .json();
    assert_eq!(j["items"][0]["id"], ids[25]);
    let r = d
        .api("GET", &format!("{base}?tag_id={}", sms.id), Some(&t), None)
        .await;
    assert_eq!(r.json()["total"], 1);
    let r = d
        .api("GET", &format!("{base}?from=۱۴۰۳/۱۳/۰۱"), Some(&t), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = d
        .api("GET", &format!("{base}?status=maybe"), Some(&t), None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

async fn templates_prefill_the_rejection_and_are_managed_on_a_page(app: TestApp) {
    let c = call(&app).await;
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let id = submit(&mut a, &c, "پیامک وضعیت پرونده", "k1").await;
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let page = "/secretariat/rejection-templates";
    let r = d
        .post_form(page, &[("title", ""), ("body", "متن بدون عنوان")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("این خانه را پر کنید") && r.body.contains("متن بدون عنوان"));
    let r = d
        .post_form(
            page,
            &[
                ("title", "خارج از محور"),
                ("body", "ایدهٔ شما با محورهای این فراخوان هم‌خوان نیست."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let t = app.state.store.rejection_templates().await.unwrap()[0].clone();
    let r = d
        .post_form(
            page,
            &[
                ("id", &t.id.to_string()),
                ("title", "خارج از محورها"),
                ("body", "ایدهٔ شما با محورهای این فراخوان هم‌خوان نیست."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = d.get(&format!("{page}?edit={}", t.id)).await;
    assert!(r.body.contains("خارج از محورها"));
    // The chosen template fills the message, which stays an editable textarea.
    let r = d.get(&format!("/ideas/{id}?template={}", t.id)).await;
    assert!(
        r.body
            .contains(">ایدهٔ شما با محورهای این فراخوان هم‌خوان نیست.</textarea>"),
        "{}",
        r.body
    );
    let r = d
        .post_form(
            &format!("/ideas/{id}/decide"),
            &[
                ("transition", "reject"),
                (
                    "message",
                    "ایدهٔ شما با محورهای این فراخوان هم‌خوان نیست. محور «فرهنگ بیمه» را ببینید.",
                ),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        a.get(&format!("/ideas/{id}"))
            .await
            .body
            .contains("محور «فرهنگ بیمه» را ببینید")
    );
    // The API manages the same templates.
    let tok = d.token("dabir").await;
    let r = d
        .api("GET", "/api/v1/rejection-templates", Some(&tok), None)
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let r = d
        .api(
            "POST",
            "/api/v1/rejection-templates",
            Some(&tok),
            Some(json!({"title": "تکراری", "body": "ایدهٔ مشابهی پیش‌تر ثبت شده است."})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let new_id = r.json()["id"].as_i64().unwrap();
    let r = d
        .api(
            "PUT",
            &format!("/api/v1/rejection-templates/{new_id}"),
            Some(&tok),
            Some(json!({"title": "", "body": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = d
        .api(
            "DELETE",
            &format!("/api/v1/rejection-templates/{new_id}"),
            Some(&tok),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let delete = format!("{page}/{}/delete", t.id);
    let r = d.post_form(&delete, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "asks first");
    assert_eq!(
        app.state.store.rejection_templates().await.unwrap().len(),
        1
    );
    let r = d.post_form(&delete, &[("confirm", "yes")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        app.state
            .store
            .rejection_templates()
            .await
            .unwrap()
            .is_empty()
    );
}

async fn merge_credits_both_authors_and_the_author_reads_the_timeline(app: TestApp) {
    let c = call(&app).await;
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let (mut b, _) = app.signed_in("reza", &[Role::Participant]).await;
    let kept = submit(&mut a, &c, "پیامک وضعیت پرونده", "k1").await;
    let dup = submit(&mut b, &c, "اطلاع‌رسانی پیامکی وضعیت پرونده", "k2").await;
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    // An unknown kept idea is a message on the field, not a 500.
    let r = d
        .post_form(&format!("/ideas/{dup}/merge"), &[("into", "nothing")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = app
        .state
        .store
        .idea_by_public_id(&kept)
        .await
        .unwrap()
        .unwrap()
        .tracking_code;
    let persian_code = hamafza_persian::digits::to_persian(&code);
    let r = d
        .post_form(
            &format!("/ideas/{dup}/merge"),
            &[("into", &persian_code), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = d.get(&format!("/ideas/{kept}")).await;
    assert!(
        page.body.contains("سهیمان ایده") && page.body.contains("کاربر reza"),
        "{}",
        page.body
    );
    let csv = d
        .get(&format!(
            "/secretariat/calls/{}/export?format=csv",
            c.public_id
        ))
        .await;
    assert_eq!(
        csv.header("cache-control"),
        "no-store",
        "an export is personal data"
    );
    let row = csv
        .body
        .lines()
        .find(|l| l.contains("\"پیامک وضعیت پرونده\","))
        .unwrap_or("");
    assert!(row.contains("کاربر sara، کاربر reza"), "{}", csv.body);
    // The duplicate's author reads what happened, in Persian.
    let page = b.get(&format!("/ideas/{dup}")).await;
    assert!(page.body.contains("ادغام‌شده با ایدهٔ مشابه"));
    // The other idea by its title, not its id.
    assert!(
        page.body
            .contains("به‌عنوان ایدهٔ تکراری با ایدهٔ «\u{2068}پیامک وضعیت پرونده\u{2069}» ادغام شد"),
        "{}",
        page.body
    );
    let kept_page = d.get(&format!("/ideas/{kept}")).await;
    assert!(
        kept_page
            .body
            .contains("» به‌عنوان تکراری با این ایده ادغام شد"),
        "{}",
        kept_page.body
    );
    assert!(!kept_page.body.contains(&format!("ایدهٔ \u{2068}{dup}")));
    // Reclassify over the page; the author sees it on the timeline, and the tags stay internal.
    let axis = c.axes[1].id.to_string();
    let r = d
        .post_form(&format!("/ideas/{kept}/reclassify"), &[("axis", &axis)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = d
        .post_form(&format!("/ideas/{kept}/tags"), &[("add", "برچسب‌درونی")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        d.get(&format!("/ideas/{kept}"))
            .await
            .body
            .contains("برچسب‌درونی"),
        "the secretariat sees the tag it added"
    );
    let page = a.get(&format!("/ideas/{kept}")).await;
    assert!(
        page.body
            .contains("محور ایده از «\u{2068}معرفی خدمات سازمان\u{2069}» به «\u{2068}فرهنگ بیمه\u{2069}» تغییر کرد"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("برچسب‌درونی"));
    // Merged ideas cannot be merged again; the API says which field is wrong.
    let tok = d.token("dabir").await;
    let r = d
        .api(
            "POST",
            &format!("/api/v1/ideas/{dup}/merge"),
            Some(&tok),
            Some(json!({"into": kept})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "into");
}

async fn bulk_actions_report_changes_and_skips(app: TestApp) {
    let c = call(&app).await;
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(submit(&mut a, &c, &format!("ایدهٔ گروهی {n}"), &format!("k{n}")).await);
    }
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    d.post_form(
        &format!("/ideas/{}/decide", ids[0]),
        &[
            ("transition", "reject"),
            ("message", "خارج از محور"),
            ("confirm", "yes"),
        ],
    )
    .await;
    let bulk = format!("/secretariat/calls/{}/bulk", c.public_id);
    let r = d
        .post_form(
            &bulk,
            &[
                ("action", "accept"),
                ("idea", &ids[0]),
                ("idea", &ids[1]),
                ("idea", &ids[2]),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("۲ ایده تغییر کرد") && r.body.contains("۱ ایده کنار گذاشته شد"),
        "{}",
        r.body
    );
    // Rejecting needs a message or a template; nothing changes without one.
    let r = d
        .post_form(&bulk, &[("action", "reject"), ("idea", &ids[1])])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = d.post_form(&bulk, &[("action", "tag"), ("tag", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let t = app
        .state
        .store
        .save_rejection_template(None, "ظرفیت", "ظرفیت این مرحله پر شده است.", None)
        .await
        .unwrap();
    let r = d
        .post_form(
            &bulk,
            &[
                ("action", "reject"),
                ("template", &t.id.to_string()),
                ("idea", &ids[1]),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert!(r.body.contains("۱ ایده تغییر کرد"), "{}", r.body);
    assert!(
        a.get(&format!("/ideas/{}", ids[1]))
            .await
            .body
            .contains("ظرفیت این مرحله پر شده است.")
    );
    // A template deleted meanwhile is an error on the template field, not a 404 for the request.
    let r = d
        .post_form(
            &bulk,
            &[
                ("action", "reject"),
                ("template", "987654"),
                ("idea", &ids[2]),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains(r#"name="template""#), "the inbox again");
    // The API: tag and reclassify a selection.
    let tok = d.token("dabir").await;
    let path = format!("/api/v1/calls/{}/bulk", c.public_id);
    let r = d
        .api(
            "POST",
            &path,
            Some(&tok),
            Some(json!({"ideas": ids, "action": "reject", "template_id": 987654})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "template");
    let r = d
        .api(
            "POST",
            &path,
            Some(&tok),
            Some(json!({"ideas": ids, "action": "tag", "tag": "موج دوم"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["changed"].as_array().unwrap().len(), 3);
    let r = d
        .api(
            "POST",
            &path,
            Some(&tok),
            Some(json!({"ideas": ids, "action": "reclassify", "axis_id": c.axes[1].id})),
        )
        .await;
    assert_eq!(r.json()["changed"].as_array().unwrap().len(), 3);
    let r = d
        .api(
            "POST",
            &path,
            Some(&tok),
            Some(json!({"ideas": ids, "action": "accept"})),
        )
        .await;
    let j = r.json();
    assert_eq!(
        (
            j["changed"].as_array().unwrap().len(),
            j["skipped"].as_array().unwrap().len()
        ),
        (1, 2)
    );
}

/// A duplicate keeps its axis: the page and the API refuse to reclassify it with a message on
/// the axis, also when the merge lands after the page was read; a reclassification that lost a
/// race to another one is a field error too, never a 500.
async fn reclassifying_a_duplicate_or_a_moved_idea_is_a_field_error_not_a_500(app: TestApp) {
    let c = call(&app).await;
    let (mut a, _) = app.signed_in("sara", &[Role::Participant]).await;
    let kept = submit(&mut a, &c, "پیامک وضعیت پرونده", "k1").await;
    let dup = submit(&mut a, &c, "اطلاع‌رسانی پیامکی وضعیت پرونده", "k2").await;
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let tok = d.token("dabir").await;
    let r = d
        .api(
            "POST",
            &format!("/api/v1/ideas/{dup}/merge"),
            Some(&tok),
            Some(json!({"into": kept})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let axis = c.axes[1].id.to_string();
    let r = d
        .post_form(&format!("/ideas/{dup}/reclassify"), &[("axis", &axis)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("نمی‌توان محورش را تغییر داد"), "{}", r.body);
    let r = d
        .api(
            "POST",
            &format!("/api/v1/ideas/{dup}/reclassify"),
            Some(&tok),
            Some(json!({"axis_id": c.axes[1].id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "axis_id");
    assert!(r.body.contains("نمی‌توان محورش را تغییر داد"), "{}", r.body);
    // Two reclassifications of the same view race: one moves the idea, the other is told.
    let hold = app.state.store.hold_writes().await;
    let tabs: Vec<_> = (0..2)
        .map(|_| {
            let (mut tab, path) = (d.clone(), format!("/ideas/{kept}/reclassify"));
            let axis = axis.clone();
            tokio::spawn(async move { tab.post_form(&path, &[("axis", &axis)]).await })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
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
    assert_eq!(
        answers[1].status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answers[1].body
    );
    assert!(
        answers[1].body.contains("در این فاصله تغییر کرده است"),
        "{}",
        answers[1].body
    );
}

/// A tag over the limit is a field error on the page, as over the API, never dropped silently.
async fn an_over_long_tag_is_refused_on_the_page_as_over_the_api(app: TestApp) {
    use hamafza_web::testing::fixtures;
    let (mut sec, _) = app.signed_in("sec", &[Role::Secretariat]).await;
    let author = app.user("author", &[Role::Participant]).await;
    let call = fixtures::open_call(&app, hamafza_core::call::Audience::Both).await;
    let idea = fixtures::idea_by(&app, &call, &author, "ایده‌ای برای برچسب").await;
    let long = "ب".repeat(51);
    let r = sec
        .post_form(
            &format!("/ideas/{}/tags", idea.public_id),
            &[("add", &format!("کوتاه، {long}"))],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        r.location()
    );
    assert!(r.body.contains(r#"id="add-tags-error""#));
    assert!(r.body.contains("۵۰"), "the limit, in Persian digits");
    let tags = app.state.store.tags_of_ideas(&[idea.id]).await.unwrap();
    assert!(tags.is_empty(), "nothing added: {tags:?}");
    let token = sec.token("sec").await;
    let r = sec
        .api(
            "POST",
            &format!("/api/v1/ideas/{}/tags", idea.public_id),
            Some(&token),
            Some(json!({ "add": ["کوتاه", long], "remove": [] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "add");
}
