//! `/printf` on a caller-driven clock: lines in order with their backlog,
//! drop notices, both overflow policies, commands (built-in and the
//! device's own), log records, hygiene, and messages that never interleave.

use core::fmt::Write as _;

use wisp_console::testing::{Client, Rig};
use wisp_console::{App, Block, Call, Command, Config, Console, Level, Lines, Micros, Overflow, Tick, Usage};

/// A device with commands of its own, a burst producer and a block body.
#[derive(Default)]
struct Gadget {
    led: bool,
    burst: u32,
}

fn led(g: &mut Gadget, call: &mut Call<'_>) -> Result<(), Usage> {
    g.led = match call.args() {
        "on" => true,
        "off" => false,
        _ => return Err(Usage),
    };
    writeln!(call, "LED {}", if g.led { "on" } else { "off" }).map_err(|_| Usage)
}

fn burst(g: &mut Gadget, call: &mut Call<'_>) -> Result<(), Usage> {
    g.burst += call.number(1..=100_000)?;
    writeln!(call, "burst queued").map_err(|_| Usage)
}

fn blob(_: &mut Gadget, call: &mut Call<'_>) -> Result<(), Usage> {
    let rows = call.number(1..=10_000)?;
    call.console.block(format_args!("blob of {rows} rows"), Block { a: 7, b: rows });
    Ok(())
}

impl App for Gadget {
    const COMMANDS: &'static [Command<Self>] = &[
        Command::new("led", "on|off", "switch the LED", led),
        Command::new("burst", "<n>", "n lines as fast as readers take them", burst),
        Command::new("blob", "<rows>", "a block of rows", blob),
    ];

    fn block(&mut self, block: Block, pos: u32, out: &mut [u8]) -> (usize, Option<u32>) {
        let row = format!("row {pos} of {}\n", block.b);
        out[..row.len()].copy_from_slice(row.as_bytes());
        (row.len(), (pos + 1 < block.b).then_some(pos + 1))
    }

    fn tick(&mut self, t: &mut Tick<'_>) -> Option<Micros> {
        let mut n = 0;
        while self.burst > 0 && n < 256 && t.console.room() >= 32 {
            self.burst -= 1;
            n += 1;
            t.console.line(format_args!("burst: {} left", self.burst));
        }
        (self.burst > 0).then_some(t.now + 1_000)
    }
}

fn seq(line: &str) -> u64 {
    line[1..].split(' ').next().unwrap().parse().unwrap()
}

fn rig() -> Rig<'static, Gadget> {
    Rig::new(Config { max_sessions: 16, ..Config::default() }, Gadget::default())
}

/// Send a command, return the replies and notices that came back.
fn ask(rig: &mut Rig<'_, Gadget>, c: &mut Client, cmd: &str) -> Vec<String> {
    c.send_text(cmd);
    rig.settle(&mut [c]);
    c.texts().into_iter().filter(|t| t.starts_with('>') || t.starts_with('!')).collect()
}

#[test]
fn a_new_client_gets_the_backlog_then_every_line_in_order() {
    let mut r = rig();
    for i in 0..50 {
        r.console.line(format_args!("before {i}"));
    }
    let mut c = r.connect("/printf");
    r.settle(&mut [&mut c]);
    let got = c.texts();
    assert_eq!(got.len(), 32, "the last 32 lines: {got:?}");
    assert_eq!(got[0], "#18 before 18");
    for i in 0..1000 {
        r.console.line(format_args!("after {i}"));
        if i % 100 == 0 {
            r.settle(&mut [&mut c]);
        }
    }
    r.settle(&mut [&mut c]);
    let seqs: Vec<u64> = c.texts().iter().map(|l| seq(l)).collect();
    assert_eq!(seqs, (50..1050).collect::<Vec<_>>());
}

#[test]
fn a_reader_left_behind_is_told_exactly_which_lines_it_lost() {
    let mut r = rig();
    let mut slow = r.connect("/printf");
    let mut fast = r.connect("/printf");
    r.settle(&mut [&mut slow, &mut fast]);
    slow.reading = false;
    r.socket_buffer = 4096;
    for i in 0..3000 {
        r.console.line(format_args!("line {i} {}", "x".repeat(40)));
        r.settle(&mut [&mut slow, &mut fast]);
    }
    let fast_seqs: Vec<u64> = fast.texts().iter().filter(|l| l.starts_with('#')).map(|l| seq(l)).collect();
    assert_eq!(fast_seqs, (0..3000).collect::<Vec<_>>(), "the fast reader loses nothing");
    slow.reading = true;
    r.settle(&mut [&mut slow, &mut fast]);
    let got = slow.texts();
    let notice = got.iter().find(|l| l.starts_with("! dropped ")).expect("a drop notice");
    // `! dropped N lines (#a..#b): …` names exactly the lines skipped.
    let range = notice.split('(').nth(1).unwrap().split(')').next().unwrap();
    let (a, b) = range.split_once("..").unwrap();
    let (a, b): (u64, u64) = (a[1..].parse().unwrap(), b[1..].parse().unwrap());
    let at = got.iter().position(|l| l == notice).unwrap();
    assert_eq!(seq(&got[at - 1]), a - 1, "the line before the gap");
    assert_eq!(seq(&got[at + 1]), b + 1, "the line after it");
    let n: u64 = notice.split(' ').nth(2).unwrap().parse().unwrap();
    assert_eq!(n, b - a + 1);
}

/// Eight readers of a 5,000-line burst: how many lines each lost.
fn burst_to_eight(overflow: Overflow) -> Vec<usize> {
    let console = Console::new().with_overflow(overflow);
    let mut r = Rig::with_console(Config { max_sessions: 16, ..Config::default() }, Gadget::default(), console);
    r.socket_buffer = 2048;
    let mut readers: Vec<Client> = (0..8).map(|_| r.connect("/printf")).collect();
    {
        let mut all: Vec<&mut Client> = readers.iter_mut().collect();
        r.settle(&mut all);
    }
    readers[0].send_text("burst 5000");
    let mut lost = vec![0usize; 8];
    let mut done = vec![false; 8];
    for _ in 0..20_000 {
        r.now += 100;
        // Four fast readers, four that read one turn in a hundred.
        for (k, c) in readers.iter_mut().enumerate() {
            c.reading = k < 4 || (r.now / 100).is_multiple_of(100);
        }
        let mut all: Vec<&mut Client> = readers.iter_mut().collect();
        r.settle(&mut all);
        for (k, c) in readers.iter_mut().enumerate() {
            for t in c.texts() {
                if t.starts_with("! dropped ") {
                    lost[k] += t.split(' ').nth(2).unwrap().parse::<usize>().unwrap();
                }
                done[k] |= t.ends_with("burst: 0 left");
            }
        }
        if done.iter().all(|d| *d) {
            return lost;
        }
    }
    panic!("the burst did not finish: {done:?}");
}

#[test]
fn waiting_for_the_slowest_reader_gives_every_reader_every_line() {
    let lost = burst_to_eight(Overflow::Wait { timeout: 5_000_000 });
    assert_eq!(lost, vec![0; 8], "under Wait no reader loses a line");
    // Under the default, the burst runs at the fastest reader's pace and
    // the slow ones lose lines (and are told so).
    let lost = burst_to_eight(Overflow::DropOldest);
    assert_eq!(lost[..4], [0; 4], "{lost:?}");
    assert!(lost[4..].iter().all(|&n| n > 0), "{lost:?}");
}

#[test]
fn help_lists_the_built_ins_then_the_devices_own() {
    let mut r = rig();
    let mut c = r.connect("/printf");
    r.settle(&mut [&mut c]);
    let help = ask(&mut r, &mut c, "help");
    let names: Vec<&str> = help.iter().map(|l| l[2..].split(' ').next().unwrap()).collect();
    assert_eq!(names, ["help", "ping", "print", "close", "led", "burst", "blob"]);
    assert!(help[4].starts_with("> led on|off") && help[4].ends_with("switch the LED"), "{}", help[4]);
}

#[test]
fn a_custom_command_runs_and_a_malformed_call_gets_its_usage() {
    let mut r = rig();
    let mut c = r.connect("/printf");
    r.settle(&mut [&mut c]);
    assert_eq!(ask(&mut r, &mut c, "led on"), ["> LED on"]);
    assert!(r.server.device.app.led);
    assert_eq!(ask(&mut r, &mut c, "led sideways"), ["! usage: led on|off"]);
    assert!(r.server.device.app.led, "a refused call changes nothing");
    assert_eq!(ask(&mut r, &mut c, "jump"), ["! unknown command; try 'help': jump"]);
    assert_eq!(ask(&mut r, &mut c, "print"), ["! usage: print <text>"]);
    assert_eq!(ask(&mut r, &mut c, ""), ["! empty command; try 'help'"]);
    let long = format!("print {}", "x".repeat(300));
    assert_eq!(ask(&mut r, &mut c, &long), ["! command longer than 256 bytes"]);
    // The session goes on.
    assert_eq!(ask(&mut r, &mut c, "led off"), ["> LED off"]);
}

#[test]
fn log_records_carry_level_target_and_uptime() {
    let mut r = rig();
    let mut c = r.connect("/printf");
    r.settle(&mut [&mut c]);
    r.advance(12_500_000);
    r.console.record(Level::Warn, "net", format_args!("link down"));
    r.console.record(Level::Error, "my app", format_args!("code {}", 7));
    r.settle(&mut [&mut c]);
    let lines = c.texts();
    assert!(lines.contains(&"#0 [    12.500000] WARN net: link down".to_string()), "{lines:?}");
    assert!(lines.contains(&"#1 [    12.500000] ERROR my_app: code 7".to_string()), "{lines:?}");
}

#[test]
fn no_client_can_forge_a_line_or_drive_a_terminal() {
    let mut r = rig();
    let mut evil = r.connect("/printf");
    let mut victim = r.connect("/printf");
    r.settle(&mut [&mut evil, &mut victim]);
    evil.send_text("print ok\n#424242 [  1.0] ERROR fake: forged\r\n! dropped 99 lines\x1b[2J\x1b]0;t\x07\0");
    evil.send_text("led \x1b[31mon\n#1 forged");
    r.settle(&mut [&mut evil, &mut victim]);
    let lines = victim.texts();
    assert_eq!(lines.len(), 1, "one line, not several: {lines:?}");
    let line = &lines[0];
    assert!(line.starts_with("#0 [     0.000000] INFO print: ok"), "{line}");
    assert!(!line.chars().any(|c| c.is_control()), "no control byte reaches anyone: {line:?}");
    // The echoed argument in the usage notice is cleaned too.
    let notices = evil.texts();
    assert!(notices.iter().all(|n| !n.chars().any(|c| c.is_control())), "{notices:?}");
}

#[test]
fn a_reply_during_a_streamed_block_leaves_the_block_one_message() {
    let mut r = rig();
    r.socket_buffer = 2048;
    let mut c = r.connect("/printf");
    r.settle(&mut [&mut c]);
    c.send_text("blob 4000");
    // While the block streams (the client reads slowly), more commands.
    for i in 0..40 {
        c.reading = i % 3 == 0;
        c.send_text("led on");
        c.send_text("ping");
        r.advance_with(1_000, &mut [&mut c]);
    }
    c.reading = true;
    r.advance_with(10_000, &mut [&mut c]);
    let got = c.texts();
    let block = got.iter().find(|t| t.contains("blob of 4000 rows")).expect("the block");
    let rows: Vec<&str> = block.lines().skip(1).collect();
    assert_eq!(rows.len(), 4000, "every row in the one message");
    assert!(rows.iter().enumerate().all(|(i, r)| *r == format!("row {i} of 4000")));
    assert_eq!(got.iter().filter(|t| *t == "> LED on").count(), 40, "every reply, each its own message");
    // A ping sent while one is outstanding reports once, when its pong comes.
    assert!(got.iter().any(|t| t.starts_with("> pong: round trip ")));
}

#[test]
fn close_command_closes_with_the_code_and_a_clean_reason() {
    let mut r = rig();
    let mut c = r.connect("/printf");
    r.settle(&mut [&mut c]);
    assert_eq!(
        ask(&mut r, &mut c, "close 1005"),
        ["! usage: close <code> [reason], code 1000-1003, 1007-1014 or 3000-4999"]
    );
    c.send_text("close 4000 bye\x1bnow");
    r.settle(&mut [&mut c]);
    assert_eq!(c.close, Some((Some(4000), "bye\u{241b}now".into())));
    r.settle(&mut [&mut c]);
    assert_eq!(r.sessions(), 0);
}
