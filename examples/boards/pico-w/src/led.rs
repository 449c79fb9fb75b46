//! The Pico W's LED, which hangs off the Wi-Fi chip (its GPIO 0), switched
//! by the console's `led` command.

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;

use crate::Radio;

/// What the `led` command's reply calls the LED.
pub const NAME: &str = "LED";
/// The `led` command's line in `help`.
pub const HELP: &str = "toggle the board's LED";

/// Signal the LED's new state: `true` lights it.
pub static SET: Signal<CriticalSectionRawMutex, bool> = Signal::new();

/// Switch the LED each time [`SET`] is signalled.
#[embassy_executor::task]
pub async fn run(radio: &'static Radio) -> ! {
    loop {
        let on = SET.wait().await;
        radio.lock().await.gpio_set(0, on).await;
    }
}
