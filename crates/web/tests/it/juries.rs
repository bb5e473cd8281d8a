//! Juries over the API on both databases: the secretariat sets a stage's jury, adds judges and
//! assigns; judges see only their own assignments and nothing identifying; reviews are drafted,
//! submitted and refused off the scale; an idea passed on goes to another judge; the ranking
//! corrects a harsh judge and reports reliability. Bad input never changes anything.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::account::User;
use hamafza_core::call::{Audience, Call, StageKind};
use hamafza_core::idea::{Idea, Transition};
use hamafza_web::testing::fixtures::{self, idea_by};
use hamafza_web::testing::{Client, TestApp};
use hamafza_web::web_tests;
use serde_json::json;

web_tests!(
    the_secretariat_sets_a_jury_and_judges_score_blind,
    judges_see_only_their_own_and_bad_reviews_change_nothing,
    an_idea_passed_on_goes_to_another_judge,
    the_ranking_corrects_a_harsh_judge,
    only_the_secretariat_configures_and_only_judges_judge,
    on_the_pages_the_secretariat_sets_up_and_a_judge_scores_blind,
    the_secretariat_moves_stages_with_a_reason,
    the_shortlist_follows_the_ranking_and_a_swap_needs_a_reason,
    on_the_stage_page_the_top_is_ticked_and_a_swap_keeps_its_reason,
    pairwise_judges_compare_blind_pairs_and_bad_comparisons_change_nothing,
);

/// A call whose shortlisting stage is open now, with `n` ideas by different authors accepted
/// into it; the authors are returned with their ideas.
async fn judged(app: &TestApp, n: usize) -> (Call, Vec<(User, Idea)>) {
    let call = fixtures::published_call(
        app,
        "جمعینو ۲",
        Audience::Both,
        &["فرهنگ بیمه"],
        &[
            (StageKind::Submission, -20, -10),
            (StageKind::Screening, -9, -5),
            (StageKind::Shortlisting, -4, 20),
            (StageKind::FinalPresentation, 21, 30),
        ],
    )
    .await;
    let kinds: Vec<StageKind> = call.stages.iter().map(|s| s.kind).collect();
    let mut out = Vec::new();
    for i in 0..n {
        let author = app.user(&format!("author{i}"), &[Role::Participant]).await;
        let idea = hamafza_store::as_of(
            call.stages[0].starts_at,
            idea_by(app, &call, &author, &format!("ایدهٔ شمارهٔ {i}")),
        )
        .await;
        let to = Transition::Accept.plan(idea.place(), &kinds).unwrap();
        let idea = app
            .state
            .store
            .transition_idea(idea.id, idea.place(), to, "", None)
            .await
            .unwrap();
        out.push((author, idea));
    }
    (call, out)
}

fn rubric_jury(k: u32) -> serde_json::Value {
    json!({
        "mode": "rubric", "reviews_per_idea": k, "blind": true,
        "criteria": [
            {"name": "نوآوری", "weight": 3, "scale": {"kind": "rubric", "levels": ["کم", "متوسط", "زیاد"]}},
            {"name": "امکان‌پذیری", "weight": 1, "scale": {"kind": "range", "min": 1, "max": 10}},
        ]
    })
}

/// The secretariat's client and token.
async fn secretariat(app: &TestApp) -> (Client, String) {
    app.user("dabir", &[Role::Secretariat]).await;
    let mut c = app.client();
    let t = c.token("dabir").await;
    (c, t)
}

async fn judges(app: &TestApp, c: &mut Client, n: usize) -> Vec<String> {
    let mut tokens = Vec::new();
    for i in 0..n {
        app.user(&format!("judge{i}"), &[Role::Judge]).await;
        tokens.push(c.token(&format!("judge{i}")).await);
    }
    tokens
}

async fn setup_jury(
    app: &TestApp,
    c: &mut Client,
    t: &str,
    call: &Call,
    k: u32,
    n: usize,
) -> Vec<String> {
    let stage = call.stages[2].id;
    let r = c
        .api(
            "PUT",
            &format!("/api/v1/stages/{stage}/jury"),
            Some(t),
            Some(rubric_jury(k)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let tokens = judges(app, c, n).await;
    let names: Vec<String> = (0..n).map(|i| format!("judge{i}")).collect();
    let r = c
        .api(
            "PUT",
            &format!("/api/v1/stages/{stage}/jurors"),
            Some(t),
            Some(json!({ "add": names })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = c
        .api(
            "POST",
            &format!("/api/v1/stages/{stage}/assignments"),
            Some(t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    tokens
}

async fn the_secretariat_sets_a_jury_and_judges_score_blind(app: TestApp) {
    let (call, ideas) = judged(&app, 6).await;
    let (mut c, t) = secretariat(&app).await;
    let stage = call.stages[2].id;
    // The call lists its stages with ids.
    let r = c
        .api(
            "GET",
            &format!("/api/v1/calls/{}", call.public_id),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.json()["stages"][2]["id"], json!(stage.get()));

    let tokens = setup_jury(&app, &mut c, &t, &call, 2, 3).await;
    let jury = c
        .api(
            "GET",
            &format!("/api/v1/stages/{stage}/jury"),
            Some(&t),
            None,
        )
        .await
        .json();
    assert_eq!(jury["jurors"].as_array().unwrap().len(), 3);
    let assigned: i64 = jury["jurors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["assigned"].as_i64().unwrap())
        .sum();
    assert_eq!(assigned, 12, "6 ideas × 2 judges");
    // Running it again adds nothing.
    let again = c
        .api(
            "POST",
            &format!("/api/v1/stages/{stage}/assignments"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(again.json()["added"], 0);

    let list = c
        .api("GET", "/api/v1/judging/assignments", Some(&tokens[0]), None)
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    let first = list[0]["id"].as_str().unwrap().to_string();
    let r = c
        .api(
            "GET",
            &format!("/api/v1/judging/assignments/{first}"),
            Some(&tokens[0]),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Nothing identifying: no author's name or username, no idea id or tracking code.
    for (author, idea) in &ideas {
        assert!(!r.body.contains(&author.username), "{}", r.body);
        assert!(!r.body.contains(&author.display_name), "{}", r.body);
        assert!(!r.body.contains(&idea.public_id) && !r.body.contains(&idea.tracking_code));
    }
    assert_eq!(r.json()["authors"], json!(null));
    assert_eq!(r.json()["criteria"].as_array().unwrap().len(), 2);

    // A draft, then the submission.
    let draft = c
        .api(
            "POST",
            "/api/v1/reviews",
            Some(&tokens[0]),
            Some(json!({"assignment": first, "scores": [3, null], "note": "برای دبیرخانه"})),
        )
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    assert_eq!(draft.json()["review_state"], json!("draft"));
    assert_eq!(draft.json()["review"]["note"], json!("برای دبیرخانه"));
    let done = c
        .api("POST", "/api/v1/reviews", Some(&tokens[0]),
            Some(json!({"assignment": first, "scores": [3, 10], "comment": "ایدهٔ خوبی است", "submit": true})))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["review_state"], json!("submitted"));
    assert_eq!(done.json()["review"]["scores"], json!([3, 10]));
    let jury = c
        .api(
            "GET",
            &format!("/api/v1/stages/{stage}/jury"),
            Some(&t),
            None,
        )
        .await
        .json();
    assert!(jury["started"].as_bool().unwrap());
    // The mode can no longer change.
    let mut pairwise = rubric_jury(2);
    pairwise["mode"] = json!("pairwise");
    let r = c
        .api(
            "PUT",
            &format!("/api/v1/stages/{stage}/jury"),
            Some(&t),
            Some(pairwise),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("criteria"));
}

async fn judges_see_only_their_own_and_bad_reviews_change_nothing(app: TestApp) {
    let (call, _) = judged(&app, 4).await;
    let (mut c, t) = secretariat(&app).await;
    let tokens = setup_jury(&app, &mut c, &t, &call, 1, 2).await;
    let mine = c
        .api("GET", "/api/v1/judging/assignments", Some(&tokens[0]), None)
        .await
        .json();
    let theirs = c
        .api("GET", "/api/v1/judging/assignments", Some(&tokens[1]), None)
        .await
        .json();
    let their_first = theirs[0]["id"].as_str().unwrap();
    // Another judge's assignment does not exist for me, read or reviewed.
    let r = c
        .api(
            "GET",
            &format!("/api/v1/judging/assignments/{their_first}"),
            Some(&tokens[0]),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c
        .api(
            "POST",
            "/api/v1/reviews",
            Some(&tokens[0]),
            Some(json!({"assignment": their_first, "scores": [1, 1], "submit": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let mine_first = mine[0]["id"].as_str().unwrap();
    for (scores, why) in [
        (json!([4, 5]), "level 4 of a 3-level rubric"),
        (json!([1, 11]), "11 on 1..10"),
        (json!([1]), "a missing criterion"),
        (json!([1, null]), "submitted with a blank"),
    ] {
        let r = c
            .api(
                "POST",
                "/api/v1/reviews",
                Some(&tokens[0]),
                Some(json!({"assignment": mine_first, "scores": scores, "submit": true})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{why}: {}",
            r.body
        );
        assert!(
            r.header("content-type")
                .starts_with("application/problem+json")
        );
        assert!(r.body.contains("scores"), "{}", r.body);
    }
    let after = c
        .api(
            "GET",
            &format!("/api/v1/judging/assignments/{mine_first}"),
            Some(&tokens[0]),
            None,
        )
        .await;
    assert_eq!(after.json()["review"], json!(null), "nothing was saved");
}

async fn an_idea_passed_on_goes_to_another_judge(app: TestApp) {
    let (call, _) = judged(&app, 2).await;
    let (mut c, t) = secretariat(&app).await;
    let tokens = setup_jury(&app, &mut c, &t, &call, 1, 3).await;
    let mut holder = None;
    for (n, tok) in tokens.iter().enumerate() {
        let list = c
            .api("GET", "/api/v1/judging/assignments", Some(tok), None)
            .await
            .json();
        if !list.as_array().unwrap().is_empty() {
            holder = Some((
                n,
                list[0]["id"].as_str().unwrap().to_string(),
                list[0]["title"].as_str().unwrap().to_string(),
            ));
            break;
        }
    }
    let (n, id, title) = holder.unwrap();
    // A conflict needs a reason.
    let r = c
        .api(
            "POST",
            &format!("/api/v1/judging/assignments/{id}/pass"),
            Some(&tokens[n]),
            Some(json!({"conflict": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .api(
            "POST",
            &format!("/api/v1/judging/assignments/{id}/pass"),
            Some(&tokens[n]),
            Some(json!({"conflict": true, "reason": "نویسنده همکار نزدیک من است"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["reassigned"], json!(true));
    let mine = c
        .api("GET", "/api/v1/judging/assignments", Some(&tokens[n]), None)
        .await
        .json();
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|a| a["title"] != json!(title)),
        "never back to me"
    );
    // Someone else has it now.
    let mut holders = 0;
    for (m, tok) in tokens.iter().enumerate() {
        let list = c
            .api("GET", "/api/v1/judging/assignments", Some(tok), None)
            .await
            .json();
        if m != n
            && list
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["title"] == json!(title))
        {
            holders += 1;
        }
    }
    assert_eq!(holders, 1);
    // Passing it on twice is refused.
    let r = c
        .api(
            "POST",
            &format!("/api/v1/judging/assignments/{id}/pass"),
            Some(&tokens[n]),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
}

async fn the_ranking_corrects_a_harsh_judge(app: TestApp) {
    let (call, _) = judged(&app, 8).await;
    let (mut c, t) = secretariat(&app).await;
    let stage = call.stages[2].id;
    let tokens = setup_jury(&app, &mut c, &t, &call, 2, 3).await;
    // Every judge scores each idea by its number; judge 2 a level lower on the first criterion and
    // three on the second.
    for (j, tok) in tokens.iter().enumerate() {
        let list = c
            .api("GET", "/api/v1/judging/assignments", Some(tok), None)
            .await
            .json();
        for a in list.as_array().unwrap() {
            let title = a["title"].as_str().unwrap();
            // «ایدهٔ شمارهٔ N»: the idea's number is its last character.
            let n = title
                .chars()
                .next_back()
                .and_then(|c| c.to_digit(10))
                .unwrap() as i32;
            let level = 1 + n * 9 / 7;
            let innovation = 1 + n * 2 / 7;
            let (innovation, level) = if j == 2 {
                ((innovation - 1).max(1), (level - 3).max(1))
            } else {
                (innovation, level)
            };
            let r = c
                .api("POST", "/api/v1/reviews", Some(tok),
                    Some(json!({"assignment": a["id"], "scores": [innovation, level], "submit": true})))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }
    let r = c
        .api(
            "GET",
            &format!("/api/v1/stages/{stage}/ranking"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let ranking = r.json();
    assert_eq!(ranking["method"], "normalized");
    let ideas = ranking["ideas"].as_array().unwrap();
    assert_eq!(ideas.len(), 8);
    assert_eq!(
        ideas
            .iter()
            .map(|i| i["rank"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    assert!(ideas.iter().all(|i| i["reviews"] == 2));
    assert!(ranking["reliability"]["krippendorff_alpha"].is_number());
    assert!(
        !ranking["reliability"]["explanation"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    let harsh = ranking["judges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["username"] == "judge2")
        .unwrap();
    assert!(harsh["bias"].as_f64().unwrap() < -5.0, "{harsh}");
    // The best idea (number 7) comes first once the harsh judge is corrected.
    assert!(
        ideas[0]["title"].as_str().unwrap().ends_with('7'),
        "{}",
        ideas[0]
    );
    for method in ["mean", "pairwise"] {
        let r = c
            .api(
                "GET",
                &format!("/api/v1/stages/{stage}/ranking?method={method}"),
                Some(&t),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = c
        .api(
            "GET",
            &format!("/api/v1/stages/{stage}/ranking?method=best"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn only_the_secretariat_configures_and_only_judges_judge(app: TestApp) {
    let (call, _) = judged(&app, 1).await;
    let stage = call.stages[2].id;
    app.user("sara", &[Role::Participant]).await;
    app.user("judge", &[Role::Judge]).await;
    let mut c = app.client();
    let sara = c.token("sara").await;
    let judge = c.token("judge").await;
    for tok in [&sara, &judge] {
        let r = c
            .api(
                "PUT",
                &format!("/api/v1/stages/{stage}/jury"),
                Some(tok),
                Some(rubric_jury(1)),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = c
            .api(
                "GET",
                &format!("/api/v1/stages/{stage}/ranking"),
                Some(tok),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let r = c
        .api("GET", "/api/v1/judging/assignments", Some(&sara), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .api("GET", "/api/v1/judging/assignments", None, None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The screening stage is not judged; an unknown stage does not exist.
    let (mut s, t) = secretariat(&app).await;
    let r = s
        .api(
            "PUT",
            &format!("/api/v1/stages/{}/jury", call.stages[1].id),
            Some(&t),
            Some(rubric_jury(1)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = s
        .api(
            "PUT",
            "/api/v1/stages/999999/jury",
            Some(&t),
            Some(rubric_jury(1)),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A participant cannot sit on a jury.
    s.api(
        "PUT",
        &format!("/api/v1/stages/{stage}/jury"),
        Some(&t),
        Some(rubric_jury(1)),
    )
    .await;
    let r = s
        .api(
            "PUT",
            &format!("/api/v1/stages/{stage}/jurors"),
            Some(&t),
            Some(json!({"add": ["sara"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("داور"), "{}", r.body);
}

async fn on_the_pages_the_secretariat_sets_up_and_a_judge_scores_blind(app: TestApp) {
    let (call, ideas) = judged(&app, 3).await;
    let stage = call.stages[2].id;
    let (mut dabir, _) = app.signed_in("dabir", &[Role::Secretariat]).await;
    let page = dabir.get(&format!("/secretariat/stages/{stage}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("تنظیمات داوری"));

    // A bad form keeps what was typed and says what to fix.
    let mut form: Vec<(&str, &str)> = vec![
        ("mode", "rubric"),
        ("reviews_per_idea", "۲"),
        ("blind", "on"),
        ("unit_conflict", "on"),
        ("c0_name", "نوآوري"),
        ("c0_weight", "۳"),
        ("c0_kind", "rubric"),
        ("c0_levels", "تنها یک سطح"),
    ];
    let r = dabir
        .post_form(&format!("/secretariat/stages/{stage}/jury"), &form)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("تنها یک سطح") && r.body.contains("۲ تا ۱۰ سطح"),
        "{}",
        r.body
    );
    form.pop();
    form.push(("c0_levels", "کم\nمتوسط\nزیاد"));
    form.extend([
        ("c1_name", "امکان‌پذیری"),
        ("c1_weight", "1"),
        ("c1_kind", "range"),
        ("c1_min", "۱"),
        ("c1_max", "۱۰"),
    ]);
    let r = dabir
        .post_form(&format!("/secretariat/stages/{stage}/jury"), &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let jury = app.state.store.jury(stage).await.unwrap().unwrap();
    assert_eq!(
        jury.settings.criteria[0].name, "نوآوری",
        "Arabic ي made Persian"
    );
    assert_eq!(jury.settings.reviews_per_idea, 2);

    app.user("judge0", &[Role::Judge]).await;
    app.user("judge1", &[Role::Judge]).await;
    let r = dabir
        .post_form(
            &format!("/secretariat/stages/{stage}/jurors"),
            &[("add", "sara")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("value=\"sara\""), "what was typed is kept");
    let r = dabir
        .post_form(
            &format!("/secretariat/stages/{stage}/jurors"),
            &[("add", "judge0، judge1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = dabir
        .post_form(&format!("/secretariat/stages/{stage}/assign"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = dabir.get(r.location()).await;
    assert!(page.body.contains("۶ واگذاری تازه"), "{}", page.body);

    // The judge's list, then one idea: nothing identifying on the page.
    let mut judge = app.client();
    judge
        .post_form(
            "/login",
            &[
                ("username", "judge0"),
                ("password", hamafza_web::testing::PASSWORD),
            ],
        )
        .await;
    let list = judge.get("/judging").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("۰ از ۳ داوری ثبت شده"), "{}", list.body);
    let first = list
        .body
        .split("href=\"/judging/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let page = judge.get(&format!("/judging/{first}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for (author, idea) in &ideas {
        assert!(
            !page.body.contains(&author.display_name) && !page.body.contains(&idea.tracking_code)
        );
    }
    assert!(page.body.contains("زیاد") && page.body.contains("داوری نابینا"));

    // The draft is saved as the judge works (htmx posts the form after a change).
    let auto = judge
        .post_form(
            &format!("/judging/{first}/draft"),
            &[("s0", "2"), ("comment", "نیمه‌کاره")],
        )
        .await;
    assert_eq!(auto.status, StatusCode::OK, "{}", auto.body);
    assert!(auto.body.contains("پیش‌نویس ذخیره شد"), "{}", auto.body);
    let again = judge.get(&format!("/judging/{first}")).await;
    assert!(
        again.body.contains("نیمه‌کاره") && again.body.contains("hx-post"),
        "{}",
        again.body
    );
    // Off the scale: 422, the choices and comment kept.
    let bad = judge
        .post_form(
            &format!("/judging/{first}"),
            &[
                ("s0", "9"),
                ("s1", "۷"),
                ("comment", "خوب است"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("خوب است"));
    // Submitting moves on to the next idea.
    let ok = judge
        .post_form(
            &format!("/judging/{first}"),
            &[
                ("s0", "۳"),
                ("s1", "۷"),
                ("comment", "خوب است"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert!(ok.location().starts_with("/judging/") && !ok.location().contains(&first));
    // Autosaving a submitted review does not take it back to a draft.
    let auto = judge
        .post_form(
            &format!("/judging/{first}/draft"),
            &[("s0", "1"), ("s1", "1")],
        )
        .await;
    assert!(auto.body.contains("ثبت شده"), "{}", auto.body);
    let stage_reviews = app.state.store.stage_reviews(stage).await.unwrap();
    assert_eq!(stage_reviews.len(), 1, "still submitted");
    // A conflict needs a reason; with one, the idea leaves the list.
    let next = ok.location().split('?').next().unwrap().to_string();
    let r = judge
        .post_form(&format!("{next}/pass"), &[("action", "conflict")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = judge
        .post_form(
            &format!("{next}/pass"),
            &[("action", "conflict"), ("reason", "همکار نزدیک")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = judge.get("/judging").await;
    assert!(list.body.contains("۱ از ۲ داوری ثبت شده"), "{}", list.body);

    // The secretariat's ranking shows the reviewed idea first.
    let page = dabir.get(&format!("/secretariat/stages/{stage}")).await;
    assert!(
        page.body.contains("رتبه‌بندی") && page.body.contains("آلفای کریپندورف"),
        "{}",
        page.body
    );
}

async fn the_secretariat_moves_stages_with_a_reason(app: TestApp) {
    let (call, _) = judged(&app, 0).await;
    let (mut c, t) = secretariat(&app).await;
    let (screening, shortlisting) = (call.stages[1].id, call.stages[2].id);
    let schedule = |stage: hamafza_core::ids::StageId| format!("/api/v1/stages/{stage}/schedule");
    let later = fixtures::days_from_today(15).to_string();

    // Moving the open stage's end (here earlier; later works the same up to the next stage):
    // the new end is the end of that day.
    let r = c
        .api("POST", &schedule(shortlisting), Some(&t),
            Some(json!({"action": "end", "end": hamafza_persian::digits::to_persian(&later), "reason": "پایان زودتر داوری"})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["stages"][2]["end"], json!(later));
    // Bad moves change nothing and say which field.
    for (stage, body, field) in [
        (
            screening,
            json!({"action": "end", "end": fixtures::days_from_today(0).to_string(), "reason": "x"}),
            "end",
        ),
        (
            shortlisting,
            json!({"action": "end", "end": later, "reason": " "}),
            "reason",
        ),
        (
            shortlisting,
            json!({"action": "open_now", "reason": "زودتر"}),
            "action",
        ),
        (
            shortlisting,
            json!({"action": "end", "end": "1404/12/30", "reason": "x"}),
            "end",
        ),
        (
            shortlisting,
            json!({"action": "later", "reason": "x"}),
            "action",
        ),
    ] {
        let r = c.api("POST", &schedule(stage), Some(&t), Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains(&format!("\"{field}\"")),
            "{field}: {}",
            r.body
        );
    }
    let after = app.state.store.call(call.id).await.unwrap();
    assert_eq!(after.stages[1], call.stages[1], "nothing changed");

    // Opening the next stage early ends the open one.
    let open = fixtures::open_call(&app, Audience::Both).await;
    let r = c
        .api(
            "POST",
            &schedule(open.stages[1].id),
            Some(&t),
            Some(json!({"action": "open_now", "reason": "ایده‌ها زود رسید"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let moved = app.state.store.call(open.id).await.unwrap();
    assert!(moved.stages[1].starts_at <= hamafza_store::now());
    assert_eq!(
        moved.stages[0].ends_at.get(),
        moved.stages[1].starts_at.get() - 1
    );
    let audit = app
        .state
        .store
        .audit_for("call", &open.public_id)
        .await
        .unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "stage.reschedule")
        .unwrap();
    assert!(entry.data.contains("ایده‌ها زود رسید"));

    // On the page: a missing reason keeps the date typed.
    let (mut dabir, _) = app.signed_in("dabir2", &[Role::Secretariat]).await;
    let r = dabir
        .post_form(
            &format!("/secretariat/stages/{shortlisting}/schedule"),
            &[("action", "end"), ("end", "۱۴۰۹/۰۱/۰۱"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("۱۴۰۹/۰۱/۰۱"), "{}", r.body);
    let call_page = dabir.get(&format!("/calls/{}", call.public_id)).await;
    assert!(
        call_page
            .body
            .contains(&format!("/secretariat/stages/{shortlisting}"))
    );
}

async fn the_shortlist_follows_the_ranking_and_a_swap_needs_a_reason(app: TestApp) {
    let (call, ideas) = judged(&app, 5).await;
    let (mut c, t) = secretariat(&app).await;
    let stage = call.stages[2].id;
    let tokens = setup_jury(&app, &mut c, &t, &call, 2, 3).await;
    // Idea N scores by its number: the ranking is 4, 3, 2, 1, 0.
    for tok in &tokens {
        let list = c
            .api("GET", "/api/v1/judging/assignments", Some(tok), None)
            .await
            .json();
        for a in list.as_array().unwrap() {
            let n = a["title"]
                .as_str()
                .unwrap()
                .chars()
                .next_back()
                .and_then(|c| c.to_digit(10))
                .unwrap() as i32;
            let r = c
                .api("POST", "/api/v1/reviews", Some(tok),
                    Some(json!({"assignment": a["id"], "scores": [1 + n / 2, 2 + 2 * n], "comment": format!("نظر دربارهٔ {n}"), "submit": true})))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }
    let id = |n: usize| ideas[n].1.public_id.clone();
    let url = format!("/api/v1/stages/{stage}/shortlist");
    // Taking idea 2 instead of idea 3 deviates from the top 2: a reason is needed.
    let swap = json!({"count": 2, "chosen": [id(4), id(2)]});
    let r = c.api("POST", &url, Some(&t), Some(swap.clone())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("reason"));
    let r = c
        .api("POST", &url, Some(&t), Some(json!({"count": 9})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = c
        .api(
            "POST",
            &url,
            Some(&t),
            Some(json!({"count": 2, "chosen": ["nope"], "reason": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let unchanged = app.state.store.idea(ideas[0].1.id).await.unwrap();
    assert_eq!(unchanged.place(), ideas[0].1.place(), "nothing moved");

    let mut with_reason = swap;
    with_reason["reason"] = json!("ایدهٔ ۲ با محور ویژهٔ این دوره هم‌خوان‌تر است");
    let r = c.api("POST", &url, Some(&t), Some(with_reason)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let done = r.json();
    assert_eq!(
        (done["advanced"].as_u64(), done["declined"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(done["included"], json!([id(2)]));
    assert_eq!(done["excluded"], json!([id(3)]));
    let moved = app.state.store.idea(ideas[2].1.id).await.unwrap();
    assert_eq!(
        moved.stage_position, call.stages[3].position,
        "on to the final"
    );
    let declined = app.state.store.idea(ideas[3].1.id).await.unwrap();
    assert_eq!(declined.status, hamafza_core::idea::IdeaStatus::Rejected);
    let message = app
        .state
        .store
        .decision_message(&declined.public_id)
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        message.contains("نظر دربارهٔ 3"),
        "the jury's comments reach the author: {message}"
    );
    let audit = app
        .state
        .store
        .audit_for("stage", &stage.to_string())
        .await
        .unwrap();
    let entry = audit.iter().find(|e| e.action == "jury.shortlist").unwrap();
    assert!(entry.data.contains("هم‌خوان‌تر"), "{}", entry.data);
    // Once done, there is nothing left to shortlist.
    let r = c
        .api("POST", &url, Some(&t), Some(json!({"count": 1})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The ranking still lists every idea judged at the stage.
    let r = c
        .api(
            "GET",
            &format!("/api/v1/stages/{stage}/ranking"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.json()["ideas"].as_array().unwrap().len(), 5);
}

async fn on_the_stage_page_the_top_is_ticked_and_a_swap_keeps_its_reason(app: TestApp) {
    let (call, ideas) = judged(&app, 3).await;
    let (mut c, t) = secretariat(&app).await;
    let stage = call.stages[2].id;
    let tokens = setup_jury(&app, &mut c, &t, &call, 1, 2).await;
    for tok in &tokens {
        let list = c
            .api("GET", "/api/v1/judging/assignments", Some(tok), None)
            .await
            .json();
        for a in list.as_array().unwrap() {
            let n = a["title"]
                .as_str()
                .unwrap()
                .chars()
                .next_back()
                .and_then(|c| c.to_digit(10))
                .unwrap() as i32;
            c.api(
                "POST",
                "/api/v1/reviews",
                Some(tok),
                Some(json!({"assignment": a["id"], "scores": [1 + n, 1 + 4 * n], "submit": true})),
            )
            .await;
        }
    }
    let (mut page, _) = app.signed_in("dabir2", &[Role::Secretariat]).await;
    let r = page.get(&format!("/secretariat/stages/{stage}?n=1")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let best = &ideas[2].1.public_id;
    assert!(
        r.body.contains(&format!("value=\"{best}\" aria-label")),
        "the best is proposed"
    );
    let ticked = r
        .body
        .split("name=\"chosen\"")
        .skip(1)
        .filter(|rest| rest.split('>').next().unwrap().contains("checked"))
        .count();
    assert_eq!(ticked, 1, "only the top 1 is ticked");
    // Ticking another instead, without a reason: 422, nothing moves.
    let other = &ideas[0].1.public_id;
    let url = format!("/secretariat/stages/{stage}/shortlist");
    let r = page
        .post_form(
            &url,
            &[
                ("method", "normalized"),
                ("count", "1"),
                ("chosen", other),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains(&format!("value=\"{other}\" aria-label"))
            && r.body
                .split(&format!("value=\"{other}\""))
                .nth(1)
                .unwrap()
                .split('>')
                .next()
                .unwrap()
                .contains("checked"),
        "the tick is kept"
    );
    assert_eq!(
        app.state.store.idea(ideas[0].1.id).await.unwrap().place(),
        ideas[0].1.place()
    );
    let r = page
        .post_form(
            &url,
            &[
                ("method", "normalized"),
                ("count", "1"),
                ("chosen", other),
                ("reason", "هم‌خوانی با اولویت سال"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let done = page.get(r.location()).await;
    assert!(
        done.body.contains("۱ ایده به مرحلهٔ بعد رفت"),
        "{}",
        done.body
    );
}

async fn pairwise_judges_compare_blind_pairs_and_bad_comparisons_change_nothing(app: TestApp) {
    let (call, ideas) = judged(&app, 4).await;
    let (mut c, t) = secretariat(&app).await;
    let stage = call.stages[2].id;
    // A judge who also wrote an idea of the stage.
    let writer = app.user("jauthor", &[Role::Judge, Role::Participant]).await;
    let own = hamafza_store::as_of(
        call.stages[0].starts_at,
        idea_by(&app, &call, &writer, "ایدهٔ داور"),
    )
    .await;
    let kinds: Vec<StageKind> = call.stages.iter().map(|s| s.kind).collect();
    let to = Transition::Accept.plan(own.place(), &kinds).unwrap();
    let own = app
        .state
        .store
        .transition_idea(own.id, own.place(), to, "", None)
        .await
        .unwrap();
    let r = c
        .api(
            "PUT",
            &format!("/api/v1/stages/{stage}/jury"),
            Some(&t),
            Some(json!({"mode": "pairwise", "reviews_per_idea": 3, "blind": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let tokens = judges(&app, &mut c, 2).await;
    let r = c
        .api(
            "PUT",
            &format!("/api/v1/stages/{stage}/jurors"),
            Some(&t),
            Some(json!({"add": ["judge0", "judge1", "jauthor"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let writer_token = c.token("jauthor").await;

    let pair_url = format!("/api/v1/stages/{stage}/pair");
    let cmp_url = format!("/api/v1/stages/{stage}/comparisons");
    let r = c.api("GET", &pair_url, Some(&tokens[0]), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for (author, idea) in &ideas {
        assert!(!r.body.contains(&author.display_name) && !r.body.contains(&idea.tracking_code));
    }
    let pair = r.json()["pair"].clone();
    let (a, b) = (
        pair[0]["id"].as_str().unwrap().to_string(),
        pair[1]["id"].as_str().unwrap().to_string(),
    );
    assert_ne!(a, b);
    // The writer is never shown their own idea.
    for _ in 0..5 {
        let r = c
            .api("GET", &pair_url, Some(&writer_token), None)
            .await
            .json();
        assert!(
            r["pair"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["id"] != json!(own.public_id))
        );
    }

    // Bad comparisons: 422 naming the field, nothing recorded. (The writer's idea against one
    // that is not theirs: the pair drawn for judge0 may hold the writer's own idea.)
    let not_own = if a == own.public_id { &b } else { &a };
    for (body, field) in [
        (json!({"winner": a, "loser": a}), "loser"),
        (json!({"winner": a, "loser": "nope"}), "loser"),
        (json!({"winner": own.public_id, "loser": not_own}), "winner"),
    ] {
        let tok = if field == "winner" {
            &writer_token
        } else {
            &tokens[0]
        };
        let r = c.api("POST", &cmp_url, Some(tok), Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(&format!("\"{field}\"")), "{}", r.body);
    }
    assert!(
        app.state
            .store
            .stage_comparisons(stage)
            .await
            .unwrap()
            .is_empty()
    );

    let r = c
        .api(
            "POST",
            &cmp_url,
            Some(&tokens[0]),
            Some(json!({"winner": a, "loser": b})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["compared"], 1);
    let next = &r.json()["pair"];
    let next_ids: Vec<&str> = next
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert!(
        !(next_ids.contains(&a.as_str()) && next_ids.contains(&b.as_str())),
        "not the same pair again"
    );
    // A judge not on this jury does not see the stage.
    app.user("other", &[Role::Judge]).await;
    let other = c.token("other").await;
    assert_eq!(
        c.api("GET", &pair_url, Some(&other), None).await.status,
        StatusCode::NOT_FOUND
    );
    let ranking = c
        .api(
            "GET",
            &format!("/api/v1/stages/{stage}/ranking?method=pairwise"),
            Some(&t),
            None,
        )
        .await
        .json();
    assert_eq!(ranking["strongly_connected"], json!(false));

    // On the pages: the judge's list links to comparing, and a pick moves on.
    let mut page = app.client();
    page.post_form(
        "/login",
        &[
            ("username", "judge1"),
            ("password", hamafza_web::testing::PASSWORD),
        ],
    )
    .await;
    let list = page.get("/judging").await;
    assert!(
        list.body
            .contains(&format!("/judging/stages/{stage}/compare")),
        "{}",
        list.body
    );
    let cmp = page.get(&format!("/judging/stages/{stage}/compare")).await;
    assert_eq!(cmp.status, StatusCode::OK, "{}", cmp.body);
    let winner = cmp
        .body
        .split("name=\"winner\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let loser = cmp
        .body
        .split("name=\"loser\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = page
        .post_form(
            &format!("/judging/stages/{stage}/compare"),
            &[("winner", &winner), ("loser", &loser)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = page
        .post_form(
            &format!("/judging/stages/{stage}/compare"),
            &[("winner", &winner), ("loser", &winner)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.state
            .store
            .stage_comparisons(stage)
            .await
            .unwrap()
            .len(),
        2
    );
}
