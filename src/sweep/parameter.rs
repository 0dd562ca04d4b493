//! The parameter a sweep varies, and the problem (and learning rate) at each
//! of its values: the separation of modes 1 and 2, a mode's mean, std or
//! weight share, the learning rate, the held sigma, or the alpha-divergence's
//! order.

use std::fmt;

use crate::error::{Error, Result};
use crate::number::readable;
use crate::objective::{Alpha, AlphaForm, Family, Objective, Problem};
use crate::scenario::{Scenario, check_family};
use crate::target::{MAX_ABS_MEAN, Mixture, Mode, STD_RANGE};

/// What `--vary` names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Parameter {
    /// Modes 1 and 2 moved symmetrically about their midpoint to this distance.
    Separation,
    /// The mean of mode K (0-based here, 1-based on the command line).
    Mean(usize),
    /// The std of mode K.
    Std(usize),
    /// Mode K's share of the total weight, in (0, 1); the others keep their proportions.
    Weight(usize),
    /// Adam's learning rate: the objective and its stationary points stay; only the basins move.
    Lr,
    /// The held sigma of the fixed-sigma family.
    FixedSigma,
    /// The order a of the alpha-divergence, in [0, 1] (its form stays).
    Alpha,
}

impl Parameter {
    /// Parses `separation`, `mean:K`, `std:K`, `weight:K`, `lr`, `fixed-sigma`
    /// or `alpha` for a target of `modes` modes.
    pub fn parse(text: &str, modes: usize) -> Result<Self> {
        let mode = |k: &str| -> Result<usize> {
            let k: usize = k
                .trim()
                .parse()
                .map_err(|_| Error::input(format!("--vary {text}: '{k}' is not a mode number")))?;
            if k == 0 || k > modes {
                return Err(Error::input(format!(
                    "--vary {text}: the target has {modes} mode{}, numbered from 1",
                    if modes == 1 { "" } else { "s" }
                )));
            }
            Ok(k - 1)
        };
        match text.split_once(':') {
            Some(("mean", k)) => Ok(Parameter::Mean(mode(k)?)),
            Some(("std", k)) => Ok(Parameter::Std(mode(k)?)),
            Some(("weight", k)) => Ok(Parameter::Weight(mode(k)?)),
            None if text == "separation" => {
                if modes < 2 {
                    return Err(Error::input(
                        "--vary separation moves modes 1 and 2: the target needs two modes",
                    ));
                }
                Ok(Parameter::Separation)
            }
            None if text == "lr" => Ok(Parameter::Lr),
            None if text == "fixed-sigma" => Ok(Parameter::FixedSigma),
            None if text == "alpha" => Ok(Parameter::Alpha),
            _ => Err(Error::input(format!(
                "--vary: unknown parameter '{text}' (separation, mean:K, std:K, weight:K, lr, fixed-sigma, alpha)"
            ))),
        }
    }

    /// Whether the parameter changes the objective (not the learning rate).
    pub fn moves_the_objective(self) -> bool {
        self != Parameter::Lr
    }

    /// The problem of `objective` at `value`: the scenario of
    /// [`Self::scenario_at`], and along alpha the divergence of order `value`
    /// in `objective`'s form (any other objective is refused there).
    pub fn problem_at(self, base: &Scenario, objective: Objective, value: f64) -> Result<Problem> {
        let s = self.scenario_at(base, value)?;
        let objective = match objective {
            Objective::Alpha(alpha) if self == Parameter::Alpha => {
                Objective::Alpha(Alpha::new(value, alpha.form))
            }
            other if self == Parameter::Alpha => {
                return Err(Error::input(format!(
                    "--vary alpha moves the order of the alpha-divergence: use --objective alpha alone, not {}",
                    other.key()
                )));
            }
            other => other,
        };
        Ok(Problem::new(s.target, objective, s.family))
    }

    /// The parameter in words, as a figure's axis names it ("separation of modes 1 and 2").
    pub fn label(self) -> String {
        match self {
            Parameter::Separation => "separation of modes 1 and 2".into(),
            Parameter::Mean(k) => format!("mean of mode {}", k + 1),
            Parameter::Std(k) => format!("std of mode {}", k + 1),
            Parameter::Weight(k) => format!("weight share of mode {}", k + 1),
            Parameter::Lr => "learning rate".into(),
            Parameter::FixedSigma => "held σ".into(),
            Parameter::Alpha => "order α of the divergence".into(),
        }
    }

    /// `objective`'s formula as a sweep along this parameter names it: along
    /// alpha the order is the parameter, so "D_a(p||q)", not the first value's.
    pub fn formula(self, objective: Objective) -> String {
        match objective {
            Objective::Alpha(alpha) if self == Parameter::Alpha => match alpha.form {
                AlphaForm::Amari => "D_a(p||q)".into(),
                AlphaForm::Renyi => "R_a(p||q)".into(),
            },
            other => other.formula(),
        }
    }

    /// The scenario at `value`: one clear line (exit code 2) if `value` leaves
    /// the accepted domain (a width or weight share out of range, a mean too
    /// far, an order outside [0, 1]). The learning rate and alpha leave it as it is.
    pub fn scenario_at(self, base: &Scenario, value: f64) -> Result<Scenario> {
        let mut modes: Vec<Mode> = base.target.modes().to_vec();
        let mut family = base.family;
        let out_of = |what: &str| {
            Err(Error::input(format!(
                "--vary {self}: {} leaves the accepted domain ({what})",
                readable(value)
            )))
        };
        match self {
            Parameter::Separation => {
                if value < 0.0 {
                    return out_of("a separation is at least 0");
                }
                let mid = 0.5 * (modes[0].mean + modes[1].mean);
                let sign = if modes[1].mean >= modes[0].mean {
                    1.0
                } else {
                    -1.0
                };
                modes[0].mean = mid - sign * 0.5 * value;
                modes[1].mean = mid + sign * 0.5 * value;
                if modes[0].mean.abs().max(modes[1].mean.abs()) > MAX_ABS_MEAN {
                    return out_of("means lie within 1000 of 0");
                }
            }
            Parameter::Mean(k) => {
                if value.abs() > MAX_ABS_MEAN {
                    return out_of("means lie within 1000 of 0");
                }
                modes[k].mean = value;
            }
            Parameter::Std(k) => {
                if !(STD_RANGE.0..=STD_RANGE.1).contains(&value) {
                    return out_of("a std lies in [0.001, 1000]");
                }
                modes[k].std = value;
            }
            Parameter::Weight(k) => {
                if !(value > 0.0 && value < 1.0) {
                    return out_of("a weight share lies strictly between 0 and 1");
                }
                let others: f64 = (0..modes.len())
                    .filter(|&i| i != k)
                    .map(|i| modes[i].weight)
                    .sum();
                if others <= 0.0 {
                    return out_of("mode K must not be the only mode");
                }
                for (i, m) in modes.iter_mut().enumerate() {
                    m.weight = if i == k {
                        value
                    } else {
                        m.weight / others * (1.0 - value)
                    };
                }
            }
            Parameter::Lr => {}
            Parameter::Alpha => {
                if !(0.0..=1.0).contains(&value) {
                    return out_of("an order lies in [0, 1]");
                }
            }
            Parameter::FixedSigma => {
                family = check_family(Family::FixedSigma { sigma: value })?;
            }
        }
        Ok(Scenario {
            target: Mixture::new(modes)?,
            family,
        })
    }

    /// The learning rate at `value` (the base one unless the parameter is lr).
    pub fn lr_at(self, base_lr: f64, value: f64) -> f64 {
        if self == Parameter::Lr {
            value
        } else {
            base_lr
        }
    }
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Parameter::Separation => f.write_str("separation"),
            Parameter::Mean(k) => write!(f, "mean:{}", k + 1),
            Parameter::Std(k) => write!(f, "std:{}", k + 1),
            Parameter::Weight(k) => write!(f, "weight:{}", k + 1),
            Parameter::Lr => f.write_str("lr"),
            Parameter::FixedSigma => f.write_str("fixed-sigma"),
            Parameter::Alpha => f.write_str("alpha"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_parse_and_set_the_target() {
        let base = Scenario::default();
        let p = Parameter::parse("separation", 2).unwrap();
        let s = p.scenario_at(&base, 3.0).unwrap();
        assert_eq!(s.target.modes()[0].mean, -1.5);
        assert_eq!(s.target.modes()[1].mean, 1.5);
        let w = Parameter::parse("weight:2", 2).unwrap();
        let s = w.scenario_at(&base, 0.3).unwrap();
        assert!((s.target.modes()[1].weight - 0.3).abs() < 1e-15);
        assert!((s.target.modes()[0].weight - 0.7).abs() < 1e-15);
        assert_eq!(Parameter::parse("std:1", 2).unwrap().to_string(), "std:1");
        for (text, needle) in [
            ("mean:9", "2 modes"),
            ("mean:0", "numbered from 1"),
            ("height", "unknown parameter"),
            ("std:x", "not a mode number"),
        ] {
            let e = Parameter::parse(text, 2).unwrap_err();
            assert!(e.to_string().contains(needle), "{text}: {e}");
            assert_eq!(e.exit_code(), 2);
        }
        let std = Parameter::parse("std:1", 2).unwrap();
        assert!(std.scenario_at(&base, 0.0).is_err());
        assert!(w.scenario_at(&base, 1.0).is_err());
        assert!(p.scenario_at(&base, -1.0).is_err());
    }
}
