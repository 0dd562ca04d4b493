//! Drawing primitives in figure units (1 unit = 1 px at 96 dpi) over any
//! plotters backend, so the PNG and the SVG are drawn by the same calls.
//! Text is a `<text>` element in the SVG and rasterised by [`super::text`]
//! (with its font fallback) in the PNG.

use plotters::coord::Shift;
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, IntoFont, RGBAColor, RGBColor, ShapeStyle, TextStyle};

use super::text;
use crate::error::{Error, Result};
use crate::palette::Rgb;

/// How text reaches the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMode {
    /// As the backend's own text elements (`<text>` in an SVG).
    Native,
    /// As anti-aliased pixels from the shipped fonts.
    Raster,
}

/// Where a text's x coordinate sits on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// x is the left end.
    Left,
    /// x is the middle.
    Centre,
    /// x is the right end.
    Right,
}

/// A backend's drawing area seen in figure units.
pub struct Painter<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    scale: f64,
    text: TextMode,
}

fn colour(c: Rgb) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

fn failed(e: impl std::fmt::Display) -> Error {
    Error::runtime(format!("cannot draw the figure: {e}"))
}

impl<'a, DB: DrawingBackend> Painter<'a, DB> {
    /// A painter drawing `scale` device pixels per figure unit.
    pub fn new(area: &'a DrawingArea<DB, Shift>, scale: f64, text: TextMode) -> Self {
        Self { area, scale, text }
    }

    fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    fn point(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (self.px(x), self.px(y))
    }

    fn stroke(&self, c: Rgb, width: f64) -> ShapeStyle {
        colour(c).stroke_width(self.px(width).max(1) as u32)
    }

    /// Fills the rectangle from (x0, y0) to (x1, y1); nothing when it covers no device pixel.
    pub fn rect(&self, (x0, y0): (f64, f64), (x1, y1): (f64, f64), fill: Rgb) -> Result<()> {
        let (a, b) = (self.point((x0, y0)), self.point((x1, y1)));
        if a.0 == b.0 || a.1 == b.1 {
            return Ok(());
        }
        self.area
            .draw(&Rectangle::new([a, b], colour(fill).filled()))
            .map_err(failed)
    }

    /// The outline of a rectangle.
    pub fn frame(&self, (x0, y0): (f64, f64), (x1, y1): (f64, f64), ink: Rgb) -> Result<()> {
        self.line(
            &[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)],
            ink,
            1.0,
        )
    }

    /// A polyline.
    pub fn line(&self, points: &[(f64, f64)], ink: Rgb, width: f64) -> Result<()> {
        let points: Vec<_> = points.iter().map(|p| self.point(*p)).collect();
        self.area
            .draw(&PathElement::new(points, self.stroke(ink, width)))
            .map_err(failed)
    }

    /// A dashed polyline.
    pub fn dashed(&self, points: &[(f64, f64)], ink: Rgb, width: f64) -> Result<()> {
        let points: Vec<_> = points.iter().map(|p| self.point(*p)).collect();
        let (dash, gap) = (self.px(5.0).max(2), self.px(3.5).max(1));
        self.area
            .draw(&DashedPathElement::new(
                points,
                dash,
                gap,
                self.stroke(ink, width),
            ))
            .map_err(failed)
    }

    /// A filled polygon.
    pub fn polygon(&self, points: &[(f64, f64)], fill: Rgb) -> Result<()> {
        let points: Vec<_> = points.iter().map(|p| self.point(*p)).collect();
        self.area
            .draw(&Polygon::new(points, colour(fill).filled()))
            .map_err(failed)
    }

    /// A disc of radius `r` with a ring around it.
    pub fn disc(&self, centre: (f64, f64), r: f64, fill: Rgb, ring: Rgb) -> Result<()> {
        let c = self.point(centre);
        let (outer, inner) = (self.px(r).max(2), self.px(r - 1.5).max(1));
        self.area
            .draw(&Circle::new(c, outer, colour(ring).filled()))
            .and_then(|_| {
                self.area
                    .draw(&Circle::new(c, inner, colour(fill).filled()))
            })
            .map_err(failed)
    }

    /// Width of `s` at font size `size`, in figure units.
    pub fn text_width(&self, s: &str, size: f64) -> f64 {
        text::width(s, size)
    }

    /// Writes `s` with the top of its line at `y`, placed on `x` by `align`.
    pub fn text(
        &self,
        (x, y): (f64, f64),
        s: &str,
        size: f64,
        ink: Rgb,
        align: Align,
    ) -> Result<()> {
        match self.text {
            TextMode::Native => {
                let h = match align {
                    Align::Left => HPos::Left,
                    Align::Centre => HPos::Center,
                    Align::Right => HPos::Right,
                };
                // plotters writes font-size as size / 1.24.
                let ink = colour(ink);
                let style = TextStyle::from((text::SVG_FAMILY, size * 1.24).into_font())
                    .color(&ink)
                    .pos(Pos::new(h, VPos::Top));
                self.area
                    .draw(&Text::new(s.to_string(), self.point((x, y)), style))
                    .map_err(failed)
            }
            TextMode::Raster => {
                let w = text::width(s, size);
                let left = match align {
                    Align::Left => x,
                    Align::Centre => x - w / 2.0,
                    Align::Right => x - w,
                };
                let mut hits = Vec::new();
                text::raster(
                    s,
                    left * self.scale,
                    y * self.scale,
                    size * self.scale,
                    |px, py, cov| hits.push((px, py, cov)),
                );
                for (px, py, cov) in hits {
                    let c = RGBAColor(ink[0], ink[1], ink[2], f64::from(cov));
                    self.area.draw_pixel((px, py), &c).map_err(failed)?;
                }
                Ok(())
            }
        }
    }
}
