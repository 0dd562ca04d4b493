//! The window rendered headless (egui + egui_wgpu offscreen, lavapipe in CI),
//! driven by synthetic input: the frame is not blank, handles follow drags,
//! scrolls and keys work, and a click on a basin of the exclusive map runs a
//! live fit that ends in that basin's optimum.

use std::path::PathBuf;
use std::time::Duration;

use kl_landscape::Objective;
use kl_landscape::app::App;
use kl_landscape::app::controls::Control;
use kl_landscape::app::fit_panel::Q_COLOUR;
use kl_landscape::app::headless::Picture;
use kl_landscape::app::headless::{Headless, render_state};
use kl_landscape::app::maps::Maps;
use kl_landscape::app::state::{Handle, X_VIEW};
use kl_landscape::app::sweep_setup::SweepKind;
use kl_landscape::app::warm_up::{TEXTURES, warm_up};
use kl_landscape::app::{MIN_WINDOW_SIZE, WINDOW_SIZE, engine_for};
use kl_landscape::defaults::DEFAULT_STEPS;
use kl_landscape::engine::submit_gate::SubmitGate;
use kl_landscape::landscape::{Axis, Grid, Landscape};
use kl_landscape::palette::{OPTIMA, optimum_colour};
use kl_landscape::scenario::Scenario;
use kl_landscape::target::Mode;

use eframe::egui::{Key, vec2};
use eframe::egui_wgpu::RenderState;

/// A headless window with GPU maps over `grid` of the two KLs (the
/// alpha-divergence's panel hidden: its own tests show it), or None (after
/// one line) when no adapter exists and KL_REQUIRE_GPU is not set.
fn window(grid: Option<Grid>) -> Option<Headless> {
    let mut h = window_with(grid, WINDOW_SIZE, None)?;
    let alpha = Objective::Alpha(h.app().state().alpha());
    assert!(h.app_mut().state_mut().set_visible(alpha, false));
    Some(h)
}

/// The wgpu render state, or None (after one line) when no adapter exists
/// and KL_REQUIRE_GPU is not set.
fn adapter() -> Option<RenderState> {
    match render_state() {
        Ok(rs) => Some(rs),
        Err(e) if std::env::var("KL_REQUIRE_GPU").is_ok_and(|v| v == "1") => {
            panic!("KL_REQUIRE_GPU=1 but {e}")
        }
        Err(e) => {
            println!("skipping: {e}");
            None
        }
    }
}

/// A headless window with every objective shown, at `size` points, its
/// engine's submissions through `gate`.
fn window_with(grid: Option<Grid>, size: [f32; 2], gate: Option<SubmitGate>) -> Option<Headless> {
    let rs = adapter()?;
    let engine = Some(engine_for(&rs, gate));
    let maps = match grid {
        Some(g) => Maps::with_grid(engine, g, DEFAULT_STEPS),
        None => Maps::new(engine),
    };
    let app = App::with_maps(&Scenario::default(), maps, 11);
    Some(Headless::with_app(app, rs, size))
}

fn small_grid() -> Grid {
    Grid {
        mu: Axis::linear(-7.0, 7.0, 64),
        sigma: Axis::linear(0.1, 4.0, 40),
    }
}

/// Pixels inside `rect` (points; the headless window has one pixel a point) of any of `colours`.
fn count(pic: &Picture, rect: eframe::egui::Rect, colours: &[[u8; 3]]) -> usize {
    let (x0, x1) = (
        rect.left().max(0.0) as u32,
        (rect.right() as u32).min(pic.width),
    );
    let (y0, y1) = (
        rect.top().max(0.0) as u32,
        (rect.bottom() as u32).min(pic.height),
    );
    (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let p = pic.pixel(x, y);
            colours.iter().any(|c| c[..] == p[..3])
        })
        .count()
}

fn out(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

#[test]
fn the_window_renders_a_full_frame() {
    let Some(mut h) = window_with(Some(small_grid()), WINDOW_SIZE, None) else {
        return;
    };
    for _ in 0..5 {
        h.frame();
    }
    let pic = h.render().expect("render");
    assert_eq!(
        (pic.width, pic.height),
        (WINDOW_SIZE[0] as u32, WINDOW_SIZE[1] as u32)
    );
    assert!(
        pic.distinct_colours() > 200,
        "{} colours",
        pic.distinct_colours()
    );
    for o in h.app().state().objectives() {
        let rect = h.app().panel_rect(o).expect("panel drawn");
        let q = [Q_COLOUR.r(), Q_COLOUR.g(), Q_COLOUR.b()];
        assert!(count(&pic, rect, &[q]) > 100, "q is drawn in the {o} panel");
    }
    pic.save_png(&out("app_window.png")).expect("png");
}

#[test]
fn a_gated_engine_submits_only_while_a_frame_is_built() {
    let gate = SubmitGate::default();
    let Some(mut h) = window_with(Some(small_grid()), WINDOW_SIZE, Some(gate.clone())) else {
        return;
    };
    let ready = h.run_until(6000, App::maps_done);
    assert!(ready, "every map finishes through the gate");
    // Between frames the gate is shut: a submission waits for the next frame.
    let (tx, rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || gate.submit(|| tx.send(()).unwrap()));
    assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
    // A frame lets it through; on a loaded machine the waiter may reach the
    // gate only after a frame has closed it again, and then the next lets it.
    let start = std::time::Instant::now();
    loop {
        h.frame();
        if rx.recv_timeout(Duration::from_millis(200)).is_ok() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no frame let the submission through"
        );
    }
    waiter.join().unwrap();
}

#[test]
fn the_shader_warm_up_leaves_no_texture_behind() {
    let Some(rs) = adapter() else {
        return;
    };
    warm_up(&rs);
    let renderer = rs.renderer.read();
    for (id, _) in TEXTURES {
        assert!(renderer.texture(&id).is_none(), "{id:?} freed");
    }
}

#[test]
fn the_smallest_window_keeps_maps_and_panels_usable() {
    let grid = small_grid();
    let Some(mut h) = window_with(Some(grid), MIN_WINDOW_SIZE, None) else {
        return;
    };
    let ready = h.run_until(6000, App::maps_done);
    assert!(ready, "every map finishes");
    let last = grid.mu.count - 1;
    for o in h.app().state().objectives() {
        let first = h.app().map_cell_pos(o, 0, 0).expect("map drawn");
        let end = h.app().map_cell_pos(o, last, 0).expect("map drawn");
        // The legend gives way: the map keeps a width worth clicking in.
        assert!(
            end.x - first.x >= 120.0,
            "{o} map {} px wide",
            end.x - first.x
        );
        assert!(
            h.app().handle_pos(o, Handle::Q(o)).is_some(),
            "{o} panel drawn"
        );
    }
    let pic = h.render().expect("render");
    assert_eq!(
        (pic.width, pic.height),
        (MIN_WINDOW_SIZE[0] as u32, MIN_WINDOW_SIZE[1] as u32)
    );
    pic.save_png(&out("app_window_smallest.png")).expect("png");
}

#[test]
fn handles_follow_drags_scrolls_and_keys() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    h.frame();
    h.frame();
    let o = Objective::Inclusive;
    let before = h.app().state().modes()[0];
    let from = h
        .app()
        .handle_pos(o, Handle::Mode(0))
        .expect("handle on screen");
    let target_x = h.app().panel_x(o, 0.5, from.y).expect("panel").x;
    let to = from + vec2(target_x - from.x, 75.0);
    // Press, move half way, and check the fits are paused mid-drag.
    h.hover(from);
    h.push(press(from, true));
    h.frame();
    for i in 1..=10 {
        h.push(eframe::egui::Event::PointerMoved(
            from + (to - from) * (i as f32 / 10.0),
        ));
        h.frame();
    }
    assert_eq!(h.app().state().dragging(), Some(Handle::Mode(0)));
    let steps = h.app().state().fit(o).steps();
    h.frame();
    assert_eq!(
        h.app().state().fit(o).steps(),
        steps,
        "paused while dragging"
    );
    h.push(press(to, false));
    h.frame();
    assert_eq!(h.app().state().dragging(), None);
    let after = h.app().state().modes()[0];
    assert!((after.mean - 0.5).abs() < 0.05, "mean {}", after.mean);
    assert!(
        (after.std - (before.std + 0.5)).abs() < 0.02,
        "std {}",
        after.std
    );
    assert!(h.app().state().fit(o).steps() <= 2, "Adam reset on release");

    // Scroll two notches on mode 2's handle.
    let std1 = h.app().state().modes()[1].std;
    let at = h.app().handle_pos(o, Handle::Mode(1)).expect("handle");
    h.hover(at);
    h.scroll(at, 2.0);
    let std2 = h.app().state().modes()[1].std;
    assert!((std2 - (std1 + 0.1)).abs() < 1e-9, "{std1} -> {std2}");

    // Drag q's handle in the exclusive panel: a new start, Adam reset.
    let q = h
        .app()
        .handle_pos(Objective::Exclusive, Handle::Q(Objective::Exclusive))
        .expect("q");
    let x = h
        .app()
        .panel_x(Objective::Exclusive, -3.0, q.y)
        .expect("panel");
    h.drag(q, x, 6);
    let f = h.app().state().fit(Objective::Exclusive);
    assert!((f.start[0] + 3.0).abs() < 0.05, "start {:?}", f.start);

    // Keys.
    h.hover(eframe::egui::pos2(700.0, 450.0));
    let paused = h.app().state().paused;
    h.key(Key::Space);
    assert_eq!(h.app().state().paused, !paused);
    h.key(Key::Space);
    h.key(Key::Plus);
    assert_eq!(h.app().state().modes().len(), 3);
    h.key(Key::Minus);
    h.key(Key::Minus);
    h.key(Key::Minus);
    assert_eq!(h.app().state().modes().len(), 1, "never fewer than one");
    h.key(Key::R);
    assert!(h.app().state().fit(Objective::Exclusive).steps() <= 2);
}

#[test]
fn the_fit_view_zooms_pans_and_resets_under_the_pointer() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    h.frame();
    h.frame();
    let o = Objective::Inclusive;
    let peak_y = h.app().handle_pos(o, Handle::Mode(0)).expect("handle").y;
    let handles: Vec<_> = [
        Handle::Mode(0),
        Handle::Mode(1),
        Handle::Q(Objective::Inclusive),
    ]
    .into_iter()
    .filter_map(|k| h.app().handle_pos(o, k))
    .collect();
    // An empty spot of the panel, well away from every handle.
    let (x, at) = [6.0, -6.0, 5.0, -5.0, 0.0]
        .into_iter()
        .map(|x| (x, h.app().panel_x(o, x, peak_y + 40.0).expect("panel")))
        .find(|(_, p)| handles.iter().all(|q| q.distance(*p) > 40.0))
        .expect("an empty spot");
    let modes = h.app().state().modes().to_vec();

    h.hover(at);
    h.scroll(at, 2.0);
    let (lo, hi) = h.app().state().x_view();
    assert!(
        ((hi - lo) - 14.0 * 0.85f64.powi(2)).abs() < 1e-9,
        "zoomed in two notches"
    );
    let still = h.app().panel_x(o, x, at.y).expect("panel");
    assert!(
        (still.x - at.x).abs() < 1.0,
        "x = {x} stays under the pointer"
    );

    h.drag(at, at + vec2(-100.0, 0.0), 5);
    let moved = h.app().panel_x(o, x, at.y).expect("panel");
    assert!(
        (moved.x - (at.x - 100.0)).abs() < 1.5,
        "panned with the pointer: {moved:?}"
    );
    assert_eq!(h.app().state().modes(), &modes[..], "panning moved no mode");
    assert_eq!(h.app().state().dragging(), None);

    for _ in 0..2 {
        h.push(press(at, true));
        h.frame();
        h.push(press(at, false));
        h.frame();
    }
    assert_eq!(
        h.app().state().x_view(),
        X_VIEW,
        "double click resets the view"
    );

    // A pan that starts on the row of mode 2's handle, to its right, and
    // drags right: the handle slides under the press point and the pan goes on.
    h.frame();
    let handle = h.app().handle_pos(o, Handle::Mode(1)).expect("handle");
    let start = h.app().panel_x(o, 4.5, handle.y).expect("panel");
    let q = h.app().handle_pos(o, Handle::Q(o)).expect("q");
    assert!(
        q.distance(start) > 40.0 && q.distance(handle) > 40.0,
        "q's handle is in the way of this seed's pan"
    );
    let (lo, hi) = h.app().state().x_view();
    let px_per_x = f64::from(start.x - handle.x) / 2.0;
    let px = 2.0 * (start.x - handle.x);
    h.drag(start, start + vec2(px, 0.0), 10);
    let (lo2, hi2) = h.app().state().x_view();
    assert!(
        ((hi2 - lo2) - (hi - lo)).abs() < 1e-9,
        "a pan keeps the width"
    );
    let moved = (lo - lo2) * px_per_x;
    assert!(
        (moved - f64::from(px)).abs() < 2.0,
        "panned {moved} px of {px}"
    );
    assert_eq!(
        h.app().state().modes(),
        &modes[..],
        "the handle did not move"
    );
}

fn press(pos: eframe::egui::Pos2, pressed: bool) -> eframe::egui::Event {
    eframe::egui::Event::PointerButton {
        pos,
        button: eframe::egui::PointerButton::Primary,
        pressed,
        modifiers: eframe::egui::Modifiers::NONE,
    }
}

/// A cell labelled `k` whose neighbours (two cells around) all share its label.
fn interior_cell(l: &Landscape, grid: &Grid, k: i32) -> Option<(usize, usize)> {
    let (cols, rows) = (grid.mu.count as i64, grid.sigma.count as i64);
    let label = |c: i64, r: i64| l.labels[(r * cols + c) as usize];
    let mut best = None;
    for r in 2..rows - 2 {
        for c in 2..cols - 2 {
            let inside = (-2..=2).all(|dr| (-2..=2).all(|dc| label(c + dc, r + dr) == k));
            if inside {
                // Prefer the cell whose start is closest to the optimum's sigma row middle.
                let d = (r - rows / 2).abs() + (c - cols / 2).abs() / 2;
                if best.is_none_or(|(_, bd)| d < bd) {
                    best = Some(((c as usize, r as usize), d));
                }
            }
        }
    }
    best.map(|(cell, _)| cell)
}

#[test]
fn a_click_on_a_basin_runs_a_fit_into_that_optimum() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    let ready = h.run_until(4000, |app| app.current_map(Objective::Exclusive).is_some());
    assert!(ready, "the exclusive map finished");
    let landscape = h.app().current_map(Objective::Exclusive).unwrap().clone();
    let grid = *h.app().maps().grid();
    assert!(landscape.optima.len() >= 3, "{:?}", landscape.optima);
    h.app_mut().state_mut().set_speed(20);
    for (k, optimum) in landscape.optima.iter().enumerate() {
        let (c, r) = interior_cell(&landscape, &grid, k as i32).expect("an interior cell");
        let pos = h
            .app()
            .map_cell_pos(Objective::Exclusive, c, r)
            .expect("map on screen");
        h.click(pos);
        let fit = h.app().state().fit(Objective::Exclusive);
        assert_eq!(
            fit.start,
            [grid.mu.at(c), grid.sigma.at(r)],
            "the click set the start"
        );
        assert!(fit.steps() <= 20, "Adam was reset");
        let done = h.run_until(3000, |app| {
            app.state().fit(Objective::Exclusive).converged()
        });
        assert!(done, "the live fit converged");
        let fit = h.app().state().fit(Objective::Exclusive);
        let [mu, sigma] = fit.position();
        assert!(
            (mu - optimum.mu).abs() < 0.02 && (sigma - optimum.sigma).abs() < 0.02,
            "clicked basin {k} at cell ({c}, {r}) but ended at ({mu}, {sigma}), optimum {optimum:?}"
        );
        assert!(fit.trail.len() > 5, "the trajectory is recorded");
    }
    h.save_png(&out("app_after_click.png")).expect("png");
}

#[test]
fn finished_maps_export_in_the_basins_formats() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    assert!(
        h.app().report().is_none(),
        "nothing to export before a map exists"
    );
    let ready = h.run_until(4000, App::maps_done);
    assert!(ready, "maps did not finish");
    let report = h.app().report().expect("a report once the maps exist");
    assert_eq!(report.maps.len(), 2);
    assert_eq!(report.lr, kl_landscape::defaults::DEFAULT_LR);
    let json = kl_landscape::export::json::basins(&report);
    assert_eq!(json["grid"]["mu"], serde_json::json!([-7.0, 7.0, 64]));
    assert_eq!(
        json["exclusive"]["labels"].as_array().unwrap().len(),
        64 * 40
    );
    assert_eq!(json["exclusive"]["optima"].as_array().unwrap().len(), 3);
    let png = out("app_export.png");
    kl_landscape::export::png::write(&report, &png).unwrap();
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);
}

/// Clicks `field` and replaces its text with `text`, as typed.
fn type_into(h: &mut Headless, field: Control, text: &str) {
    let at = h.app().control_pos(field).expect("field drawn");
    h.click(at);
    for pressed in [true, false] {
        h.push(eframe::egui::Event::Key {
            key: Key::A,
            physical_key: None,
            pressed,
            repeat: false,
            modifiers: eframe::egui::Modifiers::COMMAND,
        });
    }
    h.frame();
    h.push(eframe::egui::Event::Text(text.into()));
    h.frame();
    // Click off the field: the keys go back to the window.
    h.click(eframe::egui::pos2(700.0, 450.0));
}

/// Clicks the side panel's `control`.
fn click_control(h: &mut Headless, control: Control) {
    let at = h.app().control_pos(control).expect("control drawn");
    h.click(at);
}

#[test]
fn save_and_export_replace_a_file_only_once_confirmed() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    h.frame();
    h.frame();
    let dir = out("confirm");
    std::fs::create_dir_all(&dir).unwrap();
    let scenario = dir.join("scenario.json");
    std::fs::write(&scenario, "earlier").unwrap();
    type_into(
        &mut h,
        Control::ScenarioPath,
        &scenario.display().to_string(),
    );
    assert_eq!(h.app().side().path, scenario.display().to_string());

    click_control(&mut h, Control::Save);
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), "earlier");
    let waiting = h.app().side().files.awaiting().expect("asks first");
    assert_eq!(waiting.path, scenario);
    click_control(&mut h, Control::Cancel);
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), "earlier");
    assert!(h.app().side().files.awaiting().is_none());

    click_control(&mut h, Control::Save);
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), "earlier");
    click_control(&mut h, Control::Replace);
    let written = std::fs::read_to_string(&scenario).unwrap();
    assert_eq!(written, h.app().state().scenario().to_json());
    let (text, error) = h.app().side().files.message().expect("a message");
    assert!(
        !error && text.contains(&scenario.display().to_string()),
        "{text}"
    );

    // The map export: the same rule.
    assert!(h.run_until(4000, App::maps_done), "maps finish");
    let png = dir.join("basins.png");
    std::fs::write(&png, "earlier").unwrap();
    type_into(
        &mut h,
        Control::MapsPath,
        &dir.join("basins").display().to_string(),
    );
    click_control(&mut h, Control::Png);
    assert_eq!(std::fs::read_to_string(&png).unwrap(), "earlier");
    assert_eq!(h.app().side().files.awaiting().unwrap().path, png);
    h.save_png(&out("app_confirm_replace.png")).expect("png");
    click_control(&mut h, Control::Replace);
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let (text, _) = h.app().side().files.message().unwrap();
    assert!(text.contains(&png.display().to_string()), "{text}");
}

#[test]
fn colours_mean_optima_only_and_keep_them_across_edits() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    assert!(h.run_until(4000, App::maps_done), "maps finish");
    // Both q's narrow and far left, on no dashed curve.
    for o in Objective::BOTH {
        h.app_mut().state_mut().click_map(o, -5.0, 0.4);
    }
    h.app_mut().state_mut().paused = true;
    h.frame();
    let pic = h.render().expect("render");
    let q = [Q_COLOUR.r(), Q_COLOUR.g(), Q_COLOUR.b()];
    assert!(!OPTIMA.contains(&q), "q's colour is no optimum's");
    for o in Objective::BOTH {
        let panel = h.app().panel_rect(o).expect("panel");
        assert!(count(&pic, panel, &[q]) > 100, "q drawn in the {o} panel");
        let map = h.app().map_rect(o).expect("map");
        let optima = h.app().current_map(o).unwrap().optima.len();
        for k in 0..optima {
            let c = h.app().optimum_colour(o, k);
            assert!(
                count(&pic, panel, &[c]) > 20,
                "{o} #{k}: dashed in its colour"
            );
            assert!(
                count(&pic, map, &[c]) > 20,
                "{o} #{k}: marked in its colour"
            );
        }
    }
    // A lighter left mode: its optimum's KL rises and the optima reorder;
    // every optimum that is still there keeps its colour.
    let e = Objective::Exclusive;
    let find = |h: &Headless, mu: f64| {
        let l = h.app().current_map(e).unwrap();
        let k = l
            .optima
            .iter()
            .position(|o| (o.mu - mu).abs() < 0.3)
            .expect("optimum");
        (k, h.app().optimum_colour(e, k))
    };
    let (left0, right0) = (find(&h, -2.5), find(&h, 2.5));
    let mut m = h.app().state().modes()[0];
    m.weight = 0.3;
    h.app_mut()
        .state_mut()
        .edit_mode(0, m, std::time::Instant::now());
    assert!(h.run_until(4000, App::maps_done), "new maps finish");
    h.frame();
    let (left1, right1) = (find(&h, -2.5), find(&h, 2.5));
    assert_ne!(left1.0, left0.0, "the edit reordered the optima");
    assert_eq!(left1.1, left0.1, "the left basin keeps its colour");
    assert_eq!(right1.1, right0.1, "the right basin keeps its colour");
    h.save_png(&out("app_colours_after_edit.png")).expect("png");
}

#[test]
fn out_of_date_optima_and_readouts_are_marked_until_the_new_map_arrives() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    assert!(h.run_until(4000, App::maps_done), "maps finish");
    let e = Objective::Exclusive;
    let cell = h.app().map_cell_pos(e, 10, 20).expect("map");
    h.hover(cell);
    assert!(
        h.app().map_readout(e).contains("optimum #"),
        "{}",
        h.app().map_readout(e)
    );
    // An edit by a real drag: mode 1 to x = -1.
    let from = h
        .app()
        .handle_pos(Objective::Inclusive, Handle::Mode(0))
        .unwrap();
    let to = h.app().panel_x(Objective::Inclusive, -1.0, from.y).unwrap();
    h.drag(from, to, 6);
    h.hover(cell);
    assert!(
        h.app().current_map(e).is_none(),
        "the new map is still computing"
    );
    let readout = h.app().map_readout(e).to_string();
    assert!(readout.contains("out of date"), "{readout}");
    let pic = h.render().expect("render");
    let panel = h.app().panel_rect(e).unwrap();
    assert_eq!(
        count(&pic, panel, &OPTIMA),
        0,
        "no out-of-date dashed optimum"
    );
    h.save_png(&out("app_stale.png")).expect("png");
    assert!(h.run_until(4000, App::maps_done), "the new maps arrive");
    h.hover(cell);
    assert!(h.app().map_readout(e).contains("optimum #"));
    // q away from the optimum it converged on, so it covers no dashed curve.
    h.app_mut().state_mut().click_map(e, -5.0, 0.4);
    h.app_mut().state_mut().paused = true;
    h.frame();
    let pic = h.render().expect("render");
    pic.save_png(&out("app_fresh.png")).expect("png");
    let n = count(&pic, panel, &OPTIMA);
    assert!(n > 20, "the new optima are drawn: {n} pixels");
}

#[test]
fn a_scroll_that_began_on_a_handle_stays_on_it() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    h.frame();
    h.frame();
    let o = Objective::Inclusive;
    let std0 = h.app().state().modes()[1].std;
    let at = h.app().handle_pos(o, Handle::Mode(1)).expect("handle");
    h.hover(at);
    for _ in 0..6 {
        h.scroll(at, 1.0);
    }
    let std1 = h.app().state().modes()[1].std;
    assert!((std1 - (std0 + 0.3)).abs() < 1e-9, "{std0} -> {std1}");
    assert_eq!(h.app().state().x_view(), X_VIEW, "the panel did not zoom");
    let moved = h.app().handle_pos(o, Handle::Mode(1)).unwrap();
    assert!(
        moved.distance(at) > 20.0,
        "the peak dropped away from the pointer"
    );
    // A pause ends the gesture: the next notch, off the handle now, zooms.
    std::thread::sleep(Duration::from_millis(500));
    h.frame();
    h.scroll(at, 1.0);
    assert_eq!(h.app().state().modes()[1].std, std1);
    assert_ne!(h.app().state().x_view(), X_VIEW, "zoomed");
}

#[test]
fn the_sweep_view_draws_and_a_click_sets_the_parameter() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    h.app_mut().set_sweep_open(true);
    let done = h.run_until(3000, sweep_done);
    assert!(done, "the sweep finishes");
    h.frame();
    let view = *h.app().sweep_view();
    assert!(!view.stale, "the sweep is current");
    let diagram = view.diagram.expect("diagram drawn");
    let pic = h.render().expect("render");
    pic.save_png(&out("app_sweep.png")).expect("png");
    // Minima in colour, the vertical line of the current value in ink.
    let minima = count(&pic, diagram.rect, &[optimum_colour(0), optimum_colour(1)]);
    assert!(minima > 50, "{minima} pixels of minima branches");
    // A click at separation 6.5 moves the modes there (about their midpoint).
    let at = diagram.to_screen(6.5, 0.5 * (diagram.y.0 + diagram.y.1));
    h.click(at);
    let s = h.app().state();
    let sep = s.modes()[1].mean - s.modes()[0].mean;
    let px = (diagram.x.1 - diagram.x.0) / f64::from(diagram.rect.width());
    assert!((sep - 6.5).abs() <= 2.0 * px, "separation {sep}");
    assert!(
        !h.app().sweep_view().stale,
        "the swept value alone leaves the sweep current"
    );
    // Another edit marks the sweep out of date until the new one arrives.
    let m = h.app().state().modes()[0];
    let now = std::time::Instant::now();
    h.app_mut()
        .state_mut()
        .edit_mode(0, Mode { std: 1.2, ..m }, now);
    h.frame();
    assert!(h.app().sweep_view().stale, "marked out of date");
    let done = h.run_until(3000, sweep_done);
    assert!(done, "the new sweep arrives");
    h.frame();
    assert!(!h.app().sweep_view().stale);
}

/// True once the sweep on view is that of the current target and choice.
fn sweep_done(app: &App) -> bool {
    app.state()
        .current_sweep_key()
        .is_some_and(|key| app.sweeps().shows(&key))
}

/// Pixels in `rect` whose colour is far from grey (basin cells and optimum markers).
fn coloured(pic: &Picture, rect: eframe::egui::Rect) -> (usize, usize) {
    let (mut hits, mut all) = (0, 0);
    for y in rect.top() as u32..rect.bottom() as u32 {
        for x in rect.left() as u32..rect.right() as u32 {
            let p = pic.pixel(x, y);
            let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
            all += 1;
            if (r - g).abs() + (g - b).abs() + (b - r).abs() > 60 {
                hits += 1;
            }
        }
    }
    (hits, all)
}

#[test]
fn a_fixed_sigma_map_is_the_objective_over_a_band_of_starts() {
    let Some(rs) = adapter() else {
        return;
    };
    let scenario = Scenario {
        family: kl_landscape::objective::Family::FixedSigma { sigma: 1.0 },
        ..Scenario::default()
    };
    let maps = Maps::with_grid(Some(engine_for(&rs, None)), small_grid(), DEFAULT_STEPS);
    let mut h = Headless::with_app(App::with_maps(&scenario, maps, 3), rs, WINDOW_SIZE);
    let e = Objective::Exclusive;
    assert!(h.run_until(4000, |app| app.maps_done()), "maps done");
    h.frame();
    let landscape = h.app().current_map(e).unwrap().clone();
    assert_eq!(landscape.optima.len(), 2, "{:?}", landscape.optima);
    let band = h.app().map_band(e).expect("a band of starts");
    let curve = h.app().map_rect(e).expect("the curve's plot");
    assert!(band.top() > curve.bottom(), "the band lies under the curve");
    assert!(band.height() < 0.4 * curve.height(), "{band:?} {curve:?}");
    let pic = h.render().expect("render");
    pic.save_png(&out("app_fixed_sigma.png")).expect("png");
    // The band is basin colour through and through; the curve's plot is
    // white but for the curve (grey) and the optima's small markers.
    let (hits, all) = coloured(&pic, band.shrink(2.0));
    assert!(hits > all * 9 / 10, "band: {hits} of {all} coloured");
    let (hits, all) = coloured(&pic, curve.shrink(2.0));
    assert!(hits < all / 50, "curve's plot: {hits} of {all} coloured");
    // Hover and click on the band: a start mu0 at the held sigma, whose fit
    // runs into the optimum the band gives it.
    h.app_mut().state_mut().set_speed(20);
    let grid = *h.app().maps().grid();
    for (k, optimum) in landscape.optima.iter().enumerate() {
        let c = (0..grid.mu.count)
            .filter(|&c| landscape.labels[c] == k as i32)
            .min_by(|&a, &b| {
                let d = |c: usize| (grid.mu.at(c) - optimum.mu).abs();
                d(a).total_cmp(&d(b))
            })
            .expect("a start in the basin");
        let pos = h.app().map_cell_pos(e, c, 0).expect("band on screen");
        assert!(band.contains(pos), "{pos:?} in {band:?}");
        h.hover(pos);
        h.frame();
        let readout = h.app().map_readout(e).to_string();
        assert!(
            readout.contains("σ held at 1") && readout.contains(&format!("optimum #{k}")),
            "{readout}"
        );
        assert!(!readout.contains("σ₀"), "{readout}");
        h.click(pos);
        assert_eq!(h.app().state().fit(e).start, [grid.mu.at(c), 1.0]);
        let done = h.run_until(3000, |app| app.state().fit(e).converged());
        assert!(done, "the live fit converged");
        let [mu, sigma] = h.app().state().fit(e).position();
        assert!(
            (mu - optimum.mu).abs() < 0.02 && sigma == 1.0,
            "{mu} {sigma} {optimum:?}"
        );
    }
}

#[test]
fn the_alpha_slider_and_strip_set_the_order_and_its_map_follows() {
    let grid = Grid {
        mu: Axis::linear(-7.0, 7.0, 32),
        sigma: Axis::linear(0.1, 4.0, 20),
    };
    let Some(mut h) = window_with(Some(grid), WINDOW_SIZE, None) else {
        return;
    };
    let done = h.run_until(6000, |app| {
        app.maps_done()
            && app
                .state()
                .alpha_strip_key()
                .is_some_and(|key| app.alpha_strip().shows(&key))
    });
    assert!(done, "the maps and the alpha strip finish");
    h.frame();
    let alpha = Objective::Alpha(h.app().state().alpha());
    // Hovering a cell reads its start's optimum and its value as D.
    let read = |h: &mut Headless, alpha: Objective| {
        let cell = h
            .app()
            .map_cell_pos(alpha, 16, 10)
            .expect("the map is drawn");
        h.hover(cell);
        h.frame();
        h.app().map_readout(alpha).to_string()
    };
    let readout = read(&mut h, alpha);
    assert!(readout.contains(", D "), "{readout}");
    let strip = h.app().alpha_view().frame.expect("the strip is drawn");
    assert!(!h.app().alpha_view().stale);
    let pic = h.render().expect("render");
    pic.save_png(&out("app_alpha.png")).expect("png");
    // The strip's branches in the optima's colours.
    let branches = count(&pic, strip.rect, &[optimum_colour(0), optimum_colour(1)]);
    assert!(branches > 30, "{branches} pixels of branches in the strip");
    let map = h.app().current_map(alpha).expect("the alpha map").clone();
    assert_eq!(
        map.optima.len(),
        3,
        "D_0.5 of the default target: {:?}",
        map.optima
    );
    // A click on the strip at a = 0.25 sets the order; only that map restarts.
    let at = strip.to_screen(0.25, 0.5 * (strip.y.0 + strip.y.1));
    h.click(at);
    let a = h.app().state().alpha().a();
    let px = 1.0 / f64::from(strip.rect.width());
    assert!((a - 0.25).abs() <= 2.0 * px, "a = {a}");
    let alpha = Objective::Alpha(h.app().state().alpha());
    assert_eq!(h.app().state().fit(alpha).objective, alpha);
    h.frame();
    assert!(
        h.app().current_map(Objective::Exclusive).is_some(),
        "the KL maps stay current"
    );
    assert!(
        h.app().current_map(alpha).is_none(),
        "the old order's map is out of date"
    );
    assert!(
        !h.app().alpha_view().stale,
        "the strip is of the target, not of the order"
    );
    let done = h.run_until(6000, |app| app.maps_done());
    assert!(done, "the new order's map arrives");
    let new = h.app().current_map(alpha).expect("the map of a = 0.25");
    // At a = 0.25 the mode minima still exist but no longer win (the
    // Maxwell point is at a = 0.173): the best is the wide one at mu = 0.
    assert_eq!(new.optima.len(), 3, "{:?}", new.optima);
    assert!(new.optima[0].mu.abs() < 1e-6 && new.optima[0].sigma > 2.0);
    let now = read(&mut h, alpha);
    assert!(now.contains(", D ") && now != readout, "{readout} -> {now}");
}

#[test]
fn the_sweep_tab_sweeps_alpha_and_a_click_sets_the_order() {
    let Some(mut h) = window(Some(small_grid())) else {
        return;
    };
    let mut choice = h.app().state().sweep_choice();
    choice.set_kind(SweepKind::Alpha, h.app().state().mixture());
    h.app_mut().state_mut().set_sweep_choice(choice);
    h.app_mut().set_sweep_open(true);
    let done = h.run_until(3000, sweep_done);
    assert!(done, "the sweep along alpha finishes");
    h.frame();
    let diagram = h.app().sweep_view().diagram.expect("diagram drawn");
    assert_eq!(diagram.x, (0.0, 1.0));
    let pic = h.render().expect("render");
    pic.save_png(&out("app_sweep_alpha.png")).expect("png");
    let (_, sweep) = h.app().sweeps().shown().unwrap();
    let folds = sweep
        .bifurcations
        .iter()
        .filter(|b| b.kind == kl_landscape::sweep::BifurcationKind::Fold)
        .count();
    assert_eq!(folds, 2, "{:?}", sweep.bifurcations);
    h.click(diagram.to_screen(0.4, 0.5 * (diagram.y.0 + diagram.y.1)));
    let a = h.app().state().alpha().a();
    let px = 1.0 / f64::from(diagram.rect.width());
    assert!((a - 0.4).abs() <= 2.0 * px, "a = {a}");
    assert!(
        !h.app().sweep_view().stale,
        "the order now leaves the sweep current"
    );
}
