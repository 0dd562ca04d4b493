//! Adaptive refinement: the refined map agrees with the full one while
//! running far fewer starts.

use kl_landscape::engine::cpu::CpuEngine;
use kl_landscape::landscape::Axis;
use kl_landscape::refine::compute_refined;
use kl_landscape::{Family, Grid, Landscape, Mixture, Objective, Problem};

#[test]
fn refined_maps_match_full_maps_with_fewer_starts() {
    let grid = Grid::new(Axis::linear(-7.0, 7.0, 97), Axis::linear(0.1, 4.0, 49)).unwrap();
    let cases = [
        (
            "default",
            Mixture::widget_default(),
            Family::Gaussian,
            Objective::Exclusive,
        ),
        (
            "default inclusive",
            Mixture::widget_default(),
            Family::Gaussian,
            Objective::Inclusive,
        ),
        (
            "public3",
            Mixture::parse("0.25:-4.5:0.7,0.25:-1.5:0.5,0.5:2.5:1.5").unwrap(),
            Family::Gaussian,
            Objective::Exclusive,
        ),
        (
            "public3 fixed",
            Mixture::parse("0.25:-4.5:0.7,0.25:-1.5:0.5,0.5:2.5:1.5").unwrap(),
            Family::FixedSigma { sigma: 1.0 },
            Objective::Exclusive,
        ),
    ];
    for (name, target, family, objective) in cases {
        let problem = Problem::new(target, objective, family);
        let full =
            Landscape::compute(&CpuEngine, &problem, &grid, 1500, 0.08, &mut |_| {}).unwrap();
        let refined =
            compute_refined(&CpuEngine, &problem, &grid, 1500, 0.08, 4, &mut |_| {}).unwrap();
        assert_eq!(full.optima.len(), refined.optima.len(), "{name}");
        for (a, b) in full.optima.iter().zip(&refined.optima) {
            assert!(
                (a.mu - b.mu).abs() < 1e-9 && (a.sigma - b.sigma).abs() < 1e-9,
                "{name}: {a:?} vs {b:?}"
            );
            assert!(
                (a.basin_fraction - b.basin_fraction).abs() < 0.01,
                "{name}: {a:?} vs {b:?}"
            );
        }
        let agree = full
            .labels
            .iter()
            .zip(&refined.labels)
            .filter(|(a, b)| a == b)
            .count();
        assert!(
            agree as f64 >= 0.99 * full.labels.len() as f64,
            "{name}: {agree} of {} labels agree",
            full.labels.len()
        );
        assert!(
            refined.starts_run < full.starts_run,
            "{name}: ran {} of {}",
            refined.starts_run,
            full.starts_run
        );
        if name == "default" {
            assert!(
                refined.starts_run * 3 < full.starts_run,
                "default: ran {} of {}",
                refined.starts_run,
                full.starts_run
            );
        }
    }
}
