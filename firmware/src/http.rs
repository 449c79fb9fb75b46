//! The device's web server: one port for pages and WebSocket, like the
//! commercial web server add-on.
//!
//! [`route`] looks at one request head (already split by
//! `wisp::handshake::http::parse_head`) and decides: serve a file (`GET`/`HEAD`,
//! with `ETag`/`If-None-Match`, keep-alive), upgrade to a WebSocket service
//! through `wisp`'s server handshake — handed the headers this server already
//! parsed (the "with a web server" path) — or refuse with a status and a short
//! text body saying why (RFC 9110 §15).

use wisp::handshake::http::{Head, Writer, list_contains};
use wisp::handshake::{UpgradeRequest, write_accept, write_refusal, write_response};

/// A file the device serves.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Request path, e.g. `/` or `/wisp_web_bg.wasm`.
    pub path: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static [u8],
    /// Strong validator: FNV-1a of the body.
    pub etag: u64,
}

impl Asset {
    /// Describe a file; computes its `ETag` (once: at compile time in a
    /// `static`, so a board keeps its assets in flash).
    pub const fn new(path: &'static str, content_type: &'static str, body: &'static [u8]) -> Self {
        Asset { path, content_type, body, etag: fnv1a(body) }
    }
}

/// FNV-1a, 64-bit: a cheap, stable content hash for `ETag`s.
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    // A `while let` over the slice: iterators are not available in a
    // `const fn`, and indexing could panic.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut rest = bytes;
    while let [b, tail @ ..] = rest {
        h = (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        rest = tail;
    }
    h
}

/// The WebSocket services of the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `/printf`: the console stream and commands.
    Printf,
    /// `/echo`: every message back, any size up to the limit.
    Echo,
    /// `/tap`: every frame of every other session, as tap records.
    Tap,
}

impl Service {
    /// The service at a request path (query ignored).
    pub fn at(path: &str) -> Option<Service> {
        match path.split('?').next().unwrap_or(path) {
            "/printf" => Some(Service::Printf),
            "/echo" => Some(Service::Echo),
            "/tap" => Some(Service::Tap),
            _ => None,
        }
    }

    /// Its path.
    pub const fn path(self) -> &'static str {
        match self {
            Service::Printf => "/printf",
            Service::Echo => "/echo",
            Service::Tap => "/tap",
        }
    }
}

/// What the web server is configured to do.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    /// Files to serve (empty: none).
    pub assets: &'a [Asset],
    /// No web server: plain requests get `426 Upgrade Required`.
    pub ws_only: bool,
    /// Origins allowed besides the device's own (`--allow-origin`).
    pub allowed_origins: &'a [&'a str],
    /// Keep connections open between requests. A device with a handful of
    /// sockets turns this off, so a browser's idle connections do not hold
    /// the slots its WebSocket sessions need.
    pub keep_alive: bool,
}

/// Origins of the dashboard's development server (`trunk serve`, port 8088).
pub const DEV_ORIGINS: &[&str] = &["http://127.0.0.1:8088", "http://localhost:8088"];

/// The decision for one request. Every variant's response head (or whole
/// response) has been written into the output buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A file: `head` bytes written; then send `body` (empty for HEAD or 304).
    File {
        /// Status sent (200 or 304).
        status: u16,
        /// Length of the head written.
        head: usize,
        /// The body to send after it.
        body: &'static [u8],
        /// Keep the connection open for the next request.
        keep_alive: bool,
    },
    /// A WebSocket service: the `101` (`len` bytes) is written.
    Upgrade {
        /// Bytes written.
        len: usize,
        /// Which service.
        service: Service,
    },
    /// A refusal (`len` bytes); close the connection after sending it.
    Refuse {
        /// Bytes written.
        len: usize,
        /// The status, for the log.
        status: u16,
        /// Why, for the log.
        reason: &'static str,
    },
}

/// Decide what to do with a request. `full` says the device has no session
/// left: a WebSocket upgrade is then still accepted (the caller closes it at
/// once with 1013), a plain request gets `503`.
pub fn route(head: &Head<'_>, site: &Site<'_>, full: bool, out: &mut [u8]) -> Route {
    let mut parts = head.start_line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return refuse(400, "malformed request line", out);
    };
    let (Ok(method), Ok(target)) = (core::str::from_utf8(method), core::str::from_utf8(target)) else {
        return refuse(400, "request line is not UTF-8", out);
    };
    let http10 = match version {
        b"HTTP/1.1" => false,
        b"HTTP/1.0" => true,
        _ => return refuse(400, "unsupported HTTP version", out),
    };
    let target = origin_form(target);
    // `OPTIONS *` (RFC 9112 §3.2.4) is well-formed, only not served (405 below).
    let asterisk = target == "*" && method == "OPTIONS";
    if !(target.starts_with('/') || asterisk) || method.is_empty() {
        return refuse(400, "malformed request target", out);
    }
    let mut hosts = 0u8;
    let mut wants_upgrade = false;
    let mut has_body = false;
    let mut close = http10;
    let mut if_none_match: Option<&[u8]> = None;
    for (name, value) in head.headers {
        if name.eq_ignore_ascii_case("host") {
            hosts = hosts.saturating_add(1);
        } else if name.eq_ignore_ascii_case("upgrade") {
            wants_upgrade = true;
        } else if name.eq_ignore_ascii_case("connection") {
            if list_contains(value, "close") {
                close = true;
            } else if list_contains(value, "keep-alive") {
                close = false;
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            has_body |= value != b"0";
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            has_body = true;
        } else if name.eq_ignore_ascii_case("if-none-match") {
            if_none_match = Some(value);
        }
    }
    // RFC 9112 §3.2: 400 for an HTTP/1.1 request without a Host header, and
    // for any request with more than one.
    if hosts > 1 {
        return refuse(400, "more than one Host header", out);
    }
    if hosts == 0 && !http10 {
        return refuse(400, "missing Host header", out);
    }
    if asterisk {
        return refuse_with(405, "only GET and HEAD", b"Allow: GET, HEAD\r\n", out);
    }

    if let Some(service) = Service::at(target) {
        if !wants_upgrade && !site.ws_only {
            return refuse_with(426, "this is a WebSocket endpoint", b"Upgrade: websocket\r\n", out);
        }
        let up = match UpgradeRequest::from_parts(method, target, version, head.headers) {
            Ok(up) => up,
            Err(e) => {
                let len = write_refusal(e, out).unwrap_or(0);
                return Route::Refuse { len, status: e.http_status().unwrap_or(400), reason: e.as_str() };
            }
        };
        if let Some(origin) = up.origin
            && !origin_allowed(origin, up.host, site.allowed_origins)
        {
            return refuse(403, "origin not allowed", out);
        }
        // The commercial printf terminals offer the subprotocol `debug`.
        let protocol = (service == Service::Printf && up.offers("debug")).then_some("debug");
        let _ = full;
        return match write_accept(&up, protocol, out) {
            Ok(len) => Route::Upgrade { len, service },
            Err(_) => refuse(500, "response buffer too small", out),
        };
    }
    if site.ws_only {
        return refuse_with(426, "WebSocket only: upgrade to /printf, /echo or /tap", b"Upgrade: websocket\r\n", out);
    }
    if wants_upgrade && method == "GET" {
        return refuse(404, "no WebSocket service at this path", out);
    }
    if method != "GET" && method != "HEAD" {
        return refuse_with(405, "only GET and HEAD", b"Allow: GET, HEAD\r\n", out);
    }
    if has_body {
        return refuse(400, "GET and HEAD take no body", out);
    }
    if full {
        return refuse(503, "device busy: too many connections", out);
    }
    let path = target.split('?').next().unwrap_or(target);
    let path = if path == "/index.html" { "/" } else { path };
    let Some(asset) = site.assets.iter().find(|a| a.path == path) else {
        return refuse(404, "not found", out);
    };
    file(asset, method == "HEAD", if_none_match, !close && site.keep_alive, out)
}

/// The path of a request target in absolute-form (`http://host:port/path`),
/// which RFC 9112 §3.2.2 says a server MUST accept, as the origin-form
/// (`/path`) the rest of the routing reads. Any other target is returned as
/// it is.
fn origin_form(target: &str) -> &str {
    let after_scheme = ["http://", "https://"]
        .iter()
        .find(|s| target.get(..s.len()).is_some_and(|t| t.eq_ignore_ascii_case(s)))
        .and_then(|s| target.get(s.len()..));
    let Some(rest) = after_scheme else { return target };
    // The path starts at the first `/` after the authority; none before a
    // `?` (`http://host`, `http://host?q`) means the root.
    rest.bytes()
        .position(|b| b == b'/' || b == b'?')
        .and_then(|i| rest.get(i..))
        .filter(|p| p.starts_with('/'))
        .unwrap_or("/")
}

fn file(asset: &Asset, head_only: bool, if_none_match: Option<&[u8]>, keep_alive: bool, out: &mut [u8]) -> Route {
    let mut tag = [0u8; 18];
    tag[0] = b'"';
    tag[17] = b'"';
    for (i, slot) in tag.iter_mut().skip(1).take(16).enumerate() {
        let nibble = (asset.etag >> (60 - 4 * i)) & 0xF;
        *slot = b"0123456789abcdef".get(nibble as usize).copied().unwrap_or(b'0');
    }
    let fresh = if_none_match.is_some_and(|v| v == tag || v == b"*");
    let status: u16 = if fresh { 304 } else { 200 };
    let mut w = Writer::new(out);
    let written = (|| {
        w.put(if fresh { b"HTTP/1.1 304 Not Modified\r\n" } else { b"HTTP/1.1 200 OK\r\n" })?
            .put(b"Content-Type: ")?
            .put(asset.content_type.as_bytes())?
            .put(b"\r\nContent-Length: ")?
            .put_decimal(asset.body.len())?
            .put(b"\r\nETag: ")?
            .put(&tag)?
            .put(b"\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: ")?
            .put(if keep_alive { b"keep-alive" } else { b"close" })?
            .put(b"\r\n\r\n")?;
        Ok::<usize, wisp::Error>(w.len())
    })();
    match written {
        Ok(head) => Route::File { status, head, body: if head_only || fresh { &[] } else { asset.body }, keep_alive },
        Err(_) => refuse(500, "response buffer too small", out),
    }
}

/// Same origin, the dev server, or an allowed one (§10.2 of RFC 6455: the
/// server decides which origins it serves).
fn origin_allowed(origin: &str, host: &str, allowed: &[&str]) -> bool {
    let same = origin.strip_prefix("http://").is_some_and(|o| o.eq_ignore_ascii_case(host));
    same || DEV_ORIGINS.contains(&origin) || allowed.iter().any(|a| a.eq_ignore_ascii_case(origin))
}

/// A complete refusal: status, reason as the body, connection closed.
pub fn refuse(status: u16, reason: &'static str, out: &mut [u8]) -> Route {
    refuse_with(status, reason, b"", out)
}

fn refuse_with(status: u16, reason: &'static str, extra: &[u8], out: &mut [u8]) -> Route {
    let len = write_response(status, extra, reason.as_bytes(), out).unwrap_or(0);
    Route::Refuse { len, status, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use wisp::Status;

    #[test]
    fn etags_are_fnv1a_and_computable_at_compile_time() {
        // Test vectors of the FNV reference (draft-eastlake-fnv).
        const A: u64 = fnv1a(b"a");
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(A, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        static FILE: Asset = Asset::new("/x", "text/plain", b"a");
        assert_eq!(FILE.etag, A);
    }
    use wisp::handshake::http::parse_head;

    fn run(req: &str, ws_only: bool, full: bool) -> (Route, std::string::String) {
        static INDEX: &[u8] = b"<html>hi</html>";
        let assets = [Asset::new("/", "text/html; charset=utf-8", INDEX)];
        let site = Site { assets: &assets, ws_only, allowed_origins: &["https://ok.example"], keep_alive: true };
        let Ok(Status::Complete(head)) = parse_head(req.as_bytes(), 4096) else { panic!("head") };
        let mut out = [0u8; 1024];
        let r = route(&head, &site, full, &mut out);
        let n = match r {
            Route::File { head, .. } => head,
            Route::Upgrade { len, .. } | Route::Refuse { len, .. } => len,
        };
        (r, std::string::String::from_utf8(out[..n].to_vec()).unwrap())
    }

    const WS: &str = "GET /printf HTTP/1.1\r\nHost: dev:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

    #[test]
    fn files_with_etag_and_keep_alive() {
        let (r, text) = run("GET / HTTP/1.1\r\nHost: x\r\n\r\n", false, false);
        assert!(matches!(r, Route::File { status: 200, keep_alive: true, body, .. } if body.len() == 15));
        assert!(text.contains("Content-Length: 15\r\n") && text.contains("Content-Type: text/html"));
        let etag = text.lines().find_map(|l| l.strip_prefix("ETag: ")).unwrap().to_string();
        let (r, _) = run(&std::format!("GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: {etag}\r\n\r\n"), false, false);
        assert!(matches!(r, Route::File { status: 304, body: &[], .. }));
        let (r, _) = run("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false, false);
        assert!(matches!(r, Route::File { status: 200, body: &[], keep_alive: false, .. }));
    }

    #[test]
    fn a_device_without_keep_alive_closes_after_each_file() {
        static INDEX: &[u8] = b"x";
        let assets = [Asset::new("/", "text/html", INDEX)];
        let site = Site { assets: &assets, ws_only: false, allowed_origins: &[], keep_alive: false };
        let Ok(Status::Complete(head)) = parse_head(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 4096) else { panic!() };
        let mut out = [0u8; 512];
        let r = route(&head, &site, false, &mut out);
        assert!(matches!(r, Route::File { keep_alive: false, .. }));
        let Route::File { head: n, .. } = r else { panic!() };
        assert!(std::str::from_utf8(&out[..n]).unwrap().contains("Connection: close\r\n"));
    }

    #[test]
    fn refusals_have_status_and_reason() {
        let cases = [
            ("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n", 405),
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 400),
            ("GET nope HTTP/1.1\r\nHost: x\r\n\r\n", 400),
            ("GET /printf HTTP/1.1\r\nHost: x\r\n\r\n", 426),
            // RFC 9112 §3.2: Host is required in HTTP/1.1, and only once.
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
            ("GET / HTTP/1.0\r\nHost: x\r\nHost: y\r\n\r\n", 400),
            // The asterisk-form is for OPTIONS only (RFC 9112 §3.2.4).
            ("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 405),
            ("GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ];
        for (req, status) in cases {
            let (r, text) = run(req, false, false);
            assert!(matches!(r, Route::Refuse { status: s, .. } if s == status), "{req:?}: {r:?}");
            assert!(text.starts_with(&std::format!("HTTP/1.1 {status} ")), "{text}");
        }
        let (_, text) = run("GET / HTTP/1.1\r\n\r\n", false, false);
        assert!(text.ends_with("missing Host header\n"), "{text}");
        let (_, text) = run("GET / HTTP/1.1\r\nHost: x\r\nhost: x\r\n\r\n", false, false);
        assert!(text.ends_with("more than one Host header\n"), "{text}");
        let (r, _) = run("GET / HTTP/1.1\r\nHost: x\r\n\r\n", false, true);
        assert!(matches!(r, Route::Refuse { status: 503, .. }));
        let (r, text) = run("GET / HTTP/1.1\r\nHost: x\r\n\r\n", true, false);
        assert!(matches!(r, Route::Refuse { status: 426, .. }) && text.contains("Upgrade: websocket"));
    }

    #[test]
    fn an_http_1_0_request_needs_no_host() {
        let (r, text) = run("GET / HTTP/1.0\r\n\r\n", false, false);
        assert!(matches!(r, Route::File { .. }), "{r:?}");
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    }

    #[test]
    fn absolute_form_targets_are_routed_by_their_path() {
        // RFC 9112 §3.2.2: a server MUST accept the absolute-form.
        for target in
            ["http://dev:8080/", "HTTP://dev:8080/index.html", "https://dev/", "http://dev", "http://dev?x=/y"]
        {
            let (r, text) = run(&std::format!("GET {target} HTTP/1.1\r\nHost: dev\r\n\r\n"), false, false);
            assert!(matches!(r, Route::File { .. }), "{target}: {r:?}");
            assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{target}: {text}");
        }
        let (r, _) = run("GET http://dev:8080/nope HTTP/1.1\r\nHost: dev\r\n\r\n", false, false);
        assert!(matches!(r, Route::Refuse { status: 404, .. }), "{r:?}");
        let (r, _) =
            run(&std::format!("{}\r\n", WS.replace("GET /printf", "GET http://dev:8080/printf")), false, false);
        assert!(matches!(r, Route::Upgrade { service: Service::Printf, .. }), "{r:?}");
        let (r, _) = run("GET ftp://dev/ HTTP/1.1\r\nHost: dev\r\n\r\n", false, false);
        assert!(matches!(r, Route::Refuse { status: 400, .. }), "{r:?}");
    }

    #[test]
    fn upgrades_and_origins() {
        let (r, text) = run(&std::format!("{WS}\r\n"), false, false);
        assert_eq!(r, Route::Upgrade { len: text.len(), service: Service::Printf });
        let (r, text) = run(&std::format!("{WS}Sec-WebSocket-Protocol: debug\r\n\r\n"), false, false);
        assert!(matches!(r, Route::Upgrade { .. }) && text.contains("Sec-WebSocket-Protocol: debug"));
        for ok in ["http://dev:8080", "http://127.0.0.1:8088", "https://ok.example"] {
            let (r, _) = run(&std::format!("{WS}Origin: {ok}\r\n\r\n"), false, false);
            assert!(matches!(r, Route::Upgrade { .. }), "{ok}");
        }
        let (r, _) = run(&std::format!("{WS}Origin: http://evil.example\r\n\r\n"), false, false);
        assert!(matches!(r, Route::Refuse { status: 403, .. }));
        let bad_version = WS.replace("Version: 13", "Version: 8");
        let (r, text) = run(&std::format!("{bad_version}\r\n"), false, false);
        assert!(matches!(r, Route::Refuse { status: 426, .. }) && text.contains("Sec-WebSocket-Version: 13"));
        let (r, _) = run(&std::format!("{}\r\n", WS.replace("/printf", "/other")), false, false);
        assert!(matches!(r, Route::Refuse { status: 404, .. }));
    }
}
