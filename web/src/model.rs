//! The dashboard's state, without any DOM: the console ring, the wire view's
//! frames (decoded from `/tap` records with the `wisp` core), and the figures
//! the charts draw. Unit-tested on the host and in Chromium.

use std::collections::VecDeque;

use wisp::frame::apply_mask;
use wisp::{CloseCode, Header, Opcode, Status};
use wisp_console::tap::{Direction, Record};

/// Console lines kept (older ones fall out: memory stays flat).
pub const CONSOLE_RING: usize = 20_000;
/// Frames the wire view keeps.
pub const WIRE_RING: usize = 2_000;
/// Seconds of history the charts keep.
pub const CHART_SECONDS: usize = 300;

/// What a console line is, by its first character (firmware/PROTOCOL.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `#<seq> …`: a console line.
    Console,
    /// `> …`: a reply to our command.
    Reply,
    /// `! …`: a notice or error (dropped lines stand out).
    Notice,
    /// Shown by the dashboard itself (connection state and such).
    Local,
}

/// One console line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Kind, for styling.
    pub kind: LineKind,
    /// The text (a dump keeps its newlines).
    pub text: String,
    /// Sequence number of a `#` line.
    pub seq: Option<u32>,
}

impl Line {
    /// Classify a received text message.
    pub fn parse(text: &str) -> Line {
        Line::parse_owned(text.to_string())
    }

    /// [`parse`](Line::parse), keeping the string it is given.
    pub fn parse_owned(text: String) -> Line {
        let kind = match text.as_bytes().first() {
            Some(b'#') => LineKind::Console,
            Some(b'>') => LineKind::Reply,
            Some(b'!') => LineKind::Notice,
            _ => LineKind::Local,
        };
        let seq = (kind == LineKind::Console)
            .then(|| text.get(1..).and_then(|t| t.split(' ').next()).and_then(|n| n.parse().ok()))
            .flatten();
        Line { kind, text, seq }
    }
}

/// The console: a bounded ring, gap detection, a filter.
#[derive(Debug, Default)]
pub struct Console {
    lines: VecDeque<Line>,
    /// Lines received since start (for the rate and the "n lines" figure).
    pub total: u64,
    /// The last `#` sequence number seen.
    pub last_seq: Option<u32>,
    /// Sequence gaps not announced by the device (should stay 0).
    pub gaps: u64,
    /// Lines the device said it dropped for us.
    pub dropped: u64,
}

impl Console {
    /// Add a line; older lines fall out of the ring.
    pub fn push(&mut self, line: Line) {
        if let Some(seq) = line.seq {
            if let Some(last) = self.last_seq
                && seq != last.wrapping_add(1)
                && seq > last
            {
                self.gaps += 1;
            }
            self.last_seq = Some(seq);
        }
        if line.kind == LineKind::Notice
            && let Some(n) = line.text.strip_prefix("! dropped ").and_then(|r| r.split(' ').next())
        {
            self.dropped += n.parse::<u64>().unwrap_or(0);
            // The notice names the gap: the next line is expected after it.
            if let Some(to) =
                line.text.split("..#").nth(1).and_then(|r| r.split(')').next()).and_then(|n| n.parse().ok())
            {
                self.last_seq = Some(to);
            }
        }
        if self.lines.len() == CONSOLE_RING {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
        self.total += 1;
    }

    /// Lines in the ring.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Nothing to show.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Forget every line.
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// How many lines match `filter`, and the ring index of the `k`-th
    /// match, without materialising anything when there is no filter (the
    /// common case, every animation frame).
    pub fn view(&self, filter: &str) -> View {
        if filter.is_empty() { View::All(self.lines.len()) } else { View::Some(self.matching(filter)) }
    }

    /// Indices of the lines that match `filter` (ASCII case-insensitive;
    /// empty: all). ASCII only, so no Unicode case tables ship in the page.
    pub fn matching(&self, filter: &str) -> Vec<usize> {
        let f = filter.to_ascii_lowercase();
        (0..self.lines.len())
            .filter(|&i| f.is_empty() || self.lines.get(i).is_some_and(|l| contains_ascii_ci(&l.text, &f)))
            .collect()
    }

    /// Line `i` of the ring.
    pub fn get(&self, i: usize) -> Option<&Line> {
        self.lines.get(i)
    }

    /// Everything, as a text file.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for l in &self.lines {
            s.push_str(&l.text);
            s.push('\n');
        }
        s
    }
}

/// The lines a filter selects.
#[derive(Debug)]
pub enum View {
    /// Every line of the ring: `0..n`.
    All(usize),
    /// These ring indices.
    Some(Vec<usize>),
}

impl View {
    /// How many lines.
    pub fn len(&self) -> usize {
        match self {
            View::All(n) => *n,
            View::Some(v) => v.len(),
        }
    }

    /// True when nothing matches.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ring index of the `k`-th line shown.
    pub fn index(&self, k: usize) -> Option<usize> {
        match self {
            View::All(n) => (k < *n).then_some(k),
            View::Some(v) => v.get(k).copied(),
        }
    }
}

fn contains_ascii_ci(hay: &str, lower_needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), lower_needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

/// `v` with `decimals` digits after the point, without the float formatting
/// machinery (which would add tens of KB to the page).
pub fn fixed(v: f64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    let neg = v < 0.0;
    let n = (v.abs() * scale as f64 + 0.5) as u64;
    let (int, frac) = (n / scale, n % scale);
    let sign = if neg && n > 0 { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0width$}", width = decimals as usize)
    }
}

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
        format!(
            "{:<6} FIN={} RSV={:03b} MASK={} len={}",
            h.opcode.name(),
            u8::from(h.fin),
            h.rsv,
            u8::from(h.mask.is_some()),
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
    /// Round trips measured from ping/pong pairs: (when, seconds).
    pub rtts: VecDeque<(f64, f64)>,
}

impl Wire {
    /// Decode a `/tap` message: one or more length-prefixed records.
    /// Returns how many frames it added.
    pub fn push_message(&mut self, message: &[u8]) -> usize {
        let mut n = 0;
        let mut rest = message;
        while let Some((&len, tail)) = rest.split_first() {
            let Some(body) = tail.get(..usize::from(len)) else {
                self.bad += 1;
                break;
            };
            n += usize::from(self.push_record(body).is_some());
            rest = &tail[usize::from(len)..];
        }
        n
    }

    /// Decode one tap record.
    pub fn push_record(&mut self, bytes: &[u8]) -> Option<&Frame> {
        let Some(record) = Record::decode(bytes) else {
            self.bad += 1;
            return None;
        };
        let Ok(Status::Complete((header, _))) = Header::parse(record.header()) else {
            self.bad += 1;
            return None;
        };
        let mut preview = record.preview().to_vec();
        if let Some(key) = header.mask {
            apply_mask(&mut preview, key, 0);
        }
        let sent = record.direction == Direction::Sent;
        let time = record.time as f64 / 1e6;
        let close = (header.opcode == Opcode::Close && preview.len() >= 2).then(|| {
            let code = CloseCode(u16::from_be_bytes([preview[0], preview[1]]));
            (code.0, code.name(), String::from_utf8_lossy(&preview[2..]).into_owned())
        });
        let key = (record.session, sent);
        let message = match header.opcode {
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
        };
        match header.opcode {
            Opcode::Ping if sent => {
                self.pings.retain(|(s, _, _)| *s != record.session);
                self.pings.push((record.session, preview.clone(), time));
            }
            Opcode::Pong if !sent => {
                if let Some(i) = self.pings.iter().position(|(s, p, _)| *s == record.session && *p == preview) {
                    let (_, _, at) = self.pings.swap_remove(i);
                    if self.rtts.len() == CHART_SECONDS * 4 {
                        self.rtts.pop_front();
                    }
                    self.rtts.push_back((time, time - at));
                }
            }
            _ => {}
        }
        // Text as text; anything with control bytes (a ping's timestamp, a
        // binary message) as hex.
        let text = match std::str::from_utf8(&preview) {
            Ok(t) if !t.chars().any(|c| c.is_control() && c != '\n') => t.replace('\n', "⏎"),
            _ => preview.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" "),
        };
        if self.frames.len() == WIRE_RING {
            self.frames.pop_front();
        }
        self.frames.push_back(Frame { time, sent, session: record.session, header, preview: text, close, message });
        self.frames.back()
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

/// Per-second counters for the charts.
#[derive(Debug, Default)]
pub struct Rates {
    /// (second, lines, bytes), oldest first.
    buckets: VecDeque<(u64, u32, u64)>,
}

impl Rates {
    /// Count a message of `bytes` at `now` seconds.
    pub fn count(&mut self, now: f64, bytes: usize) {
        let sec = now as u64;
        match self.buckets.back_mut() {
            Some((s, lines, b)) if *s == sec => {
                *lines += 1;
                *b += bytes as u64;
            }
            _ => {
                self.buckets.push_back((sec, 1, bytes as u64));
                while self.buckets.len() > CHART_SECONDS {
                    self.buckets.pop_front();
                }
            }
        }
    }

    /// Lines and bytes per second for the last `n` whole seconds before
    /// `now`, oldest first (zeros where nothing came).
    pub fn series(&self, now: f64, n: usize) -> Vec<(u32, u64)> {
        let end = now as u64;
        (0..n as u64)
            .rev()
            .map(|back| {
                // Seconds before the first one count as nothing, not as second 0.
                let Some(sec) = end.checked_sub(back + 1) else { return (0, 0) };
                self.buckets.iter().find(|(s, _, _)| *s == sec).map_or((0, 0), |(_, l, b)| (*l, *b))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_console::tap::Direction;

    fn record(dir: Direction, session: u16, time: u64, wire: &[u8]) -> Vec<u8> {
        let r = Record::capture(dir, session, time, wire).unwrap();
        let mut out = [0u8; wisp_console::tap::RECORD_MAX];
        let n = r.encode(&mut out);
        out[..n].to_vec()
    }

    #[test]
    fn console_detects_gaps_and_counts_drops() {
        let mut c = Console::default();
        c.push(Line::parse("#1 a"));
        c.push(Line::parse("#2 b"));
        assert_eq!(c.gaps, 0);
        c.push(Line::parse("! dropped 5 lines (#3..#7): this client reads too slowly"));
        c.push(Line::parse("#8 c"));
        assert_eq!((c.gaps, c.dropped), (0, 5), "an announced gap is not a gap");
        c.push(Line::parse("#10 d"));
        assert_eq!(c.gaps, 1, "an unannounced one is");
        assert_eq!(c.matching("#8 C"), vec![3]);
        assert_eq!(Line::parse("> paused").kind, LineKind::Reply);
    }

    #[test]
    fn console_ring_is_bounded() {
        let mut c = Console::default();
        for i in 0..(CONSOLE_RING + 10) {
            c.push(Line::parse(&format!("#{i} x")));
        }
        assert_eq!(c.len(), CONSOLE_RING);
        assert_eq!(c.get(0).unwrap().seq, Some(10));
    }

    #[test]
    fn tap_records_decode_and_fragments_group() {
        let mut w = Wire::default();
        // A masked "Hel" (FIN=0), a ping from the device, "lo" (FIN=1).
        let key = [1, 2, 3, 4];
        let mask = |b0: u8, p: &[u8]| {
            let mut v = vec![b0, 0x80 | p.len() as u8];
            v.extend_from_slice(&key);
            v.extend(p.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
            v
        };
        w.push_record(&record(Direction::Received, 3, 1_000_000, &mask(0x01, b"Hel")));
        w.push_record(&record(Direction::Sent, 3, 1_500_000, &[0x89, 0x02, 7, 7]));
        w.push_record(&record(Direction::Received, 3, 2_000_000, &mask(0x80, b"lo")));
        w.push_record(&record(Direction::Received, 3, 2_250_000, &mask(0x8A, &[7, 7])));
        w.push_record(&record(Direction::Sent, 3, 3_000_000, &[0x88, 0x05, 0x03, 0xE9, b'b', b'y', b'e']));
        let f: Vec<&Frame> = w.frames().collect();
        assert_eq!(f[0].preview, "Hel", "unmasked with the core");
        assert_eq!((f[0].message, f[2].message), (Some((0, 0)), Some((0, 1))));
        assert!(f[1].is_control() && f[1].message.is_none());
        assert_eq!(f[4].close, Some((1001, "going away", "bye".into())));
        assert!(f[0].summary().starts_with("TEXT   FIN=0 RSV=000 MASK=1 len=3"));
        assert_eq!(w.rtts.back().map(|r| (r.1 * 1000.0).round()), Some(750.0));
        assert_eq!(f[1].preview, "07 07", "binary previews in hex");
        assert!(w.push_record(b"junk").is_none());
        assert_eq!(w.bad, 1);
        // A message of two length-prefixed records adds two frames.
        let a = record(Direction::Sent, 1, 9_000_000, &[0x89, 0x00]);
        let mut msg = vec![a.len() as u8];
        msg.extend_from_slice(&a);
        msg.push(a.len() as u8);
        msg.extend_from_slice(&a);
        assert_eq!(w.push_message(&msg), 2);
        assert_eq!(w.push_message(&[40, 1, 2]), 0, "a truncated record");
    }

    #[test]
    fn fixed_point() {
        assert_eq!(fixed(12.3456, 3), "12.346");
        assert_eq!(fixed(0.0, 1), "0.0");
        assert_eq!(fixed(-1.25, 1), "-1.3");
        assert_eq!(fixed(99.6, 0), "100");
    }

    #[test]
    fn rates_per_second() {
        let mut r = Rates::default();
        r.count(10.1, 40);
        r.count(10.9, 60);
        r.count(12.5, 10);
        assert_eq!(r.series(13.2, 3), vec![(2, 100), (0, 0), (1, 10)]);
        assert_eq!(r.series(2.5, 4), vec![(0, 0), (0, 0), (0, 0), (0, 0)], "nothing before the start");
    }
}
