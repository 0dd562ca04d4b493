//! One fit panel: the target p as a shaded area, q as a thick curve, the
//! optima as dashed curves, the mode handles and q's handle with their drags
//! and scrolls, and a readout line (KL now, step, |gradient|, destination).

use std::time::Instant;

use eframe::egui::{
    self, Align2, Color32, CursorIcon, FontId, Mesh, MouseWheelUnit, Pos2, Rect, Sense, Shape,
    Stroke, pos2, vec2,
};

use super::objectives::{Style, style, title};
use super::plot::{Frame2, THIN_TOLERANCE, ringed_disc, text_fitting, thin, ticks, x_axis};
use super::state::{AppState, Handle};
use crate::export::png::{nice_ticks, tick_label};
use crate::objective::Objective;
use crate::target::LN_SQRT_2PI;

/// Curves are sampled this many times per pixel of the plot's width, then
/// thinned to the points that move the drawn line by more than
/// [`THIN_TOLERANCE`] pixels (every vertex costs llvmpipe time: 561 points a
/// curve took 20 ms of a frame).
const SAMPLES_PER_PX: f32 = 2.0;
/// Least room (pixels) per x tick label: zoomed labels run to "-0.25".
const TICK_ROOM: f32 = 32.0;
/// A handle is grabbed or hovered within this many pixels.
const GRAB_RADIUS: f32 = 13.0;
/// Drawn radius of a handle.
const HANDLE_RADIUS: f32 = 6.5;

/// Colour of the live q in both panels, as of its trajectory on the maps:
/// black, which no optimum's colour is (colours mean optima only).
pub const Q_COLOUR: Color32 = Color32::BLACK;
const P_FILL: Color32 = Color32::from_rgba_unmultiplied_const(110, 110, 110, 70);
const P_LINE: Color32 = Color32::from_gray(120);
const HANDLE: Color32 = Color32::from_gray(105);
const HOVER: Color32 = Color32::from_rgb(255, 170, 0);
/// The panel's titles and status.
const TITLE: Color32 = Color32::from_gray(30);
/// How long without a wheel turn ends a scroll on a handle.
const SCROLL_PAUSE: f64 = 0.4;

/// A scroll that began on a mode's handle: it stays on that mode while the
/// pointer stays within [`GRAB_RADIUS`] of where it began and the wheel
/// turns without a pause of [`SCROLL_PAUSE`], though the handle moves away.
#[derive(Debug, Clone, Copy)]
struct ScrollGesture {
    mode: usize,
    at: Pos2,
    last: f64,
}

/// A dashed optimum curve to draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DashedOptimum {
    /// Mean of the optimum.
    pub mu: f64,
    /// Width of the optimum.
    pub sigma: f64,
    /// Its palette colour (the map's colour for it).
    pub colour: Color32,
    /// The global best: darker and thicker.
    pub best: bool,
}

/// What the panel shows besides the state: optima and the readout's destination text.
pub struct PanelInfo<'a> {
    /// Which objective this panel fits.
    pub objective: Objective,
    /// Optima to draw dashed.
    pub optima: &'a [DashedOptimum],
    /// Where the fit is heading ("optimum #1 (mu .., sigma ..)"), longest
    /// form first; empty if not known.
    pub heading: Vec<String>,
}

fn gauss(x: f64, mu: f64, sigma: f64) -> f64 {
    let z = (x - mu) / sigma;
    (-0.5 * z * z - sigma.ln() - LN_SQRT_2PI).exp()
}

fn peak(sigma: f64) -> f64 {
    (-sigma.ln() - LN_SQRT_2PI).exp()
}

/// Where each handle sits in data coordinates: modes at w_k N(m_k; m_k, s_k), q at its peak.
pub fn handle_positions(state: &AppState, objective: Objective) -> Vec<(Handle, f64, f64)> {
    let mut out: Vec<(Handle, f64, f64)> = state
        .modes()
        .iter()
        .enumerate()
        .map(|(i, m)| (Handle::Mode(i), m.mean, m.weight * peak(m.std)))
        .collect();
    let [mu, sigma] = state.fit(objective).position();
    out.push((Handle::Q(objective), mu, peak(sigma)));
    out
}

/// Draws the panel in `rect` and handles its drags, scrolls and hovers;
/// returns the plot's data-to-screen map (None when too small to draw).
pub fn show(
    ui: &mut egui::Ui,
    rect: Rect,
    state: &mut AppState,
    info: &PanelInfo<'_>,
    now: Instant,
) -> Option<Frame2> {
    let objective = info.objective;
    let painter = super::plot::card(ui, rect);

    // Header: title, status and readouts, in shorter forms when narrow.
    let colour = TITLE;
    let fit = state.fit(objective);
    let [mu, sigma] = fit.position();
    let status = if fit.converged() {
        "converged"
    } else if fit.diverged() {
        "diverged"
    } else if state.dragging().is_some() || state.paused {
        "paused"
    } else {
        "running"
    };
    let status = painter.text(
        rect.right_top() + vec2(-10.0, 9.0),
        Align2::RIGHT_TOP,
        status,
        FontId::proportional(13.0),
        colour,
    );
    let Style {
        colour: accent,
        direction,
        seeks,
        value,
        ..
    } = style(objective);
    let formula = title(objective);
    // The objective's accent down the card's left edge.
    painter.rect_filled(
        Rect::from_min_size(rect.left_top() + vec2(0.0, 6.0), vec2(3.0, 50.0)),
        1.0,
        accent,
    );
    let text_at = |dy: f32| rect.left_top() + vec2(10.0, dy);
    text_fitting(
        &painter,
        text_at(7.0),
        Align2::LEFT_TOP,
        &[
            format!("{formula}  {direction}, {seeks}"),
            format!("{formula}  {direction}"),
        ],
        FontId::proportional(16.0),
        colour,
        status.left() - rect.left() - 20.0,
    );
    let kl = format!("{value} {:.5}", fit.eval.kl);
    let steps = format!("step {}", fit.steps());
    let q = format!("q = N({}, {:.3}²)", crate::number::fixed(mu, 3), sigma);
    let readouts = [
        format!("{kl}  {steps}  |∇| {:.1e}  {q}", fit.eval.grad_norm()),
        format!("{kl}  {steps}  {q}"),
        format!("{kl}  {q}"),
    ];
    let width = rect.width() - 20.0;
    let mono = FontId::monospace(12.5);
    text_fitting(
        &painter,
        text_at(28.0),
        Align2::LEFT_TOP,
        &readouts,
        mono,
        Color32::from_gray(40),
        width,
    );
    text_fitting(
        &painter,
        text_at(45.0),
        Align2::LEFT_TOP,
        &info.heading,
        FontId::proportional(13.0),
        Color32::from_gray(70),
        width,
    );

    // Plot area.
    let plot = Rect::from_min_max(
        rect.left_top() + vec2(14.0, 68.0),
        rect.right_bottom() - vec2(14.0, 26.0),
    );
    if plot.width() < 20.0 || plot.height() < 20.0 {
        return None;
    }
    let mixture = state.mixture();
    let (lo, hi) = state.x_view();
    let samples = (SAMPLES_PER_PX * plot.width()).max(2.0) as usize;
    let xs: Vec<f64> = (0..samples)
        .map(|i| lo + (hi - lo) * i as f64 / (samples - 1) as f64)
        .collect();
    let ps: Vec<f64> = xs.iter().map(|&x| mixture.pdf(x)).collect();
    let p_max = ps.iter().copied().fold(0.0, f64::max);
    let opt_max = info
        .optima
        .iter()
        .map(|o| peak(o.sigma))
        .fold(0.0, f64::max);
    // The tallest curve stays below the key and its handles clear of it.
    let top = p_max.max(opt_max.min(3.0 * p_max));
    let free = f64::from((KEY_ROOM / plot.height()).min(0.5));
    let y_max = (top / (1.0 - free)).max(1.12 * top).clamp(0.02, 50.0);
    let f = Frame2 {
        rect: plot,
        x: (lo, hi),
        y: (0.0, y_max),
    };
    let clip = ui.painter_at(
        plot.expand2(vec2(HANDLE_RADIUS + 3.0, 0.0))
            .with_min_y(plot.top() - HANDLE_RADIUS - 3.0),
    );

    // p: shaded area and outline, on the same thinned points.
    let line = |ys: &mut dyn Iterator<Item = f64>| -> Vec<Pos2> {
        let points: Vec<Pos2> = xs
            .iter()
            .zip(ys)
            .map(|(&x, y)| f.to_screen_clamped(x, y))
            .collect();
        thin(&points, THIN_TOLERANCE)
    };
    let curve = |mu: f64, sigma: f64| line(&mut xs.iter().map(|&x| gauss(x, mu, sigma)));
    let p_points = line(&mut ps.iter().copied());
    let mut mesh = Mesh::default();
    for &top in &p_points {
        mesh.colored_vertex(pos2(top.x, plot.bottom()), P_FILL);
        mesh.colored_vertex(top, P_FILL);
    }
    for i in 0..(p_points.len() as u32).saturating_sub(1) {
        let a = 2 * i;
        mesh.add_triangle(a, a + 1, a + 2);
        mesh.add_triangle(a + 1, a + 3, a + 2);
    }
    clip.add(Shape::mesh(mesh));
    clip.add(Shape::line(p_points, Stroke::new(1.6, P_LINE)));

    // Optima, dashed: others first (lighter), the best last on top.
    let mut optima: Vec<&DashedOptimum> = info.optima.iter().collect();
    optima.sort_by_key(|o| o.best);
    for o in optima {
        let width = if o.best { 2.6 } else { 1.8 };
        clip.extend(Shape::dashed_line(
            &curve(o.mu, o.sigma),
            Stroke::new(width, o.colour),
            7.0,
            5.0,
        ));
    }

    // q.
    clip.add(Shape::line(curve(mu, sigma), Stroke::new(3.0, Q_COLOUR)));
    key(&painter, plot, !info.optima.is_empty());

    x_axis(
        &painter,
        &f,
        &nice_ticks(lo, hi, ticks(plot.width(), TICK_ROOM, 14)),
        |t| Some(tick_label(t)),
        12.0,
    );

    // Interaction.
    let id = ui.scope_id().with(("fit-panel", objective.key()));
    let response = ui.interact(
        plot.expand(HANDLE_RADIUS + 2.0),
        id,
        Sense::click_and_drag(),
    );
    let handles: Vec<(Handle, Pos2)> = handle_positions(state, objective)
        .into_iter()
        .map(|(h, x, y)| {
            let p = f.to_screen_clamped(x, y);
            (h, pos2(p.x, p.y.max(plot.top())))
        })
        .collect();
    // Hit-test against where handles are now and where they were drawn last
    // frame (what the user saw when pressing): q may have moved in between.
    let drawn: Vec<(Handle, Pos2)> = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let nearest = |at: Pos2| {
        handles
            .iter()
            .chain(&drawn)
            .map(|&(h, p)| (h, p.distance(at)))
            .filter(|&(_, d)| d <= GRAB_RADIUS)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(h, _)| h)
    };
    // Grab on press (a moving q is caught where it was clicked), move on drag, let go on release.
    let (origin, at, pressed, released) = ui.input(|i| {
        (
            i.pointer.press_origin(),
            i.pointer.interact_pos(),
            i.pointer.primary_pressed(),
            i.pointer.primary_released(),
        )
    });
    let mine = response.is_pointer_button_down_on();
    if pressed
        && mine
        && state.dragging().is_none()
        && let Some(h) = origin.and_then(nearest)
    {
        state.begin_drag(h);
    }
    let held = state.dragging().filter(|h| match h {
        Handle::Q(o) => *o == objective,
        Handle::Mode(_) => true,
    });
    if mine
        && response.dragged()
        && held.is_some()
        && let (Some(origin), Some(at)) = (origin, at)
    {
        let (x, _) = f.to_data(at);
        state.drag_to(x, f64::from(at.y - origin.y));
    }
    if held.is_some() && (released || response.drag_stopped()) {
        state.release();
    }
    // The view: a press that grabbed no handle pans until released (decided
    // at the press: handles sliding under the pointer do not stop it), a
    // double click off the handles resets, and scrolling off a mode's handle
    // zooms about the pointer.
    let pan_id = id.with("pan");
    if pressed && mine {
        let panning = state.dragging().is_none();
        ui.data_mut(|d| d.insert_temp(pan_id, panning));
    }
    let panning = ui.data(|d| d.get_temp(pan_id)).unwrap_or(false);
    if panning && mine && response.dragged() {
        state.pan_x(-f64::from(response.drag_delta().x) / f.px_per_x());
    }
    if released {
        ui.data_mut(|d| d.remove::<bool>(pan_id));
    }
    if response.double_clicked() && origin.and_then(nearest).is_none() {
        state.reset_x_view();
    }
    let hovered = if held.is_some() {
        held
    } else {
        response.hover_pos().and_then(nearest)
    };
    if hovered.is_some() {
        ui.ctx().set_cursor_icon(if held.is_some() {
            CursorIcon::Grabbing
        } else {
            CursorIcon::Grab
        });
    }
    let notches = if response.hovered() && held.is_none() {
        ui.input(|inp| {
            inp.events
                .iter()
                .map(|e| match e {
                    egui::Event::MouseWheel { unit, delta, .. } => match unit {
                        MouseWheelUnit::Line => f64::from(delta.y),
                        MouseWheelUnit::Point => f64::from(delta.y) / 50.0,
                        MouseWheelUnit::Page => f64::from(delta.y) * 3.0,
                    },
                    _ => 0.0,
                })
                .sum::<f64>()
        })
    } else {
        0.0
    };
    let gesture_id = id.with("scroll");
    let (time, pointer) = ui.input(|i| (i.time, i.pointer.hover_pos()));
    let gesture = ui
        .data(|d| d.get_temp::<ScrollGesture>(gesture_id))
        .filter(|g| {
            time - g.last < SCROLL_PAUSE
                && pointer.is_some_and(|p| p.distance(g.at) <= GRAB_RADIUS)
                && g.mode < state.modes().len()
        });
    let gesture = match (gesture, hovered) {
        (Some(g), _) => Some(g),
        (None, Some(Handle::Mode(mode))) if notches != 0.0 => pointer.map(|at| ScrollGesture {
            mode,
            at,
            last: time,
        }),
        _ => None,
    };
    if notches != 0.0 {
        match gesture {
            Some(g) => state.scroll_mode(g.mode, notches, now),
            None => {
                if let Some(p) = response.hover_pos() {
                    state.zoom_x(notches, f.to_data(p).0);
                }
            }
        }
    }
    ui.data_mut(|d| match gesture {
        Some(g) => {
            d.insert_temp(
                gesture_id,
                ScrollGesture {
                    last: if notches != 0.0 { time } else { g.last },
                    ..g
                },
            );
        }
        None => {
            d.remove::<ScrollGesture>(gesture_id);
        }
    });

    // Handles, drawn last (their positions after this frame's drag).
    let mut drawn = Vec::new();
    for (h, x, y) in handle_positions(state, objective) {
        let p = f.to_screen_clamped(x, y);
        let p = pos2(p.x, p.y.max(plot.top()));
        drawn.push((h, p));
        let fill = match h {
            Handle::Mode(_) => HANDLE,
            Handle::Q(_) => Q_COLOUR,
        };
        let lit = hovered == Some(h) || gesture.map(|g| Handle::Mode(g.mode)) == Some(h);
        let r = if lit {
            HANDLE_RADIUS + 2.0
        } else {
            HANDLE_RADIUS
        };
        if lit {
            clip.circle_filled(p, r + 3.0, HOVER.gamma_multiply(0.45));
        }
        ringed_disc(&clip, p, r, fill, Stroke::new(1.5, Color32::WHITE));
    }
    ui.data_mut(|d| d.insert_temp(id, drawn));
    Some(f)
}

/// Points kept free at the top of the plot, above the tallest curve, for the key.
const KEY_ROOM: f32 = 24.0;

/// The panel's key, top right of the plot: what the solid and dashed curves are.
fn key(painter: &egui::Painter, plot: Rect, dashed: bool) {
    let font = FontId::proportional(12.0);
    let grey = Color32::from_gray(50);
    let mut right = plot.right() - 4.0;
    let y = plot.top() + 8.0;
    let mut entry = |text: &str, stroke: Stroke, dash: bool| {
        let label = painter.text(
            pos2(right, y),
            Align2::RIGHT_CENTER,
            text,
            font.clone(),
            grey,
        );
        let line = [pos2(label.left() - 28.0, y), pos2(label.left() - 4.0, y)];
        if dash {
            painter.extend(Shape::dashed_line(&line, stroke, 5.0, 3.0));
        } else {
            painter.line_segment(line, stroke);
        }
        right = label.left() - 40.0;
    };
    if dashed {
        let colour = Color32::from_gray(90);
        entry(
            "optima, in their basins' colours",
            Stroke::new(1.8, colour),
            true,
        );
    }
    entry("q", Stroke::new(3.0, Q_COLOUR), false);
}
