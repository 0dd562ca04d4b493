//! Criterion benchmarks: the default map (W1) at a size that runs in seconds,
//! on the CPU engine and (when an adapter exists) the GPU engine, plus the
//! kernel's gradient alone. `kl-landscape bench` runs the full-size workloads.

use criterion::{Criterion, criterion_group, criterion_main};
use kl_landscape::engine::Engine;
use kl_landscape::engine::cpu::CpuEngine;
use kl_landscape::engine::fit::Kernel;
use kl_landscape::engine::gpu::GpuEngine;
use kl_landscape::landscape::Axis;
use kl_landscape::{Family, Grid, Landscape, Mixture, Objective, Problem};

fn small_w1(c: &mut Criterion) {
    let problem = Problem::new(
        Mixture::widget_default(),
        Objective::Exclusive,
        Family::Gaussian,
    );
    let grid = Grid::new(Axis::linear(-7.0, 7.0, 64), Axis::linear(0.1, 4.0, 32)).unwrap();
    let mut group = c.benchmark_group("W1 64x32x1000");
    group.sample_size(10);
    let gpu = GpuEngine::new().ok();
    let mut engines: Vec<(&str, &dyn Engine)> = vec![("cpu", &CpuEngine)];
    if let Some(g) = &gpu {
        engines.push(("gpu", g));
    }
    for (name, engine) in engines {
        group.bench_function(name, |b| {
            b.iter(|| Landscape::compute(engine, &problem, &grid, 1000, 0.08, &mut |_| {}).unwrap())
        });
    }
    group.finish();
}

fn gradient(c: &mut Criterion) {
    let problem = Problem::new(
        Mixture::widget_default(),
        Objective::Exclusive,
        Family::Gaussian,
    );
    let k64 = Kernel::<f64>::new(&problem, 0.08);
    let k32 = Kernel::<f32>::new(&problem, 0.08);
    c.bench_function("exclusive gradient f64 (engine rule)", |b| {
        b.iter(|| k64.gradient(std::hint::black_box(0.3), std::hint::black_box(1.7)))
    });
    c.bench_function("exclusive gradient f32 (engine rule)", |b| {
        b.iter(|| k32.gradient(std::hint::black_box(0.3), std::hint::black_box(1.7)))
    });
    c.bench_function("exclusive value+gradient (adaptive reference)", |b| {
        b.iter(|| problem.evaluate(std::hint::black_box(0.3), std::hint::black_box(1.7)))
    });
}

criterion_group!(benches, small_w1, gradient);
criterion_main!(benches);
