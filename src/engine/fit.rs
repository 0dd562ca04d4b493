//! CPU twin of `shaders/fit.wgsl`: one start's Adam steps on one objective,
//! with the engines' composite rule in q's frame ([`crate::quadrature`]). Written over
//! [`Real`]: the CPU engine runs it in f64, the GPU tests run it in f32 beside
//! the kernel and compare.

use super::Endpoint;
use crate::adam::Adam;
use crate::defaults::{CONVERGED_PATIENCE, CONVERGED_STEP, DIVERGED_BEYOND};
use crate::objective::{Objective, Problem};
use crate::quadrature::{LEGENDRE_6, Z_EDGES, transition_cuts};
use crate::real::Real;

/// 1 / sqrt(2 pi).
pub const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// A start still running.
pub const RUNNING: u32 = 0;
/// A start that stood still for [`CONVERGED_PATIENCE`] steps.
pub const CONVERGED: u32 = 1;
/// A start whose parameters left the finite range.
pub const DIVERGED: u32 = 2;

/// Everything one start carries between steps (and between GPU chunks).
/// `#[repr(C)]`: the f32 form is byte for byte the GPU's `FitState`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct FitState<R> {
    /// Current mean of q.
    pub mu: R,
    /// Current width of q.
    pub sigma: R,
    /// Adam's moments and step counter.
    pub adam: Adam<R>,
    /// Steps in a row that moved less than [`CONVERGED_STEP`].
    pub still: u32,
    /// [`RUNNING`], [`CONVERGED`] or [`DIVERGED`].
    pub status: u32,
}

// SAFETY: repr(C), every field is 4 bytes wide (f32 or u32 or arrays of them): no padding, any bits valid.
unsafe impl bytemuck::Zeroable for FitState<f32> {}
// SAFETY: as above.
unsafe impl bytemuck::Pod for FitState<f32> {}

impl<R: Real> FitState<R> {
    /// A fresh start at (mu0, sigma0) (sigma0 raised to the floor if below).
    pub fn new(mu0: f64, sigma0: f64) -> Self {
        Self {
            mu: R::of(mu0),
            sigma: R::of(sigma0.max(crate::defaults::SIGMA_FLOOR)),
            adam: Adam::default(),
            still: 0,
            status: RUNNING,
        }
    }
}

/// A mode's constants as the kernel reads them: (mean, precision/2, precision, log_coef).
pub type ModeVec<R> = [R; 4];

/// Everything the kernel needs about the problem, rounded to R once, in a
/// frame shifted by `centre`: the kernel's x (and mu) is the user's minus
/// `centre`. Both KLs are invariant under a shift of x, and so is Adam's
/// update (it sees only gradients), so the shift changes nothing but
/// rounding: in f32 a mean near 1000 has a spacing of 6e-5, too coarse for
/// the 1e-5 stillness rule, while centred on the target it is exact enough.
#[derive(Debug, Clone)]
pub struct Kernel<R> {
    /// The user's x of the kernel's x = 0 (0 for [`Kernel::new`]).
    pub centre: f64,
    /// Which objective's gradient to follow.
    pub objective: Objective,
    /// Held sigma in the fixed family.
    pub fixed_sigma: Option<R>,
    /// Per-mode constants.
    pub modes: Vec<ModeVec<R>>,
    /// Panel edges in x around the target's sharp features, sorted: (x, feature scale).
    pub cuts: Vec<[R; 2]>,
    /// E_p[x] (inclusive objective).
    pub mean: R,
    /// Var_p[x] (inclusive objective).
    pub variance: R,
    /// Adam's base learning rate.
    pub lr: R,
}

impl<R: Real> Kernel<R> {
    /// The kernel in the user's coordinates (centre 0): for single fits
    /// whose every step is read in the user's frame (the window, `fit`).
    pub fn new(problem: &Problem, lr: f64) -> Self {
        Self::in_frame(problem, lr, 0.0)
    }

    /// The kernel both engines run: centred on the target
    /// ([`crate::target::Mixture::centre`]). Starts enter through
    /// [`Kernel::states`] and leave through [`Kernel::endpoint`].
    pub fn centred(problem: &Problem, lr: f64) -> Self {
        Self::in_frame(problem, lr, problem.target.centre())
    }

    /// Rounds the problem's constants and the transition cuts, shifted by
    /// `centre` in f64, to R.
    fn in_frame(problem: &Problem, lr: f64, centre: f64) -> Self {
        let (mean, variance) = problem.moments();
        Self {
            centre,
            objective: problem.objective,
            fixed_sigma: problem.family.fixed_sigma().map(R::of),
            modes: problem
                .terms()
                .iter()
                .map(|t| {
                    [
                        R::of(t.mean - centre),
                        R::of(0.5 * t.precision),
                        R::of(t.precision),
                        R::of(t.log_coef),
                    ]
                })
                .collect(),
            cuts: transition_cuts(&problem.target)
                .into_iter()
                .map(|c| [R::of(c.x - centre), R::of(c.scale)])
                .collect(),
            mean: R::of(mean - centre),
            variance: R::of(variance),
            lr: R::of(lr),
        }
    }

    /// Fresh states in this kernel's frame for a batch's starts [(mu0,
    /// sigma0)] in the user's; in the fixed family every start takes the
    /// held sigma. Both engines launch this way.
    pub fn states(&self, problem: &Problem, starts: &[[f64; 2]]) -> Vec<FitState<R>> {
        let fixed = problem.family.fixed_sigma();
        starts
            .iter()
            .map(|&[mu, sigma]| FitState::new(mu - self.centre, fixed.unwrap_or(sigma)))
            .collect()
    }

    /// Where a start of this kernel stands, in f64 and the user's frame, as
    /// both engines report it.
    pub fn endpoint(&self, s: &FitState<R>) -> Endpoint {
        Endpoint {
            mu: s.mu.f64() + self.centre,
            sigma: s.sigma.f64(),
            steps: s.adam.t,
            status: s.status,
        }
    }

    /// The objective's gradient (d/dmu, d/dsigma) under the engines' rule.
    pub fn gradient(&self, mu: R, sigma: R) -> [R; 2] {
        match self.objective {
            Objective::Inclusive => {
                let d = mu - self.mean;
                let s2 = sigma * sigma;
                let spread = self.variance + d * d;
                [d / s2, R::of(1.0) / sigma - spread / (s2 * sigma)]
            }
            Objective::Exclusive => {
                let inv_sigma = R::of(1.0) / sigma;
                let (mut e_g, mut e_zg) = (R::of(0.0), R::of(0.0));
                self.panels(mu, sigma, |a, b| {
                    let centre = R::of(0.5) * (a + b);
                    let half = R::of(0.5) * (b - a);
                    for &(node, weight) in &LEGENDRE_6 {
                        for side in [-1.0, 1.0] {
                            let x = centre + half * R::of(side * node);
                            let z = (x - mu) * inv_sigma;
                            let w = half * R::of(weight) * (R::of(-0.5) * z * z).exp();
                            let g = self.score(x);
                            e_g += w * g;
                            e_zg += w * z * g;
                        }
                    }
                });
                let norm = R::of(INV_SQRT_2PI) * inv_sigma;
                [-(norm * e_g), -(R::of(1.0) / sigma) - norm * e_zg]
            }
        }
    }

    /// Visits the panels [a, b] of the engines' rule at (mu, sigma), left to
    /// right: q's z-edges merged with the target's cuts, skipping cuts outside
    /// q's reach or for features broader than q.
    pub fn panels(&self, mu: R, sigma: R, mut visit: impl FnMut(R, R)) {
        let mut a = mu + sigma * R::of(Z_EDGES[0]);
        let mut j = 0;
        while j < self.cuts.len() && self.cuts[j][0] <= a {
            j += 1;
        }
        let mut i = 1;
        while i < Z_EDGES.len() {
            let edge = mu + sigma * R::of(Z_EDGES[i]);
            let b = if j < self.cuts.len() && self.cuts[j][0] < edge {
                j += 1;
                if self.cuts[j - 1][1] >= sigma {
                    continue;
                }
                self.cuts[j - 1][0]
            } else {
                i += 1;
                edge
            };
            visit(a, b);
            a = b;
        }
    }

    /// Transcendental evaluations (exp) of one step at (mu, sigma): per
    /// quadrature node one for q's weight and the score's; none for the inclusive objective.
    pub fn exps_per_step(&self, mu: R, sigma: R) -> usize {
        match self.objective {
            Objective::Inclusive => 0,
            Objective::Exclusive => {
                let mut panels = 0;
                self.panels(mu, sigma, |_, _| panels += 1);
                panels * 2 * LEGENDRE_6.len() * (1 + self.score_exps())
            }
        }
    }

    /// d/dx log p(x), as the kernel computes it: one mode's own pull (no
    /// exp); two modes' pulls by a softmax of two (one exp, of minus the
    /// log-density gap's size: it underflows instead of overflowing); otherwise a two-pass
    /// stable softmax (the log-densities recomputed in the second pass).
    fn score(&self, x: R) -> R {
        let log_density = |m: &ModeVec<R>| {
            let d = x - m[0];
            m[3] - m[1] * d * d
        };
        let pull = |m: &ModeVec<R>| m[2] * (m[0] - x);
        match self.modes.as_slice() {
            [m] => pull(m),
            [m0, m1] => {
                // A softmax of two by one exp of minus the gap's size: each pull
                // weighted by its own responsibility, never pull0 + (pull1 - pull0) r,
                // whose cancellation leaves f32 noise of the larger pull's spacing
                // (a spike's pull of 1e6 against a broad mode's of 1).
                let gap = log_density(m0) - log_density(m1);
                let (near, far) = if gap > R::of(0.0) { (m0, m1) } else { (m1, m0) };
                let e = (-gap.abs()).exp();
                (pull(near) + e * pull(far)) / (R::of(1.0) + e)
            }
            modes => {
                let mut top = R::of(f64::MIN);
                for m in modes {
                    top = top.max(log_density(m));
                }
                let (mut sum, mut total) = (R::of(0.0), R::of(0.0));
                for m in modes {
                    let r = (log_density(m) - top).exp();
                    sum += r;
                    total += r * pull(m);
                }
                total / sum
            }
        }
    }

    /// Exps the score takes per node: none for one mode, one for two, one per mode beyond.
    fn score_exps(&self) -> usize {
        match self.modes.len() {
            1 => 0,
            2 => 1,
            k => k,
        }
    }

    /// One Adam step of a running start, with the convergence and divergence checks.
    pub fn step(&self, s: &mut FitState<R>) {
        let sigma = self.fixed_sigma.unwrap_or(s.sigma);
        let grad = self.gradient(s.mu, sigma);
        let next = s
            .adam
            .update([s.mu, sigma], grad, self.lr, self.fixed_sigma.is_none());
        let limit = R::of(DIVERGED_BEYOND);
        if !(next[0].is_finite() && next[1].is_finite()) || next[0].abs() > limit || next[1] > limit
        {
            s.status = DIVERGED;
            return;
        }
        let moved = (next[0] - s.mu).abs().max((next[1] - sigma).abs());
        s.mu = next[0];
        s.sigma = next[1];
        s.still = if moved < R::of(CONVERGED_STEP) {
            s.still + 1
        } else {
            0
        };
        if s.still >= CONVERGED_PATIENCE {
            s.status = CONVERGED;
        }
    }

    /// Runs a start for up to `steps` more steps, stopping when it converges or diverges.
    pub fn fit(&self, s: &mut FitState<R>, steps: u32) {
        for _ in 0..steps {
            if s.status != RUNNING {
                return;
            }
            self.step(s);
        }
    }
}
