//! Files served from flash: the dashboard, or a device's own pages.
//!
//! A file is stored as it is or gzip-compressed (the dashboard's build is,
//! at a third of its size). A compressed file goes to a client that accepts
//! gzip — every browser does — with `Content-Encoding: gzip`; another client
//! gets `406` saying so, since the device keeps no uncompressed copy. Every
//! file has a strong `ETag` computed at compile time (RFC 9110 §8.8.3), so a
//! reload costs a `304`.

use wisp::handshake::http::{Writer, list};

/// A file the device serves.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Request path, e.g. `/` or `/wisp_web_bg.wasm`.
    pub path: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes as stored (compressed if `gzip`).
    pub body: &'static [u8],
    /// The body is gzip-compressed.
    pub gzip: bool,
    /// Strong validator: FNV-1a of the stored bytes.
    pub etag: u64,
}

impl Asset {
    /// A file stored as it is. `const`: the `ETag` is computed at compile
    /// time and the asset table can live in flash.
    pub const fn new(path: &'static str, content_type: &'static str, body: &'static [u8]) -> Self {
        Asset { path, content_type, body, gzip: false, etag: fnv1a(body) }
    }

    /// A file stored gzip-compressed.
    pub const fn gzip(path: &'static str, content_type: &'static str, body: &'static [u8]) -> Self {
        Asset { path, content_type, body, gzip: true, etag: fnv1a(body) }
    }

    /// The `ETag` header value: 16 hex digits in quotes.
    pub fn etag_value(&self) -> [u8; 18] {
        let mut tag = [b'"'; 18];
        for (i, slot) in tag.iter_mut().skip(1).take(16).enumerate() {
            let nibble = (self.etag >> (60 - 4 * i)) & 0xF;
            *slot = b"0123456789abcdef".get(nibble as usize).copied().unwrap_or(b'0');
        }
        tag
    }
}

/// FNV-1a, 64-bit: a cheap, stable content hash for `ETag`s.
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    // A `while let` over the slice: iterators are not available in a
    // `const fn`, and indexing could panic.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut rest = bytes;
    while let [b, tail @ ..] = rest {
        h = (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        rest = tail;
    }
    h
}

/// Does an `Accept-Encoding` value accept gzip (RFC 9110 §12.5.3)? A
/// `q=0` refuses it; `*` accepts it.
pub fn accepts_gzip(value: &[u8]) -> bool {
    list(value).any(|coding| {
        let mut parts = coding.split(|&b| b == b';');
        let name = wisp::handshake::http::trim(parts.next().unwrap_or_default());
        let refused = parts.any(|p| {
            let p = wisp::handshake::http::trim(p);
            p.eq_ignore_ascii_case(b"q=0") || p.eq_ignore_ascii_case(b"q=0.0") || p.eq_ignore_ascii_case(b"q=0.000")
        });
        (name.eq_ignore_ascii_case(b"gzip") || name == b"*") && !refused
    })
}

/// Write the response head for `asset`: `200`, or `304` when
/// `if_none_match` names its `ETag`. Returns the status and head length.
pub(crate) fn write_head(
    asset: &Asset,
    if_none_match: Option<&[u8]>,
    keep_alive: bool,
    out: &mut [u8],
) -> Result<(u16, usize), wisp::Error> {
    let tag = asset.etag_value();
    let fresh = if_none_match.is_some_and(|v| list(v).any(|t| t == tag || t == b"*" || t == &tag_weak(&tag)[..]));
    let mut w = Writer::new(out);
    w.put(if fresh { b"HTTP/1.1 304 Not Modified\r\n" } else { b"HTTP/1.1 200 OK\r\n" })?
        .put(b"Content-Type: ")?
        .put(asset.content_type.as_bytes())?
        .put(b"\r\nContent-Length: ")?
        .put_decimal(asset.body.len())?
        .put(b"\r\nETag: ")?
        .put(&tag)?;
    if asset.gzip {
        w.put(b"\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding")?;
    }
    w.put(b"\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: ")?
        .put(if keep_alive { b"keep-alive" } else { b"close" })?
        .put(b"\r\n\r\n")?;
    Ok((if fresh { 304 } else { 200 }, w.len()))
}

/// `W/"…"`: a client may send the weak form of a strong tag back.
fn tag_weak(tag: &[u8; 18]) -> [u8; 20] {
    let mut w = [0u8; 20];
    w[0] = b'W';
    w[1] = b'/';
    for (d, s) in w.iter_mut().skip(2).zip(tag) {
        *d = *s;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_are_fnv1a_and_computable_at_compile_time() {
        // Test vectors of the FNV reference (draft-eastlake-fnv).
        const A: u64 = fnv1a(b"a");
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(A, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        static FILE: Asset = Asset::new("/x", "text/plain", b"a");
        assert_eq!(FILE.etag, A);
        assert_eq!(&FILE.etag_value(), b"\"af63dc4c8601ec8c\"");
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        for yes in [&b"gzip"[..], b"deflate, gzip;q=0.8", b"*", b"GZIP", b"br, gzip"] {
            assert!(accepts_gzip(yes), "{yes:?}");
        }
        for no in [&b""[..], b"identity", b"gzip;q=0", b"br", b"gzip ; q=0.0"] {
            assert!(!accepts_gzip(no), "{no:?}");
        }
    }
}
