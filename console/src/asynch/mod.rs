//! The driver over `embedded-io-async` transports: one task per
//! connection, as an embassy firmware is written (feature `async`).
//!
//! The device sits in a [`Shared`] — a blocking mutex around it, in a
//! `static` — and every task runs [`Shared::serve`] on the connection it
//! accepted: the same sans-IO [`Session`] the poll driver runs, here woken
//! by its socket, its deadlines and new console lines. One more task runs
//! the application's periodic work ([`Shared::run_app`]).
//!
//! ```ignore
//! static CONSOLE: Console = Console::new().with_clock(now_micros);
//! static DEVICE: StaticCell<Shared<CriticalSectionRawMutex, MyApp>> = StaticCell::new();
//!
//! #[embassy_executor::task(pool_size = 6)]
//! async fn web(stack: Stack<'static>, device: &'static Shared<CriticalSectionRawMutex, MyApp>) -> ! {
//!     let (mut rx, mut tx) = ([0; 1024], [0; 1024]);
//!     let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
//!     loop {
//!         if socket.accept(80).await.is_ok() {
//!             let (mut r, mut w) = socket.split();
//!             device.serve::<_, _, _, 1024, 2048>(&mut r, &mut w, None, &EmbassyClock).await;
//!         }
//!         socket.close();
//!         let _ = socket.flush().await;
//!         socket.abort();
//!     }
//! }
//! ```
//!
//! The transport's `read` and `write` must be cancel-safe (embassy-net's
//! are): a session waits on both, a timer and new lines at once, and drops
//! whichever did not finish.

use core::cell::RefCell;
use core::future::{Future, poll_fn};
use core::task::Poll;

use embassy_futures::select::{Either4, select4};
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embedded_io_async::{Read, Write};

use crate::app::App;
use crate::device::Device;
use crate::session::{Ending, Session, Step};
use crate::{Micros, Peer};

#[cfg(feature = "embassy-net")]
mod tcp;
#[cfg(feature = "embassy-net")]
pub use tcp::{LINGER, TCP_TIMEOUT};

/// Time for the async driver: now, and a future that completes at a
/// deadline (µs since boot).
pub trait Clock {
    /// The time.
    fn now(&self) -> Micros;
    /// Complete at `deadline` (at once if it has passed).
    fn at(&self, deadline: Micros) -> impl Future<Output = ()>;
}

/// `embassy-time` as the driver's clock (feature `embassy`).
#[cfg(feature = "embassy")]
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbassyClock;

#[cfg(feature = "embassy")]
impl Clock for EmbassyClock {
    fn now(&self) -> Micros {
        embassy_time::Instant::now().as_micros()
    }

    fn at(&self, deadline: Micros) -> impl Future<Output = ()> {
        // "Never" (`Micros::MAX`) as embassy spells it, not as an overflow.
        let at =
            if deadline > 1 << 60 { embassy_time::Instant::MAX } else { embassy_time::Instant::from_micros(deadline) };
        embassy_time::Timer::at(at)
    }
}

/// The device, shared by the tasks that serve it: put it in a `static`
/// (`StaticCell`). `M` is the mutex kind — `NoopRawMutex` when every task
/// runs on one executor, `CriticalSectionRawMutex` otherwise.
pub struct Shared<'a, M: RawMutex, A, const N: usize = 8> {
    device: Mutex<M, RefCell<Device<'a, A, N>>>,
}

impl<'a, M: RawMutex, A: App, const N: usize> Shared<'a, M, A, N> {
    /// Share `device`.
    pub const fn new(device: Device<'a, A, N>) -> Self {
        Shared { device: Mutex::new(RefCell::new(device)) }
    }

    /// Run `f` on the device (to change the application, say). Do not call
    /// it from inside another `lock`.
    pub fn lock<R>(&self, f: impl FnOnce(&mut Device<'a, A, N>) -> R) -> R {
        self.device.lock(|d| f(&mut d.borrow_mut()))
    }

    /// What has happened so far, to wait for something new.
    fn mark(&self) -> (u64, u32) {
        self.lock(|d| (d.console.next_seq(), d.generation()))
    }

    /// Complete when a console line or a device event came after `since`.
    async fn changed(&self, since: (u64, u32)) {
        poll_fn(|cx| {
            self.lock(|d| {
                if (d.console.next_seq(), d.generation()) != since {
                    return Poll::Ready(());
                }
                d.console.wake_on_line(cx.waker());
                d.wakers.register(cx.waker());
                Poll::Pending
            })
        })
        .await
    }

    /// Serve one accepted connection (from `peer`, if known) to its end,
    /// with `RX`/`TX`-byte session buffers; returns why it ended. The
    /// caller closes the socket and accepts the next.
    pub async fn serve<R: Read, W: Write, C: Clock, const RX: usize, const TX: usize>(
        &self,
        reader: &mut R,
        writer: &mut W,
        peer: Option<Peer>,
        clock: &C,
    ) -> Ending {
        let Some(admission) = self.lock(|d| d.admit(peer)) else {
            return Ending { code: None, why: "no room in the session table" };
        };
        let mut session = Session::<RX, TX>::accept(admission, clock.now());
        self.drive(&mut session, reader, writer, clock).await
    }

    /// Dial out: `reader`/`writer` are a connection the platform opened to
    /// `host`; the session sends the upgrade request for `path` and streams
    /// the console as a client (needs [`Config::entropy`](crate::Config::entropy)).
    #[cfg(feature = "dial")]
    pub async fn dial<R: Read, W: Write, C: Clock, const RX: usize, const TX: usize>(
        &self,
        reader: &mut R,
        writer: &mut W,
        host: &str,
        path: &str,
        clock: &C,
    ) -> Ending {
        let Some((admission, entropy)) = self.lock(|d| Some((d.admit(None)?, d.config().entropy?))) else {
            return Ending { code: None, why: "no entropy or no room to dial" };
        };
        let mut session = Session::<RX, TX>::dial(admission, clock.now(), host, path, entropy);
        self.drive(&mut session, reader, writer, clock).await
    }

    async fn drive<R: Read, W: Write, C: Clock, const RX: usize, const TX: usize>(
        &self,
        session: &mut Session<RX, TX>,
        reader: &mut R,
        writer: &mut W,
        clock: &C,
    ) -> Ending {
        loop {
            let now = clock.now();
            let since = self.mark();
            let (step, deadline) = self.lock(|d| {
                let taps = d.taps.next();
                d.tick(now);
                let step = session.poll(now, d);
                if d.taps.next() != taps {
                    // Tap sessions have records to send.
                    d.wake();
                }
                // After a poll nothing is due any more: a deadline already
                // passed would only make this loop spin.
                (step, session.deadline(&d.config().timing).max(now + 1))
            });
            if let Step::Ended(ending) = step {
                return ending;
            }
            if step == Step::Busy {
                // Progress made: look again before sleeping, but let the
                // other tasks run first.
                embassy_futures::yield_now().await;
                continue;
            }
            let (input, output) = session.io();
            let read =
                async { if input.is_empty() { core::future::pending().await } else { reader.read(input).await } };
            let write =
                async { if output.is_empty() { core::future::pending().await } else { writer.write(output).await } };
            let woke = select4(read, write, clock.at(deadline), self.changed(since)).await;
            let now = clock.now();
            match woke {
                Either4::First(Ok(n)) => session.received(n, now),
                Either4::Second(Ok(n)) => session.sent(n, now),
                Either4::First(Err(_)) => return self.lock(|d| session.abort("transport error", d)),
                Either4::Second(Err(_)) => return self.lock(|d| session.abort("transport error while sending", d)),
                Either4::Third(()) | Either4::Fourth(()) => {}
            }
        }
    }

    /// Run the application's periodic work ([`App::tick`]) for ever: at the
    /// times it asks for, and whenever a command may have changed it.
    pub async fn run_app<C: Clock>(&self, clock: &C) -> ! {
        loop {
            let now = clock.now();
            let since = self.mark();
            let next = self.lock(|d| d.tick(now));
            embassy_futures::select::select(clock.at(next.unwrap_or(Micros::MAX)), self.changed(since)).await;
            embassy_futures::yield_now().await;
        }
    }
}
