//! # device-sim — the Wisp device twin
//!
//! The simulated device (`wisp-sim`, an application on `wisp-console`) on
//! the host's sockets: one port for the dashboard (HTTP/1.1) and the
//! WebSocket services `/printf`, `/echo` and `/tap`, plus the client role
//! (`--connect`). Everything the device does is the library's and the
//! application's; this crate is only sockets, the command line and the log —
//! the same split a board has.

pub mod assets;
pub mod dial;
pub mod socket;

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use wisp::CloseCode;
use wisp_console::poll::{Server, Slot};
use wisp_console::{Access, Config, Console, Device, Lines, LogEvent, Overflow, Peer, Services, Site, Timing};
use wisp_sim::Sim;

use socket::HostSocket;

/// The twin's console: 64 KiB of lines, a reader per session.
pub type TwinConsole = Console<65536, { MAX_CONNECTIONS + SPARE_SLOTS + 2 }>;
/// A session's buffers on a host: 4 KiB in, 8 KiB out.
const RX: usize = 4096;
const TX: usize = 8192;
/// The most connections `--max-connections` allows.
pub const MAX_CONNECTIONS: usize = 256;
/// The device's table of open sessions.
const TABLE: usize = MAX_CONNECTIONS + SPARE_SLOTS + 2;

/// Spare slots beyond `--max-connections`, used to tell a connection over the
/// limit why it is turned away (503 or a 1013 close) instead of dropping it.
const SPARE_SLOTS: usize = 2;

/// How long the event loop polls without sleeping after its last work.
const SPIN: Duration = Duration::from_micros(200);

/// The longest the event loop sleeps when no socket needs it and no console
/// line is due sooner. Session timers (keepalive, timeouts) are seconds
/// long, so waking this often keeps them on time, and a stop request is seen
/// within it.
const IDLE_WAIT_MS: i32 = 50;

/// The twin's command line.
#[derive(Parser, Clone, Debug)]
#[command(
    name = "device-sim",
    version,
    about = "The Wisp device twin: a simulated device serving its dashboard and a WebSocket printf() console on one port",
    after_help = "WebSocket services: /printf (console stream + commands, subprotocol 'debug' accepted), \
                  /echo (echoes every message), /tap (every frame of every other session).\n\
                  Logging: RUST_LOG=debug for more, RUST_LOG=warn for less."
)]
pub struct Options {
    /// Address to listen on (loopback by default; the device has no authentication).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub bind: SocketAddr,

    /// Run the WebSocket service without the web server: plain HTTP requests get 426.
    #[arg(long)]
    pub ws_only: bool,

    /// Also answer requests addressed to this host name or address (repeatable;
    /// `name` for any port, `name:port` for one). Loopback names and the bound
    /// address are always answered; anything else gets 421 (DNS rebinding).
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_host: Vec<String>,

    /// Also accept WebSocket upgrades from pages of this origin (repeatable),
    /// e.g. http://127.0.0.1:8088 for `trunk serve`. Same-origin pages are
    /// always accepted.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,

    /// Require this access token on every WebSocket upgrade (`?token=` or
    /// `Authorization: Bearer`); the dashboard's share link carries it.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Do not offer /tap (it shows every other session's traffic).
    #[arg(long)]
    pub no_tap: bool,

    /// Connections of any kind open at once; one more gets 503 (HTTP) or a 1013 close (WebSocket).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_connections: u16,

    /// Connections one peer address may hold at once; one more is turned away the same way.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_per_peer: u16,

    /// Ping every WebSocket client this often, in milliseconds (0: never).
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub ping_interval: u64,

    /// Close (1001) a client whose pong has not come within this many milliseconds.
    #[arg(long, default_value_t = 5_000, value_name = "MS")]
    pub pong_timeout: u64,

    /// A request head must be whole this many milliseconds after its first byte
    /// (slowloris guard), and a connection that sends nothing is closed after it.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub http_timeout: u64,

    /// A session whose output makes no progress for this many milliseconds (a
    /// peer that does not read) is closed.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub send_timeout: u64,

    /// When a reader falls behind: drop its oldest lines with a notice (`drop`),
    /// or make the burst wait for the slowest reader that still reads (`wait`).
    #[arg(long, default_value = "drop", value_parser = ["drop", "wait"])]
    pub overflow: String,

    /// Periodic console lines per second (0..100000).
    #[arg(long, default_value_t = 4, value_name = "LINES")]
    pub rate: u32,

    /// Dial out as a WebSocket client and stream the console to ws://HOST:PORT/PATH,
    /// reconnecting with backoff.
    #[arg(long, value_name = "URL")]
    pub connect: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options::parse_from(["device-sim"])
    }
}

/// The names the twin answers to: loopback, the address it is bound to,
/// and `--allow-host`.
fn hosts(opts: &Options, addr: SocketAddr) -> Vec<String> {
    let mut hosts: Vec<String> = wisp_console::http::LOOPBACK.iter().map(|h| h.to_string()).collect();
    if !addr.ip().is_unspecified() && !addr.ip().is_loopback() {
        hosts.push(match addr.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        });
    }
    hosts.extend(opts.allow_host.iter().cloned());
    hosts
}

/// The platform's entropy for the client role's key and masks.
fn entropy(buf: &mut [u8]) {
    if getrandom::fill(buf).is_err() {
        // getrandom(2) does not fail on Linux once booted; should it, the
        // connection gets keys from the clock rather than none.
        let t = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (t >> ((i % 16) * 8)) as u8;
        }
    }
}

/// Leak a value for the life of the process: the twin's statics (console,
/// table, configuration) are made once, from the command line.
fn forever<T>(v: T) -> &'static mut T {
    Box::leak(Box::new(v))
}

/// Run the twin until `stop` is set, then close every session with 1001.
/// `on_ready` gets the bound address once the socket is listening.
pub fn run(opts: &Options, stop: &AtomicBool, on_ready: impl FnOnce(SocketAddr)) -> io::Result<()> {
    let listener = TcpListener::bind(opts.bind)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let mut dialer = opts.connect.as_deref().map(dial::Dialer::new).transpose()?;
    let hosts: &'static [&'static str] = forever(hosts(opts, addr)).iter().map(|h| &**h).collect::<Vec<_>>().leak();
    let origins: &'static [&'static str] =
        forever(opts.allow_origin.clone()).iter().map(|h| &**h).collect::<Vec<_>>().leak();
    let token: Option<&'static str> = opts.token.clone().map(|t| forever(t).as_str());
    let overflow = match opts.overflow.as_str() {
        "wait" => Overflow::Wait { timeout: opts.send_timeout * 1000 },
        _ => Overflow::DropOldest,
    };
    let console: &'static TwinConsole = forever(TwinConsole::new().with_overflow(overflow));
    let http = opts.http_timeout * 1000;
    let cfg = Config {
        max_sessions: usize::from(opts.max_connections),
        max_per_peer: usize::from(opts.max_per_peer),
        timing: Timing {
            ping_interval: opts.ping_interval * 1000,
            pong_timeout: opts.pong_timeout * 1000,
            head_timeout: http,
            idle_timeout: http,
            send_timeout: opts.send_timeout * 1000,
            close_grace: 2_000_000,
        },
        site: Site {
            files: assets::dashboard(),
            ws_only: opts.ws_only,
            keep_alive: true,
            access: Access { hosts, origins, token },
            services: Services { tap: !opts.no_tap, ..Services::default() },
        },
        backlog: 32,
        entropy: Some(entropy),
    };
    let platform: &'static str = forever(format!("host twin at {addr}")).as_str();
    let seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.subsec_nanos() | 1);
    let device: Device<'static, Sim, TABLE> =
        Device::new(cfg, console as &dyn Lines, Sim::new(opts.rate, seed, platform));
    let slots: &'static mut [Slot<HostSocket, RX, TX>] =
        (0..usize::from(opts.max_connections) + SPARE_SLOTS).map(|_| None).collect::<Vec<_>>().leak();
    let mut server: Server<'static, HostSocket, Sim, TABLE, RX, TX> = Server::new(device, slots);
    on_ready(addr);

    let start = Instant::now();
    let now = || start.elapsed().as_micros() as u64;
    let mut fds: HashMap<u16, RawFd> = HashMap::new();
    let mut stopping: Option<u64> = None;
    // Accept when the listener is readable, and at least every millisecond
    // while busy (a loop that never sleeps never sees the listener's poll).
    let mut acceptable = true;
    let mut last_accept = 0u64;
    let mut watch: Vec<libc::pollfd> = Vec::new();
    let mut last_traffic = Instant::now();
    loop {
        let t = now();
        if stop.load(Ordering::Relaxed) && stopping.is_none() {
            log::info!("shutting down: closing {} session(s) with 1001", server.sessions());
            server.close_all(CloseCode::GOING_AWAY, "device shutting down", t);
            stopping = Some(t);
        }
        if let Some(since) = stopping
            && (server.sessions() == 0 || t - since > 2_000_000)
        {
            break;
        }
        if stopping.is_none() {
            if std::mem::take(&mut acceptable) || t - last_accept > 1000 {
                last_accept = t;
                accept_all(&listener, &mut server, &mut fds, t);
            }
            if let Some(d) = dialer.as_mut() {
                d.step(&mut server, &mut fds, t);
            }
        }
        if let Ok(unix) = SystemTime::now().duration_since(UNIX_EPOCH) {
            server.device.set_wall_clock(unix.as_secs());
        }
        let busy = server.poll(t);
        while let Some(event) = server.device.poll_log() {
            log_event(&event, &mut fds);
        }
        // Sleep only when nothing is left to do at once: no output waiting
        // and no burst to produce. (After a reply, this skips a whole pass
        // over every session on the way to waiting for the next request.)
        watch.clear();
        watch.push(libc::pollfd { fd: listener.as_raw_fd(), events: libc::POLLIN, revents: 0 });
        if let Some(fd) = dialer.as_ref().and_then(dial::Dialer::fd) {
            watch.push(libc::pollfd { fd, events: libc::POLLIN, revents: 0 });
        }
        let mut output = false;
        for (id, wants_input, has_output) in server.interests() {
            let Some(&fd) = fds.get(&id) else { continue };
            output |= has_output;
            let events = if wants_input { libc::POLLIN } else { 0 } | if has_output { libc::POLLOUT } else { 0 };
            watch.push(libc::pollfd { fd, events, revents: 0 });
        }
        if busy && (output || server.device.app.burst_left() > 0) {
            continue;
        }
        // Spin briefly before sleeping: see device-sim/BENCHMARKS.md, "How
        // long to spin". A reply to what was just sent often comes back
        // within tens of µs, and waking a sleeping thread costs about that
        // much again; the spin polls the device itself, whose sockets read
        // ahead without blocking. Only within SPIN of the last traffic, and
        // each empty pass yields the CPU to a client that may share it.
        if busy {
            last_traffic = Instant::now();
        }
        let spin_until = last_traffic + SPIN;
        let mut woke = false;
        while !woke && Instant::now() < spin_until {
            woke = server.poll(now());
            if !woke {
                thread::yield_now();
            }
        }
        if woke {
            continue;
        }
        let due = server.deadline().min(server.device.next_tick().unwrap_or(u64::MAX));
        let sleep_ms = due.saturating_sub(now()).div_ceil(1000).clamp(1, IDLE_WAIT_MS as u64) as i32;
        socket::wait_for(&mut watch, sleep_ms)?;
        acceptable = watch.first().is_some_and(|p| p.revents != 0);
    }
    Ok(())
}

/// The twin's device and session table.
pub type TwinServer = Server<'static, HostSocket, Sim, TABLE, RX, TX>;

fn accept_all(listener: &TcpListener, server: &mut TwinServer, fds: &mut HashMap<u16, RawFd>, now: u64) {
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                let sock = match HostSocket::new(stream) {
                    Ok(s) => s,
                    Err(e) => {
                        log::warn!("accept {peer}: {e}");
                        continue;
                    }
                };
                let fd = sock.fd();
                let who = match peer.ip() {
                    IpAddr::V4(ip) => Peer::from(ip.octets()),
                    IpAddr::V6(ip) => Peer::from(ip.octets()),
                };
                match server.attach(sock, Some(who), now) {
                    Ok(id) => {
                        log::debug!("session {id}: connection from {peer}");
                        fds.insert(id, fd);
                    }
                    Err(_) => log::warn!("no free slot for {peer}: connection dropped"),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(e) => {
                log::warn!("accept: {e}");
                return;
            }
        }
    }
}

fn log_event(event: &LogEvent, fds: &mut HashMap<u16, RawFd>) {
    match event {
        LogEvent::Opened { id, service } => log::info!("session {id} opened: {}", service.path()),
        LogEvent::Closed { id, service, ending } => {
            fds.remove(id);
            let what = service.map_or("http", |s| s.path());
            match ending.code {
                Some(code) => log::info!("session {id} closed ({what}): {} [{} {}]", ending.why, code.0, code.name()),
                None => log::debug!("session {id} closed ({what}): {}", ending.why),
            }
        }
    }
}

/// A twin running on its own thread, for tests and benchmarks.
pub struct Twin {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<io::Result<()>>>,
}

impl Twin {
    /// Start a twin with `opts` (use `bind: 127.0.0.1:0` for an ephemeral port).
    pub fn spawn(opts: Options) -> io::Result<Twin> {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = std::sync::mpsc::channel();
        let flag = stop.clone();
        let thread = thread::Builder::new().name("twin".into()).spawn(move || {
            run(&opts, &flag, |addr| {
                let _ = tx.send(addr);
            })
        })?;
        let addr = rx.recv().map_err(|_| io::Error::other("twin failed to start"))?;
        Ok(Twin { addr, stop, thread: Some(thread) })
    }

    /// Ask the twin to shut down (1001 to every session) and wait for it.
    pub fn shutdown(mut self) -> io::Result<()> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> io::Result<()> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| io::Error::other("twin thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for Twin {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}
