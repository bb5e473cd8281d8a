//! Users, sessions, tokens, rate limits, one-time codes, the audit chain, settings, org units
//! and pruning.

use crate::fixtures::unit;
use hamafza_core::limits::Limit;
use hamafza_core::{OrgUnitKind, Role};
use hamafza_store::audit::NewAudit;
use hamafza_store::org_units::NewOrgUnit;
use hamafza_store::users::{NewUser, UserQuery, UserUpdate};
use hamafza_store::{Backend, Store, StoreError, store_tests};
use serde_json::json;

store_tests!(
    the_database_answers_after_migrating,
    a_user_and_their_roles_read_back,
    a_duplicate_username_or_mobile_is_a_conflict_on_that_column,
    users_can_be_searched_by_text_role_and_unit,
    updating_a_user_replaces_roles_and_disabling_ends_sessions,
    sessions_expire,
    a_token_is_revoked_only_by_its_owner,
    rate_limits_count_per_window_and_clear,
    a_one_time_code_is_used_once,
    parallel_guesses_take_no_more_tries_than_a_code_has,
    the_audit_chain_verifies_and_tampering_is_found,
    concurrent_audit_appends_form_one_chain,
    the_first_setting_written_wins,
    org_units_form_a_tree_with_counts,
    pruning_removes_only_expired_rows,
);

fn new_user(username: &str) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("کاربر {username}"),
        password_hash: Some("$argon2id$fake".into()),
        national_id: None,
        mobile: None,
        org_unit_id: None,
        roles: vec![Role::Participant],
    }
}

async fn the_database_answers_after_migrating(store: Store) {
    assert!(store.ping().await);
    // Migrating again is a no-op.
    store.migrate().await.unwrap();
    assert!(matches!(
        store.backend(),
        Backend::Sqlite | Backend::Postgres
    ));
}

async fn a_user_and_their_roles_read_back(store: Store) {
    let mut n = new_user("sara");
    n.roles = vec![Role::Judge, Role::Admin];
    n.mobile = Some("09121234567".into());
    let u = store.create_user(&n, None).await.unwrap();
    assert_eq!(u.roles, vec![Role::Admin, Role::Judge]);
    assert_eq!(store.user_by_username("sara").await.unwrap().unwrap(), u);
    assert_eq!(
        store
            .user_by_mobile("09121234567")
            .await
            .unwrap()
            .unwrap()
            .id,
        u.id
    );
    let (_, hash) = store.credentials("sara").await.unwrap().unwrap();
    assert_eq!(hash.as_deref(), Some("$argon2id$fake"));
    assert!(matches!(
        store.user(u.id + 1000).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.user_by_username("nobody").await.unwrap().is_none());
}

async fn a_duplicate_username_or_mobile_is_a_conflict_on_that_column(store: Store) {
    let mut a = new_user("ali");
    a.mobile = Some("09121111111".into());
    store.create_user(&a, None).await.unwrap();
    let e = store.create_user(&new_user("ali"), None).await.unwrap_err();
    assert!(e.is_conflict_on("username"), "{e:?}");
    let mut b = new_user("bob");
    b.mobile = Some("09121111111".into());
    let e = store.create_user(&b, None).await.unwrap_err();
    assert!(e.is_conflict_on("mobile"), "{e:?}");
    // Nothing half-written: the failed users are absent, and so are their audit entries.
    assert!(store.user_by_username("bob").await.unwrap().is_none());
    assert_eq!(store.verify_audit().await.unwrap().checked, 1);
}

async fn users_can_be_searched_by_text_role_and_unit(store: Store) {
    let hq = unit(&store, "hq", OrgUnitKind::Hq, None).await;
    for i in 0..12 {
        let mut n = new_user(&format!("user{i:02}"));
        if i % 3 == 0 {
            n.roles.push(Role::Judge);
            n.org_unit_id = Some(hq);
        }
        store.create_user(&n, None).await.unwrap();
    }
    let q = |search: Option<&str>, role, unit| UserQuery {
        search: search.map(String::from),
        role,
        org_unit_id: unit,
        offset: 0,
        limit: 5,
    };
    let (page, total) = store.users(&q(None, None, None)).await.unwrap();
    assert_eq!((page.len(), total), (5, 12));
    assert_eq!(page[0].username, "user00");
    let (judges, total) = store
        .users(&q(None, Some(Role::Judge), None))
        .await
        .unwrap();
    assert_eq!(total, 4);
    assert!(
        judges
            .iter()
            .all(|u| u.roles == vec![Role::Judge, Role::Participant])
    );
    assert_eq!(store.users(&q(None, None, Some(hq))).await.unwrap().1, 4);
    assert_eq!(
        store.users(&q(Some("USER1"), None, None)).await.unwrap().1,
        2
    );
}

async fn updating_a_user_replaces_roles_and_disabling_ends_sessions(store: Store) {
    let u = store.create_user(&new_user("reza"), None).await.unwrap();
    store.create_session("h1", u.id, 0, i64::MAX).await.unwrap();
    assert!(store.session_user("h1", 1).await.unwrap().is_some());
    let update = UserUpdate {
        display_name: "رضا".into(),
        national_id: None,
        mobile: None,
        org_unit_id: None,
        roles: vec![Role::Manager],
        disabled: true,
    };
    let after = store.update_user(u.id, &update, None).await.unwrap();
    assert_eq!(after.roles, vec![Role::Manager]);
    assert!(after.disabled);
    assert!(store.session_user("h1", 1).await.unwrap().is_none());
    let log = store.audit_for("user", &u.id.to_string()).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["user.create", "user.update"]
    );
    assert!(log[1].data.contains("manager"));
}

async fn sessions_expire(store: Store) {
    let u = store.create_user(&new_user("nima"), None).await.unwrap();
    store.create_session("live", u.id, 100, 200).await.unwrap();
    assert_eq!(
        store.session_user("live", 199).await.unwrap().unwrap().id,
        u.id
    );
    assert!(store.session_user("live", 200).await.unwrap().is_none());
    store.delete_session("live").await.unwrap();
    assert!(store.session_user("live", 150).await.unwrap().is_none());
}

async fn a_token_is_revoked_only_by_its_owner(store: Store) {
    let a = store.create_user(&new_user("owner"), None).await.unwrap();
    let b = store.create_user(&new_user("other"), None).await.unwrap();
    let t = store
        .create_api_token(a.id, "ci", "hash-a", None)
        .await
        .unwrap();
    assert_eq!(
        store.token_user("hash-a", 0).await.unwrap().unwrap().id,
        a.id
    );
    assert!(matches!(
        store.revoke_api_token(b.id, t.id).await,
        Err(StoreError::NotFound)
    ));
    store.revoke_api_token(a.id, t.id).await.unwrap();
    assert!(store.token_user("hash-a", 0).await.unwrap().is_none());
    assert!(
        store.api_tokens(a.id).await.unwrap()[0]
            .revoked_at
            .is_some()
    );
    let t2 = store
        .create_api_token(a.id, "short", "hash-b", Some(50))
        .await
        .unwrap();
    assert!(store.token_user("hash-b", 49).await.unwrap().is_some());
    assert!(store.token_user("hash-b", 50).await.unwrap().is_none());
    assert_eq!(t2.name, "short");
}

async fn rate_limits_count_per_window_and_clear(store: Store) {
    let l = Limit {
        max: 3,
        window_secs: 60,
    };
    assert_eq!(store.hit("k", l, 120).await.unwrap(), 1);
    assert_eq!(store.hit("k", l, 150).await.unwrap(), 2);
    assert_eq!(store.hits("k", l, 179).await.unwrap(), 2);
    // A new window starts from zero.
    assert_eq!(store.hits("k", l, 180).await.unwrap(), 0);
    store.clear_hits("k").await.unwrap();
    assert_eq!(store.hits("k", l, 150).await.unwrap(), 0);
}

async fn a_one_time_code_is_used_once(store: Store) {
    assert!(
        store
            .put_otp("09121234567", "c1", 10, 130, 60)
            .await
            .unwrap()
    );
    let tried = store
        .otp_attempt("09121234567", 20, 5)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((tried.code_hash.as_str(), tried.attempts), ("c1", 1));
    // Inside the cooldown the code stays; after it, a new code resets the tries.
    assert!(
        !store
            .put_otp("09121234567", "c2", 20, 140, 60)
            .await
            .unwrap()
    );
    assert!(
        store
            .put_otp("09121234567", "c2", 70, 190, 60)
            .await
            .unwrap()
    );
    let live = store.otp("09121234567").await.unwrap().unwrap();
    assert_eq!((live.code_hash.as_str(), live.attempts), ("c2", 0));
    assert!(!store.take_otp("09121234567", "c1").await.unwrap());
    assert!(store.take_otp("09121234567", "c2").await.unwrap());
    assert!(!store.take_otp("09121234567", "c2").await.unwrap());
}

/// Parallel guesses take at most the code's tries: counted and checked in one statement.
async fn parallel_guesses_take_no_more_tries_than_a_code_has(store: Store) {
    assert!(
        store
            .put_otp("09121234567", "c1", 10, 130, 60)
            .await
            .unwrap()
    );
    let tries: Vec<_> = (0..12)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move { s.otp_attempt("09121234567", 20, 5).await.unwrap() })
        })
        .collect();
    let mut taken = Vec::new();
    for t in tries {
        if let Some(c) = t.await.unwrap() {
            taken.push(c.attempts);
        }
    }
    taken.sort();
    assert_eq!(taken, [1, 2, 3, 4, 5]);
    assert_eq!(store.otp("09121234567").await.unwrap().unwrap().attempts, 5);
    // An expired code gives no tries.
    assert!(
        store
            .put_otp("09351112233", "c2", 10, 130, 60)
            .await
            .unwrap()
    );
    assert!(
        store
            .otp_attempt("09351112233", 130, 5)
            .await
            .unwrap()
            .is_none()
    );
}

async fn the_audit_chain_verifies_and_tampering_is_found(store: Store) {
    for i in 0..5 {
        store
            .audit(NewAudit {
                actor_id: Some(i),
                action: "test.event",
                entity_type: "thing",
                entity_id: i.to_string(),
                data: json!({ "i": i }),
            })
            .await
            .unwrap();
    }
    let v = store.verify_audit().await.unwrap();
    assert_eq!((v.checked, v.broken), (5, None));
    store.tamper_audit_entry(3, r#"{"i":99}"#).await;
    let v = store.verify_audit().await.unwrap();
    assert_eq!(v.checked, 2);
    assert_eq!(
        v.broken,
        Some(hamafza_core::audit::BrokenLink::Tampered { seq: 3 })
    );
    let page = store.audit_page(None, 2).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [5, 4]);
}

async fn concurrent_audit_appends_form_one_chain(store: Store) {
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let s = store.clone();
            tokio::spawn(async move {
                s.audit(NewAudit {
                    actor_id: None,
                    action: "race",
                    entity_type: "t",
                    entity_id: i.to_string(),
                    data: json!({}),
                })
                .await
                .unwrap()
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let v = store.verify_audit().await.unwrap();
    assert_eq!((v.checked, v.broken), (24, None));
}

async fn the_first_setting_written_wins(store: Store) {
    assert_eq!(store.setting("k").await.unwrap(), None);
    assert_eq!(
        store.setting_or_init("k", || "first".into()).await.unwrap(),
        "first"
    );
    assert_eq!(
        store
            .setting_or_init("k", || "second".into())
            .await
            .unwrap(),
        "first"
    );
}

async fn org_units_form_a_tree_with_counts(store: Store) {
    let hq = unit(&store, "hq", OrgUnitKind::Hq, None).await;
    let p = unit(&store, "prov-qom", OrgUnitKind::Province, Some(hq)).await;
    unit(&store, "prov-qom-b1", OrgUnitKind::Branch, Some(p)).await;
    unit(&store, "deputy-x", OrgUnitKind::Deputy, Some(hq)).await;
    let all = store.org_units().await.unwrap();
    let kinds: Vec<_> = all.iter().map(|u| u.kind).collect();
    assert_eq!(
        kinds,
        [
            OrgUnitKind::Hq,
            OrgUnitKind::Deputy,
            OrgUnitKind::Province,
            OrgUnitKind::Branch
        ]
    );
    assert_eq!(
        store
            .org_unit_by_code("prov-qom-b1")
            .await
            .unwrap()
            .unwrap()
            .parent_id,
        Some(p)
    );
    let mut counts = store.org_unit_counts().await.unwrap();
    counts.sort_by_key(|(k, _)| k.as_str());
    assert_eq!(counts.len(), 4);
    let e = store
        .create_org_unit(
            &NewOrgUnit {
                parent_id: Some(hq),
                kind: OrgUnitKind::Deputy,
                code: "deputy-x".into(),
                name_fa: "ت".into(),
                name_en: "d".into(),
                province_code: None,
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(e.is_conflict_on("code"), "{e:?}");
    let mut n = new_user("member");
    n.org_unit_id = Some(p);
    store.create_user(&n, None).await.unwrap();
    assert_eq!(store.org_unit_member_counts().await.unwrap(), vec![(p, 1)]);
}

async fn pruning_removes_only_expired_rows(store: Store) {
    let u = store.create_user(&new_user("old"), None).await.unwrap();
    store.create_session("dead", u.id, 0, 10).await.unwrap();
    store
        .create_session("alive", u.id, 0, 10_000_000)
        .await
        .unwrap();
    let removed = store.prune_expired(1_000_000).await.unwrap();
    assert_eq!(removed, 1);
    assert!(
        store
            .session_user("alive", 1_000_000)
            .await
            .unwrap()
            .is_some()
    );
}
