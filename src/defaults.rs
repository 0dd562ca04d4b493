//! Every shared constant in one place: Adam's, the widget's defaults, the
//! engine's convergence rule and the quadrature sizes. The WGSL kernels get
//! these through [`crate::engine::gpu::shader_source`], never as copies.

/// Adam's first-moment decay (as in the widget).
pub const ADAM_BETA1: f64 = 0.9;
/// Adam's second-moment decay (as in the widget).
pub const ADAM_BETA2: f64 = 0.999;
/// Adam's denominator guard (as in the widget).
pub const ADAM_EPS: f64 = 1e-8;
/// Step-size decay: `lr_t = lr / (1 + ADAM_DECAY * t)`, t counting from 1 at the first step.
pub const ADAM_DECAY: f64 = 0.002;
/// q's width never goes below this; a minimum pressed against it is a boundary optimum.
pub const SIGMA_FLOOR: f64 = 0.1;
/// Largest sigma accepted, held or as a start (1000 times the widest mode
/// accepted): beyond, the objectives' values overflow and no map can be verified.
pub const MAX_SIGMA: f64 = 1e6;
/// The widget's default learning rate.
pub const DEFAULT_LR: f64 = 0.08;

/// The fixed sigma of the "fixed sigma" family unless the user gives another.
pub const DEFAULT_FIXED_SIGMA: f64 = 1.0;
/// The widget's initial target: weight, mean, std per mode.
pub const DEFAULT_TARGET: &str = "0.5:-2.5:0.8,0.5:2.5:0.8";
/// Most modes a target may have (the GPU kernels size their arrays by it).
pub const MAX_MODES: usize = 16;

/// Default grid of starts: mu0 range.
pub const DEFAULT_MU_RANGE: (f64, f64) = (-7.0, 7.0);
/// Default grid of starts: sigma0 range.
pub const DEFAULT_SIGMA_RANGE: (f64, f64) = (0.1, 4.0);
/// Default grid size (mu columns, sigma rows).
pub const DEFAULT_GRID: (usize, usize) = (256, 128);
/// Default Adam steps per start for a basin map.
pub const DEFAULT_STEPS: u32 = 2000;

/// A start is converged once each of its steps moved mu and sigma by less than this...
pub const CONVERGED_STEP: f64 = 1e-5;
/// ...for this many steps in a row.
pub const CONVERGED_PATIENCE: u32 = 20;

/// A start whose |mu| or sigma exceeds this has run away: it is marked diverged.
pub const DIVERGED_BEYOND: f64 = 1e6;

/// Live fit: optimisation steps per animation frame (widget default, range 1..=20).
pub const DEFAULT_STEPS_PER_FRAME: u32 = 2;
/// Widget reset range for mu.
pub const RESET_MU_RANGE: (f64, f64) = (-5.0, 5.0);
/// Widget reset range for sigma.
pub const RESET_SIGMA_RANGE: (f64, f64) = (0.3, 2.8);

/// The GPU engine (f32) declines a problem whose farthest mode lies where
/// f32's spacing exceeds this many [`CONVERGED_STEP`]s (in the engines'
/// frame, centred on the target): no step there can be smaller than the
/// stillness threshold without being zero. Measured on lavapipe (two modes
/// of std 0.3 at +-D, 32x16 starts, both objectives): D = 100 and 200
/// (spacing 0.76 and 1.5 steps) give the CPU's map exactly; D = 300 (3.1
/// steps) leaves 6% of the labels different, D = 1000 (6.1 steps) finds no
/// optimum at all.
pub const GPU_MAX_SPACING_STEPS: f64 = 2.0;

/// The GPU engine (f32) declines an alpha-divergence of order a below this:
/// its gradient is O(a) while the integrand is O(1), so f32's rounding
/// leaves a relative error of about 2e-8 / a (measured: 2e-4 at a = 1e-4,
/// below 1e-5 at a = 0.01). Near a = 1 nothing cancels. Measured on
/// lavapipe (default target, 32x16 starts, 2000 steps, GPU labels against
/// the CPU's, Amari / Renyi): a = 0.001 93.8% / 95.3%, 0.0015 98.6%,
/// 0.002 99.4% / 99.8%, 0.003, 0.005 and 0.01 100% in both forms.
pub const GPU_MIN_ALPHA: f64 = 3e-3;

/// ...for targets no wider than this (the widest mode's std, or the held
/// sigma if larger); beyond, the bound grows with the width's square. The
/// f32 noise of the gradient is about 2e-8 / a of the integrand while the
/// objective's curvature in mu falls as 1 / width^2, so the noise moves
/// the point where Adam stands still by 2e-8 width^2 / a: a wide mode's
/// flat minimum leaves Adam dithering. Measured on lavapipe (issue 20's
/// probe: a light mode of std 6.6 beside a heavy one of std 0.73, sigma
/// held at 0.42, 16 starts): a = 0.0126, 0.05 and 0.1 leave 1-2 of the
/// 16 starts unconverged where the CPU's converge (bound there: 0.36);
/// modes of std 10 and 0.1 at a = 0.53 (32x16 starts over -40..51) agree on
/// 98.2%, unconverged far out (bound there: 0.83). The default target
/// (std 0.8, bound 5.3e-3) agrees exactly from a = 0.003 up.
pub const GPU_MIN_ALPHA_WIDTH: f64 = 0.6;

/// The GPU engine (f32) also declines a problem whose held sigma or widest
/// mode lies where f32's spacing exceeds this many [`CONVERGED_STEP`]s: q's
/// nodes x = mu + sigma z carry that rounding into a gradient that must
/// cancel to near zero at an optimum. Measured on lavapipe (exclusive,
/// 48 starts of the default target at held sigma S; a mode of std S at 0
/// with a spike of std 0.01 beside it, 24x12 starts of sigma S +- 30, both
/// objectives): S = 700 (spacing 6.1 steps) matches the CPU's map exactly
/// held and on 99.7% of the labels as a mode's width; S = 1000 (also
/// 6.1 steps, the next binade's top) leaves 4% of the held starts and 2.4%
/// of the wide mode's unconverged where the CPU's converge; S = 600 and
/// below agree on 99.6% or more (500 held: exactly). The rule goes by f32's
/// binades: up to 512 (spacing 3.1 steps) is accepted, 512 and above declined.
pub const GPU_MAX_WIDTH_SPACING_STEPS: f64 = 4.0;

/// Most starts one band of a map (or of a sweep's maps, their starts in
/// one sequence) runs at once: the fits go through the engine band by
/// band, so only one band's fit states (the GPU's device
/// buffers and their read-back, the host's copies) are ever held.
pub const MAP_BAND_STARTS: usize = 1 << 21;
/// Peak bytes a start of the band in flight costs. Measured on the GPU path
/// (lavapipe, `basins --steps 5`, peak RSS by /usr/bin/time -v): 1448x1448
/// starts (one band) peak at 742 MB, 87 MB of it the program at 64x64 and
/// 68 MB the starts' own share (MAP_BYTES_PER_START), 279 bytes a start.
pub const MAP_BAND_BYTES: u128 = 280;
/// Bytes every start of a grid holds while its maps compute, on the heavier
/// path, `--refine`: its endpoint, cluster, label and steps, the finished
/// maps' labels and steps, and refinement's filled and pending endpoints.
/// Measured as above: 4096x4096 starts peak at 1.19 GB without `--refine`
/// and 2.43 GB with `--refine 4` (every cell refined), 2048x2048 at 0.79 GB:
/// 32 bytes a start more without refinement, 108 with it (4.55 GB before
/// maps ran in bands).
pub const MAP_BYTES_PER_START: u128 = 110;
