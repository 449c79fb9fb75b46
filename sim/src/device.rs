//! The simulated device as an application: its commands, its dump, and the
//! lines it prints by itself.

use core::fmt::Write as _;

use wisp_console::{App, Block, Call, Command, LINE_MAX, Level, Micros, Tick, Usage};

use crate::dump::{DUMP_MAX, DUMP_ROW_MAX, dump_row, dump_rows};
use crate::sim::{self, XorShift};

/// Fastest periodic rate, lines per second.
pub const RATE_MAX: u32 = 100_000;
/// Burst lines produced per tick at most (the rest on the next).
const BURST_PER_TICK: u32 = 256;
/// Bytes a burst line takes in the ring, at most: `burst: 1000000 left`.
const BURST_LINE: usize = 2 + 21;
/// Room a burst leaves in the ring for the lines that do not wait (the
/// periodic ones, a `writeln!` elsewhere): two of the longest. Filled to the
/// brim, the next periodic line would evict one its slowest reader has not
/// read yet.
const BURST_RESERVE: usize = 2 * (2 + LINE_MAX);

/// The simulated device: sensors, a memory region, periodic lines, bursts.
pub struct Sim {
    /// Periodic production is paused.
    pub paused: bool,
    rate: u32,
    next_due: Micros,
    burst: u32,
    task: u8,
    rng: XorShift,
    banner: Option<&'static str>,
}

impl Sim {
    /// A device producing `rate` lines per second; `platform` is what the
    /// boot banner calls it.
    pub fn new(rate: u32, seed: u32, platform: &'static str) -> Self {
        Sim {
            paused: false,
            rate: rate.min(RATE_MAX),
            next_due: 0,
            burst: 0,
            task: 0,
            rng: XorShift::new(seed),
            banner: Some(platform),
        }
    }

    /// The periodic rate, lines per second.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Lines of a burst still to produce.
    pub fn burst_left(&self) -> u32 {
        self.burst
    }

    fn task_line(&mut self, at: Micros, tick: &Tick<'_>) {
        let secs = at / 1_000_000;
        let noise = self.rng.next_u32();
        self.task = (self.task + 1) % 4;
        let c = tick.console;
        let s = tick.stats;
        match self.task {
            0 => {
                let t = sim::temperature_centi(secs, noise);
                let h = sim::humidity_deci(secs, noise >> 8);
                let (tu, tc, hu, hd) = (t / 100, t % 100, h / 10, h % 10);
                c.record_at(
                    at,
                    Level::Info,
                    "sensor",
                    format_args!("temp={tu}.{tc:02}C hum={hu}.{hd}% adc=0x{:03x}", noise & 0xFFF),
                )
            }
            1 => {
                let used = 18_432 + s.session_ram;
                let free = 262_144u32.saturating_sub(used);
                c.record_at(at, Level::Info, "heap", format_args!("used={used} free={free} sessions={}", s.sessions))
            }
            2 => c.record_at(at, Level::Info, "net", format_args!("rx={}B tx={}B", s.rx_bytes, s.tx_bytes)),
            _ => match s.wall_clock {
                Some(unix) => c.record_at(at, Level::Info, "clock", format_args!("unix={unix} uptime={secs}s")),
                None => c.record_at(at, Level::Info, "idle", format_args!("uptime={secs}s")),
            },
        };
    }
}

impl App for Sim {
    const COMMANDS: &'static [Command<Self>] = &[
        Command::new("pause", "", "stop the periodic lines", pause),
        Command::new("resume", "", "restart them", resume),
        Command::new("rate", "<lines/s>", "periodic rate, 0..100000", rate),
        Command::new("burst", "<n>", "n lines as fast as the socket takes them (1..1000000)", burst),
        Command::new(
            "dump",
            "<bytes>",
            "hex dump of simulated memory as ONE message of many frames (1..1048576)",
            dump,
        ),
        Command::new("log", "<level> <text>", "a log record at error|warn|info|debug|trace", log),
        Command::new("colors", "", "a line in ANSI colours", colors),
    ];

    /// A dump's rows: `block.a` is its first address, `block.b` its length;
    /// positions are row numbers.
    fn block(&mut self, block: Block, pos: u32, out: &mut [u8]) -> (usize, Option<u32>) {
        let rows = dump_rows(block.b);
        if pos >= rows || out.len() < DUMP_ROW_MAX {
            return (0, (pos < rows).then_some(pos));
        }
        let n = dump_row(block.a, block.b, pos, out);
        (n, (pos + 1 < rows).then_some(pos + 1))
    }

    fn tick(&mut self, tick: &mut Tick<'_>) -> Option<Micros> {
        let now = tick.now;
        if let Some(platform) = self.banner.take() {
            let v = crate::VERSION;
            tick.console.line(format_args!("Wisp device {v} (wisp-sim {v}) on {platform}"));
            let rate = self.rate;
            tick.console.line(format_args!("console: {rate} lines/s, send 'help' for commands"));
        }
        let mut next = None;
        if !self.paused && self.rate > 0 {
            let period = (1_000_000 / u64::from(self.rate)).max(1);
            if self.next_due == 0 {
                self.next_due = now + period;
            }
            let mut produced = 0;
            while now >= self.next_due && produced < BURST_PER_TICK {
                self.task_line(self.next_due, tick);
                self.next_due += period;
                produced += 1;
            }
            // Far behind (a stalled host): skip ahead rather than flood.
            if now >= self.next_due {
                self.next_due = now + period;
            }
            next = Some(self.next_due);
        }
        // A burst goes as fast as the readers take it: each line only when
        // the console has room for it under its overflow policy.
        let mut n = 0;
        while self.burst > 0 && n < BURST_PER_TICK && tick.console.room() >= BURST_LINE + BURST_RESERVE {
            self.burst -= 1;
            n += 1;
            tick.console.line(format_args!("burst: {} left", self.burst));
        }
        if self.burst > 0 {
            next = Some(now);
        }
        next
    }
}

fn pause(sim: &mut Sim, call: &mut Call<'_>) -> Result<(), Usage> {
    no_args(call)?;
    sim.paused = true;
    reply(call, format_args!("paused"))
}

fn resume(sim: &mut Sim, call: &mut Call<'_>) -> Result<(), Usage> {
    no_args(call)?;
    sim.paused = false;
    sim.next_due = call.now;
    reply(call, format_args!("resumed at {} lines/s", sim.rate))
}

fn rate(sim: &mut Sim, call: &mut Call<'_>) -> Result<(), Usage> {
    let r = call.number(0..=RATE_MAX)?;
    sim.rate = r;
    sim.next_due = call.now;
    reply(call, format_args!("rate {r} lines/s"))
}

fn burst(sim: &mut Sim, call: &mut Call<'_>) -> Result<(), Usage> {
    let n = call.number(1..=1_000_000)?;
    sim.burst = sim.burst.saturating_add(n);
    reply(call, format_args!("burst of {n} lines"))
}

fn dump(_: &mut Sim, call: &mut Call<'_>) -> Result<(), Usage> {
    let len = call.number(1..=DUMP_MAX)?;
    let addr = sim::DUMP_BASE + (call.console.next_seq() % 64) as u32 * 0x100;
    let end = addr + len - 1;
    let seq =
        call.console.block(format_args!("dump 0x{addr:08x}..0x{end:08x} ({len} bytes)"), Block { a: addr, b: len });
    reply(call, format_args!("dump of {len} bytes is line #{seq}"))
}

fn log(_: &mut Sim, call: &mut Call<'_>) -> Result<(), Usage> {
    let (level, text) = call.args().split_once(' ').ok_or(Usage)?;
    let level = Level::parse(level).ok_or(Usage)?;
    call.console.client_record(level, "cmd", text);
    Ok(())
}

fn colors(_: &mut Sim, call: &mut Call<'_>) -> Result<(), Usage> {
    no_args(call)?;
    call.console.line(format_args!(
        "\x1b[31mred\x1b[0m \x1b[32mgreen\x1b[0m \x1b[1;34mbold blue\x1b[0m \x1b[38;5;208morange\x1b[0m"
    ));
    Ok(())
}

fn no_args(call: &Call<'_>) -> Result<(), Usage> {
    if call.args().is_empty() { Ok(()) } else { Err(Usage) }
}

fn reply(call: &mut Call<'_>, args: core::fmt::Arguments<'_>) -> Result<(), Usage> {
    call.write_fmt(args).map_err(|_| Usage)?;
    call.write_str("\n").map_err(|_| Usage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_console::{Console, Entry, Lines, Overflow, Stats};

    #[test]
    fn a_burst_leaves_room_for_the_periodic_lines_of_a_slow_reader() {
        // A reader that takes one line per millisecond, lines printed at
        // 250/s besides, and a burst that waits for the reader: every line
        // reaches it.
        static CONSOLE: Console<1024, 2> = Console::new().with_overflow(Overflow::Wait { timeout: 1_000_000 });
        let reader = CONSOLE.subscribe(0).unwrap();
        let mut sim = Sim::new(250, 1, "test");
        sim.burst = 500;
        let stats = Stats::default();
        let mut text = [0; LINE_MAX];
        let mut got = 0;
        for ms in 0..3_000u64 {
            let now = ms * 1000;
            CONSOLE.set_now(now);
            sim.tick(&mut Tick { now, console: &CONSOLE, stats: &stats });
            match CONSOLE.read(reader, &mut text) {
                Entry::Dropped { from, to } => panic!("lost #{from}..#{to}"),
                Entry::Line { .. } => got += 1,
                Entry::Empty => {}
            }
        }
        assert_eq!(sim.burst_left(), 0);
        assert!(got > 500 + 700, "{got}");
    }
}
