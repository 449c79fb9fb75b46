//! A console line as the page shows it: HTML with every character escaped,
//! ANSI SGR sequences (`ESC [ <digits and ;> m`) drawn as colours, every other
//! control byte replaced by a visible stand-in, and search matches marked.
//!
//! The device and the network are untrusted: nothing of a line reaches the
//! page but escaped text. The only markup is what this module writes itself
//! (`span`, `mark`, fixed class names, colours it formats from numbers).
//!
//! Offsets (search matches) count bytes of the *visible* text: the line
//! without its SGR sequences, control bytes as their stand-ins
//! ([`visible`]), which is also what filter, search and download see.

use super::color::{DARK_BG, LIGHT_BG, Rgb};

/// Longest SGR parameter list read as one (`38;2;255;255;255` is 16).
const SGR_MAX: usize = 32;

/// A piece of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    /// Printable text.
    Text(&'a str),
    /// An SGR sequence's parameters (`"1;34"`).
    Sgr(&'a str),
    /// A control character (or a bidirectional override), shown as a stand-in.
    Control(char),
}

/// Characters that must not reach the page as they are: C0 and C1 controls
/// (TAB excepted), DEL, and the bidirectional overrides and isolates that
/// can make text read other than it is stored.
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The visible stand-in for a hidden character: its Unicode control picture
/// (`␛` for ESC, `␇` for BEL, `␡` for DEL), or U+FFFD.
fn stand_in(c: char) -> char {
    match c {
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        _ => '\u{fffd}',
    }
}

fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let c = rest.chars().next()?;
        if let Some(after) = rest.strip_prefix("\u{1b}[") {
            let n = after.bytes().take(SGR_MAX).take_while(|b| b.is_ascii_digit() || *b == b';').count();
            if after.as_bytes().get(n) == Some(&b'm') {
                rest = after.get(n + 1..).unwrap_or_default();
                return Some(Piece::Sgr(after.get(..n).unwrap_or_default()));
            }
        }
        if is_hidden(c) {
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
            return Some(Piece::Control(c));
        }
        let end = rest.char_indices().find(|&(_, c)| is_hidden(c)).map_or(rest.len(), |(i, _)| i);
        let (run, tail) = rest.split_at_checked(end).unwrap_or((rest, ""));
        rest = tail;
        Some(Piece::Text(run))
    })
}

/// Whether the line has anything [`visible`] would change.
pub fn is_plain(text: &str) -> bool {
    !text.chars().any(is_hidden)
}

/// The text as shown: SGR sequences removed, other control bytes replaced.
pub fn visible(text: &str, out: &mut String) {
    for p in pieces(text) {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Sgr(_) => {}
            Piece::Control(c) => out.push(stand_in(c)),
        }
    }
}

/// The SGR state: colours, bold, italic, underline (other attributes are
/// not drawn).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Style {
    fg: Option<Rgb>,
    bg: Option<Rgb>,
    bold: bool,
    italic: bool,
    underline: bool,
}

impl Style {
    /// Apply one SGR sequence's parameters (empty means 0, reset).
    fn apply(&mut self, params: &str) {
        let mut it = params.split(';').map(|p| p.parse::<u16>().unwrap_or(0));
        while let Some(p) = it.next() {
            match p {
                0 => *self = Style::default(),
                1 => self.bold = true,
                3 => self.italic = true,
                4 => self.underline = true,
                22 => self.bold = false,
                23 => self.italic = false,
                24 => self.underline = false,
                30..=37 => self.fg = Some(Rgb::palette((p - 30) as u8)),
                90..=97 => self.fg = Some(Rgb::palette((p - 90 + 8) as u8)),
                40..=47 => self.bg = Some(Rgb::palette((p - 40) as u8)),
                100..=107 => self.bg = Some(Rgb::palette((p - 100 + 8) as u8)),
                39 => self.fg = None,
                49 => self.bg = None,
                38 | 48 => {
                    let c = match it.next() {
                        Some(5) => it.next().map(|n| Rgb::palette(n.min(255) as u8)),
                        Some(2) => {
                            let mut ch = || it.next().map_or(0, |v| v.min(255) as u8);
                            Some(Rgb(ch(), ch(), ch()))
                        }
                        _ => None,
                    };
                    if p == 38 { self.fg = c } else { self.bg = c }
                }
                _ => {}
            }
        }
    }

    /// Open a `span` for this style (nothing for the default style).
    /// Colours are readable on the background they are drawn on: the
    /// theme's (a `--l`/`--d` pair the markup's CSS picks from), or the
    /// line's own SGR background.
    fn open(&self, out: &mut String) -> bool {
        if *self == Style::default() {
            return false;
        }
        let (fg, bg) = (self.fg, self.bg);
        out.push_str("<span class=\"sgr");
        for (on, class) in [(self.bold, " b"), (self.italic, " i"), (self.underline, " u")] {
            if on {
                out.push_str(class);
            }
        }
        out.push_str("\" style=\"");
        match bg {
            Some(bg) => {
                let fg = fg.unwrap_or(if bg.luminance() > 0.18 { Rgb(0, 0, 0) } else { Rgb(0xff, 0xff, 0xff) });
                out.push_str("background:");
                bg.hex(out);
                out.push_str(";color:");
                fg.readable_on(bg).hex(out);
            }
            None => {
                if let Some(fg) = fg {
                    out.push_str("--l:");
                    fg.readable_on(LIGHT_BG).hex(out);
                    out.push_str(";--d:");
                    fg.readable_on(DARK_BG).hex(out);
                }
            }
        }
        out.push_str("\">");
        true
    }
}

/// Text escaped for HTML (element content or a quoted attribute).
pub fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// A search match in visible-text bytes: start, length, and whether it is
/// the current one.
pub type Mark = (usize, usize, bool);

/// Write `text` as HTML into `out`: escaped, SGR as spans, controls as
/// stand-ins, `marks` (sorted, not overlapping) as `mark` elements.
pub fn line_html(text: &str, marks: &[Mark], out: &mut String) {
    let mut style = Style::default();
    let mut span = false;
    let mut at = 0; // visible bytes written
    let mut next = 0; // the next mark to open
    let mut open: Option<Mark> = None;
    let mut buf = [0u8; 4];
    for p in pieces(text) {
        let mut run: &str = match p {
            Piece::Sgr(params) => {
                let before = style;
                style.apply(params);
                if style != before {
                    // Elements nest: the mark closes and reopens around the new span.
                    if open.is_some() {
                        out.push_str("</mark>");
                    }
                    if span {
                        out.push_str("</span>");
                    }
                    span = style.open(out);
                    if let Some(m) = open {
                        open_mark(m, out);
                    }
                }
                continue;
            }
            Piece::Text(t) => t,
            Piece::Control(c) => stand_in(c).encode_utf8(&mut buf),
        };
        while !run.is_empty() {
            let boundary = match open {
                Some((start, len, _)) => start + len,
                None => marks.get(next).map_or(usize::MAX, |m| m.0),
            };
            let n = ceil_boundary(run, boundary.saturating_sub(at));
            let (done, tail) = run.split_at_checked(n).unwrap_or((run, ""));
            escape(done, out);
            at += n;
            run = tail;
            if at >= boundary {
                match open.take() {
                    Some(_) => out.push_str("</mark>"),
                    // Opened only before text, so no empty mark at a run's end.
                    None if !run.is_empty() => {
                        if let Some(&m) = marks.get(next) {
                            open_mark(m, out);
                            open = Some(m);
                            next += 1;
                        }
                    }
                    None => {}
                }
            }
        }
    }
    if open.is_some() {
        out.push_str("</mark>");
    }
    if span {
        out.push_str("</span>");
    }
}

fn open_mark(m: Mark, out: &mut String) {
    out.push_str(if m.2 { "<mark class=\"cur\">" } else { "<mark>" });
}

/// The smallest char boundary of `s` at or above `n` (a mark that ends
/// inside a character takes the whole character).
fn ceil_boundary(s: &str, n: usize) -> usize {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(text: &str, marks: &[Mark]) -> String {
        let mut s = String::new();
        line_html(text, marks, &mut s);
        s
    }

    fn shown(text: &str) -> String {
        let mut s = String::new();
        visible(text, &mut s);
        s
    }

    #[test]
    fn device_text_is_escaped() {
        let evil = "<img src=x onerror=alert(1)> & \"quoted\" 'too'";
        let out = html(evil, &[]);
        assert_eq!(out, "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot; &#39;too&#39;");
        // An SGR-looking sequence cannot smuggle anything into the style.
        let out = html("\u{1b}[31;\"onmouseover=x m<b>", &[]);
        assert!(!out.contains("<b>") && !out.contains("onmouseover=x m\""), "{out}");
        assert!(out.starts_with('\u{241b}'), "the ESC of a non-SGR sequence is shown: {out}");
    }

    #[test]
    fn sgr_colours_become_spans_readable_on_both_themes() {
        let colors = "\u{1b}[31mred\u{1b}[0m \u{1b}[32mgreen\u{1b}[0m \u{1b}[1;34mbold blue\u{1b}[0m \u{1b}[38;5;208morange\u{1b}[0m";
        let out = html(colors, &[]);
        assert_eq!(out.matches("<span").count(), 4);
        assert_eq!(out.matches("</span>").count(), 4);
        assert!(!out.contains('\u{1b}'), "no raw escape: {out}");
        assert!(out.contains("class=\"sgr b\""), "bold: {out}");
        // Orange, darkened for the light theme, as it is for the dark one.
        assert!(out.contains("--l:#b25e00;--d:#ff8700\">orange</span>"), "{out}");
        assert_eq!(shown(colors), "red green bold blue orange");
        // A background; 24-bit colour; attributes other than bold, italic
        // and underline (inverse, blink …) are left out.
        let out = html("\u{1b}[43mwarn\u{1b}[7;5m!\u{1b}[49;38;2;1;2;3mrgb", &[]);
        assert!(out.contains("background:#cdcd00;color:#000000\">warn"), "{out}");
        assert!(out.contains("--l:#010203;--d:#99999a\">rgb"), "{out}");
    }

    #[test]
    fn other_control_bytes_are_shown_as_stand_ins() {
        let text = "bell\u{7} cr\r nul\0 del\u{7f} c1\u{85} bidi\u{202e}txt tab\tok \u{1b}[2J";
        assert_eq!(shown(text), "bell␇ cr␍ nul␀ del␡ c1\u{fffd} bidi\u{fffd}txt tab\tok ␛[2J");
        let out = html(text, &[]);
        assert!(!out.chars().any(|c| c.is_control() && c != '\t'), "{out:?}");
        assert!(!is_plain(text) && is_plain("plain\ttext"));
    }

    #[test]
    fn marks_count_visible_bytes_across_colours_and_stand_ins() {
        // "red green": mark "d g" (visible 2..5), across the colour change.
        let text = "\u{1b}[31mred\u{1b}[0m green";
        let out = html(text, &[(2, 3, true)]);
        assert_eq!(
            out,
            "<span class=\"sgr\" style=\"--l:#cd0000;--d:#e16666\">re<mark class=\"cur\">d</mark></span><mark class=\"cur\"> g</mark>reen"
        );
        // Two marks, one after a stand-in (3 bytes visible).
        let out = html("a\u{7}bab", &[(0, 1, false), (5, 1, false)]);
        assert_eq!(out, "<mark>a</mark>␇b<mark>a</mark>b");
        // Escaping inside a mark.
        assert_eq!(html("x<y", &[(1, 1, false)]), "x<mark>&lt;</mark>y");
    }
}
