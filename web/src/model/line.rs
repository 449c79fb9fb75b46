//! One console line: what kind it is (console/PROTOCOL.md), its log level
//! and target when it is a log record, and when the page received it.

use super::find::split_once;

/// A log record's level, as the console library defines it; most severe
/// first (so `a <= b` reads "at least as severe as").
pub use wisp_console::Level;

/// The level a record spells exactly so (the wire's upper-case word).
fn level_named(word: &str) -> Option<Level> {
    Level::ALL.into_iter().find(|l| l.as_str() == word)
}

/// What a console line is, by its first character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `#<seq> …`: a console line.
    Console,
    /// `> …`: a reply to our command.
    Reply,
    /// `! …`: a notice or error (dropped lines stand out).
    Notice,
    /// Shown by the dashboard itself (connection state and such).
    Local,
    /// A command typed on the command line, echoed the way a terminal does.
    Command,
}

/// A console line's target when it has none (or the console has seen too
/// many distinct targets to name another).
pub const NO_TARGET: u8 = u8::MAX;

/// One console line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Kind, for styling.
    pub kind: LineKind,
    /// The text as received (SGR sequences and all).
    pub text: String,
    /// Sequence number of a `#` line.
    pub seq: Option<u64>,
    /// Level of a log record.
    pub level: Option<Level>,
    /// Target of a log record: an index into the console's targets, or
    /// [`NO_TARGET`]. Set by the console when the line is pushed.
    pub target: u8,
    /// When the page received it: milliseconds since the Unix epoch.
    pub at: f64,
}

impl Line {
    /// Classify a received text message, received at `at` (ms since the epoch).
    pub fn parse(text: String, at: f64) -> Line {
        let kind = match text.as_bytes().first() {
            Some(b'#') => LineKind::Console,
            Some(b'>') => LineKind::Reply,
            Some(b'!') => LineKind::Notice,
            _ => LineKind::Local,
        };
        let seq = (kind == LineKind::Console)
            .then(|| text.get(1..).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()))
            .flatten();
        Line { kind, text, seq, level: None, target: NO_TARGET, at }
    }

    /// A line of the dashboard's own (`kind` Local or Command).
    pub fn own(kind: LineKind, text: String, at: f64) -> Line {
        Line { kind, text, seq: None, level: None, target: NO_TARGET, at }
    }
}

/// The level and target of a log record, from a console line's visible
/// text (SGR sequences already removed): the form
/// `#<seq> [<uptime>] <LEVEL> <target>: <message>`, i.e.
/// `^#(\d+) \[ *(\d+)\.(\d{6})\] (ERROR|WARN|INFO|DEBUG|TRACE) ([^ ]+?): (.*)$`.
///
/// ```
/// use wisp_web::model::{record, Level};
/// let r = record("#44 [    13.000012] WARN wisp_board::net: link down");
/// assert_eq!(r, Some((Level::Warn, "wisp_board::net")));
/// assert_eq!(record("#46 hello from a plain writeln!"), None);
/// ```
pub fn record(text: &str) -> Option<(Level, &str)> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (seq, rest) = text.strip_prefix('#')?.split_once(' ')?;
    let rest = rest.strip_prefix('[')?.trim_start_matches(' ');
    let (secs, rest) = rest.split_once('.')?;
    let (micros, rest) = rest.split_at_checked(6)?;
    if !(digits(seq) && digits(secs) && digits(micros)) {
        return None;
    }
    let (level, rest) = rest.strip_prefix("] ")?.split_once(' ')?;
    let level = level_named(level)?;
    let (target, _) = split_once(rest, ": ")?;
    (!target.is_empty() && !target.bytes().any(|b| b == b' ')).then_some((level, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_records_by_the_spec() {
        for (text, want) in [
            ("#42 [    12.500000] INFO sensor: temp=23.41C", Some((Level::Info, "sensor"))),
            ("#45 [    13.100000] ERROR app: sensor read failed: timeout", Some((Level::Error, "app"))),
            ("#7 [123456.000001] TRACE a: b", Some((Level::Trace, "a"))),
            ("#7 [1.000001] DEBUG x::y: ", Some((Level::Debug, "x::y"))),
            // Not records: no level, a level in lower case, a target with a
            // space before the colon, short microseconds, no seq.
            ("#42 [    12.500000] sensor: temp=23.41C", None),
            ("#42 [    12.500000] info sensor: x", None),
            ("#42 [    12.500000] INFO my target: x", None),
            ("#42 [    12.5000] INFO sensor: x", None),
            ("# [    12.500000] INFO sensor: x", None),
            ("> [    12.500000] INFO sensor: x", None),
            ("#42 [    12.500000] INFO : x", None),
            ("#42 [    12.500000] INFO sensor:x", None),
        ] {
            assert_eq!(record(text), want, "{text}");
        }
    }

    #[test]
    fn kinds_and_sequence_numbers() {
        let l = Line::parse("#18446744073709551615 x".into(), 1.0);
        assert_eq!((l.kind, l.seq), (LineKind::Console, Some(u64::MAX)), "seq is a u64");
        assert_eq!(Line::parse("> paused".into(), 0.0).kind, LineKind::Reply);
        assert_eq!(Line::parse("! dropped".into(), 0.0).kind, LineKind::Notice);
        assert_eq!(Line::parse("hello".into(), 0.0).kind, LineKind::Local);
        assert!(Level::Error < Level::Trace);
    }
}
