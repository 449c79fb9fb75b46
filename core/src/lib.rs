//! # wisp — a WebSocket engine small enough for a microcontroller
//!
//! `wisp` implements [RFC 6455] as a *sans-IO* state machine: it never reads a
//! socket, never allocates and never looks at a clock. The caller owns every
//! buffer, hands bytes in, and gets events and bytes to send back out. The same
//! code runs on a Cortex-M0, in a browser (wasm32) and on a server.
//!
//! The crate is laid out by protocol concept, each layer only using the ones
//! below it:
//!
//! | module | RFC 6455 | what it holds |
//! | --- | --- | --- |
//! | [`frame`] | §5.2, §5.3, §5.5, §7.4 | header codec, opcodes, masking, close codes |
//! | [`utf8`] | §8.1 | incremental UTF-8 validation across frames and chunks |
//! | [`close`] | §5.5.1, §7.1.5, §7.1.6 | the close frame's payload |
//! | [`connection`] | §5.1, §5.4–§5.6, §7 | the per-connection state machine, its side ([`Server`], [`Client`]) as a type |
//! | [`endpoint`] | §5.5, §7.1.7 | the engine over two buffers, answering pings and closes by itself |
//! | [`handshake`] | §4 | the HTTP/1.1 upgrade, server and client (feature `handshake`) |
//! | [`io`] | — | adapters to `embedded-io` that do the whole connection, handshake included (features `embedded-io`, `embedded-io-async`) |
//!
//! ## A server session in a few lines
//!
//! ```
//! use wisp::{Connection, Event, Outgoing, Server};
//!
//! // Bytes a client sent: a masked text frame "Hello" (RFC 6455 §5.7).
//! let mut input = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
//! let mut conn = Connection::<Server>::new();
//! let read = conn.read(&mut input).unwrap();
//! assert_eq!(read.consumed, 11);
//! match read.event {
//!     Some(Event::Data { payload, fin: true, .. }) => assert_eq!(payload, b"Hello"),
//!     other => panic!("unexpected {other:?}"),
//! }
//!
//! // Answer with an unmasked text frame.
//! let mut out = [0u8; 16];
//! let n = conn.send(Outgoing::Text { payload: b"Hi", fin: true }, &mut out).unwrap();
//! assert_eq!(&out[..n], &[0x81, 0x02, b'H', b'i']);
//! ```
//!
//! ## Guarantees
//! - `#![no_std]`, no `alloc`; the connection state is 16 bytes
//!   (see [`Connection`]).
//! - No input can make it panic: indexing, `unwrap` and friends are denied by
//!   lints in this crate, and the decoders are fuzzed (`fuzz/`).
//! - Every protocol violation is an [`Error`] that knows the close code to send
//!   ([`Error::close_code`]) and says in words what was wrong.
//!
//! [RFC 6455]: https://www.rfc-editor.org/rfc/rfc6455
#![no_std]
#![deny(missing_docs, unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented,
    clippy::string_slice,
    clippy::undocumented_unsafe_blocks
)]
// Tests may panic and index freely.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

#[cfg(test)]
extern crate std;

pub mod close;
pub mod connection;
pub mod endpoint;
pub mod error;
pub mod frame;
#[cfg(feature = "handshake")]
pub mod handshake;
#[cfg(any(feature = "embedded-io", feature = "embedded-io-async"))]
pub mod io;
pub mod utf8;

pub use close::CloseFrame;
pub use connection::{Client, Connection, DataKind, Event, MaskSource, Outgoing, Received, Role, Server, Side};
pub use endpoint::{Endpoint, Tap};
pub use error::Error;
pub use frame::{CloseCode, Header, Opcode};

/// The outcome of a parse that may need more input, as in `httparse`.
///
/// Running out of input is not an error: the caller keeps the bytes it has,
/// appends more, and parses again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status<T> {
    /// Parsing finished with this value.
    Complete(T),
    /// The input ends before the item does; supply more bytes.
    Partial,
}

impl<T> Status<T> {
    /// The value, if parsing finished.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(v) => Some(v),
            Status::Partial => None,
        }
    }
}
