//! JSON writers: the `basins --json` object and the `fit --json` trajectories.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::BasinReport;
use crate::objective::Family;
use crate::target::Mixture;

/// The `basins --json` object: target, family, grid, optimizer, backend, and a key per objective.
pub fn basins(report: &BasinReport) -> Value {
    let g = &report.grid;
    let mut out = Map::new();
    out.insert("target".into(), json!(report.target));
    out.insert("family".into(), json!(report.family));
    out.insert(
        "grid".into(),
        json!({
            "mu": g.mu.triple(),
            "sigma": g.sigma.triple(),
            "sigma_scale": if g.sigma.log { "log" } else { "linear" },
        }),
    );
    out.insert(
        "optimizer".into(),
        json!({"lr": report.lr, "steps": report.steps}),
    );
    out.insert("backend".into(), json!(report.backend));
    for (objective, landscape) in &report.maps {
        out.insert(objective.key().into(), json!(landscape));
    }
    Value::Object(out)
}

/// One point of a fit's trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrajectoryPoint {
    /// Adam steps taken so far (0 = the start).
    pub step: u32,
    /// Mean of q.
    pub mu: f64,
    /// Width of q.
    pub sigma: f64,
    /// Exact KL at this point.
    pub kl: f64,
}

/// The `fit --json` object: the inputs, then per objective the trajectory and where it ended.
pub fn fit(
    target: &Mixture,
    family: Family,
    start: [f64; 2],
    lr: f64,
    steps: u32,
    per_objective: &[(&str, Value)],
) -> Value {
    let mut out = Map::new();
    out.insert("target".into(), json!(target));
    out.insert("family".into(), json!(family));
    out.insert("start".into(), json!({"mu0": start[0], "sigma0": start[1]}));
    out.insert("optimizer".into(), json!({"lr": lr, "steps": steps}));
    for (key, value) in per_objective {
        out.insert((*key).into(), value.clone());
    }
    Value::Object(out)
}

/// Writes a JSON value to `path`, whole or not at all.
pub fn write(path: &std::path::Path, value: &Value) -> crate::Result<()> {
    let text = serde_json::to_string(value).expect("JSON values always serialise");
    crate::output::write_atomic(path, text.as_bytes())
}
