//! The client role on host sockets (`--connect ws://HOST:PORT/PATH`).
//!
//! Resolving a name and opening a TCP connection can take seconds, so they
//! run on a thread of their own: the event loop only looks at the result
//! (and waits on a pipe the thread writes to), and keeps serving everyone
//! else meanwhile. When the connection ends, the next attempt waits as the
//! library's [`Backoff`] says.

use std::collections::HashMap;
use std::io::{self, Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use wisp_console::dial::Backoff;

use crate::TwinServer;
use crate::socket::HostSocket;

/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(2000);

/// Where to dial and how it is going.
pub struct Dialer {
    host: String,
    path: String,
    backoff: Backoff,
    /// The open session and when it opened.
    open: Option<(u16, u64)>,
    /// An attempt in flight: its result arrives here, and a byte on `wake`.
    pending: Option<(mpsc::Receiver<io::Result<TcpStream>>, UnixStream)>,
}

impl Dialer {
    /// Parse `ws://HOST:PORT/PATH`.
    pub fn new(url: &str) -> io::Result<Dialer> {
        let bad =
            || io::Error::new(io::ErrorKind::InvalidInput, format!("--connect wants ws://HOST:PORT/PATH, got {url}"));
        let rest = url.strip_prefix("ws://").ok_or_else(bad)?;
        let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
        if host.is_empty() {
            return Err(bad());
        }
        Ok(Dialer { host: host.to_string(), path, backoff: Backoff::default(), open: None, pending: None })
    }

    /// The pipe an attempt in flight wakes the event loop on.
    pub fn fd(&self) -> Option<RawFd> {
        self.pending.as_ref().map(|(_, wake)| wake.as_raw_fd())
    }

    /// Start an attempt when one is due; attach a connection that came.
    pub fn step(&mut self, server: &mut TwinServer, fds: &mut HashMap<u16, RawFd>, now: u64) {
        if let Some((id, since)) = self.open {
            if server.is_open(id) {
                return;
            }
            self.open = None;
            self.backoff.failed(now, now - since);
        }
        if let Some((rx, wake)) = &mut self.pending {
            let result = match rx.try_recv() {
                Ok(r) => r,
                Err(mpsc::TryRecvError::Empty) => return,
                Err(mpsc::TryRecvError::Disconnected) => Err(io::Error::other("dial thread ended")),
            };
            let _ = wake.read(&mut [0u8; 1]);
            self.pending = None;
            match result.and_then(HostSocket::new) {
                Ok(sock) => {
                    let fd = sock.fd();
                    match server.attach_dialed(sock, &self.host, &self.path, now) {
                        Ok(id) => {
                            log::info!("session {id}: dialed ws://{}{}", self.host, self.path);
                            fds.insert(id, fd);
                            self.open = Some((id, now));
                        }
                        Err(_) => self.backoff.failed(now, 0),
                    }
                }
                Err(e) => {
                    self.backoff.failed(now, 0);
                    let next = self.backoff.delay() / 2000;
                    log::info!("dial ws://{}{}: {e}; next try in {next} ms", self.host, self.path);
                }
            }
            return;
        }
        if !self.backoff.due(now) {
            return;
        }
        let Ok((mut wake_tx, wake_rx)) = UnixStream::pair() else { return };
        let _ = wake_rx.set_nonblocking(true);
        let (tx, rx) = mpsc::channel();
        let host = self.host.clone();
        let spawned = thread::Builder::new().name("dial".into()).spawn(move || {
            let result = host
                .to_socket_addrs()
                .and_then(|mut a| a.next().ok_or_else(|| io::Error::other(format!("cannot resolve {host}"))))
                .and_then(|a| TcpStream::connect_timeout(&a, CONNECT_TIMEOUT));
            let _ = tx.send(result);
            let _ = wake_tx.write_all(&[1]);
        });
        if spawned.is_ok() {
            self.pending = Some((rx, wake_rx));
        } else {
            self.backoff.failed(now, 0);
        }
    }
}
