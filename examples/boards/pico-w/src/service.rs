//! The TCP service on port 80: [`SOCKETS`] tasks, each with its own socket,
//! accept a connection, serve it until the peer closes, and listen again.
//!
//! Serving is an echo for now; the Wisp console's server takes its place
//! (the accept loop stays). One command is understood already: a line
//! `led` toggles the board's LED, as the console's custom command will.

use defmt::info;
use embassy_net::Stack;
use embassy_net::tcp::TcpSocket;
use embassy_time::Duration;
use embedded_io_async::Write as _;

use crate::led;

/// Connections served at once.
pub const SOCKETS: usize = 4;
/// Each socket's receive and transmit buffer.
const SOCKET_BUF: usize = 4096;

/// One of the accept loops; its socket and buffers live in the task.
#[embassy_executor::task(pool_size = SOCKETS)]
pub async fn serve(stack: Stack<'static>, id: usize) -> ! {
    let mut rx = [0; SOCKET_BUF];
    let mut tx = [0; SOCKET_BUF];
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    let mut buf = [0; 1024];
    loop {
        // A peer that vanishes without a FIN must not hold the socket for good.
        socket.set_timeout(Some(Duration::from_secs(60)));
        if socket.accept(80).await.is_err() {
            socket.abort();
            continue;
        }
        info!("socket {}: {} connected", id, socket.remote_endpoint());
        loop {
            let n = match socket.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if buf[..n].trim_ascii() == b"led" {
                led::TOGGLE.signal(());
            }
            if socket.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        socket.close();
        let _ = socket.flush().await;
        info!("socket {}: closed", id);
    }
}
