//! Files arriving in their thousands (one drop of 10,000) are listed a slice
//! at a time, one slice per browser task, so the page stays responsive. The
//! slices keep arrival order across drops: a second drop waits behind the
//! rest of the first, so restrictions (duplicates, the file limit) judge
//! every file after all earlier ones, exactly as one big batch would.

use std::collections::VecDeque;

/// Files listed per task: a slice of this size takes a few milliseconds.
pub const INTAKE_SLICE: usize = 250;

/// The files waiting to be listed, in arrival order.
#[derive(Debug)]
pub struct Intake<T> {
    pending: VecDeque<T>,
    slice: usize,
    draining: bool,
}

impl<T> Default for Intake<T> {
    fn default() -> Self {
        Self::new(INTAKE_SLICE)
    }
}

impl<T> Intake<T> {
    /// An intake handing out at most `slice` files at a time (at least one).
    pub fn new(slice: usize) -> Self {
        Self {
            pending: VecDeque::new(),
            slice: slice.max(1),
            draining: false,
        }
    }

    /// Queues `files` behind everything pending. Returns `true` when the
    /// caller must start draining (nothing was being drained); otherwise
    /// the running drain takes them in turn.
    #[must_use]
    pub fn push(&mut self, files: impl IntoIterator<Item = T>) -> bool {
        self.pending.extend(files);
        if self.draining || self.pending.is_empty() {
            return false;
        }
        self.draining = true;
        true
    }

    /// The next slice to list, oldest first; `None` ends the drain (a later
    /// [`push`](Self::push) starts a new one).
    pub fn next_slice(&mut self) -> Option<Vec<T>> {
        if self.pending.is_empty() {
            self.draining = false;
            return None;
        }
        let n = self.slice.min(self.pending.len());
        Some(self.pending.drain(..n).collect())
    }

    /// Whether a drain is under way: from the [`push`](Self::push) that
    /// started it until [`next_slice`](Self::next_slice) finds nothing.
    pub fn is_draining(&self) -> bool {
        self.draining
    }

    /// Whether everything waiting fits in one slice (a small drop, listed
    /// in the task that brought it).
    pub fn fits_one_slice(&self) -> bool {
        self.pending.len() <= self.slice
    }

    /// Drops every waiting file (the widget was cleared); a running drain
    /// ends at its next slice.
    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain<T>(intake: &mut Intake<T>) -> Vec<Vec<T>> {
        std::iter::from_fn(|| intake.next_slice()).collect()
    }

    #[test]
    fn slices_keep_arrival_order_and_size() {
        let mut intake = Intake::new(3);
        assert!(intake.push(1..=7));
        assert!(intake.is_draining());
        assert_eq!(
            drain(&mut intake),
            vec![vec![1, 2, 3], vec![4, 5, 6], vec![7]]
        );
        assert!(!intake.is_draining());
    }

    #[test]
    fn a_second_drop_waits_behind_the_first() {
        let mut intake = Intake::new(2);
        assert!(intake.push([1, 2, 3]));
        assert_eq!(intake.next_slice(), Some(vec![1, 2]));
        // The drain is running: no second one starts.
        assert!(!intake.push([4, 5]));
        assert_eq!(drain(&mut intake), vec![vec![3, 4], vec![5]]);
        // Drained: the next drop starts a new drain.
        assert!(intake.push([6]));
        assert_eq!(drain(&mut intake), vec![vec![6]]);
    }

    #[test]
    fn nothing_to_take_starts_nothing() {
        let mut intake: Intake<u8> = Intake::new(0);
        assert!(!intake.push([]));
        assert!(intake.push([9, 8]));
        assert!(!intake.fits_one_slice());
        assert_eq!(intake.next_slice(), Some(vec![9]));
        intake.clear();
        assert_eq!(intake.next_slice(), None);
        assert!(intake.push([7]));
        assert!(intake.fits_one_slice());
    }
}
