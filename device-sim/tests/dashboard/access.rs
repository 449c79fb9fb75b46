//! Accessibility: axe-core (pinned in scripts/node/package.json, installed
//! by scripts/setup.sh) finds no serious or critical violation in the light
//! and the dark theme (the system's: Chromium's `--force-dark-mode`), with
//! every kind of line on screen (levels, SGR colours, search marks,
//! notices); and the keyboard reaches every control, with a visible focus.

use std::path::PathBuf;

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

use super::console::open;
use crate::common::browser::{
    ONE_AT_A_TIME, browser, browser_with, chromedriver, js, rows, shot, text_of, type_command, wait_for,
};
use crate::common::twin;

fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/node/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/setup.sh installs axe-core)", path.display()))
}

/// axe-core's serious and critical violations on the page as it is now:
/// (rule, impact, the first offending elements).
async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.unwrap();
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {resultTypes: ['violations']}).then((r) => done(r.violations
               .filter((v) => v.impact === 'serious' || v.impact === 'critical')
               .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '')).join(' | '))));",
            vec![],
        )
        .await
        .unwrap();
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// The page at `url` with every kind of line on screen and search marks.
async fn busy_page(c: &Client, url: &str) {
    open(c, url).await;
    for cmd in
        ["log error e", "log warn w", "log info i", "log debug d", "log trace t", "colors", "nosuchcommand", "help"]
    {
        type_command(c, cmd).await;
    }
    wait_for("every kind of line", 15, async || {
        let r = rows(c).await;
        (r.iter().any(|l| l.ends_with("orange")) && r.iter().any(|l| l.starts_with("! unknown"))).then_some(())
    })
    .await;
    c.find(fantoccini::Locator::Id("search")).await.unwrap().send_keys("cmd").await.unwrap();
    wait_for("search marks", 10, async || text_of(c, "search-count").await.contains(" of ").then_some(())).await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_serious_in_the_dark_theme() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let device = twin(|o| o.rate = 5);
    let driver = chromedriver();
    let c = browser_with(&driver, &["--force-dark-mode"]).await;
    busy_page(&c, &format!("http://{}/", device.addr)).await;
    let dark = js(&c, "return matchMedia('(prefers-color-scheme: dark)').matches").await;
    assert_eq!(dark, true, "the system's theme is dark");
    let found = violations(&c, &axe_source()).await;
    assert!(found.is_empty(), "axe-core, dark theme:\n{}", found.join("\n"));
    shot(&c, "dashboard-dark").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_serious_and_the_keyboard_reaches_everything() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let device = twin(|o| {
        o.rate = 5;
        o.ping_interval = 500;
    });
    let driver = chromedriver();
    let c = browser(&driver).await;
    busy_page(&c, &format!("http://{}/", device.addr)).await;
    let axe = axe_source();
    // The check can fail: a button without a name is a critical violation.
    js(&c, "const b = document.createElement('button'); b.id = 'nameless'; document.body.append(b); return 0").await;
    let found = violations(&c, &axe).await;
    assert!(found.iter().any(|v| v.starts_with("button-name (critical)")), "axe-core runs: {found:?}");
    js(&c, "document.getElementById('nameless').remove(); return 0").await;
    let found = violations(&c, &axe).await;
    assert!(found.is_empty(), "axe-core, light theme:\n{}", found.join("\n"));
    shot(&c, "dashboard-light").await;
    // Tab from the top of the page visits every control, each with a visible focus.
    js(&c, "document.activeElement.blur(); window.scrollTo(0, 0); return 0").await;
    let controls = js(
        &c,
        "return Array.from(document.querySelectorAll('button:not([hidden]), input, select, a[href], [tabindex=\"0\"]'))
           .filter((e) => !e.closest('[hidden]')).map((e) => e.id || e.dataset.cmd || e.dataset.dev || e.dataset.rm || e.tagName)",
    )
    .await;
    let controls: Vec<String> = controls.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let mut visited = Vec::new();
    for _ in 0..controls.len() + 5 {
        let tab = KeyActions::new("keys".into())
            .then(KeyAction::Down { value: Key::Tab.into() })
            .then(KeyAction::Up { value: Key::Tab.into() });
        c.perform_actions(tab).await.unwrap();
        let at = js(
            &c,
            "const e = document.activeElement; const s = getComputedStyle(e);
             return [e.id || e.dataset.cmd || e.dataset.dev || e.dataset.rm || e.tagName, s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2]",
        )
        .await;
        let (id, ring) = (at[0].as_str().unwrap().to_string(), at[1].as_bool().unwrap());
        assert!(ring || id == "BODY", "{id}: no visible focus");
        visited.push(id);
    }
    for control in &controls {
        assert!(visited.contains(control), "Tab never reaches {control}; visited {visited:?}");
    }
    c.close().await.unwrap();
}
