//! Criterion benchmarks of the window's frame on whatever adapter wgpu finds
//! (llvmpipe here): one UI pass plus an offscreen render and read-back at the
//! default window size, alone and while the window's default map computes
//! on the same device (restarted whenever it finishes, so every sample has
//! one running). Read-back is part of the figure; a real window presents
//! instead. Skipped, with a line, when no adapter exists.

use criterion::{Criterion, criterion_group, criterion_main};
use kl_landscape::app::headless::{Headless, render_state};
use kl_landscape::app::maps::{CHUNK_TIME, Maps, WINDOW_GRID};
use kl_landscape::app::{App, WINDOW_SIZE, engine_for};
use kl_landscape::defaults::{DEFAULT_LR, DEFAULT_STEPS};
use kl_landscape::landscape::Grid;
use kl_landscape::map_job::MapJob;
use kl_landscape::map_pace::FramePace;
use kl_landscape::scenario::Scenario;
use kl_landscape::{Family, Mixture, Objective, Problem};

fn frames(c: &mut Criterion) {
    let rs = match render_state() {
        Ok(rs) => rs,
        Err(e) => {
            println!("skipping the window benchmarks: {e}");
            return;
        }
    };
    let engine = engine_for(&rs, None);
    let app = App::with_maps(&Scenario::default(), Maps::new(None), 7);
    let mut h = Headless::with_app(app, rs, WINDOW_SIZE);
    let problem = Problem::new(
        Mixture::widget_default(),
        Objective::Exclusive,
        Family::Gaussian,
    );
    // Every frame animates, as while the fits run: one chunk a frame.
    let pace = FramePace::default();
    let map = || {
        MapJob::start(
            engine.clone(),
            problem.clone(),
            Grid::default_ranges(WINDOW_GRID.0, WINDOW_GRID.1),
            DEFAULT_STEPS,
            DEFAULT_LR,
            CHUNK_TIME,
            pace.clone(),
        )
    };

    let mut group = c.benchmark_group(format!(
        "window frame {}x{}",
        WINDOW_SIZE[0], WINDOW_SIZE[1]
    ));
    group.sample_size(20);
    group.bench_function("alone", |b| {
        b.iter(|| {
            h.frame();
            h.render().expect("render")
        })
    });
    let mut job = map();
    group.bench_function("while the default map computes", |b| {
        b.iter(|| {
            if job.poll().done {
                job = map();
            }
            pace.frame(true);
            h.frame();
            h.render().expect("render")
        })
    });
    group.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
