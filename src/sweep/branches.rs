//! From the maps of a sweep to branches: every verified minimum and saddle
//! the maps found (and the critical points between pairs of minima) seeds a
//! curve, traced both ways by continuation unless it lies on a curve already
//! traced; curves split into minimum and saddle branches at their folds and
//! stability changes, each located exactly; the global best is followed
//! along the values and its switches located as Maxwell points; and each
//! map's basin fractions are assigned to the branches.

use serde::Serialize;

use super::Fractions;
use super::SweepSpec;
use super::bifurcation::{Bifurcation, BifurcationKind, root, symmetric_about};
use super::continuation::{Bounds, CurvePoint, Tracer};
use super::system::{Point3, System};
use crate::defaults::SIGMA_FLOOR;
use crate::error::Result;
use crate::landscape::Landscape;
use crate::objective::Objective;

/// Whether a branch holds minima or index-1 saddles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BranchKind {
    /// Positive-definite Hessian.
    Minimum,
    /// One negative eigenvalue.
    Saddle,
}

/// A point of a branch, polished to |gradient| below 1e-10 on the exact objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BranchPoint {
    /// The parameter value.
    pub value: f64,
    /// mu of the stationary point.
    pub mu: f64,
    /// sigma of the stationary point.
    pub sigma: f64,
    /// The objective's value there (the KL for the KL objectives).
    pub divergence: f64,
    /// The Hessian's eigenvalues in the free parameters, smallest first.
    pub eigenvalues: Vec<f64>,
    /// A minimum no other minimum at this value undercuts (ties included): the global best.
    pub global: bool,
}

/// A branch of stationary points of one kind, in order along the curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Branch {
    /// Minimum or saddle.
    pub kind: BranchKind,
    /// Its points.
    pub points: Vec<BranchPoint>,
}

/// What [`follow`] finds.
#[derive(Debug, Clone)]
pub struct Found {
    /// The branches.
    pub branches: Vec<Branch>,
    /// Located bifurcations, by value.
    pub bifurcations: Vec<Bifurcation>,
    /// Basin fractions per value.
    pub fractions: Vec<Fractions>,
}

/// Distance in (mu, sigma) within which a point may lie on a traced curve
/// (then checked by correcting it onto that curve).
const CANDIDATE: f64 = 0.05;
/// Two corrected stationary points closer than this are the same.
const SAME: f64 = 1e-6;
/// Values within this relative gap are tied (the global best is a set).
const TIE: f64 = 1e-9;

struct Work<'a> {
    tracer: Tracer<'a>,
    system: &'a System,
    /// Traced curves, each in order along its arclength.
    curves: Vec<Vec<CurvePoint>>,
    learns_sigma: bool,
}

impl Work<'_> {
    /// The point of `curve` at parameter `lambda` nearest `near`, corrected
    /// onto the curve (several where the curve passes `lambda` more than once).
    fn on_curve_at(&self, curve: &[CurvePoint], lambda: f64, near: [f64; 2]) -> Option<CurvePoint> {
        let mut best: Option<([f64; 2], f64)> = None;
        for w in curve.windows(2) {
            let (lo, hi) = (w[0].y[2].min(w[1].y[2]), w[0].y[2].max(w[1].y[2]));
            if lambda < lo || lambda > hi {
                continue;
            }
            let at = interpolate(&w[0], &w[1], lambda);
            let d = (at[0] - near[0]).hypot(at[1] - near[1]);
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((at, d));
            }
        }
        let (at, d) = best?;
        if d > CANDIDATE {
            return None;
        }
        self.tracer.at_lambda([at[0], at[1], lambda])
    }

    /// Whether the corrected point `y` lies on a traced curve.
    fn traced(&self, y: Point3) -> bool {
        self.curves.iter().any(|c| {
            self.on_curve_at(c, y[2], [y[0], y[1]])
                .is_some_and(|p| (p.y[0] - y[0]).hypot(p.y[1] - y[1]) < SAME)
        })
    }

    /// Traces the curve through `seed` both ways (unless it was traced), stopping where it joins another.
    fn add_curve(&mut self, seed: Point3) {
        let Some(start) = self.tracer.at_lambda(seed) else {
            return;
        };
        if start.local.index > 1 || self.traced(start.y) {
            return;
        }
        let stop_on_other = |work: &Self, p: &CurvePoint| work.traced(p.y);
        let forward = self.trace(start, stop_on_other);
        let mut back = start;
        back.tangent = back.tangent.map(|v| -v);
        let backward = self.trace(back, stop_on_other);
        let mut curve: Vec<CurvePoint> = backward
            .into_iter()
            .rev()
            .map(|mut p| {
                p.tangent = p.tangent.map(|v| -v);
                p
            })
            .collect();
        curve.extend(forward.into_iter().skip(1));
        self.curves.push(curve);
    }

    fn trace(
        &self,
        start: CurvePoint,
        stop: impl Fn(&Self, &CurvePoint) -> bool,
    ) -> Vec<CurvePoint> {
        self.tracer.trace(start, |p| stop(self, p))
    }

    fn branch_point(&self, p: &CurvePoint) -> BranchPoint {
        let eigenvalues = if self.learns_sigma {
            p.local.eigenvalues.to_vec()
        } else {
            vec![p.local.eigenvalues[0]]
        };
        let sigma = self
            .system
            .problem(p.y[2])
            .ok()
            .and_then(|pr| pr.family.fixed_sigma())
            .unwrap_or(p.y[1]);
        BranchPoint {
            value: p.y[2],
            mu: p.y[0],
            sigma,
            divergence: p.local.value,
            eigenvalues,
            global: false,
        }
    }
}

/// (mu, sigma) on the chord from `a` to `b` at parameter `lambda`.
fn interpolate(a: &CurvePoint, b: &CurvePoint, lambda: f64) -> [f64; 2] {
    let (a, b) = (a.y, b.y);
    let f = if b[2] != a[2] {
        (lambda - a[2]) / (b[2] - a[2])
    } else {
        0.0
    };
    [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]
}

/// A branch while it is being built: its kind and its corrected points.
struct Piece {
    kind: BranchKind,
    points: Vec<CurvePoint>,
}

fn kind_of(index: usize) -> Option<BranchKind> {
    match index {
        0 => Some(BranchKind::Minimum),
        1 => Some(BranchKind::Saddle),
        _ => None,
    }
}

/// Follows every stationary point the maps (one per value of `spec`) found.
pub fn follow(
    spec: &SweepSpec,
    objective: Objective,
    maps: &[Landscape],
    progress: &mut dyn FnMut(f64),
) -> Result<Found> {
    let system = System::new(spec.base.clone(), objective, spec.parameter);
    let (from, to) = (spec.values[0], *spec.values.last().expect("two values"));
    let bounds = Bounds {
        lambda: (from, to),
        sigma_floor: SIGMA_FLOOR,
        reach: 1e4,
    };
    let mut work = Work {
        tracer: Tracer::new(&system, bounds, spec.values.len()),
        system: &system,
        curves: Vec::new(),
        learns_sigma: system.learns_sigma(from),
    };
    // Seeds: every map's optima and saddles, and the midpoints of pairs of optima.
    let mut seeds: Vec<Point3> = Vec::new();
    for (map, &value) in maps.iter().zip(&spec.values) {
        seeds.extend(map.optima.iter().map(|o| [o.mu, o.sigma, value]));
        seeds.extend(map.saddles.iter().map(|s| [s.mu, s.sigma, value]));
        for (i, a) in map.optima.iter().enumerate() {
            for b in &map.optima[i + 1..] {
                seeds.push([0.5 * (a.mu + b.mu), 0.5 * (a.sigma + b.sigma), value]);
            }
        }
    }
    let total = seeds.len().max(1) as f64;
    for (k, seed) in seeds.into_iter().enumerate() {
        work.add_curve(seed);
        progress(0.7 * k as f64 / total);
    }

    // Split the curves into branches at every change of index.
    let mut pieces: Vec<Piece> = Vec::new();
    let mut events: Vec<(BifurcationKind, CurvePoint, Option<usize>, Option<usize>)> = Vec::new();
    for curve in &work.curves {
        let open = |pieces: &mut Vec<Piece>, p: CurvePoint| -> Option<usize> {
            kind_of(p.local.index).map(|kind| {
                pieces.push(Piece {
                    kind,
                    points: vec![p],
                });
                pieces.len() - 1
            })
        };
        let mut current = open(&mut pieces, curve[0]);
        for w in curve.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let stability = a.local.index != b.local.index;
            let turn = Tracer::lambda_rate(a).signum() != Tracer::lambda_rate(b).signum();
            if !stability && !turn {
                if let Some(c) = current {
                    pieces[c].points.push(*b);
                }
                continue;
            }
            // A branch ends where the curve turns back in the parameter (so
            // each branch passes a value at most once) or changes stability.
            let at = if turn {
                work.tracer.bisect(a, b, Tracer::lambda_rate)
            } else {
                work.tracer.bisect(a, b, |p| p.local.det)
            }
            .unwrap_or(*b);
            if let Some(c) = current {
                pieces[c].points.push(at);
            }
            let before = current;
            current = open(&mut pieces, at);
            if let Some(c) = current {
                pieces[c].points.push(*b);
            }
            if !stability {
                continue; // a turn of one kind: a pitchfork's pair of mirror branches meeting
            }
            let kind = if turn {
                BifurcationKind::Fold
            } else {
                let symmetric = system
                    .problem(at.y[2])
                    .is_ok_and(|p| symmetric_about(&p.target, at.y[0]));
                if symmetric {
                    BifurcationKind::Pitchfork
                } else {
                    BifurcationKind::Branch
                }
            };
            events.push((kind, at, before, current));
        }
    }
    // Branches clipped to the range, ending exactly at its ends.
    for piece in &mut pieces {
        piece.points = clip(&work.tracer, &piece.points, from, to);
    }
    pieces.retain(|p| !p.points.is_empty());
    progress(0.8);

    // Each branch's point at every value it spans (once: a branch is monotone in the parameter).
    let at_value = |piece: &Piece, lambda: f64| -> Option<CurvePoint> {
        if let [only] = piece.points.as_slice() {
            return ((only.y[2] - lambda).abs() < 1e-12).then_some(*only);
        }
        let w = piece.points.windows(2).find(|w| {
            let (lo, hi) = (w[0].y[2].min(w[1].y[2]), w[0].y[2].max(w[1].y[2]));
            lambda >= lo && lambda <= hi
        })?;
        let at = interpolate(&w[0], &w[1], lambda);
        work.tracer.at_lambda([at[0], at[1], lambda])
    };
    let per_value: Vec<Vec<Option<CurvePoint>>> = spec
        .values
        .iter()
        .map(|&v| pieces.iter().map(|p| at_value(p, v)).collect())
        .collect();

    // Basin fractions: each map optimum goes to the minimum branch through it;
    // an optimum no traced branch passes becomes a branch of its own.
    let mut orphans: Vec<(usize, CurvePoint, f64)> = Vec::new();
    let mut fractions = Vec::new();
    for (i, (map, &value)) in maps.iter().zip(&spec.values).enumerate() {
        let mut shares = vec![0.0; pieces.len()];
        for o in &map.optima {
            let matched = pieces.iter().enumerate().position(|(b, piece)| {
                piece.kind == BranchKind::Minimum
                    && per_value[i][b].is_some_and(|p| {
                        (p.y[0] - o.mu).abs() < 1e-5 * (1.0 + o.mu.abs())
                            && (p.y[1] - o.sigma).abs() < 1e-5 * (1.0 + o.sigma)
                    })
            });
            match matched {
                Some(b) => shares[b] += o.basin_fraction,
                None => {
                    if let Some(p) = work.tracer.at_lambda([o.mu, o.sigma, value]) {
                        orphans.push((i, p, o.basin_fraction));
                    }
                }
            }
        }
        fractions.push(Fractions {
            value,
            shares,
            not_converged: map.unconverged_share(),
        });
    }
    for (i, p, share) in orphans {
        pieces.push(Piece {
            kind: BranchKind::Minimum,
            points: vec![p],
        });
        for (j, f) in fractions.iter_mut().enumerate() {
            f.shares.push(if j == i { share } else { 0.0 });
        }
    }

    // Maxwell points: where the global best among the minima switches.
    let value_of = |b: usize, lambda: f64| at_value(&pieces[b], lambda).map(|p| p.local.value);
    let mut bifurcations: Vec<Bifurcation> = events
        .into_iter()
        .filter(|(_, at, ..)| at.y[2] >= from && at.y[2] <= to)
        .map(|(kind, at, before, after)| {
            let mut branches: Vec<usize> = before.into_iter().chain(after).collect();
            if kind == BifurcationKind::Pitchfork {
                // The mirror pair meets the symmetric branch here: branches ending at the point.
                // (their turn is located less sharply than the stability change: a loose match).
                let meets = |p: &CurvePoint| {
                    (p.y[0] - at.y[0]).abs() + (p.y[1] - at.y[1]).abs() + (p.y[2] - at.y[2]).abs()
                        < 0.1
                };
                for (k, piece) in pieces.iter().enumerate() {
                    let ends = [piece.points.first(), piece.points.last()];
                    if !branches.contains(&k) && ends.into_iter().flatten().any(meets) {
                        branches.push(k);
                    }
                }
            }
            Bifurcation {
                kind,
                value: at.y[2],
                mu: at.y[0],
                sigma: work.branch_point(&at).sigma,
                branches,
                points: Vec::new(),
            }
        })
        .collect();
    let best_at = |i: usize| -> Vec<usize> {
        let minima: Vec<(usize, f64)> = (0..pieces.len())
            .filter(|&b| pieces[b].kind == BranchKind::Minimum)
            .filter_map(|b| {
                let p = per_value
                    .get(i)
                    .and_then(|row| row.get(b).copied().flatten());
                p.map(|p| (b, p.local.value))
            })
            .collect();
        let lowest = minima.iter().map(|m| m.1).fold(f64::INFINITY, f64::min);
        minima
            .iter()
            .filter(|m| m.1 - lowest <= TIE * (1.0 + lowest.abs()))
            .map(|m| m.0)
            .collect()
    };
    for i in 0..spec.values.len() - 1 {
        let (now, next) = (best_at(i), best_at(i + 1));
        if now.is_empty() || next.is_empty() || now.iter().any(|b| next.contains(b)) {
            continue;
        }
        let (a, b) = (now[0], next[0]);
        // Where both minima exist between the two values (one may be born
        // or die in between, at a fold).
        let extent = |k: usize| {
            let values = pieces[k].points.iter().map(|p| p.y[2]);
            let lo = values.clone().fold(f64::INFINITY, f64::min);
            (lo, values.fold(f64::NEG_INFINITY, f64::max))
        };
        let (ea, eb) = (extent(a), extent(b));
        let lo = spec.values[i].max(ea.0).max(eb.0);
        let hi = spec.values[i + 1].min(ea.1).min(eb.1);
        let gap = |lambda: f64| Some(value_of(a, lambda)? - value_of(b, lambda)?);
        let signs = (gap(lo), gap(hi));
        let crosses = matches!(signs, (Some(x), Some(y)) if x.signum() != y.signum());
        if lo >= hi || !crosses {
            continue; // no tie between them: the best switched where one was born or died
        }
        if let Some(lambda) = root(lo, hi, gap) {
            let points: Vec<[f64; 2]> = now
                .iter()
                .chain(&next)
                .filter_map(|&k| at_value(&pieces[k], lambda).map(|p| [p.y[0], p.y[1]]))
                .collect();
            let winner = at_value(&pieces[b], lambda);
            bifurcations.push(Bifurcation {
                kind: BifurcationKind::Maxwell,
                value: lambda,
                mu: winner.map_or(f64::NAN, |p| p.y[0]),
                sigma: winner.map_or(f64::NAN, |p| work.branch_point(&p).sigma),
                branches: now.iter().chain(&next).copied().collect(),
                points,
            });
        }
    }
    bifurcations.retain(|b| b.mu.is_finite() && b.sigma.is_finite());
    bifurcations.sort_by(|a, b| a.value.total_cmp(&b.value));
    progress(1.0);

    let global = |b: usize, p: &CurvePoint| {
        pieces[b].kind == BranchKind::Minimum
            && (0..pieces.len())
                .filter(|&o| o != b && pieces[o].kind == BranchKind::Minimum)
                .filter_map(|o| value_of(o, p.y[2]))
                .all(|v| p.local.value - v <= TIE * (1.0 + v.abs()))
    };
    let branches = pieces
        .iter()
        .enumerate()
        .map(|(b, piece)| Branch {
            kind: piece.kind,
            points: piece
                .points
                .iter()
                .map(|p| BranchPoint {
                    global: global(b, p),
                    ..work.branch_point(p)
                })
                .collect(),
        })
        .collect();
    Ok(Found {
        branches,
        bifurcations,
        fractions,
    })
}

/// The part of a branch inside [from, to], with the points where it crosses
/// an end of the range corrected onto that end.
fn clip(tracer: &Tracer, points: &[CurvePoint], from: f64, to: f64) -> Vec<CurvePoint> {
    let inside = |p: &CurvePoint| p.y[2] >= from && p.y[2] <= to;
    let mut out = Vec::new();
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            let a = &points[i - 1];
            if inside(a) != inside(p) {
                let end = if a.y[2].max(p.y[2]) > to { to } else { from };
                let crossing = tracer
                    .bisect(a, p, |q| q.y[2] - end)
                    .and_then(|c| tracer.at_lambda([c.y[0], c.y[1], end]));
                out.extend(crossing);
            }
        }
        if inside(p) {
            out.push(*p);
        }
    }
    out
}
