//! The f64 reference engine: the fit kernel ([`super::fit`]) over every start,
//! in parallel with rayon, deterministic (each start is independent). A
//! launch of several problems runs all their starts as one pool of work.

use rayon::prelude::*;

use super::fit::{FitState, Kernels, RUNNING};
use super::{BackendInfo, Endpoint, Engine, Run, Task};
use crate::error::Result;
use crate::objective::Problem;

/// The CPU engine (f64, rayon).
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuEngine;

/// A batch running on the CPU.
pub struct CpuRun {
    kernels: Kernels<f64>,
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
        self.launch_many(&[Task {
            problem,
            starts,
            lr,
        }])
    }

    fn launch_many(&self, tasks: &[Task]) -> Result<Box<dyn Run>> {
        let (kernels, states) = Kernels::launch(tasks);
        Ok(Box::new(CpuRun { kernels, states }))
    }
}

impl Run for CpuRun {
    fn advance(&mut self, steps: u32) -> Result<usize> {
        let kernels = &self.kernels;
        Ok(self
            .states
            .par_iter_mut()
            .enumerate()
            .with_min_len(64)
            .map(|(i, s)| {
                kernels.of(i).fit(s, steps);
                usize::from(s.status == RUNNING)
            })
            .sum())
    }

    fn endpoints(&mut self) -> Result<Vec<Endpoint>> {
        Ok(self.kernels.endpoints(&self.states))
    }
}
