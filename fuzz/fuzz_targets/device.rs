//! A whole device under arbitrary peers: up to six connections send what the
//! fuzzer says — upgrade requests, raw bytes, valid commands — read or do not
//! read, hang up, while time moves in arbitrary steps. Beside them a
//! well-behaved `/printf` client must get every console line, in order, and
//! stay connected; nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_console::testing::{Pipe, Rig};
use wisp_console::{App, Config, Console, Micros, Tick, Timing};

/// A line every 10 ms.
struct Ticker;

impl App for Ticker {
    fn tick(&mut self, t: &mut Tick<'_>) -> Option<Micros> {
        t.console.line(format_args!("tick at {}", t.now));
        Some(t.now + 10_000)
    }
}

const PATHS: [&str; 5] = ["/printf", "/echo", "/tap", "/nope", "/"];

/// A client frame with `payload`, masked as a client must.
fn frame(b0: u8, payload: &[u8]) -> Vec<u8> {
    let key = [0x5a, 0xa5, 0x3c, 0xc3];
    let mut v = vec![b0, 0x80 | payload.len().min(125) as u8];
    v.extend_from_slice(&key);
    v.extend(payload.iter().take(125).enumerate().map(|(i, b)| b ^ key[i % 4]));
    v
}

fuzz_target!(|data: &[u8]| {
    let cfg = Config {
        max_sessions: 8,
        timing: Timing {
            ping_interval: 500_000,
            pong_timeout: 300_000,
            head_timeout: 1_000_000,
            idle_timeout: 1_000_000,
            send_timeout: 1_000_000,
            close_grace: 200_000,
        },
        ..Config::default()
    };
    // Owned here, not leaked: a fuzz run makes millions of them.
    let console = Box::new(Console::new());
    let mut slots = Rig::<Ticker>::slots(&cfg);
    let mut rig = Rig::within(cfg, Ticker, &console, &mut slots);
    rig.socket_buffer = 4096;
    let mut good = rig.connect("/printf");
    rig.settle(&mut [&mut good]);
    let mut peers: Vec<(Pipe, bool)> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut ops = data.iter().copied();
    while let Some(op) = ops.next() {
        let k = usize::from(op >> 3);
        match op & 7 {
            0 if peers.len() < 6 => {
                if let Some(p) = rig.dial_raw(None) {
                    peers.push((p, true));
                }
            }
            1 => {
                if let Some((p, _)) = peers.get(k % peers.len().max(1)) {
                    let path = PATHS[usize::from(ops.next().unwrap_or(0)) % PATHS.len()];
                    p.put(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").as_bytes());
                }
            }
            2 | 3 => {
                let n = usize::from(ops.next().unwrap_or(0) % 64);
                let bytes: Vec<u8> = ops.by_ref().take(n).collect();
                if let Some((p, _)) = peers.get(k % peers.len().max(1)) {
                    if op & 7 == 2 { p.put(&bytes) } else { p.put(&frame(0x81, &bytes)) };
                }
            }
            4 => {
                let steps = u64::from(ops.next().unwrap_or(1));
                for _ in 0..steps {
                    rig.advance_with(10_000, &mut [&mut good]);
                    seen.extend(good.texts());
                }
            }
            5 => {
                if !peers.is_empty() {
                    let (p, _) = peers.remove(k % peers.len());
                    p.close();
                }
            }
            6 => {
                let at = k % peers.len().max(1);
                if let Some((_, reading)) = peers.get_mut(at) {
                    *reading = !*reading;
                }
            }
            _ => {}
        }
        for (p, reading) in &peers {
            if *reading {
                p.take(usize::MAX);
            }
        }
        rig.settle(&mut [&mut good]);
        seen.extend(good.texts());
    }
    // Let everything time out, then check the good client's view.
    for _ in 0..300 {
        rig.advance_with(10_000, &mut [&mut good]);
        seen.extend(good.texts());
    }
    let mut last: Option<u64> = None;
    for line in &seen {
        assert!(!line.starts_with("! dropped"), "the good client lost lines: {line}");
        if let Some(n) = line.strip_prefix('#').and_then(|l| l.split(' ').next()).and_then(|n| n.parse::<u64>().ok()) {
            if let Some(prev) = last {
                assert_eq!(n, prev + 1, "in order, no gap");
            }
            last = Some(n);
        }
    }
    assert!(last.is_some_and(|n| n >= 300), "the console went on: {last:?}");
    assert!(good.close.is_none(), "the good client stays: {:?}", good.close);
});
