//! The accept tasks: each owns a TCP socket and its buffers, and has the
//! console accept a connection on port 80, serve it to its end, close it,
//! and listen again (`Shared::accept`).

use embassy_net::Stack;
use embassy_net::tcp::TcpSocket;
use wisp_console::Session;

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

/// One accept task; [`SOCKETS`] of them run.
#[embassy_executor::task(pool_size = SOCKETS)]
pub async fn serve(stack: Stack<'static>, wisp: &'static Wisp) -> ! {
    let mut rx = [0; TCP_RX];
    let mut tx = [0; TCP_TX];
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    loop {
        wisp.accept::<SESSION_RX, SESSION_TX>(&mut socket, 80).await;
    }
}
