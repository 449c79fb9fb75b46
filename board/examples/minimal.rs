//! The smallest complete console firmware: a console, a `log` line, one
//! command of its own, the dashboard served from flash. `wisp_board` stands
//! in for your board's HAL and network init.
#![no_std]
#![no_main]

use core::fmt::Write as _;

use embassy_net::{Stack, StackResources, tcp::TcpSocket};
use embassy_sync::blocking_mutex::raw::NoopRawMutex;
use static_cell::StaticCell;
use wisp_console::{App, Call, Command, Config, Console, Device, Site, Usage, asynch::Shared};

static CONSOLE: Console<4096, 4> = Console::new();

struct Blinky(bool);

fn led(b: &mut Blinky, call: &mut Call<'_>) -> Result<(), Usage> {
    b.0 = !b.0;
    writeln!(call, "LED {}", if b.0 { "on" } else { "off" }).map_err(|_| Usage)
}

impl App for Blinky {
    const COMMANDS: &'static [Command<Self>] = &[Command::new("led", "", "toggle the LED", led)];
}

type Wisp = Shared<'static, NoopRawMutex, Blinky, 3>;

/// Three sockets: two sessions, and one more to be told "busy".
#[embassy_executor::task(pool_size = 3)]
async fn web(stack: Stack<'static>, wisp: &'static Wisp) -> ! {
    let (mut rx, mut tx) = ([0; 512], [0; 512]);
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    loop {
        wisp.accept::<1024, 1024>(&mut socket, 80).await;
    }
}

#[embassy_executor::main(entry = "cortex_m_rt::entry", executor = "wisp_board::executor::WfiExecutor")]
async fn main(spawner: embassy_executor::Spawner) {
    wisp_board::init();
    static NET: StaticCell<StackResources<3>> = StaticCell::new();
    let stack = wisp_board::net::start(spawner, NET.init(StackResources::new()));
    CONSOLE.set_clock(wisp_board::micros);
    let _ = wisp_console::log::init(&CONSOLE, log::LevelFilter::Info);
    log::info!("up: send 'led' to toggle the LED");
    // Answers to its own address and loopback names; pages of its own origin only.
    let site = Site { files: &wisp_console::dashboard::FILES, ..Site::default() };
    let mut device = Device::new(Config { max_sessions: 2, site, ..Config::default() }, &CONSOLE, Blinky(false));
    device.set_address(wisp_board::ADDRESS_TEXT);
    static WISP: StaticCell<Wisp> = StaticCell::new();
    let wisp = WISP.init(Shared::new(device));
    for _ in 0..3 {
        spawner.spawn(web(stack, wisp).unwrap());
    }
}
