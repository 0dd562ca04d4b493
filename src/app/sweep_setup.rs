//! What the window's sweep varies, with no drawing: the separation of two
//! chosen modes, a chosen mode's mean, std or weight share, or the
//! alpha-divergence's order, over a range;
//! the sweep's spec for the current target, the parameter's value in it, and
//! the target at another value (what a click on the diagram sets).

use crate::defaults::DEFAULT_STEPS;
use crate::error::Result;
use crate::landscape::Grid;
use crate::objective::{Alpha, Objective};
use crate::scenario::Scenario;
use crate::sweep::{Parameter, SweepSpec};
use crate::target::Mixture;

/// Starts per value of the window's sweep (mu columns, sigma rows): small,
/// so a sweep finishes in seconds on the CPU engine.
pub const SWEEP_GRID: (usize, usize) = (32, 16);
/// Starts per value of the alpha strip, which shows no basin fractions: its
/// maps only seed the branches, which continuation then follows (on the
/// widget's target the same branches and events as 32x16, in 6 s, not 27 s).
pub const ALPHA_STRIP_GRID: (usize, usize) = (16, 8);
/// Values of the window's sweep.
pub const SWEEP_VALUES: usize = 21;

/// The kinds of parameter the window sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepKind {
    /// The distance of two modes, moved symmetrically about their midpoint.
    Separation,
    /// A mode's mean.
    Mean,
    /// A mode's std.
    Std,
    /// A mode's share of the weight (the others keep their proportions).
    Weight,
    /// The alpha-divergence's order a (the target stays).
    Alpha,
}

impl SweepKind {
    /// Every kind, in the selector's order.
    pub const ALL: [SweepKind; 5] = [
        SweepKind::Separation,
        SweepKind::Mean,
        SweepKind::Std,
        SweepKind::Weight,
        SweepKind::Alpha,
    ];

    /// The selector's label.
    pub fn label(self) -> &'static str {
        match self {
            SweepKind::Separation => "separation",
            SweepKind::Mean => "mean",
            SweepKind::Std => "std",
            SweepKind::Weight => "weight",
            SweepKind::Alpha => "alpha",
        }
    }

    /// The range a fresh choice of this kind sweeps, around `value` (its value now).
    fn default_range(self, value: f64) -> (f64, f64) {
        match self {
            SweepKind::Separation => (0.5, (2.0 * value).clamp(8.0, 40.0)),
            SweepKind::Mean => (value - 5.0, value + 5.0),
            SweepKind::Std => (0.2, (2.0 * value).max(3.0)),
            SweepKind::Weight => (0.05, 0.95),
            SweepKind::Alpha => (0.0, 1.0),
        }
    }
}

/// The sweep the user chose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepChoice {
    /// Which objective is swept.
    pub objective: Objective,
    /// What is varied.
    pub kind: SweepKind,
    /// The mode varied (the first of the two for a separation), 0-based.
    pub mode: usize,
    /// The separation's second mode, 0-based.
    pub other: usize,
    /// First value.
    pub from: f64,
    /// Last value.
    pub to: f64,
}

impl SweepChoice {
    /// The separation of modes 1 and 2 (a mean of mode 1 on a one-mode
    /// target), over its default range, for `objective`.
    pub fn new(objective: Objective, target: &Mixture) -> Self {
        let kind = if target.modes().len() >= 2 {
            SweepKind::Separation
        } else {
            SweepKind::Mean
        };
        let mut choice = Self {
            objective,
            kind,
            mode: 0,
            other: 1,
            from: 0.0,
            to: 1.0,
        };
        choice.set_kind(kind, target);
        choice
    }

    /// The alpha-divergence `alpha`'s order over all of [0, 1] (the window's alpha strip).
    pub fn along_alpha(alpha: Alpha) -> Self {
        Self {
            objective: Objective::Alpha(alpha),
            kind: SweepKind::Alpha,
            mode: 0,
            other: 1,
            from: 0.0,
            to: 1.0,
        }
    }

    /// Switches to `kind` (a separation needs two modes) with its default range.
    pub fn set_kind(&mut self, kind: SweepKind, target: &Mixture) {
        if kind == SweepKind::Separation && target.modes().len() < 2 {
            return;
        }
        self.kind = kind;
        self.fit_to(target);
        (self.from, self.to) = kind.default_range(self.value_in(target));
    }

    /// Keeps an alpha-divergence's order in step with the window's (an
    /// alpha sweep moves the order of the window's form).
    pub fn set_alpha(&mut self, alpha: Alpha) {
        if let Objective::Alpha(_) = self.objective {
            self.objective = Objective::Alpha(alpha);
        }
    }

    /// Whether the sweep varies the objective rather than the target.
    pub fn moves_alpha(&self) -> bool {
        self.kind == SweepKind::Alpha
    }

    /// Keeps the chosen modes within `target` (after a mode is deleted):
    /// the modes distinct, a separation on a one-mode target a mean.
    pub fn fit_to(&mut self, target: &Mixture) {
        let n = target.modes().len();
        self.mode = self.mode.min(n - 1);
        if n < 2 && self.kind == SweepKind::Separation {
            self.set_kind(SweepKind::Mean, target);
            return;
        }
        if n >= 2 && (self.other >= n || self.other == self.mode) {
            self.other = usize::from(self.mode == 0);
        }
    }

    /// The modes in the order the sweep's target has them: the separation's
    /// two first (a [`Parameter::Separation`] moves modes 1 and 2), else as they are.
    fn order(&self, n: usize) -> Vec<usize> {
        match self.kind {
            SweepKind::Separation => [self.mode, self.other]
                .into_iter()
                .chain((0..n).filter(|&i| i != self.mode && i != self.other))
                .collect(),
            _ => (0..n).collect(),
        }
    }

    /// The parameter on the reordered target (see [`Self::order`]).
    fn parameter(&self) -> Parameter {
        match self.kind {
            SweepKind::Separation => Parameter::Separation,
            SweepKind::Mean => Parameter::Mean(self.mode),
            SweepKind::Std => Parameter::Std(self.mode),
            SweepKind::Weight => Parameter::Weight(self.mode),
            SweepKind::Alpha => Parameter::Alpha,
        }
    }

    /// `scenario` with its modes in the sweep's order.
    fn reordered(&self, scenario: &Scenario) -> Result<Scenario> {
        let modes = scenario.target.modes();
        let order = self.order(modes.len());
        Ok(Scenario {
            target: Mixture::new(order.iter().map(|&i| modes[i]).collect())?,
            family: scenario.family,
        })
    }

    /// The parameter's value in `target`.
    pub fn value_in(&self, target: &Mixture) -> f64 {
        let m = target.modes();
        match self.kind {
            SweepKind::Separation => (m[self.other].mean - m[self.mode].mean).abs(),
            SweepKind::Mean => m[self.mode].mean,
            SweepKind::Std => m[self.mode].std,
            SweepKind::Weight => m[self.mode].weight,
            SweepKind::Alpha => match self.objective {
                Objective::Alpha(alpha) => alpha.a(),
                _ => 0.0,
            },
        }
    }

    /// `scenario` with the parameter set to `value`, its modes in their
    /// order; an error if `value` leaves the parameter's domain.
    pub fn scenario_at(&self, scenario: &Scenario, value: f64) -> Result<Scenario> {
        let moved = self
            .parameter()
            .scenario_at(&self.reordered(scenario)?, value)?;
        // Only the fields the parameter moves are taken: the others keep their bits.
        let order = self.order(scenario.target.modes().len());
        let mut modes = scenario.target.modes().to_vec();
        for (k, &i) in order.iter().enumerate() {
            let m = moved.target.modes()[k];
            match self.kind {
                SweepKind::Separation if i == self.mode || i == self.other => {
                    modes[i].mean = m.mean
                }
                SweepKind::Mean if i == self.mode => modes[i].mean = m.mean,
                SweepKind::Std if i == self.mode => modes[i].std = m.std,
                SweepKind::Weight => modes[i].weight = m.weight,
                _ => {}
            }
        }
        Ok(Scenario {
            target: Mixture::new(modes)?,
            family: moved.family,
        })
    }

    /// The sweep of `scenario` at learning rate `lr`, `starts` (mu columns,
    /// sigma rows) per value.
    pub fn spec(&self, scenario: &Scenario, lr: f64, starts: (usize, usize)) -> Result<SweepSpec> {
        SweepSpec::new(
            self.reordered(scenario)?,
            self.parameter(),
            (self.from, self.to),
            SWEEP_VALUES,
            Grid::default_ranges(starts.0, starts.1),
            DEFAULT_STEPS,
            lr,
        )
    }

    /// The parameter as the diagram's axis names it ("separation of modes 1 and 2").
    pub fn label(&self) -> String {
        let k = self.mode + 1;
        match self.kind {
            SweepKind::Separation => format!("separation of modes {k} and {}", self.other + 1),
            SweepKind::Mean => format!("mean of mode {k}"),
            SweepKind::Std => format!("std of mode {k}"),
            SweepKind::Weight => format!("weight share of mode {k}"),
            SweepKind::Alpha => self.parameter().label(),
        }
    }
}

/// What a sweep is computed for: the one on view is current when its key equals this.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepKey {
    /// The choice (objective, parameter, range).
    pub choice: SweepChoice,
    /// The target and family with the parameter at its first value: a
    /// target that differs only in the swept parameter has the same sweep.
    pub base: Scenario,
    /// Adam's learning rate.
    pub lr: f64,
    /// Starts per value (mu columns, sigma rows).
    pub starts: (usize, usize),
}

impl SweepKey {
    /// The key of `choice` on `scenario` at `lr` with `starts` per value;
    /// None if the choice does not apply to it (its range leaves the
    /// parameter's domain).
    pub fn of(
        mut choice: SweepChoice,
        scenario: &Scenario,
        lr: f64,
        starts: (usize, usize),
    ) -> Option<Self> {
        // Along alpha the order now is only where the sweep is looked at.
        if let (true, Objective::Alpha(alpha)) = (choice.moves_alpha(), choice.objective) {
            choice.objective = Objective::Alpha(Alpha::new(choice.from, alpha.form));
        }
        Some(Self {
            choice,
            base: choice.scenario_at(scenario, choice.from).ok()?,
            lr,
            starts,
        })
    }
}
