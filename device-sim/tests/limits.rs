//! Like a device under stress: connection limit, slowloris, keepalive and
//! pong timeout, shutdown.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

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
fn slowloris_is_dropped_and_others_are_served_meanwhile() {
    let t = twin(|o| o.http_timeout = 300);
    let mut slow = TcpStream::connect(t.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\nX-Slow:").unwrap();
    assert_eq!(
        http(t.addr, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n").0,
        200,
        "served meanwhile"
    );
    let started = Instant::now();
    let (status, text) = read_response(&mut slow);
    assert_eq!(status, 408, "{text}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(rest.is_empty(), "closed after the 408");
}

#[test]
fn device_pings_and_closes_a_client_that_never_pongs() {
    let t = twin(|o| {
        o.ping_interval = 100;
        o.pong_timeout = 300;
    });
    // A polite client (tungstenite answers pings while it reads) stays.
    let mut polite = connect(t.addr, "/printf");
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = polite.get_ref() {
        s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    }
    let polite = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_millis(900);
        while Instant::now() < until {
            match polite.read() {
                Ok(Message::Close(c)) => panic!("polite client closed: {c:?}"),
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
                Err(e) => panic!("{e}"),
            }
        }
        polite
    });
    // A raw client that upgrades and then never answers.
    let mut mute = TcpStream::connect(t.addr).unwrap();
    mute.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    mute.write_all(upgrade_request(t.addr, "/printf", "").as_bytes()).unwrap();
    let mut wire = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    let (mut saw_ping, mut close_code) = (false, None);
    while Instant::now() < deadline && close_code.is_none() {
        let n = mute.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        wire.extend_from_slice(&buf[..n]);
        // Walk the unmasked server frames after the 101.
        let Some(head) = find(&wire, b"\r\n\r\n") else {
            continue;
        };
        let mut at = head + 4;
        while at + 2 <= wire.len() {
            let (b0, len) = (wire[at], (wire[at + 1] & 0x7F) as usize);
            let (hlen, len) = match len {
                126 if at + 4 <= wire.len() => (4, u16::from_be_bytes([wire[at + 2], wire[at + 3]]) as usize),
                126 => break,
                n => (2, n),
            };
            if at + hlen + len > wire.len() {
                break;
            }
            match b0 {
                0x89 => saw_ping = true,
                0x88 => close_code = Some(u16::from_be_bytes([wire[at + hlen], wire[at + hlen + 1]])),
                _ => {}
            }
            at += hlen + len;
        }
    }
    assert!(saw_ping, "the device pinged");
    assert_eq!(close_code, Some(1001), "closed for the missing pong");
    // The polite client got pings too, answered them, and is still served.
    let mut polite = polite.join().unwrap();
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = polite.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    }
    assert_eq!(command(&mut polite, "pause"), "> paused");
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
