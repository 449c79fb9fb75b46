//! Simulated hardware: what a real board would read from its peripherals.
//!
//! Everything is a pure function of time or address, so the twin, the browser
//! and the board print the same kind of figures and a test can recompute them.

/// A small, fast PRNG (xorshift32) for sensor noise. Not for security.
#[derive(Debug, Clone)]
pub struct XorShift(u32);

impl XorShift {
    /// Seeded generator; a zero seed is replaced (xorshift would stay at 0).
    pub const fn new(seed: u32) -> Self {
        XorShift(if seed == 0 { 0x9E37_79B9 } else { seed })
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// Base address of the simulated memory region `dump` prints.
pub const DUMP_BASE: u32 = 0x2000_0000;

/// The byte stored at `addr` in the simulated memory: documented so that a
/// client can check a dump it received (`console/PROTOCOL.md`).
pub const fn memory_byte(addr: u32) -> u8 {
    (addr.wrapping_mul(0x9E37_79B1) >> 24) as u8
}

/// A temperature in hundredths of a degree: a slow triangle wave plus noise.
pub fn temperature_centi(now_s: u64, noise: u32) -> i32 {
    // A triangle wave of period 120 s between 21.00 and 25.00 °C.
    let phase = (now_s % 120) as i32;
    let tri = if phase < 60 { phase } else { 120 - phase };
    2100 + tri * 400 / 60 + (noise % 21) as i32 - 10
}

/// Relative humidity in tenths of a percent.
pub fn humidity_deci(now_s: u64, noise: u32) -> u32 {
    400 + ((now_s / 7) % 50) as u32 + noise % 5
}
