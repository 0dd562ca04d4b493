//! Colours shared by the PNG export and the window: one per optimum, from
//! Paul Tol's colour-blind-safe "bright" scheme, grey for "not converged",
//! and shading by steps to converge. Colours mean optima only: the live fit
//! is drawn in black and the target in grey, which no optimum gets.

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// The optima's colours (Paul Tol, "bright"), in the order they are handed
/// out; an optimum index beyond them cycles.
pub const OPTIMA: [Rgb; 6] = [
    [68, 119, 170],  // blue
    [238, 102, 119], // red
    [34, 136, 51],   // green
    [204, 187, 68],  // yellow
    [170, 51, 119],  // purple
    [102, 204, 238], // cyan
];
/// Starts that did not converge (label -1).
pub const UNCONVERGED: Rgb = [205, 205, 205];
/// How far the fastest starts are lightened towards white (see [`cell_colour`]).
pub const MAX_LIGHTENING: f64 = 0.35;

/// The colour of optimum `index` (labels < 0 get [`UNCONVERGED`]).
pub fn optimum_colour(index: i32) -> Rgb {
    match usize::try_from(index) {
        Ok(i) => OPTIMA[i % OPTIMA.len()],
        Err(_) => UNCONVERGED,
    }
}

/// Ink of saddle branches in sweep diagrams (dashed, never a basin's colour).
pub const SADDLE: Rgb = [80, 80, 80];

/// The colour of branch `b` of a sweep: minima take the optimum colours in
/// their order among the minima, saddles [`SADDLE`]; the figure and the window agree.
pub fn branch_colour(branches: &[crate::sweep::Branch], b: usize) -> Rgb {
    match branches[b].kind {
        crate::sweep::BranchKind::Saddle => SADDLE,
        crate::sweep::BranchKind::Minimum => {
            let k = branches[..b]
                .iter()
                .filter(|x| x.kind == crate::sweep::BranchKind::Minimum)
                .count();
            optimum_colour(k as i32)
        }
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
    lightened(base, MAX_LIGHTENING * (1.0 - slow))
}

fn lightened(c: Rgb, light: f64) -> Rgb {
    c.map(|c| (f64::from(c) + (255.0 - f64::from(c)) * light).round() as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
    const PROTANOPIA: [[f64; 3]; 3] = [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ];
    const DEUTERANOPIA: [[f64; 3]; 3] = [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ];
    const IDENTITY: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

    fn linear(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    /// CIELAB (D65) of `c` as seen through `vision`.
    fn lab(c: Rgb, vision: &[[f64; 3]; 3]) -> [f64; 3] {
        let l = c.map(linear);
        let v = vision.map(|row| (row[0] * l[0] + row[1] * l[1] + row[2] * l[2]).clamp(0.0, 1.0));
        let x = (0.4124 * v[0] + 0.3576 * v[1] + 0.1805 * v[2]) / 0.95047;
        let y = 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
        let z = (0.0193 * v[0] + 0.1192 * v[1] + 0.9505 * v[2]) / 1.08883;
        let f = |t: f64| {
            if t > 216.0 / 24389.0 {
                t.cbrt()
            } else {
                (24389.0 / 27.0 * t + 16.0) / 116.0
            }
        };
        let (fx, fy, fz) = (f(x), f(y), f(z));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    /// CIEDE2000 colour difference (Sharma, Wu and Dalal 2005).
    fn ciede2000([l1, a1, b1]: [f64; 3], [l2, a2, b2]: [f64; 3]) -> f64 {
        let (c1, c2) = (a1.hypot(b1), a2.hypot(b2));
        let c7 = ((c1 + c2) / 2.0).powi(7);
        let g = 0.5 * (1.0 - (c7 / (c7 + 25f64.powi(7))).sqrt());
        let (a1, a2) = ((1.0 + g) * a1, (1.0 + g) * a2);
        let (c1, c2) = (a1.hypot(b1), a2.hypot(b2));
        let hue = |b: f64, a: f64| b.atan2(a).to_degrees().rem_euclid(360.0);
        let (h1, h2) = (hue(b1, a1), hue(b2, a2));
        let chroma = c1 * c2 != 0.0;
        let mut dh = h2 - h1;
        if dh > 180.0 {
            dh -= 360.0;
        } else if dh < -180.0 {
            dh += 360.0;
        }
        let dh = if chroma { dh } else { 0.0 };
        let d_hue = 2.0 * (c1 * c2).sqrt() * (dh / 2.0).to_radians().sin();
        let l = (l1 + l2) / 2.0;
        let c = (c1 + c2) / 2.0;
        let h = if !chroma {
            h1 + h2
        } else if (h1 - h2).abs() <= 180.0 {
            (h1 + h2) / 2.0
        } else if h1 + h2 < 360.0 {
            (h1 + h2 + 360.0) / 2.0
        } else {
            (h1 + h2 - 360.0) / 2.0
        };
        let cos = |deg: f64| deg.to_radians().cos();
        let t = 1.0 - 0.17 * cos(h - 30.0) + 0.24 * cos(2.0 * h) + 0.32 * cos(3.0 * h + 6.0)
            - 0.20 * cos(4.0 * h - 63.0);
        let rotation = 30.0 * (-((h - 275.0) / 25.0).powi(2)).exp();
        let c7 = c.powi(7);
        let rc = 2.0 * (c7 / (c7 + 25f64.powi(7))).sqrt();
        let sl = 1.0 + 0.015 * (l - 50.0).powi(2) / (20.0 + (l - 50.0).powi(2)).sqrt();
        let sc = 1.0 + 0.045 * c;
        let sh = 1.0 + 0.015 * c * t;
        let rt = -(2.0 * rotation).to_radians().sin() * rc;
        let (dl, dc, dhh) = ((l2 - l1) / sl, (c2 - c1) / sc, d_hue / sh);
        (dl * dl + dc * dc + dhh * dhh + rt * dc * dhh).sqrt()
    }

    #[test]
    fn ciede2000_matches_the_published_test_pairs() {
        // Sharma, Wu and Dalal (2005), table 1, pairs 1, 7 and 17.
        for (a, b, de) in [
            ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
            ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
            ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
        ] {
            assert!((ciede2000(a, b) - de).abs() < 1e-4, "{a:?} {b:?}");
        }
    }

    /// Least CIEDE2000 distance between two optima, or an optimum and "not
    /// converged", under normal vision, protanopia and deuteranopia.
    const APART: f64 = 14.0;
    /// Least distance between an optimum's lightest (fastest) shade and "not converged".
    const SHADE_APART: f64 = 9.0;

    #[test]
    fn optima_colours_stay_apart_for_colour_blind_readers() {
        let mut all: Vec<Rgb> = OPTIMA.to_vec();
        all.push(UNCONVERGED);
        for (vision, name) in [
            (IDENTITY, "normal"),
            (PROTANOPIA, "protanopia"),
            (DEUTERANOPIA, "deuteranopia"),
        ] {
            for (i, &a) in all.iter().enumerate() {
                for &b in &all[i + 1..] {
                    let d = ciede2000(lab(a, &vision), lab(b, &vision));
                    assert!(d >= APART, "{name}: {a:?} and {b:?} only {d:.1} apart");
                }
                let shade = lightened(a, MAX_LIGHTENING);
                if a != UNCONVERGED {
                    let d = ciede2000(lab(shade, &vision), lab(UNCONVERGED, &vision));
                    assert!(d >= SHADE_APART, "{name}: shade {shade:?} {d:.1} from grey");
                }
            }
        }
    }

    #[test]
    fn indices_cycle_and_negative_labels_are_grey() {
        assert_eq!(optimum_colour(-1), UNCONVERGED);
        assert_eq!(optimum_colour(0), OPTIMA[0]);
        assert_eq!(optimum_colour(OPTIMA.len() as i32), OPTIMA[0]);
        assert_eq!(cell_colour(2, 2000, 2000), OPTIMA[2], "slow: full colour");
    }
}
