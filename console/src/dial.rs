//! When to dial out again: exponential backoff for the client role, as the
//! commercial printf() client sample reconnects. The platform dials (its
//! network stack knows how) and hands the connection to the device; this
//! says when to try.

use crate::Micros;

/// Reconnection schedule: 0.25 s after a failure, doubling up to 8 s;
/// back to the start once a connection has lasted a while.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    next: Micros,
    delay: Micros,
}

/// First retry delay.
pub const MIN_DELAY: Micros = 250_000;
/// Longest retry delay.
pub const MAX_DELAY: Micros = 8_000_000;

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: 0, delay: MIN_DELAY }
    }
}

impl Backoff {
    /// Is it time to try?
    pub fn due(&self, now: Micros) -> bool {
        now >= self.next
    }

    /// The attempt failed or the connection ended at `now`, after lasting
    /// `lasted`: schedule the next one.
    pub fn failed(&mut self, now: Micros, lasted: Micros) {
        if lasted > MAX_DELAY {
            self.delay = MIN_DELAY;
        }
        self.next = now + self.delay;
        self.delay = (self.delay * 2).min(MAX_DELAY);
    }

    /// The delay the next failure will get.
    pub fn delay(&self) -> Micros {
        self.delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps_then_resets() {
        let mut b = Backoff::default();
        assert!(b.due(0));
        b.failed(0, 0);
        assert!(!b.due(100_000) && b.due(MIN_DELAY));
        for _ in 0..10 {
            b.failed(0, 0);
        }
        assert_eq!(b.delay(), MAX_DELAY);
        b.failed(0, MAX_DELAY + 1);
        assert_eq!(b.delay(), MIN_DELAY * 2);
    }
}
