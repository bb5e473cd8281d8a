//! The notification cursor, inbox, preferences and job queue on both backends.

use crate::fixtures::user;
use hamafza_core::ids::UserId;
use hamafza_store::jobs::{NewJob, Retry};
use hamafza_store::notifications::{NewNotification, Pref};
use hamafza_store::{Store, store_tests};

store_tests!(
    the_cursor_moves_only_from_where_it_was,
    the_inbox_is_per_user_and_marks_read,
    a_claimed_job_is_not_claimed_again_until_its_lease_expires,
    a_failed_job_waits_then_gives_up,
    concurrent_claims_take_disjoint_jobs,
    a_claim_takes_at_most_its_limit_with_one_lease,
    settings_keep_the_email_and_choices_and_are_audited,
);

fn note(user_id: UserId, seq: i64) -> NewNotification {
    NewNotification {
        user_id,
        audit_seq: seq,
        kind: "receipt".into(),
        data: "{}".into(),
        link: "/ideas/x".into(),
    }
}

fn job(n: i64) -> NewJob {
    NewJob {
        kind: "email".into(),
        payload: format!("{{\"n\":{n}}}"),
        audit_seq: Some(n),
        max_attempts: 3,
    }
}

async fn the_cursor_moves_only_from_where_it_was(store: Store) {
    let u = user(&store, "sara").await;
    // Creating the user wrote audit entries; the cursor starts where the migration left it.
    let start = store.notify_cursor().await.unwrap();
    let entries = store.audit_after(start, 10).await.unwrap();
    assert_eq!(entries.len(), 1);
    let to = entries[0].seq;
    assert!(
        store
            .record_fanout(start, to, &[note(u, to)], &[job(to)], hamafza_store::now())
            .await
            .unwrap()
    );
    // A second worker that read the same cursor loses and writes nothing.
    assert!(
        !store
            .record_fanout(start, to, &[note(u, to)], &[job(to)], hamafza_store::now())
            .await
            .unwrap()
    );
    assert_eq!(store.notify_cursor().await.unwrap(), to);
    assert_eq!(store.notifications(u, 0, 10).await.unwrap().1, 1);
    assert_eq!(store.jobs("email").await.unwrap().len(), 1);
    assert!(store.audit_after(to, 10).await.unwrap().is_empty());
}

async fn the_inbox_is_per_user_and_marks_read(store: Store) {
    let a = user(&store, "a").await;
    let b = user(&store, "b").await;
    let from = store.notify_cursor().await.unwrap();
    let notes: Vec<_> = (1..=5).map(|s| note(a, s)).chain([note(b, 1)]).collect();
    assert!(
        store
            .record_fanout(from, from + 1, &notes, &[], hamafza_store::now())
            .await
            .unwrap()
    );
    let (page, total) = store.notifications(a, 0, 2).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(page.len(), 2);
    assert!(page[0].id > page[1].id, "newest first");
    assert_eq!(store.unread_notifications(a, 100).await.unwrap(), 5);
    assert_eq!(store.unread_notifications(a, 3).await.unwrap(), 3);
    // b's notification cannot be marked by a.
    let b_id = store.notifications(b, 0, 10).await.unwrap().0[0].id;
    assert_eq!(
        store
            .mark_notifications_read(a, Some(&[b_id]))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.unread_notifications(b, 100).await.unwrap(), 1);
    assert_eq!(
        store
            .mark_notifications_read(a, Some(&[page[0].id]))
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.unread_notifications(a, 100).await.unwrap(), 4);
    assert_eq!(store.mark_notifications_read(a, None).await.unwrap(), 4);
    assert_eq!(store.unread_notifications(a, 100).await.unwrap(), 0);
    assert_eq!(store.unread_notifications(b, 100).await.unwrap(), 1);
}

async fn queue(store: &Store, n: i64) {
    let from = store.notify_cursor().await.unwrap();
    let jobs: Vec<_> = (1..=n).map(job).collect();
    assert!(
        store
            .record_fanout(from, from + 1, &[], &jobs, hamafza_store::now())
            .await
            .unwrap()
    );
}

async fn a_claimed_job_is_not_claimed_again_until_its_lease_expires(store: Store) {
    queue(&store, 1).await;
    let now = hamafza_store::now() + 1;
    let got = store.claim_jobs("w1", now, 60, 10).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].attempts, 1);
    assert!(
        store
            .claim_jobs("w2", now + 59, 60, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // w1 died; after the lease w2 sends it again (at least once).
    let again = store.claim_jobs("w2", now + 61, 60, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    // w1's late answer no longer counts; w2's does.
    assert!(!store.finish_job(got[0].id, "w1", now + 62).await.unwrap());
    assert!(store.finish_job(got[0].id, "w2", now + 62).await.unwrap());
    assert!(
        store
            .claim_jobs("w3", now + 1000, 60, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.jobs("email").await.unwrap()[0].done_at.is_some());
}

async fn a_failed_job_waits_then_gives_up(store: Store) {
    queue(&store, 1).await;
    let t = hamafza_store::now() + 1;
    let j = store.claim_jobs("w", t, 60, 10).await.unwrap().remove(0);
    assert!(
        store
            .fail_job(j.id, "w", "refused", Retry::At(t + 30), t)
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_jobs("w", t + 29, 60, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let j = store
        .claim_jobs("w", t + 30, 60, 10)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(j.attempts, 2);
    assert_eq!(j.last_error.as_deref(), Some("refused"));
    assert!(
        store
            .fail_job(j.id, "w", "refused again", Retry::GiveUp, t + 31)
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_jobs("w", t + 100_000, 60, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let j = &store.jobs("email").await.unwrap()[0];
    assert_eq!(j.failed_at, Some(t + 31));
    assert_eq!(j.last_error.as_deref(), Some("refused again"));
    assert_eq!(j.done_at, None);
}

async fn concurrent_claims_take_disjoint_jobs(store: Store) {
    queue(&store, 40).await;
    let now = hamafza_store::now() + 1;
    let mut handles = Vec::new();
    for w in 0..4 {
        let s = store.clone();
        handles.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = s.claim_jobs(&format!("w{w}"), now, 60, 3).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, 40, "every job claimed once");
    assert_eq!(all.len(), 40, "no job claimed twice");
}

/// A worker sends a claimed batch one job after the other, so the batch must stay as small as
/// asked: jobs beyond it would be held on a lease counted from before they are sent.
async fn a_claim_takes_at_most_its_limit_with_one_lease(store: Store) {
    queue(&store, 40).await;
    let now = hamafza_store::now() + 1;
    let first = store.claim_jobs("w", now, 60, 20).await.unwrap();
    assert_eq!(first.len(), 20);
    let held: Vec<_> = store
        .jobs("email")
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.claimed_by.is_some())
        .collect();
    assert_eq!(held.len(), 20, "only the returned jobs are held");
    assert!(held.iter().all(|j| j.lease_until == Some(now + 60)));
    // Later, the rest with a lease counted from then.
    let second = store.claim_jobs("w", now + 50, 60, 20).await.unwrap();
    assert_eq!(second.len(), 20);
    assert!(
        store
            .jobs("email")
            .await
            .unwrap()
            .iter()
            .filter(|j| second.iter().any(|s| s.id == j.id))
            .all(|j| j.lease_until == Some(now + 110))
    );
    assert!(
        store
            .claim_jobs("w", now + 50, 60, 20)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn settings_keep_the_email_and_choices_and_are_audited(store: Store) {
    let u = user(&store, "sara").await;
    assert_eq!(store.user_email(u).await.unwrap(), None);
    let prefs = vec![
        Pref {
            kind: "receipt".into(),
            email: false,
            sms: true,
        },
        Pref {
            kind: "status".into(),
            email: true,
            sms: false,
        },
    ];
    store
        .save_notification_settings(u, Some("sara@example.org"), &prefs, Some(u))
        .await
        .unwrap();
    store
        .save_notification_settings(u, Some("sara@example.org"), &prefs, Some(u))
        .await
        .unwrap();
    assert_eq!(
        store.user_email(u).await.unwrap().as_deref(),
        Some("sara@example.org")
    );
    assert_eq!(store.notification_prefs(u).await.unwrap(), prefs);
    let r = store.recipient(u).await.unwrap().unwrap();
    assert_eq!(r.email.as_deref(), Some("sara@example.org"));
    let log = store.audit_for("user", &u.to_string()).await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(last.action, "notify.settings");
    assert!(!last.data.contains("sara@example.org"), "{}", last.data);
    assert!(last.data.contains("\"has_email\":true"), "{}", last.data);
}
