//! The board's application on the console: its own command, `led`, the
//! same on every board; each board's `led` module says what its LED is
//! called and switches it.

use core::fmt::Write as _;

use wisp_console::{App, Call, Command, Usage};

use crate::led;

/// What the console's commands change.
pub struct Board {
    led: bool,
}

impl Board {
    /// The LED off, as at reset.
    pub const fn new() -> Self {
        Board { led: false }
    }
}

/// `led`: toggle the board's LED.
fn toggle(board: &mut Board, call: &mut Call<'_>) -> Result<(), Usage> {
    if !call.args().is_empty() {
        return Err(Usage);
    }
    board.led = !board.led;
    led::SET.signal(board.led);
    writeln!(call, "{} {}", led::NAME, if board.led { "on" } else { "off" }).map_err(|_| Usage)
}

impl App for Board {
    const COMMANDS: &'static [Command<Self>] = &[Command::new("led", "", led::HELP, toggle)];
}
