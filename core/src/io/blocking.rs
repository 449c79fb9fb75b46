//! A blocking WebSocket over `embedded_io::{Read, Write}`.

use embedded_io::{Read, Write};

use super::session::{Session, Step, close_frame, rest};
use super::{Incoming, IoError, websocket};
use crate::{CloseCode, Connection, Error, Outgoing};

websocket!("a blocking transport",;);
