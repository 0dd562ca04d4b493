//! The basin-map picture: per objective a map over (mu0, sigma0) coloured by
//! the optimum each start reaches (shaded by steps to converge), the optima
//! marked and numbered, axes with ticks, and a legend with KL and basin share.

use std::path::Path;

use super::BasinReport;
use super::canvas::Canvas;
use crate::error::{Error, Result};
use crate::landscape::{Axis, Landscape};
use crate::objective::Objective;
use crate::palette::{self, Rgb};

const MAP_W: usize = 600;
const MAP_H: usize = 300;
const LEFT: usize = 64;
const LEGEND_X: usize = LEFT + MAP_W + 24;
const WIDTH: usize = LEGEND_X + 330;
const PANEL_H: usize = MAP_H + 112;
const INK: Rgb = [30, 30, 30];
const FAINT: Rgb = [110, 110, 110];
const WHITE: Rgb = [255, 255, 255];

/// Ticks at 1, 2 or 5 times a power of ten, about `target` of them over [lo, hi].
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let raw = (hi - lo) / target.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A tick's label: at most two decimals, trailing zeros dropped, never "-0".
pub fn tick_label(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Pixel offset of `value` along an axis drawn `len` pixels long (cells span the whole length).
fn pixel(axis: &Axis, value: f64, len: usize) -> f64 {
    (axis.position(value) + 0.5) / axis.count as f64 * len as f64
}

fn title(objective: Objective) -> &'static str {
    match objective {
        Objective::Inclusive => "KL(p||q)  inclusive, mean-seeking",
        Objective::Exclusive => "KL(q||p)  exclusive, mode-seeking",
        Objective::Alpha(_) => "D_a(p||q)  alpha-divergence",
    }
}

fn draw_map(
    c: &mut Canvas,
    report: &BasinReport,
    objective: Objective,
    map: &Landscape,
    top: usize,
) {
    let grid = &report.grid;
    let (x0, y0) = (LEFT as i64, top as i64 + 48);
    c.text(
        LEFT as f64,
        top as f64 + 2.0,
        &format!(
            "{}   ({} x {} starts, {} steps, lr {}, {} family)",
            title(objective),
            grid.mu.count,
            grid.sigma.count,
            report.steps,
            report.lr,
            report.family.label()
        ),
        17.0,
        INK,
    );
    for py in 0..MAP_H {
        // Row 0 (lowest sigma) at the bottom.
        let row = (MAP_H - 1 - py) * grid.sigma.count / MAP_H;
        for px in 0..MAP_W {
            let col = px * grid.mu.count / MAP_W;
            let i = row * grid.mu.count + col;
            let colour =
                palette::cell_colour(map.labels[i], map.steps_to_converge[i], report.steps);
            c.fill_rect(x0 + px as i64, y0 + py as i64, 1, 1, colour);
        }
    }
    // Frame and ticks.
    let (w, h) = (MAP_W as f64, MAP_H as f64);
    let (fx, fy) = (x0 as f64, y0 as f64);
    for (a, b, cc, d) in [
        (fx, fy, fx + w, fy),
        (fx, fy + h, fx + w, fy + h),
        (fx, fy, fx, fy + h),
        (fx + w, fy, fx + w, fy + h),
    ] {
        c.line(a, b, cc, d, INK);
    }
    for v in nice_ticks(grid.mu.lo, grid.mu.hi, 10) {
        let x = fx + pixel(&grid.mu, v, MAP_W);
        c.line(x, fy + h, x, fy + h + 5.0, INK);
        let label = tick_label(v);
        let tw = c.text_width(&label, 13.0);
        c.text(x - tw / 2.0, fy + h + 7.0, &label, 13.0, INK);
    }
    c.text(fx + w / 2.0 - 30.0, fy + h + 24.0, "start mu0", 14.0, INK);
    for v in nice_ticks(grid.sigma.lo, grid.sigma.hi, 6) {
        let y = fy + h - pixel(&grid.sigma, v, MAP_H);
        c.line(fx - 5.0, y, fx, y, INK);
        let label = tick_label(v);
        let tw = c.text_width(&label, 13.0);
        c.text(fx - 8.0 - tw, y - 8.0, &label, 13.0, INK);
    }
    c.text(8.0, fy - 22.0, "start sigma0", 14.0, INK);

    // Optima and saddles on the map.
    for (k, o) in map.optima.iter().enumerate() {
        let (x, y) = (
            fx + pixel(&grid.mu, o.mu, MAP_W),
            fy + h - pixel(&grid.sigma, o.sigma, MAP_H),
        );
        if x >= fx && x <= fx + w && y >= fy && y <= fy + h {
            c.disc(x, y, 7.0, palette::optimum_colour(k as i32), WHITE);
            c.text(x + 9.0, y - 9.0, &format!("#{k}"), 14.0, INK);
        }
    }
    for s in &map.saddles {
        let (x, y) = (
            fx + pixel(&grid.mu, s.mu, MAP_W),
            fy + h - pixel(&grid.sigma, s.sigma, MAP_H),
        );
        if x >= fx && x <= fx + w && y >= fy && y <= fy + h {
            c.disc(x, y, 4.0, WHITE, INK);
        }
    }

    // Legend.
    let mut ly = fy;
    c.text(
        LEGEND_X as f64,
        ly,
        "optimum reached (sorted by KL)",
        14.0,
        INK,
    );
    ly += 22.0;
    for (k, o) in map.optima.iter().enumerate() {
        c.fill_rect(
            LEGEND_X as i64,
            ly as i64 + 2,
            14,
            14,
            palette::optimum_colour(k as i32),
        );
        let text = format!(
            "#{}{}  mu {}  sigma {}{}",
            k,
            if k == 0 { " (global)" } else { "" },
            crate::number::fixed(o.mu, 4),
            crate::number::fixed(o.sigma, 4),
            if o.boundary { " (floor)" } else { "" }
        );
        c.text(LEGEND_X as f64 + 20.0, ly, &text, 13.0, INK);
        c.text(
            LEGEND_X as f64 + 20.0,
            ly + 15.0,
            &format!("KL {:.6}   basin {:.1}%", o.kl, 100.0 * o.basin_fraction),
            13.0,
            FAINT,
        );
        ly += 36.0;
        if ly > fy + h - 40.0 {
            break;
        }
    }
    let unconverged = map.unconverged_share();
    c.fill_rect(LEGEND_X as i64, ly as i64 + 2, 14, 14, palette::UNCONVERGED);
    c.text(
        LEGEND_X as f64 + 20.0,
        ly,
        &format!(
            "not converged {:.1}%   saddles {}",
            100.0 * unconverged,
            map.saddles.len()
        ),
        13.0,
        INK,
    );
    c.text(
        LEGEND_X as f64,
        fy + h + 7.0,
        "lighter = converged in fewer steps",
        13.0,
        FAINT,
    );
}

/// Renders the report's maps, one panel per objective, stacked.
pub fn render(report: &BasinReport) -> Canvas {
    let mut c = Canvas::new(WIDTH, PANEL_H * report.maps.len().max(1) + 10, WHITE);
    for (n, (objective, map)) in report.maps.iter().enumerate() {
        draw_map(&mut c, report, *objective, map, n * PANEL_H + 6);
    }
    c
}

/// Writes the basin-map picture to `path`.
pub fn write(report: &BasinReport, path: &Path) -> Result<()> {
    let canvas = render(report);
    write_pixels(
        path,
        [canvas.width as u32, canvas.height as u32],
        ::png::ColorType::Rgb,
        &canvas.pixels,
    )
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
