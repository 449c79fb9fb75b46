//! A simulated pair of endpoints for scenario tests (as quinn-proto's `Pair`):
//! a sender engine writes frames, a receiver engine reads them through an
//! in-memory pipe with a chosen chunking, and every event is collected.
#![allow(dead_code)]

use wisp::{Client, CloseCode, CloseFrame, Connection, DataKind, Error, Event, Outgoing, Received, Role, Server};

/// An engine of either side, chosen at run time, so that one scenario runs
/// in both roles.
pub enum AnyConn {
    Server(Connection<Server>),
    Client(Connection<Client>),
}

impl AnyConn {
    pub fn new(role: Role) -> Self {
        match role {
            Role::Server => AnyConn::Server(Connection::new()),
            Role::Client => AnyConn::Client(Connection::new()),
        }
    }

    pub fn read<'a>(&mut self, input: &'a mut [u8]) -> Result<Received<'a>, Error> {
        match self {
            AnyConn::Server(c) => c.read(input),
            AnyConn::Client(c) => c.read(input),
        }
    }

    /// Send; `key` is used by a client only.
    pub fn send(&mut self, frame: Outgoing<'_>, key: [u8; 4], out: &mut [u8]) -> Result<usize, Error> {
        match self {
            AnyConn::Server(c) => c.send(frame, out),
            AnyConn::Client(c) => c.send(frame, key, out),
        }
    }

    pub fn poll_transmit(&mut self, key: [u8; 4], out: &mut [u8]) -> Result<Option<usize>, Error> {
        match self {
            AnyConn::Server(c) => c.poll_transmit(out),
            AnyConn::Client(c) => c.poll_transmit(key, out),
        }
    }

    pub fn owed_close(&self) -> Option<CloseFrame<'static>> {
        match self {
            AnyConn::Server(c) => c.owed_close(),
            AnyConn::Client(c) => c.owed_close(),
        }
    }

    pub fn is_closed(&self) -> bool {
        match self {
            AnyConn::Server(c) => c.is_closed(),
            AnyConn::Client(c) => c.is_closed(),
        }
    }

    pub fn close_received(&self) -> bool {
        match self {
            AnyConn::Server(c) => c.close_received(),
            AnyConn::Client(c) => c.close_received(),
        }
    }
}

/// What a receiver saw, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Message(DataKind, Vec<u8>),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<CloseCode>, String),
}

/// Reads a byte stream through a small buffer, the way a device does.
pub struct Receiver {
    pub conn: AnyConn,
    buf: Vec<u8>,
    cap: usize,
    message: Vec<u8>,
    kind: Option<DataKind>,
    pub seen: Vec<Seen>,
    pub data_events: usize,
}

impl Receiver {
    pub fn new(role: Role, cap: usize) -> Self {
        Receiver {
            conn: AnyConn::new(role),
            buf: Vec::new(),
            cap,
            message: Vec::new(),
            kind: None,
            seen: Vec::new(),
            data_events: 0,
        }
    }

    /// Push `wire` through, at most `chunk` bytes per socket read and never
    /// more than `cap` bytes buffered.
    pub fn feed(&mut self, wire: &[u8], chunk: usize) -> Result<(), Error> {
        let mut pos = 0;
        while pos < wire.len() || !self.buf.is_empty() {
            let room = self.cap - self.buf.len();
            let n = chunk.min(room).min(wire.len() - pos);
            self.buf.extend_from_slice(&wire[pos..pos + n]);
            pos += n;
            let progressed = self.drain()?;
            if (n == 0 && !progressed) || self.conn.close_received() {
                break; // stalled: the rest is a partial frame
            }
        }
        Ok(())
    }

    fn drain(&mut self) -> Result<bool, Error> {
        let mut at = 0;
        let mut progressed = false;
        while !self.conn.close_received() {
            let read = self.conn.read(&mut self.buf[at..])?;
            at += read.consumed;
            progressed |= read.consumed > 0;
            let Some(event) = read.event else { break };
            match event {
                Event::Data { kind, payload, fin } => {
                    self.data_events += 1;
                    self.kind.get_or_insert(kind);
                    self.message.extend_from_slice(payload);
                    if fin {
                        let kind = self.kind.take().unwrap();
                        self.seen.push(Seen::Message(kind, std::mem::take(&mut self.message)));
                    }
                }
                Event::Ping(p) => self.seen.push(Seen::Ping(p.to_vec())),
                Event::Pong(p) => self.seen.push(Seen::Pong(p.to_vec())),
                Event::Close(c) => self.seen.push(Seen::Close(c.code, c.reason.to_string())),
            }
        }
        self.buf.drain(..at);
        Ok(progressed)
    }
}

/// Write frames from a sender engine into a byte vector.
pub struct Sender {
    pub conn: AnyConn,
    pub wire: Vec<u8>,
    counter: u32,
}

impl Sender {
    pub fn new(role: Role) -> Self {
        Sender { conn: AnyConn::new(role), wire: Vec::new(), counter: 0x9e37_79b9 }
    }

    pub fn send(&mut self, frame: Outgoing<'_>) -> Result<(), Error> {
        // A different key for every frame, as §5.3 asks.
        self.counter = self.counter.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let mut out = vec![0u8; 14 + 200 + frame_len(&frame)];
        let n = self.conn.send(frame, self.counter.to_le_bytes(), &mut out)?;
        self.wire.extend_from_slice(&out[..n]);
        Ok(())
    }
}

fn frame_len(frame: &Outgoing<'_>) -> usize {
    match frame {
        Outgoing::Text { payload, .. } | Outgoing::Binary { payload, .. } => payload.len(),
        Outgoing::Ping(p) | Outgoing::Pong(p) => p.len(),
        Outgoing::Close(c) => c.len(),
    }
}

/// Mask a client frame by hand (for inputs the sender engine refuses to make).
pub fn masked(b0: u8, payload: &[u8], key: [u8; 4]) -> Vec<u8> {
    let mut v = vec![b0];
    let len = payload.len();
    if len < 126 {
        v.push(0x80 | len as u8);
    } else if len <= 0xFFFF {
        v.push(0x80 | 126);
        v.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        v.push(0x80 | 127);
        v.extend_from_slice(&(len as u64).to_be_bytes());
    }
    v.extend_from_slice(&key);
    v.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    v
}
