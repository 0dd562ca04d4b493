//! A panel's legend: what the strip shows, every optimum with its KL and
//! basin share (ties with the best all called global), the starts that did
//! not converge in the step budget, and the saddles or that none was found.

use plotters::prelude::DrawingBackend;

use super::captions;
use super::painter::{Align, Painter};
use super::style::{DENSITY_FILL, DENSITY_LINE, FAINT, INK, LINE_H, PAPER, TEXT_SIZE};
use crate::error::Result;
use crate::landscape::Landscape;
use crate::objective::Objective;
use crate::palette::{self, Rgb};

/// The key drawn before an entry's text.
enum Key {
    /// No key: a heading.
    None,
    /// A filled square.
    Square(Rgb),
    /// A dashed line.
    Dash(Rgb),
    /// A saddle's ring.
    Ring,
}

/// One entry: a key, its line and an optional fainter second line.
struct Entry {
    key: Key,
    text: String,
    detail: Option<String>,
}

fn entries(objective: Objective, map: &Landscape, steps: u32, fixed_sigma: bool) -> Vec<Entry> {
    let entry = |key, text: String, detail| Entry { key, text, detail };
    let mut out = vec![
        entry(Key::Square(DENSITY_FILL), "target p(x)".into(), None),
        entry(
            Key::Dash(palette::optimum_colour(0)),
            "q at each optimum, in its basin's colour".into(),
            None,
        ),
        entry(Key::None, "Optima Adam reached, sorted by KL:".into(), None),
    ];
    for (k, o) in map.optima.iter().enumerate() {
        out.push(entry(
            Key::Square(palette::optimum_colour(k as i32)),
            captions::optimum_line(map, k, fixed_sigma),
            Some(captions::optimum_detail(objective, o)),
        ));
    }
    if map.optima.is_empty() {
        out.push(entry(Key::None, captions::NO_OPTIMUM.into(), None));
    }
    out.push(entry(
        Key::Square(palette::UNCONVERGED),
        captions::unconverged_line(map, steps),
        None,
    ));
    for line in captions::saddle_lines(&map.saddles, fixed_sigma) {
        let key = if map.saddles.is_empty() {
            Key::None
        } else {
            Key::Ring
        };
        out.push(entry(key, line, None));
    }
    out
}

fn entry_height(e: &Entry) -> f64 {
    LINE_H * if e.detail.is_some() { 2.2 } else { 1.2 }
}

/// The legend's height.
pub fn height(objective: Objective, map: &Landscape, steps: u32, fixed_sigma: bool) -> f64 {
    entries(objective, map, steps, fixed_sigma)
        .iter()
        .map(entry_height)
        .sum()
}

/// Draws the legend with its top-left corner at (x, y).
pub fn draw<DB: DrawingBackend>(
    p: &Painter<DB>,
    (x, mut y): (f64, f64),
    objective: Objective,
    map: &Landscape,
    steps: u32,
    fixed_sigma: bool,
) -> Result<()> {
    for e in entries(objective, map, steps, fixed_sigma) {
        let key_y = y + 0.5 * TEXT_SIZE;
        let text_x = match e.key {
            Key::None => x,
            Key::Square(c) => {
                p.rect((x, key_y - 6.0), (x + 13.0, key_y + 7.0), c)?;
                if c == DENSITY_FILL {
                    p.frame((x, key_y - 6.0), (x + 13.0, key_y + 7.0), DENSITY_LINE)?;
                }
                x + 20.0
            }
            Key::Dash(c) => {
                p.dashed(&[(x, key_y), (x + 14.0, key_y)], c, 2.0)?;
                x + 20.0
            }
            Key::Ring => {
                p.disc((x + 6.5, key_y), 4.0, PAPER, INK)?;
                x + 20.0
            }
        };
        p.text((text_x, y), &e.text, TEXT_SIZE, INK, Align::Left)?;
        if let Some(detail) = &e.detail {
            p.text((text_x, y + LINE_H), detail, TEXT_SIZE, FAINT, Align::Left)?;
        }
        y += entry_height(&e);
    }
    Ok(())
}
