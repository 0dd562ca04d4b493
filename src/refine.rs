//! Adaptive refinement of a basin map: run every `factor`-th start each way
//! first, then only the starts inside coarse cells whose corners reached
//! different optima (or did not converge). A cell whose four corners agree is
//! filled with their optimum, its steps interpolated between them. A 4x finer
//! map then costs about the coarse map plus its basin boundaries.

use std::time::Instant;

use crate::engine::{Endpoint, Engine};
use crate::error::Result;
use crate::landscape::{Grid, Landscape, RUN_SHARE, phase, run_in_bands};
use crate::objective::Problem;

/// Indices 0, f, 2f, ... along an axis of `n` points, always with the last.
fn coarse_axis(n: usize, factor: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).step_by(factor.max(1)).collect();
    if v.last() != Some(&(n - 1)) {
        v.push(n - 1);
    }
    v
}

/// Consecutive pairs of coarse indices: the cells along one axis (one
/// degenerate cell when the axis has a single point).
fn cells(coarse: &[usize]) -> Vec<(usize, usize)> {
    if coarse.len() == 1 {
        vec![(coarse[0], coarse[0])]
    } else {
        coarse.windows(2).map(|w| (w[0], w[1])).collect()
    }
}

/// Computes the map of `grid` like [`Landscape::compute`], but runs only the
/// coarse lattice (every `factor`-th start each way) and the starts of cells
/// whose corners disagree. `factor` <= 1 runs every start.
pub fn compute_refined(
    engine: &dyn Engine,
    problem: &Problem,
    grid: &Grid,
    steps: u32,
    lr: f64,
    factor: usize,
    progress: &mut dyn FnMut(f64),
) -> Result<Landscape> {
    if factor <= 1 {
        return Landscape::compute(engine, problem, grid, steps, lr, progress);
    }
    let clock = Instant::now();
    let (count, rows) = grid.distinct(problem);
    let nx = grid.mu.count;
    let ny = count / nx;
    let (cx, cy) = (coarse_axis(nx, factor), coarse_axis(ny, factor));

    // Phase 1: the coarse lattice, classified on its own to compare corners.
    let coarse: Vec<usize> = cy
        .iter()
        .flat_map(|&j| cx.iter().map(move |&i| j * nx + i))
        .collect();
    // Progress: coarse fits, their polishing (to 0.3 in all), the
    // boundary's fits (to RUN_SHARE), the whole map's polishing.
    let coarse_ends = run_in_bands(
        engine,
        problem,
        coarse.len(),
        &|i| grid.start_at(coarse[i]),
        steps,
        lr,
        &mut phase(progress, 0.0, 0.3 * RUN_SHARE),
    )?;
    let coarse_labels = Landscape::classify_reporting(
        problem,
        &coarse_ends,
        &mut phase(progress, 0.3 * RUN_SHARE, 0.3),
    )
    .labels;
    let corner = |a: usize, b: usize| {
        let (ia, ib) = (
            cx.binary_search(&a).expect("a coarse index"),
            cy.binary_search(&b).expect("a coarse index"),
        );
        let c = ib * cx.len() + ia;
        (coarse_labels[c], coarse_ends[c])
    };

    // Phase 2: fill cells whose corners agree, mark the others to run.
    let mut ends: Vec<Option<Endpoint>> = vec![None; count];
    for (&k, e) in coarse.iter().zip(&coarse_ends) {
        ends[k] = Some(*e);
    }
    let mut needed = vec![false; count];
    let mut filled: Vec<Option<Endpoint>> = vec![None; count];
    for &(y0, y1) in &cells(&cy) {
        for &(x0, x1) in &cells(&cx) {
            let corners = [
                corner(x0, y0),
                corner(x1, y0),
                corner(x0, y1),
                corner(x1, y1),
            ];
            let label = corners[0].0;
            let agree = label >= 0 && corners.iter().all(|c| c.0 == label);
            for j in y0..=y1 {
                for i in x0..=x1 {
                    let k = j * nx + i;
                    if ends[k].is_some() {
                        continue;
                    }
                    if !agree {
                        needed[k] = true;
                        continue;
                    }
                    let frac = |v: usize, lo: usize, hi: usize| {
                        if hi > lo {
                            (v - lo) as f64 / (hi - lo) as f64
                        } else {
                            0.0
                        }
                    };
                    let (tx, ty) = (frac(i, x0, x1), frac(j, y0, y1));
                    let steps_at = |c: usize| f64::from(corners[c].1.steps);
                    let interpolated = (1.0 - ty) * ((1.0 - tx) * steps_at(0) + tx * steps_at(1))
                        + ty * ((1.0 - tx) * steps_at(2) + tx * steps_at(3));
                    let nearest = usize::from(tx > 0.5) + 2 * usize::from(ty > 0.5);
                    filled[k] = Some(Endpoint {
                        steps: interpolated.round() as u32,
                        ..corners[nearest].1
                    });
                }
            }
        }
    }
    let run: Vec<usize> = (0..count).filter(|&k| needed[k]).collect();
    let run_ends = run_in_bands(
        engine,
        problem,
        run.len(),
        &|i| grid.start_at(run[i]),
        steps,
        lr,
        &mut phase(progress, 0.3, RUN_SHARE),
    )?;
    for (&k, e) in run.iter().zip(&run_ends) {
        ends[k] = Some(*e);
    }
    let endpoints: Vec<Endpoint> = ends
        .into_iter()
        .zip(filled)
        .map(|(e, f)| e.or(f).expect("every start is run or filled"))
        .collect();
    Ok(Landscape::of_run_reporting(
        problem,
        &endpoints,
        rows,
        coarse.len() + run.len(),
        clock,
        &mut phase(progress, RUN_SHARE, 1.0),
    ))
}
