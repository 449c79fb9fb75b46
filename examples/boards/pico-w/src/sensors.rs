//! Readings from the board itself: the RP2040's die temperature (ADC
//! channel 4, RP2040 datasheet §4.9.5) and the Wi-Fi signal strength the
//! radio reports.

use defmt::info;
use embassy_rp::adc::{Adc, Async, Channel};
use embassy_time::Timer;

use crate::Radio;

/// The sensor's reading in degrees Celsius: 27 °C at 0.706 V, falling
/// 1.721 mV per degree; the ADC is 12 bits over 3.3 V.
fn celsius(raw: u16) -> f32 {
    let volts = f32::from(raw) * 3.3 / 4096.0;
    27.0 - (volts - 0.706) / 0.001721
}

/// Read both every 5 s and log them.
#[embassy_executor::task]
pub async fn run(mut adc: Adc<'static, Async>, mut sensor: Channel<'static>, radio: &'static Radio) -> ! {
    loop {
        let rssi = radio.lock().await.get_rssi().await;
        match adc.read(&mut sensor).await {
            Ok(raw) => info!("temperature {=f32} °C, Wi-Fi signal {} dBm", celsius(raw), rssi),
            Err(e) => info!("temperature: ADC error {}, Wi-Fi signal {} dBm", e, rssi),
        }
        Timer::after_secs(5).await;
    }
}
