//! Readings from the board itself: the RP2040's die temperature (ADC
//! channel 4, RP2040 datasheet §4.9.5) and the Wi-Fi signal strength the
//! radio reports.

use embassy_rp::adc::{Adc, Async, Channel};
use embassy_time::Timer;

use crate::Radio;

/// The sensor's reading in tenths of a degree Celsius: 27 °C at 0.706 V,
/// falling 1.721 mV per degree; the ADC is 12 bits over 3.3 V. Integers
/// only: float formatting would cost the image several KB.
fn deci_celsius(raw: u16) -> i32 {
    let tenth_mv = i32::from(raw) * 33_000 / 4096;
    270 - (tenth_mv - 7060) * 1000 / 1721
}

/// Read both every 5 s and log them as console lines.
#[embassy_executor::task]
pub async fn run(mut adc: Adc<'static, Async>, mut sensor: Channel<'static>, radio: &'static Radio) -> ! {
    loop {
        let rssi = radio.lock().await.get_rssi().await;
        match adc.read(&mut sensor).await {
            Ok(raw) => {
                let t = deci_celsius(raw);
                let sign = if t < 0 { "-" } else { "" };
                let (whole, tenth) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
                crate::log("sensor", format_args!("temperature {sign}{whole}.{tenth} °C, Wi-Fi signal {rssi} dBm"))
            }
            Err(_) => crate::log("sensor", format_args!("temperature: ADC error, Wi-Fi signal {rssi} dBm")),
        }
        Timer::after_secs(5).await;
    }
}
