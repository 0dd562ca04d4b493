//! Keeps compute submissions to a device shared with a window inside the
//! window's frames. On a resize the window reconfigures its surface, and
//! wgpu's `Surface::configure` waits for the device to go idle and fails
//! (eframe then panics) if another thread submits meanwhile. The window
//! opens the gate while it builds a frame's UI, when it cannot be
//! reconfiguring, and closes it before painting and handling events; a
//! submission waits for the gate to open, and closing waits for the
//! submissions under way and for those the opening let through.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How often a closing waiting only for submissions under way looks again.
const CLOSE_POLL: Duration = Duration::from_millis(50);

/// Open or closed, with counts of submissions under way and waiting. Clones
/// share one gate; a new gate is open.
#[derive(Clone, Default)]
pub struct SubmitGate(Arc<Shared>);

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    closed: bool,
    submitting: usize,
    /// Submissions waiting at the gate.
    waiting: usize,
    /// Of those, how many the last opening let through: closing waits for
    /// them, so a short opening cannot shut out a thread still waking up.
    admitted: usize,
    /// Submissions not yet arrived that this opening lets through too;
    /// closing waits for them only so long (see [`SubmitGate::expect_one`]).
    expected: usize,
}

impl SubmitGate {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Lets submissions go, those waiting now included.
    pub fn open(&self) {
        let mut s = self.lock();
        s.closed = false;
        s.admitted = s.waiting;
        self.0.changed.notify_all();
    }

    /// Lets one more submission through this opening, one not waiting yet
    /// (a chunk just granted): closing waits a while for it.
    pub fn expect_one(&self) {
        self.lock().expected += 1;
    }

    /// Holds submissions from now on; returns once none is under way and
    /// every one let through by the last opening has gone, or, for those
    /// expected but not yet arrived, once `patience` has passed (they then
    /// wait for the next opening).
    pub fn close(&self, patience: Duration) {
        let start = Instant::now();
        let mut s = self.lock();
        s.closed = true;
        loop {
            let left = patience.saturating_sub(start.elapsed());
            if left.is_zero() {
                s.expected = 0;
            }
            if s.submitting == 0 && s.admitted == 0 && s.expected == 0 {
                return;
            }
            let wait = if s.expected > 0 { left } else { CLOSE_POLL };
            s = self
                .0
                .changed
                .wait_timeout(s, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
    }

    /// Runs `submit` once the gate lets it; closing waits until it returns.
    /// Also returns how long it waited for the gate.
    pub fn submit<R>(&self, submit: impl FnOnce() -> R) -> (R, Duration) {
        let start = Instant::now();
        {
            let mut s = self.lock();
            s.waiting += 1;
            while s.closed && s.admitted == 0 && s.expected == 0 {
                s = self.0.changed.wait(s).unwrap_or_else(|p| p.into_inner());
            }
            s.waiting -= 1;
            if s.admitted > 0 {
                s.admitted -= 1;
            } else {
                s.expected = s.expected.saturating_sub(1);
            }
            s.submitting += 1;
        }
        let waited = start.elapsed();
        let out = submit();
        self.lock().submitting -= 1;
        self.0.changed.notify_all();
        (out, waited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;
    use std::sync::mpsc;

    #[test]
    fn submissions_wait_for_an_opening_and_closing_waits_for_them() {
        let gate = SubmitGate::default();
        assert_eq!(gate.submit(|| 1).0, 1, "a new gate is open");
        gate.close(Duration::ZERO);
        let (tx, rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let submitter = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                gate.submit(|| {
                    tx.send("submitting").unwrap();
                    release_rx.recv().unwrap();
                });
                tx.send("done").unwrap();
            })
        };
        // Closed: nothing is submitted.
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
        // Even an opening closed at once lets the waiting submission
        // through, and the closing waits until it is done.
        let closer = {
            let gate = gate.clone();
            let (closed_tx, closed_rx) = mpsc::channel();
            let t = std::thread::spawn(move || {
                gate.open();
                gate.close(Duration::ZERO);
                closed_tx.send(()).unwrap();
            });
            (t, closed_rx)
        };
        assert_eq!(rx.recv_timeout(Duration::from_secs(60)), Ok("submitting"));
        assert!(closer.1.recv_timeout(Duration::from_millis(100)).is_err());
        release_tx.send(()).unwrap();
        closer.1.recv_timeout(Duration::from_secs(60)).unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(60)), Ok("done"));
        submitter.join().unwrap();
        closer.0.join().unwrap();
        // One expected but late waits for the closing's patience, then for
        // the next opening.
        gate.open();
        gate.expect_one();
        let start = Instant::now();
        gate.close(Duration::from_millis(30));
        assert!(start.elapsed() >= Duration::from_millis(30));
        let opened = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let late = {
            let (gate, opened) = (gate.clone(), opened.clone());
            std::thread::spawn(move || gate.submit(|| opened.load(Ordering::SeqCst)).0)
        };
        std::thread::sleep(Duration::from_millis(50));
        opened.store(true, Ordering::SeqCst);
        gate.open();
        assert!(late.join().unwrap(), "held until the next opening");
    }
}
