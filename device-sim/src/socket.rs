//! A host TCP socket as the firmware's transport: the `embedded-io` traits
//! over a non-blocking `std::net::TcpStream`.

use std::io::{self, ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, RawFd};

/// The kernel send buffer per connection. A device has a few KiB per
/// socket; the host's default (grown up to megabytes on loopback) would hide
/// a slow reader from the device's own bounded queue.
///
/// Not less than this, though: the kernel doubles the value, and 128 KiB
/// holds two full loopback segments (MSS 65,483 B). With room for fewer,
/// a full buffer can wait on a receiver that delays its ACK, as Linux does
/// until it holds more than one full segment: a 41 ms stall in the middle
/// of a burst. `cargo bench -p device-sim --bench stalls`, 600 bursts of
/// 20,000 lines: 32 KiB stalled in 2–5 of them, 48 KiB in 364, 64 KiB in
/// none (none in 3,600 over several runs).
pub const SEND_BUFFER: usize = 64 * 1024;

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

/// A connected, non-blocking TCP stream, with a small read-ahead so that
/// "is there input?" and "give me the input" cost one `read(2)`, not a
/// `peek` and a `read`.
pub struct HostSocket {
    stream: TcpStream,
    ahead: Box<[u8; AHEAD]>,
    ahead_at: usize,
    ahead_len: usize,
    eof: bool,
}

const AHEAD: usize = 4096;

impl HostSocket {
    /// Wrap a stream, switching it to non-blocking mode.
    pub fn new(stream: TcpStream) -> io::Result<Self> {
        stream.set_nonblocking(true)?;
        stream.set_nodelay(true)?;
        set_send_buffer(&stream, SEND_BUFFER)?;
        Ok(HostSocket { stream, ahead: Box::new([0; AHEAD]), ahead_at: 0, ahead_len: 0, eof: false })
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
        if self.ahead_at < self.ahead_len {
            let n = buf.len().min(self.ahead_len - self.ahead_at);
            buf[..n].copy_from_slice(&self.ahead[self.ahead_at..self.ahead_at + n]);
            self.ahead_at += n;
            return Ok(n);
        }
        if self.eof {
            return Ok(0);
        }
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
        if self.ahead_at < self.ahead_len || self.eof {
            return Ok(true);
        }
        // Read ahead: data or end of stream both make `read` return at once.
        match self.stream.read(&mut self.ahead[..]) {
            Ok(0) => {
                self.eof = true;
                Ok(true)
            }
            Ok(n) => {
                (self.ahead_at, self.ahead_len) = (0, n);
                Ok(true)
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => Ok(false),
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
        // A non-blocking write that finds no room returns `Ok(0)` (see
        // `write`), which the firmware takes as "not now": no poll(2) needed.
        Ok(true)
    }
}

/// poll(2) on prepared `pollfd`s, up to `timeout_ms`; how many are ready.
pub fn wait_for(pfds: &mut [libc::pollfd], timeout_ms: i32) -> io::Result<usize> {
    // SAFETY: `pfds` is a valid, initialised slice of `pfds.len()` pollfd
    // structs that lives across the call; poll(2) only writes `revents`.
    let n = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout_ms) };
    if n < 0 {
        let e = io::Error::last_os_error();
        return if e.kind() == ErrorKind::Interrupted { Ok(0) } else { Err(e) };
    }
    Ok(n as usize)
}
