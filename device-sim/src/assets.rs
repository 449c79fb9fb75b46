//! The dashboard's release build, embedded in the binary so the twin needs
//! nothing beside it (the way a board serves its pages from flash).
//!
//! The files are `web/dist/`, built by `scripts/build-web.sh`; the test
//! command rebuilds them and fails if the committed build differs from the
//! sources, so it cannot silently go stale.

use wisp_firmware::Asset;

/// The files the twin serves.
pub fn dashboard() -> Vec<Asset> {
    vec![
        Asset::new("/", "text/html; charset=utf-8", include_bytes!("../../web/dist/index.html")),
        Asset::new("/wisp_web.js", "text/javascript; charset=utf-8", include_bytes!("../../web/dist/wisp_web.js")),
        Asset::new("/wisp_web_bg.wasm", "application/wasm", include_bytes!("../../web/dist/wisp_web_bg.wasm")),
        // The in-browser twin, fetched by the page only with `?twin`.
        Asset::new(
            "/wisp_web_twin.js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../web/dist/wisp_web_twin.js"),
        ),
        Asset::new(
            "/wisp_web_twin_bg.wasm",
            "application/wasm",
            include_bytes!("../../web/dist/wisp_web_twin_bg.wasm"),
        ),
    ]
}
