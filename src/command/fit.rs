//! `kl-landscape fit`: one start on each objective (both KLs by default). Costs one fit and the
//! polish of its endpoint; `--rank` also computes the default map to number
//! the optimum reached among all of them.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::args::{ObjectiveArgs, OptimizerArgs, TargetArgs, parse_number};
use crate::console;
use crate::engine::{self, Endpoint, Engine, fit::FitState, fit::Kernel};
use crate::error::{Error, Result};
use crate::export::{self, json::TrajectoryPoint};
use crate::landscape::{Grid, Landscape, is_reached, polished_end};
use crate::number::readable;
use crate::objective::{Objective, Problem};
use crate::polish::{Critical, Kind};
use crate::scenario::Scenario;

/// Most trajectory points a fit keeps: a longer run is thinned to every
/// k-th step (the first and last always kept), so memory stays bounded.
pub const MAX_TRAJECTORY_POINTS: u32 = 4000;

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
    /// Which objective(s) to fit.
    pub objectives: ObjectiveArgs,
    #[command(flatten)]
    /// Steps, learning rate, and the engine of the `--rank` map.
    pub optimizer: OptimizerArgs,
    /// Also compute the default 256x128 basin map of each objective to give
    /// the optimum's rank among all the map finds (#k of n, by KL).
    #[arg(long)]
    pub rank: bool,
    /// Write both trajectories as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// A fit's path, thinned to at most [`MAX_TRAJECTORY_POINTS`], and where it ended.
#[derive(Debug, Clone)]
pub struct Trajectory {
    /// Kept points, each with its exact KL.
    pub points: Vec<TrajectoryPoint>,
    /// Every `stride`-th step is kept (1: all of them).
    pub stride: u32,
    /// Where the run stopped.
    pub end: Endpoint,
}

/// Runs one start with the engines' kernel in f64 for up to `steps` steps.
pub fn trajectory(problem: &Problem, start: [f64; 2], steps: u32, lr: f64) -> Trajectory {
    let kernel = Kernel::<f64>::new(problem, lr);
    let sigma0 = problem.family.fixed_sigma().unwrap_or(start[1]);
    let mut state = FitState::<f64>::new(start[0], sigma0);
    let stride = steps.div_ceil(MAX_TRAJECTORY_POINTS).max(1);
    let point = |s: &FitState<f64>| TrajectoryPoint {
        step: s.adam.t,
        mu: s.mu,
        sigma: s.sigma,
        kl: problem.evaluate(s.mu, s.sigma).kl,
    };
    let mut points = vec![point(&state)];
    let mut last = state;
    for _ in 0..steps {
        if state.status != engine::RUNNING {
            break;
        }
        kernel.step(&mut state);
        if state.status == engine::DIVERGED {
            break;
        }
        last = state;
        if state.adam.t.is_multiple_of(stride) {
            points.push(point(&state));
        }
    }
    if points.last().is_some_and(|p| p.step != last.adam.t) {
        points.push(point(&last));
    }
    Trajectory {
        points,
        stride,
        end: kernel.endpoint(&state),
    }
}

/// How a fit ended: "converged" only when it stood still at a verified
/// minimum ([`is_reached`]); "stalled" when its steps stood still
/// elsewhere (a decayed learning rate, a flat objective), where the
/// exact gradient is not small.
fn status_word(status: u32, reached: bool) -> &'static str {
    match status {
        engine::CONVERGED if reached => "converged",
        engine::CONVERGED => "stalled",
        engine::DIVERGED => "diverged",
        _ => "still moving",
    }
}

/// One objective's fit, the minimum it reached (by the map's rule), and its rank if asked.
pub struct Outcome {
    /// The objective fitted.
    pub objective: Objective,
    /// Its path and endpoint.
    pub path: Trajectory,
    /// The verified minimum the endpoint reached, if any.
    pub reached: Option<Critical>,
    /// Whether the fit stood still on the alpha-divergence's plateau
    /// ([`Kind::Plateau`]), where D_a is its far-field limit.
    pub plateau: bool,
    /// With a ranking map: the minimum's index among the map's optima (None:
    /// the map missed it), and how many optima the map found.
    pub rank: Option<(Option<usize>, usize)>,
}

/// Fits each of `objectives` from `start`; with `rank_engine`, each objective's
/// default map is computed on it to rank the minimum reached.
pub fn fit_each(
    scenario: &Scenario,
    objectives: &[Objective],
    start: [f64; 2],
    steps: u32,
    lr: f64,
    rank_engine: Option<&dyn Engine>,
) -> Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    for &objective in objectives {
        let problem = Problem::new(scenario.target.clone(), objective, scenario.family);
        let path = trajectory(&problem, start, steps, lr);
        let polished = polished_end(&problem, &path.end);
        let reached = polished.filter(|p| is_reached(p, &path.end));
        let plateau = polished.is_some_and(|p| p.kind == Kind::Plateau);
        let rank = match rank_engine {
            Some(engine) => {
                let map = Landscape::compute(
                    engine,
                    &problem,
                    &Grid::default_map(),
                    steps,
                    lr,
                    &mut |_| {},
                )?;
                let index = reached.and_then(|c| {
                    map.optima.iter().position(|o| {
                        (o.mu - c.mu).abs() < 1e-6 * (1.0 + o.mu.abs())
                            && (o.sigma - c.sigma).abs() < 1e-6 * (1.0 + o.sigma)
                    })
                });
                Some((index, map.optima.len()))
            }
            None => None,
        };
        outcomes.push(Outcome {
            objective,
            path,
            reached,
            plateau,
            rank,
        });
    }
    Ok(outcomes)
}

impl Outcome {
    fn line(&self) -> String {
        let last = self.path.points.last().expect("a trajectory has its start");
        let status = status_word(self.path.end.status, self.reached.is_some());
        let optimum = match (&self.reached, self.rank) {
            (None, _) if self.plateau => {
                "it stands on the alpha-divergence's plateau, where I_a is below 1e-15 and D_a its limit 1 / (a (1 - a))".to_string()
            }
            (None, _) if self.path.end.status == engine::CONVERGED => {
                "its steps stood still away from any verified minimum".to_string()
            }
            (None, _) => "no optimum reached".to_string(),
            (Some(c), rank) => {
                let at = format!(
                    "(mu {:.6}, sigma {:.6}, {} {:.8})",
                    c.mu,
                    c.sigma,
                    self.value_name(),
                    c.eval.kl
                );
                match rank {
                    Some((Some(k), n)) => format!("optimum #{k} of {n} {at}"),
                    Some((None, n)) => format!("a minimum {at} that the map's {n} optima miss"),
                    None => format!("minimum {at}"),
                }
            }
        };
        format!(
            "{} {}: ended at mu {:.6} sigma {:.6}  {} {:.8}  after {} steps ({status}); {optimum}\n",
            self.objective.formula(),
            self.objective.key(),
            last.mu,
            last.sigma,
            self.value_name(),
            last.kl,
            last.step,
        )
    }

    /// "KL", or "D" / "R" for an alpha objective.
    fn value_name(&self) -> &'static str {
        match self.objective {
            Objective::Alpha(alpha) => match alpha.form {
                crate::objective::AlphaForm::Amari => "D",
                crate::objective::AlphaForm::Renyi => "R",
            },
            _ => "KL",
        }
    }

    fn json(&self) -> serde_json::Value {
        let mut v = json!({
            "trajectory": self.path.points,
            "trajectory_stride": self.path.stride,
            "status": status_word(self.path.end.status, self.reached.is_some()),
            "steps": self.path.end.steps,
            "optimum": self.reached.map(|c| json!({
                "mu": c.mu, "sigma": c.sigma, "kl": c.eval.kl, "boundary": c.kind == Kind::BoundaryMinimum,
            })),
        });
        if let Objective::Alpha(alpha) = self.objective {
            v["alpha"] = json!(alpha.a());
            v["form"] = json!(alpha.form.key());
            if let Some(c) = self.reached {
                v["optimum"]["divergence"] = json!(c.eval.kl);
            }
        }
        if let Some((index, count)) = self.rank {
            v["optimum_index"] = json!(index);
            v["optima_in_map"] = json!(count);
        }
        v
    }
}

/// Runs `fit`: both objectives from one start; writes the JSON, then prints a summary.
pub fn run(args: &FitArgs) -> Result<serde_json::Value> {
    let scenario = args.target.scenario()?;
    let mu0 = parse_number("--mu0", &args.mu0)?;
    let sigma0 = parse_number("--sigma0", &args.sigma0)?;
    if sigma0 <= 0.0 {
        return Err(Error::input(format!(
            "--sigma0 must be > 0 (got {})",
            readable(sigma0)
        )));
    }
    if mu0.abs() > 1e4 || sigma0 > 1e4 {
        return Err(Error::input(
            "--mu0 and --sigma0 must lie within 1e4 of the origin",
        ));
    }
    let (steps, lr) = args.optimizer.resolve()?;
    let objectives = args.objectives.resolve("both")?;
    crate::output::check_all(&[("--json", args.json.as_deref())], &args.target.inputs())?;
    let selected = if args.rank {
        Some(engine::select(args.optimizer.backend)?)
    } else {
        None
    };
    let engine = match &selected {
        Some(selected) => {
            let problems: Vec<Problem> = objectives
                .iter()
                .map(|&o| Problem::new(scenario.target.clone(), o, scenario.family))
                .collect();
            Some(super::args::engine_for_all(
                args.optimizer.backend,
                selected.as_ref(),
                &problems,
            )?)
        }
        None => None,
    };
    let outcomes = fit_each(&scenario, &objectives, [mu0, sigma0], steps, lr, engine)?;
    let per_objective: Vec<_> = outcomes
        .iter()
        .map(|o| (o.objective.key(), o.json()))
        .collect();
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
    let mut text = format!(
        "target {}  family {}  start mu0 {}  sigma0 {}  lr {}\n",
        scenario.target.spec(),
        scenario.family.label(),
        readable(mu0),
        readable(sigma0),
        readable(lr)
    );
    for o in &outcomes {
        text += &o.line();
    }
    console::print(&text)?;
    Ok(value)
}
