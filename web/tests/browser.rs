//! The dashboard's decoding and state logic, run in headless Chromium by
//! `wasm-bindgen-test` (scripts/test.sh sets the runner):
//!
//!     CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!     CHROMEDRIVER=/usr/bin/chromedriver cargo test -p wisp-web --target wasm32-unknown-unknown
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use wisp_console::tap::{Direction, RECORD_MAX, Record};
use wisp_web::model::{Console, Line, LineKind, Wire};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn console_classifies_and_counts_in_the_browser() {
    let mut c = Console::default();
    for (i, text) in ["#7 a", "#8 b", "> paused", "! dropped 3 lines (#9..#11): slow", "#12 c"].iter().enumerate() {
        c.push(Line::parse(text));
        assert_eq!(c.len(), i + 1);
    }
    assert_eq!(c.get(2).unwrap().kind, LineKind::Reply);
    assert_eq!((c.gaps, c.dropped, c.last_seq), (0, 3, Some(12)));
}

#[wasm_bindgen_test]
fn tap_records_decode_with_the_core_in_the_browser() {
    // A masked close 1000 "bye" from a client, as the tap records it.
    let key = [9, 8, 7, 6];
    let payload = [0x03, 0xE8, b'b', b'y', b'e'];
    let mut wire = vec![0x88, 0x80 | 5];
    wire.extend_from_slice(&key);
    wire.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    let mut out = [0u8; RECORD_MAX];
    let n = Record::capture(Direction::Received, 2, 5_000_000, &wire).unwrap().encode(&mut out);
    let mut w = Wire::default();
    let f = w.push_record(&out[..n]).unwrap();
    assert!(f.is_control() && !f.sent && f.session == 2);
    assert_eq!(f.close, Some((1000, "normal closure", "bye".to_string())));
    assert_eq!(f.time, 5.0);
}
