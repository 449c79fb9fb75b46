//! Numbers and times as text, without the float formatting machinery (which
//! would add tens of KB to the page): integer arithmetic on scaled values.

/// `v` with `decimals` digits after the point.
pub fn fixed(v: f64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    let neg = v < 0.0;
    let n = (v.abs() * scale as f64 + 0.5) as u64;
    let (int, frac) = (n / scale, n % scale);
    let sign = if neg && n > 0 { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0width$}", width = decimals as usize)
    }
}

/// The wall-clock time of `epoch_ms` as `HH:MM:SS.mmm`, in a zone
/// `tz_offset_min` minutes ahead of UTC.
pub fn clock(epoch_ms: f64, tz_offset_min: i32) -> String {
    // (u64, not i64: one integer formatter less in the page.)
    let ms = (epoch_ms as i64 + i64::from(tz_offset_min) * 60_000).rem_euclid(86_400_000) as u64;
    let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}.{milli:03}")
}

/// The time since the previous line, `+S.mmm` seconds, padded to the width
/// of a [`clock`] stamp so the two line up.
pub fn delta(ms: f64) -> String {
    format!("{:>12}", format!("+{}", fixed(ms.max(0.0) / 1000.0, 3)))
}

/// `n` with thousands separated: `26,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A value with an SI prefix and its unit, for chart labels: `950 B/s`,
/// `1.5 kB/s`, `12 MB/s`, or without a unit `20k`; at most three
/// significant digits.
pub fn si(v: f64, unit: &str) -> String {
    let (v, prefix) = match v.abs() {
        a if a >= 1e9 => (v / 1e9, "G"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e3 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    let decimals = match v.abs() {
        a if a == 0.0 || a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        _ => 2,
    };
    let n = fixed(v, decimals);
    // Trailing zeros say nothing: 1.50 k is 1.5 k.
    let n = if n.bytes().any(|b| b == b'.') { n.trim_end_matches('0').trim_end_matches('.') } else { &n };
    let sep = if unit.is_empty() { "" } else { " " };
    format!("{n}{sep}{prefix}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point() {
        assert_eq!(fixed(12.3456, 3), "12.346");
        assert_eq!(fixed(0.0, 1), "0.0");
        assert_eq!(fixed(-1.25, 1), "-1.3");
        assert_eq!(fixed(99.6, 0), "100");
    }

    #[test]
    fn clock_and_delta() {
        // 2026-11-25 14:03:07.123 UTC.
        let t = 1_795_615_387_123.0;
        assert_eq!(clock(t, 0), "14:03:07.123");
        assert_eq!(clock(t, 60), "15:03:07.123");
        assert_eq!(clock(t, -15 * 60), "23:03:07.123", "the day before");
        assert_eq!(delta(16.4), "      +0.016");
        assert_eq!(delta(61_234.0).trim_start(), "+61.234");
        assert_eq!(delta(16.4).len(), clock(t, 0).len());
    }

    #[test]
    fn counts_and_units() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(26_000), "26,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(si(950.0, "B/s"), "950 B/s");
        assert_eq!(si(1500.0, "B/s"), "1.5 kB/s");
        assert_eq!(si(12_000_000.0, "B/s"), "12 MB/s");
        assert_eq!(si(0.0, "ms"), "0 ms");
        assert_eq!(si(0.25, "ms"), "0.25 ms");
        assert_eq!(si(20_000.0, ""), "20k");
        assert_eq!(si(7.0, ""), "7");
    }
}
