//! Property: any sequence of messages, cut into any fragments, with control
//! frames between the fragments, read through any chunking of the byte
//! stream and any small buffer, arrives exactly as sent — in both directions.

mod common;

use common::{Receiver, Seen, Sender};
use proptest::prelude::*;
use wisp::{CloseCode, CloseFrame, DataKind, Outgoing, Role};

#[derive(Debug, Clone)]
enum Item {
    Message { text: bool, payload: Vec<u8>, cuts: Vec<usize>, pings: Vec<Vec<u8>> },
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        4 => (
            any::<bool>(),
            prop_oneof![
                ".{0,300}".prop_map(String::into_bytes),
                proptest::collection::vec(any::<u8>(), 0..3000),
            ],
            proptest::collection::vec(0usize..3000, 0..5),
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..=125), 0..3),
        )
            .prop_map(|(text, payload, cuts, pings)| {
                // Text messages must be UTF-8; binary keeps whatever bytes.
                let payload = if text { String::from_utf8_lossy(&payload).into_owned().into_bytes() } else { payload };
                Item::Message { text, payload, cuts, pings }
            }),
        1 => proptest::collection::vec(any::<u8>(), 0..=125).prop_map(Item::Ping),
        1 => proptest::collection::vec(any::<u8>(), 0..=125).prop_map(Item::Pong),
    ]
}

fn run(items: &[Item], from: Role, chunk: usize, cap: usize) {
    let to = match from {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    };
    let mut tx = Sender::new(from);
    let mut expect = Vec::new();
    for it in items {
        match it {
            Item::Message { text, payload, cuts, pings } => {
                let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (payload.len() + 1)).collect();
                cuts.sort_unstable();
                let mut start = 0;
                let mut pings = pings.iter();
                for end in cuts.into_iter().chain([payload.len()]) {
                    let fin = end == payload.len();
                    if end < start || (!fin && end == start && start != 0) {
                        continue;
                    }
                    let piece = &payload[start..end];
                    let frame = if *text {
                        Outgoing::Text { payload: piece, fin }
                    } else {
                        Outgoing::Binary { payload: piece, fin }
                    };
                    tx.send(frame).unwrap();
                    if fin {
                        break;
                    }
                    start = end;
                    if !fin && let Some(p) = pings.next() {
                        tx.send(Outgoing::Ping(p)).unwrap();
                        expect.push(Seen::Ping(p.clone()));
                    }
                }
                let kind = if *text { DataKind::Text } else { DataKind::Binary };
                expect.push(Seen::Message(kind, payload.clone()));
            }
            Item::Ping(p) => {
                tx.send(Outgoing::Ping(p)).unwrap();
                expect.push(Seen::Ping(p.clone()));
            }
            Item::Pong(p) => {
                tx.send(Outgoing::Pong(p)).unwrap();
                expect.push(Seen::Pong(p.clone()));
            }
        }
    }
    tx.send(Outgoing::Close(CloseFrame { code: Some(CloseCode(4000)), reason: "done" })).unwrap();
    expect.push(Seen::Close(Some(CloseCode(4000)), "done".into()));

    let mut rx = Receiver::new(to, cap);
    rx.feed(&tx.wire, chunk).unwrap();
    // Pings sent between fragments are seen before the message completes;
    // compare as the receiver orders them.
    let summary = |v: &[Seen]| -> Vec<String> {
        v.iter()
            .map(|s| match s {
                Seen::Message(k, p) => format!("{k:?}:{}:{:x}", p.len(), p.iter().map(|&b| b as u64).sum::<u64>()),
                other => format!("{:?}", other).chars().take(40).collect(),
            })
            .collect()
    };
    assert_eq!(summary(&rx.seen), summary(&expect));
    assert_eq!(rx.seen, expect);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn client_to_server(items in proptest::collection::vec(item(), 0..8), chunk in 1usize..300, extra in 0usize..200) {
        run(&items, Role::Client, chunk, wisp::connection::MIN_READ_BUFFER + extra);
    }

    #[test]
    fn server_to_client(items in proptest::collection::vec(item(), 0..8), chunk in 1usize..300, extra in 0usize..200) {
        run(&items, Role::Server, chunk, wisp::connection::MIN_READ_BUFFER + extra);
    }
}

#[test]
fn one_byte_chunks() {
    let items = vec![
        Item::Message {
            text: true,
            payload: "héllo wörld €𝄞".into(),
            cuts: vec![1, 2, 3, 7, 9],
            pings: vec![b"a".to_vec(), vec![]],
        },
        Item::Ping(vec![7; 125]),
        Item::Message { text: false, payload: vec![0xFF; 70_000], cuts: vec![65_535, 65_536], pings: vec![] },
    ];
    run(&items, Role::Client, 1, wisp::connection::MIN_READ_BUFFER);
    run(&items, Role::Server, 1, wisp::connection::MIN_READ_BUFFER);
}
