//! A firmware-shaped WebSocket server session for size measurement.
//!
//! The same scaffolding (entry, a byte-stream transport over volatile loads
//! and stores, stack painting, a semihosting report) wraps one `session()`
//! chosen by feature: wisp with its handshake (the accept key's SHA-1 from
//! `sha1_smol`, from wisp's compact loop, or from the device's hash
//! peripheral), wisp framing only, the peers `embedded-websocket` and
//! `websocketz`, or nothing (the baseline image that `report.py` subtracts).
//! Each session does what a device does: accept the handshake, receive a
//! message in chunks, answer a ping, stream a message out in frames, and
//! close.
//!
//! `session()` is never inlined into `main`, so the stack measured from
//! `main` includes the session's own frame (its buffers and locals).
#![no_std]
#![no_main]

#[cfg(feature = "wisp-server-device")]
mod device_sha1;
mod script;

use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

/// The simulated socket: reads the script in chunks of at most 64 bytes
/// through volatile loads (so nothing is constant-folded), writes to a sink.
struct Io {
    script: &'static [u8],
    at: usize,
    sent: u32,
}

static mut SINK: u8 = 0;

impl Io {
    #[inline(never)]
    fn recv(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(64).min(self.script.len() - self.at);
        for (i, b) in buf.iter_mut().take(n).enumerate() {
            // SAFETY: `at + i` is within the script.
            *b = unsafe { read_volatile(self.script.as_ptr().add(self.at + i)) };
        }
        self.at += n;
        n
    }

    #[inline(never)]
    fn send(&mut self, data: &[u8]) {
        for &b in data {
            // SAFETY: a plain static byte, single-threaded.
            unsafe { write_volatile(addr_of_mut!(SINK), b) };
        }
        self.sent += data.len() as u32;
    }
}

const PAINT: u32 = 0xDEAD_BEEF;

unsafe extern "C" {
    static mut __sheap: u32;
}

/// Fill the unused stack below the current frame with a pattern.
#[inline(never)]
fn paint() {
    // Below this function's own frame, which is below the caller's.
    let sp = cortex_m::register::msp::read() as usize - 32;
    let mut p = addr_of_mut!(__sheap) as usize;
    while p < sp {
        // SAFETY: between the end of .bss and below the live stack.
        unsafe { write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// The lowest stack address written since `paint`.
#[inline(never)]
fn deepest() -> usize {
    let mut p = addr_of!(__sheap) as usize;
    // SAFETY: reading the painted region.
    while unsafe { read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    p
}

#[entry]
fn main() -> ! {
    let mut io = Io {
        script: if cfg!(feature = "wisp-framing") { &script::FRAMES } else { script_all() },
        at: 0,
        sent: 0,
    };
    paint();
    let top = cortex_m::register::msp::read() as usize;
    let context = session(&mut io);
    let stack = top - deepest();
    hprintln!("context={} stack={} sent={}", context, stack, io.sent);
    debug::exit(debug::EXIT_SUCCESS);
    loop {}
}

/// The request and the frames, one after the other.
fn script_all() -> &'static [u8] {
    static ALL: [u8; script::REQUEST.len() + script::FRAMES.len()] = {
        let mut all = [0u8; script::REQUEST.len() + script::FRAMES.len()];
        let mut i = 0;
        while i < script::REQUEST.len() {
            all[i] = script::REQUEST[i];
            i += 1;
        }
        while i < all.len() {
            all[i] = script::FRAMES[i - script::REQUEST.len()];
            i += 1;
        }
        all
    };
    &ALL
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    debug::exit(debug::EXIT_FAILURE);
    loop {}
}

/// The reply streamed out: a message whose length is unknown when its first
/// frame leaves — three pieces derived from what was received.
fn reply_piece(i: u32, sum: u32, out: &mut [u8; 16]) -> usize {
    let mut v = sum.wrapping_mul(i + 1);
    for b in out.iter_mut() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
    10 + (sum as usize + i as usize) % 6
}

// ------------------------------------------------------------------ wisp

#[cfg(any(
    feature = "wisp-server",
    feature = "wisp-server-compact",
    feature = "wisp-server-device",
    feature = "wisp-framing"
))]
#[inline(never)]
fn session(io: &mut Io) -> usize {
    use wisp::{Connection, Event, Outgoing, Server};
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 160];
    let mut n = 0;
    #[cfg(any(feature = "wisp-server", feature = "wisp-server-compact", feature = "wisp-server-device"))]
    {
        use wisp::Status;
        use wisp::handshake::UpgradeRequest;
        loop {
            n += io.recv(&mut rx[n..]);
            match UpgradeRequest::parse_with_limit(&rx[..n], rx.len()) {
                Ok(Status::Complete(req)) => {
                    // The SHA-1 of the features (sha1_smol or the compact
                    // loop), or the device's hash peripheral.
                    #[cfg(not(feature = "wisp-server-device"))]
                    let len = wisp::handshake::write_accept(&req, None, &mut tx);
                    #[cfg(feature = "wisp-server-device")]
                    let len = wisp::handshake::write_accept_with(&req, None, &mut device_sha1::HashPeripheral, &mut tx);
                    let len = len.unwrap_or(0);
                    io.send(&tx[..len]);
                    let head = req.head_len;
                    rx.copy_within(head..n, 0);
                    n -= head;
                    break;
                }
                Ok(Status::Partial) => {}
                Err(e) => {
                    // The reason in words, or (`terse`) the status phrase.
                    #[cfg(not(feature = "terse"))]
                    let len = wisp::handshake::write_refusal(e, &mut tx);
                    #[cfg(feature = "terse")]
                    let len = wisp::handshake::write_terse_refusal(e, &mut tx);
                    let len = len.unwrap_or(0);
                    io.send(&tx[..len]);
                    return 0;
                }
            }
        }
    }
    let mut conn = Connection::<Server, 4096, 4096>::new();
    let mut sum = 0u32;
    'session: loop {
        let got = io.recv(&mut rx[n..]);
        n += got;
        let mut at = 0;
        loop {
            let read = match conn.read(&mut rx[at..n]) {
                Ok(read) => read,
                Err(_) => {
                    if let Ok(Some(k)) = conn.poll_transmit(&mut tx) {
                        io.send(&tx[..k]);
                    }
                    break 'session;
                }
            };
            at += read.consumed;
            match read.event {
                None => break,
                Some(Event::Data { payload, fin, .. }) => {
                    for &b in payload {
                        sum = sum.wrapping_add(u32::from(b));
                    }
                    if fin {
                        let mut piece = [0u8; 16];
                        for i in 0..3 {
                            let len = reply_piece(i, sum, &mut piece);
                            let frame = Outgoing::Text { payload: &piece[..len], fin: i == 2 };
                            let k = conn.send(frame, &mut tx).unwrap_or(0);
                            io.send(&tx[..k]);
                        }
                    }
                }
                Some(Event::Ping(p)) => {
                    let k = conn.send(Outgoing::Pong(p), &mut tx).unwrap_or(0);
                    io.send(&tx[..k]);
                }
                Some(Event::Pong(_)) => {}
                Some(Event::Close(_)) => {
                    if let Ok(Some(k)) = conn.poll_transmit(&mut tx) {
                        io.send(&tx[..k]);
                    }
                    break 'session;
                }
            }
        }
        rx.copy_within(at..n, 0);
        n -= at;
        if got == 0 && at == 0 {
            break;
        }
    }
    core::mem::size_of::<Connection<Server, 4096, 4096>>()
}

// ---------------------------------------------------- embedded-websocket

#[cfg(feature = "peer-ew")]
#[inline(never)]
fn session(io: &mut Io) -> usize {
    use embedded_websocket::{
        WebSocketCloseStatusCode, WebSocketReceiveMessageType, WebSocketSendMessageType, WebSocketServer,
        read_http_header,
    };
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 256];
    let mut payload = [0u8; 256];
    let mut n = 0;
    let mut ws = WebSocketServer::new_server();
    loop {
        n += io.recv(&mut rx[n..]);
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&rx[..n]) {
            Ok(httparse::Status::Complete(head)) => {
                let fields = req.headers.iter().map(|h| (h.name, h.value));
                let Ok(Some(ctx)) = read_http_header(fields) else { return 0 };
                let len = ws.server_accept(&ctx.sec_websocket_key, None, &mut tx).unwrap_or(0);
                io.send(&tx[..len]);
                rx.copy_within(head..n, 0);
                n -= head;
                break;
            }
            Ok(httparse::Status::Partial) => {}
            Err(_) => return 0,
        }
    }
    let mut sum = 0u32;
    'session: loop {
        let got = io.recv(&mut rx[n..]);
        n += got;
        let mut at = 0;
        while at < n {
            let Ok(r) = ws.read(&rx[at..n], &mut payload) else { break 'session };
            if r.len_from == 0 {
                break;
            }
            at += r.len_from;
            match r.message_type {
                WebSocketReceiveMessageType::Text | WebSocketReceiveMessageType::Binary => {
                    for &b in &payload[..r.len_to] {
                        sum = sum.wrapping_add(u32::from(b));
                    }
                    if r.end_of_message {
                        let mut piece = [0u8; 16];
                        for i in 0..3 {
                            let len = reply_piece(i, sum, &mut piece);
                            let k = ws.write(WebSocketSendMessageType::Text, i == 2, &piece[..len], &mut tx).unwrap_or(0);
                            io.send(&tx[..k]);
                        }
                    }
                }
                WebSocketReceiveMessageType::Ping => {
                    let k = ws.write(WebSocketSendMessageType::Pong, true, &payload[..r.len_to], &mut tx).unwrap_or(0);
                    io.send(&tx[..k]);
                }
                WebSocketReceiveMessageType::CloseMustReply => {
                    let k = ws.write(WebSocketSendMessageType::CloseReply, true, &payload[..r.len_to], &mut tx).unwrap_or(0);
                    io.send(&tx[..k]);
                    break 'session;
                }
                WebSocketReceiveMessageType::CloseCompleted => break 'session,
                WebSocketReceiveMessageType::Pong => {}
            }
        }
        rx.copy_within(at..n, 0);
        n -= at;
        if got == 0 && at == 0 {
            let k = ws.close(WebSocketCloseStatusCode::NormalClosure, None, &mut tx).unwrap_or(0);
            io.send(&tx[..k]);
            break;
        }
    }
    core::mem::size_of::<WebSocketServer>()
}

// ------------------------------------------------------------ websocketz

#[cfg(feature = "peer-wz")]
#[inline(never)]
fn session(io: &mut Io) -> usize {
    use core::future::Future;
    use core::pin::pin;
    use core::task::{Context, Poll, Waker};
    use websocketz::options::AcceptOptions;
    use websocketz::{Message, WebSocket, next};

    struct Async<'a>(&'a mut Io);
    impl embedded_io_async::ErrorType for Async<'_> {
        type Error = core::convert::Infallible;
    }
    impl embedded_io_async::Read for Async<'_> {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            Ok(self.0.recv(buf))
        }
    }
    impl embedded_io_async::Write for Async<'_> {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
            self.0.send(buf);
            Ok(buf.len())
        }
        async fn flush(&mut self) -> Result<(), Self::Error> {
            Ok(())
        }
    }
    struct NoRng;
    impl rand_core::TryRng for NoRng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    let mut read_buf = [0u8; 512];
    let mut write_buf = [0u8; 256];
    let mut fragments = [0u8; 512];
    let session = async {
        let Ok(mut ws) = WebSocket::accept::<16>(
            AcceptOptions::default(),
            Async(io),
            NoRng,
            &mut read_buf,
            &mut write_buf,
            &mut fragments,
        )
        .await
        else {
            return 0;
        };
        let mut sum = 0u32;
        let mut reply = false;
        loop {
            match next!(ws) {
                Some(Ok(Message::Text(t))) => {
                    for &b in t.as_bytes() {
                        sum = sum.wrapping_add(u32::from(b));
                    }
                    reply = true;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
            if core::mem::take(&mut reply) {
                // The peer streams only a message whose whole length it has.
                let mut whole = [0u8; 48];
                let mut len = 0;
                let mut piece = [0u8; 16];
                for i in 0..3 {
                    let k = reply_piece(i, sum, &mut piece);
                    whole[len..len + k].copy_from_slice(&piece[..k]);
                    len += k;
                }
                let text = core::str::from_utf8(&whole[..len]).unwrap_or("");
                if ws.send_fragmented(Message::Text(text), 16).await.is_err() {
                    break;
                }
            }
        }
        core::mem::size_of_val(&ws)
    };
    let future_size = core::mem::size_of_val(&session);
    let mut fut = pin!(session);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(ctx) = fut.as_mut().poll(&mut cx) {
            // Report both: the connection object and the whole session future.
            return ctx * 100_000 + future_size;
        }
    }
}

// -------------------------------------------------------------- baseline

#[cfg(not(any(
    feature = "wisp-server",
    feature = "wisp-server-compact",
    feature = "wisp-server-device",
    feature = "wisp-framing",
    feature = "peer-ew",
    feature = "peer-wz"
)))]
#[inline(never)]
fn session(io: &mut Io) -> usize {
    // The same I/O and buffer handling, no WebSocket: read everything into a
    // buffer that is compacted (memmove) and copied from (memcpy), as every
    // firmware does, and send a checksum back.
    let mut rx = [0u8; 256];
    let mut tx = [0u8; 160];
    let mut n = 0;
    let mut sum = 0u32;
    loop {
        let got = io.recv(&mut rx[n..]);
        n += got;
        if n == 0 {
            break;
        }
        let take = n.min(1 + (sum as usize % 7));
        for &b in &rx[..take] {
            sum = sum.wrapping_add(u32::from(b));
        }
        tx[..take].copy_from_slice(&rx[..take]);
        rx.copy_within(take..n, 0);
        n -= take;
        let mut piece = [0u8; 16];
        let len = reply_piece(0, sum, &mut piece);
        io.send(&piece[..len]);
        io.send(&tx[..take]);
    }
    0
}
