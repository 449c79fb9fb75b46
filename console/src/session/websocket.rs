//! The session's WebSocket phase: input through the endpoint (which answers
//! pings and the close itself), the services, keepalive and the close.

#[cfg(feature = "dial")]
use wisp::MaskSource;
use wisp::{CloseCode, DataKind, Error, Event, Outgoing};

use super::{Phase, Session, with_ep};
use crate::Micros;
use crate::app::App;
use crate::command::REPLY_MAX;
use crate::device::{Device, LogEvent};
use crate::http::Service;
use crate::session::Timing;
use crate::tap::{Direction, Record, TapRing};

/// The platform's entropy as a masking-key source for the client role
/// (RFC 6455 §5.3).
#[cfg(feature = "dial")]
#[derive(Clone, Copy)]
pub struct Entropy(pub fn(&mut [u8]));

#[cfg(feature = "dial")]
impl MaskSource for Entropy {
    fn next_key(&mut self) -> [u8; 4] {
        let mut key = [0u8; 4];
        (self.0)(&mut key);
        key
    }
}

/// The device's keepalive ping and the `ping` command's, each awaiting
/// its pong.
pub(super) struct Keepalive {
    next_ping: Micros,
    /// The keepalive ping's payload and when it went.
    waiting: Option<(u64, Micros)>,
    /// The `ping` command's.
    user: Option<(u64, Micros)>,
}

impl Keepalive {
    pub const fn new() -> Self {
        Keepalive { next_ping: 0, waiting: None, user: None }
    }

    pub fn deadline(&self, t: &Timing) -> Option<Micros> {
        if t.ping_interval == 0 {
            return None;
        }
        Some(match self.waiting {
            Some((_, sent)) => sent.saturating_add(t.pong_timeout),
            None => self.next_ping,
        })
    }
}

/// Shows the device's `/tap` every frame of a session (when some session
/// listens, and this is not a tap session itself).
pub(super) struct Tapper<'t> {
    pub ring: &'t mut TapRing,
    pub session: u16,
    pub now: Micros,
    pub on: bool,
}

impl wisp::Tap for Tapper<'_> {
    fn received(&mut self, wire: &[u8]) {
        if self.on
            && let Some(r) = Record::capture(Direction::Received, self.session, self.now, wire)
        {
            self.ring.push(r);
        }
    }

    fn sent(&mut self, wire: &[u8]) {
        if self.on
            && let Some(r) = Record::capture(Direction::Sent, self.session, self.now, wire)
        {
            self.ring.push(r);
        }
    }
}

/// An event, reduced to what the session does next with it.
enum Got {
    Nothing,
    Data,
    Command,
    Pong([u8; 8], bool),
    Close(Option<CloseCode>),
    Failed(Error),
}

impl<const RX: usize, const TX: usize> Session<RX, TX> {
    pub(super) fn upgraded<A: App, const N: usize>(
        &mut self,
        service: Service,
        now: Micros,
        dev: &mut Device<'_, A, N>,
    ) {
        self.phase = Phase::Ws(service);
        self.keepalive.next_ping = now.saturating_add(dev.cfg.timing.ping_interval);
        self.printf.service = Some(service);
        match service {
            Service::Printf => self.printf.join(dev.console, dev.cfg.backlog),
            Service::Tap => {
                dev.taps.listeners += 1;
                self.tap_at = Some(dev.taps.next());
            }
            Service::Echo => {}
        }
        if self.busy {
            // RFC 6455 §7.4.1 and the IANA registry: 1013, try again later.
            self.ws_close(CloseCode::TRY_AGAIN_LATER, "device busy: too many connections", now);
        } else {
            dev.log(LogEvent::Opened { id: self.id, service });
        }
    }

    pub(super) fn websocket<A: App, const N: usize>(
        &mut self,
        service: Service,
        now: Micros,
        dev: &mut Device<'_, A, N>,
    ) {
        while self.phase == Phase::Ws(service) {
            // A client that sends commands and never reads their replies is
            // no longer read.
            if service == Service::Printf && self.printf.replies_len() > REPLY_MAX / 2 {
                break;
            }
            let mut tap = Tapper { ring: &mut dev.taps, session: self.id, now, on: service != Service::Tap };
            tap.on &= tap.ring.listeners > 0;
            let printf = &mut self.printf;
            let got = with_ep!(&mut self.link, ep => {
                if service == Service::Echo {
                    match ep.poll_with_outbox(&mut tap) {
                        Ok(Some((Event::Data { kind, payload, fin }, mut out))) => {
                            // The piece fits the outbox: the endpoint cut it so.
                            let _ = out.send_tapped(Outgoing::data(kind, payload, fin), &mut tap);
                            Got::Data
                        }
                        Ok(Some((event, _))) => reduce(event),
                        Ok(None) => Got::Nothing,
                        Err(e) => Got::Failed(e),
                    }
                } else {
                    match ep.poll_tapped(&mut tap) {
                        Ok(Some(Event::Data { kind, payload, fin })) => {
                            if service == Service::Printf && printf.take(kind == DataKind::Text, payload, fin) {
                                Got::Command
                            } else {
                                Got::Data
                            }
                        }
                        Ok(Some(event)) => reduce(event),
                        Ok(None) => Got::Nothing,
                        Err(e) => Got::Failed(e),
                    }
                }
            });
            match got {
                Got::Nothing => break,
                Got::Data => {}
                Got::Command => self.command(now, dev),
                Got::Pong(stamp, whole) => self.pong(stamp, whole, now),
                Got::Close(code) => {
                    let ours = self.ending.and_then(|e| e.code);
                    self.end(ours.or(code), if ours.is_some() { "closed" } else { "client closed" });
                }
                Got::Failed(e) => self.end(Some(e.close_code()), e.as_str()),
            }
        }
        if self.phase == Phase::Ws(service) {
            match service {
                Service::Printf => self.produce(now, dev),
                Service::Tap => self.tap_out(now, dev),
                Service::Echo => {}
            }
            self.keep_alive(now, &dev.cfg.timing, &mut dev.taps);
        }
    }

    /// Start the closing handshake (§7.1.2): queue the close, then wait for
    /// the peer's until the close grace runs out. Frames already queued go
    /// out first, whole.
    pub(super) fn ws_close(&mut self, code: CloseCode, why: &'static str, now: Micros) {
        if self.closing_since.is_some() {
            return;
        }
        self.closing_since = Some(now);
        self.ending = Some(super::Ending { code: Some(code), why });
        self.close_pending = Some((code, why));
        self.flush_close();
    }

    fn flush_close(&mut self) {
        if let Some((code, why)) = self.close_pending {
            let r = with_ep!(&mut self.link, ep => ep.close(code, why));
            if r != Err(Error::Full) {
                self.close_pending = None;
            }
        }
    }

    fn keep_alive(&mut self, now: Micros, t: &Timing, taps: &mut TapRing) {
        self.flush_close();
        if t.ping_interval == 0 || self.closing_since.is_some() {
            return;
        }
        if let Some((_, sent)) = self.keepalive.waiting {
            if now.saturating_sub(sent) > t.pong_timeout {
                // Jetty and others close an unresponsive peer with 1001.
                self.ws_close(CloseCode::GOING_AWAY, "pong timeout", now);
            }
            return;
        }
        if now >= self.keepalive.next_ping {
            let stamp = now;
            let mut tap = Tapper { ring: taps, session: self.id, now, on: false };
            tap.on = tap.ring.listeners > 0 && self.service() != Some(Service::Tap);
            let sent = with_ep!(&mut self.link, ep => ep.send_tapped(Outgoing::Ping(&stamp.to_be_bytes()), &mut tap));
            if sent.is_ok() {
                self.keepalive.waiting = Some((stamp, now));
                self.keepalive.next_ping = now.saturating_add(t.ping_interval);
            } else {
                // No room even in the control reserve (earlier control
                // frames wait to go out): try again shortly.
                self.keepalive.next_ping = now.saturating_add(10_000);
            }
        }
    }

    /// The `ping` command: ping this client and report the round trip.
    pub(super) fn user_ping(&mut self, now: Micros, taps: &mut TapRing) {
        let stamp = now ^ 0x5049_4E47_0000_0000;
        let mut tap = Tapper { ring: taps, session: self.id, now, on: false };
        tap.on = tap.ring.listeners > 0;
        if with_ep!(&mut self.link, ep => ep.send_tapped(Outgoing::Ping(&stamp.to_be_bytes()), &mut tap)).is_ok() {
            self.keepalive.user = Some((stamp, now));
        }
    }

    fn pong(&mut self, stamp: [u8; 8], whole: bool, now: Micros) {
        if !whole {
            return;
        }
        let stamp = u64::from_be_bytes(stamp);
        if self.keepalive.waiting.is_some_and(|(s, _)| s == stamp) {
            self.keepalive.waiting = None;
        }
        if let Some((s, at)) = self.keepalive.user
            && s == stamp
        {
            self.keepalive.user = None;
            let rtt = now.saturating_sub(at);
            self.printf.reply(format_args!("pong: round trip {}.{:03} ms", rtt / 1000, rtt % 1000));
        }
    }
}

/// A control event, reduced.
fn reduce(event: Event<'_>) -> Got {
    match event {
        Event::Pong(p) => {
            let mut stamp = [0u8; 8];
            let whole = p.len() == 8;
            if let Some(dst) = stamp.get_mut(..p.len().min(8)) {
                dst.copy_from_slice(p.get(..dst.len()).unwrap_or_default());
            }
            Got::Pong(stamp, whole)
        }
        Event::Close(c) => Got::Close(c.code),
        Event::Ping(_) | Event::Data { .. } => Got::Data,
    }
}
