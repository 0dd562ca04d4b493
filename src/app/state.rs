//! The window's state without any drawing: the target's modes, the model
//! family, the two live fits, the sliders and the drag in progress. Every
//! user action is a method here, so it is unit-testable without a window.

use std::time::{Duration, Instant};

use crate::defaults::{
    DEFAULT_FIXED_SIGMA, DEFAULT_STEPS_PER_FRAME, RESET_MU_RANGE, RESET_SIGMA_RANGE, SIGMA_FLOOR,
};
use crate::engine::fit::{FitState, Kernel};
use crate::engine::{CONVERGED, DIVERGED, RUNNING};
use crate::objective::{Eval, Family, Objective, Problem};
use crate::scenario::Scenario;
use crate::target::{MAX_ABS_MEAN, Mixture, Mode, STD_RANGE};

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
/// Widest mode the window lets the user make.
pub const MODE_STD_MAX: f64 = 50.0;
/// Range of a new mode's mean when `+` adds one (widget rule).
pub const ADD_MEAN_RANGE: (f64, f64) = (-4.0, 4.0);
/// Range of a new mode's width when `+` adds one (widget rule).
pub const ADD_STD_RANGE: (f64, f64) = (0.5, 1.0);
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
    /// Which KL direction this fit minimises.
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

    /// Rebuilds the problem and kernel for a new target, family or lr; the position is kept.
    fn rebuild(&mut self, target: &Mixture, family: Family, lr: f64) {
        let family_changed = family != self.problem.family;
        self.problem = Problem::new(target.clone(), self.objective, family);
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
}

/// Everything the window shows and changes, with no drawing.
#[derive(Debug, Clone)]
pub struct AppState {
    modes: Vec<Mode>,
    mixture: Mixture,
    family: Family,
    fits: [LiveFit; 2],
    lr_slider: f64,
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
    /// The scenario's target and family; both fits start at random (as the widget does), drawn from `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let lr = lr_of_slider(lr_slider_default());
        let mixture = scenario.target.clone();
        let fit = |objective| LiveFit::new(&mixture, objective, scenario.family, lr, [0.0, 1.5]);
        let mut state = Self {
            modes: mixture.modes().to_vec(),
            fits: [fit(Objective::Inclusive), fit(Objective::Exclusive)],
            mixture,
            family: scenario.family,
            lr_slider: lr_slider_default(),
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

    /// The live fit of `objective`.
    pub fn fit(&self, objective: Objective) -> &LiveFit {
        &self.fits[slot(objective)]
    }

    /// Both live fits, inclusive first.
    pub fn fits(&self) -> &[LiveFit; 2] {
        &self.fits
    }

    /// The learning-rate slider's value v in [0, 100].
    pub fn lr_slider(&self) -> f64 {
        self.lr_slider
    }

    /// Adam's learning rate from the slider.
    pub fn lr(&self) -> f64 {
        lr_of_slider(self.lr_slider)
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
        }
    }

    /// Replaces the target's modes (when valid) and rebuilds both fits' problems.
    fn set_modes(&mut self, modes: Vec<Mode>) {
        if let Ok(mixture) = Mixture::new(modes.clone()) {
            self.modes = mixture.modes().to_vec();
            self.mixture = mixture;
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        let (target, family, lr) = (self.mixture.clone(), self.family, self.lr());
        for fit in &mut self.fits {
            fit.rebuild(&target, family, lr);
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
    /// dragged down since the grab; down widens, ~1 sigma per 150 px).
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
                    m.std = width.clamp(MODE_DRAG_FLOOR, MODE_STD_MAX);
                    self.set_modes(modes);
                }
            }
            Handle::Q(objective) => {
                let sigma = width.clamp(SIGMA_FLOOR, MODE_STD_MAX);
                self.fits[slot(objective)].restart([x, sigma]);
            }
        }
    }

    /// Lets go of the handle: if anything moved, both fits' Adam resets (maps then restart).
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

    /// Scrolls on mode `i`'s handle: width +/- 0.05 per notch (never below 0.2).
    /// Adam resets and maps restart once scrolling has stopped for [`SETTLE`].
    pub fn scroll_mode(&mut self, i: usize, notches: f64, now: Instant) {
        if !notches.is_finite() || i >= self.modes.len() {
            return;
        }
        let mut modes = self.modes.clone();
        let m = &mut modes[i];
        m.std = (m.std + SCROLL_STEP * notches).clamp(MODE_SCROLL_FLOOR.min(m.std), MODE_STD_MAX);
        self.set_modes(modes);
        self.touch(now);
    }

    /// Sets mode `i` from the table (weight, mean, std), clamped to what the target accepts.
    pub fn edit_mode(&mut self, i: usize, mode: Mode, now: Instant) {
        if i >= self.modes.len() {
            return;
        }
        let finite = |v: f64, old: f64| if v.is_finite() { v } else { old };
        let old = self.modes[i];
        let mut modes = self.modes.clone();
        modes[i] = Mode {
            weight: finite(mode.weight, old.weight).clamp(1e-3, 1e3),
            mean: finite(mode.mean, old.mean).clamp(-MAX_ABS_MEAN, MAX_ABS_MEAN),
            std: finite(mode.std, old.std).clamp(STD_RANGE.0.max(0.01), MODE_STD_MAX),
        };
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

    /// Finishes an edit whose settle time has passed: both fits' Adam resets.
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

    /// Adds a mode (random mean in [-4, 4], width in [0.5, 1]); weights reset
    /// equal and both fits restart at random. False at [`crate::defaults::MAX_MODES`].
    pub fn add_mode(&mut self) -> bool {
        if self.modes.len() >= crate::defaults::MAX_MODES {
            return false;
        }
        let mean = uniform(&mut self.rng, ADD_MEAN_RANGE);
        let std = uniform(&mut self.rng, ADD_STD_RANGE);
        let mut modes = self.modes.clone();
        modes.push(Mode {
            weight: 1.0,
            mean,
            std,
        });
        self.set_equal_weights(modes);
        true
    }

    /// Removes the last mode (never the only one); weights reset equal and both fits restart at random.
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

    /// Switches family: "gaussian" or fixed sigma = 1.0; both fits restart at random.
    pub fn set_family(&mut self, fixed: bool) {
        let family = if fixed {
            Family::FixedSigma {
                sigma: DEFAULT_FIXED_SIGMA,
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

    /// Loads a scenario: its target and family; both fits restart at random.
    pub fn load(&mut self, scenario: &Scenario) {
        self.drag = None;
        self.family = scenario.family;
        self.mixture = scenario.target.clone();
        self.modes = self.mixture.modes().to_vec();
        self.rebuild();
        self.reset();
    }

    /// Restarts both fits at random: mu in [-5, 5], sigma in [0.3, 2.8] (the held sigma in the fixed family).
    pub fn reset(&mut self) {
        for i in 0..2 {
            let mu = uniform(&mut self.rng, RESET_MU_RANGE);
            let sigma = uniform(&mut self.rng, RESET_SIGMA_RANGE);
            self.fits[i].restart([mu, sigma]);
        }
    }

    /// Starts `objective`'s fit at (mu0, sigma0) with a fresh Adam and runs it (unpauses).
    pub fn click_map(&mut self, objective: Objective, mu0: f64, sigma0: f64) {
        if !(mu0.is_finite() && sigma0.is_finite()) {
            return;
        }
        let mu0 = mu0.clamp(-MAX_ABS_MEAN, MAX_ABS_MEAN);
        let sigma0 = sigma0.clamp(SIGMA_FLOOR, MODE_STD_MAX);
        self.fits[slot(objective)].restart([mu0, sigma0]);
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

/// Index of `objective`'s fit (inclusive 0, exclusive 1, as in [`Objective::BOTH`]).
pub fn slot(objective: Objective) -> usize {
    match objective {
        Objective::Inclusive => 0,
        Objective::Exclusive | Objective::Alpha(_) => 1,
    }
}

fn uniform(rng: &mut fastrand::Rng, (lo, hi): (f64, f64)) -> f64 {
    lo + (hi - lo) * rng.f64()
}
