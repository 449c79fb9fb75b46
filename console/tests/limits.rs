//! What no peer can do to a device: hold a slot with a trickling head, hold
//! one by never reading, outlast the connection limit, or go quiet without
//! being pinged away — all on a caller-driven clock, while a well-behaved
//! client keeps being served.

use wisp::CloseCode;
use wisp_console::testing::{Client, Pipe, Rig};
use wisp_console::{Asset, Config, Lines, Peer, Site, Timing};

const SECOND: u64 = 1_000_000;

fn config(max: usize) -> Config<'static> {
    Config {
        max_sessions: max,
        max_per_peer: max,
        timing: Timing {
            ping_interval: 2 * SECOND,
            pong_timeout: SECOND,
            head_timeout: 3 * SECOND,
            idle_timeout: 3 * SECOND,
            send_timeout: 3 * SECOND,
            close_grace: SECOND,
        },
        ..Config::default()
    }
}

/// A plain HTTP request on a new connection; the response, once closed.
fn http(rig: &mut Rig<'_, ()>, req: &str) -> String {
    let p = rig.dial_raw(None).expect("a slot");
    p.put(req.as_bytes());
    for _ in 0..100 {
        rig.advance(1_000);
    }
    String::from_utf8_lossy(&p.take(usize::MAX)).into_owned()
}

/// Lines a client got, as sequence numbers.
fn seqs(c: &mut Client) -> Vec<u64> {
    c.texts()
        .iter()
        .filter(|t| t.starts_with('#'))
        .map(|t| t[1..].split(' ').next().unwrap().parse().unwrap())
        .collect()
}

/// Keep a console line coming while time passes, and return them.
fn stream_for(rig: &mut Rig<'_, ()>, secs: u64, clients: &mut [&mut Client]) {
    for _ in 0..secs * 10 {
        rig.console.line(format_args!("tick"));
        rig.advance_with(100_000, clients);
    }
}

#[test]
fn one_over_the_limit_gets_503_or_1013_and_the_others_are_served() {
    let mut rig = Rig::new(config(2), ());
    let mut a = rig.connect("/printf");
    let mut b = rig.connect("/printf");
    rig.settle(&mut [&mut a, &mut b]);
    let mut c = rig.connect("/printf");
    rig.settle(&mut [&mut a, &mut b, &mut c]);
    assert_eq!(c.close.as_ref().map(|c| c.0), Some(Some(1013)), "{:?}", c.close);
    let refused = http(&mut rig, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    assert!(refused.starts_with("HTTP/1.1 503 "), "{refused}");
    stream_for(&mut rig, 1, &mut [&mut a, &mut b]);
    assert_eq!(seqs(&mut a).len(), 10);
    assert_eq!(seqs(&mut b).len(), 10);
}

#[test]
fn one_peer_address_cannot_take_every_slot() {
    let mut rig = Rig::new(Config { max_per_peer: 2, ..config(4) }, ());
    let greedy = Some(Peer::from([10, 0, 0, 66]));
    let mut held: Vec<Client> = (0..3).map(|_| rig.connect_with("/printf", "", greedy)).collect();
    let mut other = rig.connect_with("/printf", "", Some(Peer::from([10, 0, 0, 7])));
    let mut all: Vec<&mut Client> = held.iter_mut().collect();
    all.push(&mut other);
    rig.settle(&mut all);
    let codes: Vec<_> = held.iter().map(|c| c.close.as_ref().and_then(|c| c.0)).collect();
    assert_eq!(codes, [None, None, Some(1013)], "the third from one address is turned away");
    assert!(other.is_open() && other.close.is_none(), "another address still gets in");
}

#[test]
fn a_trickling_head_is_cut_off_by_a_deadline_from_its_first_byte() {
    let mut rig = Rig::new(config(2), ());
    let mut good = rig.connect("/printf");
    let slow: Pipe = rig.dial_raw(None).unwrap();
    let req = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    // One byte every half second: each arrives well within any idle
    // timeout, and the head never ends.
    for b in req.iter() {
        slow.put(&[*b]);
        rig.console.line(format_args!("tick"));
        rig.advance_with(SECOND / 2, &mut [&mut good]);
        if rig.sessions() == 1 {
            break;
        }
    }
    assert_eq!(rig.sessions(), 1, "the slow head's slot was reclaimed");
    let answer = String::from_utf8_lossy(&slow.take(usize::MAX)).into_owned();
    assert!(answer.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{answer}");
    assert!(answer.ends_with("request head took too long\n"), "{answer}");
    assert!(rig.now <= 4 * SECOND, "within the head timeout of the first byte: {}", rig.now);
    assert!(seqs(&mut good).len() >= 6, "the good client was served meanwhile");
}

#[test]
fn a_connection_that_sends_nothing_is_closed_when_idle() {
    let mut rig = Rig::new(config(2), ());
    let quiet = rig.dial_raw(None).unwrap();
    rig.advance(2 * SECOND);
    assert_eq!(rig.sessions(), 1);
    rig.advance(2 * SECOND);
    assert_eq!(rig.sessions(), 0);
    let _ = quiet;
}

#[test]
fn a_reader_that_never_reads_is_closed_and_its_slot_reclaimed() {
    let mut rig = Rig::new(config(4), ());
    rig.socket_buffer = 8192;
    let mut good = rig.connect("/printf");
    let mut stuck = rig.connect("/echo");
    let mut sleeper = rig.connect("/printf");
    rig.settle(&mut [&mut good, &mut stuck, &mut sleeper]);
    // The echo client sends and never reads; the printf one never reads.
    stuck.reading = false;
    sleeper.reading = false;
    let big = vec![b'x'; 4000];
    for _ in 0..20 {
        stuck.send(wisp::Outgoing::Binary { payload: &big, fin: true });
    }
    stream_for(&mut rig, 8, &mut [&mut good, &mut stuck, &mut sleeper]);
    assert_eq!(rig.sessions(), 1, "both non-readers were closed");
    let got = seqs(&mut good);
    assert_eq!(got.len(), 80, "the good client got every line meanwhile");
    assert!(got.windows(2).all(|w| w[1] == w[0] + 1));
}

#[test]
fn a_client_that_stops_answering_pings_is_closed_with_1001() {
    let mut rig = Rig::new(config(2), ());
    let mut c = rig.connect("/printf");
    rig.settle(&mut [&mut c]);
    rig.advance_with(3 * SECOND, &mut [&mut c]);
    assert!(c.close.is_none(), "pings answered: still open");
    c.answer_pings = false;
    rig.advance_with(4 * SECOND, &mut [&mut c]);
    assert_eq!(c.close, Some((Some(1001), "pong timeout".into())));
    rig.advance_with(2 * SECOND, &mut [&mut c]);
    assert_eq!(rig.sessions(), 0);
}

#[test]
fn a_close_the_peer_does_not_answer_ends_after_the_grace() {
    let mut rig = Rig::new(config(2), ());
    let mut c = rig.connect("/printf");
    rig.settle(&mut [&mut c]);
    c.reading = false;
    rig.server.close_all(CloseCode::GOING_AWAY, "device shutting down", rig.now);
    rig.advance(SECOND / 2);
    assert_eq!(rig.sessions(), 1);
    rig.advance(SECOND);
    assert_eq!(rig.sessions(), 0);
    c.reading = true;
    rig.settle(&mut [&mut c]);
    assert_eq!(c.close, Some((Some(1001), "device shutting down".into())));
}

#[test]
fn an_idle_keep_alive_connection_gives_way_to_a_new_one() {
    static FILES: [Asset; 1] = [Asset::new("/", "text/plain", b"hello")];
    let cfg = Config { site: Site { files: &FILES, ..Site::default() }, ..config(1) };
    let mut rig = Rig::new(cfg, ());
    let kept = rig.dial_raw(None).unwrap();
    kept.put(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    rig.advance(1_000);
    let first = String::from_utf8_lossy(&kept.take(usize::MAX)).into_owned();
    assert!(first.starts_with("HTTP/1.1 200 OK") && first.ends_with("hello"), "{first}");
    assert_eq!(rig.sessions(), 1, "kept alive");
    // At the limit, a WebSocket gets in and the idle connection goes.
    let mut c = rig.connect("/printf");
    rig.settle(&mut [&mut c]);
    assert!(c.is_open() && c.close.is_none(), "{:?}", c.close);
    assert_eq!(rig.sessions(), 1);
    assert!(kept.take(usize::MAX).is_empty(), "closed without a word (RFC 9112 §9.6)");
}

#[test]
fn session_ids_are_never_shared_by_two_open_sessions() {
    let mut rig = Rig::new(config(8), ());
    let mut ids = std::collections::HashSet::new();
    let mut keep = Vec::new();
    for _ in 0..3 {
        let c = rig.connect("/echo");
        keep.push(c);
    }
    let mut all: Vec<&mut Client> = keep.iter_mut().collect();
    rig.settle(&mut all);
    // Open and close 70,000 sessions beside the three kept open: the id
    // counter wraps past u16::MAX and must skip the ids still in use.
    for _ in 0..70_000 {
        let p = rig.dial_raw(None).unwrap();
        p.close();
        rig.server.poll(rig.now);
    }
    for (id, _, _) in rig.server.interests() {
        assert!(ids.insert(id), "id {id} twice");
    }
    assert_eq!(ids.len(), 3);
}
