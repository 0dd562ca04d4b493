//! The alpha-divergences: the f64 reference and the engines' rule against
//! independent 30-digit mpmath values (`tests/data/alpha/*.json`, from
//! `scripts/alpha_reference.py`), the ends against the KLs, the flat far
//! plateau never taken for a minimum, optima through the map pipeline, and
//! the WGSL kernel against its CPU twin.

mod common;

use kl_landscape::engine::cpu::CpuEngine;
use kl_landscape::engine::fit::Kernel;
use kl_landscape::landscape::Axis;
use kl_landscape::objective::{Alpha, AlphaForm};
use kl_landscape::{Family, Grid, Landscape, Mixture, Objective, Problem};
use serde_json::Value;

fn data(name: &str) -> Value {
    let path = format!("{}/tests/data/alpha/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn alpha(a: f64, form: AlphaForm) -> Objective {
    Objective::Alpha(Alpha::new(a, form))
}

fn forms() -> [(AlphaForm, &'static str); 2] {
    [(AlphaForm::Amari, "amari"), (AlphaForm::Renyi, "renyi")]
}

/// Every hard case: (name, problem, mu, sigma, want [value, d_mu, d_sigma]).
fn cases() -> Vec<(String, Problem, f64, f64, [f64; 3])> {
    let mut out = Vec::new();
    for c in data("integrals.json")["cases"].as_array().unwrap() {
        let target = Mixture::parse(c["target"].as_str().unwrap()).unwrap();
        let a = c["alpha"].as_f64().unwrap();
        for (form, key) in forms() {
            let w = &c[key];
            out.push((
                format!("{} ({key})", c["name"].as_str().unwrap()),
                Problem::new(target.clone(), alpha(a, form), Family::Gaussian),
                c["mu"].as_f64().unwrap(),
                c["sigma"].as_f64().unwrap(),
                ["value", "d_mu", "d_sigma"].map(|k| w[k].as_f64().unwrap()),
            ));
        }
    }
    out
}

#[test]
fn reference_matches_mpmath_to_1e9() {
    for (name, p, mu, sigma, want) in cases() {
        let e = p.evaluate(mu, sigma);
        let got = [e.kl, e.d_mu, e.d_sigma];
        let scale = 1.0 + want[1].abs().max(want[2].abs());
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-9 * (1.0 + w.abs()).max(scale * (w != &want[0]) as u8 as f64),
                "{name}: {got:?} vs {want:?}"
            );
        }
    }
}

/// Largest error of the engines' gradient in R over the hard cases,
/// relative to the gradient's size.
fn rule_error<R: kl_landscape::real::Real>(min_a: f64) -> f64 {
    let mut worst: f64 = 0.0;
    for (name, p, mu, sigma, want) in cases() {
        let Objective::Alpha(alpha) = p.objective else {
            unreachable!()
        };
        if alpha.a() < min_a {
            continue;
        }
        let k = Kernel::<R>::new(&p, 0.08);
        let g = k.gradient(R::of(mu), R::of(sigma));
        let scale = want[1].hypot(want[2]).max(1e-300);
        let err = (g[0].f64() - want[1]).hypot(g[1].f64() - want[2]) / scale;
        println!("{name}: {err:.2e}");
        worst = worst.max(err);
    }
    worst
}

#[test]
fn engine_rule_matches_mpmath() {
    let f64_err = rule_error::<f64>(0.0);
    // Below GPU_MIN_ALPHA the GPU declines (f32 cancellation).
    let f32_err = rule_error::<f32>(kl_landscape::defaults::GPU_MIN_ALPHA);
    println!("worst: f64 {f64_err:.2e}, f32 {f32_err:.2e}");
    assert!(f64_err < 1e-7, "f64 rule error {f64_err:e}");
    assert!(f32_err < 1e-4, "f32 rule error {f32_err:e}");
}

#[test]
fn ends_agree_with_the_kls() {
    let t = Mixture::widget_default();
    for (a, kl) in [
        (1e-6, Objective::Exclusive),
        (1.0 - 1e-6, Objective::Inclusive),
    ] {
        let want = Problem::new(t.clone(), kl, Family::Gaussian);
        for (form, _) in forms() {
            let p = Problem::new(t.clone(), alpha(a, form), Family::Gaussian);
            // Points where the KLs are O(1): D_a - KL is (a or 1 - a) times
            // a variance of log(p / q), which grows fast away from them.
            for (mu, sigma) in [(0.3, 1.7), (0.5, 2.6), (-1.0, 3.0)] {
                let (e, w) = (p.evaluate(mu, sigma), want.evaluate(mu, sigma));
                for (x, y) in [(e.kl, w.kl), (e.d_mu, w.d_mu), (e.d_sigma, w.d_sigma)] {
                    assert!(
                        (x - y).abs() < 1e-5 * (1.0 + y.abs()),
                        "a {a} {form:?} at ({mu}, {sigma}): {e:?} vs {w:?}"
                    );
                }
            }
            // Exactly at the ends the objective is the KL itself.
            let end = Problem::new(t.clone(), alpha(a.round(), form), Family::Gaussian);
            assert_eq!(end.evaluate(0.3, 1.7), want.evaluate(0.3, 1.7));
            // The optima, polished from the KL's.
            let grid = Grid::new(Axis::linear(-7.0, 7.0, 16), Axis::linear(0.1, 4.0, 8)).unwrap();
            let kl_map =
                Landscape::compute(&CpuEngine, &want, &grid, 2000, 0.08, &mut |_| {}).unwrap();
            for o in &kl_map.optima {
                let c = kl_landscape::polish::polish(&p, o.mu, o.sigma);
                assert!(c.is_minimum(), "a {a}: {c:?}");
                assert!(
                    (c.mu - o.mu).abs() < 1e-5
                        && (c.sigma - o.sigma).abs() < 1e-5
                        && (c.eval.kl - o.kl).abs() < 1e-5,
                    "a {a} {form:?}: {c:?} vs {o:?}"
                );
            }
        }
    }
}

#[test]
fn the_flat_far_plateau_is_never_a_minimum() {
    // 40 away from p, I_a underflows: D_a is flat at 1 / (a (1 - a)).
    let p = Problem::new(
        Mixture::widget_default(),
        alpha(0.5, AlphaForm::Amari),
        Family::Gaussian,
    );
    let e = p.evaluate(40.0, 0.3);
    assert!(
        (e.kl - 4.0).abs() < 1e-12 && e.grad_norm() < 1e-100,
        "{e:?}"
    );
    // A start standing still there reached no minimum: polishing knows
    // the plateau at once (issue 20: it descended the Renyi form for
    // seconds, 120 s for a 16x8 map over mu -1000..1000).
    let still = kl_landscape::engine::Endpoint {
        mu: 40.0,
        sigma: 0.3,
        steps: 30,
        status: kl_landscape::engine::CONVERGED,
    };
    assert!(kl_landscape::landscape::minimum_reached(&p, &still).is_none());
    for (mu, sigma) in [(40.0, 0.3), (1000.0, 0.1)] {
        let c = kl_landscape::polish::polish(&p, mu, sigma);
        assert_eq!(c.kind, kl_landscape::polish::Kind::Plateau, "{c:?}");
        assert_eq!((c.mu, c.sigma), (mu, sigma));
    }
    // A map whose starts reach far out: those that stand still there are not converged.
    let grid = Grid::new(Axis::linear(30.0, 40.0, 6), Axis::linear(0.1, 0.3, 3)).unwrap();
    let map = Landscape::compute(&CpuEngine, &p, &grid, 300, 0.08, &mut |_| {}).unwrap();
    assert!(map.optima.is_empty(), "{:?}", map.optima);
    assert_eq!(map.unconverged(), grid.len());
}

#[test]
fn optima_match_the_mpmath_minima() {
    let grid = Grid::new(Axis::linear(-7.0, 7.0, 48), Axis::linear(0.1, 4.0, 24)).unwrap();
    for r in data("optima.json")["optima"].as_array().unwrap() {
        let target = Mixture::parse(r["target"].as_str().unwrap()).unwrap();
        let family = match r["fixed_sigma"].as_f64() {
            Some(sigma) => Family::FixedSigma { sigma },
            None => Family::Gaussian,
        };
        let a = r["alpha"].as_f64().unwrap();
        let p = Problem::new(target, alpha(a, AlphaForm::Amari), family);
        let map = Landscape::compute(&CpuEngine, &p, &grid, 2000, 0.08, &mut |_| {}).unwrap();
        let want = r["minima"].as_array().unwrap();
        let tag = format!("{} a {a} {family:?}", r["target"]);
        // Every minimum the map finds is one of mpmath's (a map may miss a
        // minimum of a tiny basin; none of the mpmath minima here is missed).
        assert_eq!(map.optima.len(), want.len(), "{tag}: {:?}", map.optima);
        // Mirror images tie in value; the map orders ties by mu, so match as a set.
        for o in &map.optima {
            let matched = want.iter().any(|w| {
                let (mu, sigma, d) = (
                    w["mu"].as_f64().unwrap(),
                    w["sigma"].as_f64().unwrap(),
                    w["divergence"].as_f64().unwrap(),
                );
                (o.mu - mu).abs() < 1e-6
                    && (o.sigma - sigma).abs() < 1e-6
                    && (o.kl - d).abs() < 1e-9
                    && o.boundary == w["boundary"].as_bool().unwrap()
            });
            assert!(matched, "{tag}: {o:?} is none of {want:?}");
        }
    }
}

#[test]
fn gpu_step_matches_the_cpu_twin_and_maps_agree() {
    use kl_landscape::engine::fit::FitState;
    use kl_landscape::engine::{CONVERGED, Engine, Run};
    let Some(gpu) = common::gpu() else { return };
    let mut rng = fastrand::Rng::with_seed(7);
    for trial in 0..6 {
        let target = common::random_target(&mut rng, 16);
        let a = [0.01, 0.3, 0.5, 0.7, 0.99, 0.5][trial];
        let form = if trial % 2 == 0 {
            AlphaForm::Amari
        } else {
            AlphaForm::Renyi
        };
        let problem = Problem::new(target, alpha(a, form), Family::Gaussian);
        let kernel = Kernel::<f32>::centred(&problem, 0.08);
        let states: Vec<FitState<f32>> = (0..100)
            .map(|_| {
                let mut s = FitState::<f32>::new(-8.0 + 16.0 * rng.f64(), 0.1 + 5.0 * rng.f64());
                s.adam.t = rng.u32(0..500);
                s.adam.m = [rng.f32() - 0.5, rng.f32() - 0.5];
                s.adam.v = [rng.f32(), rng.f32()];
                s.adam.beta_pow = [0.9f32.powi(s.adam.t as i32), 0.999f32.powi(s.adam.t as i32)];
                s
            })
            .collect();
        let mut run = gpu.launch_states(&[(&problem, 0.08, &states)]).unwrap();
        run.advance(1).unwrap();
        for (s0, g) in states.iter().zip(run.states()) {
            let mut want = *s0;
            kernel.step(&mut want);
            let rel = |x: f32, y: f32| (x - y).abs() / (1.0 + y.abs());
            assert_eq!(g.status, want.status, "trial {trial}: {s0:?}");
            for (x, y) in [
                (g.mu, want.mu),
                (g.sigma, want.sigma),
                (g.adam.m[0], want.adam.m[0]),
                (g.adam.m[1], want.adam.m[1]),
            ] {
                assert!(
                    rel(x, y) < 1e-5,
                    "trial {trial} a {a}: gpu {x} vs twin {y} from {s0:?}"
                );
            }
        }
    }
    let grid = Grid::new(Axis::linear(-7.0, 7.0, 24), Axis::linear(0.1, 4.0, 12)).unwrap();
    for (form, _) in forms() {
        for a in [0.1, 0.5, 0.9] {
            let problem = Problem::new(Mixture::widget_default(), alpha(a, form), Family::Gaussian);
            let starts = grid.starts();
            let ends = |engine: &dyn Engine| {
                let mut run = engine.launch(&problem, &starts, 0.08).unwrap();
                run.advance(2000).unwrap();
                run.endpoints().unwrap()
            };
            for (c, g) in ends(&CpuEngine).iter().zip(&ends(&gpu)) {
                if c.status == CONVERGED && g.status == CONVERGED {
                    assert!(
                        (c.mu - g.mu).abs() < 1e-3 && (c.sigma - g.sigma).abs() < 1e-3,
                        "a {a}: {c:?} {g:?}"
                    );
                }
            }
            let cpu =
                Landscape::compute(&CpuEngine, &problem, &grid, 2000, 0.08, &mut |_| {}).unwrap();
            let on_gpu =
                Landscape::compute(&gpu, &problem, &grid, 2000, 0.08, &mut |_| {}).unwrap();
            assert_eq!(cpu.optima.len(), on_gpu.optima.len(), "a {a} {form:?}");
            for (x, y) in cpu.optima.iter().zip(&on_gpu.optima) {
                assert!(
                    (x.mu - y.mu).abs() < 1e-6
                        && (x.sigma - y.sigma).abs() < 1e-6
                        && (x.kl - y.kl).abs() < 1e-6
                );
            }
            let agree = cpu
                .labels
                .iter()
                .zip(&on_gpu.labels)
                .filter(|(x, y)| x == y)
                .count();
            assert!(
                agree as f64 >= 0.99 * cpu.labels.len() as f64,
                "a {a} {form:?}: {agree} of {}",
                cpu.labels.len()
            );
        }
    }
}
