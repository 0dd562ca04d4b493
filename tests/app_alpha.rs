//! The window's alpha-divergence: its slider moves only its own fit and
//! map, its ends are the KLs' maps, its sweep sets the order on a click,
//! and the alpha strip finds the fold and Maxwell point an independent
//! computation gives (tests/data/continuation, from mpmath).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kl_landscape::app::maps::Maps;
use kl_landscape::app::state::{AppState, SETTLE};
use kl_landscape::app::sweep_job::Sweeps;
use kl_landscape::app::sweep_setup::{SweepKey, SweepKind};
use kl_landscape::engine::cpu::CpuEngine;
use kl_landscape::landscape::{Axis, Grid};
use kl_landscape::objective::{Alpha, AlphaForm};
use kl_landscape::scenario::Scenario;
use kl_landscape::sweep::BifurcationKind;
use kl_landscape::{Objective, Problem};

use common::run_maps;

fn state() -> AppState {
    AppState::new(&Scenario::default(), 42)
}

/// The window's alpha-divergence objective now.
fn alpha_of(s: &AppState) -> Objective {
    Objective::Alpha(s.alpha())
}

/// Lets an edit made at `t` settle (the maps then restart).
fn settle(s: &mut AppState, t: Instant) {
    s.poll(t + SETTLE + Duration::from_millis(1));
}

#[test]
fn the_slider_moves_only_the_alpha_divergences_fit_within_zero_and_one() {
    let mut s = state();
    let t = Instant::now();
    assert_eq!(s.alpha(), Alpha::new(0.5, AlphaForm::Amari));
    let before: Vec<[f64; 2]> = s.fits().iter().map(|f| f.position()).collect();
    s.set_alpha(0.3, t);
    assert_eq!(s.alpha().a(), 0.3);
    let alpha = Objective::Alpha(Alpha::new(0.3, AlphaForm::Amari));
    assert_eq!(s.fit(alpha).objective, alpha);
    assert_eq!(s.fit(alpha).problem().objective, alpha);
    assert_eq!(
        s.fit(Objective::Exclusive).objective,
        Objective::Exclusive,
        "the KL fits keep their objectives"
    );
    let after: Vec<[f64; 2]> = s.fits().iter().map(|f| f.position()).collect();
    assert_eq!(before, after, "every fit keeps its position");
    assert!(s.settled_key().is_none(), "the maps wait for the slider");
    settle(&mut s, t);
    assert_eq!(s.settled_key().map(|k| k.alpha), Some(s.alpha()));

    for (a, want) in [(f64::NAN, 0.3), (2.0, 1.0), (-1.0, 0.0)] {
        s.set_alpha(a, t);
        assert_eq!(s.alpha().a(), want, "{a}");
    }
    // At a = 0 the divergence is KL(q||p) itself, at a = 1 KL(p||q).
    for (a, kl) in [(0.0, Objective::Exclusive), (1.0, Objective::Inclusive)] {
        s.set_alpha(a, t);
        let f = s.fit(alpha_of(&s));
        let [mu, sigma] = f.position();
        let exact = Problem::new(s.mixture().clone(), kl, s.family()).evaluate(mu, sigma);
        assert_eq!(f.eval.kl, exact.kl, "a = {a}");
    }
    s.set_alpha_form(AlphaForm::Renyi, t);
    assert_eq!(s.alpha().form, AlphaForm::Renyi);
    assert_eq!(s.alpha().a(), 1.0);
}

#[test]
fn a_new_order_restarts_only_the_alpha_map_and_its_ends_are_the_kls_maps() {
    let grid = Grid {
        mu: Axis::linear(-7.0, 7.0, 15),
        sigma: Axis::linear(0.1, 4.0, 6),
    };
    let mut maps = Maps::with_grid(Some(Arc::new(CpuEngine)), grid, 1500);
    let mut s = state();
    run_maps(&mut maps, &s);
    let old = s.current_key();
    let t = Instant::now();
    s.set_alpha(0.0, t);
    settle(&mut s, t);
    let key = s.current_key();
    for kl in [Objective::Exclusive, Objective::Inclusive] {
        assert!(key.same_map(&old, kl), "{kl}: the order is not its concern");
        assert!(maps.slot(kl).current(&key).is_some(), "{kl} stays current");
    }
    assert!(!key.same_map(&old, alpha_of(&s)));
    assert!(maps.slot(alpha_of(&s)).current(&key).is_none());
    maps.update(s.settled_key().as_ref());
    assert!(maps.busy(), "the alpha map restarts");
    run_maps(&mut maps, &s);
    // The ends: the same maps as the KLs' (same starts, same engine, the
    // alpha-divergence computed as the KL there).
    let same = |s: &AppState, maps: &Maps, kl: Objective| {
        let key = s.current_key();
        let alpha = maps.slot(alpha_of(s)).current(&key).unwrap();
        let kl = maps.slot(kl).current(&key).unwrap();
        assert_eq!(alpha.labels, kl.labels);
        assert_eq!(alpha.optima.len(), kl.optima.len());
        for (a, k) in alpha.optima.iter().zip(&kl.optima) {
            assert_eq!((a.mu, a.sigma, a.kl), (k.mu, k.sigma, k.kl));
        }
    };
    same(&s, &maps, Objective::Exclusive);
    let t = Instant::now();
    s.set_alpha(1.0, t);
    settle(&mut s, t);
    run_maps(&mut maps, &s);
    same(&s, &maps, Objective::Inclusive);
}

#[test]
fn a_sweep_along_alpha_is_of_the_alpha_divergence_and_a_click_sets_the_order() {
    let mut s = state();
    let t = Instant::now();
    let mut choice = s.sweep_choice();
    assert_eq!(choice.objective, Objective::Exclusive);
    choice.set_kind(SweepKind::Alpha, s.mixture());
    s.set_sweep_choice(choice);
    let chosen = s.sweep_choice();
    assert_eq!(chosen.kind, SweepKind::Alpha);
    assert_eq!(
        chosen.objective,
        alpha_of(&s),
        "alpha sweeps its divergence"
    );
    assert_eq!((chosen.from, chosen.to), (0.0, 1.0));
    let key = s.current_sweep_key().expect("a sweep of [0, 1]");
    assert!(s.set_sweep_value(0.7, t));
    assert_eq!(s.alpha().a(), 0.7);
    assert_eq!(s.sweep_choice().value_in(s.mixture()), 0.7);
    assert_eq!(
        s.current_sweep_key(),
        Some(key),
        "the order now is no new sweep"
    );
    assert!(!s.set_sweep_value(1.5, t));
    assert!(!s.set_sweep_value(f64::NAN, t));
    assert_eq!(s.alpha().a(), 0.7);
    // Another objective leaves alpha for its default parameter.
    let mut other = s.sweep_choice();
    other.objective = Objective::Exclusive;
    s.set_sweep_choice(other);
    assert_eq!(s.sweep_choice().kind, SweepKind::Separation);
    assert_eq!(s.sweep_choice().objective, Objective::Exclusive);
}

#[test]
fn the_alpha_strip_finds_where_the_mode_minima_stop_being_global_and_vanish() {
    let mut s = state();
    let key = s.settled_alpha_strip_key().expect("shown and settled");
    assert_eq!(s.alpha_strip_key(), Some(key.clone()));
    // The strip is of the target and form: the order now does not change it.
    let t = Instant::now();
    s.set_alpha(0.8, t);
    assert_eq!(s.alpha_strip_key(), Some(key.clone()));
    assert!(s.settled_alpha_strip_key().is_none(), "nothing mid-edit");
    settle(&mut s, t);
    assert!(s.set_visible(alpha_of(&s), false));
    assert!(
        s.settled_alpha_strip_key().is_none(),
        "hidden: not computed"
    );

    let mut sweeps = Sweeps::default();
    let started = Instant::now();
    while !sweeps.shows(&key) {
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the strip did not finish"
        );
        sweeps.update(Some(&key), Instant::now());
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, strip) = sweeps.shown().unwrap();
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string("tests/data/continuation/reference.json").unwrap(),
    )
    .unwrap();
    let value = |name: &str| reference[name]["value"].as_f64().unwrap();
    let at = |kind: BifurcationKind| -> Vec<f64> {
        strip
            .bifurcations
            .iter()
            .filter(|b| b.kind == kind)
            .map(|b| b.value)
            .collect()
    };
    let folds = at(BifurcationKind::Fold);
    assert_eq!(folds.len(), 2, "{:?}", strip.bifurcations);
    assert!(folds.iter().all(|a| (a - value("alpha_fold")).abs() < 1e-6));
    let maxwell = at(BifurcationKind::Maxwell);
    assert_eq!(maxwell.len(), 1, "{:?}", strip.bifurcations);
    assert!((maxwell[0] - value("alpha_maxwell")).abs() < 1e-6);
    // A key of the other form is another strip.
    s.set_alpha_form(AlphaForm::Renyi, t);
    assert_ne!(s.alpha_strip_key(), Some(key as SweepKey));
}
