//! # wisp-web — the dashboard
//!
//! A WASM page (no UI framework) that shows a Wisp device live: its printf
//! console, the frame-level traffic from its `/tap` decoded with the `wisp`
//! core, controls for its commands, and charts. It talks to the device that
//! served it, to any device named with `?device=ws://HOST[:PORT]/PATH`, or —
//! with `?twin` — to the same firmware running inside the page.
//!
//! - [`model`]: state without a DOM (console ring, wire decoding, rates).
//! - `app` (wasm32 only): the DOM, the sockets, the animation-frame loop.
//!
//! The in-browser device is a second module, `wisp-web-twin`, imported only
//! with `?twin`.

pub mod model;

#[cfg(target_arch = "wasm32")]
mod app;
