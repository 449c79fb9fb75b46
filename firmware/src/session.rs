//! One connection of the device, from its first request byte to its close.
//!
//! A session starts in HTTP: it reads a request head, and [`crate::http::route`]
//! serves a file, refuses, or upgrades it to a WebSocket service. From then on
//! the [`wisp::Connection`] engine owns the protocol and the session only moves
//! bytes between the transport, the engine and its two fixed buffers:
//!
//! - input is read only while the transmit buffer has room for the answer
//!   the input could need (an echo, a pong, a close), so a client that sends
//!   faster than it reads is slowed down, not buffered;
//! - the console reaches the client through a cursor into the device's ring
//!   ([`crate::console`]), as fast as the transport takes it;
//! - pings from the device go into the same transmit buffer between frames,
//!   including between the frames of a message being streamed (a dump).

use core::fmt::Write as _;

use embedded_io::{Read, ReadReady, Write, WriteReady};
use heapless::Vec;
use wisp::handshake::ClientHandshake;
use wisp::handshake::http::parse_head;
use wisp::{CloseCode, CloseFrame, Connection, DataKind, Event, Header, Outgoing, Role, Status};

use crate::Micros;
use crate::command::{self, COMMAND_MAX, Command};
use crate::console::{self, Console, Kind};
use crate::http::{self, Route, Service, Site};
use crate::sim::XorShift;
use crate::tap::{Direction, Record};

/// Receive buffer per session; also the bound on a request head (431 above).
pub const RX_BUF: usize = 4096;
/// Transmit buffer per session.
pub const TX_BUF: usize = 8192;
/// A transmit buffer this full stops input until it drains.
const TX_RESERVE: usize = 512;
/// Largest `/tap` message: a batch of length-prefixed records.
const TAP_MESSAGE_MAX: usize = 1536;
/// Console lines a new printf client gets from before it connected.
pub const BACKLOG: u32 = 32;
/// How long a session may take to finish its close after asking for it.
const CLOSE_GRACE: Micros = 2_000_000;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading an HTTP request head.
    Http,
    /// Sending a file body, then back to `Http` (or closing).
    Body {
        /// The file.
        body: &'static [u8],
        /// Bytes sent so far.
        at: usize,
        /// Another request may follow.
        keep_alive: bool,
    },
    /// Dialed out: waiting for the server's `101`.
    Dialing,
    /// A WebSocket service is running.
    Ws(Service),
    /// Sending what is left, then closing the transport.
    Closing,
}

/// Why a session ended, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ending {
    /// The close code sent or received, if the WebSocket got that far.
    pub code: Option<CloseCode>,
    /// In words.
    pub why: &'static str,
}

/// What the session needs from the device while it runs.
pub struct Ctx<'c, 'a> {
    /// The device's console.
    pub console: &'c mut Console<'a>,
    /// The web server's configuration.
    pub site: &'c Site<'a>,
    /// Keepalive and timeouts.
    pub timing: Timing,
    /// Tap records produced this poll (when someone listens).
    pub taps: Option<&'c mut heapless::Deque<Record, 64>>,
    /// Masking keys for the client role.
    pub rng: &'c mut XorShift,
}

/// Keepalive and timeout settings (µs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Ping every client this often.
    pub ping_interval: Micros,
    /// Close a client whose pong takes longer than this.
    pub pong_timeout: Micros,
    /// A request head must arrive within this (slowloris), and an idle
    /// keep-alive connection is closed after it.
    pub http_timeout: Micros,
}

/// An open connection.
pub struct Session<T> {
    io: T,
    /// Session id, unique since boot.
    pub id: u16,
    phase: Phase,
    conn: Connection,
    rx: [u8; RX_BUF],
    rx_len: usize,
    tx: [u8; TX_BUF],
    tx_start: usize,
    tx_end: usize,
    opened: Micros,
    last_input: Micros,
    closing_since: Micros,
    ending: Option<Ending>,
    /// Refused for being over the limit: close with 1013 once upgraded.
    busy: bool,
    /// HTTP requests answered on this connection.
    requests: u16,
    // printf
    cursor: u32,
    dump: Option<(u32, u32, u32)>,
    command: Vec<u8, COMMAND_MAX>,
    command_too_long: bool,
    // keepalive
    next_ping: Micros,
    keepalive: Option<(u64, Micros)>,
    user_ping: Option<(u64, Micros)>,
    // dialing
    dial: Option<ClientHandshake>,
    /// Bytes received and sent.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
}

/// What one poll of a session did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing happened.
    Idle,
    /// Bytes moved.
    Busy,
    /// The session ended; the transport can be dropped.
    Ended(Ending),
}

impl<T: Read + Write + ReadReady + WriteReady> Session<T> {
    /// A session for an accepted connection.
    pub fn accept(io: T, id: u16, now: Micros, busy: bool) -> Self {
        Session {
            io,
            id,
            phase: Phase::Http,
            conn: Connection::new(Role::Server),
            rx: [0; RX_BUF],
            rx_len: 0,
            tx: [0; TX_BUF],
            tx_start: 0,
            tx_end: 0,
            opened: now,
            last_input: now,
            closing_since: 0,
            ending: None,
            busy,
            requests: 0,
            cursor: 0,
            dump: None,
            command: Vec::new(),
            command_too_long: false,
            next_ping: 0,
            keepalive: None,
            user_ping: None,
            dial: None,
            rx_bytes: 0,
            tx_bytes: 0,
        }
    }

    /// A session that dialed out: writes the upgrade request for `host` and
    /// `path` with a key from `nonce`, then streams the console as a client.
    pub fn dial(io: T, id: u16, now: Micros, host: &str, path: &str, nonce: [u8; 16]) -> Self {
        let mut s = Session::accept(io, id, now, false);
        let hs = ClientHandshake::new(nonce);
        match hs.write_request(host, path, None, None, &mut s.tx) {
            Ok(n) => s.tx_end = n,
            Err(_) => s.end(None, "request too long for the buffer"),
        }
        s.dial = Some(hs);
        s.phase = Phase::Dialing;
        s.conn = Connection::new(Role::Client);
        s
    }

    /// When the session was opened.
    pub fn opened(&self) -> Micros {
        self.opened
    }

    /// The phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The service, once upgraded.
    pub fn service(&self) -> Option<Service> {
        match self.phase {
            Phase::Ws(s) => Some(s),
            _ => None,
        }
    }

    /// What the session waits for: (input it can take now, output pending).
    /// A platform waits on exactly these, so a session whose transmit buffer
    /// is full is not woken by input it cannot take yet.
    pub fn interest(&self) -> (bool, bool) {
        let output = self.tx_start < self.tx_end || matches!(self.phase, Phase::Body { .. });
        let input = self.rx_len < RX_BUF
            && match self.phase {
                Phase::Ws(_) => self.tx_free() >= TX_RESERVE,
                Phase::Http => !output,
                _ => true,
            };
        (input, output)
    }

    /// Counts against the connection limit: every session but those being
    /// turned away or already closing.
    pub fn counts(&self) -> bool {
        !self.busy && self.phase != Phase::Closing
    }

    /// A keep-alive connection that has been served and waits for nothing:
    /// the first to go when the device needs its slot.
    pub fn is_idle_keep_alive(&self) -> bool {
        self.phase == Phase::Http && self.requests > 0 && self.rx_len == 0 && self.tx_start == self.tx_end
    }

    /// Close an idle keep-alive connection to make room (RFC 9112 §9.6: a
    /// server may close an idle persistent connection at any time).
    pub fn evict(&mut self) {
        self.end(None, "idle keep-alive closed to make room");
    }

    /// Room left in the transmit buffer.
    fn tx_free(&self) -> usize {
        TX_BUF - self.tx_end
    }

    /// Move queued bytes to the front of the transmit buffer.
    fn compact_tx(&mut self) {
        if self.tx_start > 0 {
            self.tx.copy_within(self.tx_start..self.tx_end, 0);
            self.tx_end -= self.tx_start;
            self.tx_start = 0;
        }
    }

    fn end(&mut self, code: Option<CloseCode>, why: &'static str) {
        if self.ending.is_none() {
            self.ending = Some(Ending { code, why });
        }
        if self.phase != Phase::Closing {
            self.phase = Phase::Closing;
        }
    }

    /// Close the WebSocket with `code` (or just the transport, before the
    /// upgrade). The session ends when the peer answers or after a grace time.
    pub fn close(&mut self, code: CloseCode, why: &'static str, now: Micros, ctx: &mut Ctx<'_, '_>) {
        if matches!(self.phase, Phase::Ws(_)) && !self.conn.close_sent() {
            let frame = Outgoing::Close(CloseFrame { code: Some(code), reason: why });
            if self.tx_free() < 140 {
                // Make room: a close must get out even to a slow reader.
                self.tx_end = self.tx_start;
                self.compact_tx();
            }
            self.emit(frame, now, ctx);
            self.closing_since = now;
            self.ending = Some(Ending { code: Some(code), why });
        } else if !matches!(self.phase, Phase::Ws(_)) {
            self.end(None, why);
        }
    }

    /// Encode a frame into the transmit buffer (tapping it); false if it
    /// does not fit right now.
    fn emit(&mut self, frame: Outgoing<'_>, now: Micros, ctx: &mut Ctx<'_, '_>) -> bool {
        self.compact_tx();
        let mask = if self.conn.role() == Role::Client { ctx.rng.next_u32().to_le_bytes() } else { [0; 4] };
        let at = self.tx_end;
        let Some(out) = self.tx.get_mut(at..) else {
            return false;
        };
        match self.conn.send(frame, mask, out) {
            Ok(n) => {
                if self.service() != Some(Service::Tap)
                    && let Some(taps) = ctx.taps.as_deref_mut()
                    && let Some(r) =
                        Record::capture(Direction::Sent, self.id, now, self.tx.get(at..at + n).unwrap_or_default())
                    && taps.push_back(r).is_err()
                {
                    // A full tap queue drops the record, never the frame.
                }
                self.tx_end += n;
                true
            }
            Err(_) => false,
        }
    }

    /// Send a text line to this client only (a reply or a notice).
    fn reply(&mut self, now: Micros, ctx: &mut Ctx<'_, '_>, args: core::fmt::Arguments<'_>) {
        let mut line: heapless::String<160> = heapless::String::new();
        let _ = line.write_fmt(args);
        self.emit(Outgoing::Text { payload: line.as_bytes(), fin: true }, now, ctx);
    }

    /// Do whatever can be done now without blocking.
    pub fn poll(&mut self, now: Micros, ctx: &mut Ctx<'_, '_>) -> Outcome {
        let before = (self.rx_bytes, self.tx_bytes);
        if let Err(ending) = self.read_input(now) {
            // The peer is gone: nothing more can be sent either.
            return Outcome::Ended(self.ending.unwrap_or(ending));
        }
        match self.phase {
            Phase::Http => self.http(now, ctx),
            Phase::Dialing => self.dialing(now, ctx),
            Phase::Ws(service) => self.websocket(service, now, ctx),
            Phase::Body { .. } | Phase::Closing => {}
        }
        if let Phase::Ws(Service::Printf) = self.phase {
            self.produce(now, ctx);
        }
        if let Phase::Ws(_) = self.phase {
            self.keepalive(now, ctx);
        }
        if let Err(ending) = self.flush() {
            return Outcome::Ended(self.ending.unwrap_or(ending));
        }
        self.timeouts(now, ctx);
        if self.phase == Phase::Closing && self.tx_start == self.tx_end {
            let _ = self.io.flush();
            return Outcome::Ended(self.ending.unwrap_or(Ending { code: None, why: "closed" }));
        }
        if (self.rx_bytes, self.tx_bytes) != before { Outcome::Busy } else { Outcome::Idle }
    }

    fn read_input(&mut self, now: Micros) -> Result<(), Ending> {
        if self.rx_len == RX_BUF {
            return Ok(());
        }
        let gone = |why| Ending { code: Some(CloseCode::ABNORMAL), why };
        match self.io.read_ready() {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(_) => return Err(gone("transport error")),
        }
        let room = self.rx.get_mut(self.rx_len..).unwrap_or_default();
        match self.io.read(room) {
            Ok(0) => Err(match self.phase {
                Phase::Ws(_) if !self.conn.is_closed() => {
                    Ending { code: Some(CloseCode::ABNORMAL), why: "peer went away without a close frame" }
                }
                _ => Ending { code: None, why: "peer closed the connection" },
            }),
            Ok(n) => {
                self.rx_len += n;
                self.rx_bytes += n as u64;
                self.last_input = now;
                Ok(())
            }
            Err(_) => Err(gone("transport error")),
        }
    }

    fn consume_rx(&mut self, n: usize) {
        let n = n.min(self.rx_len);
        self.rx.copy_within(n..self.rx_len, 0);
        self.rx_len -= n;
    }

    // ---------------- HTTP ----------------

    fn http(&mut self, now: Micros, ctx: &mut Ctx<'_, '_>) {
        // One request at a time: the previous answer must be out first.
        if self.tx_start != self.tx_end || self.rx_len == 0 {
            return;
        }
        self.tx_start = 0;
        self.tx_end = 0;
        let input = self.rx.get(..self.rx_len).unwrap_or_default();
        let head = match parse_head(input, RX_BUF) {
            Ok(Status::Partial) => return,
            Ok(Status::Complete(head)) => head,
            Err(e) => {
                let status = e.http_status().unwrap_or(400);
                let Route::Refuse { len, .. } = http::refuse(status, e.as_str(), &mut self.tx) else {
                    return;
                };
                self.tx_end = len;
                self.rx_len = 0;
                return self.end(None, e.as_str());
            }
        };
        let used = head.len;
        // Refused only if this connection came in over the limit: a device at
        // its limit still serves the connections it admitted.
        let route = http::route(&head, ctx.site, self.busy, &mut self.tx);
        self.consume_rx(used);
        self.requests = self.requests.saturating_add(1);
        match route {
            Route::File { head, body, keep_alive, .. } => {
                self.tx_end = head;
                self.phase = Phase::Body { body, at: 0, keep_alive };
            }
            Route::Refuse { len, reason, .. } => {
                self.tx_end = len;
                self.end(None, reason);
            }
            Route::Upgrade { len, service } => {
                self.tx_end = len;
                self.upgraded(service, now, ctx);
            }
        }
    }

    fn upgraded(&mut self, service: Service, now: Micros, ctx: &mut Ctx<'_, '_>) {
        self.phase = Phase::Ws(service);
        self.next_ping = now + ctx.timing.ping_interval;
        self.cursor = ctx.console.next_seq().saturating_sub(BACKLOG).max(ctx.console.oldest());
        if self.busy {
            // RFC 6455 §7.4.1 + IANA: 1013, try again later.
            self.close(CloseCode::TRY_AGAIN_LATER, "device busy: too many connections", now, ctx);
        }
    }

    fn dialing(&mut self, now: Micros, ctx: &mut Ctx<'_, '_>) {
        let Some(hs) = self.dial else { return };
        let input = self.rx.get(..self.rx_len).unwrap_or_default();
        match hs.parse_response(input, None) {
            Ok(Status::Partial) => {}
            Ok(Status::Complete(resp)) => {
                let used = resp.head_len;
                self.consume_rx(used);
                self.upgraded(Service::Printf, now, ctx);
            }
            Err(e) => {
                self.rx_len = 0;
                self.end(None, e.as_str());
            }
        }
    }

    // ---------------- WebSocket ----------------

    fn websocket(&mut self, service: Service, now: Micros, ctx: &mut Ctx<'_, '_>) {
        let mut at = 0;
        while at < self.rx_len && !self.conn.close_received() && self.tx_free() >= TX_RESERVE {
            let rest = self.rx.get(at..self.rx_len).unwrap_or_default();
            if self.conn.at_frame_start() {
                // Hand the engine whole headers only, so the tap sees each
                // one. A header that cannot parse goes to the engine anyway:
                // it fails the connection with the right close code.
                match Header::parse(rest) {
                    Ok(Status::Partial) => break,
                    Ok(Status::Complete(_)) if service != Service::Tap => {
                        if let (Some(taps), Some(record)) =
                            (ctx.taps.as_deref_mut(), Record::capture(Direction::Received, self.id, now, rest))
                        {
                            let _ = taps.push_back(record);
                        }
                    }
                    _ => {}
                }
            }
            // No more input than the transmit buffer could echo.
            let limit = rest.len().min(self.tx_free() - 14);
            let end = at + limit;
            let Some(input) = self.rx.get_mut(at..end) else {
                break;
            };
            match self.conn.read(input) {
                Ok(read) => {
                    at += read.consumed;
                    let Some(event) = read.event else { break };
                    // Reduce the event to offsets before touching `self` again:
                    // its payload is the last bytes consumed, ending at `at`.
                    let kind = event_kind(&event);
                    self.on_event(service, kind, now, ctx, at);
                }
                Err(e) => {
                    self.compact_tx();
                    let mask = if self.conn.role() == Role::Client { ctx.rng.next_u32().to_le_bytes() } else { [0; 4] };
                    let reason = e.as_str();
                    let close = Outgoing::Close(CloseFrame { code: Some(e.close_code()), reason });
                    if let Some(out) = self.tx.get_mut(self.tx_end..)
                        && let Ok(n) = self.conn.send(close, mask, out)
                    {
                        self.tx_end += n;
                    }
                    self.rx_len = 0;
                    return self.end(Some(e.close_code()), reason);
                }
            }
        }
        self.consume_rx(at);
        if self.conn.is_closed() && self.phase != Phase::Closing {
            self.end(self.ending.and_then(|e| e.code), self.ending.map_or("closed", |e| e.why));
        }
    }

    /// React to one event whose payload is the `len` bytes of the receive
    /// buffer that end at `end`.
    fn on_event(&mut self, service: Service, ev: EventKind, now: Micros, ctx: &mut Ctx<'_, '_>, end: usize) {
        let payload_at = |len: usize| end - len;
        match ev {
            EventKind::Data { kind, len, fin } => {
                let at = payload_at(len);
                let mut buf = [0u8; RX_BUF];
                let payload = copy_out(&self.rx, at, len, &mut buf);
                match service {
                    Service::Echo => {
                        let frame = match kind {
                            DataKind::Text => Outgoing::Text { payload, fin },
                            DataKind::Binary => Outgoing::Binary { payload, fin },
                        };
                        self.emit(frame, now, ctx);
                    }
                    Service::Printf => self.command_bytes(kind, payload, fin, now, ctx),
                    Service::Tap => {}
                }
            }
            EventKind::Ping { len } => {
                let mut buf = [0u8; 125];
                let payload = copy_out(&self.rx, payload_at(len), len, &mut buf);
                // §5.5.2: a pong with the same payload.
                self.emit(Outgoing::Pong(payload), now, ctx);
            }
            EventKind::Pong { len } => {
                let mut buf = [0u8; 125];
                let payload = copy_out(&self.rx, payload_at(len), len, &mut buf);
                let stamp = payload.try_into().ok().map(u64::from_be_bytes);
                if let (Some(stamp), Some((sent, _))) = (stamp, self.keepalive)
                    && stamp == sent
                {
                    self.keepalive = None;
                }
                if let (Some(stamp), Some((sent, at))) = (stamp, self.user_ping)
                    && stamp == sent
                {
                    self.user_ping = None;
                    let rtt = now.saturating_sub(at);
                    self.reply(now, ctx, format_args!("> pong: round trip {}.{:03} ms", rtt / 1000, rtt % 1000));
                }
            }
            EventKind::Close { code } => {
                self.compact_tx();
                let mask = if self.conn.role() == Role::Client { ctx.rng.next_u32().to_le_bytes() } else { [0; 4] };
                if let Some(out) = self.tx.get_mut(self.tx_end..)
                    && let Ok(Some(n)) = self.conn.poll_transmit(mask, out)
                {
                    self.tx_end += n;
                }
                if self.ending.is_none() {
                    self.ending = Some(Ending { code, why: "client closed" });
                }
                self.end(code, "client closed");
            }
        }
    }

    fn command_bytes(&mut self, kind: DataKind, payload: &[u8], fin: bool, now: Micros, ctx: &mut Ctx<'_, '_>) {
        if kind == DataKind::Binary {
            if fin {
                self.reply(now, ctx, format_args!("! binary messages are not commands; send text"));
            }
            return;
        }
        if self.command.extend_from_slice(payload).is_err() {
            self.command_too_long = true;
        }
        if !fin {
            return;
        }
        if core::mem::take(&mut self.command_too_long) {
            self.command.clear();
            return self.reply(now, ctx, format_args!("! command longer than {COMMAND_MAX} bytes"));
        }
        let bytes = core::mem::take(&mut self.command);
        // The engine validated the UTF-8.
        let text = core::str::from_utf8(&bytes).unwrap_or_default();
        match command::parse(text) {
            Err(r) => self.reply(now, ctx, format_args!("! {}: {}", r.0, console::truncate(text, 40))),
            Ok(cmd) => self.run(cmd, now, ctx),
        }
    }

    fn run(&mut self, cmd: Command<'_>, now: Micros, ctx: &mut Ctx<'_, '_>) {
        let c = &mut *ctx.console;
        match cmd {
            Command::Pause => {
                c.paused = true;
                self.reply(now, ctx, format_args!("> paused"));
            }
            Command::Resume => {
                c.paused = false;
                c.set_rate(c.rate(), now);
                self.reply(now, ctx, format_args!("> resumed at {} lines/s", ctx.console.rate()));
            }
            Command::Rate(r) => {
                c.set_rate(r, now);
                self.reply(now, ctx, format_args!("> rate {r} lines/s"));
            }
            Command::Burst(n) => {
                c.burst(n);
                self.reply(now, ctx, format_args!("> burst of {n} lines"));
            }
            Command::Dump(n) => {
                let seq = c.dump(n);
                self.reply(now, ctx, format_args!("> dump of {n} bytes is line #{seq}"));
            }
            Command::Ping => {
                let stamp = now ^ 0x5049_4E47_0000_0000;
                self.user_ping = Some((stamp, now));
                self.emit(Outgoing::Ping(&stamp.to_be_bytes()), now, ctx);
            }
            Command::Print(text) => {
                c.printf(format_args!("{text}"));
            }
            Command::Close(code, reason) => {
                let mut why: heapless::String<64> = heapless::String::new();
                let _ = why.push_str(console::truncate(reason, 64));
                // The reason must outlive this call in the frame only.
                let frame = Outgoing::Close(CloseFrame { code: Some(code), reason: &why });
                self.emit(frame, now, ctx);
                self.closing_since = now;
                self.ending = Some(Ending { code: Some(code), why: "closed by command" });
            }
            Command::Help => {
                for line in command::HELP {
                    self.reply(now, ctx, format_args!("> {line}"));
                }
            }
            Command::Log(level, text) => {
                let (secs, micros) = (now / 1_000_000, now % 1_000_000);
                c.printf(format_args!("[{secs:6}.{micros:06}] {} cmd: {text}", level.name()));
            }
            Command::Colors => {
                c.printf(format_args!("{}", command::COLORS));
            }
        }
    }

    /// Move console lines into the transmit buffer while they fit.
    fn produce(&mut self, now: Micros, ctx: &mut Ctx<'_, '_>) {
        let mut frame = [0u8; 1536];
        while !self.conn.close_sent() && self.tx_free() >= TX_RESERVE {
            if let Some((addr, len, row)) = self.dump {
                // The next frame of the dump message: as many rows as fit.
                let rows = console::dump_rows(len);
                let mut n = 0;
                let mut r = row;
                while r < rows && n + console::DUMP_ROW_MAX <= frame.len() {
                    n += console::dump_row(addr, len, r, frame.get_mut(n..).unwrap_or_default());
                    r += 1;
                }
                let fin = r == rows;
                let piece = frame.get(..n).unwrap_or_default();
                if !self.emit(Outgoing::Text { payload: piece, fin }, now, ctx) {
                    return;
                }
                self.dump = if fin { None } else { Some((addr, len, r)) };
                continue;
            }
            let oldest = ctx.console.oldest();
            if self.cursor < oldest {
                // This client fell a whole ring behind: whole lines are gone.
                let (from, to) = (self.cursor, oldest - 1);
                let mut line: heapless::String<80> = heapless::String::new();
                let _ = write!(
                    line,
                    "! dropped {} lines (#{}..#{}): this client reads too slowly",
                    to - from + 1,
                    from,
                    to
                );
                if !self.emit(Outgoing::Text { payload: line.as_bytes(), fin: true }, now, ctx) {
                    return;
                }
                self.cursor = oldest;
                continue;
            }
            let Some(line) = ctx.console.get(self.cursor) else {
                return;
            };
            let n = line.text().len().min(frame.len() - 1);
            let kind = line.kind;
            if let Some(dst) = frame.get_mut(..n) {
                dst.copy_from_slice(line.text().get(..n).unwrap_or_default());
            }
            let sent = match kind {
                Kind::Text => {
                    self.emit(Outgoing::Text { payload: frame.get(..n).unwrap_or_default(), fin: true }, now, ctx)
                }
                Kind::Dump { addr, len } => {
                    // The dump's first frame is its title; FIN=0: its length
                    // is unknown to the receiver until the last frame.
                    if let Some(nl) = frame.get_mut(n) {
                        *nl = b'\n';
                    }
                    let ok = self.emit(
                        Outgoing::Text { payload: frame.get(..n + 1).unwrap_or_default(), fin: false },
                        now,
                        ctx,
                    );
                    if ok {
                        self.dump = Some((addr, len, 0));
                    }
                    ok
                }
            };
            if !sent {
                return;
            }
            self.cursor += 1;
        }
    }

    /// How many more console lines this client can take before it loses any.
    pub fn room(&self, console: &Console<'_>) -> Option<u32> {
        match self.phase {
            Phase::Ws(Service::Printf) => {
                let behind = console.next_seq().saturating_sub(self.cursor);
                Some((console::RING as u32 / 2).saturating_sub(behind))
            }
            _ => None,
        }
    }

    fn keepalive(&mut self, now: Micros, ctx: &mut Ctx<'_, '_>) {
        if self.conn.close_sent() || ctx.timing.ping_interval == 0 {
            return;
        }
        if let Some((_, sent)) = self.keepalive {
            if now.saturating_sub(sent) > ctx.timing.pong_timeout {
                // Jetty and others close an unresponsive peer with 1001.
                self.close(CloseCode::GOING_AWAY, "pong timeout", now, ctx);
            }
            return;
        }
        if now >= self.next_ping && self.tx_free() >= 64 {
            let stamp = now;
            if self.emit(Outgoing::Ping(&stamp.to_be_bytes()), now, ctx) {
                self.keepalive = Some((stamp, now));
                self.next_ping = now + ctx.timing.ping_interval;
            }
        }
    }

    /// Send tap records to this (tap) session as one message, as many as
    /// fit; returns how many were sent (the rest are dropped for it).
    pub fn tap(&mut self, records: &[Record], now: Micros, ctx: &mut Ctx<'_, '_>) -> usize {
        if self.phase != Phase::Ws(Service::Tap) || self.conn.close_sent() || self.tx_free() < TX_RESERVE {
            return 0;
        }
        let mut buf = [0u8; TAP_MESSAGE_MAX];
        let (mut n, mut sent) = (0, 0);
        for r in records {
            let Some(dst) = buf.get_mut(n + 1..n + 1 + crate::tap::RECORD_MAX) else { break };
            let len = r.encode(dst);
            if let Some(prefix) = buf.get_mut(n) {
                *prefix = len as u8;
            }
            n += 1 + len;
            sent += 1;
        }
        let fits = n + 14 <= self.tx_free();
        if sent == 0 || !fits {
            return 0;
        }
        self.emit(Outgoing::Binary { payload: buf.get(..n).unwrap_or_default(), fin: true }, now, ctx);
        sent
    }

    fn flush(&mut self) -> Result<(), Ending> {
        let gone = Ending { code: Some(CloseCode::ABNORMAL), why: "transport error while sending" };
        loop {
            let pending: &[u8] = if self.tx_start < self.tx_end {
                self.tx.get(self.tx_start..self.tx_end).unwrap_or_default()
            } else if let Phase::Body { body, at, .. } = self.phase {
                // File bodies go straight from flash to the transport.
                body.get(at..).unwrap_or_default()
            } else {
                return Ok(());
            };
            if pending.is_empty() {
                if let Phase::Body { keep_alive, .. } = self.phase {
                    if keep_alive {
                        self.phase = Phase::Http;
                    } else {
                        self.end(None, "response sent");
                    }
                }
                return Ok(());
            }
            match self.io.write_ready() {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(_) => return Err(gone),
            }
            let n = match self.io.write(pending) {
                Ok(0) => return Ok(()), // no room right now
                Ok(n) => n,
                Err(_) => return Err(gone),
            };
            self.tx_bytes += n as u64;
            if self.tx_start < self.tx_end {
                self.tx_start += n;
                if self.tx_start == self.tx_end {
                    self.tx_start = 0;
                    self.tx_end = 0;
                }
            } else if let Phase::Body { body, at, keep_alive } = self.phase {
                self.phase = Phase::Body { body, at: at + n, keep_alive };
            }
        }
    }

    fn timeouts(&mut self, now: Micros, ctx: &mut Ctx<'_, '_>) {
        match self.phase {
            Phase::Http | Phase::Dialing if now.saturating_sub(self.last_input) > ctx.timing.http_timeout => {
                if self.rx_len > 0 && self.phase == Phase::Http {
                    // A request that never finishes: slowloris.
                    if let Route::Refuse { len, .. } = http::refuse(408, "request head took too long", &mut self.tx) {
                        self.tx_start = 0;
                        self.tx_end = len;
                    }
                    self.rx_len = 0;
                    self.end(None, "request head took too long");
                } else {
                    self.end(None, "idle");
                }
            }
            Phase::Ws(_) if self.conn.close_sent() && now.saturating_sub(self.closing_since) > CLOSE_GRACE => {
                self.tx_start = self.tx_end;
                self.end(self.ending.and_then(|e| e.code), "peer did not answer the close");
            }
            Phase::Closing if self.closing_since == 0 => self.closing_since = now,
            Phase::Closing if now.saturating_sub(self.closing_since) > CLOSE_GRACE => {
                // A reader that never drains does not keep the slot.
                self.tx_start = self.tx_end;
            }
            _ => {}
        }
    }
}

/// An event reduced to offsets, so the receive buffer can be borrowed again.
#[derive(Debug, Clone, Copy)]
enum EventKind {
    Data { kind: DataKind, len: usize, fin: bool },
    Ping { len: usize },
    Pong { len: usize },
    Close { code: Option<CloseCode> },
}

fn event_kind(event: &Event<'_>) -> EventKind {
    match event {
        Event::Data { kind, payload, fin } => EventKind::Data { kind: *kind, len: payload.len(), fin: *fin },
        Event::Ping(p) => EventKind::Ping { len: p.len() },
        Event::Pong(p) => EventKind::Pong { len: p.len() },
        Event::Close(c) => EventKind::Close { code: c.code },
    }
}

/// Copy `len` bytes at `at` out of `src` into `buf`.
fn copy_out<'b>(src: &[u8], at: usize, len: usize, buf: &'b mut [u8]) -> &'b [u8] {
    let n = len.min(buf.len());
    if let (Some(dst), Some(s)) = (buf.get_mut(..n), src.get(at..at + n)) {
        dst.copy_from_slice(s);
    }
    buf.get(..n).unwrap_or_default()
}
