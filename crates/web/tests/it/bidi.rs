//! Invisible and direction-changing text (issue 14, item 7), on both databases: required text
//! needs something visible (five half-spaces are not a title), stray direction controls are
//! removed before text is stored, and user text shown inside other text is isolated in every
//! channel — `<bdi>` in the page body, FSI … PDI in the `<title>`, in sentences of the message
//! catalog (notifications, SMS, email) — and cleaned in the CSV export.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::account::User;
use hamafza_core::call::Audience;
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaText};
use hamafza_persian::controls::{FSI, PDI};
use hamafza_store::ideas::NewIdea;
use hamafza_store::users::UserUpdate;
use hamafza_web::testing::TestApp;
use hamafza_web::testing::fixtures::open_call;
use hamafza_web::web_tests;
use serde_json::json;

web_tests!(
    text_with_nothing_visible_is_required_on_the_page_and_over_the_api,
    a_stored_override_is_shown_only_inside_bdi_and_never_in_plain_text,
    the_receipt_sms_and_email_isolate_the_title_and_the_tracking_code,
    the_csv_export_removes_overrides_from_its_cells,
);

const RLO: char = '\u{202E}';
const REQUIRED: &str = "این خانه را پر کنید.";
const PROBLEM: &str = "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.";
const SOLUTION: &str = "پس از هر تغییر وضعیت پرونده، پیامکی با کد رهگیری فرستاده شود.";

/// An idea stored with `title` as given, past validation: what rows written before input was
/// cleaned (or by a tool that skipped it) look like. Output must be safe for them too.
async fn stored_idea(app: &TestApp, call: &Call, author: &User, title: &str) -> Idea {
    let text = IdeaText {
        axis_id: call.axes[0].id,
        title: title.into(),
        problem: PROBLEM.into(),
        solution: SOLUTION.into(),
        benefits: String::new(),
        resources: String::new(),
        owner_unit_id: None,
    };
    let new = NewIdea {
        call_id: call.id,
        author_id: Some(author.id),
        channel: Channel::Web,
        text: &text,
        idempotency_key: None,
    };
    app.state.store.submit_idea(&new).await.unwrap().0
}

async fn set_user(app: &TestApp, u: &User, display_name: &str, mobile: Option<&str>) {
    app.state
        .store
        .update_user(
            u.id,
            &UserUpdate {
                display_name: display_name.into(),
                national_id: None,
                mobile: mobile.map(Into::into),
                org_unit_id: None,
                roles: u.roles.clone(),
                disabled: false,
            },
            None,
        )
        .await
        .unwrap();
}

/// Whether every `c` in `html` is inside a `<bdi>` element, where it cannot reach the text
/// around it.
fn only_inside_bdi(html: &str, c: char) -> bool {
    let mut depth = 0usize;
    let mut rest = html;
    while let Some(ch) = rest.chars().next() {
        if rest.starts_with("<bdi") {
            depth += 1;
        } else if rest.starts_with("</bdi>") {
            depth = depth.saturating_sub(1);
        } else if ch == c && depth == 0 {
            return false;
        }
        rest = &rest[ch.len_utf8()..];
    }
    true
}

/// The text of the page's `<title>`.
fn title_of(html: &str) -> &str {
    let start = html.find("<title>").map_or(0, |i| i + "<title>".len());
    let end = html[start..]
        .find("</title>")
        .map_or(html.len(), |i| start + i);
    &html[start..end]
}

async fn text_with_nothing_visible_is_required_on_the_page_and_over_the_api(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    let axis = c.axes[0].id.to_string();
    let submit = format!("/calls/{}/submit", c.public_id);
    let zwnj = "\u{200C}".repeat(5);
    let zwsp = "\u{200B}".repeat(5);
    let marks = "\u{200F}\u{200E}\u{202E}\u{2066}\u{FEFF}";
    for (i, title) in [zwnj.as_str(), zwsp.as_str(), marks]
        .into_iter()
        .enumerate()
    {
        let key = format!("k{i}");
        let r = p
            .post_form(
                &submit,
                &[
                    ("axis", &axis),
                    ("title", title),
                    ("problem", PROBLEM),
                    ("solution", SOLUTION),
                    ("idempotency", &key),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{title:?}");
        assert!(
            r.body
                .contains(&format!(r#"id="title-error">{REQUIRED}</p>"#)),
            "the same message as an empty title, for {title:?}: {}",
            r.body
        );
    }
    let r = p
        .post_form(
            &submit,
            &[
                ("axis", &axis),
                ("title", "پیامک وضعیت پرونده"),
                ("problem", &"\u{200B}".repeat(25)),
                ("solution", SOLUTION),
                ("idempotency", "k9"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains(&format!(r#"id="problem-error">{REQUIRED}</p>"#)),
        "{}",
        r.body
    );

    let token = p.token("sara").await;
    for title in [zwnj.as_str(), zwsp.as_str()] {
        let body = json!({
            "axis_id": c.axes[0].id,
            "title": title,
            "problem": "\u{200B}".repeat(25),
            "solution": SOLUTION,
        });
        let r = p
            .api(
                "POST",
                &format!("/api/v1/calls/{}/ideas", c.public_id),
                Some(&token),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            r.json()["errors"],
            json!([
                { "field": "title", "detail": REQUIRED },
                { "field": "problem", "detail": REQUIRED },
            ]),
        );
    }
    assert!(
        app.state
            .store
            .ideas_of_author(user.id, None)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_stored_override_is_shown_only_inside_bdi_and_never_in_plain_text(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let author = app.user("sara", &[Role::Participant]).await;
    set_user(&app, &author, &format!("Sara {RLO}Ahmadi"), None).await;
    let title = format!("SMS {RLO}پیامک وضعیت پرونده");
    let idea = stored_idea(&app, &c, &author, &title).await;
    app.worker().run_once().await.unwrap();

    let (mut staff, _) = app
        .signed_in("dabir", &[Role::Secretariat, Role::Admin])
        .await;
    let mut sara = app.client();
    sara.post_form(
        "/login",
        &[
            ("username", "sara"),
            ("password", hamafza_web::testing::PASSWORD),
        ],
    )
    .await;
    let idea_page = format!("/ideas/{}", idea.public_id);
    let inbox = format!("/secretariat/calls/{}/ideas", c.public_id);
    for (who, path) in [
        ("secretariat", idea_page.as_str()),
        ("secretariat", inbox.as_str()),
        ("admin", "/admin/users"),
        ("author", idea_page.as_str()),
        ("author", "/my/ideas"),
        ("author", "/notifications"),
        ("author", "/settings"),
    ] {
        let client = if who == "author" {
            &mut sara
        } else {
            &mut staff
        };
        let r = client.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{who} {path}");
        assert!(
            r.body.contains("پیامک وضعیت پرونده") || r.body.contains("Ahmadi"),
            "{who} {path} shows the text: {}",
            r.body
        );
        assert!(
            only_inside_bdi(&r.body, RLO),
            "{who} {path}: U+202E outside <bdi>: {}",
            r.body
        );
        assert!(
            !title_of(&r.body).contains(RLO),
            "{who} {path}: {:?}",
            title_of(&r.body)
        );
    }
    let page = staff.get(&idea_page).await;
    assert!(
        title_of(&page.body).contains(&format!("{FSI}SMS پیامک وضعیت پرونده{PDI}")),
        "the <title> isolates the title: {:?}",
        title_of(&page.body)
    );
    let notes = sara.get("/notifications").await;
    assert!(
        notes
            .body
            .contains(&format!("{FSI}SMS پیامک وضعیت پرونده{PDI}")),
        "the inbox sentence isolates the title: {}",
        notes.body
    );
}

async fn the_receipt_sms_and_email_isolate_the_title_and_the_tracking_code(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    set_user(&app, &user, "سارا احمدی", Some("09121234567")).await;
    app.state
        .store
        .save_notification_settings(user.id, Some("sara@example.org"), &[], None)
        .await
        .unwrap();
    let r = p
        .post_form(
            &format!("/calls/{}/submit", c.public_id),
            &[
                ("axis", &c.axes[0].id.to_string()),
                ("title", &format!("Smart {RLO}SMS پیامک")),
                ("problem", PROBLEM),
                ("solution", SOLUTION),
                ("idempotency", "k1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let idea = app
        .state
        .store
        .ideas_of_author(user.id, None)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(idea.title, "Smart SMS پیامک", "the override is not stored");
    app.worker().run_once().await.unwrap();

    let title = format!("{FSI}Smart SMS پیامک{PDI}");
    let code = format!(
        "{FSI}{}{PDI}",
        hamafza_persian::digits::to_persian(&idea.tracking_code)
    );
    let sms = app.last_sms("09121234567").expect("an SMS receipt");
    let mail = app
        .emails
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.to == "sara@example.org")
        .cloned()
        .expect("an email receipt");
    for (what, text) in [("SMS", &sms), ("email", &mail.body)] {
        assert!(text.contains(&title), "{what}: {text:?}");
        assert!(text.contains(&code), "{what}: {text:?}");
    }
    assert!(mail.subject.contains(&title), "{:?}", mail.subject);
    assert!(
        mail.body.contains(&format!("{FSI}سارا احمدی{PDI}")),
        "the greeting isolates the name: {:?}",
        mail.body
    );
}

async fn the_csv_export_removes_overrides_from_its_cells(app: TestApp) {
    let c = open_call(&app, Audience::Both).await;
    let author = app.user("sara", &[Role::Participant]).await;
    set_user(&app, &author, &format!("Sara {RLO}Ahmadi"), None).await;
    stored_idea(&app, &c, &author, &format!("=1+1 {RLO}پیامک")).await;
    stored_idea(&app, &c, &author, &format!("{RLO}=HYPERLINK(\"x\")")).await;
    let (mut staff, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let r = staff
        .get(&format!(
            "/secretariat/calls/{}/export?format=csv",
            c.public_id
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains(RLO), "{:?}", r.body);
    assert!(r.body.contains("\"'=1+1 پیامک\""), "{}", r.body);
    assert!(
        r.body.contains("\"'=HYPERLINK(\"\"x\"\")\""),
        "a formula behind an override is still neutralised: {}",
        r.body
    );
    assert!(r.body.contains("\"Sara Ahmadi\""), "{}", r.body);
}
