//! A sweep: one parameter of the target (or the learning rate, the held
//! sigma, or the alpha-divergence's order) moved over a range. At every value a basin map gives the verified
//! minima and their basin fractions; from them continuation follows every
//! stationary point, minima and index-1 saddles, along the parameter
//! ([`continuation`]), and locates where they are born, die and swap
//! ([`bifurcation`]): folds, pitchforks and Maxwell points.

pub mod bifurcation;
pub mod branches;
pub mod continuation;
pub mod parameter;
pub mod system;

use serde::Serialize;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::landscape::{Grid, Landscape, phase};
use crate::objective::{Objective, Problem};
use crate::scenario::Scenario;

pub use bifurcation::{Bifurcation, BifurcationKind};
pub use branches::{Branch, BranchKind, BranchPoint};
pub use parameter::Parameter;

/// What a sweep computes.
#[derive(Debug, Clone)]
pub struct SweepSpec {
    /// The scenario the parameter is set in.
    pub base: Scenario,
    /// The parameter varied.
    pub parameter: Parameter,
    /// Its values, increasing.
    pub values: Vec<f64>,
    /// The grid of starts of every value's map.
    pub grid: Grid,
    /// Adam's step budget.
    pub steps: u32,
    /// Adam's base learning rate (unless the parameter is lr).
    pub lr: f64,
}

impl SweepSpec {
    /// Every value's problem of `objective` and its learning rate, in order.
    pub fn problems(&self, objective: Objective) -> Result<Vec<(Problem, f64)>> {
        self.values
            .iter()
            .map(|&value| {
                Ok((
                    self.parameter.problem_at(&self.base, objective, value)?,
                    self.parameter.lr_at(self.lr, value),
                ))
            })
            .collect()
    }

    /// `count` values evenly from `from` to `to`; each value's scenario is
    /// checked before anything runs, so a range leaving the domain is refused up front.
    pub fn new(
        base: Scenario,
        parameter: Parameter,
        (from, to): (f64, f64),
        count: usize,
        grid: Grid,
        steps: u32,
        lr: f64,
    ) -> Result<Self> {
        if count < 2 {
            return Err(Error::input(
                "--values must be at least 2 (a sweep needs two values)",
            ));
        }
        if from >= to {
            return Err(Error::input(format!(
                "--from must be below --to (got {} and {})",
                crate::number::readable(from),
                crate::number::readable(to)
            )));
        }
        // Every value's map runs the grid's starts: the sweep's need is their
        // sum, refused up front as one map's is (counted in u128).
        let starts = count as u128 * grid.len() as u128;
        if starts > crate::landscape::MAX_STARTS as u128 {
            return Err(Error::input(format!(
                "{count} values of {} starts each are {starts} starts; a sweep runs at most {} in all",
                grid.len(),
                crate::landscape::MAX_STARTS
            )));
        }
        let values: Vec<f64> = (0..count)
            .map(|i| from + (to - from) * i as f64 / (count - 1) as f64)
            .collect();
        for &v in &values {
            parameter.scenario_at(&base, v)?;
            if parameter == Parameter::Lr && !(v > 0.0 && v <= 10.0) {
                return Err(Error::input(format!(
                    "--vary lr: {} leaves (0, 10]",
                    crate::number::readable(v)
                )));
            }
        }
        Ok(Self {
            base,
            parameter,
            values,
            grid,
            steps,
            lr,
        })
    }
}

/// The basin fractions of one value: a share per branch (0 for saddles and
/// for branches absent there), and the share of starts that did not converge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fractions {
    /// The parameter value.
    pub value: f64,
    /// Per branch, in the order of [`ObjectiveSweep::branches`].
    pub shares: Vec<f64>,
    /// Starts labelled -1.
    pub not_converged: f64,
}

/// The parameter as the JSON names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParameterInfo {
    /// `separation`, `mean:K`, ...
    pub name: String,
    /// First value.
    pub from: f64,
    /// Last value.
    pub to: f64,
    /// Every value a map was computed at.
    pub values: Vec<f64>,
}

/// One objective's sweep: branches, bifurcations, fractions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveSweep {
    /// The parameter.
    pub parameter: ParameterInfo,
    /// Every branch of stationary points followed.
    pub branches: Vec<Branch>,
    /// Folds, pitchforks and Maxwell points, by value.
    pub bifurcations: Vec<Bifurcation>,
    /// Basin fractions per value.
    pub fractions: Vec<Fractions>,
    /// Seconds for the maps and the continuation.
    pub seconds: f64,
    /// Of those, the maps'.
    pub maps_seconds: f64,
}

/// Runs one objective's sweep: the maps on `engine` (progress 0..0.85), then
/// continuation and bifurcations (0.85..1).
pub fn sweep(
    spec: &SweepSpec,
    objective: Objective,
    engine: &dyn Engine,
    progress: &mut dyn FnMut(f64),
) -> Result<ObjectiveSweep> {
    let clock = std::time::Instant::now();
    // Every value's map in one batch: on the GPU one dispatch and one
    // read-back a chunk for all values (bands of starts bound the memory).
    let problems = spec.problems(objective)?;
    let problems: Vec<(&Problem, f64)> = problems.iter().map(|(p, lr)| (p, *lr)).collect();
    let maps = Landscape::compute_many(
        engine,
        &problems,
        &spec.grid,
        spec.steps,
        &mut phase(progress, 0.0, 0.85),
    )?;
    let maps_seconds = clock.elapsed().as_secs_f64();
    let found = branches::follow(spec, objective, &maps, &mut |f| progress(0.85 + 0.15 * f))?;
    progress(1.0);
    Ok(ObjectiveSweep {
        parameter: ParameterInfo {
            name: spec.parameter.to_string(),
            from: spec.values[0],
            to: *spec.values.last().expect("two values"),
            values: spec.values.clone(),
        },
        branches: found.branches,
        bifurcations: found.bifurcations,
        fractions: found.fractions,
        seconds: clock.elapsed().as_secs_f64(),
        maps_seconds,
    })
}
