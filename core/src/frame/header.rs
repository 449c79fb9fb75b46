//! The frame header ([RFC 6455 §5.2]).
//!
//! ```text
//!  0               1               2               3
//!  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
//! +-+-+-+-+-------+-+-------------+-------------------------------+
//! |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//! |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//! |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//! | |1|2|3|       |K|             |                               |
//! +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//! |     Extended payload length continued, if payload len == 127  |
//! + - - - - - - - - - - - - - - - +-------------------------------+
//! |                               |Masking-key, if MASK set to 1  |
//! +-------------------------------+-------------------------------+
//! | Masking-key (continued)       |          Payload Data         |
//! +-------------------------------- - - - - - - - - - - - - - - - +
//! ```
//!
//! [`Header`] is the validated value of those 2 to 14 bytes. It checks only what
//! the layout itself forbids (a 64-bit length with its top bit set); the rules
//! that depend on the connection (masking direction, fragmentation, limits) live
//! in [`crate::Connection`].
//!
//! [RFC 6455 §5.2]: https://www.rfc-editor.org/rfc/rfc6455#section-5.2

use crate::{Error, Opcode, Status};

/// The longest header: 2 bytes, a 64-bit length and a 4-byte masking key.
pub const MAX_HEADER_LEN: usize = 14;

/// First byte: FIN flag.
pub(crate) const FIN: u8 = 0x80;
/// First byte: RSV1–3.
pub(crate) const RSV_MASK: u8 = 0x70;
/// Second byte: MASK flag.
pub(crate) const MASKED: u8 = 0x80;
/// Second byte: 7-bit length code meaning "a 16-bit length follows".
pub(crate) const LEN16: u8 = 126;
/// Second byte: 7-bit length code meaning "a 64-bit length follows".
pub(crate) const LEN64: u8 = 127;

/// A decoded frame header.
///
/// ```
/// use wisp::{Header, Opcode, Status};
/// // A masked "Hello" from RFC 6455 §5.7.
/// let bytes = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
/// let Status::Complete((h, len)) = Header::parse(&bytes).unwrap() else { panic!() };
/// assert_eq!(len, 6);
/// assert!(h.fin);
/// assert_eq!(h.opcode, Opcode::Text);
/// assert_eq!(h.mask, Some([0x37, 0xfa, 0x21, 0x3d]));
/// assert_eq!(h.payload_len, 5);
///
/// let mut out = [0u8; 14];
/// assert_eq!(h.encode(&mut out), Ok(6));
/// assert_eq!(&out[..6], &bytes[..6]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// FIN: this is the final fragment of a message.
    pub fin: bool,
    /// RSV1, RSV2 and RSV3 as the low three bits (RSV1 = `0b100`).
    pub rsv: u8,
    /// The opcode.
    pub opcode: Opcode,
    /// The masking key, present on frames a client sends.
    pub mask: Option<[u8; 4]>,
    /// The payload length in bytes.
    pub payload_len: u64,
}

impl Header {
    /// Decode a header from the start of `buf`.
    ///
    /// Returns the header and its length in bytes, [`Status::Partial`] when
    /// `buf` ends inside the header, or [`Error::LengthOverflow`] for a 64-bit
    /// length with the most significant bit set (§5.2).
    pub fn parse(buf: &[u8]) -> Result<Status<(Header, usize)>, Error> {
        let (Some(&b0), Some(&b1)) = (buf.first(), buf.get(1)) else {
            return Ok(Status::Partial);
        };
        let (payload_len, mut at) = match b1 & 0x7F {
            LEN16 => match buf.get(2..4) {
                Some(&[a, b]) => (u64::from(u16::from_be_bytes([a, b])), 4),
                _ => return Ok(Status::Partial),
            },
            LEN64 => match buf.get(2..10).and_then(|s| <[u8; 8]>::try_from(s).ok()) {
                Some(b) => (u64::from_be_bytes(b), 10),
                None => return Ok(Status::Partial),
            },
            short => (u64::from(short), 2),
        };
        if payload_len >> 63 != 0 {
            return Err(Error::LengthOverflow);
        }
        let mask = if b1 & MASKED != 0 {
            match buf.get(at..at + 4).and_then(|s| <[u8; 4]>::try_from(s).ok()) {
                Some(key) => {
                    at += 4;
                    Some(key)
                }
                None => return Ok(Status::Partial),
            }
        } else {
            None
        };
        let header =
            Header { fin: b0 & FIN != 0, rsv: (b0 & RSV_MASK) >> 4, opcode: Opcode::from_bits(b0), mask, payload_len };
        Ok(Status::Complete((header, at)))
    }

    /// How many bytes [`encode`](Header::encode) writes: 2 to 14.
    pub const fn encoded_len(&self) -> usize {
        2 + length_form(self.payload_len).1 + if self.mask.is_some() { 4 } else { 0 }
    }

    /// Encode the header into the start of `out`, using the shortest length
    /// form (§5.2: "the minimal number of bytes MUST be used").
    ///
    /// Returns the number of bytes written, or [`Error::BufferTooSmall`].
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, Error> {
        let b0 = (if self.fin { FIN } else { 0 }) | ((self.rsv & 7) << 4) | self.opcode.bits();
        write_head(out, b0, self.payload_len, self.mask)
    }
}

/// What an endpoint needs of a frame's header before handing it to the
/// engine: how long the header is, how long the payload, and whether it is a
/// control frame. `None` while the header is incomplete.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub header_len: usize,
    /// Saturated at `usize::MAX` (the engine refuses such a frame anyway).
    pub payload_len: usize,
    pub control: bool,
}

/// The [`Shape`] of the frame at the start of `buf`, without building a
/// [`Header`] (no opcode conversion, no length validation: the engine checks).
pub(crate) fn peek(buf: &[u8]) -> Option<Shape> {
    let (&b0, &b1) = (buf.first()?, buf.get(1)?);
    let (len, at) = match b1 & 0x7F {
        LEN16 => (u64::from(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?)), 4),
        LEN64 => (u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?), 10),
        short => (u64::from(short), 2),
    };
    let header_len = at + if b1 & MASKED != 0 { 4 } else { 0 };
    if buf.len() < header_len {
        return None;
    }
    let payload_len = usize::try_from(len).unwrap_or(usize::MAX);
    Some(Shape { header_len, payload_len, control: b0 & 0x08 != 0 })
}

/// The shortest length form for `len` (§5.2): the 7-bit code of the second
/// byte, and how many extended-length bytes follow it.
const fn length_form(len: u64) -> (u8, usize) {
    if len < LEN16 as u64 {
        (len as u8, 0)
    } else if len <= u16::MAX as u64 {
        (LEN16, 2)
    } else {
        (LEN64, 8)
    }
}

/// Write a header from its first byte (FIN, RSV, opcode), the payload length
/// and the masking key, in the shortest length form. The one header writer:
/// [`Header::encode`] and every frame [`crate::Connection`] sends use it.
pub(crate) fn write_head(out: &mut [u8], b0: u8, len: u64, mask: Option<[u8; 4]>) -> Result<usize, Error> {
    let (code, ext) = length_form(len);
    let n = 2 + ext + if mask.is_some() { 4 } else { 0 };
    let Some([h0, h1, rest @ ..]) = out.get_mut(..n) else {
        return Err(Error::BufferTooSmall);
    };
    *h0 = b0;
    *h1 = code | if mask.is_some() { MASKED } else { 0 };
    let (length, key) = rest.split_at_mut(ext);
    // The extended length big-endian, from its last byte back.
    let mut rest_of_len = len;
    for slot in length.iter_mut().rev() {
        *slot = rest_of_len as u8;
        rest_of_len >>= 8;
    }
    if let (Some(mask), Ok(key)) = (mask, <&mut [u8; 4]>::try_from(key)) {
        *key = mask;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `frame!(name, bytes, expected header, header length)`: decode, compare,
    /// encode again and compare bytes (smoltcp's deconstruct/construct pair).
    macro_rules! frame {
        ($name:ident, $bytes:expr, $header:expr, $len:expr) => {
            #[test]
            fn $name() {
                let bytes: &[u8] = &$bytes;
                let expect: Header = $header;
                assert_eq!(Header::parse(bytes), Ok(Status::Complete((expect, $len))));
                let mut out = [0u8; MAX_HEADER_LEN];
                assert_eq!(expect.encode(&mut out), Ok($len));
                assert_eq!(&out[..$len], &bytes[..$len]);
                // Every proper prefix is Partial, never an error.
                for cut in 0..$len {
                    assert_eq!(Header::parse(&bytes[..cut]), Ok(Status::Partial), "cut {cut}");
                }
            }
        };
    }

    const fn h(fin: bool, opcode: Opcode, mask: Option<[u8; 4]>, len: u64) -> Header {
        Header { fin, rsv: 0, opcode, mask, payload_len: len }
    }

    // RFC 6455 §5.7, each example in turn.
    frame!(rfc_unmasked_hello, [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], h(true, Opcode::Text, None, 5), 2);
    frame!(
        rfc_masked_hello,
        [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58],
        h(true, Opcode::Text, Some([0x37, 0xfa, 0x21, 0x3d]), 5),
        6
    );
    frame!(rfc_fragment_hel, [0x01, 0x03, 0x48, 0x65, 0x6c], h(false, Opcode::Text, None, 3), 2);
    frame!(rfc_fragment_lo, [0x80, 0x02, 0x6c, 0x6f], h(true, Opcode::Continuation, None, 2), 2);
    frame!(rfc_unmasked_ping, [0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], h(true, Opcode::Ping, None, 5), 2);
    frame!(
        rfc_masked_pong,
        [0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58],
        h(true, Opcode::Pong, Some([0x37, 0xfa, 0x21, 0x3d]), 5),
        6
    );
    frame!(rfc_binary_256, [0x82, 0x7E, 0x01, 0x00], h(true, Opcode::Binary, None, 256), 4);
    frame!(rfc_binary_64k, [0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00], h(true, Opcode::Binary, None, 65536), 10);
    frame!(
        largest_length,
        [0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4],
        h(true, Opcode::Binary, Some([1, 2, 3, 4]), (1 << 63) - 1),
        14
    );

    #[test]
    fn length_with_top_bit_is_an_error() {
        for len in [1u64 << 63, u64::MAX] {
            let mut bytes = [0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0];
            bytes[2..].copy_from_slice(&len.to_be_bytes());
            assert_eq!(Header::parse(&bytes), Err(Error::LengthOverflow));
        }
    }

    #[test]
    fn rsv_and_reserved_opcodes_parse_for_viewers() {
        let Status::Complete((h, 2)) = Header::parse(&[0x73, 0x00]).unwrap() else { panic!() };
        assert_eq!(h.rsv, 0b111);
        assert_eq!(h.opcode, Opcode::Reserved(3));
        assert!(!h.fin);
    }

    #[test]
    fn length_forms_switch_at_126_and_65536() {
        for (len, hlen) in [(125u64, 2), (126, 4), (65535, 4), (65536, 10)] {
            assert_eq!(h(true, Opcode::Binary, None, len).encoded_len(), hlen);
        }
        let mut small = [0u8; 3];
        assert_eq!(h(true, Opcode::Binary, None, 300).encode(&mut small), Err(Error::BufferTooSmall));
    }
}
