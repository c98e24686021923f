//! A count of requests waiting for something right now, kept for a test
//! hook (`Config::assembly_waiters`, `Config::credential_check_waiters`,
//! `Config::credential_slot_waiters`):
//! a test can then tell that a request reached a wait rather than guess
//! from how long it took.

use std::sync::atomic::{AtomicUsize, Ordering};

/// One request counted as waiting for as long as this lives, however its
/// wait ends (its client may go away and drop it).
pub struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    pub fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
