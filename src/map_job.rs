//! A basin map computed progressively on a background thread: start it, poll
//! its progress and partial landscape, drop or cancel it when the target
//! changes. The window runs its maps this way so frames never wait on compute.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::engine::{ChunkSizer, Engine};
use crate::error::{Error, Result};
use crate::landscape::{Grid, Landscape};
use crate::objective::Problem;

/// What a poll sees.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Fraction of the step budget done, 0..=1.
    pub progress: f64,
    /// A classification new since the last poll: partial while running, final when `done`.
    pub landscape: Option<Landscape>,
    /// True once the map is final (or failed).
    pub done: bool,
    /// The failure, if any.
    pub error: Option<Error>,
}

/// A map in flight. Dropping it cancels it.
pub struct MapJob {
    state: Arc<Mutex<Snapshot>>,
    cancel: Arc<AtomicBool>,
}

/// How often a partial classification is published while a map runs.
const PARTIAL_EVERY: Duration = Duration::from_millis(300);

impl MapJob {
    /// Starts computing `grid` for `problem` on `engine` in the background.
    /// Each submission is sized to take about `chunk_time` (so a device shared
    /// with the window's renderer is never held long).
    pub fn start(
        engine: Arc<dyn Engine>,
        problem: Problem,
        grid: Grid,
        steps: u32,
        lr: f64,
        chunk_time: Duration,
    ) -> Self {
        let state = Arc::new(Mutex::new(Snapshot::default()));
        let cancel = Arc::new(AtomicBool::new(false));
        let (state2, cancel2) = (state.clone(), cancel.clone());
        std::thread::spawn(move || {
            let job = Job {
                engine: &*engine,
                problem: &problem,
                grid: &grid,
                steps,
                lr,
                chunk_time,
            };
            let result = job.run(&state2, &cancel2);
            let mut s = state2.lock().unwrap_or_else(|p| p.into_inner());
            s.done = true;
            match result {
                Ok(Some(l)) => {
                    s.progress = 1.0;
                    s.landscape = Some(l);
                }
                Ok(None) => {}
                Err(e) => s.error = Some(e),
            }
        });
        Self { state, cancel }
    }

    /// The current progress, and the landscape published since the last
    /// poll if there is one: each landscape is handed over once, so polling
    /// every frame copies nothing large.
    pub fn poll(&self) -> Snapshot {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        Snapshot {
            progress: s.progress,
            landscape: s.landscape.take(),
            done: s.done,
            error: s.error.clone(),
        }
    }

    /// Stops the map at the next chunk boundary.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Drop for MapJob {
    fn drop(&mut self) {
        self.cancel();
    }
}

struct Job<'a> {
    engine: &'a dyn Engine,
    problem: &'a Problem,
    grid: &'a Grid,
    steps: u32,
    lr: f64,
    chunk_time: Duration,
}

impl Job<'_> {
    fn run(&self, state: &Mutex<Snapshot>, cancel: &AtomicBool) -> Result<Option<Landscape>> {
        let clock = Instant::now();
        let (starts, rows) = self.grid.distinct_starts(self.problem);
        let mut run = self.engine.launch(self.problem, &starts, self.lr)?;
        let mut sizer = ChunkSizer::new(1, self.chunk_time);
        let mut done = 0;
        let mut published = Instant::now();
        while done < self.steps {
            if cancel.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let n = sizer.next(self.steps - done);
            let t = Instant::now();
            let running = run.advance(n)?;
            sizer.record(n, t.elapsed());
            done += n;
            let last = done >= self.steps || running == 0;
            let progress = f64::from(done) / f64::from(self.steps);
            if last || published.elapsed() >= PARTIAL_EVERY {
                let mut landscape =
                    Landscape::classify(self.problem, &run.endpoints()?.repeat(rows));
                landscape.seconds = clock.elapsed().as_secs_f64();
                landscape.starts_run = starts.len();
                if last {
                    return Ok(Some(landscape));
                }
                let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                s.landscape = Some(landscape);
                s.progress = progress;
                published = Instant::now();
            } else {
                state.lock().unwrap_or_else(|p| p.into_inner()).progress = progress;
            }
        }
        Ok(None)
    }
}
