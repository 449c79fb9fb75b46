//! The per-connection state machine ([RFC 6455 §5.4–§5.6, §7]).
//!
//! [`Connection`] is sans-IO: it is handed bytes and writes bytes, and keeps
//! between calls only what the protocol needs to remember — 16 bytes. Which
//! end it is, [`Server`] or [`Client`], is its type parameter ([`side`]).
//!
//! # Methods by kind (as in `quinn-proto`)
//! - **Input:** [`read`](Connection::read) takes received bytes, unmasks
//!   payload in place and returns at most one [`Event`] that borrows them
//!   ([`receive`]).
//! - **Commands:** `send` writes one frame of a message, a ping, a pong or a
//!   close into the caller's buffer ([`send`](mod@send)).
//! - **Output owed:** `poll_transmit` writes the close frame the protocol
//!   requires of this side (a reply to the peer's close, or the close that
//!   fails the connection after an error).
//! - **Getters:** [`role`](Connection::role), [`is_closed`](Connection::is_closed)…
//!
//! # Driving it
//! Keep a receive buffer. Append what the socket gives, then call `read` on the
//! unread part until it returns no event; drop the consumed bytes and read the
//! socket again. An event borrows the buffer, so handle it (answer a
//! [`Event::Ping`] with [`Outgoing::Pong`] of the same payload) before the next
//! call. After each `read`, call `poll_transmit` and send what it writes.
//! [`Endpoint`](crate::Endpoint) does all of this over two buffers.
//!
//! Data payload is handed over as soon as any of it is in the buffer, so a
//! buffer of a few dozen bytes receives messages of any size. A control frame
//! is handed over whole (at most 125 bytes, §5.5), so the buffer must be able to
//! hold one: see [`MIN_READ_BUFFER`].
//!
//! [RFC 6455 §5.4–§5.6, §7]: https://www.rfc-editor.org/rfc/rfc6455#section-5.4

pub mod receive;
pub mod send;
pub mod side;

use core::marker::PhantomData;

use crate::CloseCode;
use crate::close::CloseFrame;
use crate::frame::Opcode;

pub use receive::Received;
pub use side::{Client, MaskSource, Role, Server, Side};

/// The smallest receive buffer that can always make progress: the longest
/// control frame (14-byte header + 125-byte payload).
pub const MIN_READ_BUFFER: usize = 139;

/// Default maximum frame and message size: 16 MiB.
pub const DEFAULT_MAX_SIZE: u32 = 16 << 20;

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
    /// now owes one: `poll_transmit` writes it.
    Close(CloseFrame<'a>),
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

impl<'a> Outgoing<'a> {
    /// A piece of a data message of `kind`.
    pub const fn data(kind: DataKind, payload: &'a [u8], fin: bool) -> Self {
        match kind {
            DataKind::Text => Outgoing::Text { payload, fin },
            DataKind::Binary => Outgoing::Binary { payload, fin },
        }
    }

    /// A close frame with a code and a reason (at most 123 bytes).
    pub const fn close(code: CloseCode, reason: &'a str) -> Self {
        Outgoing::Close(CloseFrame { code: Some(code), reason })
    }
}

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
/// `S` is the side, [`Server`] (the default) or [`Client`]. `MAX_FRAME` and
/// `MAX_MESSAGE` bound what the peer may send: a longer frame or message fails
/// the connection with close code 1009 as soon as its header says so. They
/// are constants, not fields, so they cost no RAM.
///
/// ```
/// use wisp::{Connection, Error, Server};
/// assert_eq!(core::mem::size_of::<Connection>(), 16);
///
/// // A 1 KiB limit, and a 2 KiB frame (masked, 16-bit length) from a client.
/// let mut c = Connection::<Server, 1024, 1024>::new();
/// let mut frame = [0x82, 0xFE, 0x08, 0x00, 1, 2, 3, 4];
/// assert_eq!(c.read(&mut frame), Err(Error::FrameTooBig));
/// assert_eq!(Error::FrameTooBig.close_code().0, 1009);
/// ```
#[derive(Debug, Clone)]
pub struct Connection<
    S: Side = Server,
    const MAX_FRAME: u32 = DEFAULT_MAX_SIZE,
    const MAX_MESSAGE: u32 = DEFAULT_MAX_SIZE,
> {
    /// Payload bytes left in the current frame (while the header is read: the
    /// extended length so far).
    remaining: u32,
    /// The current frame's masking key, rotated as payload is consumed so
    /// that the next byte always pairs with `mask[0]`.
    mask: [u8; 4],
    /// Bytes of the current message announced so far; after a close frame is
    /// owed, the code to send.
    msg_len: u32,
    /// Receive phase (`receive::PH_*`).
    phase: u8,
    /// The current frame's first byte (FIN, RSV, opcode).
    frame: u8,
    /// `RX_*`, `TX_MSG`, `CLOSE_*`, `FAILED`.
    flags: u8,
    /// UTF-8 validator state of the current text message.
    utf8: u8,
    side: PhantomData<S>,
}

impl<S: Side, const MAX_FRAME: u32, const MAX_MESSAGE: u32> Default for Connection<S, MAX_FRAME, MAX_MESSAGE> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Side, const MAX_FRAME: u32, const MAX_MESSAGE: u32> Connection<S, MAX_FRAME, MAX_MESSAGE> {
    /// A connection whose handshake has completed.
    pub const fn new() -> Self {
        Connection {
            remaining: 0,
            mask: [0; 4],
            msg_len: 0,
            phase: receive::PH_B0,
            frame: 0,
            flags: 0,
            utf8: 0,
            side: PhantomData,
        }
    }

    /// This side's role.
    pub const fn role(&self) -> Role {
        S::ROLE
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

    /// A protocol error failed the connection.
    pub const fn has_failed(&self) -> bool {
        self.flags & FAILED != 0
    }

    /// A fragmented message is being sent: the next data frame continues it.
    pub const fn is_sending_message(&self) -> bool {
        self.flags & TX_MSG != 0
    }

    /// The next byte `read` sees starts a frame header: a wire tap can
    /// decode the header from the raw bytes before handing them over.
    pub const fn at_frame_start(&self) -> bool {
        self.phase == receive::PH_B0
    }

    /// A received message is open (its final frame has not arrived).
    pub const fn is_receiving_message(&self) -> bool {
        self.flags & (RX_TEXT | RX_BINARY) != 0
    }

    /// The close frame this side owes, if any (its reason is always empty:
    /// see `poll_transmit`).
    pub const fn owed_close(&self) -> Option<CloseFrame<'static>> {
        if self.flags & CLOSE_OWED == 0 {
            return None;
        }
        let code = if self.msg_len == 0 { None } else { Some(CloseCode(self.msg_len as u16)) };
        Some(CloseFrame { code, reason: "" })
    }

    fn owe_close(&mut self, code: u16) {
        if self.flags & CLOSE_SENT == 0 {
            self.flags |= CLOSE_OWED;
            self.msg_len = u32::from(code);
        }
    }
}
