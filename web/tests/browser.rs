//! The dashboard's decoding and state logic, run in headless Chromium by
//! `wasm-bindgen-test` (scripts/test.sh sets the runner):
//!
//!     CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!     CHROMEDRIVER=/usr/bin/chromedriver cargo test -p wisp-web --target wasm32-unknown-unknown
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use wisp_console::tap::{Direction, RECORD_MAX, Record};
use wisp_web::model::markup::{line_html, visible};
use wisp_web::model::{Console, Line, LineKind, Wire};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn console_classifies_and_counts_in_the_browser() {
    let mut c = Console::default();
    for (i, text) in ["#7 a", "#8 b", "> paused", "! dropped 3 lines (#9..#11): slow", "#12 c"].iter().enumerate() {
        c.push(Line::parse(text.to_string(), 0.0));
        assert_eq!(c.len(), i + 1);
    }
    assert_eq!(c.line(2).unwrap().kind, LineKind::Reply);
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
    let f = w.push_record(&out[..n], 0.0).unwrap();
    assert!(f.is_control() && !f.sent && f.session == 2);
    assert_eq!(f.close, Some((1000, "normal closure", "bye".to_string())));
    assert_eq!(f.time, 5.0);
}

#[wasm_bindgen_test]
fn device_text_parsed_by_the_browser_is_text_and_colour_only() {
    // What the page puts in a row, parsed by the browser's own HTML parser:
    // only `span` and `mark` elements, whose text is the line's visible text.
    let doc = web_sys::window().unwrap().document().unwrap();
    let div = doc.create_element("div").unwrap();
    for text in [
        "#1 <script>alert(1)</script><img src=x onerror=alert(2)>",
        "#2 \u{1b}[31m\"quoted\" & 'single'\u{1b}[0m </span></div><b>bold?</b>",
        "#3 \u{1b}[38;5;208;1m<style>*{display:none}</style>\u{1b}]0;title\u{7}\u{202e}abc",
    ] {
        let mut html = String::new();
        line_html(text, &[(3, 2, true)], &mut html);
        div.set_inner_html(&html);
        let tags = div.query_selector_all("*").unwrap();
        for k in 0..tags.length() {
            let tag = tags.item(k).unwrap().node_name();
            assert!(tag == "SPAN" || tag == "MARK", "{tag} from {text:?}");
        }
        let mut shown = String::new();
        visible(text, &mut shown);
        assert_eq!(div.text_content().unwrap(), shown);
    }
}
