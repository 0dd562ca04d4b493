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
