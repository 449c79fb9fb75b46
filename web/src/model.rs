//! The dashboard's state, without any DOM: unit-tested on the host and in
//! Chromium.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`line`](mod@line) | one console line: kind, log level and target, when it arrived |
//! | [`console`] | the ring of lines, gap counts, the filter |
//! | [`search`] | the search over the ring: matches, the current one |
//! | [`markup`] | a line as HTML: escaped, SGR colours, control bytes made visible, matches marked |
//! | [`color`] | SGR colours and WCAG contrast |
//! | [`command`] | the command line's history, the commands learned from `help`, Tab completion |
//! | [`devices`] | the device list: URLs, tokens, storage |
//! | [`wire`] | `/tap` records decoded into frames |
//! | [`pcapng`] | the capture, written as a `.pcapng` file Wireshark decodes |
//! | [`chart`] | rates per second, axes, the sample under the pointer |
//! | [`format`](mod@format) | numbers and times as text |
//! | [`find`] | substring search |

pub mod chart;
pub mod color;
pub mod command;
pub mod console;
pub mod devices;
pub mod find;
pub mod format;
pub mod line;
pub mod markup;
pub mod pcapng;
pub mod search;
pub mod wire;

pub use chart::{CHART_SECONDS, Rates};
pub use command::{Completion, Help, History};
pub use console::{CONSOLE_RING, Console, Filter, Stamps};
pub use devices::Entry;
pub use format::fixed;
pub use line::{Level, Line, LineKind, record};
pub use pcapng::Capture;
pub use wire::{Frame, WIRE_RING, Wire};
