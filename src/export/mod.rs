//! Writers for what the tool computes: the basins JSON (the contract in
//! docs/json.md), the basin figure as PNG and SVG, and the fit trajectory JSON.

mod captions;
mod colour_bar;
mod figure;
mod legend;
mod line;
mod map;
mod marks;
mod options;
mod painter;
mod plot;
mod shading;
mod strip;
mod style;
pub mod sweep_figure;
mod text;
mod ticks;

pub mod json;
pub mod png;
pub mod svg;

pub use options::{FigureOptions, parse_size};

use crate::engine::BackendInfo;
use crate::landscape::{Grid, Landscape};
use crate::objective::{Family, Objective};
use crate::target::Mixture;

/// A figure any backend draws alike: its size in figure units (1 unit is
/// 1 px at 96 dpi) and its drawing at `scale` device pixels per unit.
pub trait Figure {
    /// Width and height in figure units.
    fn size(&self) -> (f64, f64);
    /// Draws on `area`, which is [`Figure::size`] times `scale` pixels.
    fn draw<DB: plotters::prelude::DrawingBackend>(
        &self,
        area: &plotters::prelude::DrawingArea<DB, plotters::coord::Shift>,
        scale: f64,
        text: painter::TextMode,
    ) -> crate::Result<()>;
}

/// Everything one `basins` run produced: the input, the settings and a map per objective.
#[derive(Debug, Clone)]
pub struct BasinReport {
    /// The target p.
    pub target: Mixture,
    /// The model family.
    pub family: Family,
    /// The grid of starts.
    pub grid: Grid,
    /// Adam's base learning rate.
    pub lr: f64,
    /// Step budget per start.
    pub steps: u32,
    /// The engine that ran the starts.
    pub backend: BackendInfo,
    /// One map per computed objective.
    pub maps: Vec<(Objective, Landscape)>,
}

/// Refuses, before anything is computed, a figure of `grid` in `family` with
/// `panels` maps that would be too large a PNG at `options`' resolution.
pub fn check_figure(
    grid: &Grid,
    family: Family,
    panels: usize,
    options: &FigureOptions,
) -> crate::Result<()> {
    options.check_pixels(figure::Layout::new(grid, family, options).nominal_size(panels))
}
