//! Quadrature: Gauss-Hermite nodes for expectations under N(0, 1) (the
//! engines' fixed rule in q's frame), and an adaptive Gauss-Kronrod integral
//! (the reference, split at the target's breakpoints).

/// One node of a rule for E_{z ~ N(0,1)}[f(z)] ~= sum w f(z).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    /// Position in z (standard-normal units).
    pub z: f64,
    /// Weight; a rule's weights sum to 1.
    pub w: f64,
}

/// The n-point Gauss-Hermite rule for the standard normal (probabilists'
/// weight), exact for polynomials of degree < 2n. Nodes sorted ascending.
pub fn gauss_hermite(n: usize) -> Vec<Node> {
    assert!(n > 0, "a rule needs at least one node");
    // Newton on orthonormal physicists' Hermite polynomials (Numerical Recipes'
    // `gauher`), then x -> sqrt(2) x and w -> w / sqrt(pi).
    const PI_M4: f64 = 0.751_125_544_464_942_5; // pi^(-1/4)
    let nf = n as f64;
    let mut x = vec![0.0; n];
    let mut w = vec![0.0; n];
    let mut z: f64 = 0.0;
    for i in 0..n.div_ceil(2) {
        z = match i {
            0 => (2.0 * nf + 1.0).sqrt() - 1.85575 * (2.0 * nf + 1.0).powf(-0.16667),
            1 => z - 1.14 * nf.powf(0.426) / z,
            2 => 1.86 * z - 0.86 * x[0],
            3 => 1.91 * z - 0.91 * x[1],
            _ => 2.0 * z - x[i - 2],
        };
        let mut derivative = 1.0;
        for _ in 0..200 {
            let (mut p1, mut p2) = (PI_M4, 0.0);
            for j in 0..n {
                let p3 = p2;
                p2 = p1;
                let jf = j as f64;
                p1 = z * (2.0 / (jf + 1.0)).sqrt() * p2 - (jf / (jf + 1.0)).sqrt() * p3;
            }
            derivative = (2.0 * nf).sqrt() * p2;
            let step = p1 / derivative;
            z -= step;
            if step.abs() <= 1e-15 * z.abs().max(1.0) {
                break;
            }
        }
        x[i] = z;
        x[n - 1 - i] = -z;
        w[i] = 2.0 / (derivative * derivative);
        w[n - 1 - i] = w[i];
    }
    let sqrt_pi = std::f64::consts::PI.sqrt();
    let mut nodes: Vec<Node> = x
        .iter()
        .zip(&w)
        .map(|(&x, &w)| Node {
            z: std::f64::consts::SQRT_2 * x,
            w: w / sqrt_pi,
        })
        .collect();
    nodes.sort_by(|a, b| a.z.total_cmp(&b.z));
    nodes
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

fn adaptive_piece<const N: usize>(
    a: f64,
    b: f64,
    tol: f64,
    depth: u32,
    f: &impl Fn(f64) -> [f64; N],
    sum: &mut [f64; N],
) {
    let (value, err) = kronrod(a, b, f);
    let ok = (0..N).all(|j| err[j] <= tol * (1.0 + value[j].abs()));
    if ok || depth >= 48 || (b - a) <= 1e-14 * (a.abs() + b.abs()) {
        for j in 0..N {
            sum[j] += value[j];
        }
        return;
    }
    let mid = 0.5 * (a + b);
    adaptive_piece(a, mid, 0.5 * tol, depth + 1, f, sum);
    adaptive_piece(mid, b, 0.5 * tol, depth + 1, f, sum);
}

/// Integrates N functions over [lo, hi] at once by recursive Gauss-Kronrod 7/15,
/// first splitting at `breaks` (where the integrand changes fast), to about
/// `tol` in absolute terms (relative for large values).
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
    let pieces = (cuts.len() - 1).max(1) as f64;
    let mut sum = [0.0; N];
    for pair in cuts.windows(2) {
        adaptive_piece(pair[0], pair[1], tol / pieces, 0, &f, &mut sum);
    }
    sum
}
