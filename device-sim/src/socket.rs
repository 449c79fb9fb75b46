//! A host TCP socket as the firmware's transport: the `embedded-io` traits
//! over a non-blocking `std::net::TcpStream`.

use std::io::{self, ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, RawFd};

/// The kernel send buffer per connection. A device has a few KiB per
/// socket; the host's default (grown up to megabytes on loopback) would hide
/// a slow reader from the device's own bounded queue.
pub const SEND_BUFFER: usize = 32 * 1024;

fn set_send_buffer(stream: &TcpStream, bytes: usize) -> io::Result<()> {
    let size = bytes as libc::c_int;
    // SAFETY: a valid socket fd; `size` is an initialised c_int that outlives
    // the call, and its size is passed as the option length.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// A connected, non-blocking TCP stream.
pub struct HostSocket {
    stream: TcpStream,
}

impl HostSocket {
    /// Wrap a stream, switching it to non-blocking mode.
    pub fn new(stream: TcpStream) -> io::Result<Self> {
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        set_send_buffer(&stream, SEND_BUFFER)?;
        Ok(HostSocket { stream })
    }

    /// The file descriptor, to wait on.
    pub fn fd(&self) -> RawFd {
        self.stream.as_raw_fd()
    }
}

impl embedded_io::ErrorType for HostSocket {
    type Error = io::Error;
}

impl embedded_io::Read for HostSocket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.stream.read(buf) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

impl embedded_io::ReadReady for HostSocket {
    fn read_ready(&mut self) -> io::Result<bool> {
        // Data or end of stream both make `read` return at once.
        match self.stream.peek(&mut [0u8; 1]) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(false),
            Err(e) if e.kind() == ErrorKind::Interrupted => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl embedded_io::Write for HostSocket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.stream.write(buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => Ok(0),
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl embedded_io::WriteReady for HostSocket {
    fn write_ready(&mut self) -> io::Result<bool> {
        Ok(wait(&[self.fd()], libc::POLLOUT, 0)?.first().copied().unwrap_or(false))
    }
}

/// poll(2) on `fds` for `events`, up to `timeout_ms`; which fds are ready.
pub fn wait(fds: &[RawFd], events: libc::c_short, timeout_ms: i32) -> io::Result<Vec<bool>> {
    let mut pfds: Vec<libc::pollfd> = fds.iter().map(|&fd| libc::pollfd { fd, events, revents: 0 }).collect();
    // SAFETY: `pfds` is a valid, initialised array of `pfds.len()` pollfd
    // structs that lives across the call; poll(2) only writes `revents`.
    let n = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout_ms) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return if e.kind() == ErrorKind::Interrupted { Ok(vec![false; fds.len()]) } else { Err(e) };
    }
    Ok(pfds.iter().map(|p| p.revents != 0).collect())
}
