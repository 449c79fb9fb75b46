//! The LAN9118 as an `embassy-net` device: an [`embassy_net_driver::Driver`]
//! over [`Lan9118`], receiving by interrupt.
//!
//! `receive` arms the frame interrupt and registers the stack's waker before
//! it gives up, so a frame that arrives while the stack sleeps wakes it
//! through the handler in [`crate::lan9118`].

use core::task::Context;

use embassy_net_driver::{Capabilities, Driver, HardwareAddress, LinkState};

use crate::lan9118::{FRAME_BUF, Lan9118, MTU};

/// The controller with one receive and one transmit frame buffer.
pub struct Lan9118Driver {
    nic: Lan9118,
    rx: [u8; FRAME_BUF],
    tx: [u8; FRAME_BUF],
}

impl Lan9118Driver {
    /// Drive `nic` for embassy-net.
    pub fn new(nic: Lan9118) -> Self {
        Lan9118Driver { nic, rx: [0; FRAME_BUF], tx: [0; FRAME_BUF] }
    }
}

/// A received frame.
pub struct RxToken<'a>(&'a mut [u8]);

/// Room to send a frame.
pub struct TxToken<'a> {
    nic: &'a mut Lan9118,
    buf: &'a mut [u8; FRAME_BUF],
}

impl embassy_net_driver::RxToken for RxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

impl embassy_net_driver::TxToken for TxToken<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let len = len.min(MTU);
        let r = f(&mut self.buf[..len]);
        self.nic.send(&self.buf[..len]);
        r
    }
}

impl Driver for Lan9118Driver {
    type RxToken<'a> = RxToken<'a>;
    type TxToken<'a> = TxToken<'a>;

    fn receive(&mut self, cx: &mut Context) -> Option<(RxToken<'_>, TxToken<'_>)> {
        let Lan9118Driver { nic, rx, tx } = self;
        let len = match nic.read_frame(rx) {
            Some(len) => len,
            None => {
                Lan9118::wake_on_rx(cx.waker());
                Lan9118::arm_irq();
                // A frame that landed after the first look and before the
                // interrupt was armed raised no interrupt: look once more.
                nic.read_frame(rx)?
            }
        };
        Some((RxToken(&mut rx[..len]), TxToken { nic, buf: tx }))
    }

    fn transmit(&mut self, cx: &mut Context) -> Option<TxToken<'_>> {
        if !self.nic.can_send() {
            // QEMU sends a frame as its last word is written, so the FIFO is
            // empty whenever the stack looks; a controller that is still
            // sending would be asked again at once.
            cx.waker().wake_by_ref();
            return None;
        }
        Some(TxToken { nic: &mut self.nic, buf: &mut self.tx })
    }

    fn link_state(&mut self, _: &mut Context) -> LinkState {
        // QEMU's user network is always connected.
        LinkState::Up
    }

    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::default();
        caps.max_transmission_unit = MTU;
        caps
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(self.nic.mac())
    }
}
