//! Users, sessions, tokens, rate limits, one-time codes, the audit chain, settings, org units
//! and pruning.

use crate::fixtures::unit;
use hamafza_core::ids::UserId;
use hamafza_core::limits::Limit;
use hamafza_core::time::UnixSeconds;
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
    a_password_change_revokes_every_token_and_other_session,
    parallel_token_requests_stop_at_the_live_token_limit,
    a_person_lists_and_ends_only_their_own_sessions,
    use_is_noted_at_most_once_an_hour,
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
        store.user(UserId::new(u.id.get() + 1000)).await,
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
    store
        .create_session(
            "h1",
            u.id,
            UnixSeconds::new(0),
            UnixSeconds::new(i64::MAX),
            &Default::default(),
        )
        .await
        .unwrap();
    assert!(
        store
            .session_user("h1", UnixSeconds::new(1))
            .await
            .unwrap()
            .is_some()
    );
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
    assert!(
        store
            .session_user("h1", UnixSeconds::new(1))
            .await
            .unwrap()
            .is_none()
    );
    let log = store.audit_for("user", &u.id.to_string()).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["user.create", "user.update"]
    );
    assert!(log[1].data.contains("manager"));
}

async fn sessions_expire(store: Store) {
    let u = store.create_user(&new_user("nima"), None).await.unwrap();
    store
        .create_session(
            "live",
            u.id,
            UnixSeconds::new(100),
            UnixSeconds::new(200),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .session_user("live", UnixSeconds::new(199))
            .await
            .unwrap()
            .unwrap()
            .id,
        u.id
    );
    assert!(
        store
            .session_user("live", UnixSeconds::new(200))
            .await
            .unwrap()
            .is_none()
    );
    store.delete_session("live").await.unwrap();
    assert!(
        store
            .session_user("live", UnixSeconds::new(150))
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_token_is_revoked_only_by_its_owner(store: Store) {
    let a = store.create_user(&new_user("owner"), None).await.unwrap();
    let b = store.create_user(&new_user("other"), None).await.unwrap();
    let t = store
        .create_api_token(a.id, "ci", "hash-a", None)
        .await
        .unwrap();
    assert_eq!(
        store
            .token_user("hash-a", UnixSeconds::new(0))
            .await
            .unwrap()
            .unwrap()
            .id,
        a.id
    );
    assert!(matches!(
        store.revoke_api_token(b.id, t.id).await,
        Err(StoreError::NotFound)
    ));
    store.revoke_api_token(a.id, t.id).await.unwrap();
    assert!(
        store
            .token_user("hash-a", UnixSeconds::new(0))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store.api_tokens(a.id).await.unwrap()[0]
            .revoked_at
            .is_some()
    );
    let t2 = store
        .create_api_token(a.id, "short", "hash-b", Some(UnixSeconds::new(50)))
        .await
        .unwrap();
    assert!(
        store
            .token_user("hash-b", UnixSeconds::new(49))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .token_user("hash-b", UnixSeconds::new(50))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(t2.name, "short");
}

async fn a_password_change_revokes_every_token_and_other_session(store: Store) {
    let u = store.create_user(&new_user("mina"), None).await.unwrap();
    let now = hamafza_store::now();
    for h in ["here", "there"] {
        store
            .create_session(h, u.id, now, now + 3600, &Default::default())
            .await
            .unwrap();
    }
    store
        .create_api_token(u.id, "ci", "t1", None)
        .await
        .unwrap();
    store
        .create_api_token(u.id, "script", "t2", Some(now + 86_400))
        .await
        .unwrap();
    store
        .set_password(u.id, "$argon2id$new", Some("here"), Some(u.id))
        .await
        .unwrap();
    assert!(store.session_user("here", now).await.unwrap().is_some());
    assert!(store.session_user("there", now).await.unwrap().is_none());
    for t in ["t1", "t2"] {
        assert!(store.token_user(t, now).await.unwrap().is_none(), "{t}");
    }
    assert!(
        store
            .api_tokens(u.id)
            .await
            .unwrap()
            .iter()
            .all(|t| !t.is_live(now))
    );
    let log = store.audit_for("user", &u.id.to_string()).await.unwrap();
    assert!(log.last().unwrap().data.contains("\"tokens_revoked\":2"));

    // Disabling an account revokes its tokens too (enabling it again must not revive them).
    store
        .create_api_token(u.id, "again", "t3", None)
        .await
        .unwrap();
    let mut update = UserUpdate {
        display_name: u.display_name.clone(),
        national_id: None,
        mobile: None,
        org_unit_id: None,
        roles: u.roles.clone(),
        disabled: true,
    };
    store.update_user(u.id, &update, None).await.unwrap();
    update.disabled = false;
    store.update_user(u.id, &update, None).await.unwrap();
    assert!(store.token_user("t3", now).await.unwrap().is_none());
}

async fn parallel_token_requests_stop_at_the_live_token_limit(store: Store) {
    use hamafza_core::limits::LIVE_TOKENS_MAX;
    let u = store.create_user(&new_user("many"), None).await.unwrap();
    // Two already revoked or expired do not count.
    store
        .create_api_token(u.id, "old", "old", Some(UnixSeconds::new(1)))
        .await
        .unwrap();
    let t = store
        .create_api_token(u.id, "gone", "gone", None)
        .await
        .unwrap();
    store.revoke_api_token(u.id, t.id).await.unwrap();
    let tries: Vec<_> = (0..LIVE_TOKENS_MAX + 10)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create_api_token(u.id, "p", &format!("p{i}"), None)
                    .await
            })
        })
        .collect();
    let mut made = 0;
    for t in tries {
        match t.await.unwrap() {
            Ok(_) => made += 1,
            Err(StoreError::Conflict(what)) => assert_eq!(what, "tokens"),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(made, LIVE_TOKENS_MAX);
    let now = hamafza_store::now();
    let live = store.api_tokens(u.id).await.unwrap();
    assert_eq!(
        live.iter().filter(|t| t.is_live(now)).count() as i64,
        LIVE_TOKENS_MAX
    );
}

async fn a_person_lists_and_ends_only_their_own_sessions(store: Store) {
    use hamafza_store::sessions::{SessionClient, session_handle};
    let a = store.create_user(&new_user("ali"), None).await.unwrap();
    let b = store.create_user(&new_user("bita"), None).await.unwrap();
    let now = hamafza_store::now();
    let phone = SessionClient {
        device: Some("Safari · iOS".into()),
        ip: Some("10.0.0.7".into()),
    };
    let ha = "a1".repeat(32);
    let hb = "b2".repeat(32);
    let hc = "c3".repeat(32);
    store
        .create_session(&ha, a.id, now, now + 60, &phone)
        .await
        .unwrap();
    store
        .create_session(&hc, a.id, now - 10, now + 60, &Default::default())
        .await
        .unwrap();
    store
        .create_session(&hb, b.id, now, now + 60, &Default::default())
        .await
        .unwrap();
    let mine = store.sessions_of(a.id, now).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].handle, session_handle(&ha));
    assert_eq!(mine[0].device.as_deref(), Some("Safari · iOS"));
    assert_eq!(mine[0].ip.as_deref(), Some("10.0.0.7"));
    // Someone else's handle, or anything that is not a handle, is not found.
    for bad in [session_handle(&hb), "a1a1", "%", "a1a1a1a1a1a1a1a%"] {
        assert!(
            matches!(
                store.end_session(a.id, bad).await,
                Err(StoreError::NotFound)
            ),
            "{bad}"
        );
    }
    assert!(store.session_user(&hb, now).await.unwrap().is_some());
    store.end_session(a.id, session_handle(&hc)).await.unwrap();
    assert!(store.session_user(&hc, now).await.unwrap().is_none());
    store
        .create_session(&hc, a.id, now, now + 60, &Default::default())
        .await
        .unwrap();
    assert_eq!(store.end_other_sessions(a.id, &ha).await.unwrap(), 1);
    assert_eq!(store.sessions_of(a.id, now).await.unwrap().len(), 1);
    assert!(store.session_user(&hb, now).await.unwrap().is_some());
}

async fn use_is_noted_at_most_once_an_hour(store: Store) {
    use hamafza_store::sessions::SEEN_EVERY_SECS;
    let u = store.create_user(&new_user("seen"), None).await.unwrap();
    let t0 = UnixSeconds::new(1_000_000);
    let session = "d4".repeat(32);
    store
        .create_session(
            &session,
            u.id,
            t0,
            t0 + 10 * SEEN_EVERY_SECS,
            &Default::default(),
        )
        .await
        .unwrap();
    store
        .create_api_token(u.id, "ci", "tok", None)
        .await
        .unwrap();
    // Use is noted in the background: wait (a little) for the expected state.
    let seen_becomes = |want: (Option<UnixSeconds>, Option<UnixSeconds>)| {
        let store = store.clone();
        async move {
            let mut got = (None, None);
            for _ in 0..100 {
                let s = store.sessions_of(u.id, t0).await.unwrap()[0].last_seen_at;
                let t = store.api_tokens(u.id).await.unwrap()[0].last_used_at;
                got = (s, t);
                if got == want {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            panic!("wanted {want:?}, got {got:?}");
        }
    };
    seen_becomes((Some(t0), None)).await;
    store.token_user("tok", t0 + 10).await.unwrap();
    seen_becomes((Some(t0), Some(t0 + 10))).await;
    for at in [t0 + 10, t0 + SEEN_EVERY_SECS - 1] {
        store.session_user(&session, at).await.unwrap();
    }
    store.token_user("tok", t0 + 20).await.unwrap();
    // Give a wrongly issued write the time to land before checking that none was.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    seen_becomes((Some(t0), Some(t0 + 10))).await;
    store
        .session_user(&session, t0 + SEEN_EVERY_SECS)
        .await
        .unwrap();
    store
        .token_user("tok", t0 + 10 + SEEN_EVERY_SECS)
        .await
        .unwrap();
    seen_becomes((Some(t0 + SEEN_EVERY_SECS), Some(t0 + 10 + SEEN_EVERY_SECS))).await;
}

async fn rate_limits_count_per_window_and_clear(store: Store) {
    let l = Limit {
        max: 3,
        window_secs: 60,
    };
    assert_eq!(store.hit("k", l, UnixSeconds::new(120)).await.unwrap(), 1);
    assert_eq!(store.hit("k", l, UnixSeconds::new(150)).await.unwrap(), 2);
    assert_eq!(store.hits("k", l, UnixSeconds::new(179)).await.unwrap(), 2);
    // A new window starts from zero.
    assert_eq!(store.hits("k", l, UnixSeconds::new(180)).await.unwrap(), 0);
    store.clear_hits("k").await.unwrap();
    assert_eq!(store.hits("k", l, UnixSeconds::new(150)).await.unwrap(), 0);
}

async fn a_one_time_code_is_used_once(store: Store) {
    assert!(
        store
            .put_otp(
                "09121234567",
                "c1",
                UnixSeconds::new(10),
                UnixSeconds::new(130),
                60
            )
            .await
            .unwrap()
    );
    let tried = store
        .otp_attempt("09121234567", UnixSeconds::new(20), 5)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((tried.code_hash.as_str(), tried.attempts), ("c1", 1));
    // Inside the cooldown the code stays; after it, a new code resets the tries.
    assert!(
        !store
            .put_otp(
                "09121234567",
                "c2",
                UnixSeconds::new(20),
                UnixSeconds::new(140),
                60
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .put_otp(
                "09121234567",
                "c2",
                UnixSeconds::new(70),
                UnixSeconds::new(190),
                60
            )
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
            .put_otp(
                "09121234567",
                "c1",
                UnixSeconds::new(10),
                UnixSeconds::new(130),
                60
            )
            .await
            .unwrap()
    );
    let tries: Vec<_> = (0..12)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move {
                s.otp_attempt("09121234567", UnixSeconds::new(20), 5)
                    .await
                    .unwrap()
            })
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
            .put_otp(
                "09351112233",
                "c2",
                UnixSeconds::new(10),
                UnixSeconds::new(130),
                60
            )
            .await
            .unwrap()
    );
    assert!(
        store
            .otp_attempt("09351112233", UnixSeconds::new(130), 5)
            .await
            .unwrap()
            .is_none()
    );
}

async fn the_audit_chain_verifies_and_tampering_is_found(store: Store) {
    for i in 0..5 {
        store
            .audit(NewAudit {
                actor_id: Some(UserId::new(i)),
                action: hamafza_core::audit::Action::AuthLogin,
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
                    action: hamafza_core::audit::Action::AuthLogin,
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
    store
        .create_session(
            "dead",
            u.id,
            UnixSeconds::new(0),
            UnixSeconds::new(10),
            &Default::default(),
        )
        .await
        .unwrap();
    store
        .create_session(
            "alive",
            u.id,
            UnixSeconds::new(0),
            UnixSeconds::new(10_000_000),
            &Default::default(),
        )
        .await
        .unwrap();
    let removed = store
        .prune_expired(UnixSeconds::new(1_000_000))
        .await
        .unwrap();
    assert_eq!(removed, 1);
    assert!(
        store
            .session_user("alive", UnixSeconds::new(1_000_000))
            .await
            .unwrap()
            .is_some()
    );
}
