//! Optima against `tests/data/reference/*.json` (computed independently in
//! high precision), both families, through the whole map pipeline on the
//! CPU engine; and mirror symmetry of optima and label maps.

mod common;

use kl_landscape::engine::cpu::CpuEngine;
use kl_landscape::landscape::Axis;
use kl_landscape::{Family, Grid, Landscape, Mixture, Objective, Problem};

fn map(target: &Mixture, family: Family, objective: Objective, grid: &Grid) -> Landscape {
    let p = Problem::new(target.clone(), objective, family);
    Landscape::compute(&CpuEngine, &p, grid, 2000, 0.08, &mut |_| {}).unwrap()
}

#[test]
fn optima_match_every_reference_file() {
    let grid = Grid::new(Axis::linear(-7.0, 7.0, 64), Axis::linear(0.1, 4.0, 32)).unwrap();
    for (name, r) in common::reference_files() {
        let target = Mixture::parse(r["target"].as_str().unwrap()).unwrap();
        let family = match r["fixed_sigma"].as_f64() {
            Some(sigma) => Family::FixedSigma { sigma },
            None => Family::Gaussian,
        };
        for (objective, key) in [
            (Objective::Exclusive, "exclusive"),
            (Objective::Inclusive, "inclusive"),
        ] {
            let found = map(&target, family, objective, &grid);
            let want = r[key].as_array().unwrap();
            assert_eq!(
                found.optima.len(),
                want.len(),
                "{name} {key}: optima {:?}",
                found.optima
            );
            for (o, w) in found.optima.iter().zip(want) {
                let (mu, sigma, kl) = (
                    w["mu"].as_f64().unwrap(),
                    w["sigma"].as_f64().unwrap(),
                    w["kl"].as_f64().unwrap(),
                );
                assert!(
                    (o.mu - mu).abs() < 1e-4 && (o.sigma - sigma).abs() < 1e-4,
                    "{name} {key}: {o:?} vs {w}"
                );
                assert!(
                    (o.kl - kl).abs() < 1e-6,
                    "{name} {key}: KL {} vs {kl}",
                    o.kl
                );
                assert_eq!(o.boundary, w["boundary"].as_bool().unwrap(), "{name} {key}");
            }
            // No saddle of the reference is reported as an optimum.
            for s in r["saddles"].as_array().unwrap() {
                let (mu, sigma) = (s["mu"].as_f64().unwrap(), s["sigma"].as_f64().unwrap());
                assert!(
                    found
                        .optima
                        .iter()
                        .all(|o| (o.mu - mu).abs() > 1e-3 || (o.sigma - sigma).abs() > 1e-3)
                );
            }
            let fractions: f64 = found.optima.iter().map(|o| o.basin_fraction).sum();
            assert!(
                fractions <= 1.0 + 1e-12 && fractions > 0.5,
                "{name} {key}: basin shares sum to {fractions}"
            );
        }
    }
}

#[test]
fn default_target_has_three_exclusive_minima_and_one_inclusive() {
    let grid = Grid::new(Axis::linear(-7.0, 7.0, 48), Axis::linear(0.1, 4.0, 24)).unwrap();
    let t = Mixture::widget_default();
    let ex = map(&t, Family::Gaussian, Objective::Exclusive, &grid);
    assert_eq!(ex.optima.len(), 3, "{:?}", ex.optima);
    assert!((ex.optima[2].sigma - 2.2667).abs() < 1e-4 && ex.optima[2].mu.abs() < 1e-8);
    let inc = map(&t, Family::Gaussian, Objective::Inclusive, &grid);
    assert_eq!(inc.optima.len(), 1);
    assert!((inc.optima[0].sigma - t.variance().sqrt()).abs() < 1e-9);
}

#[test]
fn a_minimum_on_the_sigma_floor_is_reported_as_boundary() {
    // A mode narrower than the floor: the exclusive fit presses sigma against 0.1.
    let t = Mixture::parse("1:1:0.05").unwrap();
    let grid = Grid::new(Axis::linear(-3.0, 4.0, 16), Axis::linear(0.1, 2.0, 8)).unwrap();
    let ex = map(&t, Family::Gaussian, Objective::Exclusive, &grid);
    assert_eq!(ex.optima.len(), 1, "{:?}", ex.optima);
    assert!(
        ex.optima[0].boundary && ex.optima[0].sigma == 0.1 && (ex.optima[0].mu - 1.0).abs() < 1e-8
    );
}

#[test]
fn symmetric_target_gives_mirrored_optima_and_labels() {
    let t = Mixture::parse("0.3:-3:0.6,0.4:0:0.5,0.3:3:0.6").unwrap();
    let grid = Grid::new(Axis::linear(-6.0, 6.0, 40), Axis::linear(0.2, 3.5, 20)).unwrap();
    for family in [Family::Gaussian, Family::FixedSigma { sigma: 1.0 }] {
        let ex = map(&t, family, Objective::Exclusive, &grid);
        // Every optimum has its mirror image, with the same KL and basin share.
        for o in &ex.optima {
            let twin = ex
                .optima
                .iter()
                .find(|m| (m.mu + o.mu).abs() < 1e-7 && (m.sigma - o.sigma).abs() < 1e-7)
                .unwrap_or_else(|| panic!("{family:?}: no mirror of {o:?} in {:?}", ex.optima));
            assert!((twin.kl - o.kl).abs() < 1e-10);
            assert!(
                (twin.basin_fraction - o.basin_fraction).abs() < 1e-12,
                "{o:?} vs {twin:?}"
            );
        }
        // Mirrored starts land in mirrored optima.
        let mirror = |label: i32| {
            if label < 0 {
                return -1;
            }
            let o = ex.optima[label as usize];
            ex.optima
                .iter()
                .position(|m| (m.mu + o.mu).abs() < 1e-7 && (m.sigma - o.sigma).abs() < 1e-7)
                .unwrap() as i32
        };
        let (n, rows) = (grid.mu.count, grid.sigma.count);
        let mut disagree = 0;
        for j in 0..rows {
            for i in 0..n {
                if ex.labels[j * n + i] != mirror(ex.labels[j * n + (n - 1 - i)]) {
                    disagree += 1;
                }
            }
        }
        assert_eq!(
            disagree, 0,
            "{family:?}: {disagree} cells break the mirror symmetry"
        );
    }
}
