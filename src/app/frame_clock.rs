//! Wall time between the window's frames: the top bar shows the slowest of
//! the last two seconds, and `gui --frame-log` writes every gap to a file so
//! the window's responsiveness can be measured (BENCHMARKS.md does).

use std::collections::VecDeque;
use std::io::Write;
use std::time::Instant;

/// Gaps between frames. Only gaps after a frame that asked for the next one
/// count; an idle wait for input is no stutter.
#[derive(Default)]
pub struct FrameClock {
    last: Option<Instant>,
    recent: VecDeque<(Instant, f64)>,
    log: Option<(Instant, Box<dyn Write>)>,
}

impl FrameClock {
    /// Also writes each gap to `log`, one line each: seconds since now, the
    /// gap in ms and 1 if a map was computing (0 if not), tab-separated.
    pub fn log_to(&mut self, mut log: Box<dyn Write>) -> std::io::Result<()> {
        writeln!(log, "t_s\tgap_ms\tmap_computing")?;
        self.log = Some((Instant::now(), log));
        Ok(())
    }

    /// Records a frame at `now` (`computing`: a map is in flight); returns the
    /// longest gap (ms) in the last two seconds, None when no frame followed
    /// another in that time (idle).
    pub fn tick(&mut self, now: Instant, computing: bool) -> Option<f64> {
        if let Some(last) = self.last.take() {
            let gap = now.duration_since(last).as_secs_f64() * 1e3;
            self.recent.push_back((now, gap));
            if let Some((t0, log)) = &mut self.log {
                let t = now.duration_since(*t0).as_secs_f64();
                // A full disk must not stop the window: the log just ends.
                if writeln!(log, "{t:.3}\t{gap:.2}\t{}", u8::from(computing)).is_err() {
                    self.log = None;
                }
            }
        }
        while self
            .recent
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t).as_secs_f64() > 2.0)
        {
            self.recent.pop_front();
        }
        self.recent.iter().map(|(_, ms)| *ms).reduce(f64::max)
    }

    /// The frame that started at `start` asked for the next one: time the gap.
    pub fn continues(&mut self, start: Instant) {
        self.last = Some(start);
    }
}

#[cfg(test)]
mod tests {
    use super::FrameClock;
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    /// A log the test can read after the clock wrote it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn gaps_after_continued_frames_are_shown_and_logged() {
        let log = Shared::default();
        let mut clock = FrameClock::default();
        clock.log_to(Box::new(log.clone())).unwrap();
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        // A first frame has no gap; nor has one after an idle wait.
        assert_eq!(clock.tick(at(0), false), None);
        clock.continues(at(0));
        assert_eq!(clock.tick(at(30), true), Some(30.0));
        assert_eq!(clock.tick(at(500), true), Some(30.0), "idle: no gap");
        clock.continues(at(500));
        assert_eq!(clock.tick(at(545), false), Some(45.0));
        // Gaps older than two seconds drop out of the top bar's figure.
        clock.continues(at(2600));
        assert_eq!(clock.tick(at(2610), false), Some(10.0));
        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(rows[0], ["t_s", "gap_ms", "map_computing"]);
        let gaps: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[1], r[2])).collect();
        assert_eq!(gaps, [("30.00", "1"), ("45.00", "0"), ("10.00", "0")]);
    }
}
