//! Which end of the connection an engine is, as a type ([RFC 6455 §5.1]).
//!
//! A client masks every frame it sends with a fresh key and receives unmasked
//! frames; a server does the opposite. Making the side a type parameter
//! means a server's `send` has no masking key to ignore, a client's cannot
//! forget one, and a device that only serves links none of the client's
//! masking code.
//!
//! [RFC 6455 §5.1]: https://www.rfc-editor.org/rfc/rfc6455#section-5.1

/// The two ends as a value, for logs and getters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Accepted the connection; receives masked frames, sends unmasked ones.
    Server,
    /// Opened the connection; sends masked frames, receives unmasked ones.
    Client,
}

/// The server side: receives masked frames, sends unmasked ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Server;

/// The client side: sends masked frames, receives unmasked ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Client;

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Server {}
    impl Sealed for super::Client {}
}

/// [`Server`] or [`Client`]: the type parameter of
/// [`Connection`](crate::Connection) and [`Endpoint`](crate::Endpoint).
pub trait Side: sealed::Sealed + Copy + Default + core::fmt::Debug {
    /// This side as a value.
    const ROLE: Role;
    /// This side masks what it sends (§5.1: the client).
    const MASKS: bool = matches!(Self::ROLE, Role::Client);
}

impl Side for Server {
    const ROLE: Role = Role::Server;
}

impl Side for Client {
    const ROLE: Role = Role::Client;
}

/// Where a client's masking keys come from: four fresh, unpredictable bytes
/// per frame (§5.3: "derived from a strong source of entropy").
///
/// Any `FnMut() -> [u8; 4]` is one, so a platform passes its generator as a
/// closure: `&mut || rng.next_u32().to_le_bytes()`.
pub trait MaskSource {
    /// The key for the next frame.
    fn next_key(&mut self) -> [u8; 4];
}

impl<F: FnMut() -> [u8; 4]> MaskSource for F {
    fn next_key(&mut self) -> [u8; 4] {
        self()
    }
}
