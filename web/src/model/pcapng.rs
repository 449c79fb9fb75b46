//! The capture: the tap's records kept in a ring, written as a `.pcapng`
//! file in which Wireshark's own WebSocket dissector decodes every frame.
//!
//! The tap sees frames, not packets, so the file synthesizes what the
//! dissectors need around them: for each session an Ethernet/IPv4/TCP stream
//! (client `192.0.2.2:<49152 + session>`, device `192.0.2.1:80`, the port
//! Wireshark reads as HTTP), opened with a three-way handshake and an HTTP
//! upgrade (`101 Switching Protocols`), after which the HTTP dissector hands
//! the stream to the WebSocket one. A packet comment on each SYN says so.
//! Each frame is one TCP segment, stamped with the tap's time (µs since the
//! device booted, placed on the page's clock).
//!
//! A record carries the header and at most 48 payload bytes. Such a frame is
//! written as a snapshot-truncated packet: its Enhanced Packet Block's
//! captured length covers the bytes the tap has, its original length (and
//! the IP and TCP lengths) the whole frame, exactly as a capture with a small
//! snaplen. Wireshark decodes the header and marks the rest "[Packet size
//! limited during capture]"; sequence numbers stay right, so every frame
//! after it decodes too. A frame longer than an IPv4 packet spans several
//! segments, the later ones captured without payload.
//!
//! Format: <https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html>.

use std::collections::VecDeque;

use wisp::{Header, Opcode, Status};
use wisp_console::tap::{Direction, Record};

/// Records the capture keeps (about 90 bytes each).
pub const CAPTURE_RING: usize = 20_000;

/// TCP payload of one IPv4 packet at most (65,535 less the IP and TCP headers).
const SEGMENT_MAX: u64 = 65_535 - 40;
/// The largest frame written whole; a larger one ends its stream (a
/// device's claim of a frame of 2^63 bytes must not make a file of millions
/// of segments).
const FRAME_MAX: u64 = 64 << 20;

const DEVICE_IP: [u8; 4] = [192, 0, 2, 1];
const CLIENT_IP: [u8; 4] = [192, 0, 2, 2];
const DEVICE_MAC: [u8; 6] = [2, 0, 0, 0, 0, 1];
const CLIENT_MAC: [u8; 6] = [2, 0, 0, 0, 0, 2];
const DEVICE_PORT: u16 = 80;

const SYN: u8 = 0x02;
const FIN: u8 = 0x01;
const PSH: u8 = 0x08;
const ACK: u8 = 0x10;

/// The tap's records, for the download.
#[derive(Debug, Default)]
pub struct Capture {
    records: VecDeque<Record>,
    /// When the device booted on the page's clock, µs since the epoch: the
    /// earliest arrival less the tap's own time (a record arrives after it
    /// is made, never before).
    boot: Option<i64>,
    /// Records that fell out of the ring.
    pub dropped: u64,
}

impl Capture {
    /// Keep a record that arrived at `at` (ms since the epoch).
    pub fn push(&mut self, record: Record, at: f64) {
        let boot = (at * 1000.0) as i64 - record.time as i64;
        self.boot = Some(self.boot.map_or(boot, |b| b.min(boot)));
        if self.records.len() == CAPTURE_RING {
            self.records.pop_front();
            self.dropped += 1;
        }
        self.records.push_back(record);
    }

    /// Records kept.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// None kept.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The records as a `.pcapng` file; `host` goes in each upgrade's `Host`.
    pub fn pcapng(&self, host: &str) -> Vec<u8> {
        let host: String = host.chars().filter(|c| c.is_ascii_graphic()).collect();
        let mut w = Writer { out: Vec::new(), streams: Vec::new(), boot: self.boot.unwrap_or(0), ip_id: 0 };
        w.section();
        for r in &self.records {
            w.frame(r, &host);
        }
        w.out
    }
}

/// One synthesized TCP stream.
struct Stream {
    session: u16,
    /// Next sequence number of each side.
    client_seq: u32,
    device_seq: u32,
    /// Close frames seen: sent by the device, by the client.
    closed: (bool, bool),
}

struct Writer {
    out: Vec<u8>,
    streams: Vec<Stream>,
    boot: i64,
    ip_id: u16,
}

/// One TCP segment: from which side, on which stream (the client's port),
/// its sequence and acknowledgement numbers and flags.
#[derive(Clone, Copy)]
struct Segment {
    from_device: bool,
    port: u16,
    seq: u32,
    ack: u32,
    flags: u8,
}

impl Writer {
    /// Start a block of `kind`; [`end`](Writer::end) writes its length.
    fn begin(&mut self, kind: u32) -> usize {
        let start = self.out.len();
        self.out.extend_from_slice(&kind.to_le_bytes());
        self.out.extend_from_slice(&[0; 4]);
        start
    }

    /// End the block begun at `start`: padding to 32 bits, its length twice.
    fn end(&mut self, start: usize) {
        self.out.resize(self.out.len().next_multiple_of(4), 0);
        let len = (self.out.len() - start + 4) as u32;
        self.out[start + 4..start + 8].copy_from_slice(&len.to_le_bytes());
        self.out.extend_from_slice(&len.to_le_bytes());
    }

    /// The Section Header Block and the one interface (Ethernet, µs stamps).
    fn section(&mut self) {
        let b = self.begin(0x0A0D_0D0A);
        self.out.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
        self.out.extend_from_slice(&[1, 0, 0, 0]); // version 1.0
        self.out.extend_from_slice(&(-1i64).to_le_bytes()); // section length unknown
        option(&mut self.out, 4, b"wisp dashboard (frames from the device's /tap)"); // shb_userappl
        option(&mut self.out, 0, b"");
        self.end(b);
        let b = self.begin(1);
        self.out.extend_from_slice(&[1, 0, 0, 0]); // LINKTYPE_ETHERNET, reserved
        self.out.extend_from_slice(&0u32.to_le_bytes()); // no snaplen
        option(&mut self.out, 2, b"wisp tap"); // if_name
        option(&mut self.out, 9, &[6]); // if_tsresol: microseconds
        option(&mut self.out, 0, b"");
        self.end(b);
    }

    /// One Enhanced Packet Block: an Ethernet/IPv4/TCP packet whose TCP
    /// payload is `len` bytes long, of which `data` were captured.
    fn packet(&mut self, time: i64, seg: Segment, data: &[u8], len: u64, comment: Option<&str>) {
        let (src_mac, dst_mac, src, dst, sport, dport) = if seg.from_device {
            (DEVICE_MAC, CLIENT_MAC, DEVICE_IP, CLIENT_IP, DEVICE_PORT, seg.port)
        } else {
            (CLIENT_MAC, DEVICE_MAC, CLIENT_IP, DEVICE_IP, seg.port, DEVICE_PORT)
        };
        let captured = 54 + data.len();
        let b = self.begin(6);
        let ts = time as u64;
        let o = &mut self.out;
        o.extend_from_slice(&0u32.to_le_bytes()); // interface 0
        o.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        o.extend_from_slice(&(ts as u32).to_le_bytes());
        o.extend_from_slice(&(captured as u32).to_le_bytes());
        o.extend_from_slice(&((54 + len) as u32).to_le_bytes());
        o.extend_from_slice(&dst_mac);
        o.extend_from_slice(&src_mac);
        o.extend_from_slice(&[0x08, 0x00]);
        let ip = o.len();
        o.extend_from_slice(&[0x45, 0]);
        o.extend_from_slice(&((40 + len) as u16).to_be_bytes());
        self.ip_id = self.ip_id.wrapping_add(1);
        o.extend_from_slice(&self.ip_id.to_be_bytes());
        o.extend_from_slice(&[0x40, 0, 64, 6, 0, 0]); // DF, TTL 64, TCP, checksum below
        o.extend_from_slice(&src);
        o.extend_from_slice(&dst);
        let sum = checksum(&o[ip..]);
        o[ip + 10..ip + 12].copy_from_slice(&sum.to_be_bytes());
        o.extend_from_slice(&sport.to_be_bytes());
        o.extend_from_slice(&dport.to_be_bytes());
        o.extend_from_slice(&seg.seq.to_be_bytes());
        o.extend_from_slice(&seg.ack.to_be_bytes());
        // Header length 20; window 65535; checksum 0 (not computable over
        // bytes the tap did not keep; Wireshark does not check it by default).
        o.extend_from_slice(&[5 << 4, seg.flags, 0xff, 0xff, 0, 0, 0, 0]);
        o.extend_from_slice(data);
        o.resize(o.len().next_multiple_of(4), 0);
        if let Some(c) = comment {
            option(o, 1, c.as_bytes()); // opt_comment
            option(o, 0, b"");
        }
        self.end(b);
    }

    /// The stream of `session`, opened (handshake and upgrade) if it is new.
    fn stream(&mut self, session: u16, time: i64, host: &str) -> usize {
        if let Some(i) = self.streams.iter().position(|s| s.session == session) {
            return i;
        }
        let port = client_port(session);
        let (c, d) = (0x1000_0000 ^ u32::from(session), 0x2000_0000 ^ u32::from(session));
        let seg = |from_device, seq, ack, flags| Segment { from_device, port, seq, ack, flags };
        let note = format!(
            "wisp session {session}: the tap does not see the handshake; this TCP stream and its upgrade are synthesized"
        );
        self.packet(time, seg(false, c, 0, SYN), &[], 0, Some(&note));
        self.packet(time, seg(true, d, c + 1, SYN | ACK), &[], 0, None);
        self.packet(time, seg(false, c + 1, d + 1, ACK), &[], 0, None);
        let request = format!(
            "GET /session/{session} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        );
        // The accept value of RFC 6455 §1.3's sample key.
        let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
        let (c, d) = (c + 1, d + 1);
        self.packet(time, seg(false, c, d, PSH | ACK), request.as_bytes(), request.len() as u64, None);
        let c = c + request.len() as u32;
        self.packet(time, seg(true, d, c, PSH | ACK), response.as_bytes(), response.len() as u64, None);
        let d = d + response.len() as u32;
        self.streams.push(Stream { session, client_seq: c, device_seq: d, closed: (false, false) });
        self.streams.len() - 1
    }

    /// One tapped frame: its segments, and the stream's end after a close
    /// in both directions (or a frame too large to write).
    fn frame(&mut self, r: &Record, host: &str) {
        let Ok(Status::Complete((header, _))) = Header::parse(r.header()) else { return };
        let time = self.boot.saturating_add(r.time as i64);
        let i = self.stream(r.session, time, host);
        let from_device = r.direction == Direction::Sent;
        let port = client_port(r.session);
        let mut data = r.header().to_vec();
        data.extend_from_slice(r.preview());
        let whole = r.header().len() as u64 + header.payload_len;
        let too_big = header.payload_len > FRAME_MAX;
        let mut left = if too_big { SEGMENT_MAX.min(whole) } else { whole };
        let mut first = true;
        while left > 0 {
            let len = left.min(SEGMENT_MAX);
            let s = &mut self.streams[i];
            let (seq, ack) = if from_device { (s.device_seq, s.client_seq) } else { (s.client_seq, s.device_seq) };
            let next = seq.wrapping_add(len as u32);
            if from_device {
                s.device_seq = next
            } else {
                s.client_seq = next
            }
            let bytes = if first { &data[..] } else { &[][..] };
            self.packet(time, Segment { from_device, port, seq, ack, flags: PSH | ACK }, bytes, len, None);
            left -= len;
            first = false;
        }
        let s = &mut self.streams[i];
        if header.opcode == Opcode::Close {
            if from_device { s.closed.0 = true } else { s.closed.1 = true }
        }
        if too_big || s.closed == (true, true) {
            let (c, d) = (s.client_seq, s.device_seq);
            let seg = |from_device, seq, ack, flags| Segment { from_device, port, seq, ack, flags };
            self.packet(time, seg(true, d, c, FIN | ACK), &[], 0, None);
            self.packet(time, seg(false, c, d.wrapping_add(1), FIN | ACK), &[], 0, None);
            self.packet(time, seg(true, d.wrapping_add(1), c.wrapping_add(1), ACK), &[], 0, None);
            self.streams.swap_remove(i);
        }
    }
}

/// The client's port for a session.
pub fn client_port(session: u16) -> u16 {
    49_152 + session % 16_384
}

/// A pcapng option: code, length, value padded to 32 bits.
fn option(b: &mut Vec<u8>, code: u16, value: &[u8]) {
    b.extend_from_slice(&code.to_le_bytes());
    b.extend_from_slice(&(value.len() as u16).to_le_bytes());
    b.extend_from_slice(value);
    b.resize(b.len().next_multiple_of(4), 0);
}

/// The Internet checksum (RFC 1071) of an IPv4 header.
fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes.chunks(2).map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))).sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::wire::tests::masked;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    /// The blocks of a file: (type, body).
    fn blocks(file: &[u8]) -> Vec<(u32, &[u8])> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < file.len() {
            let (kind, len) = (u32_at(file, at), u32_at(file, at + 4) as usize);
            assert_eq!(len % 4, 0);
            assert_eq!(u32_at(file, at + len - 4) as usize, len, "trailing length");
            out.push((kind, &file[at + 8..at + len - 4]));
            at += len;
        }
        assert_eq!(at, file.len());
        out
    }

    /// (captured packet, original length, µs timestamp) of each EPB.
    fn packets(file: &[u8]) -> Vec<(&[u8], u32, u64)> {
        blocks(file)
            .into_iter()
            .filter(|b| b.0 == 6)
            .map(|(_, b)| {
                let ts = (u64::from(u32_at(b, 4)) << 32) | u64::from(u32_at(b, 8));
                let cap = u32_at(b, 12) as usize;
                (&b[20..20 + cap], u32_at(b, 16), ts)
            })
            .collect()
    }

    fn capture(records: &[(Direction, u16, u64, Vec<u8>)]) -> Capture {
        let mut c = Capture::default();
        for (dir, session, time, wire) in records {
            // The page saw each record 2 ms after the tap made it, boot at 1 s past the epoch.
            c.push(Record::capture(*dir, *session, *time, wire).unwrap(), (1_000_000 + *time + 2_000) as f64 / 1000.0);
        }
        c
    }

    #[test]
    fn sections_streams_and_truncated_frames() {
        let big = [&[0x81u8, 126, 0x01, 0x00][..], &[b'x'; 256][..]].concat();
        let c = capture(&[
            (Direction::Sent, 3, 10_000, b"\x81\x05hello".to_vec()),
            (Direction::Received, 3, 20_000, masked(0x81, [1, 2, 3, 4], b"ping")),
            (Direction::Sent, 3, 30_000, big),
            (Direction::Sent, 4, 40_000, b"\x89\x00".to_vec()),
        ]);
        let file = c.pcapng("127.0.0.1:8080");
        let b = blocks(&file);
        assert_eq!((b[0].0, u32_at(b[0].1, 0)), (0x0A0D_0D0A, 0x1A2B_3C4D), "section header, byte order");
        assert_eq!((b[1].0, &b[1].1[..2]), (1, &[1u8, 0][..]), "an Ethernet interface");
        let p = packets(&file);
        // Session 3: SYN, SYN-ACK, ACK, upgrade, 101, three frames; session 4: five and one.
        assert_eq!(p.len(), 5 + 3 + 5 + 1);
        let tcp_flags = |pkt: &[u8]| pkt[14 + 20 + 13];
        assert_eq!(tcp_flags(p[0].0), SYN);
        assert!(
            p[3].0.ends_with(b"Sec-WebSocket-Version: 13\r\n\r\n")
                && p[3].0.windows(20).any(|w| w == b"Host: 127.0.0.1:8080")
        );
        assert!(p[4].0[54..].starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
        // A frame the tap kept whole: captured = original.
        assert_eq!(&p[5].0[54..], b"\x81\x05hello");
        assert_eq!(p[5].1 as usize, p[5].0.len());
        // Boot on the page's clock: the earliest arrival less the tap's time.
        assert_eq!(p[5].2, 1_002_000 + 10_000, "tap time on the page's clock");
        // The 256-byte frame: header and 48 bytes captured, 260 on the wire.
        assert_eq!((p[7].0.len() - 54, p[7].1 as usize - 54), (4 + 48, 4 + 256));
        let ip_len = u16::from_be_bytes([p[7].0[16], p[7].0[17]]);
        assert_eq!(ip_len, 20 + 20 + 260, "IP length: the whole frame");
        // Sequence numbers run on over what was not captured.
        let seq = |pkt: &[u8]| u32::from_be_bytes(pkt[38..42].try_into().unwrap());
        assert_eq!(seq(p[7].0), seq(p[5].0) + 7);
        // A valid IPv4 header checksum.
        assert_eq!(checksum(&p[7].0[14..34]), 0);
        // The second WebSocket connection on a TCP port of its own.
        let sport = |pkt: &[u8]| u16::from_be_bytes([pkt[34], pkt[35]]);
        assert_eq!((sport(p[0].0), sport(p[8].0)), (client_port(3), client_port(4)));
    }

    #[test]
    fn long_frames_span_segments_and_closes_end_streams() {
        let huge = |len: u64| {
            let mut v = vec![0x82, 127];
            v.extend_from_slice(&len.to_be_bytes());
            v.extend_from_slice(&[7; 48]);
            v
        };
        let c = capture(&[
            (Direction::Sent, 1, 10, huge(100_000)),
            (Direction::Sent, 1, 20, b"\x88\x02\x03\xe8".to_vec()),
            (Direction::Received, 1, 30, masked(0x88, [9, 9, 9, 9], &[0x03, 0xe8])),
            (Direction::Sent, 2, 40, huge(u64::MAX >> 1)),
            (Direction::Sent, 2, 50, b"\x81\x01a".to_vec()),
        ]);
        let file = c.pcapng("h");
        let p = packets(&file);
        let payload = |i: usize| p[i].1 - 54;
        // 100,010 bytes: 65,495 with the header captured, then 34,515 without.
        assert_eq!((payload(5), payload(6)), (65_495, 100_010 - 65_495));
        assert_eq!(p[6].0.len(), 54, "nothing of the second segment captured");
        // Both closes, then FIN, FIN, ACK.
        let flags: Vec<u8> = p[9..12].iter().map(|x| x.0[47]).collect();
        assert_eq!(flags, [FIN | ACK, FIN | ACK, ACK]);
        // A frame claiming 2^63 bytes: one segment, and its stream ends; the
        // session's next frame opens a new stream with a new handshake.
        assert_eq!(p[12].0[47], SYN);
        assert_eq!(payload(17), 65_495);
        assert_eq!(p[18].0[47], FIN | ACK);
        assert_eq!(p[21].0[47], SYN);
        assert_eq!(p.len(), 12 + 5 + 1 + 3 + 5 + 1);
    }

    #[test]
    fn the_ring_is_bounded() {
        let mut c = Capture::default();
        let r = Record::capture(Direction::Sent, 1, 0, &[0x89, 0]).unwrap();
        for _ in 0..CAPTURE_RING + 3 {
            c.push(r, 0.0);
        }
        assert_eq!((c.len(), c.dropped), (CAPTURE_RING, 3));
    }
}
