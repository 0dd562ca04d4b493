//! The command line as a user meets it: bad input gets one line and exit
//! code 2, the JSON follows the contract, the PNG is written, and random
//! strings never panic the parser.

use std::process::Command;

fn kl(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kl-landscape"))
        .args(args)
        .env("KL_LANDSCAPE_TEST", "1")
        .output()
        .expect("the binary runs")
}

/// Runs the binary and asserts that it succeeded, showing its stderr if not.
fn kl_ok(args: &[&str]) -> std::process::Output {
    let out = kl(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A fresh folder for one test's files.
fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The JSON a command wrote.
fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn assert_input_error(args: &[&str], needle: &str) {
    let out = kl(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: exit {:?}, stderr {stderr}",
        out.status.code()
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: want one line, got {stderr:?}");
    assert!(
        lines[0].contains(needle),
        "{args:?}: '{}' does not mention '{needle}'",
        lines[0]
    );
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"));
}

#[test]
fn bad_input_is_one_line_and_exit_code_2() {
    let small = ["--grid", "4x4", "--steps", "5", "--backend", "cpu"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["basins", "--target", "abc"], "mode 1"),
        (vec!["basins", "--target", "1:0"], "weight:mean:std"),
        (vec!["basins", "--target", "1:0:0"], "std must be > 0"),
        (vec!["basins", "--target", "1:0:-1"], "std must be > 0"),
        (vec!["basins", "--target", "0:0:1"], "weight must be > 0"),
        (vec!["basins", "--target", "-1:0:1"], "weight must be > 0"),
        (vec!["basins", "--target", "1:nan:1"], "finite"),
        (vec!["basins", "--target", "1:inf:1"], "finite"),
        (vec!["basins", "--target", "1:0:1,1:x:1"], "mode 2"),
        (vec!["basins", "--mu-range", "3:1"], "empty"),
        (vec!["basins", "--mu-range", "1:1"], "empty"),
        (vec!["basins", "--mu-range", "a:b"], "not a number"),
        (vec!["basins", "--sigma-range", "-1:2"], "positive"),
        (
            vec!["basins", "--sigma-range", "0.01:0.05"],
            "below sigma's floor 0.1",
        ),
        (
            vec![
                "sweep",
                "--vary",
                "separation",
                "--from",
                "1",
                "--to",
                "2",
                "--values",
                "0",
            ],
            "--values must be at least 2",
        ),
        (
            vec![
                "sweep",
                "--vary",
                "separation",
                "--from",
                "1",
                "--to",
                "2",
                "--values",
                "1",
            ],
            "--values must be at least 2",
        ),
        (
            vec![
                "sweep",
                "--vary",
                "separation",
                "--from",
                "1",
                "--to",
                "2",
                "--values",
                "100000",
            ],
            "a sweep runs at most 67108864 in all",
        ),
        (
            vec![
                "sweep",
                "--vary",
                "separation",
                "--from",
                "1",
                "--to",
                "2",
                "--values",
                "100",
                "--grid",
                "8192x8192",
            ],
            "a sweep runs at most",
        ),
        (vec!["basins", "--sigma-range", "2"], "LO:HI"),
        (vec!["basins", "--grid", "0x10"], "no starts"),
        (vec!["basins", "--grid", "10"], "NMUxNSIGMA"),
        (
            vec!["basins", "--grid", "-1x8"],
            "'-1' is not a whole number",
        ),
        (
            vec!["basins", "--refine", "-2"],
            "'-2' is not a whole number",
        ),
        (vec!["basins", "--lr", "1e300"], "(got 1e300)"),
        (vec!["basins", "--fixed-sigma", "1e7"], "(got 1e7)"),
        (vec!["basins", "--sigma-range", "0.1:1e300"], "(got 1e300)"),
        (vec!["basins", "--mu-range", "-1e7:0"], "diverged"),
        (vec!["basins", "--target", "1:0:1e-300"], "(got 1e-300)"),
        (vec!["basins", "--steps", "99999999999"], "too large"),
        (
            vec!["basins", "--grid", "18446744073709551615x2"],
            "36893488147419103230 starts",
        ),
        (vec!["gui", "--target", "1:0"], "weight:mean:std"),
        (
            vec!["gui", "--target", "1:0:1", "--scenario", "x.json"],
            "cannot be used with",
        ),
        (vec!["basins", "--grid", "100000x100000"], "GiB"),
        (vec!["basins", "--steps", "0"], "at least 1"),
        (vec!["basins", "--steps", "-3"], "whole number"),
        (vec!["basins", "--lr", "0"], "--lr"),
        (vec!["basins", "--lr", "nan"], "--lr"),
        (vec!["basins", "--fixed-sigma", "0"], "fixed sigma"),
        (vec!["basins", "--fixed-sigma", "inf"], "--fixed-sigma"),
        (
            vec!["basins", "--scenario", "/no/such/file.json"],
            "cannot read scenario",
        ),
        (vec!["basins", "--objective", "sideways"], "sideways"),
        (vec!["basins", "--no-such-flag"], "no-such-flag"),
        (vec!["fit", "--mu0", "0"], "sigma0"),
        (vec!["fit", "--mu0", "x", "--sigma0", "1"], "--mu0"),
        (vec!["fit", "--mu0", "0", "--sigma0", "-1"], "--sigma0"),
        (vec!["gui", "--frames", "3"], "screenshot"),
        (
            vec!["gui", "--frame-log", "/no/such/dir/frames.tsv"],
            "--frame-log",
        ),
        (
            vec!["gui", "--screenshot", "a.png", "--frame-log", "f.tsv"],
            "frame-log",
        ),
    ];
    for (mut args, needle) in cases {
        if args[0] == "basins" {
            // Keep the runs that would be valid tiny.
            for pair in small.chunks(2) {
                if !args.contains(&pair[0]) {
                    args.extend_from_slice(pair);
                }
            }
        }
        assert_input_error(&args, needle);
    }
    let too_many: String = (0..17)
        .map(|k| format!("1:{k}:1"))
        .collect::<Vec<_>>()
        .join(",");
    assert_input_error(
        &["basins", "--target", &too_many, "--backend", "cpu"],
        "at most 16",
    );
}

#[test]
fn extreme_numbers_print_short() {
    let out = kl_ok(&[
        "basins",
        "--target",
        "1e-200:0:1,1:3:1",
        "--grid",
        "4x2",
        "--steps",
        "5",
        "--backend",
        "cpu",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().next().unwrap();
    assert!(first.contains("1e-200:0:1,1:3:1"), "{first}");
    assert!(first.len() < 120, "{first}");
}

#[test]
fn bad_scenario_files_are_input_errors() {
    let dir = scratch_dir("kl-scen");
    for (name, text, needle) in [
        ("broken.json", "{not json", "scenario is not valid"),
        ("nomodes.json", r#"{"target": []}"#, "at least one mode"),
        (
            "badstd.json",
            r#"{"target": [{"weight": 1, "mean": 0, "std": 0}]}"#,
            "std must be > 0",
        ),
        (
            "badfamily.json",
            r#"{"target": [{"weight": 1, "mean": 0, "std": 1}], "family": {"kind": "fixed_sigma", "sigma": 0.01}}"#,
            "fixed sigma",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        assert_input_error(
            &[
                "basins",
                "--scenario",
                path.to_str().unwrap(),
                "--grid",
                "4x4",
                "--steps",
                "5",
                "--backend",
                "cpu",
            ],
            needle,
        );
    }
}

#[test]
fn basins_json_follows_the_contract_and_png_is_written() {
    let dir = scratch_dir("kl-cli");
    let (json, png) = (dir.join("b.json"), dir.join("b.png"));
    kl_ok(&[
        "basins",
        "--grid",
        "24x12",
        "--steps",
        "1500",
        "--backend",
        "cpu",
        "--json",
        json.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    let v: serde_json::Value = read_json(&json);
    assert_eq!(v["target"].as_array().unwrap().len(), 2);
    assert_eq!(v["target"][0]["weight"], 0.5);
    assert_eq!(v["target"][1]["mean"], 2.5);
    assert_eq!(v["family"]["kind"], "gaussian");
    assert_eq!(v["grid"]["mu"], serde_json::json!([-7.0, 7.0, 24]));
    assert_eq!(v["grid"]["sigma"], serde_json::json!([0.1, 4.0, 12]));
    assert_eq!(v["optimizer"]["lr"], 0.08);
    assert_eq!(v["optimizer"]["steps"], 1500);
    assert_eq!(v["backend"]["kind"], "cpu");
    for key in ["exclusive", "inclusive"] {
        let m = &v[key];
        let labels = m["labels"].as_array().unwrap();
        assert_eq!(labels.len(), 24 * 12);
        assert_eq!(m["steps_to_converge"].as_array().unwrap().len(), 24 * 12);
        assert!(m["seconds"].as_f64().unwrap() > 0.0);
        let optima = m["optima"].as_array().unwrap();
        let kls: Vec<f64> = optima.iter().map(|o| o["kl"].as_f64().unwrap()).collect();
        assert!(
            kls.windows(2).all(|w| w[0] <= w[1]),
            "{key}: optima not sorted by KL"
        );
        for o in optima {
            for field in ["mu", "sigma", "kl", "basin_fraction"] {
                assert!(o[field].is_f64(), "{key}: {field} missing in {o}");
            }
            assert!(o["boundary"].is_boolean());
        }
        assert!(m["saddles"].is_array());
        assert!(labels.iter().all(|l| {
            let l = l.as_i64().unwrap();
            l >= -1 && l < optima.len() as i64
        }));
    }
    assert_eq!(v["exclusive"]["optima"].as_array().unwrap().len(), 3);
    assert_eq!(v["inclusive"]["optima"].as_array().unwrap().len(), 1);
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    assert!(bytes.len() > 10_000, "the picture is suspiciously small");
}

#[test]
fn fixed_sigma_json_names_the_family() {
    let dir = scratch_dir("kl-fixed");
    let json = dir.join("f.json");
    kl_ok(&[
        "basins",
        "--fixed-sigma",
        "1",
        "--objective",
        "exclusive",
        "--grid",
        "16x3",
        "--steps",
        "800",
        "--backend",
        "cpu",
        "--json",
        json.to_str().unwrap(),
    ]);
    let v: serde_json::Value = read_json(&json);
    assert_eq!(
        v["family"],
        serde_json::json!({"kind": "fixed_sigma", "sigma": 1.0})
    );
    assert!(v.get("inclusive").is_none());
    let labels = v["exclusive"]["labels"].as_array().unwrap();
    // sigma0 plays no part: every row equals the first.
    assert_eq!(labels[0..16], labels[16..32]);
}

#[test]
fn fit_prints_and_writes_both_trajectories() {
    let dir = scratch_dir("kl-fit");
    let json = dir.join("fit.json");
    let out = kl_ok(&[
        "fit",
        "--mu0",
        "1.5",
        "--sigma0",
        "0.5",
        "--backend",
        "cpu",
        "--json",
        json.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("KL(q||p)") && stdout.contains("KL(p||q)"),
        "{stdout}"
    );
    let v: serde_json::Value = read_json(&json);
    for key in ["exclusive", "inclusive"] {
        let t = v[key]["trajectory"].as_array().unwrap();
        assert_eq!(t[0]["step"], 0);
        assert_eq!(t[0]["mu"], 1.5);
        assert!(t.len() > 10);
        assert!(t.iter().all(|p| p["kl"].as_f64().unwrap().is_finite()));
    }
    // From (1.5, 0.5) the exclusive fit climbs into the right-hand mode.
    assert!((v["exclusive"]["optimum"]["mu"].as_f64().unwrap() - 2.4919).abs() < 1e-3);
    assert_eq!(v["exclusive"]["status"], "converged");
    // Numbering the optima needs the map: only with --rank.
    assert!(v["exclusive"].get("optimum_index").is_none());
    let ranked = dir.join("ranked.json");
    let out = kl_ok(&[
        "fit",
        "--mu0",
        "1.5",
        "--sigma0",
        "0.5",
        "--rank",
        "--backend",
        "cpu",
        "--json",
        ranked.to_str().unwrap(),
    ]);
    let v: serde_json::Value = read_json(&ranked);
    // Optimum #1: the mirror of #0 with the larger mu.
    assert_eq!(v["exclusive"]["optimum_index"], 1);
    assert_eq!(v["exclusive"]["optima_in_map"], 3);
    assert_eq!(v["inclusive"]["optimum_index"], 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("optimum #1 of 3"));
}

#[test]
fn fit_claims_only_a_minimum_it_reached() {
    let dir = scratch_dir("kl-fit-moving");
    let json = dir.join("fit.json");
    let out = kl_ok(&[
        "fit",
        "--mu0",
        "30",
        "--sigma0",
        "0.5",
        "--steps",
        "300",
        "--json",
        json.to_str().unwrap(),
    ]);
    let v = read_json(&json);
    assert_eq!(v["exclusive"]["status"], "still moving");
    assert!(v["exclusive"]["optimum"].is_null());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("(still moving); no optimum reached"),
        "{stdout}"
    );
}

#[test]
fn a_long_fit_keeps_a_bounded_trajectory() {
    let dir = scratch_dir("kl-fit-long");
    let json = dir.join("fit.json");
    kl_ok(&[
        "fit",
        "--mu0",
        "-30",
        "--sigma0",
        "0.5",
        "--steps",
        "100000",
        "--json",
        json.to_str().unwrap(),
    ]);
    let v = read_json(&json);
    for key in ["exclusive", "inclusive"] {
        let t = v[key]["trajectory"].as_array().unwrap();
        let stride = v[key]["trajectory_stride"].as_u64().unwrap();
        assert_eq!(stride, 25, "{key}");
        assert!(t.len() <= 4002, "{key}: {} points", t.len());
        let steps = v[key]["steps"].as_u64().unwrap();
        assert_eq!(t.last().unwrap()["step"].as_u64().unwrap(), steps, "{key}");
        assert!(t[1]["step"].as_u64().unwrap() == stride.min(steps));
    }
}

#[test]
fn a_normal_run_prints_only_what_the_program_means() {
    let out = kl_ok(&[
        "basins",
        "--grid",
        "4x2",
        "--steps",
        "20",
        "--objective",
        "exclusive",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if std::env::var("KL_REQUIRE_GPU").as_deref() == Ok("1") {
        assert_eq!(stderr, "", "a GPU run prints nothing on stderr");
    } else {
        assert!(!stderr.contains("XDG_RUNTIME_DIR"), "{stderr}");
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("XDG_RUNTIME_DIR"), "{stdout}");
}

#[test]
fn no_adapter_is_exit_code_2_everywhere() {
    let dir = scratch_dir("kl-noadapter");
    let png = dir.join("s.png");
    for args in [
        vec!["basins", "--backend", "gpu", "--grid", "4x4"],
        vec!["gui", "--screenshot", png.to_str().unwrap()],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_kl-landscape"))
            .args(&args)
            .env("VK_ICD_FILENAMES", "/nonexistent/icd.json")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("no GPU adapter"), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert!(!png.exists());
}

#[test]
fn random_strings_never_panic_the_parser() {
    let mut rng = fastrand::Rng::with_seed(42);
    let alphabet: Vec<char> = "0123456789:,.-+eEinfaNx \t;".chars().collect();
    for _ in 0..20_000 {
        let len = rng.usize(0..40);
        let s: String = (0..len)
            .map(|_| alphabet[rng.usize(..alphabet.len())])
            .collect();
        match kl_landscape::Mixture::parse(&s) {
            Ok(m) => assert!(
                m.modes()
                    .iter()
                    .all(|x| x.weight > 0.0 && x.std > 0.0 && x.mean.is_finite())
            ),
            Err(e) => assert_eq!(e.exit_code(), 2),
        }
        let _ = kl_landscape::command::args::parse_range("--r", &s);
        let _ = kl_landscape::command::args::parse_grid(&s);
    }
}

#[test]
fn a_fit_that_stalls_at_a_tiny_step_size_is_not_called_converged() {
    // Issue 20: at lr 2e-5 Adam stands still at (-2.340, 0.664), 0.19 from
    // the minimum at (-2.4919, 0.8126), and at lr 1e-300 it never moves;
    // both were reported as having reached it.
    let dir = scratch_dir("kl-stall");
    for lr in ["2e-5", "1e-300"] {
        let path = dir.join(format!("fit-{lr}.json"));
        let out = kl_ok(&[
            "fit",
            "--mu0",
            "-2.3333",
            "--sigma0",
            "0.6571",
            "--lr",
            lr,
            "--objective",
            "exclusive",
            "--json",
            path.to_str().unwrap(),
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("(stalled)") && !stdout.contains("converged"),
            "lr {lr}: {stdout}"
        );
        let fit = &read_json(&path)["exclusive"];
        assert_eq!(fit["status"], "stalled", "lr {lr}");
        assert!(fit["optimum"].is_null(), "lr {lr}: {}", fit["optimum"]);
    }
    // A map at lr 1e-6: no start moves far, so none is labelled as
    // reaching an optimum and no saddle is listed that no start reached.
    let path = dir.join("basins.json");
    kl_ok(&[
        "basins",
        "--lr",
        "1e-6",
        "--grid",
        "32x16",
        "--objective",
        "exclusive",
        "--backend",
        "cpu",
        "--json",
        path.to_str().unwrap(),
    ]);
    let map = &read_json(&path)["exclusive"];
    let labels = map["labels"].as_array().unwrap();
    assert!(labels.iter().all(|l| l == -1), "{:?}", map["optima"]);
    assert_eq!(map["saddles"].as_array().unwrap().len(), 0);
}

#[test]
fn a_fit_on_the_alpha_plateau_says_so() {
    // Issue 20: polishing on the flat far field took 12.9 s and said nothing of it.
    let out = kl_ok(&[
        "fit",
        "--mu0",
        "1000",
        "--sigma0",
        "0.1",
        "--objective",
        "alpha",
        "--alpha",
        "0.3",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("(stalled); it stands on the alpha-divergence's plateau"),
        "{stdout}"
    );
}

#[test]
fn a_sweep_of_the_held_sigma_says_its_family_is_fixed_sigma() {
    // Issue 20: without --fixed-sigma the JSON said "gaussian".
    let dir = scratch_dir("kl-sweep-held");
    let path = dir.join("sweep.json");
    let out = kl_ok(&[
        "sweep",
        "--vary",
        "fixed-sigma",
        "--from",
        "0.5",
        "--to",
        "1.5",
        "--values",
        "2",
        "--grid",
        "8x2",
        "--steps",
        "300",
        "--backend",
        "cpu",
        "--json",
        path.to_str().unwrap(),
    ]);
    let v = read_json(&path);
    assert_eq!(v["family"], serde_json::json!({"kind": "fixed_sigma"}));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("family fixed sigma (the parameter)"),
        "{stdout}"
    );
}

#[test]
fn bench_names_the_cpu_engines_adapter() {
    // Issue 20: `adapter` was null for the CPU backend.
    let dir = scratch_dir("kl-bench-adapter");
    let path = dir.join("bench.json");
    kl_ok(&[
        "bench",
        "--quick",
        "--only",
        "W1",
        "--json",
        path.to_str().unwrap(),
    ]);
    let results = read_json(&path)["results"].as_array().unwrap().clone();
    assert!(!results.is_empty());
    for r in results {
        let adapter = r["adapter"].as_str().unwrap_or_else(|| panic!("{r}"));
        if r["backend"] == "cpu" {
            assert!(adapter.contains("f64 reference engine"), "{adapter}");
        }
    }
}
