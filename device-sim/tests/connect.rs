//! The client role (`--connect`): the device dials a tungstenite server,
//! streams its console in order (masked frames — tungstenite insists), and
//! reconnects with backoff when the server goes away.

mod common;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::*;
use tungstenite::Message;

fn serve_one(listener: &TcpListener, lines: usize) -> Vec<u32> {
    listener.set_nonblocking(false).unwrap();
    let (sock, _) = listener.accept().unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut ws = tungstenite::accept(sock).unwrap();
    let mut seqs = Vec::new();
    while seqs.len() < lines {
        if let Message::Text(t) = ws.read().unwrap()
            && t.starts_with('#')
        {
            seqs.push(seq(&t));
        }
    }
    // A command works in this direction too: the server asks for a ping.
    ws.send(Message::text("print hello from the server")).unwrap();
    loop {
        if let Message::Text(t) = ws.read().unwrap()
            && t.ends_with("hello from the server")
        {
            break;
        }
    }
    seqs
}

#[test]
fn dials_out_streams_in_order_and_reconnects() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t = twin(|o| {
        o.rate = 200;
        o.connect = Some(format!("ws://127.0.0.1:{port}/console"));
    });
    let first = serve_one(&listener, 50);
    assert!(first.windows(2).all(|w| w[1] == w[0] + 1), "in order: {first:?}");
    // The server goes away entirely, then comes back on the same port.
    drop(listener);
    std::thread::sleep(Duration::from_millis(600));
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let started = Instant::now();
    let second = serve_one(&listener, 50);
    assert!(started.elapsed() < Duration::from_secs(10), "reconnected with backoff");
    assert!(second.windows(2).all(|w| w[1] == w[0] + 1), "in order: {second:?}");
    assert!(second[0] > first[0], "the console went on: {} then {}", first[0], second[0]);
    drop(t);
}
