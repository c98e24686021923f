//! The server's notion of "now". Tests replace it with a manual clock so that
//! TTL expiry is checked by moving time forward, not by waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Milliseconds since the Unix epoch, UTC: the system clock, or a manual one.
#[derive(Clone, Default)]
pub struct Clock {
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands still at `start_millis` until [`Clock::advance`].
    /// Clones share the time, so a test keeps one and gives one to the server.
    pub fn manual(start_millis: i64) -> Self {
        Self {
            manual: Some(Arc::new(AtomicI64::new(start_millis))),
        }
    }

    pub fn now_millis(&self) -> i64 {
        match &self.manual {
            Some(now) => now.load(Ordering::SeqCst),
            None => chrono::Utc::now().timestamp_millis(),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(now) = &self.manual {
            let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
            now.fetch_add(by, Ordering::SeqCst);
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.manual {
            Some(now) => write!(f, "Clock::manual({})", now.load(Ordering::SeqCst)),
            None => f.write_str("Clock::system()"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told_and_clones_share_it() {
        let clock = Clock::manual(1_000);
        let shared = clock.clone();
        assert_eq!(shared.now_millis(), 1_000);
        clock.advance(Duration::from_secs(2));
        assert_eq!(shared.now_millis(), 3_000);
    }

    #[test]
    fn system_clock_is_recent() {
        // 2024-01-01: any real clock is past it.
        assert!(Clock::system().now_millis() > 1_704_067_200_000);
    }
}
