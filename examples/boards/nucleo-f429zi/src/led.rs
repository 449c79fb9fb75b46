//! The user LED LD1 (green, PB0), switched by the console's `led` command.

use embassy_stm32::gpio::Output;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;

/// What the `led` command's reply calls the LED.
pub const NAME: &str = "LED LD1";
/// The `led` command's line in `help`.
pub const HELP: &str = "toggle the green LED LD1";

/// Signal the LED's new state: `true` lights it.
pub static SET: Signal<CriticalSectionRawMutex, bool> = Signal::new();

/// Switch the LED each time [`SET`] is signalled.
#[embassy_executor::task]
pub async fn run(mut led: Output<'static>) -> ! {
    loop {
        if SET.wait().await {
            led.set_high();
        } else {
            led.set_low();
        }
    }
}
