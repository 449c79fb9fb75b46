//! Stack high-water mark by painting: at boot, fill the unused stack with a
//! pattern; later, the deepest word no longer holding it is as far as the
//! stack has ever grown.

const PAINT: u32 = 0xDEAD_BEEF;

unsafe extern "C" {
    static _stack_start: u32;
    static __sheap: u32;
}

fn top() -> usize {
    (&raw const _stack_start) as usize
}

/// Paint from the end of static RAM up to just below the current frame.
/// Call it first thing, before the stack has grown deep.
pub fn paint() {
    let sp = cortex_m::register::msp::read() as usize - 64;
    let mut p = (&raw const __sheap) as usize;
    while p < sp {
        // SAFETY: between the end of .bss and below the live stack.
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// The most stack ever used, in bytes.
pub fn high_water() -> u32 {
    let mut p = (&raw const __sheap) as usize;
    // SAFETY: reading the painted region word by word.
    while p < top() && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    (top() - p) as u32
}
