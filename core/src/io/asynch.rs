//! An async WebSocket over `embedded_io_async::{Read, Write}`: embassy-net
//! sockets, or tokio through `embedded-io-adapters`.

use embedded_io_async::{Read, Write};

use super::session::{Session, Step, close_frame, rest};
use super::{Incoming, IoError, websocket};
use crate::{CloseCode, Connection, Error, Outgoing};

websocket!("an async transport", async; .await);
