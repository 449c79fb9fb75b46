//! `embassy-time` on SysTick: a 1 kHz tick (`tick-hz-1_000`) counted into a
//! 64-bit time, and one timer queue checked when its next deadline comes.
//!
//! Both images use it: the poll loop reads the time, the embassy image also
//! sleeps on it (`Timer::after`, socket timeouts).

use core::cell::{Cell, RefCell};
use core::task::Waker;

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::exception;
use critical_section::Mutex;
use embassy_time_driver::Driver;
use embassy_time_queue_utils::Queue;

/// The CPU clock QEMU models for this board: SysTick counts it.
pub const CPU_HZ: u32 = 25_000_000;

struct SysTickDriver {
    /// Ticks since [`start`].
    ticks: Mutex<Cell<u64>>,
    /// The tick at which the queue has a timer due (`u64::MAX`: none).
    alarm: Mutex<Cell<u64>>,
    queue: Mutex<RefCell<Queue>>,
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    ticks: Mutex::new(Cell::new(0)),
    alarm: Mutex::new(Cell::new(u64::MAX)),
    queue: Mutex::new(RefCell::new(Queue::new())),
});

impl Driver for SysTickDriver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| self.ticks.borrow(cs).get())
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            let mut queue = self.queue.borrow_ref_mut(cs);
            if queue.schedule_wake(at, waker) {
                // Wakes it now if `at` has already passed.
                let next = queue.next_expiration(self.ticks.borrow(cs).get());
                self.alarm.borrow(cs).set(next);
            }
        });
    }
}

/// Start the tick: SysTick from the core clock, an interrupt every 1 ms.
pub fn start(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CPU_HZ / embassy_time_driver::TICK_HZ as u32 - 1);
    syst.clear_current();
    syst.enable_counter();
    syst.enable_interrupt();
}

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let ticks = DRIVER.ticks.borrow(cs);
        let now = ticks.get() + 1;
        ticks.set(now);
        let alarm = DRIVER.alarm.borrow(cs);
        if now >= alarm.get() {
            alarm.set(DRIVER.queue.borrow_ref_mut(cs).next_expiration(now));
        }
    });
}
