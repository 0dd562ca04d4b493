//! Paces a background map to the window's frames. While the fits animate,
//! frames follow one another at once and each waits for whatever compute is
//! queued on the shared device ahead of its render; a map then runs one
//! chunk per frame, so no frame carries more than one. Otherwise (or when
//! frames stop coming) the map runs freely, as far as the window's submit
//! gate lets it (see `engine::submit_gate` and `app::maps`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A map that has seen no frame for this long runs freely (a hidden window
/// may stop drawing while it still animates).
const STALL: Duration = Duration::from_millis(100);

/// The window's side calls [`FramePace::frame`]; a map job calls
/// [`FramePace::wait`] before each chunk. Clones share one pace.
#[derive(Clone)]
pub struct FramePace(Arc<Shared>);

struct Shared {
    state: Mutex<PaceState>,
    wake: Condvar,
    stall: Duration,
}

#[derive(Default)]
struct PaceState {
    per_frame: bool,
    granted: bool,
    last_frame: Option<Instant>,
}

impl Default for FramePace {
    fn default() -> Self {
        Self::with_stall(STALL)
    }
}

impl FramePace {
    /// A pace under which a map runs freely once no frame came for `stall`.
    fn with_stall(stall: Duration) -> Self {
        Self(Arc::new(Shared {
            state: Mutex::default(),
            wake: Condvar::new(),
            stall,
        }))
    }

    /// A frame began; `animating`: the next one follows at once, so a map
    /// may run one chunk until then, else as many as it likes.
    pub fn frame(&self, animating: bool) {
        let mut s = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
        s.per_frame = animating;
        s.granted = true;
        s.last_frame = Some(Instant::now());
        self.0.wake.notify_all();
    }

    /// Blocks until the next chunk may run (returns at once when not paced,
    /// and soon after `cancel` is set or frames stop coming).
    pub fn wait(&self, cancel: &AtomicBool) {
        let shared = &*self.0;
        let mut s = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let stalled = s.last_frame.is_none_or(|t| t.elapsed() >= shared.stall);
            if !s.per_frame || s.granted || stalled || cancel.load(Ordering::Relaxed) {
                s.granted = false;
                return;
            }
            s = shared
                .wake
                .wait_timeout(s, shared.stall / 4)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_animating_window_grants_one_chunk_a_frame() {
        // A stall far longer than the test: only frames release chunks here.
        let pace = FramePace::with_stall(Duration::from_secs(600));
        let cancel = AtomicBool::new(false);
        // Not paced yet: chunks run freely.
        pace.wait(&cancel);
        pace.wait(&cancel);
        pace.frame(true);
        pace.wait(&cancel); // the frame's chunk
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let pace = pace.clone();
            std::thread::spawn(move || {
                pace.wait(&AtomicBool::new(false));
                tx.send(()).unwrap();
            })
        };
        // No second chunk before the next frame...
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        pace.frame(true);
        // ...which releases it.
        rx.recv_timeout(Duration::from_secs(60)).unwrap();
        waiter.join().unwrap();
        // A cancelled map does not wait.
        pace.wait(&AtomicBool::new(true));
        // A window that stops animating lets the map run freely again.
        pace.frame(false);
        pace.wait(&cancel);
        pace.wait(&cancel);
    }

    #[test]
    fn a_map_runs_freely_once_frames_stop_coming() {
        let pace = FramePace::with_stall(Duration::from_millis(20));
        let cancel = AtomicBool::new(false);
        pace.frame(true);
        pace.wait(&cancel);
        // No frame follows: the wait ends once the stall has passed.
        let t = Instant::now();
        pace.wait(&cancel);
        assert!(t.elapsed() >= Duration::from_millis(15));
        pace.wait(&cancel);
    }
}
