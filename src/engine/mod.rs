//! Engines run a batch of Adam fits (one problem or many, thousands of
//! starts each) in chunks of steps. The CPU engine (f64) is the reference;
//! the GPU engine (WGSL, f32) implements the same interface.

pub mod cpu;
pub mod exp_rate;
pub mod fit;
pub mod gpu;
pub mod submit_gate;

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::objective::Problem;

pub use fit::{CONVERGED, DIVERGED, RUNNING};

/// Where one start ended (so far).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Endpoint {
    /// Final mean.
    pub mu: f64,
    /// Final width.
    pub sigma: f64,
    /// Adam steps taken.
    pub steps: u32,
    /// [`RUNNING`] (budget ran out), [`CONVERGED`] or [`DIVERGED`].
    pub status: u32,
}

/// Which engine ran, for the JSON `backend` field and the bench table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackendInfo {
    /// "cpu" or "gpu".
    pub kind: &'static str,
    /// The GPU adapter's name, or the CPU engine's description.
    pub adapter: String,
}

/// One problem of a launch: its starts [(mu0, sigma0)] and learning rate.
#[derive(Debug, Clone, Copy)]
pub struct Task<'a> {
    /// The problem fitted.
    pub problem: &'a Problem,
    /// Its starts, in the user's frame.
    pub starts: &'a [[f64; 2]],
    /// Adam's base learning rate.
    pub lr: f64,
}

/// A batch in flight: advanced chunk by chunk, read at any time.
pub trait Run: Send {
    /// Advances every running start by up to `steps` steps; returns how many still run.
    fn advance(&mut self, steps: u32) -> Result<usize>;
    /// The current state of every start, in the order they were given.
    fn endpoints(&mut self) -> Result<Vec<Endpoint>>;
    /// How long `advance` waited for a shared device's gate since last
    /// asked: time a chunk did not work, which its sizing leaves out.
    fn waited(&mut self) -> Duration {
        Duration::ZERO
    }
}

/// A backend that can run batches.
pub trait Engine: Send + Sync {
    /// What this engine is, for reports.
    fn info(&self) -> BackendInfo;
    /// Starts a batch of fits from `starts` = [(mu0, sigma0)] at learning rate `lr`.
    fn launch(&self, problem: &Problem, starts: &[[f64; 2]], lr: f64) -> Result<Box<dyn Run>>;
    /// Starts one batch of several problems, each with its own starts and
    /// learning rate; its endpoints come back task after task, each task's
    /// in the order of its starts. The CPU and GPU engines run them as one
    /// (on the GPU: one dispatch and one read-back a chunk for all); the
    /// default launches each task alone and advances the runs side by side.
    fn launch_many(&self, tasks: &[Task]) -> Result<Box<dyn Run>> {
        side_by_side(self, tasks)
    }
    /// Does ahead of time what a first launch for a target of `mode_count`
    /// modes would do (the GPU compiles that kernel variant), so no later
    /// launch stalls on it.
    fn prepare(&self, _mode_count: usize) -> Result<()> {
        Ok(())
    }
    /// The gate this engine's submissions wait on (a window's shared device).
    fn submit_gate(&self) -> Option<submit_gate::SubmitGate> {
        None
    }
    /// Why this engine cannot map `problem` faithfully, or None when it can.
    /// Cheap (no fit is run): [`engine_for`] asks it before any computation.
    fn declines(&self, _problem: &Problem) -> Option<String> {
        None
    }
}

/// The CPU engine the automatic choice falls back to.
static CPU: cpu::CpuEngine = cpu::CpuEngine;

/// The engine to run `problem` on, given the user's `choice` and the engine
/// [`select`] built for it, and the one line to print on stderr when the
/// choice changed: if `selected` declines the problem, `--backend gpu` is an
/// input error naming the reason, and `auto` uses the CPU engine and says so.
pub fn engine_for<'a>(
    choice: BackendChoice,
    selected: &'a dyn Engine,
    problem: &Problem,
) -> Result<(&'a dyn Engine, Option<String>)> {
    let Some(reason) = selected.declines(problem) else {
        return Ok((selected, None));
    };
    match choice {
        BackendChoice::Gpu => Err(Error::input(format!(
            "--backend gpu: the GPU engine declines this problem: {reason}"
        ))),
        BackendChoice::Auto | BackendChoice::Cpu => Ok((
            &CPU,
            Some(format!(
                "the GPU engine declines this target ({reason}); using the CPU engine"
            )),
        )),
    }
}

/// Sizes chunks of steps so each takes about a target time: long enough
/// that the per-chunk wait and read-back cost little, short enough that
/// progress moves, a cancel is quick, and a device shared with a renderer
/// is never held long. A chunk's wall time includes any wait behind the
/// renderer's work on a shared queue, so the cost per step is the fastest
/// recent measurement, allowed to rise only 25% a chunk: a wait must not
/// shrink the chunks to single steps.
#[derive(Debug, Clone)]
pub struct ChunkSizer {
    next: u32,
    target: Duration,
    per_step: Option<f64>,
}

/// Most steps one chunk may grow to.
const MAX_CHUNK_STEPS: u32 = 1000;
/// How fast the estimated cost of a step may rise from one chunk to the next.
const PER_STEP_RISE: f64 = 1.25;

impl ChunkSizer {
    /// Starts at `first` steps and steers toward `target` per chunk.
    pub fn new(first: u32, target: Duration) -> Self {
        Self {
            next: first.max(1),
            target,
            per_step: None,
        }
    }

    /// The next chunk's steps, at most `left`.
    pub fn next(&self, left: u32) -> u32 {
        self.next.min(left)
    }

    /// Records that `steps` took `took`, growing or shrinking the next chunk (at most 2x a time).
    pub fn record(&mut self, steps: u32, took: Duration) {
        let measured = took.as_secs_f64().max(1e-9) / f64::from(steps.max(1));
        let per_step = self
            .per_step
            .map_or(measured, |p| measured.min(p * PER_STEP_RISE));
        self.per_step = Some(per_step);
        let want = self.target.as_secs_f64() / per_step;
        let steps = f64::from(steps.max(1));
        self.next = (want.clamp(0.5 * steps, 2.0 * steps).round() as u32).clamp(1, MAX_CHUNK_STEPS);
    }
}

/// Chunk time of batch runs: the progress bar moves a few times a second.
pub const BATCH_CHUNK_TIME: Duration = Duration::from_millis(250);
/// Chunk time of a batch of several problems (a sweep's maps): each chunk
/// reads every start back, and one step of a sweep's 61 maps of 128x64
/// starts takes llvmpipe 0.37 s, so chunks of [`BATCH_CHUNK_TIME`] are
/// single steps whose read-back adds 9% (measured: 112.6 CPU seconds at
/// 250 ms, 103.0 at 2 s).
pub const MANY_CHUNK_TIME: Duration = Duration::from_secs(2);

/// Several runs advanced together, their endpoints one run after the other.
struct SideBySide(Vec<Box<dyn Run>>);

/// `problem`'s batch as a launch of one task: how the engines that run
/// batches as one ([`Engine::launch_many`]) launch a lone problem.
pub(crate) fn launch_one<E: Engine + ?Sized>(
    engine: &E,
    problem: &Problem,
    starts: &[[f64; 2]],
    lr: f64,
) -> Result<Box<dyn Run>> {
    engine.launch_many(&[Task {
        problem,
        starts,
        lr,
    }])
}

/// One run per task, advanced together: [`Engine::launch_many`] of an
/// engine that cannot run the tasks as one (the GPU's, for tasks that need
/// different kernels).
pub(crate) fn side_by_side<E: Engine + ?Sized>(engine: &E, tasks: &[Task]) -> Result<Box<dyn Run>> {
    let runs = tasks
        .iter()
        .map(|t| engine.launch(t.problem, t.starts, t.lr))
        .collect::<Result<Vec<_>>>()?;
    Ok(Box::new(SideBySide(runs)))
}

impl Run for SideBySide {
    fn advance(&mut self, steps: u32) -> Result<usize> {
        self.0.iter_mut().map(|r| r.advance(steps)).sum()
    }

    fn endpoints(&mut self) -> Result<Vec<Endpoint>> {
        let mut out = Vec::new();
        for r in &mut self.0 {
            out.extend(r.endpoints()?);
        }
        Ok(out)
    }

    fn waited(&mut self) -> Duration {
        self.0.iter_mut().map(|r| r.waited()).sum()
    }
}

/// Runs a batch to the end (or until every start stopped), reporting the
/// fraction done after each chunk.
pub fn run_to_end(
    engine: &dyn Engine,
    problem: &Problem,
    starts: &[[f64; 2]],
    steps: u32,
    lr: f64,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Endpoint>> {
    let task = Task {
        problem,
        starts,
        lr,
    };
    run_many_to_end(engine, &[task], steps, progress)
}

/// [`run_to_end`] for several problems in one batch ([`Engine::launch_many`]):
/// the endpoints task after task.
pub fn run_many_to_end(
    engine: &dyn Engine,
    tasks: &[Task],
    steps: u32,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Endpoint>> {
    let mut run = engine.launch_many(tasks)?;
    let target = if tasks.len() > 1 {
        MANY_CHUNK_TIME
    } else {
        BATCH_CHUNK_TIME
    };
    let mut sizer = ChunkSizer::new(50, target);
    let mut done = 0;
    while done < steps {
        let chunk = sizer.next(steps - done);
        let clock = Instant::now();
        let running = run.advance(chunk)?;
        sizer.record(chunk, clock.elapsed());
        done += chunk;
        progress(f64::from(done) / f64::from(steps));
        if running == 0 {
            break;
        }
    }
    progress(1.0);
    run.endpoints()
}

/// The user's choice of backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// The GPU when an adapter exists, else the CPU (saying so on stderr).
    Auto,
    /// The GPU engine or a clear error.
    Gpu,
    /// The f64 CPU reference engine.
    Cpu,
}

/// Builds the engine the user asked for.
pub fn select(choice: BackendChoice) -> Result<Box<dyn Engine>> {
    match choice {
        BackendChoice::Cpu => Ok(Box::new(cpu::CpuEngine)),
        BackendChoice::Gpu => gpu::GpuEngine::new()
            .map(|e| Box::new(e) as Box<dyn Engine>)
            .map_err(|e| Error::input(format!("--backend gpu: {e}"))),
        BackendChoice::Auto => match gpu::GpuEngine::new() {
            Ok(e) => Ok(Box::new(e)),
            Err(e) => {
                crate::console::warn(&format!("no GPU adapter ({e}); using the CPU engine"));
                Ok(Box::new(cpu::CpuEngine))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::ChunkSizer;
    use std::time::Duration;

    fn ms(v: f64) -> Duration {
        Duration::from_secs_f64(v * 1e-3)
    }

    #[test]
    fn chunks_grow_to_the_target_and_a_wait_barely_shrinks_them() {
        let mut sizer = ChunkSizer::new(1, ms(8.0));
        // 1 ms a step: the chunk doubles up to the 8 steps that fill the target.
        let mut seen = Vec::new();
        for _ in 0..5 {
            let n = sizer.next(1000);
            seen.push(n);
            sizer.record(n, ms(f64::from(n)));
        }
        assert_eq!(seen, [1, 2, 4, 8, 8]);
        // A chunk that waited 30 ms behind a frame: the estimate rises 25% at most.
        sizer.record(8, ms(38.0));
        assert_eq!(sizer.next(1000), 6);
        // Steps that really got dearer are followed within a few chunks.
        for _ in 0..8 {
            let n = sizer.next(1000);
            sizer.record(n, ms(4.0 * f64::from(n)));
        }
        assert_eq!(sizer.next(1000), 2);
        assert_eq!(sizer.next(1), 1, "never more than is left");
    }
}
