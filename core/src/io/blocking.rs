//! A blocking WebSocket over `embedded_io::{Read, Write}`.
//!
//! ```no_run
//! # #[cfg(feature = "handshake")] {
//! use std::net::TcpListener;
//! use embedded_io_adapters::std::FromStd;
//! use wisp::io::blocking::WebSocket;
//! use wisp::{Event, Outgoing};
//!
//! let listener = TcpListener::bind("127.0.0.1:9002").unwrap();
//! let (sock, _) = listener.accept().unwrap();
//! let (mut rx, mut tx) = ([0u8; 1024], [0u8; 1024]);
//! let mut ws = WebSocket::accept(FromStd::new(sock), &mut rx, &mut tx).unwrap();
//! while let Ok(Event::Data { kind, payload, fin }) = ws.read() {
//!     let echo = payload.to_vec();
//!     ws.send(Outgoing::data(kind, &echo, fin)).unwrap();
//! }
//! # }
//! ```

use embedded_io::{Read, Write};

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

websocket!("a blocking transport",;);
