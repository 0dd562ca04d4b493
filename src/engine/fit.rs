//! CPU twin of `shaders/fit.wgsl`: one start's Adam steps on one objective,
//! with the engines' composite rules ([`crate::quadrature`]): in q's frame
//! for KL(q||p), around each mode's blended bump for the alpha-divergences. Written over
//! [`Real`]: the CPU engine runs it in f64, the GPU tests run it in f32 beside
//! the kernel and compare.

use super::{Endpoint, Task};
use crate::adam::Adam;
use crate::defaults::{CONVERGED_PATIENCE, CONVERGED_STEP, DIVERGED_BEYOND};
use crate::objective::{AlphaForm, Objective, Problem, Resolved};
use crate::quadrature::{ALPHA_SUBTRACT_Q, BUMP_CUTOFF, LEGENDRE_6, Z_EDGES, transition_cuts};
use crate::real::Real;

/// 1 / sqrt(2 pi).
pub const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// ln sqrt(2 pi).
pub const LN_SQRT_2PI: f64 = crate::target::LN_SQRT_2PI;

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

/// The kernels of a launch of several problems ([`super::Engine::launch_many`])
/// and which start is whose: the starts of all tasks form one sequence,
/// task after task, and start i belongs to the last task whose first start
/// is at most i (the rule the WGSL kernel's search follows, per workgroup).
#[derive(Debug, Clone)]
pub struct Kernels<R> {
    /// Each task's kernel ([`Kernel::centred`]).
    pub kernels: Vec<Kernel<R>>,
    /// Each task's first start in the sequence, then the sequence's length.
    pub firsts: Vec<usize>,
}

impl<R: Real> Kernels<R> {
    /// The kernels of `parts` [(kernel, starts)], in order.
    pub fn new(parts: impl IntoIterator<Item = (Kernel<R>, usize)>) -> Self {
        let mut firsts = vec![0];
        let kernels = parts
            .into_iter()
            .map(|(kernel, count)| {
                firsts.push(firsts[firsts.len() - 1] + count);
                kernel
            })
            .collect();
        Self { kernels, firsts }
    }

    /// The centred kernels of `tasks` and every task's fresh states
    /// ([`Kernel::states`]), task after task: how both engines launch.
    pub fn launch(tasks: &[Task]) -> (Self, Vec<FitState<R>>) {
        let mut states = Vec::with_capacity(tasks.iter().map(|t| t.starts.len()).sum());
        let kernels = Self::new(tasks.iter().map(|t| {
            let kernel = Kernel::centred(t.problem, t.lr);
            states.extend(kernel.states(t.problem, t.starts));
            (kernel, t.starts.len())
        }));
        (kernels, states)
    }

    /// Each task's kernel and the range of its starts in the sequence.
    pub fn spans(&self) -> impl Iterator<Item = (&Kernel<R>, std::ops::Range<usize>)> {
        self.kernels
            .iter()
            .zip(self.firsts.windows(2))
            .map(|(kernel, f)| (kernel, f[0]..f[1]))
    }

    /// Every start's endpoint, each through its own task's kernel.
    pub fn endpoints(&self, states: &[FitState<R>]) -> Vec<Endpoint> {
        self.spans()
            .flat_map(|(kernel, span)| states[span].iter().map(|s| kernel.endpoint(s)))
            .collect()
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
    /// The objective with its ends resolved (what the gradient computes).
    pub resolved: Resolved,
    /// The alpha-divergence's order a (0 for the KLs).
    pub alpha: R,
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
            resolved: problem.objective.resolved(),
            alpha: R::of(match problem.objective.resolved() {
                Resolved::Alpha { a, .. } => a,
                _ => 0.0,
            }),
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
    /// both engines report it. A sigma held at the kernel's floor is the
    /// floor itself: in f32 the floor rounds to 0.10000000149, which
    /// polishing would take for a free sigma above it and follow to a
    /// nearby interior critical point instead of the floor's minimum.
    pub fn endpoint(&self, s: &FitState<R>) -> Endpoint {
        let floor = crate::defaults::SIGMA_FLOOR;
        Endpoint {
            mu: s.mu.f64() + self.centre,
            sigma: if s.sigma == R::of(floor) {
                floor
            } else {
                s.sigma.f64()
            },
            steps: s.adam.t,
            status: s.status,
        }
    }

    /// The objective's gradient (d/dmu, d/dsigma) under the engines' rule.
    pub fn gradient(&self, mu: R, sigma: R) -> [R; 2] {
        match self.resolved {
            Resolved::Alpha { form, .. } => self.alpha_gradient(mu, sigma, form),
            Resolved::Inclusive => {
                let d = mu - self.mean;
                let s2 = sigma * sigma;
                let spread = self.variance + d * d;
                [d / s2, R::of(1.0) / sigma - spread / (s2 * sigma)]
            }
            Resolved::Exclusive => {
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

    /// The alpha-divergence's gradient under the engines' rule: p^a q^(1-a)
    /// by 6-point Gauss-Legendre on the panels between the edges of every
    /// mode's blended bump (precision a / s_k^2 + (1 - a) / sigma^2 at the
    /// precision-weighted mean c_k, width r_k), c_k + r_k [`Z_EDGES`], and
    /// of q's own, mu + sigma [`Z_EDGES`], merged in order (see [`Self::alpha_panels`]). Everything in logs,
    /// scaled by the largest bump's peak g0: Amari's gradient -(1/a) J =
    /// -(1/a) e^g0 (scaled J), the Renyi form's -(1/a) J / I, where the
    /// scale cancels.
    fn alpha_gradient(&self, mu: R, sigma: R, form: AlphaForm) -> [R; 2] {
        let a = self.alpha;
        let (one, zero) = (R::of(1.0), R::of(0.0));
        let inv_sigma = one / sigma;
        let (bumps, top, ln_q0) = self.bumps(mu, sigma);
        // Near a = 0, J = int (p^a q^(1-a) - q) S is O(a) while both terms are
        // O(1): q's share is subtracted node by node (its exact integral is 0),
        // which cancels the rule's own error on it, wherever q's scaled peak
        // is moderate (beyond, the overlap is small and nothing cancels).
        let subtract = a <= R::of(0.5) && ln_q0 - top < R::of(ALPHA_SUBTRACT_Q);
        let (mut f, mut fz, mut fzz) = (zero, zero, zero);
        self.alpha_panels(&bumps, sigma, |lo, hi| {
            let mid = R::of(0.5) * (lo + hi);
            let half = R::of(0.5) * (hi - lo);
            for &(node, weight) in &LEGENDRE_6 {
                for side in [-1.0, 1.0] {
                    let x = mid + half * R::of(side * node);
                    let z = (x - mu) * inv_sigma;
                    let log_q = ln_q0 - R::of(0.5) * z * z;
                    let w = half * R::of(weight);
                    let v = w * (a * self.log_p(x) + (one - a) * log_q - top).exp();
                    let e = if subtract {
                        v - w * (log_q - top).exp()
                    } else {
                        v
                    };
                    f += v;
                    fz += e * z;
                    fzz += e * (z * z - one);
                }
            }
        });
        let scale = match form {
            AlphaForm::Amari => -top.exp() * inv_sigma / a,
            AlphaForm::Renyi => -inv_sigma / (f * a),
        };
        [scale * fz, scale * fzz]
    }

    /// Visits the alpha rule's panels [lo, hi] left to right: the edges
    /// c_k + r_k [`Z_EDGES`] of every bump in use, merged by finding, from
    /// each edge, the smallest edge beyond it (no sorting, no arrays: the
    /// shader does the same), and between the outermost ones the target's
    /// cuts for features narrower than q (its sharp transitions, where log p
    /// bends: they matter as a -> 0). A narrow bump inside a wide one thus
    /// gets its own panels, and the integrand between them is smooth.
    pub fn alpha_panels(&self, bumps: &[[R; 3]], sigma: R, mut visit: impl FnMut(R, R)) {
        let zero = R::of(0.0);
        let (mut lo, mut end) = (R::of(f64::MAX), R::of(f64::MIN));
        for b in bumps.iter().filter(|b| b[1] != zero) {
            lo = -(-lo).max(-(b[0] + b[1] * R::of(Z_EDGES[0])));
            end = end.max(b[0] + b[1] * R::of(Z_EDGES[Z_EDGES.len() - 1]));
        }
        let mut j = 0;
        while lo < end {
            let mut hi = end;
            for b in bumps.iter().filter(|b| b[1] != zero) {
                for &e in &Z_EDGES {
                    let edge = b[0] + b[1] * R::of(e);
                    if edge > lo && edge < hi {
                        hi = edge;
                    }
                }
            }
            while j < self.cuts.len() && (self.cuts[j][0] <= lo || self.cuts[j][1] >= sigma) {
                j += 1;
            }
            if j < self.cuts.len() && self.cuts[j][0] < hi {
                hi = self.cuts[j][0];
            }
            visit(lo, hi);
            lo = hi;
        }
    }

    /// Transcendental evaluations (exp and log) of one step at (mu, sigma):
    /// for KL(q||p) per quadrature node one exp for q's weight and the
    /// score's; for an alpha-divergence one log (ln sigma), a log per mode
    /// (its bump's width) and one exp (the scale e^g0, Amari's form), then
    /// per node of the merged panels one exp and log p's; none for the
    /// inclusive objective.
    pub fn exps_per_step(&self, mu: R, sigma: R) -> usize {
        match self.resolved {
            Resolved::Inclusive => 0,
            Resolved::Exclusive => {
                let mut panels = 0;
                self.panels(mu, sigma, |_, _| panels += 1);
                panels * 2 * LEGENDRE_6.len() * (1 + self.score_exps())
            }
            Resolved::Alpha { .. } => {
                let mut panels = 0;
                self.alpha_panels(&self.bumps(mu, sigma).0, sigma, |_, _| panels += 1);
                2 + self.modes.len() + panels * 2 * LEGENDRE_6.len() * (1 + self.log_p_exps())
            }
        }
    }

    /// Every mode's blended bump of (w_k N_k)^a q^(1-a) at (mu, sigma):
    /// [centre, width, peak (log)], the width set to 0 for a bump whose log
    /// mass (peak + ln width) is [`BUMP_CUTOFF`] below the largest, then q
    /// itself [mu, sigma, ln q(mu)]; g0, the largest mode bump's peak, which
    /// scales the integrand; and ln q(mu).
    fn bumps(&self, mu: R, sigma: R) -> (Vec<[R; 3]>, R, R) {
        let a = self.alpha;
        let one = R::of(1.0);
        let inv_sigma = one / sigma;
        let b = (one - a) * inv_sigma * inv_sigma;
        let ln_q0 = -(sigma.ln() + R::of(LN_SQRT_2PI));
        let mut bumps: Vec<[R; 3]> = Vec::with_capacity(self.modes.len());
        let (mut top, mut top_mass) = (R::of(f64::MIN), R::of(f64::MIN));
        let mut masses = Vec::with_capacity(self.modes.len());
        for m in &self.modes {
            let precision = a * m[2] + b;
            let centre = (a * m[2] * m[0] + b * mu) / precision;
            let (d, z) = (centre - m[0], (centre - mu) * inv_sigma);
            let peak = a * (m[3] - m[1] * d * d) + (one - a) * (ln_q0 - R::of(0.5) * z * z);
            let width = one / precision.sqrt();
            let mass = peak + width.ln();
            top = top.max(peak);
            top_mass = top_mass.max(mass);
            masses.push(mass);
            bumps.push([centre, width, peak]);
        }
        for (bump, &mass) in bumps.iter_mut().zip(&masses) {
            if mass < top_mass - R::of(BUMP_CUTOFF) {
                bump[1] = R::of(0.0);
            }
        }
        // q's own panels, which resolve its share near a = 0 (and keep the
        // rule's integral of q S, exactly 0, at the rule's accuracy).
        bumps.push([mu, sigma, ln_q0]);
        (bumps, top, ln_q0)
    }

    /// log p(x) as the kernel computes it: one mode's own log-density (no
    /// transcendental); two by the larger plus ln(1 + e^-gap) (an exp and
    /// a log); more by a stable log-sum-exp (an exp per mode and a log).
    fn log_p(&self, x: R) -> R {
        let log_density = |m: &ModeVec<R>| {
            let d = x - m[0];
            m[3] - m[1] * d * d
        };
        match self.modes.as_slice() {
            [m] => log_density(m),
            [m0, m1] => {
                let (l0, l1) = (log_density(m0), log_density(m1));
                l0.max(l1) + (R::of(1.0) + (-(l0 - l1).abs()).exp()).ln()
            }
            modes => {
                let mut top = R::of(f64::MIN);
                for m in modes {
                    top = top.max(log_density(m));
                }
                let mut sum = R::of(0.0);
                for m in modes {
                    sum += (log_density(m) - top).exp();
                }
                top + sum.ln()
            }
        }
    }

    /// Transcendentals log p takes per node: none for one mode, two for two, one per mode and a log beyond.
    fn log_p_exps(&self) -> usize {
        match self.modes.len() {
            1 => 0,
            2 => 2,
            k => k + 1,
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
