//! Readings from the chip itself: the die temperature and the supply
//! voltage, both through ADC1's internal channels and corrected with the
//! factory calibration values in system memory (the reference manual RM0090,
//! "Temperature sensor"; the STM32F429 datasheet, its calibration values).

use embassy_stm32::adc::{Adc, SampleTime};
use embassy_stm32::peripherals::ADC1;
use embassy_time::Timer;

/// VREFINT's reading at 30 °C and VDDA = 3.3 V.
const VREFINT_CAL: *const u16 = 0x1FFF_7A2A as *const u16;
/// The temperature sensor's reading at 30 °C and at 110 °C (VDDA = 3.3 V).
const TS_CAL1: *const u16 = 0x1FFF_7A2C as *const u16;
const TS_CAL2: *const u16 = 0x1FFF_7A2E as *const u16;

/// One reading of both.
#[derive(Clone, Copy)]
pub struct Readings {
    /// Die temperature, hundredths of a degree Celsius.
    pub centi_celsius: i32,
    /// The analog supply VDDA, millivolts.
    pub vdda_mv: u32,
}

fn calibration(at: *const u16) -> i32 {
    // SAFETY: a factory-programmed, aligned half-word in system memory, read only.
    i32::from(unsafe { core::ptr::read_volatile(at) })
}

/// Convert raw readings (`vrefint`, `ts`) with the calibration values.
fn convert(vrefint: u16, ts: u16) -> Option<Readings> {
    let (vref_cal, cal1, cal2) = (calibration(VREFINT_CAL), calibration(TS_CAL1), calibration(TS_CAL2));
    if vrefint == 0 || cal2 == cal1 {
        return None;
    }
    // The reading scaled to VDDA = 3.3 V, the calibration's conditions.
    let ts_at_3v3 = i32::from(ts) * vref_cal / i32::from(vrefint);
    let centi_celsius = 3000 + (ts_at_3v3 - cal1) * 8000 / (cal2 - cal1);
    let vdda_mv = (3300 * vref_cal / i32::from(vrefint)) as u32;
    Some(Readings { centi_celsius, vdda_mv })
}

/// Read both every 5 s and log them (as console lines: `log::info!`).
#[embassy_executor::task]
pub async fn run(mut adc: Adc<'static, ADC1>) -> ! {
    let mut vrefint = adc.enable_vrefint();
    let mut temperature = adc.enable_temperature();
    // The sensors need 10 µs to start, and at least 10 µs of sampling each.
    Timer::after_micros(10).await;
    loop {
        let v = adc.blocking_read(&mut vrefint, SampleTime::CYCLES480);
        let t = adc.blocking_read(&mut temperature, SampleTime::CYCLES480);
        match convert(v, t) {
            Some(r) => {
                let sign = if r.centi_celsius < 0 { "-" } else { "" };
                let c = r.centi_celsius.unsigned_abs();
                log::info!(target: "sensor", "temperature {sign}{}.{:02} °C, VDDA {} mV", c / 100, c % 100, r.vdda_mv)
            }
            None => log::warn!(target: "sensor", "no calibration values: raw VREFINT {v}, sensor {t}"),
        }
        Timer::after_secs(5).await;
    }
}
