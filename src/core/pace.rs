//! How many rows to add to the list per animation frame: as many as keep a
//! frame near its budget. Rendering cost per row differs tenfold between a
//! fast desktop and a busy laptop, so the count follows the frames measured.

/// Fewest and most rows added in one frame.
pub const ROWS_MIN: usize = 25;
pub const ROWS_MAX: usize = 400;
/// A frame longer than this (ms) halves the next step; one shorter than a
/// third of it grows the next step by half.
pub const FRAME_BUDGET_MS: f64 = 48.0;

/// The step of rows per frame, adjusted from frame to frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowPace {
    rows: usize,
    last_frame_at: Option<f64>,
}

impl Default for RowPace {
    fn default() -> Self {
        Self {
            rows: 100,
            last_frame_at: None,
        }
    }
}

impl RowPace {
    /// The rows to add in the frame starting at `now_ms` (an animation
    /// frame's timestamp): the time since the previous frame tells what the
    /// last step cost.
    pub fn next(&mut self, now_ms: f64) -> usize {
        if let Some(last) = self.last_frame_at {
            let frame = now_ms - last;
            if frame.is_finite() && frame >= 0.0 {
                if frame > FRAME_BUDGET_MS {
                    self.rows /= 2;
                } else if frame < FRAME_BUDGET_MS / 3.0 {
                    self.rows += self.rows / 2;
                }
            }
        }
        self.rows = self.rows.clamp(ROWS_MIN, ROWS_MAX);
        self.last_frame_at = Some(now_ms);
        self.rows
    }

    /// The current step (the rows a list shows before its first frame).
    pub fn step(&self) -> usize {
        self.rows
    }

    /// Forgets the last frame (the list is complete): the next burst starts
    /// from the current step without counting the idle time between.
    pub fn pause(&mut self) {
        self.last_frame_at = None;
    }

    /// The list's row limit once the list holds `total` rows and the limit
    /// was `shown`: after a clear or removals the limit comes down to what
    /// is there (never below one step), or the next big drop would be drawn
    /// unpaced up to the old limit.
    pub fn limit_for(&self, shown: usize, total: usize) -> usize {
        shown.min(total.max(self.rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_frames_shrink_the_step_fast_ones_grow_it_within_bounds() {
        let mut pace = RowPace::default();
        assert_eq!(pace.next(0.0), 100);
        assert_eq!(pace.next(100.0), 50);
        assert_eq!(pace.next(200.0), 25);
        assert_eq!(pace.next(300.0), ROWS_MIN);
        assert_eq!(pace.next(330.0), ROWS_MIN);
        assert_eq!(pace.next(340.0), 37);
        let mut t = 340.0;
        for _ in 0..20 {
            t += 10.0;
            pace.next(t);
        }
        assert_eq!(pace.next(t + 10.0), ROWS_MAX);
    }

    #[test]
    fn a_pause_does_not_count_as_a_slow_frame() {
        let mut pace = RowPace::default();
        pace.next(0.0);
        pace.pause();
        assert_eq!(pace.next(10_000.0), 100);
        // A clock going backwards changes nothing.
        assert_eq!(pace.next(5_000.0), 100);
    }

    #[test]
    fn a_shrunk_list_brings_the_limit_down_to_one_step_at_least() {
        let pace = RowPace::default();
        // Cleared after 10,000 rows: the next drop starts from one step.
        assert_eq!(pace.limit_for(10_000, 0), 100);
        // Removals: the limit follows the rows left.
        assert_eq!(pace.limit_for(10_000, 4_000), 4_000);
        // A limit already at or under the list stays.
        assert_eq!(pace.limit_for(300, 4_000), 300);
        assert_eq!(pace.limit_for(50, 10), 50);
    }
}

/// When the kept list's consumers (storage, the `attachments-change` event,
/// the rendered list) catch up with it. Each catch-up costs time in
/// proportion to the list's length, so while uploads stream in they happen
/// at most once per a wait that grows with the list: a handful of files
/// still catch up at once, ten thousand at most once a second.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct KeptSettle {
    last_at: Option<f64>,
    scheduled: bool,
}

/// What to do about a change of the kept list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Settle {
    /// Catch up now.
    Now,
    /// Catch up after this many milliseconds (set a timer).
    After(f64),
    /// A catch-up is already due: it will see this change too.
    Pending,
}

impl KeptSettle {
    /// The least time between two catch-ups of a list of `len` items.
    pub fn spacing_ms(len: usize) -> f64 {
        if len < 100 {
            0.0
        } else {
            (len as f64 / 10.0).min(1_000.0)
        }
    }

    /// The list changed at `now_ms` and has `len` items.
    pub fn changed(&mut self, now_ms: f64, len: usize) -> Settle {
        if self.scheduled {
            return Settle::Pending;
        }
        // A clock set back (a corrected clock, a restored VM) would have
        // the list wait out the step, weeks maybe: a catch-up in the future
        // counts as one now.
        let due = self
            .last_at
            .map_or(now_ms, |last| last.min(now_ms) + Self::spacing_ms(len));
        if due <= now_ms {
            self.last_at = Some(now_ms);
            Settle::Now
        } else {
            self.scheduled = true;
            Settle::After(due - now_ms)
        }
    }

    /// The timer of [`Settle::After`] fired and the catch-up ran at `now_ms`.
    pub fn caught_up(&mut self, now_ms: f64) {
        self.scheduled = false;
        self.last_at = Some(now_ms);
    }
}

#[cfg(test)]
mod settle_tests {
    use super::*;

    #[test]
    fn small_lists_catch_up_at_once() {
        let mut s = KeptSettle::default();
        for t in 0..5 {
            assert_eq!(s.changed(f64::from(t), 3), Settle::Now);
        }
    }

    #[test]
    fn a_long_list_catches_up_once_per_spacing() {
        let mut s = KeptSettle::default();
        assert_eq!(s.changed(0.0, 5_000), Settle::Now);
        assert_eq!(s.changed(10.0, 5_000), Settle::After(490.0));
        assert_eq!(s.changed(20.0, 5_002), Settle::Pending);
        s.caught_up(500.0);
        assert_eq!(s.changed(1_200.0, 5_003), Settle::Now);
        assert_eq!(KeptSettle::spacing_ms(50_000), 1_000.0);
    }

    #[test]
    fn a_clock_set_back_waits_no_longer_than_the_spacing() {
        let day = 24.0 * 3_600_000.0;
        let mut s = KeptSettle::default();
        assert_eq!(s.changed(30.0 * day, 3), Settle::Now);
        // Thirty days back: a short list catches up at once, as ever.
        assert_eq!(s.changed(0.0, 3), Settle::Now);
        let mut s = KeptSettle::default();
        assert_eq!(s.changed(30.0 * day, 5_000), Settle::Now);
        assert_eq!(s.changed(0.0, 5_000), Settle::After(500.0));
    }
}
