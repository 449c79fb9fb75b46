//! The dashboard under load, in headless Chromium:
//!
//!     cargo bench -p device-sim --bench dashboard
//!
//! Two twins, both followed by one page (the second added by URL, as a user
//! does). The page records every requestAnimationFrame gap while:
//!
//! 1. the device shown bursts 100,000 console lines as fast as the page takes
//!    them, the other streaming 20 lines/s — the longest gap (the worst
//!    frame), and the JS heap at 0, 50,000 and 100,000 lines: flat once the
//!    console ring (20,000 lines) is full;
//! 2. the device not shown bursts 100,000 lines while the shown one streams;
//!
//! and then times a search over the full 20,000-line ring: the `input`
//! handler (the whole ring scanned, the count and the first match found),
//! and until the next frame has drawn the result.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use device_sim::{Options, Twin};
use fantoccini::{Client, ClientBuilder};
use serde_json::json;

const LINES: u64 = 100_000;

async fn js(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Lines the shown device's console has received.
async fn lines(c: &Client) -> u64 {
    let stats = js(c, "return document.getElementById('console-stats').textContent").await;
    stats.as_str().unwrap_or("0").split(' ').next().unwrap_or("0").replace(',', "").parse().unwrap_or(0)
}

async fn heap(c: &Client) -> f64 {
    js(c, "return performance.memory ? performance.memory.usedJSHeapSize : 0").await.as_f64().unwrap_or(0.0) / 1e6
}

/// Show the device named `name` in the device list.
async fn show(c: &Client, name: &str) {
    js(c, &format!("Array.from(document.querySelectorAll('#device-list .dev')).find(b => b.querySelector('.name').textContent == '{name}').click(); return 0")).await;
}

async fn burst(c: &Client) {
    js(c, &format!("document.getElementById('arg-burst').value = '{LINES}'; document.querySelector('button[data-cmd=burst]').click(); return 0")).await;
}

/// The animation-frame gaps (ms) since the last call, and the long tasks.
async fn gaps(c: &Client) -> (Vec<f64>, Vec<f64>) {
    let v = js(c, "const g = window.__gaps, l = window.__long; window.__gaps = []; window.__long = []; return [g, l]")
        .await;
    let nums = |v: &serde_json::Value| v.as_array().unwrap().iter().filter_map(|x| x.as_f64()).collect::<Vec<_>>();
    (nums(&v[0]), nums(&v[1]))
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

fn p99(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(s.len() * 99 / 100).copied().unwrap_or(0.0)
}

/// Wait until the shown console has `n` lines; the seconds it took.
async fn until_lines(c: &Client, n: u64, start: Instant, mut at_half: impl FnMut(f64)) -> f64 {
    let mut half = false;
    loop {
        let got = lines(c).await;
        if !half && got >= n / 2 {
            half = true;
            at_half(heap(c).await);
        }
        if got >= n {
            return start.elapsed().as_secs_f64();
        }
        assert!(start.elapsed() < Duration::from_secs(300), "burst did not finish: {got} lines");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let options = |allow: Vec<String>| Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        rate: 20,
        ping_interval: 0,
        allow_origin: allow,
        ..Options::default()
    };
    let a = Twin::spawn(options(Vec::new())).unwrap();
    let b = Twin::spawn(options(vec![format!("http://{}", a.addr)])).unwrap();
    let (na, nb) = (a.addr.to_string(), b.addr.to_string());
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut driver = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
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
    c.goto(&format!("http://{na}/")).await.unwrap();
    // The second device, added by URL; then A is shown again.
    js(&c, &format!("document.getElementById('device-url').value = '{nb}'; document.getElementById('add-form').requestSubmit(); return 0")).await;
    loop {
        let states =
            js(&c, "return Array.from(document.querySelectorAll('#device-list .state')).map(s => s.textContent)").await;
        let states = states.as_array().unwrap();
        if states.len() == 2 && states.iter().all(|s| s == "connected") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    show(&c, &na).await;
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
    let (idle, _) = gaps(&c).await;

    // 1. The device shown bursts.
    let before = lines(&c).await;
    let start = Instant::now();
    burst(&c).await;
    let mut heap50 = 0.0;
    let secs = until_lines(&c, before + LINES, start, |h| heap50 = h).await;
    let heap100 = heap(&c).await;
    let (shown, long_shown) = gaps(&c).await;

    // 2. The device not shown bursts: B bursts, A is shown meanwhile.
    show(&c, &nb).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = lines(&c).await;
    burst(&c).await;
    show(&c, &na).await;
    gaps(&c).await;
    tokio::time::sleep(Duration::from_secs_f64(secs.max(2.0))).await;
    let (hidden, long_hidden) = gaps(&c).await;
    show(&c, &nb).await;
    until_lines(&c, before + LINES, Instant::now(), |_| {}).await;
    let heap_end = heap(&c).await;

    // 3. Search over the full ring (B's: 20,000 lines of its burst).
    let mut search = Vec::new();
    for query in ["burst: 99999 left", "burst: 4", "no such text", "left"] {
        let t = js(
            &c,
            &format!(
                "const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input', {{bubbles: true}}));
                 const t0 = performance.now(); s.value = '{query}'; s.dispatchEvent(new Event('input', {{bubbles: true}}));
                 return performance.now() - t0"
            ),
        )
        .await
        .as_f64()
        .unwrap();
        let drawn = c
            .execute_async(
                "const done = arguments[arguments.length - 1]; const t0 = performance.now();
                 requestAnimationFrame(() => requestAnimationFrame(() => done([performance.now() - t0,
                   document.getElementById('search-count').textContent])));",
                vec![],
            )
            .await
            .unwrap();
        search.push((query, t, drawn[0].as_f64().unwrap(), drawn[1].as_str().unwrap_or_default().to_string()));
    }
    let ring = js(&c, "return document.querySelectorAll('#console-rows .row').length").await;

    println!("| figure | value |");
    println!("| --- | ---: |");
    println!("| idle baseline: frames in 1 s, longest gap | {} frames, {:.1} ms |", idle.len(), max(&idle));
    println!(
        "| 1. the shown device bursts {LINES} lines (the other streams 20/s) | {secs:.1} s ({:.0} lines/s) |",
        LINES as f64 / secs
    );
    println!("| 1. longest frame (rAF gap) / p99 | {:.1} / {:.1} ms |", max(&shown), p99(&shown));
    println!(
        "| 1. long tasks (> 50 ms) on the page's thread | {}, longest {:.1} ms |",
        long_shown.len(),
        max(&long_shown)
    );
    println!("| 1. JS heap: connected / 50,000 lines / 100,000 lines | {heap0:.1} / {heap50:.1} / {heap100:.1} MB |");
    println!("| 2. the hidden device bursts: longest frame / p99 | {:.1} / {:.1} ms |", max(&hidden), p99(&hidden));
    println!("| 2. long tasks (> 50 ms) | {}, longest {:.1} ms |", long_hidden.len(), max(&long_hidden));
    println!("| JS heap after both bursts | {heap_end:.1} MB |");
    for (query, t, drawn, count) in &search {
        println!(
            "| 3. search the full ring for \"{query}\": handler / to the next frame ({count}) | {t:.1} / {drawn:.1} ms |"
        );
    }
    println!("| rows drawn in view | {ring} |");
    c.close().await.unwrap();
    // chromedriver and the Chromium it started.
    // SAFETY: a plain syscall on the group made above.
    unsafe { libc::kill(-(driver.id() as i32), libc::SIGKILL) };
    let _ = driver.wait();
}
