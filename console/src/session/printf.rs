//! `/printf`: the console stream, commands and their replies.
//!
//! Output goes in this order, one message at a time: a block line being
//! streamed (nothing else may go between its frames), then replies to this
//! client's commands, then `help` lines, then console lines from the
//! session's reader, with a `! dropped` notice where it lost some.

use core::fmt::Write as _;

use wisp::{CloseCode, Outgoing};

use super::websocket::Tapper;
use super::{Session, with_ep};
use crate::Micros;
use crate::app::App;
use crate::command::{BUILTINS, COMMAND_MAX, Call, Replies, Usage, split};
use crate::console::{Block, Entry, LINE_MAX, Lines, ReaderId};
use crate::device::Device;
use crate::http::Service;
use crate::tap::{RECORD_MAX, TapRing};

/// The longest console line as a message: `#`, 20 digits, a space, the
/// text and a block title's newline.
const LINE_MESSAGE_MAX: usize = 1 + 20 + 1 + LINE_MAX + 1;
/// The largest piece of a block body sent as one frame.
const BLOCK_FRAME_MAX: usize = 512;
/// The largest `/tap` message: a batch of length-prefixed records.
const TAP_MESSAGE_MAX: usize = 1536;

/// A block line being streamed: what it is and where its body is.
#[derive(Debug, Clone, Copy)]
struct Stream {
    block: Block,
    pos: u32,
}

/// The `/printf` state of a session.
pub(super) struct Printf {
    /// The service, once upgraded (kept for the log after the close).
    pub service: Option<Service>,
    reader: Option<ReaderId>,
    stream: Option<Stream>,
    command: heapless::Vec<u8, COMMAND_MAX>,
    too_long: bool,
    replies: Replies,
    /// The next `help` line to send.
    help: Option<usize>,
    /// No console reader was free.
    refused: bool,
}

impl Printf {
    pub const fn new() -> Self {
        Printf {
            service: None,
            reader: None,
            stream: None,
            command: heapless::Vec::new(),
            too_long: false,
            replies: Replies::new(),
            help: None,
            refused: false,
        }
    }

    pub fn join(&mut self, console: &dyn Lines, backlog: u64) {
        self.reader = console.subscribe(backlog);
        self.refused = self.reader.is_none();
    }

    pub fn leave(&mut self, console: &dyn Lines) {
        if let Some(id) = self.reader.take() {
            console.unsubscribe(id);
        }
    }

    pub fn replies_len(&self) -> usize {
        self.replies.len()
    }

    pub fn reply(&mut self, args: core::fmt::Arguments<'_>) {
        self.replies.line(args);
    }

    /// A piece of a message from the client; true when a whole command is
    /// ready.
    pub fn take(&mut self, text: bool, payload: &[u8], fin: bool) -> bool {
        if !text {
            if fin {
                self.replies.notice(format_args!("binary messages are not commands; send text"));
            }
            return false;
        }
        if self.command.extend_from_slice(payload).is_err() {
            self.too_long = true;
        }
        if fin && core::mem::take(&mut self.too_long) {
            self.command.clear();
            self.replies.notice(format_args!("command longer than {COMMAND_MAX} bytes"));
            return false;
        }
        fin
    }
}

impl<const RX: usize, const TX: usize> Session<RX, TX> {
    /// Run the command the client just completed.
    pub(super) fn command<A: App, const N: usize>(&mut self, now: Micros, dev: &mut Device<'_, A, N>) {
        let bytes = core::mem::take(&mut self.printf.command);
        // The engine validated the UTF-8.
        let text = core::str::from_utf8(&bytes).unwrap_or_default();
        let (name, args) = split(text);
        match name {
            "help" => self.printf.help = Some(0),
            "ping" => self.user_ping(now, &mut dev.taps),
            "print" if args.is_empty() => self.printf.replies.notice(format_args!("usage: print <text>")),
            "print" => {
                dev.console.print(args);
            }
            "close" => self.close_command(args, now),
            "" => self.printf.replies.notice(format_args!("empty command; try 'help'")),
            _ => match A::COMMANDS.iter().find(|c| c.name == name) {
                Some(c) => {
                    let mut call = Call::new(args, &mut self.printf.replies, now, dev.console, self.id);
                    let result = (c.run)(&mut dev.app, &mut call);
                    self.printf.replies.finish();
                    if result == Err(Usage) {
                        let (n, a) = (c.name, c.args);
                        self.printf.replies.notice(format_args!("usage: {n} {a}"));
                    }
                    // What the application does may have changed.
                    dev.wake_app();
                }
                None => self.printf.replies.notice_quoting("unknown command; try 'help'", name),
            },
        }
    }

    fn close_command(&mut self, args: &str, now: Micros) {
        let (code, reason) = args.split_once(' ').unwrap_or((args, ""));
        let code = code.parse::<u16>().ok().map(CloseCode).filter(|c| c.is_sendable());
        let Some(code) = code else {
            let usage = "usage: close <code> [reason], code 1000-1003, 1007-1014 or 3000-4999";
            return self.printf.replies.notice(format_args!("{usage}"));
        };
        // The reason goes back in this client's close frame only, cleaned.
        let mut why = crate::line::LineBuf::new();
        why.push_str(crate::line::truncate(reason, 64), crate::line::Source::Client);
        let why = core::str::from_utf8(why.as_bytes()).unwrap_or_default();
        let why = crate::line::truncate(why, wisp::close::MAX_REASON_LEN);
        if with_ep!(&mut self.link, ep => ep.close(code, why)).is_ok() {
            self.closing_since = Some(now);
            self.ending = Some(super::Ending { code: Some(code), why: "closed by command" });
        }
    }

    /// Move output into the transmit buffer while it has room.
    pub(super) fn produce<A: App, const N: usize>(&mut self, now: Micros, dev: &mut Device<'_, A, N>) {
        if self.printf.refused {
            self.printf.refused = false;
            self.printf.replies.notice(format_args!("console busy: too many readers"));
            self.ws_close(CloseCode::TRY_AGAIN_LATER, "console busy", now);
        }
        let mut tap = Tapper { ring: &mut dev.taps, session: self.id, now, on: false };
        tap.on = tap.ring.listeners > 0;
        let console = dev.console;
        let app = &mut dev.app;
        let printf = &mut self.printf;
        with_ep!(&mut self.link, ep => loop {
            if ep.connection().close_sent() || ep.room() < LINE_MESSAGE_MAX {
                return;
            }
            let mut frame = [0u8; BLOCK_FRAME_MAX];
            // A block being streamed: its next frame, as many pieces of the
            // body as fit.
            if let Some(stream) = printf.stream {
                let cap = ep.room().min(frame.len());
                let (mut n, mut next) = (0, Some(stream.pos));
                while let Some(pos) = next {
                    let Some(out) = frame.get_mut(n..cap) else { break };
                    if out.len() < 96 {
                        break;
                    }
                    let (len, after) = app.block(stream.block, pos, out);
                    n += len.min(out.len());
                    next = after;
                    if len == 0 && after.is_some() {
                        break;
                    }
                }
                let piece = frame.get(..n).unwrap_or_default();
                if ep.send_tapped(Outgoing::Text { payload: piece, fin: next.is_none() }, &mut tap).is_err() {
                    return;
                }
                printf.stream = next.map(|pos| Stream { block: stream.block, pos });
                continue;
            }
            // Replies to this client, then help.
            if let Some(line) = printf.replies.first() {
                if ep.send_tapped(Outgoing::Text { payload: line, fin: true }, &mut tap).is_err() {
                    return;
                }
                printf.replies.pop();
                continue;
            }
            if let Some(i) = printf.help {
                let n = help_line::<A>(i, &mut frame);
                if n == 0 {
                    printf.help = None;
                    continue;
                }
                if ep.send_tapped(Outgoing::Text { payload: frame.get(..n).unwrap_or_default(), fin: true }, &mut tap).is_err() {
                    return;
                }
                printf.help = Some(i + 1);
                continue;
            }
            // Console lines.
            let Some(reader) = printf.reader else { return };
            let mut text = [0u8; LINE_MAX];
            let (n, fin, block) = match console.read(reader, &mut text) {
                Entry::Empty => return,
                Entry::Dropped { from, to } => {
                    let mut w = Cursor::new(&mut frame);
                    let _ = write!(w, "! dropped {} lines (#{from}..#{to}): this client reads too slowly", to - from + 1);
                    (w.len, true, None)
                }
                Entry::Line { seq, block, len, .. } => {
                    let mut w = Cursor::new(&mut frame);
                    let _ = write!(w, "#{seq} ");
                    w.put(text.get(..len).unwrap_or_default());
                    if block.is_some() {
                        // A block's first frame is its title; FIN=0: the
                        // body's length is not known to anyone yet.
                        w.put(b"\n");
                    }
                    (w.len, block.is_none(), block)
                }
            };
            let message = frame.get(..n).unwrap_or_default();
            // The room was checked above, so the line cannot be lost here.
            let _ = ep.send_tapped(Outgoing::Text { payload: message, fin }, &mut tap);
            if let Some(block) = block {
                printf.stream = Some(Stream { block, pos: 0 });
            }
        });
    }

    /// Send tap records to this `/tap` session, a batch per message.
    pub(super) fn tap_out<A: App, const N: usize>(&mut self, _now: Micros, dev: &mut Device<'_, A, N>) {
        let Some(mut at) = self.tap_at else { return };
        let taps: &mut TapRing = &mut dev.taps;
        with_ep!(&mut self.link, ep => loop {
            if ep.connection().close_sent() || at >= taps.next() {
                return;
            }
            let cap = ep.room().min(TAP_MESSAGE_MAX);
            let mut buf = [0u8; TAP_MESSAGE_MAX];
            let (first, records) = taps.since(at);
            let (mut n, mut count) = (0, 0);
            for r in records {
                let Some(dst) = buf.get_mut(n + 1..(n + 1 + RECORD_MAX).min(cap)) else { break };
                if dst.len() < RECORD_MAX {
                    break;
                }
                let len = r.encode(dst);
                if let Some(prefix) = buf.get_mut(n) {
                    *prefix = len as u8;
                }
                n += 1 + len;
                count += 1;
            }
            if count == 0 || ep.send(Outgoing::Binary { payload: buf.get(..n).unwrap_or_default(), fin: true }).is_err() {
                return;
            }
            taps.dropped += first - at;
            at = first + count;
            self.tap_at = Some(at);
        });
    }
}

/// `help` line `i`: the built-ins, then the application's commands; 0 past
/// the last.
fn help_line<A: App>(i: usize, out: &mut [u8]) -> usize {
    let (name, args, help) = match BUILTINS.get(i) {
        Some(&b) => b,
        None => match A::COMMANDS.get(i - BUILTINS.len()) {
            Some(c) => (c.name, c.args, c.help),
            None => return 0,
        },
    };
    let mut w = Cursor::new(out);
    let _ = write!(w, "> {name}");
    let mut used = name.len();
    if !args.is_empty() {
        let _ = write!(w, " {args}");
        used += 1 + args.len();
    }
    for _ in used..18 {
        w.put(b" ");
    }
    let _ = write!(w, " {help}");
    w.len
}

/// Formatting into a byte buffer, dropping what does not fit.
struct Cursor<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> Cursor<'b> {
    fn new(buf: &'b mut [u8]) -> Self {
        Cursor { buf, len: 0 }
    }

    fn put(&mut self, bytes: &[u8]) {
        let end = (self.len + bytes.len()).min(self.buf.len());
        if let (Some(dst), Some(src)) = (self.buf.get_mut(self.len..end), bytes.get(..end - self.len)) {
            dst.copy_from_slice(src);
        }
        self.len = end;
    }
}

impl core::fmt::Write for Cursor<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.put(s.as_bytes());
        Ok(())
    }
}
