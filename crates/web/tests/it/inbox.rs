//! Screening at speed, on both databases: counts above the inbox, a message when a filter
//! matches nothing, select all without a script, bulk errors at the top with nothing typed or
//! ticked lost, a decision that moves on to the next idea of the filtered list, and a merge
//! target found rather than typed.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::Audience;
use hamafza_core::idea::IdeaStatus;
use hamafza_web::testing::TestApp;
use hamafza_web::testing::fixtures::{idea_by, open_call};
use hamafza_web::web_tests;

web_tests!(
    the_inbox_counts_by_status_and_axis_and_says_when_nothing_matches,
    select_all_ticks_the_page_and_bulk_errors_come_first_keeping_the_form,
    a_decision_from_the_inbox_moves_on_to_the_next_idea_of_the_list,
    a_merge_target_is_found_by_search_or_offered_as_similar,
);

const TITLES: [&str; 3] = [
    "پیامک وضعیت پرونده بیمه‌شدگان",
    "سامانهٔ نوبت‌دهی شعب",
    "پرداخت برخط حق بیمه",
];

async fn the_inbox_counts_by_status_and_axis_and_says_when_nothing_matches(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let sara = app.user("sara", &[Role::Participant]).await;
    for t in TITLES {
        idea_by(&app, &c, &sara, t).await;
    }
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let inbox = format!("/secretariat/calls/{}/ideas", c.public_id);
    let r = d.get(&inbox).await;
    assert_eq!(r.status, StatusCode::OK);
    let counts = &r.body[r.body.find(r#"<nav class="counts""#).expect("counts")..];
    let counts = &counts[..counts.find("</nav>").unwrap()];
    // Three ideas, all submitted, all on the first axis; each count links to its filter.
    assert!(
        counts.contains("ثبت‌شده، در انتظار بررسی</span> <span class=\"tag\">۳</span>"),
        "{counts}"
    );
    assert!(counts.contains("status=submitted"));
    assert!(counts.contains(&format!("axis={}", c.axes[0].id)));
    assert!(counts.contains("خدمات غیرحضوری</bdi> <span class=\"tag\">۳</span>"));

    let r = d.get(&format!("{inbox}?status=rejected")).await;
    assert!(
        r.body.contains("هیچ ایده‌ای با این پالایه‌ها یافت نشد"),
        "{}",
        r.body
    );
    assert!(r.body.contains("برداشتن همهٔ پالایه‌ها"));
    assert!(
        !r.body.contains("<table class=\"cards\">"),
        "no empty table"
    );
    assert!(!r.body.contains(r#"id="bulk""#), "no bulk form for nothing");
}

async fn select_all_ticks_the_page_and_bulk_errors_come_first_keeping_the_form(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let sara = app.user("sara", &[Role::Participant]).await;
    let mut ids = Vec::new();
    for t in TITLES {
        ids.push(idea_by(&app, &c, &sara, t).await.public_id);
    }
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let inbox = format!("/secretariat/calls/{}/ideas", c.public_id);
    let r = d.get(&inbox).await;
    assert_eq!(r.body.matches(" checked ").count(), 0);
    assert!(r.body.contains("انتخاب همهٔ ۳ ایدهٔ این صفحه"));
    let r = d.get(&format!("{inbox}?status=submitted&select=all")).await;
    assert_eq!(
        r.body.matches(r#"name="idea""#).count(),
        r.body.matches(" checked aria-label").count(),
        "every row ticked"
    );
    assert!(r.body.contains("برداشتن انتخاب‌ها"));

    // Rejecting two without a reason: the error is at the top, the ticks and text stay.
    let bulk = format!("/secretariat/calls/{}/bulk", c.public_id);
    let r = d
        .post_form(
            &bulk,
            &[
                ("action", "reject"),
                ("tag", "تکراری"),
                ("idea", &ids[0]),
                ("idea", &ids[2]),
                ("return", "status=submitted"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let alert = r.body.find("کار انجام نشد").expect("the alert");
    let table = r.body.find("<table").expect("the list");
    assert!(alert < table, "errors before the list");
    assert!(
        r.body.contains(r##"<a href="#bulk-message">"##),
        "the error links to its field"
    );
    assert_eq!(
        r.body.matches(" checked aria-label").count(),
        2,
        "ticks kept"
    );
    assert!(r.body.contains(r#"<option value="reject" selected>"#));
    assert!(r.body.contains(r#"value="تکراری""#), "typed tag kept");
    for id in &ids {
        let i = app
            .state
            .store
            .idea_by_public_id(id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(i.status, IdeaStatus::Submitted, "nothing done");
    }
}

async fn a_decision_from_the_inbox_moves_on_to_the_next_idea_of_the_list(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let sara = app.user("sara", &[Role::Participant]).await;
    let mut ideas = Vec::new();
    for t in TITLES {
        ideas.push(idea_by(&app, &c, &sara, t).await);
    }
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    // Oldest first, submitted only: the list a secretary works through.
    let q = "status=submitted&sort=oldest";
    let r = d
        .get(&format!("/secretariat/calls/{}/ideas?{q}", c.public_id))
        .await;
    let carry = "inbox=status%3Dsubmitted%26sort%3Doldest";
    assert!(r.body.contains(carry), "rows carry the list: {}", r.body);
    let page = d
        .get(&format!("/ideas/{}?{carry}", ideas[0].public_id))
        .await;
    assert!(
        page.body
            .contains(r#"name="inbox" value="status=submitted&#38;sort=oldest""#),
        "the decision form carries the list: {}",
        page.body
    );
    assert!(page.body.contains("بازگشت به فهرست"));
    for (n, idea) in ideas.iter().enumerate() {
        let r = d
            .post_form(
                &format!("/ideas/{}/decide", idea.public_id),
                &[
                    ("transition", "accept"),
                    ("expected_status", "submitted"),
                    ("expected_stage", "0"),
                    ("inbox", q),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        if let Some(next) = ideas.get(n + 1) {
            assert_eq!(
                r.location(),
                format!("/ideas/{}?{carry}&done=next", next.public_id)
            );
            let page = d.get(r.location()).await;
            assert!(page.body.contains("این ایدهٔ بعدی فهرست است"));
        } else {
            assert_eq!(
                r.location(),
                format!("/secretariat/calls/{}/ideas?{q}&done=list", c.public_id)
            );
            let page = d.get(r.location()).await;
            assert!(page.body.contains("ایدهٔ دیگری در این فهرست نمانده است"));
        }
    }
    // Without the list, a decision stays on the idea.
    let other = idea_by(&app, &c, &sara, "کیوسک خدمات در داروخانه‌ها").await;
    let r = d
        .post_form(
            &format!("/ideas/{}/decide", other.public_id),
            &[("transition", "accept")],
        )
        .await;
    assert_eq!(r.location(), format!("/ideas/{}", other.public_id));
}

async fn a_merge_target_is_found_by_search_or_offered_as_similar(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let sara = app.user("sara", &[Role::Participant]).await;
    let kept = idea_by(&app, &c, &sara, "پیامک وضعیت پرونده بیمه‌شدگان").await;
    let other = idea_by(&app, &c, &sara, "سامانهٔ نوبت‌دهی شعب").await;
    let dup = idea_by(&app, &c, &sara, "ارسال پیامک وضعیت پرونده").await;
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let url = format!("/ideas/{}", dup.public_id);
    // Similar ideas are offered without a search (the fixtures share their text).
    let page = d.get(&url).await;
    assert!(page.body.contains("ایده‌های همانند"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!(r#"name="into" value="{}""#, kept.public_id))
    );
    assert!(
        !page.body.contains(r#"<input id="into" name="into""#),
        "no typed id"
    );
    // A search by tracking code, in Persian digits, finds exactly that idea.
    let code = hamafza_persian::digits::to_persian(&other.tracking_code);
    let q = serde_urlencoded::to_string([("merge_q", code.as_str())]).unwrap();
    let page = d.get(&format!("{url}?{q}")).await;
    let found = &page.body[page.body.find("نتیجهٔ جست‌وجو").expect("results")..];
    let found = &found[..found.find("ایده‌های همانند").unwrap_or(found.len())];
    assert!(
        found.contains(&format!(r#"value="{}""#, other.public_id)),
        "{found}"
    );
    assert!(
        !found.contains(&format!(r#"value="{}""#, dup.public_id)),
        "not itself"
    );
    let q = serde_urlencoded::to_string([("merge_q", "هیچ‌چیزی‌نیست")]).unwrap();
    let page = d.get(&format!("{url}?{q}")).await;
    assert!(
        page.body
            .contains("ایده‌ای با این عنوان یا کد در این فراخوان یافت نشد")
    );
    // Choosing one merges (after asking).
    let r = d
        .post_form(
            &format!("{url}/merge"),
            &[("into", &kept.public_id), ("confirm", "yes")],
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let dup = app
        .state
        .store
        .idea_by_public_id(&dup.public_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dup.status, IdeaStatus::Duplicate);
}
