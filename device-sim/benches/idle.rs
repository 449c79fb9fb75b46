//! What an idle twin costs: CPU time of the `device-sim` process over 10 s,
//! with no client, and with one `/printf` client that only listens (the
//! dashboard left open: 4 lines a second).
//!
//! ```sh
//! cargo bench -p device-sim --bench idle
//! ```
//!
//! Reads `utime + stime` from `/proc/PID/stat` (clock ticks) before and after.

use std::net::TcpListener;
use std::process::{Child, Command};
use std::thread::sleep;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(10);

/// User + system CPU time of a process, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/PID/stat");
    // The fields after the command name (which may hold spaces) start after ')'.
    let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 12 and 13 here.
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    // SAFETY: sysconf takes a constant and only returns a number.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

fn spawn(port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_device-sim"))
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("start device-sim");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "device-sim did not start");
        sleep(Duration::from_millis(20));
    }
    child
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Percent of one core the process used over `WINDOW`, after a settling second.
fn share(child: &Child) -> f64 {
    sleep(Duration::from_secs(1));
    let (a, t) = (cpu_seconds(child.id()), Instant::now());
    sleep(WINDOW);
    100.0 * (cpu_seconds(child.id()) - a) / t.elapsed().as_secs_f64()
}

fn main() {
    let port = free_port();
    let mut twin = spawn(port);
    let none = share(&twin);

    let (mut ws, _) = tungstenite::connect(format!("ws://127.0.0.1:{port}/printf")).expect("connect /printf");
    let reader = std::thread::spawn(move || {
        let mut lines = 0u32;
        while let Ok(m) = ws.read() {
            lines += u32::from(m.is_text());
        }
        lines
    });
    let listening = share(&twin);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(twin.id() as i32, libc::SIGINT) };
    let _ = twin.wait();
    let lines = reader.join().unwrap_or(0);

    println!("\n| idle twin (`device-sim`, defaults) | CPU, % of one core over {} s |", WINDOW.as_secs());
    println!("| --- | ---: |");
    println!("| no client | {none:.2} % |");
    println!("| one /printf client listening ({lines} lines received) | {listening:.2} % |");
}
