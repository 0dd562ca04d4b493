//! The target strip above each map: p's density over the plotted mu range
//! with its modes marked, and each optimum's q dashed in its basin's
//! colour, so the figure says what was fitted.

use plotters::prelude::DrawingBackend;

use super::captions;
use super::marks;
use super::painter::Painter;
use super::plot::{Plot, extent};
use super::style::{CURVE_SAMPLES, DENSITY_FILL, DENSITY_LINE, INK};
use crate::error::Result;
use crate::landscape::{Axis, Landscape};
use crate::palette;
use crate::target::Mixture;

/// The density of N(mu, sigma^2) at x.
fn normal_pdf(x: f64, mu: f64, sigma: f64) -> f64 {
    let z = (x - mu) / sigma;
    (-0.5 * z * z).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt())
}

/// Draws the strip in `plot`, its x on the `mu` axis.
pub fn draw<DB: DrawingBackend>(
    p: &Painter<DB>,
    plot: &Plot,
    mu: &Axis,
    target: &Mixture,
    map: &Landscape,
    held_sigma: Option<f64>,
) -> Result<()> {
    let (lo, hi) = extent(mu);
    let xs: Vec<f64> = (0..=CURVE_SAMPLES)
        .map(|i| lo + (hi - lo) * i as f64 / CURVE_SAMPLES as f64)
        .collect();
    let density: Vec<f64> = xs.iter().map(|&x| target.pdf(x)).collect();
    let qs: Vec<(usize, Vec<f64>)> = map
        .optima
        .iter()
        .enumerate()
        .filter(|(_, o)| o.mu >= lo && o.mu <= hi)
        .map(|(k, o)| {
            let sigma = held_sigma.unwrap_or(o.sigma);
            (k, xs.iter().map(|&x| normal_pdf(x, o.mu, sigma)).collect())
        })
        .collect();
    let top = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    let p_max = top(&density).max(1e-300);
    let q_max = qs.iter().map(|(_, q)| top(q)).fold(0.0, f64::max);
    let y_max = 1.1 * p_max.max(q_max.min(2.5 * p_max));
    let y = |v: f64| plot.y_linear((0.0, y_max), v.min(y_max));

    let mut area: Vec<(f64, f64)> = xs
        .iter()
        .zip(&density)
        .map(|(&x, &d)| (plot.x(mu, x), y(d)))
        .collect();
    let outline = area.clone();
    area.push((plot.right(), plot.bottom()));
    area.push((plot.x0, plot.bottom()));
    p.polygon(&area, DENSITY_FILL)?;
    p.line(&outline, DENSITY_LINE, 1.0)?;
    for (k, q) in &qs {
        let pts: Vec<(f64, f64)> = xs
            .iter()
            .zip(q)
            .map(|(&x, &d)| (plot.x(mu, x), y(d)))
            .collect();
        p.dashed(&pts, palette::optimum_colour(*k as i32), 2.0)?;
    }
    p.line(
        &[(plot.x0, plot.bottom()), (plot.right(), plot.bottom())],
        INK,
        1.0,
    )?;
    let means: Vec<f64> = target.modes().iter().map(|m| m.mean).collect();
    for &m in means.iter().filter(|m| (lo..=hi).contains(*m)) {
        let (x, b) = (plot.x(mu, m), plot.bottom());
        p.polygon(
            &[(x, b - 7.0), (x - 5.0, b + 1.0), (x + 5.0, b + 1.0)],
            DENSITY_LINE,
        )?;
    }
    // Modes off either end: one arrow per side, naming them all.
    let below: Vec<f64> = means.iter().copied().filter(|m| *m < lo).collect();
    let above: Vec<f64> = means.iter().copied().filter(|m| *m > hi).collect();
    for (side, off) in [(lo - 1.0, below), (hi + 1.0, above)] {
        if !off.is_empty() {
            let at = (plot.x(mu, side), plot.y0 + plot.h / 2.0);
            marks::off_range(p, plot, at, DENSITY_LINE, &captions::off_range_modes(&off))?;
        }
    }
    Ok(())
}
