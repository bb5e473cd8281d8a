//! Screening on both backends: stages, the stale double accept, inbox filters and keyset pages,
//! tags, reclassification, merge credits, bulk actions with skips, rejection templates.

use crate::fixtures::{call, participant, stage, submit, text};
use hamafza_core::Role;
use hamafza_core::call::Call;
use hamafza_core::call::{Audience, StageKind, ValidCall};
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaStatus, Place, Transition};
use hamafza_core::ids::{IdeaId, UserId};
use hamafza_store::screening::{BulkAction, InboxQuery, InboxSort};
use hamafza_store::users::NewUser;
use hamafza_store::{Store, StoreError, store_tests};

store_tests!(
    accepting_moves_through_stages_and_a_stale_accept_conflicts,
    the_inbox_filters_sorts_and_pages_by_keyset,
    tags_are_normalized_per_call_and_filter_the_inbox,
    reclassify_and_merge_are_audited_and_credit_both_authors,
    a_duplicate_is_not_reclassified_even_from_a_stale_read,
    bulk_actions_skip_what_their_status_does_not_allow,
    rejection_templates_are_added_edited_and_deleted,
    counts_are_live_for_a_small_call_and_kept_a_while_for_a_large_one,
);

const ROUND2: [StageKind; 6] = [
    StageKind::Submission,
    StageKind::Screening,
    StageKind::Shortlisting,
    StageKind::Orientation,
    StageKind::FinalPresentation,
    StageKind::Results,
];

async fn setup(store: &Store) -> (Call, UserId) {
    let stages = ROUND2
        .iter()
        .enumerate()
        .map(|(i, k)| stage(*k, 1 + i as u32 * 2, 2 + i as u32 * 2))
        .collect();
    let call = call(store, stages).await;
    let user = participant(store, "sara", "سارا").await;
    (call, user)
}

async fn idea(store: &Store, call: &Call, author: UserId, axis: usize, title: &str) -> Idea {
    submit(
        store,
        call.id,
        Some(author),
        &text(call.axes[axis].id, title),
    )
    .await
}

async fn accepting_moves_through_stages_and_a_stale_accept_conflicts(store: Store) {
    let (call, sara) = setup(&store).await;
    let i = idea(&store, &call, sara, 0, "پیامک وضعیت پرونده").await;
    assert_eq!(
        i.place(),
        Place {
            status: IdeaStatus::Submitted,
            stage: 0
        }
    );
    let seen = i.place();
    let to = Transition::Accept.plan(seen, &ROUND2).unwrap();
    let i = store
        .transition_idea(i.id, seen, to, "", None)
        .await
        .unwrap();
    assert_eq!((i.status, i.stage_position), (IdeaStatus::Accepted, 2));
    // The same click again, from the same stale view: refused, nothing moves.
    let e = store
        .transition_idea(i.id, seen, to, "", None)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    assert_eq!(store.idea(i.id).await.unwrap().stage_position, 2);
    // Accepting again in shortlisting makes it a finalist.
    let to = Transition::Accept.plan(i.place(), &ROUND2).unwrap();
    store
        .transition_idea(i.id, i.place(), to, "", None)
        .await
        .unwrap();
    let other = idea(&store, &call, sara, 1, "نوبت‌دهی اینترنتی شعب").await;
    let finalists = store.ideas_at_or_beyond(call.id, 3).await.unwrap();
    assert_eq!(
        finalists.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![i.id]
    );
    assert_eq!(store.ideas_at_or_beyond(call.id, 0).await.unwrap().len(), 2);
    let _ = other;
    let log = store.audit_for("idea", &i.public_id).await.unwrap();
    let moves: Vec<_> = log
        .iter()
        .filter(|e| e.action == "idea.transition")
        .collect();
    assert_eq!(moves.len(), 2);
    let d: serde_json::Value = serde_json::from_str(&moves[1].data).unwrap();
    assert_eq!(d["stage_from"], 2);
    assert_eq!(d["stage_to"], 3);
    assert_eq!(d["from"], "accepted");
}

async fn the_inbox_filters_sorts_and_pages_by_keyset(store: Store) {
    let (call, sara) = setup(&store).await;
    let mut ids = Vec::new();
    for n in 0..7 {
        let title = format!("ایدهٔ شمارهٔ {n} پيامك");
        ids.push(idea(&store, &call, sara, n % 2, &title).await);
    }
    // Same second for all; the id breaks ties, so pages neither skip nor repeat.
    let q = |after: Option<String>, before: Option<String>| InboxQuery {
        limit: 3,
        after,
        before,
        ..Default::default()
    };
    let p1 = store.inbox_page(call.id, &q(None, None)).await.unwrap();
    assert_eq!((p1.total, p1.capped, p1.prev.is_none()), (7, false, true));
    let p2 = store
        .inbox_page(call.id, &q(p1.next.clone(), None))
        .await
        .unwrap();
    let p3 = store
        .inbox_page(call.id, &q(p2.next.clone(), None))
        .await
        .unwrap();
    assert!(p3.next.is_none());
    let seen: Vec<IdeaId> = [&p1, &p2, &p3]
        .iter()
        .flat_map(|p| p.ideas.iter().map(|i| i.id))
        .collect();
    let mut newest: Vec<IdeaId> = ids.iter().map(|i| i.id).collect();
    newest.reverse();
    assert_eq!(seen, newest);
    // Back from page 2 is page 1 again.
    let back = store
        .inbox_page(call.id, &q(None, p2.prev.clone()))
        .await
        .unwrap();
    assert_eq!(
        back.ideas.iter().map(|i| i.id).collect::<Vec<_>>(),
        p1.ideas.iter().map(|i| i.id).collect::<Vec<_>>()
    );
    assert!(back.prev.is_none());
    // Filters: axis, status, stage, channel, search with Arabic letters, dates, sort by title.
    let count = |q: InboxQuery| {
        let store = store.clone();
        async move { store.inbox_page(call.id, &q).await.unwrap().total }
    };
    let axis = call.axes[1].id;
    assert_eq!(
        count(InboxQuery {
            axis_id: Some(axis),
            limit: 50,
            ..Default::default()
        })
        .await,
        3
    );
    let to = Transition::Accept.plan(ids[0].place(), &ROUND2).unwrap();
    store
        .transition_idea(ids[0].id, ids[0].place(), to, "", None)
        .await
        .unwrap();
    assert_eq!(
        count(InboxQuery {
            status: Some(IdeaStatus::Accepted),
            limit: 50,
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(InboxQuery {
            stage: Some(2),
            limit: 50,
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(InboxQuery {
            channel: Some(Channel::Paper),
            limit: 50,
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(InboxQuery {
            search: Some("شمارهٔ ۳ پیامک".into()),
            limit: 50,
            ..Default::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(InboxQuery {
            search: Some("%".into()),
            limit: 50,
            ..Default::default()
        })
        .await,
        0
    );
    let now = hamafza_store::now();
    assert_eq!(
        count(InboxQuery {
            from: Some(now - 3600),
            to: Some(now + 3600),
            limit: 50,
            ..Default::default()
        })
        .await,
        7
    );
    assert_eq!(
        count(InboxQuery {
            to: Some(now - 3600),
            limit: 50,
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        count(InboxQuery {
            province: Some("tehran".into()),
            limit: 50,
            ..Default::default()
        })
        .await,
        0
    );
    let by_title = store
        .inbox_page(
            call.id,
            &InboxQuery {
                sort: InboxSort::Title,
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let next = store
        .inbox_page(
            call.id,
            &InboxQuery {
                sort: InboxSort::Title,
                limit: 2,
                after: by_title.next.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        by_title.ideas[1].title < next.ideas[0].title || by_title.ideas[1].id < next.ideas[0].id
    );
    assert!(by_title.ideas[0].title.contains('0') && next.ideas[0].title.contains('2'));
    // An author in a provincial unit: the idea keeps the unit and province it came from.
    let unit = store
        .create_org_unit(
            &hamafza_store::org_units::NewOrgUnit {
                parent_id: None,
                kind: hamafza_core::OrgUnitKind::Province,
                code: "prov-fars".into(),
                name_fa: "اداره کل فارس".into(),
                name_en: "Fars".into(),
                province_code: Some("fars".into()),
            },
            None,
        )
        .await
        .unwrap();
    let ali = store
        .create_user(
            &NewUser {
                username: "ali".into(),
                display_name: "علی".into(),
                password_hash: None,
                national_id: None,
                mobile: None,
                org_unit_id: Some(unit.id),
                roles: vec![Role::Participant],
            },
            None,
        )
        .await
        .unwrap();
    let from_fars = idea(&store, &call, ali.id, 0, "ایده‌ای از شیراز").await;
    let q = InboxQuery {
        province: Some("fars".into()),
        limit: 50,
        ..Default::default()
    };
    let page = store.inbox_page(call.id, &q).await.unwrap();
    assert_eq!(
        page.ideas.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![from_fars.id]
    );
    let q = InboxQuery {
        unit_id: Some(unit.id),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(store.inbox_page(call.id, &q).await.unwrap().total, 1);
    let q = InboxQuery {
        unit_id: Some(unit.id),
        status: Some(IdeaStatus::Rejected),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(store.inbox_page(call.id, &q).await.unwrap().total, 0);
}

async fn tags_are_normalized_per_call_and_filter_the_inbox(store: Store) {
    let (call, sara) = setup(&store).await;
    let a = idea(&store, &call, sara, 0, "پیامک وضعیت پرونده").await;
    let b = idea(&store, &call, sara, 0, "نوبت‌دهی شعب").await;
    let c = store
        .tag_idea(&a, &["پيامك".into(), "  فوری ".into()], &[], None)
        .await
        .unwrap();
    assert_eq!(c.added, vec!["پیامک".to_string(), "فوری".to_string()]);
    // The same tag in Persian letters is the same tag.
    let c = store
        .tag_idea(&b, &["پیامک".into()], &[], None)
        .await
        .unwrap();
    assert_eq!(c.added, vec!["پیامک".to_string()]);
    let tags = store.tags_of_call(call.id).await.unwrap();
    assert_eq!(tags.len(), 2);
    let sms = tags.iter().find(|t| t.name == "پیامک").unwrap().id;
    let q = InboxQuery {
        tag_id: Some(sms),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(store.inbox_page(call.id, &q).await.unwrap().total, 2);
    let c = store
        .tag_idea(&a, &[], &["پیامک".into()], None)
        .await
        .unwrap();
    assert_eq!(
        (c.added.len(), c.removed.clone()),
        (0, vec!["پیامک".to_string()])
    );
    assert_eq!(store.inbox_page(call.id, &q).await.unwrap().total, 1);
    let log = store.audit_for("idea", &a.public_id).await.unwrap();
    let tags: Vec<_> = log.iter().filter(|e| e.action == "idea.tag").collect();
    assert_eq!(tags.len(), 2);
    let d: serde_json::Value = serde_json::from_str(&tags[1].data).unwrap();
    assert_eq!(d, serde_json::json!({"added": [], "removed": ["پیامک"]}));
}

async fn reclassify_and_merge_are_audited_and_credit_both_authors(store: Store) {
    let (call, sara) = setup(&store).await;
    let reza = participant(&store, "reza", "رضا").await;
    let kept = idea(&store, &call, sara, 0, "پیامک وضعیت پرونده").await;
    let dup = idea(&store, &call, reza, 0, "اطلاع‌رسانی پیامکی پرونده").await;
    let to = call.axes[1].id;
    let moved = store.reclassify_idea(&kept, to, None).await.unwrap();
    assert_eq!(moved.axis_id, to);
    // A stale reclassification (from the old axis) conflicts.
    assert!(
        store
            .reclassify_idea(&kept, call.axes[0].id, None)
            .await
            .is_ok()
    );
    let stale = store.reclassify_idea(&kept, to, None).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let log = store.audit_for("idea", &kept.public_id).await.unwrap();
    let r = log.iter().find(|e| e.action == "idea.reclassify").unwrap();
    let d: serde_json::Value = serde_json::from_str(&r.data).unwrap();
    assert_eq!(
        d,
        serde_json::json!({"from_axis": call.axes[0].id, "to_axis": to})
    );

    let merged = store.merge_ideas(&dup, &kept, None).await.unwrap();
    assert_eq!(merged.status, IdeaStatus::Duplicate);
    assert_eq!(merged.duplicate_of, Some(kept.id));
    let credits = store.credits(kept.id).await.unwrap();
    assert_eq!(credits.len(), 1);
    assert_eq!(
        (credits[0].name.as_str(), credits[0].user_id),
        ("رضا", Some(reza))
    );
    assert_eq!(
        store.credits_of_call(call.id).await.unwrap(),
        vec![(kept.id, "رضا".to_string())]
    );
    // Merging twice, or into a duplicate, is refused.
    assert!(matches!(
        store.merge_ideas(&dup, &kept, None).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.merge_ideas(&kept, &merged, None).await,
        Err(StoreError::Conflict(_))
    ));
    let m = store.audit_for("idea", &dup.public_id).await.unwrap();
    let e = m.iter().find(|e| e.action == "idea.merge").unwrap();
    assert_eq!(
        e.data,
        serde_json::json!({"into": kept.public_id}).to_string()
    );
    let k = store.audit_for("idea", &kept.public_id).await.unwrap();
    let e = k.iter().find(|e| e.action == "idea.absorb").unwrap();
    assert_eq!(
        e.data,
        serde_json::json!({"from": dup.public_id}).to_string()
    );
    // Credits travel: merging the kept idea into a third one (by someone else) credits both
    // earlier authors.
    let mina = participant(&store, "mina", "مینا").await;
    let third = idea(&store, &call, mina, 0, "سامانهٔ پیامکی فراگیر").await;
    let kept = store.idea(kept.id).await.unwrap();
    store.merge_ideas(&kept, &third, None).await.unwrap();
    let names: Vec<String> = store
        .credits(third.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"رضا".to_string()) && names.contains(&"سارا".to_string()));
    // Merged into an idea of one of them, that author is not credited on their own idea.
    let fourth = idea(&store, &call, reza, 1, "پیامک فراگیر رضا").await;
    let third = store.idea(third.id).await.unwrap();
    store.merge_ideas(&third, &fourth, None).await.unwrap();
    let names: Vec<String> = store
        .credits(fourth.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.contains(&"رضا".to_string()), "{names:?}");
    assert!(store.verify_audit().await.unwrap().broken.is_none());
}

async fn a_duplicate_is_not_reclassified_even_from_a_stale_read(store: Store) {
    let (call, sara) = setup(&store).await;
    let kept = idea(&store, &call, sara, 0, "پیامک وضعیت پرونده").await;
    let dup = idea(&store, &call, sara, 0, "اطلاع‌رسانی پیامکی پرونده").await;
    // Read before someone else merged it.
    let seen = dup.clone();
    store.merge_ideas(&dup, &kept, None).await.unwrap();
    let to = call.axes[1].id;
    for from in [seen, store.idea(dup.id).await.unwrap()] {
        let r = store.reclassify_idea(&from, to, None).await;
        assert!(
            matches!(&r, Err(StoreError::Conflict(why)) if why.contains("duplicate")),
            "{r:?}"
        );
    }
    assert_eq!(store.idea(dup.id).await.unwrap().axis_id, call.axes[0].id);
    let log = store.audit_for("idea", &dup.public_id).await.unwrap();
    assert!(log.iter().all(|e| e.action != "idea.reclassify"));
    // Bulk reclassification skips it too.
    let out = store
        .bulk_screen(
            call.id,
            std::slice::from_ref(&dup.public_id),
            &BulkAction::Reclassify(to),
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.skipped, vec![dup.public_id.clone()]);
}

async fn bulk_actions_skip_what_their_status_does_not_allow(store: Store) {
    let (call, sara) = setup(&store).await;
    let mut ideas = Vec::new();
    for n in 0..4 {
        ideas.push(idea(&store, &call, sara, 0, &format!("ایدهٔ گروهی {n}")).await);
    }
    // One is rejected first: a bulk accept must skip it.
    let to = Transition::Reject.plan(ideas[0].place(), &ROUND2).unwrap();
    store
        .transition_idea(ideas[0].id, ideas[0].place(), to, "تکراری", None)
        .await
        .unwrap();
    let mut ids: Vec<String> = ideas.iter().map(|i| i.public_id.clone()).collect();
    ids.push("not-an-idea".into());
    let accept = BulkAction::Accept {
        stages: ROUND2.to_vec(),
    };
    let o = store
        .bulk_screen(call.id, &ids, &accept, None)
        .await
        .unwrap();
    assert_eq!(o.changed.len(), 3);
    assert_eq!(
        o.skipped,
        vec!["not-an-idea".to_string(), ideas[0].public_id.clone()]
    );
    for i in &ideas[1..] {
        assert_eq!(store.idea(i.id).await.unwrap().stage_position, 2);
    }
    let reject = BulkAction::Reject {
        stages: ROUND2.to_vec(),
        message: "خارج از محورها".into(),
    };
    let o = store
        .bulk_screen(call.id, &ids[..2], &reject, None)
        .await
        .unwrap();
    assert_eq!((o.changed.len(), o.skipped.len()), (1, 1));
    let o = store
        .bulk_screen(call.id, &ids[..4], &BulkAction::Tag("پيامك".into()), None)
        .await
        .unwrap();
    assert_eq!(o.changed.len(), 4);
    let o = store
        .bulk_screen(
            call.id,
            &ids[..4],
            &BulkAction::Reclassify(call.axes[1].id),
            None,
        )
        .await
        .unwrap();
    assert_eq!(o.changed.len(), 4);
    let q = InboxQuery {
        axis_id: Some(call.axes[1].id),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(store.inbox_page(call.id, &q).await.unwrap().total, 4);
    // An idea of another call is never touched.
    let (other, _) = (
        store
            .create_call(
                &ValidCall {
                    title: "دیگر".into(),
                    description: String::new(),
                    audience: Audience::Both,
                    axes: vec![("محور".into(), String::new())],
                    stages: vec![],
                },
                None,
                None,
            )
            .await
            .unwrap(),
        (),
    );
    let o = store
        .bulk_screen(other.id, &ids[1..2], &accept, None)
        .await
        .unwrap();
    assert_eq!((o.changed.len(), o.skipped.len()), (0, 1));
}

async fn rejection_templates_are_added_edited_and_deleted(store: Store) {
    let t = store
        .save_rejection_template(
            None,
            "خارج از محور",
            "ایدهٔ شما با محورهای فراخوان هم‌خوان نیست.",
            None,
        )
        .await
        .unwrap();
    store
        .save_rejection_template(None, "تکراری", "ایدهٔ مشابهی پیش‌تر ثبت شده است.", None)
        .await
        .unwrap();
    let t2 = store
        .save_rejection_template(Some(t.id), "خارج از محورها", "متن تازه", None)
        .await
        .unwrap();
    assert_eq!(
        (t2.id, t2.title.as_str(), t2.body.as_str()),
        (t.id, "خارج از محورها", "متن تازه")
    );
    assert_eq!(store.rejection_templates().await.unwrap().len(), 2);
    store.delete_rejection_template(t.id, None).await.unwrap();
    assert!(matches!(
        store.delete_rejection_template(t.id, None).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .save_rejection_template(Some(t.id), "x", "y", None)
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.rejection_templates().await.unwrap().len(), 1);
}

async fn counts_are_live_for_a_small_call_and_kept_a_while_for_a_large_one(store: Store) {
    let (small, sara) = setup(&store).await;
    let i = idea(&store, &small, sara, 1, "پیامک وضعیت پرونده").await;
    idea(&store, &small, sara, 0, "سامانهٔ نوبت‌دهی شعب").await;
    let c = store.inbox_counts_kept(small.id, 60).await.unwrap();
    assert_eq!(c.as_of, None, "counted now");
    assert_eq!(c.by_status, vec![(IdeaStatus::Submitted, 2)]);
    assert_eq!(
        c.by_axis,
        vec![(small.axes[0].id, 1), (small.axes[1].id, 1)]
    );
    let to = Transition::Accept.plan(i.place(), &ROUND2).unwrap();
    store
        .transition_idea(i.id, i.place(), to, "", None)
        .await
        .unwrap();
    let c = store.inbox_counts_kept(small.id, 60).await.unwrap();
    assert!(
        c.by_status.contains(&(IdeaStatus::Accepted, 1)),
        "live: {c:?}"
    );

    // Past 2,000 ideas the counts are kept and say when they were counted.
    let large = call(
        &store,
        ROUND2
            .iter()
            .enumerate()
            .map(|(i, k)| stage(*k, 1 + i as u32 * 2, 2 + i as u32 * 2))
            .collect(),
    )
    .await;
    let axes = [large.axes[0].id, large.axes[1].id, large.axes[1].id];
    hamafza_store::testing::bench::fill(&store, large.id, &axes, 2_001)
        .await
        .unwrap();
    let kept = store.inbox_counts_kept(large.id, 60).await.unwrap();
    assert!(kept.as_of.is_some());
    let total: i64 = kept.by_status.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 2_001);
    assert_eq!(
        kept.by_status,
        store.inbox_counts(large.id).await.unwrap().by_status
    );
    let extra = idea(&store, &large, sara, 0, "ایده‌ای پس از شمارش").await;
    let again = store.inbox_counts_kept(large.id, 60).await.unwrap();
    assert_eq!(again.as_of, kept.as_of, "read back, not counted again");
    let total: i64 = again.by_status.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 2_001);
    // Stale: counted again, with the new idea.
    let fresh = store.inbox_counts_kept(large.id, -1).await.unwrap();
    let total: i64 = fresh.by_status.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 2_002, "{extra:?}");
}
