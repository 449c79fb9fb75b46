//! Wisp on an STM32 Nucleo-F429ZI: wired Ethernet (the on-board LAN8742A
//! PHY, RMII) with embassy-stm32 and embassy-net, an address by DHCP, the
//! chip's own readings as log lines, and the Wisp console on port 80.
//!
//! One task per concern: the Ethernet stack ([`net`]), the console's accept
//! loops, its periodic work and its defmt mirror ([`service`]), the readings
//! ([`sensors`]) and the LED ([`led`], switched by the console's own command
//! in [`app`]). The console's lines also go to the defmt log over RTT:
//! `cargo run --release` flashes the board with probe-rs and shows them.
#![no_std]
#![no_main]

// The console application, the same on every board (../../app.rs).
#[path = "../../app.rs"]
mod app;
mod led;
mod sensors;
// The console service, the same on every board (../../service.rs).
#[path = "../../service.rs"]
mod service;

use core::cell::RefCell;

use defmt::{info, unwrap};
use embassy_executor::Spawner;
use embassy_net::{DhcpConfig, Runner, StackResources};
use embassy_stm32::adc::Adc;
use embassy_stm32::eth::{Ethernet, GenericPhy, PacketQueue, Sma};
use embassy_stm32::gpio::{Level, Output, Speed};
use embassy_stm32::peripherals::{ETH, ETH_SMA, RNG};
use embassy_stm32::rng::Rng;
use embassy_stm32::time::Hertz;
use embassy_stm32::{bind_interrupts, eth, rng};
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use static_cell::StaticCell;
use {defmt_rtt as _, panic_probe as _};

bind_interrupts!(struct Irqs {
    ETH => eth::InterruptHandler;
    HASH_RNG => rng::InterruptHandler<RNG>;
});

type Device = Ethernet<'static, ETH, GenericPhy<Sma<'static, ETH_SMA>>>;

/// The name the board asks the DHCP server to know it by (routers list it).
const HOSTNAME: &str = "wisp-nucleo-f429zi";

/// The hardware RNG, for the console's client role (masks and keys).
static RANDOM: Mutex<CriticalSectionRawMutex, RefCell<Option<Rng<'static, RNG>>>> = Mutex::new(RefCell::new(None));

/// The platform's entropy, as the console's `Config::entropy` takes it.
fn entropy(out: &mut [u8]) {
    RANDOM.lock(|rng| {
        if let Some(rng) = rng.borrow_mut().as_mut() {
            rng.fill_bytes(out);
        }
    });
}

#[embassy_executor::task]
async fn net(mut runner: Runner<'static, Device>) -> ! {
    runner.run().await
}

/// 168 MHz from the ST-LINK's 8 MHz clock (HSE bypass), and the 48 MHz
/// clock the RNG needs.
fn clocks() -> embassy_stm32::Config {
    use embassy_stm32::rcc::*;
    let mut config = embassy_stm32::Config::default();
    config.rcc.hse = Some(Hse { freq: Hertz(8_000_000), mode: HseMode::Bypass });
    config.rcc.pll_src = PllSource::HSE;
    config.rcc.pll = Some(Pll {
        prediv: PllPreDiv::DIV4,
        mul: PllMul::MUL168,
        divp: Some(PllPDiv::DIV2),
        divq: Some(PllQDiv::DIV7),
        divr: None,
    });
    config.rcc.ahb_pre = AHBPrescaler::DIV1;
    config.rcc.apb1_pre = APBPrescaler::DIV4;
    config.rcc.apb2_pre = APBPrescaler::DIV2;
    config.rcc.sys = Sysclk::PLL1_P;
    config
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_stm32::init(clocks());
    service::CONSOLE.set_clock(|| embassy_time::Instant::now().as_micros());
    if wisp_console::log::init(&service::CONSOLE, log::LevelFilter::Info).is_err() {
        defmt::warn!("a logger was set already");
    }
    info!("wisp-nucleo-f429zi: starting");

    // The RNG seeds TCP's sequence numbers (and, later, the client role's masks).
    let mut rng = Rng::new(p.RNG, Irqs);
    let mut seed = [0; 8];
    unwrap!(rng.async_fill_bytes(&mut seed).await);
    RANDOM.lock(|r| r.replace(Some(rng)));

    // A locally administered address derived from the chip's unique ID.
    let uid = embassy_stm32::uid::uid();
    let mac = [0x02, uid[0] ^ uid[4], uid[1] ^ uid[5], uid[2] ^ uid[6], uid[3] ^ uid[7], uid[8] ^ uid[11]];
    static PACKETS: StaticCell<PacketQueue<4, 4>> = StaticCell::new();
    let device = Ethernet::new(
        PACKETS.init(PacketQueue::new()),
        p.ETH,
        Irqs,
        p.PA1,  // REF_CLK
        p.PA7,  // CRS_DV
        p.PC4,  // RXD0
        p.PC5,  // RXD1
        p.PG13, // TXD0
        p.PB13, // TXD1
        p.PG11, // TX_EN
        mac,
        p.ETH_SMA,
        p.PA2, // MDIO
        p.PC1, // MDC
    );

    let mut dhcp = DhcpConfig::default();
    dhcp.hostname = heapless::String::try_from(HOSTNAME).ok();
    // One socket more than the console has: DHCP's.
    static RESOURCES: StaticCell<StackResources<{ service::SOCKETS + 1 }>> = StaticCell::new();
    let (stack, runner) = embassy_net::new(
        device,
        embassy_net::Config::dhcpv4(dhcp),
        RESOURCES.init(StackResources::new()),
        u64::from_le_bytes(seed),
    );
    spawner.spawn(unwrap!(net(runner)));
    spawner.spawn(unwrap!(led::run(Output::new(p.PB0, Level::Low, Speed::Low))));
    spawner.spawn(unwrap!(sensors::run(Adc::new(p.ADC1))));

    log::info!(target: "net", "waiting for the link and DHCP");
    stack.wait_config_up().await;
    let Some(config) = stack.config_v4() else { return };
    let address = config.address.address();
    log::info!(target: "net", "address {} (as {}): open http://{}/", config.address, HOSTNAME, address);
    unwrap!(service::start(spawner, stack, address));
}
