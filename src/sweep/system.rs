//! The equations continuation follows: the gradient of one objective set to
//! zero, F(mu, sigma, lambda) = 0, with its Jacobian [H | dF/dlambda] by
//! central differences of the exact f64 gradient. In the fixed-sigma family
//! the second equation holds sigma at the family's value, so one shape of
//! system serves both families.

use crate::error::Result;
use crate::objective::{Objective, Problem};
use crate::scenario::Scenario;

use super::parameter::Parameter;

/// A point (mu, sigma, lambda) of the unknowns.
pub type Point3 = [f64; 3];

/// One objective's stationarity along one parameter.
#[derive(Debug, Clone)]
pub struct System {
    base: Scenario,
    objective: Objective,
    parameter: Parameter,
}

/// The derivatives at a point: residual, Jacobian in (mu, sigma, lambda), free Hessian.
#[derive(Debug, Clone, Copy)]
pub struct Local {
    /// F: the gradient in the free parameters (and sigma's offset in the fixed family).
    pub residual: [f64; 2],
    /// dF / d(mu, sigma, lambda).
    pub jacobian: [[f64; 3]; 2],
    /// The objective's value.
    pub value: f64,
    /// Determinant of the Hessian in the free parameters (H_mumu in the fixed family).
    pub det: f64,
    /// Negative eigenvalues of that Hessian: 0 a minimum, 1 a saddle.
    pub index: usize,
    /// Its eigenvalues, smallest first (one for the fixed family).
    pub eigenvalues: [f64; 2],
}

impl System {
    /// Stationarity of `objective` on `base` as `parameter` varies.
    pub fn new(base: Scenario, objective: Objective, parameter: Parameter) -> Self {
        Self {
            base,
            objective,
            parameter,
        }
    }

    /// Whether sigma is learnt (the gaussian family).
    pub fn learns_sigma(&self, lambda: f64) -> bool {
        self.scenario(lambda)
            .is_ok_and(|s| s.family.fixed_sigma().is_none())
    }

    fn scenario(&self, lambda: f64) -> Result<Scenario> {
        self.parameter.scenario_at(&self.base, lambda)
    }

    /// The problem at parameter value `lambda`.
    pub fn problem(&self, lambda: f64) -> Result<Problem> {
        self.parameter
            .problem_at(&self.base, self.objective, lambda)
    }

    /// F at (mu, sigma) of `problem`.
    fn residual_of(problem: &Problem, mu: f64, sigma: f64) -> [f64; 2] {
        match problem.family.fixed_sigma() {
            Some(held) => [problem.evaluate(mu, held).d_mu, sigma - held],
            None => {
                let e = problem.evaluate(mu, sigma);
                [e.d_mu, e.d_sigma]
            }
        }
    }

    /// Everything continuation needs at `y`; None where the parameter leaves its domain.
    pub fn local(&self, y: Point3) -> Option<Local> {
        let [mu, sigma, lambda] = y;
        let problem = self.problem(lambda).ok()?;
        let held = problem.family.fixed_sigma();
        // q's width: the held one in the fixed family, where the unknown
        // sigma only tracks it through the second equation.
        let width = held.unwrap_or(sigma);
        if !(width > 0.0 && sigma > 0.0) {
            return None;
        }
        let residual = Self::residual_of(&problem, mu, sigma);
        let h_mu = 1e-5 * width;
        let h_sigma = 1e-5 * width;
        let d_mu = difference(
            Self::residual_of(&problem, mu + h_mu, sigma),
            Self::residual_of(&problem, mu - h_mu, sigma),
            h_mu,
        );
        let d_sigma = match held {
            Some(_) => [0.0, 1.0],
            None => difference(
                Self::residual_of(&problem, mu, sigma + h_sigma),
                Self::residual_of(&problem, mu, sigma - h_sigma),
                h_sigma,
            ),
        };
        // Central in lambda, one-sided at an end of its domain (alpha = 0 or 1).
        let h_lambda = 1e-6 * lambda.abs().max(1.0);
        let at = |l: f64| {
            self.problem(l)
                .ok()
                .map(|p| Self::residual_of(&p, mu, sigma))
        };
        let d_lambda = match (at(lambda + h_lambda), at(lambda - h_lambda)) {
            (Some(up), Some(down)) => difference(up, down, h_lambda),
            (Some(up), None) => difference(up, residual, 0.5 * h_lambda),
            (None, Some(down)) => difference(residual, down, 0.5 * h_lambda),
            (None, None) => return None,
        };
        let jacobian = [
            [d_mu[0], d_sigma[0], d_lambda[0]],
            [d_mu[1], d_sigma[1], d_lambda[1]],
        ];
        let (det, eigenvalues) = match held {
            Some(_) => (d_mu[0], [d_mu[0], d_mu[0]]),
            None => {
                // Symmetrised Hessian of the objective in (mu, sigma).
                let (a, b, c) = (d_mu[0], 0.5 * (d_sigma[0] + d_mu[1]), d_sigma[1]);
                let mean = 0.5 * (a + c);
                let spread = (0.25 * (a - c) * (a - c) + b * b).sqrt();
                (a * c - b * b, [mean - spread, mean + spread])
            }
        };
        let index = if held.is_some() {
            usize::from(eigenvalues[0] < 0.0)
        } else {
            eigenvalues.iter().filter(|e| **e < 0.0).count()
        };
        Some(Local {
            residual,
            jacobian,
            value: problem.evaluate(mu, width).kl,
            det,
            index,
            eigenvalues,
        })
    }
}

fn difference(plus: [f64; 2], minus: [f64; 2], h: f64) -> [f64; 2] {
    [
        (plus[0] - minus[0]) / (2.0 * h),
        (plus[1] - minus[1]) / (2.0 * h),
    ]
}
