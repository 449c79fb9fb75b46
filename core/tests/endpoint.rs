//! The buffered endpoint as scenarios over an in-memory pipe: it answers
//! pings and closes itself, fails a bad peer with the right close code, keeps
//! room for control frames, and slows down a peer that does not read.

use wisp::endpoint::{CONTROL_RESERVE, Storage, Tap};
use wisp::{Client, CloseCode, DataKind, Endpoint, Error, Event, Outgoing, Server};

type ServerEp = Endpoint<Storage<512, 512>>;
type ClientEp = Endpoint<Storage<512, 512>, Client, fn() -> [u8; 4]>;

fn key() -> [u8; 4] {
    [0x37, 0xfa, 0x21, 0x3d]
}

fn server() -> ServerEp {
    Endpoint::server(Storage::new()).unwrap()
}

fn client() -> ClientEp {
    Endpoint::client(Storage::new(), key as fn() -> [u8; 4]).unwrap()
}

/// Move every queued byte of `from` into `to`'s receive buffer (as much as
/// fits); returns how many moved.
fn pipe<A, B>(from: &mut A, to: &mut B) -> usize
where
    A: Output,
    B: Input,
{
    let out = from.out().to_vec();
    let room = to.inp();
    let n = out.len().min(room.len());
    room[..n].copy_from_slice(&out[..n]);
    to.got(n);
    from.gone(n);
    n
}

trait Output {
    fn out(&self) -> &[u8];
    fn gone(&mut self, n: usize);
}
trait Input {
    fn inp(&mut self) -> &mut [u8];
    fn got(&mut self, n: usize);
}
macro_rules! io {
    ($t:ty) => {
        impl Output for $t {
            fn out(&self) -> &[u8] {
                self.output()
            }
            fn gone(&mut self, n: usize) {
                self.written(n)
            }
        }
        impl Input for $t {
            fn inp(&mut self) -> &mut [u8] {
                self.input()
            }
            fn got(&mut self, n: usize) {
                self.filled(n)
            }
        }
    };
}
io!(ServerEp);
io!(ClientEp);

/// Everything a side saw, owned.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Data(DataKind, Vec<u8>, bool),
    Ping(Vec<u8>),
    Pong(Vec<u8>),
    Close(Option<CloseCode>, String),
}

fn seen(e: Event<'_>) -> Seen {
    match e {
        Event::Data { kind, payload, fin } => Seen::Data(kind, payload.to_vec(), fin),
        Event::Ping(p) => Seen::Ping(p.to_vec()),
        Event::Pong(p) => Seen::Pong(p.to_vec()),
        Event::Close(c) => Seen::Close(c.code, c.reason.to_string()),
    }
}

fn drain_server(ep: &mut ServerEp) -> Vec<Seen> {
    let mut v = Vec::new();
    while let Ok(Some(e)) = ep.poll() {
        v.push(seen(e));
    }
    v
}

fn drain_client(ep: &mut ClientEp) -> Vec<Seen> {
    let mut v = Vec::new();
    while let Ok(Some(e)) = ep.poll() {
        v.push(seen(e));
    }
    v
}

#[test]
fn a_ping_is_answered_before_its_event_is_returned() {
    let (mut s, mut c) = (server(), client());
    c.send(Outgoing::Ping(b"are you there")).unwrap();
    pipe(&mut c, &mut s);
    assert_eq!(drain_server(&mut s), [Seen::Ping(b"are you there".to_vec())]);
    pipe(&mut s, &mut c);
    assert_eq!(drain_client(&mut c), [Seen::Pong(b"are you there".to_vec())]);
}

#[test]
fn the_closing_handshake_needs_no_code_from_the_caller() {
    let (mut s, mut c) = (server(), client());
    c.close(CloseCode::NORMAL, "bye").unwrap();
    pipe(&mut c, &mut s);
    assert_eq!(drain_server(&mut s), [Seen::Close(Some(CloseCode::NORMAL), "bye".into())]);
    // §5.5.1: the reply echoes the code; both close frames have passed.
    assert!(s.connection().is_closed());
    pipe(&mut s, &mut c);
    assert_eq!(drain_client(&mut c), [Seen::Close(Some(CloseCode::NORMAL), String::new())]);
    assert!(c.connection().is_closed());
    assert_eq!(s.poll(), Err(Error::Closed));
}

#[test]
fn a_protocol_error_queues_the_close_that_fails_the_connection() {
    let mut s = server();
    // An unmasked frame from a client (§5.1): 1002.
    s.input()[..4].copy_from_slice(&[0x81, 0x02, b'h', b'i']);
    s.filled(4);
    assert_eq!(s.poll(), Err(Error::UnmaskedFrame));
    assert_eq!(s.output(), &[0x88, 0x02, 0x03, 0xEA]);
    assert_eq!(s.poll(), Err(Error::Closed));
    assert_eq!(s.send(Outgoing::Text { payload: b"x", fin: true }), Err(Error::Closed));
}

#[test]
fn limits_fail_a_long_frame_with_1009() {
    let mut s = server().with_limits::<16, 64>();
    let mut c = client();
    c.send(Outgoing::Binary { payload: &[1; 17], fin: true }).unwrap();
    let wire = c.output().to_vec();
    s.input()[..wire.len()].copy_from_slice(&wire);
    s.filled(wire.len());
    assert_eq!(s.poll(), Err(Error::FrameTooBig));
    assert_eq!(&s.output()[..4], &[0x88, 0x02, 0x03, 0xF1]);
}

#[test]
fn data_never_takes_the_control_reserve() {
    let mut s = server();
    let line = [b'x'; 40];
    let mut sent = 0;
    loop {
        match s.send(Outgoing::Text { payload: &line, fin: true }) {
            Ok(()) => sent += 1,
            Err(e) => {
                assert_eq!(e, Error::Full);
                break;
            }
        }
    }
    assert_eq!(sent, (512 - CONTROL_RESERVE) / 42);
    assert!(s.output().len() <= 512 - CONTROL_RESERVE);
    // A keepalive ping and a close still fit.
    s.send(Outgoing::Ping(&[0; 125])).unwrap();
    s.close(CloseCode::GOING_AWAY, "pong timeout").unwrap();
    // A frame that could never fit is not "full" but too small.
    let big = [0u8; 600];
    let mut empty = server();
    assert_eq!(empty.send(Outgoing::Binary { payload: &big, fin: true }), Err(Error::BufferTooSmall));
}

#[test]
fn a_peer_that_sends_without_reading_is_slowed_down_not_buffered() {
    let (mut s, mut c) = (server(), client());
    // The client sends many pings and never reads the pongs.
    let mut pinged = 0;
    let mut answered = 0;
    for _ in 0..40 {
        if c.send(Outgoing::Ping(&[7; 100])).is_ok() {
            pinged += 1;
        }
        pipe(&mut c, &mut s);
        answered += drain_server(&mut s).len();
    }
    // Only as many as the transmit buffer can hold answers for.
    assert!(answered < pinged, "answered {answered} of {pinged}");
    assert!(s.output().len() <= 512);
    assert!(!s.unread().is_empty(), "the rest waits in the receive buffer");
    // Once the output drains, the rest is answered.
    for _ in 0..100 {
        let n = s.output().len();
        s.written(n);
        answered += drain_server(&mut s).len();
        pipe(&mut c, &mut s);
    }
    assert_eq!(answered, pinged);
}

#[test]
fn an_echo_through_the_outbox_copies_nothing_and_cuts_pieces_to_fit() {
    let (mut s, mut c) = (server(), client());
    let message: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let mut sent = 0;
    let mut echoed = Vec::new();
    let mut fin_seen = false;
    while !fin_seen {
        if sent < message.len() {
            let end = (sent + c.room()).min(message.len());
            if end > sent {
                c.send(Outgoing::Binary { payload: &message[sent..end], fin: end == message.len() }).unwrap();
                sent = end;
            }
        }
        pipe(&mut c, &mut s);
        while let Ok(Some((event, mut outbox))) = s.poll_with_outbox(&mut ()) {
            if let Event::Data { kind, payload, fin } = event {
                assert!(payload.len() <= outbox.room(), "every piece fits the outbox");
                outbox.send(Outgoing::data(kind, payload, fin)).unwrap();
            }
        }
        pipe(&mut s, &mut c);
        for e in drain_client(&mut c) {
            let Seen::Data(DataKind::Binary, bytes, fin) = e else { panic!("{e:?}") };
            echoed.extend_from_slice(&bytes);
            fin_seen |= fin;
        }
    }
    assert_eq!(echoed, message);
}

#[derive(Default)]
struct Recorder {
    received: Vec<Vec<u8>>,
    sent: Vec<Vec<u8>>,
}

impl Tap for Recorder {
    fn received(&mut self, wire: &[u8]) {
        self.received.push(wire.to_vec());
    }
    fn sent(&mut self, wire: &[u8]) {
        self.sent.push(wire.to_vec());
    }
}

#[test]
fn a_tap_sees_every_frame_as_on_the_wire() {
    let (mut s, mut c) = (server(), client());
    c.send(Outgoing::Text { payload: b"Hello", fin: true }).unwrap();
    c.send(Outgoing::Ping(b"p")).unwrap();
    c.close(CloseCode::NORMAL, "").unwrap();
    let wire = c.output().to_vec();
    pipe(&mut c, &mut s);
    let mut tap = Recorder::default();
    let mut events = 0;
    while let Ok(Some(_)) = s.poll_tapped(&mut tap) {
        events += 1;
    }
    assert_eq!(events, 3);
    // The masked "Hello" of RFC 6455 §5.7 as it arrived, then the ping and the close.
    assert_eq!(tap.received[0], [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    assert_eq!(tap.received.concat(), wire);
    // The pong and the close reply, exactly as queued.
    assert_eq!(tap.sent, [vec![0x8a, 0x01, b'p'], vec![0x88, 0x02, 0x03, 0xE8]]);
    assert_eq!(tap.sent.concat(), s.output());
}

#[test]
fn a_client_masks_every_frame_with_a_key_from_its_source() {
    let mut c = client();
    c.send(Outgoing::Text { payload: b"Hello", fin: true }).unwrap();
    assert_eq!(c.output(), &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    let _: &Endpoint<Storage<512, 512>, Server> = &server();
}
