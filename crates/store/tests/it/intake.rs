//! Participant intake on both backends: attachments, teams, drafts, similar ideas.

use crate::fixtures::{self, stage, user};
use hamafza_core::call::StageKind;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaText};
use hamafza_core::ids::{AxisId, CallId, UserId};
use hamafza_core::time::UnixSeconds;
use hamafza_store::attachments::NewAttachment;
use hamafza_store::ideas::{NewIdea, SubmitExtras};
use hamafza_store::teams::MemberState;
use hamafza_store::{Store, StoreError, store_tests};
use serde_json::json;

store_tests!(
    a_submission_stores_its_files_team_and_clears_the_draft_in_one_go,
    a_failing_part_stores_no_idea,
    attachments_share_blobs_and_stop_at_five,
    a_team_invites_accepts_declines_removes_and_hands_over_the_lead,
    a_team_has_at_most_five,
    drafts_are_saved_replaced_and_deleted,
    similar_ideas_share_words_in_the_same_call,
    a_member_view_returns_only_ideas_its_viewer_leads_or_joined,
);

/// `Store::as_member`: the lead and an accepted teammate see the idea; someone only invited, a
/// stranger and a decliner get `None`, as for an id that does not exist.
async fn a_member_view_returns_only_ideas_its_viewer_leads_or_joined(store: Store) {
    let (call, axes) = call(&store).await;
    let lead = user(&store, "lead").await;
    let joined = user(&store, "joined").await;
    let invited = user(&store, "invited").await;
    let declined = user(&store, "declined").await;
    let stranger = user(&store, "stranger").await;
    let idea = fixtures::submit(&store, call, Some(lead), &text(axes[0], "عنوان", "مسئله")).await;
    for u in [joined, invited, declined] {
        store.invite(&idea, u, Some(lead)).await.unwrap();
    }
    store.answer_invitation(&idea, joined, true).await.unwrap();
    store
        .answer_invitation(&idea, declined, false)
        .await
        .unwrap();
    for (who, id, sees) in [
        ("lead", lead, true),
        ("joined", joined, true),
        ("invited", invited, false),
        ("declined", declined, false),
        ("stranger", stranger, false),
    ] {
        let seen = store.as_member(id).idea(&idea.public_id).await.unwrap();
        assert_eq!(seen.map(|i| i.id), sees.then_some(idea.id), "{who}");
    }
    assert!(
        store
            .as_member(lead)
            .idea("nonexistent")
            .await
            .unwrap()
            .is_none()
    );
}

async fn call(store: &Store) -> (CallId, Vec<AxisId>) {
    let c = fixtures::call(store, vec![stage(StageKind::Submission, 1, 10)]).await;
    (c.id, c.axes.iter().map(|a| a.id).collect())
}

fn text(axis: AxisId, title: &str, problem: &str) -> IdeaText {
    IdeaText {
        axis_id: axis,
        title: title.into(),
        problem: problem.into(),
        solution: "راه‌حلی که در متن آمده است".into(),
        benefits: String::new(),
        resources: String::new(),
        owner_unit_id: None,
    }
}

fn file(name: &str, bytes: &[u8]) -> NewAttachment {
    NewAttachment {
        name: name.into(),
        mime: "application/pdf".into(),
        bytes: bytes.to_vec(),
    }
}

async fn submit(
    store: &Store,
    call: CallId,
    author: UserId,
    t: &IdeaText,
    extras: &SubmitExtras<'_>,
) -> Result<Idea, StoreError> {
    store
        .submit_idea_with(
            &NewIdea {
                call_id: call,
                author_id: Some(author),
                channel: Channel::Web,
                text: t,
                idempotency_key: None,
            },
            extras,
        )
        .await
        .map(|(i, _)| i)
}

async fn a_submission_stores_its_files_team_and_clears_the_draft_in_one_go(store: Store) {
    let (c, axes) = call(&store).await;
    let (sara, ali) = (user(&store, "sara").await, user(&store, "ali").await);
    store
        .save_draft(sara, c, &json!({ "title": "پیش‌نویس" }))
        .await
        .unwrap();
    let files = [file("طرح.pdf", b"%PDF-1.4 one")];
    let idea = submit(
        &store,
        c,
        sara,
        &text(axes[0], "پیامک وضعیت", "مراجعهٔ حضوری"),
        &SubmitExtras {
            attachments: &files,
            invitees: &[ali],
            clear_draft: true,
        },
    )
    .await
    .unwrap();
    let a = store.attachments(idea.id).await.unwrap();
    assert_eq!((a.len(), a[0].name.as_str(), a[0].size), (1, "طرح.pdf", 12));
    assert_eq!(
        store.attachment_bytes(&a[0]).await.unwrap(),
        b"%PDF-1.4 one"
    );
    assert_eq!(
        store.attachment(idea.id, &a[0].public_id).await.unwrap(),
        a[0]
    );
    assert!(store.draft(sara, c).await.unwrap().is_none());
    assert!(store.is_invited(idea.id, ali).await.unwrap());
    let actions: Vec<String> = store
        .audit_for("idea", &idea.public_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["idea.submit", "idea.attach", "team.invite"]);
    let attach = &store.audit_for("idea", &idea.public_id).await.unwrap()[1];
    let data: serde_json::Value = serde_json::from_str(&attach.data).unwrap();
    assert_eq!(data["sha256"], a[0].sha256);
    assert_eq!(
        (data["name"].as_str(), data["size"].as_i64()),
        (Some("طرح.pdf"), Some(12))
    );
}

async fn a_failing_part_stores_no_idea(store: Store) {
    let (c, axes) = call(&store).await;
    let sara = user(&store, "sara").await;
    store
        .save_draft(sara, c, &json!({ "title": "نگه‌دار" }))
        .await
        .unwrap();
    let files = [file("a.pdf", b"%PDF-1.4 a")];
    // An invitee who does not exist breaks the transaction after the idea and its file.
    let r = submit(
        &store,
        c,
        sara,
        &text(axes[0], "ایدهٔ ناتمام", "مسئله"),
        &SubmitExtras {
            attachments: &files,
            invitees: &[UserId::new(987_654)],
            clear_draft: true,
        },
    )
    .await;
    assert!(r.is_err());
    assert_eq!(store.ideas_of_call(c, 0, 10).await.unwrap().1, 0);
    assert!(
        store.draft(sara, c).await.unwrap().is_some(),
        "the draft survives"
    );
    assert!(store.verify_audit().await.unwrap().broken.is_none());
}

async fn attachments_share_blobs_and_stop_at_five(store: Store) {
    let (c, axes) = call(&store).await;
    let sara = user(&store, "sara").await;
    let t = text(axes[0], "یک", "دو");
    let a = submit(&store, c, sara, &t, &SubmitExtras::default())
        .await
        .unwrap();
    let b = submit(&store, c, sara, &t, &SubmitExtras::default())
        .await
        .unwrap();
    let same = [file("x.pdf", b"%PDF same")];
    let ia = store
        .add_attachments(a.id, &a.public_id, &same, Some(sara))
        .await
        .unwrap();
    let ib = store
        .add_attachments(b.id, &b.public_id, &same, Some(sara))
        .await
        .unwrap();
    assert_eq!(ia[0].sha256, ib[0].sha256);
    // Removing one link keeps the blob the other idea still uses.
    store
        .remove_attachment(&a.public_id, &ia[0], Some(sara))
        .await
        .unwrap();
    assert_eq!(store.attachment_bytes(&ib[0]).await.unwrap(), b"%PDF same");
    assert!(matches!(
        store.attachment(a.id, &ia[0].public_id).await,
        Err(StoreError::NotFound)
    ));
    let four: Vec<NewAttachment> = (0..4)
        .map(|i| file(&format!("{i}.pdf"), format!("%PDF {i}").as_bytes()))
        .collect();
    store
        .add_attachments(b.id, &b.public_id, &four, Some(sara))
        .await
        .unwrap();
    let r = store
        .add_attachments(b.id, &b.public_id, &[file("6.pdf", b"%PDF 6")], Some(sara))
        .await;
    assert!(
        matches!(r, Err(StoreError::Conflict(ref w)) if w == "attachments"),
        "{r:?}"
    );
    assert_eq!(store.attachments(b.id).await.unwrap().len(), 5);
    // The inbox tells ideas with files from those without.
    let inbox = |with| {
        let store = store.clone();
        async move {
            let q = hamafza_store::ideas::InboxQuery {
                attachments: Some(with),
                limit: 50,
                ..Default::default()
            };
            let page = store.inbox(c, &q).await.unwrap();
            page.0.into_iter().map(|i| i.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(inbox(true).await, [b.id]);
    assert_eq!(inbox(false).await, [a.id]);
    let detach = store
        .audit_for("idea", &a.public_id)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (detach.action.as_str(), detach.data.as_str()),
        ("idea.detach", r#"{"name":"x.pdf"}"#)
    );
}

async fn a_team_invites_accepts_declines_removes_and_hands_over_the_lead(store: Store) {
    let (c, axes) = call(&store).await;
    let (sara, ali, reza) = (
        user(&store, "sara").await,
        user(&store, "ali").await,
        user(&store, "reza").await,
    );
    let idea = submit(
        &store,
        c,
        sara,
        &text(axes[0], "تیمی", "مسئله"),
        &SubmitExtras::default(),
    )
    .await
    .unwrap();
    store.invite(&idea, ali, Some(sara)).await.unwrap();
    store.invite(&idea, reza, Some(sara)).await.unwrap();
    assert!(
        matches!(store.invite(&idea, ali, Some(sara)).await, Err(StoreError::Conflict(ref w)) if w == "member")
    );
    assert!(
        matches!(store.invite(&idea, sara, Some(sara)).await, Err(StoreError::Conflict(ref w)) if w == "member")
    );
    assert_eq!(
        store.invitations_of(ali).await.unwrap()[0].idea_title,
        "تیمی"
    );
    store.answer_invitation(&idea, ali, true).await.unwrap();
    store.answer_invitation(&idea, reza, false).await.unwrap();
    assert!(matches!(
        store.answer_invitation(&idea, reza, true).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.invitations_of(ali).await.unwrap().is_empty());
    assert!(store.is_member(idea.id, ali).await.unwrap());
    assert!(!store.is_member(idea.id, reza).await.unwrap());
    let mut ids = store.member_ids(idea.id).await.unwrap();
    ids.sort();
    assert_eq!(ids, [sara, ali]);
    let team = store.team(&idea).await.unwrap();
    assert_eq!(
        team.iter()
            .map(|m| (m.user_id, m.state))
            .collect::<Vec<_>>(),
        [(sara, MemberState::Lead), (ali, MemberState::Accepted)]
    );
    // Only an accepted member can take the lead.
    assert!(matches!(
        store.hand_over_lead(&idea, reza, Some(sara)).await,
        Err(StoreError::NotFound)
    ));
    store.hand_over_lead(&idea, ali, Some(sara)).await.unwrap();
    let idea = store.idea(idea.id).await.unwrap();
    assert_eq!(idea.author_id, Some(ali));
    assert!(store.is_member(idea.id, sara).await.unwrap());
    store.remove_member(&idea, sara, Some(ali)).await.unwrap();
    assert_eq!(store.member_ids(idea.id).await.unwrap(), [ali]);
    let log: Vec<(String, String)> = store
        .audit_for("idea", &idea.public_id)
        .await
        .unwrap()
        .into_iter()
        .skip(1)
        .map(|e| (e.action, e.data))
        .collect();
    let u = |id: UserId| format!(r#"{{"user_id":{id}}}"#);
    assert_eq!(
        log,
        [
            ("team.invite".to_string(), u(ali)),
            ("team.invite".into(), u(reza)),
            ("team.accept".into(), u(ali)),
            ("team.decline".into(), u(reza)),
            ("team.lead".into(), u(ali)),
            ("team.remove".into(), u(sara)),
        ]
    );
}

async fn a_team_has_at_most_five(store: Store) {
    let (c, axes) = call(&store).await;
    let sara = user(&store, "sara").await;
    let idea = submit(
        &store,
        c,
        sara,
        &text(axes[0], "بزرگ", "مسئله"),
        &SubmitExtras::default(),
    )
    .await
    .unwrap();
    for i in 0..4 {
        let u = user(&store, &format!("member{i}")).await;
        store.invite(&idea, u, Some(sara)).await.unwrap();
    }
    let extra = user(&store, "extra").await;
    assert!(
        matches!(store.invite(&idea, extra, Some(sara)).await, Err(StoreError::Conflict(ref w)) if w == "team_full")
    );
}

async fn drafts_are_saved_replaced_and_deleted(store: Store) {
    let (c, _) = call(&store).await;
    let sara = user(&store, "sara").await;
    assert!(store.draft(sara, c).await.unwrap().is_none());
    store
        .save_draft(sara, c, &json!({ "title": "اول" }))
        .await
        .unwrap();
    store
        .save_draft(sara, c, &json!({ "title": "دوم" }))
        .await
        .unwrap();
    let d = store.draft(sara, c).await.unwrap().unwrap();
    assert_eq!(d.data["title"], "دوم");
    assert!(d.updated_at > UnixSeconds::new(0));
    assert!(store.delete_draft(sara, c).await.unwrap());
    assert!(!store.delete_draft(sara, c).await.unwrap());
}

async fn similar_ideas_share_words_in_the_same_call(store: Store) {
    let (c, axes) = call(&store).await;
    let (other_call, other_axes) = call(&store).await;
    let sara = user(&store, "sara").await;
    let none = SubmitExtras::default();
    let sms = submit(
        &store,
        c,
        sara,
        &text(
            axes[0],
            "پیامک وضعیت پرونده بیمه",
            "بیمه‌شدگان برای پیگیری پرونده به شعبه می‌روند",
        ),
        &none,
    )
    .await
    .unwrap();
    let kiosk = submit(
        &store,
        c,
        sara,
        &text(
            axes[1],
            "کیوسک خدمات در داروخانه",
            "مستمری‌بگیران سالمند در صف شعبه",
        ),
        &none,
    )
    .await
    .unwrap();
    submit(
        &store,
        other_call,
        sara,
        &text(other_axes[0], "پیامک پرونده بیمه", "پرونده"),
        &none,
    )
    .await
    .unwrap();
    // Arabic letter forms in the query match the Persian ones stored.
    let found = store
        .similar_ideas(c, "ارسال پيامك وضعيت پرونده", 5)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].public_id.as_str(), found[0].axis_id),
        (sms.public_id.as_str(), axes[0])
    );
    let found = store.similar_ideas(c, "شعبه", 5).await.unwrap();
    assert_eq!(found.len(), 2);
    assert!(
        store
            .similar_ideas(c, "در به از این", 5)
            .await
            .unwrap()
            .is_empty()
    );
    // An edit re-indexes the idea.
    store
        .edit_idea(
            kiosk.id,
            kiosk.place(),
            &text(axes[1], "کیوسک لمسی", "صف طولانی"),
            Some(sara),
        )
        .await
        .unwrap();
    assert_eq!(store.similar_ideas(c, "شعبه", 5).await.unwrap().len(), 1);
}
