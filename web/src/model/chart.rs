//! What the charts draw, without drawing: per-second counts, a value axis
//! with a "nice" top, the sample under the pointer.

use std::collections::VecDeque;

/// Seconds of history the rate counters keep.
pub const CHART_SECONDS: usize = 300;

/// Per-second counters of lines and bytes.
#[derive(Debug, Default)]
pub struct Rates {
    /// (second, lines, bytes), oldest first.
    buckets: VecDeque<(u64, u32, u64)>,
}

impl Rates {
    /// Count a message of `bytes` at `now` seconds.
    pub fn count(&mut self, now: f64, bytes: usize) {
        let sec = now as u64;
        match self.buckets.back_mut() {
            Some((s, lines, b)) if *s == sec => {
                *lines += 1;
                *b += bytes as u64;
            }
            _ => {
                self.buckets.push_back((sec, 1, bytes as u64));
                while self.buckets.len() > CHART_SECONDS {
                    self.buckets.pop_front();
                }
            }
        }
    }

    /// Lines and bytes per second for the last `n` whole seconds before
    /// `now`, oldest first (zeros where nothing came).
    pub fn series(&self, now: f64, n: usize) -> Vec<(u32, u64)> {
        let end = now as u64;
        (0..n as u64)
            .rev()
            .map(|back| {
                // Seconds before the first one count as nothing, not as second 0.
                let Some(sec) = end.checked_sub(back + 1) else { return (0, 0) };
                self.buckets.iter().find(|(s, _, _)| *s == sec).map_or((0, 0), |(_, l, b)| (*l, *b))
            })
            .collect()
    }
}

/// An axis from 0 for values up to `max`, with at most `ticks` ticks above
/// 0: (step, top), the step 1, 2 or 5 × 10^k, the top a multiple of it.
pub fn axis(max: f64, ticks: u32) -> (f64, f64) {
    let raw = if max > 0.0 { max / f64::from(ticks.max(1)) } else { 1.0 };
    // 10^floor(log10(raw)) without the float log (a few KB in the page).
    let mut mag = 1.0;
    while mag * 10.0 <= raw {
        mag *= 10.0;
    }
    while mag > raw {
        mag /= 10.0;
    }
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    (step, (max.max(step * 0.5) / step).ceil() * step)
}

/// `v` kept within `lo..=hi`. Not `f64::clamp`: its panic message formats
/// floats, which would bring the float formatting machinery (≈ 20 KB) into
/// the page.
#[allow(clippy::manual_clamp)]
pub fn within(v: f64, lo: f64, hi: f64) -> f64 {
    v.max(lo).min(hi)
}

/// The sample nearest to `x` (the samples' x ascending or not).
pub fn nearest(xs: impl Iterator<Item = f64>, x: f64) -> Option<usize> {
    xs.enumerate().min_by(|a, b| (a.1 - x).abs().total_cmp(&(b.1 - x).abs())).map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_per_second() {
        let mut r = Rates::default();
        r.count(10.1, 40);
        r.count(10.9, 60);
        r.count(12.5, 10);
        assert_eq!(r.series(13.2, 3), vec![(2, 100), (0, 0), (1, 10)]);
        assert_eq!(r.series(2.5, 4), vec![(0, 0), (0, 0), (0, 0), (0, 0)], "nothing before the start");
    }

    #[test]
    fn nice_axes() {
        assert_eq!(axis(26_000.0, 3), (10_000.0, 30_000.0));
        assert_eq!(axis(7.0, 3), (5.0, 10.0));
        assert_eq!(axis(0.0, 3), (1.0, 1.0), "an empty chart still has an axis");
        assert_eq!(axis(120.0, 4), (50.0, 150.0));
        let (step, top) = axis(0.37, 3);
        assert!((step - 0.2).abs() < 1e-12 && (top - 0.4).abs() < 1e-12, "{step} {top}");
    }

    #[test]
    fn the_sample_under_the_pointer() {
        assert_eq!(nearest([1.0, 5.0, 9.0].into_iter(), 6.2), Some(1));
        assert_eq!(nearest(std::iter::empty(), 1.0), None);
    }
}
