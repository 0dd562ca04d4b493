//! The window's state without any drawing: the target's modes, the model
//! family, a live fit per objective of [`OBJECTIVES`] (each shown or
//! hidden), the sliders and the drag in progress. Every
//! user action is a method here, so it is unit-testable without a window.

use std::time::{Duration, Instant};

use crate::defaults::{
    DEFAULT_FIXED_SIGMA, DEFAULT_STEPS_PER_FRAME, RESET_MU_RANGE, RESET_SIGMA_RANGE, SIGMA_FLOOR,
};
use crate::engine::fit::{FitState, Kernel};
use crate::engine::{CONVERGED, DIVERGED, RUNNING};
use crate::objective::{Alpha, AlphaForm, Eval, Family, Objective, Problem};
use crate::scenario::Scenario;
use crate::target::{MAX_ABS_MEAN, Mixture, Mode, STD_RANGE};

use super::objectives::{OBJECTIVES, WINDOW_ALPHA, with_alpha};
use super::sweep_setup::{ALPHA_STRIP_GRID, SWEEP_GRID, SweepChoice, SweepKey};

/// Pixels of vertical drag per unit of sigma (widget rule).
pub const PX_PER_SIGMA: f64 = 150.0;
/// A dragged mode's width never goes below this (widget rule).
pub const MODE_DRAG_FLOOR: f64 = 0.15;
/// A scrolled mode's width never goes below this (widget rule).
pub const MODE_SCROLL_FLOOR: f64 = 0.2;
/// Width change per scroll notch (widget rule).
pub const SCROLL_STEP: f64 = 0.05;
/// The fit panels' x range at start and after a reset of the view (the widget's window).
pub const X_VIEW: (f64, f64) = (-7.0, 7.0);
/// Narrowest and widest x range the fit panels zoom to.
pub const X_VIEW_WIDTH: (f64, f64) = (0.5, 400.0);
/// Zoom per scroll notch (scrolling up narrows the view).
pub const ZOOM_PER_NOTCH: f64 = 0.85;
/// Widest mode a drag or scroll makes (a wider loaded mode keeps its width until dragged narrower).
pub const MODE_STD_MAX: f64 = 50.0;
/// Weights the table's drags and typing give (a loaded weight outside is kept as it is).
pub const EDIT_WEIGHT_RANGE: (f64, f64) = (1e-3, 1e3);
/// Held sigmas the window's field gives (a loaded one outside is kept as it is).
pub const HELD_SIGMA_RANGE: (f64, f64) = (0.1, 1e6);
/// Range of a new mode's mean when `+` adds one (widget rule).
pub const ADD_MEAN_RANGE: (f64, f64) = (-4.0, 4.0);
/// Range of a new mode's width when `+` adds one (widget rule).
pub const ADD_STD_RANGE: (f64, f64) = (0.5, 1.0);
/// A new mode overlaps an existing one when their means are closer than this many of their summed widths.
pub const ADD_APART_SIGMAS: f64 = 1.5;
/// Intervals of the lattice of means `+` chooses a new mode's mean from.
const ADD_LATTICE: usize = 400;
/// Fastest speed: optimisation steps per frame (widget slider's right end).
pub const MAX_SPEED: u32 = 20;
/// Learning-rate slider default: the slider position of the design's lr 0.08
/// (v of about 52; the widget's v = 50 would give 0.0707).
pub fn lr_slider_default() -> f64 {
    100.0 * (crate::defaults::DEFAULT_LR / LR_MIN).ln() / (LR_MAX / LR_MIN).ln()
}

/// How long after the last scroll, table edit or slider move the edit counts
/// as finished (Adam resets, maps restart).
pub const SETTLE: Duration = Duration::from_millis(350);
/// Most trajectory points kept per live fit.
const TRAIL_CAP: usize = 20_000;

/// The widget's exponential learning-rate slider: v in [0, 100] to lr in [0.005, 1].
/// Anchored at the default so that the default position gives exactly
/// [`crate::defaults::DEFAULT_LR`].
pub fn lr_of_slider(v: f64) -> f64 {
    let v = v.clamp(0.0, 100.0);
    crate::defaults::DEFAULT_LR * (LR_MAX / LR_MIN).powf((v - lr_slider_default()) / 100.0)
}

/// The learning-rate slider's left end (widget).
const LR_MIN: f64 = 0.005;
/// The learning-rate slider's right end (widget).
const LR_MAX: f64 = 1.0;

/// Something the user can grab in a fit panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handle {
    /// The handle on top of target mode `i`.
    Mode(usize),
    /// q's handle in the panel of this objective.
    Q(Objective),
}

/// A drag in progress: what is held and the width it had when grabbed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Drag {
    handle: Handle,
    width0: f64,
    moved: bool,
}

/// One objective's live fit: the same f64 kernel the CPU engine runs, so a
/// start clicked on the map ends where the map says.
#[derive(Debug, Clone)]
pub struct LiveFit {
    /// Which objective this fit minimises.
    pub objective: Objective,
    problem: Problem,
    kernel: Kernel<f64>,
    /// Position, Adam state, convergence status.
    pub state: FitState<f64>,
    /// Where the fit started (mu0, sigma0).
    pub start: [f64; 2],
    /// Every position since the start, for the map's trajectory.
    pub trail: Vec<[f64; 2]>,
    /// Exact KL and gradient at the current position.
    pub eval: Eval,
}

impl LiveFit {
    fn new(
        target: &Mixture,
        objective: Objective,
        family: Family,
        lr: f64,
        start: [f64; 2],
    ) -> Self {
        let problem = Problem::new(target.clone(), objective, family);
        let kernel = Kernel::new(&problem, lr);
        let (start, state, eval) = Self::fresh(&problem, start);
        Self {
            objective,
            problem,
            kernel,
            state,
            start,
            trail: vec![start],
            eval,
        }
    }

    /// A fresh fit of `problem` at `start`, clamped to the family and the
    /// floor: the start, the state with a new Adam, and the exact KL there.
    fn fresh(problem: &Problem, start: [f64; 2]) -> ([f64; 2], FitState<f64>, Eval) {
        let sigma = problem
            .family
            .fixed_sigma()
            .unwrap_or(start[1])
            .max(SIGMA_FLOOR);
        (
            [start[0], sigma],
            FitState::new(start[0], sigma),
            problem.evaluate(start[0], sigma),
        )
    }

    /// The problem this fit solves (target, objective, family).
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Current (mu, sigma); sigma is the held one in the fixed family.
    pub fn position(&self) -> [f64; 2] {
        let sigma = self
            .problem
            .family
            .fixed_sigma()
            .unwrap_or(self.state.sigma);
        [self.state.mu, sigma]
    }

    /// Adam steps since the last reset.
    pub fn steps(&self) -> u32 {
        self.state.adam.t
    }

    /// True once the kernel's convergence rule stopped the fit.
    pub fn converged(&self) -> bool {
        self.state.status == CONVERGED
    }

    /// True if the fit ran away (|mu| or sigma beyond the engines' limit).
    pub fn diverged(&self) -> bool {
        self.state.status == DIVERGED
    }

    /// Starts afresh at `start` (clamped to the family and the floor) with a new Adam.
    fn restart(&mut self, start: [f64; 2]) {
        (self.start, self.state, self.eval) = Self::fresh(&self.problem, start);
        self.trail = vec![self.start];
    }

    /// Keeps the position, forgets Adam's moments and step count (the widget's "release").
    fn reset_adam(&mut self) {
        self.restart(self.position());
    }

    /// Rebuilds the problem and kernel for a new target, family, lr or
    /// objective (an alpha-divergence of another order); the position is kept.
    fn rebuild(&mut self, target: &Mixture, objective: Objective, family: Family, lr: f64) {
        let family_changed = family != self.problem.family;
        self.objective = objective;
        self.problem = Problem::new(target.clone(), objective, family);
        self.kernel = Kernel::new(&self.problem, lr);
        if family_changed {
            self.reset_adam();
        } else {
            let [mu, sigma] = self.position();
            self.eval = self.problem.evaluate(mu, sigma);
        }
    }

    /// Runs up to `steps` Adam steps (stops early on convergence), recording the trail.
    fn advance(&mut self, steps: u32) {
        if self.state.status != RUNNING {
            return;
        }
        for _ in 0..steps {
            self.kernel.step(&mut self.state);
            if self.trail.len() < TRAIL_CAP {
                self.trail.push(self.position());
            }
            if self.state.status != RUNNING {
                break;
            }
        }
        let [mu, sigma] = self.position();
        self.eval = self.problem.evaluate(mu, sigma);
    }
}

/// What the basin maps are computed for: the map in view is current when its key equals this.
#[derive(Debug, Clone, PartialEq)]
pub struct MapKey {
    /// The target.
    pub target: Mixture,
    /// The model family.
    pub family: Family,
    /// Adam's learning rate.
    pub lr: f64,
    /// The alpha-divergence's order and form (only its own map depends on it).
    pub alpha: Alpha,
}

impl MapKey {
    /// `listed` (one of [`OBJECTIVES`]) as this key computes it.
    pub fn objective(&self, listed: Objective) -> Objective {
        with_alpha(listed, self.alpha)
    }

    /// Whether the maps of `listed` for `self` and `other` are one map: the
    /// alpha-divergence's order matters to its own map only.
    pub fn same_map(&self, other: &MapKey, listed: Objective) -> bool {
        self.target == other.target
            && self.family == other.family
            && self.lr == other.lr
            && self.objective(listed) == other.objective(listed)
    }
}

/// Everything the window shows and changes, with no drawing.
#[derive(Debug, Clone)]
pub struct AppState {
    modes: Vec<Mode>,
    mixture: Mixture,
    family: Family,
    /// One live fit per objective of [`OBJECTIVES`], in its order.
    fits: Vec<LiveFit>,
    /// Whether each objective's panel and map are shown, as `fits`.
    visible: Vec<bool>,
    lr_slider: f64,
    alpha: Alpha,
    held_sigma: f64,
    sweep: SweepChoice,
    /// Optimisation steps per frame, 1..=[`MAX_SPEED`].
    pub speed: u32,
    /// Space toggles it; a paused window keeps its fits where they are.
    pub paused: bool,
    drag: Option<Drag>,
    settle_at: Option<Instant>,
    x_view: (f64, f64),
    rng: fastrand::Rng,
}

impl AppState {
    /// The scenario's target and family; every fit starts at random (as the widget does), drawn from `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let lr = lr_of_slider(lr_slider_default());
        let mixture = scenario.target.clone();
        let fit = |listed| {
            let objective = with_alpha(listed, WINDOW_ALPHA);
            LiveFit::new(&mixture, objective, scenario.family, lr, [0.0, 1.5])
        };
        let mut state = Self {
            modes: mixture.modes().to_vec(),
            fits: OBJECTIVES.iter().map(|&o| fit(o)).collect(),
            visible: vec![true; OBJECTIVES.len()],
            mixture,
            family: scenario.family,
            lr_slider: lr_slider_default(),
            alpha: WINDOW_ALPHA,
            held_sigma: scenario.family.fixed_sigma().unwrap_or(DEFAULT_FIXED_SIGMA),
            sweep: SweepChoice::new(Objective::Exclusive, &scenario.target),
            speed: DEFAULT_STEPS_PER_FRAME,
            paused: false,
            drag: None,
            settle_at: None,
            x_view: X_VIEW,
            rng: fastrand::Rng::with_seed(seed),
        };
        state.reset();
        state
    }

    /// The target's modes (weights normalised to sum 1).
    pub fn modes(&self) -> &[Mode] {
        &self.modes
    }

    /// The target p.
    pub fn mixture(&self) -> &Mixture {
        &self.mixture
    }

    /// The model family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The current target and family, as a scenario to save.
    pub fn scenario(&self) -> Scenario {
        Scenario {
            target: self.mixture.clone(),
            family: self.family,
        }
    }

    /// The live fit of `objective` (one of [`OBJECTIVES`]).
    pub fn fit(&self, objective: Objective) -> &LiveFit {
        &self.fits[index(objective)]
    }

    /// Every live fit, in the order of [`OBJECTIVES`].
    pub fn fits(&self) -> &[LiveFit] {
        &self.fits
    }

    /// Whether `objective`'s panel and map are shown.
    pub fn visible(&self, objective: Objective) -> bool {
        self.visible[index(objective)]
    }

    /// Every objective as the fits compute it (the alpha-divergence of the
    /// window's order), in the order of [`OBJECTIVES`].
    pub fn objectives(&self) -> Vec<Objective> {
        self.fits.iter().map(|f| f.objective).collect()
    }

    /// The objectives shown, in the order of [`OBJECTIVES`].
    pub fn visible_objectives(&self) -> Vec<Objective> {
        self.objectives()
            .into_iter()
            .zip(&self.visible)
            .filter(|(_, v)| **v)
            .map(|(o, _)| o)
            .collect()
    }

    /// Shows or hides `objective`'s panel and map; the last one shown stays.
    /// False if nothing changed.
    pub fn set_visible(&mut self, objective: Objective, visible: bool) -> bool {
        let i = index(objective);
        let shown = self.visible.iter().filter(|v| **v).count();
        if self.visible[i] == visible || (!visible && shown <= 1) {
            return false;
        }
        self.visible[i] = visible;
        if !visible && matches!(self.dragging(), Some(Handle::Q(o)) if index(o) == i) {
            self.drag = None;
        }
        true
    }

    /// The learning-rate slider's value v in [0, 100].
    pub fn lr_slider(&self) -> f64 {
        self.lr_slider
    }

    /// Adam's learning rate from the slider.
    pub fn lr(&self) -> f64 {
        lr_of_slider(self.lr_slider)
    }

    /// The alpha-divergence's order and form.
    pub fn alpha(&self) -> Alpha {
        self.alpha
    }

    /// Sets the alpha-divergence's order (clamped to [0, 1]; at 0 and 1 it
    /// is the exclusive and inclusive KL): its fit keeps its position with
    /// the new objective, and its map restarts once the edit has settled.
    pub fn set_alpha(&mut self, a: f64, now: Instant) {
        if !a.is_finite() {
            return;
        }
        self.set_alpha_divergence(Alpha::new(a.clamp(0.0, 1.0), self.alpha.form), now);
    }

    /// Sets the alpha-divergence's form (Amari's or the Renyi one: the same
    /// minima, other gradients, so other paths and basins).
    pub fn set_alpha_form(&mut self, form: AlphaForm, now: Instant) {
        self.set_alpha_divergence(Alpha::new(self.alpha.a(), form), now);
    }

    fn set_alpha_divergence(&mut self, alpha: Alpha, now: Instant) {
        if alpha != self.alpha {
            self.open_with_alpha(alpha);
            self.touch(now);
        }
    }

    /// Takes the alpha-divergence `alpha` at once, with no edit to settle
    /// (the window opening with `gui --alpha`).
    pub fn open_with_alpha(&mut self, alpha: Alpha) {
        self.alpha = alpha;
        self.sweep.set_alpha(alpha);
        self.rebuild();
    }

    /// The handle being dragged, if any.
    pub fn dragging(&self) -> Option<Handle> {
        self.drag.map(|d| d.handle)
    }

    /// What the maps should show now, or None while an edit is in progress
    /// (a drag, or a scroll/slider/table edit not yet settled).
    pub fn settled_key(&self) -> Option<MapKey> {
        if self.drag.is_some() || self.settle_at.is_some() {
            return None;
        }
        Some(self.current_key())
    }

    /// The key of the current target, family and lr (settled or not).
    pub fn current_key(&self) -> MapKey {
        MapKey {
            target: self.mixture.clone(),
            family: self.family,
            lr: self.lr(),
            alpha: self.alpha,
        }
    }

    /// Replaces the target's modes (when valid) and rebuilds every fit's problem.
    fn set_modes(&mut self, modes: Vec<Mode>) {
        if let Ok(mixture) = Mixture::new(modes.clone()) {
            self.modes = mixture.modes().to_vec();
            self.sweep.fit_to(&mixture);
            self.mixture = mixture;
            self.rebuild();
        }
    }

    /// What the sweep varies.
    pub fn sweep_choice(&self) -> SweepChoice {
        self.sweep
    }

    /// Sets what the sweep varies: its modes kept within the target, its
    /// range taken when it is not empty and stays in the parameter's domain
    /// (else a new objective or kind takes its default range).
    pub fn set_sweep_choice(&mut self, mut choice: SweepChoice) {
        choice.fit_to(&self.mixture);
        // An alpha sweep is of the alpha-divergence: choosing alpha takes
        // it, choosing another objective leaves alpha for the default kind.
        if choice.moves_alpha() && !matches!(choice.objective, Objective::Alpha(_)) {
            if self.sweep.moves_alpha() {
                let kind = SweepChoice::new(choice.objective, &self.mixture).kind;
                choice.set_kind(kind, &self.mixture);
            } else {
                choice.objective = Objective::Alpha(self.alpha);
            }
        }
        choice.set_alpha(self.alpha);
        let scenario = self.scenario();
        let valid = choice.from < choice.to
            && choice.scenario_at(&scenario, choice.from).is_ok()
            && choice.scenario_at(&scenario, choice.to).is_ok();
        if valid {
            self.sweep = choice;
        } else if choice.kind != self.sweep.kind || choice.objective != self.sweep.objective {
            let kind = choice.kind;
            choice.set_kind(kind, &self.mixture);
            self.sweep = choice;
        }
    }

    /// The sweep the view should show now, or None while an edit is in
    /// progress (see [`Self::settled_key`]) or the choice does not apply.
    pub fn settled_sweep_key(&self) -> Option<SweepKey> {
        self.settled_key()?;
        self.current_sweep_key()
    }

    /// The key of the alpha strip's sweep (the current target along the
    /// alpha-divergence's order), settled or not.
    pub fn alpha_strip_key(&self) -> Option<SweepKey> {
        SweepKey::of(
            SweepChoice::along_alpha(self.alpha),
            &self.scenario(),
            self.lr(),
            ALPHA_STRIP_GRID,
        )
    }

    /// The alpha strip's sweep to compute now: None while an edit is in
    /// progress or the alpha-divergence's panel is hidden.
    pub fn settled_alpha_strip_key(&self) -> Option<SweepKey> {
        self.settled_key()?;
        if self.visible(Objective::Alpha(self.alpha)) {
            self.alpha_strip_key()
        } else {
            None
        }
    }

    /// The key of the sweep of the current target (settled or not).
    pub fn current_sweep_key(&self) -> Option<SweepKey> {
        SweepKey::of(self.sweep, &self.scenario(), self.lr(), SWEEP_GRID)
    }

    /// Sets the swept parameter to `value` (a click on the sweep's diagram):
    /// the target (or the alpha-divergence's order) changes as by a table
    /// edit (or the slider), so the fits and maps follow once it settles.
    /// False (nothing changed) if `value` leaves its domain.
    pub fn set_sweep_value(&mut self, value: f64, now: Instant) -> bool {
        if !value.is_finite() {
            return false;
        }
        if self.sweep.moves_alpha() {
            if !(0.0..=1.0).contains(&value) {
                return false;
            }
            self.drag = None;
            self.set_alpha(value, now);
            return true;
        }
        let Ok(s) = self.sweep.scenario_at(&self.scenario(), value) else {
            return false;
        };
        self.drag = None;
        self.set_modes(s.target.modes().to_vec());
        self.touch(now);
        true
    }

    fn rebuild(&mut self) {
        let (target, family, lr) = (self.mixture.clone(), self.family, self.lr());
        for (fit, &listed) in self.fits.iter_mut().zip(&OBJECTIVES) {
            fit.rebuild(&target, with_alpha(listed, self.alpha), family, lr);
        }
    }

    /// Grabs a handle; false (and nothing held) if it does not exist.
    pub fn begin_drag(&mut self, handle: Handle) -> bool {
        let width0 = match handle {
            Handle::Mode(i) => match self.modes.get(i) {
                Some(m) => m.std,
                None => return false,
            },
            Handle::Q(objective) => self.fit(objective).position()[1],
        };
        self.drag = Some(Drag {
            handle,
            width0,
            moved: false,
        });
        true
    }

    /// Moves the held handle: its mean to `x`, its width by `dy_px` (pixels
    /// dragged down since the grab; down widens, ~1 sigma per 150 px). A
    /// mode's width stays within [`MODE_DRAG_FLOOR`, `MODE_STD_MAX`] or the
    /// width it had when grabbed, whichever reaches further: a sideways drag
    /// of a loaded spike keeps its width.
    pub fn drag_to(&mut self, x: f64, dy_px: f64) {
        let Some(drag) = self.drag.as_mut() else {
            return;
        };
        if !(x.is_finite() && dy_px.is_finite()) {
            return;
        }
        drag.moved = true;
        let x = x.clamp(-MAX_ABS_MEAN, MAX_ABS_MEAN);
        let width = drag.width0 + dy_px / PX_PER_SIGMA;
        match drag.handle {
            Handle::Mode(i) => {
                let mut modes = self.modes.clone();
                if let Some(m) = modes.get_mut(i) {
                    m.mean = x;
                    m.std = width.clamp(
                        MODE_DRAG_FLOOR.min(drag.width0),
                        MODE_STD_MAX.max(drag.width0),
                    );
                    self.set_modes(modes);
                }
            }
            Handle::Q(objective) => {
                let sigma = width.clamp(SIGMA_FLOOR, MODE_STD_MAX);
                self.fits[index(objective)].restart([x, sigma]);
            }
        }
    }

    /// Lets go of the handle: if anything moved, every fit's Adam resets (maps then restart).
    pub fn release(&mut self) {
        if let Some(drag) = self.drag.take()
            && drag.moved
        {
            self.settle_at = None;
            for fit in &mut self.fits {
                fit.reset_adam();
            }
        }
    }

    /// Scrolls on mode `i`'s handle: width +/- 0.05 per notch (never below
    /// 0.2 nor above [`MODE_STD_MAX`], unless it already was).
    /// Adam resets and maps restart once scrolling has stopped for [`SETTLE`].
    pub fn scroll_mode(&mut self, i: usize, notches: f64, now: Instant) {
        if !notches.is_finite() || i >= self.modes.len() {
            return;
        }
        let mut modes = self.modes.clone();
        let m = &mut modes[i];
        m.std = (m.std + SCROLL_STEP * notches)
            .clamp(MODE_SCROLL_FLOOR.min(m.std), MODE_STD_MAX.max(m.std));
        self.set_modes(modes);
        self.touch(now);
    }

    /// Sets mode `i` from the table (weight, mean, std). Only the fields the
    /// user changed are clamped (weight to [`EDIT_WEIGHT_RANGE`], mean and
    /// std to what the target accepts); the others stay as they were, bit
    /// for bit. A non-finite field keeps its old value.
    pub fn edit_mode(&mut self, i: usize, mode: Mode, now: Instant) {
        if i >= self.modes.len() {
            return;
        }
        let edited = |v: f64, old: f64, (lo, hi): (f64, f64)| {
            if v == old || !v.is_finite() {
                old
            } else {
                v.clamp(lo, hi)
            }
        };
        let old = self.modes[i];
        let mut modes = self.modes.clone();
        modes[i] = Mode {
            weight: edited(mode.weight, old.weight, EDIT_WEIGHT_RANGE),
            mean: edited(mode.mean, old.mean, (-MAX_ABS_MEAN, MAX_ABS_MEAN)),
            std: edited(mode.std, old.std, STD_RANGE),
        };
        if modes[i] == old {
            return;
        }
        self.set_modes(modes);
        self.touch(now);
    }

    /// Moves the learning-rate slider (v in [0, 100]); maps restart once it has settled.
    pub fn set_lr_slider(&mut self, v: f64, now: Instant) {
        if !v.is_finite() {
            return;
        }
        self.lr_slider = v.clamp(0.0, 100.0);
        self.rebuild();
        self.touch(now);
    }

    /// Sets the speed (steps per frame), clamped to 1..=[`MAX_SPEED`].
    pub fn set_speed(&mut self, speed: u32) {
        self.speed = speed.clamp(1, MAX_SPEED);
    }

    fn touch(&mut self, now: Instant) {
        self.settle_at = Some(now + SETTLE);
    }

    /// Finishes an edit whose settle time has passed: every fit's Adam resets.
    pub fn poll(&mut self, now: Instant) {
        if let Some(at) = self.settle_at
            && now >= at
            && self.drag.is_none()
        {
            self.settle_at = None;
            for fit in &mut self.fits {
                fit.reset_adam();
            }
        }
    }

    /// Adds a mode (random mean in [-4, 4], width in [0.5, 1]) where it
    /// overlaps no existing mode (means [`ADD_APART_SIGMAS`] summed widths
    /// apart) when there is room, else where it overlaps least; weights
    /// reset equal and every fit restarts at random. False at [`crate::defaults::MAX_MODES`].
    pub fn add_mode(&mut self) -> bool {
        if self.modes.len() >= crate::defaults::MAX_MODES {
            return false;
        }
        // How far (in summed widths) a candidate is from the nearest mode.
        let room = |mean: f64, std: f64, modes: &[Mode]| {
            modes
                .iter()
                .map(|m| (mean - m.mean).abs() / (std + m.std))
                .fold(f64::INFINITY, f64::min)
        };
        // Means on a fine lattice of the range; a random one of those with
        // room, trying the narrowest width too before taking the least crowded.
        let means: Vec<f64> = (0..=ADD_LATTICE)
            .map(|i| {
                let (lo, hi) = ADD_MEAN_RANGE;
                lo + (hi - lo) * i as f64 / ADD_LATTICE as f64
            })
            .collect();
        let drawn = uniform(&mut self.rng, ADD_STD_RANGE);
        let mut best = (f64::NEG_INFINITY, 0.0, drawn);
        for std in [drawn, ADD_STD_RANGE.0] {
            let free: Vec<f64> = means
                .iter()
                .copied()
                .filter(|&m| room(m, std, &self.modes) >= ADD_APART_SIGMAS)
                .collect();
            if !free.is_empty() {
                best = (0.0, free[self.rng.usize(..free.len())], std);
                break;
            }
            for &m in &means {
                let apart = room(m, std, &self.modes);
                if apart > best.0 {
                    best = (apart, m, std);
                }
            }
        }
        let (_, mean, std) = best;
        let mut modes = self.modes.clone();
        modes.push(Mode {
            weight: 1.0,
            mean,
            std,
        });
        self.set_equal_weights(modes);
        true
    }

    /// Removes the last mode (never the only one); weights reset equal and every fit restarts at random.
    pub fn remove_mode(&mut self) -> bool {
        if self.modes.len() <= 1 {
            return false;
        }
        let mut modes = self.modes.clone();
        modes.pop();
        self.set_equal_weights(modes);
        true
    }

    fn set_equal_weights(&mut self, mut modes: Vec<Mode>) {
        self.drag = None;
        for m in &mut modes {
            m.weight = 1.0;
        }
        self.set_modes(modes);
        self.reset();
    }

    /// Deletes mode `i` (never the only one); the others keep their weights,
    /// renormalised, and Adam resets once the edit has settled. False if nothing was deleted.
    pub fn delete_mode(&mut self, i: usize, now: Instant) -> bool {
        if self.modes.len() <= 1 || i >= self.modes.len() {
            return false;
        }
        let mut modes = self.modes.clone();
        modes.remove(i);
        self.drag = None;
        self.set_modes(modes);
        self.touch(now);
        true
    }

    /// The x range both fit panels show.
    pub fn x_view(&self) -> (f64, f64) {
        self.x_view
    }

    /// Zooms the fit panels' x range by `notches` scroll notches about data
    /// point `about` (which stays where it is on screen), within [`X_VIEW_WIDTH`].
    pub fn zoom_x(&mut self, notches: f64, about: f64) {
        let (lo, hi) = self.x_view;
        let width = hi - lo;
        let new_width =
            (width * ZOOM_PER_NOTCH.powf(notches)).clamp(X_VIEW_WIDTH.0, X_VIEW_WIDTH.1);
        if !new_width.is_finite() || !about.is_finite() {
            return;
        }
        let f = ((about - lo) / width).clamp(0.0, 1.0);
        self.set_x_view(about + (0.5 - f) * new_width, new_width);
    }

    /// Pans the fit panels' x range by `dx` data units.
    pub fn pan_x(&mut self, dx: f64) {
        let (lo, hi) = self.x_view;
        if dx.is_finite() {
            self.set_x_view(0.5 * (lo + hi) + dx, hi - lo);
        }
    }

    /// Back to [`X_VIEW`].
    pub fn reset_x_view(&mut self) {
        self.x_view = X_VIEW;
    }

    /// Sets the view from its centre (kept within the means the target accepts) and width.
    fn set_x_view(&mut self, centre: f64, width: f64) {
        let centre = centre.clamp(-MAX_ABS_MEAN, MAX_ABS_MEAN);
        self.x_view = (centre - 0.5 * width, centre + 0.5 * width);
    }

    /// The sigma the fixed family holds (the last one set or loaded; 1.0 at first).
    pub fn held_sigma(&self) -> f64 {
        self.held_sigma
    }

    /// Sets the held sigma (clamped to [`HELD_SIGMA_RANGE`]; a value equal
    /// to the one held changes nothing, so a loaded one outside stays
    /// exactly). In the fixed family the fits keep their means with a new
    /// Adam, and the maps restart once the edit has settled.
    pub fn set_held_sigma(&mut self, sigma: f64, now: Instant) {
        if !sigma.is_finite() || sigma == self.held_sigma {
            return;
        }
        self.held_sigma = sigma.clamp(HELD_SIGMA_RANGE.0, HELD_SIGMA_RANGE.1);
        if self.family.fixed_sigma().is_some() {
            self.family = Family::FixedSigma {
                sigma: self.held_sigma,
            };
            self.rebuild();
            self.touch(now);
        }
    }

    /// Switches family: "gaussian" or fixed sigma (the held one, see
    /// [`Self::held_sigma`]); every fit restarts at random.
    pub fn set_family(&mut self, fixed: bool) {
        let family = if fixed {
            Family::FixedSigma {
                sigma: self.held_sigma,
            }
        } else {
            Family::Gaussian
        };
        if family != self.family {
            self.drag = None;
            self.family = family;
            self.rebuild();
            self.reset();
        }
    }

    /// Loads a scenario: its target and family; every fit restarts at random.
    pub fn load(&mut self, scenario: &Scenario) {
        self.drag = None;
        self.family = scenario.family;
        if let Some(sigma) = scenario.family.fixed_sigma() {
            self.held_sigma = sigma;
        }
        self.mixture = scenario.target.clone();
        self.modes = self.mixture.modes().to_vec();
        self.sweep.fit_to(&self.mixture);
        self.rebuild();
        self.reset();
    }

    /// Restarts every fit at random: mu in [-5, 5], sigma in [0.3, 2.8] (the held sigma in the fixed family).
    pub fn reset(&mut self) {
        for fit in &mut self.fits {
            let mu = uniform(&mut self.rng, RESET_MU_RANGE);
            let sigma = uniform(&mut self.rng, RESET_SIGMA_RANGE);
            fit.restart([mu, sigma]);
        }
    }

    /// Starts `objective`'s fit at (mu0, sigma0) with a fresh Adam and runs it (unpauses).
    pub fn click_map(&mut self, objective: Objective, mu0: f64, sigma0: f64) {
        if !(mu0.is_finite() && sigma0.is_finite()) {
            return;
        }
        let mu0 = mu0.clamp(-MAX_ABS_MEAN, MAX_ABS_MEAN);
        let sigma0 = sigma0.clamp(SIGMA_FLOOR, MODE_STD_MAX);
        self.fits[index(objective)].restart([mu0, sigma0]);
        self.paused = false;
    }

    /// One animation frame: `speed` Adam steps per fit, unless paused or dragging.
    pub fn step_frame(&mut self) {
        if self.paused || self.drag.is_some() {
            return;
        }
        let speed = self.speed.clamp(1, MAX_SPEED);
        for fit in &mut self.fits {
            fit.advance(speed);
        }
    }

    /// True while a fit still moves (the window keeps repainting).
    pub fn animating(&self) -> bool {
        !self.paused && self.fits.iter().any(|f| f.state.status == RUNNING)
    }
}

/// Where `objective` stands in [`OBJECTIVES`] (the index of its fit): an
/// alpha-divergence of any order is the window's alpha-divergence.
///
/// # Panics
/// If the window does not show `objective`'s kind (it is not in [`OBJECTIVES`]).
pub fn index(objective: Objective) -> usize {
    OBJECTIVES
        .iter()
        .position(|o| o.key() == objective.key())
        .expect("the window lists every objective it is asked about")
}

fn uniform(rng: &mut fastrand::Rng, (lo, hi): (f64, f64)) -> f64 {
    lo + (hi - lo) * rng.f64()
}
