//! Illustrations for the demo newsroom, drawn from code (no downloaded photos).
//!
//! Each motif is a flat, poster-like scene; the palette and a seed taken from the article's
//! slug make every picture different but stable across runs.

use image::{Rgb, RgbImage};

/// A scene to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Motif {
    Harbour,
    Skyline,
    Hills,
    Chart,
    Pitch,
    Stage,
    Rain,
    Rings,
    Portrait,
}

const PALETTES: [[[u8; 3]; 5]; 6] = [
    // dawn harbour
    [
        [250, 214, 165],
        [238, 150, 110],
        [58, 96, 128],
        [30, 58, 90],
        [244, 240, 228],
    ],
    // teal and sand
    [
        [200, 230, 225],
        [240, 200, 140],
        [40, 130, 130],
        [20, 70, 80],
        [252, 250, 240],
    ],
    // civic blue and red
    [
        [215, 225, 240],
        [200, 60, 60],
        [50, 80, 150],
        [25, 35, 70],
        [245, 245, 250],
    ],
    // moss and stone
    [
        [225, 232, 210],
        [150, 175, 110],
        [80, 120, 80],
        [40, 60, 45],
        [250, 250, 240],
    ],
    // night stage
    [
        [40, 30, 60],
        [230, 180, 80],
        [150, 50, 90],
        [15, 12, 25],
        [255, 235, 190],
    ],
    // storm grey and amber
    [
        [190, 200, 210],
        [235, 170, 60],
        [90, 100, 115],
        [45, 50, 60],
        [240, 242, 245],
    ],
];

/// A small deterministic generator (xorshift), seeded from text.
struct Rng(u64);

impl Rng {
    fn from_text(s: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in s.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A float in [0, 1).
    fn f(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.f()
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (a[i] as f32 + (b[i] as f32 - a[i] as f32) * t) as u8)
}

struct Canvas {
    img: RgbImage,
    w: f32,
    h: f32,
}

impl Canvas {
    fn new(w: u32, h: u32) -> Self {
        Canvas {
            img: RgbImage::new(w, h),
            w: w as f32,
            h: h as f32,
        }
    }
    fn vertical_gradient(&mut self, top: [u8; 3], bottom: [u8; 3]) {
        let h = self.h;
        for (_, y, p) in self.img.enumerate_pixels_mut() {
            *p = Rgb(mix(top, bottom, y as f32 / h));
        }
    }
    /// Fills every pixel below the curve `y = f(x)` (in 0..1 units).
    fn fill_below(&mut self, color: [u8; 3], f: impl Fn(f32) -> f32) {
        let (w, h) = (self.w, self.h);
        for x in 0..self.img.width() {
            let top = (f(x as f32 / w) * h).max(0.0) as u32;
            for y in top.min(self.img.height())..self.img.height() {
                self.img.put_pixel(x, y, Rgb(color));
            }
        }
    }
    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, color: [u8; 3]) {
        let (w, h) = (self.w, self.h);
        let xs = (x0 * w).max(0.0) as u32..((x1 * w).min(w)) as u32;
        let ys = (y0 * h).max(0.0) as u32..((y1 * h).min(h)) as u32;
        for y in ys {
            for x in xs.clone() {
                self.img.put_pixel(x, y, Rgb(color));
            }
        }
    }
    fn disc(&mut self, cx: f32, cy: f32, r: f32, color: [u8; 3], alpha: f32) {
        let (w, h) = (self.w, self.h);
        let (cx, cy, r) = (cx * w, cy * h, r * h);
        let x0 = (cx - r).max(0.0) as u32;
        let x1 = ((cx + r).min(w - 1.0)).max(0.0) as u32;
        let y0 = (cy - r).max(0.0) as u32;
        let y1 = ((cy + r).min(h - 1.0)).max(0.0) as u32;
        for y in y0..=y1 {
            for x in x0..=x1 {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                if d <= r {
                    let edge = (r - d).min(1.5) / 1.5;
                    let p = self.img.get_pixel_mut(x, y);
                    p.0 = mix(p.0, color, alpha * edge);
                }
            }
        }
    }
    fn line(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, width: f32, color: [u8; 3]) {
        let steps = ((x1 - x0).abs() * self.w).max((y1 - y0).abs() * self.h) as u32 + 1;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            self.disc(
                x0 + (x1 - x0) * t,
                y0 + (y1 - y0) * t,
                width / self.h,
                color,
                1.0,
            );
        }
    }
}

/// Draws `motif` at `w`×`h` with palette `palette` (wrapped) and a seed.
pub fn draw(motif: Motif, palette: usize, seed: &str, w: u32, h: u32) -> RgbImage {
    let p = PALETTES[palette % PALETTES.len()];
    let mut r = Rng::from_text(seed);
    let mut c = Canvas::new(w, h);
    match motif {
        Motif::Harbour => {
            c.vertical_gradient(p[0], p[1]);
            c.disc(r.range(0.2, 0.8), r.range(0.25, 0.45), 0.12, p[4], 0.9);
            let hill = r.range(0.0, 6.0);
            c.fill_below(mix(p[2], p[3], 0.4), |x| {
                0.55 - 0.06 * (x * 5.0 + hill).sin()
            });
            for layer in 0..4 {
                let phase = r.range(0.0, std::f32::consts::TAU);
                let base = 0.62 + layer as f32 * 0.09;
                let col = mix(p[2], p[3], layer as f32 / 3.0);
                c.fill_below(col, |x| base + 0.015 * (x * 28.0 + phase).sin());
            }
            for _ in 0..3 {
                let x = r.range(0.1, 0.85);
                let y = r.range(0.6, 0.75);
                c.rect(x, y, x + 0.08, y + 0.025, p[4]);
                c.line(x + 0.04, y, x + 0.04, y - 0.12, 2.0, p[4]);
                c.rect(
                    x + 0.045,
                    y - 0.11,
                    x + 0.075,
                    y - 0.02,
                    mix(p[4], p[1], 0.3),
                );
            }
        }
        Motif::Skyline => {
            c.vertical_gradient(p[0], mix(p[0], p[1], 0.6));
            c.disc(r.range(0.6, 0.9), 0.28, 0.1, p[4], 0.8);
            let mut x = 0.0;
            while x < 1.0 {
                let bw = r.range(0.04, 0.1);
                let top = r.range(0.25, 0.6);
                let col = mix(p[2], p[3], r.f());
                c.rect(x, top, x + bw - 0.005, 1.0, col);
                let mut wy = top + 0.03;
                while wy < 0.95 {
                    let mut wx = x + 0.01;
                    while wx < x + bw - 0.02 {
                        if r.f() > 0.45 {
                            c.rect(wx, wy, wx + 0.008, wy + 0.02, mix(p[4], p[1], 0.4));
                        }
                        wx += 0.018;
                    }
                    wy += 0.045;
                }
                x += bw;
            }
        }
        Motif::Hills => {
            c.vertical_gradient(p[4], p[0]);
            c.disc(r.range(0.15, 0.85), r.range(0.2, 0.35), 0.09, p[1], 0.85);
            for layer in 0..5 {
                let (a, b) = (r.range(0.0, 6.0), r.range(0.0, 6.0));
                let base = 0.45 + layer as f32 * 0.1;
                let col = mix(p[1], p[3], layer as f32 / 4.0);
                c.fill_below(col, |x| {
                    base - 0.07 * (x * 3.0 + a).sin() - 0.03 * (x * 7.0 + b).sin()
                });
            }
        }
        Motif::Chart => {
            c.vertical_gradient(p[4], mix(p[4], p[0], 0.6));
            for i in 0..=5 {
                let y = 0.15 + i as f32 * 0.14;
                c.rect(0.08, y, 0.92, y + 0.003, mix(p[4], p[3], 0.25));
            }
            let n = 9;
            let mut prev: Option<(f32, f32)> = None;
            let mut v = r.range(0.3, 0.6);
            for i in 0..n {
                let x = 0.1 + i as f32 * 0.09;
                v = (v + r.range(-0.12, 0.14)).clamp(0.1, 0.8);
                let top = 0.85 - v * 0.65;
                c.rect(x, top, x + 0.06, 0.85, mix(p[2], p[1], i as f32 / n as f32));
                let pt = (x + 0.03, top - 0.05);
                if let Some((px, py)) = prev {
                    c.line(px, py, pt.0, pt.1, 3.0, p[3]);
                }
                c.disc(pt.0, pt.1, 0.012, p[3], 1.0);
                prev = Some(pt);
            }
        }
        Motif::Pitch => {
            c.vertical_gradient(mix(p[3], p[2], 0.3), p[2]);
            for i in 0..8 {
                if i % 2 == 0 {
                    c.rect(
                        i as f32 / 8.0,
                        0.0,
                        (i + 1) as f32 / 8.0,
                        1.0,
                        mix(p[2], p[3], 0.15),
                    );
                }
            }
            c.rect(0.495, 0.05, 0.505, 0.95, p[4]);
            c.rect(0.05, 0.05, 0.95, 0.06, p[4]);
            c.rect(0.05, 0.94, 0.95, 0.95, p[4]);
            c.disc(0.5, 0.5, 0.2, p[4], 1.0);
            c.disc(0.5, 0.5, 0.19, mix(p[2], p[3], 0.1), 1.0);
            c.disc(r.range(0.2, 0.8), r.range(0.25, 0.75), 0.035, p[4], 1.0);
            c.disc(r.range(0.2, 0.8), r.range(0.25, 0.75), 0.02, p[1], 1.0);
        }
        Motif::Stage => {
            c.vertical_gradient(p[3], p[0]);
            let cx = r.range(0.35, 0.65);
            for y in 0..c.img.height() {
                let t = y as f32 / c.h;
                let half = 0.05 + t * 0.25;
                c.rect(
                    cx - half,
                    t,
                    cx + half,
                    t + 1.0 / c.h,
                    mix(p[0], p[4], 0.35 * (1.0 - t) + 0.15),
                );
            }
            for i in 0..7 {
                let x = i as f32 * 0.03;
                c.rect(x, 0.0, x + 0.02, 1.0, mix(p[2], p[3], (i % 2) as f32 * 0.5));
                c.rect(
                    1.0 - x - 0.02,
                    0.0,
                    1.0 - x,
                    1.0,
                    mix(p[2], p[3], (i % 2) as f32 * 0.5),
                );
            }
            c.rect(0.0, 0.85, 1.0, 1.0, mix(p[3], p[1], 0.25));
            c.disc(cx, 0.7, 0.05, p[3], 1.0);
            c.rect(cx - 0.03, 0.74, cx + 0.03, 0.86, p[3]);
        }
        Motif::Rain => {
            c.vertical_gradient(mix(p[2], p[3], 0.5), p[0]);
            for _ in 0..6 {
                c.disc(
                    r.range(0.0, 1.0),
                    r.range(0.05, 0.25),
                    r.range(0.08, 0.16),
                    mix(p[2], p[4], 0.2),
                    0.9,
                );
            }
            for _ in 0..160 {
                let x = r.range(0.0, 1.0);
                let y = r.range(0.25, 0.95);
                c.line(x, y, x - 0.01, y + 0.05, 1.0, mix(p[4], p[2], 0.3));
            }
            c.fill_below(p[3], |x| 0.9 - 0.02 * (x * 9.0).sin());
            c.disc(0.7, 0.72, 0.08, p[1], 1.0);
            c.rect(0.699, 0.72, 0.703, 0.9, p[3]);
        }
        Motif::Rings => {
            c.vertical_gradient(p[4], p[0]);
            for _ in 0..5 {
                let (x, y) = (r.range(0.1, 0.9), r.range(0.15, 0.85));
                let col = mix(p[1], p[2], r.f());
                for k in (1..6).rev() {
                    c.disc(x, y, 0.05 * k as f32, mix(col, p[4], k as f32 / 7.0), 0.6);
                }
            }
        }
        Motif::Portrait => {
            c.vertical_gradient(p[0], mix(p[0], p[1], 0.5));
            c.disc(0.5, 1.15, 0.55, p[2], 1.0);
            c.disc(0.5, 0.42, 0.22, mix(p[1], p[4], 0.4), 1.0);
            c.disc(0.5, 0.3, 0.16, mix(p[3], p[2], 0.3), 0.5);
        }
    }
    c.img
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawings_are_deterministic_and_distinct() {
        let a = draw(Motif::Harbour, 0, "ferry-fares", 160, 90);
        let b = draw(Motif::Harbour, 0, "ferry-fares", 160, 90);
        let c = draw(Motif::Harbour, 0, "council-vote", 160, 90);
        assert_eq!(a, b);
        assert_ne!(a, c);
        for m in [
            Motif::Skyline,
            Motif::Hills,
            Motif::Chart,
            Motif::Pitch,
            Motif::Stage,
            Motif::Rain,
            Motif::Rings,
            Motif::Portrait,
        ] {
            let img = draw(m, 3, "x", 160, 90);
            let first = img.get_pixel(0, 0);
            assert!(
                img.pixels().any(|p| p != first),
                "{m:?} drew a flat picture"
            );
        }
    }
}
