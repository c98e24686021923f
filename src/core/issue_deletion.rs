//! Deleting a finished upload from the issue it went onto (the row's
//! "Delete from issue", Tracker T6 or Jira J6): where each row's deletion
//! stands. Deleting is destructive, so the row's first click only asks to
//! confirm; a failure leaves the file on the issue and the row as it was,
//! saying why, and the deletion may be asked for again.

use std::collections::{HashMap, HashSet};

use super::{EntryId, UploadError};

/// One row's deletion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deletion {
    /// Asked once: the row asks to confirm. `failed` is the failure the
    /// row showed before, shown again if the user keeps the file.
    Confirming { failed: Option<UploadError> },
    /// The request is out: the row's buttons wait for its answer.
    Deleting,
    /// The server took the file off (or it was gone already): the row
    /// leaves the list.
    Deleted,
    /// The file is still on the issue ([`UploadError::NotDeleted`]).
    Failed(UploadError),
}

impl Deletion {
    /// Short name, for the row's `data-deletion` attribute.
    pub fn name(&self) -> &'static str {
        match self {
            Deletion::Confirming { .. } => "confirming",
            Deletion::Deleting => "deleting",
            Deletion::Deleted => "deleted",
            Deletion::Failed(_) => "failed",
        }
    }

    /// The failure the row shows: the deletion's, kept while the row asks
    /// again.
    pub fn failure(&self) -> Option<&UploadError> {
        match self {
            Deletion::Failed(error)
            | Deletion::Confirming {
                failed: Some(error),
            } => Some(error),
            _ => None,
        }
    }
}

/// The deletions of a widget's rows; a row with none is as it finished.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deletions {
    rows: HashMap<EntryId, Deletion>,
}

impl Deletions {
    pub fn get(&self, id: EntryId) -> Option<&Deletion> {
        self.rows.get(&id)
    }

    /// Whether the row waits for the server (its buttons do nothing).
    pub fn is_running(&self, id: EntryId) -> bool {
        matches!(
            self.rows.get(&id),
            Some(Deletion::Deleting | Deletion::Deleted)
        )
    }

    /// The row's first click: it asks to confirm. `false` (nothing
    /// changes) while it already asks, or the deletion runs.
    pub fn ask(&mut self, id: EntryId) -> bool {
        let failed = match self.rows.get(&id) {
            None => None,
            Some(Deletion::Failed(error)) => Some(error.clone()),
            Some(_) => return false,
        };
        self.rows.insert(id, Deletion::Confirming { failed });
        true
    }

    /// The user keeps the file: the row is as before it asked. `false`
    /// when it was not asking.
    pub fn keep(&mut self, id: EntryId) -> bool {
        let Some(Deletion::Confirming { failed }) = self.rows.get(&id) else {
            return false;
        };
        match failed.clone() {
            Some(error) => self.rows.insert(id, Deletion::Failed(error)),
            None => self.rows.remove(&id),
        };
        true
    }

    /// Starts deleting (confirmed in the row, or asked for by the host,
    /// who confirms in its own way). Refused while a deletion of the row
    /// runs: one request per file.
    pub fn start(&mut self, id: EntryId) -> Result<(), UploadError> {
        if self.is_running(id) {
            return Err(UploadError::DeleteRunning);
        }
        self.rows.insert(id, Deletion::Deleting);
        Ok(())
    }

    /// The server's answer to the deletion `start` began: the row is
    /// deleted, or stays with the failure as [`UploadError::NotDeleted`],
    /// which is also what is returned. A row forgotten meanwhile (the
    /// widget cleared) gets no entry again.
    pub fn finish(
        &mut self,
        id: EntryId,
        outcome: Result<(), UploadError>,
    ) -> Result<(), UploadError> {
        let outcome = outcome.map_err(|reason| match reason {
            already @ UploadError::NotDeleted(_) => already,
            reason => UploadError::NotDeleted(Box::new(reason)),
        });
        if let Some(row) = self.rows.get_mut(&id) {
            if *row == Deletion::Deleting {
                *row = match &outcome {
                    Ok(()) => Deletion::Deleted,
                    Err(error) => Deletion::Failed(error.clone()),
                };
            }
        }
        outcome
    }

    /// Drops the rows of `gone` (removed from the list); `false` when none
    /// of them had a deletion, so that nothing watching needs waking.
    pub fn forget(&mut self, gone: &HashSet<EntryId>) -> bool {
        let before = self.rows.len();
        self.rows.retain(|id, _| !gone.contains(id));
        self.rows.len() != before
    }

    pub fn clear(&mut self) {
        self.rows.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: EntryId = EntryId(7);

    fn refused() -> UploadError {
        UploadError::Http {
            status: 403,
            message: "No rights".into(),
        }
    }

    #[test]
    fn the_first_click_asks_and_keep_goes_back() {
        let mut deletions = Deletions::default();
        assert!(deletions.ask(ROW));
        assert_eq!(
            deletions.get(ROW),
            Some(&Deletion::Confirming { failed: None })
        );
        // A second click on the same prompt changes nothing.
        assert!(!deletions.ask(ROW));
        assert!(deletions.keep(ROW));
        assert_eq!(deletions.get(ROW), None);
        assert!(deletions.is_empty());
        // Nothing to keep when nothing was asked.
        assert!(!deletions.keep(ROW));
    }

    #[test]
    fn a_confirmed_deletion_runs_once_and_ends_deleted() {
        let mut deletions = Deletions::default();
        deletions.ask(ROW);
        assert_eq!(deletions.start(ROW), Ok(()));
        assert!(deletions.is_running(ROW));
        // Neither a second request nor a prompt while it runs.
        assert_eq!(deletions.start(ROW), Err(UploadError::DeleteRunning));
        assert!(!deletions.ask(ROW));
        assert!(!deletions.keep(ROW));
        assert_eq!(deletions.finish(ROW, Ok(())), Ok(()));
        assert_eq!(deletions.get(ROW), Some(&Deletion::Deleted));
        assert!(deletions.is_running(ROW));
    }

    #[test]
    fn a_failure_stays_on_the_row_and_may_be_tried_again() {
        let mut deletions = Deletions::default();
        // The host's call needs no prompt.
        assert_eq!(deletions.start(ROW), Ok(()));
        let not_deleted = UploadError::NotDeleted(Box::new(refused()));
        assert_eq!(
            deletions.finish(ROW, Err(refused())),
            Err(not_deleted.clone())
        );
        assert_eq!(
            deletions.get(ROW),
            Some(&Deletion::Failed(not_deleted.clone()))
        );
        assert!(!deletions.is_running(ROW));
        // Asked again: Keep shows the failure again.
        assert!(deletions.ask(ROW));
        assert!(deletions.keep(ROW));
        assert_eq!(
            deletions.get(ROW),
            Some(&Deletion::Failed(not_deleted.clone()))
        );
        // Confirmed again: it runs, and this time succeeds.
        assert!(deletions.ask(ROW));
        assert_eq!(deletions.start(ROW), Ok(()));
        assert_eq!(deletions.finish(ROW, Ok(())), Ok(()));
        assert_eq!(deletions.get(ROW), Some(&Deletion::Deleted));
    }

    #[test]
    fn a_reason_is_wrapped_once() {
        let mut deletions = Deletions::default();
        deletions.start(ROW).unwrap();
        let wrapped = UploadError::NotDeleted(Box::new(refused()));
        assert_eq!(deletions.finish(ROW, Err(wrapped.clone())), Err(wrapped));
    }

    #[test]
    fn a_row_forgotten_meanwhile_is_not_brought_back() {
        let mut deletions = Deletions::default();
        deletions.start(ROW).unwrap();
        deletions.start(EntryId(8)).unwrap();
        assert!(deletions.forget(&HashSet::from([ROW])));
        assert!(!deletions.forget(&HashSet::from([ROW])));
        // The answer still tells the caller how it went.
        assert!(deletions.finish(ROW, Err(refused())).is_err());
        assert_eq!(deletions.get(ROW), None);
        deletions.clear();
        assert_eq!(deletions.finish(EntryId(8), Ok(())), Ok(()));
        assert!(deletions.is_empty());
    }
}
