//! Quadrature: the engines' composite rule in q's frame (Gauss-Legendre
//! panels in z, split at the target's sharp transitions), and an adaptive
//! Gauss-Kronrod integral (the reference, split at breakpoints graded
//! around the target's features).

use crate::target::Mixture;

/// Panel edges of the engines' rule in z = (x - mu) / sigma: 9 panels (7
/// fail the 1e-7 accuracy test); q's weight beyond +-7 is below 1.3e-12.
pub const Z_EDGES: [f64; 10] = [-7.0, -5.0, -3.0, -1.5, -0.5, 0.5, 1.5, 3.0, 5.0, 7.0];

/// 6-point Gauss-Legendre on [-1, 1]: (node, weight) for the positive half; the rule is symmetric.
pub const LEGENDRE_6: [(f64, f64); 3] = [
    (0.238_619_186_083_196_9, 0.467_913_934_572_691),
    (0.661_209_386_466_264_5, 0.360_761_573_048_138_6),
    (0.932_469_514_203_152, 0.171_324_492_379_170_3),
];

/// The alpha rule skips a mode's blended bump whose log mass is this far
/// below the largest bump's (it contributes below e^-40 = 4e-18 of I_a).
pub const BUMP_CUTOFF: f64 = 40.0;

/// The alpha rule subtracts q's share node by node (see
/// `Kernel::alpha_gradient`) while q's peak is at most e^this times the
/// integrand's largest bump peak.
pub const ALPHA_SUBTRACT_Q: f64 = 3.0;

/// Multiples of a transition's logistic scale at which the engines' rule
/// cuts panels around it (responsibility is within e^-27 of 0 or 1 beyond).
const TRANSITION_GRADING: [f64; 9] = [-27.0, -9.0, -3.0, -1.0, 0.0, 1.0, 3.0, 9.0, 27.0];

/// Multiples of a mode's std at which the engines' rule cuts panels around
/// the mean of a mode buried under others.
const MODE_GRADING: [f64; 7] = [-6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0];

/// Most cuts a target can need (16 modes and 15 transitions).
pub const MAX_CUTS: usize = TRANSITION_GRADING.len() * (crate::defaults::MAX_MODES - 1)
    + MODE_GRADING.len() * crate::defaults::MAX_MODES;

/// A panel edge of the engines' rule in x, with the scale of the feature it
/// resolves: it is used only while that scale is below q's sigma (broader
/// features are resolved by q's own panels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    /// Position in x.
    pub x: f64,
    /// Width of the feature the cut is for (a transition's logistic scale or a mode's std).
    pub scale: f64,
}

/// The engines' extra panel edges in x for `target`, sorted: graded around
/// every sharp transition of its score (each kept within half the gap to its
/// neighbours) and, over its width, around every mode that does not dominate
/// at its own mean.
pub fn transition_cuts(target: &Mixture) -> Vec<Cut> {
    let transitions = target.transitions();
    let mut cuts = Vec::new();
    for (i, &(x, scale)) in transitions.iter().enumerate() {
        let left = if i == 0 {
            f64::NEG_INFINITY
        } else {
            0.5 * (transitions[i - 1].0 + x)
        };
        let right = transitions
            .get(i + 1)
            .map_or(f64::INFINITY, |t| 0.5 * (x + t.0));
        for g in TRANSITION_GRADING {
            let c = if g == 0.0 { x } else { x + g * scale };
            if c.is_finite() && c > left && c < right {
                cuts.push(Cut { x: c, scale });
            }
        }
    }
    // A mode that dominates somewhere changes the score only at its
    // transitions; one buried under others bends it over its own width.
    for (k, m) in target.modes().iter().enumerate() {
        if target.dominant(m.mean) != k {
            cuts.extend(MODE_GRADING.iter().map(|g| Cut {
                x: m.mean + g * m.std,
                scale: m.std,
            }));
        }
    }
    cuts.sort_by(|a, b| a.x.total_cmp(&b.x));
    cuts
}

const KRONROD_X: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const KRONROD_W: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
/// Gauss 7-point weights at KRONROD_X[1], [3], [5], [7].
const GAUSS_W: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// Gauss-Kronrod 7/15 on [a, b] for N integrands at once: (Kronrod value, error estimate per integrand).
fn kronrod<const N: usize>(a: f64, b: f64, f: &impl Fn(f64) -> [f64; N]) -> ([f64; N], [f64; N]) {
    let c = 0.5 * (a + b);
    let h = 0.5 * (b - a);
    let mut k = [0.0; N];
    let mut g = [0.0; N];
    for (i, (&x, &wk)) in KRONROD_X.iter().zip(&KRONROD_W).enumerate() {
        let points: &[f64] = if x == 0.0 { &[0.0] } else { &[x, -x] };
        for &xi in points {
            let v = f(c + h * xi);
            for j in 0..N {
                k[j] += wk * v[j];
                if i % 2 == 1 {
                    g[j] += GAUSS_W[i / 2] * v[j];
                }
            }
        }
    }
    let mut err = [0.0; N];
    for j in 0..N {
        k[j] *= h;
        err[j] = (k[j] - g[j] * h).abs();
    }
    (k, err)
}

/// A piece of the integration range with its Kronrod value and error estimate.
struct Piece<const N: usize> {
    a: f64,
    b: f64,
    value: [f64; N],
    err: f64,
}

impl<const N: usize> Piece<N> {
    fn new(a: f64, b: f64, f: &impl Fn(f64) -> [f64; N]) -> Self {
        let (value, err) = kronrod(a, b, f);
        Self {
            a,
            b,
            value,
            err: err.iter().copied().fold(0.0, f64::max),
        }
    }
}

/// Ratio of successive breakpoints graded around a feature.
const GRADING_RATIO: f64 = 3.0;

/// Breakpoints graded geometrically around `features` (position, width):
/// for a feature at x of width s narrower than `reach`, x and x +- s 3^k for
/// k = 0, 1, ... while s 3^k < `reach`; those inside (lo, hi). Every piece
/// next to a feature then spans at most a fixed multiple of its distance to
/// it. Without this, a spike (or a score transition) much narrower than a
/// piece falls between its Kronrod nodes: Gauss and Kronrod miss it alike,
/// the error estimate says zero and the adaptive rule never splits there.
pub fn graded_breaks(
    features: impl IntoIterator<Item = (f64, f64)>,
    lo: f64,
    hi: f64,
    reach: f64,
) -> Vec<f64> {
    let mut out = Vec::new();
    for (x, s) in features {
        out.push(x);
        let mut d = s;
        while d < reach && d.is_finite() && d > 0.0 {
            out.extend([x - d, x + d]);
            d *= GRADING_RATIO;
        }
    }
    out.retain(|&x| x > lo && x < hi);
    out
}

/// Most pieces the adaptive integral splits into: bounds its cost whatever the integrand.
const MAX_PIECES: usize = 8000;

/// Integrates N functions over [lo, hi] at once by globally adaptive
/// Gauss-Kronrod 7/15 (QUADPACK's strategy: always split the piece with the
/// largest error), first splitting at `breaks` (where the integrand changes
/// fast), until the summed error is below `tol * (1 + |largest value|)`.
pub fn adaptive<const N: usize>(
    lo: f64,
    hi: f64,
    breaks: &[f64],
    tol: f64,
    f: impl Fn(f64) -> [f64; N],
) -> [f64; N] {
    let mut cuts: Vec<f64> = breaks
        .iter()
        .copied()
        .filter(|x| *x > lo && *x < hi)
        .collect();
    cuts.push(lo);
    cuts.push(hi);
    cuts.sort_by(f64::total_cmp);
    cuts.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * (1.0 + b.abs()));
    let mut pieces: Vec<Piece<N>> = cuts
        .windows(2)
        .map(|w| Piece::new(w[0], w[1], &f))
        .collect();
    loop {
        let mut total = [0.0; N];
        for p in &pieces {
            for (t, v) in total.iter_mut().zip(&p.value) {
                *t += v;
            }
        }
        let err: f64 = pieces.iter().map(|p| p.err).sum();
        let scale = 1.0 + total.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let (worst, _) = pieces
            .iter()
            .enumerate()
            .max_by(|x, y| x.1.err.total_cmp(&y.1.err))
            .expect("at least one piece");
        let p = &pieces[worst];
        let mid = 0.5 * (p.a + p.b);
        if err <= tol * scale || pieces.len() >= MAX_PIECES || mid <= p.a || mid >= p.b {
            return total;
        }
        let (a, b) = (p.a, p.b);
        pieces[worst] = Piece::new(a, mid, &f);
        pieces.push(Piece::new(mid, b, &f));
    }
}
