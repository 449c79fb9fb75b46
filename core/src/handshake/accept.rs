//! `Sec-WebSocket-Accept` ([RFC 6455 §4.2.2] item 5.4): Base64 of the SHA-1 of
//! the client's key followed by a fixed GUID. The SHA-1 is the device's
//! choice (see [`sha1`](super::sha1)).
//!
//! [RFC 6455 §4.2.2]: https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2

use super::sha1::Sha1;

/// The GUID of §1.3 that every accept value hashes in.
pub const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Length of a Base64-encoded 16-byte key.
pub const KEY_LEN: usize = 24;

/// Length of a Base64-encoded SHA-1 digest.
pub const ACCEPT_LEN: usize = 28;

/// Compute the accept value for a `Sec-WebSocket-Key`, as the ASCII bytes
/// that go in the header, with the SHA-1 the features chose
/// (`compact-sha1` or `sha1-smol`; only with one of them).
///
/// ```
/// // The example of RFC 6455 §1.3.
/// let accept = wisp::handshake::accept_key(b"dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(&accept, b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
#[cfg(any(feature = "sha1-smol", feature = "compact-sha1"))]
pub fn accept_key(key: &[u8; KEY_LEN]) -> [u8; ACCEPT_LEN] {
    accept_key_with(key, &mut super::sha1::Builtin::default())
}

/// `accept_key` with the SHA-1 the caller supplies (any [`Sha1`]).
pub fn accept_key_with<H: Sha1 + ?Sized>(key: &[u8; KEY_LEN], sha1: &mut H) -> [u8; ACCEPT_LEN] {
    // One message: the key, then the GUID (60 bytes, two SHA-1 blocks).
    // A byte loop, not two `copy_from_slice`: those link the aligned
    // `memcpy4` (124 B on a Cortex-M4) for one 60-byte copy.
    let mut message = [0u8; KEY_LEN + GUID.len()];
    for (m, b) in message.iter_mut().zip(key.iter().chain(GUID)) {
        *m = *b;
    }
    let mut out = [0u8; ACCEPT_LEN];
    base64(&sha1.digest(&message), &mut out);
    out
}

/// Does `key` decode to exactly 16 bytes (§4.2.1 item 5)?
///
/// Checked by shape, without decoding: 16 bytes are 21 whole Base64 digits,
/// one digit that carries the last 2 bits (its low 4 bits zero, so one of
/// `A`, `Q`, `g`, `w`), and `==`. A decoder would cost a device ~1 KB of ROM
/// to throw the bytes away.
pub fn is_valid_key(key: &[u8]) -> bool {
    let [body @ .., last, b'=', b'='] = key else { return false };
    key.len() == KEY_LEN
        && body.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
        && matches!(last, b'A' | b'Q' | b'g' | b'w')
}

/// Base64 of 16 nonce bytes: a client's `Sec-WebSocket-Key`.
pub fn encode_key(nonce: [u8; 16]) -> [u8; KEY_LEN] {
    let mut out = [0u8; KEY_LEN];
    base64(&nonce, &mut out);
    out
}

/// Base64 ([RFC 4648 §4], padded) of `src` into `out`, which has room for
/// exactly its digits: 4 for every 3 bytes begun (the key's 16 bytes and the
/// digest's 20 are all the handshake encodes).
///
/// One digit at a time from the 6 bits it covers, rather than a general
/// encoder: `base64ct`'s costs a device 372 B.
///
/// [RFC 4648 §4]: https://www.rfc-editor.org/rfc/rfc4648#section-4
fn base64(src: &[u8], out: &mut [u8]) {
    for (i, digit) in out.iter_mut().enumerate() {
        let bit = i * 6;
        // Past the last byte: padding.
        let Some(&hi) = src.get(bit / 8) else {
            *digit = b'=';
            continue;
        };
        // The digit's bits, from this byte and the next (zero past the end).
        let lo = src.get(bit / 8 + 1).copied().unwrap_or(0);
        let v = ((u16::from(hi) << 8 | u16::from(lo)) >> (10 - bit % 8)) as u8 & 0x3F;
        *digit = match v {
            0..=25 => b'A' + v,
            26..=51 => b'a' + (v - 26),
            52..=61 => b'0' + (v - 52),
            62 => b'+',
            _ => b'/',
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64ct::{Base64, Encoding};

    proptest::proptest! {
        /// The digit-at-a-time encoder agrees with `base64ct` on the two
        /// lengths the handshake encodes, and on every other short one.
        #[test]
        fn encoder_agrees_with_base64ct(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let mut ours = [0u8; 56];
            let len = bytes.len().div_ceil(3) * 4;
            base64(&bytes, &mut ours[..len]);
            let mut theirs = [0u8; 56];
            let expect = Base64::encode(&bytes, &mut theirs).unwrap();
            proptest::prop_assert_eq!(&ours[..len], expect.as_bytes());
        }

        #[test]
        fn digests_encode_as_base64ct_does(digest: [u8; 20]) {
            let mut ours = [0u8; ACCEPT_LEN];
            base64(&digest, &mut ours);
            let mut theirs = [0u8; ACCEPT_LEN];
            proptest::prop_assert_eq!(&ours[..], Base64::encode(&digest, &mut theirs).unwrap().as_bytes());
        }
    }

    proptest::proptest! {
        /// The shape check agrees with a strict decoder: on keys of random
        /// nonces, each with one byte replaced and its length changed or not.
        #[test]
        fn key_check_agrees_with_decoding(
            nonce: [u8; 16],
            at in 0..KEY_LEN,
            byte in proptest::sample::select(&b"AQgwBRaz09+/=-_! "[..]),
            len in proptest::sample::select(&[22usize, 23, 24, 24, 24, 25, 26][..]),
        ) {
            let mut buf = [b'='; 26];
            buf[..KEY_LEN].copy_from_slice(&encode_key(nonce));
            buf[at] = byte;
            let key = &buf[..len];
            let mut raw = [0u8; 16];
            let decodes = matches!(Base64::decode(key, &mut raw), Ok(d) if d.len() == 16);
            proptest::prop_assert_eq!(is_valid_key(key), decodes);
        }

        /// Every 16 bytes encode to a valid key.
        #[test]
        fn encoded_nonces_are_valid(nonce: [u8; 16]) {
            proptest::prop_assert!(is_valid_key(&encode_key(nonce)));
        }
    }

    #[test]
    fn keys() {
        assert!(is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ")); // unpadded
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=")); // 23 chars
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZ!=="));
        assert!(!is_valid_key(b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")); // 24 bytes of data
        assert!(!is_valid_key(&[b'A'; 200]));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZR==")); // non-zero trailing bits
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub2-jZQ==")); // URL-safe alphabet
        assert_eq!(&encode_key(*b"the sample nonce"), b"dGhlIHNhbXBsZSBub25jZQ==");
    }
}
