//! Substring search, by plain byte comparison. `str::find` with a `&str`
//! pattern brings std's two-way searcher (about 3 KB) into the page — as
//! does `str::contains` with a `char` (it may encode it and search for the
//! bytes) — so the page's code tests bytes instead. Its needles are short and
//! its lines a hundred bytes, where this is as fast. For the same reason the
//! page slices strings with `get` and `split_at_checked`: a failed `&s[a..b]`
//! formats its message with `char`'s `Debug`, which brings Unicode tables.

/// `needle` in `hay` from byte `from`; `fold`: ignoring ASCII case, with
/// `needle` already lower-case (no Unicode case tables ship in the page).
pub fn find(hay: &str, needle: &str, from: usize, fold: bool) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let last_start = h.len().checked_sub(n.len())?;
    let same = |a: u8, b: u8| if fold { a.to_ascii_lowercase() == b } else { a == b };
    (from..=last_start).find(|&i| h[i..i + n.len()].iter().zip(n).all(|(a, b)| same(*a, *b)))
}

/// `hay` split at the first `needle`: the text before it and after it.
pub fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let i = find(hay, needle, 0, false)?;
    Some((hay.get(..i)?, hay.get(i + needle.len()..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_as_std_does() {
        for (hay, needle) in [("a: b: c", ": "), ("abc", "abc"), ("ab", "abc"), ("", "x"), ("xyz", ""), ("é: x", ": ")]
        {
            assert_eq!(find(hay, needle, 0, false), hay.find(needle), "{hay:?} {needle:?}");
            assert_eq!(split_once(hay, needle), hay.split_once(needle), "{hay:?} {needle:?}");
        }
        assert_eq!(find("Burst: 12", "burst", 0, true), Some(0));
        assert_eq!(find("burst burst", "burst", 1, true), Some(6));
        assert_eq!(find("BURST", "burst", 0, false), None);
    }
}
