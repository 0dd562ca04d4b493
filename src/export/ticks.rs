//! Tick positions and labels: 1-2-5 steps on linear axes, 1-2-5 per decade
//! (and the ends) on log axes, and the round number a scale ends on.

use crate::landscape::Axis;

/// Ticks at 1, 2 or 5 times a power of ten, about `target` of them over [lo, hi].
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let step = nice_step((hi - lo) / target.max(1) as f64);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    // Rounded to the step's decimals: 3 x 0.2 is 0.6, not 0.6000000000000001.
    let scale = 10f64.powi((-step.log10().floor()).max(0.0) as i32);
    (first..=last)
        .map(|k| (k as f64 * step * scale).round() / scale)
        .collect()
}

/// The smallest of 1, 2, 5 times a power of ten that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

/// A tick's label: at most two decimals, trailing zeros dropped, never "-0".
pub fn tick_label(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Ticks on a log axis over [lo, hi]: 1, 2 and 5 times each power of ten
/// (every integer mantissa when the range spans less than a decade), plus
/// the ends where no tick is near them.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let decades = (hi / lo).log10();
    let mantissas: &[f64] = if decades < 1.0 {
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    let mut ticks: Vec<f64> = (lo.log10().floor() as i32..=hi.log10().ceil() as i32)
        .flat_map(|e| mantissas.iter().map(move |m| m * 10f64.powi(e)))
        .filter(|v| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9))
        .collect();
    let near = |a: f64, b: f64| ((a / b).log10() / decades).abs() < 0.08;
    for end in [lo, hi] {
        if !ticks.iter().any(|t| near(*t, end)) {
            ticks.push(end);
        }
    }
    ticks.sort_by(f64::total_cmp);
    ticks
}

/// The ticks of a grid axis: log ticks on a log axis, about `target` 1-2-5 ticks otherwise.
pub fn axis_ticks(axis: &Axis, target: usize) -> Vec<f64> {
    if axis.log {
        log_ticks(axis.lo, axis.hi)
    } else {
        nice_ticks(axis.lo, axis.hi, target)
    }
}

/// The round number a scale for values up to `v` ends on: `v` rounded up
/// to 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten.
pub fn nice_ceil(v: f64) -> f64 {
    let v = v.max(1.0);
    let power = 10f64.powf(v.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|s| *s >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_label_the_tenths_and_the_ends() {
        let labels: Vec<String> = log_ticks(0.1, 4.0).into_iter().map(tick_label).collect();
        assert_eq!(labels, ["0.1", "0.2", "0.5", "1", "2", "4"]);
    }

    #[test]
    fn log_ticks_within_a_decade_use_every_mantissa() {
        assert_eq!(log_ticks(1.0, 4.0), [1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn nice_ticks_step_by_one_two_five() {
        assert_eq!(
            nice_ticks(-7.0, 7.0, 7),
            [-6.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0]
        );
        assert_eq!(tick_label(-0.0001), "0");
        let fifths = nice_ticks(0.0, 1.0, 5);
        assert_eq!(fifths, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(crate::number::readable(fifths[3]), "0.6");
    }

    #[test]
    fn nice_ceil_rounds_up_to_a_round_number() {
        assert_eq!(nice_ceil(173.0), 200.0);
        assert_eq!(nice_ceil(2000.0), 2000.0);
        assert_eq!(nice_ceil(2001.0), 2500.0);
    }
}
