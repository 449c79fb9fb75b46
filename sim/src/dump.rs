//! `dump`: a hex dump of the simulated memory, as a block line — one
//! WebSocket message of many frames whose length nobody computes up front.
//! Each row is
//!
//! ```text
//! <addr, 8 hex digits>  <16 bytes as 2-digit hex, space-separated>  |<ASCII, '.' if not printable>|
//! ```
//!
//! and the byte at address `a` is [`memory_byte`](crate::sim::memory_byte)`(a)`, so a client can check
//! every byte.

use crate::sim;
#[cfg(test)]
use crate::sim::memory_byte;

/// Largest `dump`.
pub const DUMP_MAX: u32 = 1 << 20;

/// Write hex-dump row `row` of a dump (16 bytes per row) into `out`:
/// `20001000  3a 1f … 9c  |:.....|` and a newline. Returns the length.
pub fn dump_row(addr: u32, len: u32, row: u32, out: &mut [u8]) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let start = addr.wrapping_add(row * 16);
    let n = (len - row * 16).min(16);
    let mut w = 0;
    let mut put = |b: u8| {
        if let Some(slot) = out.get_mut(w) {
            *slot = b;
            w += 1;
        }
    };
    for shift in (0..8).rev() {
        put(HEX.get(((start >> (shift * 4)) & 0xF) as usize).copied().unwrap_or(b'?'));
    }
    put(b' ');
    for i in 0..16 {
        put(b' ');
        if i < n {
            let b = sim::memory_byte(start + i);
            put(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'?'));
            put(HEX.get(usize::from(b & 0xF)).copied().unwrap_or(b'?'));
        } else {
            put(b' ');
            put(b' ');
        }
    }
    put(b' ');
    put(b' ');
    put(b'|');
    for i in 0..n {
        let b = sim::memory_byte(start + i);
        put(if b.is_ascii_graphic() { b } else { b'.' });
    }
    put(b'|');
    put(b'\n');
    w
}

/// Longest row [`dump_row`] writes.
pub const DUMP_ROW_MAX: usize = 8 + 1 + 48 + 2 + 18 + 1;

/// Rows in a dump of `len` bytes.
pub const fn dump_rows(len: u32) -> u32 {
    len.div_ceil(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_rows_show_the_documented_memory() {
        let mut out = [0u8; 100];
        let n = dump_row(0x2000_0000, 20, 1, &mut out);
        let row = core::str::from_utf8(&out[..n]).unwrap();
        assert!(row.starts_with("20000010  "), "{row}");
        let b = memory_byte(0x2000_0010);
        assert!(row.contains(&std::format!(" {b:02x} ")), "{row}");
        assert!(row.ends_with("|\n") && n <= DUMP_ROW_MAX);
        assert_eq!(dump_rows(20), 2);
    }
}
