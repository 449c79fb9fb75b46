//! Helpers: an in-process twin on an ephemeral port, and independent clients
//! (tungstenite, raw TCP) to drive it.
#![allow(dead_code)]

pub mod browser;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use device_sim::{Options, Twin};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket, stream::MaybeTlsStream};

pub type Ws = WebSocket<MaybeTlsStream<TcpStream>>;

/// A twin with test-friendly settings, adjusted by `f`.
pub fn twin(f: impl FnOnce(&mut Options)) -> Twin {
    let mut o = Options { bind: "127.0.0.1:0".parse().unwrap(), rate: 0, ping_interval: 0, ..Default::default() };
    f(&mut o);
    Twin::spawn(o).unwrap()
}

pub fn connect(addr: SocketAddr, path: &str) -> Ws {
    let (ws, resp) = tungstenite::connect(format!("ws://{addr}{path}")).unwrap();
    assert_eq!(resp.status(), 101);
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    ws
}

/// The next text message (pings are answered by tungstenite on the way).
pub fn text(ws: &mut Ws) -> String {
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => return t.to_string(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => {}
        }
    }
}

/// Read texts until one satisfies `f`; returns it and every console line
/// (`#...`) seen on the way, in order.
pub fn until(ws: &mut Ws, f: impl Fn(&str) -> bool) -> (String, Vec<String>) {
    let mut lines = Vec::new();
    loop {
        let t = text(ws);
        if f(&t) {
            return (t, lines);
        }
        if t.starts_with('#') {
            lines.push(t);
        }
    }
}

/// The sequence number of a console line `#<n> ...`.
pub fn seq(line: &str) -> u32 {
    line[1..].split(' ').next().unwrap().parse().unwrap()
}

/// Send a command, return the first reply (`>` or `!`).
pub fn command(ws: &mut Ws, cmd: &str) -> String {
    ws.send(Message::text(cmd)).unwrap();
    until(ws, |t| t.starts_with('>') || t.starts_with('!')).0
}

/// Wait for the close frame; returns its code.
pub fn closed(ws: &mut Ws) -> Option<CloseCode> {
    loop {
        match ws.read() {
            Ok(Message::Close(c)) => return c.map(|c| c.code),
            Ok(_) => {}
            Err(tungstenite::Error::ConnectionClosed) | Err(tungstenite::Error::AlreadyClosed) => {
                return None;
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// One raw HTTP exchange: send `req`, read until the server closes or a
/// full response (head + Content-Length body) arrived. Returns (status, text).
pub fn http(addr: SocketAddr, req: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(req).unwrap();
    read_response(&mut s)
}

pub fn read_response(s: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length: ").map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            let status: u16 = head[9..12].parse().unwrap();
            // A 304 describes the representation; it has no body.
            let len = if status == 304 { 0 } else { len };
            if buf.len() >= end + 4 + len {
                return (status, String::from_utf8_lossy(&buf[..end + 4 + len]).to_string());
            }
        }
        assert!(Instant::now() < deadline, "no response: {:?}", String::from_utf8_lossy(&buf));
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "closed early: {:?}", String::from_utf8_lossy(&buf));
        buf.extend_from_slice(&chunk[..n]);
    }
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn upgrade_request(addr: SocketAddr, path: &str, extra: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}

/// A client frame, masked by hand (independent of wisp's encoder).
pub fn client_frame(b0: u8, payload: &[u8]) -> Vec<u8> {
    let key = [0x11, 0x22, 0x33, 0x44];
    let mut v = vec![b0];
    match payload.len() {
        n if n < 126 => v.push(0x80 | n as u8),
        n if n <= 0xFFFF => {
            v.push(0x80 | 126);
            v.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            v.push(0x80 | 127);
            v.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    v.extend_from_slice(&key);
    v.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    v
}
