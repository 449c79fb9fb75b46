//! End to end: the twin serves its embedded dashboard to headless Chromium
//! (driven over WebDriver by chromedriver + fantoccini), one test at a time.
//! Here: lines render in order, a typed command gets its reply, `pause`
//! stops the lines and `resume` restarts them, the device's ping shows in the
//! wire view, and `?twin` runs with no device at all. The modules test each
//! panel: [`console`] (command line, levels, colours, search, times),
//! [`devices`] (several at once, charts), [`capture`] (the `.pcapng` in
//! tshark), [`access`] (axe-core, the keyboard). Screenshots go to
//! `target/test-output/`.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod capture;
mod console;
mod devices;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::browser::{ONE_AT_A_TIME, browser, check_dashboard, chromedriver, click, rows, seqs, shot, wait_for};
use common::twin;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_against_the_twin() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let device = twin(|o| {
        o.rate = 20;
        o.ping_interval = 300;
    });
    let driver = chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!("http://{}/", device.addr)).await.unwrap();
    check_dashboard(&c, "dashboard").await;
    c.close().await.unwrap();
}

/// A static file server for the dashboard and the twin module, with no device behind it.
pub fn static_server() -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let path = req.split(' ').nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_string();
            let asset = device_sim::assets::dashboard().iter().find(|a| a.path == path);
            let resp = match asset {
                Some(a) => {
                    let encoding = if a.gzip { "Content-Encoding: gzip\r\n" } else { "" };
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\n{encoding}Content-Length: {}\r\nConnection: close\r\n\r\n",
                        a.content_type,
                        a.body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(a.body);
                    r
                }
                None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = s.write_all(&resp);
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_browser_twin_needs_no_device() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let files = static_server();
    let driver = chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!("http://{files}/?twin")).await.unwrap();
    let lines = wait_for("the twin's console", 20, async || {
        let r = rows(&c).await;
        (seqs(&r).len() >= 5).then_some(r)
    })
    .await;
    assert!(lines.iter().any(|l| l.contains("Wisp device")), "the boot banner: {lines:?}");
    let status = c.find(Locator::Id("status")).await.unwrap().text().await.unwrap();
    assert_eq!(status, "in-browser twin: running in this page");
    // Commands reach the firmware in the page, and the wire view shows the
    // frames the core produced.
    click(&c, "button[data-cmd=pause]").await;
    wait_for("the paused reply", 10, async || rows(&c).await.iter().any(|r| r == "> paused").then_some(())).await;
    let wire = c.execute("return document.getElementById('wire').textContent", vec![]).await.unwrap();
    assert!(wire.as_str().unwrap_or_default().contains("TEXT"), "frames from the twin's tap");
    shot(&c, "dashboard-twin").await;
    c.close().await.unwrap();
}
