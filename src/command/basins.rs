//! `kl-landscape basins`: the maps, then the JSON, PNG and SVG files, then a
//! summary on stdout. Every input and output path is checked before any
//! start runs.

use std::path::PathBuf;

use clap::Args;

use super::args::{
    GridArgs, ObjectiveArgs, OptimizerArgs, TargetArgs, parse_count, parse_number, progress_bar,
};
use crate::console;
use crate::engine;
use crate::error::{Error, Result};
use crate::export::{self, BasinReport, FigureOptions};
use crate::number::{fixed, readable};
use crate::objective::{Objective, Problem};

/// Arguments of `basins`.
#[derive(Debug, Args)]
pub struct BasinsArgs {
    #[command(flatten)]
    /// Target and family.
    pub target: TargetArgs,
    #[command(flatten)]
    /// Which objective(s) to map.
    pub objectives: ObjectiveArgs,
    #[command(flatten)]
    /// The grid of starts.
    pub grid: GridArgs,
    /// Adaptive refinement: run every N-th start each way first, then only
    /// the starts in cells whose corners reached different optima (1 = off).
    #[arg(
        long,
        value_name = "N",
        default_value = "1",
        allow_hyphen_values = true
    )]
    pub refine: String,
    #[command(flatten)]
    /// Steps, learning rate and engine.
    pub optimizer: OptimizerArgs,
    /// Write the maps as JSON (the format is in docs/json.md).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a picture of the maps (PNG).
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Write the same picture as SVG (labels are text an editor can change).
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Resolution of the PNG: 96 is one pixel per point of the layout, 192 twice as wide and tall.
    #[arg(
        long,
        value_name = "N",
        default_value = "96",
        allow_hyphen_values = true
    )]
    pub dpi: String,
    /// Size of each plot area in points, instead of one that follows the grid.
    #[arg(long, value_name = "WxH", allow_hyphen_values = true)]
    pub size: Option<String>,
    /// The step count the colour bar of steps to converge ends on (the same
    /// across runs), instead of the slowest start's rounded up.
    #[arg(long, value_name = "MAX", allow_hyphen_values = true)]
    pub steps_scale: Option<String>,
    /// Also print the backend's adapter and timings.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Runs `basins`: validates everything, computes the maps, writes the files, prints the summary.
pub fn run(args: &BasinsArgs) -> Result<BasinReport> {
    let scenario = args.target.scenario()?;
    let grid = args.grid.resolve((256, 128))?;
    let (steps, lr) = args.optimizer.resolve()?;
    let objectives = args.objectives.resolve("both")?;
    let refine = parse_count("--refine", &args.refine)? as usize;
    if refine > 64 {
        return Err(Error::input(format!(
            "--refine must be at most 64 (got {refine})"
        )));
    }
    let figure = FigureOptions::new(
        parse_number("--dpi", &args.dpi)?,
        args.size.as_deref().map(export::parse_size).transpose()?,
        args.steps_scale
            .as_deref()
            .map(|s| parse_count("--steps-scale", s))
            .transpose()?,
    )?;
    export::check_figure(&grid, scenario.family, objectives.len(), &figure)?;
    crate::output::check_all(
        &[
            ("--json", args.json.as_deref()),
            ("--png", args.png.as_deref()),
            ("--svg", args.svg.as_deref()),
        ],
        &args.target.inputs(),
    )?;
    let selected = engine::select(args.optimizer.backend)?;
    // One engine serves every map: the CPU's if the GPU declines any of them
    // (a target too far out for f32, an alpha too close to 0).
    let problems: Vec<Problem> = objectives
        .iter()
        .map(|&o| Problem::new(scenario.target.clone(), o, scenario.family))
        .collect();
    let engine = super::args::engine_for_all(args.optimizer.backend, selected.as_ref(), &problems)?;
    if args.verbose {
        console::warn(&format!(
            "backend: {} ({})",
            engine.info().kind,
            engine.info().adapter
        ));
    }
    let mut maps = Vec::new();
    for problem in problems {
        let objective = problem.objective;
        let bar = progress_bar(objective.key());
        let map =
            crate::refine::compute_refined(engine, &problem, &grid, steps, lr, refine, &mut |f| {
                bar.set_position((f * 1000.0) as u64)
            })?;
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
    if let Some(path) = &args.json {
        export::json::write(path, &basins_json(&report))?;
    }
    if let Some(path) = &args.png {
        export::png::write_with(&report, &figure, path)?;
    }
    if let Some(path) = &args.svg {
        export::svg::write(&report, &figure, path)?;
    }
    console::print(&summary(&report))?;
    Ok(report)
}

/// The `basins --json` object: [`export::json::basins`], and in an alpha
/// section its order (`alpha`), `form`, and each optimum's and saddle's
/// value as `divergence` (beside `kl`, which holds the same number there).
pub fn basins_json(report: &BasinReport) -> serde_json::Value {
    let mut value = export::json::basins(report);
    for (objective, _) in &report.maps {
        if let Objective::Alpha(alpha) = objective {
            let section = &mut value[objective.key()];
            section["alpha"] = serde_json::json!(alpha.a());
            section["form"] = serde_json::json!(alpha.form.key());
            for list in ["optima", "saddles"] {
                if let Some(points) = section[list].as_array_mut() {
                    for p in points {
                        p["divergence"] = p["kl"].clone();
                    }
                }
            }
        }
    }
    value
}

/// The value's name in the summary: "KL" for the KLs, the formula's letter for an alpha objective.
fn value_label(objective: Objective) -> &'static str {
    match objective {
        Objective::Alpha(alpha) => match alpha.form {
            crate::objective::AlphaForm::Amari => "D ",
            crate::objective::AlphaForm::Renyi => "R ",
        },
        _ => "KL",
    }
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
        readable(report.lr),
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
                "  #{k}  mu {:>9}  sigma {:>8.5}  {} {:>10.7}  basin {:>5.1}%{}\n",
                fixed(o.mu, 5),
                o.sigma,
                value_label(*objective),
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
                "  saddle  mu {:>9}  sigma {:>8.5}  {} {:>10.7}\n",
                fixed(s.mu, 5),
                s.sigma,
                value_label(*objective),
                s.kl
            );
        }
    }
    out
}
