//! The figure as a PNG: drawn by plotters into an RGB buffer at the chosen
//! resolution, encoded by the `png` crate. Also the tick helpers the
//! window shares with the figures, and the PNG writer of raw pixels.

use std::path::Path;

use plotters::prelude::{BitMapBackend, IntoDrawingArea};

use super::figure::BasinFigure;
use super::painter::TextMode;
pub use super::ticks::{nice_ticks, tick_label};
use super::{BasinReport, Figure, FigureOptions};
use crate::error::{Error, Result};

/// `figure` as (width, height, RGB pixels) at `scale` pixels per figure unit.
pub fn render(figure: &impl Figure, scale: f64) -> Result<(u32, u32, Vec<u8>)> {
    let (w, h) = figure.size();
    let (w, h) = ((w * scale).ceil() as u32, (h * scale).ceil() as u32);
    let mut pixels = vec![255u8; 3 * w as usize * h as usize];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        figure.draw(&area, scale, TextMode::Raster)?;
        area.present()
            .map_err(|e| Error::runtime(format!("cannot draw the figure: {e}")))?;
    }
    Ok((w, h, pixels))
}

/// Writes the basin figure of `report` at the default resolution to `path`.
pub fn write(report: &BasinReport, path: &Path) -> Result<()> {
    write_with(report, &FigureOptions::default(), path)
}

/// Writes the basin figure of `report` drawn with `options` to `path`.
pub fn write_with(report: &BasinReport, options: &FigureOptions, path: &Path) -> Result<()> {
    write_figure(&BasinFigure { report, options }, options.scale(), path)
}

/// Writes `figure` at `scale` pixels per figure unit to `path`.
pub fn write_figure(figure: &impl Figure, scale: f64, path: &Path) -> Result<()> {
    let (w, h, pixels) = render(figure, scale)?;
    write_pixels(path, [w, h], ::png::ColorType::Rgb, &pixels)
}

/// Writes 8-bit pixels (RGB or RGBA, row-major) as a PNG, whole or not at
/// all; one-line error on failure.
pub fn write_pixels(
    path: &Path,
    [width, height]: [u32; 2],
    colour: ::png::ColorType,
    pixels: &[u8],
) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::runtime(format!("cannot write '{}': {e}", path.display()))
    };
    let mut bytes = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(colour);
    encoder.set_depth(::png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| fail(&e))?;
    writer.write_image_data(pixels).map_err(|e| fail(&e))?;
    writer.finish().map_err(|e| fail(&e))?;
    crate::output::write_atomic(path, &bytes)
}
