//! The device's own SHA-1 for the accept key, as a driver for a hash
//! peripheral would supply it (laid out like the STM32 HASH: a control
//! register, a data FIFO, a start register, a status register and five
//! digest registers).
//!
//! The board the probe runs on has no such peripheral, so the registers are
//! a block of RAM written and read with volatile accesses: the driver's code
//! is what a device would link (feed the message a word at a time, start,
//! wait, read the digest), and the digest it reads back is not a real one —
//! the probe does not check the accept key. `report.py` charges this file's
//! code to its own bucket, inside the session's ROM.

use core::ptr::{addr_of_mut, read_volatile, write_volatile};

use wisp::handshake::sha1::Sha1;

/// CR, DIN, STR, SR, then HR0..HR4.
static mut HASH: [u32; 9] = [0; 9];

const CR: usize = 0;
const DIN: usize = 1;
const STR: usize = 2;
const SR: usize = 3;
const HR: usize = 4;
/// CR: initialise, SHA-1, byte-swapped 8-bit data.
const CR_INIT_SHA1_BYTES: u32 = 1 << 2 | 2 << 4;
/// STR: start the final calculation.
const STR_DCAL: u32 = 1 << 8;
/// SR: busy.
const SR_BUSY: u32 = 1 << 3;

fn reg(i: usize) -> *mut u32 {
    // SAFETY: `i` is below 9, within the static block.
    unsafe { (addr_of_mut!(HASH) as *mut u32).add(i) }
}

/// The hash peripheral's driver.
pub struct HashPeripheral;

impl Sha1 for HashPeripheral {
    fn digest(&mut self, message: &[u8]) -> [u8; 20] {
        // SAFETY (every access below): single-threaded, in-bounds registers.
        unsafe { write_volatile(reg(CR), CR_INIT_SHA1_BYTES) };
        for word in message.chunks(4) {
            let mut w = 0u32;
            for (i, &b) in word.iter().enumerate() {
                w |= u32::from(b) << (8 * i);
            }
            unsafe { write_volatile(reg(DIN), w) };
        }
        // The number of valid bits in the last word, then start.
        unsafe { write_volatile(reg(STR), (8 * (message.len() % 4)) as u32 | STR_DCAL) };
        while unsafe { read_volatile(reg(SR)) } & SR_BUSY != 0 {}
        let mut out = [0u8; 20];
        for (i, bytes) in out.chunks_exact_mut(4).enumerate() {
            let word = unsafe { read_volatile(reg(HR + i)) };
            bytes.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}
