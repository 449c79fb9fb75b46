//! Frame opcodes ([RFC 6455 §5.2], registry in §11.8).
//!
//! [RFC 6455 §5.2]: https://www.rfc-editor.org/rfc/rfc6455#section-5.2

/// The four-bit opcode of a frame.
///
/// Reserved values still parse, so a wire viewer can show them; the
/// connection rejects them with [`crate::Error::ReservedOpcode`].
///
/// ```
/// use wisp::Opcode;
/// assert_eq!(Opcode::from(0x9), Opcode::Ping);
/// assert!(Opcode::Ping.is_control());
/// assert_eq!(Opcode::from(0x3), Opcode::Reserved(0x3));
/// assert_eq!(u8::from(Opcode::Binary), 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opcode {
    /// 0x0: continues a fragmented message (§5.4).
    Continuation,
    /// 0x1: the first frame of a text message.
    Text,
    /// 0x2: the first frame of a binary message.
    Binary,
    /// 0x8: close (§5.5.1).
    Close,
    /// 0x9: ping (§5.5.2).
    Ping,
    /// 0xA: pong (§5.5.3).
    Pong,
    /// Any other value of the four bits: reserved for future use.
    Reserved(u8),
}

impl Opcode {
    /// Control frames have the high bit of the opcode set (§5.5).
    pub const fn is_control(self) -> bool {
        self.bits() & 0x8 != 0
    }

    /// True for the values RFC 6455 reserves.
    pub const fn is_reserved(self) -> bool {
        matches!(self, Opcode::Reserved(_))
    }

    /// The opcode's name as a wire viewer shows it.
    pub const fn name(self) -> &'static str {
        match self {
            Opcode::Continuation => "CONT",
            Opcode::Text => "TEXT",
            Opcode::Binary => "BINARY",
            Opcode::Close => "CLOSE",
            Opcode::Ping => "PING",
            Opcode::Pong => "PONG",
            Opcode::Reserved(_) => "RESERVED",
        }
    }

    /// The four bits on the wire.
    pub const fn bits(self) -> u8 {
        match self {
            Opcode::Continuation => 0x0,
            Opcode::Text => 0x1,
            Opcode::Binary => 0x2,
            Opcode::Close => 0x8,
            Opcode::Ping => 0x9,
            Opcode::Pong => 0xA,
            Opcode::Reserved(b) => b & 0xF,
        }
    }

    /// Decode the low four bits of `b`.
    pub const fn from_bits(b: u8) -> Opcode {
        match b & 0xF {
            0x0 => Opcode::Continuation,
            0x1 => Opcode::Text,
            0x2 => Opcode::Binary,
            0x8 => Opcode::Close,
            0x9 => Opcode::Ping,
            0xA => Opcode::Pong,
            other => Opcode::Reserved(other),
        }
    }
}

impl From<u8> for Opcode {
    fn from(b: u8) -> Self {
        Opcode::from_bits(b)
    }
}

impl From<Opcode> for u8 {
    fn from(op: Opcode) -> u8 {
        op.bits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nibble_round_trips() {
        for b in 0..16u8 {
            let op = Opcode::from(b);
            assert_eq!(u8::from(op), b);
            assert_eq!(op.is_control(), b >= 8);
            assert_eq!(op.is_reserved(), matches!(b, 3..=7 | 0xB..=0xF));
        }
    }
}
