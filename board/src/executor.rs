//! The embassy thread executor, sleeping with `wfi`.
//!
//! embassy-executor's stock Cortex-M executor sleeps with `wfe` and wakes
//! itself with `sev`. QEMU 7.2 treats `wfe` as a yield, so an idle board
//! spins: a full host core. This one sleeps with `wfi`, which QEMU does
//! model, and its pender only raises a flag: every waker is called either
//! from a task (the executor is awake) or from an interrupt handler, whose
//! interrupt ends the `wfi` anyway.
//!
//! Use it with `#[embassy_executor::main(entry = "cortex_m_rt::entry",
//! executor = "wisp_board::executor::WfiExecutor")]`.

use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, Ordering};

use embassy_executor::{Spawner, raw};

/// A task was woken: the executor has to poll.
static WORK: AtomicBool = AtomicBool::new(false);

#[unsafe(export_name = "__pender")]
fn pender(_context: *mut ()) {
    WORK.store(true, Ordering::Release);
}

/// The thread-mode executor (see the module docs).
pub struct WfiExecutor {
    inner: raw::Executor,
    not_send: PhantomData<*mut ()>,
}

impl Default for WfiExecutor {
    fn default() -> Self {
        Self::new()
    }
}

impl WfiExecutor {
    /// An executor with no tasks yet.
    pub fn new() -> Self {
        WfiExecutor { inner: raw::Executor::new(core::ptr::null_mut()), not_send: PhantomData }
    }

    /// Call `init` with a spawner for this executor, then run its tasks for
    /// ever, asleep whenever none is ready.
    pub fn run(&'static mut self, init: impl FnOnce(Spawner)) -> ! {
        init(self.inner.spawner());
        loop {
            if WORK.swap(false, Ordering::AcqRel) {
                // SAFETY: `poll` is called from here only, never from the
                // pender, so never reentrantly.
                unsafe { self.inner.poll() };
            } else {
                // With interrupts masked, an interrupt that comes after the
                // check still ends the `wfi`; its handler runs (and may wake a
                // task) as soon as they are unmasked.
                cortex_m::interrupt::free(|_| {
                    if !WORK.load(Ordering::Acquire) {
                        cortex_m::asm::wfi();
                    }
                });
            }
        }
    }
}
