//! Close status codes ([RFC 6455 §7.4]).
//!
//! [RFC 6455 §7.4]: https://www.rfc-editor.org/rfc/rfc6455#section-7.4

/// A close status code: a `u16` with names for the ones RFC 6455 defines.
///
/// ```
/// use wisp::CloseCode;
/// assert!(CloseCode::NORMAL.is_allowed());
/// assert!(!CloseCode::NO_STATUS.is_allowed()); // 1005 never goes on the wire
/// assert!(CloseCode(4000).is_allowed());       // private use
/// assert_eq!(CloseCode::TOO_BIG.name(), "message too big");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CloseCode(pub u16);

impl CloseCode {
    /// 1000: the purpose of the connection is fulfilled.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: the endpoint is going away (server shutdown, page navigated away).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: a protocol error.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1005: no status code was present (never sent on the wire).
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// 1006: closed without a close frame (never sent on the wire).
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007: data inconsistent with its type, e.g. text that is not UTF-8.
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a message violates the endpoint's policy.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message too big to process.
    pub const TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server hit an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting (IANA registry).
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later, e.g. the server is at its connection limit (IANA registry).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1015: TLS handshake failure (never sent on the wire).
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// May a received close frame carry this code (§7.4.1, §7.4.2)?
    ///
    /// RFC 6455 defines 1000–1003 and 1007–1011 for the wire; 3000–4999 belong
    /// to libraries and applications. Everything else (below 1000, 1004–1006,
    /// 1012–2999, 5000 and up) is reserved or only reported locally, and a
    /// close frame carrying it is a protocol error.
    pub const fn is_allowed(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1011 | 3000..=4999)
    }

    /// May this endpoint send the code? The wire codes of [`is_allowed`],
    /// plus 1012–1014, which the IANA registry added after RFC 6455 and
    /// browsers understand (1013 "try again later" is how a full device
    /// turns a client away).
    ///
    /// [`is_allowed`]: CloseCode::is_allowed
    pub const fn is_sendable(self) -> bool {
        self.is_allowed() || matches!(self.0, 1012..=1014)
    }

    /// The code's meaning in a few words, for logs and the wire view.
    pub const fn name(self) -> &'static str {
        match self.0 {
            1000 => "normal closure",
            1001 => "going away",
            1002 => "protocol error",
            1003 => "unsupported data",
            1005 => "no status received",
            1006 => "abnormal closure",
            1007 => "invalid payload data",
            1008 => "policy violation",
            1009 => "message too big",
            1010 => "mandatory extension",
            1011 => "internal error",
            1012 => "service restart",
            1013 => "try again later",
            1014 => "bad gateway",
            1015 => "TLS handshake failure",
            3000..=3999 => "registered (library/framework)",
            4000..=4999 => "private use",
            _ => "reserved",
        }
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        CloseCode(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_codes_follow_section_7_4() {
        let allowed = |c: u16| CloseCode(c).is_allowed();
        for c in 0..=u16::MAX {
            let expect = matches!(c, 1000..=1003 | 1007..=1011 | 3000..=4999);
            assert_eq!(allowed(c), expect, "code {c}");
            let sendable = expect || matches!(c, 1012..=1014);
            assert_eq!(CloseCode(c).is_sendable(), sendable, "code {c}");
        }
        assert!(!allowed(1004) && !allowed(1005) && !allowed(1006) && !allowed(1012));
    }
}
