//! The interactive window: a row per objective shown (see
//! [`objectives::OBJECTIVES`]; inclusive on top, exclusive, then the
//! alpha-divergence), each the widget's fit panel with a basin map beside
//! it, controls on top and a side panel with the modes table, the panels'
//! toggles, the alpha-divergence's order and strip, and save/load. [`run`] opens it with eframe;
//! [`screenshot`] renders it offscreen through [`headless::Headless`].
//!
//! Rooms: `state` (all logic, no drawing), `objectives` (the list of
//! objectives and their styles), `maps` (background map jobs),
//! `fit_panel`, `basin_map`, `controls`, `alpha_strip` (views), `files` (the window's
//! writes and their confirmation), `plot` (axes), `headless`,
//! `frame_clock` (frame gaps, shown and optionally logged), `x11_focus`
//! (the keyboard after a click with no window manager).

pub mod alpha_strip;
pub mod basin_band;
pub mod basin_map;
pub mod controls;
pub mod files;
pub mod fit_panel;
pub mod frame_clock;
pub mod headless;
pub mod identity;
pub mod maps;
pub mod objectives;
pub mod plot;
pub mod state;
pub mod sweep_job;
pub mod sweep_setup;
pub mod sweep_view;
pub mod warm_up;
mod x11_focus;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use eframe::egui::{self, Color32, FontId, Rect, TextStyle, pos2, vec2};

use crate::engine::Engine;
use crate::engine::cpu::CpuEngine;
use crate::engine::gpu::GpuEngine;
use crate::engine::submit_gate::SubmitGate;
use crate::error::{Error, Result};
use crate::export::{self, BasinReport};
use crate::landscape::Landscape;
use crate::objective::{Alpha, Objective};
use crate::palette::optimum_colour;
use crate::scenario::Scenario;

use alpha_strip::AlphaStripView;
use basin_map::{MapInput, MapView};
use controls::{Control, SideInput, SideState};
use files::{FileKind, FileRequest};
use fit_panel::{DashedOptimum, PanelInfo};
use frame_clock::FrameClock;
use identity::Identities;
use maps::{Freshness, Maps};
use objectives::OBJECTIVES;
use plot::rgb;
use state::{AppState, index};
use sweep_job::Sweeps;
use sweep_view::SweepView;

/// Default window size in points: every pixel costs a software adapter
/// time each frame, and at 1400x900 llvmpipe's frames ran 4-5 ms longer.
pub const WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];
/// Smallest window size in points; at it every text takes a shorter form
/// rather than overlap another.
pub const MIN_WINDOW_SIZE: [f32; 2] = [1000.0, 700.0];

/// Repaint interval while only a map computes (partial maps arrive every 0.3 s).
const MAP_ONLY_FRAME: std::time::Duration = std::time::Duration::from_millis(100);

/// What the views of one objective remember between frames.
#[derive(Default)]
struct ObjectiveViews {
    /// Its basin map's texture and frame.
    map: MapView,
    /// The colours of its map's optima.
    identities: Identities,
    /// Its fit panel's plot area as last drawn (None: not on screen).
    panel: Option<plot::Frame2>,
}

/// The whole window: state, maps and what the views remember between frames.
pub struct App {
    state: AppState,
    maps: Maps,
    /// One per objective of [`OBJECTIVES`], in its order.
    views: Vec<ObjectiveViews>,
    sweeps: Sweeps,
    sweep_view: SweepView,
    /// The alpha strip's sweep (the current target along alpha) and where it was drawn.
    alpha_strip: Sweeps,
    alpha_view: AlphaStripView,
    /// The right column shows the sweep rather than the basin maps.
    sweep_open: bool,
    side: SideState,
    styled: bool,
    frames: FrameClock,
}

impl App {
    /// A window on `scenario` whose maps run on `engine` (None: no maps); `seed` drives the random starts.
    pub fn new(scenario: &Scenario, engine: Option<Arc<dyn Engine>>, seed: u64) -> Self {
        Self::with_maps(scenario, Maps::new(engine), seed)
    }

    /// A window with the given maps (tests use a small grid).
    pub fn with_maps(scenario: &Scenario, maps: Maps, seed: u64) -> Self {
        Self {
            state: AppState::new(scenario, seed),
            maps,
            views: OBJECTIVES
                .iter()
                .map(|_| ObjectiveViews::default())
                .collect(),
            sweeps: Sweeps::default(),
            sweep_view: SweepView::default(),
            alpha_strip: Sweeps::default(),
            alpha_view: AlphaStripView::default(),
            sweep_open: false,
            side: SideState::default(),
            styled: false,
            frames: FrameClock::default(),
        }
    }

    /// The window's state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The window's state, to change (tests drive it directly as well as by input).
    pub fn state_mut(&mut self) -> &mut AppState {
        &mut self.state
    }

    /// The basin maps.
    pub fn maps(&self) -> &Maps {
        &self.maps
    }

    /// The final map of `objective` for the current target, family and lr, if computed.
    pub fn current_map(&self, objective: Objective) -> Option<&Landscape> {
        self.maps.slot(objective).current(&self.state.current_key())
    }

    /// True once the maps of every objective shown are computed for the current settings.
    pub fn maps_done(&self) -> bool {
        self.state
            .visible_objectives()
            .iter()
            .all(|&o| self.current_map(o).is_some())
    }

    /// True once every map shown and the alpha strip (while the
    /// alpha-divergence is shown) are computed for the current settings.
    pub fn computed(&self) -> bool {
        let strip = match self.state.settled_alpha_strip_key() {
            Some(key) => self.alpha_strip.shows(&key),
            None => true,
        };
        self.maps_done() && strip
    }

    /// Opens the sweep in the right column (true) or the basin maps (false).
    pub fn set_sweep_open(&mut self, open: bool) {
        self.sweep_open = open;
    }

    /// True while the right column shows the sweep.
    pub fn sweep_open(&self) -> bool {
        self.sweep_open
    }

    /// The sweep on view and the one computing.
    pub fn sweeps(&self) -> &Sweeps {
        &self.sweeps
    }

    /// The alpha strip's sweep on view and the one computing.
    pub fn alpha_strip(&self) -> &Sweeps {
        &self.alpha_strip
    }

    /// Where the alpha strip was drawn in the last frame.
    pub fn alpha_view(&self) -> &AlphaStripView {
        &self.alpha_view
    }

    /// Where the sweep view drew its plots in the last frame.
    pub fn sweep_view(&self) -> &SweepView {
        &self.sweep_view
    }

    fn views(&self, objective: Objective) -> &ObjectiveViews {
        &self.views[index(objective)]
    }

    /// The finished maps of the current target, family and lr as a `basins`
    /// report (in [`maps::map_order`]: exclusive first), for export; None until one is computed.
    pub fn report(&self) -> Option<BasinReport> {
        let key = self.state.current_key();
        let maps: Vec<(Objective, Landscape)> = maps::map_order()
            .into_iter()
            .filter_map(|o| self.current_map(o).map(|l| (key.objective(o), l.clone())))
            .collect();
        if maps.is_empty() {
            return None;
        }
        let scenario = self.state.scenario();
        Some(BasinReport {
            target: scenario.target,
            family: scenario.family,
            grid: *self.maps.grid(),
            lr: self.state.lr(),
            steps: self.maps.steps(),
            backend: self.maps.backend()?,
            maps,
        })
    }

    /// Performs a write the side panel asked for (and the user confirmed,
    /// if it replaces a file) and says how it went, naming the absolute path.
    fn write(&mut self, request: &FileRequest) {
        let path = &request.path;
        let result = match request.kind {
            FileKind::Scenario => self.state.scenario().save(path),
            kind => match self.report() {
                None => Err(Error::input(
                    "no finished map of the current target to export",
                )),
                Some(report) if kind == FileKind::MapsPng => export::png::write(&report, path),
                Some(report) => export::json::write(path, &export::json::basins(&report)),
            },
        };
        self.side.files.done(request, result);
    }

    /// The side panel's state (its path fields, messages and confirmation).
    pub fn side(&self) -> &SideState {
        &self.side
    }

    /// Where the side panel's `control` was drawn in the last frame, if it was.
    pub fn control_pos(&self, control: Control) -> Option<egui::Pos2> {
        self.side.rect(control).map(|r| r.center())
    }

    /// The readout line under `objective`'s map as last drawn.
    pub fn map_readout(&self, objective: Objective) -> &str {
        &self.views(objective).map.readout
    }

    /// The colour of optimum `k` of `objective`'s map on view (its basin's, its dashed curve's).
    pub fn optimum_colour(&self, objective: Objective, k: usize) -> crate::palette::Rgb {
        optimum_colour(self.views(objective).identities.slot(k) as i32)
    }

    /// Screen position of map cell (column, row) as last drawn, if the map is on screen.
    pub fn map_cell_pos(&self, objective: Objective, col: usize, row: usize) -> Option<egui::Pos2> {
        basin_map::cell_centre(&self.views(objective).map, self.maps.grid(), col, row)
    }

    /// Screen position of `handle` in `objective`'s fit panel as last drawn, if on screen.
    pub fn handle_pos(&self, objective: Objective, handle: state::Handle) -> Option<egui::Pos2> {
        let frame = self.views(objective).panel?;
        let (_, x, y) = fit_panel::handle_positions(&self.state, objective)
            .into_iter()
            .find(|(h, _, _)| *h == handle)?;
        let p = frame.to_screen_clamped(x, y);
        Some(egui::pos2(p.x, p.y.max(frame.rect.top())))
    }

    /// The plot area of `objective`'s fit panel as last drawn, if on screen.
    pub fn panel_rect(&self, objective: Objective) -> Option<Rect> {
        self.views(objective).panel.map(|f| f.rect)
    }

    /// The plot area of `objective`'s basin map as last drawn, if on screen.
    pub fn map_rect(&self, objective: Objective) -> Option<Rect> {
        self.views(objective).map.frame.map(|f| f.rect)
    }

    /// Where the band of starts of `objective`'s map was drawn (a map of the
    /// fixed-sigma family is a curve over a band), if it was.
    pub fn map_band(&self, objective: Objective) -> Option<Rect> {
        self.views(objective).map.band
    }

    /// Screen position of data point x on the axis of `objective`'s fit panel, at screen height `y`.
    pub fn panel_x(&self, objective: Objective, x: f64, y: f32) -> Option<egui::Pos2> {
        let frame = self.views(objective).panel?;
        Some(egui::pos2(frame.to_screen(x, 0.0).x, y))
    }

    fn style(&mut self, ctx: &egui::Context) {
        if self.styled {
            return;
        }
        self.styled = true;
        ctx.set_theme(egui::Theme::Light);
        ctx.all_styles_mut(|style| {
            style.text_styles = [
                (TextStyle::Heading, FontId::proportional(18.0)),
                (TextStyle::Body, FontId::proportional(14.0)),
                (TextStyle::Button, FontId::proportional(14.0)),
                (TextStyle::Small, FontId::proportional(12.0)),
                (TextStyle::Monospace, FontId::monospace(13.0)),
            ]
            .into();
            style.spacing.item_spacing = vec2(8.0, 6.0);
            // Panels show the clear colour (plot::BACKGROUND) rather than fill it again.
            style.visuals.panel_fill = Color32::TRANSPARENT;
            // Corners of radius 3 take 5 points each instead of radius 6's 9:
            // a third fewer triangles a widget for a software rasteriser.
            let w = &mut style.visuals.widgets;
            for v in [
                &mut w.noninteractive,
                &mut w.inactive,
                &mut w.hovered,
                &mut w.active,
                &mut w.open,
            ] {
                v.corner_radius = egui::CornerRadius::same(3);
            }
        });
    }

    /// Optima to draw dashed in `objective`'s panel, in their basins' colours:
    /// a closed-form one (the inclusive moment match: always current), else
    /// those of a map of the current settings only (none while it is out of date).
    fn dashed(&self, objective: Objective) -> Vec<DashedOptimum> {
        let ids = &self.views(objective).identities;
        match objective {
            Objective::Inclusive => {
                // Moment matching: always known in closed form.
                let t = self.state.mixture();
                let sigma = self
                    .state
                    .family()
                    .fixed_sigma()
                    .unwrap_or(t.variance().sqrt());
                vec![DashedOptimum {
                    mu: t.mean(),
                    sigma,
                    colour: rgb(optimum_colour(ids.slot(0) as i32)),
                    best: true,
                }]
            }
            _ => {
                let map = self.maps.slot(objective);
                if map.freshness(&self.state.current_key()) == Some(Freshness::Stale) {
                    return Vec::new();
                }
                map.shown()
                    .map(|s| {
                        s.landscape
                            .optima
                            .iter()
                            .enumerate()
                            .map(|(k, o)| DashedOptimum {
                                mu: o.mu,
                                sigma: o.sigma,
                                colour: rgb(optimum_colour(ids.slot(k) as i32)),
                                best: k == 0,
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            }
        }
    }

    /// Where `objective`'s fit is heading, longest form first: the label of
    /// the map cell nearest its start (on a current map), else the optimum
    /// nearest to where it is. None before the first map.
    fn heading(&self, objective: Objective) -> Option<Vec<String>> {
        let fit = self.state.fit(objective);
        let shown = self.maps.slot(objective).shown()?;
        let l = &shown.landscape;
        let grid = self.maps.grid();
        let freshness = self
            .maps
            .slot(objective)
            .freshness(&self.state.current_key());
        let current = freshness == Some(Freshness::Current);
        if freshness == Some(Freshness::Stale) {
            // The map on view belongs to earlier settings: its optima may be gone.
            return Some(vec![
                "destination: shown once the map of the new settings is done".into(),
                "destination: map updating".into(),
            ]);
        }
        let near = |p: [f64; 2]| {
            l.optima
                .iter()
                .enumerate()
                .map(|(k, o)| (k, (o.mu - p[0]).hypot(o.sigma - p[1])))
                .min_by(|a, b| a.1.total_cmp(&b.1))
        };
        let (k, how) = if current {
            let (c, r) = basin_map::cell_at(grid, fit.start[0], fit.start[1])
                .or_else(|| near(fit.position()).map(|_| (usize::MAX, usize::MAX)))?;
            match l.labels.get(r.wrapping_mul(grid.mu.count).wrapping_add(c)) {
                Some(&label) if label >= 0 => (label as usize, "its start's basin"),
                Some(_) => {
                    return Some(vec![
                        "heading to: start not converged on the map".into(),
                        "start not converged on the map".into(),
                        "start not converged".into(),
                    ]);
                }
                None => (near(fit.position())?.0, "nearest"),
            }
        } else {
            (near(fit.position())?.0, "nearest so far, map computing")
        };
        let o = l.optima.get(k)?;
        let verb = if fit.converged() {
            "ended at"
        } else {
            "heading to"
        };
        Some(vec![
            format!(
                "{verb} optimum #{k} (μ {}, σ {:.3}, {} {:.4})  [{how}]",
                crate::number::fixed(o.mu, 3),
                o.sigma,
                objectives::style(objective).value,
                o.kl
            ),
            format!("{verb} optimum #{k}  [{how}]"),
            format!("{verb} optimum #{k}"),
        ])
    }

    /// True while frames follow one another at once: fits move or an edit is not settled.
    fn continuous(&self) -> bool {
        self.state.animating() || self.state.settled_key().is_none()
    }

    /// Runs one frame of the window inside `ui` (the root ui of the egui pass).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.style(&ctx);
        let now = Instant::now();
        controls::keyboard(&ctx, &mut self.state);
        self.state.poll(now);
        self.maps.update(self.state.settled_key().as_ref());
        for (&objective, views) in OBJECTIVES.iter().zip(&mut self.views) {
            if let Some(s) = self.maps.slot(objective).shown() {
                views.identities.update(s.version, &s.landscape.optima);
            }
        }
        let wanted = self
            .sweep_open
            .then(|| self.state.settled_sweep_key())
            .flatten();
        self.sweeps.update(wanted.as_ref(), now);
        // The strip starts once the maps are done: on a software adapter both
        // share the CPU, and the maps are what the user looks at first.
        let strip = (!self.maps.busy())
            .then(|| self.state.settled_alpha_strip_key())
            .flatten();
        self.alpha_strip.update(strip.as_ref(), now);
        // The map in flight runs its chunk alongside this frame's drawing.
        self.maps.frame(self.continuous());

        let slowest = self.frames.tick(now, self.maps.busy());
        // The adapter's name up to its details: the top bar has little room.
        let label = self
            .maps
            .engine_label()
            .unwrap_or_else(|| "no engine: maps off".into());
        let short = label.split(" (").next().unwrap_or(&label);
        let timing = match slowest {
            Some(ms) => format!("slowest frame {ms:.0} ms"),
            None => "idle".into(),
        };
        let engine = [format!("{short} · {timing}"), timing];
        egui::Panel::top("controls").show(ui, |ui| {
            ui.add_space(4.0);
            controls::top_bar(ui, &mut self.state, &engine, now);
            ui.add_space(2.0);
        });
        egui::Panel::left("side")
            .resizable(false)
            .exact_size(250.0)
            .show(ui, |ui| {
                ui.add_space(6.0);
                let can_export = self.maps_done();
                let input = SideInput {
                    alpha_strip: &self.alpha_strip,
                    alpha_view: &mut self.alpha_view,
                    maps_busy: self.maps.busy(),
                    can_export,
                };
                controls::side_panel(ui, &mut self.state, &mut self.side, input, now);
            });
        if let Some(request) = self.side.write.take() {
            self.write(&request);
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.inner_margin(8.0))
            .show(ui, |ui| self.central(ui, now));

        // A drag whose button went up outside any panel ends here.
        if self.state.dragging().is_some() && !ctx.input(|i| i.pointer.any_down()) {
            self.state.release();
        }
        // The fits advance after drawing, so a press hits handles where the user saw them.
        self.state.step_frame();
        // Moving fits and edits repaint at once; a map computing alone needs
        // only its progress shown, and leaves the shared device to the map
        // between frames.
        if self.continuous() {
            self.frames.continues(now);
            ctx.request_repaint();
        } else if self.maps.busy() || self.sweeps.busy() || self.alpha_strip.busy() {
            ctx.request_repaint_after(MAP_ONLY_FRAME);
        }
        // A frame answering input hands the device back at once.
        let input = ctx.input(|i| !i.events.is_empty() || i.pointer.is_moving());
        self.maps.frame_done(input);
    }

    /// A strip choosing what the right column shows, then a row per
    /// objective shown: its fit panel left, its basin map right (or the
    /// sweep down the whole right column).
    fn central(&mut self, ui: &mut egui::Ui, now: Instant) {
        let whole = ui.available_rect_before_wrap();
        let gap = 8.0;
        let fit_w = (whole.width() * 0.47).max(200.0);
        let strip = Rect::from_min_size(
            pos2(whole.left() + fit_w + gap, whole.top()),
            vec2(whole.width() - fit_w - gap, 22.0),
        );
        ui.scope_builder(egui::UiBuilder::new().max_rect(strip), |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.sweep_open, false, "Basin maps");
                ui.selectable_value(&mut self.sweep_open, true, "Sweep")
                    .on_hover_text(
                        "branches of optima and basin fractions as a parameter of p moves",
                    );
            });
        });
        let area = Rect::from_min_max(pos2(whole.left(), whole.top() + 26.0), whole.max);
        let shown = self.state.visible_objectives();
        let rows = shown.len().max(1) as f32;
        let row_h = (area.height() - gap * (rows - 1.0)) / rows;
        if self.sweep_open {
            let rect = Rect::from_min_max(pos2(area.left() + fit_w + gap, area.top()), area.max);
            sweep_view::show(
                ui,
                rect,
                &mut self.sweep_view,
                &mut self.state,
                &self.sweeps,
                now,
            );
        }
        for views in &mut self.views {
            views.panel = None;
            views.map.frame = None;
        }
        for (r, &objective) in shown.iter().enumerate() {
            let top = area.top() + r as f32 * (row_h + gap);
            let fit_rect = Rect::from_min_size(pos2(area.left(), top), vec2(fit_w, row_h));
            let map_rect = Rect::from_min_max(
                pos2(fit_rect.right() + gap, top),
                pos2(area.right(), top + row_h),
            );
            let optima = self.dashed(objective);
            let info = PanelInfo {
                objective,
                optima: &optima,
                heading: self.heading(objective).unwrap_or_default(),
            };
            let i = index(objective);
            self.views[i].panel = fit_panel::show(ui, fit_rect, &mut self.state, &info, now);
            let key = self.state.current_key();
            let views = &mut self.views[i];
            let input = MapInput {
                objective,
                slot: self.maps.slot(objective),
                grid: self.maps.grid(),
                steps: self.maps.steps(),
                fit: self.state.fit(objective),
                key: &key,
                identities: &views.identities,
            };
            if self.sweep_open {
                continue;
            }
            if let Some((mu0, sigma0)) = basin_map::show(ui, map_rect, &mut views.map, &input) {
                self.state.click_map(objective, mu0, sigma0);
            }
        }
        ui.allocate_rect(whole, egui::Sense::hover());
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        // A click focuses the window, also with no window manager (Xvfb).
        x11_focus::focus_on_click(ui.ctx(), frame);
        self.show(ui);
    }

    fn clear_color(&self, _visuals: &egui::Visuals) -> [f32; 4] {
        plot::BACKGROUND.to_normalized_gamma_f32()
    }
}

/// The maps' engine on an egui wgpu render state: the GPU engine on its
/// device, its submissions through `gate` when a window's surface shares it.
pub fn engine_for(
    render_state: &eframe::egui_wgpu::RenderState,
    gate: Option<SubmitGate>,
) -> Arc<dyn Engine> {
    Arc::new(GpuEngine::from_device(
        render_state.device.clone(),
        render_state.queue.clone(),
        &render_state.adapter.get_info(),
        gate,
    ))
}

/// Opens the window (blocks until it is closed). The maps share eframe's
/// wgpu device; without one they run on the CPU engine. With `frame_log`,
/// every gap between frames is written there (see [`FrameClock::log_to`]).
pub fn run(
    scenario: Scenario,
    alpha: Alpha,
    frame_log: Option<Box<dyn std::io::Write>>,
) -> Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("kl-landscape")
            .with_inner_size(WINDOW_SIZE)
            .with_min_inner_size(MIN_WINDOW_SIZE),
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    let seed = fastrand::u64(..);
    eframe::run_native(
        "kl-landscape",
        options,
        Box::new(move |cc| {
            let engine = match &cc.wgpu_render_state {
                Some(rs) => {
                    warm_up::warm_up(rs);
                    // Shut until the first frame's UI: eframe may resize first.
                    let gate = SubmitGate::default();
                    gate.close(std::time::Duration::ZERO);
                    engine_for(rs, Some(gate))
                }
                None => Arc::new(CpuEngine) as Arc<dyn Engine>,
            };
            // The starting target's kernel compiles before the first frame: on
            // llvmpipe a compile beside the window's first renders held one
            // for 0.26 s at 16 modes. A failure shows again as the map's error.
            drop(engine.prepare(scenario.target.modes().len()));
            let mut app = App::new(&scenario, Some(engine), seed);
            app.state.open_with_alpha(alpha);
            if let Some(log) = frame_log {
                app.frames.log_to(log)?;
            }
            Ok(Box::new(app))
        }),
    )
    // No display is like no adapter: the environment lacks what the window
    // needs, said in one line (exit code 2) without a dependency's source path.
    .map_err(|e| {
        Error::input(format!(
            "could not open the window: {}",
            without_location(&e.to_string())
        ))
    })
}

/// An error text without the source location some dependencies put in it
/// ("os error at /root/.cargo/registry/.../mod.rs:765: no display").
fn without_location(text: &str) -> String {
    let Some(rs) = text.find(".rs:") else {
        return text.to_string();
    };
    let Some(at) = text[..rs].rfind(" at ") else {
        return text.to_string();
    };
    let rest = text[rs + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
    format!("{}: {rest}", &text[..at])
}

/// Renders the window offscreen, its alpha-divergence `alpha`, after
/// `frames` frames (None: until every map and the alpha strip are done, at most
/// [`headless::MAX_FRAMES`]) and writes it as a PNG to `path`.
pub fn screenshot(
    scenario: Scenario,
    alpha: Alpha,
    path: &Path,
    frames: Option<u32>,
) -> Result<()> {
    let mut h = headless::Headless::new(&scenario, WINDOW_SIZE, fastrand::u64(..))?;
    h.app_mut().state.open_with_alpha(alpha);
    match frames {
        Some(n) => {
            for _ in 0..n {
                h.frame();
            }
        }
        None => {
            h.run_until(headless::MAX_FRAMES, App::computed);
        }
    }
    h.save_png(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn errors_lose_the_dependencies_source_paths() {
        let text = "winit EventLoopError: os error at /root/.cargo/registry/src/x/winit-0.30.13/src/platform_impl/linux/mod.rs:765: neither WAYLAND_DISPLAY nor DISPLAY is set.";
        assert_eq!(
            super::without_location(text),
            "winit EventLoopError: os error: neither WAYLAND_DISPLAY nor DISPLAY is set."
        );
        assert_eq!(super::without_location("plain"), "plain");
    }
}
