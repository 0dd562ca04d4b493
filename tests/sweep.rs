//! Sweeps: branches by continuation are stationary points of the exact
//! objective, folds, pitchforks and Maxwell points agree with an independent
//! mpmath computation (scripts/continuation_reference.py), fractions add up,
//! and bad input is one line with exit code 2.

use kl_landscape::Objective;
use kl_landscape::engine::cpu::CpuEngine;
use kl_landscape::landscape::Grid;
use kl_landscape::objective::{Alpha, AlphaForm, Family, Problem};
use kl_landscape::scenario::Scenario;
use kl_landscape::sweep::{
    BifurcationKind, BranchKind, ObjectiveSweep, Parameter, SweepSpec, sweep,
};

fn reference() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/continuation/reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run(family: Family, from: f64, to: f64, values: usize, grid: (usize, usize)) -> ObjectiveSweep {
    let base = Scenario {
        family,
        ..Scenario::default()
    };
    let spec = SweepSpec::new(
        base,
        Parameter::Separation,
        (from, to),
        values,
        Grid::default_ranges(grid.0, grid.1),
        1500,
        0.08,
    )
    .unwrap();
    sweep(&spec, Objective::Exclusive, &CpuEngine, &mut |_| {}).unwrap()
}

fn find(s: &ObjectiveSweep, kind: BifurcationKind) -> Vec<&kl_landscape::sweep::Bifurcation> {
    s.bifurcations.iter().filter(|b| b.kind == kind).collect()
}

#[test]
fn folds_and_the_maxwell_point_of_the_widget_target_match_an_independent_computation() {
    let s = run(Family::Gaussian, 2.0, 8.0, 13, (24, 12));
    let r = reference();
    let folds = find(&s, BifurcationKind::Fold);
    assert_eq!(
        folds.len(),
        2,
        "a mode minimum and its saddle born on each side"
    );
    for f in &folds {
        assert!(
            (f.value - r["fold"]["value"].as_f64().unwrap()).abs() < 1e-8,
            "{f:?}"
        );
        assert!(
            (f.mu.abs() - r["fold"]["mu"].as_f64().unwrap()).abs() < 1e-4,
            "{f:?}"
        );
        assert!(
            (f.sigma - r["fold"]["sigma"].as_f64().unwrap()).abs() < 1e-4,
            "{f:?}"
        );
    }
    let maxwell = find(&s, BifurcationKind::Maxwell);
    assert_eq!(maxwell.len(), 1, "{:?}", s.bifurcations);
    let m = maxwell[0];
    assert!(
        (m.value - r["maxwell"]["value"].as_f64().unwrap()).abs() < 1e-8,
        "{m:?}"
    );
    assert!((m.mu.abs() - r["maxwell"]["mu"].as_f64().unwrap()).abs() < 1e-4);
    // The wide minimum and both mode minima take part.
    assert_eq!(m.branches.len(), 3);
    // Three minimum branches reach the end: the wide one and the two modes.
    let at_end = s
        .branches
        .iter()
        .filter(|b| b.kind == BranchKind::Minimum)
        .filter(|b| b.points.iter().any(|p| (p.value - 8.0).abs() < 1e-9))
        .count();
    assert_eq!(at_end, 3);
}

#[test]
fn the_fixed_sigma_pitchfork_matches_the_root_of_the_curvature_integral() {
    let s = run(Family::FixedSigma { sigma: 1.0 }, 1.0, 6.0, 11, (32, 1));
    let r = reference();
    let pitchforks = find(&s, BifurcationKind::Pitchfork);
    assert_eq!(pitchforks.len(), 1, "{:?}", s.bifurcations);
    let p = pitchforks[0];
    assert!(
        (p.value - r["pitchfork"]["value"].as_f64().unwrap()).abs() < 1e-8,
        "{p:?}"
    );
    assert!(p.mu.abs() < 1e-9);
    // The symmetric minimum, the saddle it turns into, and the mirror pair.
    assert_eq!(p.branches.len(), 4, "{p:?}");
}

#[test]
fn branch_points_are_stationary_and_of_their_kind_and_fractions_add_up() {
    let s = run(Family::Gaussian, 2.0, 8.0, 7, (16, 8));
    for b in &s.branches {
        for p in &b.points {
            let scenario = Parameter::Separation
                .scenario_at(&Scenario::default(), p.value)
                .unwrap();
            let problem = Problem::new(scenario.target, Objective::Exclusive, Family::Gaussian);
            let e = problem.evaluate(p.mu, p.sigma);
            assert!(e.grad_norm() < 1e-9, "{p:?}: gradient {}", e.grad_norm());
            assert!((e.kl - p.divergence).abs() < 1e-12);
            let negative = p.eigenvalues.iter().filter(|v| **v < 0.0).count();
            let want = match b.kind {
                BranchKind::Minimum => 0,
                BranchKind::Saddle => 1,
            };
            // At a branch's ends (a fold) an eigenvalue is 0 up to rounding.
            let near_zero = p.eigenvalues.iter().any(|v| v.abs() < 1e-4);
            assert!(negative == want || near_zero, "{:?} {p:?}", b.kind);
        }
    }
    for f in &s.fractions {
        assert_eq!(f.shares.len(), s.branches.len());
        let total: f64 = f.shares.iter().sum::<f64>() + f.not_converged;
        assert!((total - 1.0).abs() < 1e-9, "{f:?}");
        for (share, b) in f.shares.iter().zip(&s.branches) {
            if b.kind == BranchKind::Saddle {
                assert_eq!(*share, 0.0);
            }
        }
    }
}

fn refused(args: &[&str], needle: &str) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kl-landscape"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
}

#[test]
fn bad_sweeps_are_one_line_and_exit_code_2() {
    let base = [
        "sweep",
        "--backend",
        "cpu",
        "--grid",
        "4x2",
        "--steps",
        "10",
    ];
    let cases: [(&[&str], &str); 12] = [
        (
            &[
                "--vary",
                "separation",
                "--from",
                "2",
                "--to",
                "8",
                "--values",
                "0",
            ],
            "--values must be at least 2",
        ),
        (
            &[
                "--vary",
                "separation",
                "--from",
                "2",
                "--to",
                "8",
                "--values",
                "1",
            ],
            "at least 2",
        ),
        (
            &["--vary", "separation", "--from", "3", "--to", "3"],
            "--from must be below --to",
        ),
        (
            &["--vary", "height", "--from", "0", "--to", "1"],
            "unknown parameter",
        ),
        (&["--vary", "mean:9", "--from", "0", "--to", "1"], "2 modes"),
        (
            &["--vary", "std:1", "--from", "-1", "--to", "1"],
            "leaves the accepted domain",
        ),
        (
            &["--vary", "weight:1", "--from", "0", "--to", "0.5"],
            "leaves the accepted domain",
        ),
        (
            &["--vary", "separation", "--from", "-2", "--to", "2"],
            "leaves the accepted domain",
        ),
        (
            &["--vary", "alpha", "--from", "-0.1", "--to", "1"],
            "leaves the accepted domain",
        ),
        (
            &["--vary", "alpha", "--from", "0", "--to", "1.5"],
            "leaves the accepted domain",
        ),
        (
            &[
                "--vary",
                "alpha",
                "--from",
                "0",
                "--to",
                "1",
                "--objective",
                "exclusive",
            ],
            "use --objective alpha alone",
        ),
        (
            &[
                "--vary", "alpha", "--from", "0", "--to", "1", "--alpha", "0.5",
            ],
            "drop --alpha",
        ),
    ];
    for (extra, needle) in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        refused(&args, needle);
    }
}

#[test]
fn sweep_json_follows_its_contract() {
    let dir = std::env::temp_dir().join(format!("kl-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("s.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kl-landscape"))
        .args([
            "sweep",
            "--vary",
            "std:2",
            "--from",
            "0.5",
            "--to",
            "1.5",
            "--values",
            "5",
            "--grid",
            "12x6",
            "--steps",
            "1500",
            "--backend",
            "cpu",
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let e = &v["exclusive"];
    assert_eq!(e["parameter"]["name"], "std:2");
    assert_eq!(e["parameter"]["values"].as_array().unwrap().len(), 5);
    let branches = e["branches"].as_array().unwrap();
    assert!(!branches.is_empty());
    for b in branches {
        assert!(b["kind"] == "minimum" || b["kind"] == "saddle");
        for p in b["points"].as_array().unwrap() {
            for key in ["value", "mu", "sigma", "divergence"] {
                assert!(p[key].is_f64(), "{key} in {p}");
            }
        }
    }
    assert_eq!(e["fractions"].as_array().unwrap().len(), 5);
    assert!(e["bifurcations"].is_array());
    assert!(!std::fs::read_to_string(&json).unwrap().contains("null"));
}

#[test]
fn the_sweep_figure_names_its_bifurcations_as_text() {
    let dir = std::env::temp_dir().join(format!("kl-sweep-fig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (svg, png) = (dir.join("s.svg"), dir.join("s.png"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kl-landscape"))
        .args([
            "sweep",
            "--vary",
            "separation",
            "--from",
            "3",
            "--to",
            "6",
            "--values",
            "7",
            "--grid",
            "16x8",
            "--steps",
            "1500",
            "--backend",
            "cpu",
            "--svg",
        ])
        .arg(&svg)
        .arg("--png")
        .arg(&png)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    for needle in [
        "fold 3.8596",
        "Maxwell 4.4801",
        "separation",
        "μ* of each stationary point",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(needle)),
            "no '{needle}' in {texts:?}"
        );
    }
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
}

#[test]
fn a_maxwell_point_just_after_a_birth_is_found_on_a_coarse_sweep() {
    // Values 3.75 and 4.5 bracket both the fold (3.86) and the Maxwell point (4.48).
    let s = run(Family::Gaussian, 0.0, 6.0, 9, (16, 8));
    let r = reference();
    let maxwell = find(&s, BifurcationKind::Maxwell);
    assert_eq!(maxwell.len(), 1, "{:?}", s.bifurcations);
    assert!((maxwell[0].value - r["maxwell"]["value"].as_f64().unwrap()).abs() < 1e-8);
}

fn alpha_sweep(form: AlphaForm, from: f64, to: f64, values: usize) -> ObjectiveSweep {
    let spec = SweepSpec::new(
        Scenario::default(),
        Parameter::Alpha,
        (from, to),
        values,
        Grid::default_ranges(16, 8),
        1500,
        0.08,
    )
    .unwrap();
    let objective = Objective::Alpha(Alpha::new(from, form));
    sweep(&spec, objective, &CpuEngine, &mut |_| {}).unwrap()
}

#[test]
fn along_alpha_the_mode_minima_stop_being_global_and_vanish_where_an_independent_computation_says()
{
    let r = reference();
    let (fold, maxwell) = (&r["alpha_fold"], &r["alpha_maxwell"]);
    // Both forms have the same stationary points and the same order of
    // values at each a, so the same folds and Maxwell point.
    for form in [AlphaForm::Amari, AlphaForm::Renyi] {
        let s = alpha_sweep(form, 0.0, 1.0, 11);
        let folds = find(&s, BifurcationKind::Fold);
        assert_eq!(folds.len(), 2, "{form:?}: {:?}", s.bifurcations);
        for f in &folds {
            assert!(
                (f.value - fold["value"].as_f64().unwrap()).abs() < 1e-6,
                "{form:?}: {f:?}"
            );
            assert!((f.mu.abs() - fold["mu"].as_f64().unwrap()).abs() < 1e-4);
            assert!((f.sigma - fold["sigma"].as_f64().unwrap()).abs() < 1e-4);
        }
        let m = find(&s, BifurcationKind::Maxwell);
        assert_eq!(m.len(), 1, "{form:?}: {:?}", s.bifurcations);
        assert!(
            (m[0].value - maxwell["value"].as_f64().unwrap()).abs() < 1e-6,
            "{form:?}: {:?}",
            m[0]
        );
        // At a = 0 the sweep is the exclusive KL's three minima; at a = 1 the
        // inclusive KL's one (the moment match).
        let minima_at = |a: f64| {
            s.branches
                .iter()
                .filter(|b| b.kind == BranchKind::Minimum)
                .filter(|b| b.points.iter().any(|p| p.value == a))
                .count()
        };
        assert_eq!(minima_at(0.0), 3, "{form:?}");
        assert_eq!(minima_at(1.0), 1, "{form:?}");
        for b in &s.branches {
            for p in &b.points {
                let problem = Parameter::Alpha
                    .problem_at(
                        &Scenario::default(),
                        Objective::Alpha(Alpha::new(0.0, form)),
                        p.value,
                    )
                    .unwrap();
                let e = problem.evaluate(p.mu, p.sigma);
                assert!(e.grad_norm() < 1e-9, "{p:?}: gradient {}", e.grad_norm());
            }
        }
    }
}
