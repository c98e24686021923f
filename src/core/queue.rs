use std::fmt;

use super::{Attachment, FileMeta, UploadError};

/// A file's stable local id, unique within one queue for its whole life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryId(pub u64);

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum EntryState {
    Queued,
    Uploading { sent: u64, total: u64 },
    Done { attachment: Attachment },
    Failed { error: UploadError },
    Cancelled,
}

impl EntryState {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            EntryState::Done { .. } | EntryState::Failed { .. } | EntryState::Cancelled
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    pub file: FileMeta,
    pub state: EntryState,
}

/// A state change the queue refused, e.g. a late progress event for a file
/// the user already cancelled. Callers drop these: they are expected races.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IllegalTransition {
    pub id: EntryId,
    pub from: &'static str,
    pub to: &'static str,
}

fn state_name(state: &EntryState) -> &'static str {
    match state {
        EntryState::Queued => "queued",
        EntryState::Uploading { .. } => "uploading",
        EntryState::Done { .. } => "done",
        EntryState::Failed { .. } => "failed",
        EntryState::Cancelled => "cancelled",
    }
}

/// Files in arrival order and what is happening to each. The queue decides
/// which file starts next under the concurrency limit; the browser layer only
/// reports back what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadQueue {
    entries: Vec<Entry>,
    next_id: u64,
    concurrency: usize,
}

impl Default for UploadQueue {
    fn default() -> Self {
        Self::new(3)
    }
}

impl UploadQueue {
    /// A queue that runs at most `concurrency` uploads at once (at least one).
    pub fn new(concurrency: usize) -> Self {
        Self {
            entries: Vec::new(),
            next_id: 1,
            concurrency: concurrency.max(1),
        }
    }

    pub fn add(&mut self, file: FileMeta) -> EntryId {
        let id = EntryId(self.next_id);
        self.next_id += 1;
        self.entries.push(Entry {
            id,
            file,
            state: EntryState::Queued,
        });
        id
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, id: EntryId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn active_count(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.state, EntryState::Uploading { .. }))
            .count()
    }

    /// Starts every queued file the concurrency limit allows, oldest first,
    /// and returns their ids for the caller to send.
    pub fn start_ready(&mut self) -> Vec<EntryId> {
        let free = self.concurrency.saturating_sub(self.active_count());
        let mut started = Vec::new();
        for entry in self.entries.iter_mut() {
            if started.len() == free {
                break;
            }
            if entry.state == EntryState::Queued {
                entry.state = EntryState::Uploading {
                    sent: 0,
                    total: entry.file.size,
                };
                started.push(entry.id);
            }
        }
        started
    }

    fn transition(
        &mut self,
        id: EntryId,
        to: EntryState,
        allowed: impl Fn(&EntryState) -> bool,
    ) -> Result<(), IllegalTransition> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or(IllegalTransition {
                id,
                from: "absent",
                to: state_name(&to),
            })?;
        if !allowed(&entry.state) {
            return Err(IllegalTransition {
                id,
                from: state_name(&entry.state),
                to: state_name(&to),
            });
        }
        entry.state = to;
        Ok(())
    }

    pub fn progress(
        &mut self,
        id: EntryId,
        sent: u64,
        total: u64,
    ) -> Result<(), IllegalTransition> {
        self.transition(id, EntryState::Uploading { sent, total }, |s| {
            matches!(s, EntryState::Uploading { .. })
        })
    }

    /// Records the outcome of an upload that was running.
    pub fn finish(
        &mut self,
        id: EntryId,
        outcome: Result<Attachment, UploadError>,
    ) -> Result<(), IllegalTransition> {
        let to = match outcome {
            Ok(attachment) => EntryState::Done { attachment },
            Err(UploadError::Cancelled) => EntryState::Cancelled,
            Err(error) => EntryState::Failed { error },
        };
        self.transition(id, to, |s| matches!(s, EntryState::Uploading { .. }))
    }

    /// Cancels a file that has not finished; a queued one never starts.
    pub fn cancel(&mut self, id: EntryId) -> Result<(), IllegalTransition> {
        self.transition(id, EntryState::Cancelled, |s| {
            matches!(s, EntryState::Queued | EntryState::Uploading { .. })
        })
    }

    /// Puts a failed or cancelled file back in line.
    pub fn retry(&mut self, id: EntryId) -> Result<(), IllegalTransition> {
        self.transition(id, EntryState::Queued, |s| {
            matches!(s, EntryState::Failed { .. } | EntryState::Cancelled)
        })
    }

    /// Forgets a file that is no longer running. Returns whether it was there.
    pub fn remove(&mut self, id: EntryId) -> bool {
        let before = self.entries.len();
        self.entries
            .retain(|e| e.id != id || matches!(e.state, EntryState::Uploading { .. }));
        before != self.entries.len()
    }

    /// Bytes sent and bytes to send over every file that has not been
    /// cancelled; finished files count in full.
    pub fn total_progress(&self) -> (u64, u64) {
        self.entries
            .iter()
            .fold((0, 0), |(sent, total), e| match &e.state {
                EntryState::Queued => (sent, total + e.file.size),
                EntryState::Uploading { sent: s, total: t } => (sent + s, total + t),
                EntryState::Done { .. } => (sent + e.file.size, total + e.file.size),
                EntryState::Failed { .. } | EntryState::Cancelled => (sent, total),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64) -> FileMeta {
        FileMeta::new(name, size, "")
    }

    fn attachment(id: &str) -> Attachment {
        Attachment {
            id: id.into(),
            name: "x".into(),
            size: 1,
            mimetype: None,
            content: None,
            thumbnail: None,
            created_at: None,
        }
    }

    #[test]
    fn starts_fifo_under_the_limit() {
        let mut q = UploadQueue::new(2);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        let c = q.add(file("c", 1));
        assert_eq!(q.start_ready(), vec![a, b]);
        assert_eq!(q.start_ready(), vec![]);
        q.finish(a, Ok(attachment("1"))).unwrap();
        assert_eq!(q.start_ready(), vec![c]);
        assert_eq!(q.active_count(), 2);
    }

    #[test]
    fn zero_concurrency_still_makes_progress() {
        let mut q = UploadQueue::new(0);
        let a = q.add(file("a", 1));
        assert_eq!(q.start_ready(), vec![a]);
    }

    #[test]
    fn every_entry_ends_in_one_terminal_state() {
        let mut q = UploadQueue::new(3);
        let ok = q.add(file("ok", 5));
        let bad = q.add(file("bad", 5));
        let gone = q.add(file("gone", 5));
        q.start_ready();
        q.progress(ok, 3, 5).unwrap();
        q.finish(ok, Ok(attachment("9"))).unwrap();
        q.finish(bad, Err(UploadError::Network("reset".into())))
            .unwrap();
        q.cancel(gone).unwrap();
        assert!(q.entries().iter().all(|e| e.state.is_terminal()));
        // A late answer for a finished or cancelled file is refused.
        assert!(q.finish(ok, Ok(attachment("10"))).is_err());
        assert!(q.progress(gone, 1, 5).is_err());
        assert!(q.finish(gone, Ok(attachment("11"))).is_err());
        assert_eq!(
            q.get(ok).unwrap().state,
            EntryState::Done {
                attachment: attachment("9")
            }
        );
    }

    #[test]
    fn cancelled_outcome_becomes_cancelled_state() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 1));
        q.start_ready();
        q.finish(a, Err(UploadError::Cancelled)).unwrap();
        assert_eq!(q.get(a).unwrap().state, EntryState::Cancelled);
    }

    #[test]
    fn retry_requeues_failed_only() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 1));
        assert!(q.retry(a).is_err());
        q.start_ready();
        q.finish(a, Err(UploadError::Network("x".into()))).unwrap();
        q.retry(a).unwrap();
        assert_eq!(q.start_ready(), vec![a]);
    }

    #[test]
    fn remove_keeps_running_uploads() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        q.start_ready();
        assert!(!q.remove(a));
        assert!(q.remove(b));
        assert_eq!(q.entries().len(), 1);
        assert!(!q.remove(EntryId(99)));
    }

    #[test]
    fn total_progress_sums_live_files() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 100));
        let b = q.add(file("b", 50));
        let c = q.add(file("c", 7));
        q.cancel(c).unwrap();
        q.start_ready();
        q.progress(a, 40, 100).unwrap();
        assert_eq!(q.total_progress(), (40, 150));
        q.finish(a, Ok(attachment("1"))).unwrap();
        assert_eq!(q.total_progress(), (100, 150));
        let _ = b;
    }
}
