//! The device on the emulated board (QEMU mps2-an386, LAN9118, embassy-net,
//! the console's async runner), reached through QEMU's port forward. The test command boots the board with
//! `board/run.sh` and runs these with `--ignored`; `BOARD` overrides the
//! address (default 127.0.0.1:8081).

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::browser::{browser, check_dashboard, chromedriver};
use common::{command, seq, text, until};
use tungstenite::Message;
use tungstenite::protocol::frame::Frame;
use tungstenite::protocol::frame::coding::{Data, OpCode};

fn board() -> SocketAddr {
    std::env::var("BOARD").unwrap_or("127.0.0.1:8081".into()).parse().unwrap()
}

#[test]
#[ignore = "needs the board running: board/run.sh (the test command does it)"]
fn a_thousand_lines_without_a_gap_then_burst_and_dump() {
    let mut ws = common::connect(board(), "/printf");
    assert!(command(&mut ws, "burst 1000").starts_with("> burst of 1000"));
    let mut last = None;
    let mut bursts = 0;
    while bursts < 1000 {
        let line = text(&mut ws);
        assert!(!line.starts_with("! dropped"), "{line}");
        if line.starts_with('#') {
            let n = seq(&line);
            if let Some(p) = last {
                assert_eq!(n, p + 1, "gap after #{p}");
            }
            last = Some(n);
            bursts += usize::from(line.contains("burst:"));
        }
    }
    // A dump: one message of many frames, every byte as documented.
    assert!(command(&mut ws, "dump 4096").starts_with("> dump of 4096"));
    let (dump, _) = until(&mut ws, |l| l.contains(" dump 0x"));
    let rows: Vec<&str> = dump.lines().skip(1).collect();
    assert_eq!(rows.len(), 256);
    let addr = u32::from_str_radix(&rows[0][..8], 16).unwrap();
    for (i, row) in rows.iter().enumerate() {
        let a = addr + 16 * i as u32;
        let hex: Vec<u8> = row[10..57].split_whitespace().map(|h| u8::from_str_radix(h, 16).unwrap()).collect();
        let expect: Vec<u8> = (0..16).map(|k| wisp_sim::sim::memory_byte(a + k)).collect();
        assert_eq!(hex, expect, "row {i}");
    }
}

#[test]
#[ignore = "needs the board running: board/run.sh (the test command does it)"]
fn fragmented_echo_and_a_malformed_request_while_the_stream_goes_on() {
    let mut watcher = common::connect(board(), "/printf");
    let mut ws = common::connect(board(), "/echo");
    let parts: [&[u8]; 3] = [b"frag", b"mented ", b"echo"];
    for (i, p) in parts.iter().enumerate() {
        let op = if i == 0 { OpCode::Data(Data::Text) } else { OpCode::Data(Data::Continue) };
        ws.write(Message::Frame(Frame::message(p.to_vec(), op, i == 2))).unwrap();
    }
    ws.flush().unwrap();
    loop {
        if let Message::Text(t) = ws.read().unwrap() {
            assert_eq!(t.as_str(), "fragmented echo");
            break;
        }
    }
    let before = seq(&until(&mut watcher, |l| l.starts_with('#')).0);
    let mut raw = TcpStream::connect(board()).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    raw.write_all(b"GARBAGE\r\n\r\n").unwrap();
    let mut resp = Vec::new();
    let _ = raw.read_to_end(&mut resp);
    let resp = String::from_utf8_lossy(&resp);
    assert!(resp.starts_with("HTTP/1.1 400 Bad Request"), "{resp}");
    assert!(resp.contains("malformed request line"));
    let after = seq(&until(&mut watcher, |l| l.starts_with('#')).0);
    assert!(after > before, "the stream went on");
}

#[test]
#[ignore = "needs the board running: board/run.sh (the test command does it)"]
fn many_sessions_one_after_another_each_find_a_listening_socket() {
    // The board closes first and holds TIME-WAIT (RFC 6455 §7.1.1) on each
    // of its few sockets; a socket must listen again from there, or the
    // connection after the last socket is refused (Autobahn's fuzzingclient
    // opens connections one after another like this).
    for i in 0..20 {
        let mut ws = common::connect(board(), "/echo");
        ws.send(Message::text(format!("session {i}"))).unwrap();
        assert_eq!(common::text(&mut ws), format!("session {i}"));
        ws.close(None).unwrap();
        // Read to the end: the board's close, then its end of the TCP stream.
        while ws.read().is_ok() {}
    }
}

#[test]
#[ignore = "needs the board running: board/run.sh (the test command does it)"]
fn connections_closed_before_a_byte_do_not_use_up_the_sockets() {
    // A port probe: connect, then close without sending anything. Such a
    // connection arrives already in CLOSE-WAIT; left unserved, each probe
    // would take one of the board's sockets for good, and as many probes as
    // it has sockets would leave it refusing everything (each run of the
    // board bench probes).
    for _ in 0..20 {
        let probe = TcpStream::connect(board()).unwrap();
        drop(probe);
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut ws = common::connect(board(), "/echo");
    ws.send(Message::text("still serving")).unwrap();
    assert_eq!(common::text(&mut ws), "still serving");
}

#[test]
#[ignore = "needs the board running: board/run.sh (the test command does it)"]
fn origins_the_board_accepts_and_refuses() {
    // A dashboard served by the twin (8080) or the dev server (8088) may point here; others not.
    for (origin, status) in
        [("http://127.0.0.1:8080", 101), ("http://127.0.0.1:8088", 101), ("http://evil.example", 403)]
    {
        let req = common::upgrade_request(board(), "/printf", &format!("Origin: {origin}\r\n"));
        let (got, _) = common::http(board(), req.as_bytes());
        assert_eq!(got, status, "{origin}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the board running: board/run.sh (the test command does it)"]
async fn dashboard_served_by_the_board() {
    let driver = chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!("http://{}/", board())).await.unwrap();
    check_dashboard(&c, "dashboard-board").await;
    c.close().await.unwrap();
}
