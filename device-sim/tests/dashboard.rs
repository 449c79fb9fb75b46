//! End to end: the twin serves its embedded dashboard to headless Chromium
//! (driven over WebDriver by chromedriver + fantoccini). Lines render in
//! order, `pause` stops them and `resume` restarts them, the device's ping
//! shows in the wire view, and `?twin` runs with no device at all. Screenshots
//! go to `target/test-output/`.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::twin;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// chromedriver on a free port, killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(std::env::var("CHROMEDRIVER").unwrap_or("/usr/bin/chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (scripts/setup.sh installs it)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, url: format!("http://127.0.0.1:{port}") }
}

async fn browser(driver: &Driver) -> Client {
    let port = driver.url.rsplit(':').next().unwrap_or_default();
    let profile = std::env::temp_dir().join(format!("wisp-chromium-{}-{port}", std::process::id()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()),
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                     "--window-size=1280,1000", format!("--user-data-dir={}", profile.display())]
        }),
    );
    ClientBuilder::native().capabilities(caps).connect(&driver.url).await.expect("WebDriver session")
}

/// The console rows the page shows now.
async fn rows(c: &Client) -> Vec<String> {
    let v = c
        .execute("return Array.from(document.querySelectorAll('#console-rows .row')).map(r => r.textContent)", vec![])
        .await
        .unwrap();
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap_or_default().to_string()).collect()
}

fn seqs(rows: &[String]) -> Vec<u32> {
    rows.iter().filter_map(|r| r.strip_prefix('#')?.split(' ').next()?.parse().ok()).collect()
}

async fn wait_for<T>(what: &str, secs: u64, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-output");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_against_the_twin() {
    let device = twin(|o| {
        o.rate = 20;
        o.ping_interval = 300;
    });
    let driver = chromedriver();
    let c = browser(&driver).await;
    c.goto(&format!("http://{}/", device.addr)).await.unwrap();

    // printf lines render, in order.
    let first = wait_for("ten console lines", 20, async || {
        let s = seqs(&rows(&c).await);
        (s.len() >= 10).then_some(s)
    })
    .await;
    assert!(first.windows(2).all(|w| w[1] == w[0] + 1), "in order: {first:?}");
    let status = c.find(Locator::Id("status")).await.unwrap().text().await.unwrap();
    assert!(status.starts_with("connected"), "{status}");

    // pause stops them...
    click(&c, "button[data-cmd=pause]").await;
    wait_for("the paused reply", 10, async || rows(&c).await.iter().any(|r| r == "> paused").then_some(())).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let paused_at = *seqs(&rows(&c).await).last().unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let still = *seqs(&rows(&c).await).last().unwrap();
    assert_eq!(still, paused_at, "no new lines while paused (20 lines/s would have added ~24)");

    // ...and resume restarts them.
    click(&c, "button[data-cmd=resume]").await;
    wait_for("lines after resume", 10, async || {
        let s = seqs(&rows(&c).await);
        (s.last().copied().unwrap_or(0) > still + 3).then_some(())
    })
    .await;

    // The device's keepalive ping shows in the wire view, decoded.
    let ping = wait_for("a ping in the wire view", 10, async || {
        let v = c.execute("return document.getElementById('wire').textContent", vec![]).await.ok()?;
        v.as_str().filter(|t| t.contains("PING") && t.contains("FIN=1")).map(str::to_string)
    })
    .await;
    assert!(ping.contains("PONG"), "the browser's pong comes back too");

    let png = c.screenshot().await.unwrap();
    std::fs::write(out_dir().join("dashboard.png"), png).unwrap();
    c.close().await.unwrap();
}

/// A static file server for web/dist, with no device behind it.
fn static_server() -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let path = req.split(' ').nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_string();
            let asset = device_sim::assets::dashboard().into_iter().find(|a| a.path == path);
            let resp = match asset {
                Some(a) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
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
    assert_eq!(status, "in-browser twin");
    // Commands reach the firmware in the page, and the wire view shows the
    // frames the core produced.
    click(&c, "button[data-cmd=pause]").await;
    wait_for("the paused reply", 10, async || rows(&c).await.iter().any(|r| r == "> paused").then_some(())).await;
    let wire = c.execute("return document.getElementById('wire').textContent", vec![]).await.unwrap();
    assert!(wire.as_str().unwrap_or_default().contains("TEXT"), "frames from the twin's tap");
    let png = c.screenshot().await.unwrap();
    std::fs::write(out_dir().join("dashboard-twin.png"), png).unwrap();
    c.close().await.unwrap();
}
