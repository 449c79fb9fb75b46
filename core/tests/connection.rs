//! The connection state machine against RFC 6455's own examples and every
//! rule that fails a connection, each with its close code.

mod common;

use common::{Receiver, Seen, Sender, masked};
use wisp::{Client, CloseCode, CloseFrame, Connection, DataKind, Error, Event, Outgoing, Role, Server};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

fn server_reads(wire: &[u8]) -> Result<Vec<Seen>, Error> {
    // Every chunking from 1 byte up gives the same answer.
    let mut answer = None;
    for chunk in [1, 2, 3, 5, 7, 64, 4096] {
        let mut rx = Receiver::new(Role::Server, 256);
        let got = rx.feed(wire, chunk).map(|_| rx.seen);
        if let Some(prev) = &answer {
            assert_eq!(prev, &got, "chunk {chunk}");
        }
        answer = Some(got);
    }
    answer.unwrap()
}

fn client_reads(wire: &[u8]) -> Result<Vec<Seen>, Error> {
    let mut rx = Receiver::new(Role::Client, 256);
    rx.feed(wire, 1).map(|_| rx.seen)
}

// ---------------- RFC 6455 §5.7 ----------------

#[test]
fn rfc_single_frame_unmasked_text_to_client() {
    let seen = client_reads(&[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]).unwrap();
    assert_eq!(seen, [Seen::Message(DataKind::Text, b"Hello".to_vec())]);
}

#[test]
fn rfc_single_frame_masked_text_to_server() {
    let seen = server_reads(&[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]).unwrap();
    assert_eq!(seen, [Seen::Message(DataKind::Text, b"Hello".to_vec())]);
}

#[test]
fn rfc_fragmented_unmasked_text() {
    let seen = client_reads(&[0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]).unwrap();
    assert_eq!(seen, [Seen::Message(DataKind::Text, b"Hello".to_vec())]);
}

#[test]
fn rfc_ping_and_masked_pong() {
    let seen = client_reads(&[0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]).unwrap();
    assert_eq!(seen, [Seen::Ping(b"Hello".to_vec())]);
    let seen = server_reads(&[0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]).unwrap();
    assert_eq!(seen, [Seen::Pong(b"Hello".to_vec())]);
}

#[test]
fn rfc_256_bytes_and_64k_binary() {
    for len in [256usize, 65536] {
        let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut wire = vec![0x82];
        if len == 256 {
            wire.extend_from_slice(&[0x7E, 0x01, 0x00]);
        } else {
            wire.extend_from_slice(&[0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]);
        }
        wire.extend_from_slice(&data);
        let seen = client_reads(&wire).unwrap();
        assert_eq!(seen, [Seen::Message(DataKind::Binary, data)]);
        // And the server engine writes exactly those headers.
        let mut tx = Sender::new(Role::Server);
        tx.send(Outgoing::Binary { payload: &wire[wire.len() - len..], fin: true }).unwrap();
        assert_eq!(tx.wire, wire);
    }
}

#[test]
fn payload_streams_through_a_small_buffer_without_copies() {
    // A 1 MiB message through a 64-byte buffer arrives in many pieces.
    let data: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 31) as u8).collect();
    let wire = masked(0x82, &data, KEY);
    let mut rx = Receiver::new(Role::Server, 64);
    rx.feed(&wire, 1500).unwrap();
    assert_eq!(rx.seen, [Seen::Message(DataKind::Binary, data)]);
    assert!(rx.data_events > 1000, "{} pieces", rx.data_events);
}

#[test]
fn empty_messages_and_empty_fragments() {
    let mut wire = masked(0x81, b"", KEY); // empty text message
    wire.extend(masked(0x02, b"", KEY)); // binary, empty first fragment
    wire.extend(masked(0x00, b"", KEY)); // empty middle
    wire.extend(masked(0x80, b"x", KEY)); // final
    let seen = server_reads(&wire).unwrap();
    assert_eq!(seen, [Seen::Message(DataKind::Text, vec![]), Seen::Message(DataKind::Binary, b"x".to_vec())]);
}

#[test]
fn control_frames_between_fragments() {
    let mut wire = masked(0x01, b"Hel", KEY);
    wire.extend(masked(0x89, b"p1", KEY));
    wire.extend(masked(0x00, b"l", KEY));
    wire.extend(masked(0x8A, b"", KEY));
    wire.extend(masked(0x80, b"o", KEY));
    let seen = server_reads(&wire).unwrap();
    assert_eq!(
        seen,
        [Seen::Ping(b"p1".to_vec()), Seen::Pong(vec![]), Seen::Message(DataKind::Text, b"Hello".to_vec())]
    );
}

// ---------------- failures and their close codes ----------------

/// `(name, bytes, error)`: the server must fail with that error, whose close
/// code is checked too, and owe a close frame with it.
fn fails(wire: &[u8], error: Error, code: u16) {
    assert_eq!(server_reads(wire), Err(error));
    assert_eq!(error.close_code(), CloseCode(code));
    let mut rx = Receiver::new(Role::Server, 256);
    let _ = rx.feed(wire, 4096);
    assert_eq!(rx.conn.owed_close().and_then(|c| c.code), Some(CloseCode(code)));
    let mut out = [0u8; 160];
    let n = rx.conn.poll_transmit([0; 4], &mut out).unwrap().unwrap();
    assert_eq!(&out[..4], &[0x88, (n - 2) as u8, (code >> 8) as u8, code as u8]);
    assert_eq!(rx.conn.send(Outgoing::Ping(b""), [0; 4], &mut out), Err(Error::Closed));
    assert!(rx.conn.is_closed());
    assert_eq!(rx.conn.read(&mut [0x81]), Err(Error::Closed));
}

#[test]
fn rsv_bits_without_extension_1002() {
    for b0 in [0xC1, 0xA1, 0x91] {
        fails(&masked(b0, b"x", KEY), Error::ReservedBits, 1002);
    }
}

#[test]
fn reserved_opcodes_1002() {
    for op in [3u8, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF] {
        fails(&masked(0x80 | op, b"", KEY), Error::ReservedOpcode, 1002);
    }
}

#[test]
fn masking_direction_1002() {
    fails(&[0x81, 0x01, b'x'], Error::UnmaskedFrame, 1002);
    let mut rx = Receiver::new(Role::Client, 64);
    assert_eq!(rx.feed(&masked(0x81, b"x", KEY), 64), Err(Error::MaskedFrame));
}

#[test]
fn fragmentation_rules_1002() {
    fails(&masked(0x80, b"lo", KEY), Error::UnexpectedContinuation, 1002);
    let mut wire = masked(0x01, b"Hel", KEY);
    wire.extend(masked(0x81, b"lo", KEY));
    fails(&wire, Error::ExpectedContinuation, 1002);
    fails(&masked(0x09, b"", KEY), Error::FragmentedControl, 1002);
    fails(&masked(0x89, &[0; 126], KEY), Error::ControlTooLong, 1002);
}

#[test]
fn utf8_failures_1007() {
    fails(
        &masked(0x81, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited", KEY),
        Error::InvalidUtf8,
        1007,
    );
    // A code point split across fragments is fine...
    let mut wire = masked(0x01, b"\xe2\x82", KEY);
    wire.extend(masked(0x80, b"\xac", KEY));
    assert_eq!(server_reads(&wire).unwrap(), [Seen::Message(DataKind::Text, "€".as_bytes().to_vec())]);
    // ...a message that ends inside one is not.
    let mut wire = masked(0x01, b"ok", KEY);
    wire.extend(masked(0x80, b"\xe2\x82", KEY));
    fails(&wire, Error::InvalidUtf8, 1007);
    // Overlong, surrogate, beyond U+10FFFF.
    for bad in [&b"\xc0\xaf"[..], b"\xed\xbf\xbf", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80"] {
        fails(&masked(0x81, bad, KEY), Error::InvalidUtf8, 1007);
    }
}

#[test]
fn utf8_fails_fast_mid_frame() {
    // The invalid byte comes first; the rest of the 100-byte frame never has to arrive.
    let mut payload = vec![0xFFu8];
    payload.extend_from_slice(&[b'a'; 99]);
    let wire = masked(0x81, &payload, KEY);
    let mut conn = Connection::<Server>::new();
    let mut part = wire[..8].to_vec();
    assert_eq!(conn.read(&mut part), Err(Error::InvalidUtf8));
}

#[test]
fn close_payload_rules() {
    fails(&masked(0x88, &[0x03], KEY), Error::ClosePayload, 1002);
    for code in [0u16, 999, 1004, 1005, 1006, 1012, 1015, 1016, 2000, 2999, 5000, 65535] {
        fails(&masked(0x88, &code.to_be_bytes(), KEY), Error::InvalidCloseCode, 1002);
    }
    fails(&masked(0x88, b"\x03\xe8\xff\xfe", KEY), Error::InvalidUtf8, 1007);
    for code in [1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999] {
        let seen = server_reads(&masked(0x88, &code.to_be_bytes(), KEY)).unwrap();
        assert_eq!(seen, [Seen::Close(Some(CloseCode(code)), String::new())]);
    }
}

#[test]
fn hostile_lengths_fail_cleanly() {
    // Near 2^32: beyond the limit, 1009.
    let mut wire = vec![0x82, 0xFF];
    wire.extend_from_slice(&0xFFFF_FFF2u64.to_be_bytes());
    wire.extend_from_slice(&KEY);
    fails(&wire, Error::FrameTooBig, 1009);
    // Beyond u32 altogether: 1009 before the length is even complete.
    let mut wire = vec![0x82, 0xFF];
    wire.extend_from_slice(&(1u64 << 40).to_be_bytes());
    fails(&wire, Error::FrameTooBig, 1009);
    // Top bit set: 2^63 and u64::MAX are protocol errors, 1002.
    for len in [1u64 << 63, u64::MAX] {
        let mut wire = vec![0x82, 0xFF];
        wire.extend_from_slice(&len.to_be_bytes());
        fails(&wire, Error::LengthOverflow, 1002);
    }
}

#[test]
fn message_and_frame_limits_1009() {
    let mut small = Connection::<Server, 100, 150>::new();
    let mut frame = masked(0x82, &[0; 101], KEY);
    assert_eq!(small.read(&mut frame), Err(Error::FrameTooBig));
    // Two 100-byte fragments pass the frame limit and break the message limit
    // as soon as the second header is read.
    let mut small = Connection::<Server, 100, 150>::new();
    let mut first = masked(0x02, &[0; 100], KEY);
    let r = small.read(&mut first).unwrap();
    assert!(matches!(r.event, Some(Event::Data { fin: false, .. })));
    let mut second = masked(0x80, &[0; 100], KEY);
    assert_eq!(small.read(&mut second[..2]), Err(Error::MessageTooBig));
}

// ---------------- the close handshake ----------------

#[test]
fn close_handshake_server_answers_client() {
    let mut server = Connection::<Server>::new();
    let mut wire = masked(0x88, b"\x03\xe8bye", KEY);
    let read = server.read(&mut wire).unwrap();
    assert_eq!(read.event, Some(Event::Close(CloseFrame { code: Some(CloseCode::NORMAL), reason: "bye" })));
    assert!(server.close_received() && !server.is_closed());
    // The reply echoes the code.
    let mut out = [0u8; 140];
    let n = server.poll_transmit(&mut out).unwrap().unwrap();
    assert_eq!(&out[..4], &[0x88, (n - 2) as u8, 0x03, 0xe8]);
    assert!(server.is_closed());
    assert_eq!(server.poll_transmit(&mut out), Ok(None));
    // Nothing more goes out after the close.
    let text = Outgoing::Text { payload: b"late", fin: true };
    assert_eq!(server.send(text, &mut out), Err(Error::Closed));
}

#[test]
fn close_handshake_initiated_by_server() {
    let mut server = Connection::<Server>::new();
    let mut out = [0u8; 140];
    let close = CloseFrame { code: Some(CloseCode::GOING_AWAY), reason: "shutdown" };
    server.send(Outgoing::Close(close), &mut out).unwrap();
    assert!(server.close_sent() && !server.is_closed());
    assert_eq!(server.send(Outgoing::Ping(b""), &mut out), Err(Error::Closed));
    // Data may still arrive until the peer's close.
    let mut data = masked(0x81, b"in flight", KEY);
    assert!(server.read(&mut data).unwrap().event.is_some());
    let mut reply = masked(0x88, b"\x03\xe9", KEY);
    assert!(matches!(server.read(&mut reply).unwrap().event, Some(Event::Close(_))));
    assert!(server.is_closed());
    assert_eq!(server.poll_transmit(&mut out), Ok(None), "no second close");
}

#[test]
fn empty_close_is_answered_with_empty_close() {
    let mut server = Connection::<Server>::new();
    let mut wire = masked(0x88, b"", KEY);
    let read = server.read(&mut wire).unwrap();
    assert_eq!(read.event, Some(Event::Close(CloseFrame { code: None, reason: "" })));
    let mut out = [0u8; 8];
    assert_eq!(server.poll_transmit(&mut out), Ok(Some(2)));
    assert_eq!(&out[..2], &[0x88, 0x00]);
}

#[test]
fn send_side_rules() {
    let mut c = Connection::<Server>::new();
    let mut out = [0u8; 300];
    assert_eq!(c.send(Outgoing::Ping(&[0; 126]), &mut out), Err(Error::ControlTooLong));
    let bad = CloseFrame { code: Some(CloseCode(1005)), reason: "" };
    assert_eq!(c.send(Outgoing::Close(bad), &mut out), Err(Error::InvalidCloseCode));
    // 1013 is in the IANA registry: a full server may send it.
    let busy = CloseFrame { code: Some(CloseCode::TRY_AGAIN_LATER), reason: "full" };
    let mut small = [0u8; 3];
    assert_eq!(c.send(Outgoing::Close(busy), &mut small), Err(Error::BufferTooSmall));
    assert!(!c.close_sent(), "a failed write changes nothing");
    assert!(c.send(Outgoing::Close(busy), &mut out).is_ok());
    // A client masks with the key it is given.
    let mut client = Connection::<Client>::new();
    let n = client.send(Outgoing::Text { payload: b"Hello", fin: true }, KEY, &mut out).unwrap();
    assert_eq!(&out[..n], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
}

#[test]
fn state_is_sixteen_bytes() {
    assert_eq!(std::mem::size_of::<Connection>(), 16);
    assert_eq!(std::mem::size_of::<Connection<Server, 1024, 4096>>(), 16);
}
