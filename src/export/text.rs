//! Type for the figures, shipped inside the program: Ubuntu Light (the
//! window's font) with Hack as the fallback for the glyphs Ubuntu lacks
//! (‖). Measures text and rasterises it for the PNG; the SVG gets real
//! `<text>` elements and only borrows the measurements.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};

/// The font stack an SVG names: the shipped face first, any sans-serif after.
pub const SVG_FAMILY: &str = "Ubuntu, 'Ubuntu Light', sans-serif";
/// Where the baseline sits below a line's top, in ems (the SVG's `dy`).
pub const BASELINE: f64 = 0.76;

/// The shipped faces, in fallback order.
struct Faces([FontRef<'static>; 2]);

fn faces() -> &'static Faces {
    static FACES: OnceLock<Faces> = OnceLock::new();
    FACES.get_or_init(|| {
        let face = |bytes| FontRef::try_from_slice(bytes).expect("the shipped fonts parse");
        Faces([
            face(epaint_default_fonts::UBUNTU_LIGHT),
            face(epaint_default_fonts::HACK_REGULAR),
        ])
    })
}

impl Faces {
    /// The first face that has `c`, and its glyph (the first face's
    /// missing-glyph box when none has it).
    fn glyph(&self, c: char) -> (&FontRef<'static>, GlyphId) {
        self.0
            .iter()
            .map(|f| (f, f.glyph_id(c)))
            .find(|(_, id)| id.0 != 0)
            .unwrap_or((&self.0[0], GlyphId(0)))
    }
}

/// The ab_glyph scale that draws `face` at a CSS font size of `size` px.
fn scale(face: &FontRef<'static>, size: f64) -> PxScale {
    let em = face.units_per_em().unwrap_or(1000.0);
    PxScale::from((size * f64::from(face.height_unscaled()) / f64::from(em)) as f32)
}

/// Whether some shipped face has a glyph for `c`.
#[cfg(test)]
pub fn has_glyph(c: char) -> bool {
    c.is_whitespace() || faces().glyph(c).1.0 != 0
}

/// Width of `text` at a font size of `size` px.
pub fn width(text: &str, size: f64) -> f64 {
    let faces = faces();
    text.chars()
        .map(|c| {
            let (face, id) = faces.glyph(c);
            f64::from(face.as_scaled(scale(face, size)).h_advance(id))
        })
        .sum()
}

/// Rasterises `text` at font size `size` px with its top-left corner at
/// (x, y) (device pixels), calling `put(x, y, coverage)` per touched pixel.
pub fn raster(text: &str, x: f64, y: f64, size: f64, mut put: impl FnMut(i32, i32, f32)) {
    let faces = faces();
    let baseline = (y + BASELINE * size) as f32;
    let mut pen = x as f32;
    for c in text.chars() {
        let (face, id) = faces.glyph(c);
        let s = scale(face, size);
        let glyph = id.with_scale_and_position(s, point(pen, baseline));
        pen += face.as_scaled(s).h_advance(id);
        if let Some(outlined) = face.outline_glyph(glyph) {
            let b = outlined.px_bounds();
            outlined.draw(|gx, gy, cov| {
                put(
                    b.min.x as i32 + gx as i32,
                    b.min.y as i32 + gy as i32,
                    cov.min(1.0),
                )
            });
        }
    }
}
