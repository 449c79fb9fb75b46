//! # wisp-web — the dashboard
//!
//! A WASM page (no UI framework) that follows Wisp devices live: each one's
//! printf console with a command line, levels, search and the time each
//! line arrived; the frame-level traffic from its `/tap`, decoded with the
//! `wisp` core and downloadable as a `.pcapng` capture; charts; several
//! devices at once. It talks to the device that served it, to any device
//! named with `?device=ws://HOST[:PORT]/PATH` (and `?token=`) or added to its
//! list, or — with `?twin` — to the same firmware running inside the page.
//!
//! - [`model`]: state without a DOM, tested on the host and in Chromium.
//! - `app` (wasm32 only): the devices, the animation-frame loop, event routing, shortcuts.
//! - `device` (wasm32 only): one device's sockets and what the page keeps of it.
//! - `panel` (wasm32 only): the panels — device list, console, command
//!   line, wire view, charts — each with its own DOM wiring.
//! - `list` (wasm32 only): scrolled lists that draw only the rows in view.
//! - `socket` (wasm32 only): WebSockets run in workers, their messages handed
//!   to the page in batches.
//! - `dom` (wasm32 only): elements, listeners, clock, storage, downloads.
//!
//! The in-browser device is a second module, `wisp-web-twin`, imported only
//! with `?twin`.

pub mod model;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod device;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod list;
#[cfg(target_arch = "wasm32")]
mod panel;
#[cfg(target_arch = "wasm32")]
mod socket;

/// The page's allocator: Talc, a field-made allocator for WebAssembly,
/// measured 6.8 KB smaller in the page than the default (dlmalloc).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
