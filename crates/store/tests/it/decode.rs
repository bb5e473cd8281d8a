//! A stored value this code does not know (a newer node's, in a rolling deploy) is an error when
//! read, never a default that would change what the idea, call or unit means.

use crate::fixtures::{self, stage, submit, text, unit};
use hamafza_core::OrgUnitKind;
use hamafza_core::call::Call;
use hamafza_core::call::{CallState, StageKind};
use hamafza_core::idea::Idea;
use hamafza_store::calls::CallFilter;
use hamafza_store::ideas::InboxQuery;
use hamafza_store::orientation::NewOrientation;
use hamafza_store::results::Award;
use hamafza_store::{Store, StoreResult, store_tests};

store_tests!(
    an_unknown_idea_status_or_channel_is_an_error_not_a_default,
    an_unknown_stage_kind_audience_or_call_state_is_an_error_not_a_default,
    an_unknown_award_attendance_or_unit_kind_is_an_error_not_a_default,
);

async fn published_call(store: &Store) -> Call {
    let call = fixtures::call(store, vec![stage(StageKind::Submission, 1, 10)]).await;
    store
        .set_call_state(call.id, CallState::Published, None)
        .await
        .unwrap()
}

async fn idea(store: &Store, call: &Call) -> Idea {
    let text = text(call.axes[0].id, "پیامک پیگیری پرونده");
    submit(store, call.id, None, &text).await
}

/// The read failed, naming the value it did not know.
#[track_caller]
fn refused<T: std::fmt::Debug>(r: StoreResult<T>, value: &str) {
    match r {
        Err(e @ hamafza_store::StoreError::Corrupt { .. }) => {
            assert!(e.to_string().contains(value), "{e}")
        }
        other => panic!("expected an error naming {value:?}, got {other:?}"),
    }
}

async fn an_unknown_idea_status_or_channel_is_an_error_not_a_default(store: Store) {
    let call = published_call(&store).await;
    let i = idea(&store, &call).await;
    let row = format!("id = {}", i.id);
    store
        .write_unchecked("ideas", "status", "jury_review", &row)
        .await;
    refused(store.idea(i.id).await, "jury_review");
    refused(store.idea_by_public_id(&i.public_id).await, "jury_review");
    refused(store.ideas_of_call(call.id, 0, 10).await, "jury_review");
    refused(
        store
            .inbox(
                call.id,
                &InboxQuery {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await,
        "jury_review",
    );
    store
        .write_unchecked("ideas", "status", "submitted", &row)
        .await;
    store
        .write_unchecked("ideas", "channel", "kiosk", &row)
        .await;
    refused(store.idea(i.id).await, "kiosk");
    refused(store.idea_by_tracking_code(&i.tracking_code).await, "kiosk");
}

async fn an_unknown_stage_kind_audience_or_call_state_is_an_error_not_a_default(store: Store) {
    let call = published_call(&store).await;
    let stage = format!("call_id = {}", call.id);
    let row = format!("id = {}", call.id);
    // A stage kind that does not take submissions must not read as one that does.
    store
        .write_unchecked("call_stages", "kind", "jury_review", &stage)
        .await;
    refused(store.call(call.id).await, "jury_review");
    refused(store.calls(CallFilter::All).await, "jury_review");
    refused(
        store.open_calls(call.stages[0].starts_at).await,
        "jury_review",
    );
    store
        .write_unchecked("call_stages", "kind", "submission", &stage)
        .await;
    // An unknown audience must not widen who may take part.
    store
        .write_unchecked("calls", "audience", "partners", &row)
        .await;
    refused(store.call_by_public_id(&call.public_id).await, "partners");
    store
        .write_unchecked("calls", "audience", "both", &row)
        .await;
    store
        .write_unchecked("calls", "state", "paused", &row)
        .await;
    refused(store.call(call.id).await, "paused");
}

async fn an_unknown_award_attendance_or_unit_kind_is_an_error_not_a_default(store: Store) {
    let call = published_call(&store).await;
    let i = idea(&store, &call).await;
    store
        .set_results(call.id, &[(i.id, Award::Winner, 1)], None)
        .await
        .unwrap();
    store
        .write_unchecked("call_results", "award", "honourable_mention", "1 = 1")
        .await;
    refused(store.results(call.id).await, "honourable_mention");

    let session = store
        .create_orientation(
            call.id,
            &NewOrientation {
                title: "جلسه",
                starts_at: hamafza_store::now(),
                place: "تالار",
                materials: "",
            },
            None,
        )
        .await
        .unwrap();
    store
        .invite_to_orientation(&session, &[i.id], None)
        .await
        .unwrap();
    store
        .write_unchecked("orientation_invites", "attendance", "excused", "1 = 1")
        .await;
    refused(store.orientations_of_idea(i.id).await, "excused");
    refused(store.orientation_invitees(session.id).await, "excused");

    let unit = unit(&store, "hq", OrgUnitKind::Hq, None).await;
    store
        .write_unchecked("org_units", "kind", "region", &format!("id = {unit}"))
        .await;
    refused(store.org_unit(unit).await, "region");
    refused(store.org_units().await, "region");
    refused(store.org_unit_counts().await, "region");
}
