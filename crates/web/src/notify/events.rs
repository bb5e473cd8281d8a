//! From one audit entry to the notifications and deliveries it causes. Unknown actions cause
//! nothing; an entry about something since deleted causes nothing either.

use super::{Kind, NotifyConfig, channels, text};
use crate::i18n::Lang;
use hamafza_core::audit::Action;
use hamafza_core::audit::AuditEntry;
use hamafza_core::ids::UserId;
use hamafza_store::jobs::NewJob;
use hamafza_store::notifications::{IdeaNotice, NewNotification};
use hamafza_store::{Store, StoreResult};
use serde_json::{Value, json};

/// What one or more audit entries produce, written together with the cursor's move.
#[derive(Debug, Default)]
pub struct Fanout {
    pub notifications: Vec<NewNotification>,
    pub jobs: Vec<NewJob>,
}

/// Who hears about an idea: its team, the lead (author) first.
pub async fn recipients_of_idea(store: &Store, idea: &IdeaNotice) -> StoreResult<Vec<UserId>> {
    match store.idea_by_public_id(&idea.public_id).await? {
        Some(i) => store.member_ids(i.id).await,
        None => Ok(idea.author_id.into_iter().collect()),
    }
}

fn str_of<'a>(d: &'a Value, name: &str) -> Option<&'a str> {
    d.get(name).and_then(Value::as_str)
}

fn user_of(d: &Value) -> Option<UserId> {
    d.get("user_id").and_then(Value::as_i64).map(UserId::new)
}

async fn display_name(store: &Store, user_id: Option<UserId>) -> StoreResult<String> {
    Ok(match user_id {
        Some(id) => store
            .recipient(id)
            .await?
            .map(|r| r.display_name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// Adds to `out` what `entry` causes.
pub async fn plan(
    store: &Store,
    config: &NotifyConfig,
    entry: &AuditEntry,
    out: &mut Fanout,
) -> StoreResult<()> {
    let d: Value = serde_json::from_str(&entry.data).unwrap_or(Value::Null);
    let idea = if entry.entity_type == "idea" {
        store.idea_notice(&entry.entity_id).await?
    } else {
        None
    };
    let idea_link = |i: &IdeaNotice| format!("/ideas/{}", i.public_id);
    let (kind, recipients, data, link) = match (entry.kind(), &idea) {
        (Some(Action::IdeaSubmit), Some(i)) => (
            Kind::Receipt,
            recipients_of_idea(store, i).await?,
            json!({ "title": i.title, "code": i.tracking_code }),
            idea_link(i),
        ),
        (Some(Action::IdeaImport), Some(i)) => {
            // Whoever gave an idea on paper or at a booth may have no account: an SMS is all.
            if let Some(mobile) = i.submitter_mobile.as_deref().filter(|m| !m.is_empty()) {
                let data = json!({ "title": i.title, "code": i.tracking_code });
                out.jobs.push(sms_job(
                    entry.seq,
                    config,
                    mobile,
                    // No account to sign in to: the status page by code and mobile is theirs.
                    &text::sms(
                        Lang::Fa,
                        Kind::ImportReceipt,
                        &data,
                        Some(&format!(
                            "{}/track",
                            config.public_url.trim_end_matches('/')
                        )),
                    ),
                ));
            }
            return Ok(());
        }
        (Some(Action::IdeaTransition), Some(i)) => (
            Kind::Status,
            recipients_of_idea(store, i).await?,
            json!({ "title": i.title, "to": str_of(&d, "to"), "message": str_of(&d, "message") }),
            idea_link(i),
        ),
        (Some(Action::IdeaMerge), Some(i)) => {
            let into = match str_of(&d, "into") {
                Some(p) => store.idea_notice(p).await?.map(|x| x.title),
                None => None,
            };
            (
                Kind::Merged,
                recipients_of_idea(store, i).await?,
                json!({ "title": i.title, "into": into.unwrap_or_default() }),
                idea_link(i),
            )
        }
        // A repeat of an invitation sent today is recorded but not sent again.
        (Some(Action::TeamInvite), _) if d.get("quiet").and_then(|q| q.as_bool()) == Some(true) => {
            return Ok(());
        }
        (Some(Action::TeamInvite), Some(i)) => (
            Kind::TeamInvite,
            user_of(&d).into_iter().collect(),
            json!({ "title": i.title, "by": display_name(store, entry.actor_id).await? }),
            // The invitee may not see the idea until they accept: the invitation page they may.
            format!("/ideas/{}/invitation", i.public_id),
        ),
        // To the lead, who is the idea's author.
        (Some(Action::TeamAccept), Some(i)) => (
            Kind::TeamAccept,
            i.author_id.into_iter().collect(),
            json!({ "title": i.title, "by": display_name(store, user_of(&d).or(entry.actor_id)).await? }),
            idea_link(i),
        ),
        (Some(Action::OrientationInvite), Some(i)) => (
            Kind::Orientation,
            recipients_of_idea(store, i).await?,
            json!({ "title": i.title, "session": str_of(&d, "title"), "starts_at": d.get("starts_at") }),
            idea_link(i),
        ),
        (Some(Action::CallResultsPublished), _) if entry.entity_type == "call" => {
            let Some(call) = store.call_by_public_id(&entry.entity_id).await? else {
                return Ok(());
            };
            (
                Kind::Results,
                store.call_authors(call.id).await?,
                json!({ "call": call.title }),
                format!("/calls/{}/results", call.public_id),
            )
        }
        _ => return Ok(()),
    };
    let url = format!("{}{link}", config.public_url.trim_end_matches('/'));
    for user_id in recipients {
        let Some(who) = store.recipient(user_id).await? else {
            continue;
        };
        if who.disabled {
            continue;
        }
        out.notifications.push(NewNotification {
            user_id,
            audit_seq: entry.seq,
            kind: kind.as_str().into(),
            data: data.to_string(),
            link: link.clone(),
        });
        let want = channels(&store.notification_prefs(user_id).await?, kind.topic());
        let lang = Lang::parse(&who.locale).unwrap_or_default();
        if let (true, Some(to)) = (want.email, who.email.as_deref()) {
            let payload = json!({
                "to": to,
                "subject": text::subject(lang, kind, &data),
                "body": text::email_body(lang, kind, &data, &who.display_name, &url, entry.at),
            });
            out.jobs.push(NewJob {
                kind: "email".into(),
                payload: payload.to_string(),
                audit_seq: Some(entry.seq),
                max_attempts: config.max_attempts,
            });
        }
        if let (true, Some(to)) = (want.sms, who.mobile.as_deref()) {
            out.jobs.push(sms_job(
                entry.seq,
                config,
                to,
                &text::sms(lang, kind, &data, Some(&url)),
            ));
        }
    }
    Ok(())
}

fn sms_job(seq: i64, config: &NotifyConfig, to: &str, text: &str) -> NewJob {
    NewJob {
        kind: "sms".into(),
        payload: json!({ "to": to, "text": text }).to_string(),
        audit_seq: Some(seq),
        max_attempts: config.max_attempts,
    }
}
