//! The window's sweep in the background: a thread runs
//! [`crate::sweep::sweep`] on the CPU engine (so the shared device and the
//! frames never wait on it), a newer settled target or choice cancels it and
//! starts anew, and the sweep on view stays, marked out of date, until the
//! new one arrives.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::engine::cpu::CpuEngine;
use crate::engine::{BackendInfo, Endpoint, Engine, Run, Task};
use crate::error::{Error, Result};
use crate::objective::Problem;
use crate::sweep::ObjectiveSweep;

use super::state::SETTLE;
use super::sweep_setup::SweepKey;

/// An engine that fails its runs once `cancel` is set, so a sweep (which
/// has no cancellation of its own) stops at its next chunk.
struct Cancellable {
    inner: CpuEngine,
    cancel: Arc<AtomicBool>,
}

/// A run of [`Cancellable`].
struct CancellableRun {
    inner: Box<dyn Run>,
    cancel: Arc<AtomicBool>,
}

fn cancelled(cancel: &AtomicBool) -> Result<()> {
    if cancel.load(Ordering::Relaxed) {
        Err(Error::runtime("sweep cancelled"))
    } else {
        Ok(())
    }
}

impl Engine for Cancellable {
    fn info(&self) -> BackendInfo {
        self.inner.info()
    }

    fn launch(&self, problem: &Problem, starts: &[[f64; 2]], lr: f64) -> Result<Box<dyn Run>> {
        cancelled(&self.cancel)?;
        self.cancellable(self.inner.launch(problem, starts, lr)?)
    }

    fn launch_many(&self, tasks: &[Task]) -> Result<Box<dyn Run>> {
        cancelled(&self.cancel)?;
        self.cancellable(self.inner.launch_many(tasks)?)
    }
}

impl Cancellable {
    /// `inner` stopped at its next chunk once the job is cancelled.
    fn cancellable(&self, inner: Box<dyn Run>) -> Result<Box<dyn Run>> {
        Ok(Box::new(CancellableRun {
            inner,
            cancel: self.cancel.clone(),
        }))
    }
}

impl Run for CancellableRun {
    fn advance(&mut self, steps: u32) -> Result<usize> {
        cancelled(&self.cancel)?;
        self.inner.advance(steps)
    }

    fn endpoints(&mut self) -> Result<Vec<Endpoint>> {
        self.inner.endpoints()
    }
}

/// What the thread shares with the window.
#[derive(Default)]
struct Shared {
    progress: f64,
    result: Option<Result<ObjectiveSweep>>,
}

/// A sweep in flight; dropping it cancels it.
struct Job {
    key: SweepKey,
    shared: Arc<Mutex<Shared>>,
    cancel: Arc<AtomicBool>,
}

impl Job {
    fn start(key: SweepKey) -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let cancel = Arc::new(AtomicBool::new(false));
        let (shared2, cancel2, key2) = (shared.clone(), cancel.clone(), key.clone());
        std::thread::spawn(move || {
            let engine = Cancellable {
                inner: CpuEngine,
                cancel: cancel2,
            };
            let lock = || shared2.lock().unwrap_or_else(|p| p.into_inner());
            let result = key2
                .choice
                .spec(&key2.base, key2.lr, key2.starts)
                .and_then(|spec| {
                    crate::sweep::sweep(&spec, key2.choice.objective, &engine, &mut |p| {
                        lock().progress = p;
                    })
                });
            lock().result = Some(result);
        });
        Self {
            key,
            shared,
            cancel,
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

/// The sweep on view and the one computing.
#[derive(Default)]
pub struct Sweeps {
    shown: Option<(SweepKey, ObjectiveSweep)>,
    job: Option<Job>,
    progress: f64,
    /// The last failure and the key it failed for (not retried until the key changes).
    error: Option<(SweepKey, String)>,
    /// A key wanted but not yet started, and since when it is wanted.
    pending: Option<(SweepKey, Instant)>,
}

impl Sweeps {
    /// Polls the sweep in flight; when `wanted` (the settled key, or None
    /// while an edit is in progress or the view is closed) differs from what
    /// is shown or computing and has for [`SETTLE`] (a range being dragged
    /// restarts nothing), cancels that and starts anew.
    pub fn update(&mut self, wanted: Option<&SweepKey>, now: Instant) {
        if let Some(job) = &self.job {
            let mut shared = job.shared.lock().unwrap_or_else(|p| p.into_inner());
            self.progress = shared.progress;
            if let Some(result) = shared.result.take() {
                drop(shared);
                let job = self.job.take().expect("a job in flight");
                match result {
                    Ok(sweep) => {
                        self.error = None;
                        self.shown = Some((job.key.clone(), sweep));
                    }
                    Err(e) => self.error = Some((job.key.clone(), e.to_string())),
                }
            }
        }
        let Some(key) = wanted else { return };
        let computing = self.job.as_ref().is_some_and(|j| &j.key == key);
        let shown = self.shown.as_ref().is_some_and(|(k, _)| k == key);
        let failed = self.error.as_ref().is_some_and(|(k, _)| k == key);
        if computing || shown || failed {
            self.pending = None;
            return;
        }
        match &self.pending {
            Some((k, since)) if k == key => {
                if now.duration_since(*since) >= SETTLE {
                    self.pending = None;
                    self.progress = 0.0;
                    self.job = Some(Job::start(key.clone()));
                }
            }
            _ => self.pending = Some((key.clone(), now)),
        }
    }

    /// The sweep on view and what it was computed for.
    pub fn shown(&self) -> Option<(&SweepKey, &ObjectiveSweep)> {
        self.shown.as_ref().map(|(k, s)| (k, s))
    }

    /// True when the sweep on view is the sweep of `key`.
    pub fn shows(&self, key: &SweepKey) -> bool {
        self.shown.as_ref().is_some_and(|(k, _)| k == key)
    }

    /// Progress of the sweep in flight (None when nothing computes).
    pub fn progress(&self) -> Option<f64> {
        self.job.as_ref().map(|_| self.progress)
    }

    /// The failure of the sweep of `key`, as one line, if it failed.
    pub fn error(&self, key: &SweepKey) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(k, _)| k == key)
            .map(|(_, e)| e.as_str())
    }

    /// True while a sweep computes or waits to start.
    pub fn busy(&self) -> bool {
        self.job.is_some() || self.pending.is_some()
    }
}
