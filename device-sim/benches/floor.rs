//! The floor under the echo rows of `benches/load.rs`: what one loopback
//! round trip costs through each way a server can wait for its request, with
//! CPU placement taken out (the whole process pinned to one CPU, so every
//! server shares its client's CPU).
//!
//! ```sh
//! cargo bench -p device-sim --bench floor
//! ```
//!
//! Plain TCP, no WebSocket: a 38-byte request (a masked 32-byte binary frame)
//! and a 34-byte reply (its unmasked echo), each server on its own thread
//! with its own client thread, the clients taking turns in batches. The
//! servers:
//!
//! - `blocking read`: a thread parked in `read(2)`, as the tungstenite peer
//!   of `benches/load.rs` is (one server thread per connection);
//! - `poll + read`: a non-blocking socket behind `poll(2)`, as the twin's
//!   event loop waits when it sleeps;
//! - `spin + yield`: non-blocking `read(2)` in a loop that yields the CPU
//!   after each empty read, as the twin's event loop waits while it spins;
//! - `io_uring`: a `recv` queued on an io_uring, with the reply's `send` and
//!   the next `recv` submitted in the one `io_uring_enter(2)` that waits:
//!   one system call per round trip.
//!
//! Prints the median of the rounds' p50 and p99 per server, and each
//! server's p50 as a ratio to the blocking read's (> 1: faster).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;
use std::time::{Duration, Instant};

use io_uring::{IoUring, opcode, types};

const REQUEST: usize = 38;
const REPLY: usize = 34;
const ROUNDS: usize = 7;
const BATCH: usize = 5_000;
const WARMUP: usize = 500;

type Server = fn(TcpStream);

fn blocking_read(mut s: TcpStream) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = s.read(&mut buf)
        && n > 0
    {
        if s.write_all(&buf[..REPLY]).is_err() {
            return;
        }
    }
}

fn poll_then_read(mut s: TcpStream) {
    s.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        let mut pfd = [libc::pollfd { fd: s.as_raw_fd(), events: libc::POLLIN, revents: 0 }];
        // SAFETY: one valid, initialised pollfd that outlives the call.
        unsafe { libc::poll(pfd.as_mut_ptr(), 1, 50) };
        match s.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {
                if s.write(&buf[..REPLY]).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

fn spin_and_yield(mut s: TcpStream) {
    s.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {
                if s.write(&buf[..REPLY]).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => thread::yield_now(),
            Err(_) => return,
        }
    }
}

/// The ring: completions run only when this thread waits for them, which
/// is all a single-threaded server needs.
fn ring() -> std::io::Result<IoUring> {
    IoUring::builder().setup_coop_taskrun().setup_single_issuer().setup_defer_taskrun().build(8)
}

fn io_uring(s: TcpStream) {
    let mut ring = ring().unwrap();
    let fd = types::Fd(s.as_raw_fd());
    // Leaked, so no buffer can be freed while the kernel may still write
    // it (the ring's teardown cancels its requests asynchronously).
    let rx: &'static mut [u8] = Box::leak(vec![0u8; 4096].into_boxed_slice());
    let tx: &'static [u8] = Box::leak(vec![0u8; REPLY].into_boxed_slice());
    let recv = opcode::Recv::new(fd, rx.as_mut_ptr(), rx.len() as u32).build().user_data(1);
    let send = opcode::Send::new(fd, tx.as_ptr(), REPLY as u32).build().user_data(2);
    // SAFETY: both buffers live for the rest of the program, and only the
    // kernel touches `rx` once it is leaked.
    unsafe { ring.submission().push(&recv).unwrap() };
    loop {
        if ring.submit_and_wait(1).is_err() {
            return;
        }
        let mut request = false;
        for cqe in ring.completion() {
            if cqe.user_data() == 1 {
                if cqe.result() <= 0 {
                    return;
                }
                request = true;
            }
        }
        if request {
            // SAFETY: as above; the queue has room for both (8 entries, at
            // most 2 queued between waits), and one `recv` is in flight at a
            // time, so `rx` is never the target of two.
            unsafe {
                ring.submission().push(&send).unwrap();
                ring.submission().push(&recv).unwrap();
            }
        }
    }
}

/// Pin this thread (and the threads it spawns afterwards) to CPU 0.
fn pin_to_cpu0() {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET and
    // sched_setaffinity only read and write that local set.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(0, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// A connected client to a fresh server of kind `serve`.
fn start(serve: Server) -> TcpStream {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        s.set_nodelay(true).unwrap();
        serve(s);
    });
    let c = TcpStream::connect(addr).unwrap();
    c.set_nodelay(true).unwrap();
    c
}

/// One client thread: on each turn, a batch of round trips; sends back the
/// batch's (p50, p99) in µs.
fn client(mut c: TcpStream, turn: Receiver<()>, done: SyncSender<(f64, f64)>) {
    let mut reply = [0u8; REPLY];
    while turn.recv().is_ok() {
        thread::sleep(Duration::from_millis(2));
        let mut rtts = Vec::with_capacity(BATCH);
        for i in 0..WARMUP + BATCH {
            let t = Instant::now();
            c.write_all(&[0x5A; REQUEST]).unwrap();
            c.read_exact(&mut reply).unwrap();
            if i >= WARMUP {
                rtts.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        rtts.sort_by(f64::total_cmp);
        done.send((rtts[rtts.len() / 2], rtts[rtts.len() * 99 / 100])).unwrap();
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    pin_to_cpu0();
    let mut servers: Vec<(&str, Server)> =
        vec![("blocking read", blocking_read), ("poll + read", poll_then_read), ("spin + yield", spin_and_yield)];
    // A kernel (or a sandbox) without io_uring leaves that row out rather
    // than hanging its client.
    match ring() {
        Ok(_) => servers.push(("io_uring", io_uring)),
        Err(e) => println!("io_uring left out: {e}"),
    }
    let (done_tx, done) = sync_channel(1);
    let turns: Vec<SyncSender<()>> = servers
        .iter()
        .map(|&(_, serve)| {
            let c = start(serve);
            let (turn_tx, turn) = sync_channel(1);
            let done_tx = done_tx.clone();
            thread::spawn(move || client(c, turn, done_tx));
            turn_tx
        })
        .collect();
    let mut p50s = vec![Vec::new(); servers.len()];
    let mut p99s = vec![Vec::new(); servers.len()];
    for round in 0..ROUNDS {
        // Rotate who goes first, so drift over a round hits each alike.
        for k in 0..servers.len() {
            let k = (k + round) % servers.len();
            turns[k].send(()).unwrap();
            let (p50, p99) = done.recv().unwrap();
            p50s[k].push(p50);
            p99s[k].push(p99);
        }
    }
    let base = median(p50s[0].clone());
    println!("| wait | p50 (µs) | p99 (µs) | p50 against the blocking read (> 1: faster) |");
    println!("| --- | ---: | ---: | ---: |");
    for (k, (name, _)) in servers.iter().enumerate() {
        let p50 = median(p50s[k].clone());
        println!("| {name} | {p50:.1} | {:.1} | {:.2}× |", median(p99s[k].clone()), base / p50);
    }
    println!(
        "\nall on CPU 0; medians of {ROUNDS} rounds of {BATCH} round trips each ({REQUEST} B request, {REPLY} B reply)"
    );
}
