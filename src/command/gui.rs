//! `kl-landscape gui` (the default command): the window, or with
//! `--screenshot` one headless frame written as a PNG.

use std::path::PathBuf;

use clap::Args;

use super::args::{TargetArgs, parse_alpha, parse_count};
use crate::app::objectives::WINDOW_ALPHA;
use crate::error::Result;
use crate::objective::AlphaForm;
use crate::output::{PendingFile, check_all};

/// Arguments of `gui`.
#[derive(Debug, Args, Default)]
pub struct GuiArgs {
    #[command(flatten)]
    /// The target and family the window starts from.
    pub target: TargetArgs,
    /// Render the window headless (offscreen through wgpu; no display or
    /// Xvfb needed, but a Vulkan adapter, e.g. Mesa's lavapipe) to this PNG and exit.
    #[arg(long, value_name = "FILE")]
    pub screenshot: Option<PathBuf>,
    /// With --screenshot: frames to run first (default: until the maps and the alpha strip are done).
    #[arg(long, value_name = "N", requires = "screenshot")]
    pub frames: Option<String>,
    /// Write the gap between every two frames of the window to this file
    /// (tab-separated: seconds, gap in ms, 1 while a map computes), to measure
    /// how the window keeps up on this machine. The file appears when the window closes.
    #[arg(long, value_name = "FILE", conflicts_with = "screenshot")]
    pub frame_log: Option<PathBuf>,
    /// The alpha-divergence's order the window opens with, in [0, 1] (its
    /// slider) [default: 0.5].
    #[arg(long, value_name = "A", allow_hyphen_values = true)]
    pub alpha: Option<String>,
    /// The alpha-divergence's form the window opens with.
    #[arg(long, value_enum, default_value = "amari")]
    pub alpha_form: AlphaForm,
}

/// Runs `gui`: checks the scenario and output paths, then opens the window or renders the screenshot.
pub fn run(args: &GuiArgs) -> Result<()> {
    let scenario = args.target.scenario()?;
    let alpha = match &args.alpha {
        Some(text) => parse_alpha(text, args.alpha_form)?,
        None => crate::objective::Alpha::new(WINDOW_ALPHA.a(), args.alpha_form),
    };
    let frames = args
        .frames
        .as_deref()
        .map(|f| parse_count("--frames", f))
        .transpose()?;
    check_all(
        &[
            ("--screenshot", args.screenshot.as_deref()),
            ("--frame-log", args.frame_log.as_deref()),
        ],
        &args.target.inputs(),
    )?;
    match (&args.screenshot, &args.frame_log) {
        (Some(path), _) => crate::app::screenshot(scenario, alpha, path, frames),
        (None, Some(path)) => {
            // The log goes to a temporary file, renamed into place once the
            // window has run: a window that cannot open leaves an earlier log intact.
            let pending = PendingFile::create(path)?;
            let writer = std::io::LineWriter::new(pending.writer()?);
            crate::app::run(scenario, alpha, Some(Box::new(writer)))?;
            pending.commit()
        }
        (None, None) => crate::app::run(scenario, alpha, None),
    }
}
