//! Who may talk to the device: `Host`, `Origin` and an optional token
//! (the security model in `PROTOCOL.md`).
//!
//! - **`Host`.** A browser lets a page reach any server whose name resolves
//!   to an address it chooses (DNS rebinding), so the device answers only
//!   requests addressed to its own names and addresses: the configured
//!   [`Access::hosts`] and the address the platform reports. Anything else is
//!   `421 Misdirected Request` (RFC 9110 §15.5.20).
//! - **`Origin`.** A WebSocket upgrade from a page (RFC 6455 §10.2) is
//!   accepted from the device's own origin — `http://` and the request's
//!   `Host`, which passed the check above — or one of
//!   [`Access::origins`]; any other is `403`. A request without `Origin`
//!   (not from a browser) is accepted.
//! - **Token.** With [`Access::token`] set, every upgrade must carry it, as
//!   `?token=…` on the URL (browsers cannot set a WebSocket's headers) or
//!   `Authorization: Bearer …`; without it `401`, with a wrong one `403`.

/// The names every host twin answers to by default: loopback, any port.
pub const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// The access rules; see the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// Names and addresses the device answers to: `name` (any port) or
    /// `name:port` (only that port), compared without regard to case.
    pub hosts: &'a [&'a str],
    /// Origins allowed besides the device's own, e.g.
    /// `http://127.0.0.1:8088` for the dashboard's development server.
    pub origins: &'a [&'a str],
    /// A token every WebSocket upgrade must carry.
    pub token: Option<&'a str>,
}

impl Default for Access<'_> {
    fn default() -> Self {
        Access { hosts: LOOPBACK, origins: &[], token: None }
    }
}

/// Why a request is refused, with its status and reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// `Host` names something else (421).
    Host,
    /// `Origin` is not allowed (403).
    Origin,
    /// No token (401).
    NoToken,
    /// A wrong token (403).
    WrongToken,
}

impl Denied {
    /// The HTTP status.
    pub const fn status(self) -> u16 {
        match self {
            Denied::Host => 421,
            Denied::Origin | Denied::WrongToken => 403,
            Denied::NoToken => 401,
        }
    }

    /// Why, in words.
    pub const fn reason(self) -> &'static str {
        match self {
            Denied::Host => "Host is not one of this device's names",
            Denied::Origin => "origin not allowed",
            Denied::NoToken => "access token required",
            Denied::WrongToken => "wrong access token",
        }
    }
}

impl Access<'_> {
    /// May a request with this `Host` value be answered? `own` is the
    /// device's current address, if the platform knows it.
    pub fn host_allowed(&self, host: &str, own: Option<&str>) -> bool {
        let name = host_part(host);
        if name.is_empty() {
            return false;
        }
        own.is_some_and(|a| a.eq_ignore_ascii_case(name))
            || self
                .hosts
                .iter()
                .any(|h| if has_port(h) { h.eq_ignore_ascii_case(host) } else { h.eq_ignore_ascii_case(name) })
    }

    /// May a page of `origin` open a WebSocket to the device it reached as
    /// `host` (already checked)?
    pub fn origin_allowed(&self, origin: &str, host: &str) -> bool {
        let same = origin.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://"))
            && origin.get(7..).is_some_and(|o| o.eq_ignore_ascii_case(host));
        same || self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }

    /// Does an upgrade to `target` with this `Authorization` value carry
    /// the token (when one is configured)?
    pub fn token_check(&self, target: &str, authorization: Option<&[u8]>) -> Result<(), Denied> {
        let Some(token) = self.token else { return Ok(()) };
        let given = query_param(target, "token").map(str::as_bytes).or_else(|| {
            let a = authorization?;
            let scheme = a.get(..7)?;
            scheme.eq_ignore_ascii_case(b"Bearer ").then(|| wisp::handshake::http::trim(a.get(7..).unwrap_or_default()))
        });
        match given {
            None => Err(Denied::NoToken),
            Some(g) if same_secret(g, token.as_bytes()) => Ok(()),
            Some(_) => Err(Denied::WrongToken),
        }
    }
}

/// The host of a `Host` value, without its port (`[::1]:80` → `[::1]`).
fn host_part(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').and_then(|e| host.get(..=e)).unwrap_or(host);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

fn has_port(h: &str) -> bool {
    host_part(h).len() != h.len()
}

/// A query parameter's value (no percent-decoding: a token is a plain word).
fn query_param<'t>(target: &'t str, name: &str) -> Option<&'t str> {
    let (_, query) = target.split_once('?')?;
    query.split('&').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
}

/// Compare without an early exit, so the time does not tell how much of a
/// guess was right.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, &x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_is_checked_against_the_device_names_not_the_request() {
        let a = Access { hosts: &["localhost", "127.0.0.1", "[::1]", "device.local:8080"], ..Access::default() };
        for ok in ["localhost:8080", "127.0.0.1", "LOCALHOST:1", "[::1]:8080", "device.local:8080"] {
            assert!(a.host_allowed(ok, None), "{ok}");
        }
        // A rebinding name, a wrong port, a value that is not a host.
        for bad in ["evil.example:8080", "device.local:9000", "127.0.0.1.evil.example", "", ":80", "[::1"] {
            assert!(!a.host_allowed(bad, None), "{bad}");
        }
        assert!(a.host_allowed("10.0.2.15:80", Some("10.0.2.15")));
        assert!(!a.host_allowed("10.0.2.16", Some("10.0.2.15")));
    }

    #[test]
    fn same_origin_is_http_and_the_checked_host() {
        let a = Access { origins: &["http://127.0.0.1:8088"], ..Access::default() };
        assert!(a.origin_allowed("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(a.origin_allowed("HTTP://LocalHost:8080", "localhost:8080"));
        assert!(a.origin_allowed("http://127.0.0.1:8088", "127.0.0.1:8080"));
        assert!(!a.origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8080"));
        assert!(!a.origin_allowed("https://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(!a.origin_allowed("http://evil.example", "127.0.0.1:8080"));
        assert!(!a.origin_allowed("null", "127.0.0.1:8080"));
    }

    #[test]
    fn the_token_comes_in_the_query_or_a_bearer_header() {
        let open = Access::default();
        assert_eq!(open.token_check("/printf", None), Ok(()));
        let a = Access { token: Some("s3cret"), ..Access::default() };
        assert_eq!(a.token_check("/printf?token=s3cret", None), Ok(()));
        assert_eq!(a.token_check("/printf?x=1&token=s3cret", None), Ok(()));
        assert_eq!(a.token_check("/printf", Some(b"Bearer s3cret")), Ok(()));
        assert_eq!(a.token_check("/printf", None), Err(Denied::NoToken));
        assert_eq!(a.token_check("/printf?token=s3cre", None), Err(Denied::WrongToken));
        assert_eq!(a.token_check("/printf?token=s3cretX", None), Err(Denied::WrongToken));
        assert_eq!(a.token_check("/printf", Some(b"Basic czNjcmV0")), Err(Denied::NoToken));
    }
}
