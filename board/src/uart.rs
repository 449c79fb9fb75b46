//! CMSDK APB UART0 of the MPS2 boards, transmit only (polling): the
//! board's console.

const BASE: usize = 0x4000_4000;
const DATA: usize = BASE;
const STATE: usize = BASE + 0x04;
const CTRL: usize = BASE + 0x08;
const BAUDDIV: usize = BASE + 0x10;
/// STATE: the transmit buffer is full.
const TX_FULL: u32 = 1 << 0;
/// CTRL: transmitter enabled.
const TX_ENABLE: u32 = 1 << 0;

/// The console UART.
pub struct Uart0(());

impl Uart0 {
    /// Enable the transmitter (QEMU ignores the baud rate; 16 is its minimum divider).
    pub fn new() -> Self {
        // SAFETY: fixed, aligned MMIO registers of this board.
        unsafe {
            core::ptr::write_volatile(BAUDDIV as *mut u32, 16);
            core::ptr::write_volatile(CTRL as *mut u32, TX_ENABLE);
        }
        Uart0(())
    }

    /// Send bytes, waiting for room.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            // SAFETY: as above.
            unsafe {
                while core::ptr::read_volatile(STATE as *const u32) & TX_FULL != 0 {}
                core::ptr::write_volatile(DATA as *mut u32, u32::from(b));
            }
        }
    }

    /// Send text.
    pub fn write_str(&mut self, s: &str) {
        self.write(s.as_bytes());
    }

    /// Send `n` in decimal, without `core::fmt` (which the poll-loop image
    /// leaves out).
    pub fn write_dec(&mut self, n: u32) {
        let mut digits = [0u8; 10];
        let mut i = digits.len();
        let mut v = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.write(&digits[i..]);
    }
}

impl Default for Uart0 {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Write for Uart0 {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.write(s.as_bytes());
        Ok(())
    }
}
