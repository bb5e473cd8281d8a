//! Screening's rules shared by its pages and its API: the limits on messages and templates,
//! bulk actions, reclassifying, merging, tags as typed. Each rule lives here once.

use crate::AppState;
use crate::http::error::AppResult;
use crate::ideas::service as ideas;
use hamafza_core::account::{FieldError, FieldErrors};
use hamafza_core::call::Call;
use hamafza_core::idea::Idea;
use hamafza_core::idea::{Channel, IdeaStatus};
use hamafza_core::ids::{AxisId, TemplateId, UserId};
use hamafza_core::time::UnixSeconds;
use hamafza_store::screening::{BulkAction, InboxQuery, InboxSort};

/// The longest message the author reads (a decision's message, a rejection template's body), in
/// characters.
pub const MESSAGE_MAX: usize = 2000;
/// The longest rejection template title, in characters.
pub const TEMPLATE_TITLE_MAX: usize = 100;

/// A number typed in any digit script.
pub(crate) fn number<T: std::str::FromStr>(s: &str) -> Option<T> {
    hamafza_persian::digits::to_latin(s.trim()).parse().ok()
}

/// Tags to add, as typed: each must have letters and at most `TAG_MAX` characters. The page and
/// the API refuse the whole change with this error rather than drop a tag silently.
pub fn check_tags(add: &[String]) -> Result<(), FieldError> {
    if add
        .iter()
        .any(|t| hamafza_store::screening::tag_name(t).is_none())
    {
        Err(FieldError::TooLong(hamafza_store::screening::TAG_MAX))
    } else {
        Ok(())
    }
}

/// The message of a bulk action: what was typed, or else the chosen rejection template's body.
/// A template deleted meanwhile (or never there) is an error on `template`, not a 404 for the
/// whole request.
pub async fn bulk_message(
    state: &AppState,
    typed: &str,
    template: Option<TemplateId>,
) -> AppResult<Result<String, FieldErrors>> {
    let typed = hamafza_core::account::fix_letters_keep_lines(typed);
    match template {
        Some(t) if typed.is_empty() => match state.store.rejection_template(t).await {
            Ok(t) => Ok(Ok(t.body)),
            Err(hamafza_store::StoreError::NotFound) => {
                Ok(Err(vec![("template", FieldError::Unknown)]))
            }
            Err(e) => Err(e.into()),
        },
        _ => Ok(Ok(typed)),
    }
}

/// A rejection template's title and body (letters already fixed): both required, within
/// `TEMPLATE_TITLE_MAX` and `MESSAGE_MAX`. `Err` lists every field that fails.
pub fn check_template(title: &str, body: &str) -> Result<(), FieldErrors> {
    let mut e = Vec::new();
    if title.is_empty() {
        e.push(("title", FieldError::Required));
    } else if title.chars().count() > TEMPLATE_TITLE_MAX {
        e.push(("title", FieldError::TooLong(TEMPLATE_TITLE_MAX)));
    }
    if body.is_empty() {
        e.push(("body", FieldError::Required));
    } else if body.chars().count() > MESSAGE_MAX {
        e.push(("body", FieldError::TooLong(MESSAGE_MAX)));
    }
    if e.is_empty() { Ok(()) } else { Err(e) }
}

/// The bulk action a form or API request names, checked.
pub fn bulk_action(
    call: &Call,
    action: &str,
    message: String,
    tag: &str,
    axis: &str,
) -> Result<BulkAction, Vec<(&'static str, FieldError)>> {
    let stages = ideas::stage_kinds(call);
    match action.trim() {
        "accept" => Ok(BulkAction::Accept { stages }),
        "reject" if hamafza_core::account::is_blank(&message) => {
            Err(vec![("message", FieldError::Required)])
        }
        "reject" if message.chars().count() > MESSAGE_MAX => {
            Err(vec![("message", FieldError::TooLong(MESSAGE_MAX))])
        }
        "reject" => Ok(BulkAction::Reject { stages, message }),
        "tag" => match hamafza_store::screening::tag_name(tag) {
            Some((name, _)) => Ok(BulkAction::Tag(name)),
            None if hamafza_core::account::is_blank(tag) => {
                Err(vec![("tag", FieldError::Required)])
            }
            None => Err(vec![(
                "tag",
                FieldError::TooLong(hamafza_store::screening::TAG_MAX),
            )]),
        },
        "reclassify" => match number(axis).filter(|a| call.axes.iter().any(|x| x.id == *a)) {
            Some(a) => Ok(BulkAction::Reclassify(a)),
            None => Err(vec![("axis", FieldError::Unknown)]),
        },
        _ => Err(vec![("action", FieldError::Unknown)]),
    }
}

/// Tags typed as a list: commas (Latin or Persian) separate them.
pub(crate) fn split_tags(s: &str) -> Vec<String> {
    s.split([',', '،'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect()
}

/// Moves `idea` to the axis `axis` of its call (pages and API). `Err` is what is wrong with the
/// axis: not one of the call's, the idea is a duplicate (refused in the store's update, so a
/// merge landing meanwhile is caught too), or the idea's axis changed meanwhile.
pub(crate) async fn reclassify_idea(
    state: &AppState,
    call: &Call,
    idea: &Idea,
    axis: Option<AxisId>,
    actor: UserId,
) -> AppResult<Result<Idea, FieldError>> {
    let Some(axis) = axis.filter(|a| call.axes.iter().any(|x| x.id == *a)) else {
        return Ok(Err(FieldError::Unknown));
    };
    match state.store.reclassify_idea(idea, axis, Some(actor)).await {
        Ok(i) => Ok(Ok(i)),
        Err(hamafza_store::StoreError::Conflict(why))
            if why == hamafza_store::screening::DUPLICATE_CONFLICT =>
        {
            Ok(Err(FieldError::DuplicateKeepsAxis))
        }
        Err(hamafza_store::StoreError::Conflict(_)) => Ok(Err(FieldError::Changed)),
        Err(e) => Err(e.into()),
    }
}

/// Merges `duplicate` into the idea of the same call named by `into` (public id or tracking
/// code, any digits). `Err` says what is wrong with `into`.
pub(crate) async fn merge_ideas(
    state: &AppState,
    duplicate: &Idea,
    into: &str,
    actor: UserId,
) -> AppResult<Result<Idea, Vec<(&'static str, FieldError)>>> {
    let kept = match merge_target(state, duplicate, into).await? {
        Ok(k) => k,
        Err(e) => return Ok(Err(e)),
    };
    match state.store.merge_ideas(duplicate, &kept, Some(actor)).await {
        Ok(i) => Ok(Ok(i)),
        Err(hamafza_store::StoreError::Conflict(_)) => Ok(Err(vec![("into", FieldError::Changed)])),
        Err(e) => Err(e.into()),
    }
}

/// The idea `duplicate` would be merged into: the one of the same call named by `into` (public
/// id or tracking code, any digits), not itself and not a duplicate. `Err` says what is wrong
/// with `into`.
pub(crate) async fn merge_target(
    state: &AppState,
    duplicate: &Idea,
    into: &str,
) -> AppResult<Result<Idea, Vec<(&'static str, FieldError)>>> {
    let into = hamafza_persian::digits::to_latin(into.trim());
    if into.is_empty() {
        return Ok(Err(vec![("into", FieldError::Required)]));
    }
    let kept = match state.store.idea_by_public_id(&into).await? {
        Some(k) => Some(k),
        None => state.store.idea_by_tracking_code(&into).await?,
    };
    let Some(kept) = kept.filter(|k| {
        k.call_id == duplicate.call_id && k.id != duplicate.id && k.status != IdeaStatus::Duplicate
    }) else {
        return Ok(Err(vec![("into", FieldError::Unknown)]));
    };
    Ok(Ok(kept))
}

/// The inbox's filters that are written as words or dates, as a page's query string or an API
/// call gives them (empty: no filter).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct InboxWords<'a> {
    pub status: &'a str,
    pub channel: &'a str,
    pub sort: &'a str,
    /// Jalali dates in any digits: submitted on or after `from`, on or before `to`.
    pub from: &'a str,
    pub to: &'a str,
    pub province: &'a str,
    pub search: &'a str,
}

/// Reads the inbox filters, the one reader for the page and the API: every value that cannot be
/// read is left out of the query and named in the errors (`Unknown`, or `Date` for a date). The
/// page ignores all but the dates' errors (a stale link still shows the inbox); the API refuses
/// any with a 422. Ids, the stage, the cursor and the page size are the caller's to set.
pub(crate) fn read_inbox(w: InboxWords<'_>) -> (InboxQuery, Vec<(&'static str, FieldError)>) {
    use hamafza_persian::jalali;
    let mut errors = Vec::new();
    let mut word = |field: &'static str, s: &str, ok: bool| {
        if !s.trim().is_empty() && !ok {
            errors.push((field, FieldError::Unknown));
        }
    };
    let status = IdeaStatus::parse(w.status);
    word("status", w.status, status.is_some());
    let channel = Channel::parse(w.channel);
    word("channel", w.channel, channel.is_some());
    let sort = InboxSort::parse(w.sort);
    word("sort", w.sort, sort.is_some());
    let mut date = |field: &'static str, s: &str, end: bool| match s.trim() {
        "" => None,
        s => match jalali::parse(s) {
            Ok(d) if end => Some(UnixSeconds::from_timestamp(jalali::end_of_day_tehran(d))),
            Ok(d) => Some(UnixSeconds::from_timestamp(jalali::start_of_day_tehran(d))),
            Err(e) => {
                errors.push((field, e.into()));
                None
            }
        },
    };
    let from = date("from", w.from, false);
    let to = date("to", w.to, true);
    let q = InboxQuery {
        status,
        channel,
        sort: sort.unwrap_or_default(),
        from,
        to,
        province: typed(w.province),
        search: typed(w.search),
        ..InboxQuery::default()
    };
    (q, errors)
}

/// A text field as typed, trimmed; `None` when nothing was typed.
pub fn typed(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reader_names_what_it_cannot_read_and_reads_the_rest() {
        let (q, errors) = read_inbox(InboxWords {
            status: "accepted",
            channel: "fax",
            sort: "",
            from: "۱۴۰۳/۰۱/۱۵",
            to: "1403/13/40",
            province: " tehran ",
            search: "  ",
        });
        assert_eq!(q.status, Some(IdeaStatus::Accepted));
        assert_eq!(q.channel, None);
        assert_eq!(q.sort, InboxSort::default());
        assert!(q.from.is_some(), "a date in Persian digits is read");
        assert_eq!(q.to, None);
        assert_eq!(q.province.as_deref(), Some("tehran"));
        assert_eq!(q.search, None);
        assert_eq!(
            errors,
            vec![
                ("channel", FieldError::Unknown),
                ("to", FieldError::NoSuchDay)
            ]
        );
    }
}
