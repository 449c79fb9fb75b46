//! `smoltcp` TCP sockets as the firmware's transports.
//!
//! The socket set lives in one place (a critical-section mutex, as the
//! Ethernet interrupt may run at any time); a transport is a socket handle
//! that borrows the set for the length of one call. Dropping a transport —
//! the firmware ending a session — closes its socket, which then listens on
//! port 80 again.

use core::cell::RefCell;
use core::convert::Infallible;

use critical_section::Mutex;
use smoltcp::iface::{SocketHandle, SocketSet};
use smoltcp::socket::tcp;

static SOCKETS: Mutex<RefCell<Option<SocketSet<'static>>>> = Mutex::new(RefCell::new(None));

/// Install the socket set.
pub fn install(set: SocketSet<'static>) {
    critical_section::with(|cs| *SOCKETS.borrow_ref_mut(cs) = Some(set));
}

/// Run `f` with the socket set.
pub fn with<R>(f: impl FnOnce(&mut SocketSet<'static>) -> R) -> Option<R> {
    critical_section::with(|cs| SOCKETS.borrow_ref_mut(cs).as_mut().map(f))
}

fn socket<R>(h: SocketHandle, f: impl FnOnce(&mut tcp::Socket<'static>) -> R) -> Option<R> {
    with(|s| f(s.get_mut::<tcp::Socket>(h)))
}

/// One accepted TCP connection, as an `embedded-io` transport.
pub struct Tcp(pub SocketHandle);

impl embedded_io::ErrorType for Tcp {
    type Error = Infallible;
}

impl embedded_io::Read for Tcp {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        // Ok(0) once the peer has closed and everything was read: end of stream.
        Ok(socket(self.0, |s| if s.can_recv() { s.recv_slice(buf).unwrap_or(0) } else { 0 }).unwrap_or(0))
    }
}

impl embedded_io::ReadReady for Tcp {
    fn read_ready(&mut self) -> Result<bool, Infallible> {
        Ok(socket(self.0, |s| s.can_recv() || !s.may_recv()).unwrap_or(true))
    }
}

impl embedded_io::Write for Tcp {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        // Ok(0): no room in the socket's buffer now.
        Ok(socket(self.0, |s| if s.can_send() { s.send_slice(buf).unwrap_or(0) } else { 0 }).unwrap_or(0))
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_io::WriteReady for Tcp {
    fn write_ready(&mut self) -> Result<bool, Infallible> {
        Ok(socket(self.0, |s| s.can_send()).unwrap_or(false))
    }
}

impl Drop for Tcp {
    fn drop(&mut self) {
        socket(self.0, |s| s.close());
    }
}

/// Is the socket a newly established connection, or closed and ready to
/// listen again?
pub fn state(h: SocketHandle) -> tcp::State {
    socket(h, |s| s.state()).unwrap_or(tcp::State::Closed)
}

/// Listen on `port`.
pub fn listen(h: SocketHandle, port: u16) {
    socket(h, |s| {
        let _ = s.listen(port);
    });
}

/// Make sure one of `handles` (sockets no session holds) listens on `port`,
/// taking one out of TIME-WAIT if none does.
///
/// After a close the device holds TIME-WAIT, as RFC 6455 §7.1.1 asks of a
/// server, and smoltcp keeps a socket there for 10 s: eight quick
/// connections in a row would leave none listening, and the ninth would be
/// refused until the first one's 10 s ran out. A device with few sockets
/// reclaims a TIME-WAIT socket when it has no other (lwIP's
/// `tcp_kill_timewait` does the same): TIME-WAIT only guards against stray
/// segments of a connection that has already ended on both sides.
pub fn keep_one_listening<'a>(handles: impl Iterator<Item = &'a SocketHandle> + Clone, port: u16) {
    if handles.clone().any(|h| state(*h) == tcp::State::Listen) {
        return;
    }
    if let Some(h) = handles.into_iter().find(|h| state(**h) == tcp::State::TimeWait) {
        socket(*h, |s| {
            s.abort();
            let _ = s.listen(port);
        });
    }
}
