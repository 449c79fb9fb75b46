//! "download capture": the `.pcapng` the page writes from the tap, read by
//! Wireshark's own dissectors (`tshark`). Every frame it decodes is one the
//! tap reported — the test's own `/tap` client hears the same frames —
//! in the same order, with the same header and the tap's timestamps, and
//! none is missing.

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use tungstenite::Message;
use wisp::{Header, Status};
use wisp_console::tap::{Direction, records};

use super::console::open;
use crate::common::browser::{
    ONE_AT_A_TIME, browser, chromedriver, download, out_dir, text_of, type_command, wait_for,
};
use crate::common::{connect, twin};

/// A frame as both sides describe it: (device → client?, opcode, FIN, masked, payload length).
type Seen = (bool, u8, bool, bool, u64);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_capture_decodes_in_wireshark_as_the_tap_reported() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let device = twin(|o| {
        o.rate = 10;
        o.ping_interval = 0;
    });
    // The test's own tap, from before the page connects.
    let mut tap = connect(device.addr, "/tap");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        while let Ok(m) = tap.read() {
            if let Message::Binary(b) = m {
                for r in records(&b) {
                    let Ok(Status::Complete((h, _))) = Header::parse(r.header()) else { continue };
                    let seen: Seen =
                        (r.direction == Direction::Sent, h.opcode.bits(), h.fin, h.mask.is_some(), h.payload_len);
                    if tx.send((r.session, r.time, seen)).is_err() {
                        return;
                    }
                }
            }
        }
    });
    let driver = chromedriver();
    let c = browser(&driver).await;
    open(&c, &format!("http://{}/", device.addr)).await;
    wait_for("the page's tap", 15, async || text_of(&c, "wire").await.contains("TEXT").then_some(())).await;
    // Frames of every kind: a dump (one message of many frames, longer than
    // a record carries), commands, a ping and its pong; an echo of a masked
    // 100 kB binary.
    type_command(&c, "dump 4000").await;
    type_command(&c, "ping").await;
    let mut echo = connect(device.addr, "/echo");
    echo.send(Message::binary(vec![7u8; 100_000])).unwrap();
    assert_eq!(echo.read().unwrap().len(), 100_000);
    echo.close(None).unwrap();
    while echo.read().is_ok() {}
    // Quiet, so the page's count and its file agree.
    type_command(&c, "pause").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let count = async || -> usize {
        let note = text_of(&c, "wire-note").await;
        let n = note.rsplit(" · ").next().and_then(|n| n.strip_suffix(" in the capture"));
        n.unwrap_or_default().replace(',', "").parse().unwrap_or(0)
    };
    let captured = count().await;
    let file = download(&c, "#capture").await;
    assert_eq!(count().await, captured, "nothing new while the file was written");
    let path = out_dir().join("dashboard-capture.pcapng");
    std::fs::write(&path, &file).unwrap();
    c.close().await.unwrap();
    // What the test's tap heard, per session, in order.
    let mut tapped: HashMap<u16, Vec<(u64, Seen)>> = HashMap::new();
    while let Ok((session, time, seen)) = rx.recv_timeout(Duration::from_millis(500)) {
        tapped.entry(session).or_default().push((time, seen));
    }
    // What Wireshark decodes, per session (the client port says which).
    let out = Command::new("tshark")
        .args(["-r", path.to_str().unwrap(), "-Y", "websocket", "-T", "fields", "-E", "occurrence=f"])
        .args(["-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "websocket.opcode", "-e", "websocket.fin"])
        .args(["-e", "websocket.mask", "-e", "websocket.payload_length", "-e", "websocket.payload_length_ext_16"])
        .args(["-e", "websocket.payload_length_ext_64", "-e", "frame.time_epoch"])
        .output()
        .expect("tshark (scripts/setup.sh installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut decoded: HashMap<u16, Vec<(f64, Seen)>> = HashMap::new();
    let text = String::from_utf8(out.stdout).unwrap();
    for row in text.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        let (src, dst): (u16, u16) = (f[0].parse().unwrap(), f[1].parse().unwrap());
        let from_device = src == 80;
        let session = (if from_device { dst } else { src }) - 49_152;
        let len = match f[5] {
            "126" => f[6],
            "127" => f[7],
            n => n,
        };
        let seen: Seen = (from_device, f[2].parse().unwrap(), f[3] == "1", f[4] == "1", len.parse().unwrap());
        decoded.entry(session).or_default().push((f[8].parse().unwrap(), seen));
    }
    let total: usize = decoded.values().map(Vec::len).sum();
    assert_eq!(total, captured, "Wireshark decodes every frame of the capture");
    assert!(total > 50, "a capture with some traffic: {total}");
    let kinds: std::collections::HashSet<u8> = decoded.values().flatten().map(|f| f.1.1).collect();
    for op in [0, 1, 2, 8, 9, 10] {
        assert!(kinds.contains(&op), "opcode {op} in the capture: {kinds:?}");
    }
    assert!(decoded.values().flatten().any(|f| f.1.4 == 100_000 && f.1.3), "the masked 100 kB frame, header decoded");
    for (session, frames) in &decoded {
        let heard = &tapped[session];
        // The page's tap opened after the test's: its frames are a run of
        // what the test heard, with the same gaps between their times.
        let matches_from = |start: usize| {
            let run = heard.get(start..start + frames.len())?;
            let same = frames.iter().zip(run).all(|(d, h)| {
                let (dt, ht) = (d.0 - frames[0].0, (h.0 - run[0].0) as f64 / 1e6);
                d.1 == h.1 && (dt - ht).abs() < 2e-6
            });
            same.then_some(())
        };
        assert!(
            (0..heard.len()).any(|start| matches_from(start).is_some()),
            "session {session}: the {} frames Wireshark decodes are a run of the {} the tap reported",
            frames.len(),
            heard.len()
        );
    }
}
