//! The command line: the subcommands (each defined and run in its own file
//! under [`crate::command`]) and the dispatch. `main.rs` only parses and
//! reports errors.

use clap::{Parser, Subcommand};

use crate::command::{basins, bench, fit, gui, sweep};
use crate::error::Result;

/// kl-landscape: fit one Gaussian q = N(mu, sigma^2) to a Gaussian-mixture target p
/// by Adam, in both KL directions, and map which optimum each start reaches.
/// The JSON formats are described in docs/json.md.
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
    Basins(basins::BasinsArgs),
    /// One fit from (mu0, sigma0) in both directions: where it ends, its KL, the minimum reached.
    Fit(fit::FitArgs),
    /// Move one parameter over a range: a basin map per value, the branches of
    /// minima and saddles by continuation, their folds, pitchforks and
    /// Maxwell points, and the basin fractions.
    Sweep(sweep::SweepArgs),
    /// Time the default map (W1) and more on every backend.
    Bench(bench::BenchArgs),
    /// Open the window: the live two-panel fit beside the basin maps (default).
    Gui(gui::GuiArgs),
}

/// Dispatches a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::Basins(args)) => basins::run(&args).map(|_| ()),
        Some(Command::Fit(args)) => fit::run(&args).map(|_| ()),
        Some(Command::Sweep(args)) => sweep::run(&args).map(|_| ()),
        Some(Command::Bench(args)) => bench::run(&args),
        Some(Command::Gui(args)) => gui::run(&args),
        None => gui::run(&gui::GuiArgs::default()),
    }
}
