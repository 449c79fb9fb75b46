//! Entropy for a board with no RNG: the times at which frames arrive.
//!
//! The LAN9118 interrupt stirs its 25 MHz `FREE_RUN` counter and the SysTick
//! counter into a small pool at every received frame; [`fill`] hashes the
//! pool, a counter and the counters' values at the call with SHA-1 (the
//! compact one the handshake links) into output, and folds each output back
//! into the pool's state.
//!
//! What it is worth: the counters are exact copies of QEMU's virtual clock,
//! so all that is unpredictable is *when* the host delivered each frame — the
//! jitter of host scheduling and networking, a few bits per frame at 40 ns
//! resolution to someone who sees the traffic, more to someone who does not.
//! Before the first frame (the TCP seed at boot) there is next to none: the
//! boot takes the same number of cycles every time. That is enough for the
//! client role's masks (RFC 6455 §5.3 asks only that a page's script cannot
//! predict them) and for TCP's initial sequence numbers against an off-path
//! guess; it is not enough for keys, tokens or anything secret. A real board
//! uses its RNG peripheral here.

use core::cell::RefCell;

use critical_section::Mutex;
use wisp::handshake::sha1::{CompactSha1, Sha1};

use crate::lan9118::Lan9118;

struct Pool {
    /// The hashed state: every output so far, folded in.
    state: [u8; 20],
    /// Counter values stirred in since the last output.
    events: [u32; 4],
    /// Frames seen, and outputs made.
    stirred: u32,
    drawn: u32,
}

static POOL: Mutex<RefCell<Pool>> =
    Mutex::new(RefCell::new(Pool { state: [0; 20], events: [0; 4], stirred: 0, drawn: 0 }));

fn systick() -> u32 {
    cortex_m::peripheral::SYST::get_current()
}

/// Stir the time of an event (a frame's arrival) into the pool: cheap
/// enough for an interrupt handler.
pub fn stir() {
    let t = Lan9118::free_run() ^ systick().rotate_left(16);
    critical_section::with(|cs| {
        let mut p = POOL.borrow_ref_mut(cs);
        let i = (p.stirred % 4) as usize;
        if let Some(e) = p.events.get_mut(i) {
            *e = e.rotate_left(5) ^ t;
        }
        p.stirred = p.stirred.wrapping_add(1);
    });
}

/// Fill `out` with bytes drawn from the pool (see the module docs for what
/// they are worth). The signature `Config::entropy` takes.
pub fn fill(out: &mut [u8]) {
    for chunk in out.chunks_mut(20) {
        let block = critical_section::with(|cs| {
            let mut p = POOL.borrow_ref_mut(cs);
            p.drawn = p.drawn.wrapping_add(1);
            let mut msg = [0u8; 20 + 16 + 16];
            let now = [Lan9118::free_run(), systick(), p.stirred, p.drawn];
            for (d, s) in msg.iter_mut().zip(p.state.iter()) {
                *d = *s;
            }
            let words = p.events.iter().chain(now.iter()).flat_map(|w| w.to_le_bytes());
            for (d, s) in msg.iter_mut().skip(20).zip(words) {
                *d = s;
            }
            let out = CompactSha1.digest(&msg);
            // The next state is a different hash of the same input, so an
            // output does not give the state away.
            if let Some(last) = msg.last_mut() {
                *last ^= 0x5A;
            }
            p.state = CompactSha1.digest(&msg);
            p.events = [0; 4];
            out
        });
        for (d, s) in chunk.iter_mut().zip(block.iter()) {
            *d = *s;
        }
    }
}
