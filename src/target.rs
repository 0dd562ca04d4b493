//! The target p: a Gaussian mixture, parsed and validated once, with its
//! density, log-density, score (d/dx log p), moments and entropy.

use serde::{Deserialize, Serialize};

use crate::defaults::MAX_MODES;
use crate::error::{Error, Result};
use crate::number::readable;
use crate::quadrature;

/// ln(sqrt(2 pi)).
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Largest |mean| accepted: keeps every square finite in f32 on the GPU.
pub const MAX_ABS_MEAN: f64 = 1000.0;
/// Accepted range of a mode's std.
pub const STD_RANGE: (f64, f64) = (1e-3, 1000.0);
/// Smallest accepted ratio of a weight to the largest weight: normalised
/// weights and their logarithms stay normal f64 numbers (no underflow to 0).
pub const MIN_WEIGHT_RATIO: f64 = 1e-300;

/// One mixture component: weight, mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mode {
    /// Mixture weight (normalised to sum 1 inside a [`Mixture`]).
    pub weight: f64,
    /// Component mean.
    pub mean: f64,
    /// Component standard deviation.
    pub std: f64,
}

/// A validated Gaussian mixture with weights summing to 1 (serialised as its list of modes).
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture {
    modes: Vec<Mode>,
    /// The modes' constants for the inner loops, computed once.
    terms: Vec<ModeTerms>,
}

impl Serialize for Mixture {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.modes.serialize(serializer)
    }
}

/// Per-mode constants the inner loops use: log p_k(x) = log_coef - 0.5 * precision * (x - mean)^2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeTerms {
    /// Component mean.
    pub mean: f64,
    /// 1 / std^2.
    pub precision: f64,
    /// ln w - ln std - ln sqrt(2 pi).
    pub log_coef: f64,
}

impl ModeTerms {
    /// log(w_k N(x; m_k, s_k^2)).
    pub fn log_density(&self, x: f64) -> f64 {
        self.log_coef - 0.5 * self.precision * (x - self.mean) * (x - self.mean)
    }
}

impl Mixture {
    /// Validates and normalises `modes`; one clear message for the first problem found.
    pub fn new(modes: Vec<Mode>) -> Result<Self> {
        if modes.is_empty() {
            return Err(Error::input("the target needs at least one mode"));
        }
        if modes.len() > MAX_MODES {
            return Err(Error::input(format!(
                "the target has {} modes; at most {MAX_MODES} are supported",
                modes.len()
            )));
        }
        for (i, m) in modes.iter().enumerate() {
            let n = i + 1;
            if !(m.weight.is_finite() && m.mean.is_finite() && m.std.is_finite()) {
                return Err(Error::input(format!(
                    "mode {n}: weight, mean and std must be finite numbers"
                )));
            }
            if m.weight <= 0.0 {
                return Err(Error::input(format!(
                    "mode {n}: weight must be > 0 (got {})",
                    readable(m.weight)
                )));
            }
            if m.std <= 0.0 {
                return Err(Error::input(format!(
                    "mode {n}: std must be > 0 (got {})",
                    readable(m.std)
                )));
            }
            if m.std < STD_RANGE.0 || m.std > STD_RANGE.1 {
                return Err(Error::input(format!(
                    "mode {n}: std must lie in [{}, {}] (got {})",
                    STD_RANGE.0,
                    STD_RANGE.1,
                    readable(m.std)
                )));
            }
            if m.mean.abs() > MAX_ABS_MEAN {
                return Err(Error::input(format!(
                    "mode {n}: |mean| must be at most {MAX_ABS_MEAN} (got {})",
                    readable(m.mean)
                )));
            }
        }
        // Divided by the largest weight first: the sum of at most MAX_MODES
        // ratios <= 1 cannot overflow, whatever the weights' magnitude.
        let largest = modes.iter().map(|m| m.weight).fold(0.0, f64::max);
        if let Some(n) = modes
            .iter()
            .position(|m| m.weight / largest < MIN_WEIGHT_RATIO)
        {
            return Err(Error::input(format!(
                "mode {}: weight {} is below {MIN_WEIGHT_RATIO:e} times the largest ({}); such a mode cannot be represented",
                n + 1,
                readable(modes[n].weight),
                readable(largest)
            )));
        }
        // Weights that already sum to 1 (a saved scenario) stay bit for bit;
        // only a sum that overflows is taken in units of the largest.
        let sum: f64 = modes.iter().map(|m| m.weight).sum();
        let total: f64 = modes.iter().map(|m| m.weight / largest).sum();
        let normalise = |w: f64| {
            if sum.is_finite() {
                w / sum
            } else {
                w / largest / total
            }
        };
        let modes: Vec<Mode> = modes
            .into_iter()
            .map(|m| Mode {
                weight: normalise(m.weight),
                ..m
            })
            .collect();
        let terms = modes
            .iter()
            .map(|m| ModeTerms {
                mean: m.mean,
                precision: 1.0 / (m.std * m.std),
                log_coef: m.weight.ln() - m.std.ln() - LN_SQRT_2PI,
            })
            .collect();
        Ok(Self { modes, terms })
    }

    /// Parses `w:m:s,w:m:s,...` (weight, mean, std per mode).
    pub fn parse(spec: &str) -> Result<Self> {
        let mut modes = Vec::new();
        for (i, part) in spec.split(',').enumerate() {
            let fields: Vec<&str> = part.split(':').map(str::trim).collect();
            if fields.len() != 3 {
                return Err(Error::input(format!(
                    "target mode {}: expected weight:mean:std, got '{}'",
                    i + 1,
                    part.trim()
                )));
            }
            let mut nums = [0.0; 3];
            for (slot, (text, name)) in nums
                .iter_mut()
                .zip(fields.iter().zip(["weight", "mean", "std"]))
            {
                *slot = text.parse::<f64>().map_err(|_| {
                    Error::input(format!(
                        "target mode {}: {name} '{text}' is not a number",
                        i + 1
                    ))
                })?;
            }
            modes.push(Mode {
                weight: nums[0],
                mean: nums[1],
                std: nums[2],
            });
        }
        Self::new(modes)
    }

    /// The widget's default target: two modes at -2.5 and 2.5, std 0.8, equal weights.
    pub fn widget_default() -> Self {
        Self::parse(crate::defaults::DEFAULT_TARGET).expect("default target is valid")
    }

    /// The components, weights normalised.
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// The spec string that parses back to this mixture.
    pub fn spec(&self) -> String {
        self.modes
            .iter()
            .map(|m| {
                format!(
                    "{}:{}:{}",
                    readable(m.weight),
                    readable(m.mean),
                    readable(m.std)
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Per-mode constants for the inner loops.
    pub fn terms(&self) -> &[ModeTerms] {
        &self.terms
    }

    /// log p(x), by log-sum-exp: finite for every finite x.
    pub fn log_pdf(&self, x: f64) -> f64 {
        self.log_pdf_and_score(x).0
    }

    /// p(x).
    pub fn pdf(&self, x: f64) -> f64 {
        self.log_pdf(x).exp()
    }

    /// log p(x) and the score d/dx log p(x), from responsibilities as a stable softmax.
    pub fn log_pdf_and_score(&self, x: f64) -> (f64, f64) {
        let max = self
            .terms
            .iter()
            .map(|t| t.log_density(x))
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut sum, mut weighted) = (0.0, 0.0);
        for t in &self.terms {
            let r = (t.log_density(x) - max).exp();
            sum += r;
            weighted -= r * t.precision * (x - t.mean);
        }
        (max + sum.ln(), weighted / sum)
    }

    /// The index of the component with the largest weighted density at x.
    pub fn dominant(&self, x: f64) -> usize {
        (0..self.terms.len())
            .max_by(|&a, &b| {
                self.terms[a]
                    .log_density(x)
                    .total_cmp(&self.terms[b].log_density(x))
            })
            .expect("at least one mode")
    }

    /// The midpoint of the lowest and highest mean: the engines' frame is
    /// centred here, so f32 resolves positions near the modes as finely as
    /// near 0.
    pub fn centre(&self) -> f64 {
        let (lo, hi) = self
            .modes
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), m| {
                (lo.min(m.mean), hi.max(m.mean))
            });
        0.5 * (lo + hi)
    }

    /// E_p[x].
    pub fn mean(&self) -> f64 {
        self.modes.iter().map(|m| m.weight * m.mean).sum()
    }

    /// Var_p[x].
    pub fn variance(&self) -> f64 {
        let mean = self.mean();
        self.modes
            .iter()
            .map(|m| m.weight * (m.std * m.std + (m.mean - mean) * (m.mean - mean)))
            .sum()
    }

    /// Points where two components' weighted densities are equal: where the
    /// score changes fastest, so quadrature splits its intervals there.
    pub fn crossovers(&self) -> Vec<f64> {
        let terms = self.terms();
        let mut out = Vec::new();
        for (i, a) in terms.iter().enumerate() {
            for b in &terms[i + 1..] {
                // a.log_coef - a.prec/2 (x-ma)^2 = b.log_coef - b.prec/2 (x-mb)^2
                let qa = 0.5 * (b.precision - a.precision);
                let qb = a.precision * a.mean - b.precision * b.mean;
                let qc = a.log_coef - b.log_coef - 0.5 * a.precision * a.mean * a.mean
                    + 0.5 * b.precision * b.mean * b.mean;
                if qa.abs() < 1e-12 * (a.precision + b.precision) {
                    if qb != 0.0 {
                        out.push(-qc / qb);
                    }
                    continue;
                }
                let disc = qb * qb - 4.0 * qa * qc;
                if disc >= 0.0 {
                    let root = disc.sqrt();
                    // Numerically stable pair of roots.
                    let q = -0.5 * (qb + qb.signum() * root);
                    if q != 0.0 {
                        out.push(q / qa);
                        out.push(qc / q);
                    } else {
                        out.push(-qb / (2.0 * qa));
                    }
                }
            }
        }
        out.retain(|x| x.is_finite());
        out
    }

    /// Where the dominant component changes (the upper envelope of the
    /// components' log-densities), left to right, each with the logistic
    /// scale over which responsibility passes from one to the next: the
    /// score's sharp transitions, which quadrature must resolve.
    pub fn transitions(&self) -> Vec<(f64, f64)> {
        let terms = self.terms();
        let mut points = self.crossovers();
        points.sort_by(f64::total_cmp);
        let mut out = Vec::new();
        for (i, &x) in points.iter().enumerate() {
            let left = if i == 0 {
                x - 1.0 - x.abs()
            } else {
                0.5 * (points[i - 1] + x)
            };
            let right = points
                .get(i + 1)
                .map_or(x + 1.0 + x.abs(), |&r| 0.5 * (x + r));
            let (a, b) = (self.dominant(left), self.dominant(right));
            if a != b {
                let slope_gap = (terms[a].precision * (x - terms[a].mean)
                    - terms[b].precision * (x - terms[b].mean))
                    .abs();
                out.push((
                    x,
                    if slope_gap > 0.0 {
                        1.0 / slope_gap
                    } else {
                        f64::INFINITY
                    },
                ));
            }
        }
        out
    }

    /// The target's sharp features with their widths: every mode (mean,
    /// std) and every transition of the dominant component (crossover,
    /// logistic scale). Quadrature grades its breakpoints around each one
    /// ([`quadrature::graded_breaks`]).
    pub fn features(&self) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = self.modes.iter().map(|m| (m.mean, m.std)).collect();
        out.extend(self.transitions());
        out
    }

    /// Differential entropy H(p) = -E_p[log p], by adaptive quadrature to ~1e-13.
    pub fn entropy(&self) -> f64 {
        let lo = self
            .modes
            .iter()
            .map(|m| m.mean - 40.0 * m.std)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .modes
            .iter()
            .map(|m| m.mean + 40.0 * m.std)
            .fold(f64::NEG_INFINITY, f64::max);
        let breaks = quadrature::graded_breaks(self.features(), lo, hi, hi - lo);
        let [h] = quadrature::adaptive(lo, hi, &breaks, 1e-13, |x| {
            let (lp, _) = self.log_pdf_and_score(x);
            [-lp.exp() * lp]
        });
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalised_weights_read_back_bit_for_bit() {
        let m = Mixture::parse("0.3:-2:0.5,0.4:1:0.8,0.3:3:0.4").unwrap();
        let again = Mixture::new(m.modes().to_vec()).unwrap();
        assert_eq!(again.modes(), m.modes());
        assert_eq!(m.modes()[0].weight, 0.3);
        assert!(m.spec().starts_with("0.3:-2:0.5,"), "{}", m.spec());
        let huge = Mixture::parse("1e308:0:1,1e308:1:1").unwrap();
        assert_eq!(huge.modes()[0].weight, 0.5);
    }
}
