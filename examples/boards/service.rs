//! The Wisp console on port 80: [`SOCKETS`] accept tasks, each with its
//! own socket, serve one connection at a time (the dashboard from flash,
//! `/printf`, `/echo`, `/tap`); one task runs the application's periodic
//! work, and one mirrors the console's lines on the defmt log.

use core::fmt::Write as _;

use defmt::{info, warn};
use embassy_executor::{SpawnError, Spawner};
use embassy_net::Stack;
use embassy_net::tcp::TcpSocket;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use static_cell::StaticCell;
use wisp_console::asynch::{EmbassyClock, Shared};
use wisp_console::{Access, Config, Console, Device, Entry, LINE_MAX, Lines, Site};

use crate::app::Board;

/// Sessions served at once; one more is told why it is turned away.
const MAX_SESSIONS: usize = 4;
/// Accept tasks, a socket each: the sessions and two spares.
pub const SOCKETS: usize = MAX_SESSIONS + 2;
/// A session's buffers, and its socket's: the board's configuration
/// (`board/README.md`), 3,944 B a connection.
const SESSION_RX: usize = 1024;
const SESSION_TX: usize = 1024;
const TCP_RX: usize = 512;
const TCP_TX: usize = 512;

/// The console: lines from `log`, the sessions' readers and the defmt mirror.
pub static CONSOLE: Console<8192, { SOCKETS + 1 }> = Console::new();

type Wisp = Shared<'static, NoopRawMutex, Board, SOCKETS>;

/// The board's address as text, for the `Host` check.
static ADDRESS: StaticCell<heapless::String<15>> = StaticCell::new();
static WISP: StaticCell<Wisp> = StaticCell::new();

/// Serve the console on `stack`, whose DHCP address is `address`.
pub fn start(spawner: Spawner, stack: Stack<'static>, address: embassy_net::Ipv4Address) -> Result<(), SpawnError> {
    let text = ADDRESS.init(heapless::String::new());
    let _ = write!(text, "{address}");
    let config = Config {
        max_sessions: MAX_SESSIONS,
        max_per_peer: MAX_SESSIONS,
        site: Site {
            files: &wisp_console::dashboard::FILES,
            // Besides its address: the name it asked the DHCP server for,
            // which a router's DNS may answer for.
            access: Access { hosts: &[crate::HOSTNAME], origins: &[], token: None },
            ..Site::default()
        },
        entropy: Some(crate::entropy),
        ..Config::default()
    };
    let mut device = Device::new(config, &CONSOLE, Board::new());
    device.set_address(text);
    let wisp: &'static Wisp = WISP.init(Shared::new(device));
    spawner.spawn(mirror()?);
    spawner.spawn(app(wisp)?);
    for _ in 0..SOCKETS {
        spawner.spawn(serve(stack, wisp)?);
    }
    Ok(())
}

#[embassy_executor::task]
async fn app(wisp: &'static Wisp) -> ! {
    wisp.run_app(&EmbassyClock).await
}

/// One accept task; its socket and buffers live in the task.
#[embassy_executor::task(pool_size = SOCKETS)]
async fn serve(stack: Stack<'static>, wisp: &'static Wisp) -> ! {
    let mut rx = [0; TCP_RX];
    let mut tx = [0; TCP_TX];
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    loop {
        if let Some(ending) = wisp.accept::<SESSION_RX, SESSION_TX>(&mut socket, 80).await {
            info!("session closed: {=str}", ending.why);
        }
    }
}

/// Every console line on the defmt log too, as `#<seq> <text>`. It is a
/// reader no burst waits for: RTT drops what the probe does not read.
#[embassy_executor::task]
async fn mirror() -> ! {
    let Some(reader) = CONSOLE.subscribe_unpaced(u64::MAX) else {
        warn!("no console reader for the defmt mirror");
        core::future::pending().await
    };
    let mut text = [0; LINE_MAX];
    loop {
        match CONSOLE.read_next(reader, &mut text).await {
            Entry::Line { seq, len, .. } => {
                let line = core::str::from_utf8(text.get(..len).unwrap_or_default()).unwrap_or("?");
                info!("#{} {=str}", seq, line);
            }
            Entry::Dropped { from, to } => warn!("! dropped #{}..#{}", from, to),
            Entry::Empty => {}
        }
    }
}
