//! The whole round over the API, as a secretariat automates it: a call created, edited and
//! published; ideas screened and shortlisted; the finalists awarded; the results published once
//! submission is over, crediting teammates and merged authors; ideas shown with who is behind
//! them. On both databases.

use axum::http::StatusCode;
use hamafza_core::Role;
use hamafza_core::call::{Call, StageKind};
use hamafza_core::idea::{Idea, Transition};
use hamafza_web::testing::{TestApp, fixtures};
use hamafza_web::web_tests;
use serde_json::{Value, json};

web_tests!(
    a_call_is_edited_and_moved_through_its_states_over_the_api,
    results_award_finalists_only_and_wait_for_submission_to_end,
    an_idea_over_the_api_names_its_team_credits_message_and_versions,
    removing_an_axis_with_ideas_is_a_clear_error_not_a_500,
    orientation_sessions_invitations_and_attendance_over_the_api,
);

fn day(n: i64) -> String {
    fixtures::days_from_today(n).to_string()
}

/// A call's body for `POST /calls`: submission from `from` to `to` days from today, then
/// screening, shortlisting and results.
fn call_body(from: i64, to: i64) -> Value {
    json!({
        "title": "فراخوان دور دوم",
        "audience": "both",
        "axes": [{ "title": "خدمات غیرحضوری" }, { "title": "مستمری‌بگیران" }],
        "stages": [
            { "kind": "submission", "start": day(from), "end": day(to) },
            { "kind": "screening", "start": day(to + 1), "end": day(to + 10) },
            { "kind": "shortlisting", "start": day(to + 11), "end": day(to + 20) },
            { "kind": "results", "start": day(to + 21), "end": day(to + 30) },
        ],
    })
}

/// The call's axes (id, title) as its `GET` shows them.
async fn r_axes(
    c: &mut hamafza_web::testing::Client,
    url: &str,
    token: &str,
) -> Vec<(i64, String)> {
    let r = c.api("GET", url, Some(token), None).await;
    r.json()["axes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_i64().unwrap(),
                a["title"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn decide(app: &TestApp, call: &Call, idea: &Idea, t: Transition) -> Idea {
    let idea = app.state.store.idea(idea.id).await.unwrap();
    let kinds: Vec<StageKind> = call.stages.iter().map(|s| s.kind).collect();
    let to = t.plan(idea.place(), &kinds).unwrap();
    app.state
        .store
        .transition_idea(idea.id, idea.place(), to, "به زمان بیشتری نیاز دارد.", None)
        .await
        .unwrap();
    app.state.store.idea(idea.id).await.unwrap()
}

async fn a_call_is_edited_and_moved_through_its_states_over_the_api(app: TestApp) {
    app.user("dabir", &[Role::Secretariat]).await;
    app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    let token = c.token("dabir").await;
    let sara = c.token("sara").await;
    let r = c
        .api(
            "POST",
            "/api/v1/calls",
            Some(&token),
            Some(call_body(-1, 7)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let url = format!("/api/v1/calls/{id}");

    // Only what is sent changes; dates come in any digits.
    let r = c
        .api(
            "PATCH",
            &url,
            Some(&token),
            Some(json!({ "title": "فراخوان دور دوم جم‌عینو", "stages": [
                { "kind": "submission", "start": day(-2), "end": hamafza_persian::digits::to_persian(&day(9)) },
                { "kind": "screening", "start": day(10), "end": day(20) },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let call = r.json();
    assert_eq!(call["title"], "فراخوان دور دوم جم‌عینو");
    assert_eq!(call["axes"].as_array().unwrap().len(), 2, "axes kept");
    assert_eq!(call["stages"].as_array().unwrap().len(), 2);
    assert_eq!(call["stages"][0]["end"], day(9));
    assert_eq!(call["state"], "draft");

    // Every invalid field at once; nothing saved.
    let r = c
        .api(
            "PATCH",
            &url,
            Some(&token),
            Some(json!({ "title": "", "audience": "everyone" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert!(
        fields.contains(&"title".into()) && fields.contains(&"audience".into()),
        "{fields:?}"
    );

    // Axes keep their places: one sent with its id at another place is refused.
    let axes = r_axes(&mut c, &url, &token).await;
    let r = c
        .api(
            "PATCH",
            &url,
            Some(&token),
            Some(json!({ "axes": [
                { "id": axes[1].0, "title": axes[1].1 },
                { "id": axes[0].0, "title": axes[0].1 },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "axes");
    // Stages follow one another.
    let r = c
        .api(
            "PATCH",
            &url,
            Some(&token),
            Some(json!({ "stages": [
                { "kind": "submission", "start": day(-2), "end": day(9) },
                { "kind": "screening", "start": day(5), "end": day(20) },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // A participant may not edit or publish.
    let r = c
        .api("PATCH", &url, Some(&sara), Some(json!({ "title": "x" })))
        .await;
    assert!(
        r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND,
        "{}",
        r.status
    );
    let state = format!("{url}/state");
    let r = c
        .api(
            "POST",
            &state,
            Some(&sara),
            Some(json!({ "to": "published" })),
        )
        .await;
    assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND);

    // A draft cannot be closed: its own problem, 409, saying which moves there are.
    let r = c
        .api(
            "POST",
            &state,
            Some(&token),
            Some(json!({ "to": "closed" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.json()["type"].as_str().unwrap().contains("call-state"),
        "{}",
        r.body
    );
    let r = c
        .api("POST", &state, Some(&token), Some(json!({ "to": "open" })))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    for to in ["published", "closed", "published", "closed", "archived"] {
        let r = c
            .api("POST", &state, Some(&token), Some(json!({ "to": to })))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{to}: {}", r.body);
        assert_eq!(r.json()["state"], to);
    }
    // An archived call is kept as it was: no edit, no new orientation session.
    let r = c
        .api(
            "PATCH",
            &url,
            Some(&token),
            Some(json!({ "title": "تغییر پس از بایگانی" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.json()["type"].as_str().unwrap().ends_with("/archived"));
    let r = c
        .api(
            "POST",
            &format!("{url}/orientation"),
            Some(&token),
            Some(
                json!({ "title": "جلسه", "date": "1403/02/20", "time": "10:00", "place": "تالار" }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // Each move is in the audit log.
    let moves = app
        .state
        .store
        .audit_for("call", &id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "call.state")
        .count();
    assert_eq!(moves, 5);
}

async fn results_award_finalists_only_and_wait_for_submission_to_end(app: TestApp) {
    app.user("dabir", &[Role::Secretariat]).await;
    let sara = app.user("sara", &[Role::Participant]).await;
    let reza = app.user("reza", &[Role::Participant]).await;
    let mina = app.user("mina", &[Role::Participant]).await;
    let mut c = app.client();
    let token = c.token("dabir").await;
    let r = c
        .api(
            "POST",
            "/api/v1/calls",
            Some(&token),
            Some(call_body(-1, 7)),
        )
        .await;
    let id = r.json()["id"].as_str().unwrap().to_string();
    c.api(
        "POST",
        &format!("/api/v1/calls/{id}/state"),
        Some(&token),
        Some(json!({ "to": "published" })),
    )
    .await;
    let call = app
        .state
        .store
        .call_by_public_id(&id)
        .await
        .unwrap()
        .unwrap();
    let finalist = fixtures::idea_by(&app, &call, &sara, "پیامک وضعیت پرونده").await;
    let accepted = fixtures::idea_by(&app, &call, &sara, "سامانهٔ نوبت‌دهی شعب").await;
    let duplicate = fixtures::idea_by(&app, &call, &mina, "پیامک وضعیت پرونده ها").await;
    // Reza joins the finalist's team; Mina's duplicate is merged into it.
    app.state
        .store
        .invite(&finalist, reza.id, Some(sara.id))
        .await
        .unwrap();
    app.state
        .store
        .answer_invitation(&finalist, reza.id, true)
        .await
        .unwrap();
    app.state
        .store
        .merge_ideas(&duplicate, &finalist, None)
        .await
        .unwrap();
    // Sara's own repeat and one by Reza, already on the team, are merged in too: each person is
    // credited once, and the author not at all.
    for (who, title) in [
        (&sara, "پیامک وضعیت پرونده دوباره"),
        (&reza, "پیامک وضعیت پرونده از رضا"),
    ] {
        let repeat = fixtures::idea_by(&app, &call, who, title).await;
        app.state
            .store
            .merge_ideas(&repeat, &finalist, None)
            .await
            .unwrap();
    }
    let finalist = decide(&app, &call, &finalist, Transition::Accept).await;
    let finalist = decide(&app, &call, &finalist, Transition::Accept).await;
    decide(&app, &call, &accepted, Transition::Accept).await;

    let base = format!("/api/v1/calls/{id}/results");
    let r = c
        .api("GET", &format!("{base}/finalists"), Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["idea_id"], finalist.public_id.as_str());

    // An accepted idea that did not reach the last stage cannot be awarded; nor a rank of 0.
    let r = c
        .api(
            "PUT",
            &base,
            Some(&token),
            Some(json!({ "awards": [
                { "idea_id": accepted.public_id, "award": "winner", "rank": 1 },
                { "idea_id": finalist.public_id, "award": "winner", "rank": 0 },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("idea_id") && r.body.contains("rank"),
        "{}",
        r.body
    );
    assert!(app.state.store.results(call.id).await.unwrap().is_empty());

    // Nothing awarded: publishing is refused and says why.
    let publish = format!("{base}/publish");
    let r = c.api("POST", &publish, Some(&token), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    let r = c
        .api(
            "PUT",
            &base,
            Some(&token),
            Some(json!({ "awards": [
                { "idea_id": finalist.public_id, "award": "winner", "rank": 1 },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()[0]["rank"], 1);

    // Submission is still open: refused, with the reason in the detail.
    let r = c.api("POST", &publish, Some(&token), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.json()["type"]
            .as_str()
            .unwrap()
            .contains("results-blocked")
    );
    assert!(
        r.json()["detail"].as_str().unwrap().contains("دریافت ایده"),
        "{}",
        r.body
    );
    assert_eq!(
        app.client()
            .get(&format!("/calls/{id}/results"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The page refuses in words too, before asking.
    let (mut d, _) = app.signed_in("dabir2", &[Role::Secretariat]).await;
    let r = d
        .post_form(&format!("/secretariat/calls/{id}/results/publish"), &[])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("دریافت ایده") && !r.body.contains("name=\"confirm\""));

    // Submission ended yesterday: published.
    let r = c
        .api(
            "PATCH",
            &format!("/api/v1/calls/{id}"),
            Some(&token),
            Some(json!({ "stages": [
                { "kind": "submission", "start": day(-9), "end": day(-1) },
                { "kind": "screening", "start": day(0), "end": day(2) },
                { "kind": "shortlisting", "start": day(3), "end": day(5) },
                { "kind": "results", "start": day(6), "end": day(9) },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = c.api("POST", &publish, Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Publishing again (a double click, a second secretary) records and tells nothing new.
    let r = c.api("POST", &publish, Some(&token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let published = app
        .state
        .store
        .audit_for("call", &id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "call.results_published")
        .count();
    assert_eq!(published, 1);
    // Public results cannot be emptied, and ranks run from 1 without gaps.
    let r = c
        .api("PUT", &base, Some(&token), Some(json!({ "awards": [] })))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = c
        .api(
            "PUT",
            &base,
            Some(&token),
            Some(json!({ "awards": [
                { "idea_id": finalist.public_id, "award": "winner", "rank": 5 },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("بی‌فاصله"), "{}", r.body);
    assert_eq!(app.state.store.results(call.id).await.unwrap()[0].rank, 1);

    // The public sees everyone the award honours: the API, the page and the certificate.
    let r = app.client().api("GET", &base, None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let row = &r.json()[0];
    assert_eq!(row["author"], "کاربر sara");
    assert_eq!(row["credited"], json!(["کاربر reza", "کاربر mina"]));
    let page = app.client().get(&format!("/calls/{id}/results")).await;
    assert!(page.body.contains("کاربر reza") && page.body.contains("کاربر mina"));
    let cert = app
        .client()
        .get(&format!("/ideas/{}/certificate", finalist.public_id))
        .await;
    assert!(
        cert.body.contains("کاربر sara")
            && cert.body.contains("کاربر reza")
            && cert.body.contains("کاربر mina"),
        "{}",
        cert.body
    );
}

async fn an_idea_over_the_api_names_its_team_credits_message_and_versions(app: TestApp) {
    app.user("dabir", &[Role::Secretariat]).await;
    let sara = app.user("sara", &[Role::Participant]).await;
    let reza = app.user("reza", &[Role::Participant]).await;
    app.user("mina", &[Role::Participant]).await;
    let call = fixtures::open_call(&app, hamafza_core::call::Audience::Both).await;
    let idea = fixtures::idea_by(&app, &call, &sara, "پیامک وضعیت پرونده").await;
    app.state
        .store
        .invite(&idea, reza.id, Some(sara.id))
        .await
        .unwrap();
    decide(&app, &call, &idea, Transition::RequestChanges).await;
    let mut c = app.client();
    let (ts, tr, tm, td) = (
        c.token("sara").await,
        c.token("reza").await,
        c.token("mina").await,
        c.token("dabir").await,
    );
    let url = format!("/api/v1/ideas/{}", idea.public_id);
    for t in [&ts, &td] {
        let r = c.api("GET", &url, Some(t), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(
            j["title"], "پیامک وضعیت پرونده",
            "the idea's fields stay at the top"
        );
        assert_eq!(j["author"]["username"], "sara");
        assert_eq!(j["team"][1]["username"], "reza");
        assert_eq!(j["team"][1]["state"], "invited");
        assert_eq!(j["decision_message"], "به زمان بیشتری نیاز دارد.");
    }
    // An outsider sees nothing.
    assert_eq!(
        c.api("GET", &url, Some(&tm), None).await.status,
        StatusCode::NOT_FOUND
    );
    // The author edits: two versions, oldest first.
    let edit = json!({
        "axis_id": call.axes[1].id,
        "title": "پیامک وضعیت پرونده برای همه",
        "problem": "بیمه‌شدگان برای دانستن وضعیت پرونده به شعبه مراجعه می‌کنند.",
        "solution": "پس از هر تغییر وضعیت پرونده، پیامکی با کد رهگیری فرستاده شود.",
    });
    let r = c.api("PATCH", &url, Some(&ts), Some(edit)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = c
        .api("GET", &format!("{url}/versions"), Some(&td), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["version"], 1);
    assert_eq!(v[0]["title"], "پیامک وضعیت پرونده");
    assert_eq!(v[1]["title"], "پیامک وضعیت پرونده برای همه");
    assert_eq!(
        c.api("GET", &format!("{url}/versions"), Some(&tm), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // An invitee who has not answered sees the idea only once they accept (the invitation page
    // shows it meanwhile); after accepting, the versions too.
    app.state
        .store
        .answer_invitation(&idea, reza.id, true)
        .await
        .unwrap();
    let r = c
        .api("GET", &format!("{url}/versions"), Some(&tr), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

async fn removing_an_axis_with_ideas_is_a_clear_error_not_a_500(app: TestApp) {
    app.user("dabir", &[Role::Secretariat]).await;
    let sara = app.user("sara", &[Role::Participant]).await;
    let call = fixtures::open_call(&app, hamafza_core::call::Audience::Both).await;
    // An idea under the second axis: dropping that axis would leave it pointing at nothing.
    let idea = fixtures::idea_by(&app, &call, &sara, "پیامک وضعیت پرونده").await;
    let mut text = app
        .state
        .store
        .idea_versions(idea.id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    text.axis_id = call.axes[1].id;
    app.state
        .store
        .edit_idea(
            idea.id,
            idea.place(),
            &hamafza_core::idea::IdeaText {
                axis_id: text.axis_id,
                title: text.title,
                problem: text.problem,
                solution: text.solution,
                benefits: text.benefits,
                resources: text.resources,
                owner_unit_id: text.owner_unit_id,
            },
            Some(sara.id),
        )
        .await
        .unwrap();
    let mut c = app.client();
    let token = c.token("dabir").await;
    let url = format!("/api/v1/calls/{}", call.public_id);
    let r = c
        .api(
            "PATCH",
            &url,
            Some(&token),
            Some(json!({ "axes": [{ "title": "خدمات غیرحضوری" }] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "axes");
    assert_eq!(
        app.state.store.call(call.id).await.unwrap().axes.len(),
        2,
        "nothing changed"
    );
    // Nor may the stage the idea sits in change its kind under it.
    let r = c
        .api(
            "PATCH",
            &url,
            Some(&token),
            Some(json!({ "stages": [
                { "kind": "screening", "start": day(-1), "end": day(7) },
                { "kind": "shortlisting", "start": day(8), "end": day(20) },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["errors"][0]["field"], "stages");
    // The form says it where the axes are, and keeps what was typed.
    let (mut d, _) = app.signed_in("dabir2", &[Role::Secretariat]).await;
    let edit = format!("/secretariat/calls/{}/edit", call.public_id);
    let page = d.get(&edit).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut fields: Vec<(String, String)> = Vec::new();
    for (name, value) in [
        ("title", "فراخوان ویرایش‌شده"),
        ("audience", "both"),
        ("axis_title_0", "خدمات غیرحضوری"),
        ("stage_kind_0", "submission"),
        ("stage_start_0", &day(-1)),
        ("stage_end_0", &day(7)),
        ("stage_kind_1", "screening"),
        ("stage_start_1", &day(8)),
        ("stage_end_1", &day(20)),
    ] {
        fields.push((name.into(), value.to_string()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = d.post_form(&edit, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("فراخوان ویرایش‌شده"),
        "the typed title is kept"
    );
    assert!(
        r.body.contains("ایده‌هایی به این بخش وابسته‌اند"),
        "{}",
        r.body
    );
}

async fn orientation_sessions_invitations_and_attendance_over_the_api(app: TestApp) {
    app.user("dabir", &[Role::Secretariat]).await;
    let sara = app.user("sara", &[Role::Participant]).await;
    let mut c = app.client();
    let token = c.token("dabir").await;
    let sara_token = c.token("sara").await;
    let mut body = call_body(-1, 7);
    body["stages"][2]["kind"] = json!("orientation");
    let r = c
        .api("POST", "/api/v1/calls", Some(&token), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_string();
    let call = app
        .state
        .store
        .call_by_public_id(&id)
        .await
        .unwrap()
        .unwrap();
    let finalist = fixtures::idea_by(&app, &call, &sara, "پیامک وضعیت پرونده").await;
    let other = fixtures::idea_by(&app, &call, &sara, "سامانهٔ نوبت‌دهی شعب").await;
    decide(&app, &call, &finalist, Transition::Accept).await;

    let list = format!("/api/v1/calls/{id}/orientation");
    let r = c
        .api(
            "POST",
            &list,
            Some(&token),
            Some(json!({ "title": "", "date": "1403/13/01", "time": "۲۵:۰۰", "place": "" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["errors"].as_array().unwrap().len(),
        4,
        "{}",
        r.body
    );
    let r = c
        .api(
            "POST",
            &list,
            Some(&token),
            Some(
                json!({ "title": "آشنایی با نظام مسائل", "date": "۱۴۰۳/۰۲/۲۰", "time": "۱۰:۳۰",
                         "place": "تالار همایش‌های ستاد", "materials": "- قانون تأمین اجتماعی" }),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let session = r.json();
    assert_eq!(session["starts"], "1403/02/20 10:30");
    let sid = session["id"].as_str().unwrap().to_string();
    let r = c.api("GET", &list, Some(&token), None).await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    // Participants see none of it.
    assert_eq!(
        c.api("GET", &list, Some(&sara_token), None).await.status,
        StatusCode::FORBIDDEN
    );
    let one = format!("/api/v1/orientation/{sid}");
    assert_eq!(
        c.api("GET", &one, Some(&sara_token), None).await.status,
        StatusCode::FORBIDDEN
    );

    // A code of no idea of the call: refused, nobody invited.
    let invite = format!("{one}/invitations");
    let r = c
        .api(
            "POST",
            &invite,
            Some(&token),
            Some(json!({ "finalists": true, "tracking_codes": ["0000000000"] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = c
        .api(
            "POST",
            &invite,
            Some(&token),
            Some(json!({ "finalists": true })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.json()["changed"],
        1,
        "only the idea that reached orientation"
    );
    let code = hamafza_persian::digits::to_persian(&other.tracking_code);
    let r = c
        .api(
            "POST",
            &invite,
            Some(&token),
            Some(json!({ "tracking_codes": [code] })),
        )
        .await;
    assert_eq!(r.json()["changed"], 1, "a code in Persian digits");

    let attendance = format!("{one}/attendance");
    let r = c
        .api(
            "PUT",
            &attendance,
            Some(&token),
            Some(json!({ "marks": [{ "idea_id": finalist.public_id, "attendance": "here" }] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .api(
            "PUT",
            &attendance,
            Some(&token),
            Some(json!({ "marks": [
                { "idea_id": finalist.public_id, "attendance": "attended" },
                { "idea_id": other.public_id, "attendance": "absent" },
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["changed"], 2);
    let r = c.api("GET", &one, Some(&token), None).await;
    let detail = r.json();
    assert_eq!(detail["title"], "آشنایی با نظام مسائل");
    let marks: Vec<&str> = detail["invitees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["attendance"].as_str().unwrap())
        .collect();
    assert!(
        marks.contains(&"attended") && marks.contains(&"absent"),
        "{detail}"
    );
}
