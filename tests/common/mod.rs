//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::time::{Duration, Instant};

use kl_landscape::Mixture;
use kl_landscape::app::maps::Maps;
use kl_landscape::app::state::AppState;
use kl_landscape::engine::gpu::GpuEngine;
use kl_landscape::target::Mode;

/// The GPU engine, or None (with one printed line) when no adapter exists
/// and KL_REQUIRE_GPU is not set; with KL_REQUIRE_GPU=1 a missing adapter fails.
pub fn gpu() -> Option<GpuEngine> {
    match GpuEngine::new() {
        Ok(engine) => Some(engine),
        Err(e) if std::env::var("KL_REQUIRE_GPU").as_deref() == Ok("1") => {
            panic!("KL_REQUIRE_GPU=1 but no GPU engine: {e}")
        }
        Err(e) => {
            println!("skipping GPU test: {e}");
            None
        }
    }
}

/// A random mixture of 1..=max_modes modes with means in [-5, 5] and stds in [0.2, 2].
pub fn random_target(rng: &mut fastrand::Rng, max_modes: usize) -> Mixture {
    let k = rng.usize(1..=max_modes);
    Mixture::new(
        (0..k)
            .map(|_| Mode {
                weight: 0.1 + rng.f64(),
                mean: -5.0 + 10.0 * rng.f64(),
                std: 0.2 + 1.8 * rng.f64(),
            })
            .collect(),
    )
    .unwrap()
}

/// The reference optima shipped with the tests (`tests/data/reference/*.json`).
pub fn reference_files() -> Vec<(String, serde_json::Value)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reference folder {dir} missing: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        out.len() >= 6,
        "expected the six reference files, found {}",
        out.len()
    );
    out
}

/// Runs the window's `maps` until the map of every objective of `s` is
/// current (at most three minutes).
pub fn run_maps(maps: &mut Maps, s: &AppState) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(180) {
        maps.update(s.settled_key().as_ref());
        if s.objectives()
            .iter()
            .all(|&o| maps.slot(o).current(&s.current_key()).is_some())
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("maps did not finish");
}
