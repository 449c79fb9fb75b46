//! The session's HTTP phase: one request at a time, answered, upgraded or
//! refused; and the client role's wait for its `101`.

use wisp::Status;
use wisp::handshake::http::parse_head;

use super::{Ending, Phase, Session, with_ep};
use crate::Micros;
use crate::app::App;
use crate::device::Device;
use crate::http::{self, Route};

impl<const RX: usize, const TX: usize> Session<RX, TX> {
    pub(super) fn http<A: App, const N: usize>(&mut self, now: Micros, dev: &mut Device<'_, A, N>) {
        if self.has_output() {
            return;
        }
        let unread = with_ep!(&self.link, ep => ep.unread().len());
        // Parse only when bytes came since the last look: a head trickling
        // in costs one scan per arrival, not one per poll.
        if unread == 0 || unread == self.scanned {
            return;
        }
        let own = dev.address();
        let site = dev.cfg.site;
        let busy = self.busy;
        let answer = with_ep!(&mut self.link, ep => ep.exchange_raw(|input, out| {
            match parse_head(input, RX) {
                Ok(Status::Partial) => (0, 0, None),
                Ok(Status::Complete(head)) => {
                    // Refused only if this connection came in over the
                    // limit: a device at its limit still serves those it
                    // admitted.
                    let route = http::route(&head, &site, own, busy, out);
                    (head.len, written(route), Some(route))
                }
                Err(e) => {
                    let route = http::refuse(e.http_status().unwrap_or(400), e.as_str(), out);
                    (input.len(), written(route), Some(route))
                }
            }
        }));
        let Some(route) = answer else {
            self.scanned = unread;
            return;
        };
        self.scanned = 0;
        self.head_from = None;
        self.requests = self.requests.saturating_add(1);
        match route {
            Route::File { body, keep_alive, .. } => self.phase = Phase::Body { body, at: 0, keep_alive },
            Route::Refuse { reason, .. } => self.end(None, reason),
            Route::Upgrade { service, .. } => self.upgraded(service, now, dev),
        }
        // What is left is the next request (pipelined) or the first frames.
        if with_ep!(&self.link, ep => !ep.unread().is_empty()) && self.phase == Phase::Http {
            self.head_from = Some(now);
        }
    }

    /// A request head that never finished (slowloris): `408`, then close.
    pub(super) fn head_timeout(&mut self) {
        if self.phase == Phase::Http {
            with_ep!(&mut self.link, ep => ep.exchange_raw(|input, out| {
                (input.len(), written(http::refuse(408, "request head took too long", out)), ())
            }));
            self.end(None, "request head took too long");
        } else {
            self.end(None, "no 101 from the server in time");
        }
        self.ending.get_or_insert(Ending { code: None, why: "request head took too long" });
    }
}

/// Bytes of response a route wrote.
fn written(route: Route) -> usize {
    match route {
        Route::File { head, .. } => head,
        Route::Upgrade { len, .. } | Route::Refuse { len, .. } => len,
    }
}

#[cfg(feature = "dial")]
impl<const RX: usize, const TX: usize> Session<RX, TX> {
    /// A session that dials out: it sends the upgrade request for `host`
    /// and `path` (key from the platform's entropy), then streams the
    /// console as a client, masking with keys from the same entropy.
    pub fn dial(admission: crate::Admission, now: Micros, host: &str, path: &str, entropy: fn(&mut [u8])) -> Self {
        let mut nonce = [0u8; 16];
        entropy(&mut nonce);
        let hs = wisp::handshake::ClientHandshake::new(nonce);
        let ep = wisp::Endpoint::owned_client(super::Entropy(entropy));
        let mut s = Session::with_link(super::Link::Client(ep), admission, now);
        let ok = with_ep!(&mut s.link, ep => ep.exchange_raw(|_, out| match hs.write_request(host, path, None, None, out) {
            Ok(n) => (0, n, true),
            Err(_) => (0, 0, false),
        }));
        if !ok {
            s.end(None, "request too long for the buffer");
        }
        s.dial = Some(hs);
        s.phase = Phase::Dialing;
        // The server's 101 has a deadline from the start, however it trickles.
        s.head_from = Some(now);
        s
    }

    pub(super) fn dialing<A: App, const N: usize>(&mut self, now: Micros, dev: &mut Device<'_, A, N>) {
        let Some(hs) = self.dial else { return };
        let done = with_ep!(&mut self.link, ep => ep.exchange_raw(|input, _| match hs.parse_response(input, None) {
            Ok(Status::Partial) => (0, 0, None),
            Ok(Status::Complete(resp)) => (resp.head_len, 0, Some(Ok(()))),
            Err(e) => (input.len(), 0, Some(Err(e))),
        }));
        match done {
            Some(Ok(())) => {
                self.head_from = None;
                self.upgraded(crate::http::Service::Printf, now, dev);
            }
            Some(Err(e)) => self.end(None, e.as_str()),
            None => {}
        }
    }
}
