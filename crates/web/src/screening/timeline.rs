//! The lines a decision, a merge or a tag change adds to an idea's timeline, and which of them
//! its author sees.

use crate::http::view::Ctx;
use crate::screening::inbox::stage_name;
use hamafza_core::audit::Action;
use hamafza_core::call::Call;
use hamafza_core::ids::AxisId;

/// The timeline text of a screening entry (stage moves, tags, axis, merges); `None` for others.
pub(crate) fn event(ctx: &Ctx, call: &Call, e: &hamafza_core::audit::AuditEntry) -> Option<String> {
    let data: serde_json::Value = serde_json::from_str(&e.data).ok()?;
    let text = |k: &str| {
        data.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let axis = |k: &str| {
        let id = data.get(k).and_then(|v| v.as_i64()).map(AxisId::new);
        call.axes
            .iter()
            .find(|a| Some(a.id) == id)
            .map_or("—".to_string(), |a| a.title.clone())
    };
    let list = |k: &str| {
        data.get(k)
            .and_then(|v| v.as_array())
            .map(|a| {
                // Tags are typed by the secretariat: each is isolated from the next.
                ctx.lang
                    .list(&a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>())
            })
            .unwrap_or_default()
    };
    Some(match e.kind()? {
        Action::IdeaTransition => {
            let to = text("to");
            let status = ctx.t(&format!("idea.status.{to}"));
            match (
                data.get("stage_from").and_then(|v| v.as_i64()),
                data.get("stage_to").and_then(|v| v.as_i64()),
            ) {
                (Some(a), Some(b)) if a != b => ctx.tf(
                    "screening.event.moved",
                    &[("status", status), ("stage", &stage_name(ctx, call, b))],
                ),
                _ => ctx.tf("idea.event.idea_transition", &[("status", status)]),
            }
        }
        Action::IdeaReclassify => ctx.tf(
            "screening.event.reclassify",
            &[("from", &axis("from_axis")), ("to", &axis("to_axis"))],
        ),
        Action::IdeaTag => ctx.tf(
            "screening.event.tag",
            &[("added", &list("added")), ("removed", &list("removed"))],
        ),
        // The other idea by title where the page found it (`other_title`), else by id.
        Action::IdeaMerge | Action::IdeaAbsorb => {
            let (key, id) = if e.kind() == Some(Action::IdeaMerge) {
                ("screening.event.merge", text("into"))
            } else {
                ("screening.event.absorb", text("from"))
            };
            let title = text("other_title");
            ctx.tf(
                key,
                &[("title", if title.is_empty() { &id } else { &title })],
            )
        }
        _ => return None,
    })
}

/// Tags are the secretariat's own labels; the author's timeline leaves them out.
pub(crate) fn author_sees(e: &hamafza_core::audit::AuditEntry) -> bool {
    e.kind() != Some(Action::IdeaTag)
}
