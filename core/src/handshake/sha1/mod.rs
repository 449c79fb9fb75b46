//! The SHA-1 ([FIPS 180-4]) behind the accept key, chosen by the device.
//!
//! `Sec-WebSocket-Accept` ([RFC 6455 §4.2.2] item 5.4) is the SHA-1 of the
//! client's key and a GUID. Where that digest comes from is the device's
//! choice, by feature:
//!
//! | feature | implementation | Cortex-M4 code (`size/report.py`) |
//! | --- | --- | ---: |
//! | `sha1-smol` (default) | `Sha1Smol`: the `sha1_smol` crate | 3,016 B |
//! | `compact-sha1` | `CompactSha1`: a rolled loop in this crate | 428 B |
//! | neither | the device's own [`Sha1`]: a hash peripheral (STM32 HASH, the ESP32 SHA accelerator, nRF CryptoCell) or the SHA-1 its TLS stack links | its own (a peripheral's driver: ~140 B) |
//!
//! The plain functions (`write_accept`, `accept_key`, `ClientHandshake::new`)
//! exist only with one of the two features. With both on, `compact-sha1`
//! wins: both are exact SHA-1, so only the size differs, and a device that
//! asks for the small one gets it even when another crate in its build left
//! the default on.
//!
//! With or without a feature, the `_with` forms take any [`Sha1`]:
//! [`write_accept_with`], [`accept_key_with`] and
//! [`ClientHandshake::with_hasher`]. A closure `FnMut(&[u8]) -> [u8; 20]` is a
//! [`Sha1`] too. A device that supplies its own links none of the built-in
//! code.
//!
//! ```
//! use wisp::handshake::{accept_key_with, sha1::Sha1};
//!
//! /// A driver for a hash peripheral, as a device would write it.
//! struct HashPeripheral;
//! impl Sha1 for HashPeripheral {
//!     fn digest(&mut self, message: &[u8]) -> [u8; 20] {
//!         // Here the device feeds `message` to its peripheral and reads
//!         // the five digest words back; this example asks sha1_smol.
//!         sha1_smol::Sha1::from(message).digest().bytes()
//!     }
//! }
//! let accept = accept_key_with(b"dGhlIHNhbXBsZSBub25jZQ==", &mut HashPeripheral);
//! assert_eq!(&accept, b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
//! ```
//!
//! SHA-1's weaknesses do not matter here: the accept key is not a security
//! mechanism, it only shows that the server read the handshake (§1.3, §10).
//!
//! [FIPS 180-4]: https://csrc.nist.gov/pubs/fips/180-4/upd1/final
//! [RFC 6455 §4.2.2]: https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
//! [`write_accept_with`]: super::write_accept_with
//! [`accept_key_with`]: super::accept_key_with
//! [`ClientHandshake::with_hasher`]: super::ClientHandshake::with_hasher

#[cfg(any(feature = "compact-sha1", test))]
mod compact;

#[cfg(feature = "compact-sha1")]
pub use compact::CompactSha1;

/// A SHA-1 ([FIPS 180-4]) for the accept key: one call, the whole message in,
/// the digest out.
///
/// The handshake hashes one 60-byte message per connection (the 24-byte key
/// and the 36-byte GUID), so a one-shot call is all it needs, and any hash
/// API — streaming or not, hardware or software — can provide it.
///
/// [FIPS 180-4]: https://csrc.nist.gov/pubs/fips/180-4/upd1/final
pub trait Sha1 {
    /// The 20-byte SHA-1 digest of `message`.
    fn digest(&mut self, message: &[u8]) -> [u8; 20];
}

impl<F: FnMut(&[u8]) -> [u8; 20]> Sha1 for F {
    fn digest(&mut self, message: &[u8]) -> [u8; 20] {
        self(message)
    }
}

/// SHA-1 from the `sha1_smol` crate (feature `sha1-smol`, the default).
#[cfg(feature = "sha1-smol")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Sha1Smol;

#[cfg(feature = "sha1-smol")]
impl Sha1 for Sha1Smol {
    fn digest(&mut self, message: &[u8]) -> [u8; 20] {
        // `new` + `update`, not `Sha1::from`: that returns the 96-byte state
        // by value, which links an aligned `memcpy` into a device's image.
        let mut sha = sha1_smol::Sha1::new();
        sha.update(message);
        sha.digest().bytes()
    }
}

/// The implementation behind the plain functions: `compact-sha1` wins over
/// `sha1-smol`.
#[cfg(feature = "compact-sha1")]
pub(crate) type Builtin = CompactSha1;
#[cfg(all(feature = "sha1-smol", not(feature = "compact-sha1")))]
pub(crate) type Builtin = Sha1Smol;
