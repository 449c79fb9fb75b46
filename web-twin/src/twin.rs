//! The in-browser twin: the very simulated device the host twin and the
//! board run (`wisp-sim` on `wisp-console`), over in-memory pipes instead of
//! sockets. The page talks to it the way it talks to a device — an HTTP
//! upgrade and WebSocket frames, produced and parsed by the `wisp` core on
//! both sides — so the wire view shows the real bytes.

use wisp_console::poll::Server;
use wisp_console::testing::{Client, Message, Pipe, pipe};
use wisp_console::{Access, Config, Console, Device, Lines, Site, Timing};
use wisp_sim::Sim;

/// Bytes one direction of a pipe holds before writes see "no room".
const PIPE_CAP: usize = 64 * 1024;

/// What the page receives from the twin, as from a WebSocket.
pub type Incoming = Message;

/// A simulated device in the page, with the page's `/printf` and `/tap`
/// connections to it.
pub struct Twin {
    server: Server<'static, Pipe, Sim, 8, 4096, 8192>,
    console: Client,
    tap: Client,
}

impl Twin {
    /// Boot the device and connect to it. `seed` varies keys and sensor noise.
    pub fn new(seed: u32) -> Twin {
        let console: &'static Console<16384, 4> = Box::leak(Box::new(Console::new()));
        let cfg = Config {
            max_sessions: 2,
            timing: Timing { ping_interval: 2_000_000, pong_timeout: 2_000_000, ..Timing::default() },
            site: Site {
                ws_only: true,
                access: Access { hosts: &["twin"], origins: &["http://twin"], token: None },
                ..Site::default()
            },
            ..Config::default()
        };
        let device = Device::new(cfg, console as &dyn Lines, Sim::new(4, seed, "the in-browser twin (wasm32)"));
        let slots = Box::leak((0..4).map(|_| None).collect::<Vec<_>>().into_boxed_slice());
        let mut server = Server::new(device, slots);
        let mut open = |path: &str, seed: u32| {
            let (page, dev) = pipe(PIPE_CAP);
            let _ = server.attach(dev, None, 0);
            Client::connect(page, "twin", path, "Origin: http://twin\r\n", seed)
        };
        let console = open("/printf", seed ^ 0xC0FFEE);
        let tap = open("/tap", seed ^ 0xFEED);
        Twin { server, console, tap }
    }

    /// Run the device and both connections at `now` (µs); returns what the
    /// console connection and the tap connection received.
    pub fn poll(&mut self, now: u64) -> (Vec<Incoming>, Vec<Incoming>) {
        for _ in 0..8 {
            let mut busy = self.server.poll(now);
            busy |= self.console.poll();
            busy |= self.tap.poll();
            if !busy {
                break;
            }
        }
        (self.console.received.drain(..).collect(), self.tap.received.drain(..).collect())
    }

    /// Send a command on the console connection.
    pub fn command(&mut self, text: &str) {
        self.console.send_text(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[Incoming]) -> Vec<String> {
        v.iter().filter_map(|m| if let Incoming::Text(t) = m { Some(t.clone()) } else { None }).collect()
    }

    #[test]
    fn the_twin_streams_answers_commands_and_taps() {
        let mut t = Twin::new(7);
        let mut lines = Vec::new();
        let mut records = 0;
        let mut now = 0;
        for _ in 0..200 {
            now += 10_000;
            let (c, tap) = t.poll(now);
            lines.extend(texts(&c));
            records += tap.len();
        }
        assert!(lines.iter().any(|l| l.starts_with("#0 Wisp device")), "{lines:?}");
        let seqs: Vec<u32> = lines.iter().filter_map(|l| l[1..].split(' ').next()?.parse().ok()).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "in order: {seqs:?}");
        assert!(seqs.len() >= 8, "periodic lines at 4/s for 2 s: {seqs:?}");
        t.command("pause");
        let mut replies = Vec::new();
        for _ in 0..10 {
            now += 10_000;
            replies.extend(texts(&t.poll(now).0));
        }
        assert!(replies.contains(&"> paused".to_string()), "{replies:?}");
        assert!(records > 0, "the tap saw frames");
        // Pings are answered by the page's client: after 4 s the console is alive.
        for _ in 0..400 {
            now += 10_000;
            t.poll(now);
        }
        t.command("print still here");
        let mut after = Vec::new();
        for _ in 0..10 {
            now += 10_000;
            after.extend(texts(&t.poll(now).0));
        }
        assert!(after.iter().any(|l| l.ends_with("still here")), "{after:?}");
    }
}
