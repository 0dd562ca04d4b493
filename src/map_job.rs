//! A basin map computed progressively on a background thread: start it, poll
//! its progress and partial landscape, drop or cancel it when the target
//! changes. The window runs its maps this way so frames never wait on compute.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::engine::{ChunkSizer, Engine, Run};
use crate::error::{Error, Result};
use crate::landscape::{Grid, Landscape};
use crate::map_pace::FramePace;
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
    /// with the window's renderer is never held long) and waits for `pace`.
    pub fn start(
        engine: Arc<dyn Engine>,
        problem: Problem,
        grid: Grid,
        steps: u32,
        lr: f64,
        chunk_time: Duration,
        pace: FramePace,
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
                pace,
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
    pace: FramePace,
}

/// Starts per band. The grid is launched as bands of this many starts and
/// each submission advances one band, the one furthest behind: one step of
/// the window's 15 360 starts takes llvmpipe 3 ms at 2 modes and 60-90 ms
/// at 16, far longer than a chunk may hold the device; one step of a band
/// stays under about 3 ms at 16 modes.
const BAND: usize = 512;

/// One band of the grid's starts.
struct Band {
    run: Box<dyn Run>,
    done: u32,
    live: bool,
}

impl Job<'_> {
    fn run(&self, state: &Mutex<Snapshot>, cancel: &AtomicBool) -> Result<Option<Landscape>> {
        let clock = Instant::now();
        let (starts, rows) = self.grid.distinct_starts(self.problem);
        let mut bands = starts
            .chunks(BAND)
            .map(|s| {
                Ok(Band {
                    run: self.engine.launch(self.problem, s, self.lr)?,
                    done: 0,
                    live: true,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // One sizer for all bands: they advance in step, so their costs per
        // step are alike, and a band need not learn its chunk size anew.
        let mut sizer = ChunkSizer::new(1, self.chunk_time);
        let budget = (bands.len() as f64) * f64::from(self.steps);
        let mut published = Instant::now();
        while let Some(band) = bands.iter_mut().filter(|b| b.live).min_by_key(|b| b.done) {
            self.pace.wait(cancel);
            if cancel.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let n = sizer.next(self.steps - band.done);
            let t = Instant::now();
            let running = band.run.advance(n)?;
            sizer.record(n, t.elapsed().saturating_sub(band.run.waited()));
            band.done += n;
            band.live = band.done < self.steps && running > 0;
            let last = bands.iter().all(|b| !b.live);
            let progress = bands
                .iter()
                .map(|b| f64::from(if b.live { b.done } else { self.steps }))
                .sum::<f64>()
                / budget;
            if last || published.elapsed() >= PARTIAL_EVERY {
                let mut endpoints = Vec::with_capacity(starts.len());
                for b in &mut bands {
                    endpoints.extend(b.run.endpoints()?);
                }
                let landscape =
                    Landscape::of_run(self.problem, &endpoints, rows, starts.len(), clock);
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
