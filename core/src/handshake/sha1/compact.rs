//! SHA-1 ([FIPS 180-4] §6.1) as small as it goes: one message, one pass,
//! the 80 rounds rolled into one loop (feature `compact-sha1`).
//!
//! `sha1_smol` unrolls its rounds (it emulates the x86 SHA extensions) and
//! costs a Cortex-M4 3,016 B; this loop costs 428 B (`size/report.py`). It is
//! slower, which a handshake never notices: one 60-byte message per
//! connection, two blocks.
//!
//! [FIPS 180-4]: https://csrc.nist.gov/pubs/fips/180-4/upd1/final

use super::Sha1;

/// SHA-1 as a rolled loop inside wisp (feature `compact-sha1`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CompactSha1;

impl Sha1 for CompactSha1 {
    fn digest(&mut self, message: &[u8]) -> [u8; 20] {
        sha1(message)
    }
}

/// §5.3.1: the initial hash value.
const H0: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];

/// The digest of `message`, padded as §5.1.1 says on the fly: the message,
/// a 1 bit, zeros, and the length in bits as 64 bits big-endian, to a
/// multiple of 64 bytes. No block buffer: each byte goes straight into the
/// message schedule.
pub(crate) fn sha1(message: &[u8]) -> [u8; 20] {
    let len = message.len();
    // The padding needs at least 9 bytes (0x80 and the length).
    let padded = (len + 8) / 64 * 64 + 64;
    let mut h = H0;
    let mut w = [0u32; 16];
    // Everything but the length, which is the last block's last two words.
    for i in 0..padded - 8 {
        let byte = match message.get(i) {
            Some(&b) => b,
            None if i == len => 0x80,
            None => 0,
        };
        // §3.1: words are big-endian; the schedule fills a byte at a time.
        if let Some(word) = w.get_mut(i / 4 % 16) {
            *word = *word << 8 | u32::from(byte);
        }
        if i % 64 == 63 {
            compress(&mut h, &mut w);
        }
    }
    let bits = (len as u64) << 3;
    let [.., hi, lo] = &mut w;
    (*hi, *lo) = ((bits >> 32) as u32, bits as u32);
    compress(&mut h, &mut w);
    // The digest: the five words big-endian (§6.1.2).
    let mut out = [0u8; 20];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = h.get(i / 4).map_or(0, |word| (word >> (24 - 8 * (i % 4))) as u8);
    }
    out
}

/// §6.1.2 step 2–4 for one block in `w`, with the schedule of step 1 kept
/// as a 16-word circle (§6.1.3) that the rounds overwrite as they go.
// Out of line: inlined into its one caller it is 12 B larger on a Cortex-M4.
#[inline(never)]
fn compress(h: &mut [u32; 5], w: &mut [u32; 16]) {
    let mut v = *h;
    for t in 0..80 {
        let s = t % 16;
        let mut word = w.get(s).copied().unwrap_or(0);
        if t >= 16 {
            // W_t = ROTL¹(W_{t-3} ⊕ W_{t-8} ⊕ W_{t-14} ⊕ W_{t-16})
            let at = |back: usize| w.get((t - back) % 16).copied().unwrap_or(0);
            word = (at(3) ^ at(8) ^ at(14) ^ word).rotate_left(1);
            if let Some(slot) = w.get_mut(s) {
                *slot = word;
            }
        }
        let [a, b, c, d, e] = v;
        // §4.1.1 f_t and §4.2.1 K_t, by twenty rounds.
        let (f, k) = match t / 20 {
            // Ch and Maj in their shorter equivalent forms.
            0 => (d ^ (b & (c ^ d)), 0x5A82_7999),
            1 => (b ^ c ^ d, 0x6ED9_EBA1),
            2 => ((b & c) | (d & (b | c)), 0x8F1B_BCDC),
            _ => (b ^ c ^ d, 0xCA62_C1D6),
        };
        let temp = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(word);
        v = [temp, a, b.rotate_left(30), c, d];
    }
    // By name, not by a zip over the arrays: that iterator stays a call.
    let ([a, b, c, d, e], [h0, h1, h2, h3, h4]) = (v, *h);
    *h = [h0.wrapping_add(a), h1.wrapping_add(b), h2.wrapping_add(c), h3.wrapping_add(d), h4.wrapping_add(e)];
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn hex(digest: [u8; 20]) -> std::string::String {
        digest.iter().map(|b| std::format!("{b:02x}")).collect()
    }

    /// The examples of FIPS 180-4's companion document (NIST CSRC "Examples
    /// with intermediate values", SHA-1) and the empty message.
    #[test]
    fn fips_180_vectors() {
        assert_eq!(hex(sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(hex(sha1(&std::vec![b'a'; 1_000_000])), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        assert_eq!(hex(sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }

    /// The accept key of RFC 6455 §1.3: the message the handshake hashes.
    #[test]
    fn rfc_6455_sample_digest() {
        let mut message = Vec::from(&b"dGhlIHNhbXBsZSBub25jZQ=="[..]);
        message.extend_from_slice(crate::handshake::accept::GUID);
        assert_eq!(hex(sha1(&message)), "b37a4f2cc0624f1690f64606cf385945b2bec4ea");
    }

    #[test]
    fn the_trait_gives_the_same_digest() {
        assert_eq!(CompactSha1.digest(b"abc"), sha1(b"abc"));
    }

    fn smol(message: &[u8]) -> [u8; 20] {
        sha1_smol::Sha1::from(message).digest().bytes()
    }

    /// Every length across the padding's edges: 55 bytes is the longest
    /// one-block message, 56 the shortest that needs a second block for the
    /// length, and so on at each block.
    #[test]
    fn every_length_up_to_three_blocks_matches_sha1_smol() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 131 + 7) as u8).collect();
        for len in 0..=data.len() {
            assert_eq!(sha1(&data[..len]), smol(&data[..len]), "len {len}");
        }
    }

    proptest::proptest! {
        #[test]
        fn random_input_matches_sha1_smol(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            proptest::prop_assert_eq!(sha1(&data), smol(&data));
        }

        /// Lengths on the padding's edges (55, 56, 63, 64, 119, 120, …) with
        /// random contents.
        #[test]
        fn block_edges_match_sha1_smol(
            blocks in 0usize..4,
            edge in proptest::sample::select(&[55usize, 56, 57, 63, 64, 65][..]),
            seed: [u8; 32],
        ) {
            let len = blocks * 64 + edge;
            let data: Vec<u8> = seed.iter().cycle().take(len).enumerate().map(|(i, b)| b ^ (i as u8)).collect();
            proptest::prop_assert_eq!(sha1(&data), smol(&data));
        }
    }
}
