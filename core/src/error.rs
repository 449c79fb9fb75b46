//! The one error type of the crate.
//!
//! Every protocol violation names the rule it broke and knows its answer: the
//! close code to send for a frame-level error ([RFC 6455 §7.4.1]), or the HTTP
//! status for a refused handshake ([RFC 6455 §4.2.2]). So the caller can always
//! fail a connection the way §7.1.7 asks without a table of its own.
//!
//! [RFC 6455 §7.4.1]: https://www.rfc-editor.org/rfc/rfc6455#section-7.4.1
//! [RFC 6455 §4.2.2]: https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2

use core::fmt;

use crate::frame::CloseCode;

/// Everything that can go wrong, from a bad byte on the wire to a full buffer.
///
/// The type is `Copy` and fieldless where it can be, so it costs nothing to
/// return through a hot path.
///
/// ```
/// use wisp::{CloseCode, Error};
/// assert_eq!(Error::InvalidUtf8.close_code(), CloseCode::INVALID_PAYLOAD);
/// assert_eq!(Error::MessageTooBig.close_code().0, 1009);
/// assert_eq!(Error::UnsupportedVersion.http_status(), Some(426));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    // ----- frames (close code 1002 unless noted) -----
    /// RSV1–3 set although no extension was negotiated (§5.2).
    ReservedBits,
    /// An opcode that RFC 6455 reserves (3–7, 0xB–0xF) (§5.2).
    ReservedOpcode,
    /// A client sent an unmasked frame; clients MUST mask (§5.1).
    UnmaskedFrame,
    /// A server sent a masked frame; servers MUST NOT mask (§5.1).
    MaskedFrame,
    /// A control frame with FIN clear; control frames MUST NOT be fragmented (§5.5).
    FragmentedControl,
    /// A control frame longer than 125 bytes (§5.5).
    ControlTooLong,
    /// A continuation frame with no fragmented message to continue (§5.4).
    UnexpectedContinuation,
    /// A new text or binary frame inside a fragmented message (§5.4).
    ExpectedContinuation,
    /// A 64-bit payload length with its most significant bit set (§5.2).
    LengthOverflow,
    /// A close frame with a one-byte payload (§5.5.1).
    ClosePayload,
    /// A close code that may not appear on the wire (§7.4).
    InvalidCloseCode,
    /// Text that is not UTF-8 (§8.1); close code 1007.
    InvalidUtf8,
    /// A frame longer than the configured maximum; close code 1009.
    FrameTooBig,
    /// A message longer than the configured maximum; close code 1009.
    MessageTooBig,

    // ----- use of the engine -----
    /// The connection is closed (or failed): nothing more can be read or sent.
    Closed,
    /// The output buffer cannot hold what must be written.
    BufferTooSmall,
    /// The transmit buffer has no room for this frame beside what is queued:
    /// write the queued output, then send it again.
    Full,

    // ----- the opening handshake (§4) -----
    /// The request or response is not well-formed HTTP/1.1 (400).
    HttpSyntax,
    /// The header block is larger than allowed (431).
    HeadersTooLarge,
    /// The method is not `GET` (§4.2.1 item 1) (400).
    MethodNotGet,
    /// The version is not `HTTP/1.1` or later (§4.2.1 item 1) (400).
    HttpVersion,
    /// No `Host` header (§4.2.1 item 2) (400).
    MissingHost,
    /// No `Upgrade: websocket` (§4.2.1 item 3) (400).
    MissingUpgrade,
    /// `Connection` does not list `upgrade` (§4.2.1 item 4) (400).
    MissingConnectionUpgrade,
    /// `Sec-WebSocket-Key` missing or not 16 bytes in Base64 (§4.2.1 item 5) (400).
    InvalidKey,
    /// No `Sec-WebSocket-Version` header (§4.2.1 item 6) (400).
    MissingVersion,
    /// `Sec-WebSocket-Version` is not 13 (§4.2.2 item 4) (426).
    UnsupportedVersion,
    /// A header value too long for this engine to accept (400).
    HeaderTooLong,
    /// The server did not answer `101 Switching Protocols` (§4.1).
    NotSwitching,
    /// `Sec-WebSocket-Accept` is missing or wrong (§4.1).
    BadAccept,
    /// The server chose a subprotocol the client did not offer (§4.1).
    UnexpectedProtocol,
    /// The server turned on an extension the client did not offer (§4.1).
    UnexpectedExtension,
}

impl Error {
    /// The close code to send when this error fails a connection (§7.4.1).
    ///
    /// Handshake and usage errors have no frame-level meaning; they map to
    /// 1002 and 1011 so the function stays total.
    // Out of line: inlined into the engine's one error path, it is folded
    // into a copy of that path for each error (M4 framing -52 B).
    #[inline(never)]
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Error::InvalidUtf8 => CloseCode::INVALID_PAYLOAD,
            Error::FrameTooBig | Error::MessageTooBig => CloseCode::TOO_BIG,
            Error::Closed | Error::BufferTooSmall | Error::Full => CloseCode::INTERNAL_ERROR,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }

    /// The HTTP status that refuses a handshake with this error, or `None` for
    /// an error that is not about the handshake request.
    pub const fn http_status(&self) -> Option<u16> {
        match self {
            Error::HeadersTooLarge => Some(431),
            Error::UnsupportedVersion => Some(426),
            Error::HttpSyntax
            | Error::MethodNotGet
            | Error::HttpVersion
            | Error::MissingHost
            | Error::MissingUpgrade
            | Error::MissingConnectionUpgrade
            | Error::InvalidKey
            | Error::MissingVersion
            | Error::HeaderTooLong => Some(400),
            _ => None,
        }
    }

    /// What went wrong, in words.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Error::ReservedBits => "reserved bits set without a negotiated extension",
            Error::ReservedOpcode => "reserved opcode",
            Error::UnmaskedFrame => "client frame is not masked",
            Error::MaskedFrame => "server frame is masked",
            Error::FragmentedControl => "fragmented control frame",
            Error::ControlTooLong => "control frame payload longer than 125 bytes",
            Error::UnexpectedContinuation => "continuation frame with no message to continue",
            Error::ExpectedContinuation => "new data frame inside a fragmented message",
            Error::LengthOverflow => "64-bit payload length has its top bit set",
            Error::ClosePayload => "close frame payload of one byte",
            Error::InvalidCloseCode => "close code not allowed on the wire",
            Error::InvalidUtf8 => "text is not valid UTF-8",
            Error::FrameTooBig => "frame larger than the maximum",
            Error::MessageTooBig => "message larger than the maximum",
            Error::Closed => "connection is closed",
            Error::BufferTooSmall => "buffer too small",
            Error::Full => "transmit buffer full",
            Error::NotSwitching => "server did not answer 101 Switching Protocols",
            Error::BadAccept => "Sec-WebSocket-Accept missing or wrong",
            Error::UnexpectedProtocol => "server chose a subprotocol that was not offered",
            Error::UnexpectedExtension => "server chose an extension that was not offered",
            // Listed, not `_`, so a new variant cannot miss its text.
            Error::HttpSyntax
            | Error::HeadersTooLarge
            | Error::MethodNotGet
            | Error::HttpVersion
            | Error::MissingHost
            | Error::MissingUpgrade
            | Error::MissingConnectionUpgrade
            | Error::InvalidKey
            | Error::MissingVersion
            | Error::UnsupportedVersion
            | Error::HeaderTooLong => self.refusal_reason(),
        }
    }

    /// The body of an HTTP refusal: why the upgrade request was refused.
    ///
    /// Apart from [`as_str`](Self::as_str) so that a server which never
    /// formats a frame error carries only these texts, not all of them. An
    /// error that is not about the request reads as a malformed request.
    pub const fn refusal_reason(&self) -> &'static str {
        match self {
            Error::HeadersTooLarge => "request header fields too large",
            Error::MethodNotGet => "WebSocket upgrade must use GET",
            Error::HttpVersion => "WebSocket upgrade needs HTTP/1.1",
            Error::MissingHost => "missing Host header",
            Error::MissingUpgrade => "missing 'Upgrade: websocket' header",
            Error::MissingConnectionUpgrade => "Connection header does not contain 'Upgrade'",
            Error::InvalidKey => "Sec-WebSocket-Key is missing or not 16 bytes of base64",
            Error::MissingVersion => "missing Sec-WebSocket-Version header",
            Error::UnsupportedVersion => "unsupported Sec-WebSocket-Version (need 13)",
            Error::HeaderTooLong => "header value too long",
            _ => "malformed HTTP request",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Error; 32] = [
        Error::ReservedBits,
        Error::ReservedOpcode,
        Error::UnmaskedFrame,
        Error::MaskedFrame,
        Error::FragmentedControl,
        Error::ControlTooLong,
        Error::UnexpectedContinuation,
        Error::ExpectedContinuation,
        Error::LengthOverflow,
        Error::ClosePayload,
        Error::InvalidCloseCode,
        Error::InvalidUtf8,
        Error::FrameTooBig,
        Error::MessageTooBig,
        Error::Closed,
        Error::BufferTooSmall,
        Error::Full,
        Error::HttpSyntax,
        Error::HeadersTooLarge,
        Error::MethodNotGet,
        Error::HttpVersion,
        Error::MissingHost,
        Error::MissingUpgrade,
        Error::MissingConnectionUpgrade,
        Error::InvalidKey,
        Error::MissingVersion,
        Error::UnsupportedVersion,
        Error::HeaderTooLong,
        Error::NotSwitching,
        Error::BadAccept,
        Error::UnexpectedProtocol,
        Error::UnexpectedExtension,
    ];

    #[test]
    fn every_error_has_its_own_text_and_a_refusal_says_the_same() {
        for (i, e) in ALL.iter().enumerate() {
            assert!(!e.as_str().is_empty(), "{e:?}");
            for other in &ALL[i + 1..] {
                assert_ne!(e.as_str(), other.as_str(), "{e:?} and {other:?}");
            }
            // A request error's refusal body is its text.
            if e.http_status().is_some() {
                assert_eq!(e.refusal_reason(), e.as_str(), "{e:?}");
            }
        }
    }
}
