//! The console panel: the command line (a typed command and its reply, Tab
//! completion from the device's `help`, history across a reload), log
//! levels and targets, SGR colours and control bytes, search over the whole
//! ring, and the time each line arrived — on screen and in the download.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use tungstenite::Message;

use crate::common::browser::{
    ONE_AT_A_TIME, browser, chromedriver, click, download, js, rows, shot, text_of, type_command, wait_for,
};
use crate::common::{connect, twin};

/// Open the page the twin at `addr` serves and wait until it is connected.
pub async fn open(c: &Client, url: &str) {
    c.goto(url).await.unwrap();
    wait_for("the page connected", 20, async || text_of(c, "status").await.ends_with(": connected").then_some(()))
        .await;
}

async fn line_value(c: &Client) -> String {
    js(c, "return document.getElementById('command').value").await.as_str().unwrap_or_default().to_string()
}

async fn until_row(c: &Client, what: &str, f: impl Fn(&str) -> bool) -> String {
    wait_for(what, 15, async || rows(c).await.into_iter().find(|r| f(r))).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_sends_completes_and_remembers() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let device = twin(|o| o.rate = 5);
    let driver = chromedriver();
    let c = browser(&driver).await;
    open(&c, &format!("http://{}/", device.addr)).await;
    // A typed command: echoed, sent, answered; the line is empty again.
    type_command(&c, "rate 7").await;
    until_row(&c, "the echo of the typed command", |r| r == "› rate 7").await;
    until_row(&c, "its reply", |r| r == "> rate 7 lines/s").await;
    assert_eq!(line_value(&c).await, "");
    // The page asked for `help` quietly when it connected: nothing of it shows.
    assert!(!rows(&c).await.iter().any(|r| r.starts_with("> pause ")), "the quiet help reply is hidden");
    // Tab completes a command the device listed (the page knows no command
    // names of its own) and shows its help line.
    let line = c.find(Locator::Id("command")).await.unwrap();
    line.send_keys(&format!("col{}", Key::Tab)).await.unwrap();
    assert_eq!(line_value(&c).await, "colors ");
    assert!(text_of(&c, "command-hint").await.starts_with("colors "), "the help line as a hint");
    line.send_keys(&Key::Enter.to_string()).await.unwrap();
    until_row(&c, "the coloured line", |r| r.ends_with("orange")).await;
    // Several commands fit "p": Tab lists them and leaves the line as it is.
    line.send_keys(&format!("p{}", Key::Tab)).await.unwrap();
    assert_eq!(line_value(&c).await, "p");
    let hint = text_of(&c, "command-hint").await;
    assert!(["pause", "ping", "print"].iter().all(|n| hint.split("  ").any(|h| h == *n)), "{hint}");
    shot(&c, "dashboard-command-line").await;
    line.send_keys(&Key::Escape.to_string()).await.unwrap();
    // The history, after a reload: ↑ walks back, ↓ forward to an empty line.
    c.refresh().await.unwrap();
    wait_for("connected again", 20, async || text_of(&c, "status").await.ends_with(": connected").then_some(())).await;
    let line = c.find(Locator::Id("command")).await.unwrap();
    let mut seen = Vec::new();
    for key in [Key::Up, Key::Up, Key::Down, Key::Down] {
        line.send_keys(&key.to_string()).await.unwrap();
        seen.push(line_value(&c).await);
    }
    assert_eq!(seen, ["colors", "rate 7", "colors", ""]);
    // The reply to a command the user asks for shows, `help` too.
    type_command(&c, "help").await;
    until_row(&c, "the help the user asked for", |r| r.starts_with("> colors ")).await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn levels_colours_control_bytes_search_and_times() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let device = twin(|o| o.rate = 0);
    let driver = chromedriver();
    let c = browser(&driver).await;
    open(&c, &format!("http://{}/", device.addr)).await;
    for cmd in [
        "log error sensor read failed: timeout",
        "log warn disk almost full",
        "log info all good",
        "log debug detail",
        "colors",
    ] {
        type_command(&c, cmd).await;
    }
    // A line with control bytes a device should never send: from a client's
    // `print`, which this firmware stores as it is.
    let mut ws = connect(device.addr, "/printf");
    ws.send(Message::text("print bell\u{7} cr\r esc\u{1b}[2J nul\u{0} end")).unwrap();
    until_row(&c, "the line with control bytes", |r| r.ends_with(" end")).await;
    until_row(&c, "the coloured line", |r| r.ends_with("orange")).await;
    // Levels: each record's row carries its level's class, coloured apart.
    let classes = js(
        &c,
        "return Array.from(document.querySelectorAll('#console-rows .row')).map(r => [r.className, r.textContent, getComputedStyle(r).color])",
    )
    .await;
    let classes: Vec<(String, String, String)> = classes
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v[0].as_str().unwrap().into(), v[1].as_str().unwrap().into(), v[2].as_str().unwrap().into()))
        .collect();
    let class_of =
        |text: &str| classes.iter().find(|c| c.1.contains(text)).map(|c| (c.0.clone(), c.2.clone())).unwrap();
    let (error, warn, info) = (class_of("ERROR cmd"), class_of("WARN cmd"), class_of("INFO cmd"));
    assert_eq!((error.0.as_str(), warn.0.as_str(), info.0.as_str()), ("row lv-e", "row lv-w", "row lv-i"));
    assert!(error.1 != info.1 && warn.1 != info.1 && error.1 != warn.1, "coloured apart: {error:?} {warn:?} {info:?}");
    // SGR colours: spans, coloured, with no escape left in the text.
    let sgr = js(
        &c,
        "const r = Array.from(document.querySelectorAll('#console-rows .row')).find(r => r.textContent.endsWith('orange'));
         return [r.textContent, Array.from(r.querySelectorAll('span.sgr')).map(s => [s.textContent, getComputedStyle(s).color, getComputedStyle(s).fontWeight])]",
    )
    .await;
    let text = sgr[0].as_str().unwrap();
    assert!(
        text.ends_with(" red green bold blue orange") && !text.contains('\u{1b}') && !text.contains("[31m"),
        "{text:?}"
    );
    let spans: Vec<(String, (u8, u8, u8), String)> = sgr[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s[0].as_str().unwrap().into(), rgb(s[1].as_str().unwrap()), s[2].as_str().unwrap().into()))
        .collect();
    let words: Vec<&str> = spans.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(words, ["red", "green", "bold blue", "orange"]);
    let (r, g, b) = (spans[0].1, spans[1].1, spans[2].1);
    assert!(r.0 > r.1 && r.0 > r.2, "red is red: {r:?}");
    assert!(g.1 > g.0 && g.1 > g.2, "green is green: {g:?}");
    assert!(b.2 > b.0 && b.2 > b.1 && spans[2].2 == "700", "bold blue: {b:?} {}", spans[2].2);
    let o = spans[3].1;
    assert!(o.0 > o.1 && o.1 > o.2, "orange: {o:?}");
    // Control bytes as visible stand-ins, never raw.
    let ctl = rows(&c).await.into_iter().find(|r| r.ends_with(" end")).unwrap();
    assert!(ctl.ends_with(" bell␇ cr␍ esc␛[2J nul␀ end"), "{ctl:?}");
    assert!(!ctl.chars().any(|c| c.is_control()), "{ctl:?}");
    shot(&c, "dashboard-levels-colours").await;
    // The level filter: warn and more severe; the target filter.
    js(&c, "const s = document.getElementById('level'); s.value = '1'; s.dispatchEvent(new Event('change', {bubbles: true})); return 0").await;
    let shown = wait_for("the level filter", 10, async || {
        let r = rows(&c).await;
        (!r.iter().any(|l| l.contains("INFO cmd"))).then_some(r)
    })
    .await;
    assert!(shown.iter().any(|l| l.contains("ERROR cmd")) && shown.iter().any(|l| l.contains("WARN cmd")), "{shown:?}");
    assert!(!shown.iter().any(|l| l.contains("DEBUG cmd") || l.ends_with("orange")), "{shown:?}");
    js(&c, "const s = document.getElementById('level'); s.value = ''; s.dispatchEvent(new Event('change', {bubbles: true}));
            const t = document.getElementById('target'); t.value = '0'; t.dispatchEvent(new Event('change', {bubbles: true})); return 0").await;
    let shown = wait_for("the target filter", 10, async || {
        let r = rows(&c).await;
        (r.iter().filter(|l| l.contains(" cmd: ")).count() == 4 && !r.iter().any(|l| l.ends_with("orange")))
            .then_some(r)
    })
    .await;
    assert!(text_of(&c, "target").await.contains("cmd"), "the menu lists the targets seen");
    assert!(shown.iter().any(|l| l == "› colors"), "the dashboard's own lines stay: {shown:?}");
    js(&c, "const t = document.getElementById('target'); t.value = ''; t.dispatchEvent(new Event('change', {bubbles: true})); return 0").await;
    // Search over the whole ring: a line far out of view is found, counted,
    // shown and marked.
    type_command(&c, "burst 3000").await;
    until_row(&c, "the burst's end", |r| r.ends_with("burst: 0 left")).await;
    c.find(Locator::Id("search")).await.unwrap().send_keys("burst: 2990 left").await.unwrap();
    wait_for("one match", 10, async || (text_of(&c, "search-count").await == "1 of 1").then_some(())).await;
    let mark = wait_for("the match shown and marked", 10, async || {
        let m = js(&c, "const m = document.querySelector('#console-rows mark.cur'); return m ? m.closest('.row').textContent : null").await;
        m.as_str().map(str::to_string)
    })
    .await;
    assert!(mark.ends_with("burst: 2990 left"), "{mark}");
    shot(&c, "dashboard-search").await;
    let search = c.find(Locator::Id("search")).await.unwrap();
    search.clear().await.unwrap();
    search.send_keys("cmd:").await.unwrap();
    wait_for("four matches", 10, async || (text_of(&c, "search-count").await == "4 of 4").then_some(())).await;
    click(&c, "#search-prev").await;
    wait_for("the previous match", 10, async || (text_of(&c, "search-count").await == "3 of 4").then_some(())).await;
    search.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for("Enter: the next match", 10, async || (text_of(&c, "search-count").await == "4 of 4").then_some(())).await;
    // The time each line arrived: the clock, or the time since the line before; both in the download.
    let stamps =
        js(&c, "return Array.from(document.querySelectorAll('#console-rows .ts')).map(t => t.textContent)").await;
    let first = stamps[0].as_str().unwrap().to_string();
    assert!(is_clock(&first), "{first:?}");
    let text = String::from_utf8(download(&c, "#download").await).unwrap();
    let line = text.lines().find(|l| l.ends_with("WARN cmd: disk almost full")).unwrap();
    assert!(is_clock(&line[..12]) && line[12..].starts_with("  #"), "{line:?}");
    assert!(
        text.contains("red green bold blue orange\n") && text.contains("bell␇"),
        "the download shows what the page shows"
    );
    js(&c, "const s = document.getElementById('stamps'); s.value = 'delta'; s.dispatchEvent(new Event('change', {bubbles: true})); return 0").await;
    let delta = wait_for("relative times", 10, async || {
        let t = js(&c, "const t = document.querySelector('#console-rows .ts'); return t ? t.textContent : ''").await;
        t.as_str().filter(|t| t.trim_start().starts_with('+')).map(str::to_string)
    })
    .await;
    assert!(delta.trim_start()[1..].parse::<f64>().is_ok(), "{delta:?}");
    let text = String::from_utf8(download(&c, "#download").await).unwrap();
    assert!(text.lines().all(|l| l.trim_start().starts_with('+')), "{}", &text[..200.min(text.len())]);
    c.close().await.unwrap();
}

/// `HH:MM:SS.mmm`.
fn is_clock(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 12 && b[2] == b':' && b[5] == b':' && b[8] == b'.' && s.bytes().filter(u8::is_ascii_digit).count() == 9
}

/// `rgb(r, g, b)` as numbers.
fn rgb(css: &str) -> (u8, u8, u8) {
    let n: Vec<u8> =
        css.trim_start_matches("rgb(").trim_end_matches(')').split(", ").map(|v| v.parse().unwrap()).collect();
    (n[0], n[1], n[2])
}
