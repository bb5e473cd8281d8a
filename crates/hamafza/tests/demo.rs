//! The demo data: complete, and loaded twice without duplicates, on both databases.

use hamafza_core::{OrgUnitKind, Role};
use hamafza_store::{Store, store_tests};

store_tests!(loading_the_demo_twice_adds_nothing);

async fn loading_the_demo_twice_adds_nothing(store: Store) {
    hamafza::demo::load(&store, "first demo password")
        .await
        .unwrap();
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
    assert!(round2.results_published_at.is_some());
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
