//! The console's search: every match (ASCII case-insensitive) in the lines
//! the filter shows, over the whole ring, kept up to date as lines arrive and
//! fall out, with a current match to step from.

use std::collections::VecDeque;

use super::console::{Console, shown_text};
use super::find::find;
use super::line::Line;
use super::markup::Mark;

/// Every match of a search: (line id, start in the line's visible text).
#[derive(Debug, Default)]
pub(super) struct Search {
    needle: String,
    hits: VecDeque<(u64, u32)>,
    /// Index into `hits` of the current match.
    current: Option<usize>,
}

impl Search {
    /// Record the matches in line `id`, whose visible text is `text`.
    pub(super) fn scan(&mut self, id: u64, text: &str) {
        if self.needle.is_empty() {
            return;
        }
        let mut at = 0;
        while let Some(i) = find(text, &self.needle, at, true) {
            self.hits.push_back((id, i as u32));
            at = i + self.needle.len();
        }
    }

    /// Forget the matches in lines older than `id`.
    pub(super) fn forget_before(&mut self, id: u64) {
        while self.hits.front().is_some_and(|h| h.0 < id) {
            self.hits.pop_front();
            // The current match keeps its place; if it is the one gone, none is current.
            self.current = self.current.and_then(|c| c.checked_sub(1));
        }
    }

    /// No match.
    pub(super) fn clear(&mut self) {
        self.hits.clear();
        self.current = None;
    }
}

impl Console {
    /// Search for `query` (ASCII case-insensitive) in the lines shown; the
    /// current match is the newest.
    pub fn set_search(&mut self, query: &str) {
        let needle = query.to_ascii_lowercase();
        if needle != self.search.needle {
            self.search.needle = needle;
            self.rescan();
        }
    }

    /// Run the search again over the lines shown.
    pub(super) fn rescan(&mut self) {
        let s = &mut self.search;
        s.clear();
        if s.needle.is_empty() {
            return;
        }
        let mut buf = String::new();
        let mut scan = |id: u64, line: &Line| s.scan(id, shown_text(line, &mut buf));
        let first = self.total - self.lines.len() as u64;
        match &self.shown {
            None => self.lines.iter().enumerate().for_each(|(i, l)| scan(first + i as u64, l)),
            Some(ids) => {
                for &id in ids {
                    if let Some(l) = self.lines.get((id - first) as usize) {
                        scan(id, l);
                    }
                }
            }
        }
        s.current = s.hits.len().checked_sub(1);
    }

    /// Matches of the search, and the current one's index (0-based).
    pub fn matches(&self) -> (usize, Option<usize>) {
        (self.search.hits.len(), self.search.current)
    }

    /// Move to the next (`forward`) or previous match, wrapping; returns the
    /// id of the line it is on.
    pub fn step(&mut self, forward: bool) -> Option<u64> {
        let s = &mut self.search;
        let n = s.hits.len();
        if n == 0 {
            return None;
        }
        let c = match (s.current, forward) {
            (None, _) => n - 1,
            (Some(c), true) => (c + 1) % n,
            (Some(c), false) => (c + n - 1) % n,
        };
        s.current = Some(c);
        s.hits.get(c).map(|h| h.0)
    }

    /// The line the current match is on.
    pub fn current_line(&self) -> Option<u64> {
        self.search.current.and_then(|c| self.search.hits.get(c)).map(|h| h.0)
    }

    /// The matches in line `id`, as marks for [`line_html`](super::markup::line_html).
    pub fn marks(&self, id: u64, out: &mut Vec<Mark>) {
        out.clear();
        let s = &self.search;
        let from = s.hits.partition_point(|h| h.0 < id);
        for (i, h) in s.hits.iter().enumerate().skip(from).take_while(|(_, h)| h.0 == id) {
            out.push((h.1 as usize, s.needle.len(), s.current == Some(i)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::console::CONSOLE_RING;
    use crate::model::console::Filter;
    use crate::model::console::tests::{push, records};
    use crate::model::line::Level;

    #[test]
    fn search_counts_every_match_in_the_ring_and_steps() {
        let mut c = Console::default();
        records(&mut c);
        c.set_search("NET");
        assert_eq!(c.matches(), (3, Some(2)), "three matches, the newest current");
        assert_eq!(c.current_line(), Some(6));
        let mut marks = Vec::new();
        c.marks(6, &mut marks);
        // "#6 [     1.400000] ERROR net: …": visible text, SGR left out.
        assert_eq!(marks, [(25, 3, true)]);
        assert_eq!(c.step(true), Some(1), "wraps to the oldest");
        assert_eq!(c.step(false), Some(6));
        assert_eq!(c.step(false), Some(5));
        // The filter narrows the search; a new line is searched as it comes.
        c.set_filter(Filter { level: Some(Level::Warn), ..Filter::default() });
        assert_eq!(c.matches().0, 2);
        push(&mut c, "#7 [     1.500000] ERROR net: net again");
        assert_eq!(c.matches().0, 4);
        c.marks(7, &mut marks);
        assert_eq!(marks.iter().map(|m| m.0).collect::<Vec<_>>(), [25, 30]);
        c.set_search("");
        assert_eq!(c.matches(), (0, None));
    }

    #[test]
    fn matches_fall_out_with_their_lines() {
        let mut c = Console::default();
        c.set_search("needle");
        push(&mut c, "#0 needle");
        push(&mut c, "#1 needle");
        for i in 2..CONSOLE_RING {
            push(&mut c, &format!("#{i} hay"));
        }
        assert_eq!(c.matches(), (2, None));
        assert_eq!(c.step(false), Some(1), "from none current, a step goes to the newest");
        push(&mut c, "#20000 needle");
        assert_eq!(c.matches(), (2, Some(0)), "the first fell out; the current one keeps its place");
        assert_eq!(c.current_line(), Some(1));
        push(&mut c, "#20001 hay");
        assert_eq!(c.matches(), (1, None), "the current one fell out");
    }
}
