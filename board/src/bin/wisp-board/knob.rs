//! Build-time sizes: buffer sizes read from the environment of `cargo
//! build`, so that the RAM-against-throughput curve can be measured without
//! editing the source (`WISP_BOARD_TCP_RX=4096 board/run.sh`).

/// `value` as a decimal number, or `default` when unset. A value that is
/// not a number fails the build.
pub const fn size(value: Option<&str>, default: usize) -> usize {
    let Some(text) = value else { return default };
    let bytes = text.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        let d = bytes[i];
        assert!(d.is_ascii_digit(), "a buffer size is a decimal number");
        n = n * 10 + (d - b'0') as usize;
        i += 1;
    }
    n
}
