//! Just enough HTTP/1.1 ([RFC 9112]) for the upgrade: find the end of a
//! message head, split its start line and header fields without copying, and
//! write a response or request into a caller buffer.
//!
//! Lines end in CRLF; a bare LF is accepted too (RFC 9112 §2.2 allows a
//! recipient to). Obsolete line folding is refused (§5.2).
//!
//! [RFC 9112]: https://www.rfc-editor.org/rfc/rfc9112

use crate::{Error, Status};

/// The default bound on a request head, as many small servers use.
pub const MAX_HEAD_LEN: usize = 4096;

/// A message head split into its start line and its header block.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// The request line or status line, without its line ending.
    pub start_line: &'a [u8],
    /// The header fields, already checked to be `name: value` lines.
    pub headers: Headers<'a>,
    /// Length of the whole head, blank line included: where the body (or the
    /// first WebSocket frame) starts.
    pub len: usize,
}

/// Split a head from the start of `buf`.
///
/// [`Status::Partial`] until the blank line that ends the head has arrived;
/// [`Error::HeadersTooLarge`] once `buf` holds `max` bytes without one;
/// [`Error::HttpSyntax`] for a line that is not a header field.
pub fn parse_head(buf: &[u8], max: usize) -> Result<Status<Head<'_>>, Error> {
    let mut at = 0;
    let mut start_line: Option<&[u8]> = None;
    let mut headers_from = 0;
    loop {
        let Some(line_len) = buf.get(at..).and_then(|rest| rest.iter().position(|&b| b == b'\n')) else {
            return if buf.len() >= max { Err(Error::HeadersTooLarge) } else { Ok(Status::Partial) };
        };
        let line = trim_cr(buf.get(at..at + line_len).unwrap_or_default());
        let next = at + line_len + 1;
        if next > max {
            return Err(Error::HeadersTooLarge);
        }
        match start_line {
            // Tolerate empty lines before the request line (RFC 9112 §2.2).
            None if line.is_empty() => {}
            None => {
                start_line = Some(line);
                headers_from = next;
            }
            Some(start_line) if line.is_empty() => {
                let block = buf.get(headers_from..at).unwrap_or_default();
                return Ok(Status::Complete(Head { start_line, headers: Headers { rest: block }, len: next }));
            }
            Some(_) => {
                split_field(line)?;
            }
        }
        at = next;
    }
}

/// The header fields of a head, as `(name, value)` with the value trimmed.
#[derive(Debug, Clone, Copy)]
pub struct Headers<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Headers<'a> {
    type Item = (&'a str, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.rest.is_empty() {
            let end = self.rest.iter().position(|&b| b == b'\n').unwrap_or(self.rest.len());
            let line = trim_cr(self.rest.get(..end).unwrap_or_default());
            self.rest = self.rest.get(end + 1..).unwrap_or_default();
            // Checked by `parse_head`: a name is tchars, so ASCII.
            if let Ok((name, value)) = split_field(line)
                && let Ok(name) = text(name)
            {
                return Some((name, value));
            }
        }
        None
    }
}

/// `name ":" OWS value OWS` (RFC 9112 §5).
fn split_field(line: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let colon = line.iter().position(|&b| b == b':').ok_or(Error::HttpSyntax)?;
    let (name, value) = line.split_at(colon);
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        // Also rejects obsolete folding: the line would start with a space.
        return Err(Error::HttpSyntax);
    }
    let value = value.get(1..).unwrap_or_default();
    // RFC 9110 §5.5: a field value is visible bytes, spaces and tabs; a CR,
    // LF or NUL in it must be rejected (or replaced), and so must the other
    // controls, which no field value can hold.
    if value.iter().any(|&b| (b < b' ' && b != b'\t') || b == 0x7f) {
        return Err(Error::HttpSyntax);
    }
    Ok((name, trim(value)))
}

/// Bytes as text: `core::str::from_utf8` without its ROM cost on a device.
pub(crate) fn text(bytes: &[u8]) -> Result<&str, Error> {
    crate::utf8::Utf8Validator::validate(bytes)
}

fn trim_cr(line: &[u8]) -> &[u8] {
    match line {
        [rest @ .., b'\r'] => rest,
        _ => line,
    }
}

/// Strip optional white space (RFC 9110 §5.6.3) from both ends.
pub fn trim(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

/// `tchar` of RFC 9110 §5.6.2: the characters of a token.
pub const fn is_tchar(b: u8) -> bool {
    // One bit per ASCII byte, built from the grammar's own definition: a
    // device tests a bit instead of running a chain of comparisons.
    let word = match b >> 5 {
        1 => TCHAR[1],
        2 => TCHAR[2],
        3 => TCHAR[3],
        _ => 0,
    };
    word >> (b & 31) & 1 != 0
}

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
/// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA`, as a 128-bit set.
const TCHAR: [u32; 4] = {
    let mut set = [0u32; 4];
    let mut b = 0u8;
    while b < 128 {
        if matches!(
            b,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        ) || b.is_ascii_alphanumeric()
        {
            let bit = 1 << (b & 31);
            match b >> 5 {
                1 => set[1] |= bit,
                2 => set[2] |= bit,
                3 => set[3] |= bit,
                // No control byte (0..32) is a tchar.
                _ => {}
            }
        }
        b += 1;
    }
    set
};

/// The elements of a comma-separated list (RFC 9110 §5.6.1), trimmed, empty
/// ones skipped.
pub fn list(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    value.split(|&b| b == b',').map(trim).filter(|e| !e.is_empty())
}

/// Does the comma-separated `value` contain `token`, ignoring ASCII case?
pub fn list_contains(value: &[u8], token: &str) -> bool {
    list(value).any(|e| eq_lower(e, token.as_bytes()))
}

/// `bytes` equals `lower`, a lower-case name or token, ignoring ASCII case:
/// one side folded, where `eq_ignore_ascii_case` folds both.
pub(crate) fn eq_lower(bytes: &[u8], lower: &[u8]) -> bool {
    bytes.len() == lower.len() && bytes.iter().zip(lower).all(|(b, l)| b.to_ascii_lowercase() == *l)
}

/// A cursor that writes into a caller buffer and fails cleanly when full.
pub struct Writer<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Writer<'a> {
    /// Write from the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, len: 0 }
    }

    /// Append bytes, or [`Error::BufferTooSmall`].
    pub fn put(&mut self, bytes: &[u8]) -> Result<&mut Self, Error> {
        let end = self.len + bytes.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(Error::BufferTooSmall)?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(self)
    }

    /// Append `n` in decimal.
    pub fn put_decimal(&mut self, n: usize) -> Result<&mut Self, Error> {
        self.put(decimal(n, &mut [0; 20]))
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Nothing written yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Write `template` from the start of `out`, each byte below `args.len()`
/// replaced by that argument; the total length, or
/// [`Error::BufferTooSmall`]. A response is one string with its few variable
/// parts marked by a control byte (no response text holds one), so a device
/// stores one string and a short list instead of a slice for every piece.
pub(crate) fn write_template(out: &mut [u8], template: &[u8], args: &[&[u8]]) -> Result<usize, Error> {
    let mut len = 0;
    for t in template {
        let part = args.get(usize::from(*t)).copied().unwrap_or(core::slice::from_ref(t));
        for b in part {
            *out.get_mut(len).ok_or(Error::BufferTooSmall)? = *b;
            len += 1;
        }
    }
    Ok(len)
}

/// The parts of a header line that is there only with a value:
/// `name`, the value and CRLF, or nothing.
pub(crate) fn optional_field<'a>(name: &'a [u8], value: Option<&'a str>) -> (&'a [u8], &'a [u8], &'a [u8]) {
    match value {
        Some(v) => (name, v.as_bytes(), b"\r\n"),
        None => (b"", b"", b""),
    }
}

/// `n` in decimal, in the end of `digits` (20 digits hold any `usize`).
pub(crate) fn decimal(mut n: usize, digits: &mut [u8; 20]) -> &[u8] {
    let mut i = digits.len();
    while let Some(d) = i.checked_sub(1).and_then(|j| digits.get_mut(j)) {
        *d = b'0' + (n % 10) as u8;
        i -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.get(i..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_is_partial_until_blank_line() {
        let full = b"GET / HTTP/1.1\r\nHost: a\r\nX:  y \r\n\r\nrest";
        for cut in 0..full.len() - 4 {
            assert!(matches!(parse_head(&full[..cut], 100), Ok(Status::Partial)), "cut {cut}");
        }
        let Status::Complete(head) = parse_head(full, 100).unwrap() else { panic!() };
        assert_eq!(head.start_line, b"GET / HTTP/1.1");
        assert_eq!(head.len, full.len() - 4);
        let fields: std::vec::Vec<_> = head.headers.collect();
        assert_eq!(fields, [("Host", &b"a"[..]), ("X", &b"y"[..])]);
    }

    #[test]
    fn bounds_and_syntax() {
        assert_eq!(parse_head(&[b'a'; 64], 64).err(), Some(Error::HeadersTooLarge));
        assert_eq!(parse_head(b"GET / HTTP/1.1\r\nno colon\r\n\r\n", 100).err(), Some(Error::HttpSyntax));
        assert_eq!(parse_head(b"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 100).err(), Some(Error::HttpSyntax));
        assert!(parse_head(b"GET / HTTP/1.1\nHost: a\n\n", 100).unwrap().complete().is_some());
    }

    #[test]
    fn field_values_are_visible_bytes_spaces_and_tabs() {
        // RFC 9110 §5.5: NUL, a bare CR and the other controls are refused.
        for bad in [&b"a\0b"[..], b"a\rb", b"a\x01", b"\x1b[31m", b"a\x7f"] {
            let mut req = b"GET / HTTP/1.1\r\nX: ".to_vec();
            req.extend_from_slice(bad);
            req.extend_from_slice(b"\r\n\r\n");
            assert_eq!(parse_head(&req, 100).err(), Some(Error::HttpSyntax), "{bad:?}");
        }
        // Tabs, spaces and bytes above 0x7F (obs-text) are fine.
        let Status::Complete(head) = parse_head(b"GET / HTTP/1.1\r\nX: a\tb c \xc3\xa9\r\n\r\n", 100).unwrap() else {
            panic!()
        };
        assert_eq!(head.headers.collect::<std::vec::Vec<_>>(), [("X", &b"a\tb c \xc3\xa9"[..])]);
    }

    #[test]
    fn tchar_is_the_grammar() {
        let listed = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for b in 0..=255u8 {
            assert_eq!(is_tchar(b), listed.contains(&b), "{b:#x}");
        }
    }

    #[test]
    fn lists_and_decimals() {
        assert!(list_contains(b"keep-alive, Upgrade", "upgrade"));
        assert!(!list_contains(b"keep-alive, upgraded", "upgrade"));
        assert!(eq_lower(b"Sec-WebSocket-KEY", b"sec-websocket-key"));
        assert!(!eq_lower(b"Sec-WebSocket-Kez", b"sec-websocket-key"));
        assert!(!eq_lower(b"host", b"hos"));
        let mut buf = [0u8; 32];
        let mut w = Writer::new(&mut buf);
        w.put_decimal(0).unwrap().put(b",").unwrap().put_decimal(usize::MAX).unwrap();
        let n = w.len();
        assert_eq!(&buf[..n], std::format!("0,{}", usize::MAX).as_bytes());
        let mut tiny = [0u8; 2];
        assert_eq!(Writer::new(&mut tiny).put(b"abc").err(), Some(Error::BufferTooSmall));
    }
}
