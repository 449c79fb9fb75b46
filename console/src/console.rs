//! The console a firmware writes to: a `static`, usable from anywhere.
//!
//! ```
//! use core::fmt::Write;
//! use wisp_console::{Console, Level, Lines};
//!
//! static CONSOLE: Console = Console::new();
//!
//! let mut out = CONSOLE.writer();
//! writeln!(out, "boot: {} sensors found", 3).unwrap();
//! CONSOLE.record(Level::Warn, "net", format_args!("no link yet"));
//! assert_eq!(CONSOLE.next_seq(), 2);
//! ```
//!
//! # From an interrupt handler
//! Every method may be called from any context, interrupt handlers
//! included: a line is formatted into the caller's own [`Writer`] (a
//! [`LINE_MAX`]-byte buffer on its stack) and only copied into the ring inside
//! a `critical_section`, which holds interrupts off for the copy of one line
//! (a few hundred cycles). The platform provides the critical section
//! (`cortex-m`'s `critical-section-single-core`, `embassy-rp`'s
//! `critical-section-impl`, `critical-section/std` on a host). A line is
//! never torn or interleaved with another. Nothing blocks: when the ring is
//! full the oldest line goes (see [`Overflow`]).

use core::cell::{Cell, RefCell};
use core::fmt::{self, Write};

use critical_section::Mutex;

use crate::Micros;
use crate::line::{Level, LineBuf, Source, log_prefix};
use crate::ring::{BLOCK, Cursor, Next, Ring};
#[cfg(feature = "async")]
use crate::wake::WakerSet;

pub use crate::line::LINE_MAX;

/// What happens when a reader falls behind, chosen per device (as SEGGER
/// RTT lets one choose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// A reader that falls a whole ring behind loses the oldest lines, and
    /// is told exactly which (`! dropped N lines (#a..#b)`). Nothing ever
    /// waits. The default.
    DropOldest,
    /// Producers that pace themselves — a burst, a block, an async writer
    /// ([`Lines::room`]) — wait for the slowest reader that has made progress
    /// within `timeout` µs, so fast readers each get every line. A reader
    /// stalled longer is not waited for and loses lines as under
    /// `DropOldest`. A plain `writeln!` never waits, under either policy.
    Wait {
        /// How long a reader may make no progress and still be waited for.
        timeout: Micros,
    },
}

/// A block line: a title, and a body the application streams when a client
/// reads it (a memory dump, a file, a captured buffer) as one message of many
/// frames whose length nobody computes up front. `a` and `b` are the
/// application's own words (an address and a length, say); see
/// [`App::block`](crate::App::block).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// The application's first word.
    pub a: u32,
    /// The application's second word.
    pub b: u32,
}

/// One reader's place in the ring.
#[derive(Debug, Clone, Copy)]
struct Reader {
    cursor: Cursor,
    /// When it last read a line or was caught up.
    progress: Micros,
}

/// A registered reader (a client session, a UART mirror).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderId(u8);

/// What a reader finds next ([`Lines::read`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A line, its text in the caller's buffer.
    Line {
        /// Its sequence number.
        seq: u64,
        /// Its level, for a log record.
        level: Option<Level>,
        /// For a block line: the application's words.
        block: Option<Block>,
        /// Bytes of text written into the buffer.
        len: usize,
    },
    /// Lines `from..=to` went before this reader got them.
    Dropped {
        /// The first one lost.
        from: u64,
        /// The last one lost.
        to: u64,
    },
    /// Nothing new.
    Empty,
}

struct Inner<const BYTES: usize, const READERS: usize> {
    ring: Ring<BYTES>,
    readers: [Option<Reader>; READERS],
    /// Readers no producer waits for ([`Console::subscribe_unpaced`]); kept
    /// apart from `readers` so that a new console stays all zeroes.
    unpaced: [bool; READERS],
    /// The latest time a driver reported, for log lines without a clock.
    now: Micros,
    #[cfg(feature = "async")]
    waiting: WakerSet<READERS>,
}

/// A clock for log records: µs since boot.
type Clock = fn() -> Micros;

/// The console: a ring of the last `BYTES` bytes of lines and up to
/// `READERS` readers. Put it in a `static`; see the [module docs](self).
pub struct Console<const BYTES: usize = 8192, const READERS: usize = 8> {
    inner: Mutex<RefCell<Inner<BYTES, READERS>>>,
    overflow: Mutex<Cell<Overflow>>,
    clock: Mutex<Cell<Option<Clock>>>,
}

impl<const BYTES: usize, const READERS: usize> Default for Console<BYTES, READERS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BYTES: usize, const READERS: usize> Console<BYTES, READERS> {
    /// An empty console that drops the oldest lines for a reader left
    /// behind ([`Overflow::DropOldest`]). `const`: it lives in `.bss`.
    pub const fn new() -> Self {
        Console {
            inner: Mutex::new(RefCell::new(Inner {
                ring: Ring::new(),
                readers: [None; READERS],
                unpaced: [false; READERS],
                now: 0,
                #[cfg(feature = "async")]
                waiting: WakerSet::new(),
            })),
            overflow: Mutex::new(Cell::new(Overflow::DropOldest)),
            clock: Mutex::new(Cell::new(None)),
        }
    }

    /// The same console with another [`Overflow`] policy.
    ///
    /// A `static` built with this or [`with_clock`](Self::with_clock) is not
    /// all zeroes, so it sits in `.data`, its whole ring's zeroes copied from
    /// flash at boot; [`set_overflow`](Self::set_overflow) and
    /// [`set_clock`](Self::set_clock) on a `Console::new()` keep it in `.bss`.
    pub const fn with_overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = Mutex::new(Cell::new(overflow));
        self
    }

    /// The same console with a clock for log records' uptime (µs since
    /// boot), e.g. `|| embassy_time::Instant::now().as_micros()`. Without
    /// one, a record carries the time of the driver's latest poll.
    pub const fn with_clock(mut self, clock: fn() -> Micros) -> Self {
        self.clock = Mutex::new(Cell::new(Some(clock)));
        self
    }

    /// Choose the [`Overflow`] policy at run time (at boot, say).
    pub fn set_overflow(&self, overflow: Overflow) {
        critical_section::with(|cs| self.overflow.borrow(cs).set(overflow));
    }

    /// Give the console its clock at run time (see [`with_clock`](Self::with_clock)).
    pub fn set_clock(&self, clock: fn() -> Micros) {
        critical_section::with(|cs| self.clock.borrow(cs).set(Some(clock)));
    }

    /// Register a reader no producer waits for, whatever the policy: a
    /// mirror on a slow port (a UART) that must not hold a burst back from
    /// the clients. It loses lines when it falls a ring behind, and is told
    /// which ([`Entry::Dropped`]). Otherwise as [`Lines::subscribe`].
    pub fn subscribe_unpaced(&self, backlog: u64) -> Option<ReaderId> {
        self.join(backlog, false)
    }

    fn join(&self, backlog: u64, paced: bool) -> Option<ReaderId> {
        self.with(|i| {
            let cursor = i.ring.cursor(backlog);
            let now = i.now;
            let (n, slot) = i.readers.iter_mut().enumerate().find(|(_, r)| r.is_none())?;
            *slot = Some(Reader { cursor, progress: now });
            if let Some(u) = i.unpaced.get_mut(n) {
                *u = !paced;
            }
            Some(ReaderId(n as u8))
        })
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner<BYTES, READERS>) -> R) -> R {
        critical_section::with(|cs| f(&mut self.inner.borrow_ref_mut(cs)))
    }
}

/// What the device side needs of a console, whatever its sizes: every
/// [`Console`] is one, and the device holds it as `&dyn Lines`. The provided
/// methods are what firmware code writes with.
pub trait Lines: Sync {
    /// Store one line of already-clean text (see [`LineBuf`]) with its
    /// level or block; returns its sequence number.
    fn push(&self, level: Option<Level>, block: Option<Block>, text: &LineBuf) -> u64;

    /// The sequence number the next line gets.
    fn next_seq(&self) -> u64;

    /// The oldest sequence number still in the ring.
    fn oldest(&self) -> u64;

    /// Register a reader starting at the newest `backlog` lines; `None` when
    /// every reader slot is taken.
    fn subscribe(&self, backlog: u64) -> Option<ReaderId>;

    /// Forget a reader.
    fn unsubscribe(&self, id: ReaderId);

    /// The next line for `id`, its text copied into `out`.
    fn read(&self, id: ReaderId, out: &mut [u8; LINE_MAX]) -> Entry;

    /// Bytes of lines that can be added now without any reader the policy
    /// waits for losing one (under [`Overflow::DropOldest`]: without the
    /// fastest reader losing one; with no reader: the whole ring).
    fn room(&self) -> usize;

    /// Tell the console the time (the drivers do, on every poll).
    fn set_now(&self, now: Micros);

    /// The time: from the clock if there is one, else the latest reported.
    fn now(&self) -> Micros;

    /// Wake `waker` when a line is added (the async runner's sessions).
    #[cfg(feature = "async")]
    fn wake_on_line(&self, waker: &core::task::Waker);

    /// The next line or drop notice for `id`, waiting while there is none:
    /// the loop of a task that mirrors the console on a UART or an RTT
    /// channel (feature `async`). Cancel-safe: a line is taken only when
    /// the future completes.
    #[cfg(feature = "async")]
    fn read_next(&self, id: ReaderId, out: &mut [u8; LINE_MAX]) -> impl core::future::Future<Output = Entry>
    where
        Self: Sized,
    {
        core::future::poll_fn(move |cx| {
            // Registered before reading, so a line added in between wakes it.
            self.wake_on_line(cx.waker());
            match self.read(id, out) {
                Entry::Empty => core::task::Poll::Pending,
                entry => core::task::Poll::Ready(entry),
            }
        })
    }

    /// A writer: `writeln!(console.writer(), …)` stores a line per `\n`, and
    /// what is left when it is dropped.
    fn writer(&self) -> Writer<'_>
    where
        Self: Sized,
    {
        Writer::new(self)
    }

    /// Store one line of device text.
    fn line(&self, args: fmt::Arguments<'_>) -> u64 {
        let mut b = LineBuf::new();
        let _ = b.write_fmt(args);
        b.finish();
        self.push(None, None, &b)
    }

    /// Store a log record: `[uptime] LEVEL target: message`.
    fn record(&self, level: Level, target: &str, args: fmt::Arguments<'_>) -> u64 {
        self.record_at(self.now(), level, target, args)
    }

    /// Store a log record stamped `at` (µs since boot) rather than now.
    fn record_at(&self, at: Micros, level: Level, target: &str, args: fmt::Arguments<'_>) -> u64 {
        let mut b = LineBuf::new();
        log_prefix(at, level, target, &mut b);
        let _ = b.write_fmt(args);
        b.finish();
        self.push(Some(level), None, &b)
    }

    /// Store a log record whose message a client sent, its control bytes
    /// made visible (and no colour).
    fn client_record(&self, level: Level, target: &str, text: &str) -> u64 {
        let mut b = LineBuf::new();
        log_prefix(self.now(), level, target, &mut b);
        b.push_str(text, Source::Client);
        self.push(Some(level), None, &b)
    }

    /// Store a block line with its title (see [`Block`]).
    fn block(&self, title: fmt::Arguments<'_>, block: Block) -> u64 {
        let mut b = LineBuf::new();
        let _ = b.write_fmt(title);
        b.finish();
        self.push(None, Some(block), &b)
    }

    /// Store text a client sent (`print`), as a log record of target
    /// `print`, with its control bytes made visible.
    fn print(&self, text: &str) -> u64 {
        self.client_record(Level::Info, "print", text)
    }
}

impl<const BYTES: usize, const READERS: usize> Lines for Console<BYTES, READERS> {
    fn push(&self, level: Option<Level>, block: Option<Block>, text: &LineBuf) -> u64 {
        let tag = match (block, level) {
            (Some(_), _) => BLOCK,
            (None, Some(l)) => l as u8,
            (None, None) => 0,
        };
        let words = block.map_or([0; 2], |b| [b.a, b.b]);
        self.with(|i| {
            let seq = i.ring.push(tag, words, text.as_bytes());
            #[cfg(feature = "async")]
            i.waiting.wake_all();
            seq
        })
    }

    fn next_seq(&self) -> u64 {
        self.with(|i| i.ring.next_seq())
    }

    fn oldest(&self) -> u64 {
        self.with(|i| i.ring.oldest())
    }

    fn subscribe(&self, backlog: u64) -> Option<ReaderId> {
        self.join(backlog, true)
    }

    fn unsubscribe(&self, id: ReaderId) {
        self.with(|i| {
            if let Some(slot) = i.readers.get_mut(usize::from(id.0)) {
                *slot = None;
            }
        });
    }

    fn read(&self, id: ReaderId, out: &mut [u8; LINE_MAX]) -> Entry {
        self.with(|i| {
            let now = i.now;
            let Some(Some(reader)) = i.readers.get_mut(usize::from(id.0)) else { return Entry::Empty };
            let next = i.ring.read(&mut reader.cursor, out);
            if !matches!(next, Next::Dropped { .. }) {
                reader.progress = now;
            }
            match next {
                Next::Line { seq, tag, block, len } => Entry::Line {
                    seq,
                    level: Level::from_tag(tag),
                    block: (tag == BLOCK).then_some(Block { a: block[0], b: block[1] }),
                    len,
                },
                Next::Dropped { from, to } => Entry::Dropped { from, to },
                Next::Empty => Entry::Empty,
            }
        })
    }

    fn room(&self) -> usize {
        let overflow = critical_section::with(|cs| self.overflow.borrow(cs).get());
        self.with(|i| {
            let paced = i.readers.iter().zip(i.unpaced.iter()).filter_map(|(r, &u)| r.as_ref().filter(|_| !u));
            let rooms = paced.filter_map(|r| match overflow {
                Overflow::Wait { timeout } if i.now.saturating_sub(r.progress) > timeout => None,
                _ => Some(i.ring.room_for(&r.cursor)),
            });
            match overflow {
                Overflow::DropOldest => rooms.max(),
                Overflow::Wait { .. } => rooms.min(),
            }
            .unwrap_or(BYTES)
        })
    }

    fn set_now(&self, now: Micros) {
        self.with(|i| i.now = i.now.max(now));
    }

    fn now(&self) -> Micros {
        match critical_section::with(|cs| self.clock.borrow(cs).get()) {
            Some(clock) => clock(),
            None => self.with(|i| i.now),
        }
    }

    #[cfg(feature = "async")]
    fn wake_on_line(&self, waker: &core::task::Waker) {
        self.with(|i| i.waiting.register(waker));
    }
}

/// Formats device text into lines: `writeln!` stores one line per `\n`,
/// and a partial line when the writer is dropped. Its buffer is its own,
/// so writers in an interrupt handler and in the main loop never mix lines.
pub struct Writer<'c> {
    lines: &'c dyn Lines,
    line: LineBuf,
    level: Option<(Level, &'c str)>,
}

impl<'c> Writer<'c> {
    /// A writer of plain lines into `lines`.
    pub fn new(lines: &'c dyn Lines) -> Self {
        Writer { lines, line: LineBuf::new(), level: None }
    }

    /// A writer whose lines are log records of `level` and `target`.
    pub fn with_level(lines: &'c dyn Lines, level: Level, target: &'c str) -> Self {
        Writer { lines, line: LineBuf::new(), level: Some((level, target)) }
    }

    fn commit(&mut self) {
        if let Some((level, target)) = self.level {
            let mut rec = LineBuf::new();
            log_prefix(self.lines.now(), level, target, &mut rec);
            if let Ok(text) = core::str::from_utf8(self.line.as_bytes()) {
                rec.push_str(text, Source::Device);
            }
            rec.finish();
            self.lines.push(Some(level), None, &rec);
        } else {
            self.line.finish();
            self.lines.push(None, None, &self.line);
        }
        self.line.clear();
    }
}

impl Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut rest = s;
        while let Some(nl) = rest.find('\n') {
            self.line.push_str(rest.get(..nl).unwrap_or_default(), Source::Device);
            self.commit();
            rest = rest.get(nl + 1..).unwrap_or_default();
        }
        self.line.push_str(rest, Source::Device);
        Ok(())
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if !self.line.is_empty() {
            self.commit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;

    fn text(c: &dyn Lines, id: ReaderId) -> std::vec::Vec<String> {
        let mut out = [0u8; LINE_MAX];
        let mut v = std::vec::Vec::new();
        loop {
            match c.read(id, &mut out) {
                Entry::Line { len, .. } => v.push(String::from_utf8(out[..len].to_vec()).unwrap()),
                Entry::Dropped { from, to } => v.push(std::format!("dropped {from}..{to}")),
                Entry::Empty => return v,
            }
        }
    }

    #[test]
    fn a_writer_stores_a_line_per_newline_and_the_rest_on_drop() {
        static C: Console<1024, 2> = Console::new();
        let id = C.subscribe(0).unwrap();
        {
            let mut w = C.writer();
            write!(w, "one\ntwo ").unwrap();
            write!(w, "{}", 2).unwrap();
        }
        assert_eq!(text(&C, id), ["one", "two 2"]);
        C.print("forged\n#99 x");
        C.record(Level::Error, "app", format_args!("bad {}", 1));
        assert_eq!(
            text(&C, id),
            ["[     0.000000] INFO print: forged\u{240a}#99 x", "[     0.000000] ERROR app: bad 1"]
        );
    }

    #[test]
    fn room_follows_the_policy() {
        static DROP: Console<1024, 2> = Console::new();
        static WAIT: Console<1024, 2> = Console::new().with_overflow(Overflow::Wait { timeout: 1_000 });
        // The same policy, chosen at run time.
        static LATE: Console<1024, 2> = Console::new();
        LATE.set_overflow(Overflow::Wait { timeout: 1_000 });
        for c in [&DROP as &dyn Lines, &WAIT, &LATE] {
            let fast = c.subscribe(0).unwrap();
            let slow = c.subscribe(0).unwrap();
            for _ in 0..10 {
                c.line(format_args!("{}", "x".repeat(38)));
            }
            text(c, fast);
            let _ = slow;
        }
        // Drop-oldest paces by the fastest reader, wait by the slowest.
        assert_eq!(DROP.room(), 1024);
        assert_eq!(WAIT.room(), 1024 - 10 * 40);
        assert_eq!(LATE.room(), 1024 - 10 * 40);
        assert_eq!(LATE.now(), 0);
        LATE.set_clock(|| 7_000);
        assert_eq!(LATE.now(), 7_000);
        // A reader stalled past the timeout is no longer waited for.
        WAIT.set_now(2_000);
        assert_eq!(WAIT.room(), 1024);
    }

    #[test]
    fn an_unpaced_reader_is_not_waited_for() {
        static C: Console<1024, 2> = Console::new().with_overflow(Overflow::Wait { timeout: 1_000 });
        let mirror = C.subscribe_unpaced(0).unwrap();
        assert_eq!(C.room(), 1024);
        let client = C.subscribe(0).unwrap();
        for _ in 0..10 {
            C.line(format_args!("{}", "x".repeat(38)));
        }
        // The client has read nothing: it is waited for, the mirror is not.
        assert_eq!(C.room(), 1024 - 10 * 40);
        text(&C, client);
        assert_eq!(C.room(), 1024);
        // The mirror, left behind, learns what it lost.
        for _ in 0..30 {
            C.line(format_args!("{}", "x".repeat(38)));
        }
        assert!(text(&C, mirror)[0].starts_with("dropped 0.."));
    }

    #[test]
    fn readers_are_bounded_and_freed() {
        static C: Console<1024, 1> = Console::new();
        let a = C.subscribe(0).unwrap();
        assert!(C.subscribe(0).is_none());
        C.unsubscribe(a);
        assert!(C.subscribe(0).is_some());
    }
}
