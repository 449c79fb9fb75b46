//! The web server in front: files with ETag and gzip, every refusal with
//! its status and reason, absolute-form targets, and the access rules
//! (`Host`, `Origin`, token) — routed from the request heads RFC 9110,
//! RFC 9112 and RFC 6455 §4 describe.

use wisp::Status;
use wisp::handshake::http::parse_head;
use wisp_console::http::{Route, Service, route};
use wisp_console::{Access, Asset, Services, Site};

static INDEX: &[u8] = b"<html>hi</html>";
static FILES: [Asset; 2] =
    [Asset::new("/", "text/html; charset=utf-8", INDEX), Asset::gzip("/app.js", "text/javascript", b"\x1f\x8b packed")];

fn site() -> Site<'static> {
    Site {
        files: &FILES,
        access: Access { hosts: &["dev", "127.0.0.1", "box.lan:8080"], origins: &["https://ok.example"], token: None },
        ..Site::default()
    }
}

fn run_with(req: &str, site: &Site<'_>, full: bool) -> (Route, String) {
    let Ok(Status::Complete(head)) = parse_head(req.as_bytes(), 4096) else { panic!("head: {req:?}") };
    let mut out = [0u8; 1024];
    let r = route(&head, site, Some("10.0.0.9"), full, &mut out);
    let n = match r {
        Route::File { head, .. } => head,
        Route::Upgrade { len, .. } | Route::Refuse { len, .. } => len,
    };
    (r, String::from_utf8(out[..n].to_vec()).unwrap())
}

fn run(req: &str) -> (Route, String) {
    run_with(req, &site(), false)
}

const WS: &str = "GET /printf HTTP/1.1\r\nHost: dev:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

fn status(r: &Route) -> u16 {
    match r {
        Route::File { status, .. } | Route::Refuse { status, .. } => *status,
        Route::Upgrade { .. } => 101,
    }
}

#[test]
fn files_with_etag_keep_alive_and_gzip() {
    let (r, text) = run("GET / HTTP/1.1\r\nHost: dev\r\n\r\n");
    assert!(matches!(r, Route::File { status: 200, keep_alive: true, body, .. } if body.len() == 15));
    assert!(text.contains("Content-Length: 15\r\n") && text.contains("Content-Type: text/html"));
    let etag = text.lines().find_map(|l| l.strip_prefix("ETag: ")).unwrap().to_string();
    let (r, _) = run(&format!("GET / HTTP/1.1\r\nHost: dev\r\nIf-None-Match: {etag}\r\n\r\n"));
    assert!(matches!(r, Route::File { status: 304, body: &[], .. }));
    let (r, _) = run(&format!("GET / HTTP/1.1\r\nHost: dev\r\nIf-None-Match: \"x\", W/{etag}\r\n\r\n"));
    assert!(matches!(r, Route::File { status: 304, .. }), "a list, and the weak form (RFC 9110 §13.1.2)");
    let (r, _) = run("HEAD / HTTP/1.1\r\nHost: dev\r\nConnection: close\r\n\r\n");
    assert!(matches!(r, Route::File { status: 200, body: &[], keep_alive: false, .. }));
    // A compressed file, to a client that takes gzip, and to one that does not.
    let (r, text) = run("GET /app.js HTTP/1.1\r\nHost: dev\r\nAccept-Encoding: br, gzip\r\n\r\n");
    assert!(matches!(r, Route::File { status: 200, .. }));
    assert!(text.contains("Content-Encoding: gzip\r\n") && text.contains("Vary: Accept-Encoding\r\n"), "{text}");
    let (r, text) = run("GET /app.js HTTP/1.1\r\nHost: dev\r\nAccept-Encoding: gzip;q=0\r\n\r\n");
    assert_eq!(status(&r), 406);
    assert!(text.ends_with("send Accept-Encoding: gzip\n"), "{text}");
}

#[test]
fn refusals_have_status_and_reason() {
    let cases = [
        ("GET /nope HTTP/1.1\r\nHost: dev\r\n\r\n", 404, "not found"),
        ("POST / HTTP/1.1\r\nHost: dev\r\nContent-Length: 3\r\n\r\n", 405, "only GET and HEAD"),
        ("GET / HTTP/2.0\r\nHost: dev\r\n\r\n", 400, "unsupported HTTP version"),
        ("GET nope HTTP/1.1\r\nHost: dev\r\n\r\n", 400, "malformed request target"),
        ("GET /printf HTTP/1.1\r\nHost: dev\r\n\r\n", 426, "this is a WebSocket endpoint"),
        // RFC 9112 §3.2: Host is required in HTTP/1.1, and only once.
        ("GET / HTTP/1.1\r\n\r\n", 400, "missing Host header"),
        ("GET / HTTP/1.1\r\nHost: dev\r\nHost: dev\r\n\r\n", 400, "more than one Host header"),
        ("GET / HTTP/1.0\r\nHost: dev\r\nHost: dev\r\n\r\n", 400, "more than one Host header"),
        // The asterisk-form is for OPTIONS only (RFC 9112 §3.2.4).
        ("OPTIONS * HTTP/1.1\r\nHost: dev\r\n\r\n", 405, "only GET and HEAD"),
        ("GET * HTTP/1.1\r\nHost: dev\r\n\r\n", 400, "malformed request target"),
        ("GET / HTTP/1.1\r\nHost: dev\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "take no body"),
    ];
    for (req, want, why) in cases {
        let (r, text) = run(req);
        assert_eq!(status(&r), want, "{req:?}: {text}");
        assert!(text.starts_with(&format!("HTTP/1.1 {want} ")), "{text}");
        assert!(text.ends_with(&format!("{why}\n")), "{req:?}: {text}");
    }
    let (r, _) = run_with("GET / HTTP/1.1\r\nHost: dev\r\n\r\n", &site(), true);
    assert_eq!(status(&r), 503);
    let ws_only = Site { ws_only: true, ..site() };
    let (r, text) = run_with("GET / HTTP/1.1\r\nHost: dev\r\n\r\n", &ws_only, false);
    assert!(status(&r) == 426 && text.contains("Upgrade: websocket"));
}

#[test]
fn an_http_1_0_request_needs_no_host() {
    let (r, text) = run("GET / HTTP/1.0\r\n\r\n");
    assert!(matches!(r, Route::File { keep_alive: false, .. }), "{r:?}");
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
}

#[test]
fn absolute_form_targets_are_routed_by_their_path() {
    // RFC 9112 §3.2.2: a server MUST accept the absolute-form.
    for target in ["http://dev:8080/", "HTTP://dev:8080/index.html", "https://dev/", "http://dev", "http://dev?x=/y"] {
        let (r, text) = run(&format!("GET {target} HTTP/1.1\r\nHost: dev\r\n\r\n"));
        assert!(matches!(r, Route::File { .. }), "{target}: {r:?} {text}");
    }
    let (r, _) = run("GET http://dev:8080/nope HTTP/1.1\r\nHost: dev\r\n\r\n");
    assert_eq!(status(&r), 404);
    let (r, _) = run(&format!("{}\r\n", WS.replace("GET /printf", "GET http://dev:8080/printf")));
    assert!(matches!(r, Route::Upgrade { service: Service::Printf, .. }), "{r:?}");
    let (r, _) = run("GET ftp://dev/ HTTP/1.1\r\nHost: dev\r\n\r\n");
    assert_eq!(status(&r), 400);
}

#[test]
fn upgrades_subprotocols_and_bad_handshakes() {
    let (r, text) = run(&format!("{WS}\r\n"));
    assert_eq!(r, Route::Upgrade { len: text.len(), service: Service::Printf });
    let (r, text) = run(&format!("{WS}Sec-WebSocket-Protocol: debug\r\n\r\n"));
    assert!(matches!(r, Route::Upgrade { .. }) && text.contains("Sec-WebSocket-Protocol: debug"));
    let (r, text) = run(&format!("{}\r\n", WS.replace("Version: 13", "Version: 8")));
    assert!(status(&r) == 426 && text.contains("Sec-WebSocket-Version: 13"));
    let (r, _) = run(&format!("{}\r\n", WS.replace("/printf", "/other")));
    assert_eq!(status(&r), 404);
    // A service left out is not there at all.
    let no_tap = Site { services: Services { tap: false, ..Services::default() }, ..site() };
    let (r, _) = run_with(&format!("{}\r\n", WS.replace("/printf", "/tap")), &no_tap, false);
    assert_eq!(status(&r), 404);
}

#[test]
fn host_must_be_one_of_the_devices_names() {
    for (host, want) in [
        ("dev", 200),
        ("DEV:8080", 200),
        ("127.0.0.1:9", 200),
        ("10.0.0.9", 200),
        ("10.0.0.9:80", 200),
        ("box.lan:8080", 200),
        ("box.lan:8081", 421),
        ("evil.example", 421),
        ("dev.evil.example", 421),
        ("10.0.0.10", 421),
    ] {
        let (r, text) = run(&format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"));
        assert_eq!(status(&r), want, "{host}: {text}");
        if want == 421 {
            assert!(text.starts_with("HTTP/1.1 421 Misdirected Request\r\n"), "{text}");
        }
    }
    // DNS rebinding: a page of evil.example that resolved to the device is
    // "same origin" with itself, and still refused.
    let (r, _) =
        run(&format!("{}Origin: http://evil.example\r\n\r\n", WS.replace("Host: dev:8080", "Host: evil.example")));
    assert_eq!(status(&r), 421);
}

#[test]
fn origin_is_judged_against_the_devices_names() {
    for ok in ["http://dev:8080", "https://ok.example"] {
        let (r, _) = run(&format!("{WS}Origin: {ok}\r\n\r\n"));
        assert!(matches!(r, Route::Upgrade { .. }), "{ok}");
    }
    for bad in ["http://evil.example", "http://dev:9999", "https://dev:8080", "http://127.0.0.1:8088", "null"] {
        let (r, text) = run(&format!("{WS}Origin: {bad}\r\n\r\n"));
        assert_eq!(status(&r), 403, "{bad}");
        assert!(text.ends_with("origin not allowed\n"));
    }
}

#[test]
fn a_token_guards_every_upgrade_when_set() {
    let guarded = Site { access: Access { token: Some("s3cret"), ..site().access }, ..site() };
    let (r, text) = run_with(&format!("{WS}\r\n"), &guarded, false);
    assert_eq!(status(&r), 401);
    assert!(text.contains("WWW-Authenticate: Bearer\r\n") && text.ends_with("access token required\n"));
    let (r, _) = run_with(&format!("{}\r\n", WS.replace("/printf", "/printf?token=guess")), &guarded, false);
    assert_eq!(status(&r), 403);
    let (r, _) = run_with(&format!("{}\r\n", WS.replace("/printf", "/tap?token=s3cret")), &guarded, false);
    assert!(matches!(r, Route::Upgrade { service: Service::Tap, .. }));
    let (r, _) = run_with(&format!("{WS}Authorization: Bearer s3cret\r\n\r\n"), &guarded, false);
    assert!(matches!(r, Route::Upgrade { .. }));
    // The page itself is served without it (it carries the token to its
    // WebSocket URLs).
    let (r, _) = run_with("GET / HTTP/1.1\r\nHost: dev\r\n\r\n", &guarded, false);
    assert_eq!(status(&r), 200);
}
