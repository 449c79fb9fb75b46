//! Incremental UTF-8 validation ([RFC 6455 §8.1]).
//!
//! A text message arrives in frames, and a frame in chunks; a code point may be
//! cut anywhere. [`Utf8Validator`] keeps one byte of state between chunks: how
//! many continuation bytes are still owed and which range the next one must fall
//! in (the ranges of RFC 3629 §4 that rule out overlong forms, surrogates and
//! values above U+10FFFF). On a host the bulk of each chunk goes through
//! `core::str::from_utf8` and only the bytes around a cut are stepped one by
//! one; a microcontroller steps every byte but skips ASCII a word at a time,
//! with no table and no `from_utf8` in its ROM.
//!
//! Validation fails on the first byte that cannot continue a valid sequence,
//! not at the end of the message: §8.1 asks an endpoint to fail the connection
//! as soon as it sees invalid data.
//!
//! [RFC 6455 §8.1]: https://www.rfc-editor.org/rfc/rfc6455#section-8.1

use crate::Error;

/// Validates a text message fed in pieces of any size.
///
/// ```
/// use wisp::utf8::Utf8Validator;
/// let text = "naïve €".as_bytes();
/// let mut v = Utf8Validator::new();
/// for byte in text.chunks(1) {
///     v.feed(byte).unwrap(); // "€" is three bytes, fed one at a time
/// }
/// assert!(v.finish().is_ok());
///
/// let mut v = Utf8Validator::new();
/// v.feed(&[0xE2, 0x82]).unwrap();       // a prefix of "€": fine so far
/// assert!(v.finish().is_err());         // but the message ends inside it
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Utf8Validator {
    state: u8,
}

// The state: the number of continuation bytes still owed in bits 0..1, and
// in bits 2..5 which quarters of 80..=BF (by the byte's bits 4..5) the next
// one may fall in: the ranges of RFC 3629 §4 after E0, ED, F0 and F4.
/// 80..=BF.
const ANY: u8 = 0b1111 << 2;
/// A0..=BF: no overlong three-byte forms.
const AFTER_E0: u8 = 0b1100 << 2;
/// 80..=9F: no UTF-16 surrogates.
const AFTER_ED: u8 = 0b0011 << 2;
/// 90..=BF: no overlong four-byte forms.
const AFTER_F0: u8 = 0b1110 << 2;
/// 80..=8F: nothing above U+10FFFF.
const AFTER_F4: u8 = 0b0001 << 2;

impl Utf8Validator {
    /// A validator at the start of a message.
    pub const fn new() -> Self {
        Utf8Validator { state: 0 }
    }

    /// Restore a validator from [`to_byte`](Self::to_byte), for state packed
    /// into a larger struct.
    pub const fn from_byte(state: u8) -> Self {
        Utf8Validator { state }
    }

    /// The validator's whole state as one byte.
    pub const fn to_byte(self) -> u8 {
        self.state
    }

    /// True when the bytes so far end on a code point boundary.
    pub const fn is_boundary(self) -> bool {
        self.state == 0
    }

    /// Check the next piece of the message.
    ///
    /// Returns [`Error::InvalidUtf8`] as soon as a byte cannot be part of valid
    /// UTF-8, even if the piece ends right after it.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), Error> {
        #[cfg(not(target_os = "none"))]
        return self.feed_host(bytes);
        #[cfg(target_os = "none")]
        return self.feed_portable(bytes);
    }

    /// Hosts: the bulk goes through `core::str::from_utf8`, the fastest
    /// validator there is; only the bytes around a cut are stepped.
    #[cfg(not(target_os = "none"))]
    fn feed_host(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        // Finish a code point the previous piece cut.
        while self.state != 0 {
            let Some((&b, rest)) = bytes.split_first() else {
                return Ok(());
            };
            self.state = step(self.state, b)?;
            bytes = rest;
        }
        match core::str::from_utf8(bytes) {
            Ok(_) => Ok(()),
            // `error_len() == None`: the piece ends inside a sequence that is
            // valid so far; remember where it stands.
            Err(e) if e.error_len().is_none() => {
                for &b in bytes.get(e.valid_up_to()..).unwrap_or_default() {
                    self.state = step(self.state, b)?;
                }
                Ok(())
            }
            Err(_) => Err(Error::InvalidUtf8),
        }
    }

    /// `feed` on a microcontroller: no 256-byte table and no `from_utf8` in
    /// ROM. ASCII is skipped a word at a time (between code points);
    /// everything else, a code point the previous piece cut included, goes
    /// through `step`. Public for the benchmarks only.
    #[doc(hidden)]
    pub fn feed_portable(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let mut rest = bytes;
        loop {
            if self.state == 0 {
                while let Some((word, tail)) = rest.split_first_chunk::<4>() {
                    if u32::from_ne_bytes(*word) & 0x8080_8080 != 0 {
                        break;
                    }
                    rest = tail;
                }
            }
            let Some((&b, tail)) = rest.split_first() else { return Ok(()) };
            self.state = step(self.state, b)?;
            rest = tail;
        }
    }

    /// Validate a complete piece of text (a close reason, a header value):
    /// `core::str::from_utf8` without its ROM cost on a microcontroller.
    ///
    /// ```
    /// use wisp::utf8::Utf8Validator;
    /// assert_eq!(Utf8Validator::validate("é!".as_bytes()), Ok("é!"));
    /// assert!(Utf8Validator::validate(b"\xe2\x82").is_err());
    /// ```
    #[allow(unsafe_code)]
    pub fn validate(bytes: &[u8]) -> Result<&str, Error> {
        let mut v = Utf8Validator::new();
        v.feed(bytes)?;
        v.finish()?;
        // SAFETY: `feed` accepted every byte and `finish` found no open
        // sequence, so `bytes` is UTF-8 (the validator is tested against
        // `core::str::from_utf8` on every 1- and 2-byte input and at every
        // split point of multi-byte samples).
        Ok(unsafe { core::str::from_utf8_unchecked(bytes) })
    }

    /// The message has ended: it is valid only if no code point is left open.
    /// The validator is reset for the next message either way.
    pub fn finish(&mut self) -> Result<(), Error> {
        let open = self.state != 0;
        self.state = 0;
        if open { Err(Error::InvalidUtf8) } else { Ok(()) }
    }
}

/// One byte through the state machine: the new state, or the error.
fn step(state: u8, b: u8) -> Result<u8, Error> {
    if state == 0 {
        return match b {
            0x00..=0x7F => Ok(0),
            // Two-, three- and four-byte forms: 1, 2 or 3 bytes to follow.
            0xC2..=0xF4 => {
                let owed = 1 + u8::from(b >= 0xE0) + u8::from(b >= 0xF0);
                let next = match b {
                    0xE0 => AFTER_E0,
                    0xED => AFTER_ED,
                    0xF0 => AFTER_F0,
                    0xF4 => AFTER_F4,
                    _ => ANY,
                };
                Ok(owed | next)
            }
            // 80..BF: a continuation byte with nothing to continue; C0, C1:
            // overlong two-byte forms; F5..FF: beyond U+10FFFF.
            _ => Err(Error::InvalidUtf8),
        };
    }
    // A continuation byte is 10xxxxxx, and its bits 4..5 pick a quarter of
    // 80..BF that the state must allow.
    if b & 0xC0 != 0x80 || (state >> (2 + (b >> 4 & 3))) & 1 == 0 {
        return Err(Error::InvalidUtf8);
    }
    // One continuation byte fewer; later ones may take any value.
    let owed = (state & 3) - 1;
    Ok(if owed == 0 { 0 } else { owed | ANY })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn whole(bytes: &[u8]) -> bool {
        let mut v = Utf8Validator::new();
        let host = v.feed(bytes).is_ok() && v.finish().is_ok();
        let mut c = Utf8Validator::new();
        let compact = c.feed_compact(bytes).is_ok() && c.finish().is_ok();
        assert_eq!(host, compact, "the two bulk paths disagree on {bytes:x?}");
        host
    }

    impl Utf8Validator {
        /// `feed` through the microcontroller path.
        fn feed_compact(&mut self, bytes: &[u8]) -> Result<(), Error> {
            self.feed_portable(bytes)
        }
    }

    #[test]
    fn agrees_with_core_at_every_split_point() {
        let samples: &[&[u8]] = &[
            "κόσμε".as_bytes(),
            "Hello-µ@ßöäüàá-UTF-8!!".as_bytes(),
            "\u{0}\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}".as_bytes(),
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited", // surrogate
            b"\xc0\xaf",                                                       // overlong '/'
            b"\xe0\x80\xaf",                                                   // overlong '/'
            b"\xf0\x80\x80\xaf",                                               // overlong '/'
            b"\xf4\x90\x80\x80",                                               // U+110000
            b"\xed\xbf\xbf",                                                   // U+DFFF
            b"\xf8\x88\x80\x80\x80",                                           // 5-byte form
            b"\xfe\xff",
            b"\x80",
            b"\xe2\x82",     // truncated at end
            b"\xf0\x9f\x98", // truncated at end
            "€𝄞 ok".as_bytes(),
        ];
        for s in samples {
            let expect = core::str::from_utf8(s).is_ok();
            assert_eq!(whole(s), expect, "{s:x?}");
            // Any two-way and three-way split gives the same answer.
            for i in 0..=s.len() {
                for j in i..=s.len() {
                    let mut v = Utf8Validator::new();
                    let ok = v.feed(&s[..i]).is_ok()
                        && v.feed(&s[i..j]).is_ok()
                        && v.feed(&s[j..]).is_ok()
                        && v.finish().is_ok();
                    assert_eq!(ok, expect, "{s:x?} split at {i},{j}");
                    let mut c = Utf8Validator::new();
                    let ok = c.feed_compact(&s[..i]).is_ok()
                        && c.feed_compact(&s[i..j]).is_ok()
                        && c.feed_compact(&s[j..]).is_ok()
                        && c.finish().is_ok();
                    assert_eq!(ok, expect, "compact: {s:x?} split at {i},{j}");
                }
            }
        }
    }

    #[test]
    fn every_two_and_three_byte_prefix_agrees_with_core() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let s = [a, b];
                assert_eq!(whole(&s), core::str::from_utf8(&s).is_ok(), "{s:x?}");
                let mut v = Utf8Validator::new();
                let split = v.feed(&[a]).is_ok() && v.feed(&[b]).is_ok() && v.finish().is_ok();
                assert_eq!(split, core::str::from_utf8(&s).is_ok(), "{s:x?} split");
            }
        }
    }

    #[test]
    fn every_three_byte_and_many_four_byte_sequences_agree_with_core() {
        // Every lead byte that starts a longer form, with every second and
        // third byte; the four-byte forms also with a fourth byte at each edge.
        for a in 0xE0..=0xF4u8 {
            for b in 0..=255u8 {
                for c in 0..=255u8 {
                    let s = [a, b, c];
                    assert_eq!(whole(&s), core::str::from_utf8(&s).is_ok(), "{s:x?}");
                    if a >= 0xF0 {
                        for d in [0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xFF] {
                            let s = [a, b, c, d];
                            assert_eq!(whole(&s), core::str::from_utf8(&s).is_ok(), "{s:x?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn fails_on_first_bad_byte_not_at_the_end() {
        // The surrogate's first two bytes are already impossible.
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(b"ok \xed\xa0"), Err(Error::InvalidUtf8));
        // A lead byte beyond U+10FFFF fails when it arrives alone.
        let mut v = Utf8Validator::new();
        assert_eq!(v.feed(&[0xF5]), Err(Error::InvalidUtf8));
        // Fed one byte at a time, the second byte of an overlong form fails.
        let mut v = Utf8Validator::new();
        v.feed(&[0xE0]).unwrap();
        assert_eq!(v.feed(&[0x80]), Err(Error::InvalidUtf8));
    }

    #[test]
    fn all_code_points_validate_one_byte_at_a_time() {
        let mut buf = Vec::new();
        for c in (0..=0x10FFFFu32).step_by(97).filter_map(char::from_u32) {
            let mut tmp = [0u8; 4];
            buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
        let mut v = Utf8Validator::new();
        for b in buf.chunks(1) {
            v.feed(b).unwrap();
        }
        v.finish().unwrap();
        let mut c = Utf8Validator::new();
        for b in buf.chunks(7) {
            c.feed_compact(b).unwrap();
        }
        c.finish().unwrap();
        // And invalid bytes anywhere in a long ASCII run are found.
        for at in [0usize, 3, 4, 5, 63, 64, 65] {
            let mut bad = std::vec![b'a'; 70];
            bad[at] = 0xFF;
            assert!(!whole(&bad), "0xFF at {at}");
        }
    }
}
