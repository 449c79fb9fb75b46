//! Stalls in a console burst: how often a client reading `burst 20000` from a
//! fresh twin waits more than 10 ms for the next line.
//!
//! ```sh
//! cargo bench -p device-sim --bench stalls
//! ```
//!
//! Such a gap is not the twin's work (a burst takes 3–6 ms in all): it is
//! the kernel's, a sender whose small send buffer is full waiting for an
//! acknowledgement that the receiving side delays by its 40 ms delayed-ACK
//! timer. `device_sim::socket::SEND_BUFFER` sets how often that happens.

mod client;

use std::time::{Duration, Instant};

use device_sim::{Options, Twin};

use client::{burst, connect};

const BURSTS: usize = 600;
const LINES: u32 = 20_000;
const GAP: Duration = Duration::from_millis(10);

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let mut stalls = Vec::new();
    let mut times = Vec::with_capacity(BURSTS);
    for _ in 0..BURSTS {
        let twin = Twin::spawn(Options {
            bind: "127.0.0.1:0".parse().unwrap(),
            rate: 0,
            ping_interval: 0,
            ..Options::default()
        })
        .unwrap();
        let mut ws = connect(twin.addr, "/printf");
        let start = Instant::now();
        let (mut seen, mut last) = (0u32, Instant::now());
        let got = burst(&mut ws, LINES, |s| {
            let now = Instant::now();
            if now - last > GAP {
                stalls.push((now - last, seen));
            }
            last = now;
            seen += u32::from(s.contains(" burst: "));
        });
        assert_eq!(got, LINES, "every line of the burst");
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "{BURSTS} bursts of {LINES} lines, SEND_BUFFER {} KiB: median {:.2} ms; {} with a gap over {} ms {:?}",
        device_sim::socket::SEND_BUFFER / 1024,
        times[BURSTS / 2].as_secs_f64() * 1e3,
        stalls.len(),
        GAP.as_millis(),
        stalls.iter().map(|(d, at)| format!("{:.1} ms after line {at}", d.as_secs_f64() * 1e3)).collect::<Vec<_>>()
    );
}
