//! Marks on a plot: an optimum's numbered disc, a saddle's ring, and the
//! arrow at the edge that points to something outside the plotted range,
//! with its coordinates written beside it.

use plotters::prelude::DrawingBackend;

use super::painter::{Align, Painter};
use super::plot::Plot;
use super::style::{ARROW, INK, MARKER_R, PAPER, SMALL_SIZE, TEXT_SIZE};
use crate::error::Result;
use crate::palette::Rgb;

/// An optimum's disc with its number beside it.
pub fn optimum<DB: DrawingBackend>(
    p: &Painter<DB>,
    at: (f64, f64),
    k: usize,
    fill: Rgb,
) -> Result<()> {
    p.disc(at, MARKER_R, fill, PAPER)?;
    p.text(
        (at.0 + MARKER_R + 2.0, at.1 - MARKER_R - 12.0),
        &format!("#{k}"),
        TEXT_SIZE,
        INK,
        Align::Left,
    )
}

/// A saddle's mark: a small white disc ringed in ink.
pub fn saddle<DB: DrawingBackend>(p: &Painter<DB>, at: (f64, f64)) -> Result<()> {
    p.disc(at, 4.0, PAPER, INK)
}

/// Whether `at` lies inside `plot` (edges included).
pub fn inside(plot: &Plot, (x, y): (f64, f64)) -> bool {
    x >= plot.x0 && x <= plot.right() && y >= plot.y0 && y <= plot.bottom()
}

/// An arrow at the edge of `plot` pointing towards `at` (outside it), in
/// `fill`, with `note` on a paper box beside it.
pub fn off_range<DB: DrawingBackend>(
    p: &Painter<DB>,
    plot: &Plot,
    at: (f64, f64),
    fill: Rgb,
    note: &str,
) -> Result<()> {
    let inset = 3.0;
    let tip = (
        at.0.clamp(plot.x0 + inset, plot.right() - inset),
        at.1.clamp(plot.y0 + inset, plot.bottom() - inset),
    );
    let dir = (
        f64::from(i8::from(at.0 > plot.right()) - i8::from(at.0 < plot.x0)),
        f64::from(i8::from(at.1 > plot.bottom()) - i8::from(at.1 < plot.y0)),
    );
    let norm = dir.0.hypot(dir.1).max(1.0);
    let (ux, uy) = (dir.0 / norm, dir.1 / norm);
    let base = (tip.0 - ARROW * ux, tip.1 - ARROW * uy);
    let half = 0.6 * ARROW;
    p.polygon(
        &[
            tip,
            (base.0 - half * uy, base.1 + half * ux),
            (base.0 + half * uy, base.1 - half * ux),
        ],
        fill,
    )?;
    p.line(
        &[tip, (base.0 - 0.8 * ARROW * ux, base.1 - 0.8 * ARROW * uy)],
        fill,
        2.0,
    )?;
    // The note sits inward of the arrow.
    let w = p.text_width(note, SMALL_SIZE) + 6.0;
    let reach = 2.0 * ARROW + 4.0;
    let (mut x, align) = match dir.0 as i8 {
        1 => (tip.0 - reach, Align::Right),
        -1 => (tip.0 + reach, Align::Left),
        _ => (tip.0, Align::Centre),
    };
    x = match align {
        Align::Left => x.min(plot.right() - w),
        Align::Right => x.max(plot.x0 + w),
        Align::Centre => x.clamp(plot.x0 + w / 2.0, plot.right() - w / 2.0),
    };
    let y = match dir.1 as i8 {
        1 => tip.1 - reach - SMALL_SIZE,
        -1 => tip.1 + reach,
        _ => (tip.1 - 0.6 * SMALL_SIZE).clamp(plot.y0 + 2.0, plot.bottom() - SMALL_SIZE - 4.0),
    };
    let left = match align {
        Align::Left => x,
        Align::Right => x - w,
        Align::Centre => x - w / 2.0,
    };
    p.rect(
        (left - 3.0, y - 2.0),
        (left + w, y + SMALL_SIZE + 3.0),
        PAPER,
    )?;
    let text_x = match align {
        Align::Left => x,
        Align::Right => x - 3.0,
        Align::Centre => x,
    };
    p.text((text_x, y), note, SMALL_SIZE, INK, align)
}
