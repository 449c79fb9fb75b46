//! # wisp-sim — the simulated device
//!
//! A small application on [`wisp_console`], run everywhere the project runs
//! a device: in the host twin (`device-sim`), in the browser (`web-twin`)
//! and on the emulated Cortex-M4 board (`board`). It is what a firmware
//! author writes: an [`App`](wisp_console::App) with its own commands, a
//! block line's body, and periodic work. Everything else — sessions, the web
//! server, the console ring, limits — is the library's.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`device`] | [`Sim`]: the commands `pause`, `resume`, `rate`, `burst`, `dump`, `log`, `colors`, and the periodic lines |
//! | [`dump`] | the hex dump of simulated memory, streamed as one message |
//! | [`sim`] | simulated hardware: sensors, a memory region, a PRNG |
#![no_std]
#![deny(missing_docs, unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

#[cfg(test)]
extern crate std;

pub mod device;
pub mod dump;
pub mod sim;

pub use device::Sim;

/// The simulated device's version, shown in the boot banner.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
