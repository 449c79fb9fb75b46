//! Headless Chromium over WebDriver (chromedriver + fantoccini), for the
//! end-to-end tests of the dashboard against the twin and the board.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// chromedriver on a free port, killed on drop.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn chromedriver() -> Driver {
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

pub async fn browser(driver: &Driver) -> Client {
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
pub async fn rows(c: &Client) -> Vec<String> {
    let v = c
        .execute("return Array.from(document.querySelectorAll('#console-rows .row')).map(r => r.textContent)", vec![])
        .await
        .unwrap();
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap_or_default().to_string()).collect()
}

pub fn seqs(rows: &[String]) -> Vec<u32> {
    rows.iter().filter_map(|r| r.strip_prefix('#')?.split(' ').next()?.parse().ok()).collect()
}

pub async fn wait_for<T>(what: &str, secs: u64, mut f: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-output");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

/// The checks every dashboard gets, against whatever device served it: lines
/// render in order, `pause` stops them and `resume` restarts them, a ping
/// shows in the wire view. Writes `<shot>.png` to the test output folder.
pub async fn check_dashboard(c: &Client, shot: &str) {
    let first = wait_for("ten console lines", 30, async || {
        let s = seqs(&rows(c).await);
        (s.len() >= 10).then_some(s)
    })
    .await;
    assert!(first.windows(2).all(|w| w[1] == w[0] + 1), "in order: {first:?}");
    let status = c.find(Locator::Id("status")).await.unwrap().text().await.unwrap();
    assert!(status.starts_with("connected"), "{status}");

    click(c, "button[data-cmd=pause]").await;
    wait_for("the paused reply", 10, async || rows(c).await.iter().any(|r| r == "> paused").then_some(())).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let paused_at = *seqs(&rows(c).await).last().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let still = *seqs(&rows(c).await).last().unwrap();
    assert_eq!(still, paused_at, "no new lines while paused");

    click(c, "button[data-cmd=resume]").await;
    wait_for("lines after resume", 10, async || {
        let s = seqs(&rows(c).await);
        (s.last().copied().unwrap_or(0) > still + 2).then_some(())
    })
    .await;

    click(c, "button[data-cmd=ping]").await;
    let wire = wait_for("a ping in the wire view", 15, async || {
        let v = c.execute("return document.getElementById('wire').textContent", vec![]).await.ok()?;
        v.as_str().filter(|t| t.contains("PING") && t.contains("PONG")).map(str::to_string)
    })
    .await;
    assert!(wire.contains("FIN=1"));
    let png = c.screenshot().await.unwrap();
    std::fs::write(out_dir().join(format!("{shot}.png")), png).unwrap();
}
