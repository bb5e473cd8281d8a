//! The demo data: complete, and loaded twice without duplicates, on both databases.

use hamafza_core::{OrgUnitKind, Role};
use hamafza_store::{Store, store_tests};

store_tests!(loading_the_demo_twice_adds_nothing);

async fn loading_the_demo_twice_adds_nothing(store: Store) {
    hamafza::demo::load(&store, "first demo password")
        .await
        .unwrap();
    // Round 2's shortlisting was judged: three reviews an idea, and the ranking replays from the
    // audit log by every method.
    let id = store.setting("demo.call.round2").await.unwrap().unwrap();
    let round2 = store.call_by_public_id(&id).await.unwrap().unwrap();
    let shortlisting = round2
        .stages
        .iter()
        .find(|s| s.kind == hamafza_core::call::StageKind::Shortlisting)
        .unwrap();
    let judged = store
        .stage_ideas(shortlisting.id)
        .await
        .unwrap()
        .ideas
        .len();
    let reviews = store.stage_reviews(shortlisting.id).await.unwrap();
    assert!(judged > 100, "{judged}");
    assert_eq!(reviews.len(), 3 * judged);
    let replay = hamafza_web::juries::service::replay(&store, shortlisting.id)
        .await
        .unwrap();
    assert_eq!(replay.reviews, reviews.len());
    assert!(replay.methods.iter().all(|m| m.1), "{:?}", replay.methods);
    let units = store.org_units().await.unwrap();
    let users = store.count_users().await.unwrap();
    assert_eq!(
        units
            .iter()
            .filter(|u| u.kind == OrgUnitKind::Province)
            .count(),
        31
    );
    assert_eq!(
        units
            .iter()
            .filter(|u| u.kind == OrgUnitKind::Branch)
            .count(),
        62
    );
    // Every branch hangs under its own province.
    for b in units.iter().filter(|u| u.kind == OrgUnitKind::Branch) {
        let parent = units.iter().find(|u| Some(u.id) == b.parent_id).unwrap();
        assert_eq!(parent.kind, OrgUnitKind::Province);
        assert_eq!(parent.province_code, b.province_code);
    }
    for (name, role) in [
        ("admin", Role::Admin),
        ("secretariat", Role::Secretariat),
        ("judge5", Role::Judge),
        ("participant1", Role::Participant),
        ("manager-isfahan", Role::Manager),
    ] {
        let u = store
            .user_by_username(name)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{name}"));
        assert!(u.has(role));
        assert!(u.org_unit_id.is_some());
    }
    // The rounds of the articles, with their ideas.
    let ideas = |key: &'static str| {
        let store = store.clone();
        async move {
            let id = store
                .setting(&format!("demo.call.{key}"))
                .await
                .unwrap()
                .unwrap();
            let call = store.call_by_public_id(&id).await.unwrap().unwrap();
            store.ideas_for_export(call.id).await.unwrap()
        }
    };
    let round1 = ideas("round1").await;
    assert!(round1.len() >= 1_400, "{}", round1.len());
    assert_eq!(
        round1
            .iter()
            .map(|i| &i.axis)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        8
    );
    assert_eq!(ideas("round2").await.len(), 216);
    // Round 2 went through its stages: 19 finalists, orientation, 3 winners and 2 jury's choice.
    let round2 = store
        .call_by_public_id(&store.setting("demo.call.round2").await.unwrap().unwrap())
        .await
        .unwrap()
        .unwrap();
    let orientation = round2
        .stages
        .iter()
        .position(|s| s.kind == hamafza_core::call::StageKind::Orientation)
        .unwrap() as i64;
    assert_eq!(
        store
            .ideas_at_or_beyond(round2.id, orientation)
            .await
            .unwrap()
            .len(),
        19
    );
    let sessions = store.orientations_of_call(round2.id).await.unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(
        store
            .orientation_invitees(sessions[0].id)
            .await
            .unwrap()
            .len(),
        19
    );
    let results = store.results(round2.id).await.unwrap();
    let count = |a| results.iter().filter(|r| r.award == a).count();
    assert_eq!(count(hamafza_store::results::Award::Winner), 3);
    assert_eq!(count(hamafza_store::results::Award::JuryChoice), 2);
    // Dated at their historic time: the results at round 2's closing ceremony (1402/04/01),
    // not when the demo was loaded.
    let published = round2.results_published_at.unwrap();
    let closing = round2.stages.last().unwrap().starts_at;
    assert!(
        published >= closing && published < closing + 86_400,
        "{published}"
    );
    assert!(published < hamafza_store::now() - 86_400 * 365);
    // participant1–5 each have something to see: a winner with a teammate and a merged author,
    // a finalist with an invitation not yet answered, an idea turned down with the reason.
    let user = |name: &'static str| {
        let store = store.clone();
        async move { store.user_by_username(name).await.unwrap().unwrap() }
    };
    let (p1, p2, p3, p4, p5) = (
        user("participant1").await,
        user("participant2").await,
        user("participant3").await,
        user("participant4").await,
        user("participant5").await,
    );
    let winner = results
        .iter()
        .find(|r| r.award == hamafza_store::results::Award::Winner && r.rank == 1)
        .unwrap();
    assert_eq!(winner.author.as_deref(), Some(p1.display_name.as_str()));
    assert!(
        winner.credited.contains(&p5.display_name),
        "{:?}",
        winner.credited
    );
    assert!(
        winner.credited.len() >= 2,
        "the teammate and the merged author"
    );
    let mine = |u: &hamafza_core::account::User| {
        let store = store.clone();
        let id = u.id;
        async move { store.ideas_of_author(id, Some(round2.id)).await.unwrap() }
    };
    let p2_ideas = mine(&p2).await;
    assert_eq!(p2_ideas.len(), 1);
    assert_eq!(
        p2_ideas[0].stage_position,
        orientation + 1,
        "a finalist who presented"
    );
    let p3_ideas = mine(&p3).await;
    assert_eq!(p3_ideas[0].status, hamafza_core::idea::IdeaStatus::Rejected);
    assert!(
        store
            .decision_message(&p3_ideas[0].public_id)
            .await
            .unwrap()
            .is_some()
    );
    let invitations = store.invitations_of(p4.id).await.unwrap();
    assert_eq!(invitations.len(), 1);
    assert_eq!(invitations[0].idea_public_id, p2_ideas[0].public_id);
    let booth = ideas("elecomp").await;
    assert!(booth.len() >= 100);
    assert!(booth.iter().all(|i| i.channel == "exhibition"));
    hamafza::demo::load(&store, "second demo password")
        .await
        .unwrap();
    assert_eq!(store.org_units().await.unwrap().len(), units.len());
    assert_eq!(store.count_users().await.unwrap(), users);
    assert_eq!(ideas("round1").await.len(), round1.len());
    // The second run's password is the one that works now.
    let (_, hash) = store.credentials("judge1").await.unwrap().unwrap();
    assert!(hamafza_web::auth::password::verify("second demo password", hash.as_deref()).await);
    assert_eq!(store.verify_audit().await.unwrap().broken, None);
}

/// Every page a visitor of each role reaches by following links from the home page, on the demo:
/// none answers 5xx, and none shows an unfilled `{placeholder}`, a message the catalog lacks, or
/// a catalog key or stored action name instead of words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_as_every_role_shows_words_not_keys() {
    use hamafza_web::i18n::MISSING_MESSAGES;
    use hamafza_web::testing::{PASSWORD, TestApp};
    use std::collections::{BTreeMap, BTreeSet, VecDeque};
    use std::sync::atomic::Ordering;

    let db = hamafza_store::testing::sqlite().await;
    hamafza::demo::load(&db.store, PASSWORD).await.unwrap();
    let app = TestApp::new(db).await;
    let raw_key = |text: &str| -> Option<String> {
        const PREFIXES: &[&str] = &[
            "idea.",
            "screening.",
            "notify.",
            "settings.",
            "admin.",
            "error.",
            "problem.",
            "audit.",
            "field.",
            "nav.",
            "call.",
            "team.",
            "user.",
            "auth.",
            "orientation.",
            "results.",
            "intake.",
            "import.",
        ];
        text.split(|c: char| !(c.is_ascii_lowercase() || c == '.' || c == '_'))
            .find(|w| {
                PREFIXES
                    .iter()
                    .any(|p| w.starts_with(p) && w.len() > p.len())
                    && !w.ends_with('.')
            })
            .map(str::to_string)
    };
    let mut problems = Vec::new();
    for who in [
        None,
        Some("participant1"),
        Some("secretariat"),
        Some("admin"),
        Some("judge5"),
    ] {
        let mut c = app.client();
        if let Some(name) = who {
            let r = c
                .post_form("/login", &[("username", name), ("password", PASSWORD)])
                .await;
            assert_eq!(r.status.as_u16(), 303, "{name} signs in");
        }
        // Breadth first from the home page; at most 3 pages of each shape (ids replaced).
        let mut queue = VecDeque::from(["/".to_string()]);
        let mut seen = BTreeSet::new();
        let mut per_shape: BTreeMap<String, usize> = BTreeMap::new();
        let mut pages = 0;
        while let Some(path) = queue.pop_front() {
            if !seen.insert(path.clone()) || pages >= 300 {
                continue;
            }
            // Public ids are 10 letters and digits; numbers are ids too; the query is dropped.
            let shape: String = path
                .split('?')
                .next()
                .unwrap_or("")
                .split('/')
                .map(|seg| {
                    let id = seg.len() == 10 && seg.chars().all(|c| c.is_ascii_alphanumeric())
                        || !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit());
                    if id { "{}" } else { seg }
                })
                .collect::<Vec<_>>()
                .join("/");
            let n = per_shape.entry(shape).or_default();
            *n += 1;
            if *n > 3 {
                continue;
            }
            pages += 1;
            let before = MISSING_MESSAGES.load(Ordering::Relaxed);
            let r = c.get(&path).await;
            let who = who.unwrap_or("anonymous");
            if r.status.is_server_error() {
                problems.push(format!("{who} {path}: {}", r.status));
                continue;
            }
            if MISSING_MESSAGES.load(Ordering::Relaxed) > before {
                problems.push(format!("{who} {path}: a message missing from the catalog"));
            }
            if !r.header("content-type").starts_with("text/html") {
                continue;
            }
            // The text people read: tags and attributes dropped (scripts have none inline).
            let mut text = String::new();
            let mut in_tag = false;
            for ch in r.body.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            if let Some(i) = text.find('{') {
                let end = text[i..].find('}').map_or(i + 1, |e| i + e + 1);
                if text[i + 1..end.saturating_sub(1)]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
                {
                    problems.push(format!("{who} {path}: placeholder {}", &text[i..end]));
                }
            }
            if let Some(k) = raw_key(&text) {
                problems.push(format!("{who} {path}: raw key {k}"));
            }
            for link in r.body.split("href=\"").skip(1) {
                let href = &link[..link.find('"').unwrap_or(0)];
                let href = href.split('#').next().unwrap_or("").replace("&amp;", "&");
                let skip = [
                    "/logout",
                    "/lang/",
                    "/assets/",
                    "/api/",
                    "/export",
                    "/attachments/",
                    "/certificate",
                ];
                if href.starts_with('/')
                    && !href.starts_with("//")
                    && !skip.iter().any(|s| href.contains(s))
                {
                    queue.push_back(href);
                }
            }
        }
        assert!(pages > 3, "{who:?} reached only {pages} pages");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
