//! The web server side of the one port: files, keep-alive, refusals, Origin,
//! `--ws-only`, and that a bad client never disturbs the others.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::*;

#[test]
fn dashboard_with_type_length_etag_and_keep_alive() {
    let t = twin(|_| {});
    let mut s = TcpStream::connect(t.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip, deflate\r\n\r\n").unwrap();
    let (status, resp) = read_response(&mut s);
    assert_eq!(status, 200);
    assert!(resp.contains("Content-Type: text/html"));
    // Stored compressed, as a board keeps it in flash.
    assert!(resp.contains("Content-Encoding: gzip\r\n"), "{resp}");
    let etag = resp.lines().find_map(|l| l.strip_prefix("ETag: ")).unwrap().to_string();
    // Same connection: a conditional request, then HEAD.
    s.write_all(
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\nIf-None-Match: {etag}\r\n\r\n")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(read_response(&mut s).0, 304);
    s.write_all(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n").unwrap();
    let (status, head) = read_response_head_only(&mut s);
    assert_eq!(status, 200);
    assert!(head.contains("Content-Length: ") && !head.contains("<html"));
    // A client that takes no gzip is told so.
    let (status, text) = http(t.addr, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(status, 406, "{text}");
    assert!(text.contains("Accept-Encoding: gzip"), "{text}");
}

#[test]
fn a_rebinding_host_is_refused_and_the_twin_answers_its_own_names() {
    let t = twin(|o| o.allow_host = vec!["device.lan".into()]);
    let port = t.addr.port();
    for (host, status) in [
        (format!("127.0.0.1:{port}"), 200),
        (format!("localhost:{port}"), 200),
        (format!("device.lan:{port}"), 200),
        (format!("attacker.example:{port}"), 421),
        ("127.0.0.1.attacker.example".to_string(), 421),
    ] {
        let req = format!("GET / HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: gzip\r\n\r\n");
        let (got, text) = http(t.addr, req.as_bytes());
        assert_eq!(got, status, "{host}: {text}");
    }
    // An upgrade with a rebinding Host, even one whose Origin matches it.
    let req = upgrade_request(t.addr, "/tap", "Origin: http://attacker.example\r\n")
        .replace(&format!("Host: {}", t.addr), "Host: attacker.example");
    let (got, text) = http(t.addr, req.as_bytes());
    assert_eq!(got, 421, "{text}");
}

fn read_response_head_only(s: &mut TcpStream) -> (u16, String) {
    use std::io::Read;
    let mut buf = Vec::new();
    let mut b = [0u8; 1024];
    while find(&buf, b"\r\n\r\n").is_none() {
        let n = s.read(&mut b).unwrap();
        assert!(n > 0);
        buf.extend_from_slice(&b[..n]);
    }
    let text = String::from_utf8_lossy(&buf).to_string();
    (text[9..12].parse().unwrap(), text)
}

#[test]
fn malformed_requests_get_their_status_and_the_next_client_is_served() {
    let t = twin(|o| o.rate = 100);
    let mut watcher = connect(t.addr, "/printf");
    let big = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: {}\r\n\r\n", "a".repeat(5000));
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (b"GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), 404, "not found"),
        (b"DELETE / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), 405, "only GET and HEAD"),
        (b"GARBAGE\r\n\r\n".to_vec(), 400, "malformed request line"),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n".to_vec(), 400, "malformed HTTP request"),
        (b"GET / HTTP/3.0\r\n\r\n".to_vec(), 400, "unsupported HTTP version"),
        (big.into_bytes(), 431, "too large"),
        (upgrade_request(t.addr, "/nowhere", "").into_bytes(), 404, "no WebSocket service"),
        (upgrade_request(t.addr, "/echo", "").replace("Version: 13", "Version: 7").into_bytes(), 426, "need 13"),
        (
            upgrade_request(t.addr, "/echo", "").replace("dGhlIHNhbXBsZSBub25jZQ==", &"A".repeat(200)).into_bytes(),
            400,
            "Sec-WebSocket-Key",
        ),
        (
            upgrade_request(t.addr, "/echo", &format!("Sec-WebSocket-Protocol: {}\r\n", "p".repeat(200))).into_bytes(),
            400,
            "too long",
        ),
        (b"GET /printf HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), 426, "WebSocket endpoint"),
        (b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n".to_vec(), 400, "malformed"),
    ];
    for (req, status, why) in cases {
        let (got, text) = http(t.addr, &req);
        assert_eq!(got, status, "{}: {text}", String::from_utf8_lossy(&req[..req.len().min(40)]));
        assert!(text.contains(why), "{status}: body should say '{why}': {text}");
        if status == 426 && text.contains("need 13") {
            assert!(text.contains("Sec-WebSocket-Version: 13"));
        }
    }
    // The stream went on, and a new client is served.
    let before = seq(&until(&mut watcher, |l| l.starts_with('#')).0);
    let after = seq(&until(&mut watcher, |l| l.starts_with('#')).0);
    assert_eq!(after, before + 1);
    assert_eq!(http(t.addr, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n\r\n").0, 200);
}

#[test]
fn foreign_origins_are_refused_and_allowed_ones_accepted() {
    let t = twin(|o| o.allow_origin = vec!["https://ops.example".into()]);
    let host = t.addr.to_string();
    let (status, text) = http(t.addr, upgrade_request(t.addr, "/printf", "Origin: http://evil.example\r\n").as_bytes());
    assert_eq!(status, 403);
    assert!(text.contains("origin not allowed"));
    for ok in [format!("http://{host}"), "https://ops.example".into()] {
        let (status, _) = http(t.addr, upgrade_request(t.addr, "/printf", &format!("Origin: {ok}\r\n")).as_bytes());
        assert_eq!(status, 101, "{ok}");
    }
    // The dashboard's development server only when asked for.
    let dev = upgrade_request(t.addr, "/printf", "Origin: http://127.0.0.1:8088\r\n");
    assert_eq!(http(t.addr, dev.as_bytes()).0, 403);
    let t = twin(|o| o.allow_origin = vec!["http://127.0.0.1:8088".into()]);
    let dev = upgrade_request(t.addr, "/printf", "Origin: http://127.0.0.1:8088\r\n");
    assert_eq!(http(t.addr, dev.as_bytes()).0, 101);
}

#[test]
fn ws_only_answers_plain_requests_with_426() {
    let t = twin(|o| o.ws_only = true);
    let (status, text) = http(t.addr, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(status, 426);
    assert!(text.contains("Upgrade: websocket"));
    let mut ws = connect(t.addr, "/printf");
    assert_eq!(command(&mut ws, "pause"), "> paused");
}
