//! The wire tap: one record per frame sent or received on any session,
//! streamed to `/tap` clients. Each binary message carries one or more
//! records, each preceded by its length in one byte (a record is at most
//! [`RECORD_MAX`] bytes), so a busy device sends a few large messages rather
//! than one per frame. A record (version 1, big-endian):
//!
//! | bytes | field |
//! | --- | --- |
//! | 0 | version = 1 |
//! | 1 | direction: 0 = device → client (sent), 1 = client → device (received) |
//! | 2..4 | session id |
//! | 4..12 | timestamp, µs since the device booted |
//! | 12 | `H`: length of the frame header, 2..=14 |
//! | 13..13+H | the frame header exactly as on the wire (masking key included) |
//! | 13+H.. | the first payload bytes as on the wire (still masked if the header says so), at most [`PREVIEW`] |
//!
//! A reader decodes the header with `wisp::Header::parse` and unmasks the
//! preview with `wisp::frame::apply_mask` — which is what the dashboard does.
//!
//! The device keeps the latest records in a [`TapRing`]; each `/tap` session
//! reads it at its own pace, and one that falls behind loses records (never
//! frames of the sessions being watched).

use wisp::{Header, Status};

use crate::Micros;

/// Record format version.
pub const VERSION: u8 = 1;
/// Payload bytes a record carries at most.
pub const PREVIEW: usize = 48;
/// Longest record.
pub const RECORD_MAX: usize = 13 + 14 + PREVIEW;

/// The records in one `/tap` message (each preceded by its length byte).
/// Stops at the first malformed record.
///
/// ```
/// use wisp_console::tap::{Direction, Record, records, RECORD_MAX};
/// let r = Record::capture(Direction::Sent, 1, 0, &[0x89, 0x00]).unwrap();
/// let mut msg = [0u8; 2 * (RECORD_MAX + 1)];
/// let mut n = 0;
/// for _ in 0..2 {
///     let len = r.encode(&mut msg[n + 1..]);
///     msg[n] = len as u8;
///     n += 1 + len;
/// }
/// assert_eq!(records(&msg[..n]).count(), 2);
/// ```
pub fn records(message: &[u8]) -> impl Iterator<Item = Record> + '_ {
    let mut rest = message;
    core::iter::from_fn(move || {
        let (&len, tail) = rest.split_first()?;
        let body = tail.get(..usize::from(len))?;
        rest = tail.get(usize::from(len)..).unwrap_or_default();
        Record::decode(body)
    })
}

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Device to client.
    Sent = 0,
    /// Client to device.
    Received = 1,
}

/// One tapped frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Which way.
    pub direction: Direction,
    /// The session it belongs to.
    pub session: u16,
    /// When, µs since boot.
    pub time: Micros,
    header_len: u8,
    header: [u8; 14],
    preview_len: u8,
    preview: [u8; PREVIEW],
}

impl Record {
    /// A record of the frame at the start of `wire` (header complete; as
    /// much payload as is there). `None` if the header is not complete.
    pub fn capture(direction: Direction, session: u16, time: Micros, wire: &[u8]) -> Option<Record> {
        let Ok(Status::Complete((h, hlen))) = Header::parse(wire) else {
            return None;
        };
        let mut r = Record {
            direction,
            session,
            time,
            header_len: hlen as u8,
            header: [0; 14],
            preview_len: 0,
            preview: [0; PREVIEW],
        };
        for (d, s) in r.header.iter_mut().zip(wire.iter().take(hlen)) {
            *d = *s;
        }
        let avail = wire.len().saturating_sub(hlen);
        let n = avail.min(PREVIEW).min(usize::try_from(h.payload_len).unwrap_or(usize::MAX));
        for (d, s) in r.preview.iter_mut().zip(wire.iter().skip(hlen).take(n)) {
            *d = *s;
        }
        r.preview_len = n as u8;
        Some(r)
    }

    /// The raw header bytes.
    pub fn header(&self) -> &[u8] {
        self.header.get(..usize::from(self.header_len)).unwrap_or_default()
    }

    /// The preview bytes as on the wire.
    pub fn preview(&self) -> &[u8] {
        self.preview.get(..usize::from(self.preview_len)).unwrap_or_default()
    }

    /// Encode into `out`; returns the length.
    pub fn encode(&self, out: &mut [u8]) -> usize {
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            for b in bytes {
                if let Some(d) = out.get_mut(at) {
                    *d = *b;
                    at += 1;
                }
            }
        };
        put(&[VERSION, self.direction as u8]);
        put(&self.session.to_be_bytes());
        put(&self.time.to_be_bytes());
        put(&[self.header_len]);
        put(self.header());
        put(self.preview());
        at
    }

    /// Decode a record.
    pub fn decode(bytes: &[u8]) -> Option<Record> {
        let (&[VERSION, dir], rest) = bytes.split_first_chunk::<2>()? else {
            return None;
        };
        let direction = match dir {
            0 => Direction::Sent,
            1 => Direction::Received,
            _ => return None,
        };
        let (session, rest) = rest.split_first_chunk::<2>()?;
        let (time, rest) = rest.split_first_chunk::<8>()?;
        let (&hlen, rest) = rest.split_first()?;
        if !(2..=14).contains(&hlen) {
            return None;
        }
        let header_bytes = rest.get(..usize::from(hlen))?;
        let preview = rest.get(usize::from(hlen)..)?;
        if preview.len() > PREVIEW {
            return None;
        }
        let mut r = Record {
            direction,
            session: u16::from_be_bytes(*session),
            time: u64::from_be_bytes(*time),
            header_len: hlen,
            header: [0; 14],
            preview_len: preview.len() as u8,
            preview: [0; PREVIEW],
        };
        for (d, s) in r.header.iter_mut().zip(header_bytes) {
            *d = *s;
        }
        for (d, s) in r.preview.iter_mut().zip(preview) {
            *d = *s;
        }
        Some(r)
    }
}

/// Records kept for `/tap` readers.
pub const TAP_RING: usize = 32;

/// The latest tap records, numbered, read by each `/tap` session from its
/// own position.
pub struct TapRing {
    records: heapless::Deque<Record, TAP_RING>,
    /// Number of the oldest record kept.
    first: u64,
    /// Sessions reading it: nothing is recorded without one.
    pub(crate) listeners: u16,
    /// Records a reader lost by falling behind.
    pub dropped: u64,
}

impl Default for TapRing {
    fn default() -> Self {
        Self::new()
    }
}

impl TapRing {
    /// Empty.
    pub const fn new() -> Self {
        TapRing { records: heapless::Deque::new(), first: 0, listeners: 0, dropped: 0 }
    }

    /// Keep `r`, forgetting the oldest if full.
    pub fn push(&mut self, r: Record) {
        if self.records.is_full() {
            let _ = self.records.pop_front();
            self.first += 1;
        }
        let _ = self.records.push_back(r);
    }

    /// The number the next record gets.
    pub fn next(&self) -> u64 {
        self.first + self.records.len() as u64
    }

    /// Records from number `from` on (those still kept), and the number of
    /// the first of them.
    pub fn since(&self, from: u64) -> (u64, impl Iterator<Item = &Record>) {
        let start = from.max(self.first);
        let skip = (start - self.first) as usize;
        (start, self.records.iter().skip(skip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_of_a_masked_frame() {
        let wire = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];
        let r = Record::capture(Direction::Received, 7, 123_456, &wire).unwrap();
        assert_eq!(r.header(), &wire[..6]);
        assert_eq!(r.preview(), &wire[6..]);
        let mut out = [0u8; RECORD_MAX];
        let n = r.encode(&mut out);
        assert_eq!(n, 13 + 6 + 5);
        assert_eq!(Record::decode(&out[..n]), Some(r));
        assert!(Record::capture(Direction::Sent, 1, 0, &wire[..3]).is_none());
        assert!(Record::decode(&out[..5]).is_none());
    }
}
