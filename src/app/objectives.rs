//! The objectives the window shows, in order, and how each is named and
//! coloured. Every view (fit panels, maps, colours of optima, the sweep)
//! walks [`OBJECTIVES`]: showing another objective is adding it there and a
//! [`Style`] in [`style`]. An objective is known by its kind
//! ([`Objective::key`]): the alpha-divergence's order is the window's
//! setting (its slider), put in by [`with_alpha`].

use eframe::egui::Color32;

use crate::objective::{Alpha, AlphaForm, Objective, Resolved};

/// The alpha-divergence the window opens with: a = 1/2 (four times the
/// squared Hellinger distance), half way between the two KLs.
pub const WINDOW_ALPHA: Alpha = Alpha::new(0.5, AlphaForm::Amari);

/// The window's objectives, in the order their rows are drawn (top first).
pub const OBJECTIVES: [Objective; 3] = [
    Objective::Inclusive,
    Objective::Exclusive,
    Objective::Alpha(WINDOW_ALPHA),
];

/// `listed` (one of [`OBJECTIVES`]) as the window computes it: an
/// alpha-divergence of the window's `alpha`, any other as it is.
pub fn with_alpha(listed: Objective, alpha: Alpha) -> Objective {
    match listed {
        Objective::Alpha(_) => Objective::Alpha(alpha),
        other => other,
    }
}

/// How the window names and marks one objective.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// The objective's accent: its panels' side stripe and its toggle.
    pub colour: Color32,
    /// Its formula as the fit panel's title writes it.
    pub formula: &'static str,
    /// What its readouts call its value ("KL", "D", "R").
    pub value: &'static str,
    /// Its name ("inclusive").
    pub direction: &'static str,
    /// What the optimiser does under it ("mean-seeking").
    pub seeks: &'static str,
    /// When its map computes among the others (lowest first): the
    /// exclusive KL's first (its dashed optima wait on it), the inclusive
    /// one's next (its one optimum is known in closed form, so its curve
    /// waits on nothing), the alpha-divergence's last (its kernel costs
    /// 3.6 times the KLs' transcendentals, see BENCHMARKS.md W3).
    pub map_rank: u8,
}

/// `objective`'s name in a panel's title: its [`Style::formula`], with the
/// order for an alpha-divergence ("D_α(p || q), α = 0.5"), and at the ends
/// the KL it is there ("α = 0 = KL(q || p)").
pub fn title(objective: Objective) -> String {
    let formula = style(objective).formula;
    match objective {
        Objective::Alpha(alpha) => {
            let order = format!("{formula}, α = {}", crate::number::readable(alpha.a()));
            let end = match objective.resolved() {
                Resolved::Exclusive => Some(Objective::Exclusive),
                Resolved::Inclusive => Some(Objective::Inclusive),
                Resolved::Alpha { .. } => None,
            };
            match end {
                Some(kl) => format!("{order} = {}", style(kl).formula),
                None => order,
            }
        }
        _ => formula.to_string(),
    }
}

/// The style of `objective`.
pub fn style(objective: Objective) -> Style {
    match objective {
        Objective::Inclusive => Style {
            colour: Color32::from_rgb(40, 110, 180),
            formula: "KL(p || q)",
            value: "KL",
            direction: "inclusive",
            seeks: "mean-seeking",
            map_rank: 1,
        },
        Objective::Exclusive => Style {
            colour: Color32::from_rgb(200, 90, 30),
            formula: "KL(q || p)",
            value: "KL",
            direction: "exclusive",
            seeks: "mode-seeking",
            map_rank: 0,
        },
        Objective::Alpha(alpha) => Style {
            colour: Color32::from_rgb(120, 60, 160),
            formula: match alpha.form {
                AlphaForm::Amari => "D_α(p || q)",
                AlphaForm::Renyi => "R_α(p || q)",
            },
            value: match alpha.form {
                AlphaForm::Amari => "D",
                AlphaForm::Renyi => "R",
            },
            direction: "alpha",
            seeks: "in between",
            map_rank: 2,
        },
    }
}
