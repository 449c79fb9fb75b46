//! The two buffers an [`Endpoint`](super::Endpoint) works in: borrowed from
//! the caller, or owned inline (a device's session table).

use crate::connection::MIN_READ_BUFFER;
use crate::frame::MAX_HEADER_LEN;

/// Transmit bytes kept free for control frames: a pong or keepalive ping and
/// a close, each up to a 6-byte header and 125 bytes of payload (§5.5). Data
/// never uses them, so a peer that does not read can always still be pinged
/// and closed.
pub const CONTROL_RESERVE: usize = 2 * (6 + 125);

/// The smallest transmit buffer an endpoint accepts: the control reserve and
/// a data frame of one byte.
pub const MIN_TRANSMIT_BUFFER: usize = CONTROL_RESERVE + MAX_HEADER_LEN + 1;

/// A receive buffer and a transmit buffer.
pub trait Buffers {
    /// Both, mutably.
    fn split(&mut self) -> (&mut [u8], &mut [u8]);
    /// Both, to read.
    fn split_ref(&self) -> (&[u8], &[u8]);
}

impl Buffers for (&mut [u8], &mut [u8]) {
    fn split(&mut self) -> (&mut [u8], &mut [u8]) {
        (&mut *self.0, &mut *self.1)
    }

    fn split_ref(&self) -> (&[u8], &[u8]) {
        (&*self.0, &*self.1)
    }
}

/// Buffers owned inline, sized at compile time: what a device's session
/// table holds.
///
/// ```
/// use wisp::Endpoint;
/// use wisp::endpoint::Storage;
/// // A session table's entry: 512 bytes in, 1 KiB out, no heap.
/// let ep: Endpoint<Storage<512, 1024>> = Endpoint::server(Storage::new()).unwrap();
/// assert_eq!(ep.room(), 1024 - wisp::endpoint::CONTROL_RESERVE - 14);
/// ```
///
/// A receive buffer under 139 bytes or a transmit buffer under
/// [`MIN_TRANSMIT_BUFFER`] fails to compile:
///
/// ```compile_fail
/// let _ = wisp::endpoint::Storage::<512, 64>::new();
/// ```
#[derive(Debug, Clone)]
pub struct Storage<const RX: usize, const TX: usize> {
    rx: [u8; RX],
    tx: [u8; TX],
}

impl<const RX: usize, const TX: usize> Storage<RX, TX> {
    /// Zeroed buffers (`const`, so a `static` of them is `.bss`).
    pub const fn new() -> Self {
        const { assert!(RX >= MIN_READ_BUFFER && TX >= MIN_TRANSMIT_BUFFER, "buffers too small for an endpoint") };
        Storage { rx: [0; RX], tx: [0; TX] }
    }
}

impl<const RX: usize, const TX: usize> Default for Storage<RX, TX> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const RX: usize, const TX: usize> Buffers for Storage<RX, TX> {
    fn split(&mut self) -> (&mut [u8], &mut [u8]) {
        (&mut self.rx, &mut self.tx)
    }

    fn split_ref(&self) -> (&[u8], &[u8]) {
        (&self.rx, &self.tx)
    }
}
