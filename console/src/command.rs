//! Commands: text messages a `/printf` client sends, one per message.
//!
//! Grammar: a word, then its arguments. The built-ins ([`BUILTINS`]) are
//! the same on every device; an application adds its own as a table of
//! [`Command`]s ([`App::COMMANDS`](crate::App::COMMANDS)). `help` lists both.
//! A malformed call gets an error line, never a disconnect.
//!
//! ```
//! use core::fmt::Write;
//! use wisp_console::{App, Call, Command, Usage};
//!
//! struct Board { led: bool }
//!
//! fn led(board: &mut Board, call: &mut Call<'_>) -> Result<(), Usage> {
//!     board.led = match call.args() {
//!         "on" => true,
//!         "off" => false,
//!         _ => return Err(Usage),            // the client gets "! usage: led on|off"
//!     };
//!     writeln!(call, "LED {}", call.args()).map_err(|_| Usage)
//! }
//!
//! impl App for Board {
//!     const COMMANDS: &'static [Command<Self>] = &[Command::new("led", "on|off", "switch the board's LED", led)];
//! }
//! ```

use core::fmt::{self, Write};

use crate::Micros;
use crate::console::Lines;
use crate::line::LineBuf;

/// Longest command accepted, in bytes (a `print` text included).
pub const COMMAND_MAX: usize = 256;

/// Bytes of reply a session holds while it cannot send them yet.
pub const REPLY_MAX: usize = 320;

/// One command: its name, its arguments as `help` shows them, one line of
/// help, and its handler.
pub struct Command<A: ?Sized> {
    /// The word that calls it.
    pub name: &'static str,
    /// Its arguments, as shown in `help` and in a usage error (`on|off`).
    pub args: &'static str,
    /// What it does, in a few words.
    pub help: &'static str,
    /// The handler: it may change the application, write to the console,
    /// and reply through the [`Call`] (`writeln!(call, …)`); `Err(Usage)`
    /// answers `! usage: <name> <args>`.
    pub run: fn(&mut A, &mut Call<'_>) -> Result<(), Usage>,
}

impl<A: ?Sized> Command<A> {
    /// A command (`const`, for a `static` table).
    pub const fn new(
        name: &'static str,
        args: &'static str,
        help: &'static str,
        run: fn(&mut A, &mut Call<'_>) -> Result<(), Usage>,
    ) -> Self {
        Command { name, args, help, run }
    }
}

/// The call was malformed: the client is told the command's usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage;

/// The built-in commands: name, arguments, help.
pub const BUILTINS: &[(&str, &str, &str)] = &[
    ("help", "", "this list"),
    ("ping", "", "the device pings you and reports the round trip"),
    ("print", "<text>", "printf() the text into the console"),
    ("close", "<code> [why]", "close this connection (1000-1003, 1007-1014, 3000-4999)"),
];

/// One command being run: its arguments, the console, the time, and the
/// reply to the client who sent it.
pub struct Call<'c> {
    args: &'c str,
    reply: &'c mut Replies,
    /// The time of the call, µs since boot.
    pub now: Micros,
    /// The device's console.
    pub console: &'c dyn Lines,
    /// The calling session's id.
    pub session: u16,
}

impl<'c> Call<'c> {
    pub(crate) fn new(
        args: &'c str,
        reply: &'c mut Replies,
        now: Micros,
        console: &'c dyn Lines,
        session: u16,
    ) -> Self {
        Call { args, reply, now, console, session }
    }

    /// Everything after the command's name, trimmed.
    pub fn args(&self) -> &'c str {
        self.args
    }

    /// The arguments as words.
    pub fn words(&self) -> core::str::SplitWhitespace<'c> {
        self.args.split_whitespace()
    }

    /// The arguments as one number within `range`, or [`Usage`].
    pub fn number(&self, range: core::ops::RangeInclusive<u32>) -> Result<u32, Usage> {
        match self.args.parse::<u32>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(Usage),
        }
    }
}

impl Write for Call<'_> {
    /// The reply: each line goes to the caller as a `> ` message.
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.reply.write_str(s)
    }
}

/// Reply lines waiting to go out: while a streamed message is open on the
/// session they wait, so messages never interleave. Bounded; a reply that
/// does not fit is cut and ends in `…`.
pub(crate) struct Replies {
    bytes: heapless::Vec<u8, REPLY_MAX>,
    /// Bytes of the current (unfinished) line.
    open: usize,
    cut: bool,
    /// What a new line starts with: `> ` for a reply, `! ` for a notice.
    mark: u8,
}

impl Replies {
    pub const fn new() -> Self {
        Replies { bytes: heapless::Vec::new(), open: 0, cut: false, mark: b'>' }
    }

    /// Bytes waiting.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// End the reply's last line if it is open.
    pub fn finish(&mut self) {
        if self.open > 0 {
            let _ = self.write_str("\n");
        }
    }

    /// The first waiting line (without its newline).
    pub fn first(&self) -> Option<&[u8]> {
        let end = self.bytes.iter().position(|&b| b == b'\n')?;
        self.bytes.get(..end)
    }

    /// The first line went out.
    pub fn pop(&mut self) {
        if let Some(end) = self.bytes.iter().position(|&b| b == b'\n') {
            let rest = self.bytes.len() - end - 1;
            self.bytes.copy_within(end + 1.., 0);
            self.bytes.truncate(rest);
        }
        if self.bytes.is_empty() {
            self.cut = false;
        }
    }

    /// One whole reply line (`> …`).
    pub fn line(&mut self, args: fmt::Arguments<'_>) {
        self.finish();
        let _ = self.write_fmt(args);
        self.finish();
    }

    /// One whole notice line (`! …`): an error or a warning for this client.
    pub fn notice(&mut self, args: fmt::Arguments<'_>) {
        self.finish();
        self.mark = b'!';
        let _ = self.write_fmt(args);
        self.finish();
        self.mark = b'>';
    }

    /// A notice quoting client text, its control bytes made visible.
    pub fn notice_quoting(&mut self, what: &str, quoted: &str) {
        let mut q = LineBuf::new();
        q.push_str(crate::line::truncate(quoted, 40), crate::line::Source::Client);
        let q = core::str::from_utf8(q.as_bytes()).unwrap_or_default();
        self.notice(format_args!("{what}: {q}"));
    }
}

impl Write for Replies {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // A reply may quote the client (its arguments): no control bytes
        // and no colour, no line feeds but the ones that end lines.
        for part in s.split_inclusive('\n') {
            let (text, ends) = match part.strip_suffix('\n') {
                Some(t) => (t, true),
                None => (part, false),
            };
            let mut clean = LineBuf::new();
            if self.open == 0 && (ends || !text.is_empty()) {
                clean.push_char(char::from(self.mark), crate::line::Source::Device);
                clean.push_char(' ', crate::line::Source::Device);
            }
            clean.push_str(text, crate::line::Source::Client);
            let room = REPLY_MAX.saturating_sub(self.bytes.len() + 4);
            if self.cut || clean.as_bytes().len() > room {
                if !self.cut {
                    self.cut = true;
                    let _ = self.bytes.extend_from_slice("> …\n".as_bytes());
                    self.open = 0;
                }
                continue;
            }
            let _ = self.bytes.extend_from_slice(clean.as_bytes());
            self.open += clean.as_bytes().len();
            if ends {
                let _ = self.bytes.push(b'\n');
                self.open = 0;
            }
        }
        Ok(())
    }
}

/// A command message split into its name and arguments.
pub(crate) fn split(text: &str) -> (&str, &str) {
    let text = text.trim_matches(|c| c == ' ' || c == '\r' || c == '\n' || c == '\t');
    let (word, rest) = text.split_once([' ', '\t']).unwrap_or((text, ""));
    (word, rest.trim_start_matches([' ', '\t']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_lines_bounded_and_clean() {
        let mut r = Replies::new();
        write!(r, "one\ntw").unwrap();
        write!(r, "o\x1b[2J").unwrap();
        r.finish();
        assert_eq!(r.first(), Some("> one".as_bytes()));
        r.pop();
        assert_eq!(r.first(), Some("> two\u{241b}[2J".as_bytes()));
        r.pop();
        r.notice(format_args!("bad"));
        assert_eq!(r.first(), Some("! bad".as_bytes()));
        r.pop();
        assert_eq!(r.len(), 0);
        for _ in 0..100 {
            writeln!(r, "a line of reply text").unwrap();
        }
        let mut lines = 0;
        let mut last = std::vec::Vec::new();
        while let Some(l) = r.first() {
            last = l.to_vec();
            r.pop();
            lines += 1;
        }
        assert!(lines > 5 && lines < 20, "{lines}");
        assert_eq!(last, "> …".as_bytes());
    }

    #[test]
    fn a_command_splits_at_its_first_space() {
        assert_eq!(split(" rate  50\n"), ("rate", "50"));
        assert_eq!(split("print hello  world"), ("print", "hello  world"));
        assert_eq!(split("help"), ("help", ""));
    }
}
