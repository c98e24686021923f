//! Deletes what outlived `--temp-ttl`: unattached temporary files (row and
//! bytes) and the parts of abandoned chunked uploads. Reads already answer
//! 404 for an expired id on their own; the sweeper frees the disk.

use std::time::Duration;

use crate::clock::Clock;
use crate::storage::Storage;

/// Often enough that an expired file does not linger much past its TTL,
/// rarely enough to cost nothing.
fn interval(ttl: Duration) -> Duration {
    (ttl / 4).clamp(Duration::from_millis(50), Duration::from_secs(60))
}

/// Runs until the storage is dropped (the router and its clones are gone).
pub fn spawn(storage: &Storage, ttl: Duration, clock: Clock) {
    let storage = storage.downgrade();
    let ttl_millis = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval(ttl));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let Some(storage) = storage.upgrade() else {
                break;
            };
            let cutoff = clock.now_millis().saturating_sub(ttl_millis);
            match storage.sweep_temporaries(cutoff).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "removed expired temporary attachments"),
                Err(e) => tracing::warn!(error = %e, "sweeping temporary attachments failed"),
            }
            match storage.sweep_flow(cutoff).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "removed abandoned chunked uploads"),
                Err(e) => tracing::warn!(error = %e, "sweeping chunked uploads failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_follows_the_ttl_within_bounds() {
        assert_eq!(interval(Duration::from_secs(1)), Duration::from_millis(250));
        assert_eq!(interval(Duration::ZERO), Duration::from_millis(50));
        assert_eq!(
            interval(Duration::from_secs(86_400)),
            Duration::from_secs(60)
        );
    }
}
