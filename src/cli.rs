//! The command line: argument definitions (clap) and the `basins` and `fit`
//! commands. `main.rs` only parses and reports errors.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::defaults;
use crate::engine::{self, BackendChoice, Engine, fit::FitState, fit::Kernel};
use crate::error::{Error, Result};
use crate::export::{self, BasinReport, json::TrajectoryPoint};
use crate::landscape::{Axis, Grid, Landscape};
use crate::objective::{Family, Objective, Problem};
use crate::polish::polish;
use crate::scenario::{Scenario, check_family};
use crate::target::Mixture;

/// kl-landscape: fit one Gaussian q = N(mu, sigma^2) to a Gaussian-mixture target p
/// by Adam, in both KL directions, and map which optimum each start reaches.
#[derive(Debug, Parser)]
#[command(name = "kl-landscape", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: open the window).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Basin-of-attraction maps: run Adam from every start of a grid over
    /// (mu0, sigma0), find the verified local minima, label each start.
    Basins(BasinsArgs),
    /// One fit from (mu0, sigma0) in both directions: where it ends, its KL, the optimum reached.
    Fit(FitArgs),
    /// Time the default map (W1) and more on every backend.
    Bench(BenchArgs),
    /// Open the window: the live two-panel fit beside the basin maps (default).
    Gui(GuiArgs),
}

/// The target and family, shared by the commands.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// Target mixture as weight:mean:std per mode, comma-separated
    /// (weights are normalised; 1 to 16 modes). Default: the widget's
    /// 0.5:-2.5:0.8,0.5:2.5:0.8.
    #[arg(
        long,
        value_name = "SPEC",
        conflicts_with = "scenario",
        allow_hyphen_values = true
    )]
    pub target: Option<String>,
    /// Read target and family from a JSON scenario file
    /// ({"target": [{"weight", "mean", "std"}, ...], "family": {"kind": ...}}).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Hold sigma at S and learn mu only (the widget's fixed family uses 1.0).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub fixed_sigma: Option<String>,
}

impl TargetArgs {
    /// The scenario these arguments describe.
    pub fn scenario(&self) -> Result<Scenario> {
        let mut scenario = match (&self.target, &self.scenario) {
            (Some(spec), _) => Scenario {
                target: Mixture::parse(spec)?,
                family: Family::Gaussian,
            },
            (None, Some(path)) => Scenario::load(path)?,
            (None, None) => Scenario::default(),
        };
        if let Some(text) = &self.fixed_sigma {
            let sigma = parse_number("--fixed-sigma", text)?;
            scenario.family = check_family(Family::FixedSigma { sigma })?;
        }
        Ok(scenario)
    }
}

/// Adam's budget and step size, and the engine: shared by `basins` and `fit`.
#[derive(Debug, Args, Clone)]
pub struct OptimizerArgs {
    /// Adam steps per start (a start that stands still stops earlier).
    #[arg(long, value_name = "N", default_value_t = defaults::DEFAULT_STEPS.to_string(), allow_hyphen_values = true)]
    pub steps: String,
    /// Adam's base learning rate (decays as lr / (1 + 0.002 t)).
    #[arg(long, value_name = "LR", default_value_t = defaults::DEFAULT_LR.to_string(), allow_hyphen_values = true)]
    pub lr: String,
    /// Engine: the GPU if there is one (auto), the GPU or fail (gpu), the f64 CPU reference (cpu).
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendChoice,
}

impl OptimizerArgs {
    /// The validated step budget, learning rate and engine.
    pub fn resolve(&self) -> Result<(u32, f64, Box<dyn Engine>)> {
        let steps = parse_count("--steps", &self.steps)?;
        let lr = parse_number("--lr", &self.lr)?;
        if lr <= 0.0 || lr > 10.0 {
            return Err(Error::input(format!("--lr must be in (0, 10] (got {lr})")));
        }
        Ok((steps, lr, engine::select(self.backend)?))
    }
}

/// Which objectives to map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveChoice {
    /// KL(q||p), mode-seeking.
    Exclusive,
    /// KL(p||q), mean-seeking.
    Inclusive,
    /// Both.
    Both,
}

impl ObjectiveChoice {
    /// The objectives chosen, exclusive first.
    pub fn objectives(self) -> Vec<Objective> {
        match self {
            ObjectiveChoice::Exclusive => vec![Objective::Exclusive],
            ObjectiveChoice::Inclusive => vec![Objective::Inclusive],
            ObjectiveChoice::Both => vec![Objective::Exclusive, Objective::Inclusive],
        }
    }
}

/// Arguments of `basins`.
#[derive(Debug, Args)]
pub struct BasinsArgs {
    #[command(flatten)]
    /// Target and family.
    pub target: TargetArgs,
    /// Which objective(s) to map.
    #[arg(long, value_enum, default_value = "both")]
    pub objective: ObjectiveChoice,
    /// Grid size: mu columns x sigma rows.
    #[arg(long, value_name = "NMUxNSIGMA", default_value = "256x128")]
    pub grid: String,
    /// Range of the starting mean mu0.
    #[arg(
        long,
        value_name = "LO:HI",
        default_value = "-7:7",
        allow_hyphen_values = true
    )]
    pub mu_range: String,
    /// Range of the starting width sigma0.
    #[arg(
        long,
        value_name = "LO:HI",
        default_value = "0.1:4",
        allow_hyphen_values = true
    )]
    pub sigma_range: String,
    /// Space the sigma0 rows evenly in log(sigma) instead of sigma.
    #[arg(long)]
    pub log_sigma: bool,
    /// Adaptive refinement: run every N-th start each way first, then only
    /// the starts in cells whose corners reached different optima (1 = off).
    #[arg(long, value_name = "N", default_value = "1")]
    pub refine: String,
    #[command(flatten)]
    /// Steps, learning rate and engine.
    pub optimizer: OptimizerArgs,
    /// Write the maps as JSON (schema in DESIGN.md).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a picture of the maps.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Also print the backend's adapter and timings.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Arguments of `fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    #[command(flatten)]
    /// Target and family.
    pub target: TargetArgs,
    /// Starting mean.
    #[arg(long, value_name = "M", allow_hyphen_values = true)]
    pub mu0: String,
    /// Starting width (ignored in the fixed-sigma family).
    #[arg(long, value_name = "S", allow_hyphen_values = true)]
    pub sigma0: String,
    #[command(flatten)]
    /// Steps, learning rate and engine (the engine computes the map that numbers the optima).
    pub optimizer: OptimizerArgs,
    /// Write both trajectories as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// Arguments of `bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Write the results as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Small sizes only (a quick check that everything runs).
    #[arg(long)]
    pub quick: bool,
}

/// Arguments of `gui`.
#[derive(Debug, Args, Default)]
pub struct GuiArgs {
    /// Start from this scenario file.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Render the window headless (offscreen through wgpu; no display or
    /// Xvfb needed, but a Vulkan adapter, e.g. Mesa's lavapipe) to this PNG and exit.
    #[arg(long, value_name = "FILE")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: frames to run first (default: until the maps are done).
    #[arg(long, value_name = "N", requires = "screenshot")]
    pub frames: Option<String>,
    /// Write the gap between every two frames of the window to this file
    /// (tab-separated: seconds, gap in ms, 1 while a map computes), to measure
    /// how the window keeps up on this machine.
    #[arg(long, value_name = "FILE", conflicts_with = "screenshot")]
    pub frame_log: Option<PathBuf>,
}

fn parse_number(flag: &str, text: &str) -> Result<f64> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| Error::input(format!("{flag}: '{text}' is not a number")))?;
    if !v.is_finite() {
        return Err(Error::input(format!(
            "{flag}: {text} is not a finite number"
        )));
    }
    Ok(v)
}

/// Parses a positive whole number such as a step count.
pub fn parse_count(flag: &str, text: &str) -> Result<u32> {
    let v: u64 = text
        .trim()
        .parse()
        .map_err(|_| Error::input(format!("{flag}: '{text}' is not a whole number")))?;
    if v == 0 {
        return Err(Error::input(format!("{flag} must be at least 1")));
    }
    u32::try_from(v).map_err(|_| Error::input(format!("{flag}: {v} is too large")))
}

/// Parses `LO:HI`.
pub fn parse_range(flag: &str, text: &str) -> Result<(f64, f64)> {
    let (lo, hi) = text
        .split_once(':')
        .ok_or_else(|| Error::input(format!("{flag}: expected LO:HI, got '{text}'")))?;
    let (lo, hi) = (parse_number(flag, lo)?, parse_number(flag, hi)?);
    if lo >= hi {
        return Err(Error::input(format!(
            "{flag} {text} is empty: need LO < HI"
        )));
    }
    Ok((lo, hi))
}

/// Parses `NMUxNSIGMA`.
pub fn parse_grid(text: &str) -> Result<(usize, usize)> {
    let (a, b) = text.split_once(['x', 'X']).ok_or_else(|| {
        Error::input(format!(
            "--grid: expected NMUxNSIGMA such as 256x128, got '{text}'"
        ))
    })?;
    let n = |s: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| Error::input(format!("--grid: '{s}' is not a whole number")))
    };
    let (nmu, nsigma) = (n(a)?, n(b)?);
    if nmu == 0 || nsigma == 0 {
        return Err(Error::input(format!(
            "--grid {text} has no starts: both sizes must be at least 1"
        )));
    }
    Ok((nmu, nsigma))
}

fn progress_bar(label: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>10} [{bar:40}] {percent:>3}% {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

/// `kl-landscape basins`: the maps, a summary on stdout, and the optional JSON and PNG.
pub fn basins(args: &BasinsArgs) -> Result<BasinReport> {
    let scenario = args.target.scenario()?;
    let (nmu, nsigma) = parse_grid(&args.grid)?;
    let mu = parse_range("--mu-range", &args.mu_range)?;
    let sigma = parse_range("--sigma-range", &args.sigma_range)?;
    let mut sigma_axis = Axis::linear(sigma.0, sigma.1, nsigma);
    sigma_axis.log = args.log_sigma;
    let grid = Grid::new(Axis::linear(mu.0, mu.1, nmu), sigma_axis)?;
    let (steps, lr, engine) = args.optimizer.resolve()?;
    let refine = parse_count("--refine", &args.refine)? as usize;
    if refine > 64 {
        return Err(Error::input(format!(
            "--refine must be at most 64 (got {refine})"
        )));
    }
    if args.verbose {
        eprintln!(
            "backend: {} ({})",
            engine.info().kind,
            engine.info().adapter
        );
    }
    let mut maps = Vec::new();
    for objective in args.objective.objectives() {
        let problem = Problem::new(scenario.target.clone(), objective, scenario.family);
        let bar = progress_bar(objective.key());
        let map = crate::refine::compute_refined(
            engine.as_ref(),
            &problem,
            &grid,
            steps,
            lr,
            refine,
            &mut |f| bar.set_position((f * 1000.0) as u64),
        )?;
        bar.finish_and_clear();
        maps.push((objective, map));
    }
    let report = BasinReport {
        target: scenario.target,
        family: scenario.family,
        grid,
        lr,
        steps,
        backend: engine.info(),
        maps,
    };
    print!("{}", summary(&report));
    if let Some(path) = &args.json {
        export::json::write(path, &export::json::basins(&report))?;
    }
    if let Some(path) = &args.png {
        export::png::write(&report, path)?;
    }
    Ok(report)
}

/// The human-readable summary of a basins run.
pub fn summary(report: &BasinReport) -> String {
    let mut out = format!(
        "target {}  family {}  grid {}x{}  steps {}  lr {}  backend {}\n",
        report.target.spec(),
        report.family.label(),
        report.grid.mu.count,
        report.grid.sigma.count,
        report.steps,
        report.lr,
        report.backend.kind
    );
    for (objective, map) in &report.maps {
        let unconverged = map.unconverged();
        out += &format!(
            "{} {}: {} optim{} ({:.2} s, {} of {} starts not converged, {} starts run)\n",
            objective.formula(),
            objective.key(),
            map.optima.len(),
            if map.optima.len() == 1 { "um" } else { "a" },
            map.seconds,
            unconverged,
            map.labels.len(),
            map.starts_run
        );
        for (k, o) in map.optima.iter().enumerate() {
            out += &format!(
                "  #{k}  mu {:>9}  sigma {:>8.5}  KL {:>10.7}  basin {:>5.1}%{}\n",
                export::fixed(o.mu, 5),
                o.sigma,
                o.kl,
                100.0 * o.basin_fraction,
                if o.boundary {
                    "  (on the sigma floor)"
                } else {
                    ""
                }
            );
        }
        for s in &map.saddles {
            out += &format!(
                "  saddle  mu {:>9}  sigma {:>8.5}  KL {:>10.7}\n",
                export::fixed(s.mu, 5),
                s.sigma,
                s.kl
            );
        }
    }
    out
}

/// `kl-landscape fit`: both objectives from one start; prints a summary, optionally writes JSON.
pub fn fit(args: &FitArgs) -> Result<serde_json::Value> {
    let scenario = args.target.scenario()?;
    let mu0 = parse_number("--mu0", &args.mu0)?;
    let sigma0 = parse_number("--sigma0", &args.sigma0)?;
    if sigma0 <= 0.0 {
        return Err(Error::input(format!("--sigma0 must be > 0 (got {sigma0})")));
    }
    if mu0.abs() > 1e4 || sigma0 > 1e4 {
        return Err(Error::input(
            "--mu0 and --sigma0 must lie within 1e4 of the origin",
        ));
    }
    let (steps, lr, engine) = args.optimizer.resolve()?;
    let mut per_objective = Vec::new();
    println!(
        "target {}  family {}  start mu0 {mu0}  sigma0 {sigma0}  lr {lr}",
        scenario.target.spec(),
        scenario.family.label()
    );
    for objective in Objective::BOTH {
        let problem = Problem::new(scenario.target.clone(), objective, scenario.family);
        let (trajectory, end) = trajectory(&problem, [mu0, sigma0], steps, lr);
        let map = Landscape::compute(
            engine.as_ref(),
            &problem,
            &Grid::default_map(),
            steps,
            lr,
            &mut |_| {},
        )?;
        let reached = polish(&problem, end.mu, end.sigma);
        let index = map.optima.iter().position(|o| {
            reached.is_minimum()
                && (o.mu - reached.mu).abs() < 1e-6 * (1.0 + o.mu.abs())
                && (o.sigma - reached.sigma).abs() < 1e-6 * (1.0 + o.sigma)
        });
        let last = trajectory.last().expect("a trajectory has its start");
        let status = match end.status {
            engine::CONVERGED => "converged",
            engine::DIVERGED => "diverged",
            _ => "still moving",
        };
        println!(
            "{} {}: ended at mu {:.6} sigma {:.6}  KL {:.8}  after {} steps ({status}); optimum {}",
            objective.formula(),
            objective.key(),
            last.mu,
            last.sigma,
            last.kl,
            last.step,
            match index {
                Some(k) => format!(
                    "#{k} of {} (mu {:.6}, sigma {:.6}, KL {:.8})",
                    map.optima.len(),
                    reached.mu,
                    reached.sigma,
                    reached.eval.kl
                ),
                None => "none of the map's optima".to_string(),
            }
        );
        per_objective.push((
            objective.key(),
            json!({
                "trajectory": trajectory,
                "optimum_index": index,
                "optimum": index.map(|k| map.optima[k]),
                "status": status,
                "steps": last.step,
            }),
        ));
    }
    let value = export::json::fit(
        &scenario.target,
        scenario.family,
        [mu0, sigma0],
        lr,
        steps,
        &per_objective,
    );
    if let Some(path) = &args.json {
        export::json::write(path, &value)?;
    }
    Ok(value)
}

/// Runs one start with the engines' kernel in f64, recording every step with its exact KL.
pub fn trajectory(
    problem: &Problem,
    start: [f64; 2],
    steps: u32,
    lr: f64,
) -> (Vec<TrajectoryPoint>, engine::Endpoint) {
    let kernel = Kernel::<f64>::new(problem, lr);
    let sigma0 = problem.family.fixed_sigma().unwrap_or(start[1]);
    let mut state = FitState::<f64>::new(start[0], sigma0);
    let point = |s: &FitState<f64>| TrajectoryPoint {
        step: s.adam.t,
        mu: s.mu,
        sigma: s.sigma,
        kl: problem.evaluate(s.mu, s.sigma).kl,
    };
    let mut points = vec![point(&state)];
    for _ in 0..steps {
        if state.status != engine::RUNNING {
            break;
        }
        kernel.step(&mut state);
        if state.status != engine::DIVERGED {
            points.push(point(&state));
        }
    }
    let end = engine::Endpoint {
        mu: state.mu,
        sigma: state.sigma,
        steps: state.adam.t,
        status: state.status,
    };
    (points, end)
}

/// Dispatches a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::Basins(args)) => basins(&args).map(|_| ()),
        Some(Command::Fit(args)) => fit(&args).map(|_| ()),
        Some(Command::Bench(args)) => crate::bench::run(&args),
        Some(Command::Gui(args)) => gui(&args),
        None => gui(&GuiArgs::default()),
    }
}

fn gui(args: &GuiArgs) -> Result<()> {
    let scenario = match &args.scenario {
        Some(path) => Scenario::load(path)?,
        None => Scenario::default(),
    };
    let frames = args
        .frames
        .as_deref()
        .map(|f| parse_count("--frames", f))
        .transpose()?;
    match &args.screenshot {
        Some(path) => crate::app::screenshot(scenario, path, frames),
        None => {
            let log = match &args.frame_log {
                Some(path) => {
                    let file = std::fs::File::create(path).map_err(|e| {
                        Error::input(format!("--frame-log {}: {e}", path.display()))
                    })?;
                    Some(Box::new(std::io::LineWriter::new(file)) as Box<dyn std::io::Write>)
                }
                None => None,
            };
            crate::app::run(scenario, log)
        }
    }
}
