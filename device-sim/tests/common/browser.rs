//! Headless Chromium over WebDriver (chromedriver + fantoccini), for the
//! end-to-end tests of the dashboard against the twin and the board.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// chromedriver on a free port, killed on drop with the Chromium it started:
/// they run in a process group of their own (a test that fails before it
/// closes its session would otherwise leave a Chromium running).
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: a plain syscall; the group is the one `chromedriver()` made.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// Start chromedriver.
pub fn chromedriver() -> Driver {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(std::env::var("CHROMEDRIVER").unwrap_or("/usr/bin/chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("chromedriver (scripts/setup.sh installs it)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, url: format!("http://127.0.0.1:{port}") }
}

/// A headless Chromium with a fresh profile.
pub async fn browser(driver: &Driver) -> Client {
    browser_with(driver, &[]).await
}

/// [`browser`], with more command-line switches (`--force-dark-mode`: the
/// system's dark theme).
pub async fn browser_with(driver: &Driver, extra: &[&str]) -> Client {
    let port = driver.url.rsplit(':').next().unwrap_or_default();
    let profile = std::env::temp_dir().join(format!("wisp-chromium-{}-{port}-{}", std::process::id(), extra.len()));
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1280,1000",
    ]
    .iter()
    .chain(extra)
    .map(|a| a.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": std::env::var("CHROMIUM").unwrap_or("/usr/bin/chromium".into()), "args": args }),
    );
    ClientBuilder::native().capabilities(caps).connect(&driver.url).await.expect("WebDriver session")
}

/// Browser tests in one test binary take turns: each runs its own Chromium,
/// and several at once on a 2-core machine starve the page under test.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Run `script` in the page; its `return` value.
pub async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

/// The console rows the page shows now: each line's text, without the time
/// the page received it.
pub async fn rows(c: &Client) -> Vec<String> {
    let v = js(
        c,
        "return Array.from(document.querySelectorAll('#console-rows .row')).map(r => {
            const t = r.querySelector('.ts'); return r.textContent.slice(t ? t.textContent.length : 0); })",
    )
    .await;
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap_or_default().to_string()).collect()
}

/// Type `text` on the command line and press Enter.
pub async fn type_command(c: &Client, text: &str) {
    let line = c.find(Locator::Id("command")).await.unwrap();
    line.send_keys(&format!("{text}{}", fantoccini::key::Key::Enter)).await.unwrap();
}

/// The text of element `id`.
pub async fn text_of(c: &Client, id: &str) -> String {
    js(c, &format!("const e = document.getElementById('{id}'); return e ? e.textContent : ''"))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The bytes of the next file the page offers for download (the test
/// catches the `Blob` the page hands `URL.createObjectURL`), after `click`s
/// the element `css`.
pub async fn download(c: &Client, css: &str) -> Vec<u8> {
    js(
        c,
        "window.__blobs = []; const orig = URL.createObjectURL;
           URL.createObjectURL = (b) => { window.__blobs.push(b); return orig(b); }; return 0",
    )
    .await;
    click(c, css).await;
    let b64 = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const b = window.__blobs[0];
             b.arrayBuffer().then((buf) => { let s = ''; const u = new Uint8Array(buf);
               for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); done(btoa(s)); });",
            vec![],
        )
        .await
        .unwrap();
    base64_decode(b64.as_str().unwrap())
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        acc = (acc << 6) | A.iter().position(|&a| a == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// A screenshot into the test output folder as `<name>.png`.
pub async fn shot(c: &Client, name: &str) {
    std::fs::write(out_dir().join(format!("{name}.png")), c.screenshot().await.unwrap()).unwrap();
}

/// The sequence numbers of the `#` rows.
pub fn seqs(rows: &[String]) -> Vec<u64> {
    rows.iter().filter_map(|r| r.strip_prefix('#')?.split(' ').next()?.parse().ok()).collect()
}

/// Poll `f` every 100 ms until it gives a value; fail after `secs`.
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

/// The test output folder (screenshots, captures).
pub fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-output");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Click the element `css`.
pub async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css)).await.unwrap().click().await.unwrap();
}

/// The checks every dashboard gets, against whatever device served it: lines
/// render in order, a command typed on the command line gets its reply,
/// `pause` stops the lines and `resume` restarts them, a ping shows in the
/// wire view. Writes `<name>.png` to the test output folder.
pub async fn check_dashboard(c: &Client, name: &str) {
    let first = wait_for("ten console lines", 30, async || {
        let s = seqs(&rows(c).await);
        (s.len() >= 10).then_some(s)
    })
    .await;
    assert!(first.windows(2).all(|w| w[1] == w[0] + 1), "in order: {first:?}");
    let status = c.find(Locator::Id("status")).await.unwrap().text().await.unwrap();
    assert!(status.ends_with(": connected"), "{status}");

    // A command typed on the command line, echoed, and its reply.
    type_command(c, "help").await;
    wait_for("the typed command and its reply", 10, async || {
        let r = rows(c).await;
        (r.iter().any(|l| l == "› help") && r.iter().any(|l| l.starts_with("> pause "))).then_some(())
    })
    .await;

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
    shot(c, name).await;
}
