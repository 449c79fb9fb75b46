//! The user LED LD1 (green, PB0), toggled on command.

use defmt::info;
use embassy_stm32::gpio::Output;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;

/// Signal it to toggle the LED.
pub static TOGGLE: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// Toggle the LED each time [`TOGGLE`] is signalled.
#[embassy_executor::task]
pub async fn run(mut led: Output<'static>) -> ! {
    loop {
        TOGGLE.wait().await;
        led.toggle();
        info!("LED LD1 {}", if led.is_set_high() { "on" } else { "off" });
    }
}
