//! The figure of a sweep, per objective: the bifurcation diagram (mu* and,
//! in the gaussian family, sigma* of every branch against the parameter;
//! minima solid, saddles dashed, the global best bold; folds, pitchforks and
//! Maxwell points marked and labelled with their values) above the stacked
//! basin fractions against the parameter (Attractors.jl's basins-fractions
//! curves), branches and bands in the same colours.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::Figure;
use super::captions;
use super::painter::{Align, Painter, TextMode};
use super::plot::Plot;
use super::style::{FAINT, INK, LEFT, LINE_H, MARGIN, PAPER, SMALL_SIZE, TEXT_SIZE, TITLE_SIZE};
use super::ticks::nice_ticks;
use crate::error::Result;
use crate::objective::Objective;
use crate::palette::{self, Rgb};
use crate::sweep::{BifurcationKind, BranchKind, BranchPoint, ObjectiveSweep, SweepSpec};

/// Width of the diagrams.
const PLOT_W: f64 = 720.0;
/// Height of the mu* diagram.
const MU_H: f64 = 220.0;
/// Height of the sigma* diagram.
const SIGMA_H: f64 = 150.0;
/// Height of the fraction bands.
const FRACTION_H: f64 = 150.0;
/// Room above a plot for its label, and below it for ticks and the axis label.
const ABOVE: f64 = 22.0;
/// Room under a plot for its ticks (and the parameter's name under the last one).
const BELOW: f64 = 30.0;
/// Title lines of a panel.
const TITLE_H: f64 = 50.0;
/// Legend column.
const LEGEND_W: f64 = 330.0;

/// The figure of a sweep.
pub struct SweepFigure<'a> {
    /// What was swept.
    pub spec: &'a SweepSpec,
    /// Each objective's result.
    pub sweeps: &'a [(Objective, ObjectiveSweep)],
}

impl SweepFigure<'_> {
    fn learns_sigma(&self) -> bool {
        self.spec.base.family.fixed_sigma().is_none()
            && self.spec.parameter != crate::sweep::Parameter::FixedSigma
    }

    fn panel_h(&self) -> f64 {
        let sigma = if self.learns_sigma() {
            ABOVE + SIGMA_H + BELOW
        } else {
            0.0
        };
        TITLE_H + ABOVE + MU_H + BELOW + sigma + ABOVE + FRACTION_H + BELOW + 16.0
    }
}

/// The colour of branch `b` (as the window draws it).
fn branch_colour(s: &ObjectiveSweep, b: usize) -> Rgb {
    palette::branch_colour(&s.branches, b)
}

fn bifurcation_word(kind: BifurcationKind) -> &'static str {
    match kind {
        BifurcationKind::Fold => "fold",
        BifurcationKind::Pitchfork => "pitchfork",
        BifurcationKind::Branch => "branch point",
        BifurcationKind::Maxwell => "Maxwell",
    }
}

impl Figure for SweepFigure<'_> {
    fn size(&self) -> (f64, f64) {
        let w = 2.0 * MARGIN + LEFT + PLOT_W + 28.0 + LEGEND_W;
        (w, 2.0 * MARGIN + self.panel_h() * self.sweeps.len() as f64)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        scale: f64,
        text: TextMode,
    ) -> Result<()> {
        let p = Painter::new(area, scale, text);
        let (w, h) = self.size();
        p.rect((0.0, 0.0), (w, h), PAPER)?;
        let mut top = MARGIN;
        for (objective, s) in self.sweeps {
            self.panel(&p, *objective, s, top)?;
            top += self.panel_h();
        }
        Ok(())
    }
}

/// Maps a parameter value and a quantity into a plot.
struct Axes {
    plot: Plot,
    x: (f64, f64),
    y: (f64, f64),
}

impl Axes {
    fn at(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.plot.x0 + self.plot.w * (x - self.x.0) / (self.x.1 - self.x.0),
            self.plot.y_linear(self.y, y),
        )
    }

    fn draw_frame<DB: DrawingBackend>(&self, p: &Painter<DB>, label: &str) -> Result<()> {
        let ticks = nice_ticks(self.y.0, self.y.1, (self.plot.h / 40.0).max(2.0) as usize);
        for &t in &ticks {
            let (_, y) = self.at(self.x.0, t);
            p.line(
                &[(self.plot.x0, y), (self.plot.right(), y)],
                [235, 235, 235],
                1.0,
            )?;
        }
        self.plot
            .y_axis(p, &ticks, |v| self.plot.y_linear(self.y, v))?;
        for t in nice_ticks(self.x.0, self.x.1, (self.plot.w / 70.0) as usize) {
            let (x, _) = self.at(t, self.y.0);
            let b = self.plot.bottom();
            p.line(&[(x, b), (x, b + 5.0)], INK, 1.0)?;
            p.text(
                (x, b + 7.0),
                &captions::tick(t),
                SMALL_SIZE,
                INK,
                Align::Centre,
            )?;
        }
        p.frame(
            (self.plot.x0, self.plot.y0),
            (self.plot.right(), self.plot.bottom()),
            INK,
        )?;
        self.plot.label_above(p, label)
    }
}

/// Lowest and highest of `values`, padded by 6% (a flat range opened to ±0.5).
fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo { 0.06 * (hi - lo) } else { 0.5 };
    (lo - pad, hi + pad)
}

impl SweepFigure<'_> {
    fn panel<DB: DrawingBackend>(
        &self,
        p: &Painter<DB>,
        objective: Objective,
        s: &ObjectiveSweep,
        top: f64,
    ) -> Result<()> {
        let spec = self.spec;
        let name = spec.parameter.label();
        p.text(
            (MARGIN, top),
            &format!(
                "{}: stationary points along {name}",
                spec.parameter.formula(objective).replace("||", "‖")
            ),
            TITLE_SIZE,
            INK,
            Align::Left,
        )?;
        p.text(
            (MARGIN, top + 24.0),
            &format!(
                "target {}, {}; {} values, a {} × {} basin map each, at most {} steps, learning rate {}",
                spec.base.target.spec(),
                spec.base.family.label(),
                spec.values.len(),
                spec.grid.mu.count,
                spec.grid.sigma.count,
                spec.steps,
                crate::number::readable(spec.lr)
            ),
            TEXT_SIZE,
            FAINT,
            Align::Left,
        )?;
        let x0 = MARGIN + LEFT;
        let range = (s.parameter.from, s.parameter.to);
        let points = || s.branches.iter().flat_map(|b| b.points.iter());
        let mut y = top + TITLE_H + ABOVE;
        let mu = Axes {
            plot: Plot {
                x0,
                y0: y,
                w: PLOT_W,
                h: MU_H,
            },
            x: range,
            y: padded(points().map(|q| q.mu)),
        };
        self.diagram(p, s, &mu, "μ* of each stationary point", Quantity::Mu)?;
        y += MU_H + BELOW + ABOVE;
        if self.learns_sigma() {
            let sigma = Axes {
                plot: Plot {
                    x0,
                    y0: y,
                    w: PLOT_W,
                    h: SIGMA_H,
                },
                x: range,
                y: padded(points().map(|q| q.sigma)),
            };
            self.diagram(p, s, &sigma, "σ* of each stationary point", Quantity::Sigma)?;
            y += SIGMA_H + BELOW + ABOVE;
        }
        let fractions = Axes {
            plot: Plot {
                x0,
                y0: y,
                w: PLOT_W,
                h: FRACTION_H,
            },
            x: range,
            y: (0.0, 1.0),
        };
        self.fractions(p, s, &fractions)?;
        p.text(
            (x0 + PLOT_W / 2.0, fractions.plot.bottom() + 24.0),
            &name,
            TEXT_SIZE,
            INK,
            Align::Centre,
        )?;
        self.legend(p, s, (x0 + PLOT_W + 28.0, top + TITLE_H + ABOVE))
    }

    fn diagram<DB: DrawingBackend>(
        &self,
        p: &Painter<DB>,
        s: &ObjectiveSweep,
        axes: &Axes,
        label: &str,
        quantity: Quantity,
    ) -> Result<()> {
        axes.draw_frame(p, label)?;
        for (b, branch) in s.branches.iter().enumerate() {
            let ink = branch_colour(s, b);
            let line: Vec<(f64, f64)> = branch
                .points
                .iter()
                .map(|q| axes.at(q.value, quantity.of(q)))
                .collect();
            match branch.kind {
                BranchKind::Saddle => p.dashed(&line, ink, 1.5)?,
                BranchKind::Minimum => {
                    p.line(&line, ink, 1.5)?;
                    // The global best bold: runs of consecutive global points.
                    for w in branch.points.windows(2) {
                        if w[0].global && w[1].global {
                            let seg = [
                                axes.at(w[0].value, quantity.of(&w[0])),
                                axes.at(w[1].value, quantity.of(&w[1])),
                            ];
                            p.line(&seg, ink, 4.0)?;
                        }
                    }
                    if let [only] = branch.points.as_slice() {
                        p.disc(axes.at(only.value, quantity.of(only)), 3.0, ink, ink)?;
                    }
                }
            }
        }
        for bif in &s.bifurcations {
            let (x, _) = axes.at(bif.value, axes.y.0);
            let label = format!(
                "{} {}",
                bifurcation_word(bif.kind),
                captions::number(bif.value, 4)
            );
            match bif.kind {
                BifurcationKind::Maxwell => {
                    let (top, bottom) = (axes.plot.y0, axes.plot.bottom());
                    p.dashed(&[(x, top), (x, bottom)], FAINT, 1.0)?;
                    for point in &bif.points {
                        let v = quantity.pick(point[0], point[1]);
                        p.disc(axes.at(bif.value, v), 4.0, PAPER, INK)?;
                    }
                    p.text((x + 3.0, top + 2.0), &label, SMALL_SIZE, FAINT, Align::Left)?;
                }
                _ => {
                    let v = quantity.pick(bif.mu, bif.sigma);
                    let at = axes.at(bif.value, v);
                    p.disc(at, 4.5, INK, INK)?;
                    p.text(
                        (at.0 + 6.0, at.1 - 15.0),
                        &label,
                        SMALL_SIZE,
                        INK,
                        Align::Left,
                    )?;
                }
            }
        }
        Ok(())
    }

    fn fractions<DB: DrawingBackend>(
        &self,
        p: &Painter<DB>,
        s: &ObjectiveSweep,
        axes: &Axes,
    ) -> Result<()> {
        let mut below: Vec<f64> = vec![0.0; s.fractions.len()];
        let mut band = |ink: Rgb, share: &dyn Fn(usize) -> f64| -> Result<()> {
            let above: Vec<f64> = (0..below.len()).map(|i| below[i] + share(i)).collect();
            let mut outline: Vec<(f64, f64)> = s
                .fractions
                .iter()
                .zip(&above)
                .map(|(f, v)| axes.at(f.value, *v))
                .collect();
            outline.extend(
                s.fractions
                    .iter()
                    .zip(&below)
                    .rev()
                    .map(|(f, v)| axes.at(f.value, *v)),
            );
            if above.iter().zip(&below).any(|(a, b)| a > b) {
                p.polygon(&outline, ink)?;
            }
            below = above;
            Ok(())
        };
        for b in 0..s.branches.len() {
            if s.branches[b].kind == BranchKind::Minimum {
                band(branch_colour(s, b), &|i| s.fractions[i].shares[b])?;
            }
        }
        band(palette::UNCONVERGED, &|i| s.fractions[i].not_converged)?;
        axes.draw_frame(p, "share of starts reaching each minimum (basin fractions)")
    }

    fn legend<DB: DrawingBackend>(
        &self,
        p: &Painter<DB>,
        s: &ObjectiveSweep,
        (x, mut y): (f64, f64),
    ) -> Result<()> {
        let fixed = !self.learns_sigma();
        let mut line = |key: Option<(Rgb, bool)>, text: &str, ink: Rgb| -> Result<()> {
            let mid = y + 0.5 * TEXT_SIZE;
            if let Some((c, dashed)) = key {
                let seg = [(x, mid), (x + 16.0, mid)];
                if dashed {
                    p.dashed(&seg, c, 2.0)?;
                } else {
                    p.line(&seg, c, 3.0)?;
                }
            }
            p.text((x + 22.0, y), text, TEXT_SIZE, ink, Align::Left)?;
            y += LINE_H;
            Ok(())
        };
        line(None, "Branches (bold: the global best)", INK)?;
        for (b, branch) in s.branches.iter().enumerate() {
            let (first, last) = match (branch.points.first(), branch.points.last()) {
                (Some(f), Some(l)) => (f, l),
                _ => continue,
            };
            let at = |q: &BranchPoint| {
                if fixed {
                    format!("μ {}", captions::number(q.mu, 2))
                } else {
                    format!(
                        "μ {}, σ {}",
                        captions::number(q.mu, 2),
                        captions::number(q.sigma, 2)
                    )
                }
            };
            let kind = match branch.kind {
                BranchKind::Minimum => "minimum",
                BranchKind::Saddle => "saddle",
            };
            line(
                Some((branch_colour(s, b), branch.kind == BranchKind::Saddle)),
                &format!("#{b} {kind}: {} → {}", at(first), at(last)),
                INK,
            )?;
        }
        line(Some((palette::UNCONVERGED, false)), "not converged", INK)?;
        line(None, "", INK)?;
        line(None, "Bifurcations", INK)?;
        if s.bifurcations.is_empty() {
            line(None, "none in this range", FAINT)?;
        }
        for bif in &s.bifurcations {
            line(
                None,
                &format!(
                    "{} at {} (branches {})",
                    bifurcation_word(bif.kind),
                    captions::number(bif.value, 6),
                    bif.branches
                        .iter()
                        .map(|b| format!("#{b}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                INK,
            )?;
        }
        Ok(())
    }
}

/// What a diagram plots of each stationary point.
#[derive(Debug, Clone, Copy)]
enum Quantity {
    Mu,
    Sigma,
}

impl Quantity {
    fn pick(self, mu: f64, sigma: f64) -> f64 {
        match self {
            Quantity::Mu => mu,
            Quantity::Sigma => sigma,
        }
    }

    fn of(self, q: &BranchPoint) -> f64 {
        self.pick(q.mu, q.sigma)
    }
}
