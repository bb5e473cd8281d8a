//! What a person meets on the pages, on both databases: consequential actions ask first on a page
//! of their own (no JavaScript; the API does not ask), the inbox folds its filters and marks its
//! rows for cards, and the submit form chooses no axis, announces a restored draft that can be
//! discarded, and labels its file picker in the page's language.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::Call;
use hamafza_core::call::{Audience, CallState};
use hamafza_core::idea::IdeaStatus;
use hamafza_web::testing::fixtures::{idea_by, open_call};
use hamafza_web::testing::{Client, TestApp};
use hamafza_web::web_tests;
use serde_json::json;

web_tests!(
    closing_a_call_asks_first_and_only_the_confirming_post_closes_it,
    rejecting_merging_and_bulk_actions_ask_first_but_not_over_the_api,
    publishing_results_and_ending_sessions_ask_first,
    the_inbox_folds_its_filters_unless_one_is_in_use_and_its_rows_become_cards,
    the_submit_form_chooses_no_axis_and_says_so_when_it_is_left_empty,
    a_restored_draft_is_announced_and_can_be_discarded,
    the_file_picker_speaks_the_pages_language,
);

async fn state_of(app: &TestApp, call: &Call) -> CallState {
    app.state.store.call(call.id).await.unwrap().state
}

async fn status_of(app: &TestApp, public_id: &str) -> IdeaStatus {
    let idea = app.state.store.idea_by_public_id(public_id).await.unwrap();
    idea.unwrap().status
}

/// The hidden field `name` of a confirmation page holds `value`.
fn carries(body: &str, name: &str, value: &str) -> bool {
    body.contains(&format!(
        r#"<input type="hidden" name="{name}" value="{value}">"#
    ))
}

async fn closing_a_call_asks_first_and_only_the_confirming_post_closes_it(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    // «بستن» is not the page's primary button.
    let page = d.get(&format!("/calls/{}", c.public_id)).await;
    assert!(
        page.body
            .contains(r#"<button class="button secondary danger" type="submit">بستن</button>"#),
        "{}",
        page.body
    );
    let path = format!("/secretariat/calls/{}/state", c.public_id);
    let r = d.post_form(&path, &[("to", "closed")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("این فراخوان بسته شود؟"), "{}", r.body);
    assert!(r.body.contains("فراخوان آزمایشی"), "says to what");
    assert!(
        r.body
            .contains(&format!(r#"<form method="post" action="{path}">"#))
    );
    assert!(carries(&r.body, "to", "closed") && carries(&r.body, "confirm", "yes"));
    assert!(
        r.body
            .contains(r#"<input type="hidden" name="csrf" value=""#)
    );
    assert!(
        r.body
            .contains(&format!(r#"href="/calls/{}">انصراف</a>"#, c.public_id)),
        "a way back"
    );
    assert_eq!(
        state_of(&app, &c).await,
        CallState::Published,
        "nothing yet"
    );
    // The confirming post is checked for CSRF like the first.
    let r = d
        .post_form_raw(&path, &[("to", "closed"), ("confirm", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(state_of(&app, &c).await, CallState::Published);
    let r = d
        .post_form(&path, &[("to", "closed"), ("confirm", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(state_of(&app, &c).await, CallState::Closed);
    // Archiving asks too; publishing again does not.
    let r = d.post_form(&path, &[("to", "archived")]).await;
    assert!(r.body.contains("این فراخوان بایگانی شود؟"));
    assert_eq!(state_of(&app, &c).await, CallState::Closed);
    let r = d.post_form(&path, &[("to", "published")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, &c).await, CallState::Published);
    // In English.
    d.get("/lang/en?next=/").await;
    let r = d.post_form(&path, &[("to", "closed")]).await;
    assert!(r.body.contains("Close this call?") && r.body.contains(">Cancel</a>"));
}

async fn rejecting_merging_and_bulk_actions_ask_first_but_not_over_the_api(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let author = app.user("sara", &[Role::Participant]).await;
    let one = idea_by(&app, &c, &author, "پیامک وضعیت پرونده").await;
    let two = idea_by(&app, &c, &author, "اطلاع‌رسانی پیامکی پرونده").await;
    let three = idea_by(&app, &c, &author, "نوبت‌دهی اینترنتی شعبه").await;
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;

    // Rejecting: the message travels to the confirmation and back.
    let decide = format!("/ideas/{}/decide", one.public_id);
    let reject = [("transition", "reject"), ("message", "خارج از محور")];
    let r = d.post_form(&decide, &reject).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("این ایده رد شود؟") && r.body.contains("پیامک وضعیت پرونده"));
    assert!(carries(&r.body, "message", "خارج از محور"));
    assert!(carries(&r.body, "transition", "reject"));
    assert_eq!(status_of(&app, &one.public_id).await, IdeaStatus::Submitted);
    // Without a message there is nothing to confirm: the error comes at once.
    let r = d.post_form(&decide, &[("transition", "reject")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = d
        .post_form(&decide, &[reject[0], reject[1], ("confirm", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(status_of(&app, &one.public_id).await, IdeaStatus::Rejected);

    // Merging names both ideas; a wrong target is said at once.
    let merge = format!("/ideas/{}/merge", two.public_id);
    let r = d.post_form(&merge, &[("into", "nothing")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = d.post_form(&merge, &[("into", &three.public_id)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("این ایده تکراری ثبت شود؟"));
    assert!(r.body.contains("اطلاع‌رسانی پیامکی پرونده") && r.body.contains("نوبت‌دهی اینترنتی شعبه"));
    assert_eq!(status_of(&app, &two.public_id).await, IdeaStatus::Submitted);
    let r = d
        .post_form(&merge, &[("into", &three.public_id), ("confirm", "yes")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(status_of(&app, &two.public_id).await, IdeaStatus::Duplicate);

    // A bulk action lists the ideas it will change and keeps the inbox's filters for "cancel".
    let bulk = format!("/secretariat/calls/{}/bulk", c.public_id);
    let form = [
        ("return", "status=submitted"),
        ("action", "tag"),
        ("tag", "پیگیری"),
        ("idea", three.public_id.as_str()),
    ];
    let r = d.post_form(&bulk, &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("این کار روی ۱ ایده انجام شود؟"),
        "{}",
        r.body
    );
    assert!(r.body.contains("<li><bdi>نوبت‌دهی اینترنتی شعبه</bdi></li>"));
    assert!(carries(&r.body, "idea", &three.public_id) && carries(&r.body, "tag", "پیگیری"));
    assert!(r.body.contains(&format!(
        r#"href="/secretariat/calls/{}/ideas?status=submitted""#,
        c.public_id
    )));
    assert!(app.state.store.tags_of_call(c.id).await.unwrap().is_empty());
    // A bulk form with nothing selected is an error, not a question.
    let r = d.post_form(&bulk, &form[..3]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut confirmed = form.to_vec();
    confirmed.push(("confirm", "yes"));
    let r = d.post_form(&bulk, &confirmed).await;
    assert!(r.body.contains("۱ ایده تغییر کرد"), "{}", r.body);
    assert_eq!(app.state.store.tags_of_call(c.id).await.unwrap().len(), 1);

    // The API's callers already chose: it acts at once.
    let token = d.token("dabir").await;
    let r = d
        .api(
            "POST",
            &format!("/api/v1/ideas/{}/transitions", three.public_id),
            Some(&token),
            Some(json!({ "transition": "reject", "message": "ظرفیت پر است" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        status_of(&app, &three.public_id).await,
        IdeaStatus::Rejected
    );
}

async fn publishing_results_and_ending_sessions_ask_first(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let (mut d, dabir) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let winner = idea_by(&app, &c, &dabir, "پیامک وضعیت پرونده").await;
    hamafza_web::testing::fixtures::award(&app, &c, &winner).await;
    let c = hamafza_web::testing::fixtures::end_submission(&app, &c).await;
    let path = format!("/secretariat/calls/{}/results/publish", c.public_id);
    let r = d.post_form(&path, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("نتایج برای همگان منتشر شود؟"));
    assert!(r.body.contains("روی صفحهٔ عمومی"));
    let call = app.state.store.call(c.id).await.unwrap();
    assert!(call.results_published_at.is_none());
    // The results editor's button no longer relies on a script to ask.
    let page = d
        .get(&format!("/secretariat/calls/{}/results", c.public_id))
        .await;
    assert!(!page.body.contains("data-confirm"));

    // Revoking a token names it, and a stranger's token is "not found", not a question.
    d.post_form("/settings/tokens", &[("name", "اسکریپت گزارش")])
        .await;
    let id = app.state.store.api_tokens(dabir.id).await.unwrap()[0].id;
    let r = d
        .post_form(&format!("/settings/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("اسکریپت گزارش") && r.body.contains("باطل شود؟"));
    let (mut other, _) = app.signed_in("reza", &[Role::Participant]).await;
    let r = other
        .post_form(&format!("/settings/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn the_inbox_folds_its_filters_unless_one_is_in_use_and_its_rows_become_cards(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let author = app.user("sara", &[Role::Participant]).await;
    idea_by(&app, &c, &author, "پیامک وضعیت پرونده").await;
    let (mut d, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let inbox = format!("/secretariat/calls/{}/ideas", c.public_id);
    let r = d.get(&inbox).await;
    assert!(
        r.body
            .contains(r#"<details class="fold" id="inbox-filters" data-open-wide>"#),
        "folded: {}",
        r.body
    );
    // The title search stays outside the fold.
    let search = r.body.find(r#"id="search""#).unwrap();
    assert!(search < r.body.find("<details").unwrap());
    assert!(r.body.contains(r#"<table class="cards">"#));
    assert!(r.body.contains(r#"<td data-label="محور">"#));
    // A filter in use opens the fold and is counted on it.
    let r = d
        .get(&format!("{inbox}?status=submitted&axis={}", c.axes[0].id))
        .await;
    assert!(r.body.contains(r#"data-open-wide open>"#), "{}", r.body);
    assert!(r.body.contains("۲ پالایهٔ فعال"));
    // So does a filter's error.
    let r = d.get(&format!("{inbox}?from=دیروز")).await;
    assert!(r.body.contains(r#"data-open-wide open>"#));
    // The settings page's tables are cards on a phone too.
    let r = d.get("/settings").await;
    assert!(r.body.contains(r#"<table class="cards">"#));
    assert!(
        r.body.contains(r#"<td data-label="آخرین استفاده">"#),
        "{}",
        r.body
    );
}

/// The submission's multipart form, as a browser sends it.
async fn submit(
    p: &mut Client,
    c: &Call,
    fields: &[(&str, &str)],
) -> hamafza_web::testing::TestResponse {
    let token = p.csrf().await;
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    p.post_multipart_raw(&format!("/calls/{}/submit", c.public_id), &all, &[])
        .await
}

async fn the_submit_form_chooses_no_axis_and_says_so_when_it_is_left_empty(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let page = p.get(&format!("/calls/{}/submit", c.public_id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"name="axis" value=""#));
    assert!(
        !page.body.contains(" required checked"),
        "no axis chosen: {}",
        page.body
    );
    let r = submit(
        &mut p,
        &c,
        &[
            ("title", "پیامک وضعیت پرونده"),
            (
                "problem",
                "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.",
            ),
            (
                "solution",
                "پس از هر تغییر وضعیت پرونده، پیامکی با کد رهگیری فرستاده شود.",
            ),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains(r#"<p class="field-error" id="axis-error">محور ایده را برگزینید.</p>"#),
        "{}",
        r.body
    );
    assert!(
        r.body.contains(r#"value="پیامک وضعیت پرونده""#),
        "kept what was typed"
    );
    assert!(r.body.contains("به شعبه مراجعه می‌کنند."));
}

async fn a_restored_draft_is_announced_and_can_be_discarded(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    let url = format!("/calls/{}/submit", c.public_id);
    let page = p.get(&url).await;
    assert!(!page.body.contains("بازگردانده شد"), "no draft, no notice");
    p.post_form(
        &format!("/calls/{}/draft", c.public_id),
        &[("title", "پیش‌نویس نیمه‌کاره")],
    )
    .await;
    let saved = app.state.store.draft(user.id, c.id).await.unwrap().unwrap();
    let page = p.get(&url).await;
    assert!(page.body.contains("پیش‌نویس نیمه‌کاره"));
    let when = hamafza_web::i18n::Lang::Fa.datetime(saved.updated_at);
    assert!(
        page.body.contains("پیش‌نویسی که") && page.body.contains(&when),
        "the notice names the Jalali date {when}: {}",
        page.body
    );
    let discard = format!("/calls/{}/draft/discard", c.public_id);
    assert!(page.body.contains(&format!(r#"action="{discard}""#)));
    // Discarding is a form with a CSRF token.
    let r = p.post_form_raw(&discard, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        app.state
            .store
            .draft(user.id, c.id)
            .await
            .unwrap()
            .is_some()
    );
    let r = p.post_form(&discard, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        app.state
            .store
            .draft(user.id, c.id)
            .await
            .unwrap()
            .is_none()
    );
    let page = p.get(r.location()).await;
    assert!(page.body.contains("پیش‌نویس پاک شد"));
    assert!(!page.body.contains("پیش‌نویس نیمه‌کاره") && !page.body.contains("بازگردانده شد"));
    // In English.
    p.post_form(
        &format!("/calls/{}/draft", c.public_id),
        &[("title", "draft")],
    )
    .await;
    p.get("/lang/en?next=/").await;
    assert!(p.get(&url).await.body.contains("Your draft saved"));
}

async fn the_file_picker_speaks_the_pages_language(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let (mut p, _) = app.signed_in("sara", &[Role::Participant]).await;
    let url = format!("/calls/{}/submit", c.public_id);
    let page = p.get(&url).await;
    assert!(page.body.contains(
        r#"<label class="button secondary" for="attachments" id="attachments-choose">انتخاب پرونده‌ها</label>"#
    ));
    assert!(
        page.body
            .contains(r#"aria-labelledby="attachments-title attachments-choose""#)
    );
    p.get("/lang/en?next=/").await;
    let page = p.get(&url).await;
    assert!(
        page.body
            .contains(r#"id="attachments-choose">Choose files</label>"#)
    );
}
