//! The board's serial console: every console line mirrored on UART0, as a
//! device's serial port shows it, the sessions' openings and closings, and
//! the stack's high-water mark.

use core::fmt::Write as _;

use embassy_futures::select::{Either, select};
use embassy_time::{Duration, Timer};
use wisp_board::stack;
use wisp_board::uart::Uart0;
use wisp_console::{Entry, LINE_MAX, Lines, LogEvent};

use crate::{CONSOLE, Wisp};

/// How often the sessions' log is looked at when no line comes.
const LOG_EVERY: Duration = Duration::from_millis(250);

/// Copy console lines to the UART as `#<seq> <text>`, from the first one.
/// The UART is a reader no burst waits for: a serial port is slower than
/// the network, and loses lines (saying which) rather than slow the clients.
#[embassy_executor::task]
pub async fn mirror(wisp: &'static Wisp) -> ! {
    let mut out = Uart0::new();
    let Some(reader) = CONSOLE.subscribe_unpaced(u64::MAX) else {
        out.write_str("wisp-board: no console reader for the UART\r\n");
        wisp_board::halt()
    };
    let mut text = [0; LINE_MAX];
    loop {
        // The sessions' openings and closings, between lines or every
        // LOG_EVERY when none comes.
        while let Some(event) = wisp.lock(|d| d.poll_log()) {
            log_event(&mut out, &event);
        }
        match select(CONSOLE.read_next(reader, &mut text), Timer::after(LOG_EVERY)).await {
            Either::First(Entry::Line { seq, len, .. }) => {
                let _ = write!(out, "#{seq} ");
                out.write(text.get(..len).unwrap_or_default());
                out.write(b"\r\n");
            }
            Either::First(Entry::Dropped { from, to }) => {
                let _ = write!(out, "! dropped #{from}..#{to}\r\n");
            }
            Either::First(Entry::Empty) | Either::Second(()) => {}
        }
    }
}

fn log_event(out: &mut Uart0, event: &LogEvent) {
    let _ = match event {
        LogEvent::Opened { id, service } => write!(out, "wisp-board: session {id} opened: {}\r\n", service.path()),
        LogEvent::Closed { id, service, ending } => {
            let what = service.map_or("http", |s| s.path());
            write!(out, "wisp-board: session {id} closed ({what}): {}\r\n", ending.why)
        }
    };
}

/// The stack's high-water mark on the UART, now and every 10 s.
#[embassy_executor::task]
pub async fn report() -> ! {
    let mut out = Uart0::new();
    loop {
        let _ = write!(out, "wisp-board: stack high-water {} B\r\n", stack::high_water());
        Timer::after(Duration::from_secs(10)).await;
    }
}
