//! The command line's memory: the history (kept across reloads, per
//! device), the commands the device lists in its `help` reply (the page
//! hard-codes none), and Tab completion from them.

/// Commands the history keeps.
pub const HISTORY_MAX: usize = 100;

/// The commands sent, oldest first, and where ↑/↓ have walked to.
#[derive(Debug, Default)]
pub struct History {
    entries: Vec<String>,
    /// The entry on the line now (`None`: the user's own text).
    pos: Option<usize>,
    /// What was on the line before ↑.
    draft: String,
}

impl History {
    /// A history saved by [`save`](History::save).
    pub fn load(saved: &str) -> History {
        let entries: Vec<String> = saved.lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
        let skip = entries.len().saturating_sub(HISTORY_MAX);
        History { entries: entries.into_iter().skip(skip).collect(), ..History::default() }
    }

    /// One command a line, for storage.
    pub fn save(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// The commands, oldest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Remember a command sent (not twice in a row); back to the user's line.
    pub fn push(&mut self, command: &str) {
        let command = command.trim();
        self.pos = None;
        self.draft.clear();
        if command.is_empty()
            || command.bytes().any(|b| b == b'\n')
            || self.entries.last().is_some_and(|l| l == command)
        {
            return;
        }
        if self.entries.len() == HISTORY_MAX {
            self.entries.remove(0);
        }
        self.entries.push(command.to_string());
    }

    /// ↑: the entry before the one shown (the newest first); `line` is what
    /// the user has typed, given back by ↓ past the newest.
    pub fn up(&mut self, line: &str) -> Option<&str> {
        let at = match self.pos {
            None => {
                let last = self.entries.len().checked_sub(1)?;
                self.draft = line.to_string();
                last
            }
            Some(p) => p.checked_sub(1)?,
        };
        self.pos = Some(at);
        self.entries.get(at).map(String::as_str)
    }

    /// ↓: the entry after the one shown, then the user's own line.
    pub fn down(&mut self) -> Option<&str> {
        let p = self.pos?;
        if p + 1 < self.entries.len() {
            self.pos = Some(p + 1);
            self.entries.get(p + 1).map(String::as_str)
        } else {
            self.pos = None;
            Some(&self.draft)
        }
    }
}

/// A command the device listed: its name and its whole help line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The first word: what is typed.
    pub name: String,
    /// The help line: usage and description.
    pub help: String,
}

/// A `help` reply line: `> <name> <usage and description>`.
fn entry(text: &str) -> Option<Known> {
    let line = text.strip_prefix("> ")?;
    let name = line.split(' ').next()?;
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':'));
    ok.then(|| Known { name: name.to_string(), help: line.to_string() })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Reading {
    #[default]
    Idle,
    /// `help` was sent; nothing of the reply yet.
    Asked { quiet: bool },
    /// Reply lines are coming; `seen`: one came in this message batch.
    Reply { quiet: bool, seen: bool },
}

/// Learns the device's commands from its `help` reply.
///
/// The page sends `help` quietly when a console connects and hides the
/// reply; when the user sends it, the reply shows as any other. The reply
/// is the run of `>` lines after it, and it ends (console/PROTOCOL.md) at a
/// message batch without a `>` line, at a name seen twice, at a `!` line, or
/// when the user sends another command.
#[derive(Debug, Default)]
pub struct Help {
    reading: Reading,
    commands: Vec<Known>,
}

impl Help {
    /// `help` was sent (`quiet`: by the page itself).
    pub fn asked(&mut self, quiet: bool) {
        self.reading = Reading::Asked { quiet };
    }

    /// Another command was sent: what comes now is its reply.
    pub fn interrupted(&mut self) {
        self.reading = Reading::Idle;
    }

    /// A console line arrived; returns whether to hide it (a line of a
    /// quiet `help` reply).
    pub fn feed(&mut self, text: &str) -> bool {
        let reply = text.starts_with('>');
        if text.starts_with('!') {
            self.reading = Reading::Idle;
            return false;
        }
        match self.reading {
            Reading::Idle => false,
            Reading::Asked { .. } | Reading::Reply { .. } if !reply => false,
            Reading::Asked { quiet } => match entry(text) {
                Some(k) => {
                    self.commands = vec![k];
                    self.reading = Reading::Reply { quiet, seen: true };
                    quiet
                }
                None => {
                    self.reading = Reading::Idle;
                    false
                }
            },
            Reading::Reply { quiet, .. } => match entry(text) {
                Some(k) if !self.commands.iter().any(|c| c.name == k.name) => {
                    self.commands.push(k);
                    self.reading = Reading::Reply { quiet, seen: true };
                    quiet
                }
                _ => {
                    self.reading = Reading::Idle;
                    false
                }
            },
        }
    }

    /// A message batch ended.
    pub fn batch_end(&mut self) {
        if let Reading::Reply { quiet, seen } = self.reading {
            self.reading = if seen { Reading::Reply { quiet, seen: false } } else { Reading::Idle };
        }
    }

    /// The commands of the last `help` reply, in its order.
    pub fn commands(&self) -> &[Known] {
        &self.commands
    }

    /// The help line of the command `line` starts with, if it is one.
    pub fn usage(&self, line: &str) -> Option<&str> {
        let word = line.trim_start().split(' ').next()?;
        self.commands.iter().find(|c| c.name == word).map(|c| c.help.as_str())
    }

    /// Tab on the command line `line`.
    pub fn complete(&self, line: &str) -> Completion {
        let prefix = line.trim_start();
        if prefix.is_empty() || prefix.bytes().any(|b| b == b' ') {
            return Completion::Nothing;
        }
        let names: Vec<&str> =
            self.commands.iter().map(|c| c.name.as_str()).filter(|n| n.starts_with(prefix)).collect();
        match names.as_slice() {
            [] => Completion::Nothing,
            [one] => Completion::Line(format!("{one} ")),
            [first, rest @ ..] => {
                let common = rest
                    .iter()
                    .fold(first.len(), |n, s| first.bytes().zip(s.bytes()).take(n).take_while(|(a, b)| a == b).count());
                if common > prefix.len() {
                    Completion::Line(first.get(..common).unwrap_or(first).to_string())
                } else {
                    Completion::Choices(names.iter().map(|s| s.to_string()).collect())
                }
            }
        }
    }
}

/// What Tab does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Nothing to complete: Tab moves the focus, as everywhere.
    Nothing,
    /// The line, completed (as far as the candidates agree).
    Line(String),
    /// Several commands fit and agree no further.
    Choices(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELP: [&str; 6] = [
        "> help               this list",
        "> ping               the device pings you and reports the round trip",
        "> print <text>       printf() the text into the console",
        "> pause              stop the periodic lines",
        "> led on|off         switch the board's LED",
        "> colors             a line in ANSI SGR colours",
    ];

    fn learned(quiet: bool) -> (Help, Vec<bool>) {
        let mut h = Help::default();
        h.asked(quiet);
        let mut hidden = vec![h.feed("#1 a console line before the reply")];
        hidden.extend(HELP.iter().map(|l| h.feed(l)));
        h.batch_end();
        (h, hidden)
    }

    #[test]
    fn help_is_learned_and_hidden_when_the_page_asked() {
        let (mut h, hidden) = learned(true);
        assert_eq!(hidden, [false, true, true, true, true, true, true]);
        let names: Vec<&str> = h.commands().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["help", "ping", "print", "pause", "led", "colors"]);
        assert_eq!(h.usage("led on"), Some("led on|off         switch the board's LED"));
        // A batch without a `>` line ends the reply: the next reply shows.
        h.batch_end();
        assert!(!h.feed("> rate 50 lines/s"));
        assert_eq!(h.commands().len(), 6, "and is not taken for help");
        // Asked by the user: learned, and shown.
        let (_, hidden) = learned(false);
        assert!(hidden.iter().all(|h| !h));
    }

    #[test]
    fn the_reply_ends_at_a_repeat_a_notice_or_another_command() {
        let (mut h, _) = learned(true);
        h.asked(true);
        assert!(h.feed(HELP[0]));
        assert!(!h.feed(HELP[0]), "a name seen twice: a new reply, shown");
        h.asked(true);
        assert!(!h.feed("! unknown command; try 'help'"));
        assert!(!h.feed(HELP[1]));
        h.asked(true);
        h.interrupted();
        assert!(!h.feed(HELP[1]));
    }

    #[test]
    fn tab_completes_from_the_reply() {
        let (h, _) = learned(true);
        assert_eq!(h.complete("col"), Completion::Line("colors ".into()));
        assert_eq!(h.complete("p"), Completion::Choices(vec!["ping".into(), "print".into(), "pause".into()]));
        assert_eq!(h.complete("pr"), Completion::Line("print ".into()));
        assert_eq!(h.complete("pi"), Completion::Line("ping ".into()));
        assert_eq!(h.complete(""), Completion::Nothing, "Tab on an empty line moves the focus");
        assert_eq!(h.complete("print x"), Completion::Nothing);
        assert_eq!(h.complete("zz"), Completion::Nothing);
        let mut h = Help::default();
        h.asked(false);
        h.feed("> dump <bytes>   …");
        h.feed("> dumpall        …");
        assert_eq!(h.complete("d"), Completion::Line("dump".into()), "as far as they agree");
    }

    #[test]
    fn history_walks_and_survives_a_reload() {
        let mut h = History::default();
        assert_eq!(h.up("typed"), None);
        for c in ["help", "burst 10", "burst 10", " ping "] {
            h.push(c);
        }
        assert_eq!(h.entries(), ["help", "burst 10", "ping"], "no repeat, trimmed");
        assert_eq!(h.up("draft"), Some("ping"));
        assert_eq!(h.up(""), Some("burst 10"));
        assert_eq!(h.up(""), Some("help"));
        assert_eq!(h.up(""), None, "the oldest stays");
        assert_eq!(h.down(), Some("burst 10"));
        assert_eq!(h.down(), Some("ping"));
        assert_eq!(h.down(), Some("draft"), "back to what was typed");
        assert_eq!(h.down(), None);
        let mut again = History::load(&h.save());
        assert_eq!(again.entries(), h.entries());
        assert_eq!(again.up(""), Some("ping"));
        let mut full = History::default();
        for i in 0..HISTORY_MAX + 5 {
            full.push(&format!("c{i}"));
        }
        assert_eq!(full.entries().len(), HISTORY_MAX);
        assert_eq!(full.entries()[0], "c5");
    }
}
