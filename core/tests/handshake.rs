//! The opening handshake (RFC 6455 §4): the RFC's sample, every missing or
//! wrong header, hostile sizes, incremental input, and the client side.

use wisp::handshake::{ClientHandshake, UpgradeRequest, write_accept, write_refusal, write_terse_refusal};
use wisp::{Error, Status};

const SAMPLE: &str = "GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\n\
Sec-WebSocket-Version: 13\r\n\r\n";

fn parse(req: &str) -> Result<UpgradeRequest<'_>, Error> {
    match UpgradeRequest::parse(req.as_bytes())? {
        Status::Complete(r) => Ok(r),
        Status::Partial => panic!("partial: {req:?}"),
    }
}

/// Refusal as the server writes it: (status line, body).
fn refusal(err: Error) -> (String, String) {
    let (head, body) = refusal_with(write_refusal, err);
    // The terse form has the same head but for the length, and its status
    // phrase as the body.
    let (terse_head, terse_body) = refusal_with(write_terse_refusal, err);
    assert_eq!(without_length(&terse_head), without_length(&head), "{err:?}");
    let phrase = head.lines().next().unwrap().splitn(3, ' ').nth(2).unwrap();
    assert_eq!(terse_body, format!("{phrase}\n"), "{err:?}");
    (head.lines().next().unwrap().to_string(), body)
}

fn without_length(head: &str) -> Vec<&str> {
    head.lines().filter(|l| !l.starts_with("Content-Length")).collect()
}

/// (head, body) of a refusal, its Content-Length checked.
fn refusal_with(write: fn(Error, &mut [u8]) -> Result<usize, Error>, err: Error) -> (String, String) {
    let mut out = [0u8; 512];
    let n = write(err, &mut out).unwrap();
    let text = String::from_utf8(out[..n].to_vec()).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let len: usize = head.lines().find_map(|l| l.strip_prefix("Content-Length: ")).unwrap().parse().unwrap();
    assert_eq!(len, body.len());
    (head.to_string(), body.to_string())
}

#[test]
fn rfc_sample_is_accepted_with_the_rfc_accept_value() {
    let up = parse(SAMPLE).unwrap();
    assert_eq!((up.path, up.host, up.origin), ("/chat", "server.example.com", Some("http://example.com")));
    assert_eq!(up.head_len, SAMPLE.len());
    assert_eq!(up.protocols().collect::<Vec<_>>(), ["chat", "superchat"]);
    let mut out = [0u8; 256];
    let n = write_accept(&up, None, &mut out).unwrap();
    let text = std::str::from_utf8(&out[..n]).unwrap();
    assert_eq!(
        text,
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
    );
    // Too small a buffer is an error, not a truncated response.
    assert_eq!(write_accept(&up, None, &mut out[..40]), Err(Error::BufferTooSmall));
}

#[test]
fn incremental_input_is_partial_until_complete() {
    for cut in 0..SAMPLE.len() {
        assert_eq!(UpgradeRequest::parse(&SAMPLE.as_bytes()[..cut]), Ok(Status::Partial), "cut {cut}");
    }
}

#[test]
fn each_missing_or_wrong_header_gets_its_refusal() {
    let cases: &[(&str, &str, Error, u16)] = &[
        ("GET /chat", "POST /chat", Error::MethodNotGet, 400),
        ("HTTP/1.1\r\nHost", "HTTP/1.0\r\nHost", Error::HttpVersion, 400),
        ("Host: server.example.com\r\n", "", Error::MissingHost, 400),
        ("Host: server.example.com\r\n", "Host:\r\n", Error::MissingHost, 400),
        ("Upgrade: websocket\r\n", "", Error::MissingUpgrade, 400),
        ("Upgrade: websocket\r\n", "Upgrade: h2c\r\n", Error::MissingUpgrade, 400),
        ("Connection: Upgrade\r\n", "", Error::MissingConnectionUpgrade, 400),
        ("Connection: Upgrade\r\n", "Connection: keep-alive\r\n", Error::MissingConnectionUpgrade, 400),
        ("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "", Error::InvalidKey, 400),
        ("dGhlIHNhbXBsZSBub25jZQ==", "dGhlIHNhbXBsZSBub25jZQ", Error::InvalidKey, 400),
        ("dGhlIHNhbXBsZSBub25jZQ==", "not base64 at all!!!!!!!", Error::InvalidKey, 400),
        ("Sec-WebSocket-Version: 13\r\n", "", Error::MissingVersion, 400),
        ("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8", Error::UnsupportedVersion, 426),
        (
            "Sec-WebSocket-Protocol: chat, superchat",
            "Sec-WebSocket-Protocol: chat, sup\"erchat",
            Error::HttpSyntax,
            400,
        ),
        ("Origin: http://example.com\r\n", "Origin http://example.com\r\n", Error::HttpSyntax, 400),
    ];
    for (from, to, err, status) in cases {
        assert!(SAMPLE.contains(from), "{from}");
        let req = SAMPLE.replacen(from, to, 1);
        assert_eq!(parse(&req), Err(*err), "{from:?} -> {to:?}");
        assert_eq!(err.http_status(), Some(*status));
        let (line, body) = refusal(*err);
        let phrase = if *status == 426 { "Upgrade Required" } else { "Bad Request" };
        assert_eq!(line, format!("HTTP/1.1 {status} {phrase}"));
        assert_eq!(body.trim_end(), err.to_string());
    }
    // An error that is not about the request still refuses it, with 400.
    assert_eq!(refusal(Error::Closed), ("HTTP/1.1 400 Bad Request".into(), "malformed HTTP request\n".into()));
    // 426 tells the client which version to use (§4.2.2 item 4).
    let mut out = [0u8; 512];
    let n = write_refusal(Error::UnsupportedVersion, &mut out).unwrap();
    assert!(std::str::from_utf8(&out[..n]).unwrap().contains("\r\nSec-WebSocket-Version: 13\r\n"));
}

#[test]
fn header_names_and_lists_are_case_insensitive() {
    let req = SAMPLE
        .replace("Upgrade: websocket", "upgrade: WebSocket")
        .replace("Connection: Upgrade", "CONNECTION: keep-alive,  UPGRADE ")
        .replace("Host:", "hOsT:");
    assert!(parse(&req).is_ok());
}

#[test]
fn inputs_that_crash_other_stacks_get_400() {
    // A 200-byte key.
    let long_key = "A".repeat(200);
    let req = SAMPLE.replace("dGhlIHNhbXBsZSBub25jZQ==", &long_key);
    assert_eq!(parse(&req), Err(Error::InvalidKey));
    // A 200-byte subprotocol name.
    let long_proto = "p".repeat(200);
    let req = SAMPLE.replace("chat, superchat", &long_proto);
    assert_eq!(parse(&req), Err(Error::HeaderTooLong));
    assert_eq!(Error::HeaderTooLong.http_status(), Some(400));
    // Two keys.
    let req = SAMPLE.replace("Origin:", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin:");
    assert_eq!(parse(&req), Err(Error::InvalidKey));
    // A head beyond the bound: 431, before the end ever arrives.
    let huge = format!("GET / HTTP/1.1\r\nX-Pad: {}\r\n", "x".repeat(5000));
    assert_eq!(UpgradeRequest::parse(huge.as_bytes()), Err(Error::HeadersTooLarge));
    assert_eq!(refusal(Error::HeadersTooLarge).0, "HTTP/1.1 431 Request Header Fields Too Large");
    // Binary junk.
    assert!(UpgradeRequest::parse(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n").is_err());
}

#[test]
fn works_behind_a_web_server_that_parsed_the_request() {
    let headers = [
        ("Host", &b"device"[..]),
        ("Upgrade", b"websocket"),
        ("Connection", b"Upgrade"),
        ("Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        ("Sec-WebSocket-Version", b"13"),
        ("Sec-WebSocket-Protocol", b"debug"),
    ];
    let up = UpgradeRequest::from_parts("GET", "/printf", b"HTTP/1.1", headers).unwrap();
    assert!(up.offers("debug"));
    let mut out = [0u8; 256];
    let n = write_accept(&up, Some("debug"), &mut out).unwrap();
    assert!(std::str::from_utf8(&out[..n]).unwrap().contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    assert_eq!(UpgradeRequest::from_parts("PUT", "/", b"HTTP/1.1", headers), Err(Error::MethodNotGet));
}

#[test]
fn client_handshake_checks_the_answer() {
    let hs = ClientHandshake::new(*b"the sample nonce");
    let mut out = [0u8; 512];
    let n = hs.write_request("example.com", "/chat", Some("http://example.com"), Some("chat"), &mut out).unwrap();
    // The server side accepts what the client side writes.
    let req = std::str::from_utf8(&out[..n]).unwrap().to_string();
    let up = parse(&req).unwrap();
    assert!(up.offers("chat"));
    let mut resp = [0u8; 256];
    let m = write_accept(&up, Some("chat"), &mut resp).unwrap();
    let ok = hs.parse_response(&resp[..m], Some("chat")).unwrap().complete().unwrap();
    assert_eq!(ok.protocol, Some("chat"));
    for cut in 0..m {
        assert_eq!(hs.parse_response(&resp[..cut], Some("chat")), Ok(Status::Partial));
    }
    let good = std::str::from_utf8(&resp[..m]).unwrap().to_string();
    let bad = |from: &str, to: &str| {
        let r = good.replacen(from, to, 1);
        hs.parse_response(r.as_bytes(), Some("chat")).map(|_| ())
    };
    assert_eq!(bad("101 Switching Protocols", "200 OK"), Err(Error::NotSwitching));
    assert_eq!(bad("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "s3pPLMBiTxaQ9kYGzzhZRbK+xOp="), Err(Error::BadAccept));
    assert_eq!(bad("Upgrade: websocket\r\n", ""), Err(Error::MissingUpgrade));
    assert_eq!(bad("Connection: Upgrade\r\n", ""), Err(Error::MissingConnectionUpgrade));
    assert_eq!(bad("Protocol: chat", "Protocol: other"), Err(Error::UnexpectedProtocol));
    assert_eq!(
        bad("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
        Err(Error::UnexpectedExtension)
    );
}

#[test]
fn http_versions_from_1_1_up_are_accepted() {
    for (version, ok) in [
        ("HTTP/1.1", true),
        ("HTTP/1.2", true),
        ("HTTP/1.10", true),
        ("HTTP/2", true),
        ("HTTP/3.0", true),
        ("HTTP/1.0", false),
        ("HTTP/1.", false),
        ("HTTP/1.x", false),
        ("HTTP/0.9", false),
        ("HTTP/", false),
        ("HTTPS/1.1", false),
        ("HTTX/1.1", false),
    ] {
        let req = SAMPLE.replacen("HTTP/1.1", version, 1);
        let got = parse(&req);
        assert_eq!(got.is_ok(), ok, "{version}: {got:?}");
        if !ok {
            assert_eq!(got, Err(Error::HttpVersion), "{version}");
        }
    }
}
