//! A fixed set of wakers, for the async runner: tasks waiting for new lines
//! or tap records register here, and whoever adds some wakes them all.

use core::task::Waker;

/// Up to `N` wakers. A task registers again on every poll that finds
/// nothing; a full set wakes its oldest entry rather than lose a task.
pub(crate) struct WakerSet<const N: usize> {
    slots: [Option<Waker>; N],
    oldest: usize,
}

impl<const N: usize> WakerSet<N> {
    pub const fn new() -> Self {
        WakerSet { slots: [const { None }; N], oldest: 0 }
    }

    pub fn register(&mut self, waker: &Waker) {
        if self.slots.iter().flatten().any(|w| w.will_wake(waker)) {
            return;
        }
        if let Some(free) = self.slots.iter_mut().find(|s| s.is_none()) {
            *free = Some(waker.clone());
            return;
        }
        // Full: the oldest is woken (it will register again) and replaced.
        if let Some(w) = self.slots.get_mut(self.oldest).and_then(|slot| slot.replace(waker.clone())) {
            w.wake();
        }
        self.oldest = (self.oldest + 1) % N.max(1);
    }

    pub fn wake_all(&mut self) {
        for w in self.slots.iter_mut().filter_map(Option::take) {
            w.wake();
        }
    }
}
