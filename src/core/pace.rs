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
}
