//! The line ring: the last lines a device printed, in a fixed byte buffer,
//! read by any number of readers at their own pace.
//!
//! Lines are stored as records one after another, wrapping at the end of the
//! buffer, so short lines cost what they hold (a 4 KiB ring keeps about 60
//! typical lines, not the 16 a table of fixed slots would). Each line has a
//! sequence number, counting from 0 at boot without wrapping (`u64`). A new
//! line that needs room evicts the oldest; a reader still behind an evicted
//! line learns exactly which lines it lost.
//!
//! A record is `[len][tag]`, eight more bytes for a block, then `len` bytes of
//! text. `tag` is 0 for plain text, 1–5 for a log level, [`BLOCK`] for a block.

use crate::line::LINE_MAX;

/// The tag of a block record.
pub(crate) const BLOCK: u8 = 0x80;
const HEAD: usize = 2;
const BLOCK_EXTRA: usize = 8;

/// Where a reader is: the next line it will read and where its record starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub seq: u64,
    off: usize,
}

/// What a reader finds next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// A line: its number, tag, block words and text length (text in `out`).
    Line { seq: u64, tag: u8, block: [u32; 2], len: usize },
    /// Lines `from..=to` were evicted before this reader got them.
    Dropped { from: u64, to: u64 },
    /// Nothing new.
    Empty,
}

/// The ring over `N` bytes.
pub(crate) struct Ring<const N: usize> {
    buf: [u8; N],
    /// Offset of the oldest record.
    head: usize,
    /// Bytes in use.
    used: usize,
    /// Sequence number of the oldest record.
    first: u64,
    /// Sequence number the next line gets.
    next: u64,
}

impl<const N: usize> Ring<N> {
    pub const fn new() -> Self {
        const { assert!(N >= 2 * (HEAD + BLOCK_EXTRA + LINE_MAX), "a ring must hold two of the longest lines") };
        Ring { buf: [0; N], head: 0, used: 0, first: 0, next: 0 }
    }

    pub fn next_seq(&self) -> u64 {
        self.next
    }

    pub fn oldest(&self) -> u64 {
        self.first
    }

    /// Store a line; returns its sequence number.
    pub fn push(&mut self, tag: u8, block: [u32; 2], text: &[u8]) -> u64 {
        let text = text.get(..text.len().min(LINE_MAX)).unwrap_or_default();
        let extra = if tag == BLOCK { BLOCK_EXTRA } else { 0 };
        let size = HEAD + extra + text.len();
        while N - self.used < size {
            self.evict();
        }
        let mut at = (self.head + self.used) % N;
        let mut put = |bytes: &[u8]| {
            for &b in bytes {
                if let Some(slot) = self.buf.get_mut(at) {
                    *slot = b;
                }
                at = (at + 1) % N;
            }
        };
        put(&[text.len() as u8, tag]);
        if extra > 0 {
            put(&block[0].to_le_bytes());
            put(&block[1].to_le_bytes());
        }
        put(text);
        self.used += size;
        let seq = self.next;
        self.next += 1;
        seq
    }

    fn byte(&self, at: usize) -> u8 {
        self.buf.get(at % N).copied().unwrap_or(0)
    }

    fn record_size(&self, off: usize) -> usize {
        let extra = if self.byte(off + 1) == BLOCK { BLOCK_EXTRA } else { 0 };
        HEAD + extra + usize::from(self.byte(off))
    }

    fn evict(&mut self) {
        if self.used == 0 {
            return;
        }
        let size = self.record_size(self.head);
        self.head = (self.head + size) % N;
        self.used -= size;
        self.first += 1;
    }

    /// A cursor at the newest `backlog` lines.
    pub fn cursor(&self, backlog: u64) -> Cursor {
        let seq = self.next.saturating_sub(backlog).max(self.first);
        let mut c = Cursor { seq: self.first, off: self.head };
        while c.seq < seq {
            c.off = (c.off + self.record_size(c.off)) % N;
            c.seq += 1;
        }
        c
    }

    /// Bytes of lines `c` has not read yet.
    pub fn unread(&self, c: &Cursor) -> usize {
        if c.seq >= self.next {
            0
        } else if c.seq < self.first {
            self.used
        } else {
            ((self.head + self.used) % N + N - c.off) % N
        }
    }

    /// Room for new lines without evicting any byte `c` has not read.
    pub fn room_for(&self, c: &Cursor) -> usize {
        N - self.unread(c)
    }

    /// Read the line at `c` into `out` (which must hold [`LINE_MAX`] bytes)
    /// and move `c` past it.
    pub fn read(&self, c: &mut Cursor, out: &mut [u8]) -> Next {
        if c.seq < self.first {
            let dropped = Next::Dropped { from: c.seq, to: self.first - 1 };
            *c = Cursor { seq: self.first, off: self.head };
            return dropped;
        }
        if c.seq >= self.next {
            return Next::Empty;
        }
        let len = usize::from(self.byte(c.off));
        let tag = self.byte(c.off + 1);
        let mut at = c.off + HEAD;
        let mut block = [0u32; 2];
        if tag == BLOCK {
            for word in block.iter_mut() {
                *word = u32::from_le_bytes([self.byte(at), self.byte(at + 1), self.byte(at + 2), self.byte(at + 3)]);
                at += 4;
            }
        }
        for (i, slot) in out.iter_mut().take(len).enumerate() {
            *slot = self.byte(at + i);
        }
        let seq = c.seq;
        c.off = (c.off + self.record_size(c.off)) % N;
        c.seq += 1;
        Next::Line { seq, tag, block, len: len.min(out.len()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn read_all(r: &Ring<512>, c: &mut Cursor) -> Vec<Next> {
        let mut out = [0u8; LINE_MAX];
        let mut v = Vec::new();
        loop {
            match r.read(c, &mut out) {
                Next::Empty => return v,
                n => v.push(n),
            }
        }
    }

    #[test]
    fn lines_come_back_in_order_with_their_text_across_the_wrap() {
        let mut r = Ring::<512>::new();
        let mut c = r.cursor(0);
        let mut out = [0u8; LINE_MAX];
        for i in 0..1000u64 {
            let text = std::format!("line {i} {}", "x".repeat((i % 37) as usize));
            assert_eq!(r.push(0, [0; 2], text.as_bytes()), i);
            let Next::Line { seq, len, .. } = r.read(&mut c, &mut out) else { panic!() };
            assert_eq!((seq, &out[..len]), (i, text.as_bytes()));
        }
    }

    #[test]
    fn a_reader_left_behind_learns_exactly_what_it_lost() {
        let mut r = Ring::<512>::new();
        let mut slow = r.cursor(0);
        for i in 0..100 {
            r.push(3, [0; 2], std::format!("{i:020}").as_bytes());
        }
        let first = r.oldest();
        assert!(first > 0 && r.next_seq() == 100);
        let got = read_all(&r, &mut slow);
        assert_eq!(got[0], Next::Dropped { from: 0, to: first - 1 });
        assert_eq!(got.len() as u64, 1 + (100 - first));
        assert!(matches!(got[1], Next::Line { seq, tag: 3, .. } if seq == first));
    }

    #[test]
    fn blocks_keep_their_words_and_room_counts_unread_bytes() {
        let mut r = Ring::<512>::new();
        let c0 = r.cursor(0);
        assert_eq!(r.room_for(&c0), 512);
        r.push(BLOCK, [0x2000_0000, 4096], b"dump");
        assert_eq!(r.room_for(&c0), 512 - (2 + 8 + 4));
        let mut c = c0;
        let mut out = [0u8; LINE_MAX];
        assert_eq!(r.read(&mut c, &mut out), Next::Line { seq: 0, tag: BLOCK, block: [0x2000_0000, 4096], len: 4 });
        assert_eq!(r.room_for(&c), 512);
        // A backlog cursor starts at most that many lines back.
        for i in 0..10 {
            r.push(0, [0; 2], std::format!("{i}").as_bytes());
        }
        let mut back = r.cursor(3);
        assert_eq!(read_all(&r, &mut back).len(), 3);
    }
}
