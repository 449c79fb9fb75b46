//! The page's panels (wasm32 only), each wiring its own controls and
//! drawing the active device:
//!
//! | module | panel |
//! | --- | --- |
//! | [`devices`] | the device list: add by URL, state, switch, remove, connect and close |
//! | [`console`] | the console: rows, levels, filter, search, times, download |
//! | [`command_line`] | the command line at the console's foot, and the command buttons |
//! | [`wire`] | the wire view and its capture download |
//! | [`charts`] | lines/s, bytes/s and ping round trips, with axes and a readout |

pub mod charts;
pub mod command_line;
pub mod console;
pub mod devices;
pub mod wire;
