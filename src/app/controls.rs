//! The controls: the top bar (family, modes, reset, pause, speed, learning
//! rate), the side panel (editable table of modes, save/load of a scenario,
//! help), and the keyboard shortcuts.

use std::path::Path;
use std::time::Instant;

use eframe::egui::{self, Color32, DragValue, Key, RichText, Slider};

use super::alpha_strip::{self, AlphaStripView};
use super::files::{self, FileKind, FileRequest, Files};
use super::objectives::style;
use super::plot::fitting;
use super::state::{AppState, EDIT_WEIGHT_RANGE, HELD_SIGMA_RANGE, MAX_SPEED, lr_of_slider};
use super::sweep_job::Sweeps;
use crate::objective::{Family, Objective};
use crate::scenario::Scenario;
use crate::target::{MAX_ABS_MEAN, Mode, STD_RANGE};

/// Family selector labels, as in the widget.
pub const FAMILY_LABELS: [&str; 2] = ["Gaussian(μ, σ²)", "Gaussian(μ, fixed σ²)"];

/// The side panel's controls that tests find on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// The scenario's path field.
    ScenarioPath,
    /// The maps' path-stem field.
    MapsPath,
    /// Save the scenario.
    Save,
    /// Load a scenario.
    Load,
    /// Export the maps as PNG.
    Png,
    /// Export the maps as JSON.
    Json,
    /// Confirm replacing an existing file.
    Replace,
    /// Keep the existing file.
    Cancel,
}

/// The side panel's own state: the scenario and export path fields, the
/// window's writes and where its controls were drawn.
pub struct SideState {
    /// Path typed for save/load.
    pub path: String,
    /// Path stem for exported maps (`.png` and `.json` are added).
    pub export: String,
    /// Writes awaiting confirmation and the last save/load/export message.
    pub files: Files,
    /// A write asked for (and confirmed, if it replaces a file) this frame; the window performs it.
    pub write: Option<FileRequest>,
    /// Where each control was drawn in the last frame.
    rects: Vec<(Control, egui::Rect)>,
}

impl Default for SideState {
    fn default() -> Self {
        Self {
            path: "scenario.json".into(),
            export: "basins".into(),
            files: Files::default(),
            write: None,
            rects: Vec::new(),
        }
    }
}

impl SideState {
    /// Where `control` was drawn in the last frame, if it was.
    pub fn rect(&self, control: Control) -> Option<egui::Rect> {
        self.rects
            .iter()
            .find(|(c, _)| *c == control)
            .map(|(_, r)| *r)
    }

    fn drawn(&mut self, control: Control, response: &egui::Response) {
        self.rects.push((control, response.rect));
    }
}

/// Space pauses/runs, R resets, + adds a mode, - removes the last; ignored while a text field has focus.
pub fn keyboard(ctx: &egui::Context, state: &mut AppState) {
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let pressed: Vec<Key> = ctx.input(|i| {
        i.events
            .iter()
            .filter_map(|e| match e {
                egui::Event::Key {
                    key, pressed: true, ..
                } => Some(*key),
                _ => None,
            })
            .collect()
    });
    for key in pressed {
        match key {
            Key::Space => state.paused = !state.paused,
            Key::R => state.reset(),
            Key::Plus | Key::Equals => {
                state.add_mode();
            }
            Key::Minus => {
                state.remove_mode();
            }
            _ => {}
        }
    }
}

/// The top bar: the controls, then `engine` (the engine and frame timing,
/// longest form first) at the right in the first form that has room.
pub fn top_bar(ui: &mut egui::Ui, state: &mut AppState, engine: &[String], now: Instant) {
    ui.horizontal(|ui| {
        ui.spacing_mut().slider_width = 80.0;
        ui.label(RichText::new("q:").strong());
        let fixed = state.family().fixed_sigma().is_some();
        let mut choice = usize::from(fixed);
        egui::ComboBox::from_id_salt("family")
            .selected_text(FAMILY_LABELS[choice])
            .width(160.0)
            .show_ui(ui, |ui| {
                for (i, label) in FAMILY_LABELS.iter().enumerate() {
                    ui.selectable_value(&mut choice, i, *label);
                }
            });
        if (choice == 1) != fixed {
            state.set_family(choice == 1);
        }
        if fixed {
            let mut sigma = state.held_sigma();
            let field = DragValue::new(&mut sigma)
                .range(HELD_SIGMA_RANGE.0..=HELD_SIGMA_RANGE.1)
                .clamp_existing_to_range(false)
                .speed(0.01)
                .prefix("σ ")
                .custom_formatter(|v, _| table_number(v));
            if ui
                .add(field)
                .on_hover_text("the held σ (0.1 to 1e6)")
                .changed()
            {
                state.set_held_sigma(sigma, now);
            }
        }
        ui.separator();
        ui.label(RichText::new(format!("p: {} modes", state.modes().len())).strong());
        let max = state.modes().len() >= crate::defaults::MAX_MODES;
        if ui
            .add_enabled(!max, egui::Button::new(" + "))
            .on_hover_text("add a mode (key +)")
            .clicked()
        {
            state.add_mode();
        }
        let min = state.modes().len() <= 1;
        if ui
            .add_enabled(!min, egui::Button::new(" - "))
            .on_hover_text("remove the last mode (key -)")
            .clicked()
        {
            state.remove_mode();
        }
        ui.separator();
        if ui
            .button("Reset")
            .on_hover_text("restart both fits at random (key R)")
            .clicked()
        {
            state.reset();
        }
        let run_label = if state.paused { "Run" } else { "Pause" };
        // One width for both labels: the controls right of it never shift.
        let run = egui::Button::new(run_label).min_size(egui::vec2(RUN_WIDTH, 0.0));
        if ui.add(run).on_hover_text("key Space").clicked() {
            state.paused = !state.paused;
        }
        ui.separator();
        ui.label("speed");
        let mut speed = state.speed;
        ui.add(Slider::new(&mut speed, 1..=MAX_SPEED).suffix(" steps/frame"));
        state.set_speed(speed);
        ui.separator();
        ui.label("learning rate");
        let mut v = state.lr_slider();
        let r = ui.add(Slider::new(&mut v, 0.0..=100.0).show_value(false));
        if r.changed() {
            state.set_lr_slider(v, now);
        }
        ui.label(RichText::new(format!("{:.4}", lr_of_slider(v))).monospace());
        // The engine and frame timing, in the longest form there is room for.
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let font = egui::TextStyle::Small.resolve(ui.style());
            let grey = Color32::from_gray(110);
            if let Some(text) = fitting(ui.painter(), engine, font, grey, ui.available_width()) {
                ui.label(text);
            }
        });
    });
}

/// A checkbox per objective of [`super::objectives::OBJECTIVES`], in its accent: shows or
/// hides its fit panel and map (the last one shown stays).
fn panel_toggles(ui: &mut egui::Ui, state: &mut AppState) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("panels").strong());
        for objective in state.objectives() {
            let s = style(objective);
            let mut on = state.visible(objective);
            let text = RichText::new(s.direction).color(s.colour);
            if ui
                .checkbox(&mut on, text)
                .on_hover_text(format!("show the {} fit and map", s.formula))
                .changed()
            {
                state.set_visible(objective, on);
            }
        }
    });
}

/// Width of the Pause/Run button, wide enough for either label.
const RUN_WIDTH: f32 = 54.0;

/// Size of a field in the modes table: fixed, so the table (and its delete
/// buttons) fits the side panel whatever the values' digits.
const CELL: [f32; 2] = [52.0, 20.0];

/// Text of a table field: at least three decimals and at least three
/// significant digits, so a loaded value is never shown as another (0.0001 is
/// not "0.000").
fn table_number(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-9 {
        return format!("{v:e}");
    }
    let decimals = if v == 0.0 || v.abs() >= 1.0 {
        3
    } else {
        (2 - v.abs().log10().floor() as i64).clamp(3, 11) as usize
    };
    let text = crate::number::fixed(v, decimals);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A table field over `range` for the user's drags and typing only: the
/// value shown (a loaded one outside the range included) is never clamped.
fn table_field(value: &mut f64, range: (f64, f64), speed: f64) -> DragValue<'_> {
    DragValue::new(value)
        .range(range.0..=range.1)
        .clamp_existing_to_range(false)
        .speed(speed)
        .custom_formatter(|v, _| table_number(v))
}

/// What the side panel shows besides the state: the alpha strip's sweep and
/// where it was drawn, and whether the maps can be exported (they are done).
pub struct SideInput<'a> {
    /// The window's sweep of the current target along alpha.
    pub alpha_strip: &'a Sweeps,
    /// Where the alpha strip was drawn.
    pub alpha_view: &'a mut AlphaStripView,
    /// True while a map computes (the strip waits for the maps).
    pub maps_busy: bool,
    /// True once the maps of the current target are done.
    pub can_export: bool,
}

/// The side panel: the modes table, the panels' toggles, the
/// alpha-divergence's order and strip (while its panel is shown), scenario
/// save/load, export (enabled while the maps are done), help.
pub fn side_panel(
    ui: &mut egui::Ui,
    state: &mut AppState,
    side: &mut SideState,
    input: SideInput<'_>,
    now: Instant,
) {
    side.rects.clear();
    ui.heading("Target p");
    ui.label(RichText::new("weights are normalised; drag or type to edit").small());
    egui::ScrollArea::vertical()
        .max_height(ui.available_height() * 0.55)
        .show(ui, |ui| {
            egui::Grid::new("modes")
                .striped(true)
                .num_columns(5)
                .spacing([6.0, 4.0])
                .min_col_width(12.0)
                .show(ui, |ui| {
                    ui.label(RichText::new("#").strong());
                    ui.label(RichText::new("weight").strong());
                    ui.label(RichText::new("mean").strong());
                    ui.label(RichText::new("std").strong());
                    ui.end_row();
                    let modes: Vec<Mode> = state.modes().to_vec();
                    let mut delete = None;
                    for (i, m) in modes.iter().enumerate() {
                        let mut edit = *m;
                        ui.label(format!("{}", i + 1));
                        let a = ui.add_sized(
                            CELL,
                            table_field(&mut edit.weight, EDIT_WEIGHT_RANGE, 0.005),
                        );
                        let b = ui.add_sized(
                            CELL,
                            table_field(&mut edit.mean, (-MAX_ABS_MEAN, MAX_ABS_MEAN), 0.02),
                        );
                        let c = ui.add_sized(CELL, table_field(&mut edit.std, STD_RANGE, 0.01));
                        let can_delete = modes.len() > 1;
                        if ui
                            .add_enabled(can_delete, egui::Button::new("×").small())
                            .on_hover_text("delete this mode")
                            .clicked()
                        {
                            delete = Some(i);
                        }
                        ui.end_row();
                        if (a.changed() || b.changed() || c.changed()) && edit != *m {
                            state.edit_mode(i, edit, now);
                        }
                    }
                    if let Some(i) = delete {
                        state.delete_mode(i, now);
                    }
                });
        });
    // What follows scrolls where the window is too short for it.
    egui::ScrollArea::vertical()
        .id_salt("side-below-table")
        .auto_shrink([false, false])
        .show(ui, |ui| below_table(ui, state, side, input, now));
}

/// The side panel under the modes table: toggles, the alpha-divergence,
/// scenario and export, help.
fn below_table(
    ui: &mut egui::Ui,
    state: &mut AppState,
    side: &mut SideState,
    input: SideInput<'_>,
    now: Instant,
) {
    let can_export = input.can_export;
    ui.add_space(8.0);
    ui.separator();
    panel_toggles(ui, state);
    ui.separator();
    if state.visible(Objective::Alpha(state.alpha())) {
        let strip = alpha_strip::Strip {
            sweeps: input.alpha_strip,
            maps_busy: input.maps_busy,
        };
        alpha_strip::section(ui, state, &strip, input.alpha_view, now);
        ui.separator();
    }
    ui.heading("Scenario");
    ui.horizontal(|ui| {
        ui.label("file");
        let field = ui.add(egui::TextEdit::singleline(&mut side.path).desired_width(170.0));
        side.drawn(Control::ScenarioPath, &field);
    });
    ui.horizontal(|ui| {
        let save = ui.button("Save");
        side.drawn(Control::Save, &save);
        if save.clicked() {
            side.write = side
                .files
                .ask(FileKind::Scenario, Path::new(side.path.trim()));
        }
        let load = ui.button("Load");
        side.drawn(Control::Load, &load);
        if load.clicked() {
            let path = files::absolute(Path::new(side.path.trim()));
            match Scenario::load(&path) {
                Ok(s) => {
                    state.load(&s);
                    side.files.note(format!("loaded {}", path.display()), false);
                }
                Err(e) => side.files.note(e.to_string(), true),
            }
        }
    });
    ui.horizontal(|ui| {
        ui.label("maps");
        let field = ui.add(egui::TextEdit::singleline(&mut side.export).desired_width(80.0));
        side.drawn(Control::MapsPath, &field);
        for (label, kind, control) in [
            ("PNG", FileKind::MapsPng, Control::Png),
            ("JSON", FileKind::MapsJson, Control::Json),
        ] {
            let button = ui
                .add_enabled(can_export, egui::Button::new(label))
                .on_hover_text("export the finished maps in the formats of `kl-landscape basins`")
                .on_disabled_hover_text("once both maps of the current target are done");
            side.drawn(control, &button);
            if button.clicked() {
                let ext = if kind == FileKind::MapsPng {
                    "png"
                } else {
                    "json"
                };
                let path = Path::new(side.export.trim()).with_extension(ext);
                side.write = side.files.ask(kind, &path);
            }
        }
    });
    if let Some(request) = side.files.awaiting() {
        let question = format!("replace {}?", request.path.display());
        ui.label(RichText::new(question).small().strong());
        ui.horizontal(|ui| {
            let replace = ui.button("Replace");
            side.drawn(Control::Replace, &replace);
            let cancel = ui.button("Cancel");
            side.drawn(Control::Cancel, &cancel);
            if replace.clicked() {
                side.write = side.files.replace();
            } else if cancel.clicked() {
                side.files.cancel();
            }
        });
    } else if let Some((text, error)) = side.files.message() {
        let colour = if error {
            Color32::from_rgb(190, 30, 30)
        } else {
            Color32::from_gray(70)
        };
        ui.label(RichText::new(text).small().color(colour));
    }
    ui.add_space(8.0);
    ui.separator();
    ui.heading("How to");
    let family = match state.family() {
        Family::Gaussian => "sigma and mu learn",
        Family::FixedSigma { .. } => "only mu learns",
    };
    for line in [
        "drag a dark handle: mean (x), width (y)",
        "scroll on a handle: width +/- 0.05",
        "drag q's handle: its start",
        "click a map cell: fit from there",
        "scroll a panel: zoom x; drag it: pan",
        "double-click a panel: view back to [-7, 7]",
        "keys: Space pause, R reset, + / - modes",
        "× in the table: delete that mode",
    ] {
        ui.label(RichText::new(line).small());
    }
    ui.label(RichText::new(format!("family: {family}")).small());
}
