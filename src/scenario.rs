//! A scenario: the target and the family, as the JSON file `--scenario`
//! reads and the window saves (`{"target": [...], "family": {...}}`).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::defaults::SIGMA_FLOOR;
use crate::error::{Error, Result};
use crate::objective::Family;
use crate::target::{Mixture, Mode};

/// A target and a model family.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The mixture p.
    pub target: Mixture,
    /// gaussian or fixed sigma.
    pub family: Family,
}

#[derive(Serialize, Deserialize)]
struct ScenarioFile {
    target: Vec<Mode>,
    #[serde(default = "gaussian")]
    family: Family,
}

fn gaussian() -> Family {
    Family::Gaussian
}

/// Checks a family: a held sigma must be finite and at least the floor.
pub fn check_family(family: Family) -> Result<Family> {
    match family.fixed_sigma() {
        Some(s) if !(s.is_finite() && s >= SIGMA_FLOOR) => Err(Error::input(format!(
            "fixed sigma must be a finite number >= {SIGMA_FLOOR} (got {s})"
        ))),
        _ => Ok(family),
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            target: Mixture::widget_default(),
            family: Family::Gaussian,
        }
    }
}

impl Scenario {
    /// Parses a scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        let file: ScenarioFile = serde_json::from_str(text)
            .map_err(|e| Error::input(format!("scenario is not valid: {e}")))?;
        Ok(Self {
            target: Mixture::new(file.target)?,
            family: check_family(file.family)?,
        })
    }

    /// Reads a scenario file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::input(format!(
                "cannot read scenario file '{}': {e}",
                path.display()
            ))
        })?;
        Self::from_json(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))
    }

    /// The JSON text of this scenario.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&ScenarioFile {
            target: self.target.modes().to_vec(),
            family: self.family,
        })
        .expect("a scenario always serialises")
    }

    /// Writes the scenario as JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_json())
            .map_err(|e| Error::runtime(format!("cannot write '{}': {e}", path.display())))
    }
}
