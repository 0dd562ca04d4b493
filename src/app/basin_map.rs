//! One basin map: cells over (mu0, sigma0) coloured by the optimum each start
//! reaches, optima marked, the live fit's trajectory, a hover readout, a
//! legend with every optimum's numbers, and click-to-fit.

use eframe::egui::{
    self, Align2, Color32, ColorImage, FontId, Pos2, Rect, Sense, Shape, Stroke, TextureHandle,
    TextureOptions, pos2, vec2,
};

use super::identity::Identities;
use super::maps::{Freshness, MapSlot};
use super::objectives::style;
use super::plot::{
    Frame2, THIN_TOLERANCE, rgb, ringed_disc, text_fitting, thin, ticks, x_axis, y_axis,
};
use super::state::{LiveFit, MapKey};
use crate::export::png::nice_ticks;
use crate::landscape::{Grid, Landscape};
use crate::number::fixed;
use crate::objective::Objective;
use crate::palette::{UNCONVERGED, cell_colour, optimum_colour};

/// Widest the legend column right of the map gets; in a narrow card it
/// takes at most [`LEGEND_SHARE`] of the width and its lines shorten.
const LEGEND_WIDTH: f32 = 230.0;
const LEGEND_SHARE: f32 = 0.42;
/// Least room (pixels) per tick label along the map's axes.
const TICK_ROOM: [f32; 2] = [16.0, 22.0];

/// The view's memory of one map: its texture and where it was drawn.
#[derive(Default)]
pub struct MapView {
    texture: Option<(TextureHandle, u64)>,
    /// The plot area and data box of the last frame (for tests and clicks):
    /// (mu0, sigma0) on a 2-D map, (mu, objective) over a band.
    pub frame: Option<Frame2>,
    /// In the fixed-sigma family, the band of starts mu0 under the curve.
    pub band: Option<Rect>,
    /// The objective against mu at the held sigma, for the map version it was computed for.
    pub curve: Option<(u64, Vec<[f64; 2]>)>,
    /// The readout line under the map as last drawn (its longest form).
    pub readout: String,
}

/// Everything one map needs to draw.
pub struct MapInput<'a> {
    /// Which objective's map.
    pub objective: Objective,
    /// The job slot: map on view, progress, error.
    pub slot: &'a MapSlot,
    /// The grid of starts.
    pub grid: &'a Grid,
    /// Steps per start (shading of slow starts).
    pub steps: u32,
    /// The live fit on this objective (its trajectory is drawn).
    pub fit: &'a LiveFit,
    /// What is current: a map for another key is drawn faded, marked out of date.
    pub key: &'a MapKey,
    /// The colour slot of each optimum of the map on view.
    pub identities: &'a Identities,
}

/// The data box of a grid's image: each cell centred on its start.
pub fn image_box(grid: &Grid) -> ((f64, f64), (f64, f64)) {
    let half = |a: &crate::landscape::Axis| {
        if a.count > 1 {
            0.5 * (a.hi - a.lo) / (a.count - 1) as f64
        } else {
            0.5 * (a.hi - a.lo)
        }
    };
    let (hm, hs) = (half(&grid.mu), half(&grid.sigma));
    (
        (grid.mu.lo - hm, grid.mu.hi + hm),
        (grid.sigma.lo - hs, grid.sigma.hi + hs),
    )
}

/// The grid cell (column, row) nearest to data point (mu, sigma), if inside the map.
pub fn cell_at(grid: &Grid, mu: f64, sigma: f64) -> Option<(usize, usize)> {
    let (bx, by) = image_box(grid);
    if !(mu >= bx.0 && mu <= bx.1 && sigma >= by.0 && sigma <= by.1) {
        return None;
    }
    let col = grid
        .mu
        .position(mu)
        .round()
        .clamp(0.0, (grid.mu.count - 1) as f64) as usize;
    let row = grid
        .sigma
        .position(sigma)
        .round()
        .clamp(0.0, (grid.sigma.count - 1) as f64) as usize;
    Some((col, row))
}

fn image(landscape: &Landscape, grid: &Grid, steps: u32, ids: &Identities) -> ColorImage {
    let (cols, rows) = (grid.mu.count, grid.sigma.count);
    let mut rgb = Vec::with_capacity(cols * rows * 3);
    for r in (0..rows).rev() {
        for c in 0..cols {
            let i = r * cols + c;
            let label = landscape.labels.get(i).copied().unwrap_or(-1);
            let s = landscape.steps_to_converge.get(i).copied().unwrap_or(steps);
            rgb.extend_from_slice(&cell_colour(ids.label(label), s, steps));
        }
    }
    ColorImage::from_rgb([cols, rows], &rgb)
}

/// Draws the map and legend in `rect`; returns the start (mu0, sigma0) of a clicked cell.
pub fn show(
    ui: &mut egui::Ui,
    rect: Rect,
    view: &mut MapView,
    input: &MapInput<'_>,
) -> Option<(f64, f64)> {
    let painter = super::plot::card(ui, rect);
    let grid = input.grid;
    let shown = input.slot.shown();

    // In the fixed-sigma family a map is one-dimensional: the objective
    // against mu over a band of starts mu0; otherwise cells over (mu0, sigma0).
    let held = shown
        .map_or(input.key.family, |s| s.key.family)
        .fixed_sigma();
    let starts = match held {
        Some(_) => format!("{} starts", grid.mu.count),
        None => format!("{}x{} starts", grid.mu.count, grid.sigma.count),
    };

    // Header: status right, title left in what is left; shorter forms when narrow.
    let freshness = input.slot.freshness(input.key);
    let current = freshness == Some(Freshness::Current);
    let status: Vec<String> = match (input.slot.progress(), input.slot.error(), shown) {
        // The error itself goes in the line under the map.
        (_, Some(_), _) => vec!["map failed".into()],
        (Some(p), _, _) => vec![
            format!("computing {:.0}%", 100.0 * p),
            format!("{:.0}%", 100.0 * p),
        ],
        (None, _, Some(s)) if current => vec![
            format!(
                "{starts}, {} steps, {:.1} s",
                input.steps, s.landscape.seconds
            ),
            format!("{:.1} s", s.landscape.seconds),
        ],
        (None, _, Some(_)) => vec!["waiting for the edit to settle".into(), "waiting".into()],
        (None, _, None) => vec!["no map yet".into()],
    };
    let room = rect.width() - 20.0;
    let status = text_fitting(
        &painter,
        pos2(rect.right() - 10.0, rect.top() + 9.0),
        Align2::RIGHT_TOP,
        &status,
        FontId::proportional(12.5),
        Color32::from_gray(80),
        0.45 * room,
    );
    let formula = input.objective.formula();
    text_fitting(
        &painter,
        rect.left_top() + vec2(10.0, 7.0),
        Align2::LEFT_TOP,
        &[
            format!("Basin map, {formula}  {}", input.objective),
            format!("{formula}  {}", input.objective),
            formula.to_string(),
        ],
        FontId::proportional(15.0),
        Color32::from_gray(30),
        status.map_or(room, |s| s.left() - rect.left() - 22.0),
    );
    if let Some(p) = input.slot.progress() {
        let bar = Rect::from_min_size(
            rect.left_top() + vec2(10.0, 28.0),
            vec2(rect.width() - 20.0, 4.0),
        );
        painter.rect_filled(bar, 2.0, Color32::from_gray(225));
        let done = Rect::from_min_size(
            bar.min,
            vec2(bar.width() * p.clamp(0.0, 1.0) as f32, bar.height()),
        );
        painter.rect_filled(done, 2.0, Color32::from_rgb(60, 120, 200));
    }

    // Plot area.
    let plot = Rect::from_min_max(
        rect.left_top() + vec2(46.0, 54.0),
        pos2(
            rect.right() - LEGEND_WIDTH.min(LEGEND_SHARE * rect.width()) - 14.0,
            rect.bottom() - 62.0,
        ),
    );
    if plot.width() < 20.0 || plot.height() < 20.0 {
        view.frame = None;
        return None;
    }
    let texture = upload(ui, view, input);
    let drawn = match held {
        Some(sigma) => super::basin_band::draw(ui, &painter, plot, view, input, texture, sigma),
        None => draw_map(ui, &painter, plot, view, input, texture),
    };
    let at = pos2(rect.left() + 10.0, rect.bottom() - 20.0);
    let font = FontId::proportional(12.0);
    let grey = Color32::from_gray(60);
    match (drawn.readout, input.slot.error()) {
        // An error is shown whole, cut off by the card if it must be.
        (None, Some(e)) => {
            painter.text(at, Align2::LEFT_TOP, format!("map failed: {e}"), font, grey);
        }
        (forms, _) => {
            let forms = forms.unwrap_or_else(|| match held {
                Some(_) => vec![
                    "click the curve or the band to run the live fit from that μ₀".into(),
                    "click: a fit from that μ₀".into(),
                ],
                None => vec![
                    "click a cell to run the live fit from that start".into(),
                    "click a cell: a fit from there".into(),
                ],
            });
            let width = rect.width() - 20.0;
            text_fitting(&painter, at, Align2::LEFT_TOP, &forms, font, grey, width);
            view.readout = forms.first().cloned().unwrap_or_default();
        }
    }
    // Legend, down to the readout's line (which runs the card's width).
    let legend = Rect::from_min_max(
        pos2(plot.right() + 14.0, plot.top()),
        pos2(rect.right() - 8.0, at.y - 4.0),
    );
    draw_legend(ui, legend, shown.map(|s| &s.landscape), freshness, input);
    drawn.clicked
}

/// What drawing a map's plot gives back: the readout forms for the pointer
/// (longest first; None when it is not over the plot) and a clicked start.
pub struct Drawn {
    /// The hover readout.
    pub readout: Option<Vec<String>>,
    /// The start (mu0, sigma0) of a click.
    pub clicked: Option<(f64, f64)>,
}

/// The map's picture as a texture, uploaded again only when the map on view
/// changed; its row 0 is the band of a one-dimensional map.
fn upload(ui: &egui::Ui, view: &mut MapView, input: &MapInput<'_>) -> Option<egui::TextureId> {
    let s = input.slot.shown()?;
    let outdated = view.texture.as_ref().is_none_or(|(_, v)| *v != s.version);
    if outdated {
        let img = image(&s.landscape, input.grid, input.steps, input.identities);
        match view.texture.as_mut() {
            Some((tex, v)) => {
                tex.set(img, TextureOptions::NEAREST);
                *v = s.version;
            }
            None => {
                let tex = ui.ctx().load_texture(
                    format!("map-{}", input.objective),
                    img,
                    TextureOptions::NEAREST,
                );
                view.texture = Some((tex, s.version));
            }
        }
    }
    view.texture.as_ref().map(|(tex, _)| tex.id())
}

/// Paints the map's picture (faded when out of date), or the unconverged
/// grey while there is none, framed, into `rect`.
pub fn paint_cells(
    painter: &egui::Painter,
    rect: Rect,
    texture: Option<egui::TextureId>,
    stale: bool,
) {
    match texture {
        Some(id) => {
            let tint = if stale {
                Color32::from_white_alpha(110)
            } else {
                Color32::WHITE
            };
            let whole = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
            painter.image(id, rect, whole, tint);
        }
        None => {
            painter.rect_filled(rect, 0.0, rgb(UNCONVERGED));
        }
    }
    painter.rect_stroke(
        rect,
        0.0,
        Stroke::new(1.0, Color32::from_gray(90)),
        egui::StrokeKind::Outside,
    );
}

/// The note over an out-of-date map.
pub fn stale_note(clip: &egui::Painter, plot: Rect) {
    let dark = Color32::from_gray(30);
    let note = clip.layout_no_wrap(
        "out of date: new map computing".into(),
        FontId::proportional(12.0),
        dark,
    );
    let at = plot.left_top() + vec2(6.0, 5.0);
    let back = Rect::from_min_size(at, note.size()).expand(3.0);
    clip.rect_filled(back, 2.0, Color32::from_white_alpha(220));
    clip.galley(at, note, dark);
}

/// The live fit's path (screen points, hundreds of steps, most a pixel or
/// less apart): a black line on a white halo, its start open, its end filled.
pub fn draw_trail(clip: &egui::Painter, points: &[Pos2]) {
    let trail = thin(points, THIN_TOLERANCE);
    let ends = trail.first().copied().zip(trail.last().copied());
    if trail.len() > 1 {
        clip.add(Shape::line(
            trail.clone(),
            Stroke::new(3.5, Color32::from_white_alpha(200)),
        ));
        clip.add(Shape::line(trail, Stroke::new(1.6, Color32::BLACK)));
    }
    if let Some((first, last)) = ends {
        ringed_disc(
            clip,
            first,
            4.5,
            Color32::WHITE,
            Stroke::new(1.5, Color32::BLACK),
        );
        ringed_disc(
            clip,
            last,
            4.0,
            Color32::BLACK,
            Stroke::new(1.5, Color32::WHITE),
        );
    }
}

/// An optimum's marker: a disc in its colour with its number.
pub fn optimum_marker(clip: &egui::Painter, at: Pos2, k: usize, ids: &Identities) {
    let c = rgb(optimum_colour(ids.slot(k) as i32));
    ringed_disc(clip, at, 7.0, c, Stroke::new(2.0, Color32::WHITE));
    clip.text(
        at,
        Align2::CENTER_CENTER,
        format!("{k}"),
        FontId::proportional(10.0),
        Color32::WHITE,
    );
}

/// The readout for start `start` (its words, e.g. "start (μ₀ 1.00, σ₀ 2.00)"),
/// cell `i` of the map on view, longest form first; `stale` says only that
/// the map is out of date, `current` false adds "so far".
pub fn readout(
    input: &MapInput<'_>,
    start: &str,
    i: usize,
    stale: bool,
    current: bool,
) -> Option<Vec<String>> {
    let value = style(input.objective).value;
    if stale {
        return Some(vec![
            format!("{start}: map out of date, new map computing"),
            "map out of date, new map computing".into(),
            "map out of date".into(),
        ]);
    }
    let l = &input.slot.shown()?.landscape;
    let label = *l.labels.get(i)?;
    let steps = l.steps_to_converge.get(i).copied().unwrap_or(0);
    let start = if current {
        start.to_string()
    } else {
        format!("so far: {start}")
    };
    Some(match l.optima.get(usize::try_from(label).ok()?) {
        Some(o) => vec![
            format!(
                "{start}  ->  optimum #{label} (μ {}, σ {:.3}), {value} {:.4}, {steps} steps",
                fixed(o.mu, 3),
                o.sigma,
                o.kl
            ),
            format!("{start}  ->  #{label}, {value} {:.4}, {steps} steps", o.kl),
            format!("{start}  ->  #{label}"),
        ],
        None => vec![
            format!("{start}  ->  not converged after {steps} steps"),
            format!("{start}  ->  not converged"),
        ],
    })
}

/// The two-dimensional map: cells over (mu0, sigma0), axes, optima, the live
/// fit's path, hover and click.
fn draw_map(
    ui: &egui::Ui,
    painter: &egui::Painter,
    plot: Rect,
    view: &mut MapView,
    input: &MapInput<'_>,
    texture: Option<egui::TextureId>,
) -> Drawn {
    let grid = input.grid;
    let freshness = input.slot.freshness(input.key);
    let (current, stale) = (
        freshness == Some(Freshness::Current),
        freshness == Some(Freshness::Stale),
    );
    let (bx, by) = image_box(grid);
    let f = Frame2 {
        rect: plot,
        x: bx,
        y: by,
    };
    view.frame = Some(f);
    view.band = None;
    paint_cells(painter, plot, texture, stale);

    // Axes.
    x_axis(
        painter,
        &f,
        &nice_ticks(
            grid.mu.lo,
            grid.mu.hi,
            ticks(plot.width(), TICK_ROOM[0], 14),
        ),
        |t| Some(format!("{t:.0}")),
        11.5,
    );
    let sigma_ticks = nice_ticks(
        grid.sigma.lo,
        grid.sigma.hi,
        ticks(plot.height(), TICK_ROOM[1], 8),
    );
    y_axis(painter, &f, &sigma_ticks, |t| format!("{t:.1}"), 11.5);
    painter.text(
        pos2(plot.center().x, plot.bottom() + 20.0),
        Align2::CENTER_TOP,
        "start mean  μ₀",
        FontId::proportional(12.5),
        Color32::from_gray(50),
    );
    painter.text(
        pos2(plot.left() - 38.0, plot.top() - 4.0),
        Align2::LEFT_BOTTOM,
        "start width  σ₀",
        FontId::proportional(12.5),
        Color32::from_gray(50),
    );

    // Optima markers (none on a map of earlier settings: they are not there any more).
    let clip = ui.painter_at(plot);
    if stale {
        stale_note(&clip, plot);
    }
    if let Some(s) = input.slot.shown().filter(|_| !stale) {
        for (k, o) in s.landscape.optima.iter().enumerate() {
            optimum_marker(
                &clip,
                f.to_screen_clamped(o.mu, o.sigma),
                k,
                input.identities,
            );
        }
    }
    let trail: Vec<Pos2> = input
        .fit
        .trail
        .iter()
        .map(|t| f.to_screen_clamped(t[0], t[1]))
        .collect();
    draw_trail(&clip, &trail);

    // Hover readout and click.
    let id = ui.scope_id().with(("basin-map", input.objective.key()));
    let response = ui.interact(plot, id, Sense::click());
    let cell = |p: Pos2| {
        let (mu, sigma) = f.to_data(p);
        cell_at(grid, mu, sigma)
    };
    let readout = response.hover_pos().and_then(cell).and_then(|(c, r)| {
        let (mu0, sigma0) = (grid.mu.at(c), grid.sigma.at(r));
        let start = format!("start (μ₀ {mu0:.2}, σ₀ {sigma0:.2})");
        readout(input, &start, r * grid.mu.count + c, stale, current)
    });
    let clicked = response
        .clicked()
        .then(|| response.interact_pointer_pos())
        .flatten()
        .and_then(cell)
        .map(|(c, r)| (grid.mu.at(c), grid.sigma.at(r)));
    Drawn { readout, clicked }
}

fn draw_legend(
    ui: &egui::Ui,
    rect: Rect,
    landscape: Option<&Landscape>,
    freshness: Option<Freshness>,
    input: &MapInput<'_>,
) {
    let ids = input.identities;
    let value = style(input.objective).value;
    let painter = ui.painter_at(rect);
    let font = FontId::proportional(12.0);
    let dark = Color32::from_gray(30);
    // One line of the legend at `x` pixels in: its longest form that fits.
    let line = |x: f32, y: f32, forms: &[String], font: FontId, colour: Color32| {
        let at = pos2(rect.left() + x, y);
        text_fitting(
            &painter,
            at,
            Align2::LEFT_TOP,
            forms,
            font,
            colour,
            rect.width() - x,
        );
    };
    let swatch = |y: f32, colour: Color32| {
        let square = Rect::from_min_size(pos2(rect.left(), y + 2.0), vec2(12.0, 12.0));
        painter.rect_filled(square, 2.0, colour);
    };
    let mut y = rect.top();
    let head = match freshness {
        Some(Freshness::Stale) => vec![
            "optima: out of date, new map computing".to_string(),
            "optima: out of date".to_string(),
        ],
        Some(Freshness::Provisional) => vec![
            "optima so far (map computing)".to_string(),
            "optima so far".to_string(),
        ],
        _ => vec!["optima (verified minima)".to_string(), "optima".to_string()],
    };
    line(0.0, y, &head, font.clone(), dark);
    y += 18.0;
    let Some(l) = landscape.filter(|_| freshness != Some(Freshness::Stale)) else {
        return;
    };
    for (k, o) in l.optima.iter().enumerate() {
        if y + 30.0 > rect.bottom() {
            let more = [format!("... {} more", l.optima.len() - k)];
            line(0.0, y, &more, font, dark);
            return;
        }
        swatch(y, rgb(optimum_colour(ids.slot(k) as i32)));
        let floor = if o.boundary { " (floor)" } else { "" };
        let share = 100.0 * o.basin_fraction;
        let head = [
            format!("#{k}{floor}  share {share:.1}%"),
            format!("#{k}{floor}  {share:.1}%"),
        ];
        line(18.0, y, &head, font.clone(), dark);
        let nums = [
            format!(
                "μ {}  σ {:.3}  {value} {:.4}",
                fixed(o.mu, 3),
                o.sigma,
                o.kl
            ),
            format!(
                "μ {}  σ {:.2}  {value} {:.3}",
                fixed(o.mu, 2),
                o.sigma,
                o.kl
            ),
        ];
        line(18.0, y + 15.0, &nums, font.clone(), Color32::from_gray(60));
        y += 34.0;
    }
    if y + 16.0 <= rect.bottom() {
        swatch(y, rgb(UNCONVERGED));
        let share = 100.0 * l.unconverged_share();
        let forms = [
            format!("not converged  {share:.1}%"),
            format!("unconverged {share:.1}%"),
        ];
        line(18.0, y, &forms, font.clone(), dark);
        y += 18.0;
    }
    if !l.saddles.is_empty() && y + 16.0 <= rect.bottom() {
        let n = l.saddles.len();
        let forms = [
            format!("{n} saddle(s) reached, not optima"),
            format!("{n} saddle(s) reached"),
        ];
        line(0.0, y, &forms, font.clone(), dark);
        y += 18.0;
    }
    if y + 30.0 <= rect.bottom() {
        let forms = [
            "light = fast, full colour = slow".to_string(),
            "light = fast".to_string(),
        ];
        let faint = Color32::from_gray(100);
        line(0.0, y + 4.0, &forms, FontId::proportional(11.0), faint);
    }
}

/// Screen position of the centre of cell (column, row) in the map as last
/// drawn (on a one-dimensional map, column's point of the band).
pub fn cell_centre(view: &MapView, grid: &Grid, col: usize, row: usize) -> Option<Pos2> {
    let frame = view.frame?;
    let at = frame.to_screen(grid.mu.at(col), grid.sigma.at(row));
    Some(match view.band {
        Some(band) => pos2(at.x, band.center().y),
        None => at,
    })
}
