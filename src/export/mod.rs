//! Writers for what the tool computes: the basins JSON (the contract in
//! DESIGN.md), the basin-map PNG, and the fit trajectory JSON.

mod canvas;
pub mod json;
pub mod png;

use crate::engine::BackendInfo;
use crate::landscape::{Grid, Landscape};
use crate::objective::{Family, Objective};
use crate::target::Mixture;

/// Everything one `basins` run produced: the input, the settings and a map per objective.
#[derive(Debug, Clone)]
pub struct BasinReport {
    /// The target p.
    pub target: Mixture,
    /// The model family.
    pub family: Family,
    /// The grid of starts.
    pub grid: Grid,
    /// Adam's base learning rate.
    pub lr: f64,
    /// Step budget per start.
    pub steps: u32,
    /// The engine that ran the starts.
    pub backend: BackendInfo,
    /// One map per computed objective.
    pub maps: Vec<(Objective, Landscape)>,
}
