//! What the firmware adds to the library: its commands, the bodies of its
//! block lines, and periodic work.

use crate::Micros;
use crate::command::Command;
use crate::console::{Block, Lines};

/// The application on top of the library. Every method has a default, so a
/// device with nothing of its own is `impl App for MyDevice {}` (or uses `()`).
pub trait App: 'static {
    /// The device's own commands, listed in `help` after the built-ins.
    const COMMANDS: &'static [Command<Self>] = &[];

    /// Stream part of a block line's body (see [`Block`]): write the bytes
    /// from position `pos` into `out`, and return how many were written and
    /// where the next piece starts — `None` when this piece ends the body.
    /// Positions are the application's own (a byte offset, a row number).
    /// `out` holds at least 96 bytes.
    fn block(&mut self, block: Block, pos: u32, out: &mut [u8]) -> (usize, Option<u32>) {
        let _ = (block, pos, out);
        (0, None)
    }

    /// Periodic work, called by the drivers whenever they run: write the
    /// lines that are due. Returns when it next needs to run (`None`: only
    /// when something happens).
    fn tick(&mut self, tick: &mut Tick<'_>) -> Option<Micros> {
        let _ = tick;
        None
    }
}

impl App for () {}

/// What [`App::tick`] is given.
pub struct Tick<'t> {
    /// The time, µs since boot.
    pub now: Micros,
    /// The console.
    pub console: &'t dyn Lines,
    /// The device's figures.
    pub stats: &'t Stats,
}

/// Figures about the device, for lines an application prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Open sessions of every kind.
    pub sessions: u32,
    /// Bytes received over all sessions.
    pub rx_bytes: u64,
    /// Bytes sent over all sessions.
    pub tx_bytes: u64,
    /// RAM the open sessions use, in bytes.
    pub session_ram: u32,
    /// Wall-clock time (Unix seconds), if the platform knows it.
    pub wall_clock: Option<u64>,
}
