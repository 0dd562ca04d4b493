//! The sweep view: what is varied (objective, parameter, modes, range), the
//! bifurcation diagram (mu* of every branch against the parameter; minima
//! solid, saddles dashed, the global best bold; folds, pitchforks and
//! Maxwell points marked and labelled with their values) above the stacked
//! basin fractions, the current value as a vertical line across both; a
//! click on either sets the parameter to the value under the pointer.

use std::time::Instant;

use eframe::egui::{
    self, Align2, Color32, DragValue, FontId, Mesh, Pos2, Rect, Sense, Shape, Stroke, pos2, vec2,
};

use super::objectives::style;
use super::plot::{Frame2, rgb, text_fitting, ticks, x_axis, y_axis};
use super::state::AppState;
use super::sweep_job::Sweeps;
use super::sweep_setup::{SweepChoice, SweepKind};
use crate::export::png::nice_ticks;
use crate::number::readable;
use crate::palette::UNCONVERGED;
use crate::sweep::{BifurcationKind, BranchKind, ObjectiveSweep};

/// Ink of the current value's line.
const NOW: Color32 = Color32::from_rgb(20, 20, 20);
/// Least room (pixels) per tick label.
const TICK_ROOM: [f32; 2] = [48.0, 24.0];

/// What the view remembers between frames (for tests and clicks).
#[derive(Debug, Default, Clone, Copy)]
pub struct SweepView {
    /// The diagram's plot area and data box (x the parameter, y mu*) as last drawn.
    pub diagram: Option<Frame2>,
    /// The fraction bands' plot area as last drawn (x the parameter, y 0..1).
    pub fractions: Option<Frame2>,
    /// True when the sweep on view was drawn marked out of date.
    pub stale: bool,
}

/// The colour of branch `b`, as the exported sweep figure draws it.
fn branch_colour(s: &ObjectiveSweep, b: usize) -> Color32 {
    rgb(crate::palette::branch_colour(&s.branches, b))
}

/// The word a bifurcation's label starts with.
pub(super) fn word(kind: BifurcationKind) -> &'static str {
    match kind {
        BifurcationKind::Fold => "fold",
        BifurcationKind::Pitchfork => "pitchfork",
        BifurcationKind::Branch => "branch pt",
        BifurcationKind::Maxwell => "Maxwell",
    }
}

/// Draws the view in `rect`: its controls change `state`'s sweep choice,
/// a click on its plots sets the swept parameter.
pub fn show(
    ui: &mut egui::Ui,
    rect: Rect,
    view: &mut SweepView,
    state: &mut AppState,
    sweeps: &Sweeps,
    now: Instant,
) {
    let painter = super::plot::card(ui, rect);
    *view = SweepView::default();
    let choice = state.sweep_choice();
    let key = state.current_sweep_key();
    let shown = sweeps.shown();
    let stale = shown.is_some_and(|(k, _)| Some(k) != key.as_ref());

    // Header: status right, title left.
    let status: Vec<String> = match (
        sweeps.progress(),
        key.as_ref().and_then(|k| sweeps.error(k)),
    ) {
        (_, Some(_)) => vec!["sweep failed".into()],
        (Some(p), _) => vec![
            format!("computing {:.0}%", 100.0 * p),
            format!("{:.0}%", 100.0 * p),
        ],
        (None, _) if shown.is_some() && !stale => {
            let s = shown.map_or(0.0, |(_, s)| s.seconds);
            vec![
                format!("{} values, {s:.1} s", crate::app::sweep_setup::SWEEP_VALUES),
                format!("{s:.1} s"),
            ]
        }
        (None, _) if key.is_none() => {
            vec!["range outside the parameter".into(), "bad range".into()]
        }
        (None, _) => vec!["waiting for the edit to settle".into(), "waiting".into()],
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
    let formula = style(choice.objective).formula;
    text_fitting(
        &painter,
        rect.left_top() + vec2(10.0, 7.0),
        Align2::LEFT_TOP,
        &[
            format!("Sweep, {formula}: mu* against {}", choice.label()),
            format!("Sweep, {formula}"),
            "Sweep".into(),
        ],
        FontId::proportional(15.0),
        Color32::from_gray(30),
        status.map_or(room, |s| s.left() - rect.left() - 22.0),
    );
    if let Some(p) = sweeps.progress() {
        let bar = Rect::from_min_size(rect.left_top() + vec2(10.0, 28.0), vec2(room, 4.0));
        painter.rect_filled(bar, 2.0, Color32::from_gray(225));
        let done = Rect::from_min_size(bar.min, vec2(bar.width() * p.clamp(0.0, 1.0) as f32, 4.0));
        painter.rect_filled(done, 2.0, Color32::from_rgb(60, 120, 200));
    }

    // Controls, wrapping onto more lines when narrow.
    let controls = Rect::from_min_max(
        rect.left_top() + vec2(10.0, 36.0),
        rect.right_bottom() - vec2(10.0, 10.0),
    );
    let used = ui
        .scope_builder(egui::UiBuilder::new().max_rect(controls), |ui| {
            controls_row(ui, state);
        })
        .response
        .rect;
    if let Some(e) = key.as_ref().and_then(|k| sweeps.error(k)) {
        painter.text(
            pos2(rect.left() + 10.0, rect.bottom() - 20.0),
            Align2::LEFT_TOP,
            format!("sweep failed: {e}"),
            FontId::proportional(12.0),
            Color32::from_rgb(190, 30, 30),
        );
    }

    // Plots: the diagram over the fraction bands.
    let top = used.bottom() + 22.0;
    let bottom = rect.bottom() - 40.0;
    let left = rect.left() + 50.0;
    let right = rect.right() - 14.0;
    let height = bottom - top - 34.0;
    if height < 60.0 || right - left < 60.0 {
        return;
    }
    let diagram_rect = Rect::from_min_max(pos2(left, top), pos2(right, top + 0.64 * height));
    let bands_rect = Rect::from_min_max(
        pos2(left, diagram_rect.bottom() + 34.0),
        pos2(right, bottom),
    );
    let x = (choice.from, choice.to);
    let diagram = Frame2 {
        rect: diagram_rect,
        x,
        y: mu_range(shown.map(|(_, s)| s), 0.08),
    };
    let bands = Frame2 {
        rect: bands_rect,
        x,
        y: (0.0, 1.0),
    };
    view.diagram = Some(diagram);
    view.fractions = Some(bands);
    view.stale = stale;

    // Sweeps of other ranges are drawn against their own values: clipped here.
    let clip = ui.painter_at(diagram_rect.expand(2.0));
    let band_clip = ui.painter_at(bands_rect);
    if let Some((_, s)) = shown {
        let fade = |c: Color32| if stale { c.gamma_multiply(0.35) } else { c };
        draw_branches(&clip, &diagram, s, &fade);
        draw_bands(&band_clip, &bands, s, &fade);
        if !stale {
            draw_bifurcations(&clip, &diagram, s, true);
        }
    }
    for f in [&diagram, &bands] {
        painter.rect_stroke(
            f.rect,
            0.0,
            Stroke::new(1.0, Color32::from_gray(150)),
            egui::StrokeKind::Outside,
        );
        let xt = nice_ticks(x.0, x.1, ticks(f.rect.width(), TICK_ROOM[0], 10));
        x_axis(&painter, f, &xt, |t| Some(readable(t)), 11.0);
    }
    let yt = nice_ticks(
        diagram.y.0,
        diagram.y.1,
        ticks(diagram_rect.height(), TICK_ROOM[1], 8),
    );
    y_axis(&painter, &diagram, &yt, |t| format!("{t:.1}"), 11.0);
    y_axis(
        &painter,
        &bands,
        &[0.0, 0.5, 1.0],
        |t| format!("{t:.1}"),
        11.0,
    );
    let label = FontId::proportional(12.0);
    let grey = Color32::from_gray(50);
    painter.text(
        diagram_rect.left_top() + vec2(-40.0, -4.0),
        Align2::LEFT_BOTTOM,
        "μ*",
        label.clone(),
        grey,
    );
    painter.text(
        bands_rect.left_top() + vec2(-40.0, -4.0),
        Align2::LEFT_BOTTOM,
        "basin fractions",
        label.clone(),
        grey,
    );
    painter.text(
        pos2(bands_rect.center().x, bands_rect.bottom() + 18.0),
        Align2::CENTER_TOP,
        choice.label(),
        label,
        grey,
    );
    if stale {
        let note = if sweeps.busy() {
            "out of date: new sweep computing"
        } else {
            "out of date: waiting for the edit to settle"
        };
        let g = clip.layout_no_wrap(
            note.into(),
            FontId::proportional(12.0),
            Color32::from_gray(30),
        );
        let at = diagram_rect.left_top() + vec2(6.0, 5.0);
        clip.rect_filled(
            Rect::from_min_size(at, g.size()).expand(3.0),
            2.0,
            Color32::from_white_alpha(220),
        );
        clip.galley(at, g, Color32::from_gray(30));
    }

    // The current value, and a click to set it.
    let value = choice.value_in(state.mixture());
    if value >= x.0 && value <= x.1 {
        let sx = diagram.to_screen(value, 0.0).x;
        for r in [diagram_rect, bands_rect] {
            painter.line_segment(
                [pos2(sx, r.top()), pos2(sx, r.bottom())],
                Stroke::new(1.5, NOW),
            );
        }
        painter.text(
            pos2(sx, diagram_rect.top() - 2.0),
            Align2::CENTER_BOTTOM,
            format!("now {}", readable_short(value)),
            FontId::proportional(11.0),
            NOW,
        );
    }
    for (f, salt) in [(&diagram, "sweep-diagram"), (&bands, "sweep-bands")] {
        let response = ui.interact(f.rect, ui.scope_id().with(salt), Sense::click());
        if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            state.set_sweep_value(f.to_data(p).0.clamp(x.0, x.1), now);
        }
    }
}

/// The mu* axis of a diagram of `sweep`: its branches' range (-1..1 with
/// none, a unit about a lone value), padded by `pad` of it on both sides.
pub(super) fn mu_range(sweep: Option<&ObjectiveSweep>, pad: f64) -> (f64, f64) {
    let mus = sweep.iter().flat_map(|s| {
        s.branches
            .iter()
            .flat_map(|b| b.points.iter().map(|p| p.mu))
    });
    let (lo, hi) = mus.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| {
        (lo.min(m), hi.max(m))
    });
    let (lo, hi) = if lo < hi {
        (lo, hi)
    } else if lo.is_finite() {
        (lo - 1.0, lo + 1.0)
    } else {
        (-1.0, 1.0)
    };
    let pad = pad * (hi - lo);
    (lo - pad, hi + pad)
}

/// A value in at most four significant digits, for the labels on the plot.
pub(super) fn readable_short(v: f64) -> String {
    readable(format!("{v:.4}").parse().unwrap_or(v))
}

/// The objective, parameter, modes and range selectors.
fn controls_row(ui: &mut egui::Ui, state: &mut AppState) {
    let old = state.sweep_choice();
    let mut c: SweepChoice = old;
    let n = state.modes().len();
    let objectives = state.objectives();
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        egui::ComboBox::from_id_salt("sweep-objective")
            .selected_text(style(c.objective).direction)
            .width(80.0)
            .show_ui(ui, |ui| {
                for o in objectives {
                    ui.selectable_value(&mut c.objective, o, style(o).direction);
                }
            });
        egui::ComboBox::from_id_salt("sweep-kind")
            .selected_text(c.kind.label())
            .width(84.0)
            .show_ui(ui, |ui| {
                for k in SweepKind::ALL {
                    if k != SweepKind::Separation || n >= 2 {
                        ui.selectable_value(&mut c.kind, k, k.label());
                    }
                }
            });
        if !c.moves_alpha() {
            ui.label("mode");
            let mut mode = c.mode + 1;
            ui.add(DragValue::new(&mut mode).range(1..=n).speed(0.05));
            c.mode = mode - 1;
        }
        if c.kind == SweepKind::Separation {
            ui.label("and");
            let mut other = c.other + 1;
            ui.add(DragValue::new(&mut other).range(1..=n).speed(0.05));
            c.other = other - 1;
        }
        ui.label("from");
        ui.add(DragValue::new(&mut c.from).speed(0.02).max_decimals(3));
        ui.label("to");
        ui.add(DragValue::new(&mut c.to).speed(0.02).max_decimals(3));
    });
    if c != old {
        if c.kind != old.kind {
            c.set_kind(c.kind, state.mixture());
        }
        state.set_sweep_choice(c);
    }
}

/// Draws every branch of `s` (mu* against the parameter): minima solid,
/// saddles dashed, the global best bold, each colour through `fade`.
pub(super) fn draw_branches(
    painter: &egui::Painter,
    f: &Frame2,
    s: &ObjectiveSweep,
    fade: &dyn Fn(Color32) -> Color32,
) {
    for (b, branch) in s.branches.iter().enumerate() {
        let colour = fade(branch_colour(s, b));
        for pair in branch.points.windows(2) {
            let pts = [
                f.to_screen_clamped(pair[0].value, pair[0].mu),
                f.to_screen_clamped(pair[1].value, pair[1].mu),
            ];
            match branch.kind {
                BranchKind::Saddle => {
                    painter.extend(Shape::dashed_line(&pts, Stroke::new(1.3, colour), 5.0, 4.0));
                }
                BranchKind::Minimum => {
                    let width = if pair[0].global && pair[1].global {
                        3.4
                    } else {
                        1.5
                    };
                    painter.line_segment(pts, Stroke::new(width, colour));
                }
            }
        }
    }
}

/// Marks the folds (circles), pitchforks (diamonds) and Maxwell points
/// (squares) of `s`, with their names and values when `labelled`.
pub(super) fn draw_bifurcations(
    painter: &egui::Painter,
    f: &Frame2,
    s: &ObjectiveSweep,
    labelled: bool,
) {
    let ink = Color32::from_gray(20);
    for (i, b) in s.bifurcations.iter().enumerate() {
        let p = f.to_screen_clamped(b.value, b.mu);
        let r = 4.5;
        match b.kind {
            BifurcationKind::Maxwell => {
                painter.rect_stroke(
                    Rect::from_center_size(p, vec2(2.0 * r, 2.0 * r)),
                    0.0,
                    Stroke::new(1.8, ink),
                    egui::StrokeKind::Middle,
                );
            }
            BifurcationKind::Fold => {
                painter.circle(p, r, Color32::WHITE, Stroke::new(1.8, ink));
            }
            BifurcationKind::Pitchfork | BifurcationKind::Branch => {
                let d = [
                    p + vec2(0.0, -r - 1.0),
                    p + vec2(r + 1.0, 0.0),
                    p + vec2(0.0, r + 1.0),
                    p + vec2(-r - 1.0, 0.0),
                ];
                painter.add(Shape::convex_polygon(
                    d.to_vec(),
                    Color32::WHITE,
                    Stroke::new(1.8, ink),
                ));
            }
        }
        if !labelled {
            continue;
        }
        // Labels alternate above and below so neighbours rarely overlap.
        let dy = if i % 2 == 0 { -8.0 } else { 8.0 };
        let anchor = if i % 2 == 0 {
            Align2::CENTER_BOTTOM
        } else {
            Align2::CENTER_TOP
        };
        painter.text(
            p + vec2(0.0, dy),
            anchor,
            format!("{} {}", word(b.kind), readable_short(b.value)),
            FontId::proportional(11.0),
            ink,
        );
    }
}

fn draw_bands(
    painter: &egui::Painter,
    f: &Frame2,
    s: &ObjectiveSweep,
    fade: &dyn Fn(Color32) -> Color32,
) {
    let mut mesh = Mesh::default();
    let mut quad = |a: [Pos2; 2], b: [Pos2; 2], colour: Color32| {
        let i = mesh.vertices.len() as u32;
        for p in [a[0], a[1], b[1], b[0]] {
            mesh.colored_vertex(p, colour);
        }
        mesh.add_triangle(i, i + 1, i + 2);
        mesh.add_triangle(i, i + 2, i + 3);
    };
    // Shares stacked bottom-up per value: each branch's, then the starts that did not converge.
    let stacks: Vec<(f64, Vec<f64>)> = s
        .fractions
        .iter()
        .map(|fr| {
            let mut acc = vec![0.0];
            for share in fr.shares.iter().chain([&fr.not_converged]) {
                acc.push(acc.last().copied().unwrap_or(0.0) + share);
            }
            (fr.value, acc)
        })
        .collect();
    let colours: Vec<Color32> = (0..s.branches.len())
        .map(|b| fade(branch_colour(s, b)))
        .chain([fade(rgb(UNCONVERGED))])
        .collect();
    for pair in stacks.windows(2) {
        let ((v0, a0), (v1, a1)) = (&pair[0], &pair[1]);
        for (k, &colour) in colours.iter().enumerate() {
            let (Some(&lo0), Some(&hi0), Some(&lo1), Some(&hi1)) =
                (a0.get(k), a0.get(k + 1), a1.get(k), a1.get(k + 1))
            else {
                continue;
            };
            if hi0 - lo0 <= 0.0 && hi1 - lo1 <= 0.0 {
                continue;
            }
            quad(
                [f.to_screen_clamped(*v0, lo0), f.to_screen_clamped(*v0, hi0)],
                [f.to_screen_clamped(*v1, lo1), f.to_screen_clamped(*v1, hi1)],
                colour,
            );
        }
    }
    painter.add(Shape::mesh(mesh));
}
