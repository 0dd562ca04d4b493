//! Every constant of the exported figures in one place: resolution, sizes
//! of the parts (in figure units: 1 unit is 1 px at 96 dpi), type sizes,
//! ink colours and the limits the command line accepts.

use crate::palette::Rgb;

/// Dots per inch of one figure unit: `--dpi 96` draws 1 px per unit.
pub const BASE_DPI: f64 = 96.0;
/// Accepted `--dpi` values.
pub const DPI_RANGE: (f64, f64) = (24.0, 1200.0);
/// Accepted `--size` sides of the plot area, in figure units.
pub const SIZE_RANGE: (u32, u32) = (100, 8000);
/// Largest PNG accepted, in pixels (about 300 MB of RGB while drawing).
pub const MAX_PIXELS: u64 = 100_000_000;

/// The plot area's width follows the grid (one unit a column) within these bounds.
pub const PLOT_W_RANGE: (f64, f64) = (600.0, 1600.0);
/// The 2-D map's height follows the grid's aspect within these bounds.
pub const PLOT_H_RANGE: (f64, f64) = (150.0, 1000.0);
/// Space left of the plot area for the tick labels.
pub const LEFT: f64 = 64.0;
/// Gap between the plot area and the legend column.
pub const LEGEND_GAP: f64 = 28.0;
/// Width of the legend column.
pub const LEGEND_W: f64 = 360.0;
/// Outer margin of the figure.
pub const MARGIN: f64 = 12.0;
/// Height of a panel's two title lines.
pub const TITLE_H: f64 = 46.0;
/// Height of the target strip above each map.
pub const STRIP_H: f64 = 72.0;
/// Gap between stacked parts of a panel.
pub const GAP: f64 = 8.0;
/// Height of the objective curve of a one-dimensional figure.
pub const CURVE_H: f64 = 170.0;
/// Height of the band of starts of a one-dimensional figure.
pub const BAND_H: f64 = 34.0;
/// Room under a plot for tick labels and the axis label.
pub const AXIS_H: f64 = 46.0;
/// Height of the colour bar at the foot of the figure (with its labels).
pub const COLOUR_BAR_H: f64 = 78.0;
/// Width of the colour bar.
pub const COLOUR_BAR_W: f64 = 420.0;
/// Height of one legend line.
pub const LINE_H: f64 = 17.0;
/// Radius of an optimum's marker.
pub const MARKER_R: f64 = 6.5;
/// Length of an off-range arrow.
pub const ARROW: f64 = 11.0;
/// Samples along mu for the density and objective curves.
pub const CURVE_SAMPLES: usize = 400;
/// Discrete shades of "steps to converge" (the colour bar's bands).
pub const STEP_LEVELS: u32 = 8;
/// Optima whose KL differs from the best by at most this much relative
/// (to 1 + |KL|, the landscape's own tie rule) are all called global.
pub const GLOBAL_TIE: f64 = 1e-9;

/// Type sizes (CSS px at 1x).
pub const TITLE_SIZE: f64 = 17.0;
/// Subtitle, legend and axis labels.
pub const TEXT_SIZE: f64 = 13.0;
/// Tick labels and small notes.
pub const SMALL_SIZE: f64 = 12.0;

/// Text and frames.
pub const INK: Rgb = [30, 30, 30];
/// Secondary text and ticks.
pub const FAINT: Rgb = [105, 105, 105];
/// The page.
pub const PAPER: Rgb = [255, 255, 255];
/// The target density's fill in the strip.
pub const DENSITY_FILL: Rgb = [200, 200, 200];
/// The target density's outline and mode marks.
pub const DENSITY_LINE: Rgb = [90, 90, 90];
