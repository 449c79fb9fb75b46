//! The message decoder: arbitrary bytes, cut into arbitrary chunks, into a
//! server and a client engine. Never panic; the same bytes give the same
//! messages however they are chunked; an error leaves a close frame owed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp::{Client, Connection, Event, Server, Side};

/// Feed `wire` in chunks of `chunk` bytes through a buffer of `cap`; returns
/// the data bytes seen and whether the connection failed.
fn run<S: Side>(wire: &[u8], chunk: usize, cap: usize) -> (Vec<u8>, bool) {
    let mut conn = Connection::<S, 4096, 65536>::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut seen = Vec::new();
    let mut pos = 0;
    loop {
        let n = chunk.min(cap - buf.len()).min(wire.len() - pos);
        buf.extend_from_slice(&wire[pos..pos + n]);
        pos += n;
        let mut at = 0;
        loop {
            if conn.close_received() {
                return (seen, false);
            }
            match conn.read(&mut buf[at..]) {
                Ok(r) => {
                    at += r.consumed;
                    match r.event {
                        None => break,
                        Some(Event::Data { payload, fin, .. }) => {
                            seen.extend_from_slice(payload);
                            if fin {
                                seen.push(0xFF);
                            }
                        }
                        Some(Event::Ping(p)) | Some(Event::Pong(p)) => assert!(p.len() <= 125),
                        Some(Event::Close(_)) => {}
                    }
                }
                Err(_) => {
                    assert!(conn.owed_close().is_some());
                    return (seen, true);
                }
            }
        }
        buf.drain(..at);
        if n == 0 {
            return (seen, false);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&knob, wire)) = data.split_first() else { return };
    let chunk = usize::from(knob % 64) + 1;
    check::<Server>(wire, chunk, knob);
    check::<Client>(wire, chunk, knob);
});

fn check<S: Side>(wire: &[u8], chunk: usize, knob: u8) {
    let whole = run::<S>(wire, wire.len().max(1), wire.len().max(200));
    let cut = run::<S>(wire, chunk, 139 + usize::from(knob >> 6));
    // Failing is decided by the bytes alone; data seen before failing may
    // differ only in how far it got.
    assert_eq!(whole.1, cut.1);
    if !whole.1 {
        assert_eq!(whole.0, cut.0);
    }
}
