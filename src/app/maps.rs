//! The basin maps behind the window, one per objective of [`OBJECTIVES`]:
//! background jobs that restart when
//! the settled target, family or lr changes, the map on view (the previous
//! one stays until the new one is done), and the progress of the one in flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::defaults::DEFAULT_STEPS;
use crate::engine::Engine;
use crate::engine::submit_gate::SubmitGate;
use crate::landscape::{Grid, Landscape};
use crate::map_job::MapJob;
use crate::map_pace::FramePace;
use crate::objective::{Objective, Problem};

use super::objectives::{OBJECTIVES, style};
use super::state::{MapKey, index};

/// In-window map size (mu columns, sigma rows): 15k starts, about half the
/// default map, so a map finishes in seconds even on a software adapter.
pub const WINDOW_GRID: (usize, usize) = (160, 96);
/// Wall time of one engine submission: short, so the renderer sharing the
/// device (and, on llvmpipe, the CPU) never waits long behind it. While the
/// fits animate a frame carries one such chunk; on llvmpipe 6 ms cut the
/// median frame by 2 ms against 8 ms, and 4 ms made 3-mode maps twice as slow.
pub const CHUNK_TIME: Duration = Duration::from_millis(6);

/// A map as it is shown: the landscape and what it was computed for.
#[derive(Debug, Clone)]
pub struct ShownMap {
    /// The labelled map.
    pub landscape: Landscape,
    /// The target, family and lr it belongs to.
    pub key: MapKey,
    /// False while it is a partial classification of a map still running.
    pub complete: bool,
    /// Bumped whenever the landscape changes (the view re-uploads its texture).
    pub version: u64,
}

/// How the map on view relates to the current settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The final map of the current target, family and lr.
    Current,
    /// A partial map of the current settings, still computing.
    Provisional,
    /// A map of earlier settings: out of date until the new one arrives.
    Stale,
}

/// One objective's map: the one on view and the one being computed.
pub struct MapSlot {
    /// Its objective as [`OBJECTIVES`] lists it (see [`MapKey::same_map`]).
    listed: Objective,
    shown: Option<ShownMap>,
    job: Option<(MapJob, MapKey)>,
    progress: f64,
    error: Option<String>,
    versions: u64,
}

impl MapSlot {
    fn new(listed: Objective) -> Self {
        Self {
            listed,
            shown: None,
            job: None,
            progress: 0.0,
            error: None,
            versions: 0,
        }
    }

    /// Whether maps computed for `a` and `b` are one map of this slot's objective.
    fn same(&self, a: &MapKey, b: &MapKey) -> bool {
        a.same_map(b, self.listed)
    }

    /// The map on view (possibly for an older target while a new one computes).
    pub fn shown(&self) -> Option<&ShownMap> {
        self.shown.as_ref()
    }

    /// How the map on view relates to `key` (None: no map on view).
    pub fn freshness(&self, key: &MapKey) -> Option<Freshness> {
        self.shown
            .as_ref()
            .map(|s| match (self.same(&s.key, key), s.complete) {
                (true, true) => Freshness::Current,
                (true, false) => Freshness::Provisional,
                (false, _) => Freshness::Stale,
            })
    }

    /// Progress of the map in flight (None when nothing computes).
    pub fn progress(&self) -> Option<f64> {
        self.job.as_ref().map(|_| self.progress)
    }

    /// The last failure, as one line.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The map on view, if it is the final map of `key`.
    pub fn current(&self, key: &MapKey) -> Option<&Landscape> {
        self.shown
            .as_ref()
            .filter(|s| s.complete && self.same(&s.key, key))
            .map(|s| &s.landscape)
    }

    fn show(&mut self, landscape: Landscape, key: MapKey, complete: bool) {
        self.versions += 1;
        self.shown = Some(ShownMap {
            landscape,
            key,
            complete,
            version: self.versions,
        });
    }

    /// Polls the job in flight: publishes its final map (or a partial one when none is on view).
    fn poll(&mut self) {
        let Some((job, key)) = &self.job else { return };
        let snap = job.poll();
        self.progress = snap.progress;
        if let Some(e) = snap.error {
            self.error = Some(e.to_string());
            self.job = None;
            return;
        }
        if snap.done {
            let key = key.clone();
            self.job = None;
            if let Some(l) = snap.landscape {
                self.error = None;
                self.show(l, key, true);
            }
        } else if let Some(l) = snap.landscape {
            // A new partial map is shown only while no final one is on view.
            if self.shown.as_ref().is_none_or(|s| !s.complete) {
                self.show(l, key.clone(), false);
            }
        }
    }

    fn wants(&self, key: &MapKey) -> bool {
        let computing = self.job.as_ref().is_some_and(|(_, k)| self.same(k, key));
        let done = self
            .shown
            .as_ref()
            .is_some_and(|s| s.complete && self.same(&s.key, key));
        !(computing || done)
    }
}

/// Every objective's basin map and the engine that computes them.
pub struct Maps {
    engine: Option<Arc<dyn Engine>>,
    grid: Grid,
    steps: u32,
    /// One per objective of [`OBJECTIVES`], in its order.
    slots: Vec<MapSlot>,
    prepared: bool,
    pace: FramePace,
    /// The engine's submit gate: open from [`Maps::frame`] to [`Maps::frame_done`].
    gate: Option<SubmitGate>,
    /// Whether this frame's fits animate (see [`Maps::frame`]).
    animating: bool,
}

/// While nothing animates and a map computes, the window draws a frame every
/// 100 ms; each such frame without input then holds the submit gate open
/// this long, so the map runs chunk after chunk (about 80% of the time)
/// instead of one a frame.
const IDLE_LEASE: Duration = Duration::from_millis(80);
/// How long a frame's UI waits for the chunk it granted to be submitted:
/// a map thread slow to wake would otherwise miss the frame and lose one.
const GRANT_PATIENCE: Duration = Duration::from_millis(3);

impl Maps {
    /// Maps on `engine` (None: no maps are computed) over the window's grid.
    pub fn new(engine: Option<Arc<dyn Engine>>) -> Self {
        Self::with_grid(
            engine,
            Grid::default_ranges(WINDOW_GRID.0, WINDOW_GRID.1),
            DEFAULT_STEPS,
        )
    }

    /// Maps over a given grid and step budget (tests use small ones).
    pub fn with_grid(engine: Option<Arc<dyn Engine>>, grid: Grid, steps: u32) -> Self {
        let gate = engine.as_ref().and_then(|e| e.submit_gate());
        Self {
            engine,
            grid,
            steps,
            slots: OBJECTIVES.into_iter().map(MapSlot::new).collect(),
            prepared: false,
            pace: FramePace::default(),
            gate,
            animating: false,
        }
    }

    /// The engine's description ("gpu: llvmpipe ..."), or None without an engine.
    pub fn engine_label(&self) -> Option<String> {
        self.engine.as_ref().map(|e| {
            let info = e.info();
            format!("{}: {}", info.kind, info.adapter)
        })
    }

    /// The engine's description for reports, or None without an engine.
    pub fn backend(&self) -> Option<crate::engine::BackendInfo> {
        self.engine.as_ref().map(|e| e.info())
    }

    /// The grid of starts.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// Adam steps per start.
    pub fn steps(&self) -> u32 {
        self.steps
    }

    /// The map of `objective` (one of [`OBJECTIVES`]).
    pub fn slot(&self, objective: Objective) -> &MapSlot {
        &self.slots[index(objective)]
    }

    /// A frame's UI begins; `animating`: the next follows at once, so
    /// the map in flight runs one chunk alongside it (see [`FramePace`]).
    /// Opens the engine's submit gate until [`Maps::frame_done`].
    pub fn frame(&mut self, animating: bool) {
        if let Some(gate) = &self.gate {
            gate.open();
            // The chunk this frame grants should go out before the gate shuts.
            if animating && self.busy() {
                gate.expect_one();
            }
        }
        self.animating = animating;
        self.pace.frame(animating);
    }

    /// The frame's UI is built: the window may now paint, handle events and
    /// reconfigure its surface, so map submissions wait for the next frame
    /// (after [`IDLE_LEASE`] more of them when nothing animates and the
    /// frame had no `input` to answer).
    pub fn frame_done(&self, input: bool) {
        let Some(gate) = &self.gate else { return };
        let lease = Instant::now();
        let idle = !self.animating && !input;
        while idle && self.busy() && lease.elapsed() < IDLE_LEASE {
            std::thread::sleep(Duration::from_millis(2));
        }
        gate.close(GRANT_PATIENCE);
    }

    /// True while any map computes.
    pub fn busy(&self) -> bool {
        self.slots.iter().any(|s| s.job.is_some())
    }

    /// Polls the jobs; when `settled` differs from what a map shows or
    /// computes, cancels that job and starts anew. One map computes at a
    /// time, those with optima known only from their map first (see
    /// [`map_order`]); the next starts when the one before is done.
    pub fn update(&mut self, settled: Option<&MapKey>) {
        for s in &mut self.slots {
            s.poll();
        }
        let (Some(key), Some(engine)) = (settled, self.engine.clone()) else {
            return;
        };
        // Once the first maps are done, the kernels for other mode counts
        // compile in the background: a later + or - then never stalls a frame
        // (a compile on llvmpipe held one for 0.13 s). A failure shows up
        // again, as the map's error, if that variant is ever used.
        let first_done = self
            .slots
            .iter()
            .all(|s| s.job.is_none() && s.shown.as_ref().is_some_and(|m| m.complete));
        if !self.prepared && first_done {
            self.prepared = true;
            let engine = engine.clone();
            std::thread::spawn(move || {
                for k in 1..=crate::defaults::MAX_MODES {
                    drop(engine.prepare(k));
                }
            });
        }
        let mut earlier_busy = false;
        for objective in map_order() {
            let i = index(objective);
            if self.slots[i].wants(key) {
                // Cancel a stale job first so the device is free for the new one.
                self.slots[i].job = None;
                if earlier_busy {
                    continue;
                }
                let problem =
                    Problem::new(key.target.clone(), key.objective(objective), key.family);
                let job = MapJob::start(
                    engine.clone(),
                    problem,
                    self.grid,
                    self.steps,
                    key.lr,
                    CHUNK_TIME,
                    self.pace.clone(),
                );
                self.slots[i].progress = 0.0;
                self.slots[i].job = Some((job, key.clone()));
            }
            earlier_busy |= self.slots[i].job.is_some();
        }
    }
}

/// The order maps compute in: by [`super::objectives::Style::map_rank`].
pub fn map_order() -> Vec<Objective> {
    let mut order = OBJECTIVES.to_vec();
    order.sort_by_key(|&o| style(o).map_rank);
    order
}
