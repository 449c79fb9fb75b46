//! The wire view's frames, decoded from `/tap` records with the `wisp` core
//! (`Header::parse`, `apply_mask`), fragments grouped into messages, ping
//! round trips measured; every record also kept for the capture.

use std::collections::VecDeque;

use wisp::frame::apply_mask;
use wisp::{CloseCode, Header, Opcode, Status};
use wisp_console::tap::{Direction, Record};

use super::pcapng::Capture;

/// Frames the wire view keeps.
pub const WIRE_RING: usize = 2_000;
/// Round trips the ping chart keeps.
pub const RTT_RING: usize = 1_200;

/// One frame in the wire view.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Seconds since the device booted.
    pub time: f64,
    /// Device → client or client → device.
    pub sent: bool,
    /// The device's session id.
    pub session: u16,
    /// Decoded header.
    pub header: Header,
    /// The preview, unmasked, as text (or hex if not UTF-8).
    pub preview: String,
    /// For a close frame: code and its meaning.
    pub close: Option<(u16, &'static str, String)>,
    /// Which message this frame belongs to (data frames), and its index in it.
    pub message: Option<(u32, u32)>,
}

impl Frame {
    /// A control frame (ping, pong, close)?
    pub fn is_control(&self) -> bool {
        self.header.opcode.is_control()
    }

    /// Opcode name, FIN/RSV/MASK flags, length: the row's text columns.
    pub fn summary(&self) -> String {
        let h = &self.header;
        let bit = |b: bool| if b { '1' } else { '0' };
        let rsv: String = [4, 2, 1].iter().map(|m| bit(h.rsv & m != 0)).collect();
        format!(
            "{:<6} FIN={} RSV={rsv} MASK={} len={}",
            h.opcode.name(),
            bit(h.fin),
            bit(h.mask.is_some()),
            h.payload_len
        )
    }
}

/// Decodes `/tap` records into frames and groups fragments into messages.
#[derive(Debug, Default)]
pub struct Wire {
    frames: VecDeque<Frame>,
    /// Open message per (session, direction): (id, frames so far).
    open: Vec<((u16, bool), (u32, u32))>,
    next_message: u32,
    /// Records that did not decode.
    pub bad: u64,
    /// Pings sent per session, waiting for their pong: (session, payload, time).
    pings: Vec<(u16, Vec<u8>, f64)>,
    /// Round trips measured from ping/pong pairs: (when the page saw the
    /// pong, ms since the epoch; the round trip in ms, device time).
    pub rtts: VecDeque<(f64, f64)>,
    /// Every record, for the `.pcapng` download.
    pub capture: Capture,
}

impl Wire {
    /// Decode a `/tap` message (one or more length-prefixed records) that
    /// the page received at `at` (ms since the epoch). Returns how many
    /// frames it added.
    pub fn push_message(&mut self, message: &[u8], at: f64) -> usize {
        let mut n = 0;
        let mut rest = message;
        while let Some((&len, tail)) = rest.split_first() {
            let Some(body) = tail.get(..usize::from(len)) else {
                self.bad += 1;
                break;
            };
            n += usize::from(self.push_record(body, at).is_some());
            rest = &tail[usize::from(len)..];
        }
        n
    }

    /// Decode one tap record received at `at` (ms since the epoch).
    pub fn push_record(&mut self, bytes: &[u8], at: f64) -> Option<&Frame> {
        let Some(record) = Record::decode(bytes) else {
            self.bad += 1;
            return None;
        };
        let Ok(Status::Complete((header, _))) = Header::parse(record.header()) else {
            self.bad += 1;
            return None;
        };
        self.capture.push(record, at);
        let mut preview = record.preview().to_vec();
        if let Some(key) = header.mask {
            apply_mask(&mut preview, key, 0);
        }
        let sent = record.direction == Direction::Sent;
        let time = record.time as f64 / 1e6;
        let close = (header.opcode == Opcode::Close && preview.len() >= 2).then(|| {
            let code = CloseCode(u16::from_be_bytes([preview[0], preview[1]]));
            // A reason cut inside a character (the tap keeps 48 bytes) ends
            // where the valid text does (not `from_utf8_lossy`: 1 KB less page).
            let reason = preview.get(2..).unwrap_or_default();
            let text = match std::str::from_utf8(reason) {
                Ok(t) => t,
                Err(e) => std::str::from_utf8(reason.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or_default(),
            };
            (code.0, code.name(), text.to_string())
        });
        let message = self.group(record.session, sent, &header);
        match header.opcode {
            Opcode::Ping if sent => {
                self.pings.retain(|(s, _, _)| *s != record.session);
                self.pings.push((record.session, preview.clone(), time));
            }
            Opcode::Pong if !sent => {
                if let Some(i) = self.pings.iter().position(|(s, p, _)| *s == record.session && *p == preview) {
                    let (_, _, sent_at) = self.pings.swap_remove(i);
                    if self.rtts.len() == RTT_RING {
                        self.rtts.pop_front();
                    }
                    self.rtts.push_back((at, (time - sent_at) * 1000.0));
                }
            }
            _ => {}
        }
        // Text as text; anything with control bytes (a ping's timestamp, a
        // binary message) as hex.
        let text = match std::str::from_utf8(&preview) {
            Ok(t) if !t.chars().any(|c| c.is_control() && c != '\n') => t.replace('\n', "⏎"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let mut s = String::with_capacity(preview.len() * 3);
                for (i, b) in preview.iter().enumerate() {
                    if i > 0 {
                        s.push(' ');
                    }
                    s.push(char::from(HEX[usize::from(b >> 4)]));
                    s.push(char::from(HEX[usize::from(b & 15)]));
                }
                s
            }
        };
        if self.frames.len() == WIRE_RING {
            self.frames.pop_front();
        }
        self.frames.push_back(Frame { time, sent, session: record.session, header, preview: text, close, message });
        self.frames.back()
    }

    /// The message a data frame belongs to, and its index in it.
    fn group(&mut self, session: u16, sent: bool, header: &Header) -> Option<(u32, u32)> {
        let key = (session, sent);
        match header.opcode {
            Opcode::Text | Opcode::Binary => {
                let id = self.next_message;
                self.next_message += 1;
                self.open.retain(|(k, _)| *k != key);
                if !header.fin {
                    self.open.push((key, (id, 1)));
                }
                Some((id, 0))
            }
            Opcode::Continuation => {
                let slot = self.open.iter_mut().find(|(k, _)| *k == key);
                let m = slot.map(|(_, (id, n))| {
                    *n += 1;
                    (*id, *n - 1)
                });
                if header.fin {
                    self.open.retain(|(k, _)| *k != key);
                }
                m
            }
            _ => None,
        }
    }

    /// Frames kept, oldest first.
    pub fn frames(&self) -> impl DoubleEndedIterator<Item = &Frame> + ExactSizeIterator {
        self.frames.iter()
    }

    /// Frames kept.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// None kept.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tap record of the frame `wire`.
    pub(crate) fn record(dir: Direction, session: u16, time: u64, wire: &[u8]) -> Vec<u8> {
        let r = Record::capture(dir, session, time, wire).unwrap();
        let mut out = [0u8; wisp_console::tap::RECORD_MAX];
        let n = r.encode(&mut out);
        out[..n].to_vec()
    }

    /// A client frame masked with `key`.
    pub(crate) fn masked(b0: u8, key: [u8; 4], p: &[u8]) -> Vec<u8> {
        let mut v = vec![b0, 0x80 | p.len() as u8];
        v.extend_from_slice(&key);
        v.extend(p.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
        v
    }

    #[test]
    fn tap_records_decode_and_fragments_group() {
        let mut w = Wire::default();
        // A masked "Hel" (FIN=0), a ping from the device, "lo" (FIN=1).
        let key = [1, 2, 3, 4];
        w.push_record(&record(Direction::Received, 3, 1_000_000, &masked(0x01, key, b"Hel")), 0.0);
        w.push_record(&record(Direction::Sent, 3, 1_500_000, &[0x89, 0x02, 7, 7]), 0.0);
        w.push_record(&record(Direction::Received, 3, 2_000_000, &masked(0x80, key, b"lo")), 0.0);
        w.push_record(&record(Direction::Received, 3, 2_250_000, &masked(0x8A, key, &[7, 7])), 42.0);
        w.push_record(&record(Direction::Sent, 3, 3_000_000, &[0x88, 0x05, 0x03, 0xE9, b'b', b'y', b'e']), 0.0);
        let f: Vec<&Frame> = w.frames().collect();
        assert_eq!(f[0].preview, "Hel", "unmasked with the core");
        assert_eq!((f[0].message, f[2].message), (Some((0, 0)), Some((0, 1))));
        assert!(f[1].is_control() && f[1].message.is_none());
        assert_eq!(f[4].close, Some((1001, "going away", "bye".into())));
        assert!(f[0].summary().starts_with("TEXT   FIN=0 RSV=000 MASK=1 len=3"));
        assert_eq!(w.rtts.back().map(|r| (r.0, r.1.round())), Some((42.0, 750.0)), "seen at 42, 750 ms");
        assert_eq!(f[1].preview, "07 07", "binary previews in hex");
        assert_eq!(w.capture.len(), 5, "every record kept for the capture");
        assert!(w.push_record(b"junk", 0.0).is_none());
        assert_eq!(w.bad, 1);
        // A message of two length-prefixed records adds two frames.
        let a = record(Direction::Sent, 1, 9_000_000, &[0x89, 0x00]);
        let mut msg = vec![a.len() as u8];
        msg.extend_from_slice(&a);
        msg.push(a.len() as u8);
        msg.extend_from_slice(&a);
        assert_eq!(w.push_message(&msg, 0.0), 2);
        assert_eq!(w.push_message(&[40, 1, 2], 0.0), 0, "a truncated record");
    }
}
