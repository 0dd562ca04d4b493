//! The interactive window: the two fit panels of the widget (inclusive on
//! top, exclusive below), a basin map beside each, controls on top and a side
//! panel with the modes table and save/load. [`run`] opens it with eframe;
//! [`screenshot`] renders it offscreen through [`headless::Headless`].
//!
//! Rooms: `state` (all logic, no drawing), `maps` (background map jobs),
//! `fit_panel`, `basin_map`, `controls` (views), `plot` (axes), `headless`,
//! `frame_clock` (frame gaps, shown and optionally logged).

pub mod basin_map;
pub mod controls;
pub mod fit_panel;
pub mod frame_clock;
pub mod headless;
pub mod maps;
pub mod plot;
pub mod state;
pub mod warm_up;

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
use crate::objective::Objective;
use crate::palette::optimum_colour;
use crate::scenario::Scenario;

use basin_map::{MapInput, MapView};
use controls::SideState;
use fit_panel::{DashedOptimum, PanelInfo};
use frame_clock::FrameClock;
use maps::Maps;
use plot::rgb;
use state::{AppState, slot};

/// Default window size in points: every pixel costs a software adapter
/// time each frame, and at 1400x900 llvmpipe's frames ran 4-5 ms longer.
pub const WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];
/// Smallest window size in points; at it every text takes a shorter form
/// rather than overlap another.
pub const MIN_WINDOW_SIZE: [f32; 2] = [1000.0, 700.0];

/// Repaint interval while only a map computes (partial maps arrive every 0.3 s).
const MAP_ONLY_FRAME: std::time::Duration = std::time::Duration::from_millis(100);

/// The whole window: state, maps and what the views remember between frames.
pub struct App {
    state: AppState,
    maps: Maps,
    map_views: [MapView; 2],
    panel_frames: [Option<plot::Frame2>; 2],
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
            map_views: Default::default(),
            panel_frames: [None; 2],
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

    /// True once both objectives' maps for the current settings are computed.
    pub fn maps_done(&self) -> bool {
        Objective::BOTH
            .iter()
            .all(|&o| self.current_map(o).is_some())
    }

    /// The finished maps of the current target, family and lr as a `basins`
    /// report (exclusive first), for export; None until one is computed.
    pub fn report(&self) -> Option<BasinReport> {
        let maps: Vec<(Objective, Landscape)> = [Objective::Exclusive, Objective::Inclusive]
            .into_iter()
            .filter_map(|o| self.current_map(o).map(|l| (o, l.clone())))
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

    /// Writes the finished maps to the side panel's path with extension `ext`
    /// ("png" or "json") and says how it went in the side panel.
    fn export(&mut self, ext: &str) {
        let path = Path::new(self.side.export.trim()).with_extension(ext);
        self.side.message = Some(match self.report() {
            None => ("no finished map to export yet".into(), true),
            Some(report) => {
                let written = match ext {
                    "png" => export::png::write(&report, &path),
                    _ => export::json::write(&path, &export::json::basins(&report)),
                };
                match written {
                    Ok(()) => (format!("wrote {}", path.display()), false),
                    Err(e) => (e.to_string(), true),
                }
            }
        });
    }

    /// Screen position of map cell (column, row) as last drawn, if the map is on screen.
    pub fn map_cell_pos(&self, objective: Objective, col: usize, row: usize) -> Option<egui::Pos2> {
        let frame = self.map_views[slot(objective)].frame?;
        Some(basin_map::cell_centre(&frame, self.maps.grid(), col, row))
    }

    /// Screen position of `handle` in `objective`'s fit panel as last drawn, if on screen.
    pub fn handle_pos(&self, objective: Objective, handle: state::Handle) -> Option<egui::Pos2> {
        let frame = self.panel_frames[slot(objective)]?;
        let (_, x, y) = fit_panel::handle_positions(&self.state, objective)
            .into_iter()
            .find(|(h, _, _)| *h == handle)?;
        let p = frame.to_screen_clamped(x, y);
        Some(egui::pos2(p.x, p.y.max(frame.rect.top())))
    }

    /// Screen position of data point x on the axis of `objective`'s fit panel, at screen height `y`.
    pub fn panel_x(&self, objective: Objective, x: f64, y: f32) -> Option<egui::Pos2> {
        let frame = self.panel_frames[slot(objective)]?;
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

    /// Optima to draw dashed in `objective`'s panel, in map colours.
    fn dashed(&self, objective: Objective) -> Vec<DashedOptimum> {
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
                    colour: rgb(optimum_colour(0)),
                    best: true,
                }]
            }
            Objective::Exclusive | Objective::Alpha(_) => self
                .maps
                .slot(objective)
                .shown()
                .map(|s| {
                    s.landscape
                        .optima
                        .iter()
                        .enumerate()
                        .map(|(k, o)| DashedOptimum {
                            mu: o.mu,
                            sigma: o.sigma,
                            colour: rgb(optimum_colour(k as i32)),
                            best: k == 0,
                        })
                        .collect()
                })
                .unwrap_or_default(),
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
        let current = shown.complete && shown.key == self.state.current_key();
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
            (near(fit.position())?.0, "nearest, map updating")
        };
        let o = l.optima.get(k)?;
        let verb = if fit.converged() {
            "ended at"
        } else {
            "heading to"
        };
        Some(vec![
            format!(
                "{verb} optimum #{k} (μ {}, σ {:.3}, KL {:.4})  [{how}]",
                crate::number::fixed(o.mu, 3),
                o.sigma,
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
                controls::side_panel(ui, &mut self.state, &mut self.side, now);
            });
        if let Some(ext) = self.side.export_request.take() {
            self.export(ext);
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
        } else if self.maps.busy() {
            ctx.request_repaint_after(MAP_ONLY_FRAME);
        }
        // A frame answering input hands the device back at once.
        let input = ctx.input(|i| !i.events.is_empty() || i.pointer.is_moving());
        self.maps.frame_done(input);
    }

    fn central(&mut self, ui: &mut egui::Ui, now: Instant) {
        let area = ui.available_rect_before_wrap();
        let gap = 8.0;
        let row_h = (area.height() - gap) / 2.0;
        let fit_w = (area.width() * 0.47).max(200.0);
        for (r, objective) in Objective::BOTH.into_iter().enumerate() {
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
            self.panel_frames[slot(objective)] =
                fit_panel::show(ui, fit_rect, &mut self.state, &info, now);
            let key = self.state.current_key();
            let input = MapInput {
                objective,
                slot: self.maps.slot(objective),
                grid: self.maps.grid(),
                steps: self.maps.steps(),
                fit: self.state.fit(objective),
                key: &key,
            };
            if let Some((mu0, sigma0)) =
                basin_map::show(ui, map_rect, &mut self.map_views[slot(objective)], &input)
            {
                self.state.click_map(objective, mu0, sigma0);
            }
        }
        ui.allocate_rect(area, egui::Sense::hover());
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
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
pub fn run(scenario: Scenario, frame_log: Option<Box<dyn std::io::Write>>) -> Result<()> {
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

/// Renders the window offscreen after `frames` frames (None: until both maps
/// are done, at most [`headless::MAX_FRAMES`]) and writes it as a PNG to `path`.
pub fn screenshot(scenario: Scenario, path: &Path, frames: Option<u32>) -> Result<()> {
    let mut h = headless::Headless::new(&scenario, WINDOW_SIZE, fastrand::u64(..))?;
    match frames {
        Some(n) => {
            for _ in 0..n {
                h.frame();
            }
        }
        None => {
            h.run_until(headless::MAX_FRAMES, App::maps_done);
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
