//! `Sec-WebSocket-Accept` ([RFC 6455 §4.2.2] item 5.4): Base64 of the SHA-1 of
//! the client's key followed by a fixed GUID.
//!
//! [RFC 6455 §4.2.2]: https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2

use base64ct::{Base64, Encoding};

/// The GUID of §1.3 that every accept value hashes in.
pub const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Length of a Base64-encoded 16-byte key.
pub const KEY_LEN: usize = 24;

/// Length of a Base64-encoded SHA-1 digest.
pub const ACCEPT_LEN: usize = 28;

/// Compute the accept value for a `Sec-WebSocket-Key`, as the ASCII bytes
/// that go in the header.
///
/// ```
/// // The example of RFC 6455 §1.3.
/// let accept = wisp::handshake::accept_key(b"dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(&accept, b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(key: &[u8]) -> [u8; ACCEPT_LEN] {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(key);
    sha.update(GUID);
    let digest = sha.digest().bytes();
    let mut out = [0u8; ACCEPT_LEN];
    // 20 bytes always encode to exactly 28; the error arm cannot happen.
    let _ = Base64::encode(&digest, &mut out);
    out
}

/// Does `key` decode to exactly 16 bytes (§4.2.1 item 5)?
pub fn is_valid_key(key: &[u8]) -> bool {
    let mut raw = [0u8; 16];
    key.len() == KEY_LEN && matches!(Base64::decode(key, &mut raw), Ok(d) if d.len() == 16)
}

/// Base64 of 16 nonce bytes: a client's `Sec-WebSocket-Key`.
pub fn encode_key(nonce: [u8; 16]) -> [u8; KEY_LEN] {
    let mut out = [0u8; KEY_LEN];
    let _ = Base64::encode(&nonce, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ")); // unpadded
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=")); // 23 chars
        assert!(!is_valid_key(b"dGhlIHNhbXBsZSBub25jZ!=="));
        assert!(!is_valid_key(b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")); // 24 bytes of data
        assert!(!is_valid_key(&[b'A'; 200]));
        assert_eq!(&encode_key(*b"the sample nonce"), b"dGhlIHNhbXBsZSBub25jZQ==");
    }
}
