//! The objectives, KL(p||q), KL(q||p) and the alpha-divergences between
//! them, as exact f64 values and gradients: the reference every engine,
//! polish and readout is checked against.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::quadrature;
use crate::target::{Mixture, ModeTerms};

/// Which divergence is minimised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Objective {
    /// KL(p || q): inclusive, mean-seeking; one optimum (moment matching).
    Inclusive,
    /// KL(q || p): exclusive, mode-seeking; possibly many local optima.
    Exclusive,
    /// Amari's alpha-divergence D_a(p || q) (Minka's convention) or its
    /// Renyi form: KL(q || p) at a = 0, KL(p || q) at a = 1.
    Alpha(Alpha),
}

/// How the alpha-divergence is scaled: both forms are increasing functions
/// of each other, so they have the same minima, but their gradients differ
/// by the factor 1 / I_a, so Adam's paths (and basins) differ.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum AlphaForm {
    /// D_a = (1 - I_a) / (a (1 - a)), I_a = int p^a q^(1-a): flat at 1 / (a (1 - a)) far from p.
    #[default]
    Amari,
    /// R_a = -log(I_a) / (a (1 - a)): Li and Turner's Renyi bound log(I_a) / (a - 1)
    /// divided by a, so that it too tends to both KLs at the ends; not flat far from p.
    Renyi,
}

impl AlphaForm {
    /// "amari" or "renyi", as on the command line and in JSON.
    pub fn key(self) -> &'static str {
        match self {
            AlphaForm::Amari => "amari",
            AlphaForm::Renyi => "renyi",
        }
    }
}

/// An alpha-divergence: a (kept as its bits, so that [`Objective`] stays
/// `Eq + Hash`) and its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alpha {
    bits: u64,
    /// Amari's or the Renyi form.
    pub form: AlphaForm,
}

impl Alpha {
    /// The divergence of order `a` (finite; -0 is stored as 0).
    pub const fn new(a: f64, form: AlphaForm) -> Self {
        Self {
            bits: (a + 0.0).to_bits(),
            form,
        }
    }

    /// The order a.
    pub const fn a(self) -> f64 {
        f64::from_bits(self.bits)
    }
}

/// What an objective computes once its ends are resolved: at a = 0 and
/// a = 1 the alpha-divergences are the KLs themselves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved {
    /// KL(p || q).
    Inclusive,
    /// KL(q || p).
    Exclusive,
    /// D_a or R_a for 0 < a < 1.
    Alpha {
        /// The order, strictly between 0 and 1.
        a: f64,
        /// Which form.
        form: AlphaForm,
    },
}

impl Objective {
    /// Both KL objectives, in the order the tool shows them (inclusive on top).
    pub const BOTH: [Objective; 2] = [Objective::Inclusive, Objective::Exclusive];

    /// The JSON key and command-line name.
    pub fn key(self) -> &'static str {
        match self {
            Objective::Inclusive => "inclusive",
            Objective::Exclusive => "exclusive",
            Objective::Alpha(_) => "alpha",
        }
    }

    /// The formula, for titles: "KL(p||q)", "KL(q||p)", "D_0.5(p||q)" (Amari)
    /// or "R_0.5(p||q)" (Renyi form).
    pub fn formula(self) -> String {
        match self {
            Objective::Inclusive => "KL(p||q)".into(),
            Objective::Exclusive => "KL(q||p)".into(),
            Objective::Alpha(alpha) => format!(
                "{}_{}(p||q)",
                match alpha.form {
                    AlphaForm::Amari => "D",
                    AlphaForm::Renyi => "R",
                },
                crate::number::readable(alpha.a())
            ),
        }
    }

    /// The objective with its ends resolved (a = 0: exclusive, a = 1: inclusive).
    pub fn resolved(self) -> Resolved {
        match self {
            Objective::Inclusive => Resolved::Inclusive,
            Objective::Exclusive => Resolved::Exclusive,
            Objective::Alpha(alpha) => {
                let a = alpha.a();
                if a == 0.0 {
                    Resolved::Exclusive
                } else if a == 1.0 {
                    Resolved::Inclusive
                } else {
                    Resolved::Alpha {
                        a,
                        form: alpha.form,
                    }
                }
            }
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
    /// The objective's value (a KL, or D_a / R_a for an alpha objective).
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
    /// Which divergence.
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
    /// inclusive objective, or alpha = 1) its entropy once.
    pub fn new(target: Mixture, objective: Objective, family: Family) -> Self {
        let entropy = match objective.resolved() {
            Resolved::Inclusive => target.entropy(),
            _ => f64::NAN,
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
        let (kl, d_mu, d_sigma) = match self.objective.resolved() {
            Resolved::Alpha { a, form } => {
                let o = self.overlap(a, mu, sigma);
                let c = a * (1.0 - a);
                match form {
                    AlphaForm::Amari => (-o.excess / c, -o.j[0] / a, -o.j[1] / a),
                    AlphaForm::Renyi => (-o.log_i / c, -o.j_over_i[0] / a, -o.j_over_i[1] / a),
                }
            }
            Resolved::Inclusive => {
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
            Resolved::Exclusive => {
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

/// The overlap I_a = int p^a q^(1-a) dx and J = int p^a q^(1-a) S dx (S =
/// (z / sigma, (z^2 - 1) / sigma), q's score), each in the form that keeps
/// its precision.
#[derive(Debug, Clone, Copy)]
pub struct Overlap {
    /// I_a - 1, to full relative precision as I_a -> 1 (a near 0 or 1).
    pub excess: f64,
    /// log I_a, finite where I_a itself underflows.
    pub log_i: f64,
    /// J (underflows with I_a far from p).
    pub j: [f64; 2],
    /// J / I_a (finite far from p).
    pub j_over_i: [f64; 2],
}

/// Below this overlap I_a its logarithm and J / I_a come from the integral
/// scaled by the integrand's peak rather than from I_a - 1.
const SMALL_OVERLAP: f64 = 0.5;

impl Problem {
    /// The alpha-overlap at (mu, sigma) for 0 < a < 1, by adaptive
    /// Gauss-Kronrod in x to ~1e-13, split at the integrand's features and
    /// graded around them: q (mu, sigma), every mode (m_k, s_k), every
    /// mode's blended bump (precision a / s_k^2 + (1 - a) / sigma^2 at the
    /// precision-weighted mean) and the target's transitions. Two integrals
    /// in one pass: the excess p^a q^(1-a) - b over a base b (q for a <= 1/2,
    /// p above, by expm1), whose integral is I_a - 1 without cancellation
    /// near either end, and p^a q^(1-a) scaled by its largest bump's peak,
    /// which gives log I_a and J / I_a where I_a underflows.
    pub fn overlap(&self, a: f64, mu: f64, sigma: f64) -> Overlap {
        let ln_sigma = sigma.ln();
        let log_q = |x: f64| {
            let z = (x - mu) / sigma;
            -0.5 * z * z - ln_sigma - crate::target::LN_SQRT_2PI
        };
        let inv_s2 = 1.0 / (sigma * sigma);
        let mut features = vec![(mu, sigma)];
        features.extend(self.features.iter().copied());
        // The largest bump's peak of p^a q^(1-a), and its width.
        let (mut peak, mut peak_width) = (f64::NEG_INFINITY, sigma);
        for t in self.terms() {
            let precision = a * t.precision + (1.0 - a) * inv_s2;
            let centre = (a * t.precision * t.mean + (1.0 - a) * inv_s2 * mu) / precision;
            let width = precision.sqrt().recip();
            features.push((centre, width));
            let g = a * t.log_density(centre) + (1.0 - a) * log_q(centre);
            if g > peak {
                (peak, peak_width) = (g, width);
            }
        }
        let lo = features
            .iter()
            .map(|&(x, w)| x - Z_REACH * w)
            .fold(f64::INFINITY, f64::min);
        let hi = features
            .iter()
            .map(|&(x, w)| x + Z_REACH * w)
            .fold(f64::NEG_INFINITY, f64::max);
        let reach = features.iter().map(|f| f.1).fold(0.0, f64::max);
        let breaks = quadrature::graded_breaks(features, lo, hi, reach);
        // The scaled integrand peaks near 1 / (sqrt(2 pi) width): its integral is O(1).
        let shift = peak + (peak_width * (2.0 * std::f64::consts::PI).sqrt()).ln();
        let base_is_q = a <= 0.5;
        let c = if base_is_q { a } else { 1.0 - a };
        let [e0, e1, e2, f0, f1, f2] = quadrature::adaptive(lo, hi, &breaks, REFERENCE_TOL, |x| {
            let z = (x - mu) / sigma;
            let (lq, lp) = (log_q(x), self.target.log_pdf(x));
            let (lb, l_other) = if base_is_q { (lq, lp) } else { (lp, lq) };
            let t = c * (l_other - lb);
            // (p^a q^(1-a) - b) / c, never exp(-huge) * exp(huge).
            let e = if t.abs() < 1.0 {
                lb.exp() * t.exp_m1()
            } else {
                (lb + t).exp() - lb.exp()
            } / c;
            let f = (a * lp + (1.0 - a) * lq - shift).exp();
            let zz = z * z - 1.0;
            [e, e * z, e * zz, f, f * z, f * zz]
        });
        let excess = c * e0;
        let mut j = [c * e1 / sigma, c * e2 / sigma];
        if !base_is_q {
            // int p S in closed form (int q S = 0).
            let d = self.mean - mu;
            j[0] += d * inv_s2;
            j[1] += ((self.variance + d * d) * inv_s2 - 1.0) / sigma;
        }
        if excess > -SMALL_OVERLAP {
            let i = 1.0 + excess;
            Overlap {
                excess,
                log_i: excess.ln_1p(),
                j,
                j_over_i: [j[0] / i, j[1] / i],
            }
        } else {
            let log_i = shift + f0.ln();
            let j_over_i = [f1 / (sigma * f0), f2 / (sigma * f0)];
            let i = log_i.exp();
            Overlap {
                excess: log_i.exp_m1(),
                log_i,
                j: [i * j_over_i[0], i * j_over_i[1]],
                j_over_i,
            }
        }
    }
}
