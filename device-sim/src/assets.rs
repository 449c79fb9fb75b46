//! The files the twin serves: the dashboard from `wisp-console` (its
//! release build, gzip-compressed, as a board stores it in flash), and the
//! in-browser twin's module beside it, which the page fetches only with
//! `?twin`.
//!
//! Both builds are committed (`console/dashboard/`, `web-twin/dist/`, made
//! by `scripts/build-web.sh`); the test command rebuilds them and fails if
//! the committed files differ from the sources, so they cannot go stale.

use wisp_console::Asset;

/// The dashboard and the twin module.
pub fn dashboard() -> &'static [Asset] {
    static FILES: [Asset; 5] = {
        let d = &wisp_console::dashboard::FILES;
        [
            d[0],
            d[1],
            d[2],
            Asset::new(
                "/wisp_web_twin.js",
                "text/javascript; charset=utf-8",
                include_bytes!("../../web-twin/dist/wisp_web_twin.js"),
            ),
            Asset::new(
                "/wisp_web_twin_bg.wasm",
                "application/wasm",
                include_bytes!("../../web-twin/dist/wisp_web_twin_bg.wasm"),
            ),
        ]
    };
    &FILES
}
