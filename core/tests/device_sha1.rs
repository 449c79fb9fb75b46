//! The accept key with a SHA-1 the device supplies (a hash peripheral, its
//! TLS stack): what the hook is given, that its digest is what goes on the
//! wire, on both sides, and that it agrees with the built-in SHA-1.
#![cfg(feature = "handshake")]

use wisp::handshake::sha1::Sha1;
use wisp::handshake::{ClientHandshake, UpgradeRequest, accept_key_with, write_accept_with};
use wisp::{Error, Status};

const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Stands in for a hash peripheral's driver: another SHA-1 implementation
/// (the `sha1_smol` crate, used directly), and a record of what it hashed.
#[derive(Default)]
struct Peripheral {
    messages: Vec<Vec<u8>>,
}

impl Sha1 for Peripheral {
    fn digest(&mut self, message: &[u8]) -> [u8; 20] {
        self.messages.push(message.to_vec());
        sha1_smol::Sha1::from(message).digest().bytes()
    }
}

/// A broken one, to show the digest on the wire is the hook's.
struct Zeros;

impl Sha1 for Zeros {
    fn digest(&mut self, _: &[u8]) -> [u8; 20] {
        [0; 20]
    }
}

fn sample() -> UpgradeRequest<'static> {
    let req = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
        Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
        Sec-WebSocket-Version: 13\r\n\r\n";
    match UpgradeRequest::parse(req) {
        Ok(Status::Complete(up)) => up,
        other => panic!("{other:?}"),
    }
}

fn accept_header(response: &[u8]) -> &[u8] {
    let text = std::str::from_utf8(response).unwrap();
    let line = text.lines().find_map(|l| l.strip_prefix("Sec-WebSocket-Accept: ")).unwrap();
    line.as_bytes()
}

#[test]
fn server_hashes_key_and_guid_once_with_the_device_sha1() {
    let up = sample();
    let mut device = Peripheral::default();
    let mut out = [0u8; 256];
    let n = write_accept_with(&up, None, &mut device, &mut out).unwrap();
    // RFC 6455 §1.3's sample accept value.
    assert_eq!(accept_header(&out[..n]), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    // §4.2.2 item 5.4: the key as sent, then the GUID, as one message.
    assert_eq!(device.messages, [[&b"dGhlIHNhbXBsZSBub25jZQ=="[..], GUID].concat()]);

    // What the hook returns is what is sent: Base64 of twenty zero bytes.
    let n = write_accept_with(&up, None, &mut Zeros, &mut out).unwrap();
    assert_eq!(accept_header(&out[..n]), b"AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
}

#[test]
fn client_checks_the_answer_with_the_device_sha1() {
    let mut device = Peripheral::default();
    let hs = ClientHandshake::with_hasher(*b"the sample nonce", &mut device);
    assert_eq!(device.messages.len(), 1);
    assert_eq!(device.messages[0], [hs.key(), GUID].concat());
    let mut req = [0u8; 256];
    let n = hs.write_request("server.example.com", "/chat", None, None, &mut req).unwrap();
    let Ok(Status::Complete(up)) = UpgradeRequest::parse(&req[..n]) else { panic!() };
    let mut resp = [0u8; 256];
    let m = write_accept_with(&up, None, &mut device, &mut resp).unwrap();
    assert!(hs.parse_response(&resp[..m], None).unwrap().complete().is_some());
    // A client whose SHA-1 gives another digest refuses the same answer.
    let wrong = ClientHandshake::with_hasher(*b"the sample nonce", &mut Zeros);
    assert_eq!(wrong.parse_response(&resp[..m], None), Err(Error::BadAccept));
}

#[test]
fn a_closure_is_a_sha1() {
    let mut calls = 0;
    let mut hash = |message: &[u8]| {
        calls += 1;
        sha1_smol::Sha1::from(message).digest().bytes()
    };
    assert_eq!(&accept_key_with(b"dGhlIHNhbXBsZSBub25jZQ==", &mut hash), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_eq!(calls, 1);
}

/// The built-in SHA-1 (whichever the features chose) and the device's give
/// the same handshake, on random keys.
#[cfg(any(feature = "sha1-smol", feature = "compact-sha1"))]
#[test]
fn built_in_and_device_sha1_agree() {
    use proptest::prelude::*;
    proptest!(|(nonce: [u8; 16])| {
        let mut device = Peripheral::default();
        prop_assert_eq!(ClientHandshake::with_hasher(nonce, &mut device), ClientHandshake::new(nonce));
        let hs = ClientHandshake::new(nonce);
        let key: &[u8; 24] = hs.key().try_into().unwrap();
        prop_assert_eq!(wisp::handshake::accept_key(key), accept_key_with(key, &mut device));
    });
}
