//! The GPU engine against its CPU twin and the f64 reference engine, on
//! whatever adapter wgpu finds (lavapipe in CI, with KL_REQUIRE_GPU=1 so a
//! missing adapter fails instead of skipping).

mod common;

use kl_landscape::engine::fit::{CONVERGED, FitState, Kernel};
use kl_landscape::engine::{Engine, Run, cpu::CpuEngine, gpu::shader_source};
use kl_landscape::landscape::Axis;
use kl_landscape::objective::{Alpha, AlphaForm};
use kl_landscape::{Family, Grid, Landscape, Mixture, Objective, Problem};

#[test]
fn every_shader_variant_validates() {
    for modes in 1..=kl_landscape::defaults::MAX_MODES {
        for alpha in [false, true] {
            let module = naga_parse(&shader_source(modes, alpha));
            assert!(
                module.is_ok(),
                "{modes} modes, alpha {alpha}: {}",
                module.unwrap_err()
            );
        }
    }
}

/// Parses and validates WGSL through wgpu's own front end, on the device when one exists.
fn naga_parse(source: &str) -> Result<(), String> {
    let Some(gpu) = common::gpu() else {
        return Ok(());
    };
    gpu.validate_shader(source).map_err(|e| e.to_string())
}

fn targets() -> Vec<(&'static str, Mixture)> {
    vec![
        ("one mode", Mixture::parse("1:0.5:1.3").unwrap()),
        ("default", Mixture::widget_default()),
        ("public2", Mixture::parse("0.3:-3:0.6,0.7:1:0.9").unwrap()),
        (
            "public3",
            Mixture::parse("0.25:-4.5:0.7,0.25:-1.5:0.5,0.5:2.5:1.5").unwrap(),
        ),
        (
            "eight modes",
            kl_landscape::command::bench::spread_target(8),
        ),
    ]
}

/// `n` random states of `family` (Adam moments included) for one step of the kernel.
fn random_states(rng: &mut fastrand::Rng, n: usize, family: Family) -> Vec<FitState<f32>> {
    (0..n)
        .map(|_| {
            let mut s = FitState::<f32>::new(
                -8.0 + 16.0 * rng.f64(),
                family.fixed_sigma().unwrap_or(0.1 + 5.0 * rng.f64()),
            );
            s.adam.t = rng.u32(0..500);
            s.adam.m = [rng.f32() - 0.5, rng.f32() - 0.5];
            s.adam.v = [rng.f32(), rng.f32()];
            s.adam.beta_pow = [0.9f32.powi(s.adam.t as i32), 0.999f32.powi(s.adam.t as i32)];
            s
        })
        .collect()
}

/// Launch tasks of `problems` at lr 0.08, each from its `states`.
fn at_default_lr<'a>(
    problems: &'a [Problem],
    states: &'a [Vec<FitState<f32>>],
) -> Vec<(&'a Problem, f64, &'a [FitState<f32>])> {
    problems
        .iter()
        .zip(states)
        .map(|(p, s)| (p, 0.08, s.as_slice()))
        .collect()
}

/// Runs one step of `tasks` [(problem, lr, states)] as one launch of `gpu`
/// and checks every start against its own problem's CPU twin.
fn one_step_like_the_twin(
    gpu: &kl_landscape::engine::gpu::GpuEngine,
    tasks: &[(&Problem, f64, &[FitState<f32>])],
    what: &str,
) {
    let mut run = gpu.launch_states(tasks).unwrap();
    run.advance(1).unwrap();
    let mut got = run.states().iter();
    for (t, &(problem, lr, states)) in tasks.iter().enumerate() {
        let kernel = Kernel::<f32>::centred(problem, lr);
        for (s0, g) in states.iter().zip(got.by_ref()) {
            let mut want = *s0;
            kernel.step(&mut want);
            let rel = |a: f32, b: f32| (a - b).abs() / (1.0 + b.abs());
            assert_eq!(g.adam.t, want.adam.t, "{what}, task {t}");
            assert_eq!(g.status, want.status, "{what}, task {t}: {s0:?}");
            for (a, b, name) in [
                (g.mu, want.mu, "mu"),
                (g.sigma, want.sigma, "sigma"),
                (g.adam.m[0], want.adam.m[0], "m_mu"),
                (g.adam.m[1], want.adam.m[1], "m_sigma"),
                (g.adam.v[0], want.adam.v[0], "v_mu"),
                (g.adam.v[1], want.adam.v[1], "v_sigma"),
            ] {
                assert!(
                    rel(a, b) < 1e-5,
                    "{what}, task {t} {name}: gpu {a} vs cpu twin {b} from {s0:?}"
                );
            }
        }
    }
    assert!(got.next().is_none(), "{what}: more states than starts");
}

#[test]
fn one_step_matches_the_cpu_twin_on_random_states() {
    let Some(gpu) = common::gpu() else { return };
    let mut rng = fastrand::Rng::with_seed(99);
    for trial in 0..12 {
        let target = common::random_target(&mut rng, 16);
        let family = if trial % 3 == 2 {
            Family::FixedSigma {
                sigma: 0.5 + rng.f64(),
            }
        } else {
            Family::Gaussian
        };
        for objective in Objective::BOTH {
            let problem = Problem::new(target.clone(), objective, family);
            let states = random_states(&mut rng, 200, family);
            one_step_like_the_twin(
                &gpu,
                &[(&problem, 0.08, &states)],
                &format!("trial {trial} {objective}"),
            );
        }
    }
}

/// Targets of `modes` modes with random weights, means and stds.
fn random_targets_of(rng: &mut fastrand::Rng, modes: usize, count: usize) -> Vec<Mixture> {
    (0..count)
        .map(|_| {
            loop {
                let t = common::random_target(rng, modes);
                if t.modes().len() == modes {
                    break t;
                }
            }
        })
        .collect()
}

#[test]
fn a_batch_of_problems_steps_each_like_its_own_cpu_twin() {
    // One launch of problems that differ in everything a kernel variant
    // leaves free (target, objective, family, held sigma, learning rate),
    // with start counts that leave workgroups part-filled, whole and split
    // across slices, each start against its own problem's twin.
    let Some(gpu) = common::gpu() else { return };
    let mut rng = fastrand::Rng::with_seed(7);
    let counts = [37, 1, 64, 200, 129, 0, 5];
    for (trial, modes) in [1, 2, 3, 8, 16].into_iter().enumerate() {
        let targets = random_targets_of(&mut rng, modes, counts.len());
        let problems: Vec<(Problem, f64)> = targets
            .into_iter()
            .enumerate()
            .map(|(i, target)| {
                let family = if i % 3 == 1 {
                    Family::FixedSigma {
                        sigma: 0.5 + rng.f64(),
                    }
                } else {
                    Family::Gaussian
                };
                let objective = Objective::BOTH[i % 2];
                let lr = 0.01 + 0.2 * rng.f64();
                (Problem::new(target, objective, family), lr)
            })
            .collect();
        let states: Vec<Vec<FitState<f32>>> = problems
            .iter()
            .zip(counts)
            .map(|((p, _), n)| random_states(&mut rng, n, p.family))
            .collect();
        let tasks: Vec<(&Problem, f64, &[FitState<f32>])> = problems
            .iter()
            .zip(&states)
            .map(|((p, lr), s)| (p, *lr, s.as_slice()))
            .collect();
        one_step_like_the_twin(&gpu, &tasks, &format!("trial {trial}, {modes} modes"));
        one_step_like_the_twin(
            &gpu.with_max_slice(100),
            &tasks,
            &format!("trial {trial}, {modes} modes, slices of 100"),
        );
    }
    // More problems than one dispatch's uniform block holds: two slices.
    let many = kl_landscape::engine::gpu::problems_per_dispatch(2) + 50;
    let problems: Vec<Problem> = random_targets_of(&mut rng, 2, many)
        .into_iter()
        .map(|t| Problem::new(t, Objective::Exclusive, Family::Gaussian))
        .collect();
    let states: Vec<Vec<FitState<f32>>> = (0..many)
        .map(|i| random_states(&mut rng, 1 + i % 4, Family::Gaussian))
        .collect();
    let tasks = at_default_lr(&problems, &states);
    one_step_like_the_twin(&gpu, &tasks, &format!("{many} problems"));
    // The alpha variant: both forms and several orders in one launch, a KL beside them.
    let alpha = |a, form| Objective::Alpha(kl_landscape::objective::Alpha::new(a, form));
    use kl_landscape::objective::AlphaForm::{Amari, Renyi};
    let targets = random_targets_of(&mut rng, 2, 4);
    let objectives = [
        alpha(0.1, Amari),
        alpha(0.5, Renyi),
        Objective::Exclusive,
        alpha(0.9, Renyi),
    ];
    let problems: Vec<Problem> = targets
        .into_iter()
        .zip(objectives)
        .map(|(t, o)| Problem::new(t, o, Family::Gaussian))
        .collect();
    let states: Vec<Vec<FitState<f32>>> = problems
        .iter()
        .map(|_| random_states(&mut rng, 70, Family::Gaussian))
        .collect();
    let tasks = at_default_lr(&problems, &states);
    one_step_like_the_twin(&gpu, &tasks, "alpha batch");
}

#[test]
fn chunking_does_not_change_the_result_bit_for_bit() {
    let Some(gpu) = common::gpu() else { return };
    for (name, target) in targets() {
        let problem = Problem::new(target, Objective::Exclusive, Family::Gaussian);
        let starts = Grid::new(Axis::linear(-7.0, 7.0, 24), Axis::linear(0.1, 4.0, 12))
            .unwrap()
            .starts();
        let mut whole = gpu.launch(&problem, &starts, 0.08).unwrap();
        whole.advance(700).unwrap();
        let mut pieces = gpu.launch(&problem, &starts, 0.08).unwrap();
        for n in [1, 9, 90, 300, 300] {
            pieces.advance(n).unwrap();
        }
        let (a, b) = (whole.endpoints().unwrap(), pieces.endpoints().unwrap());
        for (x, y) in a.iter().zip(&b) {
            assert!(
                x.mu.to_bits() == y.mu.to_bits()
                    && x.sigma.to_bits() == y.sigma.to_bits()
                    && x.steps == y.steps
                    && x.status == y.status,
                "{name}: {x:?} vs {y:?}"
            );
        }
    }
}

#[test]
fn gpu_maps_agree_with_the_cpu_engine() {
    let Some(gpu) = common::gpu() else { return };
    let grid = Grid::new(Axis::linear(-7.0, 7.0, 48), Axis::linear(0.1, 4.0, 24)).unwrap();
    for (name, target) in targets() {
        for family in [Family::Gaussian, Family::FixedSigma { sigma: 1.0 }] {
            for objective in Objective::BOTH {
                let problem = Problem::new(target.clone(), objective, family);
                let (starts, _) = grid.distinct_starts(&problem);
                let ends = |engine: &dyn Engine| {
                    kl_landscape::engine::run_to_end(
                        engine,
                        &problem,
                        &starts,
                        2000,
                        0.08,
                        &mut |_| {},
                    )
                    .unwrap()
                };
                let (cpu_ends, gpu_ends) = (ends(&CpuEngine), ends(&gpu));
                for (c, g) in cpu_ends.iter().zip(&gpu_ends) {
                    if c.status == CONVERGED && g.status == CONVERGED {
                        assert!(
                            (c.mu - g.mu).abs() < 1e-3 && (c.sigma - g.sigma).abs() < 1e-3,
                            "{name} {family:?} {objective}: cpu {c:?} gpu {g:?}"
                        );
                    }
                }
                assert_same_map(
                    &gpu,
                    &problem,
                    &grid,
                    &format!("{name} {family:?} {objective}"),
                );
            }
        }
    }
}

/// The far-off targets: one mode at 260, 500 and 1000 (f32 spacing
/// there 3e-5 to 6e-5, coarser than the 1e-5 stillness rule).
fn far_targets() -> Vec<(f64, Problem, Grid)> {
    [260.0, 500.0, -1000.0, 1000.0]
        .into_iter()
        .map(|m| {
            let target = Mixture::parse(&format!("1:{m}:0.3")).unwrap();
            let problem = Problem::new(target, Objective::Exclusive, Family::Gaussian);
            let grid = Grid::new(
                Axis::linear(m - 5.0, m + 5.0, 32),
                Axis::linear(0.1, 3.0, 16),
            )
            .unwrap();
            (m, problem, grid)
        })
        .collect()
}

#[test]
fn the_f32_twin_converges_on_targets_far_from_zero() {
    // The engines' frame is centred on the target; starts enter and
    // endpoints leave in the user's frame. (Without a GPU, this is what
    // checks the frame; the GPU map below is what failed before it.)
    for (m, problem, grid) in far_targets() {
        let kernel = Kernel::<f32>::centred(&problem, 0.08);
        let mut states = kernel.states(&problem, &grid.starts());
        for s in &mut states {
            kernel.fit(s, 2000);
        }
        let stuck = states.iter().filter(|s| s.status != CONVERGED).count();
        assert_eq!(
            stuck,
            0,
            "mean {m}: {stuck} of {} starts never converged",
            states.len()
        );
        for s in &states {
            let e = kernel.endpoint(s);
            assert!(
                (e.mu - m).abs() < 1e-3 && (e.sigma - 0.3).abs() < 1e-3,
                "{e:?}"
            );
        }
    }
}

#[test]
fn gpu_maps_of_targets_far_from_zero_converge_like_the_cpus() {
    let Some(gpu) = common::gpu() else { return };
    for (m, problem, grid) in far_targets() {
        let cpu = Landscape::compute(&CpuEngine, &problem, &grid, 2000, 0.08, &mut |_| {}).unwrap();
        let on_gpu = Landscape::compute(&gpu, &problem, &grid, 2000, 0.08, &mut |_| {}).unwrap();
        assert_eq!(on_gpu.unconverged(), 0, "mean {m}");
        assert_eq!(on_gpu.labels, cpu.labels, "mean {m}");
        assert_eq!(on_gpu.optima.len(), 1, "mean {m}");
        assert!(
            (on_gpu.optima[0].mu - m).abs() < 1e-9,
            "{:?}",
            on_gpu.optima
        );
    }
}

#[test]
fn narrow_and_light_spikes_map_on_the_gpu_as_on_the_cpu() {
    // Issue 11: the GPU found no optimum for the first (all 512 starts
    // unconverged), left 45% unconverged for the second, broke on the third.
    let Some(gpu) = common::gpu() else { return };
    let grid = Grid::new(Axis::linear(-3.0, 6.0, 32), Axis::linear(0.1, 4.0, 16)).unwrap();
    for spec in ["1:0:0.001,1:3:1", "1:0:0.003,1:3:1", "1e-30:0:0.001,1:3:1"] {
        let target = Mixture::parse(spec).unwrap();
        for objective in Objective::BOTH {
            let problem = Problem::new(target.clone(), objective, Family::Gaussian);
            assert_eq!(kl_landscape::engine::gpu::beyond_f32(&problem), None);
            assert_same_map(&gpu, &problem, &grid, &format!("{spec} {objective}"));
        }
    }
}

/// Maps `problem` on both engines and asserts the GPU's map has the CPU's
/// optima (place and value to 1e-6) and its labels on at least 99% of the starts.
fn assert_same_map(
    gpu: &kl_landscape::engine::gpu::GpuEngine,
    problem: &Problem,
    grid: &Grid,
    what: &str,
) {
    let cpu = Landscape::compute(&CpuEngine, problem, grid, 2000, 0.08, &mut |_| {}).unwrap();
    let on_gpu = Landscape::compute(gpu, problem, grid, 2000, 0.08, &mut |_| {}).unwrap();
    assert_eq!(
        cpu.optima.len(),
        on_gpu.optima.len(),
        "{what}: {:?} vs {:?}",
        cpu.optima,
        on_gpu.optima
    );
    for (a, b) in cpu.optima.iter().zip(&on_gpu.optima) {
        assert!(
            (a.mu - b.mu).abs() < 1e-6
                && (a.sigma - b.sigma).abs() < 1e-6
                && (a.kl - b.kl).abs() < 1e-6,
            "{what}: {a:?} vs {b:?}"
        );
    }
    let agree = cpu
        .labels
        .iter()
        .zip(&on_gpu.labels)
        .filter(|(a, b)| a == b)
        .count();
    assert!(
        agree as f64 >= 0.99 * cpu.labels.len() as f64,
        "{what}: labels agree on {agree} of {} (gpu {} unconverged, cpu {})",
        cpu.labels.len(),
        on_gpu.unconverged(),
        cpu.unconverged()
    );
}

#[test]
fn mixtures_narrower_than_the_floor_map_on_the_gpu_as_on_the_cpu() {
    // Issue 20: every minimum sits on sigma's floor, KL 44 to 5000. The
    // GPU found no optimum for the first (512 starts unconverged) and
    // labels agreed on 24-83% for the others: polishing called a floor
    // minimum of curvature 1e6 not critical from an endpoint 6e-13 off
    // (its gradient 6e-7 against an absolute 1e-7), whichever engine
    // stopped there. tests/numerics.rs checks the minima against mpmath.
    let Some(gpu) = common::gpu() else { return };
    for (spec, mu) in [
        ("1:0:0.001", (-7.0, 7.0)),
        (
            "0.812254:-0.333638:0.002,0.689968:-1.84959:0.002,0.37354:-0.858715:0.001",
            (-2.85559, 0.672362),
        ),
        (
            "0.667753:4.20208:0.01,0.832174:3.95498:0.002,0.952867:-1.39432:0.005",
            (-2.42432, 5.23208),
        ),
        (
            "0.333782:0.858201:0.001,0.254332:-2.06664:0.002",
            (-3.07264, 1.8642),
        ),
    ] {
        let problem = Problem::new(
            Mixture::parse(spec).unwrap(),
            Objective::Exclusive,
            Family::Gaussian,
        );
        let grid = Grid::new(Axis::linear(mu.0, mu.1, 32), Axis::linear(0.1, 4.0, 16)).unwrap();
        assert_same_map(&gpu, &problem, &grid, spec);
    }
}

#[test]
fn the_alpha_kernel_is_never_cut_short_by_the_drivers_loop_limit() {
    // Issue 20: lavapipe ends an invocation's loops after 65535 iterations
    // in all; the 4-mode alpha kernel reached that within 206 steps of a
    // 216-step dispatch, so a 250-step chunk ran 240 (and 6 of 16 starts
    // of the map never converged where the CPU's all did). A cut
    // chunk now runs again in shorter dispatches: one long advance equals
    // short ones bit for bit and takes every step.
    let Some(gpu) = common::gpu() else { return };
    let target =
        Mixture::parse("0.54:-3.3333:0.411,0.379:1.019:1.153,0.662:-0.827:1.179,0.237:2.868:0.561")
            .unwrap();
    for family in [Family::Gaussian, Family::FixedSigma { sigma: 1.0 }] {
        let problem = Problem::new(
            target.clone(),
            Objective::Alpha(Alpha::new(0.4, AlphaForm::Amari)),
            family,
        );
        let starts: Vec<[f64; 2]> = (0..16)
            .map(|i| [-7.0 + 14.0 * i as f64 / 15.0, 1.0])
            .collect();
        let mut long = gpu.launch(&problem, &starts, 0.08).unwrap();
        long.advance(250).unwrap();
        let mut short = gpu.launch(&problem, &starts, 0.08).unwrap();
        for _ in 0..5 {
            short.advance(50).unwrap();
        }
        let (a, b) = (long.endpoints().unwrap(), short.endpoints().unwrap());
        for (x, y) in a.iter().zip(&b) {
            assert!(
                x.status == CONVERGED || x.steps == 250,
                "{family:?}: {x:?} ran fewer steps than asked"
            );
            assert!(
                x.mu.to_bits() == y.mu.to_bits() && x.steps == y.steps,
                "{family:?}: {x:?} vs {y:?}"
            );
        }
        let grid = Grid::new(Axis::linear(-7.0, 7.0, 16), Axis::linear(1.0, 2.0, 2)).unwrap();
        assert_same_map(&gpu, &problem, &grid, &format!("alpha 0.4 {family:?}"));
    }
}

#[test]
fn large_batches_split_into_slices_and_still_agree() {
    let Some(gpu) = common::gpu() else { return };
    let problem = Problem::new(
        Mixture::widget_default(),
        Objective::Exclusive,
        Family::Gaussian,
    );
    let starts: Vec<[f64; 2]> = (0..3000)
        .map(|i| [-7.0 + 14.0 * (i as f64) / 2999.0, 1.0])
        .collect();
    let small = gpu.with_max_slice(700);
    let mut split = small.launch(&problem, &starts, 0.08).unwrap();
    let mut whole = gpu.launch(&problem, &starts, 0.08).unwrap();
    split.advance(300).unwrap();
    whole.advance(300).unwrap();
    assert_eq!(split.endpoints().unwrap(), whole.endpoints().unwrap());
    let running = split.advance(1).unwrap();
    assert!(running <= starts.len());
}

#[test]
fn exp_probe_matches_its_cpu_twin() {
    let Some(gpu) = common::gpu() else { return };
    let out = gpu.exp_chains(300).unwrap();
    for (id, got) in out.iter().enumerate() {
        let want = kl_landscape::engine::exp_rate::exp_chains(id as u32);
        assert!(
            (got - want).abs() < 1e-5,
            "invocation {id}: gpu {got} vs cpu twin {want}"
        );
    }
    assert!(gpu.exp_rate().unwrap() > 0.0);
}

#[test]
fn exp_count_follows_the_panels() {
    let problem = Problem::new(
        Mixture::widget_default(),
        Objective::Exclusive,
        Family::Gaussian,
    );
    let k = Kernel::<f64>::new(&problem, 0.08);
    // A narrow q far from the transition: q's 9 panels, 6 nodes, 2 exps each
    // (q's weight and the two modes' logistic blend).
    assert_eq!(k.exps_per_step(6.0, 0.3), 9 * 6 * 2);
    // A wide q over the transition at 0 (logistic scale 0.128 < sigma): 9 more panels.
    assert_eq!(k.exps_per_step(0.0, 2.0), 18 * 6 * 2);
    // One mode: its score needs no exp; three: one per mode.
    let mode = |mean| kl_landscape::target::Mode {
        weight: 1.0,
        mean,
        std: 1.0,
    };
    for (modes, per_node) in [
        (vec![mode(0.0)], 1),
        (vec![mode(-40.0), mode(0.0), mode(40.0)], 4),
    ] {
        let problem = Problem::new(
            Mixture::new(modes).unwrap(),
            Objective::Exclusive,
            Family::Gaussian,
        );
        let k = Kernel::<f64>::new(&problem, 0.08);
        assert_eq!(k.exps_per_step(0.5, 0.3), 9 * 6 * per_node);
    }
    let inclusive = Kernel::<f64>::new(
        &Problem::new(
            Mixture::widget_default(),
            Objective::Inclusive,
            Family::Gaussian,
        ),
        0.08,
    );
    assert_eq!(inclusive.exps_per_step(0.0, 1.0), 0);
}

/// A sweep's problems: the widget's target at five separations (a fold
/// among them), in `family`.
fn sweep_problems(family: Family, objective: Objective) -> Vec<(Problem, f64)> {
    let base = kl_landscape::scenario::Scenario {
        family,
        ..Default::default()
    };
    [2.0, 3.5, 4.4, 6.0, 8.0]
        .into_iter()
        .map(|v| {
            let parameter = kl_landscape::sweep::Parameter::Separation;
            (parameter.problem_at(&base, objective, v).unwrap(), 0.08)
        })
        .collect()
}

/// Every problem's map computed in one batch equals its lone map exactly
/// (labels, optima, saddles, steps), and a batch cut into bands that split
/// problems gives the lone runs' endpoints bit for bit; progress rises to 1.
fn batched_maps_are_the_lone_maps(engine: &dyn Engine) {
    let grid = Grid::new(Axis::linear(-7.0, 7.0, 24), Axis::linear(0.1, 4.0, 12)).unwrap();
    for family in [Family::Gaussian, Family::FixedSigma { sigma: 1.0 }] {
        for objective in Objective::BOTH {
            let owned = sweep_problems(family, objective);
            let problems: Vec<(&Problem, f64)> = owned.iter().map(|(p, lr)| (p, *lr)).collect();
            let mut seen = vec![0.0];
            let batched =
                Landscape::compute_many(engine, &problems, &grid, 1000, &mut |f| seen.push(f))
                    .unwrap();
            assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
            assert_eq!(seen.last(), Some(&1.0));
            let what = format!("{family:?} {objective}");
            assert_eq!(batched.len(), problems.len(), "{what}");
            for ((problem, lr), map) in problems.iter().zip(&batched) {
                let lone =
                    Landscape::compute(engine, problem, &grid, 1000, *lr, &mut |_| {}).unwrap();
                assert_eq!(map.labels, lone.labels, "{what}");
                assert_eq!(map.steps_to_converge, lone.steps_to_converge, "{what}");
                assert_eq!(map.optima, lone.optima, "{what}");
                assert_eq!(map.saddles, lone.saddles, "{what}");
                assert_eq!(map.starts_run, lone.starts_run, "{what}");
            }
            // Bands of 100 starts: problems of 288 (or 24) starts split across them.
            let (count, _) = grid.distinct(problems[0].0);
            let mut banded = Vec::new();
            kl_landscape::landscape::run_many_in_bands(
                engine,
                &problems,
                (count, &|k| grid.start_at(k)),
                700,
                100,
                &mut |_| {},
                &mut |p, ends| {
                    assert_eq!(p, banded.len());
                    banded.push(ends);
                    Ok(())
                },
            )
            .unwrap();
            for ((problem, lr), ends) in problems.iter().zip(&banded) {
                let (starts, _) = grid.distinct_starts(problem);
                let lone = kl_landscape::engine::run_to_end(
                    engine,
                    problem,
                    &starts,
                    700,
                    *lr,
                    &mut |_| {},
                )
                .unwrap();
                assert_eq!(ends, &lone, "{what}, bands of 100");
            }
        }
    }
}

#[test]
fn a_batch_of_maps_on_the_cpu_is_the_lone_maps_bit_for_bit() {
    batched_maps_are_the_lone_maps(&CpuEngine);
}

#[test]
fn a_batch_of_maps_on_the_gpu_is_the_lone_maps_bit_for_bit() {
    let Some(gpu) = common::gpu() else { return };
    batched_maps_are_the_lone_maps(&gpu);
    // Slices that cut problems apart change nothing either.
    batched_maps_are_the_lone_maps(&gpu.with_max_slice(200));
}

#[test]
fn a_batch_of_targets_of_different_mode_counts_runs_side_by_side() {
    // One kernel variant serves one mode count: the GPU runs such tasks as
    // separate launches, the endpoints still task after task.
    let Some(gpu) = common::gpu() else { return };
    let one = Problem::new(
        Mixture::parse("1:0.5:1.3").unwrap(),
        Objective::Exclusive,
        Family::Gaussian,
    );
    let two = Problem::new(
        Mixture::widget_default(),
        Objective::Exclusive,
        Family::Gaussian,
    );
    let starts = Grid::new(Axis::linear(-7.0, 7.0, 12), Axis::linear(0.1, 4.0, 6))
        .unwrap()
        .starts();
    let task = |problem| kl_landscape::engine::Task {
        problem,
        starts: &starts,
        lr: 0.08,
    };
    let mut run = gpu.launch_many(&[task(&one), task(&two)]).unwrap();
    run.advance(500).unwrap();
    let both = run.endpoints().unwrap();
    let lone = |p: &Problem| {
        let mut r = gpu.launch(p, &starts, 0.08).unwrap();
        r.advance(500).unwrap();
        r.endpoints().unwrap()
    };
    assert_eq!(both, [lone(&one), lone(&two)].concat());
}
