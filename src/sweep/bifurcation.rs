//! Where stationary points are born, die and swap, located on the traced
//! curves: a fold where the curve turns back in the parameter (a minimum
//! meets a saddle: det H = 0 with the tangent's parameter component 0), a
//! pitchfork where a point of a mirror-symmetric target changes stability
//! while its curve goes on, and a Maxwell point where two minima have equal
//! value and the global best switches.

use serde::Serialize;

use crate::target::Mixture;

/// The kind of a bifurcation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BifurcationKind {
    /// A minimum and a saddle meet and vanish together.
    Fold,
    /// A point of a symmetric target changes stability; a pair of mirror branches meets it.
    Pitchfork,
    /// A point changes stability without a fold on a target that is not symmetric there.
    Branch,
    /// Two minima of equal value: the global best switches.
    Maxwell,
}

/// One located bifurcation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bifurcation {
    /// Fold, pitchfork, branch point or Maxwell point.
    pub kind: BifurcationKind,
    /// The parameter value.
    pub value: f64,
    /// mu of the point (for a Maxwell point, of the minimum that becomes the global best).
    pub mu: f64,
    /// sigma of the point.
    pub sigma: f64,
    /// The branches involved (indices into the sweep's branches).
    pub branches: Vec<usize>,
    /// A Maxwell point's minima, one per branch: (mu, sigma) where they tie.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<[f64; 2]>,
}

/// Whether `target` is its own mirror image about x = `centre` (modes
/// matched in weight, std and reflected mean to a relative 1e-9).
pub fn symmetric_about(target: &Mixture, centre: f64) -> bool {
    let modes = target.modes();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()));
    modes.iter().all(|m| {
        modes.iter().any(|o| {
            close(o.weight, m.weight) && close(o.std, m.std) && close(o.mean, 2.0 * centre - m.mean)
        })
    })
}

/// The root of a function with a sign change on [lo, hi], by bisection to
/// about 1e-12 of the interval; None where an evaluation fails.
pub fn root(lo: f64, hi: f64, f: impl Fn(f64) -> Option<f64>) -> Option<f64> {
    let (mut lo, mut hi) = (lo, hi);
    let sign_lo = f(lo)?.signum();
    let width = hi - lo;
    while hi - lo > 1e-12 * width.abs().max(1e-300) {
        let mid = 0.5 * (lo + hi);
        if f(mid)?.signum() == sign_lo {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetry_and_roots() {
        let t = Mixture::parse("0.5:-2:0.8,0.5:4:0.8").unwrap();
        assert!(symmetric_about(&t, 1.0));
        assert!(!symmetric_about(&t, 0.0));
        assert!(!symmetric_about(
            &Mixture::parse("0.4:-2:0.8,0.6:2:0.8").unwrap(),
            0.0
        ));
        let r = root(0.0, 2.0, |x| Some(x * x - 2.0)).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-11);
    }
}
