//! The baseline for the HTTP benchmark: a bare axum route answering `{"status":"ok"}`, with no
//! middleware and no database. `bench/http.sh` measures it in the same run as Hamafza, so the
//! numbers can be read as ratios on whatever machine runs them.

use axum::{Json, Router, routing::get};

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8099".into());
    let app = Router::new().route(
        "/",
        get(|| async { Json(serde_json::json!({ "status": "ok" })) }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
