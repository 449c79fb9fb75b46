//! The twin's own part of the limits, over real sockets: its connection
//! limit and the eviction of idle keep-alive sockets as a browser meets
//! them, and its shutdown (1001 to every session). The deadlines, keepalive
//! and every other limit are tested on a caller-driven clock in
//! `console/tests/limits.rs`.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use tungstenite::Message;
use tungstenite::protocol::frame::coding::CloseCode;

#[test]
fn one_connection_over_the_limit_gets_503_or_1013() {
    let t = twin(|o| o.max_connections = 2);
    let mut a = connect(t.addr, "/printf");
    let mut b = connect(t.addr, "/echo");
    let mut c = connect(t.addr, "/printf");
    assert_eq!(closed(&mut c), Some(CloseCode::Again), "a clean 1013 close");
    assert_eq!(http(t.addr, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n").0, 503);
    // The two admitted ones are unaffected.
    assert_eq!(command(&mut a, "pause"), "> paused");
    b.send(Message::text("still here")).unwrap();
    assert_eq!(text(&mut b), "still here");
    // A slot frees up: the next client gets in.
    b.close(None).unwrap();
    let _ = closed(&mut b);
    std::thread::sleep(Duration::from_millis(100));
    let mut d = connect(t.addr, "/printf");
    assert_eq!(command(&mut d, "pause"), "> paused");
}

#[test]
fn shutdown_closes_every_session_with_1001() {
    let t = twin(|_| {});
    let mut a = connect(t.addr, "/printf");
    let mut b = connect(t.addr, "/echo");
    b.send(Message::text("x")).unwrap();
    assert_eq!(text(&mut b), "x");
    let reader = std::thread::spawn(move || (closed(&mut a), closed(&mut b)));
    t.shutdown().unwrap();
    let (ca, cb) = reader.join().unwrap();
    assert_eq!(ca, Some(CloseCode::Away));
    assert_eq!(cb, Some(CloseCode::Away));
}

#[test]
fn an_idle_keep_alive_connection_gives_way_to_a_websocket() {
    let t = twin(|o| o.max_connections = 2);
    // Two browser-like connections, each served once and left open.
    let mut idle = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(t.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n").unwrap();
        assert_eq!(read_response(&mut s).0, 200);
        idle.push(s);
    }
    // The device is full of idle keep-alives; a WebSocket still gets in.
    let mut ws = connect(t.addr, "/printf");
    assert_eq!(command(&mut ws, "pause"), "> paused");
    // One of the idle connections was closed to make room.
    let closed = idle.iter_mut().map(|s| matches!(s.read(&mut [0u8; 16]), Ok(0))).filter(|&c| c).count();
    assert_eq!(closed, 1);
}
