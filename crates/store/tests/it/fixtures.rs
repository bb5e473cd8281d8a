//! What several modules start from: participants, org units, a call in Farvardin 1403, the idea
//! text most tests submit, and submitting it.

use hamafza_core::call::Call;
use hamafza_core::call::{Audience, StageKind, ValidCall, ValidStage};
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaText};
use hamafza_core::ids::{AxisId, CallId, OrgUnitId, UserId};
use hamafza_core::{OrgUnitKind, Role};
use hamafza_persian::jalali::JalaliDate;
use hamafza_store::Store;
use hamafza_store::ideas::NewIdea;
use hamafza_store::org_units::NewOrgUnit;
use hamafza_store::users::NewUser;

/// A participant (no password, mobile or unit) shown as `display_name`.
pub async fn participant(store: &Store, username: &str, display_name: &str) -> UserId {
    store
        .create_user(
            &NewUser {
                username: username.into(),
                display_name: display_name.into(),
                password_hash: None,
                national_id: None,
                mobile: None,
                org_unit_id: None,
                roles: vec![Role::Participant],
            },
            None,
        )
        .await
        .unwrap()
        .id
}

/// A participant shown as «کاربر `username`».
pub async fn user(store: &Store, username: &str) -> UserId {
    participant(store, username, &format!("کاربر {username}")).await
}

/// An org unit with names made from its code.
pub async fn unit(
    store: &Store,
    code: &str,
    kind: OrgUnitKind,
    parent: Option<OrgUnitId>,
) -> OrgUnitId {
    store
        .create_org_unit(
            &NewOrgUnit {
                parent_id: parent,
                kind,
                code: code.into(),
                name_fa: format!("واحد {code}"),
                name_en: format!("Unit {code}"),
                province_code: None,
            },
            None,
        )
        .await
        .unwrap()
        .id
}

/// A stage of `kind` from day `first` to day `last` of Farvardin 1403.
pub fn stage(kind: StageKind, first: u32, last: u32) -> ValidStage {
    let day = |day| JalaliDate {
        year: 1403,
        month: 1,
        day,
    };
    ValidStage {
        kind,
        title: String::new(),
        start: day(first),
        end: day(last),
    }
}

/// A draft call «فراخوان» for everyone, with two axes («محور یک», «محور دو») and `stages`.
pub async fn call(store: &Store, stages: Vec<ValidStage>) -> Call {
    store
        .create_call(
            &ValidCall {
                title: "فراخوان".into(),
                description: String::new(),
                audience: Audience::Both,
                axes: vec![
                    ("محور یک".into(), String::new()),
                    ("محور دو".into(), String::new()),
                ],
                stages,
            },
            None,
            None,
        )
        .await
        .unwrap()
}

/// An idea's text on `axis`: `title`, and the same problem and solution every time.
pub fn text(axis: AxisId, title: &str) -> IdeaText {
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

/// Submits `text` to `call_id` on the web, by `author` (or nobody).
pub async fn submit(
    store: &Store,
    call_id: CallId,
    author: Option<UserId>,
    text: &IdeaText,
) -> Idea {
    store
        .submit_idea(&NewIdea {
            call_id,
            author_id: author,
            channel: Channel::Web,
            text,
            idempotency_key: None,
        })
        .await
        .unwrap()
        .0
}
