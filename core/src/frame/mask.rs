//! Payload masking ([RFC 6455 §5.3]).
//!
//! A masked payload is XORed with a 4-byte key, byte `i` with key byte
//! `i mod 4`. Streaming receive unmasks a frame in pieces, so [`apply_mask`]
//! takes the offset of the first byte within the payload: the key is rotated
//! once, and the bulk of the work is done a machine word at a time.
//!
//! [RFC 6455 §5.3]: https://www.rfc-editor.org/rfc/rfc6455#section-5.3

/// XOR `buf` with `key` in place, as bytes `offset..offset + buf.len()` of a
/// masked payload. Masking and unmasking are the same operation.
///
/// ```
/// use wisp::frame::apply_mask;
/// let key = [0x37, 0xfa, 0x21, 0x3d];
/// let mut all = *b"Hello";
/// apply_mask(&mut all, key, 0);
/// // The same bytes masked in two pieces, the second starting at offset 3.
/// let mut split = *b"Hello";
/// let (a, b) = split.split_at_mut(3);
/// apply_mask(a, key, 0);
/// apply_mask(b, key, 3);
/// assert_eq!(all, split);
/// assert_eq!(all, [0x7f, 0x9f, 0x4d, 0x51, 0x58]); // RFC 6455 §5.7
/// ```
#[inline]
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let k = rotate_key(key, offset);
    if cfg!(target_os = "none") { xor_words32(buf, k) } else { xor_words64(buf, k) }
}

/// Hosts: eight bytes at a time, the key repeated twice filling a u64.
/// Native byte order on both sides keeps the pattern right on any
/// endianness, and the compiler turns this loop into wide vector XORs.
#[inline]
fn xor_words64(buf: &mut [u8], k: [u8; 4]) {
    let wide = u64::from_ne_bytes([k[0], k[1], k[2], k[3], k[0], k[1], k[2], k[3]]);
    let mut words = buf.chunks_exact_mut(8);
    for word in &mut words {
        if let Ok(w) = <&mut [u8; 8]>::try_from(word) {
            *w = (u64::from_ne_bytes(*w) ^ wide).to_ne_bytes();
        }
    }
    // The tail is shorter than a word and starts at a multiple of 8 bytes,
    // so the key phase is still `k[0]`.
    for (b, m) in words.into_remainder().iter_mut().zip(k.iter().cycle()) {
        *b ^= m;
    }
}

/// Microcontrollers: a word is 32 bits, the key itself (on a Cortex-M4,
/// 56 B less than the u64 loop, which it splits into two words anyway).
#[inline]
fn xor_words32(buf: &mut [u8], k: [u8; 4]) {
    let wide = u32::from_ne_bytes(k);
    let mut words = buf.chunks_exact_mut(4);
    for word in &mut words {
        if let Ok(w) = <&mut [u8; 4]>::try_from(word) {
            *w = (u32::from_ne_bytes(*w) ^ wide).to_ne_bytes();
        }
    }
    // Shorter than a word, starting at a multiple of 4: phase `k[0]`.
    for (b, m) in words.into_remainder().iter_mut().zip(k.iter()) {
        *b ^= m;
    }
}

/// The key as it stands `n` bytes into the payload: `key[n % 4]` first.
/// One 32-bit rotate (a slice rotate of four bytes is a loop).
#[inline]
pub(crate) fn rotate_key(key: [u8; 4], n: usize) -> [u8; 4] {
    u32::from_le_bytes(key).rotate_right(8 * (n & 3) as u32).to_le_bytes()
}

/// The byte-at-a-time definition of §5.3, kept as the reference the fast
/// path is tested against.
#[cfg(test)]
pub(crate) fn apply_mask_reference(buf: &mut [u8], key: [u8; 4], offset: usize) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b ^= key[(offset + i) % 4];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_matches_reference_for_every_length_and_offset() {
        let key = [0x12, 0x34, 0x56, 0x78];
        let src: std::vec::Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..src.len() {
            for offset in 0..8 {
                let mut fast = src[..len].to_vec();
                let mut slow = src[..len].to_vec();
                apply_mask(&mut fast, key, offset);
                apply_mask_reference(&mut slow, key, offset);
                assert_eq!(fast, slow, "len {len} offset {offset}");
                // Both word loops, whichever this target uses.
                for xor in [xor_words32, xor_words64] {
                    let mut words = src[..len].to_vec();
                    xor(&mut words, rotate_key(key, offset));
                    assert_eq!(words, slow, "len {len} offset {offset}");
                }
            }
        }
    }

    #[test]
    fn rotated_key_starts_at_the_offset() {
        let key = [1, 2, 3, 4];
        assert_eq!(rotate_key(key, 0), [1, 2, 3, 4]);
        assert_eq!(rotate_key(key, 1), [2, 3, 4, 1]);
        assert_eq!(rotate_key(key, 6), [3, 4, 1, 2]);
    }

    #[test]
    fn unaligned_starts_match_reference() {
        let key = [0xde, 0xad, 0xbe, 0xef];
        let mut buf = [0u8; 64];
        for start in 0..16 {
            for (i, b) in buf.iter_mut().enumerate() {
                *b = i as u8;
            }
            let mut expect = buf;
            apply_mask(&mut buf[start..], key, 1);
            apply_mask_reference(&mut expect[start..], key, 1);
            assert_eq!(buf, expect, "start {start}");
        }
    }
}
