//! Comparing two versions of an idea: what a finalist revised after orientation, or an author
//! changed after the secretariat asked. Whoever may see the idea may compare its versions.

use crate::AppState;
use crate::access::VisibleIdea;
use crate::http::error::{AppError, AppResult};
use crate::http::view::{Ctx, html};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use hamafza_core::call::Call;
use hamafza_core::diff::{self, Change, Piece};
use hamafza_core::idea::{Idea, IdeaVersion};
use hamafza_core::ids::AxisId;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/ideas/{id}/compare", get(compare))
}

/// One field of the idea, compared.
struct FieldDiff {
    label: &'static str,
    pieces: Vec<Piece>,
    changed: bool,
}

#[derive(Template)]
#[template(path = "ideas/compare.html")]
struct ComparePage<'a> {
    ctx: &'a Ctx,
    idea: Idea,
    versions: Vec<IdeaVersion>,
    from: IdeaVersion,
    to: IdeaVersion,
    fields: Vec<FieldDiff>,
}

impl ComparePage<'_> {
    fn added(&self, p: &Piece) -> bool {
        p.change == Change::Added
    }

    fn removed(&self, p: &Piece) -> bool {
        p.change == Change::Removed
    }

    fn any_change(&self) -> bool {
        self.fields.iter().any(|f| f.changed)
    }
}

#[derive(Deserialize)]
struct CompareQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A version number from the query in any digit script; `None` when absent or not a number.
/// A version number as typed (any digits); versions start at 1, so nothing else is one.
fn version_no(s: Option<&str>) -> Option<i64> {
    s.and_then(|s| hamafza_persian::digits::to_latin(s.trim()).parse().ok())
        .filter(|n| *n >= 1)
}

fn axis_title(call: &Call, id: AxisId) -> String {
    call.axes
        .iter()
        .find(|a| a.id == id)
        .map_or_else(|| "—".into(), |a| a.title.clone())
}

async fn compare(
    seen: VisibleIdea,
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CompareQuery>,
) -> AppResult<Response> {
    let (idea, call, _) = seen.into_parts();
    let versions = state.store.idea_versions(idea.id).await?;
    // By default: the latest version against the one before it.
    let to_no = version_no(q.to.as_deref()).unwrap_or(idea.version);
    let from_no = version_no(q.from.as_deref()).unwrap_or(to_no - 1);
    let find = |n: i64| versions.iter().find(|v| v.version == n).cloned();
    let (Some(from), Some(to)) = (find(from_no), find(to_no)) else {
        return Err(AppError::NotFound);
    };
    let field = |label: &'static str, old: &str, new: &str| {
        let pieces = diff::words(old, new);
        FieldDiff {
            label,
            changed: diff::changed(&pieces),
            pieces,
        }
    };
    let fields = vec![
        field("idea.title", &from.title, &to.title),
        field(
            "idea.axis",
            &axis_title(&call, from.axis_id),
            &axis_title(&call, to.axis_id),
        ),
        field("idea.problem", &from.problem, &to.problem),
        field("idea.solution", &from.solution, &to.solution),
        field("idea.benefits", &from.benefits, &to.benefits),
        field("idea.resources", &from.resources, &to.resources),
    ];
    html(ComparePage {
        ctx: &ctx,
        idea,
        versions,
        from,
        to,
        fields,
    })
}
