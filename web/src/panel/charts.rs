//! The charts (wasm32 only): lines/s and bytes/s over the last two minutes,
//! and the ping round trips (the device's keepalive pings seen on the tap,
//! and the `ping` command's replies) as points. Each has a time axis, a value
//! axis with its unit, the current value, and a readout of the sample under
//! the pointer; to a screen reader, it says its current value and maximum.
//!
//! The plot is SVG markup written as text, like the console's rows; the
//! axes' labels are the page's own text, its colours the page's CSS.

use std::fmt::Write as _;

use wasm_bindgen::JsCast;
use web_sys::{Document, MouseEvent};

use crate::app::{App, Ev};
use crate::device::Device;
use crate::dom::{el, set_text};
use crate::model::chart::{axis, nearest, within};
use crate::model::format::si;

/// Seconds the charts span (the markup's time axis says the same).
const SPAN: f64 = 120.0;
/// How often the charts redraw without a pointer on them, ms.
const REDRAW_MS: f64 = 500.0;
/// The plot's coordinates: tenths of a second across, hundredths of the
/// value axis up (the SVG is stretched to the plot; every coordinate is a
/// small integer, and no float reaches a `format!`, which would bring the
/// float formatting machinery into the page).
const WIDTH: i32 = 1200;

/// The three charts: element id, title, unit, drawn as points?
const CHARTS: [(&str, &str, &str, bool); 3] = [
    ("chart-lines", "lines/s", "lines/s", false),
    ("chart-bytes", "bytes/s", "B/s", false),
    ("chart-rtt", "ping round trip", "ms", true),
];

#[derive(Default)]
/// The charts' state: when drawn, the pointer.
pub struct Charts {
    last: f64,
    /// The chart under the pointer, and where: a fraction of the plot's width.
    hover: Option<(usize, f64)>,
    /// Redraw at the next frame.
    pub dirty: bool,
}

impl Charts {
    /// Whether a redraw is due at `now` (ms since the epoch).
    pub fn due(&mut self, now: f64) -> bool {
        let due = self.dirty || now - self.last >= REDRAW_MS;
        if due {
            self.last = now;
            self.dirty = false;
        }
        due
    }

    /// Draw `d`'s charts at `now` (ms since the epoch).
    pub fn render(&mut self, doc: &Document, d: &Device, now: f64) {
        let rates = d.rates.series(now / 1000.0, SPAN as usize);
        // (seconds ago, value), oldest first.
        let ago = |i: usize| SPAN - i as f64 - 0.5;
        let lines: Vec<(f64, f64)> = rates.iter().enumerate().map(|(i, r)| (ago(i), f64::from(r.0))).collect();
        let bytes: Vec<(f64, f64)> = rates.iter().enumerate().map(|(i, r)| (ago(i), r.1 as f64)).collect();
        // Both sources in arrival order, merged (no sort: less code in the page).
        let (mut a, mut b) = (d.wire.rtts.iter().peekable(), d.pong_rtts.iter().peekable());
        let mut rtt: Vec<(f64, f64)> = Vec::new();
        while let Some(&(at, ms)) = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if y.0 < x.0 => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        } {
            if now - at <= SPAN * 1000.0 {
                rtt.push(((now - at) / 1000.0, ms));
            }
        }
        let mut readout = String::new();
        for (i, series) in [lines, bytes, rtt].iter().enumerate() {
            let hover = self.hover.filter(|h| h.0 == i).map(|h| h.1);
            if let Some(text) = draw(doc, i, series, hover) {
                readout = text;
            }
        }
        set_text(doc, "chart-readout", &readout);
    }
}

/// Draw chart `i`; returns the readout of the sample under the pointer.
fn draw(doc: &Document, i: usize, series: &[(f64, f64)], hover: Option<f64>) -> Option<String> {
    let (id, title, unit, points) = CHARTS[i];
    let chart = el(doc, id)?;
    let part = |class: &str| chart.query_selector(class).ok().flatten();
    let max = series.iter().map(|s| s.1).fold(0.0, f64::max);
    let (_, top) = axis(max, 2);
    let x = |ago: f64| WIDTH - (ago * 10.0) as i32;
    let y = |v: f64| 100 - (v / top * 100.0) as i32;
    let now = series.last().map(|s| si(s.1, unit));
    let now = now.as_deref().unwrap_or("—");
    let mut svg = format!(
        "<svg viewBox=\"0 0 {WIDTH} 100\" preserveAspectRatio=\"none\"><path class=\"g\" d=\"M0 50H{WIDTH}\"/>"
    );
    // A line, or points (zero-length strokes with round caps).
    svg.push_str(if points { "<path class=\"p\" d=\"" } else { "<path class=\"l\" d=\"" });
    for (k, s) in series.iter().enumerate() {
        let cmd = if points || k == 0 { "M" } else { "L" };
        let _ = write!(svg, "{cmd}{} {}{}", x(s.0), y(s.1), if points { "h0" } else { "" });
    }
    svg.push_str("\"/>");
    let readout = hover.and_then(|f| {
        let s = series.get(nearest(series.iter().map(|s| 1.0 - s.0 / SPAN), f)?)?;
        let _ = write!(svg, "<path class=\"c\" d=\"M{} 0V100\"/>", x(s.0));
        Some(format!("{title}, -{} s: {}", s.0.round() as u64, si(s.1, unit)))
    });
    svg.push_str("</svg>");
    if let Some(e) = part(".svg") {
        e.set_inner_html(&svg);
    }
    for (class, text) in [(".now", format!("now {now}")), (".top", si(top, unit))] {
        if let Some(e) = part(class) {
            e.set_text_content(Some(&text));
        }
    }
    let _ = chart.set_attribute(
        "aria-label",
        &format!("{title} over the last {} s: now {now}, at most {}", SPAN as u64, si(max, unit)),
    );
    readout
}

/// The pointer over a chart.
pub fn on(a: &mut App, ev: &Ev) {
    let Some(chart) = ev.target.closest(".chart").ok().flatten() else { return };
    let Some(i) = CHARTS.iter().position(|c| c.0 == chart.id()) else { return };
    match ev.kind {
        "mousemove" => {
            let (Some(m), Some(plot)) =
                (ev.event.dyn_ref::<MouseEvent>(), chart.query_selector(".plot").ok().flatten())
            else {
                return;
            };
            let r = plot.get_bounding_client_rect();
            let f = (f64::from(m.client_x()) - r.left()) / r.width().max(1.0);
            a.charts.hover = Some((i, within(f, 0.0, 1.0)));
        }
        // (Caught on its way down, so only the chart's own, not its children's.)
        "mouseleave" if ev.id == CHARTS[i].0 => a.charts.hover = None,
        _ => return,
    }
    a.charts.dirty = true;
}
