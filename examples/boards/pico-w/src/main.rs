//! Wisp on a Raspberry Pi Pico W: Wi-Fi through the CYW43439 (cyw43 over
//! the RP2040's PIO) with embassy-rp and embassy-net, an address by DHCP,
//! the board's own readings as console lines, and the Wisp console on port 80.
//!
//! One task per concern: the radio ([`radio`]), the IP stack ([`net`]), the
//! console's accept loops, its periodic work and its defmt mirror
//! ([`service`]), the readings ([`sensors`]) and the LED ([`led`], switched
//! by the console's own command in [`app`]). The console's lines also go to
//! the defmt log over RTT: `cargo run --release` flashes the board with
//! probe-rs and shows them.
//!
//! The network to join is fixed at build time: `WIFI_NETWORK` and
//! `WIFI_PASSWORD` in the environment of `cargo build`/`cargo run`.
#![no_std]
#![no_main]

// The console application, the same on every board (../../app.rs).
#[path = "../../app.rs"]
mod app;
mod led;
mod nvram;
mod sensors;
// The console service, the same on every board (../../service.rs).
#[path = "../../service.rs"]
mod service;

use cyw43::{A4, Aligned, JoinOptions};
use cyw43_pio::{DEFAULT_CLOCK_DIVIDER, PioSpi};
use defmt::{info, unwrap, warn};
use embassy_executor::Spawner;
use embassy_net::{DhcpConfig, StackResources};
use embassy_rp::adc::{self, Adc};
use embassy_rp::clocks::RoscRng;
use embassy_rp::gpio::{Level, Output};
use embassy_rp::peripherals::{DMA_CH0, PIO0};
use embassy_rp::pio::{self, Pio};
use embassy_rp::{bind_interrupts, dma};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::mutex::Mutex;
use embassy_time::Timer;
use static_cell::StaticCell;
use {defmt_rtt as _, panic_probe as _};

bind_interrupts!(struct Irqs {
    PIO0_IRQ_0 => pio::InterruptHandler<PIO0>;
    DMA_IRQ_0 => dma::InterruptHandler<DMA_CH0>;
    ADC_IRQ_FIFO => adc::InterruptHandler;
});

/// The network to join, and its passphrase (none: an open network).
const WIFI_NETWORK: &str = match option_env!("WIFI_NETWORK") {
    Some(name) => name,
    None => "wisp",
};
const WIFI_PASSWORD: &str = match option_env!("WIFI_PASSWORD") {
    Some(password) => password,
    None => "",
};
/// The name the board asks the DHCP server to know it by (routers list it).
const HOSTNAME: &str = "wisp-pico-w";

/// The platform's entropy, as the console's `Config::entropy` takes it:
/// the ring oscillator's random bit.
fn entropy(out: &mut [u8]) {
    RoscRng.fill_bytes(out);
}

/// A console line from the board itself: a log record of `target`.
fn log(target: &str, args: core::fmt::Arguments<'_>) {
    // The `log` crate needs compare-and-swap to install a logger, which a
    // Cortex-M0+ lacks: records go to the console directly.
    wisp_console::Lines::record(&service::CONSOLE, wisp_console::Level::Info, target, args);
}

/// The radio's firmware and its country table (cyw43-firmware; see the
/// README for their licence).
static FIRMWARE: &Aligned<A4, [u8]> = &Aligned(*cyw43_firmware::CYW43_43439A0);
static CLM: &[u8] = cyw43_firmware::CYW43_43439A0_CLM;

/// The radio's control half, shared by the tasks that use it (the LED, the
/// signal strength).
pub type Radio = Mutex<CriticalSectionRawMutex, cyw43::Control<'static>>;

type Bus = cyw43::SpiBus<Output<'static>, PioSpi<'static, PIO0, 0>>;

#[embassy_executor::task]
async fn radio(runner: cyw43::Runner<'static, Bus>) -> ! {
    runner.run().await
}

#[embassy_executor::task]
async fn net(mut runner: embassy_net::Runner<'static, cyw43::NetDriver<'static>>) -> ! {
    runner.run().await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_rp::init(Default::default());
    service::CONSOLE.set_clock(|| embassy_time::Instant::now().as_micros());
    info!("wisp-pico-w: starting");

    // The CYW43439 on its gSPI bus: power on GPIO 23, chip select GPIO 25,
    // data GPIO 24, clock GPIO 29.
    let power = Output::new(p.PIN_23, Level::Low);
    let cs = Output::new(p.PIN_25, Level::High);
    let mut pio = Pio::new(p.PIO0, Irqs);
    let dma = dma::Channel::new(p.DMA_CH0, Irqs);
    let spi = PioSpi::new(&mut pio.common, pio.sm0, DEFAULT_CLOCK_DIVIDER, pio.irq0, cs, p.PIN_24, p.PIN_29, dma);
    static STATE: StaticCell<cyw43::State> = StaticCell::new();
    let (device, mut control, runner) =
        cyw43::new(STATE.init(cyw43::State::new()), power, spi, FIRMWARE, nvram::NVRAM).await;
    spawner.spawn(unwrap!(radio(runner)));
    control.init(CLM).await;
    // Less sleep than the default (20 ms to wake, not 200 ms): the board
    // answers a browser; it is on USB power.
    control.set_power_management(cyw43::PowerManagementMode::Performance).await;

    let mut dhcp = DhcpConfig::default();
    dhcp.hostname = heapless::String::try_from(HOSTNAME).ok();
    // One socket more than the console has: DHCP's.
    static RESOURCES: StaticCell<StackResources<{ service::SOCKETS + 1 }>> = StaticCell::new();
    // The ring oscillator's random bit seeds TCP's sequence numbers (and
    // the console's client role, `entropy`).
    let seed = RoscRng.next_u64();
    let (stack, runner) =
        embassy_net::new(device, embassy_net::Config::dhcpv4(dhcp), RESOURCES.init(StackResources::new()), seed);
    spawner.spawn(unwrap!(net(runner)));

    log("net", format_args!("joining {WIFI_NETWORK}"));
    loop {
        let options =
            if WIFI_PASSWORD.is_empty() { JoinOptions::new_open() } else { JoinOptions::new(WIFI_PASSWORD.as_bytes()) };
        match control.join(WIFI_NETWORK, options).await {
            Ok(()) => break,
            Err(e) => warn!("joining {} failed ({}), again in 2 s", WIFI_NETWORK, e),
        }
        Timer::after_secs(2).await;
    }
    static RADIO: StaticCell<Radio> = StaticCell::new();
    let radio = RADIO.init(Mutex::new(control));
    let sensor = adc::Channel::new_temp_sensor(p.ADC_TEMP_SENSOR);
    spawner.spawn(unwrap!(led::run(radio)));
    spawner.spawn(unwrap!(sensors::run(Adc::new(p.ADC, Irqs, adc::Config::default()), sensor, radio)));

    log("net", format_args!("waiting for DHCP"));
    stack.wait_config_up().await;
    let Some(config) = stack.config_v4() else { return };
    let address = config.address.address();
    log("net", format_args!("address {} (as {HOSTNAME}): open http://{address}/", config.address));
    unwrap!(service::start(spawner, stack, address));
}
