//! The exported figures as a reader and an editor meet them: the SVG is XML
//! with its labels as `<text>`, the PNG grows with `--dpi`, one-dimensional
//! families have no sigma axis, tied optima are all global, optima off the
//! plotted range are pointed at, log axes have log ticks, and bad figure
//! flags are refused before anything is computed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn kl(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kl-landscape"))
        .args(args)
        .env("KL_LANDSCAPE_TEST", "1")
        .output()
        .expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("figures-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.svg"))
}

/// Runs `basins` on the CPU with `args` and returns the texts of the SVG's `<text>` elements.
fn svg_texts(name: &str, args: &[&str]) -> Vec<String> {
    let path = scratch(name);
    let mut all = vec![
        "basins",
        "--backend",
        "cpu",
        "--svg",
        path.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let out = kl(&all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn has(texts: &[String], needle: &str) -> bool {
    texts.iter().any(|t| t.contains(needle))
}

#[test]
fn the_svg_holds_axis_labels_legend_and_title_as_text() {
    let t = svg_texts("labels", &["--grid", "16x8", "--steps", "300"]);
    for needle in [
        "KL(q‖p): exclusive KL, mode-seeking",
        "KL(p‖q): inclusive KL, mean-seeking",
        "16 × 8 starts",
        "learning rate 0.08",
        "start mean μ₀",
        "start width σ₀",
        "target p(x)",
        "#0 global",
        "not converged in 300 steps",
        "Adam steps to converge",
    ] {
        assert!(has(&t, needle), "no <text> holds {needle:?}: {t:?}");
    }
    assert!(
        has(&t, "saddles: none found by the map") || has(&t, "saddle at μ"),
        "the legend says what it found of saddles"
    );
}

#[test]
fn tied_optima_are_all_global() {
    let t = svg_texts(
        "ties",
        &[
            "--objective",
            "exclusive",
            "--grid",
            "24x12",
            "--steps",
            "400",
        ],
    );
    assert!(has(&t, "#0 global"), "{t:?}");
    assert!(has(&t, "#1 global"), "the mirror optimum ties #0: {t:?}");
    assert!(has(&t, "#2 local"), "the wide optimum is local: {t:?}");
}

#[test]
fn fixed_sigma_is_drawn_in_one_dimension() {
    let t = svg_texts(
        "fixed",
        &[
            "--fixed-sigma",
            "1",
            "--grid",
            "48x1",
            "--steps",
            "300",
            "--objective",
            "exclusive",
        ],
    );
    assert!(
        !has(&t, "σ₀"),
        "a fixed-sigma figure has no sigma0 axis: {t:?}"
    );
    assert!(has(&t, "KL(q‖p) against μ at σ = 1"), "{t:?}");
    assert!(has(&t, "σ held at 1"), "{t:?}");
    let band = svg_texts(
        "band",
        &[
            "--grid",
            "48x1",
            "--steps",
            "300",
            "--objective",
            "exclusive",
        ],
    );
    assert!(
        !has(&band, "start width σ₀"),
        "a one-row grid is a band: {band:?}"
    );
    assert!(has(&band, "at σ₀ = "), "{band:?}");
}

#[test]
fn optima_off_the_plotted_range_are_pointed_at() {
    let t = svg_texts(
        "offrange",
        &[
            "--target",
            "0.5:-10:1,0.5:10:1",
            "--objective",
            "exclusive",
            "--grid",
            "24x8",
            "--steps",
            "400",
        ],
    );
    assert!(has(&t, "at μ −10.00, σ 1.00"), "{t:?}");
    assert!(has(&t, "at μ 10.00, σ 1.00"), "{t:?}");
    assert!(
        has(&t, "modes of p at x") || has(&t, "mode of p at x = −10.00"),
        "{t:?}"
    );
}

#[test]
fn log_sigma_axes_have_log_ticks() {
    let t = svg_texts(
        "log",
        &[
            "--log-sigma",
            "--grid",
            "8x16",
            "--steps",
            "100",
            "--objective",
            "exclusive",
        ],
    );
    for tick in ["0.1", "0.2", "0.5", "1", "2", "4"] {
        assert!(t.iter().any(|s| s == tick), "no tick {tick}: {t:?}");
    }
}

#[test]
fn the_steps_scale_is_fixed_by_the_flag() {
    let t = svg_texts(
        "scale",
        &[
            "--grid",
            "8x4",
            "--steps",
            "100",
            "--steps-scale",
            "5000",
            "--objective",
            "exclusive",
        ],
    );
    assert!(t.iter().any(|s| s == "5000"), "{t:?}");
}

/// Width and height from a PNG's header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

#[test]
fn the_png_scales_with_dpi() {
    let dir = scratch("dpi").parent().unwrap().to_path_buf();
    let size = |dpi: &str| {
        let path = dir.join(format!("{dpi}.png"));
        let out = kl(&[
            "basins",
            "--backend",
            "cpu",
            "--grid",
            "8x4",
            "--steps",
            "50",
            "--objective",
            "exclusive",
            "--dpi",
            dpi,
            "--png",
            path.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        png_size(&path)
    };
    let (small, large) = (size("100"), size("200"));
    assert!(small.0 > 600, "{small:?}");
    assert!(
        (large.0 as i64 - 2 * small.0 as i64).abs() <= 2,
        "{small:?} {large:?}"
    );
    assert!(
        (large.1 as i64 - 2 * small.1 as i64).abs() <= 2,
        "{small:?} {large:?}"
    );
}

#[test]
fn bad_figure_flags_are_one_line_and_exit_code_2_before_computing() {
    let svg = scratch("bad");
    for (flag, value, needle) in [
        ("--dpi", "0", "--dpi"),
        ("--dpi", "abc", "--dpi"),
        ("--dpi", "100000", "--dpi"),
        ("--size", "800", "--size"),
        ("--size", "10x10", "--size"),
        ("--steps-scale", "0", "--steps-scale"),
        ("--steps-scale", "-3", "--steps-scale"),
    ] {
        let out = kl(&[
            "basins",
            "--backend",
            "cpu",
            "--grid",
            "4096x4096",
            "--svg",
            svg.to_str().unwrap(),
            flag,
            value,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{flag} {value}: {stderr}");
        assert!(stderr.contains(needle), "{flag} {value}: {stderr}");
        assert!(!svg.exists(), "nothing is written");
    }
    let out = kl(&[
        "basins",
        "--grid",
        "4096x4096",
        "--dpi",
        "1200",
        "--size",
        "8000x8000",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a figure too large for memory is refused"
    );
}
