//! The two objectives, KL(p||q) and KL(q||p), as exact f64 values and
//! gradients: the reference every engine, polish and readout is checked against.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::quadrature;
use crate::target::{Mixture, ModeTerms};

/// Which KL direction is minimised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Objective {
    /// KL(p || q): inclusive, mean-seeking; one optimum (moment matching).
    Inclusive,
    /// KL(q || p): exclusive, mode-seeking; possibly many local optima.
    Exclusive,
}

impl Objective {
    /// Both objectives, in the order the tool shows them (inclusive on top).
    pub const BOTH: [Objective; 2] = [Objective::Inclusive, Objective::Exclusive];

    /// The JSON key and command-line name.
    pub fn key(self) -> &'static str {
        match self {
            Objective::Inclusive => "inclusive",
            Objective::Exclusive => "exclusive",
        }
    }

    /// The formula, for titles.
    pub fn formula(self) -> &'static str {
        match self {
            Objective::Inclusive => "KL(p||q)",
            Objective::Exclusive => "KL(q||p)",
        }
    }
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The model family of q = N(mu, sigma^2).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Family {
    /// Both mu and sigma learn.
    Gaussian,
    /// sigma is held at the given value; only mu learns.
    FixedSigma {
        /// The held width.
        sigma: f64,
    },
}

impl Family {
    /// The held sigma, if any.
    pub fn fixed_sigma(self) -> Option<f64> {
        match self {
            Family::Gaussian => None,
            Family::FixedSigma { sigma } => Some(sigma),
        }
    }

    /// Short label for titles: "gaussian" or "fixed sigma = 1".
    pub fn label(self) -> String {
        match self {
            Family::Gaussian => "gaussian".into(),
            Family::FixedSigma { sigma } => {
                format!("fixed sigma = {}", crate::number::readable(sigma))
            }
        }
    }
}

/// Value and gradient of an objective at (mu, sigma).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eval {
    /// The KL divergence.
    pub kl: f64,
    /// d KL / d mu.
    pub d_mu: f64,
    /// d KL / d sigma (0 in the fixed-sigma family).
    pub d_sigma: f64,
}

impl Eval {
    /// Euclidean norm of the gradient.
    pub fn grad_norm(&self) -> f64 {
        self.d_mu.hypot(self.d_sigma)
    }
}

/// How far into q's tails (in sigmas) the reference integral reaches; the
/// Gaussian weight beyond is below 1e-31.
const Z_REACH: f64 = 12.0;
/// q's own breakpoints in z: its curvature changes over a unit of z.
const Q_BREAKS: [f64; 9] = [-8.0, -4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0, 8.0];
/// Reference quadrature tolerance.
const REFERENCE_TOL: f64 = 1e-13;

/// One objective on one target in one family, with the target's constants
/// computed once: what every engine, landscape and view works on.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The target p.
    pub target: Mixture,
    /// Which KL direction.
    pub objective: Objective,
    /// The model family.
    pub family: Family,
    /// The target's features (position, width) the reference grades its breakpoints around.
    features: Vec<(f64, f64)>,
    mean: f64,
    variance: f64,
    entropy: f64,
}

impl Problem {
    /// Sets up the problem; computes the target's moments and (for the
    /// inclusive objective) its entropy once.
    pub fn new(target: Mixture, objective: Objective, family: Family) -> Self {
        let entropy = match objective {
            Objective::Inclusive => target.entropy(),
            Objective::Exclusive => f64::NAN,
        };
        Self {
            features: target.features(),
            mean: target.mean(),
            variance: target.variance(),
            entropy,
            target,
            objective,
            family,
        }
    }

    /// The target's per-mode constants.
    pub fn terms(&self) -> &[ModeTerms] {
        self.target.terms()
    }

    /// E_p[x] and Var_p[x].
    pub fn moments(&self) -> (f64, f64) {
        (self.mean, self.variance)
    }

    /// Exact value and gradient (closed form, or adaptive quadrature in q's
    /// frame to ~1e-13). In the fixed family d_sigma is 0 and sigma is the held one.
    pub fn evaluate(&self, mu: f64, sigma: f64) -> Eval {
        let sigma = self.family.fixed_sigma().unwrap_or(sigma);
        let (kl, d_mu, d_sigma) = match self.objective {
            Objective::Inclusive => {
                let spread = self.variance + (self.mean - mu) * (self.mean - mu);
                let s2 = sigma * sigma;
                let kl =
                    -self.entropy + sigma.ln() + crate::target::LN_SQRT_2PI + spread / (2.0 * s2);
                (
                    kl,
                    (mu - self.mean) / s2,
                    1.0 / sigma - spread / (s2 * sigma),
                )
            }
            Objective::Exclusive => {
                // In q's frame a feature of width s is one of width s / sigma;
                // grading stops at q's own scale (z = 1), which q's breaks resolve.
                let mut breaks = quadrature::graded_breaks(
                    self.features
                        .iter()
                        .map(|&(x, s)| ((x - mu) / sigma, s / sigma)),
                    -Z_REACH,
                    Z_REACH,
                    1.0,
                );
                breaks.extend(Q_BREAKS);
                let [e_log_p, e_g, e_zg] =
                    quadrature::adaptive(-Z_REACH, Z_REACH, &breaks, REFERENCE_TOL, |z| {
                        let phi = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
                        let (lp, g) = self.target.log_pdf_and_score(mu + sigma * z);
                        [phi * lp, phi * g, phi * z * g]
                    });
                let neg_entropy_q = -(sigma.ln() + crate::target::LN_SQRT_2PI + 0.5);
                (neg_entropy_q - e_log_p, -e_g, -1.0 / sigma - e_zg)
            }
        };
        Eval {
            kl,
            d_mu,
            d_sigma: if self.family.fixed_sigma().is_some() {
                0.0
            } else {
                d_sigma
            },
        }
    }
}
