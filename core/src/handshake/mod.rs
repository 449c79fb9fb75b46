//! The opening handshake ([RFC 6455 §4]): an HTTP/1.1 `GET` with `Upgrade:
//! websocket`, answered by `101 Switching Protocols`.
//!
//! - [`server`]: parse and validate a request ([`UpgradeRequest`]), either from
//!   raw bytes or from headers a web server already parsed, and write the
//!   `101` or the refusal.
//! - [`client`]: write the request and check the server's answer.
//! - [`accept`]: the `Sec-WebSocket-Accept` computation (SHA-1 + Base64).
//! - [`http`]: the small HTTP/1.1 reader and writer both sides share.
//!
//! Everything borrows the caller's buffers; nothing is copied or allocated.
//!
//! [RFC 6455 §4]: https://www.rfc-editor.org/rfc/rfc6455#section-4

pub mod accept;
pub mod client;
pub mod http;
pub mod server;

pub use accept::accept_key;
pub use client::{ClientHandshake, Response};
pub use server::{UpgradeRequest, write_accept, write_refusal, write_response};
