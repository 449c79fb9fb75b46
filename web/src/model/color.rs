//! Colours for ANSI SGR sequences, kept readable: WCAG 2 contrast, and a
//! colour moved towards black or white until it reaches AA (4.5:1) on the
//! background it is drawn on.
//!
//! Firmware picks its colours for a black terminal; on the dashboard's light
//! theme a 256-colour orange (208, `#ff8700`) would be 2.3:1. So every SGR
//! colour is drawn in two variants, one for each theme.

/// A colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// The light theme's panel background (the markup's `--panel`).
pub const LIGHT_BG: Rgb = Rgb(0xff, 0xff, 0xff);
/// The dark theme's panel background.
pub const DARK_BG: Rgb = Rgb(0x1a, 0x1c, 0x1f);

/// The contrast the page keeps: WCAG AA for text (4.5:1), with a margin.
const TARGET: f64 = 4.6;

/// xterm's 16 basic colours (SGR 30–37 and 90–97).
const BASIC: [Rgb; 16] = [
    Rgb(0x00, 0x00, 0x00),
    Rgb(0xcd, 0x00, 0x00),
    Rgb(0x00, 0xcd, 0x00),
    Rgb(0xcd, 0xcd, 0x00),
    Rgb(0x00, 0x00, 0xee),
    Rgb(0xcd, 0x00, 0xcd),
    Rgb(0x00, 0xcd, 0xcd),
    Rgb(0xe5, 0xe5, 0xe5),
    Rgb(0x7f, 0x7f, 0x7f),
    Rgb(0xff, 0x00, 0x00),
    Rgb(0x00, 0xff, 0x00),
    Rgb(0xff, 0xff, 0x00),
    Rgb(0x5c, 0x5c, 0xff),
    Rgb(0xff, 0x00, 0xff),
    Rgb(0x00, 0xff, 0xff),
    Rgb(0xff, 0xff, 0xff),
];

impl Rgb {
    /// Colour `n` of the 256-colour palette (SGR `38;5;n`): the 16 basic
    /// colours, a 6×6×6 cube, 24 greys.
    pub fn palette(n: u8) -> Rgb {
        match n {
            0..=15 => BASIC[usize::from(n)],
            16..=231 => {
                let i = n - 16;
                let level = |c: u8| if c == 0 { 0 } else { 55 + 40 * c };
                Rgb(level(i / 36), level(i / 6 % 6), level(i % 6))
            }
            _ => {
                let g = 8 + 10 * (n - 232);
                Rgb(g, g, g)
            }
        }
    }

    /// WCAG 2 relative luminance.
    pub fn luminance(self) -> f64 {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 { c / 12.92 } else { pow_2_4((c + 0.055) / 1.055) }
        };
        0.2126 * lin(self.0) + 0.7152 * lin(self.1) + 0.0722 * lin(self.2)
    }

    /// WCAG 2 contrast ratio of two colours (1 to 21).
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// This colour, or the nearest mix of it with black (on a light `bg`)
    /// or white (on a dark one) that is readable on `bg`.
    pub fn readable_on(self, bg: Rgb) -> Rgb {
        let to = if bg.luminance() > 0.18 { Rgb(0, 0, 0) } else { Rgb(0xff, 0xff, 0xff) };
        let mut c = self;
        for step in 1..=10u16 {
            if c.contrast(bg) >= TARGET {
                break;
            }
            let mix = |a: u8, b: u8| ((u16::from(a) * (10 - step) + u16::from(b) * step) / 10) as u8;
            c = Rgb(mix(self.0, to.0), mix(self.1, to.1), mix(self.2, to.2));
        }
        c
    }

    /// `#rrggbb`.
    pub fn hex(self, out: &mut String) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push('#');
        for b in [self.0, self.1, self.2] {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// `x^2.4` for `x` in 0..=1, as `x² · (x^⅕)²` with the fifth root by
/// Newton's method: the float `pow` would add a few KB to the page.
fn pow_2_4(x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let mut y = x.sqrt().sqrt(); // a start near x^0.2 on 0..1
    for _ in 0..8 {
        let y4 = y * y * y * y;
        y -= (y4 * y - x) / (5.0 * y4);
    }
    x * x * y * y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_power_is_exact_enough() {
        for i in 1..=100 {
            let x = f64::from(i) / 100.0;
            assert!((pow_2_4(x) - x.powf(2.4)).abs() < 1e-9, "{x}");
        }
    }

    #[test]
    fn contrast_as_wcag_defines_it() {
        assert!((Rgb(0, 0, 0).contrast(Rgb(255, 255, 255)) - 21.0).abs() < 1e-6);
        // #777 on white is the textbook 4.48:1, just short of AA.
        let r = Rgb(0x77, 0x77, 0x77).contrast(LIGHT_BG);
        assert!((r - 4.48).abs() < 0.01, "{r}");
    }

    #[test]
    fn every_palette_colour_is_made_readable_on_both_themes() {
        for n in 0..=255u8 {
            for bg in [LIGHT_BG, DARK_BG] {
                let c = Rgb::palette(n).readable_on(bg);
                assert!(c.contrast(bg) >= 4.5, "colour {n} on {bg:?}: {c:?}");
            }
        }
        assert_eq!(Rgb::palette(208), Rgb(0xff, 0x87, 0x00), "orange");
        assert_eq!(Rgb::palette(244), Rgb(0x80, 0x80, 0x80));
        // A colour that is readable already stays as it is.
        assert_eq!(Rgb(0, 0, 0xee).readable_on(LIGHT_BG), Rgb(0, 0, 0xee));
        let mut s = String::new();
        Rgb(0xff, 0x87, 0x00).hex(&mut s);
        assert_eq!(s, "#ff8700");
    }
}
