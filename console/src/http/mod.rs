//! The web server in front: one port for pages and WebSocket.
//!
//! [`route`] looks at one request head (split by
//! `wisp::handshake::http::parse_head`) and decides: serve a file (`GET`/
//! `HEAD`, `ETag`/`If-None-Match`, keep-alive), upgrade to a WebSocket
//! service through `wisp`'s server handshake — handed the headers this
//! server already parsed — or refuse with a status and a short text body
//! saying why (RFC 9110 §15). Who may ask is [`access`]'s to decide.

pub mod access;
#[cfg(feature = "files")]
pub mod files;

use wisp::handshake::http::{Head, list_contains};
use wisp::handshake::{UpgradeRequest, write_accept, write_refusal, write_response};

pub use access::{Access, Denied, LOOPBACK};
#[cfg(feature = "files")]
pub use files::Asset;

/// The WebSocket services of a device.
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

/// Which services a device offers (those left out at build time by their
/// cargo features are never offered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Services {
    /// `/printf`.
    pub printf: bool,
    /// `/echo` (feature `echo`).
    pub echo: bool,
    /// `/tap` (feature `tap`): it shows every other session's traffic, so a
    /// device on a shared network may turn it off.
    pub tap: bool,
}

impl Default for Services {
    fn default() -> Self {
        Services { printf: true, echo: cfg!(feature = "echo"), tap: cfg!(feature = "tap") }
    }
}

impl Services {
    /// Is `s` offered?
    pub fn offers(&self, s: Service) -> bool {
        match s {
            Service::Printf => self.printf,
            Service::Echo => self.echo && cfg!(feature = "echo"),
            Service::Tap => self.tap && cfg!(feature = "tap"),
        }
    }
}

/// What the web server is configured to do.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    /// Files to serve (empty: none).
    #[cfg(feature = "files")]
    pub files: &'a [Asset],
    /// No web server: plain requests get `426 Upgrade Required`.
    pub ws_only: bool,
    /// Keep connections open between requests. A device with a handful of
    /// sockets may turn this off, so a browser's idle connections do not hold
    /// the slots its WebSocket sessions need.
    pub keep_alive: bool,
    /// Who may ask.
    pub access: Access<'a>,
    /// The WebSocket services offered.
    pub services: Services,
}

impl Default for Site<'_> {
    fn default() -> Self {
        Site {
            #[cfg(feature = "files")]
            files: &[],
            ws_only: false,
            keep_alive: true,
            access: Access::default(),
            services: Services::default(),
        }
    }
}

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

/// Decide what to do with a request. `own` is the device's address if the
/// platform knows it; `full` says the device has no session left: a
/// WebSocket upgrade is then still accepted (the caller closes it at once
/// with 1013), a plain request gets `503`.
pub fn route(head: &Head<'_>, site: &Site<'_>, own: Option<&str>, full: bool, out: &mut [u8]) -> Route {
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
    let mut host: Option<&[u8]> = None;
    let mut wants_upgrade = false;
    let mut has_body = false;
    let mut close = http10;
    let mut if_none_match: Option<&[u8]> = None;
    let mut gzip_ok = false;
    let mut authorization: Option<&[u8]> = None;
    for (name, value) in head.headers {
        if name.eq_ignore_ascii_case("host") {
            hosts = hosts.saturating_add(1);
            host = Some(value);
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
        } else if name.eq_ignore_ascii_case("accept-encoding") {
            gzip_ok |= cfg!(feature = "files") && accepts(value);
        } else if name.eq_ignore_ascii_case("authorization") {
            authorization = Some(value);
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
    let host = host.and_then(|h| core::str::from_utf8(h).ok());
    if let Some(h) = host
        && !site.access.host_allowed(h, own)
    {
        return denied(Denied::Host, out);
    }
    if asterisk {
        return refuse_with(405, "only GET and HEAD", b"Allow: GET, HEAD\r\n", out);
    }

    if let Some(service) = Service::at(target)
        && site.services.offers(service)
    {
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
            && !site.access.origin_allowed(origin, up.host)
        {
            return denied(Denied::Origin, out);
        }
        if let Err(d) = site.access.token_check(target, authorization) {
            return denied(d, out);
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
        return refuse_with(426, "WebSocket only: upgrade to /printf", b"Upgrade: websocket\r\n", out);
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
    serve_file(target, method == "HEAD", if_none_match, gzip_ok, !close && site.keep_alive, site, out)
}

#[cfg(feature = "files")]
fn accepts(value: &[u8]) -> bool {
    files::accepts_gzip(value)
}

#[cfg(not(feature = "files"))]
fn accepts(_: &[u8]) -> bool {
    false
}

#[cfg(feature = "files")]
fn serve_file(
    target: &str,
    head_only: bool,
    if_none_match: Option<&[u8]>,
    gzip_ok: bool,
    keep_alive: bool,
    site: &Site<'_>,
    out: &mut [u8],
) -> Route {
    let path = target.split('?').next().unwrap_or(target);
    let path = if path == "/index.html" { "/" } else { path };
    let Some(asset) = site.files.iter().find(|a| a.path == path) else {
        return refuse(404, "not found", out);
    };
    if asset.gzip && !gzip_ok {
        // RFC 9110 §15.5.7: no representation the client accepts.
        return refuse(406, "this file is stored gzip-compressed: send Accept-Encoding: gzip", out);
    }
    match files::write_head(asset, if_none_match, keep_alive, out) {
        Ok((status, head)) => {
            let body = if head_only || status == 304 { &[][..] } else { asset.body };
            Route::File { status, head, body, keep_alive }
        }
        Err(_) => refuse(500, "response buffer too small", out),
    }
}

#[cfg(not(feature = "files"))]
fn serve_file(_: &str, _: bool, _: Option<&[u8]>, _: bool, _: bool, _: &Site<'_>, out: &mut [u8]) -> Route {
    refuse(404, "not found", out)
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

fn denied(d: Denied, out: &mut [u8]) -> Route {
    let extra: &[u8] = if d == Denied::NoToken { b"WWW-Authenticate: Bearer\r\n" } else { b"" };
    refuse_with(d.status(), d.reason(), extra, out)
}

/// A complete refusal: status, reason as the body, connection closed.
pub fn refuse(status: u16, reason: &'static str, out: &mut [u8]) -> Route {
    refuse_with(status, reason, b"", out)
}

fn refuse_with(status: u16, reason: &'static str, extra: &[u8], out: &mut [u8]) -> Route {
    let len = write_response(status, extra, reason.as_bytes(), out).unwrap_or(0);
    Route::Refuse { len, status, reason }
}
