//! The window's state logic without a window: handles, drags and their
//! floors, scrolls, adding and removing modes, family switch, reset ranges,
//! click-to-fit, the background maps on a small CPU grid, and a randomised soak.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kl_landscape::app::App;
use kl_landscape::app::files::{FileKind, Files};
use kl_landscape::app::fit_panel::handle_positions;
use kl_landscape::app::maps::Maps;
use kl_landscape::app::state::{
    ADD_APART_SIGMAS, AppState, Handle, MODE_DRAG_FLOOR, MODE_SCROLL_FLOOR, SETTLE, X_VIEW,
    X_VIEW_WIDTH, ZOOM_PER_NOTCH, lr_of_slider,
};
use kl_landscape::app::sweep_job::Sweeps;
use kl_landscape::app::sweep_setup::{SweepChoice, SweepKey, SweepKind};
use kl_landscape::defaults::{MAX_MODES, SIGMA_FLOOR};
use kl_landscape::engine::cpu::CpuEngine;
use kl_landscape::landscape::{Axis, Grid};
use kl_landscape::map_job::MapJob;
use kl_landscape::map_pace::FramePace;
use kl_landscape::objective::AlphaForm;
use kl_landscape::scenario::Scenario;
use kl_landscape::sweep::{BifurcationKind, BranchKind};
use kl_landscape::target::{Mode, STD_RANGE};
use kl_landscape::{Family, Landscape, Mixture, Objective, Problem};

fn state() -> AppState {
    AppState::new(&Scenario::default(), 42)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn assert_finite(s: &AppState) {
    for m in s.modes() {
        assert!(
            m.weight.is_finite() && m.mean.is_finite() && m.std.is_finite(),
            "{m:?}"
        );
        assert!(m.weight > 0.0 && m.std > 0.0, "{m:?}");
    }
    for f in s.fits() {
        let [mu, sigma] = f.position();
        assert!(
            mu.is_finite() && sigma.is_finite() && sigma >= SIGMA_FLOOR,
            "{mu} {sigma}"
        );
        assert!(
            f.eval.kl.is_finite() && f.eval.grad_norm().is_finite(),
            "{:?}",
            f.eval
        );
        assert!(f.trail.iter().all(|p| p[0].is_finite() && p[1].is_finite()));
    }
    assert!(s.lr().is_finite() && s.lr() > 0.0);
    let (lo, hi) = s.x_view();
    assert!(
        lo.is_finite() && hi.is_finite() && hi > lo,
        "view {lo} {hi}"
    );
}

#[test]
fn learning_rate_slider_is_the_widgets_exponential_scale() {
    assert!(close(lr_of_slider(0.0), 0.005, 1e-12));
    assert!(close(lr_of_slider(100.0), 1.0, 1e-12));
    assert!(close(lr_of_slider(50.0), 0.005 * 200f64.sqrt(), 1e-12));
    assert!(close(
        state().lr(),
        kl_landscape::defaults::DEFAULT_LR,
        1e-12
    ));
}

#[test]
fn handles_sit_on_each_weighted_peak_and_on_q() {
    let s = state();
    let hs = handle_positions(&s, Objective::Exclusive);
    assert_eq!(hs.len(), 3);
    let peak = 0.5 / (0.8 * (2.0 * std::f64::consts::PI).sqrt());
    assert_eq!(hs[0].0, Handle::Mode(0));
    assert!(close(hs[0].1, -2.5, 1e-12) && close(hs[0].2, peak, 1e-12));
    let [mu, sigma] = s.fit(Objective::Exclusive).position();
    assert_eq!(hs[2].0, Handle::Q(Objective::Exclusive));
    assert!(close(hs[2].1, mu, 1e-12));
    assert!(close(
        hs[2].2,
        1.0 / (sigma * (2.0 * std::f64::consts::PI).sqrt()),
        1e-12
    ));
}

#[test]
fn dragging_a_mode_sets_mean_and_width_with_a_floor_and_pauses() {
    let mut s = state();
    assert!(!s.begin_drag(Handle::Mode(5)), "no such mode");
    assert!(s.begin_drag(Handle::Mode(0)));
    let steps = s.fit(Objective::Exclusive).steps();
    s.drag_to(1.0, 150.0);
    assert!(close(s.modes()[0].mean, 1.0, 1e-12));
    assert!(close(s.modes()[0].std, 1.8, 1e-12), "one sigma per 150 px");
    s.step_frame();
    assert_eq!(
        s.fit(Objective::Exclusive).steps(),
        steps,
        "paused while dragging"
    );
    assert!(s.settled_key().is_none());
    s.drag_to(-1.0, -10_000.0);
    assert!(close(s.modes()[0].std, MODE_DRAG_FLOOR, 1e-12));
    s.drag_to(f64::NAN, f64::INFINITY);
    assert!(s.modes()[0].std.is_finite());
    s.release();
    assert!(s.dragging().is_none());
    assert_eq!(
        s.fit(Objective::Exclusive).steps(),
        0,
        "Adam resets on release"
    );
    assert_eq!(s.fit(Objective::Inclusive).steps(), 0);
    assert!(s.settled_key().is_some(), "maps may restart at once");
    s.step_frame();
    assert_eq!(
        s.fit(Objective::Exclusive).steps(),
        2,
        "default speed is 2 steps a frame"
    );
}

#[test]
fn dragging_q_sets_its_start_and_keeps_sigma_in_the_fixed_family() {
    let mut s = state();
    assert!(s.begin_drag(Handle::Q(Objective::Inclusive)));
    let sigma0 = s.fit(Objective::Inclusive).position()[1];
    s.drag_to(3.0, 75.0);
    let f = s.fit(Objective::Inclusive);
    assert_eq!(f.position(), [3.0, sigma0 + 0.5]);
    assert_eq!(f.start, [3.0, sigma0 + 0.5]);
    s.drag_to(3.0, -100_000.0);
    assert!(close(
        s.fit(Objective::Inclusive).position()[1],
        SIGMA_FLOOR,
        1e-12
    ));
    s.release();

    s.set_family(true);
    assert!(s.begin_drag(Handle::Q(Objective::Exclusive)));
    s.drag_to(-2.0, 300.0);
    s.release();
    assert_eq!(s.fit(Objective::Exclusive).position(), [-2.0, 1.0]);
}

#[test]
fn scrolling_changes_width_with_a_floor_and_settles() {
    let mut s = state();
    let now = Instant::now();
    s.scroll_mode(1, 1.0, now);
    assert!(close(s.modes()[1].std, 0.85, 1e-12));
    s.scroll_mode(1, -2.0, now);
    assert!(close(s.modes()[1].std, 0.75, 1e-12));
    s.scroll_mode(1, -1000.0, now);
    assert!(close(s.modes()[1].std, MODE_SCROLL_FLOOR, 1e-12));
    s.scroll_mode(9, 1.0, now);
    s.scroll_mode(0, f64::NAN, now);
    assert!(s.settled_key().is_none(), "maps wait until scrolling stops");
    s.poll(now + SETTLE / 2);
    assert!(s.settled_key().is_none());
    s.poll(now + SETTLE + Duration::from_millis(1));
    assert_eq!(s.settled_key(), Some(s.current_key()));
    assert_eq!(s.fit(Objective::Exclusive).steps(), 0);
}

#[test]
fn adding_and_removing_modes_respect_the_limits_and_reset_weights() {
    let mut s = state();
    let now = Instant::now();
    s.edit_mode(
        0,
        Mode {
            weight: 3.0,
            mean: -2.5,
            std: 0.8,
        },
        now,
    );
    assert!(close(s.modes()[0].weight, 3.0 / 3.5, 1e-12));
    assert!(s.add_mode());
    assert_eq!(s.modes().len(), 3);
    let m = s.modes()[2];
    assert!((-4.0..=4.0).contains(&m.mean) && (0.5..=1.0).contains(&m.std));
    assert!(s.modes().iter().all(|m| close(m.weight, 1.0 / 3.0, 1e-12)));
    while s.add_mode() {}
    assert_eq!(s.modes().len(), MAX_MODES);
    assert!(!s.add_mode());
    while s.remove_mode() {}
    assert_eq!(s.modes().len(), 1);
    assert!(!s.remove_mode());
    assert!(close(s.modes()[0].weight, 1.0, 1e-12));
    assert_eq!(s.modes()[0].mean, -2.5, "the first mode stays");
}

#[test]
fn deleting_a_mode_keeps_the_others_and_their_weights() {
    let mut s = AppState::new(
        &Scenario {
            target: Mixture::new(vec![
                Mode {
                    weight: 1.0,
                    mean: -3.0,
                    std: 0.5,
                },
                Mode {
                    weight: 2.0,
                    mean: 0.0,
                    std: 1.0,
                },
                Mode {
                    weight: 3.0,
                    mean: 3.0,
                    std: 1.5,
                },
            ])
            .unwrap(),
            family: Family::Gaussian,
        },
        1,
    );
    let now = Instant::now();
    assert!(!s.delete_mode(3, now), "no such mode");
    assert!(s.delete_mode(1, now));
    let m = s.modes();
    assert_eq!(m.len(), 2);
    assert_eq!((m[0].mean, m[0].std), (-3.0, 0.5));
    assert_eq!((m[1].mean, m[1].std), (3.0, 1.5));
    assert!(close(m[0].weight, 0.25, 1e-12) && close(m[1].weight, 0.75, 1e-12));
    assert_eq!(s.mixture().modes().len(), 2, "the target follows");
    assert!(
        s.settled_key().is_none(),
        "maps wait for the edit to settle"
    );
    assert!(s.delete_mode(0, now));
    assert!(!s.delete_mode(0, now), "the only mode stays");
    assert_eq!(s.modes()[0].mean, 3.0);
}

#[test]
fn the_fit_view_zooms_about_the_pointer_pans_and_resets() {
    let mut s = state();
    assert_eq!(s.x_view(), X_VIEW);
    s.zoom_x(1.0, 3.5);
    let (lo, hi) = s.x_view();
    assert!(close(hi - lo, 14.0 * ZOOM_PER_NOTCH, 1e-12), "one notch in");
    // 3.5 sat at 3/4 of the way across and still does.
    assert!(close((3.5 - lo) / (hi - lo), 0.75, 1e-12));
    s.pan_x(-2.0);
    assert!(close(s.x_view().0, lo - 2.0, 1e-12) && close(s.x_view().1, hi - 2.0, 1e-12));
    for _ in 0..100 {
        s.zoom_x(1.0, 0.0);
    }
    let (lo, hi) = s.x_view();
    assert!(
        close(hi - lo, X_VIEW_WIDTH.0, 1e-9),
        "zoom in stops at the narrowest view"
    );
    s.zoom_x(-1000.0, 0.0);
    let (lo, hi) = s.x_view();
    assert!(
        close(hi - lo, X_VIEW_WIDTH.1, 1e-9),
        "zoom out stops at the widest view"
    );
    s.pan_x(1e12);
    assert!(s.x_view().0.is_finite() && 0.5 * (s.x_view().0 + s.x_view().1) <= 1000.0);
    s.zoom_x(f64::NAN, 0.0);
    s.pan_x(f64::INFINITY);
    assert!(s.x_view().0.is_finite() && s.x_view().1.is_finite());
    s.reset_x_view();
    assert_eq!(s.x_view(), X_VIEW);
}

#[test]
fn family_switch_holds_sigma_at_one() {
    let mut s = state();
    s.set_family(true);
    assert_eq!(s.family(), Family::FixedSigma { sigma: 1.0 });
    for o in Objective::BOTH {
        assert_eq!(s.fit(o).position()[1], 1.0);
        assert_eq!(s.fit(o).steps(), 0);
    }
    for _ in 0..50 {
        s.step_frame();
    }
    assert_eq!(s.fit(Objective::Exclusive).position()[1], 1.0);
    assert_eq!(s.fit(Objective::Exclusive).eval.d_sigma, 0.0);
    s.set_family(false);
    assert_eq!(s.family(), Family::Gaussian);
}

#[test]
fn reset_draws_the_widgets_ranges() {
    let mut s = state();
    let mut seen = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for _ in 0..500 {
        s.reset();
        for o in Objective::BOTH {
            let f = s.fit(o);
            let [mu, sigma] = f.position();
            assert!((-5.0..=5.0).contains(&mu) && (0.3..=2.8).contains(&sigma));
            assert_eq!(f.steps(), 0);
            assert_eq!(f.start, [mu, sigma]);
            seen = [
                seen[0].min(mu),
                seen[1].max(mu),
                seen[2].min(sigma),
                seen[3].max(sigma),
            ];
        }
    }
    assert!(
        seen[0] < -4.5 && seen[1] > 4.5 && seen[2] < 0.5 && seen[3] > 2.6,
        "{seen:?}"
    );
    s.set_family(true);
    s.reset();
    assert_eq!(s.fit(Objective::Inclusive).position()[1], 1.0);
}

#[test]
fn clicking_the_map_starts_a_fresh_fit_there_and_it_converges() {
    let mut s = state();
    for _ in 0..30 {
        s.step_frame();
    }
    s.paused = true;
    s.click_map(Objective::Exclusive, 2.0, 1.0);
    let f = s.fit(Objective::Exclusive);
    assert_eq!(f.start, [2.0, 1.0]);
    assert_eq!(f.position(), [2.0, 1.0]);
    assert_eq!(f.steps(), 0);
    assert_eq!(f.trail.len(), 1);
    assert!(!s.paused, "a click runs the fit");
    s.set_speed(20);
    for _ in 0..500 {
        s.step_frame();
    }
    let f = s.fit(Objective::Exclusive);
    assert!(f.converged(), "steps {}", f.steps());
    let [mu, sigma] = f.position();
    assert!(
        close(mu, 2.4919, 0.01) && close(sigma, 0.8126, 0.01),
        "{mu} {sigma}"
    );
    assert!(f.trail.len() > 10);
    // Inclusive: moment matching.
    let f = s.fit(Objective::Inclusive);
    let [mu, sigma] = f.position();
    assert!(
        close(mu, 0.0, 0.01) && close(sigma, (0.64f64 + 6.25).sqrt(), 0.01),
        "{mu} {sigma}"
    );
}

#[test]
fn maps_compute_in_the_background_and_restart_on_a_new_target() {
    let grid = Grid {
        mu: Axis::linear(-7.0, 7.0, 15),
        sigma: Axis::linear(0.1, 4.0, 6),
    };
    let mut maps = Maps::with_grid(Some(Arc::new(CpuEngine)), grid, 1500);
    let mut s = state();
    common::run_maps(&mut maps, &s);
    let excl = maps
        .slot(Objective::Exclusive)
        .current(&s.current_key())
        .unwrap();
    assert_eq!(excl.labels.len(), 90);
    assert_eq!(excl.optima.len(), 3, "{:?}", excl.optima);
    let incl = maps
        .slot(Objective::Inclusive)
        .current(&s.current_key())
        .unwrap();
    assert_eq!(incl.optima.len(), 1);

    // A drag keeps the old map on view and starts nothing until released.
    s.begin_drag(Handle::Mode(1));
    s.drag_to(4.0, 0.0);
    maps.update(s.settled_key().as_ref());
    assert!(!maps.busy());
    let shown = maps.slot(Objective::Exclusive).shown().unwrap();
    assert_ne!(shown.key, s.current_key());
    s.release();
    maps.update(s.settled_key().as_ref());
    assert!(maps.busy());
    assert!(
        maps.slot(Objective::Exclusive).shown().is_some(),
        "previous map stays"
    );
    common::run_maps(&mut maps, &s);
    let key = s.current_key();
    assert_eq!(key.target.modes()[1].mean, 4.0);
    assert!(maps.slot(Objective::Exclusive).current(&key).is_some());
}

#[test]
fn a_map_job_run_in_bands_and_paced_to_frames_equals_the_batch_map() {
    // 2560 starts: five bands of the job, one batch run of the CLI; the job
    // runs one chunk per (simulated, animating) frame.
    let grid = Grid {
        mu: Axis::linear(-7.0, 7.0, 64),
        sigma: Axis::linear(0.1, 4.0, 40),
    };
    let problem = Problem::new(
        Mixture::widget_default(),
        Objective::Exclusive,
        Family::Gaussian,
    );
    let batch = Landscape::compute(&CpuEngine, &problem, &grid, 1000, 0.08, &mut |_| {}).unwrap();
    let pace = FramePace::default();
    let job = MapJob::start(
        Arc::new(CpuEngine),
        problem,
        grid,
        1000,
        0.08,
        Duration::from_millis(8),
        pace.clone(),
    );
    let t = Instant::now();
    let map = loop {
        pace.frame(true);
        let snap = job.poll();
        assert!(snap.error.is_none(), "{:?}", snap.error);
        if snap.done {
            break snap.landscape.expect("a final map");
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the job did not finish"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(map.labels, batch.labels);
    assert_eq!(map.steps_to_converge, batch.steps_to_converge);
    assert_eq!(map.optima, batch.optima);
}

#[test]
fn sixteen_far_and_narrow_modes_stay_finite() {
    let mut s = state();
    while s.add_mode() {}
    let now = Instant::now();
    for i in 0..MAX_MODES {
        let far = if i % 2 == 0 { 1000.0 } else { -1000.0 };
        s.edit_mode(
            i,
            Mode {
                weight: 1e-3 + i as f64,
                mean: far * (i as f64 / 15.0),
                std: 1e-9,
            },
            now,
        );
    }
    s.set_speed(20);
    for _ in 0..100 {
        s.step_frame();
    }
    assert_finite(&s);
    s.click_map(Objective::Exclusive, 7.0, 0.1);
    for _ in 0..100 {
        s.step_frame();
    }
    assert_finite(&s);
}

#[test]
fn randomised_soak_never_panics_and_stays_finite() {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut s = AppState::new(
        &Scenario {
            target: Mixture::parse("1:-3:0.3,1:0:1.5,2:3:0.6").unwrap(),
            family: Family::Gaussian,
        },
        9,
    );
    let t0 = Instant::now();
    let wild = |rng: &mut fastrand::Rng| match rng.u8(0..10) {
        0 => f64::NAN,
        1 => f64::INFINITY,
        2 => -1e300,
        3 => 1e6 * (rng.f64() - 0.5),
        _ => 20.0 * (rng.f64() - 0.5),
    };
    for n in 0..4000u64 {
        let now = t0 + Duration::from_millis(16 * n);
        match rng.u8(0..19) {
            0 => {
                let h = if rng.bool() {
                    Handle::Mode(rng.usize(0..20))
                } else {
                    Handle::Q(s.objectives()[rng.usize(0..3)])
                };
                s.begin_drag(h);
            }
            1 | 2 => s.drag_to(wild(&mut rng), 400.0 * (rng.f64() - 0.5)),
            3 => s.release(),
            4 => s.scroll_mode(rng.usize(0..20), wild(&mut rng), now),
            5 => {
                s.add_mode();
            }
            6 => {
                s.remove_mode();
            }
            7 => s.set_family(rng.bool()),
            8 => s.reset(),
            9 => s.click_map(Objective::Exclusive, wild(&mut rng), wild(&mut rng)),
            10 => s.set_lr_slider(wild(&mut rng), now),
            11 => s.set_speed(rng.u32(0..50)),
            12 => {
                let i = rng.usize(0..20);
                let m = Mode {
                    weight: wild(&mut rng),
                    mean: wild(&mut rng),
                    std: wild(&mut rng),
                };
                s.edit_mode(i, m, now);
            }
            13 => {
                s.delete_mode(rng.usize(0..20), now);
            }
            14 => s.zoom_x(wild(&mut rng), wild(&mut rng)),
            15 => s.pan_x(wild(&mut rng)),
            16 => s.set_alpha(wild(&mut rng), now),
            17 => s.set_alpha_form(
                if rng.bool() {
                    AlphaForm::Amari
                } else {
                    AlphaForm::Renyi
                },
                now,
            ),
            _ => s.paused = !s.paused,
        }
        s.poll(now);
        s.step_frame();
        assert_finite(&s);
    }
}

/// A scenario at the edges of what the parser accepts: a spike (std 0.001),
/// a weight far below 0.001 once normalised, a mode wider than any drag makes.
fn extreme_scenario() -> Scenario {
    Scenario::from_json(
        r#"{"target": [{"weight": 1, "mean": 0, "std": 0.001},
                       {"weight": 20000, "mean": 3, "std": 1},
                       {"weight": 1, "mean": -900, "std": 1000}],
            "family": {"kind": "fixed_sigma", "sigma": 0.37}}"#,
    )
    .unwrap()
}

/// Runs `frames` frames of the whole window (side panel and table
/// included) in a bare egui context: no adapter, no maps.
fn run_window(app: &mut App, frames: usize) {
    run_window_at(app, frames, [1280.0, 800.0]);
}

/// [`run_window`] at a window size of `size` points.
fn run_window_at(app: &mut App, frames: usize, size: [f32; 2]) {
    let ctx = eframe::egui::Context::default();
    for _ in 0..frames {
        let input = eframe::egui::RawInput {
            screen_rect: Some(eframe::egui::Rect::from_min_size(
                eframe::egui::Pos2::ZERO,
                eframe::egui::vec2(size[0], size[1]),
            )),
            ..Default::default()
        };
        let _ = ctx.run_ui(input, |ui| app.show(ui));
    }
}

#[test]
fn the_window_computes_and_saves_exactly_what_it_loaded() {
    let loaded = extreme_scenario();
    assert!(loaded.target.modes()[0].weight < 1e-3);
    let mut app = App::with_maps(&Scenario::default(), Maps::new(None), 3);
    app.state_mut().load(&loaded);
    assert_eq!(app.state().scenario(), loaded, "as loaded");
    // The table draws every mode each frame: it must not clamp what it shows.
    run_window(&mut app, 3);
    let s = app.state();
    assert_eq!(s.scenario(), loaded, "bit for bit");
    for f in s.fits() {
        assert_eq!(f.problem().target, loaded.target, "the fits compute it");
        assert_eq!(f.problem().family, loaded.family);
    }
    assert_eq!(s.current_key().target, loaded.target, "the maps compute it");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    s.scenario().save(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), loaded.to_json());
    // Reading renormalises the saved (normalised) weights: equal to an ulp.
    let back = Scenario::load(&path).unwrap();
    for (a, b) in back.target.modes().iter().zip(loaded.target.modes()) {
        assert!(close(a.weight, b.weight, 4.0 * f64::EPSILON * b.weight));
        assert_eq!((a.mean, a.std), (b.mean, b.std));
    }
}

#[test]
fn edits_and_drags_change_only_what_the_user_moved() {
    let loaded = extreme_scenario();
    let mut s = state();
    s.load(&loaded);
    let spike = s.modes()[0];
    // The table: a new mean for the spike keeps its width and weight.
    s.edit_mode(0, Mode { mean: 0.5, ..spike }, Instant::now());
    assert_eq!(s.modes()[0].std, spike.std);
    assert_eq!(s.modes()[0].mean, 0.5);
    assert!(close(s.modes()[0].weight, spike.weight, 1e-18));
    // A sideways drag of the spike keeps its width; of the wide mode too.
    for i in [0, 2] {
        let before = s.modes()[i];
        assert!(s.begin_drag(Handle::Mode(i)));
        s.drag_to(1.25, 0.0);
        s.release();
        assert_eq!(s.modes()[i].std, before.std, "mode {i}");
        assert_eq!(s.modes()[i].mean, 1.25);
    }
    // Dragging narrower stops at the spike's own width; scrolling the wide
    // mode narrower is not cut back to the drag limit.
    assert!(s.begin_drag(Handle::Mode(0)));
    s.drag_to(0.0, -500.0);
    s.release();
    assert_eq!(s.modes()[0].std, spike.std);
    s.scroll_mode(2, -1.0, Instant::now());
    assert!(
        close(s.modes()[2].std, 999.95, 1e-9),
        "{}",
        s.modes()[2].std
    );
    // Typed values are clamped to what the target accepts.
    let now = Instant::now();
    s.edit_mode(
        1,
        Mode {
            std: 1e-9,
            ..s.modes()[1]
        },
        now,
    );
    assert_eq!(s.modes()[1].std, STD_RANGE.0);
}

#[test]
fn an_existing_file_is_replaced_only_once_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("basins.png");
    std::fs::write(&path, b"earlier").unwrap();
    let mut files = Files::default();
    assert_eq!(files.ask(FileKind::MapsPng, &path), None, "asks first");
    let waiting = files.awaiting().expect("a confirmation").clone();
    assert_eq!(waiting.path, path);
    assert!(waiting.path.is_absolute());
    files.cancel();
    assert!(files.awaiting().is_none());
    assert!(
        files
            .message()
            .unwrap()
            .0
            .contains(&path.display().to_string())
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"earlier");

    assert_eq!(files.ask(FileKind::MapsPng, &path), None);
    let request = files.replace().expect("confirmed");
    assert_eq!(request, waiting);
    files.done(&request, Ok(()));
    let (text, error) = files.message().unwrap();
    assert!(
        !error && text.contains(&path.display().to_string()),
        "{text}"
    );

    // A relative path is made absolute; a new file needs no confirmation.
    let request = files
        .ask(
            FileKind::Scenario,
            std::path::Path::new("no-such-file.json"),
        )
        .expect("nothing to replace");
    assert!(request.path.is_absolute(), "{:?}", request.path);
    // A path that cannot take a file is refused before anything is asked.
    let folder = dir.path().join("nowhere/x.json");
    assert_eq!(files.ask(FileKind::MapsJson, &folder), None);
    assert!(files.awaiting().is_none());
    assert!(files.message().unwrap().1, "an error");
}

#[test]
fn a_new_mode_goes_where_it_overlaps_no_other_when_there_is_room() {
    for seed in 0..20 {
        let mut s = AppState::new(&Scenario::default(), seed);
        assert!(s.add_mode());
        let new = s.modes()[2];
        for m in &s.modes()[..2] {
            let apart = (new.mean - m.mean).abs() / (new.std + m.std);
            assert!(
                apart >= ADD_APART_SIGMAS,
                "seed {seed}: {new:?} overlaps {m:?}"
            );
        }
    }
}

#[test]
fn panels_hide_and_show_but_one_always_stays() {
    let mut app = App::with_maps(&Scenario::default(), Maps::new(None), 3);
    let alpha = Objective::Alpha(app.state().alpha());
    assert_eq!(
        app.state().visible_objectives(),
        vec![Objective::Inclusive, Objective::Exclusive, alpha]
    );
    run_window(&mut app, 2);
    let three = app
        .panel_rect(Objective::Exclusive)
        .expect("drawn")
        .height();
    let s = app.state_mut();
    assert!(s.set_visible(alpha, false));
    run_window(&mut app, 2);
    assert!(app.panel_rect(alpha).is_none());
    let two = app
        .panel_rect(Objective::Exclusive)
        .expect("drawn")
        .height();
    assert!(
        two > 1.4 * three,
        "two rows share the height: {two} vs {three}"
    );
    let s = app.state_mut();
    assert!(s.begin_drag(Handle::Q(Objective::Inclusive)));
    assert!(s.set_visible(Objective::Inclusive, false));
    assert_eq!(s.dragging(), None, "a hidden panel's drag ends");
    assert!(!s.set_visible(Objective::Inclusive, false), "no change");
    assert!(
        !s.set_visible(Objective::Exclusive, false),
        "the last one shown stays"
    );
    assert_eq!(s.visible_objectives(), vec![Objective::Exclusive]);
    run_window(&mut app, 2);
    assert!(app.panel_rect(Objective::Inclusive).is_none());
    assert!(app.map_rect(Objective::Inclusive).is_none());
    let one = app
        .panel_rect(Objective::Exclusive)
        .expect("drawn")
        .height();
    assert!(one > 1.8 * two, "one row takes the height: {one} vs {two}");
    assert!(app.state_mut().set_visible(Objective::Inclusive, true));
    run_window(&mut app, 2);
    assert!(app.panel_rect(Objective::Inclusive).is_some());
}

#[test]
fn a_sweep_of_two_chosen_modes_moves_only_them_and_a_value_sets_the_target() {
    let three = Scenario {
        target: Mixture::parse("0.3:-4:0.7,0.3:0:0.5,0.4:3:0.9").unwrap(),
        family: Family::Gaussian,
    };
    let mut s = AppState::new(&three, 5);
    let mut c = s.sweep_choice();
    assert_eq!((c.kind, c.mode, c.other), (SweepKind::Separation, 0, 1));
    c.other = 2;
    s.set_sweep_choice(c);
    let c = s.sweep_choice();
    assert_eq!(c.value_in(s.mixture()), 7.0);
    let before = s.modes().to_vec();
    let t = Instant::now();
    assert!(s.set_sweep_value(3.0, t));
    let m = s.modes();
    assert_eq!(
        (m[0].mean, m[2].mean),
        (-2.0, 1.0),
        "about their midpoint -0.5"
    );
    assert_eq!(
        (m[1].mean, m[1].std),
        (before[1].mean, before[1].std),
        "the other mode stays"
    );
    assert!(
        close(m[1].weight, before[1].weight, 1e-15),
        "weights renormalised only"
    );
    assert!(s.settled_key().is_none(), "an edit settles first");
    assert!(
        !s.set_sweep_value(-1.0, t),
        "a negative separation is refused"
    );
    assert!(!s.set_sweep_value(f64::NAN, t));
    // The sweep's key does not depend on the value swept, only on the rest.
    s.poll(t + SETTLE);
    let key = s.settled_sweep_key().expect("settled");
    assert!(s.set_sweep_value(5.0, t + SETTLE));
    assert_eq!(s.current_sweep_key(), Some(key.clone()));
    s.edit_mode(
        1,
        Mode {
            std: 0.6,
            ..s.modes()[1]
        },
        t,
    );
    assert_ne!(s.current_sweep_key(), Some(key));
    // Deleting mode 3 keeps the choice on modes that exist.
    assert!(s.delete_mode(2, t));
    let c = s.sweep_choice();
    assert!(c.mode < 2 && c.other < 2 && c.mode != c.other, "{c:?}");
    // One mode left: no separation.
    assert!(s.delete_mode(1, t));
    assert_eq!(s.sweep_choice().kind, SweepKind::Mean);
    let mut c = s.sweep_choice();
    c.kind = SweepKind::Separation;
    s.set_sweep_choice(c);
    assert_eq!(s.sweep_choice().kind, SweepKind::Mean);
    // An empty or out-of-domain range is refused.
    let mut c = s.sweep_choice();
    c.kind = SweepKind::Std;
    s.set_sweep_choice(c);
    let good = s.sweep_choice();
    assert_eq!(good.kind, SweepKind::Std);
    for (from, to) in [(2.0, 1.0), (-1.0, 2.0), (0.5, f64::NAN)] {
        s.set_sweep_choice(SweepChoice { from, to, ..good });
        assert_eq!(s.sweep_choice(), good, "{from}..{to} refused");
    }
}

#[test]
fn the_sweep_computes_in_the_background_and_is_marked_stale_after_an_edit() {
    let mut s = state();
    let mut sweeps = Sweeps::default();
    let t0 = Instant::now();
    let key = s.settled_sweep_key().expect("settled");
    sweeps.update(Some(&key), t0);
    assert!(
        sweeps.busy() && sweeps.progress().is_none(),
        "debounced first"
    );
    let run = |sweeps: &mut Sweeps, key: &SweepKey| {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(120) {
            sweeps.update(Some(key), Instant::now());
            if sweeps.shows(key) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the sweep did not finish");
    };
    run(&mut sweeps, &key);
    assert!(!sweeps.busy());
    let (_, sweep) = sweeps.shown().unwrap();
    assert_eq!(sweep.fractions.len(), 21);
    assert!(sweep.branches.iter().any(|b| b.kind == BranchKind::Saddle));
    let folds = sweep
        .bifurcations
        .iter()
        .filter(|b| b.kind == BifurcationKind::Fold)
        .count();
    assert_eq!(folds, 2, "{:?}", sweep.bifurcations);
    // An edit: the shown sweep is no longer current, until the new one arrives.
    s.edit_mode(
        0,
        Mode {
            std: 1.0,
            ..s.modes()[0]
        },
        Instant::now(),
    );
    assert_eq!(s.settled_sweep_key(), None, "nothing starts mid-edit");
    let new = s.current_sweep_key().unwrap();
    assert_ne!(sweeps.shown().unwrap().0, &new, "stale");
    run(&mut sweeps, &new);
    assert_eq!(sweeps.shown().unwrap().0, &new);
}

#[test]
fn the_sweep_view_never_panics_at_the_smallest_sizes() {
    let mut app = App::with_maps(&Scenario::default(), Maps::new(None), 3);
    app.set_sweep_open(true);
    for size in [
        [1280.0, 800.0],
        kl_landscape::app::MIN_WINDOW_SIZE,
        [300.0, 200.0],
    ] {
        run_window_at(&mut app, 3, size);
    }
    run_window_at(&mut app, 2, kl_landscape::app::MIN_WINDOW_SIZE);
    assert!(app.sweep_view().diagram.is_some(), "the diagram has room");
    assert!(
        app.map_rect(Objective::Exclusive).is_none(),
        "maps give way"
    );
    app.set_sweep_open(false);
    run_window(&mut app, 2);
    assert!(app.map_rect(Objective::Exclusive).is_some());
}

#[test]
fn the_held_sigma_is_set_within_its_range_and_a_loaded_one_kept_exactly() {
    let mut s = state();
    let t = Instant::now();
    s.set_held_sigma(2.5, t);
    assert_eq!(s.family(), Family::Gaussian, "no switch by itself");
    s.set_family(true);
    assert_eq!(s.family(), Family::FixedSigma { sigma: 2.5 });
    for o in Objective::BOTH {
        assert_eq!(s.fit(o).position()[1], 2.5);
    }
    let mu = s.fit(Objective::Exclusive).position()[0];
    s.set_held_sigma(0.001, t);
    assert_eq!(s.family(), Family::FixedSigma { sigma: 0.1 }, "clamped");
    assert_eq!(s.fit(Objective::Exclusive).position(), [mu, 0.1]);
    assert_eq!(s.fit(Objective::Exclusive).steps(), 0, "a new Adam");
    assert!(
        s.settled_key().is_none(),
        "maps wait for the edit to settle"
    );
    s.set_held_sigma(1e9, t);
    assert_eq!(s.held_sigma(), 1e6);
    s.set_held_sigma(f64::NAN, t);
    assert_eq!(s.held_sigma(), 1e6);
    // A loaded sigma stays bit for bit until edited.
    let loaded = extreme_scenario();
    s.load(&loaded);
    let held = loaded.family.fixed_sigma().unwrap();
    s.set_held_sigma(held, t);
    assert_eq!(s.scenario(), loaded);
    s.set_family(false);
    s.set_family(true);
    assert_eq!(
        s.family(),
        loaded.family,
        "the held sigma survives a family switch"
    );
}
