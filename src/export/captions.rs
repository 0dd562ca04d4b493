//! The words of a figure: titles that say what was fitted, legend lines for
//! optima, saddles and unconverged starts, and off-range notes. Kept apart
//! from the drawing so they can be read and tested as text.

use super::BasinReport;
use super::style::GLOBAL_TIE;
use super::ticks::tick_label;
use crate::landscape::{Axis, Landscape, Optimum, Saddle};
use crate::number::fixed;
use crate::objective::{Family, Objective};

/// A number as a figure prints it: with a true minus sign.
pub fn number(v: f64, decimals: usize) -> String {
    fixed(v, decimals).replace('-', "−")
}

/// A tick label with a true minus sign.
pub fn tick(v: f64) -> String {
    tick_label(v).replace('-', "−")
}

/// The objective's formula with proper symbols: "KL(q‖p)", "D_0.5(p‖q)".
pub fn formula(objective: Objective) -> String {
    match objective {
        Objective::Inclusive => "KL(p‖q)".into(),
        Objective::Exclusive => "KL(q‖p)".into(),
        Objective::Alpha(_) => objective.formula().replace("||", "‖"),
    }
}

/// A panel's first title line: the objective in words.
pub fn title(objective: Objective) -> String {
    let what = match objective {
        Objective::Inclusive => "inclusive KL, mean-seeking",
        Objective::Exclusive => "exclusive KL, mode-seeking",
        Objective::Alpha(a) => match a.form {
            crate::objective::AlphaForm::Amari => "Amari's alpha-divergence, between the KLs",
            crate::objective::AlphaForm::Renyi => "Rényi's alpha-divergence, between the KLs",
        },
    };
    format!("{}: {what}", formula(objective))
}

fn range(axis: &Axis) -> String {
    format!("{}…{}", tick(axis.lo), tick(axis.hi))
}

/// A panel's second title line: the starts, the optimiser and the family.
pub fn subtitle(report: &BasinReport) -> String {
    let g = &report.grid;
    let starts = match (report.family, g.sigma.count) {
        (Family::FixedSigma { .. }, _) => format!("{} starts μ₀ in {}", g.mu.count, range(&g.mu)),
        (Family::Gaussian, 1) => format!(
            "{} starts μ₀ in {} at σ₀ = {}",
            g.mu.count,
            range(&g.mu),
            tick(g.sigma.at(0))
        ),
        (Family::Gaussian, _) => format!(
            "{} × {} starts, μ₀ in {}, σ₀ in {}{}",
            g.mu.count,
            g.sigma.count,
            range(&g.mu),
            range(&g.sigma),
            if g.sigma.log { " (log-spaced)" } else { "" }
        ),
    };
    let family = match report.family {
        Family::Gaussian => "q = N(μ, σ²) with μ and σ fitted".to_string(),
        Family::FixedSigma { sigma } => {
            format!("q = N(μ, σ²) with σ held at {}, μ fitted", tick(sigma))
        }
    };
    format!(
        "Adam from {starts}; at most {} steps, learning rate {}; {family}",
        report.steps,
        crate::number::readable(report.lr)
    )
}

/// Whether optimum `k` ties the best one: its KL within [`GLOBAL_TIE`] of
/// optimum 0's, relative to 1 + |KL| (the landscape's tie rule).
pub fn is_global(optima: &[Optimum], k: usize) -> bool {
    let best = optima[0].kl;
    (optima[k].kl - best).abs() <= GLOBAL_TIE * (1.0 + best.abs())
}

/// An optimum's first legend line: number, global or local, position.
pub fn optimum_line(map: &Landscape, k: usize, fixed_sigma: bool) -> String {
    let o = &map.optima[k];
    let kind = if is_global(&map.optima, k) {
        "global"
    } else {
        "local"
    };
    let at = if fixed_sigma {
        format!("μ {}", number(o.mu, 4))
    } else {
        format!("μ {}, σ {}", number(o.mu, 4), number(o.sigma, 4))
    };
    format!(
        "#{k} {kind}: {at}{}",
        if o.boundary { " (on the σ floor)" } else { "" }
    )
}

/// An optimum's second legend line: its KL and basin share.
pub fn optimum_detail(objective: Objective, o: &Optimum) -> String {
    format!(
        "{} = {}, basin {:.1}% of starts",
        formula(objective),
        number(o.kl, 6),
        100.0 * o.basin_fraction
    )
}

/// The legend line for the starts that reached no optimum.
pub fn unconverged_line(map: &Landscape, steps: u32) -> String {
    format!(
        "not converged in {steps} steps: {:.1}% of starts",
        100.0 * map.unconverged_share()
    )
}

/// The legend lines for the saddles the map found (or that it found none).
pub fn saddle_lines(saddles: &[Saddle], fixed_sigma: bool) -> Vec<String> {
    if saddles.is_empty() {
        return vec!["saddles: none found by the map".into()];
    }
    saddles
        .iter()
        .map(|s| {
            let at = if fixed_sigma {
                format!("μ {}", number(s.mu, 4))
            } else {
                format!("μ {}, σ {}", number(s.mu, 4), number(s.sigma, 4))
            };
            format!("saddle at {at}, KL {}", number(s.kl, 6))
        })
        .collect()
}

/// The note beside an off-range optimum's arrow.
pub fn off_range(k: usize, o: &Optimum, fixed_sigma: bool) -> String {
    if fixed_sigma {
        format!("#{k} at μ {}", number(o.mu, 2))
    } else {
        format!("#{k} at μ {}, σ {}", number(o.mu, 2), number(o.sigma, 2))
    }
}

/// The note beside the target strip's arrow to modes beyond one end.
pub fn off_range_modes(means: &[f64]) -> String {
    let at: Vec<String> = means.iter().map(|m| number(*m, 2)).collect();
    let noun = if means.len() == 1 { "mode" } else { "modes" };
    format!("{noun} of p at x = {}", at.join(", "))
}

/// The legend line of a map where no start reached a verified minimum.
pub const NO_OPTIMUM: &str = "none: no start reached a verified minimum";
/// The x axis's label.
pub const MU_AXIS: &str = "start mean μ₀ (and x for the densities above)";
/// The 2-D map's y axis label.
pub const SIGMA_AXIS: &str = "start width σ₀";
/// The colour bar's label.
pub const STEPS_LABEL: &str = "Adam steps to converge (lighter = fewer; one scale for every map)";

/// The y label of a one-dimensional figure's objective curve.
pub fn curve_label(objective: Objective, sigma: f64) -> String {
    format!("{} against μ at σ = {}", formula(objective), tick(sigma))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn optimum(kl: f64) -> Optimum {
        Optimum {
            mu: 1.0,
            sigma: 1.0,
            kl,
            basin_fraction: 0.5,
            boundary: false,
        }
    }

    #[test]
    fn ties_are_all_global_and_the_rest_local() {
        let optima = [optimum(0.69035), optimum(0.69035 + 1e-12), optimum(0.7)];
        assert!(is_global(&optima, 0));
        assert!(is_global(&optima, 1));
        assert!(!is_global(&optima, 2));
    }

    #[test]
    fn no_saddle_reads_as_none_found() {
        assert_eq!(saddle_lines(&[], false), ["saddles: none found by the map"]);
    }

    #[test]
    fn every_glyph_of_the_captions_is_shipped() {
        let samples = [
            title(Objective::Exclusive),
            title(Objective::Inclusive),
            number(-2.5, 4),
            MU_AXIS.into(),
            SIGMA_AXIS.into(),
            STEPS_LABEL.into(),
            curve_label(Objective::Exclusive, 1.0),
            "q = N(μ, σ²) × … ≥ #0 (on the σ floor) %".into(),
        ];
        for s in samples {
            for c in s.chars() {
                assert!(
                    super::super::text::has_glyph(c),
                    "no glyph for {c:?} in {s:?}"
                );
            }
        }
    }
}
