//! The Wisp firmware on an emulated Cortex-M4 board (QEMU `mps2-an386`).
//!
//! This first stage boots the board, keeps time with SysTick, and runs the
//! very `wisp-firmware` device the host twin and the browser run, with its
//! printf() console on the board's UART (CMSDK UART0) — `cargo run` in this
//! folder shows it. The LAN9118 Ethernet driver under `smoltcp`, which gives
//! the same device its web server and WebSocket sessions on port 80, is the
//! next stage (issue: board).
#![no_std]
#![no_main]

mod uart;

use core::convert::Infallible;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception};
use wisp_firmware::session::Timing;
use wisp_firmware::{Config, Device, Session};

/// The CPU clock QEMU models for this board: SysTick counts it.
const CPU_HZ: u32 = 25_000_000;

static mut MILLIS: u64 = 0;

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

/// No network yet: the transport type the device's (empty) session table
/// holds until the Ethernet stage.
struct NoSocket;

impl embedded_io::ErrorType for NoSocket {
    type Error = Infallible;
}
impl embedded_io::Read for NoSocket {
    fn read(&mut self, _: &mut [u8]) -> Result<usize, Infallible> {
        Ok(0)
    }
}
impl embedded_io::ReadReady for NoSocket {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(false)
    }
}
impl embedded_io::Write for NoSocket {
    fn write(&mut self, _: &[u8]) -> Result<usize, Infallible> {
        Ok(0)
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
impl embedded_io::WriteReady for NoSocket {
    fn write_ready(&mut self) -> Result<bool, Infallible> {
        Ok(false)
    }
}

#[entry]
fn main() -> ! {
    let mut core = cortex_m::Peripherals::take().unwrap_or_else(|| loop {});
    core.SYST.set_clock_source(SystClkSource::Core);
    core.SYST.set_reload(CPU_HZ / 1000 - 1);
    core.SYST.clear_current();
    core.SYST.enable_counter();
    core.SYST.enable_interrupt();

    let mut uart = uart::Uart0::new();
    uart.write_str("\r\nwisp-board: mps2-an386 (Cortex-M4F), console on UART0\r\n");

    let mut slots: [Option<Session<NoSocket>>; 0] = [];
    let cfg = Config {
        max_connections: 0,
        timing: Timing { ping_interval: 10_000_000, pong_timeout: 5_000_000, http_timeout: 10_000_000 },
        rate: 2,
        ws_only: false,
        allowed_origins: &[],
        platform: "mps2-an386 (QEMU, Cortex-M4F)",
    };
    let mut device = Device::new(cfg, &[], &mut slots, 0x5EED_B0A2);
    let mut printed = 0u32;
    loop {
        device.poll(now());
        // The console on the UART, as a device's serial port shows it.
        let console = device.console();
        printed = printed.max(console.oldest());
        while let Some(line) = console.get(printed) {
            uart.write(line.text());
            uart.write(b"\r\n");
            printed += 1;
        }
        // Sleep until the next SysTick (1 ms).
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}
