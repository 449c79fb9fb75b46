//! The HTTP upgrade parsers on arbitrary bytes: never panic, and a request
//! that parses always gets a well-formed 101.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp::Status;
use wisp::handshake::{ClientHandshake, UpgradeRequest, write_accept, write_refusal};

fuzz_target!(|data: &[u8]| {
    let mut out = [0u8; 512];
    match UpgradeRequest::parse(data) {
        Ok(Status::Complete(req)) => {
            assert!(req.head_len <= data.len());
            let _ = req.protocols().count();
            let n = write_accept(&req, req.protocols().next(), &mut out).unwrap_or(0);
            assert!(n == 0 || out[..n].starts_with(b"HTTP/1.1 101 "));
        }
        Ok(Status::Partial) => {}
        Err(e) => {
            let n = write_refusal(e, &mut out).unwrap();
            assert!(out[..n].starts_with(b"HTTP/1.1 4"));
        }
    }
    let hs = ClientHandshake::new([7; 16]);
    let _ = hs.parse_response(data, Some("chat, debug"));
});
