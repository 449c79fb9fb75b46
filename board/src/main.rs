//! The Wisp firmware on an emulated Cortex-M4 board (QEMU `mps2-an386`).
//!
//! It boots the board, keeps time with SysTick, brings up the LAN9118
//! Ethernet controller under `smoltcp` (10.0.2.15/24, QEMU's user network),
//! and runs the very `wisp-firmware` device the host twin and the browser
//! run: its web server and WebSocket sessions on port 80 (the dashboard served
//! from flash), and its printf() console on the board's UART (CMSDK UART0).
//! `./run.sh` in this folder boots it with port 80 forwarded to
//! 127.0.0.1:8081.
#![no_std]
#![no_main]

mod lan9118;
mod net;
mod stack;
mod uart;

use core::mem::MaybeUninit;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use smoltcp::iface::{Config as IfaceConfig, Interface, SocketSet, SocketStorage};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, IpAddress, IpCidr, Ipv4Address};
use wisp_firmware::console::{Ring, empty_ring};
use wisp_firmware::session::Timing;
use wisp_firmware::{Asset, Config, Device, LogEvent, Session};

/// The CPU clock QEMU models for this board: SysTick counts it.
const CPU_HZ: u32 = 25_000_000;

static mut MILLIS: u64 = 0;

/// The LAN9118's interrupt line on the MPS2 boards.
#[derive(Clone, Copy)]
struct EthIrq;

// SAFETY: 13 is the Ethernet controller's IRQ number on mps2-an386.
unsafe impl cortex_m::interrupt::InterruptNumber for EthIrq {
    fn number(self) -> u16 {
        13
    }
}

/// A frame arrived: mask the controller's interrupt and return — waking the
/// core from `wfi` is all it is for; the main loop reads the FIFO and re-arms.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == 13 {
        lan9118::Lan9118::mask_irq();
    }
}

#[exception]
fn SysTick() {
    // SAFETY: only this handler writes MILLIS; readers tolerate a torn read
    // being retried (see `now`).
    unsafe { MILLIS += 1 };
}

/// Microseconds since boot.
fn now() -> u64 {
    // SAFETY: a u64 read that may race the SysTick handler; read twice until
    // stable.
    loop {
        let a = unsafe { core::ptr::read_volatile(&raw const MILLIS) };
        let b = unsafe { core::ptr::read_volatile(&raw const MILLIS) };
        if a == b {
            return a * 1000;
        }
    }
}

/// TCP sockets: the connection limit plus spares to refuse with.
const SOCKETS: usize = 8;
/// Sessions the device serves at once.
const MAX_CONNECTIONS: usize = 4;

static mut SOCKET_STORAGE: [SocketStorage<'static>; SOCKETS] = [SocketStorage::EMPTY; SOCKETS];
static mut RX_BUFFERS: [[u8; 4096]; SOCKETS] = [[0; 4096]; SOCKETS];
static mut TX_BUFFERS: [[u8; 8192]; SOCKETS] = [[0; 8192]; SOCKETS];
/// The dashboard's files, with their `ETag`s computed at compile time.
static ASSETS: [Asset; 3] = [
    Asset::new("/", "text/html; charset=utf-8", INDEX),
    Asset::new("/wisp_web.js", "text/javascript; charset=utf-8", JS),
    Asset::new("/wisp_web_bg.wasm", "application/wasm", WASM),
];
/// The console's 256 lines (all zero: .bss, no flash).
static mut RING: Ring = empty_ring();
/// The device itself, written once at boot.
static mut DEVICE: MaybeUninit<Device<'static, net::Tcp>> = MaybeUninit::uninit();
/// The device's session table.
static mut SLOTS: [Option<Session<net::Tcp>>; SOCKETS] = [const { None }; SOCKETS];

/// The dashboard's release build, served from flash.
static INDEX: &[u8] = include_bytes!("../../web/dist/index.html");
static JS: &[u8] = include_bytes!("../../web/dist/wisp_web.js");
static WASM: &[u8] = include_bytes!("../../web/dist/wisp_web_bg.wasm");

/// `wisp-board: <what><n><unit>` on the UART (no `core::fmt` in the image).
fn report(uart: &mut uart::Uart0, what: &str, n: u32, unit: &str) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut v = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    uart.write_str("wisp-board: ");
    uart.write_str(what);
    uart.write(&digits[i..]);
    uart.write_str(unit);
    uart.write_str("\r\n");
}

#[entry]
fn main() -> ! {
    stack::paint();
    let Some(mut core) = cortex_m::Peripherals::take() else { panic_halt() };
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(CPU_HZ / 1000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();

    let mut uart = uart::Uart0::new();
    uart.write_str("\r\nwisp-board: mps2-an386 (Cortex-M4F), console on UART0\r\n");

    let Some(mut eth) = lan9118::Lan9118::new() else {
        uart.write_str("wisp-board: no LAN9118 answers at 0x4020_0000\r\n");
        loop {
            cortex_m::asm::wfi();
        }
    };
    let mut config = IfaceConfig::new(EthernetAddress(eth.mac()).into());
    config.random_seed = 0x5EED_B0A2;
    let mut iface = Interface::new(config, &mut eth, Instant::from_micros(now() as i64));
    iface.update_ip_addrs(|a| {
        let _ = a.push(IpCidr::new(IpAddress::v4(10, 0, 2, 15), 24));
    });
    let _ = iface.routes_mut().add_default_ipv4_route(Ipv4Address::new(10, 0, 2, 2));
    // SAFETY: the only references ever made to these statics, made once here.
    let (storage, rx, tx) = unsafe {
        (
            (&raw mut SOCKET_STORAGE).as_mut().unwrap_or_else(|| panic_halt()),
            (&raw mut RX_BUFFERS).as_mut().unwrap_or_else(|| panic_halt()),
            (&raw mut TX_BUFFERS).as_mut().unwrap_or_else(|| panic_halt()),
        )
    };
    let mut set = SocketSet::new(&mut storage[..]);
    let mut handles = [None; SOCKETS];
    for ((slot, r), t) in handles.iter_mut().zip(rx.iter_mut()).zip(tx.iter_mut()) {
        let mut sock = tcp::Socket::new(tcp::SocketBuffer::new(&mut r[..]), tcp::SocketBuffer::new(&mut t[..]));
        let _ = sock.listen(80);
        *slot = Some(set.add(sock));
    }
    net::install(set);
    // SAFETY: the handler only masks the controller's interrupt.
    unsafe { cortex_m::peripheral::NVIC::unmask(EthIrq) };
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
    // Statics rather than locals: the session table (eight 12.5 KiB
    // sessions), the 32 KiB console ring and the device in `main`'s frame,
    // built on the stack and moved, were most of the board's stack.
    // SAFETY: the only references ever made to these statics, made once here.
    let (slots, ring, place) = unsafe {
        (
            (&raw mut SLOTS).as_mut().unwrap_or_else(|| panic_halt()),
            (&raw mut RING).as_mut().unwrap_or_else(|| panic_halt()),
            (&raw mut DEVICE).as_mut().unwrap_or_else(|| panic_halt()),
        )
    };
    let device = place.write(Device::new(cfg, &ASSETS, slots, ring, 0x5EED_B0A2));
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
        net::with(|set| iface.poll(ts, &mut eth, set));
        // The RX FIFO has been read: the next frame may wake us.
        lan9118::Lan9118::arm_irq();
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

fn panic_halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    panic_halt()
}
