//! Calls on both backends.

use hamafza_core::call::{Audience, CallState, StageKind, ValidCall, ValidStage};
use hamafza_core::time::UnixSeconds;
use hamafza_persian::jalali::JalaliDate;
use hamafza_store::calls::CallFilter;
use hamafza_store::{Store, StoreError, store_tests};

store_tests!(
    the_home_page_summary_lists_published_calls_with_the_open_stage,
    a_call_keeps_its_axes_and_stages_in_order,
    editing_keeps_axis_rows_and_drops_removed_ones,
    states_follow_the_rules_and_drafts_stay_private,
    a_new_round_copies_the_configuration
);

fn d(y: i32, m: u32, day: u32) -> JalaliDate {
    JalaliDate {
        year: y,
        month: m,
        day,
    }
}

fn round2() -> ValidCall {
    ValidCall {
        title: "جمعینو ۲".into(),
        description: "ایده‌های **رسانه‌ای**".into(),
        audience: Audience::Employees,
        axes: vec![
            ("معرفی خدمات".into(), "".into()),
            ("فرهنگ بیمه".into(), "".into()),
            ("بیمه فراگیر خانواده".into(), "".into()),
        ],
        stages: vec![
            ValidStage {
                kind: StageKind::Submission,
                title: "ثبت".into(),
                start: d(1401, 11, 1),
                end: d(1401, 12, 15),
            },
            ValidStage {
                kind: StageKind::Screening,
                title: "".into(),
                start: d(1401, 12, 16),
                end: d(1401, 12, 25),
            },
        ],
    }
}

async fn a_call_keeps_its_axes_and_stages_in_order(store: Store) {
    let c = store.create_call(&round2(), None, None).await.unwrap();
    assert_eq!(c.state, CallState::Draft);
    assert_eq!(c.public_id.len(), 10);
    assert_eq!(
        c.axes.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(),
        ["معرفی خدمات", "فرهنگ بیمه", "بیمه فراگیر خانواده"]
    );
    // 1 Bahman 1401 00:00 Tehran = 2023-01-20T20:30Z; 15 Esfand 1401 23:59:59 Tehran = 2023-03-06T20:29:59Z.
    assert_eq!(c.stages[0].starts_at, UnixSeconds::new(1_674_246_600));
    assert_eq!(c.stages[0].ends_at, UnixSeconds::new(1_678_134_599));
    assert!(
        c.stages[0].is_open_at(UnixSeconds::new(1_674_246_600))
            && !c.stages[0].is_open_at(UnixSeconds::new(1_674_246_599))
    );
    assert_eq!(
        store
            .call_by_public_id(&c.public_id)
            .await
            .unwrap()
            .unwrap(),
        c
    );
    assert_eq!(c.to_valid(), round2());
}

async fn editing_keeps_axis_rows_and_drops_removed_ones(store: Store) {
    let c = store.create_call(&round2(), None, None).await.unwrap();
    let mut v = round2();
    v.axes[0].0 = "معرفی خدمات سازمان".into();
    v.axes.pop();
    v.stages.pop();
    let after = store.update_call(c.id, &v, None).await.unwrap();
    assert_eq!(after.axes[0].id, c.axes[0].id, "same row, new text");
    assert_eq!(after.axes[0].title, "معرفی خدمات سازمان");
    assert_eq!((after.axes.len(), after.stages.len()), (2, 1));
}

async fn states_follow_the_rules_and_drafts_stay_private(store: Store) {
    let c = store.create_call(&round2(), None, None).await.unwrap();
    assert!(store.calls(CallFilter::Public).await.unwrap().is_empty());
    assert_eq!(store.calls(CallFilter::All).await.unwrap().len(), 1);
    assert!(matches!(
        store.set_call_state(c.id, CallState::Closed, None).await,
        Err(StoreError::Conflict(_))
    ));
    store
        .set_call_state(c.id, CallState::Published, None)
        .await
        .unwrap();
    assert_eq!(store.calls(CallFilter::Public).await.unwrap().len(), 1);
    let log = store.audit_for("call", &c.public_id).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["call.create", "call.state"]
    );
}

async fn a_new_round_copies_the_configuration(store: Store) {
    let c = store.create_call(&round2(), None, None).await.unwrap();
    let copy = store
        .create_call(&c.to_valid(), Some(c.id), None)
        .await
        .unwrap();
    assert_ne!(copy.public_id, c.public_id);
    assert_eq!(copy.copied_from, Some(c.id));
    assert_eq!(copy.axes.len(), 3);
    assert_eq!(copy.stages[1].ends_at, c.stages[1].ends_at);
}

async fn the_home_page_summary_lists_published_calls_with_the_open_stage(store: Store) {
    let draft = store.create_call(&round2(), None, None).await.unwrap();
    let open = store.create_call(&round2(), None, None).await.unwrap();
    store
        .set_call_state(open.id, CallState::Published, None)
        .await
        .unwrap();
    let during_screening = open.stages[1].starts_at + 60;
    let list = store.open_calls(during_screening).await.unwrap();
    assert_eq!(list.len(), 1, "drafts are not listed");
    assert_eq!(list[0].public_id, open.public_id);
    assert_eq!(
        list[0].axes,
        ["معرفی خدمات", "فرهنگ بیمه", "بیمه فراگیر خانواده"]
    );
    assert_eq!(list[0].current_stage, Some(StageKind::Screening));
    assert_eq!(
        store.open_calls(UnixSeconds::new(0)).await.unwrap()[0].current_stage,
        None
    );
    assert_ne!(draft.public_id, open.public_id);
}
