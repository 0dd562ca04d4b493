//! Colours shared by the PNG export and the window: one per optimum (index 0,
//! the global best, stands out), grey for "not converged", and shading by
//! steps to converge.

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// Colour of the global best (index 0): a strong crimson.
const BEST: Rgb = [200, 30, 45];
/// Colours for the other optima, in KL order, then cycling.
const OTHERS: [Rgb; 9] = [
    [40, 110, 200],
    [40, 160, 90],
    [230, 150, 20],
    [140, 70, 180],
    [20, 170, 180],
    [150, 110, 60],
    [220, 90, 160],
    [110, 130, 40],
    [90, 90, 140],
];
/// Starts that did not converge (label -1).
pub const UNCONVERGED: Rgb = [205, 205, 205];

/// The colour of optimum `index` (labels < 0 get [`UNCONVERGED`]).
pub fn optimum_colour(index: i32) -> Rgb {
    match index {
        i if i < 0 => UNCONVERGED,
        0 => BEST,
        i => OTHERS[(i as usize - 1) % OTHERS.len()],
    }
}

/// A map cell's colour: the optimum's colour, lightened the faster the start
/// converged (fast = light, slow = full colour), so basins show their flow.
pub fn cell_colour(label: i32, steps: u32, max_steps: u32) -> Rgb {
    let base = optimum_colour(label);
    if label < 0 {
        return base;
    }
    let slow = (f64::from(steps) / f64::from(max_steps.max(1)))
        .clamp(0.0, 1.0)
        .sqrt();
    let light = 0.55 * (1.0 - slow);
    base.map(|c| (f64::from(c) + (255.0 - f64::from(c)) * light).round() as u8)
}
