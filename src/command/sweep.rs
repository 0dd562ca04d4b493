//! `kl-landscape sweep`: one parameter over a range; per value a basin map,
//! then the branches of stationary points by continuation, their folds,
//! pitchforks and Maxwell points, and the basin fractions; JSON first, then
//! a summary on stdout.

use std::path::PathBuf;

use clap::Args;
use serde_json::{Map, Value, json};

use super::args::{
    GridArgs, ObjectiveArgs, OptimizerArgs, TargetArgs, parse_at_least, parse_number, progress_bar,
};
use crate::console;
use crate::engine;
use crate::error::{Error, Result};
use crate::export::FigureOptions;
use crate::export::sweep_figure::SweepFigure;
use crate::number::{fixed, readable};
use crate::objective::{Alpha, Objective};
use crate::sweep::{BifurcationKind, BranchKind, ObjectiveSweep, Parameter, SweepSpec, sweep};

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    #[command(flatten)]
    /// The target and family the parameter is set in.
    pub target: TargetArgs,
    /// The parameter: separation (modes 1 and 2 about their midpoint),
    /// mean:K, std:K, weight:K (mode K's share of the weight), lr, fixed-sigma,
    /// alpha (the alpha-divergence's order, in [0, 1]).
    #[arg(long, value_name = "PARAMETER")]
    pub vary: String,
    /// First value.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub from: String,
    /// Last value.
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub to: String,
    /// Number of values, evenly spaced, each with its own basin map.
    #[arg(
        long,
        value_name = "N",
        default_value = "31",
        allow_hyphen_values = true
    )]
    pub values: String,
    #[command(flatten)]
    /// Which objective(s) to sweep.
    pub objectives: ObjectiveArgs,
    #[command(flatten)]
    /// The grid of starts of each value's map.
    pub grid: GridArgs,
    #[command(flatten)]
    /// Steps, learning rate and engine of the maps.
    pub optimizer: OptimizerArgs,
    /// Write the sweep as JSON (the format is in docs/json.md).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the bifurcation diagram and the basin fractions as a PNG.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Write the same figure as SVG (labels are text an editor can change).
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Resolution of the PNG: 96 is one pixel per point of the layout.
    #[arg(
        long,
        value_name = "N",
        default_value = "96",
        allow_hyphen_values = true
    )]
    pub dpi: String,
}

/// Runs `sweep`: validates everything (every value's target included), computes, writes, prints.
pub fn run(args: &SweepArgs) -> Result<Vec<(Objective, ObjectiveSweep)>> {
    let scenario = args.target.scenario()?;
    let parameter = Parameter::parse(&args.vary, scenario.target.modes().len())?;
    let from = parse_number("--from", &args.from)?;
    let to = parse_number("--to", &args.to)?;
    let count =
        parse_at_least("--values", &args.values, 2, " (a sweep needs two values)")? as usize;
    let grid = args.grid.resolve((128, 64))?;
    let (steps, lr) = args.optimizer.resolve()?;
    let objectives = objectives(args, parameter, from)?;
    let spec = SweepSpec::new(scenario, parameter, (from, to), count, grid, steps, lr)?;
    let figure = FigureOptions::new(parse_number("--dpi", &args.dpi)?, None, None)?;
    crate::output::check_all(
        &[
            ("--json", args.json.as_deref()),
            ("--png", args.png.as_deref()),
            ("--svg", args.svg.as_deref()),
        ],
        &args.target.inputs(),
    )?;
    let selected = engine::select(args.optimizer.backend)?;
    // The GPU runs every value's problem exactly or the CPU runs them all.
    let mut problems = Vec::new();
    for &value in &spec.values {
        for &objective in &objectives {
            problems.push(parameter.problem_at(&spec.base, objective, value)?);
        }
    }
    let engine = super::args::engine_for_all(args.optimizer.backend, selected.as_ref(), &problems)?;
    let mut done = Vec::new();
    for objective in objectives {
        let bar = progress_bar(objective.key());
        let result = sweep(&spec, objective, engine, &mut |f| {
            bar.set_position((f * 1000.0) as u64)
        })?;
        bar.finish_and_clear();
        done.push((objective, result));
    }
    if let Some(path) = &args.json {
        let mut out = Map::new();
        out.insert("target".into(), json!(spec.base.target));
        out.insert("family".into(), family_json(&spec));
        out.insert(
            "grid".into(),
            json!({"mu": grid.mu.triple(), "sigma": grid.sigma.triple()}),
        );
        out.insert("optimizer".into(), json!({"lr": lr, "steps": steps}));
        out.insert("backend".into(), json!(engine.info()));
        for (objective, result) in &done {
            let mut section = json!(result);
            if let Objective::Alpha(alpha) = objective {
                section["form"] = json!(alpha.form.key());
                if parameter != Parameter::Alpha {
                    section["alpha"] = json!(alpha.a());
                }
            }
            out.insert(objective.key().into(), section);
        }
        crate::export::json::write(path, &Value::Object(out))?;
    }
    let drawing = SweepFigure {
        spec: &spec,
        sweeps: &done,
    };
    if let Some(path) = &args.png {
        crate::export::png::write_figure(&drawing, figure.scale(), path)?;
    }
    if let Some(path) = &args.svg {
        crate::export::svg::write_figure(&drawing, path)?;
    }
    console::print(&summary(&spec, &done))?;
    Ok(done)
}

/// The objectives swept: `--objective` (exclusive unless given); along
/// alpha the alpha-divergence alone, in `--alpha-form`, its order the
/// parameter (starting at `from`), so `--alpha` is refused.
fn objectives(args: &SweepArgs, parameter: Parameter, from: f64) -> Result<Vec<Objective>> {
    let chosen = &args.objectives;
    if parameter != Parameter::Alpha {
        return chosen.resolve("exclusive");
    }
    if chosen.alpha.is_some() {
        return Err(Error::input(
            "--vary alpha sets the order from --from to --to: drop --alpha",
        ));
    }
    let template = Objective::Alpha(Alpha::new(from, chosen.alpha_form));
    match chosen.objective.as_deref().map(str::trim) {
        None | Some("alpha") => Ok(vec![template]),
        Some(other) => Err(Error::input(format!(
            "--vary alpha moves the order of the alpha-divergence: use --objective alpha alone, not {other}"
        ))),
    }
}

/// The sweep's family as the JSON gives it: the base scenario's, except
/// along fixed-sigma, where it is the fixed-sigma family whose held sigma
/// is the parameter (no one `sigma`, whatever the base scenario's family).
fn family_json(spec: &SweepSpec) -> Value {
    match spec.parameter {
        Parameter::FixedSigma => json!({"kind": "fixed_sigma"}),
        _ => json!(spec.base.family),
    }
}

/// The family's words in the summary, as [`family_json`] has it.
fn family_label(spec: &SweepSpec) -> String {
    match spec.parameter {
        Parameter::FixedSigma => "fixed sigma (the parameter)".into(),
        _ => spec.base.family.label(),
    }
}

/// The human-readable summary: per objective its branches and located bifurcations.
pub fn summary(spec: &SweepSpec, done: &[(Objective, ObjectiveSweep)]) -> String {
    let mut out = format!(
        "target {}  family {}  vary {} from {} to {} ({} values)\n",
        spec.base.target.spec(),
        family_label(spec),
        spec.parameter,
        readable(spec.values[0]),
        readable(*spec.values.last().expect("two values")),
        spec.values.len()
    );
    for (objective, s) in done {
        let minima = s
            .branches
            .iter()
            .filter(|b| b.kind == BranchKind::Minimum)
            .count();
        out += &format!(
            "{} {}: {} branches ({} of minima, {} of saddles), {:.2} s\n",
            spec.parameter.formula(*objective),
            objective.key(),
            s.branches.len(),
            minima,
            s.branches.len() - minima,
            s.seconds
        );
        for b in &s.bifurcations {
            let kind = match b.kind {
                BifurcationKind::Fold => "fold",
                BifurcationKind::Pitchfork => "pitchfork",
                BifurcationKind::Branch => "branch point",
                BifurcationKind::Maxwell => "maxwell",
            };
            out += &format!(
                "  {kind:<12} {} = {:.7}  at mu {}  sigma {:.6}  branches {:?}\n",
                spec.parameter,
                b.value,
                fixed(b.mu, 6),
                b.sigma,
                b.branches
            );
        }
    }
    out
}
