//! The scale of "steps to converge": one for every map of a figure (or
//! fixed by `--steps-scale`), cut into a few bands so the colour bar can
//! be read as numbers and equal shades mean equal step counts.

use super::style::STEP_LEVELS;
use super::ticks::nice_ceil;
use crate::landscape::Landscape;
use crate::palette::{self, Rgb};

/// Step counts from 0 to `max` in [`STEP_LEVELS`] bands; counts above `max` take the last band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepScale {
    /// The count the scale ends on.
    pub max: u32,
    /// Whether some converged start took more than `max` steps.
    pub clipped: bool,
}

impl StepScale {
    /// The scale for `maps`: `fixed` if given, else the slowest converged
    /// start of any map rounded up to a round number.
    pub fn new<'a>(maps: impl IntoIterator<Item = &'a Landscape>, fixed: Option<u32>) -> Self {
        let slowest = maps
            .into_iter()
            .flat_map(|m| m.labels.iter().zip(&m.steps_to_converge))
            .filter(|(l, _)| **l >= 0)
            .map(|(_, s)| *s)
            .max()
            .unwrap_or(1);
        let max = fixed
            .unwrap_or_else(|| nice_ceil(f64::from(slowest)) as u32)
            .max(1);
        Self {
            max,
            clipped: slowest > max,
        }
    }

    /// The band (0-based) of a start that took `steps` steps.
    pub fn band(&self, steps: u32) -> u32 {
        (u64::from(steps) * u64::from(STEP_LEVELS) / u64::from(self.max))
            .min(u64::from(STEP_LEVELS - 1)) as u32
    }

    /// The colour of band `band` of optimum `label`'s basin (grey for no optimum).
    pub fn band_colour(&self, label: i32, band: u32) -> Rgb {
        // The band's middle, on the palette's scale of 0..=max.
        let mid = (f64::from(band) + 0.5) * f64::from(self.max) / f64::from(STEP_LEVELS);
        palette::cell_colour(label, mid.round() as u32, self.max)
    }

    /// A map cell's colour.
    pub fn colour(&self, label: i32, steps: u32) -> Rgb {
        self.band_colour(label, self.band(steps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_the_scale_and_clip_above_it() {
        let s = StepScale {
            max: 800,
            clipped: false,
        };
        assert_eq!(s.band(0), 0);
        assert_eq!(s.band(99), 0);
        assert_eq!(s.band(100), 1);
        assert_eq!(s.band(799), STEP_LEVELS - 1);
        assert_eq!(s.band(5000), STEP_LEVELS - 1);
        assert_ne!(
            s.colour(0, 10),
            s.colour(0, 790),
            "fast and slow starts differ"
        );
    }
}
