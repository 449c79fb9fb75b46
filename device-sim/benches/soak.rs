//! A soak: a device held by a crowd for a minute — clients that behave,
//! clients that read slowly, clients that attack — and what each got.
//!
//! ```sh
//! cargo bench -p device-sim --bench soak                       # the twin: 100 clients, 60 s
//! cargo bench -p device-sim --bench soak -- board 127.0.0.1:8081  # the board, scaled to its 4 sessions
//! ```
//!
//! The twin runs as its own process (its memory is measured from
//! `/proc/<pid>/status`). Well-behaved clients come from 127.0.0.1, hostile
//! ones from 127.0.0.66, so the per-address limit has something to hold.
//! Printed: lines delivered to the well-behaved `/printf` clients with gaps
//! and reorders counted (none expected; a gap announced by a drop notice is
//! counted as a notice), echo round trips under that load, the drop notices
//! the slow readers got, how each hostile client was closed, and the twin's
//! resident memory at the start and the end.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};
use tungstenite::Message;

/// How many clients of each kind, and for how long.
#[derive(Clone, Copy)]
struct Plan {
    printf: usize,
    echo: usize,
    slow: usize,
    hostile: usize,
    secs: u64,
    /// The device's send timeout: a flooding client stops reading longer.
    send_timeout_ms: u64,
    /// Lines of the burst asked for every 10 s.
    burst: u32,
}

/// 100 clients (and the one that asks for bursts) against the twin.
const TWIN: Plan = Plan { printf: 60, echo: 20, slow: 10, hostile: 10, secs: 60, send_timeout_ms: 5000, burst: 10_000 };
/// The board's 4 sessions: one of each kind and the burst client; the
/// hostile ones come on top, for its 2 spare sockets. Its bursts are what
/// its 8 KiB ring holds between two fast readers on an emulated CPU.
const BOARD: Plan = Plan { printf: 1, echo: 1, slow: 1, hostile: 4, secs: 60, send_timeout_ms: 10_000, burst: 2_000 };

#[derive(Default)]
struct Tally {
    lines: u64,
    gaps: u64,
    reorders: u64,
    notices: u64,
    slow_notices: u64,
    slow_lines: u64,
    slow_closed: u64,
    closed_early: u64,
    rtts: Vec<f64>,
    hostile: Vec<String>,
}

/// A TCP connection from `source`'s address; with `rcvbuf`, a receive
/// buffer that small (set before connecting, so the window stays small).
fn dial_from(source: [u8; 4], to: SocketAddr, rcvbuf: Option<usize>) -> std::io::Result<TcpStream> {
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    if let Some(n) = rcvbuf {
        s.set_recv_buffer_size(n)?;
    }
    s.bind(&SocketAddr::from((source, 0)).into())?;
    s.connect_timeout(&to.into(), Duration::from_secs(5))?;
    let s: TcpStream = s.into();
    s.set_nodelay(true)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(s)
}

type Ws = tungstenite::WebSocket<TcpStream>;

fn ws(to: SocketAddr, path: &str, rcvbuf: Option<usize>) -> Ws {
    let sock = dial_from([127, 0, 0, 1], to, rcvbuf).unwrap();
    let (ws, _) = tungstenite::client(format!("ws://{to}{path}"), sock).unwrap();
    ws
}

/// Read console lines until `stop`; count what arrives and any gap.
fn printf_client(to: SocketAddr, stop: Arc<AtomicBool>, tally: Arc<Mutex<Tally>>, delay: Option<Duration>) {
    // A slow reader's kernel buffers are kept small, so that it falls
    // behind the device's ring within the minute rather than in megabytes
    // of loopback buffering.
    let mut ws = ws(to, "/printf", delay.map(|_| 16 * 1024));
    let (mut last, mut t) = (None::<u64>, Tally::default());
    let mut awake = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let msg = match ws.read() {
            Ok(Message::Text(m)) => m,
            Ok(Message::Close(_)) | Err(_) => {
                t.closed_early += 1;
                break;
            }
            Ok(_) => continue,
        };
        // A slow reader reads for 200 ms, then not at all for `d` (less
        // than the device's send timeout, so it is behind, not stalled).
        if let Some(d) = delay
            && awake.elapsed() > Duration::from_millis(200)
        {
            thread::sleep(d);
            awake = Instant::now();
        }
        if msg.starts_with("! dropped") {
            t.notices += 1;
            last = None;
            continue;
        }
        let Some(seq) = msg.strip_prefix('#').and_then(|m| m.split(' ').next()).and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        t.lines += 1;
        match last {
            Some(p) if seq == p + 1 => {}
            Some(p) if seq <= p => t.reorders += 1,
            Some(_) => t.gaps += 1,
            None => {}
        }
        last = Some(seq);
    }
    let mut all = tally.lock().unwrap();
    if delay.is_some() {
        all.slow_lines += t.lines;
        all.slow_notices += t.notices;
        all.slow_closed += t.closed_early;
    } else {
        all.lines += t.lines;
        all.notices += t.notices;
        all.closed_early += t.closed_early;
    }
    all.gaps += t.gaps;
    all.reorders += t.reorders;
}

/// 32-byte round trips on `/echo`, one every 20 ms.
fn echo_client(to: SocketAddr, stop: Arc<AtomicBool>, tally: Arc<Mutex<Tally>>) {
    let mut ws = ws(to, "/echo", None);
    let payload = vec![b'e'; 32];
    let mut rtts = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let t0 = Instant::now();
        if ws.send(Message::binary(payload.clone())).is_err() {
            tally.lock().unwrap().closed_early += 1;
            return;
        }
        loop {
            match ws.read() {
                Ok(Message::Binary(b)) if b.len() == 32 => break,
                Ok(_) => {}
                Err(_) => {
                    tally.lock().unwrap().closed_early += 1;
                    return;
                }
            }
        }
        rtts.push(t0.elapsed().as_secs_f64() * 1e6);
        thread::sleep(Duration::from_millis(20));
    }
    tally.lock().unwrap().rtts.extend(rtts);
}

/// What a hostile client does, and how the device answered it.
fn hostile(kind: usize, to: SocketAddr, secs: u64, send_timeout_ms: u64) -> String {
    let Ok(mut s) = dial_from([127, 0, 0, 66], to, None) else { return "refused at connect".into() };
    s.set_read_timeout(Some(Duration::from_secs(secs + 10))).unwrap();
    let upgrade = format!(
        "GET /echo HTTP/1.1\r\nHost: {to}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    let what = match kind % 4 {
        0 => {
            // A head that trickles in, a byte a second.
            for b in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                .iter()
            {
                if s.write_all(&[*b]).is_err() {
                    break;
                }
                thread::sleep(Duration::from_secs(1));
                if peek_closed(&mut s) {
                    break;
                }
            }
            "slow head"
        }
        1 => {
            let _ = s.write_all(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage garbage\r\n\r\n");
            "garbage"
        }
        2 => {
            // An upgrade, then an unmasked frame (a client MUST mask).
            let _ = s.write_all(upgrade.as_bytes());
            let _ = s.write_all(&[0x81, 0x02, b'h', b'i']);
            "unmasked frame"
        }
        _ => {
            // An upgrade, then a flood of echoes it never reads.
            let _ = s.write_all(upgrade.as_bytes());
            let frame: Vec<u8> = {
                let mut f = vec![0x82, 0xFE, 0x10, 0x00, 1, 2, 3, 4];
                f.extend(std::iter::repeat_n(0u8, 4096));
                f
            };
            s.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(secs) && s.write_all(&frame).is_ok() {}
            // It never reads: no close can reach it. The device must drop
            // it within its send timeout and close grace (2 s).
            let stalled = Instant::now();
            let dropped = loop {
                if peer_hung_up(&s) {
                    break true;
                }
                if stalled.elapsed() > Duration::from_millis(send_timeout_ms * 3) {
                    break false;
                }
                thread::sleep(Duration::from_millis(50));
            };
            return if dropped {
                format!(
                    "flood without reading: dropped {:.1} s after its writes stalled (no close can reach a peer that does not read)",
                    stalled.elapsed().as_secs_f64()
                )
            } else {
                "flood without reading: still open".into()
            };
        }
    };
    format!("{what}: {}", answer(&mut s))
}

/// The peer closed its side, even with unread data waiting (`POLLRDHUP`).
fn peer_hung_up(s: &TcpStream) -> bool {
    use std::os::fd::AsRawFd;
    let mut p = libc::pollfd { fd: s.as_raw_fd(), events: libc::POLLRDHUP, revents: 0 };
    // SAFETY: one valid, initialised pollfd that outlives the call.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n > 0 && p.revents & (libc::POLLRDHUP | libc::POLLHUP | libc::POLLERR) != 0
}

fn peek_closed(s: &mut TcpStream) -> bool {
    s.set_nonblocking(true).unwrap();
    let mut b = [0u8; 1];
    let closed = s.peek(&mut b).is_ok();
    s.set_nonblocking(false).unwrap();
    closed
}

/// The status line or close code the device answered with.
fn answer(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 65536];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    if let Some(status) = text.strip_prefix("HTTP/1.1 ").filter(|t| !t.starts_with("101")) {
        return status.lines().next().unwrap_or("").to_string();
    }
    // After the 101: the last close frame (0x88) in what came.
    let body = text.find("\r\n\r\n").map_or(&got[..], |i| &got[i + 4..]);
    match close_code(body) {
        Some(c) => format!("closed {c}"),
        None => "no answer".into(),
    }
}

fn close_code(mut frames: &[u8]) -> Option<u16> {
    let mut code = None;
    while frames.len() >= 2 {
        let (b0, len7) = (frames[0], usize::from(frames[1] & 0x7F));
        let (len, head) = match len7 {
            126 => (usize::from(u16::from_be_bytes([*frames.get(2)?, *frames.get(3)?])), 4),
            127 => (u64::from_be_bytes(frames.get(2..10)?.try_into().ok()?) as usize, 10),
            n => (n, 2),
        };
        if b0 & 0x0F == 0x8 && len >= 2 {
            code = Some(u16::from_be_bytes([*frames.get(head)?, *frames.get(head + 1)?]));
        }
        frames = frames.get(head + len..).unwrap_or_default();
    }
    code
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmRSS:").map(|v| v.trim().trim_end_matches(" kB").parse().ok()))
        })
        .flatten()
        .unwrap_or(0)
}

fn start_twin(p: Plan) -> (Child, SocketAddr) {
    let port = { std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port() };
    let total = p.printf + p.echo + p.slow + p.hostile + 4;
    let child = Command::new(env!("CARGO_BIN_EXE_device-sim"))
        .args(["--bind", &format!("127.0.0.1:{port}"), "--rate", "200", "--ping-interval", "5000"])
        .args(["--max-connections", &total.to_string(), "--max-per-peer", &(total - p.hostile).to_string()])
        .args(["--http-timeout", "5000", "--send-timeout", "5000"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    for _ in 0..100 {
        if TcpStream::connect(addr).is_ok() {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    (child, addr)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let board =
        args.iter().position(|a| a == "board").map(|i| args.get(i + 1).map_or("127.0.0.1:8081", |s| s.as_str()));
    let (plan, to, mut child) = match board {
        Some(addr) => (BOARD, addr.parse::<SocketAddr>().unwrap(), None),
        None => {
            let (c, a) = start_twin(TWIN);
            (TWIN, a, Some(c))
        }
    };
    if board.is_some() && TcpStream::connect_timeout(&to, Duration::from_secs(1)).is_err() {
        println!("no board at {to}: start it with board/run.sh, then run this again");
        return;
    }
    let pid = child.as_ref().map(|c| c.id());
    let rss_start = pid.map(rss_kb);
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let mut threads = Vec::new();
    for i in 0..plan.printf + plan.slow {
        let (stop, tally) = (stop.clone(), tally.clone());
        let delay = (i >= plan.printf).then_some(Duration::from_secs(3));
        threads.push(thread::spawn(move || printf_client(to, stop, tally, delay)));
        thread::sleep(Duration::from_millis(10));
    }
    for _ in 0..plan.echo {
        let (stop, tally) = (stop.clone(), tally.clone());
        threads.push(thread::spawn(move || echo_client(to, stop, tally)));
    }
    // The burst client has its session before the hostile ones come, and
    // so do the others (each connects on its own thread).
    thread::sleep(Duration::from_millis(300));
    let mut burst = ws(to, "/printf", None);
    let hostile: Vec<_> =
        (0..plan.hostile).map(|k| thread::spawn(move || hostile(k, to, plan.secs / 2, plan.send_timeout_ms))).collect();
    // The slow clients read for 0.2 s of every 3.2 s while 200 lines/s and
    // the bursts come: each time they drain what the loopback buffers hold
    // and find the ring has moved on.
    let started = Instant::now();
    // Resident memory every 10 s, once every client is connected.
    let mut rss = Vec::new();
    // The burst client keeps reading between its bursts: a client that
    // stopped for 10 s would be closed for its send timeout.
    burst.get_ref().set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let mut next = started + Duration::from_secs(10);
    while started.elapsed() < Duration::from_secs(plan.secs) {
        match burst.read() {
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) => panic!("the burst client lost its session: {e}"),
        }
        if Instant::now() >= next {
            next += Duration::from_secs(10);
            rss.extend(pid.map(rss_kb));
            // Bursts on top of the periodic lines, so the ring is tested.
            burst.send(Message::text(format!("burst {}", plan.burst))).unwrap();
        }
    }
    let rss_end = pid.map(rss_kb);
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    for h in hostile {
        if let Ok(line) = h.join() {
            tally.lock().unwrap().hostile.push(line);
        }
    }
    if let Some(c) = child.as_mut() {
        let _ = c.kill();
    }
    let mut t = tally.lock().unwrap();
    t.rtts.sort_by(f64::total_cmp);
    let pct = |q: f64| t.rtts.get(((t.rtts.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(f64::NAN);
    let who = if board.is_some() { "board" } else { "twin" };
    println!(
        "soak against the {who} at {to}: {} printf, {} echo, {} slow readers, {} hostile, {} s",
        plan.printf, plan.echo, plan.slow, plan.hostile, plan.secs
    );
    println!("| figure | value |");
    println!("| --- | ---: |");
    println!("| console lines delivered to the well-behaved clients | {} |", t.lines);
    println!("| their drop notices | {} |", t.notices);
    println!("| gaps without a notice / reorders, all clients | {} / {} |", t.gaps, t.reorders);
    println!("| lines and drop notices the slow readers got | {} / {} |", t.slow_lines, t.slow_notices);
    println!("| well-behaved clients closed early | {} |", t.closed_early);
    println!("| slow readers closed by the device (a send stalled past its timeout) | {} |", t.slow_closed);
    println!("| echo round trips | {} |", t.rtts.len());
    println!("| echo p50 / p99 | {:.0} µs / {:.0} µs |", pct(0.5), pct(0.99));
    if let (Some(a), Some(b)) = (rss_start, rss_end) {
        let every: Vec<String> = rss.iter().map(|kb| kb.to_string()).collect();
        println!("| twin RSS at start / every 10 s / end | {a} kB / {} / {b} kB |", every.join(", "));
    }
    for h in &t.hostile {
        println!("| hostile | {h} |");
    }
}
