//! `kl-landscape bench`: whole time to a labelled map, per backend, measured
//! side by side in one process after a warm-up. W1 is the design card's
//! default map; W2, the start series and the mode series show how it scales;
//! W3 is W1's map of the alpha-divergence at a = 0.5.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde::Serialize;
use serde_json::json;

use rayon::prelude::*;

use crate::command::fit::fit_each;
use crate::console;
use crate::engine::fit::{FitState, Kernel, RUNNING};
use crate::engine::{Engine, cpu::CpuEngine, exp_rate, gpu::GpuEngine};
use crate::error::Result;
use crate::landscape::{Grid, Landscape};
use crate::objective::{Alpha, AlphaForm, Family, Objective, Problem};
use crate::refine::compute_refined;
use crate::scenario::Scenario;
use crate::target::{Mixture, Mode};

/// Arguments of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Write the results as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Small sizes only (a quick check that everything runs).
    #[arg(long)]
    pub quick: bool,
    /// Run only these, a comma-separated list of workload names or their
    /// beginnings (W1, W2, W3, modes, starts, fit, S1); all when not given.
    #[arg(long, value_name = "LIST")]
    pub only: Option<String>,
}

impl BenchArgs {
    /// Whether the workload, table or sweep named `name` runs; an item of
    /// `--only` that names nothing is refused up front.
    fn selects(&self, name: &str) -> bool {
        self.only
            .as_deref()
            .is_none_or(|only| only.split(',').any(|item| name.starts_with(item.trim())))
    }

    /// Refuses an `--only` item that no workload, table or sweep begins with.
    fn check_only(&self, names: &[&str]) -> Result<()> {
        for item in self.only.iter().flat_map(|o| o.split(',')).map(str::trim) {
            if item.is_empty() || !names.iter().any(|n| n.starts_with(item)) {
                return Err(crate::error::Error::input(format!(
                    "--only: '{item}' names no workload ({})",
                    names.join(", ")
                )));
            }
        }
        Ok(())
    }
}

/// One timed map.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    /// Workload name (W1, W2, starts-N, modes-K).
    pub workload: String,
    /// "cpu" or "gpu".
    pub backend: &'static str,
    /// The engine's adapter: the GPU's name, or the CPU engine's description.
    pub adapter: String,
    /// Starts in the map.
    pub starts: usize,
    /// Step budget per start.
    pub steps: u32,
    /// Seconds to the labelled map (engine plus polishing).
    pub seconds: f64,
    /// starts x steps / seconds: the nominal budget per second.
    pub start_steps_per_s: f64,
    /// exp evaluations the map needed (estimated from a sample of its starts' trajectories).
    pub exps: f64,
    /// exps divided by the backend's measured exp rate: the time at best.
    pub floor_seconds: f64,
    /// floor_seconds / seconds: the fraction of the exp floor achieved.
    pub floor_fraction: f64,
}

/// A workload: a target, an objective, a grid and a step budget (gaussian family).
pub struct Workload {
    /// Name in the table.
    pub name: String,
    /// The target.
    pub target: Mixture,
    /// The objective mapped.
    pub objective: Objective,
    /// The grid of starts.
    pub grid: Grid,
    /// Step budget.
    pub steps: u32,
    /// Refinement factor (1: every start runs).
    pub refine: usize,
}

/// `modes` equal-weight modes spread evenly over [-6, 6] with stds 0.4 to 0.8.
pub fn spread_target(modes: usize) -> Mixture {
    let modes = (0..modes)
        .map(|k| {
            let f = if modes == 1 {
                0.5
            } else {
                k as f64 / (modes - 1) as f64
            };
            Mode {
                weight: 1.0,
                mean: -6.0 + 12.0 * f,
                std: 0.4 + 0.4 * ((k * 7) % 5) as f64 / 4.0,
            }
        })
        .collect();
    Mixture::new(modes).expect("valid spread target")
}

/// The workloads of one bench run; `quick` shrinks every one. W1 and W2 run
/// at full size; the mode series on a quarter-size grid (the CPU engine
/// needs minutes for 16 modes at full size); the start series on the GPU only
/// above 65536 starts.
pub fn workloads(quick: bool) -> Vec<Workload> {
    let (scale, steps) = if quick { (4, 200) } else { (1, 1000) };
    let full = Grid::default_ranges(256 / scale, 128 / scale);
    let quarter = Grid::default_ranges(64 / scale, 32 / scale);
    let mut out = vec![
        Workload {
            name: "W1".into(),
            target: Mixture::widget_default(),
            objective: Objective::Exclusive,
            grid: full,
            steps,
            refine: 1,
        },
        Workload {
            name: "W1 refine 4".into(),
            target: Mixture::widget_default(),
            objective: Objective::Exclusive,
            grid: full,
            steps,
            refine: 4,
        },
        Workload {
            name: "W2 (8 modes)".into(),
            target: spread_target(8),
            objective: Objective::Exclusive,
            grid: full,
            steps,
            refine: 1,
        },
        Workload {
            name: "W3 (alpha 0.5)".into(),
            target: Mixture::widget_default(),
            objective: Objective::Alpha(Alpha::new(0.5, AlphaForm::Amari)),
            grid: full,
            steps,
            refine: 1,
        },
    ];
    out.extend([1usize, 2, 4, 8, 16].iter().map(|&k| Workload {
        name: format!("modes-{k}"),
        target: spread_target(k),
        objective: Objective::Exclusive,
        grid: quarter,
        steps,
        refine: 1,
    }));
    let sides: &[(usize, usize)] = if quick {
        &[(32, 32), (128, 128)]
    } else {
        &[(32, 32), (128, 128), (512, 512), (1024, 1024)]
    };
    out.extend(sides.iter().map(|&(a, b)| Workload {
        name: format!("starts-{}", a * b),
        target: Mixture::widget_default(),
        objective: Objective::Exclusive,
        grid: Grid::default_ranges(a, b),
        steps,
        refine: 1,
    }));
    out
}

/// exp (and, for the alpha-divergence, log) evaluations of a computed map:
/// every start's trajectory re-run in f64 on a sample of at most 256 starts,
/// counting each step's, scaled up.
fn exps(problem: &Problem, grid: &Grid, map: &Landscape) -> f64 {
    let kernel = Kernel::<f64>::new(problem, crate::defaults::DEFAULT_LR);
    let starts = grid.starts();
    let stride = (starts.len() / 256).max(1);
    let sampled: Vec<usize> = (0..starts.len()).step_by(stride).collect();
    let total: usize = sampled
        .par_iter()
        .map(|&i| {
            let mut s = FitState::<f64>::new(starts[i][0], starts[i][1]);
            let mut count = 0;
            while s.adam.t < map.steps_to_converge[i] && s.status == RUNNING {
                count += kernel.exps_per_step(s.mu, s.sigma);
                kernel.step(&mut s);
            }
            count
        })
        .sum();
    total as f64 * starts.len() as f64 / sampled.len() as f64
}

fn time(engine: &dyn Engine, w: &Workload, exp_rate: f64) -> Result<BenchResult> {
    let problem = Problem::new(w.target.clone(), w.objective, Family::Gaussian);
    let clock = Instant::now();
    let map = compute_refined(
        engine,
        &problem,
        &w.grid,
        w.steps,
        crate::defaults::DEFAULT_LR,
        w.refine,
        &mut |_| {},
    )?;
    let seconds = clock.elapsed().as_secs_f64();
    // Filled cells of a refined map ran nothing: count the run share only.
    let exps = exps(&problem, &w.grid, &map) * map.starts_run as f64 / w.grid.len() as f64;
    let info = engine.info();
    Ok(BenchResult {
        workload: w.name.clone(),
        backend: info.kind,
        adapter: info.adapter,
        starts: w.grid.len(),
        steps: w.steps,
        seconds,
        start_steps_per_s: w.grid.len() as f64 * f64::from(w.steps) / seconds,
        exps,
        floor_seconds: exps / exp_rate,
        floor_fraction: exps / exp_rate / seconds,
    })
}

/// One timed `fit` (a single start, both objectives).
#[derive(Debug, Clone, Serialize)]
pub struct FitTiming {
    /// "fit" (one fit and the polish of its endpoint) or "fit --rank" (plus the default maps).
    pub command: &'static str,
    /// The engine of the ranking maps (null for a plain fit, which runs in f64 on the CPU).
    pub backend: Option<&'static str>,
    /// The target.
    pub target: String,
    /// Seconds for both objectives.
    pub seconds: f64,
}

/// Times `fit` from (1.5, 0.5) on the default and an 8-mode target alone,
/// and on the default target with `--rank` on each engine.
fn time_fits(engines: &[(&dyn Engine, f64)]) -> Result<Vec<FitTiming>> {
    let steps = crate::defaults::DEFAULT_STEPS;
    let lr = crate::defaults::DEFAULT_LR;
    let mut out = Vec::new();
    console::print(&format!(
        "{:<12} {:<4} {:<14} {:>9}\n",
        "fit", "rank", "target", "seconds"
    ))?;
    for (name, target) in [
        ("default", Mixture::widget_default()),
        ("8 modes", spread_target(8)),
    ] {
        let scenario = Scenario {
            target,
            family: Family::Gaussian,
        };
        // Ranking the 8-mode fit costs W2's map twice over: measured once, see BENCHMARKS.md.
        let rankers = engines
            .iter()
            .map(|(e, _)| Some(*e))
            .filter(|_| name == "default");
        for rank in std::iter::once(None).chain(rankers) {
            let clock = Instant::now();
            fit_each(&scenario, &Objective::BOTH, [1.5, 0.5], steps, lr, rank)?;
            let t = FitTiming {
                command: if rank.is_some() { "fit --rank" } else { "fit" },
                backend: rank.map(|e| e.info().kind),
                target: name.into(),
                seconds: clock.elapsed().as_secs_f64(),
            };
            console::print(&format!(
                "{:<12} {:<4} {:<14} {:>9.3}\n",
                t.command,
                t.backend.unwrap_or("-"),
                t.target,
                t.seconds
            ))?;
            out.push(t);
        }
    }
    Ok(out)
}

/// One timed sweep (S1) beside the same maps computed one after the other.
#[derive(Debug, Clone, Serialize)]
pub struct SweepTiming {
    /// "cpu" or "gpu".
    pub backend: &'static str,
    /// Parameter values (maps) in the sweep.
    pub values: usize,
    /// Starts per map.
    pub starts: usize,
    /// Seconds to the finished diagram (maps, continuation, bifurcations).
    pub seconds: f64,
    /// Seconds of the sweep's maps alone, run as one batch.
    pub maps_seconds: f64,
    /// Seconds of the same maps run one after the other, a lone map per value.
    pub sequential_maps_seconds: f64,
    /// maps_seconds / sequential_maps_seconds: a sweep's map against a lone
    /// map of the same value (below 1, the sweep's is cheaper).
    pub per_map_vs_lone: f64,
    /// CPU seconds (user and system, all threads, llvmpipe's included) the
    /// process spent on the sweep, and on the lone maps (Linux; null
    /// elsewhere): on a machine shared with other work, wall times vary
    /// with the load while these barely do.
    pub cpu_seconds: Option<f64>,
    /// See `cpu_seconds`.
    pub sequential_cpu_seconds: Option<f64>,
    /// Peak resident memory (bytes) of the process while the sweep ran, and
    /// while the lone maps ran (Linux: VmHWM, reset before each; null elsewhere).
    pub peak_rss: Option<u64>,
    /// See `peak_rss`.
    pub sequential_peak_rss: Option<u64>,
}

/// CPU seconds the process has spent so far, user and system (Linux's
/// /proc/self/stat, in its fixed 100 ticks a second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// Resets the process's peak resident memory (Linux), so the next
/// [`peak_rss`] measures from now; false where it cannot.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident memory in bytes since the last reset (Linux's VmHWM).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs `f`, returning its result, the CPU seconds it took and the peak
/// resident memory it reached.
fn measured<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, Option<f64>, Option<u64>)> {
    let reset = reset_peak_rss();
    let before = cpu_seconds();
    let out = f()?;
    let cpu = cpu_seconds().zip(before).map(|(a, b)| a - b);
    Ok((out, cpu, peak_rss().filter(|_| reset)))
}

/// S1: the widget's target, separation 2 to 8 in 61 values, exclusive,
/// 128x64 starts each, 1000 steps, per engine (the quick run: 9 values of
/// 32x16, 200 steps): the sweep (its maps as one batch) and, beside it, the
/// same values' maps one after the other.
fn time_sweeps(engines: &[(&dyn Engine, f64)], quick: bool) -> Result<Vec<SweepTiming>> {
    use crate::sweep::{Parameter, SweepSpec, sweep};
    let (values, grid, steps) = if quick {
        (9, Grid::default_ranges(32, 16), 200)
    } else {
        (61, Grid::default_ranges(128, 64), 1000)
    };
    let spec = SweepSpec::new(
        Scenario::default(),
        Parameter::Separation,
        (2.0, 8.0),
        values,
        grid,
        steps,
        crate::defaults::DEFAULT_LR,
    )?;
    console::print(&format!(
        "{:<6} {:<4} {:>6} {:>8} {:>9} {:>9} {:>10} {:>12} {:>8} {:>9} {:>6} {:>8}\n",
        "sweep",
        "kind",
        "values",
        "starts",
        "seconds",
        "maps",
        "lone maps",
        "map vs lone",
        "cpu s",
        "lone cpu",
        "MB",
        "lone MB"
    ))?;
    let mut out = Vec::new();
    for (engine, _) in engines {
        let (sequential, sequential_cpu_seconds, sequential_peak_rss) = measured(|| {
            let clock = Instant::now();
            for (problem, lr) in spec.problems(Objective::Exclusive)? {
                Landscape::compute(*engine, &problem, &grid, steps, lr, &mut |_| {})?;
            }
            Ok(clock.elapsed().as_secs_f64())
        })?;
        let (result, cpu_seconds, peak_rss) =
            measured(|| sweep(&spec, Objective::Exclusive, *engine, &mut |_| {}))?;
        let t = SweepTiming {
            backend: engine.info().kind,
            values,
            starts: grid.len(),
            seconds: result.seconds,
            maps_seconds: result.maps_seconds,
            sequential_maps_seconds: sequential,
            per_map_vs_lone: result.maps_seconds / sequential,
            cpu_seconds,
            sequential_cpu_seconds,
            peak_rss,
            sequential_peak_rss,
        };
        let mb = |b: Option<u64>| b.map_or("-".into(), |b| format!("{:.0}", b as f64 / 1e6));
        let cpu = |s: Option<f64>| s.map_or("-".into(), |s| format!("{s:.1}"));
        console::print(&format!(
            "{:<6} {:<4} {:>6} {:>8} {:>9.3} {:>9.3} {:>10.3} {:>11.2}x {:>8} {:>9} {:>6} {:>8}\n",
            "S1",
            t.backend,
            t.values,
            t.starts,
            t.seconds,
            t.maps_seconds,
            t.sequential_maps_seconds,
            t.per_map_vs_lone,
            cpu(t.cpu_seconds),
            cpu(t.sequential_cpu_seconds),
            mb(t.peak_rss),
            mb(t.sequential_peak_rss)
        ))?;
        out.push(t);
    }
    Ok(out)
}

/// Runs the benchmark and prints the table (and writes JSON if asked).
pub fn run(args: &BenchArgs) -> Result<()> {
    crate::output::check_all(&[("--json", args.json.as_deref())], &[])?;
    let workloads: Vec<Workload> = workloads(args.quick);
    let mut names: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
    names.extend(["fit", "S1"]);
    args.check_only(&names)?;
    let workloads: Vec<&Workload> = workloads.iter().filter(|w| args.selects(&w.name)).collect();
    let gpu = match GpuEngine::new() {
        Ok(g) => Some(g),
        Err(e) => {
            console::warn(&format!(
                "no GPU adapter ({e}); benchmarking the CPU engine only"
            ));
            None
        }
    };
    let mut engines: Vec<(&dyn Engine, f64)> = vec![(&CpuEngine, exp_rate::cpu_rate())];
    if let Some(g) = &gpu {
        engines.push((g, g.exp_rate()?));
    }
    for (e, rate) in &engines {
        console::print(&format!(
            "{} exp rate: {rate:.3e} per second ({})\n",
            e.info().kind,
            e.info().adapter
        ))?;
    }
    // Warm-up: threads, shader compilation, buffer pool.
    let warm = Workload {
        name: "warm-up".into(),
        target: Mixture::widget_default(),
        objective: Objective::Exclusive,
        grid: Grid::default_ranges(16, 8),
        steps: 50,
        refine: 1,
    };
    for (e, rate) in &engines {
        time(*e, &warm, *rate)?;
    }
    let mut results = Vec::new();
    console::print(&format!(
        "{:<14} {:<4} {:>8} {:>6} {:>9} {:>14} {:>8} {:>10}\n",
        "workload", "kind", "starts", "steps", "seconds", "start-steps/s", "vs cpu", "exp floor"
    ))?;
    for &w in &workloads {
        let mut cpu_seconds = None;
        for (e, rate) in &engines {
            // The big start series runs on the GPU only.
            if e.info().kind == "cpu" && w.name.starts_with("starts-") && w.grid.len() > 1 << 16 {
                continue;
            }
            let r = time(*e, w, *rate)?;
            if r.backend == "cpu" {
                cpu_seconds = Some(r.seconds);
            }
            let ratio = cpu_seconds.map_or("-".to_string(), |c| format!("{:.2}x", c / r.seconds));
            console::print(&format!(
                "{:<14} {:<4} {:>8} {:>6} {:>9.3} {:>14.3e} {:>8} {:>9.1}%\n",
                r.workload,
                r.backend,
                r.starts,
                r.steps,
                r.seconds,
                r.start_steps_per_s,
                ratio,
                100.0 * r.floor_fraction
            ))?;
            results.push(r);
        }
    }
    let fits = if args.selects("fit") {
        time_fits(&engines)?
    } else {
        Vec::new()
    };
    let sweeps = if args.selects("S1") {
        time_sweeps(&engines, args.quick)?
    } else {
        Vec::new()
    };
    if let Some(g) = &gpu {
        console::print(&format!("gpu adapter: {}\n", g.info().adapter))?;
    }
    if let Some(path) = &args.json {
        let machine = json!({
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
            "threads": rayon::current_num_threads(),
            "gpu_adapter": gpu.as_ref().map(|g| g.info().adapter),
            "exp_rate_per_s": engines.iter().map(|(e, rate)| (e.info().kind, *rate)).collect::<std::collections::BTreeMap<_, _>>(),
        });
        crate::export::json::write(
            path,
            &json!({"machine": machine, "results": results, "fits": fits, "sweeps": sweeps}),
        )?;
    }
    Ok(())
}
