//! The f64 reference engine: the fit kernel ([`super::fit`]) over every start,
//! in parallel with rayon, deterministic (each start is independent).

use rayon::prelude::*;

use super::fit::{FitState, Kernel, RUNNING};
use super::{BackendInfo, Endpoint, Engine, Run};
use crate::error::Result;
use crate::objective::Problem;

/// The CPU engine (f64, rayon).
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuEngine;

/// A batch running on the CPU.
pub struct CpuRun {
    kernel: Kernel<f64>,
    states: Vec<FitState<f64>>,
}

impl Engine for CpuEngine {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: "cpu",
            adapter: format!(
                "f64 reference engine, {} threads",
                rayon::current_num_threads()
            ),
        }
    }

    fn launch(&self, problem: &Problem, starts: &[[f64; 2]], lr: f64) -> Result<Box<dyn Run>> {
        let kernel = Kernel::centred(problem, lr);
        Ok(Box::new(CpuRun {
            states: kernel.states(problem, starts),
            kernel,
        }))
    }
}

impl Run for CpuRun {
    fn advance(&mut self, steps: u32) -> Result<usize> {
        let kernel = &self.kernel;
        Ok(self
            .states
            .par_iter_mut()
            .with_min_len(64)
            .map(|s| {
                kernel.fit(s, steps);
                usize::from(s.status == RUNNING)
            })
            .sum())
    }

    fn endpoints(&mut self) -> Result<Vec<Endpoint>> {
        Ok(self
            .states
            .iter()
            .map(|s| self.kernel.endpoint(s))
            .collect())
    }
}
