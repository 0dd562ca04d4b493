//! A plot area in figure units and how grid values land in it: cells span
//! the whole area (a start's value at its cell's middle), on the grid's
//! linear or log scale; plus the tick marks and labels of its axes.

use plotters::prelude::DrawingBackend;

use super::captions;
use super::painter::{Align, Painter};
use super::style::{FAINT, INK, SMALL_SIZE, TEXT_SIZE};
use super::ticks::nice_ticks;
use crate::error::Result;
use crate::landscape::Axis;

/// A rectangle of the page, in figure units, y down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    /// Left edge.
    pub x0: f64,
    /// Top edge.
    pub y0: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// Where `v` falls along `axis`, 0 at the first cell's outer edge and 1 at the last's.
pub fn frac(axis: &Axis, v: f64) -> f64 {
    if axis.count > 1 {
        (axis.position(v) + 0.5) / axis.count as f64
    } else if axis.log {
        (v / axis.lo).ln() / (axis.hi / axis.lo).ln()
    } else {
        (v - axis.lo) / (axis.hi - axis.lo)
    }
}

/// The values at the outer edges of a linear axis's first and last cells.
pub fn extent(axis: &Axis) -> (f64, f64) {
    let half = if axis.count > 1 {
        (axis.hi - axis.lo) / (2.0 * (axis.count - 1) as f64)
    } else {
        0.0
    };
    (axis.lo - half, axis.hi + half)
}

impl Plot {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x0 + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y0 + self.h
    }

    /// The x of value `v` on `axis` (the mu axis).
    pub fn x(&self, axis: &Axis, v: f64) -> f64 {
        self.x0 + self.w * frac(axis, v)
    }

    /// The y of value `v` on `axis` (the sigma axis), lowest at the bottom.
    pub fn y(&self, axis: &Axis, v: f64) -> f64 {
        self.bottom() - self.h * frac(axis, v)
    }

    /// The y of `v` on a linear scale from `lo` (bottom) to `hi` (top).
    pub fn y_linear(&self, (lo, hi): (f64, f64), v: f64) -> f64 {
        self.bottom() - self.h * (v - lo) / (hi - lo)
    }

    /// The mu ticks, their labels and the axis label under the plot.
    pub fn x_axis<DB: DrawingBackend>(
        &self,
        p: &Painter<DB>,
        mu: &Axis,
        label: &str,
    ) -> Result<()> {
        let (lo, hi) = extent(mu);
        for v in nice_ticks(lo, hi, (self.w / 70.0).max(2.0) as usize) {
            let x = self.x(mu, v);
            p.line(&[(x, self.bottom()), (x, self.bottom() + 5.0)], INK, 1.0)?;
            p.text(
                (x, self.bottom() + 7.0),
                &captions::tick(v),
                SMALL_SIZE,
                INK,
                Align::Centre,
            )?;
        }
        p.text(
            (self.x0 + self.w / 2.0, self.bottom() + 24.0),
            label,
            TEXT_SIZE,
            INK,
            Align::Centre,
        )
    }

    /// Ticks on the left edge at `ticks`, placed by `y`.
    pub fn y_axis<DB: DrawingBackend>(
        &self,
        p: &Painter<DB>,
        ticks: &[f64],
        y: impl Fn(f64) -> f64,
    ) -> Result<()> {
        for &v in ticks {
            let yy = y(v);
            p.line(&[(self.x0 - 5.0, yy), (self.x0, yy)], INK, 1.0)?;
            p.text(
                (self.x0 - 8.0, yy - 0.55 * SMALL_SIZE),
                &captions::tick(v),
                SMALL_SIZE,
                INK,
                Align::Right,
            )?;
        }
        Ok(())
    }

    /// A label in the row just above the plot, at its left.
    pub fn label_above<DB: DrawingBackend>(&self, p: &Painter<DB>, label: &str) -> Result<()> {
        p.text(
            (self.x0, self.y0 - 16.0),
            label,
            SMALL_SIZE,
            FAINT,
            Align::Left,
        )
    }
}
