//! The send half of [`Connection`]: frames written into the caller's buffer
//! ([RFC 6455 §5.2–§5.5]).
//!
//! A [`Server`] sends unmasked frames, so its `send` takes no key; a
//! [`Client`] masks each frame with the key it is given (§5.3). Both share
//! one encoder, generic over the side, so a device that only serves links no
//! masking code for what it sends.
//!
//! Data frames build a message whose length need not be known in advance: a
//! `Text` or `Binary` with `fin: false` opens it, later pieces continue it
//! (their kind is not checked), and the piece with `fin: true` ends it. Pings,
//! pongs and a close may go between its frames (§5.4). After a close frame
//! nothing more can be sent ([`Error::Closed`]); after a protocol error only
//! the close frame can. Control frames carry at most 125 bytes (a close reason
//! at most 123): longer is [`Error::ControlTooLong`].
//!
//! [RFC 6455 §5.2–§5.5]: https://www.rfc-editor.org/rfc/rfc6455#section-5.2

use super::{
    CLOSE_OWED, CLOSE_SENT, Client, Connection, DataKind, FAILED, OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING,
    OP_PONG, OP_TEXT, Outgoing, Server, Side, TX_MSG, is_control,
};
use crate::Error;
use crate::close::CloseFrame;
use crate::frame::apply_mask;
use crate::frame::header::{FIN, write_head};

impl<const MAX_FRAME: u32, const MAX_MESSAGE: u32> Connection<Server, MAX_FRAME, MAX_MESSAGE> {
    /// Write one frame into `out`; returns its length. See the
    /// [module docs](self) for the rules.
    ///
    /// ```
    /// use wisp::{Connection, Outgoing, Server};
    /// let mut c = Connection::<Server>::new();
    /// let mut out = [0u8; 32];
    /// let mut wire = Vec::new();
    /// for (piece, fin) in [(&b"He"[..], false), (b"ll", false), (b"o", true)] {
    ///     let n = c.send(Outgoing::Text { payload: piece, fin }, &mut out).unwrap();
    ///     wire.extend_from_slice(&out[..n]);
    /// #   if !fin {
    /// #       let n = c.send(Outgoing::Ping(b""), &mut out).unwrap();
    /// #       wire.extend_from_slice(&out[..n]);
    /// #   }
    /// }
    /// // text(FIN=0) "He", ping, continuation "ll", ping, continuation(FIN=1) "o"
    /// assert_eq!(wire, [0x01, 2, b'H', b'e', 0x89, 0, 0x00, 2, b'l', b'l', 0x89, 0, 0x80, 1, b'o']);
    /// ```
    pub fn send(&mut self, frame: Outgoing<'_>, out: &mut [u8]) -> Result<usize, Error> {
        self.encode(frame, [0; 4], out)
    }

    /// Write only the header of a data frame whose `len` payload bytes the
    /// caller sends itself — straight from where they are, with a vectored
    /// write — instead of copying them through `out`. Same rules as
    /// [`send`](Self::send).
    ///
    /// ```
    /// use wisp::{Connection, DataKind, Server};
    /// let mut c = Connection::<Server>::new();
    /// let mut head = [0u8; 14];
    /// let n = c.send_data_header(DataKind::Binary, true, 70_000, &mut head).unwrap();
    /// assert_eq!(&head[..n], &[0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    /// ```
    pub fn send_data_header(&mut self, kind: DataKind, fin: bool, len: usize, out: &mut [u8]) -> Result<usize, Error> {
        self.encode_data_header(kind, fin, len, [0; 4], out)
    }

    /// Write the close frame this side owes, if any (see
    /// [`owed_close`](Connection::owed_close)); `Ok(None)` when nothing is owed.
    pub fn poll_transmit(&mut self, out: &mut [u8]) -> Result<Option<usize>, Error> {
        self.encode_owed_close([0; 4], out)
    }
}

impl<const MAX_FRAME: u32, const MAX_MESSAGE: u32> Connection<Client, MAX_FRAME, MAX_MESSAGE> {
    /// Write one frame into `out`, masked with `mask`; returns its length.
    /// `mask` must be four fresh, unpredictable bytes for every frame (§5.3).
    /// See the [module docs](self) for the rules.
    ///
    /// ```
    /// use wisp::{Client, Connection, Outgoing};
    /// let mut c = Connection::<Client>::new();
    /// let mut out = [0u8; 16];
    /// let n = c.send(Outgoing::Text { payload: b"Hello", fin: true }, [0x37, 0xfa, 0x21, 0x3d], &mut out).unwrap();
    /// // The masked "Hello" of RFC 6455 §5.7.
    /// assert_eq!(&out[..n], &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    /// ```
    pub fn send(&mut self, frame: Outgoing<'_>, mask: [u8; 4], out: &mut [u8]) -> Result<usize, Error> {
        self.encode(frame, mask, out)
    }

    /// Write only the header of a data frame whose `len` payload bytes the
    /// caller sends itself, masked with the same `mask`
    /// ([`apply_mask`], offset 0).
    pub fn send_data_header(
        &mut self,
        kind: DataKind,
        fin: bool,
        len: usize,
        mask: [u8; 4],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        self.encode_data_header(kind, fin, len, mask, out)
    }

    /// Write the close frame this side owes, if any, masked with `mask`;
    /// `Ok(None)` when nothing is owed.
    pub fn poll_transmit(&mut self, mask: [u8; 4], out: &mut [u8]) -> Result<Option<usize>, Error> {
        self.encode_owed_close(mask, out)
    }
}

impl<S: Side, const MAX_FRAME: u32, const MAX_MESSAGE: u32> Connection<S, MAX_FRAME, MAX_MESSAGE> {
    /// The encoder both sides' `send` use; `mask` is read only by a client.
    pub(crate) fn encode(&mut self, frame: Outgoing<'_>, mask: [u8; 4], out: &mut [u8]) -> Result<usize, Error> {
        let closing = matches!(frame, Outgoing::Close(_));
        if self.flags & CLOSE_SENT != 0 || (self.flags & FAILED != 0 && !closing) {
            return Err(Error::Closed);
        }
        // The payload is `code` (a close frame's status, two bytes or none)
        // and then `body`.
        let (op, fin, code, body): (u8, bool, Option<u16>, &[u8]) = match frame {
            Outgoing::Text { payload, fin } => (OP_TEXT, fin, None, payload),
            Outgoing::Binary { payload, fin } => (OP_BINARY, fin, None, payload),
            Outgoing::Ping(p) => (OP_PING, true, None, p),
            Outgoing::Pong(p) => (OP_PONG, true, None, p),
            Outgoing::Close(c) => match c.code {
                Some(cc) if !cc.is_sendable() => return Err(Error::InvalidCloseCode),
                // A reason over 123 bytes fails below as ControlTooLong.
                code => (OP_CLOSE, true, code.map(|cc| cc.0), c.reason.as_bytes()),
            },
        };
        // §5.5.1: no reason without a code.
        let body = if op == OP_CLOSE && code.is_none() { &[] } else { body };
        let code_len = if code.is_some() { 2 } else { 0 };
        let len = code_len + body.len();
        let control = is_control(op);
        if control && len > 125 {
            return Err(Error::ControlTooLong);
        }
        let at = self.write_head(op, fin, len, mask, out)?;
        let Some(payload) = out.get_mut(at..at + len) else {
            return Err(Error::BufferTooSmall);
        };
        let (c, b) = payload.split_at_mut(code_len);
        if let (Some(code), Ok(c)) = (code, <&mut [u8; 2]>::try_from(c)) {
            *c = code.to_be_bytes();
        }
        b.copy_from_slice(body);
        if S::MASKS {
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

    pub(crate) fn encode_data_header(
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

    pub(crate) fn encode_owed_close(&mut self, mask: [u8; 4], out: &mut [u8]) -> Result<Option<usize>, Error> {
        let Some(close) = self.owed_close() else {
            return Ok(None);
        };
        // No reason text: it would pull every code's name into a device's
        // ROM. A caller that wants one sends its own close with `send`.
        self.encode(Outgoing::Close(CloseFrame { code: close.code, reason: "" }), mask, out).map(Some)
    }

    /// Write a frame header for this side: a data frame inside a message
    /// being sent is a continuation (§5.4), and a client masks (§5.1).
    fn write_head(&self, op: u8, fin: bool, len: usize, mask: [u8; 4], out: &mut [u8]) -> Result<usize, Error> {
        let op = if !is_control(op) && self.flags & TX_MSG != 0 { OP_CONTINUATION } else { op };
        let b0 = if fin { FIN } else { 0 } | op;
        write_head(out, b0, len as u64, S::MASKS.then_some(mask))
    }

    /// A data frame has been written: the message stays open unless `fin`.
    fn sent_data(&mut self, fin: bool) {
        if fin { self.flags &= !TX_MSG } else { self.flags |= TX_MSG }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_without_a_code_carries_no_reason() {
        // §5.5.1: the reason follows the code; with no code, no reason.
        let mut c = Connection::<Server>::new();
        let mut out = [0u8; 16];
        let n = c.send(Outgoing::Close(CloseFrame { code: None, reason: "bye" }), &mut out).unwrap();
        assert_eq!(&out[..n], &[0x88, 0]);
        let mut c = Connection::<Client>::new();
        let n = c.send(Outgoing::Close(CloseFrame { code: None, reason: "bye" }), [1, 2, 3, 4], &mut out).unwrap();
        assert_eq!(&out[..n], &[0x88, 0x80, 1, 2, 3, 4]);
    }

    #[test]
    fn a_close_code_goes_first_then_the_reason() {
        let mut c = Connection::<Server>::new();
        let mut out = [0u8; 16];
        let n = c.send(Outgoing::close(crate::CloseCode::NORMAL, "bye"), &mut out).unwrap();
        assert_eq!(&out[..n], &[0x88, 5, 0x03, 0xe8, b'b', b'y', b'e']);
        let mut c = Connection::<Server>::new();
        assert_eq!(c.send(Outgoing::close(crate::CloseCode(1005), ""), &mut out), Err(Error::InvalidCloseCode));
    }
}
