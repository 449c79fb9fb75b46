//! The board (QEMU mps2-an386) beside the host twin, in one run:
//!
//!     board/run.sh &                      # the board on 127.0.0.1:8081
//!     cargo bench -p device-sim --bench board
//!
//! Echo round trips of 32-byte messages (p50/p99) and console lines/s to one
//! client during a burst, for both, measured by the same tungstenite client.

mod client;

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use device_sim::{Options, Twin};
use tungstenite::Message;

use client::{burst, connect};

fn echo(addr: SocketAddr, n: usize) -> (f64, f64) {
    let mut ws = connect(addr, "/echo");
    let payload = vec![0x5Au8; 32];
    let mut rtts: Vec<f64> = (0..n + 50)
        .map(|_| {
            let t = Instant::now();
            ws.send(Message::binary(payload.clone())).unwrap();
            while !ws.read().unwrap().is_binary() {}
            t.elapsed().as_secs_f64() * 1e6
        })
        .skip(50)
        .collect();
    rtts.sort_by(f64::total_cmp);
    (rtts[n / 2], rtts[n * 99 / 100])
}

fn lines(addr: SocketAddr, n: u32) -> f64 {
    let mut ws = connect(addr, "/printf");
    let t = Instant::now();
    let got = burst(&mut ws, n, |s| assert!(!s.starts_with("! dropped"), "{s}"));
    assert_eq!(got, n, "every line of the burst");
    f64::from(got) / t.elapsed().as_secs_f64()
}

fn main() {
    let board: SocketAddr = std::env::var("BOARD").unwrap_or("127.0.0.1:8081".into()).parse().unwrap();
    if TcpStream::connect_timeout(&board, Duration::from_secs(1)).is_err() {
        println!("no board at {board}: start it with board/run.sh, then run this again");
        return;
    }
    let twin =
        Twin::spawn(Options { bind: "127.0.0.1:0".parse().unwrap(), rate: 0, ping_interval: 0, ..Options::default() })
            .unwrap();
    let (bp50, bp99) = echo(board, 1000);
    let (tp50, tp99) = echo(twin.addr, 1000);
    let bl = lines(board, 20_000);
    let tl = lines(twin.addr, 20_000);
    println!("| figure | board (QEMU, Cortex-M4) | host twin | board / twin |");
    println!("| --- | ---: | ---: | ---: |");
    println!("| echo round trip p50, 32 B | {bp50:.0} µs | {tp50:.0} µs | {:.1}× slower |", bp50 / tp50);
    println!("| echo round trip p99, 32 B | {bp99:.0} µs | {tp99:.0} µs | {:.1}× slower |", bp99 / tp99);
    println!("| printf lines/s to one client (burst 20000) | {bl:.0} | {tl:.0} | {:.3}× |", bl / tl);
}
