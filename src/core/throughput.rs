use std::collections::VecDeque;

/// The shortest time the samples must span before a speed is given.
const MIN_SPAN_MS: f64 = 1_000.0;

/// Upload speed and time left from the bytes counted over a sliding window,
/// so a stall shows within seconds and one fast burst does not promise a
/// finish that never comes. Time is passed in (milliseconds), not read.
#[derive(Clone, Debug, PartialEq)]
pub struct Throughput {
    window_ms: f64,
    /// (time, total bytes sent at that time), oldest first.
    samples: VecDeque<(f64, u64)>,
}

impl Default for Throughput {
    fn default() -> Self {
        Self::new(5_000.0)
    }
}

impl Throughput {
    pub fn new(window_ms: f64) -> Self {
        Self {
            window_ms: window_ms.max(1.0),
            samples: VecDeque::new(),
        }
    }

    /// Records that `sent` bytes in all have gone out by `now_ms`. A count
    /// that goes down (a part retried, a file removed) restarts the window.
    pub fn record(&mut self, now_ms: f64, sent: u64) {
        if let Some(&(last_time, last_sent)) = self.samples.back() {
            if sent < last_sent || now_ms < last_time {
                self.samples.clear();
            }
        }
        self.samples.push_back((now_ms, sent));
        while self.samples.len() > 2 {
            match self.samples.front() {
                Some(&(t, _)) if now_ms - t > self.window_ms => {
                    self.samples.pop_front();
                }
                _ => break,
            }
        }
    }

    /// Takes `bytes` counted from now on as not sent over the network (the
    /// parts a resumed upload finds on the server): the samples so far are
    /// raised by them, so they add nothing to the speed.
    pub fn skip(&mut self, bytes: u64) {
        for (_, sent) in &mut self.samples {
            *sent = sent.saturating_add(bytes);
        }
    }

    /// Bytes per second over the window, once its samples span a second
    /// (or the whole window, if shorter). Two samples a few milliseconds
    /// apart, a progress event and a timer's, would show a burst of one
    /// buffer as a speed many times the link's.
    pub fn bytes_per_second(&self) -> Option<f64> {
        let (t0, b0) = *self.samples.front()?;
        let (t1, b1) = *self.samples.back()?;
        let elapsed = t1 - t0;
        (elapsed > 0.0 && elapsed >= MIN_SPAN_MS.min(self.window_ms))
            .then(|| (b1 - b0) as f64 * 1000.0 / elapsed)
    }

    /// Seconds until `remaining` bytes are sent at the current speed; `None`
    /// while the speed is unknown or zero.
    pub fn seconds_left(&self, remaining: u64) -> Option<f64> {
        let speed = self.bytes_per_second()?;
        (speed > 0.0).then(|| remaining as f64 / speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_over_the_window() {
        let mut t = Throughput::new(5_000.0);
        assert_eq!(t.bytes_per_second(), None);
        t.record(0.0, 0);
        t.record(1_000.0, 1_000_000);
        assert_eq!(t.bytes_per_second(), Some(1_000_000.0));
        assert_eq!(t.seconds_left(3_000_000), Some(3.0));
    }

    #[test]
    fn bytes_found_on_the_server_are_no_speed() {
        let mut t = Throughput::new(5_000.0);
        t.record(0.0, 0);
        t.record(1_000.0, 1_000);
        // 90 MB of parts the server had: counted, not sent.
        t.skip(90_000_000);
        t.record(2_000.0, 90_002_000);
        assert_eq!(t.bytes_per_second(), Some(1_000.0));
    }

    #[test]
    fn no_speed_from_samples_close_together() {
        let mut t = Throughput::default();
        t.record(0.0, 0);
        // One 256 KB buffer reported 5 ms after the first sample.
        t.record(5.0, 262_144);
        assert_eq!(t.bytes_per_second(), None);
        t.record(1_000.0, 524_288);
        assert_eq!(t.bytes_per_second(), Some(524_288.0));
    }

    #[test]
    fn old_samples_leave_the_window() {
        let mut t = Throughput::new(2_000.0);
        t.record(0.0, 0);
        t.record(1_000.0, 10_000_000); // a fast burst
        t.record(4_000.0, 10_100_000);
        t.record(5_000.0, 10_200_000);
        // Only the slow recent samples count now.
        let speed = t.bytes_per_second().unwrap();
        assert!((speed - 100_000.0).abs() < 1.0, "{speed}");
    }

    #[test]
    fn stall_means_no_eta() {
        let mut t = Throughput::default();
        t.record(0.0, 500);
        t.record(1_000.0, 500);
        assert_eq!(t.bytes_per_second(), Some(0.0));
        assert_eq!(t.seconds_left(10), None);
    }

    #[test]
    fn going_backwards_restarts() {
        let mut t = Throughput::default();
        t.record(0.0, 0);
        t.record(1_000.0, 5_000);
        t.record(2_000.0, 1_000);
        assert_eq!(t.bytes_per_second(), None);
    }
}
