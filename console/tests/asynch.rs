//! The async driver on the same sessions as the poll driver: one task per
//! connection over async pipes, a clock the test moves, and the
//! application's periodic work in a task of its own.
#![cfg(feature = "async")]

use std::cell::RefCell;
use std::rc::Rc;

use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use futures_executor::LocalPool;
use futures_executor::LocalSpawner;
use futures_util::task::LocalSpawnExt;
use wisp_console::asynch::{Clock, Shared};
use wisp_console::testing::{Client, ManualClock, pipe};
use wisp_console::{App, Config, Console, Device, Lines, Micros, Tick, Timing};

/// Prints a numbered line every 100 ms.
struct Ticker(u32);

impl App for Ticker {
    fn tick(&mut self, t: &mut Tick<'_>) -> Option<Micros> {
        t.console.line(format_args!("tick {}", self.0));
        self.0 += 1;
        Some(t.now + 100_000)
    }
}

type Dev = Shared<'static, NoopRawMutex, Ticker, 8>;

fn device(max: usize) -> &'static Dev {
    let console: &'static Console<8192, 8> = Box::leak(Box::new(Console::new()));
    let cfg = Config {
        max_sessions: max,
        timing: Timing { ping_interval: 1_000_000, pong_timeout: 500_000, ..Timing::default() },
        ..Config::default()
    };
    Box::leak(Box::new(Shared::new(Device::new(cfg, console as &dyn Lines, Ticker(0)))))
}

/// Accept a connection on a task of its own; the client end is returned.
fn connect(
    dev: &'static Dev,
    spawner: &LocalSpawner,
    clock: &ManualClock,
    path: &str,
    ended: &Rc<RefCell<u32>>,
) -> Client {
    let (client, mut device_end) = pipe(16 * 1024);
    let (clock, ended) = (clock.clone(), ended.clone());
    spawner
        .spawn_local(async move {
            let mut writer = device_end.clone();
            dev.serve::<_, _, _, 1024, 2048>(&mut device_end, &mut writer, None, &clock).await;
            *ended.borrow_mut() += 1;
        })
        .unwrap();
    Client::connect(client, "127.0.0.1", path, "", 7)
}

fn run(pool: &mut LocalPool, clock: &ManualClock, clients: &mut [&mut Client], micros: Micros) {
    for _ in 0..micros / 10_000 {
        for _ in 0..20 {
            pool.run_until_stalled();
            let mut moved = false;
            for c in clients.iter_mut() {
                moved |= c.poll();
            }
            if !moved {
                break;
            }
        }
        clock.advance(10_000);
    }
}

#[test]
fn tasks_serve_lines_in_order_keepalive_limits_and_close() {
    let dev = device(2);
    let clock = ManualClock::default();
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    let c2 = clock.clone();
    spawner.spawn_local(async move { dev.run_app(&c2).await }).unwrap();
    let ended = Rc::new(RefCell::new(0));
    let mut a = connect(dev, &spawner, &clock, "/printf", &ended);
    let mut b = connect(dev, &spawner, &clock, "/printf", &ended);
    run(&mut pool, &clock, &mut [&mut a, &mut b], 3_000_000);
    for c in [&mut a, &mut b] {
        let seqs: Vec<u64> = c.texts().iter().map(|t| t[1..].split(' ').next().unwrap().parse().unwrap()).collect();
        assert!(seqs.len() >= 25, "{seqs:?}");
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "in order: {seqs:?}");
        assert!(c.close.is_none(), "pings answered across 3 s: {:?}", c.close);
    }
    // One over the limit is turned away politely.
    let mut c = connect(dev, &spawner, &clock, "/printf", &ended);
    run(&mut pool, &clock, &mut [&mut a, &mut b, &mut c], 100_000);
    assert_eq!(c.close.as_ref().map(|c| c.0), Some(Some(1013)));
    // A command reaches the device through its task.
    a.send_text("print from a task");
    run(&mut pool, &clock, &mut [&mut a, &mut b, &mut c], 100_000);
    assert!(b.texts().iter().any(|t| t.ends_with("INFO print: from a task")));
    // A client that stops answering pings is closed; the task ends.
    b.answer_pings = false;
    run(&mut pool, &clock, &mut [&mut a, &mut b, &mut c], 3_000_000);
    assert_eq!(b.close.as_ref().map(|c| c.0), Some(Some(1001)));
    assert_eq!(*ended.borrow(), 2, "the refused one and the silent one");
    assert!(a.close.is_none());
    assert_eq!(clock.now() / 1_000_000, 6);
}

/// A mirror task's loop: `read_next` waits while the console is empty,
/// wakes on a line, and hands out a drop notice for lines lost.
#[test]
fn read_next_waits_for_a_line_and_reports_drops() {
    use wisp_console::{Entry, LINE_MAX};
    let console: &'static Console<1024, 2> = Box::leak(Box::new(Console::new()));
    let reader = console.subscribe_unpaced(0).unwrap();
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let mut pool = LocalPool::new();
    let log = seen.clone();
    pool.spawner()
        .spawn_local(async move {
            let mut text = [0; LINE_MAX];
            loop {
                let what = match console.read_next(reader, &mut text).await {
                    Entry::Line { seq, len, .. } => format!("#{seq} {}", String::from_utf8_lossy(&text[..len])),
                    Entry::Dropped { from, to } => format!("! {from}..{to}"),
                    Entry::Empty => "empty".into(),
                };
                log.borrow_mut().push(what);
            }
        })
        .unwrap();
    pool.run_until_stalled();
    assert!(seen.borrow().is_empty(), "nothing to read: the task waits");
    console.line(format_args!("first"));
    pool.run_until_stalled();
    assert_eq!(*seen.borrow(), ["#0 first"]);
    // More than the ring holds while the task is not polled: the oldest go.
    for n in 0..100 {
        console.line(format_args!("line {n:02} {:-<60}", ""));
    }
    pool.run_until_stalled();
    let seen = seen.borrow();
    assert!(seen[1].starts_with("! 1.."), "a drop notice first: {seen:?}");
    assert_eq!(seen.last().map(String::as_str), Some(format!("#100 line 99 {:-<60}", "").as_str()));
    assert!(!seen.iter().any(|s| s == "empty"));
}
