//! # device-sim — the Wisp device twin
//!
//! The simulated firmware (`wisp-firmware`) on the host's sockets: one port
//! for the dashboard (HTTP/1.1) and the WebSocket services `/printf`, `/echo`
//! and `/tap`, plus the client role (`--connect`). Everything the device does
//! is the firmware's; this crate is only sockets, embedded files, the command
//! line and the log — the same split a board has.

pub mod assets;
pub mod socket;

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use wisp::CloseCode;
use wisp_firmware::dialer::Backoff;
use wisp_firmware::session::Timing;
use wisp_firmware::{Config, Device, LogEvent, Session};

use socket::HostSocket;

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

    /// Also accept WebSocket upgrades from pages of this origin (repeatable).
    /// Same-origin pages and the dev server (http://127.0.0.1:8088) are always accepted.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,

    /// Connections of any kind open at once; one more gets 503 (HTTP) or a 1013 close (WebSocket).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub max_connections: u16,

    /// Ping every WebSocket client this often, in milliseconds (0: never).
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub ping_interval: u64,

    /// Close (1001) a client whose pong has not come within this many milliseconds.
    #[arg(long, default_value_t = 5_000, value_name = "MS")]
    pub pong_timeout: u64,

    /// A request head must arrive within this many milliseconds (slowloris guard),
    /// and an idle keep-alive connection is closed after it.
    #[arg(long, default_value_t = 10_000, value_name = "MS")]
    pub http_timeout: u64,

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

/// Where `--connect` dials.
#[derive(Debug, Clone)]
struct Target {
    host: String,
    path: String,
}

fn parse_target(url: &str) -> io::Result<Target> {
    let bad = || io::Error::new(io::ErrorKind::InvalidInput, format!("--connect wants ws://HOST:PORT/PATH, got {url}"));
    let rest = url.strip_prefix("ws://").ok_or_else(bad)?;
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    if host.is_empty() {
        return Err(bad());
    }
    Ok(Target { host: host.to_string(), path })
}

/// Run the twin until `stop` is set, then close every session with 1001.
/// `on_ready` gets the bound address once the socket is listening.
pub fn run(opts: &Options, stop: &AtomicBool, on_ready: impl FnOnce(SocketAddr)) -> io::Result<()> {
    let listener = TcpListener::bind(opts.bind)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let target = opts.connect.as_deref().map(parse_target).transpose()?;
    let assets = assets::dashboard();
    let origins: Vec<&str> = opts.allow_origin.iter().map(String::as_str).collect();
    let platform = format!("host twin at {addr}");
    let cfg = Config {
        max_connections: usize::from(opts.max_connections),
        timing: Timing {
            ping_interval: opts.ping_interval * 1000,
            pong_timeout: opts.pong_timeout * 1000,
            http_timeout: opts.http_timeout * 1000,
        },
        rate: opts.rate,
        ws_only: opts.ws_only,
        allowed_origins: &origins,
        keep_alive: true,
        platform: &platform,
    };
    let mut slots: Vec<Option<Session<HostSocket>>> =
        (0..usize::from(opts.max_connections) + SPARE_SLOTS).map(|_| None).collect();
    let seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.subsec_nanos() | 1);
    let mut ring = Box::new(wisp_firmware::console::empty_ring());
    let mut device = Device::new(cfg, &assets, &mut slots, &mut ring, seed);
    on_ready(addr);

    let start = Instant::now();
    let now = || start.elapsed().as_micros() as u64;
    let mut fds: HashMap<u16, RawFd> = HashMap::new();
    let mut backoff = Backoff::default();
    let mut dialed: Option<(u16, u64)> = None;
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
            log::info!("shutting down: closing {} session(s) with 1001", device.sessions());
            device.close_all(CloseCode::GOING_AWAY, "device shutting down", t);
            stopping = Some(t);
        }
        if let Some(since) = stopping
            && (device.sessions() == 0 || t - since > 2_000_000)
        {
            break;
        }
        if stopping.is_none() {
            if std::mem::take(&mut acceptable) || t - last_accept > 1000 {
                last_accept = t;
                accept_all(&listener, &mut device, &mut fds, t);
            }
            if let Some(target) = &target {
                dial(target, &mut device, &mut fds, &mut backoff, &mut dialed, t);
            }
        }
        if let Ok(unix) = SystemTime::now().duration_since(UNIX_EPOCH) {
            device.set_wall_clock(unix.as_secs());
        }
        let busy = device.poll(t);
        while let Some(event) = device.poll_log() {
            log_event(&event, &mut fds);
        }
        // Sleep only when nothing is left to do at once: no output waiting
        // and no burst to produce. (After a reply, this skips a whole pass
        // over every session on the way to waiting for the next request.)
        watch.clear();
        watch.push(libc::pollfd { fd: listener.as_raw_fd(), events: libc::POLLIN, revents: 0 });
        let mut output = false;
        for (id, wants_input, has_output) in device.interests() {
            let Some(&fd) = fds.get(&id) else { continue };
            output |= has_output;
            let events = if wants_input { libc::POLLIN } else { 0 } | if has_output { libc::POLLOUT } else { 0 };
            watch.push(libc::pollfd { fd, events, revents: 0 });
        }
        if busy && (output || device.console().burst_left() > 0) {
            continue;
        }
        // Spin briefly before sleeping: a reply to what was just sent often
        // comes back within tens of µs, and waking a sleeping thread costs
        // about that much again. The spin polls the device itself, whose
        // sockets read ahead without blocking, so when the request arrives
        // it is read by the very call that notices it: one `read(2)` on the
        // path, as a thread blocked in `read` has — not a `poll` and then a
        // `read`. Then sleep until a socket can do what its session wants,
        // or until the console's next line is due (at most IDLE_WAIT_MS).
        // Only within SPIN of the last traffic: an idle twin (a timeout,
        // nothing moved) goes straight back to sleep instead of spinning a
        // fifth of a core away. Each empty pass yields the CPU: a client on
        // this same CPU would otherwise wait out the whole spin before it
        // could send its next request (p99 221 µs, measured).
        //
        // The window is counted from the work of the pass that followed a
        // wakeup, not from the spin's own finds: under steady traffic the
        // loop goes back to poll(2) every SPIN. Restarting the window on
        // every find (spinning for as long as traffic lasts) kept the loop
        // wherever it was: beside its client (echo p50 15.5 µs) in 7 of 15
        // rounds, against 12 of 15 this way; otherwise 20–22 µs (see
        // device-sim/BENCHMARKS.md, "How long to spin").
        if busy {
            last_traffic = Instant::now();
        }
        let spin_until = last_traffic + SPIN;
        let mut woke = false;
        while !woke && Instant::now() < spin_until {
            woke = device.poll(now());
            if !woke {
                thread::yield_now();
            }
        }
        if woke {
            continue;
        }
        let sleep_ms = device
            .console()
            .next_due()
            .map_or(IDLE_WAIT_MS, |due| due.saturating_sub(now()).div_ceil(1000).clamp(1, IDLE_WAIT_MS as u64) as i32);
        socket::wait_for(&mut watch, sleep_ms)?;
        acceptable = watch.first().is_some_and(|p| p.revents != 0);
    }
    Ok(())
}

fn accept_all(listener: &TcpListener, device: &mut Device<'_, HostSocket>, fds: &mut HashMap<u16, RawFd>, now: u64) {
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
                match device.attach(sock, now) {
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

fn dial(
    target: &Target,
    device: &mut Device<'_, HostSocket>,
    fds: &mut HashMap<u16, RawFd>,
    backoff: &mut Backoff,
    dialed: &mut Option<(u16, u64)>,
    now: u64,
) {
    if let Some((id, since)) = *dialed {
        if device.is_open(id) {
            return;
        }
        *dialed = None;
        backoff.failed(now, now - since);
    }
    if !backoff.due(now) {
        return;
    }
    let addr = target.host.to_socket_addrs().ok().and_then(|mut a| a.next());
    let stream = addr.map(|a| TcpStream::connect_timeout(&a, Duration::from_millis(500)));
    match stream {
        Some(Ok(stream)) => match HostSocket::new(stream) {
            Ok(sock) => {
                let fd = sock.fd();
                match device.attach_dialed(sock, &target.host, &target.path, now) {
                    Ok(id) => {
                        log::info!("session {id}: dialed ws://{}{}", target.host, target.path);
                        fds.insert(id, fd);
                        *dialed = Some((id, now));
                    }
                    Err(_) => backoff.failed(now, 0),
                }
            }
            Err(_) => backoff.failed(now, 0),
        },
        Some(Err(e)) => {
            backoff.failed(now, 0);
            log::info!("dial ws://{}{}: {e}; next try in {} ms", target.host, target.path, backoff.delay() / 2000);
        }
        None => {
            backoff.failed(now, 0);
            log::warn!("dial: cannot resolve {}", target.host);
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
