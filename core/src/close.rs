//! The close frame's payload ([RFC 6455 §5.5.1]) and its validation (§7.4).
//!
//! The payload is empty, or a 2-byte big-endian status code followed by a UTF-8
//! reason; the whole payload, like any control frame's, is at most 125 bytes.
//!
//! [RFC 6455 §5.5.1]: https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1

use crate::{CloseCode, Error};

/// The longest reason a close frame can carry: 125 bytes less the code.
pub const MAX_REASON_LEN: usize = 123;

/// A close frame's status code and reason.
///
/// ```
/// use wisp::{CloseCode, CloseFrame};
/// let c = CloseFrame::parse(b"\x03\xe8bye").unwrap();
/// assert_eq!(c.code, Some(CloseCode::NORMAL));
/// assert_eq!(c.reason, "bye");
/// assert!(CloseFrame::parse(b"\x03").is_err());          // one byte: 1002
/// assert!(CloseFrame::parse(b"\x03\xed").is_err());      // code 1005: 1002
/// assert!(CloseFrame::parse(b"\x03\xe8\xff").is_err());  // bad UTF-8: 1007
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseFrame<'a> {
    /// The status code; `None` for an empty payload (reported as 1005).
    pub code: Option<CloseCode>,
    /// The reason, possibly empty.
    pub reason: &'a str,
}

impl<'a> CloseFrame<'a> {
    /// Validate a received close payload (already unmasked).
    ///
    /// A one-byte payload is [`Error::ClosePayload`]; a code that may not be
    /// on the wire is [`Error::InvalidCloseCode`]; a reason that is not UTF-8 is
    /// [`Error::InvalidUtf8`].
    pub fn parse(payload: &'a [u8]) -> Result<Self, Error> {
        match payload {
            [] => Ok(CloseFrame { code: None, reason: "" }),
            [_] => Err(Error::ClosePayload),
            [hi, lo, reason @ ..] => {
                let code = CloseCode(u16::from_be_bytes([*hi, *lo]));
                if !code.is_allowed() {
                    return Err(Error::InvalidCloseCode);
                }
                let reason = crate::utf8::Utf8Validator::validate(reason)?;
                Ok(CloseFrame { code: Some(code), reason })
            }
        }
    }

    /// The payload length [`write`](Self::write) produces.
    pub const fn len(&self) -> usize {
        match self.code {
            Some(_) => 2 + self.reason.len(),
            None => 0,
        }
    }

    /// True for a close frame without a code.
    pub const fn is_empty(&self) -> bool {
        self.code.is_none()
    }

    /// Write the payload into the start of `out`. The reason is cut at a
    /// character boundary to fit the 125-byte limit of control frames.
    pub fn write(&self, out: &mut [u8]) -> Result<usize, Error> {
        let Some(code) = self.code else {
            return Ok(0);
        };
        let reason = truncate(self.reason, MAX_REASON_LEN).as_bytes();
        let len = 2 + reason.len();
        let Some((head, tail)) = out.get_mut(..len).and_then(|o| o.split_first_chunk_mut::<2>()) else {
            return Err(Error::BufferTooSmall);
        };
        *head = code.0.to_be_bytes();
        tail.copy_from_slice(reason);
        Ok(len)
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character
/// boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let long = "é".repeat(100); // 200 bytes
        let c = CloseFrame { code: Some(CloseCode(4001)), reason: &long };
        let mut out = [0u8; 130];
        let n = c.write(&mut out).unwrap();
        assert!(n <= 125);
        let back = CloseFrame::parse(&out[..n]).unwrap();
        assert_eq!(back.code, Some(CloseCode(4001)));
        assert!(long.starts_with(back.reason));
        assert_eq!(back.reason.len(), 122); // 61 × 2 bytes: never half a char
    }

    #[test]
    fn every_code_is_checked() {
        for code in 0..=u16::MAX {
            let p = code.to_be_bytes();
            assert_eq!(CloseFrame::parse(&p).is_ok(), CloseCode(code).is_allowed(), "{code}");
        }
    }
}
