//! # wisp-web — the dashboard
//!
//! A WASM page (no UI framework) that shows a Wisp device live: its printf
//! console, the frame-level traffic from its `/tap` decoded with the `wisp`
//! core, controls for its commands, and charts. It talks to the device that
//! served it, to any device named with `?device=ws://HOST[:PORT]/PATH`, or —
//! with `?twin` — to the same firmware running inside the page.
//!
//! - [`model`]: state without a DOM (console ring, wire decoding, rates).
//! - `app` (wasm32 only): the DOM, the animation-frame loop.
//! - `list` (wasm32 only): scrolled lists that draw only the rows in view.
//! - `socket` (wasm32 only): WebSockets run in workers, their messages handed
//!   to the page in batches.
//!
//! The in-browser device is a second module, `wisp-web-twin`, imported only
//! with `?twin`.

pub mod model;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod list;
#[cfg(target_arch = "wasm32")]
mod socket;
