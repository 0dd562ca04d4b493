//! The f64 reference engine: the fit kernel ([`super::fit`]) over every start,
//! in parallel with rayon, deterministic (each start is independent). A
//! launch of several problems is one run: each chunk advances them task
//! after task, each task's starts in parallel.

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
        super::launch_one(self, problem, starts, lr)
    }

    fn launch_many(&self, tasks: &[Task]) -> Result<Box<dyn Run>> {
        let (kernels, states) = Kernels::launch(tasks);
        Ok(Box::new(CpuRun { kernels, states }))
    }
}

impl Run for CpuRun {
    fn advance(&mut self, steps: u32) -> Result<usize> {
        // Task after task, each task's starts in parallel with its kernel
        // held: looking up every start's kernel cost a lone map 17% more time.
        let mut running = 0;
        for (kernel, span) in self.kernels.spans() {
            running += self.states[span]
                .par_iter_mut()
                .with_min_len(64)
                .map(|s| {
                    kernel.fit(s, steps);
                    usize::from(s.status == RUNNING)
                })
                .sum::<usize>();
        }
        Ok(running)
    }

    fn endpoints(&mut self) -> Result<Vec<Endpoint>> {
        Ok(self.kernels.endpoints(&self.states))
    }
}
