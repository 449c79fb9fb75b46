//! # wisp-firmware — the simulated device
//!
//! The application a Wisp device runs, written once and run everywhere: in the
//! host twin (`device-sim`, over `std::net`), in the browser (`web`, over an
//! in-memory transport) and on a Cortex-M4 board (`board`, over `smoltcp`).
//! `#![no_std]`, no allocation, no clock and no sockets of its own: the
//! platform hands it transports that implement the `embedded-io` traits and
//! calls [`Device::poll`] with the time.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`console`] | the printf() console: a ring of numbered lines, the periodic producer, burst, dump |
//! | [`sim`] | simulated hardware: sensors, a memory region to dump, a PRNG |
//! | [`command`] | the commands a client may send (`pause`, `rate 50`, `dump 4096` …) |
//! | [`http`] | the web server in front: static files, upgrades, refusals (RFC 9110/9112) |
//! | [`session`] | one connection: HTTP, then a WebSocket service (`/printf`, `/echo`, `/tap`) |
//! | [`tap`] | the wire-tap record format (`/tap`), encoded here, decoded by the dashboard |
//! | [`dialer`] | the client role: dial out and stream the console, with backoff |
//! | [`device`] | the device: a fixed table of sessions, the console, the poll loop |
//!
//! The line formats clients see are documented in `firmware/PROTOCOL.md`.
#![no_std]
#![deny(missing_docs, unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

#[cfg(test)]
extern crate std;

pub mod command;
pub mod console;
pub mod device;
pub mod dialer;
pub mod http;
pub mod session;
pub mod sim;
pub mod tap;

pub use device::{Config, Device, LogEvent};
pub use http::Asset;
pub use session::Session;

/// Microseconds since the device booted: the only clock the firmware knows.
pub type Micros = u64;

/// What the firmware needs of a connection: the `embedded-io` traits, used
/// without blocking. `read` is called only when `read_ready` says so (and
/// `Ok(0)` then means the peer closed); `write` only when `write_ready` says
/// so, and it may return `Ok(0)` if the transport has no room after all.
pub trait Transport: embedded_io::Read + embedded_io::Write + embedded_io::ReadReady + embedded_io::WriteReady {}

impl<T: embedded_io::Read + embedded_io::Write + embedded_io::ReadReady + embedded_io::WriteReady> Transport for T {}

/// The firmware's version, shown in the boot banner.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
