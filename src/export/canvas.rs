//! A small RGB raster with the few primitives the map picture needs: filled
//! rectangles, lines, discs and anti-aliased text (Ubuntu Light, the font the
//! window uses too).

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

use crate::palette::Rgb;

/// An RGB image being drawn.
pub struct Canvas {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// Row-major RGB pixels.
    pub pixels: Vec<u8>,
    font: FontRef<'static>,
}

impl Canvas {
    /// A canvas filled with `background`.
    pub fn new(width: usize, height: usize, background: Rgb) -> Self {
        Self {
            width,
            height,
            pixels: background.repeat(width * height),
            font: FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT)
                .expect("the bundled font parses"),
        }
    }

    fn blend(&mut self, x: i64, y: i64, colour: Rgb, alpha: f32) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return;
        }
        let i = 3 * (y as usize * self.width + x as usize);
        for (c, &new) in self.pixels[i..i + 3].iter_mut().zip(&colour) {
            *c = (f32::from(*c) * (1.0 - alpha) + f32::from(new) * alpha).round() as u8;
        }
    }

    /// Fills the rectangle [x, x+w) x [y, y+h).
    pub fn fill_rect(&mut self, x: i64, y: i64, w: i64, h: i64, colour: Rgb) {
        for yy in y..y + h {
            for xx in x..x + w {
                self.blend(xx, yy, colour, 1.0);
            }
        }
    }

    /// A 1-px line from (x0, y0) to (x1, y1), sampled densely.
    pub fn line(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, colour: Rgb) {
        let n = (x1 - x0).abs().max((y1 - y0).abs()).ceil().max(1.0) as usize;
        for i in 0..=n {
            let t = i as f64 / n as f64;
            self.blend(
                (x0 + t * (x1 - x0)).round() as i64,
                (y0 + t * (y1 - y0)).round() as i64,
                colour,
                1.0,
            );
        }
    }

    /// A disc of radius `r` at (cx, cy) with an outline ring.
    pub fn disc(&mut self, cx: f64, cy: f64, r: f64, fill: Rgb, ring: Rgb) {
        let reach = (r + 2.0).ceil() as i64;
        for dy in -reach..=reach {
            for dx in -reach..=reach {
                let (x, y) = (cx.round() as i64 + dx, cy.round() as i64 + dy);
                let d = ((x as f64 - cx).powi(2) + (y as f64 - cy).powi(2)).sqrt();
                if d <= r - 1.5 {
                    self.blend(x, y, fill, 1.0);
                } else if d <= r {
                    self.blend(x, y, ring, 1.0);
                } else if d <= r + 1.0 {
                    self.blend(x, y, ring, (r + 1.0 - d) as f32);
                }
            }
        }
    }

    /// Width in pixels of `text` at `size` px.
    pub fn text_width(&self, text: &str, size: f32) -> f64 {
        let font = self.font.as_scaled(PxScale::from(size));
        text.chars()
            .map(|c| f64::from(font.h_advance(font.glyph_id(c))))
            .sum()
    }

    /// Draws `text` with its top-left corner at (x, y).
    pub fn text(&mut self, x: f64, y: f64, text: &str, size: f32, colour: Rgb) {
        let scale = PxScale::from(size);
        let ascent = f64::from(self.font.as_scaled(scale).ascent());
        let mut pen = x;
        let glyphs: Vec<_> = text
            .chars()
            .map(|c| {
                let scaled = self.font.as_scaled(scale);
                let id = scaled.glyph_id(c);
                let glyph = id.with_scale_and_position(
                    scale,
                    ab_glyph::point(pen as f32, (y + ascent) as f32),
                );
                pen += f64::from(scaled.h_advance(id));
                glyph
            })
            .collect();
        for glyph in glyphs {
            if let Some(outlined) = self.font.outline_glyph(glyph) {
                let b = outlined.px_bounds();
                let mut hits = Vec::new();
                outlined.draw(|gx, gy, cov| hits.push((gx, gy, cov)));
                for (gx, gy, cov) in hits {
                    self.blend(
                        b.min.x as i64 + i64::from(gx),
                        b.min.y as i64 + i64::from(gy),
                        colour,
                        cov.min(1.0),
                    );
                }
            }
        }
    }
}
