//! What a console line may hold, and the forms it takes (`PROTOCOL.md`).
//!
//! - **Hygiene.** Text that comes from a client (`print`, arguments echoed
//!   in an error line, close reasons) has every control byte but TAB
//!   replaced with its visible Unicode "control picture" (U+2400–U+2421) and
//!   every C1 control with U+FFFD before it is stored, so no client can start
//!   a new line, forge a `#` or `!` line, or drive a terminal. The device's
//!   own output may carry ANSI SGR colour sequences (`ESC [ … m`), which the
//!   dashboard renders; any other escape, CR or control byte is replaced the
//!   same way, and LF ends the line.
//! - **Log records** read `[<uptime>] <LEVEL> <target>: <message>`, uptime in
//!   the Linux kernel's `printk` form (`[    12.500000]`).

use core::fmt::{self, Write};

use crate::Micros;

/// Longest text a line holds, in bytes (the `#<seq> ` prefix is not counted).
pub const LINE_MAX: usize = 200;

/// A log record's level, as the `log` crate names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `ERROR`
    Error = 1,
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
    /// Every level, most severe first.
    pub const ALL: [Level; 5] = [Level::Error, Level::Warn, Level::Info, Level::Debug, Level::Trace];

    /// The word on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }

    /// The level named `s` (any case): `error`, `warn`, `info`, `debug`, `trace`.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(s))
    }

    pub(crate) const fn from_tag(tag: u8) -> Option<Level> {
        match tag {
            1 => Some(Level::Error),
            2 => Some(Level::Warn),
            3 => Some(Level::Info),
            4 => Some(Level::Debug),
            5 => Some(Level::Trace),
            _ => None,
        }
    }
}

/// A line being built: at most [`LINE_MAX`] bytes, cut on a character
/// boundary, with hygiene applied as text is added.
#[derive(Clone)]
pub struct LineBuf {
    bytes: [u8; LINE_MAX],
    len: usize,
    /// An SGR sequence is being copied (device text only).
    escape: Escape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    /// ESC seen.
    Esc,
    /// `ESC [` and parameters seen; the bytes so far are held here.
    Csi {
        start: usize,
    },
}

/// Where text comes from, which decides what it may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The device's own output: SGR colours allowed.
    Device,
    /// A client: no escape of any kind.
    Client,
}

impl Default for LineBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl LineBuf {
    /// An empty line.
    pub const fn new() -> Self {
        LineBuf { bytes: [0; LINE_MAX], len: 0, escape: Escape::None }
    }

    /// The text so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// Nothing in it yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Empty it.
    pub fn clear(&mut self) {
        self.len = 0;
        self.escape = Escape::None;
    }

    /// Append `s` from `source`, applying its hygiene. An LF is replaced
    /// too: ending a line is the caller's decision (see [`Writer`]).
    ///
    /// [`Writer`]: crate::Writer
    pub fn push_str(&mut self, s: &str, source: Source) {
        let mut rest = s;
        while !rest.is_empty() {
            // Printable ASCII outside an escape goes in as it is, whatever its
            // source: a run of it is copied at once (most text is such runs,
            // and a character at a time is what a console line cost most).
            let plain = match self.escape {
                Escape::None => rest.bytes().take_while(|b| (0x20..0x7f).contains(b)).count(),
                _ => 0,
            };
            if plain > 0 {
                let (run, tail) = rest.split_at(plain);
                // ASCII: any cut is on a character boundary.
                self.raw(run.get(..LINE_MAX - self.len).unwrap_or(run));
                rest = tail;
                continue;
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                self.push_char(c, source);
            }
            rest = chars.as_str();
        }
    }

    /// Append one character from `source`.
    pub fn push_char(&mut self, c: char, source: Source) {
        if source == Source::Device {
            match (self.escape, c) {
                (Escape::None, '\x1b') => {
                    self.escape = Escape::Esc;
                    return;
                }
                (Escape::Esc, '[') => {
                    let start = self.len;
                    if self.raw("\x1b[") {
                        self.escape = Escape::Csi { start };
                    } else {
                        self.escape = Escape::None;
                    }
                    return;
                }
                (Escape::Csi { .. }, '0'..='9' | ';') => {
                    let mut b = [0u8; 4];
                    if !self.raw(c.encode_utf8(&mut b)) {
                        self.escape = Escape::None;
                    }
                    return;
                }
                (Escape::Csi { .. }, 'm') => {
                    self.escape = Escape::None;
                    self.raw("m");
                    return;
                }
                (Escape::Esc, _) => {
                    // A lone ESC or one starting anything but SGR.
                    self.escape = Escape::None;
                    self.visible('\x1b');
                }
                (Escape::Csi { start }, _) => {
                    // Not SGR after all: show what was held, visibly.
                    self.escape = Escape::None;
                    let held = self.len;
                    self.len = start;
                    let mut copy = [0u8; LINE_MAX];
                    let n = held - start;
                    if let (Some(dst), Some(src)) = (copy.get_mut(..n), self.bytes.get(start..held)) {
                        dst.copy_from_slice(src);
                    }
                    for &b in copy.get(..n).unwrap_or_default() {
                        self.visible(char::from(b));
                    }
                }
                _ => {}
            }
            if c == '\r' {
                return;
            }
        }
        self.visible(c);
    }

    /// Append `c` as it should be seen: a control byte as its picture.
    fn visible(&mut self, c: char) {
        let shown = match c {
            '\t' => '\t',
            '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
            '\x7f' => '\u{2421}',
            '\u{80}'..='\u{9f}' => '\u{FFFD}',
            c => c,
        };
        let mut b = [0u8; 4];
        self.raw(shown.encode_utf8(&mut b));
    }

    /// Append bytes as they are, if all of them fit.
    fn raw(&mut self, s: &str) -> bool {
        let end = self.len + s.len();
        match self.bytes.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(s.as_bytes());
                self.len = end;
                true
            }
            None => false,
        }
    }

    /// An SGR sequence cut by the end of the line would leave the colour
    /// on for the rest of a terminal: drop it.
    pub(crate) fn finish(&mut self) {
        if let Escape::Csi { start } = self.escape {
            self.len = start;
        }
        self.escape = Escape::None;
    }
}

impl Write for LineBuf {
    /// Formatting into a line is device text.
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s, Source::Device);
        Ok(())
    }
}

/// Write `[<secs>.<micros>] ` for a log record.
pub(crate) fn uptime(now: Micros, out: &mut LineBuf) {
    let _ = write!(out, "[{:6}.{:06}] ", now / 1_000_000, now % 1_000_000);
}

/// Write a log record's prefix: uptime, level and target (spaces in a
/// target become `_`, so the prefix always parses).
pub(crate) fn log_prefix(now: Micros, level: Level, target: &str, out: &mut LineBuf) {
    uptime(now, out);
    out.push_str(level.as_str(), Source::Device);
    out.push_char(' ', Source::Device);
    for c in target.chars() {
        out.push_char(if c == ' ' { '_' } else { c }, Source::Client);
    }
    out.push_str(": ", Source::Device);
}

/// The longest prefix of `s` of at most `max` bytes ending on a char boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn line(s: &str, source: Source) -> String {
        let mut b = LineBuf::new();
        b.push_str(s, source);
        b.finish();
        String::from_utf8(b.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn client_text_cannot_start_a_line_or_drive_a_terminal() {
        let forged = "hi\n#9999 forged\r\n! dropped\x1b[2J\x07\0\x7f\u{9b}31m";
        let got = line(forged, Source::Client);
        assert!(!got.chars().any(|c| c.is_control() && c != '\t'), "{got:?}");
        assert_eq!(
            got,
            "hi\u{240a}#9999 forged\u{240d}\u{240a}! dropped\u{241b}[2J\u{2407}\u{2400}\u{2421}\u{FFFD}31m"
        );
        assert_eq!(line("a\tb", Source::Client), "a\tb");
    }

    #[test]
    fn device_text_keeps_sgr_colours_and_nothing_else() {
        let got = line("\x1b[1;31mred\x1b[0m \x1b[2Jclear\x1b]0;title\x07 cr\r", Source::Device);
        assert_eq!(got, "\x1b[1;31mred\x1b[0m \u{241b}[2Jclear\u{241b}]0;title\u{2407} cr");
        // A sequence cut by the end of the line is dropped, not left open.
        assert_eq!(line("ok \x1b[38;5", Source::Device), "ok ");
    }

    #[test]
    fn lines_are_cut_on_a_character_boundary() {
        let got = line(&"é".repeat(150), Source::Device);
        assert!(got.len() <= LINE_MAX && got.len() >= LINE_MAX - 1);
        assert!(got.chars().all(|c| c == 'é'));
    }

    /// Character by character: what `push_str` must be equal to.
    fn char_by_char(s: &str, source: Source) -> String {
        let mut b = LineBuf::new();
        for c in s.chars() {
            b.push_char(c, source);
        }
        b.finish();
        String::from_utf8(b.as_bytes().to_vec()).unwrap()
    }

    proptest::proptest! {
        #[test]
        fn copying_plain_runs_changes_nothing(
            parts in proptest::collection::vec(proptest::prop_oneof![
                "[ -~]{0,40}", "\\x1b\\[[0-9;]{0,4}m?", "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}é€]{0,3}"
            ], 0..12),
            client: bool,
        ) {
            let s: String = parts.concat();
            let source = if client { Source::Client } else { Source::Device };
            proptest::prop_assert_eq!(line(&s, source), char_by_char(&s, source));
            let long = s.repeat(8);
            proptest::prop_assert_eq!(line(&long, source), char_by_char(&long, source));
        }
    }

    #[test]
    fn log_prefix_is_the_documented_form() {
        let mut b = LineBuf::new();
        log_prefix(12_500_000, Level::Warn, "my net", &mut b);
        assert_eq!(b.as_bytes(), b"[    12.500000] WARN my_net: ");
        assert_eq!(Level::parse("Debug"), Some(Level::Debug));
        assert_eq!(Level::parse("loud"), None);
    }
}
