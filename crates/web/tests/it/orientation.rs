//! Orientation and revision: sessions for finalists, invitations, attendance, and comparing an
//! idea's versions — on both databases.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::Call;
use hamafza_core::call::{Audience, CallState, StageKind, ValidCall, ValidStage};
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaStatus, IdeaText, Place};
use hamafza_core::ids::UserId;
use hamafza_store::ideas::NewIdea;
use hamafza_web::testing::TestApp;
use hamafza_web::testing::fixtures::{self, days_from_today};
use hamafza_web::web_tests;

web_tests!(
    the_secretariat_schedules_a_session_invites_and_records_attendance,
    a_bad_session_form_keeps_what_was_typed,
    unknown_tracking_codes_invite_nobody,
    only_the_secretariat_runs_orientation,
    versions_are_compared_word_by_word,
    finalists_revise_their_ideas_during_orientation,
);

/// A published call whose submission stage is open today.
async fn call(app: &TestApp) -> Call {
    fixtures::published_call(
        app,
        "جمعینو ۲",
        Audience::Both,
        &["فرهنگ بیمه"],
        &[
            (StageKind::Submission, -5, 5),
            (StageKind::Orientation, 6, 20),
        ],
    )
    .await
}

async fn idea(app: &TestApp, call: &Call, author: UserId, title: &str) -> Idea {
    let text = IdeaText {
        axis_id: call.axes[0].id,
        title: title.into(),
        problem: "بیمه‌شدگان از حقوق بیمه‌ای خود آگاه نیستند و دیر اقدام می‌کنند.".into(),
        solution: "مجموعهٔ پویانمایی کوتاه با زبان ساده در شبکه‌های اجتماعی منتشر شود.".into(),
        benefits: String::new(),
        resources: String::new(),
        owner_unit_id: None,
    };
    let new = NewIdea {
        call_id: call.id,
        author_id: Some(author),
        channel: Channel::Web,
        text: &text,
        idempotency_key: None,
    };
    app.state.store.submit_idea(&new).await.unwrap().0
}

fn session_form(date: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", "آشنایی با نظام مسائل سازمان".into()),
        ("date", date.into()),
        ("time", "۱۰:۳۰".into()),
        ("place", "تالار همایش‌های ستاد".into()),
        (
            "materials",
            "- قانون تأمین اجتماعی\n- **نظام مسائل**".into(),
        ),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn the_secretariat_schedules_a_session_invites_and_records_attendance(app: TestApp) {
    let c = call(&app).await;
    let author = app.user("finalist", &[Role::Participant]).await;
    let finalist = idea(&app, &c, author.id, "پویانمایی حقوق بیمه‌شدگان").await;
    let other = idea(&app, &c, author.id, "پادکست هفتگی فرهنگ بیمه").await;
    // Accepted from the submission stage into orientation: a finalist.
    let to = Place {
        status: IdeaStatus::Accepted,
        stage: 1,
    };
    app.state
        .store
        .transition_idea(finalist.id, finalist.place(), to, "", None)
        .await
        .unwrap();
    let (mut s, _) = app.signed_in("sec", &[Role::Secretariat]).await;
    let date = days_from_today(8).to_string();
    let r = s
        .post_form(
            &format!("/secretariat/calls/{}/orientation", c.public_id),
            &pairs(&session_form(&date)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page_url = r.location().to_string();
    let page = s.get(&page_url).await;
    assert!(page.body.contains("آشنایی با نظام مسائل سازمان"));
    assert!(
        page.body.contains("<strong>نظام مسائل</strong>"),
        "materials as Markdown"
    );
    assert!(page.body.contains("۱۰:۳۰"), "time in Persian digits");

    // Finalists: the accepted idea, not the other.
    let r = s
        .post_form(&format!("{page_url}/invite"), &[("finalists", "1")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("پویانمایی حقوق بیمه‌شدگان"));
    assert!(!r.body.contains("پادکست هفتگی فرهنگ بیمه"));
    // Inviting by tracking code, typed in Persian digits; inviting twice changes nothing.
    let code = hamafza_persian::digits::to_persian(&other.tracking_code);
    s.post_form(&format!("{page_url}/invite"), &[("codes", &code)])
        .await;
    s.post_form(&format!("{page_url}/invite"), &[("codes", &code)])
        .await;
    let session = app
        .state
        .store
        .orientation_by_public_id(page_url.rsplit('/').next().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        app.state
            .store
            .orientation_invitees(session.id)
            .await
            .unwrap()
            .len(),
        2
    );

    let field = format!("a_{}", finalist.id);
    let r = s
        .post_form(&format!("{page_url}/attendance"), &[(&field, "attended")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let invitees = app
        .state
        .store
        .orientation_invitees(session.id)
        .await
        .unwrap();
    let mark = |id| {
        invitees
            .iter()
            .find(|i| i.idea_id == id)
            .unwrap()
            .attendance
    };
    assert_eq!(mark(finalist.id).as_str(), "attended");
    assert_eq!(mark(other.id).as_str(), "invited");
    // The finalist sees the session on the idea.
    let mine = app
        .state
        .store
        .orientations_of_idea(finalist.id)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    let actions: Vec<String> = app
        .state
        .store
        .audit_for("orientation_session", &session.public_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["orientation.create", "orientation.attendance"]);
    // The invitation is a sentence in the idea's timeline, naming the session.
    let mut p = app.client();
    p.post_form(
        "/login",
        &[
            ("username", "finalist"),
            ("password", hamafza_web::testing::PASSWORD),
        ],
    )
    .await;
    let page = p.get(&format!("/ideas/{}", finalist.public_id)).await;
    assert!(
        page.body
            .contains("دعوت به جلسهٔ توجیهی: \u{2068}آشنایی با نظام مسائل سازمان"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(">…<") && !page.body.contains("— …"));
}

async fn a_bad_session_form_keeps_what_was_typed(app: TestApp) {
    let c = call(&app).await;
    let (mut s, _) = app.signed_in("sec", &[Role::Secretariat]).await;
    let mut f = session_form("۱۴۰۲/۱۳/۴۰");
    f[2].1 = "ده و نیم".into();
    let r = s
        .post_form(
            &format!("/secretariat/calls/{}/orientation", c.public_id),
            &pairs(&f),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("این روز در تقویم نیست"),
        "says the day is not in the calendar"
    );
    assert!(r.body.contains("۱۴:۳۰"), "says how to write a time");
    assert!(
        r.body.contains("value=\"ده و نیم\""),
        "keeps the typed time"
    );
    assert!(r.body.contains("تالار همایش‌های ستاد"));
    assert!(
        app.state
            .store
            .orientations_of_call(c.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn unknown_tracking_codes_invite_nobody(app: TestApp) {
    let c = call(&app).await;
    let author = app.user("p", &[Role::Participant]).await;
    let known = idea(&app, &c, author.id, "ایدهٔ شناخته").await;
    let (mut s, _) = app.signed_in("sec", &[Role::Secretariat]).await;
    let date = days_from_today(8).to_string();
    let r = s
        .post_form(
            &format!("/secretariat/calls/{}/orientation", c.public_id),
            &pairs(&session_form(&date)),
        )
        .await;
    let page_url = r.location().to_string();
    let codes = format!("{}\n1234567890", known.tracking_code);
    let r = s
        .post_form(&format!("{page_url}/invite"), &[("codes", &codes)])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("۱۲۳۴۵۶۷۸۹۰"), "names the unknown code");
    assert!(r.body.contains("1234567890"), "keeps what was typed");
    let session = app
        .state
        .store
        .orientations_of_call(c.id)
        .await
        .unwrap()
        .remove(0);
    assert!(
        app.state
            .store
            .orientation_invitees(session.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn only_the_secretariat_runs_orientation(app: TestApp) {
    let c = call(&app).await;
    let (mut s, _) = app.signed_in("sec", &[Role::Secretariat]).await;
    let date = days_from_today(8).to_string();
    let r = s
        .post_form(
            &format!("/secretariat/calls/{}/orientation", c.public_id),
            &pairs(&session_form(&date)),
        )
        .await;
    let page_url = r.location().to_string();
    let (mut p, _) = app.signed_in("p", &[Role::Participant]).await;
    for path in [
        format!("/secretariat/calls/{}/orientation", c.public_id),
        page_url.clone(),
    ] {
        assert_eq!(p.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    for path in [
        format!("/secretariat/calls/{}/orientation", c.public_id),
        format!("{page_url}/invite"),
        format!("{page_url}/attendance"),
    ] {
        let r = p.post_form(&path, &pairs(&session_form(&date))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        app.state
            .store
            .orientations_of_call(c.id)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn versions_are_compared_word_by_word(app: TestApp) {
    let c = call(&app).await;
    let (mut p, author) = app.signed_in("finalist", &[Role::Participant]).await;
    let i = idea(&app, &c, author.id, "پویانمایی حقوق بیمه‌شدگان").await;
    let mut text = IdeaText {
        axis_id: c.axes[0].id,
        title: i.title.clone(),
        problem: "بیمه‌شدگان از حقوق بیمه‌ای خود آگاه نیستند و دیر اقدام می‌کنند.".into(),
        solution: "مجموعهٔ پویانمایی کوتاه با زبان ساده در شبکه‌های اجتماعی منتشر شود.".into(),
        benefits: String::new(),
        resources: String::new(),
        owner_unit_id: None,
    };
    text.solution = "مجموعهٔ پویانمایی کوتاه با زبان ساده در تلویزیون استانی پخش شود.".into();
    app.state
        .store
        .edit_idea(i.id, i.place(), &text, Some(author.id))
        .await
        .unwrap();
    let r = p.get(&format!("/ideas/{}/compare", i.public_id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body
            .contains("<del class=\"diff-removed\">شبکه‌های اجتماعی منتشر</del>"),
        "{}",
        r.body
    );
    assert!(
        r.body
            .contains("<ins class=\"diff-added\">تلویزیون استانی پخش</ins>")
    );
    // Asking for versions in Persian digits works; a missing version is 404.
    let r = p
        .get(&format!(
            "/ideas/{}/compare?from=%DB%B1&to=%DB%B2",
            i.public_id
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = p
        .get(&format!("/ideas/{}/compare?from=1&to=9", i.public_id))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Someone else does not see the idea at all.
    let (mut other, _) = app.signed_in("other", &[Role::Participant]).await;
    let r = other.get(&format!("/ideas/{}/compare", i.public_id)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn finalists_revise_their_ideas_during_orientation(app: TestApp) {
    // Submission is over; the orientation and revision stage is open today.
    let stage = |kind, from, to| ValidStage {
        kind,
        title: String::new(),
        start: days_from_today(from),
        end: days_from_today(to),
    };
    let v = ValidCall {
        title: "جمعینو ۲".into(),
        description: String::new(),
        audience: Audience::Both,
        axes: vec![("فرهنگ بیمه".into(), String::new())],
        stages: vec![
            stage(StageKind::Submission, -30, -10),
            stage(StageKind::Orientation, -2, 10),
        ],
    };
    let c = app.state.store.create_call(&v, None, None).await.unwrap();
    let c = app
        .state
        .store
        .set_call_state(c.id, CallState::Published, None)
        .await
        .unwrap();
    let (mut p, author) = app.signed_in("finalist", &[Role::Participant]).await;
    let finalist = idea(&app, &c, author.id, "پویانمایی حقوق بیمه‌شدگان").await;
    let other = idea(&app, &c, author.id, "پادکست هفتگی فرهنگ بیمه").await;
    let to = Place {
        status: IdeaStatus::Accepted,
        stage: 1,
    };
    app.state
        .store
        .transition_idea(finalist.id, finalist.place(), to, "", None)
        .await
        .unwrap();
    let form = |title: &str| {
        vec![
            ("axis", c.axes[0].id.to_string()),
            ("title", title.to_string()),
            (
                "problem",
                "بیمه‌شدگان از حقوق بیمه‌ای خود آگاه نیستند و دیر اقدام می‌کنند.".to_string(),
            ),
            (
                "solution",
                "پس از دورهٔ آشنایی: پویانمایی با زبان ساده در تلویزیون استانی پخش شود.".to_string(),
            ),
        ]
    };
    let f = form("پویانمایی حقوق بیمه‌شدگان (بازنگری‌شده)");
    let r = p
        .post_form(&format!("/ideas/{}/edit", finalist.public_id), &pairs(&f))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let revised = app.state.store.idea(finalist.id).await.unwrap();
    assert_eq!(revised.version, 2);
    assert_eq!(revised.status, IdeaStatus::Accepted, "still a finalist");
    // An idea that did not reach the stage cannot be revised.
    let f = form("پادکست دیگر");
    let r = p
        .post_form(&format!("/ideas/{}/edit", other.public_id), &pairs(&f))
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.state.store.idea(other.id).await.unwrap().version, 1);
}
