//! A map of the fixed-sigma family, which is one-dimensional: above, the
//! objective against mu at the held sigma with its minima marked (and the
//! live fit moving along it); below, the band of starts mu0 coloured by the
//! optimum each reaches. Hover and click work on both, as on a 2-D map.

use eframe::egui::{self, Align2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, pos2};

use super::basin_map::{
    Drawn, MapInput, MapView, draw_trail, image_box, optimum_marker, paint_cells, readout,
    stale_note,
};
use super::maps::Freshness;
use super::plot::{Frame2, ticks, x_axis, y_axis};
use crate::export::png::nice_ticks;
use crate::number::readable;
use crate::objective::Problem;

/// Height of the band of starts, and the gap above it (points).
const BAND: f32 = 26.0;
const GAP: f32 = 8.0;
/// Points of the curve across the plot.
const CURVE_POINTS: usize = 240;

/// The objective at the held sigma across the map's mu range, for the map on
/// view (computed once per map, when it arrives).
fn curve<'a>(view: &'a mut MapView, input: &MapInput<'_>, sigma: f64) -> Option<&'a [[f64; 2]]> {
    let s = input.slot.shown()?;
    if view.curve.as_ref().is_none_or(|(v, _)| *v != s.version) {
        let objective = s.key.objective(input.objective);
        let problem = Problem::new(s.key.target.clone(), objective, s.key.family);
        let (lo, hi) = image_box(input.grid).0;
        let points = (0..CURVE_POINTS)
            .map(|i| {
                let mu = lo + (hi - lo) * i as f64 / (CURVE_POINTS - 1) as f64;
                [mu, problem.evaluate(mu, sigma).kl]
            })
            .filter(|p| p[1].is_finite())
            .collect();
        view.curve = Some((s.version, points));
    }
    view.curve.as_ref().map(|(_, c)| c.as_slice())
}

/// The curve's value at `mu` (linear between its points).
fn along(curve: &[[f64; 2]], mu: f64) -> Option<f64> {
    let i = curve.partition_point(|p| p[0] < mu);
    match (curve.get(i.wrapping_sub(1)), curve.get(i)) {
        (Some(a), Some(b)) if b[0] > a[0] => {
            Some(a[1] + (b[1] - a[1]) * (mu - a[0]) / (b[0] - a[0]))
        }
        (_, Some(b)) => Some(b[1]),
        (Some(a), None) => Some(a[1]),
        (None, None) => None,
    }
}

/// Draws the curve over the band in `plot`; clicks start a fit at (mu0, `sigma`).
pub fn draw(
    ui: &egui::Ui,
    painter: &egui::Painter,
    plot: Rect,
    view: &mut MapView,
    input: &MapInput<'_>,
    texture: Option<egui::TextureId>,
    sigma: f64,
) -> Drawn {
    let grid = input.grid;
    let freshness = input.slot.freshness(input.key);
    let (current, stale) = (
        freshness == Some(Freshness::Current),
        freshness == Some(Freshness::Stale),
    );
    let band = Rect::from_min_max(pos2(plot.left(), plot.bottom() - BAND), plot.max);
    let upper = Rect::from_min_max(plot.min, pos2(plot.right(), band.top() - GAP));
    view.band = Some(band);
    paint_cells(painter, band, texture, stale);

    let (mu_box, _) = image_box(grid);
    let points: Vec<[f64; 2]> = curve(view, input, sigma)
        .map(<[_]>::to_vec)
        .unwrap_or_default();
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p[1]), hi.max(p[1]))
        });
    let pad = if hi > lo { 0.08 * (hi - lo) } else { 0.5 };
    let y = if lo.is_finite() {
        (lo - pad, hi + pad)
    } else {
        (0.0, 1.0)
    };
    let f = Frame2 {
        rect: upper,
        x: mu_box,
        y,
    };
    view.frame = Some(f);
    painter.rect_stroke(
        upper,
        0.0,
        Stroke::new(1.0, Color32::from_gray(90)),
        egui::StrokeKind::Outside,
    );

    // Axes: mu under the band, the objective's value left of the curve.
    let band_frame = Frame2 {
        rect: band,
        x: mu_box,
        y: (0.0, 1.0),
    };
    x_axis(
        painter,
        &band_frame,
        &nice_ticks(grid.mu.lo, grid.mu.hi, ticks(plot.width(), 16.0, 14)),
        |t| Some(format!("{t:.0}")),
        11.5,
    );
    if upper.height() > 30.0 {
        let value_ticks = nice_ticks(y.0, y.1, ticks(upper.height(), 22.0, 6));
        y_axis(painter, &f, &value_ticks, readable, 11.5);
    }
    let grey = Color32::from_gray(50);
    painter.text(
        pos2(plot.center().x, plot.bottom() + 20.0),
        Align2::CENTER_TOP,
        format!("start mean  μ₀  (σ held at {})", readable(sigma)),
        FontId::proportional(12.5),
        grey,
    );
    painter.text(
        pos2(plot.left() - 38.0, plot.top() - 4.0),
        Align2::LEFT_BOTTOM,
        format!("{} at σ = {}", input.objective.formula(), readable(sigma)),
        FontId::proportional(12.5),
        grey,
    );

    let clip = ui.painter_at(upper);
    let colour = if stale {
        Color32::from_gray(185)
    } else {
        Color32::from_gray(40)
    };
    let line: Vec<Pos2> = points
        .iter()
        .map(|p| f.to_screen_clamped(p[0], p[1]))
        .collect();
    clip.add(Shape::line(line, Stroke::new(1.8, colour)));
    if stale {
        stale_note(&clip, upper);
    }
    if let Some(s) = input.slot.shown().filter(|_| !stale) {
        for (k, o) in s.landscape.optima.iter().enumerate() {
            optimum_marker(&clip, f.to_screen_clamped(o.mu, o.kl), k, input.identities);
        }
    }
    // The live fit moves along the curve (sigma is held), on the current map only.
    if !stale {
        let trail: Vec<Pos2> = input
            .fit
            .trail
            .iter()
            .filter_map(|t| along(&points, t[0]).map(|v| f.to_screen_clamped(t[0], v)))
            .collect();
        draw_trail(&clip, &trail);
    }

    // Hover and click: the column under the pointer, on the curve or the band.
    let id = ui.scope_id().with(("basin-band", input.objective.key()));
    let response = ui.interact(plot, id, Sense::click());
    let column = |p: Pos2| {
        let (mu, _) = band_frame.to_data(p);
        (mu >= mu_box.0 && mu <= mu_box.1).then(|| {
            grid.mu
                .position(mu)
                .round()
                .clamp(0.0, (grid.mu.count - 1) as f64) as usize
        })
    };
    let readout = response.hover_pos().and_then(column).and_then(|c| {
        let start = format!(
            "start μ₀ {:.2} (σ held at {})",
            grid.mu.at(c),
            readable(sigma)
        );
        readout(input, &start, c, stale, current)
    });
    let clicked = response
        .clicked()
        .then(|| response.interact_pointer_pos())
        .flatten()
        .and_then(column)
        .map(|c| (grid.mu.at(c), sigma));
    Drawn { readout, clicked }
}
