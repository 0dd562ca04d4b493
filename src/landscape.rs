//! From endpoints to a basin map: a grid of starts, clustering of converged
//! endpoints, f64 polishing of each cluster, verified minima sorted by KL, and
//! a label per start.

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::{CONVERGED, Endpoint, Engine, Task, run_many_to_end};
use crate::error::{Error, Result};
use crate::objective::Problem;
use crate::polish::{Critical, Kind, polish, within_reach};

/// One axis of the grid of starts: `count` points from `lo` to `hi` inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    /// First value.
    pub lo: f64,
    /// Last value.
    pub hi: f64,
    /// Number of points (>= 1).
    pub count: usize,
    /// Points spaced evenly in log (sigma axis only).
    pub log: bool,
}

impl Axis {
    /// A linear axis.
    pub fn linear(lo: f64, hi: f64, count: usize) -> Self {
        Self {
            lo,
            hi,
            count,
            log: false,
        }
    }

    /// The i-th point.
    pub fn at(&self, i: usize) -> f64 {
        if self.count == 1 {
            return 0.5 * (self.lo + self.hi);
        }
        let f = i as f64 / (self.count - 1) as f64;
        if self.log {
            (self.lo.ln() + f * (self.hi.ln() - self.lo.ln())).exp()
        } else {
            self.lo + f * (self.hi - self.lo)
        }
    }

    /// Where `value` falls on the axis as a fractional index (inverse of [`Axis::at`]).
    pub fn position(&self, value: f64) -> f64 {
        if self.count == 1 {
            return 0.0;
        }
        let f = if self.log {
            (value.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (value - self.lo) / (self.hi - self.lo)
        };
        f * (self.count - 1) as f64
    }

    /// JSON form `[lo, hi, count]`.
    pub fn triple(&self) -> (f64, f64, usize) {
        (self.lo, self.hi, self.count)
    }
}

/// Largest grid accepted (starts): beyond this the memory is refused up front.
pub const MAX_STARTS: usize = 1 << 26;

/// Memory a grid of `starts` starts needs while its maps compute, in bytes:
/// what stays per start ([`crate::defaults::MAP_BYTES_PER_START`]) plus one
/// band of fits in flight ([`crate::defaults::MAP_BAND_BYTES`]).
pub fn peak_bytes(starts: u128) -> u128 {
    starts * crate::defaults::MAP_BYTES_PER_START
        + starts.min(crate::defaults::MAP_BAND_STARTS as u128) * crate::defaults::MAP_BAND_BYTES
}

/// A grid of starts over (mu0, sigma0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// mu0 axis (columns).
    pub mu: Axis,
    /// sigma0 axis (rows, lowest sigma first).
    pub sigma: Axis,
}

impl Grid {
    /// Checks ranges and size; one clear message for the first problem.
    pub fn new(mu: Axis, sigma: Axis) -> Result<Self> {
        for (name, a) in [("mu", mu), ("sigma", sigma)] {
            if !(a.lo.is_finite() && a.hi.is_finite()) || a.lo >= a.hi {
                return Err(Error::input(format!(
                    "--{name}-range {}:{} is empty: need finite LO < HI",
                    a.lo, a.hi
                )));
            }
            if a.count == 0 {
                return Err(Error::input(format!("the grid has no {name} points")));
            }
        }
        if mu.lo.abs().max(mu.hi.abs()) > crate::defaults::DIVERGED_BEYOND {
            return Err(Error::input(format!(
                "--mu-range must lie within {} of 0, where a fit counts as diverged (got {}:{})",
                crate::number::readable(crate::defaults::DIVERGED_BEYOND),
                crate::number::readable(mu.lo),
                crate::number::readable(mu.hi)
            )));
        }
        if sigma.hi > crate::defaults::MAX_SIGMA {
            return Err(Error::input(format!(
                "--sigma-range must end at most at {} (got {})",
                crate::number::readable(crate::defaults::MAX_SIGMA),
                crate::number::readable(sigma.hi)
            )));
        }
        if sigma.lo <= 0.0 {
            return Err(Error::input(format!(
                "--sigma-range must be positive (got {}:{})",
                sigma.lo, sigma.hi
            )));
        }
        if sigma.hi < crate::defaults::SIGMA_FLOOR {
            return Err(Error::input(format!(
                "--sigma-range {}:{} lies below sigma's floor {}, to which every start would be raised",
                crate::number::readable(sigma.lo),
                crate::number::readable(sigma.hi),
                crate::defaults::SIGMA_FLOOR
            )));
        }
        // Counted in u128: no side of a usize grid can overflow the product.
        let starts = mu.count as u128 * sigma.count as u128;
        if starts > MAX_STARTS as u128 {
            return Err(Error::input(format!(
                "a {}x{} grid has {starts} starts and would need about {} GiB; at most {MAX_STARTS} starts are accepted",
                mu.count,
                sigma.count,
                peak_bytes(starts).div_ceil(1 << 30)
            )));
        }
        Ok(Self { mu, sigma })
    }

    /// The default grid of the design card.
    pub fn default_map() -> Self {
        use crate::defaults::DEFAULT_GRID;
        Self::default_ranges(DEFAULT_GRID.0, DEFAULT_GRID.1)
    }

    /// The default ranges of mu0 and sigma0 at another size.
    pub fn default_ranges(nmu: usize, nsigma: usize) -> Self {
        use crate::defaults::{DEFAULT_MU_RANGE, DEFAULT_SIGMA_RANGE};
        Self {
            mu: Axis::linear(DEFAULT_MU_RANGE.0, DEFAULT_MU_RANGE.1, nmu),
            sigma: Axis::linear(DEFAULT_SIGMA_RANGE.0, DEFAULT_SIGMA_RANGE.1, nsigma),
        }
    }

    /// Number of starts.
    pub fn len(&self) -> usize {
        self.mu.count * self.sigma.count
    }

    /// Never true for a validated grid; here for completeness of `len`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Start `k` (mu0, sigma0) in row-major order: sigma rows (lowest
    /// first), mu columns (lowest first).
    pub fn start_at(&self, k: usize) -> [f64; 2] {
        [
            self.mu.at(k % self.mu.count),
            self.sigma.at(k / self.mu.count),
        ]
    }

    /// Every start, row-major ([`Grid::start_at`]).
    pub fn starts(&self) -> Vec<[f64; 2]> {
        (0..self.len()).map(|k| self.start_at(k)).collect()
    }

    /// How many starts an engine must run for `problem` (the first ones of
    /// the grid, [`Grid::start_at`]), and how many times their endpoints
    /// repeat to fill the grid: in the fixed-sigma family sigma0 plays no
    /// part, so one row is run and repeated for every row.
    pub fn distinct(&self, problem: &Problem) -> (usize, usize) {
        if problem.family.fixed_sigma().is_some() {
            (self.mu.count, self.sigma.count)
        } else {
            (self.len(), 1)
        }
    }

    /// The starts of [`Grid::distinct`] themselves, and their repeats.
    pub fn distinct_starts(&self, problem: &Problem) -> (Vec<[f64; 2]>, usize) {
        let (count, rows) = self.distinct(problem);
        ((0..count).map(|k| self.start_at(k)).collect(), rows)
    }
}

/// Runs `count` starts (`start(i)` for i in 0..count) to the end on
/// `engine` in bands of at most [`crate::defaults::MAP_BAND_STARTS`], so
/// that only one band's fit states are ever held, and returns every
/// endpoint in order; `progress` covers all bands.
pub fn run_in_bands(
    engine: &dyn Engine,
    problem: &Problem,
    count: usize,
    start: &(dyn Fn(usize) -> [f64; 2] + Sync),
    steps: u32,
    lr: f64,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Endpoint>> {
    let mut endpoints = Vec::new();
    run_many_in_bands(
        engine,
        &[(problem, lr)],
        (count, start),
        steps,
        crate::defaults::MAP_BAND_STARTS,
        progress,
        &mut |_, ends| {
            endpoints = ends;
            Ok(())
        },
    )?;
    Ok(endpoints)
}

/// Runs the `count` starts (`start(i)` for i in 0..count, `starts` = (count,
/// start)) of each of `problems` [(problem, lr)] to the end on `engine`: all problems' starts as one sequence, problem
/// after problem, cut into bands of at most `band` starts (maps use
/// [`crate::defaults::MAP_BAND_STARTS`]), each band one launch of all the
/// problems it covers ([`Engine::launch_many`]). `finished(p, endpoints)`
/// gets problem p's endpoints as soon as its last band is done, so only
/// one band's fit states and the endpoints of the problems it has not
/// finished are ever held. `progress` covers the fits of all bands.
pub fn run_many_in_bands(
    engine: &dyn Engine,
    problems: &[(&Problem, f64)],
    (count, start): (usize, &(dyn Fn(usize) -> [f64; 2] + Sync)),
    steps: u32,
    band: usize,
    progress: &mut dyn FnMut(f64),
    finished: &mut dyn FnMut(usize, Vec<Endpoint>) -> Result<()>,
) -> Result<()> {
    let total = count * problems.len();
    let share = |k: usize| k as f64 / total.max(1) as f64;
    let mut pending: Vec<Endpoint> = Vec::new();
    let mut first = 0;
    while first < total {
        let last = (first + band).min(total);
        let starts: Vec<[f64; 2]> = (first..last).map(|k| start(k % count)).collect();
        let tasks: Vec<Task> = (first / count..last.div_ceil(count))
            .map(|p| {
                let (a, b) = ((p * count).max(first), ((p + 1) * count).min(last));
                Task {
                    problem: problems[p].0,
                    starts: &starts[a - first..b - first],
                    lr: problems[p].1,
                }
            })
            .collect();
        let mut ends = run_many_to_end(
            engine,
            &tasks,
            steps,
            &mut phase(progress, share(first), share(last)),
        )?
        .into_iter();
        drop(tasks);
        for p in first / count..last.div_ceil(count) {
            let b = ((p + 1) * count).min(last);
            pending.extend(ends.by_ref().take(b - (p * count).max(first)));
            if b == (p + 1) * count {
                finished(p, std::mem::take(&mut pending))?;
            }
        }
        first = last;
    }
    if count == 0 {
        for p in 0..problems.len() {
            finished(p, Vec::new())?;
        }
    }
    progress(1.0);
    Ok(())
}

/// A verified local minimum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Optimum {
    /// Mean of q at the minimum.
    pub mu: f64,
    /// Width of q at the minimum.
    pub sigma: f64,
    /// KL there (exact, f64).
    pub kl: f64,
    /// Share of all starts whose fit ends here.
    pub basin_fraction: f64,
    /// True when the minimum is pressed against sigma's floor.
    pub boundary: bool,
}

/// A critical point that is not a minimum (some starts stopped on it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Saddle {
    /// Mean at the saddle.
    pub mu: f64,
    /// Width at the saddle.
    pub sigma: f64,
    /// KL there.
    pub kl: f64,
}

/// A labelled basin map for one objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Landscape {
    /// Verified minima sorted by KL (index 0 is the global best found).
    pub optima: Vec<Optimum>,
    /// Saddles some starts stopped on, never counted as optima.
    pub saddles: Vec<Saddle>,
    /// Per start (row-major, sigma rows): index into `optima`, or -1.
    pub labels: Vec<i32>,
    /// Per start: Adam steps taken (the budget when it never converged).
    pub steps_to_converge: Vec<u32>,
    /// Wall time for the map: engine plus polishing (0 until [`Landscape::compute`] sets it;
    /// for maps computed together, [`Landscape::compute_many`], each one's share).
    pub seconds: f64,
    /// Starts the engine actually ran: fewer than `labels` in the fixed-sigma
    /// family (one row) or with refinement ([`crate::refine`]).
    pub starts_run: usize,
}

/// Converged endpoints closer than this (in mu and in sigma) are one candidate.
const CLUSTER_RADIUS: f64 = 0.02;
/// Clusters polished per thread between two progress reports.
const POLISH_BATCH_PER_THREAD: usize = 16;
/// Share of a map's progress given to the fits; polishing takes the rest.
pub const RUN_SHARE: f64 = 0.9;

/// `progress` rescaled from 0..=1 to lo..=hi: one phase of a longer job.
pub fn phase(progress: &mut dyn FnMut(f64), lo: f64, hi: f64) -> impl FnMut(f64) + '_ {
    move |f| progress(lo + (hi - lo) * f)
}

/// Polished minima closer than this are the same minimum.
const SAME_POINT: f64 = 1e-6;

/// The polished point of a single run's endpoint, if the run stood still
/// ([`CONVERGED`]); None while it moves or once it diverged.
pub fn polished_end(problem: &Problem, end: &Endpoint) -> Option<Critical> {
    (end.status == CONVERGED).then(|| polish(problem, end.mu, end.sigma))
}

/// Whether `polished`, an endpoint's polished point ([`polished_end`]), is
/// a minimum that the endpoint reached, by the map's rule for labels.
pub fn is_reached(polished: &Critical, end: &Endpoint) -> bool {
    polished.is_minimum() && within_reach([polished.mu, polished.sigma], [end.mu, end.sigma])
}

/// The verified minimum a single run's endpoint reached, by the map's rule
/// for labels: it converged, and polishing it gives a minimum near it.
pub fn minimum_reached(problem: &Problem, end: &Endpoint) -> Option<Critical> {
    polished_end(problem, end).filter(|p| is_reached(p, end))
}

impl Landscape {
    /// Starts that did not converge (label -1).
    pub fn unconverged(&self) -> usize {
        self.labels.iter().filter(|&&l| l < 0).count()
    }

    /// Share of all starts that did not converge, 0..=1.
    pub fn unconverged_share(&self) -> f64 {
        self.unconverged() as f64 / self.labels.len().max(1) as f64
    }

    /// Clusters converged endpoints, polishes each cluster in f64, keeps
    /// verified minima (sorted by KL), and labels every start.
    pub fn classify(problem: &Problem, endpoints: &[Endpoint]) -> Self {
        Self::classify_reporting(problem, endpoints, &mut |_| {})
    }

    /// [`Landscape::classify`], reporting the fraction of clusters polished
    /// (0..=1) as it goes: polishing runs in parallel (rayon) in batches, and
    /// a map whose every start needs polishing (a tiny learning rate) can
    /// spend longer here than in its fits.
    pub fn classify_reporting(
        problem: &Problem,
        endpoints: &[Endpoint],
        progress: &mut dyn FnMut(f64),
    ) -> Self {
        // Greedy clustering of converged endpoints.
        let mut centres: Vec<[f64; 2]> = Vec::new();
        let mut cluster_of = vec![u32::MAX; endpoints.len()];
        for (slot, e) in cluster_of.iter_mut().zip(endpoints) {
            if e.status != CONVERGED {
                continue;
            }
            let found = centres.iter().position(|c| {
                (c[0] - e.mu).abs() < CLUSTER_RADIUS && (c[1] - e.sigma).abs() < CLUSTER_RADIUS
            });
            *slot = found.unwrap_or_else(|| {
                centres.push([e.mu, e.sigma]);
                centres.len() - 1
            }) as u32;
        }
        let batch = (rayon::current_num_threads() * POLISH_BATCH_PER_THREAD).max(1);
        let mut polished = Vec::with_capacity(centres.len());
        for chunk in centres.chunks(batch) {
            polished.par_extend(chunk.par_iter().map(|c| polish(problem, c[0], c[1])));
            progress(polished.len() as f64 / centres.len() as f64);
        }
        progress(1.0);

        // Distinct minima and saddles.
        let mut optima: Vec<Optimum> = Vec::new();
        let mut saddles: Vec<Saddle> = Vec::new();
        let same = |a: (f64, f64), b: (f64, f64)| {
            (a.0 - b.0).abs() < SAME_POINT * (1.0 + a.0.abs())
                && (a.1 - b.1).abs() < SAME_POINT * (1.0 + a.1.abs())
        };
        let mut optimum_of_cluster = vec![None; centres.len()];
        for ((p, c), slot) in polished.iter().zip(&centres).zip(&mut optimum_of_cluster) {
            let reached = within_reach([p.mu, p.sigma], *c);
            match p.kind {
                Kind::Minimum | Kind::BoundaryMinimum if reached => {
                    let idx = optima
                        .iter()
                        .position(|o| same((o.mu, o.sigma), (p.mu, p.sigma)))
                        .unwrap_or_else(|| {
                            optima.push(Optimum {
                                mu: p.mu,
                                sigma: p.sigma,
                                kl: p.eval.kl,
                                basin_fraction: 0.0,
                                boundary: p.kind == Kind::BoundaryMinimum,
                            });
                            optima.len() - 1
                        });
                    *slot = Some(idx);
                }
                Kind::Saddle
                    if reached
                        && !saddles
                            .iter()
                            .any(|s| same((s.mu, s.sigma), (p.mu, p.sigma))) =>
                {
                    saddles.push(Saddle {
                        mu: p.mu,
                        sigma: p.sigma,
                        kl: p.eval.kl,
                    });
                }
                _ => {}
            }
        }

        // Sort by KL and relabel.
        let mut order: Vec<usize> = (0..optima.len()).collect();
        // KL ties (mirror images) within the reference's accuracy go by mu, so
        // every engine numbers the optima alike.
        order.sort_by(|&a, &b| {
            let (x, y) = (&optima[a], &optima[b]);
            if (x.kl - y.kl).abs() <= 1e-9 * (1.0 + x.kl.abs()) {
                x.mu.total_cmp(&y.mu)
            } else {
                x.kl.total_cmp(&y.kl)
            }
        });
        let mut rank = vec![0; optima.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as i32;
        }
        let mut optima: Vec<Optimum> = order.iter().map(|&i| optima[i]).collect();
        saddles.sort_by(|a, b| a.kl.total_cmp(&b.kl));

        let labels: Vec<i32> = cluster_of
            .iter()
            .map(|&c| {
                optimum_of_cluster
                    .get(c as usize)
                    .copied()
                    .flatten()
                    .map_or(-1, |i| rank[i])
            })
            .collect();
        for &l in &labels {
            if l >= 0 {
                optima[l as usize].basin_fraction += 1.0;
            }
        }
        let total = labels.len().max(1) as f64;
        for o in &mut optima {
            o.basin_fraction /= total;
        }
        Self {
            optima,
            saddles,
            labels,
            steps_to_converge: endpoints.iter().map(|e| e.steps).collect(),
            seconds: 0.0,
            starts_run: endpoints.len(),
        }
    }

    /// Runs every start of `grid` on `engine` and classifies the endpoints;
    /// `progress` covers both: the fits up to [`RUN_SHARE`], polishing after.
    pub fn compute(
        engine: &dyn Engine,
        problem: &Problem,
        grid: &Grid,
        steps: u32,
        lr: f64,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Self> {
        let mut maps = Self::compute_many(engine, &[(problem, lr)], grid, steps, progress)?;
        Ok(maps.pop().expect("one map per problem"))
    }

    /// The maps of `problems` [(problem, lr)] on one grid, their fits run
    /// together ([`run_many_in_bands`]: on the GPU one dispatch a chunk for
    /// all); each map is classified as soon as its fits are done. The
    /// problems share their family (so the grid's distinct starts are the
    /// same for all). A map's `seconds` is its share of the whole: the wall
    /// time over the number of maps. `progress` covers everything: the fits
    /// up to [`RUN_SHARE`], each map's polishing its share of the rest.
    pub fn compute_many(
        engine: &dyn Engine,
        problems: &[(&Problem, f64)],
        grid: &Grid,
        steps: u32,
        progress: &mut dyn FnMut(f64),
    ) -> Result<Vec<Self>> {
        let clock = Instant::now();
        let Some(&(first, _)) = problems.first() else {
            return Ok(Vec::new());
        };
        let (count, rows) = grid.distinct(first);
        debug_assert!(
            problems
                .iter()
                .all(|(p, _)| grid.distinct(p) == (count, rows))
        );
        // The fits' and the polishing's progress, reported as one.
        let reported = std::cell::RefCell::new((0.0, 0.0, progress));
        let report = |fits: Option<f64>, polished: Option<f64>| {
            let mut r = reported.borrow_mut();
            r.0 = fits.unwrap_or(r.0);
            r.1 = polished.unwrap_or(r.1);
            let done = RUN_SHARE * r.0 + (1.0 - RUN_SHARE) * r.1 / problems.len() as f64;
            (r.2)(done);
        };
        let mut maps = Vec::with_capacity(problems.len());
        run_many_in_bands(
            engine,
            problems,
            (count, &|k| grid.start_at(k)),
            steps,
            crate::defaults::MAP_BAND_STARTS,
            &mut |f| report(Some(f), None),
            &mut |p, endpoints| {
                let polished = maps.len() as f64;
                maps.push(Self::of_run_reporting(
                    problems[p].0,
                    &endpoints,
                    rows,
                    count,
                    clock,
                    &mut |f| report(None, Some(polished + f)),
                ));
                Ok(())
            },
        )?;
        let share = clock.elapsed().as_secs_f64() / problems.len() as f64;
        for map in &mut maps {
            map.seconds = share;
        }
        Ok(maps)
    }

    /// The map of a grid's distinct starts' endpoints (each repeated `rows`
    /// times, see [`Grid::distinct_starts`]), with `starts_run` starts run
    /// and the time since `clock`.
    pub fn of_run(
        problem: &Problem,
        endpoints: &[Endpoint],
        rows: usize,
        starts_run: usize,
        clock: Instant,
    ) -> Self {
        Self::of_run_reporting(problem, endpoints, rows, starts_run, clock, &mut |_| {})
    }

    /// [`Landscape::of_run`], reporting polishing's progress (0..=1).
    pub fn of_run_reporting(
        problem: &Problem,
        endpoints: &[Endpoint],
        rows: usize,
        starts_run: usize,
        clock: Instant,
        progress: &mut dyn FnMut(f64),
    ) -> Self {
        // Every distinct start repeats `rows` times, so the basin fractions
        // of its endpoints are the grid's: only labels and steps repeat.
        let mut landscape = Self::classify_reporting(problem, endpoints, progress);
        landscape.labels = landscape.labels.repeat(rows);
        landscape.steps_to_converge = landscape.steps_to_converge.repeat(rows);
        landscape.starts_run = starts_run;
        landscape.seconds = clock.elapsed().as_secs_f64();
        landscape
    }
}
