//! Load benchmark: the twin beside a tungstenite server doing the same work,
//! in one run, over loopback. Prints a Markdown table of medians and ratios.
//!
//!     cargo bench -p device-sim --bench load
//!
//! Rows: console lines/s delivered to 1 and to 8 clients (a `burst` of
//! numbered lines), and echo round-trip latency p50/p99 for 32-byte messages.
//! Rounds alternate between the two servers; medians of the rounds are quoted.

mod client;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use device_sim::{Options, Twin};
use tungstenite::Message;
use tungstenite::handshake::server::{Request, Response};

const ROUNDS: usize = 5;
const BURST_1: u32 = 200_000;
const BURST_8: u32 = 50_000;
const ECHOES: usize = 5_000;
const BATCH: usize = 500;
/// The pause between batches (longer than the twin's 200 µs spin).
const SETTLE: Duration = Duration::from_millis(2);
/// Clients at once in the crowd echo rows, and round trips each.
const CROWD: usize = 8;
const CROWD_ECHOES: usize = 1_000;

/// Lines the twin dropped for slow clients (whole lines, announced).
static DROPPED: AtomicU64 = AtomicU64::new(0);

// ---------------- the peer: a tungstenite server ----------------

type Subscribers = Arc<Mutex<Vec<SyncSender<Arc<str>>>>>;

/// Thread-per-connection tungstenite server with `/printf` (commands `burst N`,
/// lines broadcast to every printf client) and `/echo`.
fn tungstenite_server(stop: Arc<AtomicBool>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let subs: Subscribers = Arc::new(Mutex::new(Vec::new()));
    let seq = Arc::new(AtomicU64::new(0));
    thread::spawn(move || {
        for stream in listener.incoming() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let (subs, seq) = (subs.clone(), seq.clone());
            thread::spawn(move || serve(stream, subs, seq));
        }
    });
    addr
}

/// The CPU the peer's echo thread last ran on. A blocking thread pair on
/// one CPU hands a round trip over with a context switch; across CPUs each
/// leg is a cross-CPU wakeup (tens of µs on this VM when the CPU is halted).
/// The share of same-CPU round trips explains most of the peer's p50.
static PEER_CPU: AtomicUsize = AtomicUsize::new(usize::MAX);

fn current_cpu() -> usize {
    // SAFETY: sched_getcpu takes no arguments and only returns a number.
    let cpu = unsafe { libc::sched_getcpu() };
    // -1 (never on Linux) counts as no match: the peer's initial value
    // differs from it.
    usize::try_from(cpu).unwrap_or(usize::MAX - 1)
}

#[allow(clippy::result_large_err)] // tungstenite's callback signature
fn serve(stream: TcpStream, subs: Subscribers, seq: Arc<AtomicU64>) {
    stream.set_nodelay(true).unwrap();
    let mut path = String::new();
    let Ok(mut ws) = tungstenite::accept_hdr(stream, |req: &Request, resp: Response| {
        path = req.uri().path().to_string();
        Ok(resp)
    }) else {
        return;
    };
    if path == "/echo" {
        while let Ok(m) = ws.read() {
            PEER_CPU.store(current_cpu(), Ordering::Relaxed);
            if (m.is_binary() || m.is_text()) && ws.send(m).is_err() {
                return;
            }
        }
        return;
    }
    // /printf: take commands, and forward broadcast lines as they come.
    let (tx, rx): (SyncSender<Arc<str>>, Receiver<Arc<str>>) = sync_channel(4096);
    subs.lock().unwrap().push(tx);
    ws.get_ref().set_read_timeout(Some(Duration::from_millis(1))).unwrap();
    loop {
        match ws.read() {
            Ok(Message::Text(cmd)) => {
                if let Some(n) = cmd.strip_prefix("burst ").and_then(|n| n.parse::<u32>().ok()) {
                    let _ = ws.send(Message::text(format!("> burst of {n} lines")));
                    let (subs, seq) = (subs.clone(), seq.clone());
                    thread::spawn(move || {
                        for left in (0..n).rev() {
                            let line: Arc<str> =
                                format!("#{} burst: {} left", seq.fetch_add(1, Ordering::Relaxed), left).into();
                            for s in subs.lock().unwrap().iter() {
                                let _ = s.send(line.clone());
                            }
                        }
                    });
                }
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
        let mut wrote = false;
        while let Ok(line) = rx.try_recv() {
            if ws.write(Message::text(&*line)).is_err() {
                return;
            }
            wrote = true;
        }
        if wrote && ws.flush().is_err() {
            return;
        }
    }
}

// ---------------- the measuring client (same for both) ----------------

use client::connect;

/// Lines per second delivered to `clients` clients by a burst of `n` lines.
fn lines_per_second(addr: SocketAddr, clients: usize, n: u32) -> f64 {
    let barrier = Arc::new(Barrier::new(clients + 1));
    let start = Arc::new(Mutex::new(None::<Instant>));
    let mut handles = Vec::new();
    for i in 0..clients {
        let (barrier, start) = (barrier.clone(), start.clone());
        handles.push(thread::spawn(move || {
            let mut ws = connect(addr, "/printf");
            barrier.wait();
            if i == 0 {
                *start.lock().unwrap() = Some(Instant::now());
                ws.send(Message::text(format!("burst {n}"))).unwrap();
            }
            let mut got = 0u64;
            loop {
                let Ok(Message::Text(t)) = ws.read() else { continue };
                if t.contains(" burst: ") {
                    got += 1;
                    if t.ends_with("burst: 0 left") {
                        break;
                    }
                } else if let Some(n) = t.strip_prefix("! dropped ").and_then(|r| r.split(' ').next()) {
                    DROPPED.fetch_add(n.parse().unwrap_or(0), Ordering::Relaxed);
                }
            }
            (got, Instant::now())
        }));
    }
    barrier.wait();
    let results: Vec<(u64, Instant)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let t0 = start.lock().unwrap().unwrap();
    let end = results.iter().map(|r| r.1).max().unwrap();
    let total: u64 = results.iter().map(|r| r.0).sum();
    total as f64 / (end - t0).as_secs_f64()
}

/// Echo round trips of 32-byte binary messages against both servers,
/// interleaved in batches of 500 so drift in the machine hits both alike (a
/// batch switch is 0.2% of samples, below the p99):
/// ((p50, p99) of `a`, (p50, p99) of `b`) in µs.
///
/// Each server has its own client thread, and the two hand a baton back and
/// forth, so only one pair runs at a time. With one client thread for both,
/// the servers would race for that thread's CPU: whichever the kernel had put
/// beside it last would keep the quick same-CPU handoff, and the other pay a
/// cross-CPU wakeup on every leg. With a thread each, each pair settles on
/// its own.
fn echo_latency(a: SocketAddr, b: SocketAddr) -> ((f64, f64), (f64, f64)) {
    let batches = ECHOES / BATCH + 1;
    let (to_b, from_a) = sync_channel::<()>(1);
    let (to_a, from_b) = sync_channel::<()>(1);
    let run = |addr: SocketAddr, peer: bool, turn: Receiver<()>, pass: SyncSender<()>| {
        thread::spawn(move || {
            let mut ws = connect(addr, "/echo");
            let payload = vec![0x5Au8; 32];
            let mut rtts = Vec::with_capacity(ECHOES);
            let mut same_cpu = 0usize;
            for batch in 0..batches {
                if turn.recv().is_err() {
                    break;
                }
                // Let the other server settle first: the twin spins for
                // up to 200 µs after its last request, and that spin would
                // otherwise land on the first round trips of the peer's batch.
                thread::sleep(SETTLE);
                for _ in 0..BATCH {
                    let t = Instant::now();
                    ws.send(Message::binary(payload.clone())).unwrap();
                    while !ws.read().unwrap().is_binary() {}
                    // The first batch warms up and is not counted.
                    if batch >= 1 {
                        rtts.push(t.elapsed().as_secs_f64() * 1e6);
                        same_cpu += usize::from(peer && PEER_CPU.load(Ordering::Relaxed) == current_cpu());
                    }
                }
                let _ = pass.send(());
            }
            (rtts, same_cpu)
        })
    };
    let ta = run(a, false, from_b, to_b);
    let tb = run(b, true, from_a, to_a.clone());
    to_a.send(()).unwrap();
    let (mut ra, _) = ta.join().unwrap();
    let (mut rb, peer_same_cpu) = tb.join().unwrap();
    let pct = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[v.len() * 99 / 100])
    };
    eprintln!(
        "  the peer answered on its client's own CPU in {:.0}% of its round trips",
        100.0 * peer_same_cpu as f64 / rb.len() as f64
    );
    (pct(&mut ra), pct(&mut rb))
}

/// Echo round trips with `CROWD` clients at once on one server, each doing
/// `CROWD_ECHOES` round trips of 32 bytes as fast as it can: (p50, p99) in
/// µs over all of them: the other end of the scale, where one event loop
/// serves many sessions.
fn echo_crowd(addr: SocketAddr) -> (f64, f64) {
    let barrier = Arc::new(Barrier::new(CROWD));
    let handles: Vec<_> = (0..CROWD)
        .map(|_| {
            let barrier = barrier.clone();
            thread::spawn(move || {
                let mut ws = connect(addr, "/echo");
                let payload = vec![0x5Au8; 32];
                barrier.wait();
                let mut rtts = Vec::with_capacity(CROWD_ECHOES);
                for i in 0..CROWD_ECHOES + 100 {
                    let t = Instant::now();
                    ws.send(Message::binary(payload.clone())).unwrap();
                    while !ws.read().unwrap().is_binary() {}
                    if i >= 100 {
                        rtts.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
                rtts
            })
        })
        .collect();
    let mut all: Vec<f64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    all.sort_by(f64::total_cmp);
    (all[all.len() / 2], all[all.len() * 99 / 100])
}

/// A table row: its name, the figure, whether higher is better.
type Row = (&'static str, fn(&Round) -> f64, bool);

struct Round {
    one: f64,
    eight: f64,
    p50: f64,
    p99: f64,
    crowd_p50: f64,
    crowd_p99: f64,
}

impl std::fmt::Display for Round {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0}/{:.0} lines/s {:.1}/{:.1} µs, {CROWD} at once {:.1}/{:.1} µs",
            self.one, self.eight, self.p50, self.p99, self.crowd_p50, self.crowd_p99
        )
    }
}

/// A fresh twin per measurement: a new client's backlog then holds no lines
/// of an earlier burst.
fn twin() -> Twin {
    Twin::spawn(Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        rate: 0,
        ping_interval: 0,
        max_connections: 16,
        ..Options::default()
    })
    .unwrap()
}

fn lines(addr: Option<SocketAddr>, clients: usize, n: u32) -> f64 {
    match addr {
        Some(a) => lines_per_second(a, clients, n),
        None => lines_per_second(twin().addr, clients, n),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; nothing else to parse. WISP_ECHO_ONLY=1
    // measures the echo rows alone (a quicker loop while working on latency).
    let echo_only = std::env::var_os("WISP_ECHO_ONLY").is_some();
    let mut wisp = Vec::new();
    let mut tung = Vec::new();
    let stop = Arc::new(AtomicBool::new(false));
    let peer = tungstenite_server(stop.clone());
    for round in 0..ROUNDS {
        // Alternate who goes first, so drift in the machine hits both.
        let order: [Option<SocketAddr>; 2] = if round % 2 == 0 { [None, Some(peer)] } else { [Some(peer), None] };
        let mut rates = [[0.0; 2]; 2];
        for who in order.into_iter().filter(|_| !echo_only) {
            let i = usize::from(who.is_some());
            rates[i] = [lines(who, 1, BURST_1), lines(who, 8, BURST_8)];
        }
        let t = twin();
        let (wisp_echo, tung_echo) = echo_latency(t.addr, peer);
        let echo = [wisp_echo, tung_echo];
        let mut crowd = [(0.0, 0.0); 2];
        for who in order {
            thread::sleep(SETTLE);
            crowd[usize::from(who.is_some())] = echo_crowd(who.unwrap_or(t.addr));
        }
        // Index 0 is the twin, 1 the peer, in every array above.
        for (i, rounds) in [&mut wisp, &mut tung].into_iter().enumerate() {
            let [one, eight] = rates[i];
            let ((p50, p99), (crowd_p50, crowd_p99)) = (echo[i], crowd[i]);
            rounds.push(Round { one, eight, p50, p99, crowd_p50, crowd_p99 });
        }
        eprintln!("round {round}: wisp {} | tungstenite {}", wisp[round], tung[round]);
    }
    stop.store(true, Ordering::Relaxed);
    let m = |v: &[Round], f: fn(&Round) -> f64| median(v.iter().map(f).collect());
    let rows: [Row; 6] = [
        ("printf lines/s to 1 client", |r| r.one, true),
        ("printf lines/s to 8 clients (total)", |r| r.eight, true),
        ("echo round trip p50, 32 B (µs)", |r| r.p50, false),
        ("echo round trip p99, 32 B (µs)", |r| r.p99, false),
        ("echo p50, 8 clients at once (µs)", |r| r.crowd_p50, false),
        ("echo p99, 8 clients at once (µs)", |r| r.crowd_p99, false),
    ];
    println!("\n| row | wisp twin | tungstenite server | ratio (wisp ahead if > 1) |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, f, higher_better) in rows {
        let (w, t) = (m(&wisp, f), m(&tung, f));
        let ratio = if higher_better { w / t } else { t / w };
        println!("| {name} | {w:.1} | {t:.1} | {ratio:.2}× |");
    }
    println!(
        "\nmedians of {ROUNDS} alternating rounds; burst {BURST_1} lines (1 client), {BURST_8} lines (8 clients); {ECHOES} echoes"
    );
    println!(
        "lines the twin dropped for clients that fell a ring behind (announced, counted as not delivered): {} of {}",
        DROPPED.load(Ordering::Relaxed),
        ROUNDS as u64 * (u64::from(BURST_1) + 8 * u64::from(BURST_8))
    );
}
