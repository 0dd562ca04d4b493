//! Pseudo-arclength continuation of F(mu, sigma, lambda) = 0: from one
//! stationary point, a predictor along the curve's tangent and a Newton
//! corrector on the curve and the plane normal to that tangent, so a branch
//! is followed through a fold (where a minimum meets a saddle and the curve
//! turns back in lambda) instead of being lost there. Arclength is measured
//! with lambda scaled to the sweep's range, so steps are even in both.

use super::system::{Local, Point3, System};

/// A point on a traced curve, corrected to |F| below [`RESIDUAL_TOL`].
#[derive(Debug, Clone, Copy)]
pub struct CurvePoint {
    /// (mu, sigma, lambda).
    pub y: Point3,
    /// Unit tangent in scaled coordinates, oriented along the trace.
    pub tangent: Point3,
    /// The derivatives there.
    pub local: Local,
}

/// Newton stops once the gradient is this small (as polishing does).
pub const RESIDUAL_TOL: f64 = 1e-10;

/// The bounds a trace stays in.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// The sweep's parameter range.
    pub lambda: (f64, f64),
    /// Lowest sigma followed (q's floor).
    pub sigma_floor: f64,
    /// Farthest |mu| and largest sigma followed.
    pub reach: f64,
}

/// Continuation of one system within bounds.
pub struct Tracer<'a> {
    system: &'a System,
    bounds: Bounds,
    /// lambda's scale in the arclength metric: the sweep range maps to about 10 units.
    lambda_scale: f64,
    /// Largest step in scaled units: a few steps per sweep value at least.
    max_step: f64,
}

/// Most points one direction of a trace takes.
const MAX_POINTS: usize = 4000;
/// Smallest step before a trace gives up.
const MIN_STEP: f64 = 1e-7;

impl<'a> Tracer<'a> {
    /// A tracer over `bounds` that takes at least two steps per sweep value (`values` of them).
    pub fn new(system: &'a System, bounds: Bounds, values: usize) -> Self {
        let range = bounds.lambda.1 - bounds.lambda.0;
        let lambda_scale = range / 10.0;
        Self {
            system,
            bounds,
            lambda_scale,
            max_step: (10.0 / values.max(2) as f64 / 2.0).min(0.25),
        }
    }

    fn scaled(&self, y: Point3) -> Point3 {
        [y[0], y[1], y[2] / self.lambda_scale]
    }

    fn unscaled(&self, u: Point3) -> Point3 {
        [u[0], u[1], u[2] * self.lambda_scale]
    }

    /// Whether `y` lies in the bounds (lambda slightly beyond the range is
    /// allowed, so a trace crosses the range's ends).
    fn inside(&self, y: Point3) -> bool {
        let (lo, hi) = self.bounds.lambda;
        let margin = 0.02 * (hi - lo);
        y[2] >= lo - margin
            && y[2] <= hi + margin
            && y[1] >= self.bounds.sigma_floor
            && y[1] <= self.bounds.reach
            && y[0].abs() <= self.bounds.reach
    }

    /// The Jacobian in scaled coordinates.
    fn scaled_jacobian(&self, local: &Local) -> [[f64; 3]; 2] {
        let j = local.jacobian;
        [
            [j[0][0], j[0][1], j[0][2] * self.lambda_scale],
            [j[1][0], j[1][1], j[1][2] * self.lambda_scale],
        ]
    }

    /// The unit null vector of the scaled Jacobian (the two rows' cross product).
    fn tangent(&self, local: &Local) -> Option<Point3> {
        let [a, b] = self.scaled_jacobian(local);
        let t = [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ];
        let n = norm(t);
        (n > 0.0 && n.is_finite()).then(|| t.map(|v| v / n))
    }

    /// Newton on F = 0 with lambda held (a point at a given parameter value).
    pub fn at_lambda(&self, start: Point3) -> Option<CurvePoint> {
        self.correct(start, [0.0, 0.0, 1.0], None)
    }

    /// Newton from `start` on F = 0 and n . (u - u0) = 0 (u0 = `start`
    /// scaled): the corrector of pseudo-arclength with n the predictor's
    /// tangent. `orient` orients the new tangent like the previous one.
    fn correct(&self, start: Point3, normal: Point3, orient: Option<Point3>) -> Option<CurvePoint> {
        let u0 = self.scaled(start);
        let mut u = u0;
        for _ in 0..30 {
            let y = self.unscaled(u);
            if !self.inside(y) && !self.near_inside(y) {
                return None;
            }
            let local = self.system.local(y)?;
            let [a, b] = self.scaled_jacobian(&local);
            let plane = dot(normal, sub(u, u0));
            let r = [local.residual[0], local.residual[1], plane];
            let converged = local.residual[0].hypot(local.residual[1]) < RESIDUAL_TOL;
            if converged && plane.abs() < 1e-12 {
                let mut tangent = self.tangent(&local)?;
                let reference = orient.unwrap_or(normal);
                if dot(tangent, reference) < 0.0 {
                    tangent = tangent.map(|v| -v);
                }
                return Some(CurvePoint { y, tangent, local });
            }
            let step = solve3([a, b, normal], r.map(|v| -v))?;
            if norm(step) > 0.5 {
                return None;
            }
            u = add(u, step);
            if converged && norm(step) < 1e-14 {
                let local = self.system.local(self.unscaled(u))?;
                let mut tangent = self.tangent(&local)?;
                if dot(tangent, orient.unwrap_or(normal)) < 0.0 {
                    tangent = tangent.map(|v| -v);
                }
                return Some(CurvePoint {
                    y: self.unscaled(u),
                    tangent,
                    local,
                });
            }
        }
        None
    }

    /// A corrector may wander a little outside while converging.
    fn near_inside(&self, y: Point3) -> bool {
        y[1] > 0.5 * self.bounds.sigma_floor && y[1].is_finite() && y[0].is_finite()
    }

    /// One predictor-corrector step of scaled length `h` from `p`.
    pub fn step(&self, p: &CurvePoint, h: f64) -> Option<CurvePoint> {
        let u = add(self.scaled(p.y), p.tangent.map(|v| v * h));
        let next = self.correct(self.unscaled(u), p.tangent, Some(p.tangent))?;
        // A step that jumped to another curve or doubled back is refused.
        let chord = sub(self.scaled(next.y), self.scaled(p.y));
        (dot(chord, p.tangent) > 0.5 * h && norm(chord) < 2.0 * h).then_some(next)
    }

    /// Follows the curve from `start` along `start.tangent` until it leaves
    /// the bounds or cannot continue; the points in order, `start` first.
    /// `stop` ends the trace after a point it accepts (one on another curve).
    pub fn trace(&self, start: CurvePoint, stop: impl Fn(&CurvePoint) -> bool) -> Vec<CurvePoint> {
        let mut points = vec![start];
        let mut h = 0.5 * self.max_step;
        while points.len() < MAX_POINTS {
            let last = *points.last().expect("the start");
            if !self.inside(last.y) {
                break;
            }
            match self.step(&last, h) {
                Some(next) => {
                    points.push(next);
                    if stop(&next) {
                        break;
                    }
                    h = (1.5 * h).min(self.max_step);
                }
                None => {
                    // Where the parameter's domain ends at the range's end
                    // (alpha at 0 or 1), no step crosses it: land on the end.
                    if let Some(end) = self.landing(&last, h) {
                        points.push(end);
                        break;
                    }
                    if h <= MIN_STEP {
                        break;
                    }
                    h *= 0.5;
                }
            }
        }
        points
    }

    /// The curve's point at the end of the range that the step of length `h`
    /// from `last` would cross, oriented like `last`; None if it crosses none.
    fn landing(&self, last: &CurvePoint, h: f64) -> Option<CurvePoint> {
        let (lo, hi) = self.bounds.lambda;
        let from = self.scaled(last.y);
        let to = self.unscaled(add(from, last.tangent.map(|v| v * h)));
        let end = if to[2] > hi && last.y[2] < hi {
            hi
        } else if to[2] < lo && last.y[2] > lo {
            lo
        } else {
            return None;
        };
        let f = (end - last.y[2]) / (to[2] - last.y[2]);
        let guess = [
            last.y[0] + f * (to[0] - last.y[0]),
            last.y[1] + f * (to[1] - last.y[1]),
            end,
        ];
        let mut p = self.at_lambda(guess)?;
        if dot(p.tangent, last.tangent) < 0.0 {
            p.tangent = p.tangent.map(|v| -v);
        }
        let chord = norm(sub(self.scaled(p.y), from));
        (chord < 2.0 * h).then_some(p)
    }

    /// The point between `a` and its successor where `measure` (a function
    /// of the corrected point) changes sign, by bisection on the step length
    /// from `a` (to about 1e-12 of the step).
    pub fn bisect(
        &self,
        a: &CurvePoint,
        b: &CurvePoint,
        measure: impl Fn(&CurvePoint) -> f64,
    ) -> Option<CurvePoint> {
        let span = norm(sub(self.scaled(b.y), self.scaled(a.y)));
        let sign_a = measure(a).signum();
        let (mut lo, mut hi) = (0.0, span);
        let mut best = *b;
        for _ in 0..45 {
            let mid = 0.5 * (lo + hi);
            let u = add(self.scaled(a.y), a.tangent.map(|v| v * mid));
            let p = self.correct(self.unscaled(u), a.tangent, Some(a.tangent))?;
            if measure(&p).signum() == sign_a {
                lo = mid;
            } else {
                hi = mid;
                best = p;
            }
            if hi - lo < 1e-12 * span.max(1e-9) {
                break;
            }
        }
        Some(best)
    }

    /// The tangent's lambda component: it changes sign at a fold.
    pub fn lambda_rate(p: &CurvePoint) -> f64 {
        p.tangent[2]
    }
}

fn dot(a: Point3, b: Point3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn add(a: Point3, b: Point3) -> Point3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

fn sub(a: Point3, b: Point3) -> Point3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn norm(a: Point3) -> f64 {
    dot(a, a).sqrt()
}

/// Solves the 3x3 system m x = r by Cramer's rule; None when singular.
fn solve3(m: [[f64; 3]; 3], r: Point3) -> Option<Point3> {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(m);
    if d == 0.0 || !d.is_finite() {
        return None;
    }
    let mut x = [0.0; 3];
    for (k, slot) in x.iter_mut().enumerate() {
        let mut mk = m;
        for (row, value) in mk.iter_mut().zip(r) {
            row[k] = value;
        }
        *slot = det(mk) / d;
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::solve3;

    #[test]
    fn cramer_solves_a_small_system() {
        let m = [[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]];
        let x = solve3(m, [3.0, 5.0, 5.0]).unwrap();
        for (got, want) in x.iter().zip([1.0, 1.0, 1.0]) {
            assert!((got - want).abs() < 1e-14);
        }
        assert!(
            solve3(
                [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 1.0]],
                [1.0; 3]
            )
            .is_none()
        );
    }
}
