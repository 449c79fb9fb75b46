//! The server's side of the handshake ([RFC 6455 §4.2]).
//!
//! Two ways in, one set of rules:
//! - **Without a web server**: [`UpgradeRequest::parse`] reads the raw request
//!   from the socket's bytes, incrementally.
//! - **With a web server** that has already parsed the request:
//!   [`UpgradeRequest::from_parts`] takes its method, target, version and
//!   header fields.
//!
//! Either way the result is validated against §4.2.1, and `write_accept`
//! ([`write_accept_with`] with the device's SHA-1) or [`write_refusal`]
//! writes the answer (§4.2.2).
//!
//! [RFC 6455 §4.2]: https://www.rfc-editor.org/rfc/rfc6455#section-4.2

use super::accept::{KEY_LEN, accept_key_with, is_valid_key};
use super::http::text;
use super::http::{
    self, decimal, eq_lower, is_tchar, list, list_contains, optional_field, parse_head, trim, write_template,
};
use super::sha1::Sha1;
use crate::{Error, Status};

/// The longest subprotocol name accepted (names are short tokens in
/// practice; a longer one is refused with 400 rather than carried around).
pub const MAX_PROTOCOL_LEN: usize = 64;

/// A validated WebSocket upgrade request, borrowing the request's bytes.
///
/// ```
/// use wisp::handshake::{UpgradeRequest, write_accept};
/// use wisp::Status;
///
/// // The sample request of RFC 6455 §1.3.
/// let req = b"GET /chat HTTP/1.1\r\n\
///     Host: server.example.com\r\n\
///     Upgrade: websocket\r\n\
///     Connection: Upgrade\r\n\
///     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///     Origin: http://example.com\r\n\
///     Sec-WebSocket-Protocol: chat, superchat\r\n\
///     Sec-WebSocket-Version: 13\r\n\r\n";
/// let Status::Complete(up) = UpgradeRequest::parse(req).unwrap() else { panic!() };
/// assert_eq!(up.path, "/chat");
/// assert_eq!(up.origin, Some("http://example.com"));
/// assert!(up.protocols().eq(["chat", "superchat"]));
///
/// let mut out = [0u8; 256];
/// let n = write_accept(&up, Some("chat"), &mut out).unwrap();
/// let text = core::str::from_utf8(&out[..n]).unwrap();
/// assert!(text.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
/// assert!(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
/// assert!(text.contains("Sec-WebSocket-Protocol: chat\r\n"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpgradeRequest<'a> {
    /// The request target, e.g. `/printf` or `/echo?x=1`.
    pub path: &'a str,
    /// The `Host` header.
    pub host: &'a str,
    /// The `Origin` header, sent by browsers (§4.2.1 item 7; §10.2).
    pub origin: Option<&'a str>,
    /// The `Sec-WebSocket-Key`, validated to be 16 bytes of Base64.
    pub key: &'a [u8; KEY_LEN],
    /// The `Sec-WebSocket-Protocol` list as sent; see [`protocols`].
    ///
    /// [`protocols`]: UpgradeRequest::protocols
    pub protocol_list: Option<&'a [u8]>,
    /// Length of the request head; the client's first frame may follow it.
    /// Zero for a request built with [`from_parts`](UpgradeRequest::from_parts).
    pub head_len: usize,
}

impl<'a> UpgradeRequest<'a> {
    /// Parse a request from raw bytes, bounded by [`http::MAX_HEAD_LEN`].
    ///
    /// [`Status::Partial`] until the head is complete; then the validated
    /// request or the error whose [`Error::http_status`] refuses it.
    pub fn parse(buf: &'a [u8]) -> Result<Status<Self>, Error> {
        Self::parse_with_limit(buf, http::MAX_HEAD_LEN)
    }

    /// [`parse`](Self::parse) with a caller-chosen bound on the head's size.
    pub fn parse_with_limit(buf: &'a [u8], max: usize) -> Result<Status<Self>, Error> {
        let head = match parse_head(buf, max)? {
            Status::Complete(head) => head,
            Status::Partial => return Ok(Status::Partial),
        };
        let (method, target, version) = request_line(head.start_line).ok_or(Error::HttpSyntax)?;
        let method = text(method).map_err(|_| Error::HttpSyntax)?;
        let target = text(target).map_err(|_| Error::HttpSyntax)?;
        let mut up = Self::from_parts(method, target, version, head.headers)?;
        up.head_len = head.len;
        Ok(Status::Complete(up))
    }

    /// Validate a request a web server has already parsed: its method, target,
    /// version (as on the request line, e.g. `b"HTTP/1.1"`) and header fields.
    ///
    /// ```
    /// use wisp::handshake::UpgradeRequest;
    /// let headers = [
    ///     ("host", &b"device.local"[..]),
    ///     ("upgrade", b"WebSocket"),
    ///     ("connection", b"keep-alive, Upgrade"),
    ///     ("sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
    ///     ("sec-websocket-version", b"13"),
    /// ];
    /// let up = UpgradeRequest::from_parts("GET", "/printf", b"HTTP/1.1", headers).unwrap();
    /// assert_eq!(up.host, "device.local");
    ///
    /// let wrong = [("host", &b"x"[..]), ("upgrade", b"websocket"), ("connection", b"upgrade"),
    ///              ("sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="), ("sec-websocket-version", b"8")];
    /// let err = UpgradeRequest::from_parts("GET", "/", b"HTTP/1.1", wrong).unwrap_err();
    /// assert_eq!(err.http_status(), Some(426));
    /// ```
    pub fn from_parts<I>(method: &str, target: &'a str, version: &[u8], headers: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        // §4.2.1 item 1: "An HTTP/1.1 or higher GET request".
        if !matches!(method.as_bytes(), b"GET") {
            return Err(Error::MethodNotGet);
        }
        if !is_http11_or_later(version) {
            return Err(Error::HttpVersion);
        }
        if target.as_bytes().first() != Some(&b'/') {
            return Err(Error::HttpSyntax);
        }
        // One loop over a table of names rather than a chain of comparisons:
        // on a device each comparison is code, a table entry is a few bytes.
        let (mut upgrade, mut connection, mut keys) = (false, false, 0u8);
        let mut found: [Option<&'a [u8]>; FIELDS] = [None; FIELDS];
        for (name, value) in headers {
            let Some(i) = field(name.as_bytes()) else { continue };
            match i {
                F_UPGRADE => upgrade |= list_contains(value, "websocket"),
                F_CONNECTION => connection |= list_contains(value, "upgrade"),
                _ => {
                    keys += u8::from(i == F_KEY && keys < 2);
                    if let Some(slot) = found.get_mut(i) {
                        *slot = Some(value);
                    }
                }
            }
        }
        let [host, _, _, ws_version, key, origin, protocols] = found;
        // Items 3 and 4: is this an upgrade to WebSocket at all?
        if !upgrade {
            return Err(Error::MissingUpgrade);
        }
        if !connection {
            return Err(Error::MissingConnectionUpgrade);
        }
        // Item 6, and §4.2.2 item 4: a version we do not speak gets 426 with
        // the versions we do.
        match ws_version.map(trim) {
            None => return Err(Error::MissingVersion),
            Some(b"13") => {}
            Some(_) => return Err(Error::UnsupportedVersion),
        }
        // Item 5: exactly one key, 16 bytes once decoded.
        let key = match key {
            Some(k) if keys == 1 && is_valid_key(k) => k.try_into().map_err(|_| Error::InvalidKey)?,
            _ => return Err(Error::InvalidKey),
        };
        // Item 2.
        let host = host.and_then(|h| text(h).ok()).filter(|h| !h.is_empty());
        let host = host.ok_or(Error::MissingHost)?;
        let origin = match origin {
            Some(o) => Some(text(o).map_err(|_| Error::HttpSyntax)?),
            None => None,
        };
        // Item 8: a list of tokens.
        if let Some(p) = protocols {
            for name in list(p) {
                if name.len() > MAX_PROTOCOL_LEN {
                    return Err(Error::HeaderTooLong);
                }
                if !name.iter().all(|&b| is_tchar(b)) {
                    return Err(Error::HttpSyntax);
                }
            }
        }
        Ok(UpgradeRequest { path: target, host, origin, key, protocol_list: protocols, head_len: 0 })
    }

    /// The subprotocols the client offered, in its order of preference.
    pub fn protocols(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        list(self.protocol_list.unwrap_or_default()).filter_map(|p| text(p).ok())
    }

    /// Did the client offer `name` (case-sensitive, as §4.1 compares)?
    pub fn offers(&self, name: &str) -> bool {
        self.protocols().any(|p| p == name)
    }

    /// The target without its query string.
    pub fn path_only(&self) -> &'a str {
        self.path.split('?').next().unwrap_or(self.path)
    }
}

/// `method SP request-target SP HTTP-version` (RFC 9112 §3): exactly two
/// spaces. Split at each by its position, not by a `split` iterator
/// (M4 -60 B).
fn request_line(line: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let (method, rest) = split_space(line)?;
    let (target, version) = split_space(rest)?;
    // Not `contains`: for bytes that links `memchr` (88 B on a Cortex-M4).
    #[allow(clippy::manual_contains)]
    if version.iter().any(|&b| b == b' ') {
        return None;
    }
    Some((method, target, version))
}

/// `line` before and after its first space.
fn split_space(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = line.iter().position(|&b| b == b' ')?;
    Some((line.get(..at)?, line.get(at + 1..)?))
}

/// The header fields the handshake reads (§4.2.1), lower-case, one after
/// the other, and their lengths: a table of seven slices would be 56 B.
const FIELD_NAMES: &[u8] = b"hostupgradeconnectionsec-websocket-versionsec-websocket-keyoriginsec-websocket-protocol";
const FIELD_LENS: [u8; 7] = [4, 7, 10, 21, 17, 6, 22];
const FIELDS: usize = FIELD_LENS.len();

/// Which of the fields `name` is, ignoring case.
fn field(name: &[u8]) -> Option<usize> {
    let mut at = 0;
    for (i, &len) in FIELD_LENS.iter().enumerate() {
        let end = at + usize::from(len);
        if FIELD_NAMES.get(at..end).is_some_and(|f| eq_lower(name, f)) {
            return Some(i);
        }
        at = end;
    }
    None
}
const F_UPGRADE: usize = 1;
const F_CONNECTION: usize = 2;
const F_KEY: usize = 4;

fn is_http11_or_later(version: &[u8]) -> bool {
    // An iterator comparison rather than `strip_prefix`: a loop, where
    // `strip_prefix` links `memcmp` and a slice pattern unrolls five compares.
    let Some(rest) = version.get(5..).filter(|_| version.iter().take(5).eq(b"HTTP/")) else {
        return false;
    };
    match rest {
        [b'1', b'.', minor @ ..] => !minor.is_empty() && minor.iter().all(u8::is_ascii_digit) && minor != [b'0'],
        [major, ..] => (b'2'..=b'9').contains(major),
        [] => false,
    }
}

/// Write `101 Switching Protocols` for `request` into `out` (§4.2.2 item 5),
/// choosing `protocol` (which should be one the client offered). The accept
/// key's SHA-1 is the one the features chose (`compact-sha1` or
/// `sha1-smol`; only with one of them); [`write_accept_with`] takes the
/// device's own.
#[cfg(any(feature = "sha1-smol", feature = "compact-sha1"))]
pub fn write_accept(request: &UpgradeRequest<'_>, protocol: Option<&str>, out: &mut [u8]) -> Result<usize, Error> {
    write_accept_with(request, protocol, &mut super::sha1::Builtin::default(), out)
}

/// `write_accept` with the SHA-1 the device supplies: a hash peripheral's
/// driver, its TLS stack's SHA-1, or any [`Sha1`].
///
/// ```
/// use wisp::handshake::{UpgradeRequest, write_accept_with};
/// # let headers = [("host", &b"device.local"[..]), ("upgrade", b"websocket"), ("connection", b"upgrade"),
/// #                ("sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="), ("sec-websocket-version", b"13")];
/// let up = UpgradeRequest::from_parts("GET", "/", b"HTTP/1.1", headers).unwrap();
/// // A closure is a `Sha1`: here the device's hash driver would run.
/// let mut device_sha1 = |message: &[u8]| sha1_smol::Sha1::from(message).digest().bytes();
/// let mut out = [0u8; 256];
/// let n = write_accept_with(&up, None, &mut device_sha1, &mut out).unwrap();
/// assert!(out[..n].windows(28).any(|w| w == b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
/// ```
pub fn write_accept_with<H: Sha1 + ?Sized>(
    request: &UpgradeRequest<'_>,
    protocol: Option<&str>,
    sha1: &mut H,
    out: &mut [u8],
) -> Result<usize, Error> {
    let (p0, p1, p2) = optional_field(b"Sec-WebSocket-Protocol: ", protocol);
    write_template(
        out,
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Accept: \x00\r\n\x01\x02\x03\r\n",
        &[&accept_key_with(request.key, sha1), p0, p1, p2],
    )
}

/// Write the HTTP refusal for a handshake error into `out`: its status (400,
/// 426 with `Sec-WebSocket-Version: 13`, or 431), and the reason as a
/// plain-text body. An error that is not about the request gets 400.
///
/// ```
/// let mut out = [0u8; 256];
/// let n = wisp::handshake::write_refusal(wisp::Error::UnsupportedVersion, &mut out).unwrap();
/// let text = core::str::from_utf8(&out[..n]).unwrap();
/// assert!(text.starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
/// assert!(text.contains("Sec-WebSocket-Version: 13\r\n"));
/// assert!(text.ends_with("unsupported Sec-WebSocket-Version (need 13)\n"));
/// ```
pub fn write_refusal(error: Error, out: &mut [u8]) -> Result<usize, Error> {
    refusal(error, true, out)
}

/// [`write_refusal`] with the status phrase as the body instead of the
/// reason: the same status and headers, and a device that refuses this way
/// links none of the reason texts (540 B less on a Cortex-M4).
///
/// ```
/// let mut out = [0u8; 256];
/// let n = wisp::handshake::write_terse_refusal(wisp::Error::InvalidKey, &mut out).unwrap();
/// let text = core::str::from_utf8(&out[..n]).unwrap();
/// assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"));
/// assert!(text.ends_with("\r\n\r\nBad Request\n"));
/// ```
pub fn write_terse_refusal(error: Error, out: &mut [u8]) -> Result<usize, Error> {
    refusal(error, false, out)
}

// Inlined into both callers, so each links only the body it writes.
#[inline(always)]
fn refusal(error: Error, reason: bool, out: &mut [u8]) -> Result<usize, Error> {
    // The three statuses spelled out here rather than through
    // `reason_phrase`, so a device links three phrases, not twelve; the codes
    // as text, so they need no decimal conversion; and the terse body's
    // length (the phrase and a newline) as text too.
    let (status, phrase, extra, terse_len): (&[u8], &str, &[u8], &[u8]) = match error.http_status() {
        Some(426) => (b"426", "Upgrade Required", b"Sec-WebSocket-Version: 13\r\n", b"17"),
        Some(431) => (b"431", "Request Header Fields Too Large", b"", b"32"),
        _ => (b"400", "Bad Request", b"", b"12"),
    };
    let mut digits = [0; 20];
    let (body, length) = if reason {
        let body = error.refusal_reason().as_bytes();
        (body, decimal(body.len() + 1, &mut digits))
    } else {
        (phrase.as_bytes(), terse_len)
    };
    write_plain(status, phrase, extra, length, body, out)
}

/// Write a complete plain-text HTTP/1.1 response that closes the connection:
/// status line, `extra` header lines (each ending in CRLF), and `body`
/// followed by a newline. For the refusals a device's server sends (403,
/// 404, 503 …).
pub fn write_response(status: u16, extra: &[u8], body: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let (mut code, mut length) = ([0; 20], [0; 20]);
    let (code, length) = (decimal(usize::from(status), &mut code), decimal(body.len() + 1, &mut length));
    write_plain(code, reason_phrase(status), extra, length, body, out)
}

/// The response of [`write_response`], with `length` the body's length and
/// its newline in decimal.
fn write_plain(
    status: &[u8],
    phrase: &str,
    extra: &[u8],
    length: &[u8],
    body: &[u8],
    out: &mut [u8],
) -> Result<usize, Error> {
    write_template(
        out,
        b"HTTP/1.1 \x00 \x01\r\n\x02Content-Type: text/plain; charset=utf-8\r\nContent-Length: \x03\r\n\
          Connection: close\r\n\r\n\x04\n",
        &[status, phrase.as_bytes(), extra, length, body],
    )
}

/// The reason phrase of the statuses a WebSocket device answers with.
pub const fn reason_phrase(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        421 => "Misdirected Request",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_says_its_body_length() {
        for e in [Error::InvalidKey, Error::UnsupportedVersion, Error::HeadersTooLarge, Error::Closed] {
            for write in [write_refusal, write_terse_refusal] {
                let mut out = [0u8; 512];
                let n = write(e, &mut out).unwrap();
                let text = core::str::from_utf8(&out[..n]).unwrap();
                let (head, body) = text.split_once("\r\n\r\n").unwrap();
                let length = head.split("\r\n").find_map(|l| l.strip_prefix("Content-Length: ")).unwrap();
                assert_eq!(length.parse::<usize>().unwrap(), body.len(), "{e:?}: {text}");
            }
        }
    }

    proptest::proptest! {
        /// The request line splits as `split(' ')` into exactly three parts
        /// would split it.
        #[test]
        fn request_line_is_three_parts_at_two_spaces(line in "[G /H1.]{0,10}") {
            let mut parts = line.as_bytes().split(|&b| b == b' ');
            let expect = match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(m), Some(t), Some(v), None) => Some((m, t, v)),
                _ => None,
            };
            proptest::prop_assert_eq!(request_line(line.as_bytes()), expect);
        }
    }

    #[test]
    fn each_field_name_is_found_in_any_case() {
        let names = [
            "host",
            "upgrade",
            "connection",
            "sec-websocket-version",
            "sec-websocket-key",
            "origin",
            "sec-websocket-protocol",
        ];
        assert_eq!(FIELD_LENS.iter().map(|&l| usize::from(l)).sum::<usize>(), FIELD_NAMES.len());
        for (i, name) in names.iter().enumerate() {
            assert_eq!(field(name.as_bytes()), Some(i), "{name}");
            assert_eq!(field(name.to_ascii_uppercase().as_bytes()), Some(i), "{name}");
            assert_eq!(field(&name.as_bytes()[1..]), None, "{name}");
        }
        assert_eq!(field(b"sec-websocket-extensions"), None);
    }
}
