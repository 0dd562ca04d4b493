//! The one-dimensional figure of a family where only mu learns (or a grid
//! of one row): the exact objective against mu with its minima marked, and
//! a band of starts mu0 coloured by the optimum each reached.

use plotters::prelude::DrawingBackend;

use super::captions;
use super::map::cells;
use super::marks;
use super::painter::{Align, Painter};
use super::plot::{Plot, extent};
use super::shading::StepScale;
use super::style::{CURVE_SAMPLES, FAINT, INK, SMALL_SIZE};
use super::ticks::nice_ticks;
use crate::error::Result;
use crate::landscape::{Axis, Landscape};
use crate::objective::Problem;
use crate::palette;

/// Draws the objective of `problem` against mu at the held `sigma` in `plot`.
pub fn curve<DB: DrawingBackend>(
    p: &Painter<DB>,
    plot: &Plot,
    mu: &Axis,
    problem: &Problem,
    sigma: f64,
    map: &Landscape,
) -> Result<()> {
    let (lo, hi) = extent(mu);
    let pts: Vec<(f64, f64)> = (0..=CURVE_SAMPLES)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / CURVE_SAMPLES as f64;
            (x, problem.evaluate(x, sigma).kl)
        })
        .collect();
    let (kl_lo, kl_hi) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (_, k)| {
            (a.min(*k), b.max(*k))
        });
    let pad = 0.06 * (kl_hi - kl_lo).max(1e-9);
    let range = (kl_lo - pad, kl_hi + pad);
    let ticks = nice_ticks(range.0, range.1, (plot.h / 40.0).max(2.0) as usize);
    for &t in &ticks {
        let y = plot.y_linear(range, t);
        p.line(&[(plot.x0, y), (plot.right(), y)], [232, 232, 232], 1.0)?;
    }
    plot.y_axis(p, &ticks, |v| plot.y_linear(range, v))?;
    let line: Vec<(f64, f64)> = pts
        .iter()
        .map(|&(x, k)| (plot.x(mu, x), plot.y_linear(range, k)))
        .collect();
    p.line(&line, INK, 1.5)?;
    p.frame((plot.x0, plot.y0), (plot.right(), plot.bottom()), INK)?;
    for (k, o) in map.optima.iter().enumerate() {
        let at = (plot.x(mu, o.mu), plot.y_linear(range, o.kl));
        let fill = palette::optimum_colour(k as i32);
        if marks::inside(plot, at) {
            marks::optimum(p, at, k, fill)?;
        } else {
            let edge = (at.0, plot.y0 + plot.h / 2.0);
            marks::off_range(p, plot, edge, fill, &captions::off_range(k, o, true))?;
        }
    }
    Ok(())
}

/// Draws the band of starts (the map's first row) in `plot`.
pub fn band<DB: DrawingBackend>(
    p: &Painter<DB>,
    plot: &Plot,
    nmu: usize,
    map: &Landscape,
    scale: &StepScale,
) -> Result<()> {
    cells(
        p,
        plot,
        (plot.y0, plot.bottom()),
        &map.labels[..nmu],
        &map.steps_to_converge[..nmu],
        scale,
    )?;
    p.frame((plot.x0, plot.y0), (plot.right(), plot.bottom()), INK)?;
    p.text(
        (plot.x0 - 8.0, plot.y0 + plot.h / 2.0 - 0.55 * SMALL_SIZE),
        "starts",
        SMALL_SIZE,
        FAINT,
        Align::Right,
    )
}
