//! The accept tasks: each owns a TCP socket and its buffers, accepts a
//! connection on port 80, has the console serve it to its end, closes it,
//! and listens again.

use embassy_net::tcp::TcpSocket;
use embassy_net::{IpAddress, Stack};
use embassy_time::{Duration, with_timeout};
use wisp_console::asynch::EmbassyClock;
use wisp_console::{Peer, Session};

use crate::knob::size;
use crate::{SOCKETS, Wisp};

/// A session's receive buffer: a request head, or a WebSocket frame's
/// header and a piece of its payload (`WISP_BOARD_SESSION_RX`).
pub const SESSION_RX: usize = size(option_env!("WISP_BOARD_SESSION_RX"), 1024);
/// A session's transmit buffer: response heads, console lines, echoed
/// frames (`WISP_BOARD_SESSION_TX`).
pub const SESSION_TX: usize = size(option_env!("WISP_BOARD_SESSION_TX"), 1024);
/// The socket's receive buffer: the TCP window the board offers
/// (`WISP_BOARD_TCP_RX`).
pub const TCP_RX: usize = size(option_env!("WISP_BOARD_TCP_RX"), 512);
/// The socket's transmit buffer: what may be in flight unacknowledged
/// (`WISP_BOARD_TCP_TX`).
pub const TCP_TX: usize = size(option_env!("WISP_BOARD_TCP_TX"), 512);
/// RAM a session's state takes.
pub const SESSION_BYTES: usize = core::mem::size_of::<Session<SESSION_RX, SESSION_TX>>();

/// A peer that stops acknowledging what the board sent loses its socket
/// after this long.
const TCP_TIMEOUT: Duration = Duration::from_secs(10);
/// After the board's close, how long the socket waits for the peer's:
/// listening again at once would reset a connection the peer is closing.
const LINGER: Duration = Duration::from_secs(2);

/// One accept task; [`SOCKETS`] of them run.
#[embassy_executor::task(pool_size = SOCKETS)]
pub async fn serve(stack: Stack<'static>, wisp: &'static Wisp) -> ! {
    let mut rx = [0; TCP_RX];
    let mut tx = [0; TCP_TX];
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    loop {
        socket.set_timeout(Some(TCP_TIMEOUT));
        // From TIME-WAIT too: smoltcp's `listen` resets a socket that is not open.
        if socket.accept(80).await.is_ok() {
            let peer = socket.remote_endpoint().map(|e| match e.addr {
                IpAddress::Ipv4(a) => Peer::from(a.octets()),
            });
            let (mut reader, mut writer) = socket.split();
            wisp.serve::<_, _, _, SESSION_RX, SESSION_TX>(&mut reader, &mut writer, peer, &EmbassyClock).await;
            socket.close();
            let closed = with_timeout(LINGER, async {
                let mut scrap = [0; 64];
                while let Ok(1..) = socket.read(&mut scrap).await {}
                socket.flush().await
            })
            .await;
            if matches!(closed, Ok(Ok(()))) {
                continue;
            }
        }
        // A connection that failed, or did not close in time: reset it, and
        // let the reset go out before the socket listens again.
        socket.abort();
        let _ = socket.flush().await;
    }
}
