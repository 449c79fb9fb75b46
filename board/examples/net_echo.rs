//! embassy on the emulated board: embassy-net over the LAN9118 at
//! 10.0.2.15/24, and TCP echo tasks on port 80, one socket each.
//!
//! The shape a Wisp console runner takes on this board: one task runs the
//! network stack, N tasks loop `accept(80)` then serve the connection (here:
//! echo it), and other tasks do their own work (here: report the stack's
//! high-water mark on the UART every 10 s). `examples/net_echo_check.py`
//! boots it in QEMU and checks it from the host.
#![no_std]
#![no_main]

use core::fmt::Write as _;

use embassy_executor::Spawner;
use embassy_net::tcp::TcpSocket;
use embassy_net::{Stack, StackResources};
use embassy_time::{Duration, Timer};
use embedded_io_async::Write as _;
use static_cell::StaticCell;
use wisp_board::uart::Uart0;
use wisp_board::{ADDRESS_TEXT, stack};

/// Connections served at once: one socket and one task each.
const SOCKETS: usize = 4;
/// Each socket's receive and transmit buffer.
const SOCKET_BUF: usize = 4096;

static RESOURCES: StaticCell<StackResources<SOCKETS>> = StaticCell::new();

/// Accept a connection on port 80, echo it until the peer closes, close,
/// and listen again. The socket and its buffers live in the task.
#[embassy_executor::task(pool_size = SOCKETS)]
async fn echo(stack: Stack<'static>, id: usize) -> ! {
    let mut rx = [0; SOCKET_BUF];
    let mut tx = [0; SOCKET_BUF];
    let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    let mut buf = [0; 1024];
    let mut uart = Uart0::new();
    loop {
        // After a close the socket waits in TIME-WAIT; `accept` takes it out
        // of there (smoltcp's `listen` resets a socket that is not open).
        if socket.accept(80).await.is_err() {
            socket.abort();
            continue;
        }
        if let Some(peer) = socket.remote_endpoint() {
            let _ = writeln!(uart, "net_echo: socket {id}: {peer} connected\r");
        }
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if socket.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        socket.close();
        // Until the peer has the last byte and our FIN.
        let _ = socket.flush().await;
        let _ = writeln!(uart, "net_echo: socket {id}: closed\r");
    }
}

/// The stack's high-water mark on the UART, now and every 10 s.
#[embassy_executor::task]
async fn report() -> ! {
    let mut uart = Uart0::new();
    loop {
        let _ = writeln!(uart, "net_echo: stack high-water {} B\r", stack::high_water());
        Timer::after(Duration::from_secs(10)).await;
    }
}

#[embassy_executor::main(entry = "cortex_m_rt::entry", executor = "wisp_board::executor::WfiExecutor")]
async fn main(spawner: Spawner) {
    wisp_board::init();
    let mut uart = Uart0::new();
    let _ = writeln!(uart, "\r\nnet_echo: mps2-an386 (Cortex-M4F), embassy, console on UART0\r");
    let stack = wisp_board::net::start(spawner, RESOURCES.init(StackResources::new()));
    // Spawning fails only when a task's pool is smaller than the loop below
    // asks for: at boot, every time, which the check would see.
    for id in 0..SOCKETS {
        spawner.spawn(echo(stack, id).unwrap());
    }
    spawner.spawn(report().unwrap());
    let _ = writeln!(uart, "net_echo: {ADDRESS_TEXT}, {SOCKETS} echo sockets on port 80\r");
}
