//! Argument groups the commands share (target, optimiser), the parsers of
//! numbers, ranges and grids, and the terminal progress bar.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::defaults;
use crate::engine::BackendChoice;
use crate::error::{Error, Result};
use crate::landscape::{Axis, Grid};
use crate::number::readable;
use crate::objective::{Alpha, AlphaForm, Family, Objective};
use crate::scenario::{Scenario, check_family};
use crate::target::Mixture;

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

    /// The input files these arguments read, for the output checks.
    pub fn inputs(&self) -> Vec<(&'static str, &std::path::Path)> {
        self.scenario
            .iter()
            .map(|p| ("--scenario", p.as_path()))
            .collect()
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
    /// Engine: the GPU if there is one and it can run the problem exactly
    /// (auto), the GPU or fail (gpu), the f64 CPU reference (cpu).
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendChoice,
}

impl OptimizerArgs {
    /// The validated step budget and learning rate.
    pub fn resolve(&self) -> Result<(u32, f64)> {
        let steps = parse_count("--steps", &self.steps)?;
        let lr = parse_number("--lr", &self.lr)?;
        if lr <= 0.0 || lr > 10.0 {
            return Err(Error::input(format!(
                "--lr must be in (0, 10] (got {})",
                readable(lr)
            )));
        }
        Ok((steps, lr))
    }
}

/// The objectives `basins`, `fit` and `sweep` compute: a list of names, and
/// the alpha-divergence's order and form when it is among them.
#[derive(Debug, Args, Clone)]
pub struct ObjectiveArgs {
    /// Which objective(s): exclusive, inclusive, alpha, both (= exclusive,inclusive),
    /// or a comma-separated list such as exclusive,alpha,inclusive
    /// [default: both; for sweep exclusive, or alpha with --vary alpha].
    #[arg(long, value_name = "LIST")]
    pub objective: Option<String>,
    /// The alpha-divergence's order a in [0, 1] (with --objective alpha; a = 0
    /// is KL(q||p), a = 1 KL(p||q)).
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    pub alpha: Option<String>,
    /// The alpha-divergence's form: Amari's D_a = (1 - I_a) / (a (1 - a)) or
    /// the Renyi form -log(I_a) / (a (1 - a)) (same minima, other paths).
    #[arg(long, value_enum, default_value = "amari")]
    pub alpha_form: AlphaForm,
}

impl ObjectiveArgs {
    /// The validated objectives, in the order given (`default` when none is).
    pub fn resolve(&self, default: &str) -> Result<Vec<Objective>> {
        let mut out = Vec::new();
        let names = self.objective.as_deref().unwrap_or(default);
        for name in names.split(',').map(str::trim) {
            let named = match name {
                "exclusive" => vec![Objective::Exclusive],
                "inclusive" => vec![Objective::Inclusive],
                "both" => vec![Objective::Exclusive, Objective::Inclusive],
                "alpha" => {
                    let Some(text) = &self.alpha else {
                        return Err(Error::input(
                            "--objective alpha needs --alpha A (the order, in [0, 1])",
                        ));
                    };
                    vec![Objective::Alpha(parse_alpha(text, self.alpha_form)?)]
                }
                other => {
                    return Err(Error::input(format!(
                        "--objective: '{other}' is not an objective (exclusive, inclusive, alpha, both, or a comma-separated list)"
                    )));
                }
            };
            for o in named {
                if out.contains(&o) {
                    return Err(Error::input(format!("--objective names {} twice", o.key())));
                }
                out.push(o);
            }
        }
        if self.alpha.is_some() && !out.iter().any(|o| matches!(o, Objective::Alpha(_))) {
            return Err(Error::input(
                "--alpha is only for --objective alpha (or a list with alpha)",
            ));
        }
        Ok(out)
    }
}

/// The alpha-divergence of order `text` (`--alpha`, in [0, 1]) in `form`.
pub fn parse_alpha(text: &str, form: AlphaForm) -> Result<Alpha> {
    let a = parse_number("--alpha", text)?;
    if !(0.0..=1.0).contains(&a) {
        return Err(Error::input(format!(
            "--alpha must be in [0, 1] (got {}): outside, D_a exists only where a / s_k^2 + (1 - a) / sigma^2 > 0 for every mode, which this version does not support",
            readable(a)
        )));
    }
    Ok(Alpha::new(a, form))
}

/// The engine for every one of `problems`: [`crate::engine::engine_for`]
/// asked about the first the selected engine declines (so that all maps run
/// on one engine), or about the first; a change of engine is said on stderr.
pub fn engine_for_all<'a>(
    choice: BackendChoice,
    selected: &'a dyn crate::engine::Engine,
    problems: &[crate::objective::Problem],
) -> Result<&'a dyn crate::engine::Engine> {
    let decider = problems
        .iter()
        .find(|p| selected.declines(p).is_some())
        .unwrap_or(&problems[0]);
    let (engine, notice) = crate::engine::engine_for(choice, selected, decider)?;
    if let Some(line) = notice {
        crate::console::warn(&line);
    }
    Ok(engine)
}

/// Parses a finite number.
pub fn parse_number(flag: &str, text: &str) -> Result<f64> {
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
    parse_at_least(flag, text, 1, "")
}

/// A whole number of at least `least`, `why` saying why in the message.
pub fn parse_at_least(flag: &str, text: &str, least: u64, why: &str) -> Result<u32> {
    let v: u64 = text
        .trim()
        .parse()
        .map_err(|_| Error::input(format!("{flag}: '{text}' is not a whole number")))?;
    if v < least {
        return Err(Error::input(format!(
            "{flag} must be at least {least}{why}"
        )));
    }
    u32::try_from(v)
        .map_err(|_| Error::input(format!("{flag}: {v} is too large (at most {})", u32::MAX)))
}

/// The grid of starts `basins` and `sweep` run: its size, its ranges, and
/// whether its sigma0 rows are log-spaced.
#[derive(Debug, Args, Clone)]
pub struct GridArgs {
    /// Grid size: mu columns x sigma rows [default: 256x128 for basins, 128x64
    /// for each value of a sweep].
    #[arg(long, value_name = "NMUxNSIGMA", allow_hyphen_values = true)]
    pub grid: Option<String>,
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
}

impl GridArgs {
    /// The validated grid (`default` columns x rows when `--grid` is not given).
    pub fn resolve(&self, default: (usize, usize)) -> Result<Grid> {
        let (nmu, nsigma) = match &self.grid {
            Some(text) => parse_grid(text)?,
            None => default,
        };
        let mu = parse_range("--mu-range", &self.mu_range)?;
        let sigma = parse_range("--sigma-range", &self.sigma_range)?;
        let mut sigma_axis = Axis::linear(sigma.0, sigma.1, nsigma);
        sigma_axis.log = self.log_sigma;
        Grid::new(Axis::linear(mu.0, mu.1, nmu), sigma_axis)
    }
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

/// Parses `NMUxNSIGMA` (each side a whole number of at least 1).
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

/// A progress bar on stderr when it is a terminal (hidden otherwise).
pub fn progress_bar(label: &str) -> ProgressBar {
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
