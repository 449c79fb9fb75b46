//! Several devices: a second one added by URL, both connected at once,
//! each keeping its console and wire history across switches, the list kept
//! across a reload, `?device=` opening one directly; and the charts: axes,
//! the current value, a readout under the pointer.

use fantoccini::Locator;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::key::Key;
use tungstenite::Message;

use super::console::open;
use crate::common::browser::{ONE_AT_A_TIME, browser, chromedriver, js, rows, shot, text_of, wait_for};
use crate::common::{connect, twin};

/// The device list as the page shows it: (name, state, shown?).
async fn list(c: &fantoccini::Client) -> Vec<(String, String, bool)> {
    let v = js(
        c,
        "return Array.from(document.querySelectorAll('#device-list .dev')).map(b =>
            [b.querySelector('.name').textContent, b.querySelector('.state').textContent, b.hasAttribute('aria-current')])",
    )
    .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| (d[0].as_str().unwrap().into(), d[1].as_str().unwrap().into(), d[2].as_bool().unwrap()))
        .collect()
}

async fn show(c: &fantoccini::Client, name: &str) {
    js(c, &format!("Array.from(document.querySelectorAll('#device-list .dev')).find(b => b.querySelector('.name').textContent == '{name}').click(); return 0")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_at_once() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // No periodic lines: each console keeps its marker line in view.
    let a = twin(|o| o.rate = 0);
    // B accepts the page A serves (a device refuses other origins by default).
    let b = twin(|o| {
        o.rate = 0;
        o.allow_origin = vec![format!("http://{}", a.addr)];
    });
    let (na, nb) = (a.addr.to_string(), b.addr.to_string());
    let driver = chromedriver();
    let c = browser(&driver).await;
    open(&c, &format!("http://{na}/")).await;
    // Each device says who it is, through its own console.
    for (addr, who) in [(a.addr, "I am device A"), (b.addr, "I am device B")] {
        connect(addr, "/printf").send(Message::text(format!("print {who}"))).unwrap();
    }
    // Add B by URL: both are followed, B is shown.
    c.find(Locator::Id("device-url")).await.unwrap().send_keys(&format!("{nb}{}", Key::Enter)).await.unwrap();
    let both = wait_for("both devices connected", 20, async || {
        let l = list(&c).await;
        (l.len() == 2 && l.iter().all(|d| d.1 == "connected")).then_some(l)
    })
    .await;
    assert_eq!(
        both.iter().map(|d| (d.0.as_str(), d.2)).collect::<Vec<_>>(),
        [(na.as_str(), false), (nb.as_str(), true)]
    );
    wait_for("B's console", 15, async || rows(&c).await.iter().any(|r| r.ends_with("I am device B")).then_some(()))
        .await;
    assert!(!rows(&c).await.iter().any(|r| r.ends_with("I am device A")), "only B's lines");
    // B bursts while A is shown; A's console and wire view are as they were.
    connect(b.addr, "/printf").send(Message::text("burst 2000")).unwrap();
    show(&c, &na).await;
    wait_for("A's console again", 15, async || {
        rows(&c).await.iter().any(|r| r.ends_with("I am device A")).then_some(())
    })
    .await;
    assert!(!rows(&c).await.iter().any(|r| r.contains("burst:")), "B's burst stays in B's console");
    // A frame on A now: the tap shows frames as they pass, and the marker
    // line may have passed before the page's tap of A was open.
    connect(a.addr, "/printf").send(Message::text("print on A's wire")).unwrap();
    let wire_a = wait_for("A's wire view", 15, async || {
        let t = text_of(&c, "wire").await;
        t.contains("TEXT").then_some(t)
    })
    .await;
    assert!(!wire_a.contains("burst:"), "A's wire view shows A's frames");
    shot(&c, "dashboard-devices").await;
    // Back to B: its whole burst arrived while it was not shown.
    show(&c, &nb).await;
    wait_for("B's burst, complete", 20, async || {
        rows(&c).await.iter().any(|r| r.ends_with("burst: 0 left")).then_some(())
    })
    .await;
    assert!(text_of(&c, "wire").await.contains("burst:"), "B's wire view kept its frames");
    assert!(rows(&c).await.iter().all(|r| !r.ends_with("I am device A")));
    // The charts: axes with labels and units, the current value, a readout.
    check_charts(&c).await;
    // The list survives a reload; `?device=` opens one of them directly.
    c.goto(&format!("http://{na}/?device=ws://{nb}/printf")).await.unwrap();
    let again = wait_for("the list after a reload", 20, async || {
        let l = list(&c).await;
        (l.len() == 2 && l.iter().all(|d| d.1 == "connected")).then_some(l)
    })
    .await;
    assert_eq!(
        again.iter().map(|d| (d.0.as_str(), d.2)).collect::<Vec<_>>(),
        [(na.as_str(), false), (nb.as_str(), true)]
    );
    // × stops following a device.
    js(&c, "document.querySelector('#device-list [data-rm]').click(); return 0").await;
    let one = wait_for("one device left", 10, async || {
        let l = list(&c).await;
        (l.len() == 1).then_some(l)
    })
    .await;
    assert_eq!(one[0].0, nb);
    c.close().await.unwrap();
}

/// The charts have time and value axes with units, say the current value,
/// and read out the sample under the pointer.
async fn check_charts(c: &fantoccini::Client) {
    // Canvas pixels are not text: the test reads what the chart says of itself.
    let label = wait_for("the lines/s chart's summary", 10, async || {
        let l = js(c, "return document.getElementById('chart-lines').getAttribute('aria-label')").await;
        l.as_str().filter(|l| l.contains("now")).map(str::to_string)
    })
    .await;
    assert!(label.starts_with("lines/s over the last 120 s: now "), "{label}");
    let canvas = c.find(Locator::Id("chart-lines")).await.unwrap();
    let pointer = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: canvas,
        duration: None,
        x: 100.0,
        y: 0.0,
    });
    c.perform_actions(pointer).await.unwrap();
    let readout = wait_for("a readout under the pointer", 10, async || {
        let r = text_of(c, "chart-readout").await;
        (!r.is_empty()).then_some(r)
    })
    .await;
    // "lines/s, -<n> s: <value> lines/s": the time and the value with its unit.
    let (title, rest) = readout.split_once(", -").unwrap();
    assert_eq!(title, "lines/s");
    let (secs, value) = rest.split_once(" s: ").unwrap();
    assert!(secs.parse::<u32>().unwrap() <= 120 && value.ends_with("lines/s"), "{readout}");
    shot(c, "dashboard-charts").await;
}
