//! Output is never lost: paths are checked before anything is computed, two
//! outputs or an output and an input never share a file, a closed or full
//! stdout never panics and never costs the files, and an earlier file
//! survives every failure.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn kl_command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kl-landscape"));
    c.args(args);
    c
}

fn kl(args: &[&str]) -> Output {
    kl_command(args).output().expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kl-out-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code 2 with exactly one line on stderr that mentions `needle`.
fn assert_refused(out: &Output, needle: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "want one line, got {stderr:?}");
    assert!(lines[0].contains(needle), "'{}' lacks '{needle}'", lines[0]);
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A map that would take minutes on the CPU engine: a refusal must come before it.
const LONG: [&str; 6] = ["--grid", "512x256", "--steps", "100000", "--backend", "cpu"];

#[test]
fn bad_output_paths_are_refused_before_the_map_runs() {
    let dir = scratch("paths");
    let file = dir.join("plain.txt");
    std::fs::write(&file, "keep").unwrap();
    let cases = [
        (
            "--json",
            "/nonexistent/x.json".to_string(),
            "does not exist",
        ),
        ("--png", s(&dir).to_string(), "is a folder"),
        ("--png", format!("{}/", s(&dir)), "is a folder"),
        ("--json", "/dev/full".to_string(), "not a regular file"),
        ("--json", format!("{}/x.json", s(&file)), "is not a folder"),
    ];
    for (flag, path, needle) in cases {
        let mut args = vec!["basins", flag, &path];
        args.extend(LONG);
        assert_refused(&kl(&args), needle);
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    assert_refused(
        &kl(&["gui", "--screenshot", &format!("{}/", s(&dir))]),
        "is a folder",
    );
    assert_refused(
        &kl(&[
            "fit",
            "--mu0",
            "0",
            "--sigma0",
            "1",
            "--json",
            "/nonexistent/f.json",
        ]),
        "does not exist",
    );
    assert_refused(
        &kl(&["bench", "--json", "/nonexistent/b.json"]),
        "does not exist",
    );
}

#[test]
fn outputs_never_share_a_file_with_each_other_or_an_input() {
    let dir = scratch("same");
    let old = dir.join("old.json");
    std::fs::write(&old, "{\"earlier\": true}").unwrap();
    let scenario = dir.join("s.json");
    let scenario_text = r#"{"target": [{"weight": 1, "mean": 0, "std": 1}]}"#;
    std::fs::write(&scenario, scenario_text).unwrap();
    let dotted = format!("{}/./old.json", s(&dir));
    let mut args = vec!["basins", "--json", s(&old), "--png", &dotted];
    args.extend(LONG);
    assert_refused(&kl(&args), "same file");
    let mut args = vec!["basins", "--scenario", s(&scenario), "--png", s(&scenario)];
    args.extend(LONG);
    assert_refused(&kl(&args), "destroy the input");
    let folder = format!("{}/", s(&dir));
    let mut args = vec!["basins", "--json", s(&old), "--png", &folder];
    args.extend(LONG);
    assert_refused(&kl(&args), "is a folder");
    assert_eq!(
        std::fs::read_to_string(&old).unwrap(),
        "{\"earlier\": true}"
    );
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), scenario_text);
}

const SMALL_MAP: [&str; 8] = [
    "basins",
    "--grid",
    "8x4",
    "--steps",
    "300",
    "--backend",
    "cpu",
    "--json",
];

/// Runs with stdout closed before the program writes to it (as `| true`):
/// a quiet exit 0, nothing on stderr, the file complete.
#[test]
fn a_closed_stdout_is_a_quiet_end_and_the_files_are_written() {
    let dir = scratch("pipe");
    let fit_json = dir.join("f.json");
    let map_json = dir.join("m.json");
    let mut map_args = SMALL_MAP.to_vec();
    map_args.push(s(&map_json));
    let fit_args = [
        "fit",
        "--mu0",
        "1.5",
        "--sigma0",
        "0.5",
        "--json",
        s(&fit_json),
    ];
    for (args, file) in [(&map_args[..], &map_json), (&fit_args[..], &fit_json)] {
        let mut child = kl_command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert!(v["target"].is_array());
    }
}

#[test]
fn a_full_stdout_is_one_line_and_the_files_are_written() {
    let dir = scratch("full");
    let map_json = dir.join("m.json");
    let mut args = SMALL_MAP.to_vec();
    args.push(s(&map_json));
    for args in [&args[..], &["basins", "--help"][..]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = kl_command(args).stdout(full).output().unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains("cannot write to standard output"),
            "{stderr}"
        );
    }
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&map_json).unwrap()).unwrap();
    assert_eq!(v["exclusive"]["labels"].as_array().unwrap().len(), 32);
}

#[test]
fn a_window_that_cannot_open_keeps_the_earlier_frame_log() {
    let dir = scratch("log");
    let log = dir.join("frames.tsv");
    std::fs::write(&log, "earlier log\n").unwrap();
    let out = kl_command(&["gui", "--frame-log", s(&log)])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .output()
        .unwrap();
    assert_refused(&out, "could not open the window");
    assert!(!text(&out.stderr).contains(".cargo"), "a source path leaks");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "earlier log\n");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
}

#[test]
fn scenario_files_are_bounded_strict_and_forgiving_of_a_bom() {
    let dir = scratch("scenario");
    let out = kl(&["basins", "--scenario", "/dev/zero", "--grid", "4x4"]);
    assert_refused(&out, "larger than 1024 KiB");
    let typo = dir.join("typo.json");
    std::fs::write(
        &typo,
        r#"{"target": [{"weight": 1, "mean": 0, "std": 1}], "famliy": {"kind": "gaussian"}}"#,
    )
    .unwrap();
    assert_refused(&kl(&["basins", "--scenario", s(&typo)]), "\"famliy\"");
    let bom = dir.join("bom.json");
    std::fs::write(
        &bom,
        "\u{feff}{\"target\": [{\"weight\": 1, \"mean\": 0.5, \"std\": 1.3}]}",
    )
    .unwrap();
    let out = kl(&[
        "basins",
        "--scenario",
        s(&bom),
        "--grid",
        "4x2",
        "--steps",
        "50",
        "--backend",
        "cpu",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("target 1:0.5:1.3"));
}
