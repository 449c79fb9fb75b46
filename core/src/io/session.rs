//! The I/O-free half of the adapters: buffers and event bookkeeping.

use core::fmt;

use crate::close::CloseFrame;
use crate::connection::MIN_READ_BUFFER;
use crate::frame::MAX_HEADER_LEN;
use crate::{CloseCode, Connection, DataKind, Error, Event, Outgoing};

/// What the adapter's `read` returns. Pings are answered for you; a close is
/// answered for you before it is returned.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// A piece of a message (see [`Event::Data`]).
    Data {
        /// Text or binary.
        kind: DataKind,
        /// The bytes of this piece.
        payload: &'a [u8],
        /// This piece ends the message.
        fin: bool,
    },
    /// A pong arrived.
    Pong(&'a [u8]),
    /// The peer closed; the reply has been sent.
    Close(Option<CloseCode>),
}

/// An adapter error: the transport's, the protocol's, or the end of input.
#[derive(Debug, PartialEq, Eq)]
pub enum IoError<E> {
    /// The transport failed.
    Io(E),
    /// The peer broke the protocol; the close frame that says why has been
    /// sent (or its sending failed with the transport).
    Protocol(Error),
    /// The transport ended before the closing handshake.
    Eof,
}

impl<E: fmt::Debug> fmt::Display for IoError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoError::Io(e) => write!(f, "transport error: {e:?}"),
            IoError::Protocol(e) => write!(f, "protocol error: {e}"),
            IoError::Eof => f.write_str("connection ended before the closing handshake"),
        }
    }
}

impl<E> From<Error> for IoError<E> {
    fn from(e: Error) -> Self {
        IoError::Protocol(e)
    }
}

/// Where an event's payload sits in the receive buffer.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Data { kind: DataKind, at: usize, len: usize, fin: bool },
    Pong { at: usize, len: usize },
    Close(Option<CloseCode>),
}

/// What the session needs next.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    /// Write `tx[..n]` to the transport, then step again.
    Transmit(usize),
    /// Read more input into [`Session::input`], then step again.
    NeedInput,
    /// An event is ready: hand out [`Session::incoming`].
    Ready,
    /// The connection failed (its close frame has gone out already).
    Failed(Error),
}

/// Buffers, the engine and a masking-key source, without any I/O.
pub struct Session<'b, M> {
    conn: Connection,
    rx: &'b mut [u8],
    start: usize,
    end: usize,
    tx: &'b mut [u8],
    mask: M,
    ready: Option<Shape>,
    /// An event held back while the answer it needs goes out first.
    deferred: Option<Shape>,
    error: Option<Error>,
}

impl<'b, M: FnMut() -> [u8; 4]> Session<'b, M> {
    /// A session over an open connection. `rx` must hold at least
    /// [`MIN_READ_BUFFER`] bytes and `tx` at least a header and a control
    /// frame (139 bytes); smaller buffers are refused with
    /// [`Error::BufferTooSmall`]. `mask` makes masking keys (client role).
    pub fn new(conn: Connection, rx: &'b mut [u8], tx: &'b mut [u8], mask: M) -> Result<Self, Error> {
        if rx.len() < MIN_READ_BUFFER || tx.len() < MIN_READ_BUFFER {
            return Err(Error::BufferTooSmall);
        }
        Ok(Session { conn, rx, start: 0, end: 0, tx, mask, ready: None, deferred: None, error: None })
    }

    /// The engine, for its getters.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Put bytes already read past the handshake (a first frame that came in
    /// the same packet as the request) in front of the receive buffer.
    pub fn preload(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let dst = self.rx.get_mut(self.end..self.end + bytes.len()).ok_or(Error::BufferTooSmall)?;
        dst.copy_from_slice(bytes);
        self.end += bytes.len();
        Ok(())
    }

    pub(crate) fn step(&mut self) -> Step {
        if let Some(error) = self.error {
            // The failure's close frame goes out once; then report it.
            return match self.conn.poll_transmit((self.mask)(), self.tx) {
                Ok(Some(n)) => Step::Transmit(n),
                _ => Step::Failed(error),
            };
        }
        if let Some(shape) = self.deferred.take() {
            self.ready = Some(shape);
            return Step::Ready;
        }
        let rx = self.rx.get_mut(self.start..self.end).unwrap_or_default();
        let read = match self.conn.read(rx) {
            Ok(read) => read,
            Err(e) => return self.fail(e),
        };
        self.start += read.consumed;
        // An event's payload always ends where consumption ended.
        let end = self.start;
        let shape = match read.event {
            None => return Step::NeedInput,
            Some(Event::Data { kind, payload, fin }) => {
                Shape::Data { kind, at: end - payload.len(), len: payload.len(), fin }
            }
            Some(Event::Pong(p)) => Shape::Pong { at: end - p.len(), len: p.len() },
            Some(Event::Ping(p)) => {
                // §5.5.2: answer with the same payload "as soon as practical".
                return match self.conn.send(Outgoing::Pong(p), (self.mask)(), self.tx) {
                    Ok(n) => Step::Transmit(n),
                    Err(e) => self.fail(e),
                };
            }
            Some(Event::Close(CloseFrame { code, .. })) => {
                // §5.5.1: reply first, then report the close.
                self.deferred = Some(Shape::Close(code));
                return match self.conn.poll_transmit((self.mask)(), self.tx) {
                    Ok(Some(n)) => Step::Transmit(n),
                    _ => self.step(),
                };
            }
        };
        self.ready = Some(shape);
        Step::Ready
    }

    fn fail(&mut self, e: Error) -> Step {
        self.error = Some(e);
        self.step()
    }

    /// The event `step` said is ready.
    pub(crate) fn incoming(&self) -> Option<Incoming<'_>> {
        let slice = |at: usize, len: usize| self.rx.get(at..at + len).unwrap_or_default();
        Some(match self.ready? {
            Shape::Data { kind, at, len, fin } => Incoming::Data { kind, payload: slice(at, len), fin },
            Shape::Pong { at, len } => Incoming::Pong(slice(at, len)),
            Shape::Close(code) => Incoming::Close(code),
        })
    }

    /// Room to read into (the buffer is compacted first).
    pub(crate) fn input(&mut self) -> &mut [u8] {
        self.ready = None;
        self.rx.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        self.rx.get_mut(self.end..).unwrap_or_default()
    }

    /// `n` bytes were read into [`input`](Self::input).
    pub(crate) fn filled(&mut self, n: usize) {
        self.end = (self.end + n).min(self.rx.len());
    }

    /// The bytes of the last transmit step.
    pub(crate) fn tx(&self, n: usize) -> &[u8] {
        self.tx.get(..n).unwrap_or_default()
    }

    /// Encode the next frame of `frame` into the transmit buffer, taking as
    /// much of a data payload as fits; returns (frame length, payload bytes
    /// taken). A payload larger than the buffer becomes several frames of the
    /// same message.
    pub(crate) fn encode(&mut self, frame: Outgoing<'_>) -> Result<(usize, usize), Error> {
        let room = self.tx.len() - MAX_HEADER_LEN;
        let (frame, taken) = match frame {
            Outgoing::Text { payload, .. } if payload.len() > room => {
                (Outgoing::Text { payload: payload.get(..room).unwrap_or_default(), fin: false }, room)
            }
            Outgoing::Binary { payload, .. } if payload.len() > room => {
                (Outgoing::Binary { payload: payload.get(..room).unwrap_or_default(), fin: false }, room)
            }
            Outgoing::Text { payload, .. } | Outgoing::Binary { payload, .. } => (frame, payload.len()),
            other => (other, 0),
        };
        let n = self.conn.send(frame, (self.mask)(), self.tx)?;
        Ok((n, taken))
    }
}

/// The rest of `frame`'s payload after `taken` bytes went out.
pub(crate) fn rest<'a>(frame: Outgoing<'a>, taken: usize) -> Option<Outgoing<'a>> {
    match frame {
        Outgoing::Text { payload, fin } if taken < payload.len() => {
            Some(Outgoing::Text { payload: payload.get(taken..).unwrap_or_default(), fin })
        }
        Outgoing::Binary { payload, fin } if taken < payload.len() => {
            Some(Outgoing::Binary { payload: payload.get(taken..).unwrap_or_default(), fin })
        }
        _ => None,
    }
}

/// A close frame with a code and reason.
pub(crate) fn close_frame(code: CloseCode, reason: &str) -> Outgoing<'_> {
    Outgoing::Close(CloseFrame { code: Some(code), reason })
}
