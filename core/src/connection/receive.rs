//! The receive half of [`Connection`]: header checks in the order the RFC's
//! rules decide them, payload unmasked in place and handed over as it arrives
//! ([RFC 6455 §5.2–§5.6, §8.1]).
//!
//! [RFC 6455 §5.2–§5.6, §8.1]: https://www.rfc-editor.org/rfc/rfc6455#section-5.2

use super::{
    CLOSE_RECEIVED, Connection, DataKind, Event, FAILED, OP_BINARY, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT,
    RX_BINARY, RX_TEXT, Side, is_control,
};
use crate::Error;
use crate::close::CloseFrame;
use crate::frame::apply_mask;
use crate::frame::header::{FIN, LEN16, LEN64, RSV_MASK};
use crate::utf8::Utf8Validator;

// ---- receive phases: which header byte comes next ----
pub(super) const PH_B0: u8 = 0;
const PH_B1: u8 = 1;
/// 64-bit length: bytes 2..=9. A 16-bit length starts at 8 so both end at 10.
const PH_LEN64: u8 = 2;
const PH_LEN16: u8 = 8;
/// Masking key: bytes 10..=13.
const PH_MASK: u8 = 10;
const PH_PAYLOAD: u8 = 14;

/// Hosts read a header that is all in the buffer in a few wide steps (the
/// 125-byte decode's speed depends on it); a microcontroller reads every
/// header byte by byte, the same checks in the same order, in 112 B less
/// code on a Cortex-M4.
const FAST_HEADER: bool = cfg!(not(target_os = "none"));

/// The result of [`Connection::read`].
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub struct Received<'a> {
    /// How many bytes of the input were used; the caller drops them.
    pub consumed: usize,
    /// What those bytes carried, if anything complete yet. `None` means the
    /// engine needs more input (everything usable was consumed).
    pub event: Option<Event<'a>>,
}

impl<S: Side, const MAX_FRAME: u32, const MAX_MESSAGE: u32> Connection<S, MAX_FRAME, MAX_MESSAGE> {
    /// Feed received bytes; get back how many were used and at most one event.
    ///
    /// Data payload is unmasked in place and handed over as it arrives. An
    /// error fails the connection: a close frame with
    /// [`Error::close_code`] is then owed (`poll_transmit`) and later reads
    /// return [`Error::Closed`], as do reads after the peer's close.
    pub fn read<'a>(&mut self, input: &'a mut [u8]) -> Result<Received<'a>, Error> {
        self.read_with::<FAST_HEADER>(input)
    }

    /// `read` through the byte-at-a-time header path microcontrollers use;
    /// exposed for the differential tests and the fuzzer only.
    #[doc(hidden)]
    pub fn read_portable<'a>(&mut self, input: &'a mut [u8]) -> Result<Received<'a>, Error> {
        self.read_with::<false>(input)
    }

    fn read_with<'a, const FAST: bool>(&mut self, input: &'a mut [u8]) -> Result<Received<'a>, Error> {
        if self.flags & (FAILED | CLOSE_RECEIVED) != 0 {
            return Err(Error::Closed);
        }
        match self.read_frames::<FAST>(input) {
            Ok(read) => Ok(read),
            Err(e) => {
                self.flags |= FAILED;
                self.owe_close(e.close_code().0);
                Err(e)
            }
        }
    }

    fn read_frames<'a, const FAST: bool>(&mut self, input: &'a mut [u8]) -> Result<Received<'a>, Error> {
        let total = input.len();
        // `rest` is moved (not reborrowed) at each step, so the event can
        // borrow the caller's buffer for `'a`.
        let mut rest = input;
        // One exit: whatever stops the loop, what was consumed is all but
        // `rest`.
        let event = loop {
            let n = self.read_header::<FAST>(rest)?;
            rest = rest.get_mut(n..).unwrap_or_default();
            if self.phase != PH_PAYLOAD {
                break None;
            }
            if self.is_control_frame() {
                // §5.5: at most 125 bytes, handed over whole.
                let need = self.remaining as usize;
                if rest.len() < need {
                    break None;
                }
                let (payload, tail) = rest.split_at_mut(need);
                rest = tail;
                break Some(self.control(payload)?);
            }
            let take = rest.len().min(self.remaining as usize);
            let (payload, tail) = rest.split_at_mut(take);
            rest = tail;
            self.unmask(payload);
            self.remaining -= take as u32;
            let kind = if self.flags & RX_TEXT != 0 { DataKind::Text } else { DataKind::Binary };
            let mut fin = false;
            if kind == DataKind::Text {
                let mut v = Utf8Validator::from_byte(self.utf8);
                v.feed(payload)?;
                self.utf8 = v.to_byte();
            }
            if self.remaining == 0 {
                self.phase = PH_B0;
                if self.frame & FIN != 0 {
                    fin = true;
                    // §8.1: a message may not end inside a character.
                    if self.utf8 != 0 {
                        return Err(Error::InvalidUtf8);
                    }
                    self.flags &= !(RX_TEXT | RX_BINARY);
                }
            }
            if take > 0 || fin {
                break Some(Event::Data { kind, payload, fin });
            }
            if rest.is_empty() {
                break None;
            }
            // An empty non-final fragment: nothing to report, go on.
        };
        Ok(Received { consumed: total - rest.len(), event })
    }

    /// Consume header bytes from the start of `input` until the header is
    /// complete or the input runs out; returns how many were consumed.
    fn read_header<const FAST: bool>(&mut self, input: &[u8]) -> Result<usize, Error> {
        let mut at = 0;
        // Fast path (hosts): a header that starts here and is all here (the
        // common case) skips the byte-at-a-time loop for its first bytes and
        // a 16-bit length.
        if FAST
            && self.phase == PH_B0
            && let Some(&[b0, b1, l0, l1]) = input.get(..4)
        {
            self.first_byte(b0)?;
            self.second_byte(b1)?;
            at = 2;
            if self.phase == PH_LEN16 {
                self.remaining = u32::from(u16::from_be_bytes([l0, l1]));
                self.length_known()?;
                at = 4;
            }
        }
        while self.phase != PH_PAYLOAD {
            // The masking key in one copy when all of it is here.
            if FAST
                && self.phase == PH_MASK
                && let Some(key) = input.get(at..at + 4).and_then(|k| <[u8; 4]>::try_from(k).ok())
            {
                self.mask = key;
                self.phase = PH_PAYLOAD;
                return Ok(at + 4);
            }
            let Some(&b) = input.get(at) else { break };
            at += 1;
            self.header_byte(b)?;
        }
        Ok(at)
    }

    /// One header byte. The checks run in the order tungstenite runs them, each
    /// as early as the byte that decides it.
    fn header_byte(&mut self, b: u8) -> Result<(), Error> {
        match self.phase {
            PH_B0 => self.first_byte(b),
            PH_B1 => self.second_byte(b),
            PH_LEN64..PH_MASK => {
                // §5.2: "the most significant bit MUST be 0".
                if self.phase == PH_LEN64 && b & 0x80 != 0 {
                    return Err(Error::LengthOverflow);
                }
                // Anything needing more than 32 bits is beyond any limit.
                if self.remaining >> 24 != 0 {
                    return Err(Error::FrameTooBig);
                }
                self.remaining = self.remaining << 8 | u32::from(b);
                self.phase += 1;
                if self.phase == PH_MASK { self.length_known() } else { Ok(()) }
            }
            _ => {
                if let Some(k) = self.mask.get_mut(usize::from(self.phase - PH_MASK)) {
                    *k = b;
                }
                self.phase += 1;
                Ok(())
            }
        }
    }

    fn first_byte(&mut self, b: u8) -> Result<(), Error> {
        // §5.2: RSV1-3 MUST be 0 unless an extension defines them; this
        // engine negotiates none.
        if b & RSV_MASK != 0 {
            return Err(Error::ReservedBits);
        }
        let in_message = self.flags & (RX_TEXT | RX_BINARY) != 0;
        // On the raw four bits: the checks need no `Opcode` value.
        match b & 0xF {
            // §5.2: "If an unknown opcode is received, the receiving endpoint
            // MUST _Fail the WebSocket Connection_."
            0x3..=0x7 | 0xB..=0xF => return Err(Error::ReservedOpcode),
            // §5.5: "Control frames ... MUST NOT be fragmented."
            0x8.. if b & FIN == 0 => return Err(Error::FragmentedControl),
            // §5.4: continuation frames only continue a fragmented message,
            // and a new message cannot start inside one.
            OP_CONTINUATION if !in_message => return Err(Error::UnexpectedContinuation),
            OP_TEXT | OP_BINARY if in_message => return Err(Error::ExpectedContinuation),
            OP_TEXT => self.start_message(RX_TEXT),
            OP_BINARY => self.start_message(RX_BINARY),
            _ => {}
        }
        self.frame = b;
        self.phase = PH_B1;
        Ok(())
    }

    /// The frame being received is a control frame.
    const fn is_control_frame(&self) -> bool {
        is_control(self.frame)
    }

    fn start_message(&mut self, kind: u8) {
        self.flags |= kind;
        self.msg_len = 0;
        self.utf8 = 0;
    }

    fn second_byte(&mut self, b: u8) -> Result<(), Error> {
        let masked = b & 0x80 != 0;
        // §5.1: a server MUST close on an unmasked frame, a client on a
        // masked one.
        match (S::MASKS, masked) {
            (false, false) => return Err(Error::UnmaskedFrame),
            (true, true) => return Err(Error::MaskedFrame),
            _ => {}
        }
        let len = b & 0x7F;
        self.remaining = 0;
        match len {
            LEN16 => self.phase = PH_LEN16,
            LEN64 => self.phase = PH_LEN64,
            short => {
                self.remaining = u32::from(short);
                return self.length_known();
            }
        }
        // §5.5: "All control frames MUST have a payload length of 125 bytes
        // or less".
        if self.is_control_frame() {
            return Err(Error::ControlTooLong);
        }
        Ok(())
    }

    /// The payload length is known: apply the limits, then expect the key.
    fn length_known(&mut self) -> Result<(), Error> {
        if self.remaining > MAX_FRAME {
            return Err(Error::FrameTooBig);
        }
        if !self.is_control_frame() {
            match self.msg_len.checked_add(self.remaining) {
                Some(total) if total <= MAX_MESSAGE => self.msg_len = total,
                _ => return Err(Error::MessageTooBig),
            }
        }
        // §5.1: only frames to a server carry a masking key.
        self.phase = if S::MASKS { PH_PAYLOAD } else { PH_MASK };
        Ok(())
    }

    fn unmask(&mut self, payload: &mut [u8]) {
        if !S::MASKS {
            apply_mask(payload, self.mask, 0);
            self.mask = crate::frame::mask::rotate_key(self.mask, payload.len());
        }
    }

    /// A whole control frame's payload is in `payload`.
    fn control<'a>(&mut self, payload: &'a mut [u8]) -> Result<Event<'a>, Error> {
        self.unmask(payload);
        self.phase = PH_B0;
        self.remaining = 0;
        let payload: &'a [u8] = payload;
        Ok(match self.frame & 0xF {
            OP_PING => Event::Ping(payload),
            OP_PONG => Event::Pong(payload),
            _ => {
                let close = CloseFrame::parse(payload)?;
                self.flags |= CLOSE_RECEIVED;
                // §5.5.1: "the endpoint MUST send a Close frame in response
                // ... typically echoing the status code it received".
                self.owe_close(close.code.map_or(0, |c| c.0));
                Event::Close(close)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Client, Server};
    use proptest::prelude::*;
    use std::vec::Vec;

    /// What one call returned, owned: consumed bytes and the event, or the error.
    type Step = Result<(usize, Option<std::string::String>), Error>;

    /// Push `wire` through a connection in pieces of `chunk` bytes, keeping
    /// the unread bytes as a device does, with the header path `fast` or
    /// not; every call's result in order.
    fn drive<S: Side>(wire: &[u8], chunk: usize, fast: bool) -> Vec<Step> {
        let mut conn = Connection::<S, 100, 200>::new();
        let (mut buf, mut pos, mut steps) = (Vec::new(), 0, Vec::new());
        loop {
            let n = chunk.min(wire.len() - pos);
            buf.extend_from_slice(&wire[pos..pos + n]);
            pos += n;
            let mut at = 0;
            loop {
                let got =
                    if fast { conn.read_with::<true>(&mut buf[at..]) } else { conn.read_portable(&mut buf[at..]) };
                match got {
                    Ok(r) => {
                        at += r.consumed;
                        let event = r.event.map(|e| std::format!("{e:?}"));
                        let more = event.is_some();
                        steps.push(Ok((r.consumed, event)));
                        if !more {
                            break;
                        }
                    }
                    Err(e) => {
                        steps.push(Err(e));
                        return steps;
                    }
                }
            }
            buf.drain(..at);
            if pos == wire.len() {
                return steps;
            }
        }
    }

    /// A frame with any first byte, masked or not, any length form.
    fn frame() -> impl Strategy<Value = Vec<u8>> {
        (
            prop_oneof![
                Just(0x81u8),
                Just(0x01),
                Just(0x80),
                Just(0x00),
                Just(0x82),
                Just(0x89),
                Just(0x8A),
                Just(0x88),
                any::<u8>()
            ],
            any::<bool>(),
            0u8..3,
            proptest::collection::vec(any::<u8>(), 0..140),
            any::<[u8; 4]>(),
        )
            .prop_map(|(b0, masked, form, payload, key)| {
                let mut v = std::vec![b0];
                let m = if masked { 0x80 } else { 0 };
                match (form, payload.len()) {
                    (0, n) if n < 126 => v.push(m | n as u8),
                    (1, n) | (0, n) => {
                        v.push(m | 126);
                        v.extend_from_slice(&(n as u16).to_be_bytes());
                    }
                    (_, n) => {
                        v.push(m | 127);
                        v.extend_from_slice(&(n as u64).to_be_bytes());
                    }
                }
                if masked {
                    v.extend_from_slice(&key);
                }
                v.extend(payload.iter().enumerate().map(|(i, b)| if masked { b ^ key[i % 4] } else { *b }));
                v
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The byte-at-a-time header path a microcontroller runs and the
        /// hosts' fast path agree on every call: what is consumed, every
        /// event, every error.
        #[test]
        fn portable_header_path_matches_the_fast_one(
            frames in proptest::collection::vec(frame(), 1..6),
            noise in proptest::collection::vec(any::<u8>(), 0..20),
            chunk in prop_oneof![1usize..16, Just(4096)],
        ) {
            let mut wire: Vec<u8> = frames.concat();
            wire.extend_from_slice(&noise);
            prop_assert_eq!(drive::<Server>(&wire, chunk, true), drive::<Server>(&wire, chunk, false));
            prop_assert_eq!(drive::<Client>(&wire, chunk, true), drive::<Client>(&wire, chunk, false));
        }
    }
}
