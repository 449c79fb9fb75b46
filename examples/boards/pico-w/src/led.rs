//! The Pico W's LED, which hangs off the Wi-Fi chip (its GPIO 0), toggled
//! on command.

use defmt::info;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;

use crate::Radio;

/// Signal it to toggle the LED.
pub static TOGGLE: Signal<CriticalSectionRawMutex, ()> = Signal::new();

/// Toggle the LED each time [`TOGGLE`] is signalled.
#[embassy_executor::task]
pub async fn run(radio: &'static Radio) -> ! {
    let mut on = false;
    loop {
        TOGGLE.wait().await;
        on = !on;
        radio.lock().await.gpio_set(0, on).await;
        info!("LED {}", if on { "on" } else { "off" });
    }
}
