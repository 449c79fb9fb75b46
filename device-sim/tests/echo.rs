//! `/echo`: messages of any size, fragmented or not, and protocol errors
//! answered with the right close code while other sessions go on.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use tungstenite::Message;
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};

#[test]
fn echoes_text_and_binary_of_every_size() {
    let t = twin(|_| {});
    let mut ws = connect(t.addr, "/echo");
    for len in [0usize, 1, 125, 126, 65535, 65536, 1 << 20] {
        let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        ws.send(Message::binary(data.clone())).unwrap();
        assert_eq!(ws.read().unwrap(), Message::binary(data), "binary {len}");
        let s: String = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        ws.send(Message::text(s.clone())).unwrap();
        assert_eq!(ws.read().unwrap(), Message::text(s), "text {len}");
    }
}

#[test]
fn echoes_fragmented_messages_with_pings_between_fragments() {
    let t = twin(|_| {});
    let mut ws = connect(t.addr, "/echo");
    let parts = ["κόσ", "με ", "€𝄞"];
    let joined: Vec<u8> = parts.concat().into_bytes();
    // Split the UTF-8 mid-character across frames, with a ping in between.
    let cuts = [0, 3, 7, 12, joined.len()];
    for i in 0..cuts.len() - 1 {
        let piece = joined[cuts[i]..cuts[i + 1]].to_vec();
        let op = if i == 0 { OpCode::Data(Data::Text) } else { OpCode::Data(Data::Continue) };
        ws.write(Message::Frame(Frame::message(piece, op, i == cuts.len() - 2))).unwrap();
        if i == 1 {
            ws.write(Message::Ping(b"between".to_vec().into())).unwrap();
        }
    }
    ws.flush().unwrap();
    let mut got = None;
    let mut pong = false;
    while got.is_none() {
        match ws.read().unwrap() {
            Message::Text(t) => got = Some(t.to_string()),
            Message::Pong(p) => pong = &p[..] == b"between",
            _ => {}
        }
    }
    assert_eq!(got.unwrap().as_bytes(), &joined[..]);
    assert!(pong || matches!(ws.read().unwrap(), Message::Pong(_)));
}

/// Raw client: upgrade, send `frames`, return the close code the device sent.
fn raw_close_code(addr: std::net::SocketAddr, frames: &[u8]) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(upgrade_request(addr, "/echo", "").as_bytes()).unwrap();
    s.write_all(frames).unwrap();
    let mut wire = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        wire.extend_from_slice(&buf[..n]);
    }
    let head = find(&wire, b"\r\n\r\n").unwrap() + 4;
    let mut at = head;
    loop {
        let (b0, len) = (wire[at], (wire[at + 1] & 0x7F) as usize);
        if b0 == 0x88 {
            return u16::from_be_bytes([wire[at + 2], wire[at + 3]]);
        }
        at += 2 + len;
    }
}

#[test]
fn protocol_errors_get_their_close_codes_and_others_go_on() {
    let t = twin(|o| o.rate = 50);
    let mut watcher = connect(t.addr, "/printf");
    let cases: Vec<(Vec<u8>, u16)> = vec![
        ([0x81u8, 0x02, b'h', b'i'].to_vec(), 1002), // unmasked
        (client_frame(0xC1, b"x"), 1002),            // RSV1
        (client_frame(0x83, b""), 1002),             // reserved opcode
        (client_frame(0x80, b"x"), 1002),            // continuation of nothing
        (client_frame(0x09, b""), 1002),             // fragmented ping
        (client_frame(0x89, &[0; 126]), 1002),       // long ping
        (client_frame(0x81, b"\xff"), 1007),         // bad UTF-8
        (client_frame(0x88, &[0x03, 0xED]), 1002),   // close code 1005
        ([client_frame(0x01, b"a"), client_frame(0x81, b"b")].concat(), 1002),
        ([0x82, 0xFF, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF2, 1, 2, 3, 4].to_vec(), 1009), // ~4 GiB
        ([0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4].to_vec(), 1002),          // 2^63
    ];
    for (frames, code) in cases {
        assert_eq!(raw_close_code(t.addr, &frames), code, "{frames:x?}");
    }
    let a = seq(&until(&mut watcher, |l| l.starts_with('#')).0);
    let b = seq(&until(&mut watcher, |l| l.starts_with('#')).0);
    assert_eq!(b, a + 1);
}

#[test]
fn close_handshake_echoes_the_code() {
    let t = twin(|_| {});
    let mut ws = connect(t.addr, "/echo");
    ws.close(Some(tungstenite::protocol::CloseFrame { code: CloseCode::Library(4321), reason: "bye".into() })).unwrap();
    assert_eq!(closed(&mut ws), Some(CloseCode::Library(4321)));
}
