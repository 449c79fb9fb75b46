//! The console: a bounded ring of lines, gap detection, and the two ways of
//! looking through it — a filter (text, level, target) that hides lines, and
//! a search ([`search`](super::search)) that marks every match in the lines
//! the filter shows.
//!
//! Lines have ids (0, 1, 2 … in arrival order), so the filter's selection
//! and the search's matches survive lines falling out of the ring: both are
//! kept up to date as lines arrive (a check of the new line only) and
//! rebuilt only when the filter or the query changes.

use std::collections::VecDeque;

use super::find::{find, split_once};
use super::format::{clock, delta};
use super::line::{Level, Line, LineKind, NO_TARGET, record};
use super::markup::{is_plain, visible};
use super::search::Search;

/// Console lines kept (older ones fall out: memory stays flat).
pub const CONSOLE_RING: usize = 20_000;
/// Distinct log targets the console names (more are "other": a device
/// cannot grow the page's memory by inventing targets).
pub const TARGETS_MAX: usize = 64;

/// Which lines the console shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Text the line must contain, ASCII case-insensitive (empty: any).
    pub text: String,
    /// The most verbose level shown: with one, console lines that are not
    /// log records at that level or a more severe one are hidden (replies,
    /// notices and the dashboard's own lines still show).
    pub level: Option<Level>,
    /// Only log records of this target (an index into
    /// [`Console::targets`]); other `#` lines are hidden.
    pub target: Option<u8>,
}

impl Filter {
    /// Filters nothing out.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.level.is_none() && self.target.is_none()
    }

    fn passes(&self, line: &Line, visible: &str) -> bool {
        let records_only = self.level.is_some() || self.target.is_some();
        if records_only && line.kind == LineKind::Console {
            match line.level {
                Some(l) if self.level.is_none_or(|max| l <= max) => {}
                _ => return false,
            }
            if self.target.is_some_and(|t| t != line.target) {
                return false;
            }
        }
        self.text.is_empty() || find(visible, &self.text, 0, true).is_some()
    }
}

/// The console: ring, counters, filter and search.
#[derive(Debug, Default)]
pub struct Console {
    /// The lines, oldest first.
    pub(super) lines: VecDeque<Line>,
    /// Lines received since start (also the id the next line gets).
    pub total: u64,
    /// The last `#` sequence number seen.
    pub last_seq: Option<u64>,
    /// Sequence gaps not announced by the device (should stay 0).
    pub gaps: u64,
    /// Lines the device said it dropped for us.
    pub dropped: u64,
    targets: Vec<String>,
    filter: Filter,
    /// Ids of the lines the filter shows, oldest first (`None`: every line).
    pub(super) shown: Option<VecDeque<u64>>,
    /// Every match of the search.
    pub(super) search: Search,
    /// A reused buffer for a line's visible text.
    scratch: String,
}

impl Console {
    /// Add a line (its level and target are read here); older lines fall
    /// out of the ring.
    pub fn push(&mut self, mut line: Line) {
        self.count(&line);
        if self.lines.len() == CONSOLE_RING {
            self.lines.pop_front();
            self.forget_before(self.first_id());
        }
        self.scratch.clear();
        let plain = is_plain(&line.text);
        if !plain {
            visible(&line.text, &mut self.scratch);
        }
        let shown_text = if plain { line.text.as_str() } else { self.scratch.as_str() };
        if line.kind == LineKind::Console
            && let Some((level, target)) = record(shown_text)
        {
            line.level = Some(level);
            line.target = match self.targets.iter().position(|t| t == target) {
                Some(i) => i as u8,
                None if self.targets.len() < TARGETS_MAX => {
                    self.targets.push(target.to_string());
                    (self.targets.len() - 1) as u8
                }
                None => NO_TARGET,
            };
        }
        let id = self.total;
        self.total += 1;
        let passes = self.filter.passes(&line, shown_text);
        if let (Some(shown), true) = (&mut self.shown, passes) {
            shown.push_back(id);
        }
        if passes {
            self.search.scan(id, shown_text);
        }
        self.lines.push_back(line);
    }

    /// Sequence numbers and dropped-line notices.
    fn count(&mut self, line: &Line) {
        if let Some(seq) = line.seq {
            if let Some(last) = self.last_seq
                && seq != last.wrapping_add(1)
                && seq > last
            {
                self.gaps += 1;
            }
            self.last_seq = Some(seq);
        }
        if line.kind == LineKind::Notice
            && let Some(n) = line.text.strip_prefix("! dropped ").and_then(|r| r.split(' ').next())
        {
            self.dropped += n.parse::<u64>().unwrap_or(0);
            // The notice names the gap: the next line is expected after it.
            if let Some(to) =
                split_once(&line.text, "..#").and_then(|(_, r)| r.split(')').next()).and_then(|n| n.parse().ok())
            {
                self.last_seq = Some(to);
            }
        }
    }

    /// Drop selection and matches of lines older than `id`.
    fn forget_before(&mut self, id: u64) {
        if let Some(shown) = &mut self.shown {
            while shown.front().is_some_and(|&s| s < id) {
                shown.pop_front();
            }
        }
        self.search.forget_before(id);
    }

    /// The id of the oldest line in the ring.
    pub fn first_id(&self) -> u64 {
        self.total - self.lines.len() as u64
    }

    /// Lines in the ring.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Nothing to show.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Forget every line (the counters stay).
    pub fn clear(&mut self) {
        self.lines.clear();
        if let Some(shown) = &mut self.shown {
            shown.clear();
        }
        self.search.clear();
    }

    /// The line with this id, if the ring still has it.
    pub fn line(&self, id: u64) -> Option<&Line> {
        self.lines.get(usize::try_from(id.checked_sub(self.first_id())?).ok()?)
    }

    /// The log targets seen, in order of first appearance.
    pub fn targets(&self) -> &[String] {
        &self.targets
    }

    /// The filter in force.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Show only what `filter` lets through (its text is lower-cased here);
    /// the search is run again over what it shows.
    pub fn set_filter(&mut self, mut filter: Filter) {
        filter.text.make_ascii_lowercase();
        if filter == self.filter {
            return;
        }
        self.filter = filter;
        self.shown = (!self.filter.is_empty()).then(|| {
            let first = self.first_id();
            let mut buf = String::new();
            let mut shown = VecDeque::new();
            for (i, l) in self.lines.iter().enumerate() {
                if self.filter.passes(l, shown_text(l, &mut buf)) {
                    shown.push_back(first + i as u64);
                }
            }
            shown
        });
        self.rescan();
    }

    /// Lines the filter shows.
    pub fn view_len(&self) -> usize {
        self.shown.as_ref().map_or(self.lines.len(), VecDeque::len)
    }

    /// The id of the `k`-th line shown.
    pub fn view_id(&self, k: usize) -> Option<u64> {
        match &self.shown {
            None => (k < self.lines.len()).then(|| self.first_id() + k as u64),
            Some(s) => s.get(k).copied(),
        }
    }

    /// Where the line `id` is among the lines shown.
    pub fn view_pos(&self, id: u64) -> Option<usize> {
        match &self.shown {
            None => self.line(id).map(|_| (id - self.first_id()) as usize),
            Some(s) => s.binary_search(&id).ok(),
        }
    }

    /// The lines shown, as a text file: each line's visible text, after the
    /// time the page received it (`stamps`: the clock in a zone
    /// `tz_offset_min` ahead of UTC, or the time since the line before).
    pub fn export(&self, stamps: Option<Stamps>, tz_offset_min: i32) -> String {
        let mut out = String::new();
        let mut buf = String::new();
        let mut prev: Option<f64> = None;
        for k in 0..self.view_len() {
            let Some(line) = self.view_id(k).and_then(|id| self.line(id)) else { continue };
            match stamps {
                Some(Stamps::Clock) => out.push_str(&clock(line.at, tz_offset_min)),
                Some(Stamps::Delta) => out.push_str(&delta(line.at - prev.unwrap_or(line.at))),
                None => {}
            }
            if stamps.is_some() {
                out.push_str("  ");
            }
            prev = Some(line.at);
            out.push_str(shown_text(line, &mut buf));
            out.push('\n');
        }
        out
    }
}

/// How the page shows the time it received each line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamps {
    /// The wall clock: `14:03:07.123`.
    Clock,
    /// The time since the line before: `+0.016`.
    Delta,
}

/// A line's visible text: the line itself when it has nothing to hide.
pub(super) fn shown_text<'a>(line: &'a Line, buf: &'a mut String) -> &'a str {
    if is_plain(&line.text) {
        &line.text
    } else {
        buf.clear();
        visible(&line.text, buf);
        buf
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn push(c: &mut Console, text: &str) {
        c.push(Line::parse(text.to_string(), 0.0));
    }

    #[test]
    fn gaps_and_drops() {
        let mut c = Console::default();
        push(&mut c, "#1 a");
        push(&mut c, "#2 b");
        assert_eq!(c.gaps, 0);
        push(&mut c, "! dropped 5 lines (#3..#7): this client reads too slowly");
        push(&mut c, "#8 c");
        assert_eq!((c.gaps, c.dropped), (0, 5), "an announced gap is not a gap");
        push(&mut c, "#10 d");
        assert_eq!(c.gaps, 1, "an unannounced one is");
    }

    #[test]
    fn the_ring_is_bounded_and_ids_go_on() {
        let mut c = Console::default();
        for i in 0..(CONSOLE_RING + 10) {
            push(&mut c, &format!("#{i} x"));
        }
        assert_eq!(c.len(), CONSOLE_RING);
        assert_eq!(c.first_id(), 10);
        assert_eq!(c.line(10).unwrap().seq, Some(10));
        assert!(c.line(9).is_none());
        assert_eq!(c.view_id(0), Some(10));
    }

    pub(crate) fn records(c: &mut Console) {
        for t in [
            "#1 [     1.000000] INFO sensor: temp=23.41C",
            "#2 [     1.100000] WARN net: link down",
            "#3 plain line",
            "> paused",
            "#4 [     1.200000] ERROR app: sensor read failed: timeout",
            "#5 [     1.300000] DEBUG net: retry",
            "#6 \u{1b}[31m[     1.400000] ERROR\u{1b}[0m net: coloured record",
        ] {
            push(c, t);
        }
    }

    fn shown(c: &Console) -> Vec<String> {
        (0..c.view_len()).map(|k| c.line(c.view_id(k).unwrap()).unwrap().text.clone()).collect()
    }

    #[test]
    fn levels_and_targets() {
        let mut c = Console::default();
        records(&mut c);
        assert_eq!(c.targets(), ["sensor", "net", "app"]);
        assert_eq!(c.line(6).unwrap().level, Some(Level::Error), "read through the SGR sequences");
        c.set_filter(Filter { level: Some(Level::Warn), ..Filter::default() });
        let s = shown(&c);
        assert_eq!(s.len(), 4, "{s:?}");
        assert!(s[0].contains("WARN") && s[1] == "> paused" && s[2].contains("ERROR") && s[3].contains("coloured"));
        c.set_filter(Filter { target: Some(1), ..Filter::default() });
        assert_eq!(shown(&c).len(), 4, "net's three records and the reply");
        c.set_filter(Filter { target: Some(1), level: Some(Level::Info), text: "LINK".into() });
        assert_eq!(shown(&c), ["#2 [     1.100000] WARN net: link down"]);
        // Lines that arrive later are filtered as they come.
        push(&mut c, "#7 [     1.500000] WARN net: link up");
        push(&mut c, "#8 [     1.600000] WARN app: link up");
        assert_eq!(shown(&c).len(), 2);
        c.set_filter(Filter::default());
        assert_eq!(c.view_len(), c.len());
    }

    #[test]
    fn export_with_stamps() {
        let mut c = Console::default();
        c.push(Line::parse("#1 \u{1b}[32mok\u{1b}[0m".into(), 1_795_615_387_123.0));
        c.push(Line::parse("#2 bell\u{7}".into(), 1_795_615_387_139.0));
        assert_eq!(c.export(None, 0), "#1 ok\n#2 bell␇\n");
        assert_eq!(c.export(Some(Stamps::Clock), 0), "14:03:07.123  #1 ok\n14:03:07.139  #2 bell␇\n");
        assert_eq!(c.export(Some(Stamps::Delta), 0), "      +0.000  #1 ok\n      +0.016  #2 bell␇\n");
        c.set_filter(Filter { text: "BELL".into(), ..Filter::default() });
        assert_eq!(c.export(None, 0), "#2 bell␇\n", "what the filter shows");
    }
}
