//! How often a file's progress reaches the screen and the host's
//! `upload-progress` listeners. The browser reports bytes every 50–100 ms;
//! each report redrawn costs the main thread a script run, a style pass, a
//! layout and a paint, which on a busy 2-core machine competes with the very
//! upload being shown. A few updates a second read as smooth, as Uppy's
//! 500 ms progress throttle shows.

/// Least time (ms) between two shown updates of one file.
pub const PROGRESS_INTERVAL_MS: f64 = 200.0;

/// Lets through the first report, the last one (every byte sent), and any
/// report at least [`PROGRESS_INTERVAL_MS`] after the previous one shown.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProgressPace {
    last_shown_at: Option<f64>,
}

impl ProgressPace {
    /// Whether the report of `sent` of `total` bytes at `now_ms` is shown;
    /// remembers it when it is.
    pub fn show(&mut self, now_ms: f64, sent: u64, total: u64) -> bool {
        let finished = total > 0 && sent >= total;
        let due = match self.last_shown_at {
            None => true,
            // A clock that went back (a system time change) must not stall
            // the bar until it catches up again.
            Some(last) => !(0.0..PROGRESS_INTERVAL_MS).contains(&(now_ms - last)),
        };
        if finished || due {
            self.last_shown_at = Some(now_ms);
        }
        finished || due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_first_report_then_one_per_interval() {
        let mut pace = ProgressPace::default();
        let shown: Vec<f64> = [0.0, 50.0, 120.0, 199.0, 200.0, 260.0, 390.0, 400.0, 450.0]
            .into_iter()
            .filter(|&t| pace.show(t, 10, 100))
            .collect();
        assert_eq!(shown, vec![0.0, 200.0, 400.0]);
    }

    #[test]
    fn the_last_byte_is_always_shown() {
        let mut pace = ProgressPace::default();
        assert!(pace.show(0.0, 10, 100));
        assert!(!pace.show(10.0, 90, 100));
        assert!(pace.show(20.0, 100, 100));
        // The interval counts from the last report shown.
        assert!(!pace.show(150.0, 100, 100 + 1));
    }

    #[test]
    fn a_clock_that_goes_back_does_not_stall_the_bar() {
        let mut pace = ProgressPace::default();
        assert!(pace.show(10_000.0, 1, 100));
        assert!(pace.show(5_000.0, 2, 100));
        assert!(!pace.show(5_100.0, 3, 100));
    }

    #[test]
    fn an_empty_file_is_not_finished_by_zero_of_zero() {
        let mut pace = ProgressPace::default();
        assert!(pace.show(0.0, 0, 0));
        assert!(!pace.show(1.0, 0, 0));
    }
}
