//! Deletes what outlived `--temp-ttl`: unattached temporary files (row and
//! bytes) and the parts of abandoned chunked uploads. Reads already answer
//! 404 for an expired id on their own; the sweeper frees the disk. Also
//! removes `tmp/*.part` files that no upload in progress owns.

use std::time::{Duration, SystemTime};

use crate::clock::Clock;
use crate::storage::Storage;

/// Often enough that an expired file does not linger much past its TTL,
/// rarely enough to cost nothing.
fn interval(ttl: Duration) -> Duration {
    (ttl / 4).clamp(Duration::from_millis(50), Duration::from_secs(60))
}

/// How long an unowned `tmp/*.part` is left alone after its last write: past
/// the default upload idle timeout (2 minutes) with a margin. Only files no
/// upload owns are swept at all, so this only spares a thumbnail being
/// written next to them.
const UNOWNED_PART_AGE: Duration = Duration::from_secs(180);

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
            // File times are the system's, whatever clock the rest uses.
            let before = SystemTime::now()
                .checked_sub(UNOWNED_PART_AGE)
                .unwrap_or(SystemTime::UNIX_EPOCH);
            match storage.sweep_parts(before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(count = n, "removed abandoned partial files"),
                Err(e) => tracing::warn!(error = %e, "sweeping partial files failed"),
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
