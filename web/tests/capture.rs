//! The `.pcapng` writer against Wireshark's own dissectors: `tshark`
//! (scripts/setup.sh installs it) reads a capture of every kind of frame —
//! whole and truncated, masked, fragmented, control, longer than an IPv4
//! packet, on two sessions — and decodes each frame's header as the tap
//! recorded it.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

use wisp::{Header, Status};
use wisp_console::tap::{Direction, RECORD_MAX, Record};
use wisp_web::model::Wire;
use wisp_web::model::pcapng::client_port;

fn masked(b0: u8, key: [u8; 4], p: &[u8]) -> Vec<u8> {
    let mut v = vec![b0];
    match p.len() {
        n if n < 126 => v.push(0x80 | n as u8),
        n => {
            v.push(0x80 | 126);
            v.extend_from_slice(&(n as u16).to_be_bytes());
        }
    }
    v.extend_from_slice(&key);
    v.extend(p.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    v
}

fn long(b0: u8, len: u64) -> Vec<u8> {
    let mut v = vec![b0, 127];
    v.extend_from_slice(&len.to_be_bytes());
    v.extend(std::iter::repeat_n(b'z', 48));
    v
}

/// tshark's reading of a file: one row per WebSocket frame.
fn tshark(file: &std::path::Path) -> Vec<Vec<String>> {
    let out = Command::new("tshark")
        .args(["-r", file.to_str().unwrap(), "-Y", "websocket", "-T", "fields", "-E", "occurrence=f"])
        .args(["-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "websocket.fin", "-e", "websocket.opcode"])
        .args(["-e", "websocket.mask", "-e", "websocket.payload_length", "-e", "websocket.payload_length_ext_16"])
        .args(["-e", "websocket.payload_length_ext_64", "-e", "frame.time_epoch"])
        .output()
        .expect("tshark (scripts/setup.sh installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| l.split('\t').map(str::to_string).collect()).collect()
}

#[test]
fn tshark_decodes_every_frame_the_tap_recorded() {
    let frames: Vec<(Direction, u16, Vec<u8>)> = vec![
        (Direction::Sent, 3, b"\x81\x05hello".to_vec()),
        (Direction::Received, 3, masked(0x81, [1, 2, 3, 4], b"print hi")),
        (Direction::Sent, 3, [&[0x81u8, 126, 0, 200][..], &[b'a'; 200][..]].concat()),
        (Direction::Received, 3, masked(0x81, [5, 6, 7, 8], &[b'b'; 300])),
        (Direction::Sent, 3, b"\x01\x03abc".to_vec()),
        (Direction::Sent, 3, b"\x89\x08\0\0\0\0\0\0\0\x01".to_vec()),
        (Direction::Sent, 3, b"\x00\x03def".to_vec()),
        (Direction::Sent, 3, b"\x80\x03ghi".to_vec()),
        (Direction::Received, 3, masked(0x8a, [9, 9, 9, 9], &[0, 0, 0, 0, 0, 0, 0, 1])),
        (Direction::Sent, 4, long(0x82, 100_000)),
        (Direction::Sent, 4, b"\x81\x05after".to_vec()),
        (Direction::Sent, 3, b"\x88\x05\x03\xe8bye".to_vec()),
        (Direction::Received, 3, masked(0x88, [1, 1, 1, 1], &[0x03, 0xe8])),
        (Direction::Sent, 4, b"\x8a\x00".to_vec()),
    ];
    let mut wire = Wire::default();
    let boot_ms = 1_795_615_387_000.0;
    for (i, (dir, session, bytes)) in frames.iter().enumerate() {
        let time = 1_000_000 + 250_000 * i as u64;
        let r = Record::capture(*dir, *session, time, bytes).unwrap();
        let mut out = [0u8; RECORD_MAX];
        let n = r.encode(&mut out);
        wire.push_record(&out[..n], boot_ms + time as f64 / 1000.0 + 1.0);
    }
    let path = std::env::temp_dir().join(format!("wisp-capture-{}.pcapng", std::process::id()));
    std::fs::write(&path, wire.capture.pcapng("127.0.0.1:8080")).unwrap();
    let rows = tshark(&path);
    let _ = std::fs::remove_file(&path);
    assert_eq!(rows.len(), frames.len(), "one WebSocket frame per record: {rows:?}");
    for (i, ((dir, session, bytes), row)) in frames.iter().zip(&rows).enumerate() {
        let Ok(Status::Complete((h, _))) = Header::parse(bytes) else { panic!() };
        let client = client_port(*session).to_string();
        let port = if *dir == Direction::Sent { &row[1] } else { &row[0] };
        assert_eq!(port, &client, "frame {i}: its session's stream");
        assert_eq!(row[2], if h.fin { "1" } else { "0" }, "frame {i} FIN");
        assert_eq!(row[3], h.opcode.bits().to_string(), "frame {i} opcode");
        assert_eq!(row[4], if h.mask.is_some() { "1" } else { "0" }, "frame {i} MASK");
        let len = match row[5].as_str() {
            "126" => &row[6],
            "127" => &row[7],
            n => n,
        };
        assert_eq!(len, &h.payload_len.to_string(), "frame {i} length");
        // The tap's time, on the page's clock (boot + 1 ms, µs resolution).
        let want = 1_795_615_387.001 + (1.0 + 0.25 * i as f64);
        let got: f64 = row[8].parse().unwrap();
        assert!((got - want).abs() < 2e-6, "frame {i} time {got} vs {want}");
    }
}
