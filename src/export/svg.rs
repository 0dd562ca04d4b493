//! The figure as SVG: the same drawing as the PNG, at one unit per px,
//! with every label a real `<text>` element an editor can change.

use std::path::Path;

use plotters::prelude::{IntoDrawingArea, SVGBackend};

use super::painter::TextMode;
use super::{BasinReport, FigureOptions, figure};
use crate::error::{Error, Result};

/// The figure of `report` as an SVG document.
pub fn render(report: &BasinReport, options: &FigureOptions) -> Result<String> {
    let (w, h) = figure::size(report, options);
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (w.ceil() as u32, h.ceil() as u32))
            .into_drawing_area();
        figure::draw(&area, report, options, 1.0, TextMode::Native)?;
        area.present()
            .map_err(|e| Error::runtime(format!("cannot draw the figure: {e}")))?;
    }
    Ok(out)
}

/// Writes the figure of `report` as SVG to `path`, whole or not at all.
pub fn write(report: &BasinReport, options: &FigureOptions, path: &Path) -> Result<()> {
    crate::output::write_atomic(path, render(report, options)?.as_bytes())
}
