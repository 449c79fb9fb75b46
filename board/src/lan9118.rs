//! SMSC LAN9118 Ethernet controller in PIO mode, as QEMU's `mps2-an386`
//! models it (base 0x4020_0000), as a `smoltcp` device.
//!
//! Frames move through the data FIFOs a 32-bit word at a time. Receive: the
//! RX status FIFO holds one word per frame (length incl. the 4-byte FCS in
//! bits 29:16, error summary in bit 15); the frame follows in the RX data
//! FIFO. Transmit: command A and B words, then the frame.

use smoltcp::phy::{self, DeviceCapabilities, Medium};
use smoltcp::time::Instant;

const BASE: usize = 0x4020_0000;
const RX_DATA: usize = 0x00;
const TX_DATA: usize = 0x20;
const RX_STATUS: usize = 0x40;
const TX_STATUS: usize = 0x48;
const ID_REV: usize = 0x50;
const IRQ_CFG: usize = 0x54;
const INT_STS: usize = 0x58;
const INT_EN: usize = 0x5C;
const BYTE_TEST: usize = 0x64;
const TX_CFG: usize = 0x70;
const HW_CFG: usize = 0x74;
const RX_FIFO_INF: usize = 0x7C;
const TX_FIFO_INF: usize = 0x80;
const MAC_CSR_CMD: usize = 0xA4;
const MAC_CSR_DATA: usize = 0xA8;

const MAC_CR: u32 = 1;
const ADDRH: u32 = 2;
const ADDRL: u32 = 3;
const MAC_RXEN: u32 = 1 << 2;
const MAC_TXEN: u32 = 1 << 3;
const CSR_BUSY: u32 = 1 << 31;
const CSR_READ: u32 = 1 << 30;
/// INT_EN/INT_STS: the RX status FIFO holds a frame.
const INT_RSFL: u32 = 1 << 3;
/// IRQ_CFG: the IRQ output enabled, active-high (IRQ_POL), push-pull
/// (IRQ_TYPE). QEMU's model drives the line inverted — asserted whenever
/// there is *no* interrupt — unless both are set.
const IRQ_EN: u32 = 1 << 8;
const IRQ_POL: u32 = 1 << 4;
const IRQ_TYPE: u32 = 1 << 0;

const MTU: usize = 1514;

fn rd(off: usize) -> u32 {
    // SAFETY: an aligned register of the controller's fixed MMIO window.
    unsafe { core::ptr::read_volatile((BASE + off) as *const u32) }
}

fn wr(off: usize, v: u32) {
    // SAFETY: as above.
    unsafe { core::ptr::write_volatile((BASE + off) as *mut u32, v) }
}

fn mac_write(index: u32, value: u32) {
    wr(MAC_CSR_DATA, value);
    wr(MAC_CSR_CMD, CSR_BUSY | index);
    while rd(MAC_CSR_CMD) & CSR_BUSY != 0 {}
}

fn mac_read(index: u32) -> u32 {
    wr(MAC_CSR_CMD, CSR_BUSY | CSR_READ | index);
    while rd(MAC_CSR_CMD) & CSR_BUSY != 0 {}
    rd(MAC_CSR_DATA)
}

/// Counters a device keeps about its link.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Frames received and passed up.
    pub rx: u32,
    /// Frames sent.
    pub tx: u32,
    /// Frames dropped: receive errors or larger than the buffer.
    pub rx_dropped: u32,
}

/// The controller and a one-frame receive buffer.
pub struct Lan9118 {
    rx: [u8; 1536],
    tx: [u8; 1536],
    /// Link counters.
    pub stats: Stats,
    mac: [u8; 6],
}

impl Lan9118 {
    /// Soft-reset and start the controller; `None` if it does not answer.
    pub fn new() -> Option<Lan9118> {
        if rd(BYTE_TEST) != 0x8765_4321 || rd(ID_REV) >> 16 != 0x0118 {
            return None;
        }
        wr(HW_CFG, 1); // SRST
        while rd(HW_CFG) & 1 != 0 {}
        let (hi, lo) = (mac_read(ADDRH), mac_read(ADDRL));
        let mac = [lo as u8, (lo >> 8) as u8, (lo >> 16) as u8, (lo >> 24) as u8, hi as u8, (hi >> 8) as u8];
        // QEMU drops every frame until RXEN is set.
        mac_write(MAC_CR, MAC_RXEN | MAC_TXEN);
        wr(TX_CFG, 1 << 1); // TX_ON
        // A frame arriving raises IRQ 13 (active-high, push-pull).
        wr(INT_STS, u32::MAX);
        wr(INT_EN, INT_RSFL);
        wr(IRQ_CFG, IRQ_EN | IRQ_POL | IRQ_TYPE);
        Some(Lan9118 { rx: [0; 1536], tx: [0; 1536], stats: Stats::default(), mac })
    }

    /// The station address.
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// Mask the frame interrupt (from the handler: the condition holds until
    /// the FIFO is read, so it would fire again at once).
    pub fn mask_irq() {
        wr(INT_EN, 0);
    }

    /// Clear and re-arm the frame interrupt, after the FIFO was read.
    pub fn arm_irq() {
        wr(INT_STS, u32::MAX);
        wr(INT_EN, INT_RSFL);
    }

    /// Read the next good frame into the buffer; its length.
    fn next_frame(&mut self) -> Option<usize> {
        while (rd(RX_FIFO_INF) >> 16) & 0xFF != 0 {
            let status = rd(RX_STATUS);
            let len = ((status >> 16) & 0x3FFF) as usize;
            let words = len.div_ceil(4);
            let bad = status & (1 << 15) != 0 || len > self.rx.len() || len < 4;
            for w in 0..words {
                let v = rd(RX_DATA).to_le_bytes();
                if !bad && let Some(dst) = self.rx.get_mut(w * 4..w * 4 + 4) {
                    dst.copy_from_slice(&v);
                }
            }
            if bad {
                self.stats.rx_dropped += 1;
                continue;
            }
            self.stats.rx += 1;
            return Some(len - 4); // strip the FCS
        }
        None
    }

    fn send(frame: &[u8]) {
        let len = frame.len() as u32;
        wr(TX_DATA, (1 << 13) | (1 << 12) | len); // FIRST_SEG | LAST_SEG | length
        wr(TX_DATA, (len << 16) | len); // tag, length
        for chunk in frame.chunks(4) {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            wr(TX_DATA, u32::from_le_bytes(w));
        }
        // Drain TX status entries so the FIFO never fills.
        while (rd(TX_FIFO_INF) >> 16) & 0xFF != 0 {
            let _ = rd(TX_STATUS);
        }
    }
}

/// A received frame.
pub struct Rx<'a>(&'a [u8]);
/// Room to send a frame.
pub struct Tx<'a> {
    buf: &'a mut [u8; 1536],
    stats: &'a mut Stats,
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
        Lan9118::send(&self.buf[..len]);
        self.stats.tx += 1;
        r
    }
}

impl phy::Device for Lan9118 {
    type RxToken<'a> = Rx<'a>;
    type TxToken<'a> = Tx<'a>;

    fn receive(&mut self, _: Instant) -> Option<(Rx<'_>, Tx<'_>)> {
        let len = self.next_frame()?;
        let Lan9118 { rx, tx, stats, .. } = self;
        Some((Rx(&rx[..len]), Tx { buf: tx, stats }))
    }

    fn transmit(&mut self, _: Instant) -> Option<Tx<'_>> {
        // TX data FIFO free space (bits 15:0), room for a full frame and its commands.
        if (rd(TX_FIFO_INF) & 0xFFFF) < (MTU + 16) as u32 {
            return None;
        }
        Some(Tx { buf: &mut self.tx, stats: &mut self.stats })
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = MTU;
        caps
    }
}
