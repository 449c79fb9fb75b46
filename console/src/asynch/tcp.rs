//! An accept task's whole body on an `embassy-net` socket (feature
//! `embassy-net`): what every firmware on embassy-net would otherwise
//! write around [`Shared::serve`].

use embassy_net::IpAddress;
use embassy_net::tcp::TcpSocket;
use embassy_sync::blocking_mutex::raw::RawMutex;
use embassy_time::{Duration, with_timeout};

use super::{EmbassyClock, Shared};
use crate::Peer;
use crate::app::App;
use crate::session::Ending;

/// A peer that stops acknowledging what the device sent loses its socket
/// after this long (TCP's own deadline, below the session's).
pub const TCP_TIMEOUT: Duration = Duration::from_secs(10);

/// After the device's close, how long the socket waits for the peer's.
/// Listening again at once would reset a connection the peer is still
/// closing (the device closes first after a close handshake, RFC 6455
/// §7.1.1, so it is the one left in TIME-WAIT).
pub const LINGER: Duration = Duration::from_secs(2);

impl<M: RawMutex, A: App, const N: usize> Shared<'_, M, A, N> {
    /// Accept one connection on `port` with `socket`, serve it to its end
    /// with `RX`/`TX`-byte session buffers, and close it: gracefully when
    /// the peer closes within [`LINGER`], with a reset otherwise. Returns
    /// why the session ended (`None`: the accept itself failed). Call it in
    /// a loop, one task per socket:
    ///
    /// ```ignore
    /// #[embassy_executor::task(pool_size = 3)]
    /// async fn web(stack: Stack<'static>, wisp: &'static Wisp) -> ! {
    ///     let (mut rx, mut tx) = ([0; 512], [0; 512]);
    ///     let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
    ///     loop {
    ///         wisp.accept::<1024, 1024>(&mut socket, 80).await;
    ///     }
    /// }
    /// ```
    ///
    /// A socket in TIME-WAIT is taken back at once: smoltcp's `listen`
    /// resets a socket that is not open.
    pub async fn accept<const RX: usize, const TX: usize>(
        &self,
        socket: &mut TcpSocket<'_>,
        port: u16,
    ) -> Option<Ending> {
        socket.set_timeout(Some(TCP_TIMEOUT));
        let mut ending = None;
        if socket.accept(port).await.is_ok() {
            let peer = socket.remote_endpoint().and_then(|e| peer_of(e.addr));
            let (mut reader, mut writer) = socket.split();
            ending = Some(self.serve::<_, _, _, RX, TX>(&mut reader, &mut writer, peer, &EmbassyClock).await);
            socket.close();
            let closed = with_timeout(LINGER, async {
                let mut scrap = [0; 64];
                while let Ok(1..) = socket.read(&mut scrap).await {}
                socket.flush().await
            })
            .await;
            if matches!(closed, Ok(Ok(()))) {
                return ending;
            }
        }
        // A connection that failed, or did not close in time: reset it, and
        // let the reset go out before the socket listens again.
        socket.abort();
        let _ = socket.flush().await;
        ending
    }
}

/// The peer as the per-peer limit counts it.
fn peer_of(addr: IpAddress) -> Option<Peer> {
    // The other arm exists only when the firmware turns on `proto-ipv6`.
    #[allow(unreachable_patterns)]
    match addr {
        IpAddress::Ipv4(a) => Some(Peer::from(a.octets())),
        _ => None,
    }
}
