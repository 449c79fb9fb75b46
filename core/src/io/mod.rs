//! Thin adapters from the sans-IO [`Connection`](crate::Connection) to the
//! `embedded-io` traits: [`blocking`] over `embedded_io::{Read, Write}` and
//! [`asynch`] over `embedded_io_async::{Read, Write}` (what embassy-net sockets
//! implement).
//!
//! Both share [`session::Session`], which owns no I/O: it keeps the caller's
//! receive and transmit buffers, turns engine events into [`Incoming`] values,
//! answers pings and close frames, and says what I/O it needs next. The two
//! adapters differ only in whether that I/O is awaited.

pub mod session;

#[cfg(feature = "embedded-io-async")]
pub mod asynch;
#[cfg(feature = "embedded-io")]
pub mod blocking;

pub use session::{Incoming, IoError};

/// The adapter, written once: `$async`/`$await` are empty for the blocking
/// flavour and `async`/`.await` for the async one.
macro_rules! websocket {
    ($transport:literal, $($async:ident)?; $($await:tt)*) => {
        #[doc = concat!("A WebSocket over ", $transport, ", with caller-provided buffers.")]
        ///
        /// `M` makes masking keys: the client role needs fresh random bytes per
        /// frame (RFC 6455 §5.3); a server can pass `|| [0; 4]`.
        pub struct WebSocket<'b, T, M> {
            io: T,
            session: Session<'b, M>,
        }

        impl<'b, T: Read + Write, M: FnMut() -> [u8; 4]> WebSocket<'b, T, M> {
            /// Wrap a transport whose handshake is done. See
            /// [`Session::new`](super::session::Session::new) for the buffer sizes.
            pub fn new(io: T, conn: Connection, rx: &'b mut [u8], tx: &'b mut [u8], mask: M) -> Result<Self, Error> {
                Ok(WebSocket { io, session: Session::new(conn, rx, tx, mask)? })
            }

            /// The session (buffers and engine).
            pub fn session(&mut self) -> &mut Session<'b, M> {
                &mut self.session
            }

            /// Give back the transport.
            pub fn into_inner(self) -> T {
                self.io
            }

            /// Wait for the next piece of a message, a pong or the peer's close.
            /// Pings are answered on the way.
            pub $($async)? fn read(&mut self) -> Result<Incoming<'_>, IoError<T::Error>> {
                loop {
                    match self.session.step() {
                        Step::Ready => break,
                        Step::Failed(e) => return Err(IoError::Protocol(e)),
                        Step::Transmit(n) => self.io.write_all(self.session.tx(n)) $($await)* .map_err(IoError::Io)?,
                        Step::NeedInput => {
                            self.io.flush() $($await)* .map_err(IoError::Io)?;
                            let n = self.io.read(self.session.input()) $($await)* .map_err(IoError::Io)?;
                            if n == 0 {
                                return Err(IoError::Eof);
                            }
                            self.session.filled(n);
                        }
                    }
                }
                self.session.incoming().ok_or(IoError::Protocol(Error::Closed))
            }

            /// Send a frame; a data payload larger than the transmit buffer goes out
            /// as several frames of the same message.
            pub $($async)? fn send(&mut self, frame: Outgoing<'_>) -> Result<(), IoError<T::Error>> {
                let mut next = Some(frame);
                while let Some(frame) = next {
                    let (n, taken) = self.session.encode(frame)?;
                    self.io.write_all(self.session.tx(n)) $($await)* .map_err(IoError::Io)?;
                    next = rest(frame, taken);
                }
                Ok(())
            }

            /// Send a ping.
            pub $($async)? fn ping(&mut self, payload: &[u8]) -> Result<(), IoError<T::Error>> {
                self.send(Outgoing::Ping(payload)) $($await)*
            }

            /// Start the closing handshake; keep calling [`read`](Self::read) until it
            /// returns the peer's close.
            pub $($async)? fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), IoError<T::Error>> {
                self.send(close_frame(code, reason)) $($await)* ?;
                self.flush() $($await)*
            }

            /// Flush the transport.
            pub $($async)? fn flush(&mut self) -> Result<(), IoError<T::Error>> {
                self.io.flush() $($await)* .map_err(IoError::Io)
            }
        }
    };
}
pub(crate) use websocket;
