//! The firmware running in headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use wisp_web_twin::twin::{Incoming, Twin};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_firmware_runs_in_the_browser() {
    let mut t = Twin::new(3);
    let mut texts = Vec::new();
    for step in 1..=100u64 {
        let (console, _) = t.poll(step * 10_000);
        texts.extend(console.into_iter().filter_map(|m| if let Incoming::Text(s) = m { Some(s) } else { None }));
    }
    assert!(texts.iter().any(|l| l.starts_with("#0 Wisp device")), "{texts:?}");
    t.command("pause");
    let mut replies = Vec::new();
    for step in 101..=110u64 {
        let (console, _) = t.poll(step * 10_000);
        replies.extend(console.into_iter().filter_map(|m| if let Incoming::Text(s) = m { Some(s) } else { None }));
    }
    assert!(replies.contains(&"> paused".to_string()), "{replies:?}");
}
