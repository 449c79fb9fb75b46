//! The frame layer: byte layout only, no connection state ([RFC 6455 §5.2]).
//!
//! - [`header`]: decode and encode the 2–14 byte frame header.
//! - [`opcode`]: the four-bit opcode and its reserved values.
//! - [`mask`]: the XOR mask of §5.3, applied in place and resumable mid-payload.
//! - [`close_code`]: the status codes of §7.4.
//!
//! These are what a wire viewer needs (the dashboard decodes `/tap` records with
//! them); [`crate::Connection`] builds the protocol's rules on top.
//!
//! [RFC 6455 §5.2]: https://www.rfc-editor.org/rfc/rfc6455#section-5.2

pub mod close_code;
pub mod header;
pub mod mask;
pub mod opcode;

pub use close_code::CloseCode;
pub use header::{Header, MAX_HEADER_LEN};
pub use mask::apply_mask;
pub use opcode::Opcode;
