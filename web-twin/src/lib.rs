//! # wisp-web-twin — the device inside the page
//!
//! The same simulated device (`wisp-sim` on `wisp-console`) as `device-sim`
//! and the board, over in-memory
//! pipes ([`twin`]). It is its own WASM module: the dashboard imports it only
//! when asked for `?twin`, so pointing the page at a real device does not
//! download a second device.

pub mod twin;

/// The JavaScript face of the twin (wasm32 only): `new TwinHandle(seed)`,
/// `poll(nowMicros)` → `[text | Uint8Array, …]` pairs tagged by kind, and
/// `command(text)`.
#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    use crate::twin::{Incoming, Twin};

    /// A running twin.
    #[wasm_bindgen]
    pub struct TwinHandle(Twin);

    #[wasm_bindgen]
    impl TwinHandle {
        /// Boot the device; `seed` varies keys and sensor noise.
        #[wasm_bindgen(constructor)]
        pub fn new(seed: u32) -> TwinHandle {
            TwinHandle(Twin::new(seed))
        }

        /// Run the device at `now` (µs). Returns a flat array: `"c"` and a
        /// console text, or `"t"` and a tap message (`Uint8Array`), per item.
        pub fn poll(&mut self, now: f64) -> js_sys::Array {
            let (console, tap) = self.0.poll(now as u64);
            let out = js_sys::Array::new();
            for m in console {
                if let Incoming::Text(s) = m {
                    out.push(&JsValue::from_str("c"));
                    out.push(&JsValue::from_str(&s));
                }
            }
            for m in tap {
                if let Incoming::Binary(b) = m {
                    out.push(&JsValue::from_str("t"));
                    out.push(&js_sys::Uint8Array::from(&b[..]));
                }
            }
            out
        }

        /// Send a command on the console connection.
        pub fn command(&mut self, text: &str) {
            self.0.command(text);
        }
    }
}
