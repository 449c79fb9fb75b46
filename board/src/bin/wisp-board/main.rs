//! The Wisp firmware on an emulated Cortex-M4 board (QEMU `mps2-an386`),
//! in a poll loop.
//!
//! It boots the board, keeps time with SysTick, brings up the LAN9118
//! Ethernet controller under `smoltcp` (10.0.2.15/24, QEMU's user network),
//! and runs the very `wisp-firmware` device the host twin and the browser
//! run: its web server and WebSocket sessions on port 80 (the dashboard served
//! from flash), and its printf() console on the board's UART (CMSDK UART0).
//! `board/run.sh` boots it with port 80 forwarded to 127.0.0.1:8081.
#![no_std]
#![no_main]

mod net;
mod phy;

use cortex_m_rt::entry;
use smoltcp::iface::{Config as IfaceConfig, Interface, SocketSet, SocketStorage};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, IpAddress, IpCidr, Ipv4Address};
use static_cell::{ConstStaticCell, StaticCell};
use wisp_board::lan9118::Lan9118;
use wisp_board::uart::Uart0;
use wisp_board::{halt, stack, time_driver};
use wisp_firmware::console::{Ring, empty_ring};
use wisp_firmware::session::Timing;
use wisp_firmware::{Asset, Config, Device, LogEvent, Session};

/// Microseconds since boot.
fn now() -> u64 {
    embassy_time::Instant::now().as_micros()
}

/// TCP sockets: the connection limit plus spares to refuse with.
const SOCKETS: usize = 8;
/// Sessions the device serves at once.
const MAX_CONNECTIONS: usize = 4;

// Statics rather than locals: the session table (eight 12.5 KiB sessions),
// the 32 KiB console ring and the device in `main`'s frame, built on the
// stack and moved, were most of the board's stack. Const-initialised cells
// are zeroes in .bss, built in place.
static SOCKET_STORAGE: ConstStaticCell<[SocketStorage<'static>; SOCKETS]> =
    ConstStaticCell::new([SocketStorage::EMPTY; SOCKETS]);
static RX_BUFFERS: ConstStaticCell<[[u8; 4096]; SOCKETS]> = ConstStaticCell::new([[0; 4096]; SOCKETS]);
static TX_BUFFERS: ConstStaticCell<[[u8; 8192]; SOCKETS]> = ConstStaticCell::new([[0; 8192]; SOCKETS]);
/// The console's 256 lines.
static RING: ConstStaticCell<Ring> = ConstStaticCell::new(empty_ring());
/// The device's session table.
static SLOTS: ConstStaticCell<[Option<Session<net::Tcp>>; SOCKETS]> = ConstStaticCell::new([const { None }; SOCKETS]);
/// The device itself, written once at boot.
static DEVICE: StaticCell<Device<'static, net::Tcp>> = StaticCell::new();
/// The dashboard's files, with their `ETag`s computed at compile time.
static ASSETS: [Asset; 3] = [
    Asset::new("/", "text/html; charset=utf-8", INDEX),
    Asset::new("/wisp_web.js", "text/javascript; charset=utf-8", JS),
    Asset::new("/wisp_web_bg.wasm", "application/wasm", WASM),
];

/// The dashboard's release build, served from flash.
static INDEX: &[u8] = include_bytes!("../../../../web/dist/index.html");
static JS: &[u8] = include_bytes!("../../../../web/dist/wisp_web.js");
static WASM: &[u8] = include_bytes!("../../../../web/dist/wisp_web_bg.wasm");

/// `wisp-board: <what><n><unit>` on the UART (no `core::fmt` in the image).
fn report(uart: &mut Uart0, what: &str, n: u32, unit: &str) {
    uart.write_str("wisp-board: ");
    uart.write_str(what);
    uart.write_dec(n);
    uart.write_str(unit);
    uart.write_str("\r\n");
}

#[entry]
fn main() -> ! {
    stack::paint();
    let Some(core) = cortex_m::Peripherals::take() else { halt() };
    time_driver::start(core.SYST);

    let mut uart = Uart0::new();
    uart.write_str("\r\nwisp-board: mps2-an386 (Cortex-M4F), console on UART0\r\n");

    let Some(nic) = Lan9118::new() else {
        uart.write_str("wisp-board: no LAN9118 answers at 0x4020_0000\r\n");
        halt()
    };
    let mut eth = phy::Eth::new(nic);
    let mut config = IfaceConfig::new(EthernetAddress(eth.mac()).into());
    config.random_seed = 0x5EED_B0A2;
    let mut iface = Interface::new(config, &mut eth, Instant::from_micros(now() as i64));
    iface.update_ip_addrs(|a| {
        let _ = a.push(IpCidr::new(IpAddress::v4(10, 0, 2, 15), 24));
    });
    let _ = iface.routes_mut().add_default_ipv4_route(Ipv4Address::new(10, 0, 2, 2));
    let (storage, rx, tx) = (SOCKET_STORAGE.take(), RX_BUFFERS.take(), TX_BUFFERS.take());
    let mut set = SocketSet::new(&mut storage[..]);
    let mut handles = [None; SOCKETS];
    for ((slot, r), t) in handles.iter_mut().zip(rx.iter_mut()).zip(tx.iter_mut()) {
        let mut sock = tcp::Socket::new(tcp::SocketBuffer::new(&mut r[..]), tcp::SocketBuffer::new(&mut t[..]));
        let _ = sock.listen(80);
        *slot = Some(set.add(sock));
    }
    net::install(set);
    uart.write_str("wisp-board: 10.0.2.15, serving port 80 (dashboard, /printf, /echo, /tap)\r\n");
    report(
        &mut uart,
        "RAM per WebSocket session: session ",
        core::mem::size_of::<Option<Session<net::Tcp>>>() as u32,
        " B + socket buffers 12288 B",
    );

    let cfg = Config {
        max_connections: MAX_CONNECTIONS,
        timing: Timing { ping_interval: 10_000_000, pong_timeout: 5_000_000, http_timeout: 10_000_000 },
        rate: 4,
        ws_only: false,
        // Besides its own pages: a dashboard served by the host twin on its
        // default port, pointed here with ?device=ws://127.0.0.1:8081/printf.
        allowed_origins: &["http://127.0.0.1:8080", "http://localhost:8080"],
        // Reuse connections (each close costs a socket in TIME_WAIT); the
        // device closes an idle one when it needs the slot.
        keep_alive: true,
        platform: "mps2-an386 (QEMU, Cortex-M4F)",
    };
    let device = DEVICE.uninit().write(Device::new(cfg, &ASSETS, SLOTS.take(), RING.take(), 0x5EED_B0A2));
    let mut attached: [Option<u16>; SOCKETS] = [None; SOCKETS];
    let mut printed = 0u32;
    let mut next_stack_report = 0u64;
    loop {
        let t = now();
        let ts = Instant::from_micros(t as i64);
        net::with(|set| iface.poll(ts, &mut eth, set));
        // Hand new connections to the device; listen again on closed sockets.
        // A connection whose peer has already sent its FIN (CLOSE-WAIT: a
        // port probe, or a request sent with a half-close) is new too: left
        // unattached, nothing would ever close it, and each one would take a
        // socket for good.
        for (h, id) in handles.iter().flatten().zip(attached.iter_mut()) {
            match (*id, net::state(*h)) {
                (Some(open), _) if !device.is_open(open) => *id = None,
                (None, tcp::State::Established | tcp::State::CloseWait) => {
                    *id = device.attach(net::Tcp(*h), t).ok();
                }
                (None, tcp::State::Closed) => net::listen(*h, 80),
                _ => {}
            }
        }
        // Only sockets no session holds: a session still attached to a
        // TIME-WAIT socket must not find a new connection in it.
        let free = handles.iter().flatten().zip(attached.iter()).filter(|(_, id)| id.is_none()).map(|(h, _)| h);
        net::keep_one_listening(free, 80);
        let busy = device.poll(t);
        while let Some(event) = device.poll_log() {
            match event {
                LogEvent::Opened { id, service } => report(&mut uart, service.path(), u32::from(id), " opened"),
                LogEvent::Closed { id, ending, .. } => {
                    report(&mut uart, "session closed: ", u32::from(id), "");
                    uart.write_str("  ");
                    uart.write_str(ending.why);
                    uart.write_str("\r\n");
                }
            }
        }
        // Arm the frame interrupt before the FIFO is read for the last time:
        // a frame that arrives after that read then ends the `wfi` below.
        Lan9118::arm_irq();
        net::with(|set| iface.poll(ts, &mut eth, set));
        // The console on the UART, as a device's serial port shows it.
        let console = device.console();
        printed = printed.max(console.oldest());
        while let Some(line) = console.get(printed) {
            uart.write(line.text());
            uart.write(b"\r\n");
            printed += 1;
        }
        if t >= next_stack_report {
            next_stack_report = t + 10_000_000;
            report(&mut uart, "stack high-water ", stack::high_water(), " B");
        }
        if !busy {
            // Sleep until a frame arrives or the next SysTick (1 ms). With
            // interrupts masked, an interrupt that came after `arm_irq` still
            // ends the `wfi`; its handler runs once they are unmasked.
            cortex_m::interrupt::free(|_| cortex_m::asm::wfi());
        }
    }
}
