//! # wisp-board — the emulated Cortex-M4 board as a platform
//!
//! What a firmware on QEMU's `mps2-an386` (Cortex-M4F, SMSC LAN9118) needs,
//! in the shape embassy's HALs give it on real boards:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`executor`] | the embassy executor, asleep in `wfi` when idle (QEMU spins on `wfe`) |
//! | [`time_driver`] | `embassy-time` on a 1 kHz SysTick |
//! | [`lan9118`] | the Ethernet controller: registers, frame FIFOs, the receive interrupt (IRQ 13) |
//! | [`net_driver`] | the controller as an `embassy-net` device |
//! | [`net`] | the stack at the board's static address, its runner in a task |
//! | [`entropy`] | bytes from the times frames arrive at (the board has no RNG) |
//! | [`uart`] | the console on CMSDK UART0 |
//! | [`stack`] | the stack's high-water mark, by painting |
//!
//! Images on it: `src/bin/wisp-board` (the simulated device on the console
//! library, the image the tests boot), `examples/minimal.rs` (the smallest
//! console firmware) and `examples/net_echo.rs` (embassy-net TCP echo).
//!
//! Linking this crate brings the interrupt handlers (SysTick, the
//! controller's IRQ) and a panic handler that reports on the UART and halts.
#![no_std]
#![deny(missing_docs)]

pub mod entropy;
pub mod executor;
pub mod lan9118;
pub mod net;
pub mod net_driver;
pub mod stack;
pub mod time_driver;
pub mod uart;

/// The address the board has on QEMU's user network (`-nic user`): the
/// guest side of its port forwards.
pub const ADDRESS: [u8; 4] = [10, 0, 2, 15];
/// [`ADDRESS`] as text, for the console's `Host` check.
pub const ADDRESS_TEXT: &str = "10.0.2.15";
/// The user network's gateway (QEMU itself).
pub const GATEWAY: [u8; 4] = [10, 0, 2, 2];

/// Bring the board up: paint the stack (for [`stack::high_water`]) and start
/// the 1 kHz tick `embassy-time` runs on. Call it first thing in `main`.
pub fn init() {
    stack::paint();
    if let Some(core) = cortex_m::Peripherals::take() {
        time_driver::start(core.SYST);
    }
}

/// Microseconds since boot: the console's clock.
pub fn micros() -> u64 {
    embassy_time::Instant::now().as_micros()
}

/// Sleep for ever (nothing left to do, or nothing that can be done).
pub fn halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    uart::Uart0::new().write_str("\r\nwisp-board: panic, halted\r\n");
    halt()
}
