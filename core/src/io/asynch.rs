//! An async WebSocket over `embedded_io_async::{Read, Write}`: embassy-net
//! sockets, or tokio through `embedded-io-adapters`. The same API as
//! [`blocking`](super::blocking), awaited.

use embedded_io_async::{Read, Write};

#[cfg(feature = "handshake")]
use super::{Decision, Request};
use super::{IoError, split, websocket};
#[cfg(feature = "handshake")]
use crate::Status;
use crate::connection::{Client, DEFAULT_MAX_SIZE, MaskSource, Server, Side};
use crate::endpoint::{Endpoint, NoMask};
#[cfg(feature = "handshake")]
use crate::handshake::{ClientHandshake, UpgradeRequest, write_accept, write_refusal, write_response};
use crate::{CloseCode, Error, Event, Outgoing};

websocket!("an async transport", async; .await);
