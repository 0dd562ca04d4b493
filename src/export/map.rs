//! The two-dimensional basin map: every start (mu0, sigma0) coloured by the
//! optimum it reached and shaded by its steps, the optima and saddles
//! marked, arrows to optima outside the plotted ranges.

use plotters::prelude::DrawingBackend;

use super::captions;
use super::marks;
use super::painter::Painter;
use super::plot::Plot;
use super::shading::StepScale;
use super::style::INK;
use super::ticks::axis_ticks;
use crate::error::Result;
use crate::landscape::{Grid, Landscape};
use crate::palette;

/// Paints one row of cells of `labels`/`steps` across `plot` between `y0` and
/// `y1`, one rectangle per run of equal colour (an SVG stays small).
pub fn cells<DB: DrawingBackend>(
    p: &Painter<DB>,
    plot: &Plot,
    (y0, y1): (f64, f64),
    labels: &[i32],
    steps: &[u32],
    scale: &StepScale,
) -> Result<()> {
    let n = labels.len();
    let edge = |i: usize| plot.x0 + plot.w * i as f64 / n as f64;
    let colour = |i: usize| scale.colour(labels[i], steps[i]);
    let mut start = 0;
    for i in 1..=n {
        if i == n || colour(i) != colour(start) {
            p.rect((edge(start), y0), (edge(i), y1), colour(start))?;
            start = i;
        }
    }
    Ok(())
}

/// Draws the map of `map` over `grid` in `plot`, with its sigma axis.
pub fn draw<DB: DrawingBackend>(
    p: &Painter<DB>,
    plot: &Plot,
    grid: &Grid,
    map: &Landscape,
    scale: &StepScale,
) -> Result<()> {
    let (nmu, nsigma) = (grid.mu.count, grid.sigma.count);
    for row in 0..nsigma {
        let y = |r: usize| plot.bottom() - plot.h * r as f64 / nsigma as f64;
        let cols = row * nmu..(row + 1) * nmu;
        cells(
            p,
            plot,
            (y(row + 1), y(row)),
            &map.labels[cols.clone()],
            &map.steps_to_converge[cols],
            scale,
        )?;
    }
    p.frame((plot.x0, plot.y0), (plot.right(), plot.bottom()), INK)?;
    let ticks = axis_ticks(&grid.sigma, (plot.h / 45.0).max(2.0) as usize);
    plot.y_axis(p, &ticks, |v| plot.y(&grid.sigma, v))?;
    for s in &map.saddles {
        let at = (plot.x(&grid.mu, s.mu), plot.y(&grid.sigma, s.sigma));
        if marks::inside(plot, at) {
            marks::saddle(p, at)?;
        }
    }
    for (k, o) in map.optima.iter().enumerate() {
        let at = (plot.x(&grid.mu, o.mu), plot.y(&grid.sigma, o.sigma));
        let fill = palette::optimum_colour(k as i32);
        if marks::inside(plot, at) {
            marks::optimum(p, at, k, fill)?;
        } else {
            marks::off_range(p, plot, at, fill, &captions::off_range(k, o, false))?;
        }
    }
    Ok(())
}
