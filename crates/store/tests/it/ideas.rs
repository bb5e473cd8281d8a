//! Ideas on both backends.

use crate::fixtures::{call, participant, stage, submit, text};
use hamafza_core::call::StageKind;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaStatus, Transition};
use hamafza_core::ids::{AxisId, CallId, IdeaId, UserId};
use hamafza_store::ideas::NewIdea;
use hamafza_store::{Store, StoreError, store_tests};

store_tests!(
    a_submitted_idea_reads_back_with_a_tracking_code,
    the_same_idempotency_key_makes_one_idea,
    concurrent_retries_with_one_key_make_one_idea,
    an_edit_adds_a_version_and_keeps_the_first,
    an_edit_is_refused_when_the_idea_was_decided_after_it_was_allowed,
    a_revision_is_refused_when_the_finalist_was_moved_meanwhile,
    a_bad_submission_in_a_batch_fails_alone,
    a_full_submission_queue_refuses_at_once_with_busy,
    a_page_of_ideas_gets_current_texts_and_kept_ids_at_once,
);

async fn setup(store: &Store) -> (CallId, Vec<AxisId>, UserId) {
    let call = call(store, vec![stage(StageKind::Submission, 1, 10)]).await;
    let user = participant(store, "sara", "سارا").await;
    (call.id, call.axes.iter().map(|a| a.id).collect(), user)
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
        .edit_idea(
            idea.id,
            idea.place(),
            &text(axes[1], "نسخهٔ دوم"),
            Some(user),
        )
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

async fn submitted(store: &Store, call: CallId, author: UserId, axis: AxisId) -> Idea {
    submit(store, call, Some(author), &text(axis, "نسخهٔ اول")).await
}

/// The secretariat decides `t` on the idea where it is now.
async fn decide(store: &Store, idea: &Idea, t: Transition) -> Idea {
    let to = t.plan(idea.place(), &[StageKind::Submission]).unwrap();
    store
        .transition_idea(idea.id, idea.place(), to, "", None)
        .await
        .unwrap()
}

/// The author's edit was allowed on what they read (submitted); the secretariat rejected the
/// idea before it was saved: the edit must not land on the rejected idea.
async fn an_edit_is_refused_when_the_idea_was_decided_after_it_was_allowed(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let seen = submitted(&store, call, user, axes[0]).await;
    decide(&store, &seen, Transition::Reject).await;
    let r = store
        .edit_idea(
            seen.id,
            seen.place(),
            &text(axes[0], "نسخهٔ دوم"),
            Some(user),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
    let now = store.idea(seen.id).await.unwrap();
    assert_eq!((now.status, now.version), (IdeaStatus::Rejected, 1));
    assert_eq!(store.idea_versions(seen.id).await.unwrap().len(), 1);
    // Asked for changes, then edited from that very place: back to submitted.
    let reopened = decide(&store, &now, Transition::Reopen).await;
    let asked = decide(&store, &reopened, Transition::RequestChanges).await;
    let edited = store
        .edit_idea(
            asked.id,
            asked.place(),
            &text(axes[1], "نسخهٔ دوم"),
            Some(user),
        )
        .await
        .unwrap();
    assert_eq!((edited.status, edited.version), (IdeaStatus::Submitted, 2));
}

/// A finalist revises through the same edit; one the secretariat moved meanwhile (here:
/// rejected after acceptance) is not revised.
async fn a_revision_is_refused_when_the_finalist_was_moved_meanwhile(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let idea = submitted(&store, call, user, axes[0]).await;
    let seen = decide(&store, &idea, Transition::Accept).await;
    assert_eq!(seen.status, IdeaStatus::Accepted);
    decide(&store, &seen, Transition::Reject).await;
    let r = store
        .edit_idea(
            seen.id,
            seen.place(),
            &text(axes[0], "نسخهٔ بازنگری‌شده"),
            Some(user),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
    assert_eq!(store.idea(seen.id).await.unwrap().version, 1);
}

/// Submissions arriving together are committed together; one that fails (here: an axis that
/// does not exist) fails alone, and the audit chain stays whole.
async fn a_bad_submission_in_a_batch_fails_alone(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let tasks: Vec<_> = (0..48)
        .map(|i| {
            let s = store.clone();
            let axis = if i == 17 {
                AxisId::new(999_999)
            } else {
                axes[i % 2]
            };
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

/// Under overload the queue stops growing: once it holds its capacity, a submission is refused
/// at once with `Busy` (no wait), and those queued are all committed when the writer gets on.
async fn a_full_submission_queue_refuses_at_once_with_busy(store: Store) {
    const CAPACITY: usize = 2;
    let (call, axes, user) = setup(&store).await;
    let store = store.with_submission_queue(CAPACITY);
    let hold = store.hold_writes().await;
    let mut waiting = Vec::new();
    let refused = loop {
        let s = store.clone();
        let t = text(axes[0], &format!("ایدهٔ شمارهٔ {}", waiting.len()));
        let mut task = tokio::spawn(async move {
            s.submit_idea(&NewIdea {
                call_id: call,
                author_id: Some(user),
                channel: Channel::Api,
                text: &t,
                idempotency_key: None,
            })
            .await
        });
        // Queued ones wait for the stalled writer; a refusal comes back at once.
        match tokio::time::timeout(std::time::Duration::from_millis(500), &mut task).await {
            Ok(answer) => break answer.unwrap(),
            Err(_) => waiting.push(task),
        }
        // The writer took at most a batch of what was queued before it stalled.
        assert!(
            waiting.len() <= CAPACITY + 8,
            "{} submissions queued and none refused",
            waiting.len()
        );
    };
    assert!(matches!(refused, Err(StoreError::Busy)), "{refused:?}");
    assert!(waiting.len() >= CAPACITY, "{}", waiting.len());
    hold.release().await;
    let queued = waiting.len() as i64;
    for task in waiting {
        task.await.unwrap().unwrap();
    }
    assert_eq!(store.ideas_of_call(call, 0, 100).await.unwrap().1, queued);
}

/// What an API page of ideas needs besides the rows: each idea's latest version (after edits)
/// and, for a duplicate, the public id of the idea it was merged into.
async fn a_page_of_ideas_gets_current_texts_and_kept_ids_at_once(store: Store) {
    let (call, axes, user) = setup(&store).await;
    let edited = submitted(&store, call, user, axes[0]).await;
    let edited = store
        .edit_idea(
            edited.id,
            edited.place(),
            &text(axes[1], "نسخهٔ دوم"),
            Some(user),
        )
        .await
        .unwrap();
    let edited = store
        .edit_idea(
            edited.id,
            edited.place(),
            &text(axes[0], "نسخهٔ سوم"),
            Some(user),
        )
        .await
        .unwrap();
    let kept = submitted(&store, call, user, axes[0]).await;
    let dup = submitted(&store, call, user, axes[1]).await;
    store.merge_ideas(&dup, &kept, None).await.unwrap();
    let ids = [edited.id, kept.id, dup.id, IdeaId::new(999_999)];
    let got = store.current_texts(&ids).await.unwrap();
    assert_eq!(got.len(), 3, "the unknown id is left out");
    let e = &got[&edited.id];
    assert_eq!(
        (
            e.version.version,
            e.version.title.as_str(),
            e.version.axis_id
        ),
        (3, "نسخهٔ سوم", axes[0])
    );
    assert_eq!(e.duplicate_of, None);
    assert_eq!(
        got[&edited.id].version,
        store.idea_versions(edited.id).await.unwrap().pop().unwrap()
    );
    assert_eq!(got[&kept.id].duplicate_of, None);
    assert_eq!(
        got[&dup.id].duplicate_of.as_deref(),
        Some(kept.public_id.as_str())
    );
    assert_eq!(got[&dup.id].version.version, 1);
    assert!(store.current_texts(&[]).await.unwrap().is_empty());
    // More ids than one statement takes.
    let many: Vec<IdeaId> = (0..1_200).map(|n| ids[n % 3]).collect();
    assert_eq!(store.current_texts(&many).await.unwrap().len(), 3);
}
