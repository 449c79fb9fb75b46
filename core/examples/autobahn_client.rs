//! Wisp's client role against Autobahn|Testsuite's fuzzingserver: for every
//! case the server offers, connect, echo each message back until the server
//! closes, then ask it to write its reports.
//!
//! ```sh
//! wstest -m fuzzingserver -s fuzzingserver.json &     # listens on 127.0.0.1:9001
//! cargo run -p wisp-ws --example autobahn_client --features embedded-io -- 127.0.0.1:9001
//! ```
//!
//! `scripts/autobahn.sh client` does both and checks the results. The client
//! is the crate's blocking adapter (`wisp::io::blocking::WebSocket`) over a
//! `std` socket, opened with `WebSocket::connect`, with buffers of a device's size: each piece of a message is
//! echoed as it arrives, so a 16 MiB message passes through 4 KiB.

use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use embedded_io_adapters::std::FromStd;
use wisp::io::Request;
use wisp::io::blocking::WebSocket;
use wisp::{Client, CloseCode, DataKind, Event, Outgoing};

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
    let sock = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    sock.set_read_timeout(Some(Duration::from_secs(60))).map_err(|e| e.to_string())?;
    sock.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut nonce = [0u8; 16];
    nonce[..8].copy_from_slice(&keys.next().to_le_bytes());
    nonce[8..].copy_from_slice(&keys.next().to_le_bytes());
    let (mut rx, mut tx) = ([0u8; 4096], [0u8; 4096]);
    let mask = || (keys.next() as u32).to_le_bytes();
    let request = Request { host: addr, path, origin: None };
    let mut ws = WebSocket::<_, Client, _>::connect(FromStd::new(sock), request, nonce, mask, &mut rx, &mut tx)
        .map_err(|e| e.to_string())?;
    let mut first_text: Option<String> = None;
    let mut piece = Vec::new();
    loop {
        let (kind, fin) = match ws.read() {
            Ok(Event::Data { kind, payload, fin }) => {
                piece.clear();
                piece.extend_from_slice(payload);
                (kind, fin)
            }
            Ok(Event::Ping(_) | Event::Pong(_)) => continue,
            // The close reply has been sent: the server ends the TCP connection.
            Ok(Event::Close(_)) => return Ok(first_text),
            // A protocol error has been answered with its close frame
            // already; whether that was the right answer is the suite's to
            // judge, not ours.
            Err(_) => return Ok(first_text),
        };
        if kind == DataKind::Text && first_text.is_none() && fin {
            first_text = Some(String::from_utf8_lossy(&piece).into_owned());
        }
        if ws.send(Outgoing::data(kind, &piece, fin)).is_err() {
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
