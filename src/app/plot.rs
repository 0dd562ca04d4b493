//! Data-to-screen mapping and axes shared by the fit panels and the maps.

use std::sync::Arc;

use eframe::egui::{Align2, Color32, FontId, Galley, Painter, Pos2, Rect, Stroke, pos2};

/// A linear map from a data box to a screen rectangle (y up in data, down on screen).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame2 {
    /// Screen rectangle of the plot area.
    pub rect: Rect,
    /// Data x range shown.
    pub x: (f64, f64),
    /// Data y range shown.
    pub y: (f64, f64),
}

impl Frame2 {
    /// Screen position of data point (x, y).
    pub fn to_screen(&self, x: f64, y: f64) -> Pos2 {
        let fx = (x - self.x.0) / (self.x.1 - self.x.0);
        let fy = (y - self.y.0) / (self.y.1 - self.y.0);
        pos2(
            self.rect.left() + (fx as f32) * self.rect.width(),
            self.rect.bottom() - (fy as f32) * self.rect.height(),
        )
    }

    /// Screen position, clamped to a sane band around the rect (so huge values never reach the tessellator).
    pub fn to_screen_clamped(&self, x: f64, y: f64) -> Pos2 {
        let p = self.to_screen(x, y);
        let r = self.rect.expand(2000.0);
        pos2(
            finite_or(p.x, r.left()).clamp(r.left(), r.right()),
            finite_or(p.y, r.bottom()).clamp(r.top(), r.bottom()),
        )
    }

    /// Data point under screen position `p`.
    pub fn to_data(&self, p: Pos2) -> (f64, f64) {
        let fx = f64::from((p.x - self.rect.left()) / self.rect.width());
        let fy = f64::from((self.rect.bottom() - p.y) / self.rect.height());
        (
            self.x.0 + fx * (self.x.1 - self.x.0),
            self.y.0 + fy * (self.y.1 - self.y.0),
        )
    }

    /// Pixels per data unit along x.
    pub fn px_per_x(&self) -> f64 {
        f64::from(self.rect.width()) / (self.x.1 - self.x.0)
    }
}

fn finite_or(v: f32, fallback: f32) -> f32 {
    if v.is_finite() { v } else { fallback }
}

/// Axis colour.
pub const AXIS: Color32 = Color32::from_gray(70);
/// Tick label colour.
pub const TICK_TEXT: Color32 = Color32::from_gray(60);

/// How many ticks an axis `length` pixels long takes with `room` pixels
/// each, at least 2 and at most `most`: labels never crowd a small window.
pub fn ticks(length: f32, room: f32, most: usize) -> usize {
    ((length / room) as usize).clamp(2, most.max(2))
}

/// Draws an x axis along the plot's bottom with ticks at `ticks` (labelled every `label_every`-th).
pub fn x_axis(
    painter: &Painter,
    f: &Frame2,
    ticks: &[f64],
    label: impl Fn(f64) -> Option<String>,
    font: f32,
) {
    let y = f.rect.bottom();
    painter.line_segment(
        [pos2(f.rect.left(), y), pos2(f.rect.right(), y)],
        Stroke::new(1.0, AXIS),
    );
    for &t in ticks {
        let x = f.to_screen(t, f.y.0).x;
        painter.line_segment([pos2(x, y), pos2(x, y + 4.0)], Stroke::new(1.0, AXIS));
        if let Some(text) = label(t) {
            painter.text(
                pos2(x, y + 5.0),
                Align2::CENTER_TOP,
                text,
                FontId::proportional(font),
                TICK_TEXT,
            );
        }
    }
}

/// Draws a y axis along the plot's left with labelled ticks at `ticks`.
pub fn y_axis(
    painter: &Painter,
    f: &Frame2,
    ticks: &[f64],
    label: impl Fn(f64) -> String,
    font: f32,
) {
    let x = f.rect.left();
    painter.line_segment(
        [pos2(x, f.rect.top()), pos2(x, f.rect.bottom())],
        Stroke::new(1.0, AXIS),
    );
    for &t in ticks {
        let y = f.to_screen(f.x.0, t).y;
        painter.line_segment([pos2(x - 4.0, y), pos2(x, y)], Stroke::new(1.0, AXIS));
        painter.text(
            pos2(x - 6.0, y),
            Align2::RIGHT_CENTER,
            label(t),
            FontId::proportional(font),
            TICK_TEXT,
        );
    }
}

/// The first of `texts` (longest first) laid out in one line no wider than
/// `max_width` pixels; None when none is.
pub fn fitting(
    painter: &Painter,
    texts: &[String],
    font: FontId,
    colour: Color32,
    max_width: f32,
) -> Option<Arc<Galley>> {
    texts
        .iter()
        .map(|t| painter.layout_no_wrap(t.clone(), font.clone(), colour))
        .find(|g| g.size().x <= max_width)
}

/// Draws [`fitting`]'s text anchored at `at` and returns where it went. A
/// narrow window gets the shorter forms instead of overlapping text.
pub fn text_fitting(
    painter: &Painter,
    at: Pos2,
    anchor: Align2,
    texts: &[String],
    font: FontId,
    colour: Color32,
    max_width: f32,
) -> Option<Rect> {
    let galley = fitting(painter, texts, font, colour, max_width)?;
    let rect = anchor.anchor_size(at, galley.size());
    painter.galley(rect.min, galley, colour);
    Some(rect)
}

/// Converts a palette colour to egui's.
pub fn rgb(c: crate::palette::Rgb) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

/// The window's one background colour. Only the frame's clear paints it:
/// panels and cards are left unfilled because every filled pixel costs
/// llvmpipe about 15-30 ns a frame (a fill under the cards alone cost 28 ms
/// of a 1400x900 frame).
pub const BACKGROUND: Color32 = Color32::WHITE;

/// A light rounded border, drawn on the background: the frame of every panel and map.
pub fn card(ui: &eframe::egui::Ui, rect: Rect) -> Painter {
    let painter = ui.painter_at(rect);
    painter.rect_stroke(
        rect,
        4.0,
        Stroke::new(1.0, Color32::from_gray(200)),
        eframe::egui::StrokeKind::Inside,
    );
    painter
}

/// A disc of radius `r` in `fill` ringed by `ring` (width, colour): two filled
/// discs rather than a circle with a stroke. egui draws a small filled disc
/// as one textured quad but tessellates a stroke into about 190 triangles,
/// and llvmpipe pays for every triangle each frame.
pub fn ringed_disc(painter: &Painter, centre: Pos2, r: f32, fill: Color32, ring: Stroke) {
    painter.circle_filled(centre, r + ring.width, ring.color);
    painter.circle_filled(centre, r, fill);
}

/// How far (pixels) [`thin`] may move a drawn line: curves and trails alike.
pub const THIN_TOLERANCE: f32 = 0.25;

/// Longest run of points one kept segment may stand for (bounds the work).
const THIN_SPAN: usize = 64;

/// The points of a polyline that show on screen: a run of points is replaced
/// by the segment between its ends when every point of it lies within `tol`
/// pixels of that segment. Each vertex costs a software rasteriser time, and
/// a Gaussian's flat tails are most of a curve's samples.
pub fn thin(points: &[Pos2], tol: f32) -> Vec<Pos2> {
    let Some((&last, _)) = points.split_last() else {
        return Vec::new();
    };
    let mut kept = vec![points[0]];
    let mut anchor = 0;
    for i in 1..points.len().saturating_sub(1) {
        let (a, b) = (points[anchor], points[i + 1]);
        let fits = i + 1 - anchor <= THIN_SPAN
            && points[anchor + 1..=i]
                .iter()
                .all(|&p| distance_to_segment(p, a, b) <= tol);
        if !fits {
            kept.push(points[i]);
            anchor = i;
        }
    }
    if points.len() > 1 {
        kept.push(last);
    }
    kept
}

fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    let t = if len2 > 0.0 {
        ((p - a).dot(ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.distance(a + t * ab)
}

#[cfg(test)]
mod tests {
    use super::{distance_to_segment, text_fitting, thin, ticks};
    use eframe::egui::{self, Align2, Color32, FontId, Pos2, pos2};

    /// Distance from `p` to the nearest segment of `line`.
    fn off(p: Pos2, line: &[Pos2]) -> f32 {
        line.windows(2)
            .map(|w| distance_to_segment(p, w[0], w[1]))
            .fold(f32::INFINITY, f32::min)
    }

    #[test]
    fn thinning_keeps_every_point_within_tolerance_and_drops_flat_runs() {
        assert!(thin(&[], 0.25).is_empty());
        assert_eq!(thin(&[pos2(1.0, 2.0)], 0.25), [pos2(1.0, 2.0)]);
        let flat: Vec<Pos2> = (0..200).map(|i| pos2(i as f32, 50.0)).collect();
        assert_eq!(thin(&flat, 0.25).len(), 1 + 199_usize.div_ceil(64));
        // A Gaussian of std 20 px and height 300 px, two samples a pixel.
        let bell: Vec<Pos2> = (0..920)
            .map(|i| {
                let x = i as f32 * 0.5;
                let z = (x - 230.0) / 20.0;
                pos2(x, 400.0 - 300.0 * (-0.5 * z * z).exp())
            })
            .collect();
        let kept = thin(&bell, 0.25);
        assert!(
            kept.len() < bell.len() / 4,
            "{} of {}",
            kept.len(),
            bell.len()
        );
        assert_eq!((kept[0], *kept.last().unwrap()), (bell[0], bell[919]));
        for &p in &bell {
            assert!(
                off(p, &kept) <= 0.25 + 1e-3,
                "{p:?} is {} px off",
                off(p, &kept)
            );
        }
    }

    #[test]
    fn the_longest_text_that_fits_is_drawn_where_anchored() {
        let ctx = egui::Context::default();
        let _ = ctx.run_ui(egui::RawInput::default(), |ui| {
            let painter = ui.painter().clone();
            let forms = ["a rather long status line".to_string(), "short".to_string()];
            let font = FontId::proportional(12.0);
            let width = |t: &str| {
                let g = painter.layout_no_wrap(t.into(), font.clone(), Color32::BLACK);
                g.size().x
            };
            let (long, short) = (width(&forms[0]), width(&forms[1]));
            assert!(short < long);
            let at = pos2(300.0, 10.0);
            let draw = |max: f32| {
                text_fitting(
                    &painter,
                    at,
                    Align2::RIGHT_TOP,
                    &forms,
                    font.clone(),
                    Color32::BLACK,
                    max,
                )
            };
            let wide = draw(long + 1.0).expect("the long form fits");
            assert_eq!(
                (wide.right(), wide.top(), wide.width()),
                (300.0, 10.0, long)
            );
            let narrow = draw(long - 1.0).expect("the short form fits");
            assert_eq!((narrow.right(), narrow.width()), (300.0, short));
            assert_eq!(draw(short - 1.0), None, "nothing fits");
        });
    }

    #[test]
    fn ticks_leave_each_label_its_room() {
        assert_eq!(ticks(240.0, 16.0, 14), 14);
        assert_eq!(ticks(160.0, 16.0, 14), 10);
        assert_eq!(ticks(10.0, 16.0, 14), 2);
        assert_eq!(ticks(100.0, 16.0, 0), 2);
    }
}
