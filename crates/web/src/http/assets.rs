//! Static files embedded in the binary: our stylesheet and scripts, and the vendored front-end
//! packages (Vazirmatn, htmx, Swagger UI) that `assets/fetch.sh` copies from npm. Running the
//! binary needs neither node nor npm.

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $ty:literal, $path:literal) => {
        Asset {
            name: $name,
            content_type: $ty,
            body: include_bytes!($path),
        }
    };
}

const ASSETS: &[Asset] = &[
    asset!("app.css", "text/css; charset=utf-8", "../../assets/app.css"),
    asset!(
        "app.js",
        "text/javascript; charset=utf-8",
        "../../assets/app.js"
    ),
    asset!(
        "intake.js",
        "text/javascript; charset=utf-8",
        "../../assets/intake.js"
    ),
    asset!(
        "swagger-init.js",
        "text/javascript; charset=utf-8",
        "../../assets/swagger-init.js"
    ),
    asset!("favicon.svg", "image/svg+xml", "../../assets/favicon.svg"),
    asset!(
        "vazirmatn.woff2",
        "font/woff2",
        "../../assets/vendor/vazirmatn.woff2"
    ),
    asset!(
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        "../../assets/vendor/htmx.min.js"
    ),
    asset!(
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        "../../assets/vendor/swagger-ui-bundle.js"
    ),
    asset!(
        "swagger-ui.css",
        "text/css; charset=utf-8",
        "../../assets/vendor/swagger-ui.css"
    ),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{name}", get(serve))
}

async fn serve(_: crate::access::Public, Path(name): Path<String>) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.name == name) else {
        return crate::AppError::NotFound.into_response();
    };
    let mut r = (StatusCode::OK, a.body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(a.content_type),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    r
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    /// The vendored files are exactly what `assets/fetch.sh` recorded from npm.
    #[test]
    fn vendored_assets_match_the_lock() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        let lock = std::fs::read_to_string(format!("{root}/assets/VENDOR.lock")).unwrap();
        let mut checked = 0;
        for line in lock
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let mut parts = line.split_whitespace();
            let (path, sum) = (parts.next().unwrap(), parts.next().unwrap());
            let bytes = std::fs::read(format!("{root}/{path}")).unwrap();
            let got: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                got, sum,
                "{path} differs from assets/VENDOR.lock; run assets/fetch.sh"
            );
            checked += 1;
        }
        assert!(checked >= 5);
    }
}
