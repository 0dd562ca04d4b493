//! How a figure is drawn: resolution, plot size and the steps scale, from
//! the command line's `--dpi`, `--size` and `--steps-scale`, validated
//! before anything is computed.

use super::style::{BASE_DPI, DPI_RANGE, MAX_PIXELS, SIZE_RANGE};
use crate::error::{Error, Result};

/// The reader's choices for a figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FigureOptions {
    /// Resolution of the PNG (96 draws one pixel per figure unit); the SVG is resolution-free.
    pub dpi: f64,
    /// The plot area in figure units, instead of one that follows the grid.
    pub size: Option<(u32, u32)>,
    /// The step count the colour bar ends on, instead of the slowest start's.
    pub steps_scale: Option<u32>,
}

impl Default for FigureOptions {
    fn default() -> Self {
        Self {
            dpi: BASE_DPI,
            size: None,
            steps_scale: None,
        }
    }
}

impl FigureOptions {
    /// Checks the values; one line naming the flag for the first bad one.
    pub fn new(dpi: f64, size: Option<(u32, u32)>, steps_scale: Option<u32>) -> Result<Self> {
        if !(DPI_RANGE.0..=DPI_RANGE.1).contains(&dpi) {
            return Err(Error::input(format!(
                "--dpi must be in [{}, {}] (got {})",
                DPI_RANGE.0,
                DPI_RANGE.1,
                crate::number::readable(dpi)
            )));
        }
        let side = SIZE_RANGE.0..=SIZE_RANGE.1;
        if let Some((w, h)) = size
            && !(side.contains(&w) && side.contains(&h))
        {
            return Err(Error::input(format!(
                "--size {w}x{h}: each side must be in [{}, {}]",
                SIZE_RANGE.0, SIZE_RANGE.1
            )));
        }
        Ok(Self {
            dpi,
            size,
            steps_scale,
        })
    }

    /// Device pixels per figure unit.
    pub fn scale(&self) -> f64 {
        self.dpi / BASE_DPI
    }

    /// Refuses a PNG of `units` (figure units) that would be too large at this resolution.
    pub fn check_pixels(&self, (w, h): (f64, f64)) -> Result<()> {
        let (pw, ph) = (
            (w * self.scale()).ceil() as u64,
            (h * self.scale()).ceil() as u64,
        );
        if pw * ph > MAX_PIXELS {
            return Err(Error::input(format!(
                "the figure would be {pw}x{ph} pixels at --dpi {}; at most {MAX_PIXELS} pixels (lower --dpi or --size)",
                crate::number::readable(self.dpi)
            )));
        }
        Ok(())
    }
}

/// Parses `WxH` for `--size` (whole numbers).
pub fn parse_size(text: &str) -> Result<(u32, u32)> {
    let bad = || {
        Error::input(format!(
            "--size: expected WxH such as 800x400, got '{text}'"
        ))
    };
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let n = |s: &str| s.trim().parse::<u32>().map_err(|_| bad());
    Ok((n(w)?, n(h)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_input_errors() {
        for (dpi, size) in [(0.0, None), (5000.0, None), (96.0, Some((10, 400)))] {
            let e = FigureOptions::new(dpi, size, None).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{e}");
        }
        assert!(parse_size("800x").is_err());
        assert_eq!(parse_size("800x400").unwrap(), (800, 400));
        let huge = FigureOptions::new(1200.0, None, None).unwrap();
        assert!(huge.check_pixels((1600.0, 1600.0)).is_err());
    }
}
