//! Juries on both backends: settings fixed once judging started, judges, conflicts' inputs,
//! assignments (never the same pair twice), the blind juror view, drafts and submissions (frozen
//! once the stage closes), reassignment, comparisons, and the audit trail a replay reads.

use crate::fixtures::{call, participant, submit, text, unit};
use hamafza_core::audit::Action;
use hamafza_core::call::{Call, StageKind, ValidStage};
use hamafza_core::idea::{IdeaStatus, Transition};
use hamafza_core::ids::{IdeaId, UserId};
use hamafza_core::judging::criteria::{Criterion, Scale};
use hamafza_core::judging::jury::{JurySettings, Mode};
use hamafza_core::{OrgUnitKind, Role};
use hamafza_persian::jalali::JalaliDate;
use hamafza_store::access::ReviewDraft;
use hamafza_store::juries::Ending;
use hamafza_store::users::NewUser;
use hamafza_store::{Store, StoreError, store_tests};

store_tests!(
    a_jury_is_configured_and_fixed_once_judging_started,
    stage_ideas_name_authors_teammates_and_units,
    the_juror_view_shows_only_the_judges_own_assignments_blind,
    reviews_are_drafted_submitted_and_frozen_when_the_stage_closes,
    a_skipped_idea_passes_to_another_judge_and_never_comes_back,
    comparisons_are_kept_in_order_and_audited,
);

fn day(year: i32, month: u32, day: u32) -> JalaliDate {
    JalaliDate { year, month, day }
}

/// A call whose shortlisting stage is open until the end of 1406 (or ended in 1403).
async fn judged_call(store: &Store, open: bool) -> Call {
    let (start, end) = if open {
        (day(1404, 1, 1), day(1406, 12, 29))
    } else {
        (day(1403, 1, 20), day(1403, 1, 30))
    };
    call(
        store,
        vec![
            ValidStage {
                kind: StageKind::Submission,
                title: String::new(),
                start: day(1403, 1, 1),
                end: day(1403, 1, 10),
            },
            ValidStage {
                kind: StageKind::Screening,
                title: String::new(),
                start: day(1403, 1, 11),
                end: day(1403, 1, 19),
            },
            ValidStage {
                kind: StageKind::Shortlisting,
                title: String::new(),
                start,
                end,
            },
        ],
    )
    .await
}

async fn judge(
    store: &Store,
    username: &str,
    unit: Option<hamafza_core::ids::OrgUnitId>,
) -> UserId {
    store
        .create_user(
            &NewUser {
                username: username.into(),
                display_name: format!("داور {username}"),
                password_hash: None,
                national_id: None,
                mobile: None,
                org_unit_id: unit,
                roles: vec![Role::Judge],
            },
            None,
        )
        .await
        .unwrap()
        .id
}

/// Submits and accepts an idea by `author` into the shortlisting stage.
async fn accepted(store: &Store, call: &Call, author: UserId, title: &str) -> IdeaId {
    let idea = submit(store, call.id, Some(author), &text(call.axes[0].id, title)).await;
    let kinds: Vec<StageKind> = call.stages.iter().map(|s| s.kind).collect();
    let to = Transition::Accept.plan(idea.place(), &kinds).unwrap();
    assert_eq!(to.status, IdeaStatus::Accepted);
    store
        .transition_idea(idea.id, idea.place(), to, "", None)
        .await
        .unwrap();
    idea.id
}

fn settings(mode: Mode) -> JurySettings {
    JurySettings {
        mode,
        reviews_per_idea: 2,
        blind: true,
        unit_conflict: true,
        criteria: vec![Criterion {
            name: "نوآوری".into(),
            weight: 2,
            scale: Scale::Range { min: 1, max: 10 },
        }],
    }
}

fn shortlisting(call: &Call) -> hamafza_core::ids::StageId {
    call.stages[2].id
}

async fn a_jury_is_configured_and_fixed_once_judging_started(store: Store) {
    let call = judged_call(&store, true).await;
    let stage = shortlisting(&call);
    assert_eq!(store.jury(stage).await.unwrap(), None);
    store
        .save_jury(stage, &settings(Mode::Rubric), None)
        .await
        .unwrap();
    let jury = store.jury(stage).await.unwrap().unwrap();
    assert_eq!(jury.settings, settings(Mode::Rubric));
    assert_eq!(jury.call_id, call.id);
    assert!(!jury.started);

    // Before any review everything may change.
    store
        .save_jury(stage, &settings(Mode::Pairwise), None)
        .await
        .unwrap();
    store
        .save_jury(stage, &settings(Mode::Rubric), None)
        .await
        .unwrap();

    let sara = participant(&store, "sara", "سارا").await;
    let idea = accepted(&store, &call, sara, "پیامک").await;
    let j = judge(&store, "j1", None).await;
    store.set_jurors(stage, &[j], &[], None).await.unwrap();
    store.assign(stage, &[(idea, j)], None).await.unwrap();
    let blind = store.as_juror(j).queue(stage).await.unwrap();
    let seen = store
        .as_juror(j)
        .idea(&blind[0].public_id)
        .await
        .unwrap()
        .unwrap();
    let review = ReviewDraft {
        scores: vec![Some(7)],
        comment: String::new(),
        note: String::new(),
        submitted_at: None,
    };
    store
        .as_juror(j)
        .save_review(seen.assignment_id, &review, Some(66.7))
        .await
        .unwrap();
    assert!(store.jury(stage).await.unwrap().unwrap().started);

    let err = store
        .save_jury(stage, &settings(Mode::Pairwise), None)
        .await;
    assert!(
        matches!(err, Err(StoreError::Conflict(ref w)) if w == "started"),
        "{err:?}"
    );
    // What does not change a review's meaning still may.
    let mut open = settings(Mode::Rubric);
    open.blind = false;
    open.reviews_per_idea = 3;
    store.save_jury(stage, &open, None).await.unwrap();
    assert_eq!(store.jury(stage).await.unwrap().unwrap().settings, open);
}

async fn stage_ideas_name_authors_teammates_and_units(store: Store) {
    let call = judged_call(&store, true).await;
    let stage = shortlisting(&call);
    let hq = unit(&store, "hq", OrgUnitKind::Hq, None).await;
    let sara = judge(&store, "sara", Some(hq)).await;
    let reza = participant(&store, "reza", "رضا").await;
    let first = accepted(&store, &call, sara, "اول").await;
    let second = accepted(&store, &call, reza, "دوم").await;
    let lead = store.idea(first).await.unwrap();
    store.invite(&lead, reza, Some(sara)).await.unwrap();
    store.answer_invitation(&lead, reza, true).await.unwrap();
    // Not accepted into the stage: not judged here.
    submit(&store, call.id, Some(reza), &text(call.axes[0].id, "سوم")).await;

    let ideas = store.stage_ideas(stage).await.unwrap();
    assert_eq!(ideas.ideas, vec![first, second]);
    assert_eq!(ideas.current, vec![true, true]);
    let mut people = ideas.people[0].clone();
    people.sort();
    let mut both = vec![sara, reza];
    both.sort();
    assert_eq!(people, both);
    assert_eq!(ideas.units[0], vec![hq]);
    assert_eq!(ideas.people[1], vec![reza]);
    assert!(ideas.units[1].is_empty());
}

async fn the_juror_view_shows_only_the_judges_own_assignments_blind(store: Store) {
    let call = judged_call(&store, true).await;
    let stage = shortlisting(&call);
    store
        .save_jury(stage, &settings(Mode::Rubric), None)
        .await
        .unwrap();
    let sara = participant(&store, "sara", "سارا").await;
    let a = accepted(&store, &call, sara, "ایدهٔ سارا").await;
    let b = accepted(&store, &call, sara, "ایدهٔ دوم").await;
    let (j1, j2) = (
        judge(&store, "j1", None).await,
        judge(&store, "j2", None).await,
    );
    store.set_jurors(stage, &[j1, j2], &[], None).await.unwrap();
    store
        .assign(stage, &[(b, j1), (a, j1), (a, j2)], None)
        .await
        .unwrap();

    let queue = store.as_juror(j1).queue(stage).await.unwrap();
    let titles: Vec<&str> = queue.iter().map(|q| q.title.as_str()).collect();
    assert_eq!(titles, ["ایدهٔ دوم", "ایدهٔ سارا"], "in the order assigned");
    assert_eq!(queue[0].position, 1);
    assert_eq!(queue[0].review, "none");
    assert_eq!(queue[0].axis_title, "محور یک");

    // j2 cannot open j1's assignment: it does not exist for them.
    assert_eq!(
        store.as_juror(j2).idea(&queue[0].public_id).await.unwrap(),
        None
    );
    let seen = store
        .as_juror(j1)
        .idea(&queue[1].public_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.idea_id, a);
    assert_eq!(seen.problem, "مراجعهٔ حضوری برای پیگیری پرونده");
    // Nothing identifying is serialized: not the author's name, nor the idea's ids.
    let json = serde_json::to_string(&seen).unwrap();
    assert!(!json.contains("sara"), "{json}");
    assert!(
        !json.contains("idea_id") && !json.contains("tracking"),
        "{json}"
    );
    assert_eq!(
        store.as_juror(j1).authors(&seen).await.unwrap(),
        vec!["سارا".to_string()]
    );

    let all = store.as_juror(j2).assignments().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        store
            .jurors(stage)
            .await
            .unwrap()
            .iter()
            .map(|j| j.assigned)
            .collect::<Vec<_>>(),
        [2, 1]
    );
}

async fn reviews_are_drafted_submitted_and_frozen_when_the_stage_closes(store: Store) {
    for open in [true, false] {
        let call = judged_call(&store, open).await;
        let stage = shortlisting(&call);
        store
            .save_jury(stage, &settings(Mode::Rubric), None)
            .await
            .unwrap();
        let author = participant(&store, &format!("author{open}"), "نویسنده").await;
        let idea = accepted(&store, &call, author, "پیامک").await;
        let j = judge(&store, &format!("judge{open}"), None).await;
        store.set_jurors(stage, &[j], &[], None).await.unwrap();
        store.assign(stage, &[(idea, j)], None).await.unwrap();
        let view = store.as_juror(j);
        let queue = view.queue(stage).await.unwrap();
        let seen = view.idea(&queue[0].public_id).await.unwrap().unwrap();
        let draft = ReviewDraft {
            scores: vec![None],
            comment: "برای نویسنده".into(),
            note: "برای دبیرخانه".into(),
            submitted_at: None,
        };
        let saved = view.save_review(seen.assignment_id, &draft, None).await;
        if !open {
            assert!(matches!(saved, Err(StoreError::Conflict(ref w)) if w == "closed"));
            continue;
        }
        saved.unwrap();
        assert_eq!(view.queue(stage).await.unwrap()[0].review, "draft");
        assert_eq!(store.stage_reviews(stage).await.unwrap(), vec![]);
        let again = view.idea(&queue[0].public_id).await.unwrap().unwrap();
        assert_eq!(again.review.as_ref().unwrap().scores, vec![None]);
        assert_eq!(again.review.as_ref().unwrap().note, "برای دبیرخانه");

        let done = ReviewDraft {
            scores: vec![Some(10)],
            ..draft
        };
        view.save_review(seen.assignment_id, &done, Some(100.0))
            .await
            .unwrap();
        let reviews = store.stage_reviews(stage).await.unwrap();
        assert_eq!(reviews.len(), 1);
        assert_eq!(
            (reviews[0].idea_id, reviews[0].judge_id, reviews[0].overall),
            (idea, j, 100.0)
        );
        let audit = store.audit_for("stage", &stage.to_string()).await.unwrap();
        let submit = audit
            .iter()
            .find(|e| e.action == Action::ReviewSubmit.as_str())
            .unwrap();
        let data: serde_json::Value = serde_json::from_str(&submit.data).unwrap();
        assert_eq!(data["scores"], serde_json::json!([10]));
        // Another judge's save of this assignment is refused as not found.
        let other = judge(&store, "other", None).await;
        assert!(matches!(
            store
                .as_juror(other)
                .save_review(seen.assignment_id, &done, Some(1.0))
                .await,
            Err(StoreError::NotFound)
        ));
    }
}

async fn a_skipped_idea_passes_to_another_judge_and_never_comes_back(store: Store) {
    let call = judged_call(&store, true).await;
    let stage = shortlisting(&call);
    store
        .save_jury(stage, &settings(Mode::Rubric), None)
        .await
        .unwrap();
    let author = participant(&store, "author", "نویسنده").await;
    let idea = accepted(&store, &call, author, "پیامک").await;
    let (j1, j2) = (
        judge(&store, "j1", None).await,
        judge(&store, "j2", None).await,
    );
    store.set_jurors(stage, &[j1, j2], &[], None).await.unwrap();
    store.assign(stage, &[(idea, j1)], None).await.unwrap();
    let rows = store.stage_assignments(stage).await.unwrap();
    store
        .end_assignment(
            rows[0].id,
            Ending::Conflict,
            "همکار نزدیک نویسنده‌ام",
            Some(j2),
            Some(j1),
        )
        .await
        .unwrap();
    let rows = store.stage_assignments(stage).await.unwrap();
    let states: Vec<(UserId, &str)> = rows
        .iter()
        .map(|r| (r.judge_id, r.state.as_str()))
        .collect();
    assert_eq!(states, [(j1, "conflict"), (j2, "open")]);
    assert!(store.as_juror(j1).queue(stage).await.unwrap().is_empty());
    // Ending it twice, or giving it back to j1, is refused and changes nothing.
    assert!(matches!(
        store.end_assignment(rows[0].id, Ending::Skipped, "", None, Some(j1)).await,
        Err(StoreError::Conflict(ref w)) if w == "ended"
    ));
    assert!(matches!(
        store.assign(stage, &[(idea, j1)], None).await,
        Err(StoreError::Conflict(ref w)) if w == "assigned"
    ));
    assert_eq!(store.stage_assignments(stage).await.unwrap().len(), 2);
}

async fn comparisons_are_kept_in_order_and_audited(store: Store) {
    let call = judged_call(&store, true).await;
    let stage = shortlisting(&call);
    store
        .save_jury(stage, &settings(Mode::Pairwise), None)
        .await
        .unwrap();
    let author = participant(&store, "author", "نویسنده").await;
    let a = accepted(&store, &call, author, "الف").await;
    let b = accepted(&store, &call, author, "ب").await;
    let j = judge(&store, "j", None).await;
    store.set_jurors(stage, &[j], &[], None).await.unwrap();
    store.add_comparison(stage, j, a, b).await.unwrap();
    store.add_comparison(stage, j, b, a).await.unwrap();
    let cs = store.stage_comparisons(stage).await.unwrap();
    assert_eq!(
        cs.iter()
            .map(|c| (c.winner_id, c.loser_id))
            .collect::<Vec<_>>(),
        [(a, b), (b, a)]
    );
    assert!(store.jury(stage).await.unwrap().unwrap().started);
    assert_eq!(store.jurors(stage).await.unwrap()[0].comparisons, 2);
    let audit = store.audit_for("stage", &stage.to_string()).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == Action::ComparisonAdd.as_str())
            .count(),
        2
    );
}
