//! Notifications on both databases: the worker tails the audit log into inboxes and email/SMS
//! jobs, delivers them once, retries failures with backoff, honours preferences, and survives a
//! restart; users see only their own notifications.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::Call;
use hamafza_core::call::{Audience, StageKind};
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaStatus, IdeaText, Place};
use hamafza_core::ids::UserId;
use hamafza_core::time::UnixSeconds;
use hamafza_store::ideas::NewIdea;
use hamafza_store::notifications::Pref;
use hamafza_web::notify::{Mailer, SmtpConfig, backoff_secs};
use hamafza_web::sms::{SmsConfig, SmsSender};
use hamafza_web::testing::TestApp;
use hamafza_web::testing::fixtures::{self};
use hamafza_web::web_tests;

web_tests!(
    a_submit_makes_one_receipt_and_one_email,
    running_twice_or_two_workers_at_once_delivers_once,
    a_failing_send_is_retried_with_backoff_then_given_up,
    the_cursor_survives_a_restart,
    preferences_turn_channels_off,
    decisions_imports_and_results_reach_the_right_people,
    a_user_sees_only_their_own_notifications,
    the_settings_page_saves_the_email_and_choices,
    the_whole_team_hears_about_its_idea_and_its_orientation,
    team_invitations_are_limited_and_a_repeat_is_not_sent_again,
    a_citizen_tracks_an_idea_by_code_and_mobile_and_the_secretariat_finds_it,
);

async fn open_call(app: &TestApp) -> Call {
    fixtures::published_call(
        app,
        "جمعینو ۲",
        Audience::Both,
        &["فرهنگ بیمه"],
        &[(StageKind::Submission, -1, 10)],
    )
    .await
}

fn text(call: &Call, title: &str) -> IdeaText {
    IdeaText {
        axis_id: call.axes[0].id,
        title: title.into(),
        problem: "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.".into(),
        solution: "پیامک پس از هر تغییر".into(),
        benefits: String::new(),
        resources: String::new(),
        owner_unit_id: None,
    }
}

async fn submit(app: &TestApp, call: &Call, author: UserId, title: &str) -> Idea {
    app.state
        .store
        .submit_idea(&NewIdea {
            call_id: call.id,
            author_id: Some(author),
            channel: Channel::Web,
            text: &text(call, title),
            idempotency_key: None,
        })
        .await
        .unwrap()
        .0
}

/// A participant with an email address (and a mobile when given).
async fn participant(app: &TestApp, name: &str, mobile: Option<&str>) -> UserId {
    let u = app.user(name, &[Role::Participant]).await;
    if let Some(m) = mobile {
        app.state
            .store
            .update_user(
                u.id,
                &hamafza_store::users::UserUpdate {
                    display_name: u.display_name.clone(),
                    national_id: None,
                    mobile: Some(m.into()),
                    org_unit_id: None,
                    roles: u.roles.clone(),
                    disabled: false,
                },
                None,
            )
            .await
            .unwrap();
    }
    app.state
        .store
        .save_notification_settings(u.id, Some(&format!("{name}@example.org")), &[], None)
        .await
        .unwrap();
    u.id
}

fn emails_to(app: &TestApp, to: &str) -> Vec<hamafza_web::notify::Email> {
    app.emails
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.to == to)
        .cloned()
        .collect()
}

async fn a_submit_makes_one_receipt_and_one_email(app: TestApp) {
    let c = open_call(&app).await;
    let (mut p, user) = app.signed_in("sara", &[Role::Participant]).await;
    app.state
        .store
        .save_notification_settings(user.id, Some("sara@example.org"), &[], None)
        .await
        .unwrap();
    // Through the real form, so the request path is covered: it sends nothing itself.
    let r = p
        .post_form(
            &format!("/calls/{}/submit", c.public_id),
            &[
                ("axis", &c.axes[0].id.to_string()),
                ("title", "پیامک پیگیری پرونده"),
                (
                    "problem",
                    "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.",
                ),
                (
                    "solution",
                    "پس از هر تغییر وضعیت پرونده، پیامکی فرستاده شود.",
                ),
                ("idempotency", "k1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        app.emails.lock().unwrap().is_empty(),
        "a request sends nothing"
    );
    let idea = app
        .state
        .store
        .ideas_of_author(user.id, None)
        .await
        .unwrap()
        .remove(0);

    let pass = app.worker().run_once().await.unwrap();
    assert_eq!(
        (pass.notifications, pass.queued, pass.sent),
        (1, 1, 1),
        "{pass:?}"
    );
    let (notes, total) = app.state.store.notifications(user.id, 0, 10).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(notes[0].kind, "receipt");
    assert_eq!(notes[0].link, format!("/ideas/{}", idea.public_id));
    assert_eq!(app.state.store.jobs("email").await.unwrap().len(), 1);
    assert!(
        app.state.store.jobs("sms").await.unwrap().is_empty(),
        "no mobile"
    );
    let mail = emails_to(&app, "sara@example.org");
    assert_eq!(mail.len(), 1);
    let code_fa = hamafza_persian::digits::to_persian(&idea.tracking_code);
    assert!(mail[0].body.contains(&code_fa), "{}", mail[0].body);
    assert!(mail[0].subject.contains("پیامک پیگیری پرونده"));
    assert!(
        mail[0].body.contains(&format!("/ideas/{}", idea.public_id)),
        "{}",
        mail[0].body
    );
}

async fn running_twice_or_two_workers_at_once_delivers_once(app: TestApp) {
    let c = open_call(&app).await;
    let sara = participant(&app, "sara", None).await;
    for i in 0..5 {
        submit(&app, &c, sara, &format!("ایدهٔ {i}")).await;
    }
    let a = app.worker();
    let b = a.another();
    let (pa, pb) = tokio::join!(a.run_once(), b.run_once());
    let (pa, pb) = (pa.unwrap(), pb.unwrap());
    assert_eq!(pa.notifications + pb.notifications, 5, "{pa:?} {pb:?}");
    assert_eq!(pa.sent + pb.sent, 5, "{pa:?} {pb:?}");
    let again = a.run_once().await.unwrap();
    assert_eq!((again.notifications, again.sent), (0, 0));
    assert_eq!(emails_to(&app, "sara@example.org").len(), 5);
    assert_eq!(
        app.state.store.notifications(sara, 0, 50).await.unwrap().1,
        5
    );
}

async fn a_failing_send_is_retried_with_backoff_then_given_up(app: TestApp) {
    let c = open_call(&app).await;
    let sara = participant(&app, "sara", Some("09121234567")).await;
    submit(&app, &c, sara, "ایده").await;
    // Nothing listens on port 1: the SMTP server and the SMS provider refuse every attempt.
    let smtp = Mailer::from_config(&SmtpConfig {
        url: "smtp://127.0.0.1:1".into(),
        ..Default::default()
    })
    .unwrap();
    let sms = SmsSender::from_config(&SmsConfig {
        sender: "http".into(),
        url: "http://127.0.0.1:1/send?to={to}&text={text}".into(),
        ..Default::default()
    })
    .unwrap();
    let failing = app.worker().with_transports(smtp, sms);
    let max = app.state.config.notify.max_attempts;
    let mut t = hamafza_store::now();
    for attempt in 1..=max {
        let pass = failing.run_once_at(t).await.unwrap();
        assert_eq!(pass.failed, 2, "attempt {attempt}: {pass:?}");
        assert_eq!(pass.gave_up, if attempt == max { 2 } else { 0 });
        // Not before the backoff has passed.
        let early = failing
            .run_once_at(t + backoff_secs(attempt) - 1)
            .await
            .unwrap();
        assert_eq!(early.failed, 0, "attempt {attempt} retried too early");
        t += backoff_secs(attempt);
    }
    for kind in ["email", "sms"] {
        let jobs = app.state.store.jobs(kind).await.unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].attempts, max);
        assert!(jobs[0].failed_at.is_some(), "{kind} gave up");
        assert!(jobs[0].last_error.as_deref().is_some_and(|e| !e.is_empty()));
        assert_eq!(jobs[0].done_at, None);
    }
    // Given up means given up: a working worker much later sends nothing.
    let later = app.worker().run_once_at(t + 100_000).await.unwrap();
    assert_eq!(later.sent, 0);
    assert!(app.emails.lock().unwrap().is_empty());
    // The in-app notification is there regardless.
    assert_eq!(
        app.state.store.notifications(sara, 0, 10).await.unwrap().1,
        1
    );
}

async fn the_cursor_survives_a_restart(app: TestApp) {
    let c = open_call(&app).await;
    let sara = participant(&app, "sara", None).await;
    submit(&app, &c, sara, "یک").await;
    let first = app.worker();
    assert_eq!(first.run_once().await.unwrap().notifications, 1);
    drop(first);
    submit(&app, &c, sara, "دو").await;
    // A new process: a new worker with nothing in memory continues where the old one stopped.
    let second = app.worker();
    let pass = second.run_once().await.unwrap();
    assert_eq!((pass.notifications, pass.sent), (1, 1), "{pass:?}");
    assert_eq!(
        app.state.store.notifications(sara, 0, 10).await.unwrap().1,
        2
    );
    assert_eq!(emails_to(&app, "sara@example.org").len(), 2);
}

async fn preferences_turn_channels_off(app: TestApp) {
    let c = open_call(&app).await;
    let sara = participant(&app, "sara", Some("09121234567")).await;
    let reza = participant(&app, "reza", Some("09351234567")).await;
    // Defaults: a receipt goes by email and SMS.
    submit(&app, &c, reza, "پیش‌فرض").await;
    app.state
        .store
        .save_notification_settings(
            sara,
            Some("sara@example.org"),
            &[Pref {
                kind: "receipt".into(),
                email: false,
                sms: false,
            }],
            Some(sara),
        )
        .await
        .unwrap();
    let idea = submit(&app, &c, sara, "بی‌صدا").await;
    app.worker().run_once().await.unwrap();
    assert_eq!(emails_to(&app, "reza@example.org").len(), 1);
    assert!(app.last_sms("09351234567").is_some());
    assert!(emails_to(&app, "sara@example.org").is_empty());
    assert!(app.last_sms("09121234567").is_none());
    assert_eq!(
        app.state.store.notifications(sara, 0, 10).await.unwrap().1,
        1,
        "in-app stays"
    );
    // A status change goes by email but not by SMS unless asked for.
    app.state
        .store
        .transition_idea(
            idea.id,
            idea.place(),
            Place {
                status: IdeaStatus::Accepted,
                stage: idea.stage_position,
            },
            "",
            None,
        )
        .await
        .unwrap();
    app.worker().run_once().await.unwrap();
    assert_eq!(emails_to(&app, "sara@example.org").len(), 1);
    assert!(app.last_sms("09121234567").is_none());
}

async fn decisions_imports_and_results_reach_the_right_people(app: TestApp) {
    let c = open_call(&app).await;
    let sara = participant(&app, "sara", None).await;
    let reza = participant(&app, "reza", None).await;
    let a = submit(&app, &c, sara, "ایدهٔ سارا").await;
    submit(&app, &c, reza, "ایدهٔ رضا").await;
    submit(&app, &c, reza, "ایدهٔ دوم رضا").await;
    app.state
        .store
        .transition_idea(
            a.id,
            a.place(),
            Place {
                status: IdeaStatus::ChangesRequested,
                stage: a.stage_position,
            },
            "لطفاً هزینه‌ها را روشن کنید",
            None,
        )
        .await
        .unwrap();
    let imported = hamafza_core::import::ImportedIdea {
        line: 2,
        text: text(&c, "ایدهٔ نمایشگاه"),
        name: "بازدیدکننده".into(),
        mobile: Some("09131234567".into()),
        date: None,
        fingerprint: "f1".into(),
    };
    app.state
        .store
        .import_ideas(c.id, &[imported], Channel::Exhibition, None)
        .await
        .unwrap();
    app.state.store.publish_results(c.id, None).await.unwrap();
    app.worker().run_once().await.unwrap();

    let mail = emails_to(&app, "sara@example.org");
    let status = mail
        .iter()
        .find(|m| m.body.contains("لطفاً هزینه‌ها را روشن کنید"))
        .expect("the status change with the secretariat's message");
    assert!(status.body.contains("نیازمند اصلاح"), "{}", status.body);
    // Results: each author once, however many ideas they have.
    for (who, addr) in [(sara, "sara@example.org"), (reza, "reza@example.org")] {
        let results: Vec<_> = emails_to(&app, addr)
            .into_iter()
            .filter(|m| m.subject.contains("نتایج"))
            .collect();
        assert_eq!(results.len(), 1, "{addr}");
        let notes = app.state.store.notifications(who, 0, 10).await.unwrap().0;
        assert_eq!(notes[0].kind, "results");
        assert_eq!(notes[0].link, format!("/calls/{}/results", c.public_id));
    }
    // The exhibition visitor has no account: an SMS receipt with the code in Persian digits.
    let sms = app.last_sms("09131234567").expect("an SMS receipt");
    assert!(sms.contains("ایدهٔ نمایشگاه"), "{sms}");
    assert!(sms.chars().any(|ch| ('۰'..='۹').contains(&ch)), "{sms}");
}

async fn a_user_sees_only_their_own_notifications(app: TestApp) {
    let c = open_call(&app).await;
    let (mut sara_c, sara) = app.signed_in("sara", &[Role::Participant]).await;
    let (_, reza) = app.signed_in("reza", &[Role::Participant]).await;
    for i in 1..=21 {
        submit(&app, &c, sara.id, &format!("ایدهٔ سارا {i}")).await;
    }
    submit(&app, &c, reza.id, "ایدهٔ پنهان رضا").await;
    app.worker().run_once().await.unwrap();

    // Anonymous pages carry no badge and the inbox asks to sign in.
    let mut anon = app.client();
    assert!(!anon.get("/").await.body.contains("unread-badge"));
    assert!(
        anon.get("/notifications")
            .await
            .location()
            .starts_with("/login")
    );

    let home = sara_c.get("/").await;
    assert!(home.body.contains("id=\"unread-badge\""), "{}", home.body);
    assert!(
        home.body.contains(">۲۱</span>"),
        "the badge counts in Persian digits"
    );
    let page = sara_c.get("/notifications").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("ایدهٔ سارا 21"), "newest first on page 1");
    assert!(
        !page.body.contains("ایدهٔ سارا 1\u{2069}»"),
        "the oldest is on page 2"
    );
    assert!(!page.body.contains("ایدهٔ پنهان رضا"));
    assert!(page.body.contains("class=\"card unread\""));
    assert!(page.body.contains("href=\"/notifications?page=2\""));
    let page2 = sara_c.get("/notifications?page=2").await;
    // Titles are isolated in the sentence: the closing PDI marks the title's end.
    assert!(
        page2.body.contains("ایدهٔ سارا 1\u{2069}»"),
        "{}",
        page2.body
    );

    // Marking reza's notification from sara's session changes nothing.
    let reza_note = app
        .state
        .store
        .notifications(reza.id, 0, 1)
        .await
        .unwrap()
        .0[0]
        .id;
    let r = sara_c
        .post_form(
            &format!("/notifications/{reza_note}/read"),
            &[("next", "/notifications")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.state
            .store
            .unread_notifications(reza.id, 100)
            .await
            .unwrap(),
        1
    );
    // Marking her own works; so does "all".
    let mine = app
        .state
        .store
        .notifications(sara.id, 0, 1)
        .await
        .unwrap()
        .0[0]
        .id;
    sara_c
        .post_form(
            &format!("/notifications/{mine}/read"),
            &[("next", "/notifications")],
        )
        .await;
    assert_eq!(
        app.state
            .store
            .unread_notifications(sara.id, 100)
            .await
            .unwrap(),
        20
    );
    // Without the CSRF token nothing happens.
    let r = sara_c
        .post_form_raw("/notifications/read", &[("next", "/")])
        .await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.state
            .store
            .unread_notifications(sara.id, 100)
            .await
            .unwrap(),
        20
    );

    // The API: her own only, in the language asked for.
    let mut api = app.client();
    let token = api.token("sara").await;
    let r = api
        .api("GET", "/api/v1/notifications?limit=100", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["total"], 21);
    assert_eq!(v["unread"], 20);
    assert!(!r.body.contains("ایدهٔ پنهان رضا"));
    assert!(
        v["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("ایدهٔ سارا 21")
    );
    let mut en = app.client().with_header("accept-language", "en");
    let r = en
        .api("GET", "/api/v1/notifications?limit=1", Some(&token), None)
        .await;
    assert!(
        r.json()["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("tracking code"),
        "{}",
        r.body
    );
    let r = api
        .api(
            "POST",
            "/api/v1/notifications/read",
            Some(&token),
            Some(serde_json::json!({ "ids": [reza_note] })),
        )
        .await;
    assert_eq!(r.json()["marked"], 0);
    assert_eq!(
        app.state
            .store
            .unread_notifications(reza.id, 100)
            .await
            .unwrap(),
        1
    );
    let r = api
        .api(
            "POST",
            "/api/v1/notifications/read",
            Some(&token),
            Some(serde_json::json!({ "all": true })),
        )
        .await;
    assert_eq!(r.json()["marked"], 20);
    assert_eq!(r.json()["unread"], 0);
    assert!(!sara_c.get("/").await.body.contains("unread-badge"));
    let r = app
        .client()
        .api("GET", "/api/v1/notifications", None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let doc = app.client().get("/api/v1/openapi.json").await;
    assert!(doc.body.contains("/api/v1/notifications/read"));
}

async fn the_settings_page_saves_the_email_and_choices(app: TestApp) {
    let (mut c, user) = app.signed_in("sara", &[Role::Participant]).await;
    let page = c.get("/settings").await;
    assert!(page.body.contains("action=\"/settings/notifications\""));
    // Defaults: SMS for receipts, not for status changes.
    assert!(
        page.body
            .contains("name=\"sms_receipt\" id=\"sms_receipt\" aria-label")
    );
    assert!(page.body.contains(
        "name=\"sms_receipt\" id=\"sms_receipt\" aria-label=\"رسید ثبت ایده: پیامک\" checked"
    ));
    assert!(!page.body.contains("name=\"sms_status\" id=\"sms_status\" aria-label=\"تغییر وضعیت ایده و پیام دبیرخانه: پیامک\" checked"));

    // A bad address: 422, the typed text and ticks kept, a message saying how to fix it.
    let r = c
        .post_form(
            "/settings/notifications",
            &[("email", "sara@@example"), ("sms_status", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"sara@@example\""));
    assert!(r.body.contains("name@example.com"), "says how to fix it");
    assert!(r.body.contains("name=\"sms_status\" id=\"sms_status\" aria-label=\"تغییر وضعیت ایده و پیام دبیرخانه: پیامک\" checked"));
    assert_eq!(app.state.store.user_email(user.id).await.unwrap(), None);

    // Persian digits and capitals are cleaned; unticked boxes are saved as off.
    let r = c
        .post_form(
            "/settings/notifications",
            &[
                ("email", " Sara۱@Example.org "),
                ("email_status", "on"),
                ("sms_status", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.state
            .store
            .user_email(user.id)
            .await
            .unwrap()
            .as_deref(),
        Some("sara1@example.org")
    );
    let prefs = app.state.store.notification_prefs(user.id).await.unwrap();
    let get = |k: &str| {
        prefs
            .iter()
            .find(|p| p.kind == k)
            .map(|p| (p.email, p.sms))
            .unwrap()
    };
    assert_eq!(get("status"), (true, true));
    assert_eq!(get("receipt"), (false, false));
    assert_eq!(get("results"), (false, false));
    let log = app
        .state
        .store
        .audit_for("user", &user.id.to_string())
        .await
        .unwrap();
    assert_eq!(log.last().unwrap().action, "notify.settings");

    // An empty address removes it; without the CSRF token nothing is saved.
    let r = c
        .post_form_raw("/settings/notifications", &[("email", "")])
        .await;
    assert_ne!(r.status, StatusCode::OK);
    assert!(app.state.store.user_email(user.id).await.unwrap().is_some());
    c.post_form("/settings/notifications", &[("email", "")])
        .await;
    assert_eq!(app.state.store.user_email(user.id).await.unwrap(), None);
}

async fn the_whole_team_hears_about_its_idea_and_its_orientation(app: TestApp) {
    let c = open_call(&app).await;
    let sara = participant(&app, "sara", None).await;
    let reza = participant(&app, "reza", None).await;
    let idea = submit(&app, &c, sara, "ایدهٔ تیمی").await;
    app.state
        .store
        .invite(&idea, reza, Some(sara))
        .await
        .unwrap();
    app.state
        .store
        .answer_invitation(&idea, reza, true)
        .await
        .unwrap();
    let session = app
        .state
        .store
        .create_orientation(
            c.id,
            &hamafza_store::orientation::NewOrientation {
                title: "آشنایی با نظام مسائل",
                starts_at: UnixSeconds::new(1_700_000_000),
                place: "تالار ستاد",
                materials: "",
            },
            None,
        )
        .await
        .unwrap();
    app.state
        .store
        .invite_to_orientation(&session, &[idea.id], None)
        .await
        .unwrap();
    app.worker().run_once().await.unwrap();
    let kinds = |user| {
        let store = app.state.store.clone();
        async move {
            let (list, _) = store.notifications(user, 0, 50).await.unwrap();
            list.into_iter().map(|n| n.kind).collect::<Vec<_>>()
        }
    };
    // Both members are invited to the session; the lead also got the receipt and the acceptance.
    assert!(kinds(reza).await.contains(&"orientation".to_string()));
    let lead = kinds(sara).await;
    for k in ["receipt", "team_accept", "orientation"] {
        assert!(lead.contains(&k.to_string()), "{k} in {lead:?}");
    }
    let (list, _) = app.state.store.notifications(reza, 0, 50).await.unwrap();
    let n = list.iter().find(|n| n.kind == "orientation").unwrap();
    let text =
        hamafza_web::notify::text::notification_text(hamafza_web::i18n::Lang::Fa, &n.kind, &n.data);
    assert!(text.contains("آشنایی با نظام مسائل"), "{text}");
    assert!(
        text.contains("۱۴۰۲"),
        "the date in Jalali with Persian digits: {text}"
    );
}

async fn team_invitations_are_limited_and_a_repeat_is_not_sent_again(app: TestApp) {
    use hamafza_core::limits::{INVITES_PER_IDEA, INVITES_PER_INVITER};
    let c = open_call(&app).await;
    let sara = participant(&app, "sara", None).await;
    let reza = participant(&app, "reza", None).await;
    let mut others = Vec::new();
    for i in 0..12 {
        others.push(participant(&app, &format!("p{i}"), None).await);
    }
    let mut client = app.client();
    let token = client.token("sara").await;
    let first = submit(&app, &c, sara, "ایدهٔ نخست").await;
    let team = |idea: &Idea| format!("/api/v1/ideas/{}/team", idea.public_id);
    let invite = |path: String, who: String| {
        let mut client = app.client();
        let token = token.clone();
        async move {
            client
                .api(
                    "POST",
                    &path,
                    Some(&token),
                    Some(serde_json::json!({ "user": who })),
                )
                .await
                .status
        }
    };

    // Invited, removed, invited again: recorded twice, sent once.
    for _ in 0..2 {
        assert_eq!(
            invite(team(&first), "reza".into()).await,
            StatusCode::CREATED
        );
        let r = client
            .api(
                "DELETE",
                &format!("{}/{reza}", team(&first)),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }
    app.worker().run_once().await.unwrap();
    let (list, _) = app.state.store.notifications(reza, 0, 50).await.unwrap();
    let invites: Vec<_> = list.iter().filter(|n| n.kind == "team_invite").collect();
    assert_eq!(invites.len(), 1, "{list:?}");
    // Its link opens a page the invitee may see (the idea itself they may not, yet).
    client
        .api(
            "POST",
            &team(&first),
            Some(&token),
            Some(serde_json::json!({ "user": "reza" })),
        )
        .await;
    let mut invitee = app.client();
    invitee
        .post_form(
            "/login",
            &[
                ("username", "reza"),
                ("password", hamafza_web::testing::PASSWORD),
            ],
        )
        .await;
    let r = invitee.get(&invites[0].link).await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", invites[0].link, r.body);
    assert!(r.body.contains("ایدهٔ نخست"));

    // Parallel invitations to one idea: exactly the idea's limit get past the count (the rest
    // are 429), whatever the team's size says about those that pass.
    let second = submit(&app, &c, sara, "ایدهٔ دوم").await;
    let tries: Vec<_> = (0..INVITES_PER_IDEA.max + 5)
        .map(|i| tokio::spawn(invite(team(&second), format!("p{}", i % 12))))
        .collect();
    let mut limited = 0;
    for t in tries {
        if t.await.unwrap() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert_eq!(limited, 5);

    // Sara has sent 3 + 10 of her daily invitations; the rest of them go to a third idea, then
    // the page says she has reached the limit.
    let third = submit(&app, &c, sara, "ایدهٔ سوم").await;
    let left = INVITES_PER_INVITER.max - 3 - INVITES_PER_IDEA.max;
    for i in 0..left {
        let s = invite(team(&third), format!("p{i}")).await;
        assert_ne!(s, StatusCode::TOO_MANY_REQUESTS, "{i}");
    }
    assert_eq!(
        invite(team(&third), "reza".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut page = app.client();
    page.post_form(
        "/login",
        &[
            ("username", "sara"),
            ("password", hamafza_web::testing::PASSWORD),
        ],
    )
    .await;
    let r = page
        .post_form(
            &format!("/ideas/{}/team", third.public_id),
            &[("invitee", "reza")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("تلاش"), "{}", r.body);
}

async fn a_citizen_tracks_an_idea_by_code_and_mobile_and_the_secretariat_finds_it(app: TestApp) {
    let c = open_call(&app).await;
    let imported = hamafza_core::import::ImportedIdea {
        line: 2,
        text: text(&c, "ایدهٔ غرفهٔ نمایشگاه"),
        name: "بازدیدکننده".into(),
        mobile: Some("09131234567".into()),
        date: None,
        fingerprint: "f1".into(),
    };
    app.state
        .store
        .import_ideas(c.id, &[imported], Channel::Exhibition, None)
        .await
        .unwrap();
    app.worker().run_once().await.unwrap();
    // The receipt gives the code (Persian digits) and where to follow it.
    let sms = app.last_sms("09131234567").expect("an SMS receipt");
    assert!(sms.contains("/track"), "{sms}");
    let code: String = sms.chars().filter(|ch| ('۰'..='۹').contains(ch)).collect();
    assert_eq!(code.chars().count(), 10, "{sms}");
    let idea = app
        .state
        .store
        .ideas_of_call(c.id, 0, 10)
        .await
        .unwrap()
        .0
        .remove(0);
    app.state
        .store
        .transition_idea(
            idea.id,
            idea.place(),
            Place {
                status: IdeaStatus::ChangesRequested,
                stage: 0,
            },
            "هزینهٔ پیامک را برآورد کنید.",
            None,
        )
        .await
        .unwrap();

    // The citizen types the code as in the SMS and the mobile in Persian digits.
    let mut citizen = app.client();
    let r = citizen
        .post_form("/track", &[("code", &code), ("mobile", "۰۹۱۳۱۲۳۴۵۶۷")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("نیازمند اصلاح"), "{}", r.body);
    assert!(r.body.contains("هزینهٔ پیامک را برآورد کنید."));
    assert!(
        !r.body.contains("ایدهٔ غرفهٔ نمایشگاه"),
        "the status, nothing else"
    );
    assert!(!r.body.contains("بازدیدکننده"));
    // A wrong mobile, or a code that is not one: a Persian message, what was typed kept.
    let r = citizen
        .post_form("/track", &[("code", &code), ("mobile", "09120000000")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("پیدا نشد") && r.body.contains("09120000000"));
    let r = citizen
        .post_form("/track", &[("code", "12345"), ("mobile", "09131234567")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("ده رقم"), "{}", r.body);
    // Guessing mobiles for one code stops after five tries, counted before the lookup.
    let mut limited = false;
    for i in 0..6 {
        let r = citizen
            .post_form(
                "/track",
                &[("code", &code), ("mobile", &format!("0912000000{i}"))],
            )
            .await;
        limited |= r.body.contains("دقیقهٔ دیگر");
    }
    assert!(limited);
    let r = app
        .client()
        .post_form("/track", &[("code", &code), ("mobile", "09131234567")])
        .await;
    assert!(
        r.body.contains("دقیقهٔ دیگر"),
        "the code stays locked for its window"
    );

    // The secretariat finds the idea by its code in either digit script, with spaces.
    let (mut sec, _) = app.signed_in("sec", &[Role::Secretariat]).await;
    let latin = hamafza_persian::digits::to_latin(&code);
    let spaced = format!(
        "{} {}",
        &code[..code.char_indices().nth(5).unwrap().0],
        &code[code.char_indices().nth(5).unwrap().0..]
    );
    for typed in [code.as_str(), latin.as_str(), spaced.as_str()] {
        let q: String = url_encode(typed);
        let r = sec
            .get(&format!(
                "/secretariat/calls/{}/ideas?search={q}",
                c.public_id
            ))
            .await;
        assert!(r.body.contains("ایدهٔ غرفهٔ نمایشگاه"), "{typed}: {}", r.body);
    }
    let token = sec.token("sec").await;
    let r = sec
        .api(
            "GET",
            &format!(
                "/api/v1/calls/{}/ideas?search={}",
                c.public_id,
                url_encode(&code)
            ),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        r.json()["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.body
    );
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
