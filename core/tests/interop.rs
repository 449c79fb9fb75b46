//! wisp against an independent implementation (`tungstenite`) over real
//! loopback sockets, in both roles, through the raw engine and through the
//! `embedded-io` adapters (std::net and tokio).
#![cfg(all(feature = "embedded-io", feature = "embedded-io-async"))]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use tungstenite::Message;
use tungstenite::protocol::CloseFrame as TCloseFrame;
use tungstenite::protocol::frame::coding::CloseCode as TCode;
use wisp::handshake::{ClientHandshake, UpgradeRequest, write_accept};
use wisp::{Client, CloseCode, CloseFrame, Connection, DataKind, Event, Outgoing, Server, Status};

/// Read a request head from a socket and accept it; returns bytes read past it.
fn accept_std(sock: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 512];
    loop {
        let n = sock.read(&mut chunk).unwrap();
        assert!(n > 0, "eof during handshake");
        buf.extend_from_slice(&chunk[..n]);
        if let Status::Complete(up) = UpgradeRequest::parse(&buf).unwrap() {
            let mut out = [0u8; 256];
            let m = write_accept(&up, None, &mut out).unwrap();
            sock.write_all(&out[..m]).unwrap();
            return buf[up.head_len..].to_vec();
        }
    }
}

fn listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", l.local_addr().unwrap());
    (l, url)
}

fn timeouts(s: &TcpStream) {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
}

/// The tungstenite client both server tests use: echo round trips, a
/// streamed message from the server, then a clean close.
fn tungstenite_client(url: String) {
    let (mut ws, _) = tungstenite::connect(url).unwrap();
    ws.send(Message::text("hello wisp")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("hello wisp"));
    let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    ws.send(Message::binary(big.clone())).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(big));
    ws.send(Message::text("stream")).unwrap();
    // The server streams one message of several frames with pings between.
    let mut got = ws.read().unwrap();
    while !got.is_text() {
        got = ws.read().unwrap(); // pings are answered by tungstenite itself
    }
    assert_eq!(got.into_text().unwrap().as_str(), "line 0\nline 1\nline 2\nline 3\n");
    ws.close(Some(TCloseFrame { code: TCode::Normal, reason: "bye".into() })).unwrap();
    loop {
        match ws.read() {
            Ok(Message::Close(Some(frame))) => assert_eq!(frame.code, TCode::Normal),
            Ok(_) => {}
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn raw_engine_server_with_tungstenite_client() {
    let (l, url) = listener();
    let client = thread::spawn(move || tungstenite_client(url));
    let (mut sock, _) = l.accept().unwrap();
    timeouts(&sock);
    let mut buf = accept_std(&mut sock);
    let mut conn = Connection::<Server>::new();
    let mut out = vec![0u8; 200_000];
    let mut msg = Vec::new();
    let mut chunk = [0u8; 1024];
    'outer: loop {
        let mut at = 0;
        loop {
            let read = conn.read(&mut buf[at..]).unwrap();
            at += read.consumed;
            match read.event {
                None => break,
                Some(Event::Data { kind, payload, fin }) => {
                    msg.extend_from_slice(payload);
                    if fin {
                        if msg == b"stream" {
                            for i in 0..4 {
                                let line = format!("line {i}\n");
                                let fin = i == 3;
                                let n = conn.send(Outgoing::Text { payload: line.as_bytes(), fin }, &mut out).unwrap();
                                sock.write_all(&out[..n]).unwrap();
                                if !fin {
                                    let n = conn.send(Outgoing::Ping(b"keepalive"), &mut out).unwrap();
                                    sock.write_all(&out[..n]).unwrap();
                                }
                            }
                        } else {
                            let frame = match kind {
                                DataKind::Text => Outgoing::Text { payload: &msg, fin: true },
                                DataKind::Binary => Outgoing::Binary { payload: &msg, fin: true },
                            };
                            let n = conn.send(frame, &mut out).unwrap();
                            sock.write_all(&out[..n]).unwrap();
                        }
                        msg.clear();
                    }
                }
                Some(Event::Ping(p)) => {
                    let n = conn.send(Outgoing::Pong(p), &mut out).unwrap();
                    sock.write_all(&out[..n]).unwrap();
                }
                Some(Event::Pong(_)) => {}
                Some(Event::Close(c)) => {
                    assert_eq!(c, CloseFrame { code: Some(CloseCode::NORMAL), reason: "bye" });
                    let n = conn.poll_transmit(&mut out).unwrap().unwrap();
                    sock.write_all(&out[..n]).unwrap();
                    assert!(conn.is_closed());
                    break 'outer;
                }
            }
        }
        buf.drain(..at);
        let n = sock.read(&mut chunk).unwrap();
        assert!(n > 0);
        buf.extend_from_slice(&chunk[..n]);
    }
    drop(sock); // §7.1.1: the server closes the TCP connection first
    client.join().unwrap();
}

#[test]
fn raw_engine_client_with_tungstenite_server() {
    let (l, url) = listener();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (sock, _) = l.accept().unwrap();
        let mut ws = tungstenite::accept(sock).unwrap();
        // Echo until the client closes.
        loop {
            match ws.read() {
                Ok(m @ (Message::Text(_) | Message::Binary(_))) => ws.send(m).unwrap(),
                Ok(Message::Close(_)) | Err(tungstenite::Error::ConnectionClosed) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}"),
            }
        }
        // Drain until the client is gone.
        let _ = ws.flush();
    });
    let _ = url;
    let mut sock = TcpStream::connect(addr).unwrap();
    timeouts(&sock);
    let hs = ClientHandshake::new(*b"0123456789abcdef");
    let mut out = vec![0u8; 70_000];
    let n = hs.write_request(&addr.to_string(), "/", None, None, &mut out).unwrap();
    sock.write_all(&out[..n]).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let rest = loop {
        let n = sock.read(&mut chunk).unwrap();
        buf.extend_from_slice(&chunk[..n]);
        if let Status::Complete(resp) = hs.parse_response(&buf, None).unwrap() {
            break buf[resp.head_len..].to_vec();
        }
    };
    let mut conn = Connection::<Client>::new();
    let mut key = 0x1234_5678u32;
    let mut mask = move || {
        key = key.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
        key.to_le_bytes()
    };
    // A message streamed in three frames (masked), echoed back whole.
    for (piece, fin) in [(&b"stre"[..], false), (b"amed ", false), (b"text", true)] {
        let n = conn.send(Outgoing::Text { payload: piece, fin }, mask(), &mut out).unwrap();
        sock.write_all(&out[..n]).unwrap();
    }
    let payload = vec![7u8; 65_536];
    let n = conn.send(Outgoing::Binary { payload: &payload, fin: true }, mask(), &mut out).unwrap();
    sock.write_all(&out[..n]).unwrap();
    let mut buf = rest;
    let mut got: Vec<(DataKind, Vec<u8>)> = Vec::new();
    let mut msg = Vec::new();
    while got.len() < 2 {
        let mut at = 0;
        while let Some(ev) = {
            let r = conn.read(&mut buf[at..]).unwrap();
            at += r.consumed;
            r.event
        } {
            if let Event::Data { kind, payload, fin } = ev {
                msg.extend_from_slice(payload);
                if fin {
                    got.push((kind, std::mem::take(&mut msg)));
                }
            }
        }
        buf.drain(..at);
        if got.len() < 2 {
            let n = sock.read(&mut chunk).unwrap();
            assert!(n > 0);
            buf.extend_from_slice(&chunk[..n]);
        }
    }
    assert_eq!(got[0], (DataKind::Text, b"streamed text".to_vec()));
    assert_eq!(got[1], (DataKind::Binary, payload));
    let close = CloseFrame { code: Some(CloseCode::NORMAL), reason: "" };
    let n = conn.send(Outgoing::Close(close), mask(), &mut out).unwrap();
    sock.write_all(&out[..n]).unwrap();
    // The server's close reply arrives.
    loop {
        let n = sock.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let r = conn.read(&mut buf).unwrap();
        if matches!(r.event, Some(Event::Close(_))) {
            break;
        }
    }
    assert!(conn.is_closed());
    server.join().unwrap();
}

/// What the adapter servers answer to a complete message: an echo, or for
/// "stream" one message streamed in four frames with pings between them.
enum Reply {
    Data(DataKind, Vec<u8>, bool),
    Ping,
}

impl Reply {
    fn frame(&self) -> Outgoing<'_> {
        match self {
            Reply::Data(DataKind::Text, p, fin) => Outgoing::Text { payload: p, fin: *fin },
            Reply::Data(DataKind::Binary, p, fin) => Outgoing::Binary { payload: p, fin: *fin },
            Reply::Ping => Outgoing::Ping(b"k"),
        }
    }
}

fn replies(kind: DataKind, msg: Vec<u8>) -> Vec<Reply> {
    if msg != b"stream" {
        return vec![Reply::Data(kind, msg, true)];
    }
    let mut out = Vec::new();
    for i in 0..4 {
        out.push(Reply::Data(DataKind::Text, format!("line {i}\n").into_bytes(), i == 3));
        if i < 3 {
            out.push(Reply::Ping);
        }
    }
    out
}

/// Serve one client with an adapter: echo each message, stream "stream", and
/// end at the client's close (its reply already sent by `read`).
macro_rules! serve {
    ($ws:expr $(, $await:tt)?) => {{
        let mut msg = Vec::new();
        loop {
            match $ws.read() $(.$await)? .unwrap() {
                Event::Data { kind, payload, fin } => {
                    msg.extend_from_slice(payload);
                    if !fin {
                        continue;
                    }
                    // 100 kB echoed through a 512-byte buffer: many frames, one message.
                    for reply in replies(kind, std::mem::take(&mut msg)) {
                        $ws.send(reply.frame()) $(.$await)? .unwrap();
                    }
                }
                Event::Close(c) => {
                    assert_eq!(c.code, Some(CloseCode::NORMAL));
                    break;
                }
                Event::Ping(_) | Event::Pong(_) => {}
            }
        }
    }};
}

#[test]
fn blocking_adapter_accepts_and_serves() {
    use embedded_io_adapters::std::FromStd;
    use wisp::io::blocking::WebSocket;

    let (l, url) = listener();
    let client = thread::spawn(move || tungstenite_client(url));
    let (sock, _) = l.accept().unwrap();
    timeouts(&sock);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let mut ws = WebSocket::accept(FromStd::new(sock), &mut rx, &mut tx).unwrap();
    serve!(ws);
    ws.flush().unwrap();
    drop(ws);
    client.join().unwrap();
}

#[test]
fn async_adapter_accepts_and_serves_over_tokio() {
    use embedded_io_adapters::tokio_1::FromTokio;
    use wisp::io::asynch::WebSocket;

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/", l.local_addr().unwrap());
        let client = thread::spawn(move || tungstenite_client(url));
        let (sock, _) = l.accept().await.unwrap();
        let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
        let mut ws = WebSocket::accept(FromTokio::new(sock), &mut rx, &mut tx).await.unwrap();
        serve!(ws, await);
        ws.flush().await.unwrap();
        drop(ws);
        client.join().unwrap();
    });
}

#[test]
fn adapter_accepts_a_request_a_web_server_already_parsed() {
    use embedded_io_adapters::std::FromStd;
    use wisp::Endpoint;
    use wisp::io::blocking::WebSocket;

    let (l, url) = listener();
    let client = thread::spawn(move || tungstenite_client(url));
    let (mut sock, _) = l.accept().unwrap();
    timeouts(&sock);
    // The "web server": reads the head itself, hands the adapter the parsed
    // request and the bytes it read past the head.
    let mut head = Vec::new();
    let mut chunk = [0u8; 512];
    let (len, early) = loop {
        let n = sock.read(&mut chunk).unwrap();
        head.extend_from_slice(&chunk[..n]);
        if let Status::Complete(up) = UpgradeRequest::parse(&head).unwrap() {
            break (up.head_len, head[up.head_len..].to_vec());
        }
    };
    let Status::Complete(up) = UpgradeRequest::parse(&head[..len]).unwrap() else { panic!() };
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let ep = Endpoint::server((&mut rx[..], &mut tx[..])).unwrap();
    let mut ws = WebSocket::accept_parsed(FromStd::new(sock), ep, &up, None, &early).unwrap();
    serve!(ws);
    ws.flush().unwrap();
    drop(ws);
    client.join().unwrap();
}

#[test]
fn adapter_refuses_a_bad_request_with_its_status_and_reason() {
    use embedded_io_adapters::std::FromStd;
    use wisp::io::{Decision, IoError, blocking::WebSocket};

    let (l, _) = listener();
    let addr = l.local_addr().unwrap();
    let ask = |req: &'static str| {
        thread::spawn(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            timeouts(&s);
            s.write_all(req.as_bytes()).unwrap();
            let mut got = String::new();
            s.read_to_string(&mut got).unwrap();
            got
        })
    };
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let peer = ask(
        "GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    let (sock, _) = l.accept().unwrap();
    let r = WebSocket::accept(FromStd::new(sock), &mut rx, &mut tx);
    assert!(matches!(r, Err(IoError::Protocol(wisp::Error::InvalidKey))));
    let got = peer.join().unwrap();
    assert!(got.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{got}");
    assert!(got.ends_with("Sec-WebSocket-Key is missing or not 16 bytes of base64\n"), "{got}");

    // A valid request the application refuses.
    let peer = ask(
        "GET /secret HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    let (sock, _) = l.accept().unwrap();
    let ep = wisp::Endpoint::server((&mut rx[..], &mut tx[..])).unwrap();
    let r = WebSocket::accept_with(FromStd::new(sock), ep, |req| {
        assert_eq!(req.path, "/secret");
        Decision::Refuse { status: 404, reason: "no such service" }
    });
    assert!(matches!(r, Err(IoError::Refused(404))));
    let got = peer.join().unwrap();
    assert!(got.starts_with("HTTP/1.1 404 Not Found\r\n") && got.ends_with("no such service\n"), "{got}");
}

#[test]
fn adapter_connects_as_a_client_to_tungstenite() {
    use embedded_io_adapters::std::FromStd;
    use wisp::io::{Request, blocking::WebSocket};

    let (l, _) = listener();
    let addr = l.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (sock, _) = l.accept().unwrap();
        let mut ws = tungstenite::accept(sock).unwrap();
        // A message the moment the handshake is done: it may arrive in the
        // same segment as the 101, which connect must keep.
        ws.send(Message::text("welcome")).unwrap();
        loop {
            match ws.read() {
                Ok(m @ (Message::Text(_) | Message::Binary(_))) => ws.send(m).unwrap(),
                Ok(Message::Close(_)) | Err(tungstenite::Error::ConnectionClosed) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}"),
            }
        }
        let _ = ws.flush();
    });
    let sock = TcpStream::connect(addr).unwrap();
    timeouts(&sock);
    let host = addr.to_string();
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 1024]);
    let mut key = 0x1234_5678u32;
    let keys = move || {
        key = key.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
        key.to_le_bytes()
    };
    let request = Request { host: &host, path: "/", origin: None };
    let mut ws =
        WebSocket::<_, Client, _>::connect(FromStd::new(sock), request, *b"0123456789abcdef", keys, &mut rx, &mut tx)
            .unwrap();
    let Event::Data { payload, fin: true, .. } = ws.read().unwrap() else { panic!() };
    assert_eq!(payload, b"welcome");
    let big = vec![9u8; 70_000];
    ws.send(Outgoing::Binary { payload: &big, fin: true }).unwrap();
    let mut echoed = Vec::new();
    while echoed.len() < big.len() {
        let Event::Data { payload, .. } = ws.read().unwrap() else { panic!() };
        echoed.extend_from_slice(payload);
    }
    assert_eq!(echoed, big);
    ws.close(CloseCode::NORMAL, "done").unwrap();
    loop {
        match ws.read() {
            Ok(Event::Close(c)) => {
                assert_eq!(c.code, Some(CloseCode::NORMAL));
                break;
            }
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert!(ws.endpoint().connection().is_closed());
    server.join().unwrap();
}

#[test]
fn adapter_fails_a_bad_peer_with_the_right_close_code() {
    use embedded_io_adapters::std::FromStd;
    use wisp::Endpoint;
    use wisp::io::{IoError, blocking::WebSocket};

    let (l, _) = listener();
    let addr = l.local_addr().unwrap();
    let peer = thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        timeouts(&s);
        // An unmasked frame from a "client": 1002.
        s.write_all(&[0x81, 0x02, b'h', b'i']).unwrap();
        let mut got = [0u8; 64];
        let n = s.read(&mut got).unwrap();
        got[..n].to_vec()
    });
    let (sock, _) = l.accept().unwrap();
    timeouts(&sock);
    let (mut rx, mut tx) = ([0u8; 512], [0u8; 512]);
    let ep = Endpoint::server((&mut rx[..], &mut tx[..])).unwrap();
    let mut ws = WebSocket::new(FromStd::new(sock), ep);
    assert!(matches!(ws.read(), Err(IoError::Protocol(wisp::Error::UnmaskedFrame))));
    drop(ws);
    let wire = peer.join().unwrap();
    assert_eq!(&wire[..4], &[0x88, wire[1], 0x03, 0xEA]); // close, 1002
}
