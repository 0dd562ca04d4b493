//! The objectives the window shows, in order, and how each is named and
//! coloured. Every view (fit panels, maps, colours of optima, the sweep)
//! walks [`OBJECTIVES`]: showing another objective is adding it there and a
//! [`Style`] in [`style`].

use eframe::egui::Color32;

use crate::objective::Objective;

/// The window's objectives, in the order their rows are drawn (top first).
pub const OBJECTIVES: [Objective; 2] = [Objective::Inclusive, Objective::Exclusive];

/// How the window names and marks one objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// The objective's accent: its panels' side stripe and its toggle.
    pub colour: Color32,
    /// Its formula as the fit panel's title writes it.
    pub formula: &'static str,
    /// Its name ("inclusive").
    pub direction: &'static str,
    /// What the optimiser does under it ("mean-seeking").
    pub seeks: &'static str,
    /// True when its one optimum is known in closed form: its dashed curve
    /// needs no map, so its map computes after the others.
    pub closed_form: bool,
}

/// The style of `objective`.
pub fn style(objective: Objective) -> Style {
    match objective {
        Objective::Inclusive => Style {
            colour: Color32::from_rgb(40, 110, 180),
            formula: "KL(p || q)",
            direction: "inclusive",
            seeks: "mean-seeking",
            closed_form: true,
        },
        Objective::Exclusive => Style {
            colour: Color32::from_rgb(200, 90, 30),
            formula: "KL(q || p)",
            direction: "exclusive",
            seeks: "mode-seeking",
            closed_form: false,
        },
        Objective::Alpha(_) => Style {
            colour: Color32::from_rgb(120, 60, 160),
            formula: "D_α(p || q)",
            direction: "alpha",
            seeks: "in between",
            closed_form: false,
        },
    }
}
