//! SMSC LAN9118 Ethernet controller in PIO mode, as QEMU's `mps2-an386`
//! models it (base 0x4020_0000, IRQ 13): the registers, the frame FIFOs and
//! the receive interrupt. [`crate::net_driver`] puts embassy-net on top of
//! it.
//!
//! Frames move through the data FIFOs a 32-bit word at a time. Receive: the
//! RX status FIFO holds one word per frame (length incl. the 4-byte FCS in
//! bits 29:16, error summary in bit 15); the frame follows in the RX data
//! FIFO. Transmit: command A and B words, then the frame.

use core::task::Waker;

use cortex_m::interrupt::InterruptNumber;
use cortex_m_rt::exception;
use embassy_sync::waitqueue::AtomicWaker;

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
const FREE_RUN: usize = 0x9C;
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

/// The largest frame, Ethernet header included, FCS not.
pub const MTU: usize = 1514;
/// A buffer that holds any frame the controller delivers, FCS included.
pub const FRAME_BUF: usize = 1536;

/// The controller's interrupt line on the MPS2 boards.
#[derive(Clone, Copy)]
pub struct EthIrq;

// SAFETY: 13 is the Ethernet controller's IRQ number on mps2-an386.
unsafe impl InterruptNumber for EthIrq {
    fn number(self) -> u16 {
        13
    }
}

/// Woken by the interrupt handler when a frame arrives.
static RX_WAKER: AtomicWaker = AtomicWaker::new();

/// A frame arrived: mask the controller's interrupt (its condition holds until
/// the FIFO is read, so it would fire again at once), stir the arrival time
/// into the entropy pool, and wake whoever waits for frames. The reader
/// re-arms it with [`Lan9118::arm_irq`].
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == 13 {
        wr(INT_EN, 0);
        crate::entropy::stir();
        RX_WAKER.wake();
    }
}

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

/// The controller, started: the only handle to its registers.
pub struct Lan9118 {
    /// Link counters.
    pub stats: Stats,
    mac: [u8; 6],
}

impl Lan9118 {
    /// Soft-reset and start the controller, and let its interrupt through the
    /// NVIC; `None` if no controller answers.
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
        // SAFETY: the handler above only masks the controller and wakes a
        // waker; nothing relies on the line staying masked.
        unsafe { cortex_m::peripheral::NVIC::unmask(EthIrq) };
        Some(Lan9118 { stats: Stats::default(), mac })
    }

    /// The station address.
    pub fn mac(&self) -> [u8; 6] {
        self.mac
    }

    /// Clear and re-arm the frame interrupt. The model raises it on a frame's
    /// arrival only (an edge, not the FIFO's level): arm first, then look at
    /// the FIFO, or a frame that came in between waits for the next one.
    pub fn arm_irq() {
        wr(INT_STS, u32::MAX);
        wr(INT_EN, INT_RSFL);
    }

    /// Wake `waker` when the next frame arrives (after [`Lan9118::arm_irq`]).
    pub fn wake_on_rx(waker: &Waker) {
        RX_WAKER.register(waker);
    }

    /// Read the next good frame into `buf`; its length without the FCS.
    /// Frames with receive errors, or too large for `buf`, are dropped and
    /// counted.
    pub fn read_frame(&mut self, buf: &mut [u8; FRAME_BUF]) -> Option<usize> {
        while (rd(RX_FIFO_INF) >> 16) & 0xFF != 0 {
            let status = rd(RX_STATUS);
            let len = ((status >> 16) & 0x3FFF) as usize;
            let words = len.div_ceil(4);
            let bad = status & (1 << 15) != 0 || len > buf.len() || len < 4;
            if bad {
                for _ in 0..words {
                    let _ = rd(RX_DATA);
                }
                self.stats.rx_dropped += 1;
                continue;
            }
            // A word at a time: the FIFO is the costly part (each access
            // leaves the emulated CPU), so the loop around it is kept bare.
            for dst in buf.chunks_exact_mut(4).take(words) {
                dst.copy_from_slice(&rd(RX_DATA).to_le_bytes());
            }
            self.stats.rx += 1;
            return Some(len - 4); // strip the FCS
        }
        None
    }

    /// Is there room in the TX data FIFO (bits 15:0 of TX_FIFO_INF) for a
    /// full frame and its command words?
    pub fn can_send(&self) -> bool {
        (rd(TX_FIFO_INF) & 0xFFFF) >= (MTU + 16) as u32
    }

    /// Send one frame (at most [`MTU`] bytes); call only when
    /// [`Lan9118::can_send`] says so.
    pub fn send(&mut self, frame: &[u8]) {
        let len = frame.len() as u32;
        wr(TX_DATA, (1 << 13) | (1 << 12) | len); // FIRST_SEG | LAST_SEG | length
        wr(TX_DATA, (len << 16) | len); // tag, length
        let mut words = frame.chunks_exact(4);
        for w in &mut words {
            wr(TX_DATA, u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            let mut w = [0u8; 4];
            for (d, s) in w.iter_mut().zip(tail) {
                *d = *s;
            }
            wr(TX_DATA, u32::from_le_bytes(w));
        }
        // Drain TX status entries so the FIFO never fills.
        while (rd(TX_FIFO_INF) >> 16) & 0xFF != 0 {
            let _ = rd(TX_STATUS);
        }
        self.stats.tx += 1;
    }

    /// The controller's free-running 25 MHz counter: the time of an event as
    /// the host delivered it, which the guest's own clock cannot predict.
    pub fn free_run() -> u32 {
        rd(FREE_RUN)
    }
}
