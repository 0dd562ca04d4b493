//! The colour bar of steps to converge at the foot of a figure: one row of
//! bands per basin colour shown, with step counts under it, on the scale
//! every map of the figure shares.

use plotters::prelude::DrawingBackend;

use super::captions;
use super::painter::{Align, Painter};
use super::shading::StepScale;
use super::style::{COLOUR_BAR_W, INK, SMALL_SIZE, STEP_LEVELS, TEXT_SIZE};
use super::ticks::nice_ticks;
use crate::error::Result;

/// Rows of the bar: the basins of optima 0..rows.
const MAX_ROWS: usize = 3;
/// Height of one row.
const ROW_H: f64 = 8.0;

/// Draws the bar with its top-left corner at (x, y) for basins `0..optima`.
pub fn draw<DB: DrawingBackend>(
    p: &Painter<DB>,
    (x, y): (f64, f64),
    scale: &StepScale,
    optima: usize,
) -> Result<()> {
    p.text((x, y), captions::STEPS_LABEL, TEXT_SIZE, INK, Align::Left)?;
    let top = y + 20.0;
    let rows = optima.clamp(1, MAX_ROWS);
    let band_w = COLOUR_BAR_W / f64::from(STEP_LEVELS);
    for row in 0..rows {
        for band in 0..STEP_LEVELS {
            let x0 = x + band_w * f64::from(band);
            let y0 = top + ROW_H * row as f64;
            p.rect(
                (x0, y0),
                (x0 + band_w, y0 + ROW_H),
                scale.band_colour(row as i32, band),
            )?;
        }
    }
    let bottom = top + ROW_H * rows as f64;
    p.frame((x, top), (x + COLOUR_BAR_W, bottom), INK)?;
    let max = f64::from(scale.max);
    let at = |v: f64| x + COLOUR_BAR_W * v / max;
    let mut ticks: Vec<f64> = nice_ticks(0.0, max, 4)
        .into_iter()
        .filter(|v| at(max) - at(*v) > 40.0)
        .collect();
    ticks.push(max);
    for v in ticks {
        p.line(&[(at(v), bottom), (at(v), bottom + 4.0)], INK, 1.0)?;
        let mut label = captions::tick(v);
        if v == max && scale.clipped {
            label = format!("≥ {label}");
        }
        p.text(
            (at(v), bottom + 6.0),
            &label,
            SMALL_SIZE,
            INK,
            Align::Centre,
        )?;
    }
    Ok(())
}
