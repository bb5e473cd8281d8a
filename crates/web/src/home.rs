//! The public home page: what Hamafza is for, the organization in numbers, and the Jam'ino rounds
//! so far, from the source articles.

use crate::AppState;
use crate::http::error::AppResult;
use crate::http::view::{Ctx, html};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use hamafza_core::OrgUnitKind;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: Ctx,
    provinces: i64,
    deputies: i64,
    branches: i64,
    today: String,
    /// Published calls, with the stage open today if any.
    open_calls: Vec<hamafza_store::calls::CallSummary>,
}

impl HomePage {
    fn stage(&self, k: &hamafza_core::call::StageKind) -> &'static str {
        self.ctx.t(&format!("stage.{}", k.as_str()))
    }
}

async fn home(
    _: crate::access::Public,
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<Response> {
    let counts = state.store.org_unit_counts().await?;
    let count = |k: OrgUnitKind| {
        counts
            .iter()
            .find(|(kind, _)| *kind == k)
            .map_or(0, |(_, n)| *n)
    };
    let today = hamafza_persian::jalali::today_tehran();
    let today = if ctx.is_fa() {
        hamafza_persian::jalali::format_long(today)
    } else {
        hamafza_persian::jalali::format_long_latin(today)
    };
    let open_calls = state.store.open_calls(hamafza_store::now()).await?;
    html(HomePage {
        open_calls,
        provinces: count(OrgUnitKind::Province),
        deputies: count(OrgUnitKind::Deputy),
        branches: count(OrgUnitKind::Branch),
        today,
        ctx,
    })
}
