//! A scrolled list that draws only the rows in view (wasm32 only).
//!
//! The console holds 20,000 lines and the wire view 2,000 frames; drawing
//! them all, or even a few hundred, costs the browser a layout of every row on
//! each redraw. Here a spacer gives the scroll area the height of every row,
//! and an absolutely placed block holds the few rows in view (plus a margin).
//!
//! Layout is read at the start of an animation frame ([`List::measure`]),
//! before the page writes anything, so the reads cost nothing; a redraw then
//! forces no layout of its own beyond clamping the scroll position, and the
//! markup gives each list `contain: strict` so that layout stays inside it.

use std::cell::Cell;
use std::ops::Range;

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

/// Rows drawn above and below the ones in view, so a small scroll shows no
/// blank before the next redraw.
const MARGIN: usize = 5;

/// The list in the element `id`, whose children are `{id}-spacer` and
/// `{id}-rows`; every row is `row_h` pixels high.
pub struct List {
    view: Element,
    spacer: HtmlElement,
    rows: HtmlElement,
    row_h: f64,
    /// The view's height and scroll position, as last measured.
    seen: Cell<(f64, f64)>,
}

impl List {
    /// The list in element `id`, if the page has it.
    pub fn find(doc: &Document, id: &str, row_h: f64) -> Option<List> {
        let view = doc.get_element_by_id(id)?;
        let spacer = doc.get_element_by_id(&format!("{id}-spacer"))?.dyn_into().ok()?;
        let rows = doc.get_element_by_id(&format!("{id}-rows"))?.dyn_into().ok()?;
        Some(List { view, spacer, rows, row_h, seen: Cell::new((row_h, 0.0)) })
    }

    /// Read the view's height and scroll position (at a frame's start, while
    /// the layout is still clean) for the next [`layout`](List::layout).
    pub fn measure(&self) {
        self.seen.set((f64::from(self.view.client_height()).max(self.row_h), f64::from(self.view.scroll_top())));
    }

    /// Size the list for `total` rows and say which to draw: the last ones
    /// when `follow`ing (the view scrolls to the bottom), else those at the
    /// user's scroll position.
    pub fn layout(&self, total: usize, follow: bool) -> Range<usize> {
        let (height, scrolled) = self.seen.get();
        let full = total as f64 * self.row_h;
        let top = if follow { (full - height).max(0.0) } else { scrolled.min((full - height).max(0.0)) };
        let _ = self.spacer.style().set_property("height", &format!("{}px", full as u64));
        if follow {
            self.view.set_scroll_top(top as i32);
            self.seen.set((height, top));
        }
        let first = ((top / self.row_h) as usize).saturating_sub(MARGIN).min(total);
        let count = (height / self.row_h) as usize + 2 * MARGIN;
        first..(first + count).min(total)
    }

    /// Put the drawn rows (`html`, starting with row `first`) in place.
    pub fn fill(&self, first: usize, html: &str) {
        self.rows.set_inner_html(html);
        let _ = self.rows.style().set_property("top", &format!("{}px", (first as f64 * self.row_h) as u64));
    }

    /// Scroll so that row `k` is in view (to the middle, if it is not).
    pub fn reveal(&self, k: usize) {
        let height = f64::from(self.view.client_height());
        let top = k as f64 * self.row_h;
        let scroll = f64::from(self.view.scroll_top());
        if top < scroll || top + self.row_h > scroll + height {
            self.view.set_scroll_top((top - height / 2.0).max(0.0) as i32);
        }
    }

    /// Whether the user has the list scrolled to (within a row of) the bottom.
    pub fn at_bottom(&self) -> bool {
        let v = &self.view;
        f64::from(v.scroll_top() + v.client_height()) >= f64::from(v.scroll_height()) - self.row_h
    }
}
