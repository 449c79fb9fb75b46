//! `/printf`: the console stream, every command, the dump, slow readers.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tungstenite::Message;

#[test]
fn ten_thousand_lines_in_order_without_gaps() {
    let t = twin(|_| {});
    let mut ws = connect(t.addr, "/printf");
    assert!(command(&mut ws, "burst 10000").starts_with("> burst of 10000"));
    let mut last: Option<u32> = None;
    let mut count = 0;
    while count < 10_000 {
        let line = text(&mut ws);
        assert!(!line.starts_with('!'), "unexpected notice: {line}");
        if !line.starts_with('#') {
            continue;
        }
        let n = seq(&line);
        if let Some(prev) = last {
            assert_eq!(n, prev + 1, "gap or reorder after #{prev}: {line}");
        }
        last = Some(n);
        if line.contains("burst:") {
            count += 1;
        }
    }
    assert!(last.unwrap() >= 10_000);
}

#[test]
fn periodic_lines_pause_and_resume() {
    let t = twin(|o| o.rate = 50);
    let mut ws = connect(t.addr, "/printf");
    let first = seq(&until(&mut ws, |l| l.starts_with('#')).0);
    assert_eq!(command(&mut ws, "pause"), "> paused");
    // Drain what was in flight, then nothing new for a while.
    std::thread::sleep(Duration::from_millis(100));
    ws.send(Message::text("print marker-after-pause")).unwrap();
    let (_, _) = until(&mut ws, |l| l.contains("marker-after-pause"));
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_millis(400))).unwrap();
    }
    match ws.read() {
        Err(tungstenite::Error::Io(e))
            if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
        other => panic!("a line arrived while paused: {other:?}"),
    }
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    }
    assert!(command(&mut ws, "resume").starts_with("> resumed at 50"));
    let later = seq(&until(&mut ws, |l| l.starts_with('#') && !l.contains("marker")).0);
    assert!(later > first);
}

#[test]
fn every_command_answers() {
    let t = twin(|_| {});
    let mut ws = connect(t.addr, "/printf");
    assert_eq!(command(&mut ws, "rate 7"), "> rate 7 lines/s");
    assert_eq!(command(&mut ws, "pause"), "> paused");
    assert!(command(&mut ws, "help").starts_with("> help"));
    ws.send(Message::text("print hello from the test")).unwrap();
    let (line, _) = until(&mut ws, |l| l.ends_with("hello from the test"));
    assert!(line.starts_with('#'), "print goes into the console: {line}");
    assert!(command(&mut ws, "ping").starts_with("> pong: round trip "));
    for bad in ["jump", "rate fast", "burst 0", "close 1005", "dump"] {
        let reply = command(&mut ws, bad);
        assert!(reply.starts_with("! "), "{bad}: {reply}");
    }
    // A binary message is not a command, and not a reason to disconnect.
    ws.send(Message::binary(vec![1, 2, 3])).unwrap();
    assert!(until(&mut ws, |l| l.starts_with('!')).0.contains("binary"));
    assert_eq!(command(&mut ws, "pause"), "> paused", "still connected");
    ws.send(Message::text("close 4001 done here")).unwrap();
    assert_eq!(closed(&mut ws), Some(4001u16.into()));
}

#[test]
fn log_records_and_a_coloured_line() {
    let t = twin(|_| {});
    let mut ws = connect(t.addr, "/printf");
    ws.send(Message::text("log warn disk almost full")).unwrap();
    let (line, _) = until(&mut ws, |l| l.ends_with("disk almost full"));
    // The log-record form: `#<seq> [<uptime, 6.6>] <LEVEL> <target>: <message>`.
    let (head, rest) = line.split_once(" [").unwrap();
    assert!(head[1..].parse::<u64>().is_ok(), "{line}");
    let (uptime, record) = rest.split_once("] ").unwrap();
    let (secs, micros) = uptime.split_once('.').unwrap();
    assert_eq!((secs.len(), micros.len()), (6, 6), "{line}");
    assert!(secs.trim_start().parse::<u64>().is_ok() && micros.parse::<u32>().is_ok(), "{line}");
    assert_eq!(record, "WARN cmd: disk almost full");
    ws.send(Message::text("colors")).unwrap();
    let (line, _) = until(&mut ws, |l| l.contains("orange"));
    assert!(
        line.ends_with(
            " \x1b[31mred\x1b[0m \x1b[32mgreen\x1b[0m \x1b[1;34mbold blue\x1b[0m \x1b[38;5;208morange\x1b[0m"
        ),
        "{line:?}"
    );
    let help: Vec<String> = {
        ws.send(Message::text("help")).unwrap();
        (0..wisp_console::command::BUILTINS.len() + <wisp_sim::Sim as wisp_console::App>::COMMANDS.len())
            .map(|_| until(&mut ws, |l| l.starts_with('>')).0)
            .collect()
    };
    assert!(help.iter().any(|l| l.starts_with("> log <level> <text>")), "{help:?}");
    assert!(help.iter().any(|l| l.starts_with("> colors ")), "{help:?}");
}

#[test]
fn dump_is_one_message_of_many_frames_with_the_documented_bytes() {
    let t = twin(|o| o.ping_interval = 1); // pings go between the dump's frames
    let mut ws = connect(t.addr, "/printf");
    // Frames are counted through the tap.
    let mut tap = connect(t.addr, "/tap");
    let reply = command(&mut ws, "dump 20000");
    assert!(reply.starts_with("> dump of 20000 bytes is line #"), "{reply}");
    let (dump, _) = until(&mut ws, |l| l.contains(" dump 0x"));
    let mut lines = dump.lines();
    let title = lines.next().unwrap();
    let addr = u32::from_str_radix(&title.split("dump 0x").nth(1).unwrap()[..8], 16).unwrap();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 1250);
    for (i, row) in rows.iter().enumerate() {
        let a = addr + 16 * i as u32;
        assert!(row.starts_with(&format!("{a:08x}  ")), "{row}");
        let hex: Vec<u8> = row[10..57].split_whitespace().map(|h| u8::from_str_radix(h, 16).unwrap()).collect();
        let expect: Vec<u8> = (0..16).map(|k| wisp_sim::sim::memory_byte(a + k)).collect();
        assert_eq!(hex, expect, "row {i}");
    }
    // The tap saw the dump go out as FIN=0 text, continuations, FIN=1 — and
    // pings between them.
    let mut frames = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let Message::Binary(b) = tap.read().unwrap() else {
            continue;
        };
        for r in wisp_console::tap::records(&b) {
            if r.direction == wisp_console::tap::Direction::Sent {
                frames.push(r.header()[0]);
            }
        }
        if frames.iter().rev().take(3).any(|&b0| b0 == 0x80) {
            break;
        }
    }
    let start = frames.iter().position(|&b| b == 0x01).expect("a text frame with FIN=0");
    let end = frames.iter().position(|&b| b == 0x80).expect("a final continuation");
    let conts = frames[start..end].iter().filter(|&&b| b == 0x00).count();
    assert!(conts >= 2, "several continuation frames: {frames:x?}");
}

#[test]
fn slow_reader_gets_a_drop_notice_and_the_fast_one_loses_nothing() {
    let t = twin(|_| {});
    let mut fast = connect(t.addr, "/printf");
    // The slow client has a small receive window and stops reading: the
    // device's queue for it fills up.
    let mut slow = small_window_client(t.addr, "/printf");
    assert!(command(&mut fast, "burst 60000").starts_with("> burst"));
    let mut last = None;
    let mut bursts = 0;
    while bursts < 60_000 {
        let line = text(&mut fast);
        assert!(!line.starts_with("! dropped"), "the fast reader lost lines: {line}");
        if line.starts_with('#') {
            let n = seq(&line);
            if let Some(p) = last {
                assert_eq!(n, p + 1);
            }
            last = Some(n);
            if line.contains("burst:") {
                bursts += 1;
            }
        }
    }
    // Now the slow one reads: whole lines, then a notice, then whole lines.
    let (notice, before) = until_plain(&mut slow, |l| l.starts_with("! dropped"));
    assert!(notice.contains("lines (#"), "{notice}");
    let after = until_plain(&mut slow, |l| l.starts_with('#')).0;
    let gap_from: u32 = notice.split("(#").nth(1).unwrap().split("..").next().unwrap().parse().unwrap();
    let gap_to: u32 = notice.split("..#").nth(1).unwrap().split(')').next().unwrap().parse().unwrap();
    assert_eq!(seq(before.last().unwrap()) + 1, gap_from);
    assert_eq!(seq(&after), gap_to + 1);
}

/// A tungstenite client over a socket whose receive buffer is set small
/// before connecting (so the TCP window stays small).
fn small_window_client(addr: std::net::SocketAddr, path: &str) -> tungstenite::WebSocket<std::net::TcpStream> {
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    sock.connect(&addr.into()).unwrap();
    let stream: std::net::TcpStream = sock.into();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let (ws, _) = tungstenite::client(format!("ws://{addr}{path}"), stream).unwrap();
    ws
}

#[test]
fn debug_subprotocol_is_accepted() {
    use tungstenite::client::IntoClientRequest;
    let t = twin(|_| {});
    let mut req = format!("ws://{}/printf", t.addr).into_client_request().unwrap();
    req.headers_mut().insert("Sec-WebSocket-Protocol", "debug".parse().unwrap());
    let (mut ws, resp) = tungstenite::connect(req).unwrap();
    assert_eq!(resp.headers()["sec-websocket-protocol"], "debug");
    assert_eq!(command(&mut ws, "pause"), "> paused");
}

fn until_plain(
    ws: &mut tungstenite::WebSocket<std::net::TcpStream>,
    f: impl Fn(&str) -> bool,
) -> (String, Vec<String>) {
    let mut lines = Vec::new();
    loop {
        if let Message::Text(t) = ws.read().unwrap() {
            let t = t.to_string();
            if f(&t) {
                return (t, lines);
            }
            if t.starts_with('#') {
                lines.push(t);
            }
        }
    }
}
