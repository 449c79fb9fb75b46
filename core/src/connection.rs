//! The per-connection state machine ([RFC 6455 §5.4–§5.6, §7]).
//!
//! [`Connection`] is sans-IO: it is handed bytes and writes bytes, and keeps
//! between calls only what the protocol needs to remember — 16 bytes.
//!
//! # Methods by kind (as in `quinn-proto`)
//! - **Input:** [`read`](Connection::read) takes received bytes, unmasks
//!   payload in place and returns at most one [`Event`] that borrows them.
//! - **Commands:** [`send`](Connection::send) writes one frame of a message, a
//!   ping, a pong or a close into the caller's buffer.
//! - **Output owed:** [`poll_transmit`](Connection::poll_transmit) writes the
//!   close frame the protocol requires of this side (a reply to the peer's
//!   close, or the close that fails the connection after an error).
//! - **Getters:** [`role`](Connection::role), [`is_closed`](Connection::is_closed)…
//!
//! # Driving it
//! Keep a receive buffer. Append what the socket gives, then call `read` on the
//! unread part until it returns no event; drop the consumed bytes and read the
//! socket again. An event borrows the buffer, so handle it (answer a
//! [`Event::Ping`] with [`Outgoing::Pong`] of the same payload) before the next
//! call. After each `read`, call `poll_transmit` and send what it writes.
//!
//! Data payload is handed over as soon as any of it is in the buffer, so a
//! buffer of a few dozen bytes receives messages of any size. A control frame
//! is handed over whole (at most 125 bytes, §5.5), so the buffer must be able to
//! hold one: see [`MIN_READ_BUFFER`].
//!
//! [RFC 6455 §5.4–§5.6, §7]: https://www.rfc-editor.org/rfc/rfc6455#section-5.4

use crate::close::CloseFrame;
use crate::frame::header::write_head;
use crate::frame::header::{FIN, LEN16, LEN64, RSV_MASK};
use crate::frame::{Opcode, apply_mask};
use crate::utf8::Utf8Validator;
use crate::{CloseCode, Error};

/// The smallest receive buffer that can always make progress: the longest
/// control frame (14-byte header + 125-byte payload).
pub const MIN_READ_BUFFER: usize = 139;

/// Default maximum frame and message size: 16 MiB.
pub const DEFAULT_MAX_SIZE: u32 = 16 << 20;

/// Which end of the connection this engine is (§5.1: clients mask, servers
/// do not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Accepted the connection; receives masked frames, sends unmasked ones.
    Server,
    /// Opened the connection; sends masked frames, receives unmasked ones.
    Client,
}

/// The type of a data message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// UTF-8 text (validated by the engine).
    Text,
    /// Binary data.
    Binary,
}

/// Something the peer sent, borrowing the caller's receive buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// A piece of a data message, already unmasked (and, for text, validated
    /// so far). `fin` marks the message's last piece. A message may arrive in
    /// any number of pieces; an empty message is one piece with no bytes.
    Data {
        /// Text or binary, as the message's first frame said.
        kind: DataKind,
        /// The bytes; a text piece may end inside a character.
        payload: &'a [u8],
        /// This piece ends the message.
        fin: bool,
    },
    /// A ping: send [`Outgoing::Pong`] with the same payload (§5.5.2).
    Ping(&'a [u8]),
    /// A pong (§5.5.3).
    Pong(&'a [u8]),
    /// The peer's close frame (§5.5.1). If this side has not sent its own, it
    /// now owes one: [`Connection::poll_transmit`] writes it.
    Close(CloseFrame<'a>),
}

/// The result of [`Connection::read`].
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub struct Read<'a> {
    /// How many bytes of the input were used; the caller drops them.
    pub consumed: usize,
    /// What those bytes carried, if anything complete yet. `None` means the
    /// engine needs more input (everything usable was consumed).
    pub event: Option<Event<'a>>,
}

/// A frame to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outgoing<'a> {
    /// Part of a text message: the first piece opens it, `fin: true` ends it.
    /// Pieces may split a character; the whole message must be UTF-8.
    Text {
        /// The piece's bytes.
        payload: &'a [u8],
        /// This piece ends the message.
        fin: bool,
    },
    /// Part of a binary message, as for `Text`.
    Binary {
        /// The piece's bytes.
        payload: &'a [u8],
        /// This piece ends the message.
        fin: bool,
    },
    /// A ping (at most 125 bytes).
    Ping(&'a [u8]),
    /// A pong (at most 125 bytes), usually echoing a ping's payload.
    Pong(&'a [u8]),
    /// A close frame; nothing can be sent after it.
    Close(CloseFrame<'a>),
}

// ---- receive phases: which header byte comes next ----
const PH_B0: u8 = 0;
const PH_B1: u8 = 1;
/// 64-bit length: bytes 2..=9. A 16-bit length starts at 8 so both end at 10.
const PH_LEN64: u8 = 2;
const PH_LEN16: u8 = 8;
/// Masking key: bytes 10..=13.
const PH_MASK: u8 = 10;
const PH_PAYLOAD: u8 = 14;

// ---- opcodes as raw bits (§5.2): the engine's checks and frames need no
// `Opcode` value, which would cost a device its conversions ----
const OP_CONTINUATION: u8 = Opcode::Continuation.bits();
const OP_TEXT: u8 = Opcode::Text.bits();
const OP_BINARY: u8 = Opcode::Binary.bits();
const OP_CLOSE: u8 = Opcode::Close.bits();
const OP_PING: u8 = Opcode::Ping.bits();
const OP_PONG: u8 = Opcode::Pong.bits();

/// Opcode bits (alone or in a frame's first byte) of a control frame (§5.5:
/// opcodes 0x8–0xF).
const fn is_control(bits: u8) -> bool {
    bits & 0x8 != 0
}

// ---- flags ----
const CLIENT: u8 = 0x01;
/// A text message is being received.
const RX_TEXT: u8 = 0x02;
/// A binary message is being received.
const RX_BINARY: u8 = 0x04;
/// A fragmented message is being sent.
const TX_MSG: u8 = 0x08;
const CLOSE_RECEIVED: u8 = 0x10;
const CLOSE_SENT: u8 = 0x20;
/// A close frame is owed; its code is in `msg_len` (0: empty close).
const CLOSE_OWED: u8 = 0x40;
/// A protocol error failed the connection.
const FAILED: u8 = 0x80;

/// One WebSocket connection: the whole protocol state, 16 bytes.
///
/// `MAX_FRAME` and `MAX_MESSAGE` bound what the peer may send: a longer frame
/// or message fails the connection with close code 1009 as soon as its header
/// says so. They are constants, not fields, so they cost no RAM.
///
/// ```
/// use wisp::{connection::Connection, Error, Role};
/// assert_eq!(core::mem::size_of::<Connection>(), 16);
///
/// // A 1 KiB limit, and a 2 KiB frame (masked, 16-bit length) from a client.
/// let mut c = Connection::<1024, 1024>::new(Role::Server);
/// let mut frame = [0x82, 0xFE, 0x08, 0x00, 1, 2, 3, 4];
/// assert_eq!(c.read(&mut frame), Err(Error::FrameTooBig));
/// assert_eq!(Error::FrameTooBig.close_code().0, 1009);
/// ```
#[derive(Debug, Clone)]
pub struct Connection<const MAX_FRAME: u32 = DEFAULT_MAX_SIZE, const MAX_MESSAGE: u32 = DEFAULT_MAX_SIZE> {
    /// Payload bytes left in the current frame (while the header is read: the
    /// extended length so far).
    remaining: u32,
    /// The current frame's masking key, rotated as payload is consumed so
    /// that the next byte always pairs with `mask[0]`.
    mask: [u8; 4],
    /// Bytes of the current message announced so far; after a close frame is
    /// owed, the code to send.
    msg_len: u32,
    /// Receive phase (`PH_*`).
    phase: u8,
    /// The current frame's first byte (FIN, RSV, opcode).
    frame: u8,
    /// `CLIENT`, `RX_*`, `TX_MSG`, `CLOSE_*`, `FAILED`.
    flags: u8,
    /// UTF-8 validator state of the current text message.
    utf8: u8,
}

impl<const MAX_FRAME: u32, const MAX_MESSAGE: u32> Connection<MAX_FRAME, MAX_MESSAGE> {
    /// A connection whose handshake has completed, in the given role.
    pub const fn new(role: Role) -> Self {
        Connection {
            remaining: 0,
            mask: [0; 4],
            msg_len: 0,
            phase: PH_B0,
            frame: 0,
            flags: match role {
                Role::Server => 0,
                Role::Client => CLIENT,
            },
            utf8: 0,
        }
    }

    /// This side's role.
    pub const fn role(&self) -> Role {
        if self.flags & CLIENT != 0 { Role::Client } else { Role::Server }
    }

    /// Both close frames have passed (or this side failed the connection and
    /// sent its close): the TCP connection can be closed (§7.1.1: the server
    /// closes first).
    pub const fn is_closed(&self) -> bool {
        self.flags & CLOSE_SENT != 0 && self.flags & (CLOSE_RECEIVED | FAILED) != 0
    }

    /// This side has sent its close frame.
    pub const fn close_sent(&self) -> bool {
        self.flags & CLOSE_SENT != 0
    }

    /// The peer's close frame has arrived.
    pub const fn close_received(&self) -> bool {
        self.flags & CLOSE_RECEIVED != 0
    }

    /// A fragmented message is being sent: the next data frame continues it.
    pub const fn is_sending_message(&self) -> bool {
        self.flags & TX_MSG != 0
    }

    /// The next byte `read` sees starts a frame header: a wire tap can
    /// decode the header from the raw bytes before handing them over.
    pub const fn at_frame_start(&self) -> bool {
        self.phase == PH_B0
    }

    /// A received message is open (its final frame has not arrived).
    pub const fn is_receiving_message(&self) -> bool {
        self.flags & (RX_TEXT | RX_BINARY) != 0
    }

    /// The close frame this side owes, if any: the code it will carry
    /// (`None` inside means an empty close frame).
    pub const fn owed_close(&self) -> Option<Option<CloseCode>> {
        if self.flags & CLOSE_OWED == 0 {
            None
        } else if self.msg_len == 0 {
            Some(None)
        } else {
            Some(Some(CloseCode(self.msg_len as u16)))
        }
    }

    // ------------------------------------------------------------------
    // Receive
    // ------------------------------------------------------------------

    /// Feed received bytes; get back how many were used and at most one event.
    ///
    /// Data payload is unmasked in place and handed over as it arrives. An
    /// error fails the connection: a close frame with
    /// [`Error::close_code`] is then owed ([`poll_transmit`]) and later reads
    /// return [`Error::Closed`], as do reads after the peer's close.
    ///
    /// [`poll_transmit`]: Connection::poll_transmit
    pub fn read<'a>(&mut self, input: &'a mut [u8]) -> Result<Read<'a>, Error> {
        if self.flags & (FAILED | CLOSE_RECEIVED) != 0 {
            return Err(Error::Closed);
        }
        match self.read_frames(input) {
            Ok(read) => Ok(read),
            Err(e) => {
                self.flags |= FAILED;
                self.owe_close(e.close_code().0);
                Err(e)
            }
        }
    }

    fn read_frames<'a>(&mut self, input: &'a mut [u8]) -> Result<Read<'a>, Error> {
        let total = input.len();
        // `rest` is moved (not reborrowed) at each step, so the event can
        // borrow the caller's buffer for `'a`.
        let mut rest = input;
        loop {
            let n = self.read_header(rest)?;
            rest = rest.get_mut(n..).unwrap_or_default();
            if self.phase != PH_PAYLOAD {
                return Ok(Read { consumed: total - rest.len(), event: None });
            }
            if self.is_control_frame() {
                // §5.5: at most 125 bytes, handed over whole.
                let need = self.remaining as usize;
                if rest.len() < need {
                    return Ok(Read { consumed: total - rest.len(), event: None });
                }
                let (payload, tail) = rest.split_at_mut(need);
                let consumed = total - tail.len();
                return Ok(Read { consumed, event: Some(self.control(payload)?) });
            }
            let take = rest.len().min(self.remaining as usize);
            let (payload, tail) = rest.split_at_mut(take);
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
                let consumed = total - tail.len();
                return Ok(Read { consumed, event: Some(Event::Data { kind, payload, fin }) });
            }
            if tail.is_empty() {
                return Ok(Read { consumed: total, event: None });
            }
            // An empty non-final fragment: nothing to report, go on.
            rest = tail;
        }
    }

    /// Consume header bytes from the start of `input` until the header is
    /// complete or the input runs out; returns how many were consumed.
    fn read_header(&mut self, input: &[u8]) -> Result<usize, Error> {
        let mut at = 0;
        // Fast path: a header that starts here and is all here (the common
        // case) skips the byte-at-a-time loop for its first bytes and a
        // 16-bit length.
        if self.phase == PH_B0
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
            if self.phase == PH_MASK
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
        match (self.role(), masked) {
            (Role::Server, false) => return Err(Error::UnmaskedFrame),
            (Role::Client, true) => return Err(Error::MaskedFrame),
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
        self.phase = if self.flags & CLIENT != 0 { PH_PAYLOAD } else { PH_MASK };
        Ok(())
    }

    fn unmask(&mut self, payload: &mut [u8]) {
        if self.flags & CLIENT == 0 {
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

    fn owe_close(&mut self, code: u16) {
        if self.flags & CLOSE_SENT == 0 {
            self.flags |= CLOSE_OWED;
            self.msg_len = u32::from(code);
        }
    }

    // ------------------------------------------------------------------
    // Send
    // ------------------------------------------------------------------

    /// Write one frame into `out`; returns its length.
    ///
    /// Data frames build a message whose length need not be known in advance:
    /// a `Text` or `Binary` with `fin: false` opens it, later pieces continue it
    /// (their kind is not checked), and the piece with `fin: true` ends it.
    /// Pings, pongs and a close may go between its frames (§5.4).
    ///
    /// `mask` is the masking key: the client role must pass four fresh random
    /// bytes for every frame (§5.3); the server role ignores it.
    ///
    /// After a close frame nothing more can be sent ([`Error::Closed`]); after
    /// a protocol error only the close frame can. Control frames carry at most
    /// 125 bytes (a close reason at most 123): longer is [`Error::ControlTooLong`].
    ///
    /// ```
    /// use wisp::{Connection, Outgoing, Role};
    /// let mut c: Connection = Connection::new(Role::Server);
    /// let mut out = [0u8; 32];
    /// let mut wire = Vec::new();
    /// for (piece, fin) in [(&b"He"[..], false), (b"ll", false), (b"o", true)] {
    ///     let n = c.send(Outgoing::Text { payload: piece, fin }, [0; 4], &mut out).unwrap();
    ///     wire.extend_from_slice(&out[..n]);
    /// #   if !fin {
    /// #       let n = c.send(Outgoing::Ping(b""), [0; 4], &mut out).unwrap();
    /// #       wire.extend_from_slice(&out[..n]);
    /// #   }
    /// }
    /// // text(FIN=0) "He", ping, continuation "ll", ping, continuation(FIN=1) "o"
    /// assert_eq!(wire, [0x01, 2, b'H', b'e', 0x89, 0, 0x00, 2, b'l', b'l', 0x89, 0, 0x80, 1, b'o']);
    /// ```
    pub fn send(&mut self, frame: Outgoing<'_>, mask: [u8; 4], out: &mut [u8]) -> Result<usize, Error> {
        let closing = matches!(frame, Outgoing::Close(_));
        if self.flags & CLOSE_SENT != 0 || (self.flags & FAILED != 0 && !closing) {
            return Err(Error::Closed);
        }
        let code: [u8; 2];
        let (op, fin, head, body): (u8, bool, &[u8], &[u8]) = match frame {
            Outgoing::Text { payload, fin } => (OP_TEXT, fin, payload, &[]),
            Outgoing::Binary { payload, fin } => (OP_BINARY, fin, payload, &[]),
            Outgoing::Ping(p) => (OP_PING, true, p, &[]),
            Outgoing::Pong(p) => (OP_PONG, true, p, &[]),
            Outgoing::Close(c) => match c.code {
                None => (OP_CLOSE, true, &[], &[]),
                Some(cc) if cc.is_sendable() => {
                    code = cc.0.to_be_bytes();
                    // A reason over 123 bytes fails below as ControlTooLong.
                    (OP_CLOSE, true, &code[..], c.reason.as_bytes())
                }
                Some(_) => return Err(Error::InvalidCloseCode),
            },
        };
        let len = head.len() + body.len();
        let control = is_control(op);
        if control && len > 125 {
            return Err(Error::ControlTooLong);
        }
        let at = self.write_head(op, fin, len, mask, out)?;
        let Some(payload) = out.get_mut(at..at + len) else {
            return Err(Error::BufferTooSmall);
        };
        let (h, b) = payload.split_at_mut(head.len());
        h.copy_from_slice(head);
        b.copy_from_slice(body);
        if self.flags & CLIENT != 0 {
            apply_mask(payload, mask, 0);
        }
        // Commit only once the frame is written.
        if closing {
            self.flags = (self.flags | CLOSE_SENT) & !CLOSE_OWED;
        } else if !control {
            self.sent_data(fin);
        }
        Ok(at + len)
    }

    /// Write only the header of a data frame whose `len` payload bytes the
    /// caller sends itself — straight from where they are, with a vectored
    /// write — instead of copying them through `out`. Same rules as
    /// [`send`](Self::send). The client role must mask the payload with the
    /// same `mask` ([`apply_mask`], offset 0).
    ///
    /// ```
    /// use wisp::{Connection, DataKind, Role};
    /// let mut c: Connection = Connection::new(Role::Server);
    /// let mut head = [0u8; 14];
    /// let n = c.send_data_header(DataKind::Binary, true, 70_000, [0; 4], &mut head).unwrap();
    /// assert_eq!(&head[..n], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    /// ```
    pub fn send_data_header(
        &mut self,
        kind: DataKind,
        fin: bool,
        len: usize,
        mask: [u8; 4],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        if self.flags & (CLOSE_SENT | FAILED) != 0 {
            return Err(Error::Closed);
        }
        let op = if kind == DataKind::Text { OP_TEXT } else { OP_BINARY };
        let n = self.write_head(op, fin, len, mask, out)?;
        self.sent_data(fin);
        Ok(n)
    }

    /// Write a frame header for this side: a data frame inside a message
    /// being sent is a continuation (§5.4), and a client masks (§5.1).
    fn write_head(&self, op: u8, fin: bool, len: usize, mask: [u8; 4], out: &mut [u8]) -> Result<usize, Error> {
        let op = if !is_control(op) && self.flags & TX_MSG != 0 { OP_CONTINUATION } else { op };
        let b0 = if fin { FIN } else { 0 } | op;
        write_head(out, b0, len as u64, (self.flags & CLIENT != 0).then_some(mask))
    }

    /// A data frame has been written: the message stays open unless `fin`.
    fn sent_data(&mut self, fin: bool) {
        if fin { self.flags &= !TX_MSG } else { self.flags |= TX_MSG }
    }

    /// Write the close frame this side owes, if any (see
    /// [`owed_close`](Connection::owed_close)); `Ok(None)` when nothing is owed.
    pub fn poll_transmit(&mut self, mask: [u8; 4], out: &mut [u8]) -> Result<Option<usize>, Error> {
        let Some(code) = self.owed_close() else {
            return Ok(None);
        };
        // No reason text: it would pull every code's name into a device's
        // ROM. A caller that wants one sends its own close with `send`.
        self.send(Outgoing::Close(CloseFrame { code, reason: "" }), mask, out).map(Some)
    }
}
