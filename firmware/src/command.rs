//! The commands a client sends as text messages, and their parser.
//!
//! Grammar: a word, then arguments separated by spaces. A command that does
//! not parse gets an error line back; it never closes the connection.

use wisp::CloseCode;

use crate::console::{DUMP_MAX, RATE_MAX};

/// Longest command accepted (a `print` text included).
pub const COMMAND_MAX: usize = 256;

/// A parsed command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command<'a> {
    /// Stop the periodic lines.
    Pause,
    /// Restart them.
    Resume,
    /// Periodic lines per second.
    Rate(u32),
    /// `n` lines as fast as the socket takes them.
    Burst(u32),
    /// A hex dump of `n` bytes, as one message of many frames.
    Dump(u32),
    /// The device pings this client and reports the round trip.
    Ping,
    /// printf() the text into the console.
    Print(&'a str),
    /// Close this session with a code and reason.
    Close(CloseCode, &'a str),
    /// List the commands.
    Help,
    /// Store a log record (`[uptime] LEVEL cmd: text`) in the console.
    Log(Level, &'a str),
    /// Store one line coloured with ANSI SGR sequences ([`COLORS`]).
    Colors,
}

/// A log record's level, as the `log` crate names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `ERROR`
    Error,
    /// `WARN`
    Warn,
    /// `INFO`
    Info,
    /// `DEBUG`
    Debug,
    /// `TRACE`
    Trace,
}

impl Level {
    /// The level as a log record spells it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }
}

/// The line `colors` stores: red, green, bold blue and a 256-colour orange,
/// each reset after, the way firmware logs colour their output.
pub const COLORS: &str =
    "\x1b[31mred\x1b[0m \x1b[32mgreen\x1b[0m \x1b[1;34mbold blue\x1b[0m \x1b[38;5;208morange\x1b[0m";

/// Why a command was refused; the text goes back to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal(pub &'static str);

/// The help text, one line per command.
pub const HELP: &[&str] = &[
    "pause              stop the periodic lines",
    "resume             restart them",
    "rate <lines/s>     periodic rate, 0..100000",
    "burst <n>          n lines as fast as the socket takes them (1..1000000)",
    "dump <bytes>       hex dump of simulated memory as ONE message of many frames (1..1048576)",
    "ping               the device pings you and reports the round trip",
    "print <text>       printf() the text into the console",
    "close <code> [why] close this session (1000-1003, 1007-1014, 3000-4999)",
    "help               this list",
    "log <level> <text> a log record, target cmd (level: error|warn|info|debug|trace)",
    "colors             a line in ANSI SGR colours",
];

/// Parse one command message.
///
/// ```
/// use wisp_firmware::command::{parse, Command};
/// assert_eq!(parse("rate 50"), Ok(Command::Rate(50)));
/// assert_eq!(parse("print hello  world"), Ok(Command::Print("hello  world")));
/// assert!(parse("rate fast").is_err());
/// ```
pub fn parse(text: &str) -> Result<Command<'_>, Refusal> {
    let text = text.trim_matches(|c| c == ' ' || c == '\r' || c == '\n' || c == '\t');
    let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
    let rest = rest.trim_start_matches(' ');
    let no_args = |c| {
        if rest.is_empty() { Ok(c) } else { Err(Refusal("this command takes no arguments")) }
    };
    match word {
        "pause" => no_args(Command::Pause),
        "resume" => no_args(Command::Resume),
        "ping" => no_args(Command::Ping),
        "help" => no_args(Command::Help),
        "colors" => no_args(Command::Colors),
        "log" => {
            let usage = "usage: log <error|warn|info|debug|trace> <text>";
            let (level, text) = rest.split_once(' ').ok_or(Refusal(usage))?;
            let level = match level {
                "error" => Level::Error,
                "warn" => Level::Warn,
                "info" => Level::Info,
                "debug" => Level::Debug,
                "trace" => Level::Trace,
                _ => return Err(Refusal(usage)),
            };
            match text.trim_start_matches(' ') {
                "" => Err(Refusal(usage)),
                text => Ok(Command::Log(level, text)),
            }
        }
        "rate" => number(rest, 0, RATE_MAX, "usage: rate <lines/s>, 0..100000").map(Command::Rate),
        "burst" => number(rest, 1, 1_000_000, "usage: burst <n>, 1..1000000").map(Command::Burst),
        "dump" => number(rest, 1, DUMP_MAX, "usage: dump <bytes>, 1..1048576").map(Command::Dump),
        "print" if rest.is_empty() => Err(Refusal("usage: print <text>")),
        "print" => Ok(Command::Print(rest)),
        "close" => {
            let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
            let usage = "usage: close <code> [reason], code 1000-1003, 1007-1014 or 3000-4999";
            let code = number(code, 0, u32::from(u16::MAX), usage)?;
            let code = CloseCode(code as u16);
            if !code.is_sendable() {
                return Err(Refusal(usage));
            }
            Ok(Command::Close(code, reason))
        }
        "" => Err(Refusal("empty command; try 'help'")),
        _ => Err(Refusal("unknown command; try 'help'")),
    }
}

fn number(s: &str, min: u32, max: u32, usage: &'static str) -> Result<u32, Refusal> {
    match s.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(Refusal(usage)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_and_its_refusals() {
        assert_eq!(parse("pause"), Ok(Command::Pause));
        assert_eq!(parse(" resume\n"), Ok(Command::Resume));
        assert_eq!(parse("burst 10"), Ok(Command::Burst(10)));
        assert_eq!(parse("dump 4096"), Ok(Command::Dump(4096)));
        assert_eq!(parse("ping"), Ok(Command::Ping));
        assert_eq!(parse("help"), Ok(Command::Help));
        assert_eq!(parse("close 4000 bye now"), Ok(Command::Close(CloseCode(4000), "bye now")));
        assert_eq!(parse("close 1000"), Ok(Command::Close(CloseCode(1000), "")));
        assert_eq!(parse("log warn disk almost full"), Ok(Command::Log(Level::Warn, "disk almost full")));
        assert_eq!(parse("log trace  x"), Ok(Command::Log(Level::Trace, "x")));
        assert_eq!(parse("colors"), Ok(Command::Colors));
        for bad in [
            "",
            "jump",
            "rate",
            "rate -1",
            "rate 100001",
            "burst 0",
            "dump 0",
            "dump 2000000",
            "close 1005",
            "close x",
            "print",
            "pause now",
            "log",
            "log warn",
            "log warn ",
            "log loud x",
            "log WARN x",
            "colors now",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
