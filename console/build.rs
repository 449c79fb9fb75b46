//! With feature `dashboard`: compress the dashboard's release build
//! (`dashboard/`, made by `scripts/build-web.sh`) with gzip, for
//! `src/dashboard.rs` to embed. Deterministic: no file name or time in the
//! gzip header, so the same sources give the same bytes and ETags.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "dashboard")]
    dashboard::compress();
}

#[cfg(feature = "dashboard")]
mod dashboard {
    use std::io::Write;
    use std::path::PathBuf;

    pub const FILES: [&str; 3] = ["index.html", "wisp_web.js", "wisp_web_bg.wasm"];

    pub fn compress() {
        let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("dashboard");
        let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
        for name in FILES {
            let src = dir.join(name);
            println!("cargo:rerun-if-changed={}", src.display());
            let bytes = std::fs::read(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
            let mut gz = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::best());
            gz.write_all(&bytes).unwrap_or_else(|e| panic!("gzip {name}: {e}"));
            let packed = gz.finish().unwrap_or_else(|e| panic!("gzip {name}: {e}"));
            std::fs::write(out.join(format!("{name}.gz")), packed).unwrap_or_else(|e| panic!("write {name}.gz: {e}"));
        }
    }
}
