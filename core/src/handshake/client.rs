//! The client's side of the handshake ([RFC 6455 §4.1]).
//!
//! The caller supplies 16 random bytes for the key (the engine has no RNG);
//! [`ClientHandshake`] writes the request and checks the `101` that answers it.
//!
//! [RFC 6455 §4.1]: https://www.rfc-editor.org/rfc/rfc6455#section-4.1

use super::accept::{ACCEPT_LEN, KEY_LEN, accept_key_with, encode_key};
use super::http::text;
use super::http::{self, eq_lower, list_contains, optional_field, parse_head, write_template};
use super::sha1::Sha1;
use crate::{Error, Status};

/// A client handshake in progress: remembers the key it sent.
///
/// ```
/// use wisp::handshake::ClientHandshake;
/// use wisp::Status;
///
/// let hs = ClientHandshake::new(*b"the sample nonce");
/// let mut out = [0u8; 256];
/// let n = hs.write_request("server.example.com", "/chat", None, None, &mut out).unwrap();
/// assert!(out[..n].starts_with(b"GET /chat HTTP/1.1\r\n"));
///
/// let answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
///     Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
/// let Status::Complete(resp) = hs.parse_response(answer, None).unwrap() else { panic!() };
/// assert_eq!(resp.head_len, answer.len());
/// assert_eq!(resp.protocol, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientHandshake {
    key: [u8; KEY_LEN],
    accept: [u8; ACCEPT_LEN],
}

/// The server's accepted answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    /// The subprotocol the server chose, if any.
    pub protocol: Option<&'a str>,
    /// Length of the response head; frames may follow it.
    pub head_len: usize,
}

impl ClientHandshake {
    /// Start a handshake with 16 bytes from a strong random source (§4.1:
    /// "randomly selected"). The accept key it expects is computed with the
    /// SHA-1 the features chose (`compact-sha1` or `sha1-smol`; only with one
    /// of them); [`with_hasher`](Self::with_hasher) takes the device's own.
    #[cfg(any(feature = "sha1-smol", feature = "compact-sha1"))]
    pub fn new(nonce: [u8; 16]) -> Self {
        Self::with_hasher(nonce, &mut super::sha1::Builtin::default())
    }

    /// `new` with the SHA-1 the device supplies (any [`Sha1`]);
    /// it is used once, here.
    pub fn with_hasher<H: Sha1 + ?Sized>(nonce: [u8; 16], sha1: &mut H) -> Self {
        let key = encode_key(nonce);
        ClientHandshake { key, accept: accept_key_with(&key, sha1) }
    }

    /// The `Sec-WebSocket-Key` this handshake sends.
    pub fn key(&self) -> &[u8] {
        &self.key
    }

    /// Write the upgrade request: `GET path` to `host`, with an `Origin` and a
    /// subprotocol list if given.
    pub fn write_request(
        &self,
        host: &str,
        path: &str,
        origin: Option<&str>,
        protocols: Option<&str>,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let (o0, o1, o2) = optional_field(b"Origin: ", origin);
        let (p0, p1, p2) = optional_field(b"Sec-WebSocket-Protocol: ", protocols);
        write_template(
            out,
            b"GET \x00 HTTP/1.1\r\nHost: \x01\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: \x02\r\nSec-WebSocket-Version: 13\r\n\x03\x04\x05\x06\x07\x08\r\n",
            &[path.as_bytes(), host.as_bytes(), &self.key, o0, o1, o2, p0, p1, p2],
        )
    }

    /// Check the server's response (§4.1, the client's checks 1–6).
    /// `offered` is the subprotocol list the request carried.
    pub fn parse_response<'a>(&self, buf: &'a [u8], offered: Option<&str>) -> Result<Status<Response<'a>>, Error> {
        let head = match parse_head(buf, http::MAX_HEAD_LEN)? {
            Status::Complete(head) => head,
            Status::Partial => return Ok(Status::Partial),
        };
        // Item 1: status 101.
        let mut parts = head.start_line.splitn(3, |&b| b == b' ');
        let (Some(version), Some(code)) = (parts.next(), parts.next()) else {
            return Err(Error::HttpSyntax);
        };
        if !version.starts_with(b"HTTP/") {
            return Err(Error::HttpSyntax);
        }
        if code != b"101" {
            return Err(Error::NotSwitching);
        }
        let (mut upgrade, mut connection, mut accepted, mut protocol) = (false, false, false, None);
        for (name, value) in head.headers {
            if eq_lower(name.as_bytes(), b"upgrade") {
                upgrade |= list_contains(value, "websocket");
            } else if eq_lower(name.as_bytes(), b"connection") {
                connection |= list_contains(value, "upgrade");
            } else if eq_lower(name.as_bytes(), b"sec-websocket-accept") {
                accepted = value == self.accept;
            } else if eq_lower(name.as_bytes(), b"sec-websocket-protocol") {
                protocol = Some(text(value).map_err(|_| Error::HttpSyntax)?);
            } else if eq_lower(name.as_bytes(), b"sec-websocket-extensions") {
                // Item 5: we offer no extensions, so none may be in use.
                return Err(Error::UnexpectedExtension);
            }
        }
        if !upgrade {
            return Err(Error::MissingUpgrade);
        }
        if !connection {
            return Err(Error::MissingConnectionUpgrade);
        }
        if !accepted {
            return Err(Error::BadAccept);
        }
        // Item 6: only a protocol we offered.
        if let Some(p) = protocol {
            let offered = offered.unwrap_or_default().as_bytes();
            if !http::list(offered).any(|o| o == p.as_bytes()) {
                return Err(Error::UnexpectedProtocol);
            }
        }
        Ok(Status::Complete(Response { protocol, head_len: head.len }))
    }
}
