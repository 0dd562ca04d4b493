//! The alpha-divergence's controls in the side panel: its order a (a slider
//! from KL(q||p) at 0 to KL(p||q) at 1, and a field fine enough to find a
//! fold), its form, and the alpha strip: mu* of every stationary point of
//! the current target against a in [0, 1] (minima solid, saddles dashed,
//! the global best bold, folds and Maxwell points marked and named below),
//! the current a as a vertical line; a click on the strip sets a.

use std::time::Instant;

use eframe::egui::{
    self, Align2, Color32, DragValue, FontId, RichText, Sense, Slider, Stroke, pos2, vec2,
};

use super::plot::{Frame2, y_axis};
use super::state::AppState;
use super::sweep_job::Sweeps;
use super::sweep_view::{draw_bifurcations, draw_branches, mu_range, readable_short, word};
use crate::export::png::nice_ticks;
use crate::objective::AlphaForm;
use crate::sweep::BifurcationKind;

/// The strip's plot height in points.
const STRIP_HEIGHT: f32 = 96.0;
/// Room left of the plot for the mu* tick labels.
const Y_LABELS: f32 = 30.0;
/// Ink of the current order's line.
const NOW: Color32 = Color32::from_rgb(20, 20, 20);

/// Where the strip was drawn in the last frame (tests click it).
#[derive(Debug, Default, Clone, Copy)]
pub struct AlphaStripView {
    /// The strip's plot area and data box (x the order a, y mu*), if drawn.
    pub frame: Option<Frame2>,
    /// True when the sweep on view was drawn marked out of date.
    pub stale: bool,
}

/// What the strip draws: the window's sweep of the current target along a,
/// and whether it waits for the maps.
pub struct Strip<'a> {
    /// The sweep on view and the one computing.
    pub sweeps: &'a Sweeps,
    /// True while a map computes (the strip starts after the maps).
    pub maps_busy: bool,
}

/// The section: heading, form, slider and field, then the strip.
pub fn section(
    ui: &mut egui::Ui,
    state: &mut AppState,
    strip: &Strip<'_>,
    view: &mut AlphaStripView,
    now: Instant,
) {
    let sweeps = strip.sweeps;
    *view = AlphaStripView::default();
    let alpha = state.alpha();
    ui.horizontal(|ui| {
        ui.label(RichText::new("α-divergence").strong());
        let mut form = alpha.form;
        egui::ComboBox::from_id_salt("alpha-form")
            .selected_text(form_label(form))
            .width(70.0)
            .show_ui(ui, |ui| {
                for f in [AlphaForm::Amari, AlphaForm::Renyi] {
                    ui.selectable_value(&mut form, f, form_label(f))
                        .on_hover_text(form_hint(f));
                }
            });
        if form != alpha.form {
            state.set_alpha_form(form, now);
        }
    });
    ui.horizontal(|ui| {
        let mut a = alpha.a();
        ui.spacing_mut().slider_width = 120.0;
        let slider = ui
            .add(Slider::new(&mut a, 0.0..=1.0).show_value(false))
            .on_hover_text("0: KL(q||p), mode-seeking; 1: KL(p||q), mass-covering");
        let field = ui
            .add(
                DragValue::new(&mut a)
                    .range(0.0..=1.0)
                    .speed(0.001)
                    .max_decimals(4)
                    .prefix("α "),
            )
            .on_hover_text("drag or type the order (steps of 0.001)");
        if slider.changed() || field.changed() {
            state.set_alpha(a, now);
        }
    });
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(vec2(width, STRIP_HEIGHT + 34.0), Sense::click());
    let plot = egui::Rect::from_min_max(
        pos2(rect.left() + Y_LABELS, rect.top() + 4.0),
        pos2(rect.right() - 4.0, rect.top() + 4.0 + STRIP_HEIGHT),
    );
    let painter = ui.painter_at(rect);
    let key = state.alpha_strip_key();
    let shown = sweeps.shown();
    let stale = shown.is_some_and(|(k, _)| Some(k) != key.as_ref());
    let frame = Frame2 {
        rect: plot,
        x: (0.0, 1.0),
        y: mu_range(shown.map(|(_, s)| s), 0.1),
    };
    view.frame = Some(frame);
    view.stale = stale;
    painter.rect_filled(plot, 0.0, Color32::WHITE);
    let clip = ui.painter_at(plot.expand(2.0));
    if let Some((_, s)) = shown {
        let fade = |c: Color32| if stale { c.gamma_multiply(0.35) } else { c };
        draw_branches(&clip, &frame, s, &fade);
        if !stale {
            draw_bifurcations(&clip, &frame, s, false);
        }
    }
    painter.rect_stroke(
        plot,
        0.0,
        Stroke::new(1.0, Color32::from_gray(150)),
        egui::StrokeKind::Outside,
    );
    let yt = nice_ticks(frame.y.0, frame.y.1, 3);
    y_axis(&painter, &frame, &yt, |t| format!("{t:.1}"), 10.0);
    let small = FontId::proportional(10.5);
    let grey = Color32::from_gray(60);
    for (t, anchor) in [
        (0.0, Align2::LEFT_TOP),
        (0.5, Align2::CENTER_TOP),
        (1.0, Align2::RIGHT_TOP),
    ] {
        painter.text(
            pos2(frame.to_screen(t, 0.0).x, plot.bottom() + 2.0),
            anchor,
            readable_short(t),
            small.clone(),
            grey,
        );
    }
    painter.text(
        pos2(plot.left() - Y_LABELS, plot.top()),
        Align2::LEFT_TOP,
        "μ*",
        small.clone(),
        grey,
    );
    let a = alpha.a();
    let sx = frame.to_screen(a, 0.0).x;
    painter.line_segment(
        [pos2(sx, plot.top()), pos2(sx, plot.bottom())],
        Stroke::new(1.5, NOW),
    );
    // What the strip shows, or why it shows nothing yet, in words.
    let current = shown.is_some() && !stale;
    let caption = match (sweeps.progress(), key.as_ref()) {
        (_, Some(k)) if sweeps.error(k).is_some() => "strip failed".to_string(),
        (Some(p), _) => format!("optima along α: computing {:.0}%", 100.0 * p),
        _ if current => shown.map_or_else(String::new, |(_, s)| events(&s.bifurcations)),
        _ if strip.maps_busy => "optima along α: after the maps".to_string(),
        _ if sweeps.busy() => "optima along α: starting".to_string(),
        _ => "optima along α: waiting for the edit to settle".to_string(),
    };
    painter.text(
        pos2(rect.left(), plot.bottom() + 16.0),
        Align2::LEFT_TOP,
        caption,
        small,
        Color32::from_gray(40),
    );
    if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
        && frame.rect.expand(4.0).contains(p)
    {
        state.set_alpha(frame.to_data(p).0.clamp(0.0, 1.0), now);
    }
}

/// The strip's events in one line: "Maxwell 0.173 · fold 0.5217 · fold 0.5217"
/// merged by kind and value ("folds 0.5217"), or that the best never switches.
fn events(bifurcations: &[crate::sweep::Bifurcation]) -> String {
    let mut parts: Vec<(BifurcationKind, String, usize)> = Vec::new();
    for b in bifurcations {
        let value = readable_short(b.value);
        match parts
            .iter_mut()
            .find(|(k, v, _)| *k == b.kind && *v == value)
        {
            Some(part) => part.2 += 1,
            None => parts.push((b.kind, value, 1)),
        }
    }
    if parts.is_empty() {
        return "no fold or switch of the best in [0, 1]".into();
    }
    parts
        .iter()
        .map(|(k, v, n)| {
            let s = if *n > 1 { "s" } else { "" };
            format!("{}{s} {v}", word(*k))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The form's name in the selector.
fn form_label(form: AlphaForm) -> &'static str {
    match form {
        AlphaForm::Amari => "Amari",
        AlphaForm::Renyi => "Rényi",
    }
}

/// What the form is, on hover.
fn form_hint(form: AlphaForm) -> &'static str {
    match form {
        AlphaForm::Amari => "D_α = (1 - I_α) / (α (1 - α)), I_α = ∫ p^α q^(1-α)",
        AlphaForm::Renyi => "R_α = -log(I_α) / (α (1 - α)): the same minima, other gradients",
    }
}
