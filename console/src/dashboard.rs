//! The dashboard's release build, stored gzip-compressed and served from
//! flash (feature `dashboard`).
//!
//! ```
//! # use wisp_console::{Config, Site};
//! let cfg = Config { site: Site { files: &wisp_console::dashboard::FILES, ..Site::default() }, ..Config::default() };
//! # let _ = cfg;
//! ```
//!
//! Without the feature a device serves no page; open a dashboard served
//! elsewhere (the host twin's, say) with `?device=ws://<device>/printf`,
//! and allow its origin in [`Access::origins`](crate::Access::origins).

use crate::http::Asset;

/// The dashboard: its page, script and WebAssembly, each stored
/// gzip-compressed (`dashboard/*.gz`, made by `scripts/build-web.sh`: 40 %
/// of their size) and sent as it is stored, with `ETag`s computed at
/// compile time.
pub static FILES: [Asset; 3] = [
    Asset::gzip("/", "text/html; charset=utf-8", include_bytes!("../dashboard/index.html.gz")),
    Asset::gzip("/wisp_web.js", "text/javascript; charset=utf-8", include_bytes!("../dashboard/wisp_web.js.gz")),
    Asset::gzip("/wisp_web_bg.wasm", "application/wasm", include_bytes!("../dashboard/wisp_web_bg.wasm.gz")),
];

/// Bytes the dashboard takes in flash.
pub fn flash_bytes() -> usize {
    FILES.iter().map(|f| f.body.len()).sum()
}
