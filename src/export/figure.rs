//! The basin figure: per objective a panel with a title, the target strip,
//! the map (or, where only mu varies, the objective curve over a band of
//! starts) and a legend; the colour bar of steps at the foot. Laid out in
//! figure units, drawn on any backend through a [`Painter`].

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::painter::{Align, Painter, TextMode};
use super::plot::Plot;
use super::shading::StepScale;
use super::style::*;
use super::{BasinReport, FigureOptions, captions, colour_bar, legend, line, map, strip};
use crate::error::Result;
use crate::landscape::{Grid, Landscape};
use crate::objective::{Family, Objective, Problem};

/// What the body of a panel shows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Body {
    /// The 2-D map over (mu0, sigma0).
    Map,
    /// The objective against mu at the held sigma, over a band of starts.
    Curve(f64),
    /// A band of starts only (a one-row grid of the gaussian family).
    Band,
}

/// Sizes of a figure's parts, in figure units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    body: Body,
    plot_w: f64,
    plot_h: f64,
}

/// Height of the label row above a plot.
const LABEL_ROW: f64 = 18.0;

impl Layout {
    /// The layout for `grid` in `family`: the plot follows the grid's columns
    /// and aspect within bounds, or `options.size`.
    pub fn new(grid: &Grid, family: Family, options: &FigureOptions) -> Self {
        let body = match (family.fixed_sigma(), grid.sigma.count) {
            (Some(s), _) => Body::Curve(s),
            (None, 1) => Body::Band,
            (None, _) => Body::Map,
        };
        let (plot_w, plot_h) = match options.size {
            Some((w, h)) => (f64::from(w), f64::from(h)),
            None => {
                let w = (grid.mu.count as f64).clamp(PLOT_W_RANGE.0, PLOT_W_RANGE.1);
                let h = match body {
                    Body::Map => (w * grid.sigma.count as f64 / grid.mu.count as f64)
                        .clamp(PLOT_H_RANGE.0, PLOT_H_RANGE.1),
                    _ => CURVE_H,
                };
                (w, h)
            }
        };
        Self {
            body,
            plot_w,
            plot_h,
        }
    }

    /// Height of a panel's body below the strip.
    fn body_h(&self) -> f64 {
        match self.body {
            Body::Map => LABEL_ROW + self.plot_h,
            Body::Curve(_) => LABEL_ROW + self.plot_h + GAP + BAND_H,
            Body::Band => BAND_H,
        }
    }

    /// Height of a panel whose legend is `legend_h` tall.
    fn panel_h(&self, legend_h: f64) -> f64 {
        TITLE_H + (STRIP_H + GAP + self.body_h() + AXIS_H).max(legend_h) + GAP
    }

    /// The figure's width.
    pub fn width(&self) -> f64 {
        2.0 * MARGIN + LEFT + self.plot_w + LEGEND_GAP + LEGEND_W
    }

    /// The figure's size with `panels` panels, legends not taller than their panels.
    pub fn nominal_size(&self, panels: usize) -> (f64, f64) {
        (
            self.width(),
            2.0 * MARGIN + panels as f64 * self.panel_h(0.0) + COLOUR_BAR_H,
        )
    }
}

fn legend_h(report: &BasinReport, m: &Landscape) -> f64 {
    legend::height(
        Objective::Exclusive,
        m,
        report.steps,
        report.family.fixed_sigma().is_some(),
    )
}

/// The basin figure of a report, drawn with its options.
pub struct BasinFigure<'a> {
    /// What `basins` computed.
    pub report: &'a BasinReport,
    /// Resolution, size and step scale.
    pub options: &'a FigureOptions,
}

impl super::Figure for BasinFigure<'_> {
    fn size(&self) -> (f64, f64) {
        size(self.report, self.options)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        scale: f64,
        text: TextMode,
    ) -> Result<()> {
        draw(area, self.report, self.options, scale, text)
    }
}

/// The figure's size in figure units.
pub fn size(report: &BasinReport, options: &FigureOptions) -> (f64, f64) {
    let layout = Layout::new(&report.grid, report.family, options);
    let panels: f64 = report
        .maps
        .iter()
        .map(|(_, m)| layout.panel_h(legend_h(report, m)))
        .sum();
    (layout.width(), 2.0 * MARGIN + panels + COLOUR_BAR_H)
}

/// Draws the figure of `report` on `area` at `options.scale()` pixels per unit
/// (the area must be [`size`] times that), writing text as `text` says.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    report: &BasinReport,
    options: &FigureOptions,
    scale: f64,
    text: TextMode,
) -> Result<()> {
    let p = Painter::new(area, scale, text);
    let (w, h) = size(report, options);
    p.rect((0.0, 0.0), (w, h), PAPER)?;
    let layout = Layout::new(&report.grid, report.family, options);
    let steps = StepScale::new(report.maps.iter().map(|(_, m)| m), options.steps_scale);
    let mut top = MARGIN;
    for (objective, m) in &report.maps {
        panel(&p, report, &layout, &steps, *objective, m, top)?;
        top += layout.panel_h(legend_h(report, m));
    }
    let optima = report
        .maps
        .iter()
        .map(|(_, m)| m.optima.len())
        .max()
        .unwrap_or(0);
    colour_bar::draw(&p, (MARGIN + LEFT, top + GAP), &steps, optima)
}

fn panel<DB: DrawingBackend>(
    p: &Painter<DB>,
    report: &BasinReport,
    layout: &Layout,
    steps: &StepScale,
    objective: Objective,
    m: &Landscape,
    top: f64,
) -> Result<()> {
    let grid = &report.grid;
    let x0 = MARGIN + LEFT;
    p.text(
        (MARGIN, top),
        &captions::title(objective),
        TITLE_SIZE,
        INK,
        Align::Left,
    )?;
    p.text(
        (MARGIN, top + 24.0),
        &captions::subtitle(report),
        TEXT_SIZE,
        FAINT,
        Align::Left,
    )?;
    let strip_plot = Plot {
        x0,
        y0: top + TITLE_H,
        w: layout.plot_w,
        h: STRIP_H,
    };
    let held = report.family.fixed_sigma();
    strip::draw(p, &strip_plot, &grid.mu, &report.target, m, held)?;
    let body_top = strip_plot.bottom() + GAP;
    let bottom = match layout.body {
        Body::Map => {
            let plot = Plot {
                x0,
                y0: body_top + LABEL_ROW,
                w: layout.plot_w,
                h: layout.plot_h,
            };
            plot.label_above(p, captions::SIGMA_AXIS)?;
            map::draw(p, &plot, grid, m, steps)?;
            plot.bottom()
        }
        Body::Curve(sigma) => {
            let plot = Plot {
                x0,
                y0: body_top + LABEL_ROW,
                w: layout.plot_w,
                h: layout.plot_h,
            };
            plot.label_above(p, &captions::curve_label(objective, sigma))?;
            let problem = Problem::new(report.target.clone(), objective, report.family);
            line::curve(p, &plot, &grid.mu, &problem, sigma, m)?;
            let band = Plot {
                x0,
                y0: plot.bottom() + GAP,
                w: layout.plot_w,
                h: BAND_H,
            };
            line::band(p, &band, grid.mu.count, m, steps)?;
            band.bottom()
        }
        Body::Band => {
            let band = Plot {
                x0,
                y0: body_top,
                w: layout.plot_w,
                h: BAND_H,
            };
            line::band(p, &band, grid.mu.count, m, steps)?;
            band.bottom()
        }
    };
    let axis = Plot {
        x0,
        y0: body_top,
        w: layout.plot_w,
        h: bottom - body_top,
    };
    axis.x_axis(p, &grid.mu, captions::MU_AXIS)?;
    let legend_x = x0 + layout.plot_w + LEGEND_GAP;
    legend::draw(
        p,
        (legend_x, top + TITLE_H),
        objective,
        m,
        report.steps,
        held.is_some(),
    )
}
