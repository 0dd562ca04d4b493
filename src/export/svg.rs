//! The figure as SVG: the same drawing as the PNG, at one unit per px,
//! with every label a real `<text>` element an editor can change.

use std::path::Path;

use plotters::prelude::{IntoDrawingArea, SVGBackend};

use super::figure::BasinFigure;
use super::painter::TextMode;
use super::{BasinReport, Figure, FigureOptions};
use crate::error::{Error, Result};

/// `figure` as an SVG document, one unit per px.
pub fn render(figure: &impl Figure) -> Result<String> {
    let (w, h) = figure.size();
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (w.ceil() as u32, h.ceil() as u32))
            .into_drawing_area();
        figure.draw(&area, 1.0, TextMode::Native)?;
        area.present()
            .map_err(|e| Error::runtime(format!("cannot draw the figure: {e}")))?;
    }
    Ok(out)
}

/// Writes the basin figure of `report` as SVG to `path`, whole or not at all.
pub fn write(report: &BasinReport, options: &FigureOptions, path: &Path) -> Result<()> {
    write_figure(&BasinFigure { report, options }, path)
}

/// Writes `figure` as SVG to `path`, whole or not at all.
pub fn write_figure(figure: &impl Figure, path: &Path) -> Result<()> {
    crate::output::write_atomic(path, render(figure)?.as_bytes())
}
