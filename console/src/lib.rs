//! # wisp-console — a device's console in a browser
//!
//! Everything a device needs to show its `printf()`/`log` output and take
//! commands in a browser over WebSocket, with no debug probe: `no_std`, no
//! allocation, on the [`wisp`] RFC 6455 engine.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`console`] | the [`Console`] firmware writes to from anywhere (`writeln!`, [`log`]) and its line ring with per-reader cursors |
//! | [`command`] | built-in commands and the device's own ([`Command`]) |
//! | [`app`] | what the firmware adds: commands, block bodies, periodic work ([`App`]) |
//! | `dashboard` | the dashboard's release build, gzip-compressed, served from flash (feature `dashboard`) |
//! | [`http`] | the web server in front: files from flash, refusals, `Host`/`Origin`/token checks, upgrades |
//! | [`session`] | one connection, sans-IO: HTTP, then `/printf`, `/echo` or `/tap` |
//! | [`tap`] | the wire-tap record format of `/tap` |
//! | [`device`] | what sessions share: application, console, configuration, limits |
//! | [`dial`] | the client role's reconnection schedule (feature `dial`) |
//! | [`poll`] | the driver for a non-blocking poll loop over `embedded-io` transports |
//! | `asynch` | the driver over `embedded-io-async` sockets, one task per connection (feature `async`) |
//! | `testing` | an in-memory transport and a caller-driven clock (feature `testing`) |
//!
//! What clients see on the wire — line format, levels, commands, refusals,
//! the security model — is in `PROTOCOL.md`.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs, unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

#[cfg(any(test, feature = "std"))]
extern crate std;

#[cfg(not(any(feature = "sha1-smol", feature = "compact-sha1")))]
compile_error!("wisp-console needs a SHA-1 for the WebSocket accept key: enable `sha1-smol` or `compact-sha1`");

pub mod app;
#[cfg(feature = "async")]
pub mod asynch;
pub mod command;
pub mod console;
#[cfg(feature = "dashboard")]
pub mod dashboard;
pub mod device;
#[cfg(feature = "dial")]
pub mod dial;
pub mod http;
mod line;
#[cfg(feature = "log")]
pub mod log;
pub mod poll;
mod ring;
pub mod session;
pub mod tap;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "async")]
mod wake;

pub use app::{App, Stats, Tick};
pub use command::{Call, Command, Usage};
pub use console::{Block, Console, Entry, Lines, Overflow, ReaderId, Writer};
pub use device::{Admission, Config, Device, LogEvent};
#[cfg(feature = "files")]
pub use http::Asset;
pub use http::{Access, Service, Services, Site};
pub use line::{LINE_MAX, Level, LineBuf, Source, truncate};
pub use session::{Ending, Session, Timing};

/// Microseconds since the device booted: the only clock the library knows.
pub type Micros = u64;

/// A peer's network address, for the limit on what one address may hold:
/// an IPv6 address, or an IPv4 one mapped into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Peer(pub [u8; 16]);

impl From<[u8; 4]> for Peer {
    fn from(v4: [u8; 4]) -> Self {
        let mut a = [0u8; 16];
        a[10] = 0xFF;
        a[11] = 0xFF;
        a[12..].copy_from_slice(&v4);
        Peer(a)
    }
}

impl From<[u8; 16]> for Peer {
    fn from(v6: [u8; 16]) -> Self {
        Peer(v6)
    }
}
