//! Adapters from the sans-IO [`Endpoint`](crate::Endpoint) to the
//! `embedded-io` traits: [`blocking`] over `embedded_io::{Read, Write}` and
//! [`asynch`] over `embedded_io_async::{Read, Write}` (what embassy-net
//! sockets implement).
//!
//! Each does the whole connection: `WebSocket::accept` reads the upgrade
//! request, answers it (`101`, or the refusal that says why) and keeps the
//! bytes that came after the head; `WebSocket::connect` sends the request
//! and checks the `101`; `accept_parsed` takes a request a web server has
//! already parsed. Then `read` waits for the next piece of a message
//! (answering pings and the close on the way), `send` streams a message of
//! any size through the transmit buffer, and `close` starts the closing
//! handshake. The rules live in the endpoint; the two adapters differ only in
//! whether the I/O is awaited.

#[cfg(feature = "embedded-io-async")]
pub mod asynch;
#[cfg(feature = "embedded-io")]
pub mod blocking;

use core::fmt;

use crate::{Error, Outgoing};

/// An adapter error: the transport's, the protocol's, a refusal, or the end
/// of input.
#[derive(Debug, PartialEq, Eq)]
pub enum IoError<E> {
    /// The transport failed.
    Io(E),
    /// The peer broke the protocol (or sent a bad handshake); the close frame
    /// or the HTTP refusal that says why has been sent, or its sending failed
    /// with the transport.
    Protocol(Error),
    /// The server refused the upgrade request with this status (the
    /// refusal has been sent).
    Refused(u16),
    /// The transport ended before the closing handshake.
    Eof,
}

impl<E: fmt::Debug> fmt::Display for IoError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoError::Io(e) => write!(f, "transport error: {e:?}"),
            IoError::Protocol(e) => write!(f, "protocol error: {e}"),
            IoError::Refused(status) => write!(f, "upgrade refused with {status}"),
            IoError::Eof => f.write_str("connection ended before the closing handshake"),
        }
    }
}

impl<E> From<Error> for IoError<E> {
    fn from(e: Error) -> Self {
        IoError::Protocol(e)
    }
}

/// What a server decides about a valid upgrade request.
#[cfg(feature = "handshake")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'p> {
    /// Switch protocols, choosing this subprotocol (one the client offered).
    Accept {
        /// The subprotocol, if any.
        protocol: Option<&'p str>,
    },
    /// Refuse with a status (403, 404 …) and a reason sent as the body.
    Refuse {
        /// The HTTP status.
        status: u16,
        /// Why, in words.
        reason: &'p str,
    },
}

/// The client's upgrade request: where to, and from which origin.
#[cfg(feature = "handshake")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    /// The `Host` header: the server's name or address, with its port.
    pub host: &'a str,
    /// The request target, e.g. `/printf`.
    pub path: &'a str,
    /// An `Origin` to send (browsers send one; devices need not).
    pub origin: Option<&'a str>,
}

/// The next frame of `frame` that fits in `room` payload bytes, and what is
/// left of it: a data payload larger than the room goes out as several frames
/// of the same message.
pub(crate) fn split(frame: Outgoing<'_>, room: usize) -> (Outgoing<'_>, Option<Outgoing<'_>>) {
    let (kind, payload, fin) = match frame {
        Outgoing::Text { payload, fin } => (crate::DataKind::Text, payload, fin),
        Outgoing::Binary { payload, fin } => (crate::DataKind::Binary, payload, fin),
        control => return (control, None),
    };
    match (payload.get(..room), payload.get(room..)) {
        (Some(head), Some(tail)) if !tail.is_empty() => {
            (Outgoing::data(kind, head, false), Some(Outgoing::data(kind, tail, fin)))
        }
        _ => (frame, None),
    }
}

/// The adapter, written once: `$async`/`$await` are empty for the blocking
/// flavour and `async`/`.await` for the async one.
macro_rules! websocket {
    ($transport:literal, $($async:ident)?; $($await:tt)*) => {
        /// The buffers a WebSocket borrows.
        pub type Bufs<'b> = (&'b mut [u8], &'b mut [u8]);

        #[doc = concat!("A WebSocket over ", $transport, ", in the caller's buffers.")]
        ///
        /// `S` is the side ([`Server`] by default), `K` a client's masking-key
        /// source, `MAX_FRAME`/`MAX_MESSAGE` the limits on what the peer may
        /// send (set them on the [`Endpoint`] given to `accept_with` or
        /// `connect_with`).
        pub struct WebSocket<
            'b,
            T,
            S: Side = Server,
            K: MaskSource = NoMask,
            const MAX_FRAME: u32 = DEFAULT_MAX_SIZE,
            const MAX_MESSAGE: u32 = DEFAULT_MAX_SIZE,
        > {
            io: T,
            ep: Endpoint<Bufs<'b>, S, K, MAX_FRAME, MAX_MESSAGE>,
        }

        #[cfg(feature = "handshake")]
        impl<'b, T: Read + Write> WebSocket<'b, T> {
            /// Accept a WebSocket on a transport whose peer is about to send an
            /// upgrade request: any valid request is accepted, with no
            /// subprotocol; a bad one gets its refusal (400, 426 or 431 with
            /// the reason) and [`IoError::Protocol`]. The request is read into
            /// `rx`, so `rx` bounds its size.
            pub $($async)? fn accept(io: T, rx: &'b mut [u8], tx: &'b mut [u8]) -> Result<Self, IoError<T::Error>> {
                let ep = Endpoint::server((rx, tx))?;
                Self::accept_with(io, ep, |_| Decision::Accept { protocol: None }) $($await)*
            }
        }

        #[cfg(feature = "handshake")]
        impl<'b, T: Read + Write, const MAX_FRAME: u32, const MAX_MESSAGE: u32>
            WebSocket<'b, T, Server, NoMask, MAX_FRAME, MAX_MESSAGE>
        {
            /// [`accept`](WebSocket::accept) with an endpoint of your limits,
            /// and `decide` looking at the valid request (path, `Origin`,
            /// subprotocols offered) first.
            pub $($async)? fn accept_with(
                mut io: T,
                mut ep: Endpoint<Bufs<'b>, Server, NoMask, MAX_FRAME, MAX_MESSAGE>,
                mut decide: impl for<'r> FnMut(&UpgradeRequest<'r>) -> Decision<'r>,
            ) -> Result<Self, IoError<T::Error>> {
                let head_len = loop {
                    let (rx, tx, filled) = ep.handshake_buffers();
                    let limit = rx.len();
                    let answer = match UpgradeRequest::parse_with_limit(rx.get(..filled).unwrap_or_default(), limit) {
                        Ok(Status::Partial) => None,
                        Ok(Status::Complete(req)) => Some(match decide(&req) {
                            Decision::Accept { protocol } => write_accept(&req, protocol, tx).map(|n| (n, Ok(req.head_len)))?,
                            Decision::Refuse { status, reason } => {
                                (write_response(status, b"", reason.as_bytes(), tx)?, Err(IoError::Refused(status)))
                            }
                        }),
                        Err(e) => Some((write_refusal(e, tx)?, Err(IoError::Protocol(e)))),
                    };
                    if let Some((n, outcome)) = answer {
                        io.write_all(tx.get(..n).unwrap_or_default()) $($await)* .map_err(IoError::Io)?;
                        io.flush() $($await)* .map_err(IoError::Io)?;
                        break outcome?;
                    }
                    let n = io.read(ep.input()) $($await)* .map_err(IoError::Io)?;
                    if n == 0 {
                        return Err(IoError::Eof);
                    }
                    ep.filled(n);
                };
                // What came after the head is the client's first frames.
                ep.consume_head(head_len);
                Ok(WebSocket { io, ep })
            }

            /// Accept a request that a web server in front has already read and
            /// validated ([`UpgradeRequest::from_parts`]): write the `101`
            /// choosing `protocol`, and put `leftover` (bytes the server read
            /// past the head) in front of the receive buffer.
            pub $($async)? fn accept_parsed(
                mut io: T,
                mut ep: Endpoint<Bufs<'b>, Server, NoMask, MAX_FRAME, MAX_MESSAGE>,
                request: &UpgradeRequest<'_>,
                protocol: Option<&str>,
                leftover: &[u8],
            ) -> Result<Self, IoError<T::Error>> {
                let (_, tx, _) = ep.handshake_buffers();
                let n = write_accept(request, protocol, tx)?;
                io.write_all(tx.get(..n).unwrap_or_default()) $($await)* .map_err(IoError::Io)?;
                io.flush() $($await)* .map_err(IoError::Io)?;
                ep.preload(leftover)?;
                Ok(WebSocket { io, ep })
            }
        }

        #[cfg(feature = "handshake")]
        impl<'b, T: Read + Write, K: MaskSource> WebSocket<'b, T, Client, K> {
            /// Open a WebSocket as a client: send the upgrade request for
            /// `request` with a key from `nonce` (16 fresh random bytes, §4.1),
            /// check the `101`, and mask each frame with a key from `keys`.
            pub $($async)? fn connect(
                io: T,
                request: Request<'_>,
                nonce: [u8; 16],
                keys: K,
                rx: &'b mut [u8],
                tx: &'b mut [u8],
            ) -> Result<Self, IoError<T::Error>> {
                let ep = Endpoint::client((rx, tx), keys)?;
                Self::connect_with(io, ep, request, nonce) $($await)*
            }
        }

        #[cfg(feature = "handshake")]
        impl<'b, T: Read + Write, K: MaskSource, const MAX_FRAME: u32, const MAX_MESSAGE: u32>
            WebSocket<'b, T, Client, K, MAX_FRAME, MAX_MESSAGE>
        {
            /// [`connect`](WebSocket::connect) with an endpoint of your limits.
            pub $($async)? fn connect_with(
                mut io: T,
                mut ep: Endpoint<Bufs<'b>, Client, K, MAX_FRAME, MAX_MESSAGE>,
                request: Request<'_>,
                nonce: [u8; 16],
            ) -> Result<Self, IoError<T::Error>> {
                let hs = ClientHandshake::new(nonce);
                {
                    let (_, tx, _) = ep.handshake_buffers();
                    let n = hs.write_request(request.host, request.path, request.origin, None, tx)?;
                    io.write_all(tx.get(..n).unwrap_or_default()) $($await)* .map_err(IoError::Io)?;
                    io.flush() $($await)* .map_err(IoError::Io)?;
                }
                let head_len = loop {
                    if let Status::Complete(resp) = hs.parse_response(ep.unread(), None)? {
                        break resp.head_len;
                    }
                    let room = ep.input();
                    if room.is_empty() {
                        return Err(IoError::Protocol(Error::HeadersTooLarge));
                    }
                    let n = io.read(room) $($await)* .map_err(IoError::Io)?;
                    if n == 0 {
                        return Err(IoError::Eof);
                    }
                    ep.filled(n);
                };
                ep.consume_head(head_len);
                Ok(WebSocket { io, ep })
            }
        }

        impl<'b, T: Read + Write, S: Side, K: MaskSource, const MAX_FRAME: u32, const MAX_MESSAGE: u32>
            WebSocket<'b, T, S, K, MAX_FRAME, MAX_MESSAGE>
        {
            /// A WebSocket over a transport whose handshake is done.
            pub fn new(io: T, ep: Endpoint<Bufs<'b>, S, K, MAX_FRAME, MAX_MESSAGE>) -> Self {
                WebSocket { io, ep }
            }

            /// The endpoint (buffers and engine), for its getters.
            pub fn endpoint(&self) -> &Endpoint<Bufs<'b>, S, K, MAX_FRAME, MAX_MESSAGE> {
                &self.ep
            }

            /// Give back the transport and the endpoint.
            pub fn into_parts(self) -> (T, Endpoint<Bufs<'b>, S, K, MAX_FRAME, MAX_MESSAGE>) {
                (self.io, self.ep)
            }

            /// Wait for the next piece of a message, a pong or the peer's close.
            /// Pings are answered on the way, and the close before it is
            /// returned.
            pub $($async)? fn read(&mut self) -> Result<Event<'_>, IoError<T::Error>> {
                loop {
                    self.write_output() $($await)* ?;
                    match self.ep.poll_ready() {
                        Ok(true) => break,
                        Ok(false) => {}
                        Err(e) => {
                            // Its close frame is queued: send it, then say why.
                            self.flush() $($await)* ?;
                            return Err(IoError::Protocol(e));
                        }
                    }
                    if self.ep.connection().close_received() {
                        return Err(IoError::Protocol(Error::Closed));
                    }
                    let room = self.ep.input();
                    if room.is_empty() {
                        // Cannot happen: with the output written, a full
                        // receive buffer always holds an event.
                        return Err(IoError::Protocol(Error::BufferTooSmall));
                    }
                    let n = self.io.read(room) $($await)* .map_err(IoError::Io)?;
                    if n == 0 {
                        return Err(IoError::Eof);
                    }
                    self.ep.filled(n);
                }
                // A close's reply is queued: send it before handing it over.
                self.write_output() $($await)* ?;
                self.ep.ready().ok_or(IoError::Protocol(Error::Closed))
            }

            /// Send a frame; a data payload larger than the transmit buffer goes
            /// out as several frames of the same message.
            pub $($async)? fn send(&mut self, frame: Outgoing<'_>) -> Result<(), IoError<T::Error>> {
                let mut next = Some(frame);
                while let Some(frame) = next {
                    let (piece, rest) = split(frame, self.ep.room());
                    match self.ep.send(piece) {
                        Ok(()) => next = rest,
                        Err(Error::Full) if self.ep.has_output() => next = Some(frame),
                        Err(e) => return Err(IoError::Protocol(e)),
                    }
                    self.write_output() $($await)* ?;
                }
                Ok(())
            }

            /// Send a ping.
            pub $($async)? fn ping(&mut self, payload: &[u8]) -> Result<(), IoError<T::Error>> {
                self.send(Outgoing::Ping(payload)) $($await)*
            }

            /// Start the closing handshake; keep calling [`read`](Self::read)
            /// until it returns the peer's close.
            pub $($async)? fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), IoError<T::Error>> {
                self.send(Outgoing::close(code, reason)) $($await)*
            }

            /// Write everything queued, then flush the transport.
            pub $($async)? fn flush(&mut self) -> Result<(), IoError<T::Error>> {
                self.write_output() $($await)* ?;
                self.io.flush() $($await)* .map_err(IoError::Io)
            }

            $($async)? fn write_output(&mut self) -> Result<(), IoError<T::Error>> {
                if self.ep.has_output() {
                    let n = self.ep.output().len();
                    self.io.write_all(self.ep.output()) $($await)* .map_err(IoError::Io)?;
                    self.ep.written(n);
                }
                Ok(())
            }
        }
    };
}
pub(crate) use websocket;
