//! The dashboard under load, in headless Chromium:
//!
//!     cargo bench -p device-sim --bench dashboard
//!
//! The twin bursts 100,000 console lines as fast as the page takes them; the
//! page records every requestAnimationFrame gap. Prints the longest gap (the
//! worst frame) and the page's JS heap at 0, 50,000 and 100,000 lines — flat
//! once the console ring (20,000 lines) is full.

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use device_sim::{Options, Twin};
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

const LINES: u64 = 100_000;

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

async fn lines(c: &Client) -> u64 {
    js(c, "return document.getElementById('console-stats').textContent")
        .await
        .as_str()
        .unwrap_or("0")
        .split(' ')
        .next()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0)
}

async fn heap(c: &Client) -> f64 {
    js(c, "return performance.memory ? performance.memory.usedJSHeapSize : 0").await.as_f64().unwrap_or(0.0) / 1e6
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let twin =
        Twin::spawn(Options { bind: "127.0.0.1:0".parse().unwrap(), rate: 0, ping_interval: 0, ..Options::default() })
            .unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut driver = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), json!({"binary": "/usr/bin/chromium", "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--enable-precise-memory-info", "--window-size=1280,1000",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows",
        format!("--user-data-dir={}", std::env::temp_dir().join(format!("wisp-bench-{port}")).display())]}));
    let c = ClientBuilder::native().capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await.unwrap();
    c.goto(&format!("http://{}/", twin.addr)).await.unwrap();
    while lines(&c).await == 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let heap0 = heap(&c).await;
    js(
        &c,
        "window.__gaps = []; window.__long = []; let last = performance.now();
            new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); })
                .observe({entryTypes: ['longtask']});
            function f(t) { window.__gaps.push(t - last); last = t; requestAnimationFrame(f); }
            requestAnimationFrame(f); return 0;",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle: Vec<f64> = js(&c, "const g = window.__gaps; window.__gaps = []; return g")
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_f64())
        .collect();
    let idle_max = idle.iter().copied().fold(0.0, f64::max);
    let start = Instant::now();
    js(
        &c,
        &format!(
            "document.getElementById('arg-burst').value = '{LINES}';
                     document.querySelector('button[data-cmd=burst]').click(); return 0;"
        ),
    )
    .await;
    let mut heap50 = 0.0;
    loop {
        let n = lines(&c).await;
        if heap50 == 0.0 && n >= LINES / 2 {
            heap50 = heap(&c).await;
        }
        if n >= LINES {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "burst did not finish: {n} lines");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    let heap100 = heap(&c).await;
    let gaps: Vec<f64> =
        js(&c, "return window.__gaps").await.as_array().unwrap().iter().filter_map(|v| v.as_f64()).collect();
    let max = gaps.iter().copied().fold(0.0, f64::max);
    let mut sorted = gaps.clone();
    sorted.sort_by(f64::total_cmp);
    let p99 = sorted.get(sorted.len() * 99 / 100).copied().unwrap_or(0.0);
    let long: Vec<f64> =
        js(&c, "return window.__long").await.as_array().unwrap().iter().filter_map(|v| v.as_f64()).collect();
    println!("| figure | value |");
    println!("| --- | ---: |");
    println!("| lines streamed | {LINES} in {secs:.1} s ({:.0} lines/s) |", LINES as f64 / secs);
    println!("| animation frames while streaming | {} |", gaps.len());
    println!("| idle baseline: frames in 1 s, longest gap | {} frames, {idle_max:.1} ms |", idle.len());
    println!("| longest frame (rAF gap) | {max:.1} ms |");
    println!("| p99 frame | {p99:.1} ms |");
    println!(
        "| long tasks (> 50 ms) on the page's thread | {}, longest {:.1} ms |",
        long.len(),
        long.iter().copied().fold(0.0, f64::max)
    );
    println!("| JS heap: connected / 50,000 lines / 100,000 lines | {heap0:.1} / {heap50:.1} / {heap100:.1} MB |");
    c.close().await.unwrap();
    let _ = driver.kill();
    let _ = driver.wait();
}
