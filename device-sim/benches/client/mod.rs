//! The measuring client the benches share: a tungstenite connection with
//! Nagle off and a generous read timeout.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use tungstenite::Message;

pub type Ws = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>;

pub fn connect(addr: SocketAddr, path: &str) -> Ws {
    let (ws, _) = tungstenite::connect(format!("ws://{addr}{path}")).unwrap();
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref() {
        s.set_nodelay(true).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    }
    ws
}

/// Send `burst n` and read the burst to its end, handing every text message
/// from its first line on to `each`. Returns how many burst lines came. A
/// new console client first gets the ring's backlog, which may end with an
/// earlier burst (a second run against the same board), and a reply goes
/// before console lines still waiting, so the acknowledgement may come
/// before that backlog: counting starts at this burst's first line,
/// `burst: <n-1> left`, after the acknowledgement.
#[allow(dead_code)] // not every bench reads a burst this way
pub fn burst(ws: &mut Ws, n: u32, mut each: impl FnMut(&str)) -> u32 {
    ws.send(Message::text(format!("burst {n}"))).unwrap();
    let first = format!(" burst: {} left", n - 1);
    let (mut acked, mut ours, mut got) = (false, false, 0);
    loop {
        let Message::Text(s) = ws.read().unwrap() else { continue };
        acked |= s.starts_with("> burst of");
        ours |= acked && s.ends_with(&first);
        if !ours {
            continue;
        }
        each(&s);
        got += u32::from(s.contains(" burst: "));
        if s.ends_with("burst: 0 left") {
            return got;
        }
    }
}
