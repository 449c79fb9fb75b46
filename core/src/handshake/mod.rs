//! The opening handshake ([RFC 6455 §4]): an HTTP/1.1 `GET` with `Upgrade:
//! websocket`, answered by `101 Switching Protocols`.
//!
//! - [`server`]: parse and validate a request ([`UpgradeRequest`]), either from
//!   raw bytes or from headers a web server already parsed, and write the
//!   `101` or the refusal.
//! - [`client`]: write the request and check the server's answer.
//! - [`accept`]: the `Sec-WebSocket-Accept` computation (SHA-1 + Base64).
//! - [`sha1`]: where the SHA-1 comes from — `sha1_smol`, the compact loop, or
//!   the device's own (a hash peripheral, its TLS stack).
//! - [`http`]: the small HTTP/1.1 reader and writer both sides share.
//!
//! Everything borrows the caller's buffers; nothing is copied or allocated.
//!
//! # Features
//!
//! | feature | what it adds |
//! | --- | --- |
//! | `handshake` | this module; the accept key with the device's SHA-1 ([`write_accept_with`], [`ClientHandshake::with_hasher`], [`accept_key_with`]) |
//! | `sha1-smol` (default) | `handshake`, and the plain `write_accept`, `ClientHandshake::new` and `accept_key` with `sha1_smol` |
//! | `compact-sha1` | `handshake`, and the same plain functions with a rolled-loop SHA-1 (~0.4 KB instead of ~3.0 KB on a Cortex-M4); wins over `sha1-smol` when both are on |
//!
//! [RFC 6455 §4]: https://www.rfc-editor.org/rfc/rfc6455#section-4

pub mod accept;
pub mod client;
pub mod http;
pub mod server;
pub mod sha1;

#[cfg(any(feature = "sha1-smol", feature = "compact-sha1"))]
pub use accept::accept_key;
pub use accept::accept_key_with;
pub use client::{ClientHandshake, Response};
#[cfg(any(feature = "sha1-smol", feature = "compact-sha1"))]
pub use server::write_accept;
pub use server::{UpgradeRequest, write_accept_with, write_refusal, write_response, write_terse_refusal};
