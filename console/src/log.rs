//! The `log` crate's records into the console (feature `log`).
//!
//! ```
//! use wisp_console::Console;
//! static CONSOLE: Console = Console::new();
//! wisp_console::log::init(&CONSOLE, log::LevelFilter::Info).unwrap();
//! log::info!(target: "net", "link up at {} Mbit/s", 100);
//! assert_eq!(wisp_console::Lines::next_seq(&CONSOLE), 1);
//! ```
//!
//! Each record becomes one line, `[<uptime>] <LEVEL> <target>: <message>`
//! (`PROTOCOL.md`), which the dashboard colours and filters by level and
//! target; a client that knows nothing of levels still reads a console line.

use crate::console::{Console, Lines};
use crate::line::Level;

impl<const BYTES: usize, const READERS: usize> log::Log for Console<BYTES, READERS> {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        Lines::record(self, level(record.level()), record.target(), *record.args());
    }

    fn flush(&self) {}
}

/// The console's name for a `log` level.
pub const fn level(l: log::Level) -> Level {
    match l {
        log::Level::Error => Level::Error,
        log::Level::Warn => Level::Warn,
        log::Level::Info => Level::Info,
        log::Level::Debug => Level::Debug,
        log::Level::Trace => Level::Trace,
    }
}

/// Make `console` the `log` crate's logger, up to `max` level.
///
/// Needs atomic compare-and-swap (Cortex-M3 and up, RISC-V with `a`, hosts);
/// on a Cortex-M0 call `log::set_logger_racy` yourself, before interrupts
/// are enabled.
#[cfg(target_has_atomic = "ptr")]
pub fn init<const BYTES: usize, const READERS: usize>(
    console: &'static Console<BYTES, READERS>,
    max: log::LevelFilter,
) -> Result<(), log::SetLoggerError> {
    log::set_logger(console)?;
    log::set_max_level(max);
    Ok(())
}
