//! Frame headers: parse arbitrary bytes; whatever parses re-encodes to a
//! header that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp::{Header, Status};

fuzz_target!(|data: &[u8]| {
    if let Ok(Status::Complete((h, len))) = Header::parse(data) {
        assert!((2..=14).contains(&len));
        let mut out = [0u8; 14];
        let n = h.encode(&mut out).unwrap();
        assert_eq!(Header::parse(&out[..n]), Ok(Status::Complete((h, n))));
    }
});
