//! The LAN9118 as a `smoltcp` device, for the poll loop: frames are read
//! when the loop polls the interface, and the loop re-arms the interrupt
//! before it sleeps.

use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;
use wisp_board::lan9118::{FRAME_BUF, Lan9118, MTU};

/// The controller with one receive and one transmit frame buffer.
pub struct Eth {
    nic: Lan9118,
    rx: [u8; FRAME_BUF],
    tx: [u8; FRAME_BUF],
}

impl Eth {
    /// Drive `nic` for smoltcp.
    pub fn new(nic: Lan9118) -> Self {
        Eth { nic, rx: [0; FRAME_BUF], tx: [0; FRAME_BUF] }
    }

    /// The station address.
    pub fn mac(&self) -> [u8; 6] {
        self.nic.mac()
    }
}

/// A received frame.
pub struct Rx<'a>(&'a [u8]);

/// Room to send a frame.
pub struct Tx<'a> {
    nic: &'a mut Lan9118,
    buf: &'a mut [u8; FRAME_BUF],
}

impl phy::RxToken for Rx<'_> {
    fn consume<R, F: FnOnce(&[u8]) -> R>(self, f: F) -> R {
        f(self.0)
    }
}

impl phy::TxToken for Tx<'_> {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let len = len.min(MTU);
        let r = f(&mut self.buf[..len]);
        self.nic.send(&self.buf[..len]);
        r
    }
}

impl phy::Device for Eth {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let Eth { nic, rx, tx } = self;
        let len = nic.read_frame(rx)?;
        Some((Rx(&rx[..len]), Tx { nic, buf: tx }))
    }

    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        if !self.nic.can_send() {
            return None;
        }
        Some(Tx { nic: &mut self.nic, buf: &mut self.tx })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = MTU;
        caps
    }
}
