//! HTTP for Hamafza: server-rendered Persian-first pages (askama), the JSON API under `/api/v1`
//! with its OpenAPI document, sign-in (passwords, sessions, one-time codes by SMS, API tokens),
//! CSRF, throttling and embedded static assets.
//!
//! A request reads top-down: route → handler → rule in `hamafza_core` → one `Store` call →
//! template. Handlers return `AppError` for anything that is not the happy path; one place turns
//! it into a Persian (or English) error page or an RFC 9457 problem document.

pub mod access;
mod accounts;
mod admin;
pub mod api;
pub mod auth;
mod calls;
mod home;
pub mod http;
pub mod i18n;
mod ideas;
mod intake;
pub mod juries;
mod notifications;
pub mod notify;
mod orientation;
mod results;
mod screening;
pub mod sms;
#[cfg(feature = "testing")]
pub mod testing;

pub use http::error::AppError;

/// The parsers of untrusted files, for the fuzz targets in `fuzz/` and benchmarks.
pub mod parsers {
    pub use crate::intake::attachments::sniff;
    pub use crate::intake::import::{LIMITS, Limits, read_table, read_table_within};
}

use axum::Router;
use hamafza_store::Store;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Web settings, part of the binary's configuration (`hamafza.toml`, `HAMAFZA_*`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// Mark cookies `Secure`: turn on whenever the site is served over HTTPS.
    pub secure_cookies: bool,
    /// How long a sign-in lasts, in hours.
    pub session_hours: i64,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy such as nginx).
    pub behind_proxy: bool,
    pub sms: sms::SmsConfig,
    /// The largest attachment accepted, in megabytes.
    pub max_upload_mb: usize,
    pub smtp: notify::SmtpConfig,
    pub notify: notify::NotifyConfig,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_hours: 72,
            behind_proxy: false,
            sms: sms::SmsConfig::default(),
            max_upload_mb: 10,
            smtp: notify::SmtpConfig::default(),
            notify: notify::NotifyConfig::default(),
        }
    }
}

/// What every handler can reach. Cheap to clone; nothing in it must be shared between app nodes
/// except through the store.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub sms: sms::SmsSender,
    /// Email for notifications (only the background worker sends).
    pub mailer: notify::Mailer,
    /// Key for CSRF tokens and one-time-code hashes; the same on every node (kept in the store).
    pub secret: Arc<[u8]>,
}

impl AppState {
    /// Builds the state, reading (or creating, on first start) the instance secret.
    pub async fn new(store: Store, config: WebConfig) -> anyhow::Result<AppState> {
        let secret = auth::instance_secret(&store).await?;
        let sms = sms::SmsSender::from_config(&config.sms)?;
        config.notify.check()?;
        let mailer = notify::Mailer::from_config(&config.smtp)?;
        Ok(AppState {
            store,
            config: Arc::new(config),
            sms,
            mailer,
            secret: secret.into(),
        })
    }
}

/// The whole application: pages, API, assets, health checks, with logging and request IDs.
pub fn router(state: AppState) -> Router {
    // Routes that take attachments raise axum's per-route limit; this one only stops abuse.
    let body_cap =
        (32 * 1024 * 1024).max(intake::attachments::body_limit(state.config.max_upload_mb));
    Router::new()
        .merge(pages(state.clone()))
        .nest(
            "/api/v1",
            api::router(state.config.max_upload_mb).layer(access::Via::Bearer.layer()),
        )
        .merge(api::docs_router())
        .merge(http::assets::router())
        .merge(http::health_router())
        .fallback(http::not_found)
        .layer(axum::middleware::from_fn(http::extract::refuse_nul))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::error::render_errors,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(body_cap))
        .layer(axum::middleware::from_fn_with_state(
            state.config.clone(),
            http::view::security_headers,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO))
                .make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Every page, feature by feature; each visitor gets a CSRF cookie so the forms on a page can
/// carry a token.
fn pages(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(accounts::pages::router())
        .merge(accounts::settings::router())
        .merge(admin::pages::router())
        .merge(admin::audit::router())
        .merge(calls::pages::router())
        .merge(ideas::pages::router())
        .merge(ideas::show::router())
        .merge(ideas::versions::router())
        .merge(ideas::track::router())
        .merge(intake::pages::router())
        .merge(intake::import_page::router())
        .merge(screening::pages::router())
        .merge(screening::inbox::router())
        .merge(screening::templates::router())
        .merge(orientation::pages::router())
        .merge(juries::pages::router())
        .merge(results::pages::router())
        .merge(notifications::pages::router())
        .layer(access::Via::Session.layer())
        .layer(axum::middleware::from_fn_with_state(
            state,
            auth::csrf::ensure_cookie,
        ))
}

/// Serves `router` on `listener` until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
