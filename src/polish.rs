//! Polishing in f64: from an engine's endpoint, Newton on the exact
//! objective until its step is ~1e-10 of the point, then the Hessian says whether the
//! point is a true local minimum (or one pressed against sigma's floor) or a saddle.

use crate::defaults::SIGMA_FLOOR;
use crate::objective::{Alpha, AlphaForm, Eval, Objective, Problem, Resolved};

/// Newton stops once its step is this small relative to the point (1 + |x|
/// per parameter): a criterion in the parameters' own units, so a nearly
/// flat objective (sigma 1e6: gradients of 1e-12 per unit of mu) is still
/// polished to its minimum, where an absolute gradient tolerance was met
/// everywhere.
const STEP_TOL: f64 = 1e-10;
/// ...or once the free gradient is this small (the reference's own noise).
const GRAD_TOL: f64 = 1e-14;
/// A polished point whose free gradient exceeds this, per unit of its
/// Hessian's diagonal where that exceeds 1, is not a critical point: a
/// stiff minimum (a mode of std 1e-3, curvature 1e6) has a gradient of
/// 1e-6 a mere 1e-12 from its exact point...
const CRITICAL_TOL: f64 = 1e-7;
/// ...nor one whose Newton step exceeds this relative to the point.
const CRITICAL_STEP: f64 = 1e-6;

/// An endpoint converged to the critical point that polishing finds from
/// it only if it stood within this of it, per unit of the point's sigma
/// where that exceeds 1: Adam's stillness rule stops where its steps are
/// small, which a decayed learning rate or a flat objective makes true far
/// from any optimum (lr 2e-5 stops 0.19 off, a flat alpha-divergence 0.23
/// off), so the gradient there must put the point this close. Measured on
/// six targets (64x32 default starts, all three objectives, lr 0.08):
/// converged endpoints stop at most 7e-3 from their polished points, the
/// inclusive objective's the farthest.
pub const REACH: f64 = 0.02;

/// Whether `point` lies within [`REACH`] of `origin` (per unit of the
/// point's sigma where that exceeds 1): only then did a fit that stood
/// still at `origin` converge to it.
pub fn within_reach(point: [f64; 2], origin: [f64; 2]) -> bool {
    let scale = REACH * point[1].max(1.0);
    (point[0] - origin[0]).abs() < scale && (point[1] - origin[1]).abs() < scale
}

/// What a polished point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Positive-definite Hessian in the free parameters.
    Minimum,
    /// A minimum pressed against sigma = floor (d/dsigma > 0 there, mu a minimum).
    BoundaryMinimum,
    /// A critical point that is not a minimum.
    Saddle,
    /// Newton did not reach a critical point.
    NotCritical,
    /// Amari's D_a on its plateau far from p: I_a is below 1e-15, so the
    /// value is its limit 1 / (a (1 - a)) to f64's precision and the
    /// gradient (of I_a's size) far below what moves Adam past its
    /// denominator guard. Nothing is polished there.
    Plateau,
}

/// A polished point and its classification.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Critical {
    /// Mean at the point.
    pub mu: f64,
    /// Width at the point.
    pub sigma: f64,
    /// Exact value and gradient there.
    pub eval: Eval,
    /// Minimum, boundary minimum, saddle or not critical.
    pub kind: Kind,
}

impl Critical {
    /// A verified local minimum (interior or on the floor).
    pub fn is_minimum(&self) -> bool {
        matches!(self.kind, Kind::Minimum | Kind::BoundaryMinimum)
    }
}

struct Local<'a> {
    problem: &'a Problem,
    learn_sigma: bool,
}

impl Local<'_> {
    fn clamp(&self, x: [f64; 2]) -> [f64; 2] {
        match self.problem.family.fixed_sigma() {
            Some(s) => [x[0], s],
            None => [x[0], x[1].max(SIGMA_FLOOR)],
        }
    }

    /// Value, whether sigma is held by the floor, and the gradient in the free parameters.
    fn grad(&self, x: [f64; 2]) -> (Eval, bool, [f64; 2]) {
        let e = self.problem.evaluate(x[0], x[1]);
        let on_floor = self.learn_sigma && x[1] <= SIGMA_FLOOR * (1.0 + 1e-12) && e.d_sigma > 0.0;
        let free_sigma = self.learn_sigma && !on_floor;
        (
            e,
            on_floor,
            [e.d_mu, if free_sigma { e.d_sigma } else { 0.0 }],
        )
    }

    /// Hessian by central differences of the exact gradient; 1x1 (mu only) unless sigma is free.
    fn hessian(&self, x: [f64; 2], free_sigma: bool) -> [[f64; 2]; 2] {
        let grad_at = |p: [f64; 2]| {
            let e = self.problem.evaluate(p[0], p[1]);
            [e.d_mu, e.d_sigma]
        };
        let h_mu = 1e-5 * x[0].abs().max(1.0);
        let plus = grad_at([x[0] + h_mu, x[1]]);
        let minus = grad_at([x[0] - h_mu, x[1]]);
        let mut h = [[(plus[0] - minus[0]) / (2.0 * h_mu), 0.0], [0.0, 0.0]];
        if free_sigma {
            let h_s = 1e-5 * x[1];
            let plus_s = grad_at([x[0], x[1] + h_s]);
            let minus_s = grad_at([x[0], x[1] - h_s]);
            let cross = 0.5
                * ((plus[1] - minus[1]) / (2.0 * h_mu) + (plus_s[0] - minus_s[0]) / (2.0 * h_s));
            h[0][1] = cross;
            h[1][0] = cross;
            h[1][1] = (plus_s[1] - minus_s[1]) / (2.0 * h_s);
        }
        h
    }

    /// Solves H d = -g in the free parameters; None if H is singular.
    fn newton_step(h: [[f64; 2]; 2], g: [f64; 2], free_sigma: bool) -> Option<[f64; 2]> {
        if !free_sigma {
            return (h[0][0] != 0.0).then(|| [-g[0] / h[0][0], 0.0]);
        }
        let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        Some([
            -(h[1][1] * g[0] - h[0][1] * g[1]) / det,
            -(h[0][0] * g[1] - h[1][0] * g[0]) / det,
        ])
    }

    fn positive_definite(h: [[f64; 2]; 2], free_sigma: bool) -> bool {
        let scale = h[0][0].abs() + h[1][1].abs();
        if free_sigma {
            h[0][0] > 0.0 && h[0][0] * h[1][1] - h[0][1] * h[1][0] > 1e-14 * scale * scale
        } else {
            h[0][0] > 1e-14
        }
    }

    /// Plain Newton iterations: converges to the nearest critical point of any kind, or gives up.
    fn newton(&self, start: [f64; 2]) -> Option<[f64; 2]> {
        let mut x = self.clamp(start);
        for _ in 0..40 {
            let (_, on_floor, g) = self.grad(x);
            if g[0].hypot(g[1]) < GRAD_TOL {
                return Some(x);
            }
            let free_sigma = self.learn_sigma && !on_floor;
            let d = Self::newton_step(self.hessian(x, free_sigma), g, free_sigma)?;
            if small_step(x, d, STEP_TOL) {
                // The last step is still taken: on a stiff minimum it is
                // what brings the gradient down.
                return Some(self.clamp([x[0] + d[0], x[1] + d[1]]));
            }
            if d[0].hypot(d[1]) > 0.5 {
                return None;
            }
            let next = self.clamp([x[0] + d[0], x[1] + d[1]]);
            if (next[0] - start[0]).abs() > 0.5 || (next[1] - start[1]).abs() > 0.5 {
                return None;
            }
            if next == x {
                return Some(x);
            }
            x = next;
        }
        None
    }

    /// Descent to a minimum: Newton where the Hessian is positive definite,
    /// gradient steps elsewhere, with backtracking on the exact value.
    fn descend(&self, start: [f64; 2]) -> [f64; 2] {
        let mut x = self.clamp(start);
        for _ in 0..400 {
            let (e, on_floor, g) = self.grad(x);
            let gn = g[0].hypot(g[1]);
            if gn < GRAD_TOL {
                break;
            }
            let free_sigma = self.learn_sigma && !on_floor;
            let h = self.hessian(x, free_sigma);
            let pd = Self::positive_definite(h, free_sigma);
            let d = match Self::newton_step(h, g, free_sigma) {
                Some(d) if pd => d,
                _ => [-g[0] / gn.max(1.0), -g[1] / gn.max(1.0)],
            };
            if pd && small_step(x, d, STEP_TOL) {
                break;
            }
            if pd && gn < 1e-6 {
                // Quadratic convergence; values no longer resolve the decrease.
                x = self.clamp([x[0] + d[0], x[1] + d[1]]);
                continue;
            }
            let mut t = 1.0;
            let mut moved = false;
            for _ in 0..60 {
                let next = self.clamp([x[0] + t * d[0], x[1] + t * d[1]]);
                let kl = self.problem.evaluate(next[0], next[1]).kl;
                if kl.is_finite() && kl < e.kl {
                    x = next;
                    moved = true;
                    break;
                }
                t *= 0.5;
            }
            if !moved {
                break;
            }
        }
        x
    }

    fn classify(&self, x: [f64; 2]) -> Critical {
        let (eval, on_floor, g) = self.grad(x);
        let free_sigma = self.learn_sigma && !on_floor;
        let h = self.hessian(x, free_sigma);
        let far =
            Self::newton_step(h, g, free_sigma).is_some_and(|d| !small_step(x, d, CRITICAL_STEP));
        let steep = (0..2).any(|i| g[i].abs() > CRITICAL_TOL * h[i][i].abs().max(1.0));
        let kind = if steep || far {
            Kind::NotCritical
        } else if Self::positive_definite(h, free_sigma) {
            if on_floor {
                Kind::BoundaryMinimum
            } else {
                Kind::Minimum
            }
        } else {
            Kind::Saddle
        };
        Critical {
            mu: x[0],
            sigma: x[1],
            eval,
            kind,
        }
    }
}

/// Whether the step `d` from `x` is below `tol` relative to each parameter (1 + |x_i|).
fn small_step(x: [f64; 2], d: [f64; 2], tol: f64) -> bool {
    d.iter()
        .zip(&x)
        .all(|(d, x)| d.abs() <= tol * (1.0 + x.abs()))
}

/// Polishes an endpoint: first plain Newton (which also finds a saddle the
/// start sat on), else descent to a minimum; then classifies the point.
///
/// Amari's D_a is polished and classified on its Renyi form R_a, which is
/// an increasing function of it (dR/dD = 1 / I_a > 0: the same critical
/// points, minima and saddles, the Hessians at them differing by the factor
/// 1 / I_a) but is not flat far from p: there D_a's gradient and Hessian
/// underflow with I_a, and an absolute tolerance would verify the plateau
/// as a minimum. The returned value and gradient are D_a's. Where D_a is
/// on its plateau ([`Kind::Plateau`]) nothing is polished.
pub fn polish(problem: &Problem, mu: f64, sigma: f64) -> Critical {
    if let Objective::Alpha(alpha) = problem.objective
        && alpha.form == AlphaForm::Amari
        && let Resolved::Alpha { a, .. } = problem.objective.resolved()
    {
        let eval = problem.evaluate(mu, sigma);
        let limit = 1.0 / (a * (1.0 - a));
        if (eval.kl - limit).abs() <= 1e-15 * limit {
            // One evaluation, where polishing the Renyi form from here took
            // seconds (each evaluation far from p costs ~0.2 s).
            return Critical {
                mu,
                sigma,
                eval,
                kind: Kind::Plateau,
            };
        }
        let renyi = Problem::new(
            problem.target.clone(),
            Objective::Alpha(Alpha::new(alpha.a(), AlphaForm::Renyi)),
            problem.family,
        );
        let c = polish(&renyi, mu, sigma);
        return Critical {
            eval: problem.evaluate(c.mu, c.sigma),
            ..c
        };
    }
    let local = Local {
        problem,
        learn_sigma: problem.family.fixed_sigma().is_none(),
    };
    let start = [mu, sigma];
    let point = local.newton(start).unwrap_or_else(|| local.descend(start));
    let critical = local.classify(point);
    if critical.kind == Kind::NotCritical {
        // Newton may have stalled on a nearly flat patch: let descent finish the job.
        return local.classify(local.descend(point));
    }
    critical
}
