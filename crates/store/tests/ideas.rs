//! Ideas on both backends.

use hamafza_core::Role;
use hamafza_core::call::{Audience, StageKind, ValidCall, ValidStage};
use hamafza_core::idea::{Channel, IdeaStatus, IdeaText};
use hamafza_persian::jalali::JalaliDate;
use hamafza_store::ideas::NewIdea;
use hamafza_store::users::NewUser;
use hamafza_store::{Store, store_tests};

store_tests!(
    a_submitted_idea_reads_back_with_a_tracking_code,
    the_same_idempotency_key_makes_one_idea,
    concurrent_retries_with_one_key_make_one_idea,
    an_edit_adds_a_version_and_keeps_the_first,
    a_bad_submission_in_a_batch_fails_alone,
);

async fn setup(store: &Store) -> (i64, Vec<i64>, i64) {
    let call = store
        .create_call(
            &ValidCall {
                title: "فراخوان".into(),
                description: String::new(),
                audience: Audience::Both,
                axes: vec![
                    ("محور یک".into(), String::new()),
                    ("محور دو".into(), String::new()),
                ],
                stages: vec![ValidStage {
                    kind: StageKind::Submission,
                    title: String::new(),
                    start: JalaliDate {
                        year: 1403,
                        month: 1,
                        day: 1,
                    },
                    end: JalaliDate {
                        year: 1403,
                        month: 1,
                        day: 10,
                    },
                }],
            },
            None,
            None,
        )
        .await
        .unwrap();
    let user = store
        .create_user(
            &NewUser {
                username: "sara".into(),
                display_name: "سارا".into(),
                password_hash: None,
                national_id: None,
                mobile: None,
                org_unit_id: None,
                roles: vec![Role::Participant],
            },
            None,
        )
        .await
        .unwrap();
    (call.id, call.axes.iter().map(|a| a.id).collect(), user.id)
}

fn text(axis: i64, title: &str) -> IdeaText {
    IdeaText {
        axis_id: axis,
        title: title.into(),
        problem: "مراجعهٔ حضوری برای پیگیری پرونده".into(),
        solution: "پیامک خودکار پس از هر تغییر".into(),
        benefits: String::new(),
        resources: String::new(),
        owner_unit_id: None,
    }
}

async fn a_submitted_idea_reads_back_with_a_tracking_code(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let t = text(axes[0], "پیامک وضعیت پرونده");
    let (idea, created) = store
        .submit_idea(&NewIdea {
            call_id: call,
            author_id: Some(user),
            channel: Channel::Web,
            text: &t,
            idempotency_key: None,
        })
        .await
        .unwrap();
    assert!(created);
    assert_eq!(idea.tracking_code.len(), 10);
    assert!(idea.tracking_code.chars().all(|c| c.is_ascii_digit()));
    assert_eq!((idea.status, idea.version), (IdeaStatus::Submitted, 1));
    assert_eq!(
        store
            .idea_by_public_id(&idea.public_id)
            .await
            .unwrap()
            .unwrap(),
        idea
    );
    assert_eq!(
        store.idea_versions(idea.id).await.unwrap()[0].solution,
        t.solution
    );
    assert_eq!(
        store.ideas_of_author(user, Some(call)).await.unwrap().len(),
        1
    );
    assert_eq!(store.ideas_of_call(call, 0, 10).await.unwrap().1, 1);
    assert_eq!(
        store.audit_for("idea", &idea.public_id).await.unwrap()[0].action,
        "idea.submit"
    );
}

async fn the_same_idempotency_key_makes_one_idea(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let t = text(axes[0], "ایده");
    let new = NewIdea {
        call_id: call,
        author_id: Some(user),
        channel: Channel::Api,
        text: &t,
        idempotency_key: Some("k-1"),
    };
    let (a, first) = store.submit_idea(&new).await.unwrap();
    let (b, second) = store.submit_idea(&new).await.unwrap();
    assert!(first && !second);
    assert_eq!(a.id, b.id);
    let other = NewIdea {
        idempotency_key: Some("k-2"),
        ..new
    };
    assert_ne!(store.submit_idea(&other).await.unwrap().0.id, a.id);
    assert_eq!(store.ideas_of_call(call, 0, 10).await.unwrap().1, 2);
}

async fn concurrent_retries_with_one_key_make_one_idea(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let s = store.clone();
            let axis = axes[1];
            tokio::spawn(async move {
                let t = text(axis, "دوبار کلیک");
                s.submit_idea(&NewIdea {
                    call_id: call,
                    author_id: Some(user),
                    channel: Channel::Web,
                    text: &t,
                    idempotency_key: Some("same"),
                })
                .await
                .unwrap()
                .0
                .id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(store.ideas_of_call(call, 0, 10).await.unwrap().1, 1);
}

async fn an_edit_adds_a_version_and_keeps_the_first(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let t = text(axes[0], "نسخهٔ اول");
    let (idea, _) = store
        .submit_idea(&NewIdea {
            call_id: call,
            author_id: Some(user),
            channel: Channel::Web,
            text: &t,
            idempotency_key: None,
        })
        .await
        .unwrap();
    let after = store
        .edit_idea(idea.id, &text(axes[1], "نسخهٔ دوم"), Some(user))
        .await
        .unwrap();
    assert_eq!(
        (after.version, after.title.as_str(), after.axis_id),
        (2, "نسخهٔ دوم", axes[1])
    );
    let versions = store.idea_versions(idea.id).await.unwrap();
    assert_eq!(
        versions
            .iter()
            .map(|v| v.title.as_str())
            .collect::<Vec<_>>(),
        ["نسخهٔ اول", "نسخهٔ دوم"]
    );
    assert_eq!(after.tracking_code, idea.tracking_code);
}

/// Submissions arriving together are committed together; one that fails (here: an axis that
/// does not exist) fails alone, and the audit chain stays whole.
async fn a_bad_submission_in_a_batch_fails_alone(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let tasks: Vec<_> = (0..48)
        .map(|i| {
            let s = store.clone();
            let axis = if i == 17 { 999_999 } else { axes[i % 2] };
            tokio::spawn(async move {
                let t = text(axis, &format!("ایدهٔ شمارهٔ {i}"));
                let key = format!("k-{i}");
                s.submit_idea(&NewIdea {
                    call_id: call,
                    author_id: Some(user),
                    channel: Channel::Api,
                    text: &t,
                    idempotency_key: Some(&key),
                })
                .await
                .map(|(idea, _)| idea.title)
            })
        })
        .collect();
    let mut ok = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(title) => {
                assert_eq!(title, format!("ایدهٔ شمارهٔ {i}"));
                ok += 1;
            }
            Err(_) => assert_eq!(i, 17, "only the bad one fails"),
        }
    }
    assert_eq!(ok, 47);
    assert_eq!(store.ideas_of_call(call, 0, 100).await.unwrap().1, 47);
    let v = store.verify_audit().await.unwrap();
    assert_eq!(v.broken, None);
}
