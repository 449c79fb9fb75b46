//! The device's printf() console.
//!
//! Every line gets the next sequence number and is stored, as `#<seq> <text>`,
//! in a ring of the last [`RING`] lines — the way a device keeps its log. Each
//! client session reads the ring at its own pace with a cursor; a client that
//! falls more than a ring behind loses whole lines (only it does) and is told
//! how many. So a slow reader costs the device no memory and never stalls the
//! others.
//!
//! A `dump` is a console line too, stored as a description (address, length)
//! that each session expands into hex rows as it streams them: one WebSocket
//! message of many frames, whose length nobody computed up front.

use core::fmt::{self, Write};

use crate::Micros;
use crate::sim::{self, XorShift};

/// Longest console line in bytes, `#<seq> ` prefix included.
pub const LINE_MAX: usize = 120;
/// Lines the ring keeps.
pub const RING: usize = 256;
/// Largest `dump`.
pub const DUMP_MAX: u32 = 1 << 20;
/// Fastest periodic rate, lines per second.
pub const RATE_MAX: u32 = 100_000;

/// What a console line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A line of text.
    Text,
    /// A hex dump of `len` bytes of simulated memory from `addr`.
    Dump {
        /// First address.
        addr: u32,
        /// Number of bytes.
        len: u32,
    },
}

/// One stored line.
#[derive(Debug, Clone)]
pub struct Line {
    /// Sequence number.
    pub seq: u32,
    /// Text or dump.
    pub kind: Kind,
    len: u8,
    text: [u8; LINE_MAX],
}

impl Line {
    /// A line with nothing in it (all zero bytes, so a `static` ring of them
    /// costs no flash).
    const EMPTY: Line = Line { seq: 0, kind: Kind::Text, len: 0, text: [0; LINE_MAX] };

    /// The line's text (for a dump: its first line, the dump's title).
    pub fn text(&self) -> &[u8] {
        self.text.get(..usize::from(self.len)).unwrap_or_default()
    }
}

/// Figures the periodic task lines report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// Open sessions of every kind.
    pub sessions: u32,
    /// Bytes received over all sessions.
    pub rx_bytes: u64,
    /// Bytes sent over all sessions.
    pub tx_bytes: u64,
    /// Static RAM the sessions use, bytes.
    pub session_ram: u32,
    /// Wall-clock time (Unix seconds), if the platform knows it.
    pub wall_clock: Option<u64>,
}

/// The console's storage: the last [`RING`] lines, 32 KiB. The platform
/// provides it, as it does the session slots (a `static` on a board, a `Box`
/// on a host), so that the device is never built on a small stack with it.
pub type Ring = [Line; RING];

/// An empty [`Ring`], for initialising that storage (`const`, so a board's
/// `static` of it is zero-initialised RAM).
pub const fn empty_ring() -> Ring {
    [Line::EMPTY; RING]
}

/// The console: ring, producer settings and simulated sensors.
pub struct Console<'r> {
    lines: &'r mut Ring,
    next_seq: u32,
    /// Periodic production is paused.
    pub paused: bool,
    /// Periodic lines per second (0: none).
    rate: u32,
    next_due: Micros,
    burst: u32,
    task: u8,
    rng: XorShift,
}

impl<'r> Console<'r> {
    /// A console producing `rate` lines per second into `lines` (its old
    /// contents are ignored).
    pub fn new(lines: &'r mut Ring, rate: u32, seed: u32) -> Self {
        Console {
            lines,
            next_seq: 0,
            paused: false,
            rate: rate.min(RATE_MAX),
            next_due: 0,
            burst: 0,
            task: 0,
            rng: XorShift::new(seed),
        }
    }

    /// Sequence number the next line will get.
    pub fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// The oldest sequence number still in the ring.
    pub fn oldest(&self) -> u32 {
        self.next_seq.saturating_sub(RING as u32)
    }

    /// The line with sequence number `seq`, if the ring still has it.
    pub fn get(&self, seq: u32) -> Option<&Line> {
        if seq < self.oldest() || seq >= self.next_seq {
            return None;
        }
        self.lines.get(seq as usize % RING)
    }

    /// The periodic rate, lines per second.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Set the periodic rate (clamped to [`RATE_MAX`]); restarts the schedule.
    pub fn set_rate(&mut self, rate: u32, now: Micros) {
        self.rate = rate.min(RATE_MAX);
        self.next_due = now;
    }

    /// When the next periodic line is due, if lines are being produced
    /// (`Some(0)`: at the next tick). A host can sleep until then.
    pub fn next_due(&self) -> Option<Micros> {
        (!self.paused && self.rate > 0).then_some(self.next_due)
    }

    /// Lines of a burst still to produce.
    pub fn burst_left(&self) -> u32 {
        self.burst
    }

    /// Add `n` lines to produce as fast as clients take them.
    pub fn burst(&mut self, n: u32) {
        self.burst = self.burst.saturating_add(n);
    }

    /// printf(): store a formatted line, cut at [`LINE_MAX`] bytes on a
    /// character boundary. Returns its sequence number.
    pub fn printf(&mut self, args: fmt::Arguments<'_>) -> u32 {
        self.push(Kind::Text, args)
    }

    /// Store a dump of `len` bytes from the simulated memory.
    pub fn dump(&mut self, len: u32) -> u32 {
        let len = len.clamp(1, DUMP_MAX);
        let addr = sim::DUMP_BASE + (self.next_seq % 64) * 0x100;
        self.push(
            Kind::Dump { addr, len },
            format_args!("dump 0x{:08x}..0x{:08x} ({} bytes)", addr, addr + len - 1, len),
        )
    }

    fn push(&mut self, kind: Kind, args: fmt::Arguments<'_>) -> u32 {
        let seq = self.next_seq;
        let Some(line) = self.lines.get_mut(seq as usize % RING) else {
            return seq;
        };
        let mut w = LineWriter { buf: &mut line.text, len: 0 };
        let _ = write!(w, "#{seq} ");
        let _ = w.write_fmt(args);
        line.len = w.len as u8;
        line.seq = seq;
        line.kind = kind;
        self.next_seq = seq.wrapping_add(1);
        seq
    }

    /// The boot banner.
    pub fn banner(&mut self, platform: &str) {
        self.printf(format_args!("Wisp device {} (wisp-firmware {}) on {}", crate::VERSION, crate::VERSION, platform));
        let rate = self.rate;
        self.printf(format_args!("console: {rate} lines/s, ring of {RING} lines, send 'help' for commands"));
    }

    /// Produce what is due at `now`: periodic task lines, then burst lines
    /// while `room` (how many lines the fastest reader can still take without
    /// losing any) allows.
    pub fn tick(&mut self, now: Micros, stats: &Stats, room: u32) {
        let cap = (RING / 2) as u32;
        if !self.paused && self.rate > 0 {
            let period = 1_000_000 / u64::from(self.rate);
            if self.next_due == 0 {
                self.next_due = now + period;
            }
            let mut produced = 0;
            while now >= self.next_due && produced < cap {
                self.task_line(self.next_due, stats);
                self.next_due += period.max(1);
                produced += 1;
            }
            // Far behind (a stalled host): skip ahead rather than flood.
            if now >= self.next_due {
                self.next_due = now + period;
            }
        }
        let mut n = room.min(cap).min(self.burst);
        while n > 0 {
            self.burst -= 1;
            n -= 1;
            let left = self.burst;
            self.printf(format_args!("burst: {} left", left));
        }
    }

    fn task_line(&mut self, at: Micros, stats: &Stats) {
        let (secs, micros) = (at / 1_000_000, at % 1_000_000);
        let noise = self.rng.next_u32();
        self.task = (self.task + 1) % 4;
        match self.task {
            0 => {
                let t = sim::temperature_centi(secs, noise);
                let h = sim::humidity_deci(secs, noise >> 8);
                self.printf(format_args!(
                    "[{secs:6}.{micros:06}] sensor: temp={}.{:02}C hum={}.{}% adc=0x{:03x}",
                    t / 100,
                    t % 100,
                    h / 10,
                    h % 10,
                    noise & 0xFFF
                ))
            }
            1 => {
                let used = 18_432 + stats.session_ram;
                self.printf(format_args!(
                    "[{secs:6}.{micros:06}] heap: used={} free={} sessions={}",
                    used,
                    262_144u32.saturating_sub(used),
                    stats.sessions
                ))
            }
            2 => self.printf(format_args!("[{secs:6}.{micros:06}] net: rx={}B tx={}B", stats.rx_bytes, stats.tx_bytes)),
            _ => match stats.wall_clock {
                Some(unix) => self.printf(format_args!("[{secs:6}.{micros:06}] clock: unix={unix} uptime={secs}s")),
                None => self.printf(format_args!("[{secs:6}.{micros:06}] idle: uptime={secs}s")),
            },
        };
    }
}

/// `fmt::Write` into a fixed line, dropping what does not fit.
struct LineWriter<'a> {
    buf: &'a mut [u8; LINE_MAX],
    len: usize,
}

impl Write for LineWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = LINE_MAX - self.len;
        let s = truncate(s, room);
        if let Some(dst) = self.buf.get_mut(self.len..self.len + s.len()) {
            dst.copy_from_slice(s.as_bytes());
            self.len += s.len();
        }
        Ok(())
    }
}

/// The longest prefix of `s` of at most `max` bytes ending on a char boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default()
}

/// Write hex-dump row `row` of a dump (16 bytes per row) into `out`:
/// `20001000  3a 1f … 9c  |:.....|` and a newline. Returns the length.
pub fn dump_row(addr: u32, len: u32, row: u32, out: &mut [u8]) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let start = addr.wrapping_add(row * 16);
    let n = (len - row * 16).min(16);
    let mut w = 0;
    let mut put = |b: u8| {
        if let Some(slot) = out.get_mut(w) {
            *slot = b;
            w += 1;
        }
    };
    for shift in (0..8).rev() {
        put(HEX.get(((start >> (shift * 4)) & 0xF) as usize).copied().unwrap_or(b'?'));
    }
    put(b' ');
    for i in 0..16 {
        put(b' ');
        if i < n {
            let b = sim::memory_byte(start + i);
            put(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'?'));
            put(HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'?'));
        } else {
            put(b' ');
            put(b' ');
        }
    }
    put(b' ');
    put(b' ');
    put(b'|');
    for i in 0..n {
        let b = sim::memory_byte(start + i);
        put(if b.is_ascii_graphic() { b } else { b'.' });
    }
    put(b'|');
    put(b'\n');
    w
}

/// Longest row [`dump_row`] writes.
pub const DUMP_ROW_MAX: usize = 8 + 1 + 48 + 2 + 18 + 1;

/// Rows in a dump of `len` bytes.
pub const fn dump_rows(len: u32) -> u32 {
    len.div_ceil(16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::boxed::Box;

    #[test]
    fn ring_keeps_the_last_lines_with_their_numbers() {
        let mut ring = Box::new(empty_ring());
        let mut c = Console::new(&mut ring, 0, 1);
        for i in 0..(RING as u32 + 10) {
            c.printf(format_args!("line {i}"));
        }
        assert_eq!(c.oldest(), 10);
        assert!(c.get(9).is_none());
        assert_eq!(c.get(10).unwrap().text(), b"#10 line 10");
        assert!(c.get(c.next_seq()).is_none());
    }

    #[test]
    fn long_lines_are_cut_on_a_char_boundary() {
        let mut ring = Box::new(empty_ring());
        let mut c = Console::new(&mut ring, 0, 1);
        let s = "é".repeat(100);
        c.printf(format_args!("{s}"));
        let t = core::str::from_utf8(c.get(0).unwrap().text()).unwrap();
        assert!(t.len() <= LINE_MAX && t.starts_with("#0 é"));
    }

    #[test]
    fn periodic_rate_and_burst() {
        let mut ring = Box::new(empty_ring());
        let mut c = Console::new(&mut ring, 10, 1);
        let stats = Stats::default();
        c.tick(1, &stats, 0);
        c.tick(1_000_001, &stats, 0);
        assert_eq!(c.next_seq(), 10, "10 lines in one second at 10/s");
        c.paused = true;
        c.tick(5_000_000, &stats, 0);
        assert_eq!(c.next_seq(), 10);
        c.burst(300);
        c.tick(5_000_001, &stats, 50);
        assert_eq!(c.next_seq(), 60, "burst limited by the reader's room");
        assert_eq!(c.burst_left(), 250);
    }

    #[test]
    fn dump_rows_show_the_documented_memory() {
        let mut out = [0u8; 100];
        let n = dump_row(0x2000_0000, 20, 1, &mut out);
        let row = core::str::from_utf8(&out[..n]).unwrap();
        assert!(row.starts_with("20000010  "), "{row}");
        let b = memory_byte(0x2000_0010);
        assert!(row.contains(&std::format!(" {b:02x} ")), "{row}");
        assert!(row.ends_with("|\n") && n <= DUMP_ROW_MAX);
        assert_eq!(dump_rows(20), 2);
    }

    use crate::sim::memory_byte;
}
