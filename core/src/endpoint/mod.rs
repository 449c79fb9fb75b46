//! A buffered endpoint: the [`Connection`] engine over a receive and a
//! transmit buffer, answering pings and closes by itself ([RFC 6455 §5.5]).
//!
//! It is still sans-IO — the caller moves bytes between the buffers and its
//! transport — but it keeps the bookkeeping every user of the engine needs,
//! in one place:
//!
//! - **Input.** Read the transport into [`input`](Endpoint::input), report it
//!   with [`filled`](Endpoint::filled), then call
//!   [`poll`](Endpoint::poll) until it returns `Ok(None)`. Each call returns at
//!   most one [`Event`], borrowing the receive buffer.
//! - **Answers.** A ping is answered with its pong (§5.5.2) and a close with
//!   the close reply (§5.5.1) before the event is returned; a protocol error
//!   queues the close that fails the connection (§7.1.7) and is returned as
//!   the error. The caller never writes a control reply itself.
//! - **Output.** Frames go into the transmit buffer ([`send`](Endpoint::send));
//!   write [`output`](Endpoint::output) to the transport and report it with
//!   [`written`](Endpoint::written).
//! - **Room for control frames.** Data never takes the last
//!   [`CONTROL_RESERVE`] bytes of the transmit buffer, and input is processed
//!   only while its answer fits, so a peer that sends without reading is
//!   slowed down rather than buffered, and can always still be pinged and
//!   closed.
//! - **A wire tap** ([`Tap`]) can be shown every frame as it is on the wire.
//!
//! ```
//! use wisp::{Endpoint, Event, Outgoing};
//!
//! let (mut rx, mut tx) = ([0u8; 256], [0u8; 512]);
//! let mut ep = Endpoint::server((&mut rx[..], &mut tx[..])).unwrap();
//! // A masked ping "Hello" and a masked text "Hello" from a client (RFC 6455 §5.7).
//! let wire = [0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
//!             0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
//! ep.input()[..wire.len()].copy_from_slice(&wire);
//! ep.filled(wire.len());
//! assert_eq!(ep.poll().unwrap(), Some(Event::Ping(b"Hello")));   // already answered
//! assert_eq!(ep.output(), &[0x8a, 0x05, b'H', b'e', b'l', b'l', b'o']);
//! let n = ep.output().len();
//! ep.written(n);
//! let Some(Event::Data { payload, fin: true, .. }) = ep.poll().unwrap() else { panic!() };
//! assert_eq!(payload, b"Hello");
//! ep.send(Outgoing::Text { payload: b"Hi", fin: true }).unwrap();
//! assert_eq!(ep.output(), &[0x81, 0x02, b'H', b'i']);
//! ```
//!
//! [RFC 6455 §5.5]: https://www.rfc-editor.org/rfc/rfc6455#section-5.5

mod buffers;

pub use buffers::{Buffers, CONTROL_RESERVE, MIN_TRANSMIT_BUFFER, Storage};

use crate::connection::{Client, DEFAULT_MAX_SIZE, MIN_READ_BUFFER, MaskSource, Received, Server, Side};
use crate::frame::MAX_HEADER_LEN;
use crate::frame::header::peek;
use crate::{CloseCode, Connection, Error, Event, Outgoing};

/// The longest control frame on the wire: a 6-byte header (a client masks)
/// and 125 bytes of payload.
const CONTROL_FRAME_MAX: usize = 6 + 125;

/// Shown every frame an [`Endpoint`] receives or queues, as on the wire.
///
/// `()` is the tap that looks at nothing.
pub trait Tap {
    /// A frame the peer sent: its whole header and as much of its payload as
    /// has arrived, still masked if it was.
    fn received(&mut self, wire: &[u8]);
    /// A frame this side queued, exactly as it will be written.
    fn sent(&mut self, wire: &[u8]);
}

impl Tap for () {
    fn received(&mut self, _: &[u8]) {}
    fn sent(&mut self, _: &[u8]) {}
}

/// The masking-key source of a server endpoint: a server masks nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMask;

impl MaskSource for NoMask {
    fn next_key(&mut self) -> [u8; 4] {
        [0; 4]
    }
}

/// The engine over two buffers; see the [module docs](self).
///
/// `B` holds the buffers: borrowed (`(&mut [u8], &mut [u8])`) or owned
/// ([`Storage`]). `S` is the side, `K` a client's [`MaskSource`], and
/// `MAX_FRAME`/`MAX_MESSAGE` the engine's limits (see [`Connection`];
/// [`with_limits`](Endpoint::with_limits) sets them).
pub struct Endpoint<
    B,
    S: Side = Server,
    K: MaskSource = NoMask,
    const MAX_FRAME: u32 = DEFAULT_MAX_SIZE,
    const MAX_MESSAGE: u32 = DEFAULT_MAX_SIZE,
> {
    conn: Connection<S, MAX_FRAME, MAX_MESSAGE>,
    bufs: B,
    rx_start: usize,
    rx_end: usize,
    out: Queue,
    keys: K,
    /// The event [`poll_ready`](Endpoint::poll_ready) found, as offsets.
    stash: Option<Stash>,
}

/// An event reduced to its shape: its payload is the last bytes consumed,
/// ending at `rx_start`.
#[derive(Debug, Clone, Copy)]
enum Stash {
    Data { kind: crate::DataKind, len: usize, fin: bool },
    Pong(usize),
    Close { code: Option<CloseCode>, reason_len: usize },
}

/// An event and the outbox to answer it on ([`Endpoint::poll_with_outbox`]).
pub type Polled<'e, S, K, const MAX_FRAME: u32, const MAX_MESSAGE: u32> =
    Option<(Event<'e>, Outbox<'e, S, K, MAX_FRAME, MAX_MESSAGE>)>;

/// Where the queued output sits in the transmit buffer.
#[derive(Debug, Clone, Copy, Default)]
struct Queue {
    start: usize,
    end: usize,
}

impl<B: Buffers> Endpoint<B> {
    /// A server endpoint over `buffers`, with the default limits. The receive
    /// buffer must hold at least [`MIN_READ_BUFFER`] bytes and the transmit
    /// buffer [`MIN_TRANSMIT_BUFFER`]: smaller is [`Error::BufferTooSmall`].
    pub fn server(buffers: B) -> Result<Self, Error> {
        Self::with_keys(buffers, NoMask)
    }
}

// The two owned constructors spell the struct out rather than share one
// constructor with `with_keys`: through a shared `const fn` the firmware
// image grows by ~230 B on a Cortex-M4 (`python3 board/report.py
// --example minimal`).
impl<const RX: usize, const TX: usize> Endpoint<Storage<RX, TX>> {
    /// A server endpoint that owns its buffers: their sizes were checked
    /// when it was compiled, so this cannot fail (and is `const`).
    pub const fn owned() -> Self {
        Endpoint {
            conn: Connection::new(),
            bufs: Storage::new(),
            rx_start: 0,
            rx_end: 0,
            out: Queue { start: 0, end: 0 },
            keys: NoMask,
            stash: None,
        }
    }
}

impl<const RX: usize, const TX: usize, K: MaskSource> Endpoint<Storage<RX, TX>, Client, K> {
    /// A client endpoint that owns its buffers, masking with keys from `keys`.
    pub const fn owned_client(keys: K) -> Self {
        Endpoint {
            conn: Connection::new(),
            bufs: Storage::new(),
            rx_start: 0,
            rx_end: 0,
            out: Queue { start: 0, end: 0 },
            keys,
            stash: None,
        }
    }
}

impl<B: Buffers, K: MaskSource> Endpoint<B, Client, K> {
    /// A client endpoint over `buffers`, masking each frame with a key from
    /// `keys` (§5.3). Buffer sizes as for [`server`](Endpoint::server).
    pub fn client(buffers: B, keys: K) -> Result<Self, Error> {
        Self::with_keys(buffers, keys)
    }
}

impl<B: Buffers, S: Side, K: MaskSource, const MAX_FRAME: u32, const MAX_MESSAGE: u32>
    Endpoint<B, S, K, MAX_FRAME, MAX_MESSAGE>
{
    fn with_keys(mut bufs: B, keys: K) -> Result<Self, Error> {
        let (rx, tx) = bufs.split();
        if rx.len() < MIN_READ_BUFFER || tx.len() < MIN_TRANSMIT_BUFFER {
            return Err(Error::BufferTooSmall);
        }
        Ok(Endpoint { conn: Connection::new(), bufs, rx_start: 0, rx_end: 0, out: Queue::default(), keys, stash: None })
    }

    /// The same endpoint with other limits on what the peer may send (a
    /// longer frame or message fails the connection with 1009). Set them
    /// before any traffic: the engine starts afresh.
    ///
    /// ```
    /// # use wisp::Endpoint;
    /// let (mut rx, mut tx) = ([0u8; 256], [0u8; 512]);
    /// let ep = Endpoint::server((&mut rx[..], &mut tx[..])).unwrap().with_limits::<1024, 4096>();
    /// # let _ = ep;
    /// ```
    pub fn with_limits<const F: u32, const M: u32>(self) -> Endpoint<B, S, K, F, M> {
        Endpoint {
            conn: Connection::new(),
            bufs: self.bufs,
            rx_start: self.rx_start,
            rx_end: self.rx_end,
            out: self.out,
            keys: self.keys,
            stash: None,
        }
    }

    /// The engine, for its getters ([`Connection::is_closed`] …).
    pub fn connection(&self) -> &Connection<S, MAX_FRAME, MAX_MESSAGE> {
        &self.conn
    }

    /// Give back the buffers.
    pub fn into_buffers(self) -> B {
        self.bufs
    }

    // ------------------------------------------------------------------
    // Input
    // ------------------------------------------------------------------

    /// Room to read the transport into (the unread bytes are moved to the
    /// front first). Empty when the receive buffer is full: poll first.
    pub fn input(&mut self) -> &mut [u8] {
        self.stash = None;
        let (rx, _) = self.bufs.split();
        if self.rx_start > 0 {
            rx.copy_within(self.rx_start..self.rx_end, 0);
            self.rx_end -= self.rx_start;
            self.rx_start = 0;
        }
        rx.get_mut(self.rx_end..).unwrap_or_default()
    }

    /// `n` bytes were read into [`input`](Self::input).
    pub fn filled(&mut self, n: usize) {
        let cap = self.bufs.split_ref().0.len();
        self.rx_end = (self.rx_end + n).min(cap);
    }

    /// Put bytes that arrived with the handshake (a first frame in the same
    /// packet as the request or the `101`) in front of the receive buffer.
    pub fn preload(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let dst = self.input().get_mut(..bytes.len()).ok_or(Error::BufferTooSmall)?;
        dst.copy_from_slice(bytes);
        self.filled(bytes.len());
        Ok(())
    }

    /// Drop `n` received bytes that were handled outside the engine (an
    /// HTTP request head read in the same buffer before an upgrade).
    pub fn consume(&mut self, n: usize) {
        self.stash = None;
        self.rx_start = (self.rx_start + n).min(self.rx_end);
    }

    /// Received bytes not yet processed.
    pub fn unread(&self) -> &[u8] {
        self.bufs.split_ref().0.get(self.rx_start..self.rx_end).unwrap_or_default()
    }

    /// Process input: the next event, or `Ok(None)` when more input is needed
    /// (or the transmit buffer must drain first so an answer fits).
    ///
    /// Pings have been answered and a close replied to when their event is
    /// returned. An error has queued the close frame that fails the
    /// connection (send the output, then drop the transport). After the
    /// peer's close or an error, polls return [`Error::Closed`].
    pub fn poll(&mut self) -> Result<Option<Event<'_>>, Error> {
        self.poll_tapped(&mut ())
    }

    /// [`poll`](Self::poll), showing `tap` each frame received and each
    /// answer queued.
    pub fn poll_tapped(&mut self, tap: &mut impl Tap) -> Result<Option<Event<'_>>, Error> {
        Ok(self.process(tap, false)?.map(|(event, _)| event))
    }

    /// [`poll_tapped`](Self::poll_tapped), with an [`Outbox`] to send on
    /// while the event's payload is still borrowed — an echo sends each piece
    /// straight back. Data pieces are cut to what the outbox can take at once.
    pub fn poll_with_outbox(&mut self, tap: &mut impl Tap) -> Result<Polled<'_, S, K, MAX_FRAME, MAX_MESSAGE>, Error> {
        self.process(tap, true)
    }

    fn process(
        &mut self,
        tap: &mut impl Tap,
        fit_data: bool,
    ) -> Result<Polled<'_, S, K, MAX_FRAME, MAX_MESSAGE>, Error> {
        if self.conn.close_received() || self.conn.has_failed() {
            return Err(Error::Closed);
        }
        let (rx, tx) = self.bufs.split();
        self.out.compact(tx);
        let free = tx.len() - self.out.end;
        let data_room = free.saturating_sub(CONTROL_RESERVE + MAX_HEADER_LEN);
        let unread = rx.get_mut(self.rx_start..self.rx_end).unwrap_or_default();
        if unread.is_empty() {
            return Ok(None);
        }
        // The engine is handed whole headers only, so that a tap sees each
        // one before its payload is unmasked in place.
        let mut limit = unread.len();
        let mut shown = None;
        if self.conn.at_frame_start() {
            match peek(unread) {
                None => return Ok(None),
                Some(frame) => {
                    if frame.control {
                        // Its answer must fit before it is taken.
                        if free < CONTROL_FRAME_MAX {
                            return Ok(None);
                        }
                    } else if fit_data {
                        limit = frame.header_len + data_room.min(frame.payload_len);
                    }
                    let seen = frame.header_len.saturating_add(frame.payload_len).min(unread.len());
                    shown = unread.get(..seen);
                }
            }
        } else if fit_data {
            if data_room == 0 {
                return Ok(None);
            }
            limit = data_room;
        }
        if let Some(wire) = shown {
            tap.received(wire);
        }
        let input = unread.get_mut(..limit.min(unread.len())).unwrap_or_default();
        let mut outbox = Outbox { conn: &mut self.conn, tx, out: &mut self.out, keys: &mut self.keys };
        match outbox.conn.read(input) {
            Ok(Received { consumed, event }) => {
                self.rx_start += consumed;
                let Some(event) = event else { return Ok(None) };
                match event {
                    // §5.5.2: a pong with the same payload, "as soon as
                    // practical". Room was checked above; after this side's
                    // close none may be sent, and none is.
                    Event::Ping(p) => {
                        let _ = outbox.send_tapped(Outgoing::Pong(p), tap);
                    }
                    // §5.5.1: the close reply, "typically echoing the status
                    // code it received".
                    Event::Close(_) => outbox.queue_owed_close(tap),
                    _ => {}
                }
                Ok(Some((event, outbox)))
            }
            Err(e) => {
                self.rx_start = self.rx_end;
                // §7.1.7: fail the connection with the error's close code.
                outbox.queue_owed_close(tap);
                Err(e)
            }
        }
    }

    /// Poll until an event other than a ping is ready (pings are answered
    /// on the way), and keep it for [`ready`](Self::ready): `Ok(true)` when
    /// one is. For a caller that polls in a loop and hands the event out
    /// after it, as the adapters' `read` does — a loop cannot return a
    /// borrow that a later turn would take again.
    pub fn poll_ready(&mut self) -> Result<bool, Error> {
        loop {
            let stash = match self.process(&mut (), false)? {
                None => return Ok(false),
                Some((Event::Ping(_), _)) => continue,
                Some((Event::Data { kind, payload, fin }, _)) => Stash::Data { kind, len: payload.len(), fin },
                Some((Event::Pong(p), _)) => Stash::Pong(p.len()),
                Some((Event::Close(c), _)) => Stash::Close { code: c.code, reason_len: c.reason.len() },
            };
            self.stash = Some(stash);
            return Ok(true);
        }
    }

    /// The event [`poll_ready`](Self::poll_ready) found, until the next
    /// [`input`](Self::input).
    pub fn ready(&self) -> Option<Event<'_>> {
        let rx = self.bufs.split_ref().0;
        let last = |len: usize| rx.get(self.rx_start.saturating_sub(len)..self.rx_start).unwrap_or_default();
        Some(match self.stash? {
            Stash::Data { kind, len, fin } => Event::Data { kind, payload: last(len), fin },
            Stash::Pong(len) => Event::Pong(last(len)),
            Stash::Close { code, reason_len } => {
                let reason = crate::utf8::Utf8Validator::validate(last(reason_len)).unwrap_or_default();
                Event::Close(crate::CloseFrame { code, reason })
            }
        })
    }

    /// The receive buffer, the transmit buffer and how much has been read,
    /// for a handshake that reads its head where frames will follow.
    #[cfg(all(feature = "handshake", any(feature = "embedded-io", feature = "embedded-io-async")))]
    pub(crate) fn handshake_buffers(&mut self) -> (&mut [u8], &mut [u8], usize) {
        let (rx, tx) = self.bufs.split();
        (rx, tx, self.rx_end)
    }

    /// The handshake's head is the first `len` bytes read: what follows it
    /// is the first frames.
    #[cfg(all(feature = "handshake", any(feature = "embedded-io", feature = "embedded-io-async")))]
    pub(crate) fn consume_head(&mut self, len: usize) {
        self.rx_start = len.min(self.rx_end);
    }

    // ------------------------------------------------------------------
    // Output
    // ------------------------------------------------------------------

    /// Queued bytes to write to the transport.
    pub fn output(&self) -> &[u8] {
        self.bufs.split_ref().1.get(self.out.start..self.out.end).unwrap_or_default()
    }

    /// Queue bytes that are not a frame — an HTTP response before an
    /// upgrade: `write` fills the free transmit room and returns how many
    /// bytes it wrote.
    pub fn queue_raw(&mut self, write: impl FnOnce(&mut [u8]) -> usize) {
        let (_, tx) = self.bufs.split();
        self.out.compact(tx);
        let room = tx.get_mut(self.out.end..).unwrap_or_default();
        let n = write(room).min(room.len());
        self.out.end += n;
    }

    /// Handle bytes outside the engine — an HTTP request answered before
    /// any upgrade: `exchange` gets the unread input and the free transmit
    /// room, and returns how many input bytes it used, how many bytes it
    /// wrote, and its own result.
    pub fn exchange_raw<R>(&mut self, exchange: impl FnOnce(&[u8], &mut [u8]) -> (usize, usize, R)) -> R {
        self.stash = None;
        let (rx, tx) = self.bufs.split();
        self.out.compact(tx);
        let unread = rx.get(self.rx_start..self.rx_end).unwrap_or_default();
        let room = tx.get_mut(self.out.end..).unwrap_or_default();
        let room_len = room.len();
        let (used, wrote, r) = exchange(unread, room);
        self.rx_start = (self.rx_start + used).min(self.rx_end);
        self.out.end += wrote.min(room_len);
        r
    }

    /// Room to read the transport into and the bytes to write to it, at
    /// once: for a driver that waits on both.
    pub fn io(&mut self) -> (&mut [u8], &[u8]) {
        self.stash = None;
        let (rx, tx) = self.bufs.split();
        if self.rx_start > 0 {
            rx.copy_within(self.rx_start..self.rx_end, 0);
            self.rx_end -= self.rx_start;
            self.rx_start = 0;
        }
        let input = rx.get_mut(self.rx_end..).unwrap_or_default();
        let output = tx.get(self.out.start..self.out.end).unwrap_or_default();
        (input, output)
    }

    /// Bytes are queued for the transport.
    pub fn has_output(&self) -> bool {
        self.out.start < self.out.end
    }

    /// `n` bytes of [`output`](Self::output) were written.
    pub fn written(&mut self, n: usize) {
        self.out.start = (self.out.start + n).min(self.out.end);
        if self.out.start == self.out.end {
            self.out = Queue::default();
        }
    }

    /// Data payload bytes one frame could take now, with the control reserve
    /// kept.
    pub fn room(&self) -> usize {
        let tx = self.bufs.split_ref().1.len();
        (tx - (self.out.end - self.out.start)).saturating_sub(CONTROL_RESERVE + MAX_HEADER_LEN)
    }

    /// Queue a frame. A data frame that does not fit beside what is queued
    /// is [`Error::Full`] (write the output, then try again); one that could
    /// never fit is [`Error::BufferTooSmall`]. Control frames may use the
    /// control reserve.
    pub fn send(&mut self, frame: Outgoing<'_>) -> Result<(), Error> {
        self.send_tapped(frame, &mut ())
    }

    /// [`send`](Self::send), showing `tap` the frame.
    pub fn send_tapped(&mut self, frame: Outgoing<'_>, tap: &mut impl Tap) -> Result<(), Error> {
        self.outbox().send_tapped(frame, tap)
    }

    /// Start the closing handshake with `code` and `reason` (at most 123
    /// bytes); then poll until the peer's close arrives.
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<(), Error> {
        self.send(Outgoing::close(code, reason))
    }

    /// The sending half alone.
    pub fn outbox(&mut self) -> Outbox<'_, S, K, MAX_FRAME, MAX_MESSAGE> {
        let (_, tx) = self.bufs.split();
        Outbox { conn: &mut self.conn, tx, out: &mut self.out, keys: &mut self.keys }
    }
}

impl Queue {
    /// Move the queued bytes to the front, when any have been written.
    fn compact(&mut self, tx: &mut [u8]) {
        if self.start > 0 {
            tx.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }
}

/// The sending half of an [`Endpoint`], borrowed beside an event's payload
/// (see [`Endpoint::poll_with_outbox`]).
pub struct Outbox<'e, S: Side, K, const MAX_FRAME: u32, const MAX_MESSAGE: u32> {
    conn: &'e mut Connection<S, MAX_FRAME, MAX_MESSAGE>,
    tx: &'e mut [u8],
    out: &'e mut Queue,
    keys: &'e mut K,
}

impl<S: Side, K: MaskSource, const MAX_FRAME: u32, const MAX_MESSAGE: u32> Outbox<'_, S, K, MAX_FRAME, MAX_MESSAGE> {
    /// Queue a frame, as [`Endpoint::send`].
    pub fn send(&mut self, frame: Outgoing<'_>) -> Result<(), Error> {
        self.send_tapped(frame, &mut ())
    }

    /// Queue a frame, showing `tap` its bytes.
    pub fn send_tapped(&mut self, frame: Outgoing<'_>, tap: &mut impl Tap) -> Result<(), Error> {
        let control = matches!(frame, Outgoing::Ping(_) | Outgoing::Pong(_) | Outgoing::Close(_));
        let limit = if control { self.tx.len() } else { self.tx.len().saturating_sub(CONTROL_RESERVE) };
        let key = if S::MASKS { self.keys.next_key() } else { [0; 4] };
        let mut attempt = |out: &mut Queue, tx: &mut [u8]| {
            let room = tx.get_mut(out.end..limit).unwrap_or_default();
            self.conn.encode(frame, key, room)
        };
        let n = match attempt(self.out, self.tx) {
            Err(Error::BufferTooSmall) if self.out.start > 0 => {
                self.out.compact(self.tx);
                attempt(self.out, self.tx)
            }
            other => other,
        };
        let n = match n {
            // Too big for what is free now, but not for an empty buffer.
            Err(Error::BufferTooSmall) if self.out.end > 0 && fits_empty(frame, limit, S::MASKS) => {
                return Err(Error::Full);
            }
            other => other?,
        };
        if let Some(wire) = self.tx.get(self.out.end..self.out.end + n) {
            tap.sent(wire);
        }
        self.out.end += n;
        Ok(())
    }

    /// Data payload bytes one frame could take now.
    pub fn room(&self) -> usize {
        (self.tx.len() - (self.out.end - self.out.start)).saturating_sub(CONTROL_RESERVE + MAX_HEADER_LEN)
    }

    /// The engine, for its getters.
    pub fn connection(&self) -> &Connection<S, MAX_FRAME, MAX_MESSAGE> {
        self.conn
    }

    /// Queue the close the engine owes, if any. Room: the control reserve.
    fn queue_owed_close(&mut self, tap: &mut impl Tap) {
        if let Some(close) = self.conn.owed_close() {
            let _ = self.send_tapped(Outgoing::Close(close), tap);
        }
    }
}

/// Would `frame` fit in an empty buffer of `limit` bytes?
fn fits_empty(frame: Outgoing<'_>, limit: usize, masks: bool) -> bool {
    let len = match frame {
        Outgoing::Text { payload, .. } | Outgoing::Binary { payload, .. } => payload.len(),
        Outgoing::Ping(p) | Outgoing::Pong(p) => p.len(),
        Outgoing::Close(c) => c.len(),
    };
    let ext = match len {
        0..=125 => 0,
        126..=0xFFFF => 2,
        _ => 8,
    };
    2 + ext + if masks { 4 } else { 0 } + len <= limit
}
