//! Wisp's client role against Autobahn|Testsuite's fuzzingserver: for every
//! case the server offers, connect, echo each message back until the server
//! closes, then ask it to write its reports.
//!
//! ```sh
//! wstest -m fuzzingserver -s fuzzingserver.json &     # listens on 127.0.0.1:9001
//! cargo run -p wisp --example autobahn_client --features embedded-io -- 127.0.0.1:9001
//! ```
//!
//! `scripts/autobahn.sh client` does both and checks the results. The client
//! is the crate's blocking adapter (`wisp::io::blocking::WebSocket`) over a
//! `std` socket, with buffers of a device's size: each piece of a message is
//! echoed as it arrives, so a 16 MiB message passes through 4 KiB.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use embedded_io_adapters::std::FromStd;
use wisp::handshake::ClientHandshake;
use wisp::io::Incoming;
use wisp::io::blocking::WebSocket;
use wisp::{CloseCode, Connection, DataKind, Outgoing, Role, Status};

const AGENT: &str = "wisp";

/// Masking keys and nonces. RFC 6455 §10.3 asks for keys a proxy cannot
/// predict; a test client against a local suite only needs them to differ.
struct Keys(u64);

impl Keys {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Open `path` on `addr` as a WebSocket and echo every message until the
/// server closes. Returns the first text message (the case count, for
/// `/getCaseCount`); an error only when no WebSocket was opened.
fn run(addr: &str, path: &str, keys: &mut Keys) -> Result<Option<String>, String> {
    let mut sock = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    sock.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    sock.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut nonce = [0u8; 16];
    nonce[..8].copy_from_slice(&keys.next().to_le_bytes());
    nonce[8..].copy_from_slice(&keys.next().to_le_bytes());
    let hs = ClientHandshake::new(nonce);
    let mut head = [0u8; 512];
    let n = hs.write_request(addr, path, None, None, &mut head).map_err(|e| e.as_str().to_string())?;
    sock.write_all(&head[..n]).map_err(|e| e.to_string())?;
    let mut got = Vec::new();
    let rest = loop {
        let mut chunk = [0u8; 1024];
        let n = sock.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("closed during the handshake".into());
        }
        got.extend_from_slice(&chunk[..n]);
        if let Status::Complete(resp) = hs.parse_response(&got, None).map_err(|e| e.as_str().to_string())? {
            break got[resp.head_len..].to_vec();
        }
    };

    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 4096]);
    let mut mask = || (keys.next() as u32).to_le_bytes();
    let mut ws = WebSocket::new(FromStd::new(sock), Connection::new(Role::Client), &mut rx, &mut tx, &mut mask)
        .map_err(|e| e.as_str().to_string())?;
    ws.session().preload(&rest).map_err(|e| e.as_str().to_string())?;
    let mut first_text: Option<String> = None;
    let mut piece = Vec::new();
    loop {
        let (kind, fin) = match ws.read() {
            Ok(Incoming::Data { kind, payload, fin }) => {
                piece.clear();
                piece.extend_from_slice(payload);
                (kind, fin)
            }
            Ok(Incoming::Pong(_)) => continue,
            // The close reply has been sent: the server ends the TCP connection.
            Ok(Incoming::Close(_)) => return Ok(first_text),
            // A protocol error has been answered with its close frame
            // already; whether that was the right answer is the suite's to
            // judge, not ours.
            Err(_) => return Ok(first_text),
        };
        if kind == DataKind::Text && first_text.is_none() && fin {
            first_text = Some(String::from_utf8_lossy(&piece).into_owned());
        }
        let frame = match kind {
            DataKind::Text => Outgoing::Text { payload: &piece, fin },
            DataKind::Binary => Outgoing::Binary { payload: &piece, fin },
        };
        if ws.send(frame).is_err() {
            let _ = ws.close(CloseCode::PROTOCOL_ERROR, "");
            return Ok(first_text);
        }
    }
}

fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:9001".into());
    let seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1;
    let mut keys = Keys(seed);
    let count: u32 = match run(&addr, "/getCaseCount", &mut keys) {
        Ok(Some(n)) => n.trim().parse().unwrap_or(0),
        other => {
            eprintln!("autobahn_client: no case count from {addr}: {other:?}");
            std::process::exit(1);
        }
    };
    eprintln!("autobahn_client: {count} cases");
    for case in 1..=count {
        if let Err(e) = run(&addr, &format!("/runCase?case={case}&agent={AGENT}"), &mut keys) {
            eprintln!("case {case}: {e}");
        }
    }
    if let Err(e) = run(&addr, &format!("/updateReports?agent={AGENT}"), &mut keys) {
        eprintln!("autobahn_client: reports not written: {e}");
        std::process::exit(1);
    }
}
