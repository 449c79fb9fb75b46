//! The simulated Wisp device on the emulated Cortex-M4 board (QEMU
//! `mps2-an386`), written as a firmware on embassy is: `wisp-sim`'s
//! application on `wisp-console`'s async runner, over `embassy-net` on the
//! board's LAN9118.
//!
//! One task per concern: the network stack (started by [`wisp_board::net`]),
//! [`SOCKETS`] accept tasks each serving one connection at a time
//! ([`web`]), the application's periodic work, the console mirrored on the
//! UART and the stack's high-water mark ([`uart`]). `board/run.sh` boots it
//! with port 80 forwarded to 127.0.0.1:8081.
#![no_std]
#![no_main]

mod knob;
mod uart;
mod web;

use core::fmt::Write as _;

use embassy_executor::Spawner;
use embassy_net::StackResources;
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use static_cell::StaticCell;
use wisp_board::uart::Uart0;
use wisp_console::asynch::{EmbassyClock, Shared};
use wisp_console::http::LOOPBACK;
use wisp_console::{Access, Config, Console, Device, Site, Timing};
use wisp_sim::Sim;

/// Sessions served at once; one more is told why it is turned away (503 or
/// a 1013 close).
const MAX_SESSIONS: usize = 4;
/// Accept tasks, a socket each: the sessions and spares that listen while
/// every session is taken (to refuse politely) or while a socket lingers
/// after a close.
pub const SOCKETS: usize = MAX_SESSIONS + 2;
/// Console readers: one per socket, and the UART's.
const READERS: usize = SOCKETS + 1;
/// Bytes of console lines kept for readers (`WISP_BOARD_RING`).
const RING: usize = knob::size(option_env!("WISP_BOARD_RING"), 8192);

/// The board's console.
pub type BoardConsole = Console<RING, READERS>;
/// Its clock is set at boot: `Console::new()` is all zeroes, so the ring
/// stays in `.bss` instead of being copied from flash.
pub static CONSOLE: BoardConsole = Console::new();

/// The device, shared by the tasks that serve it (all on one executor).
pub type Wisp = Shared<'static, NoopRawMutex, Sim, SOCKETS>;

static WISP: StaticCell<Wisp> = StaticCell::new();
/// embassy-net's sockets: the accept tasks' own.
static RESOURCES: StaticCell<StackResources<SOCKETS>> = StaticCell::new();

/// What the boot banner calls the platform.
const PLATFORM: &str = "mps2-an386 (QEMU, Cortex-M4F)";
/// Origins besides its own whose pages may open its WebSocket services: a
/// dashboard served by the host twin (8080) or by `trunk serve` (8088),
/// pointed here with `?device=ws://127.0.0.1:8081/printf`.
const ORIGINS: &[&str] =
    &["http://127.0.0.1:8080", "http://localhost:8080", "http://127.0.0.1:8088", "http://localhost:8088"];

#[embassy_executor::task]
async fn app(wisp: &'static Wisp) -> ! {
    wisp.run_app(&EmbassyClock).await
}

#[embassy_executor::main(entry = "cortex_m_rt::entry", executor = "wisp_board::executor::WfiExecutor")]
async fn main(spawner: Spawner) {
    wisp_board::init();
    let mut out = Uart0::new();
    let _ = write!(out, "\r\nwisp-board: {PLATFORM}, embassy, console on UART0\r\n");
    let stack = wisp_board::net::start(spawner, RESOURCES.init(StackResources::new()));
    CONSOLE.set_clock(wisp_board::micros);

    let config = Config {
        max_sessions: MAX_SESSIONS,
        // Behind QEMU's user network every peer is its gateway, 10.0.2.2.
        max_per_peer: MAX_SESSIONS,
        timing: Timing::default(),
        site: Site {
            files: &wisp_console::dashboard::FILES,
            // Reached through QEMU's port forward on the host's loopback.
            access: Access { hosts: LOOPBACK, origins: ORIGINS, token: None },
            ..Site::default()
        },
        backlog: 32,
        entropy: Some(wisp_board::entropy::fill),
    };
    let mut seed = [0; 4];
    wisp_board::entropy::fill(&mut seed);
    let mut device = Device::new(config, &CONSOLE, Sim::new(4, u32::from_le_bytes(seed), PLATFORM));
    device.set_address(wisp_board::ADDRESS_TEXT);
    let wisp: &'static Wisp = WISP.init(Shared::new(device));

    // Spawning fails only when a pool is smaller than what is spawned here:
    // at every boot alike, which the smoke test would see.
    let spawned = uart::mirror(wisp).map(|t| spawner.spawn(t)).is_ok()
        && app(wisp).map(|t| spawner.spawn(t)).is_ok()
        && uart::report().map(|t| spawner.spawn(t)).is_ok()
        && (0..SOCKETS).all(|_| web::serve(stack, wisp).map(|t| spawner.spawn(t)).is_ok());
    if !spawned {
        let _ = write!(out, "wisp-board: a task could not be spawned\r\n");
        wisp_board::halt();
    }
    let _ = write!(
        out,
        "wisp-board: {}, serving port 80 (dashboard, /printf, /echo, /tap), {MAX_SESSIONS} sessions\r\n",
        wisp_board::ADDRESS_TEXT
    );
    let _ = write!(
        out,
        "wisp-board: RAM per connection: session {} B + TCP buffers {} B; console ring {RING} B\r\n",
        web::SESSION_BYTES,
        web::TCP_RX + web::TCP_TX
    );
}
