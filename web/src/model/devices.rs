//! The device list: where each device is (its console's WebSocket URL and
//! an optional access token), parsed from what a user types, and kept as
//! text across reloads.

use super::find::{find, split_once};

/// Whether `t` can go into a URL's query as it is (percent-encoded, no
/// separator): what a token must be.
pub fn query_safe(t: &str) -> bool {
    !t.is_empty()
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c.is_ascii() && b"-._~%!$'()*+,;:@/?".contains(&(c as u8)))
}

/// A device: its console URL (`ws://` or `wss://`, with its path, no query)
/// and its access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `ws://HOST[:PORT]/PATH`.
    pub url: String,
    /// Sent as `?token=` on every WebSocket the page opens to the device;
    /// kept as it goes in a URL's query (percent-encoded): the page never
    /// needs it decoded.
    pub token: Option<String>,
}

impl Entry {
    /// What a user typed: `ws://…`, `wss://…`, `http(s)://…` (the device's
    /// page), or a bare `HOST[:PORT][/PATH]`; the path defaults to
    /// `/printf`; a `token=` in the query is the access token. `secure`:
    /// the page itself came over HTTPS (bare hosts get `wss:`).
    ///
    /// ```
    /// use wisp_web::model::Entry;
    /// let e = Entry::parse("10.0.0.5?token=abc", false).unwrap();
    /// assert_eq!(e.url, "ws://10.0.0.5/printf");
    /// assert_eq!(e.socket_url("/tap"), "ws://10.0.0.5/tap?token=abc");
    /// ```
    pub fn parse(input: &str, secure: bool) -> Result<Entry, &'static str> {
        let input = input.trim();
        let (scheme, rest) = match split_once(input, "://") {
            Some(("ws" | "http", r)) => ("ws", r),
            Some(("wss" | "https", r)) => ("wss", r),
            Some(_) => return Err("a device URL starts with ws://, wss://, http:// or https://"),
            None => (if secure { "wss" } else { "ws" }, input),
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let rest = rest.split('#').next().unwrap_or_default();
        let (host, path) = rest.find('/').and_then(|i| rest.split_at_checked(i)).unwrap_or((rest, ""));
        let host_ok = !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'));
        if !host_ok {
            return Err("no host in the device URL");
        }
        // A device's page (`http://host/`) has its console at /printf.
        let path = if path.is_empty() || path == "/" { "/printf" } else { path };
        // RFC 3986 path characters only: the URL goes into the page's links.
        let pchar = |c: char| c.is_ascii_alphanumeric() || c.is_ascii() && b"-._~/%!$&'()*+,;=:@".contains(&(c as u8));
        if !path.chars().all(pchar) {
            return Err("the path of a device URL has a character URLs do not allow");
        }
        let token =
            query.split('&').find_map(|kv| kv.strip_prefix("token=")).filter(|t| query_safe(t)).map(str::to_string);
        Ok(Entry { url: format!("{scheme}://{host}{path}"), token })
    }

    /// Where the host starts: after `scheme://`.
    fn scheme_end(&self) -> usize {
        find(&self.url, "://", 0, false).map_or(0, |i| i + 3)
    }

    /// Where the path starts: after `scheme://host`.
    fn path_start(&self) -> usize {
        let host = self.scheme_end();
        self.url.get(host..).and_then(|h| h.find('/')).map_or(self.url.len(), |i| host + i)
    }

    /// `HOST[:PORT]`, the name the list shows.
    pub fn host(&self) -> &str {
        self.url.get(self.scheme_end()..self.path_start()).unwrap_or_default()
    }

    /// The console's path (`/printf` unless the URL said otherwise).
    pub fn path(&self) -> &str {
        self.url.get(self.path_start()..).unwrap_or_default()
    }

    /// The URL of the device's WebSocket service `path` (`/printf`, `/tap`),
    /// with the token.
    pub fn socket_url(&self, path: &str) -> String {
        let mut url = format!("{}{path}", self.url.get(..self.path_start()).unwrap_or_default());
        if let Some(t) = &self.token {
            url.push_str("?token=");
            url.push_str(t);
        }
        url
    }

    /// The console's URL with the token.
    pub fn console_url(&self) -> String {
        self.socket_url(self.path())
    }

    /// The list as text, one device a line (`url`, a tab, the token).
    pub fn save(list: &[Entry]) -> String {
        let mut s = String::new();
        for e in list {
            s.push_str(&e.url);
            s.push('\t');
            s.push_str(e.token.as_deref().unwrap_or_default());
            s.push('\n');
        }
        s
    }

    /// A list saved by [`save`](Entry::save); lines that do not parse are
    /// left out.
    pub fn load(text: &str) -> Vec<Entry> {
        text.lines()
            .filter_map(|l| {
                let (url, token) = l.split_once('\t').unwrap_or((l, ""));
                let mut e = Entry::parse(url, false).ok()?;
                e.token = query_safe(token).then(|| token.to_string());
                Some(e)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_people_type() {
        for (typed, url) in [
            ("ws://127.0.0.1:8080/printf", "ws://127.0.0.1:8080/printf"),
            ("127.0.0.1:8081", "ws://127.0.0.1:8081/printf"),
            ("http://10.0.0.5/", "ws://10.0.0.5/printf"),
            ("https://dev.example/", "wss://dev.example/printf"),
            ("ws://[::1]:8080/console", "ws://[::1]:8080/console"),
            ("  board.local  ", "ws://board.local/printf"),
        ] {
            assert_eq!(Entry::parse(typed, false).map(|e| e.url), Ok(url.to_string()), "{typed}");
        }
        assert_eq!(Entry::parse("board.local", true).unwrap().url, "wss://board.local/printf");
        for bad in ["", "ftp://x/", "ws:///printf", "ws://a b/", "ws://h/p\"q", "javascript:alert(1)//x"] {
            assert!(Entry::parse(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_go_on_every_socket_and_into_the_saved_list() {
        let e = Entry::parse("ws://10.0.0.5:8080/printf?x=1&token=a%20b%26c", false).unwrap();
        assert_eq!(e.token.as_deref(), Some("a%20b%26c"), "kept as the query has it");
        assert_eq!(Entry::parse("h?token=a\"b", false).unwrap().token, None, "not a query value");
        assert_eq!((e.host(), e.path()), ("10.0.0.5:8080", "/printf"));
        assert_eq!(e.socket_url("/printf"), "ws://10.0.0.5:8080/printf?token=a%20b%26c");
        assert_eq!(e.socket_url("/tap"), "ws://10.0.0.5:8080/tap?token=a%20b%26c");
        assert_eq!(e.console_url(), "ws://10.0.0.5:8080/printf?token=a%20b%26c");
        let plain = Entry::parse("h:1/console", false).unwrap();
        assert_eq!(plain.socket_url("/tap"), "ws://h:1/tap");
        assert_eq!(plain.console_url(), "ws://h:1/console");
        let list = vec![e.clone(), plain.clone()];
        assert_eq!(Entry::load(&Entry::save(&list)), list);
        assert_eq!(Entry::load("not a url !\nws://ok/printf\t"), vec![Entry::parse("ws://ok", false).unwrap()]);
    }
}
