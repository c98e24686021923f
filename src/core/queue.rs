use std::collections::HashSet;
use std::fmt;

use super::{
    host_refusal, Attachment, FileMeta, HostVerdict, ListedFiles, Refusal, Restrictions,
    RetryDecision, RetryPolicy, UploadError,
};

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
    Uploading {
        sent: u64,
        total: u64,
    },
    /// Waiting to try again after `error`; `attempt` tries have failed.
    Retrying {
        attempt: u32,
        at_ms: f64,
        error: UploadError,
    },
    Done {
        attachment: Attachment,
    },
    Failed {
        error: UploadError,
    },
    Cancelled,
    /// Never sent: it broke a restriction on arrival.
    Refused {
        reason: Refusal,
    },
}

impl EntryState {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            EntryState::Done { .. }
                | EntryState::Failed { .. }
                | EntryState::Cancelled
                | EntryState::Refused { .. }
        )
    }

    /// Failed after the whole file went to an issue, with the answer lost
    /// ([`UploadError::AnswerLost`]): the file may be there already.
    pub fn is_answer_lost(&self) -> bool {
        matches!(
            self,
            EntryState::Failed {
                error: UploadError::AnswerLost(_)
            }
        )
    }

    /// Failed with the file known not to be on the server: what "Retry
    /// all" sends again. A lost answer asks the user to check the issue
    /// first (sending it again unasked could attach it twice), so only the
    /// row's own Retry takes it; a file the browser no longer reads
    /// ([`UploadError::FileChanged`]) would only fail again.
    pub fn is_failed_for_sure(&self) -> bool {
        matches!(self, EntryState::Failed { .. }) && !self.is_answer_lost() && !self.is_unreadable()
    }

    /// Failed because the browser no longer reads the file: it is to be
    /// added again, not retried.
    pub fn is_unreadable(&self) -> bool {
        matches!(
            self,
            EntryState::Failed {
                error: UploadError::FileChanged
            }
        )
    }

    /// Short name, for `data-state` attributes and error reports.
    pub fn name(&self) -> &'static str {
        match self {
            EntryState::Queued => "queued",
            EntryState::Uploading { .. } => "uploading",
            EntryState::Retrying { .. } => "retrying",
            EntryState::Done { .. } => "done",
            EntryState::Failed { .. } => "failed",
            EntryState::Cancelled => "cancelled",
            EntryState::Refused { .. } => "refused",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    pub file: FileMeta,
    pub state: EntryState,
    /// Failed tries of the current run (reset by a manual retry).
    pub attempts: u32,
    /// Counts the times this entry was started. A request's answer is
    /// recorded only if it belongs to the current run: after a cancel and a
    /// retry, the cancelled request's late answer must not touch the new one.
    pub run: u64,
    /// The request carrying it while it uploads; the files of one batch
    /// share it.
    pub request: u64,
    /// Cancelled too late: the server kept it (taking it back failed, or
    /// could not be confirmed). It is on the issue all the same, so the
    /// restrictions count it as listed.
    pub left_on_server: bool,
    /// Bytes of the file the server has confirmed holding, of an upload
    /// that resumes where it stopped (Flow's parts, never the last): they
    /// count as sent while the file waits (offline, for a retry), and its
    /// next run shows no less. Set by [`UploadQueue::hold`] only.
    pub held: u64,
    /// Goes in a request of its own, never batched: its batch was refused
    /// whole (413) for what one file of it was, and each file is to be
    /// answered for itself. Set by [`UploadQueue::requeue_alone`] only.
    pub alone: bool,
}

/// How many files, and how many bytes, one request may carry. A file larger
/// than `bytes` still goes, alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchLimit {
    pub files: usize,
    pub bytes: u64,
}

impl BatchLimit {
    /// One file per request: every API but a batching Jira.
    pub const SINGLE: Self = Self {
        files: 1,
        bytes: u64::MAX,
    };
}

/// A state change the queue refused, e.g. a late progress event for a file
/// the user already cancelled. Callers drop these: they are expected races.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IllegalTransition {
    pub id: EntryId,
    pub from: &'static str,
    pub to: &'static str,
}

/// Whether a file in `state` takes a place in the list that restrictions
/// count (duplicates, `max_files`, total size): not once it was refused,
/// cancelled or failed.
fn state_counts(state: &EntryState) -> bool {
    !matches!(
        state,
        EntryState::Refused { .. } | EntryState::Cancelled | EntryState::Failed { .. }
    )
}

/// Whether `entry` takes a place in the list that restrictions count: by
/// its state, or because the server kept it after all.
fn counts_against_restrictions(entry: &Entry) -> bool {
    entry.left_on_server || state_counts(&entry.state)
}

fn state_name(state: &EntryState) -> &'static str {
    state.name()
}

/// The whole list at a glance, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueSummary {
    /// Files uploaded.
    pub done: usize,
    /// Files that count: all but refused and cancelled ones.
    pub counted: usize,
    /// Whether anything is queued, uploading or waiting to retry.
    pub running: bool,
    /// Bytes sent of the files counted (a failed file's none).
    pub sent: u64,
    /// Bytes of the files counted: the same files as `counted`, so that
    /// the line's two figures never disagree.
    pub total: u64,
    /// Bytes still to send of the files that will be sent without the
    /// user (not the failed ones): what the time left is reckoned from.
    pub left: u64,
    /// Whether a file uploading has bytes still to go out: not while every
    /// file waits to retry, or is sent and waits for its answer.
    pub sending: bool,
    /// Whether any file is uploading (its bytes going out, or sent and
    /// its answer awaited).
    pub uploading: bool,
}

/// Files in arrival order and what is happening to each. The queue decides
/// which file starts next under the concurrency limit; the browser layer only
/// reports back what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct UploadQueue {
    entries: Vec<Entry>,
    next_id: u64,
    concurrency: usize,
    restrictions: Restrictions,
    retry: RetryPolicy,
    /// Running totals over `entries`, kept in step with every state change:
    /// the summary line and the speed figure read them on every progress
    /// event, and a scan of 10,000 entries per event made uploads quadratic.
    tally: Tally,
    /// Requests in flight, each with how many of its files still upload.
    /// The concurrency limit counts requests: a Jira batch of sixty small
    /// files is one of them.
    in_flight: Vec<(u64, usize)>,
    next_request: u64,
    /// No entry before this index is queued or waiting to retry, so
    /// [`Self::start_ready`] starts its search here rather than at the front
    /// of a list whose first thousands are done.
    scan_from: usize,
    /// Whether the browser says it is online. While it is not, nothing
    /// starts, and a connection failure puts its file back in line
    /// without spending a try: an outage longer than the retries' few
    /// seconds would otherwise fail every file.
    online: bool,
    /// Counts [`Self::forget_held`]s: a run started before the last one
    /// speaks of another upload, and its [`Self::hold`]s are dropped.
    held_epoch: u64,
}

/// Counts and bytes over the entries, by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally {
    queued: usize,
    uploading: usize,
    retrying: usize,
    done: usize,
    failed: usize,
    /// Of `failed`, those "Retry all" leaves: the answer was lost after
    /// the whole file went to an issue ([`UploadError::AnswerLost`]: the
    /// file may be there), or the browser no longer reads the file.
    lost: usize,
    refused: usize,
    sent: u64,
    total: u64,
    /// Sizes of the files in `failed`: the summary counts those files, so
    /// it counts their bytes too, as not sent.
    failed_bytes: u64,
    /// Files uploading with bytes still to go out.
    sending: usize,
}

impl Tally {
    /// What one entry of `size` bytes in `state` adds: bytes sent and bytes
    /// to send count for files that have not been cancelled, refused or
    /// failed; finished files count in full, and waiting ones the bytes the
    /// server holds of them.
    fn share(size: u64, held: u64, state: &EntryState) -> (u64, u64) {
        match state {
            EntryState::Queued | EntryState::Retrying { .. } => (held.min(size), size),
            EntryState::Uploading { sent, total } => (*sent, *total),
            EntryState::Done { .. } => (size, size),
            EntryState::Failed { .. } | EntryState::Cancelled | EntryState::Refused { .. } => {
                (0, 0)
            }
        }
    }

    fn counter(&mut self, state: &EntryState) -> Option<&mut usize> {
        match state {
            EntryState::Queued => Some(&mut self.queued),
            EntryState::Uploading { .. } => Some(&mut self.uploading),
            EntryState::Retrying { .. } => Some(&mut self.retrying),
            EntryState::Done { .. } => Some(&mut self.done),
            EntryState::Failed { .. } => Some(&mut self.failed),
            EntryState::Refused { .. } => Some(&mut self.refused),
            EntryState::Cancelled => None,
        }
    }

    fn add(&mut self, size: u64, held: u64, state: &EntryState) {
        if let Some(n) = self.counter(state) {
            *n += 1;
        }
        if state.is_answer_lost() || state.is_unreadable() {
            self.lost += 1;
        }
        if matches!(state, EntryState::Failed { .. }) {
            self.failed_bytes = self.failed_bytes.saturating_add(size);
        }
        if Self::is_sending(state) {
            self.sending += 1;
        }
        let (sent, total) = Self::share(size, held, state);
        self.sent = self.sent.saturating_add(sent);
        self.total = self.total.saturating_add(total);
    }

    fn is_sending(state: &EntryState) -> bool {
        matches!(state, EntryState::Uploading { sent, total } if sent < total)
    }

    fn remove(&mut self, size: u64, held: u64, state: &EntryState) {
        if let Some(n) = self.counter(state) {
            *n = n.saturating_sub(1);
        }
        if state.is_answer_lost() || state.is_unreadable() {
            self.lost = self.lost.saturating_sub(1);
        }
        if matches!(state, EntryState::Failed { .. }) {
            self.failed_bytes = self.failed_bytes.saturating_sub(size);
        }
        if Self::is_sending(state) {
            self.sending = self.sending.saturating_sub(1);
        }
        let (sent, total) = Self::share(size, held, state);
        self.sent = self.sent.saturating_sub(sent);
        self.total = self.total.saturating_sub(total);
    }

    /// The same figures counted from scratch (tests check the running ones
    /// against it).
    #[cfg(test)]
    fn of(entries: &[Entry]) -> Self {
        let mut tally = Self::default();
        for e in entries {
            tally.add(e.file.size, e.held, &e.state);
        }
        tally
    }
}

/// One file of `request` stopped uploading; the request is over when none
/// of its files still uploads.
fn release(in_flight: &mut Vec<(u64, usize)>, request: u64) {
    if let Some(i) = in_flight.iter().position(|(r, _)| *r == request) {
        in_flight[i].1 = in_flight[i].1.saturating_sub(1);
        if in_flight[i].1 == 0 {
            in_flight.swap_remove(i);
        }
    }
}

/// What a manual retry takes: a file that failed for good or was cancelled.
fn is_retryable(state: &EntryState) -> bool {
    matches!(state, EntryState::Failed { .. } | EntryState::Cancelled)
}

/// Whether an entry may still be started (now or when its retry is due).
fn is_waiting(state: &EntryState) -> bool {
    matches!(state, EntryState::Queued | EntryState::Retrying { .. })
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
            restrictions: Restrictions::default(),
            retry: RetryPolicy::default(),
            tally: Tally::default(),
            in_flight: Vec::new(),
            next_request: 0,
            scan_from: 0,
            online: true,
            held_epoch: 0,
        }
    }

    pub fn with_restrictions(mut self, restrictions: Restrictions) -> Self {
        self.restrictions = restrictions;
        self
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn restrictions(&self) -> &Restrictions {
        &self.restrictions
    }

    /// New settings from the host (an attribute changed): the limit governs
    /// the next starts and the restrictions the next arrivals; uploads
    /// already running and files already listed keep going as they were.
    pub fn reconfigure(
        &mut self,
        concurrency: usize,
        restrictions: Restrictions,
        retry: RetryPolicy,
    ) {
        self.concurrency = concurrency.max(1);
        self.restrictions = restrictions;
        self.retry = retry;
    }

    /// What the finished uploads stored, in list order, but those of the
    /// rows `except` names (the kept list's, after a switch of mode).
    pub fn done_attachments_except(&self, except: &HashSet<EntryId>) -> Vec<Attachment> {
        self.entries
            .iter()
            .filter(|e| !except.contains(&e.id))
            .filter_map(|e| match &e.state {
                EntryState::Done { attachment } => Some(attachment.clone()),
                _ => None,
            })
            .collect()
    }

    /// What every finished upload stored, in list order.
    pub fn done_attachments(&self) -> Vec<Attachment> {
        self.entries
            .iter()
            .filter_map(|e| match &e.state {
                EntryState::Done { attachment } => Some(attachment.clone()),
                _ => None,
            })
            .collect()
    }

    /// Lists a file: queued when it passes the restrictions, refused (with
    /// the reason, so the row can say why) when it does not.
    pub fn add(&mut self, file: FileMeta) -> EntryId {
        self.add_all(vec![file])[0]
    }

    /// Lists a batch (a drop, a paste): the files already listed are
    /// gathered once for the whole batch, not once per file.
    pub fn add_all(&mut self, files: Vec<FileMeta>) -> Vec<EntryId> {
        self.add_all_beside(files, &[])
    }

    /// [`Self::add_all`] with `kept`, the attachments uploaded and kept for
    /// an issue, counted as listed too where no row stands for them: after
    /// a reload, `max_files` and the duplicate check still see them.
    pub fn add_all_beside(&mut self, files: Vec<FileMeta>, kept: &[Attachment]) -> Vec<EntryId> {
        let taken = files.into_iter().map(|file| (file, Ok(())));
        self.add_checked_beside(taken.collect(), kept)
    }

    /// [`Self::add_all_beside`] for files the host's check has judged
    /// already, each with its verdict. A file the host refuses is refused
    /// before the restrictions look at it, so it takes no place under
    /// `max_files` or `max_total_size`.
    pub fn add_checked_beside(
        &mut self,
        files: Vec<(FileMeta, HostVerdict)>,
        kept: &[Attachment],
    ) -> Vec<EntryId> {
        let mut listed = self.listed_beside(&|_| false, kept);
        let mut ids = Vec::with_capacity(files.len());
        for (file, verdict) in files {
            let checked = match host_refusal(verdict) {
                Some(refusal) => Err(refusal),
                None => self.restrictions.check_listed(&file, &listed),
            };
            let state = match checked {
                Ok(()) => EntryState::Queued,
                Err(reason) => EntryState::Refused { reason },
            };
            if state_counts(&state) {
                listed.push(&file);
            }
            let id = EntryId(self.next_id);
            self.next_id += 1;
            self.tally.add(file.size, 0, &state);
            self.entries.push(Entry {
                id,
                file,
                state,
                attempts: 0,
                run: 0,
                request: 0,
                left_on_server: false,
                held: 0,
                alone: false,
            });
            ids.push(id);
        }
        ids
    }

    /// The id the next file added will get (ids only grow).
    pub fn next_id(&self) -> EntryId {
        EntryId(self.next_id)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The row that finished as the attachment `attachment_id`.
    pub fn finished_as(&self, attachment_id: &str) -> Option<EntryId> {
        self.entries.iter().find_map(|e| match &e.state {
            EntryState::Done { attachment } if attachment.id == attachment_id => Some(e.id),
            _ => None,
        })
    }

    /// Ids are handed out in increasing order and entries keep arrival
    /// order, so a binary search finds one: rows look themselves up on every
    /// change, and a linear scan made a 10,000-file list quadratic.
    pub fn get(&self, id: EntryId) -> Option<&Entry> {
        self.index_of(id).map(|i| &self.entries[i])
    }

    fn index_of(&self, id: EntryId) -> Option<usize> {
        self.entries.binary_search_by_key(&id, |e| e.id).ok()
    }

    fn get_mut(&mut self, id: EntryId) -> Option<&mut Entry> {
        self.index_of(id).map(|i| &mut self.entries[i])
    }

    /// Whether the queue takes the browser to be online (see
    /// [`Self::set_online`]).
    pub fn is_online(&self) -> bool {
        self.online
    }

    /// Records that the browser went offline or came back, and returns the
    /// files this put back in line. Going offline, a retry waiting after a
    /// connection failure goes back in line with its tries kept: it now
    /// waits for the connection, not for a time. Back online, the files in
    /// line are due at once, paced by the concurrency limit as ever; the
    /// caller pumps.
    pub fn set_online(&mut self, online: bool) -> Vec<EntryId> {
        let mut moved = Vec::new();
        if self.online == online {
            return moved;
        }
        self.online = online;
        if online || self.tally.retrying == 0 {
            return moved;
        }
        // One pass per change of connectivity, from the first waiting file.
        let from = self.scan_from.min(self.entries.len());
        for entry in &mut self.entries[from..] {
            if let EntryState::Retrying { error, .. } = &entry.state {
                if error.waits_for_network() {
                    self.tally.remove(entry.file.size, entry.held, &entry.state);
                    entry.state = EntryState::Queued;
                    self.tally.add(entry.file.size, entry.held, &entry.state);
                    moved.push(entry.id);
                }
            }
        }
        moved
    }

    /// Whether `error`, ending an upload now, puts its file back in line
    /// to wait for the connection (see [`Self::finish_at`]).
    pub fn holds_for_network(&self, error: &UploadError) -> bool {
        !self.online && error.waits_for_network()
    }

    /// Requests in flight (a batch counts once).
    pub fn active_count(&self) -> usize {
        self.in_flight.len()
    }

    /// Starts every queued file (and every retry whose time has come) that
    /// the concurrency limit allows, oldest first, one request each, and
    /// returns their ids for the caller to send.
    pub fn start_ready(&mut self, now_ms: f64) -> Vec<EntryId> {
        self.start_batches(now_ms, BatchLimit::SINGLE)
            .into_iter()
            .flatten()
            .collect()
    }

    /// Starts as many requests as the limit allows, each carrying the next
    /// ready files in list order up to `limit`, and returns each request's
    /// files for the caller to send together.
    pub fn start_batches(&mut self, now_ms: f64, limit: BatchLimit) -> Vec<Vec<EntryId>> {
        let free = self.concurrency.saturating_sub(self.active_count());
        let mut batches: Vec<Vec<EntryId>> = Vec::new();
        // Offline, a request could only fail.
        if !self.online || free == 0 || self.tally.queued + self.tally.retrying == 0 {
            return batches;
        }
        let max_files = limit.files.max(1);
        let mut batch_bytes = 0u64;
        // Whether the batch being filled holds a file that goes alone.
        let mut batch_alone = false;
        let from = self.scan_from.min(self.entries.len());
        // The first entry left waiting (not started, or not due yet).
        let mut first_waiting = None;
        for (offset, entry) in self.entries[from..].iter_mut().enumerate() {
            let ready = match &entry.state {
                EntryState::Queued => true,
                EntryState::Retrying { at_ms, .. } => *at_ms <= now_ms,
                _ => false,
            };
            if !ready {
                if is_waiting(&entry.state) {
                    first_waiting.get_or_insert(from + offset);
                }
                continue;
            }
            let fits = !entry.alone
                && !batch_alone
                && batches.last().is_some_and(|b| {
                    b.len() < max_files
                        && batch_bytes.saturating_add(entry.file.size) <= limit.bytes
                });
            if !fits {
                if batches.len() == free {
                    first_waiting.get_or_insert(from + offset);
                    break;
                }
                self.next_request += 1;
                self.in_flight.push((self.next_request, 0));
                batches.push(Vec::new());
                batch_bytes = 0;
                batch_alone = entry.alone;
            }
            self.tally.remove(entry.file.size, entry.held, &entry.state);
            // What the server holds is not shown going back to nothing.
            entry.state = EntryState::Uploading {
                sent: entry.held.min(entry.file.size),
                total: entry.file.size,
            };
            self.tally.add(entry.file.size, entry.held, &entry.state);
            entry.run += 1;
            entry.request = self.next_request;
            batch_bytes = batch_bytes.saturating_add(entry.file.size);
            if let (Some(batch), Some(request)) = (batches.last_mut(), self.in_flight.last_mut()) {
                batch.push(entry.id);
                request.1 += 1;
            }
        }
        self.scan_from = first_waiting.unwrap_or(self.entries.len());
        batches
    }

    /// Whether `run` is the entry's current run and it is still uploading:
    /// answers of any other run are stale and dropped.
    pub fn is_current(&self, id: EntryId, run: u64) -> bool {
        self.get(id)
            .is_some_and(|e| e.run == run && matches!(e.state, EntryState::Uploading { .. }))
    }

    /// The run an entry is on (0 before its first start).
    pub fn run_of(&self, id: EntryId) -> Option<u64> {
        self.get(id).map(|e| e.run)
    }

    /// When a waiting retry could start: the earliest due time, but only if a
    /// slot is free. With every slot busy, the end of a running upload pumps
    /// the queue anyway, so a timer would only spin; offline nothing starts,
    /// and coming back online pumps.
    pub fn next_wake_at(&self) -> Option<f64> {
        if !self.online || self.active_count() >= self.concurrency {
            return None;
        }
        self.next_retry_at()
    }

    fn transition(
        &mut self,
        id: EntryId,
        to: EntryState,
        allowed: impl Fn(&EntryState) -> bool,
    ) -> Result<(), IllegalTransition> {
        let index = self.index_of(id).ok_or(IllegalTransition {
            id,
            from: "absent",
            to: state_name(&to),
        })?;
        let entry = &mut self.entries[index];
        if !allowed(&entry.state) {
            return Err(IllegalTransition {
                id,
                from: state_name(&entry.state),
                to: state_name(&to),
            });
        }
        if matches!(entry.state, EntryState::Uploading { .. })
            && !matches!(to, EntryState::Uploading { .. })
        {
            release(&mut self.in_flight, entry.request);
        }
        let mut to = to;
        // A run starts from the bytes held (`Entry::held`) and does not show
        // less while its own count climbs through them again.
        if let EntryState::Uploading { sent, .. } = &mut to {
            *sent = (*sent).max(entry.held.min(entry.file.size));
        }
        self.tally.remove(entry.file.size, entry.held, &entry.state);
        self.tally.add(entry.file.size, entry.held, &to);
        if is_waiting(&to) {
            self.scan_from = self.scan_from.min(index);
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

    /// The server confirmed holding `bytes` of `id` (see [`Entry::held`]):
    /// what its latest look at the parts found, more or less than before.
    /// `epoch` is [`Self::held_epoch`] as the run started; a run started
    /// before the held bytes were last forgotten is not heard. `false`
    /// when there is no such entry or the run is stale.
    pub fn hold(&mut self, id: EntryId, bytes: u64, epoch: u64) -> bool {
        if epoch != self.held_epoch {
            return false;
        }
        let Some(entry) = self.index_of(id).map(|i| &mut self.entries[i]) else {
            return false;
        };
        self.tally.remove(entry.file.size, entry.held, &entry.state);
        entry.held = bytes.min(entry.file.size);
        self.tally.add(entry.file.size, entry.held, &entry.state);
        true
    }

    /// Forgets every byte held: the upload would not go on where it
    /// stopped (another mode, API or part size, other credentials).
    pub fn forget_held(&mut self) {
        self.held_epoch = self.held_epoch.wrapping_add(1);
        for entry in self.entries.iter_mut().filter(|e| e.held > 0) {
            self.tally.remove(entry.file.size, entry.held, &entry.state);
            entry.held = 0;
            self.tally.add(entry.file.size, 0, &entry.state);
        }
    }

    /// See [`Self::hold`].
    pub fn held_epoch(&self) -> u64 {
        self.held_epoch
    }

    /// When the earliest waiting retry is due, so the caller can set a timer.
    pub fn next_retry_at(&self) -> Option<f64> {
        if self.tally.retrying == 0 {
            return None;
        }
        self.entries
            .iter()
            .filter_map(|e| match e.state {
                EntryState::Retrying { at_ms, .. } => Some(at_ms),
                _ => None,
            })
            .reduce(f64::min)
    }

    /// Records the outcome of an upload that was running. A transient
    /// failure is retried per the [`RetryPolicy`]: `retry_after_ms` is the
    /// server's `Retry-After`, `random` a uniform draw in `[0, 1)`. A
    /// connection failure while offline spends no try: the file goes back
    /// in line, to start when the browser is back online.
    pub fn finish_at(
        &mut self,
        id: EntryId,
        outcome: Result<Attachment, UploadError>,
        now_ms: f64,
        retry_after_ms: Option<u64>,
        random: f64,
    ) -> Result<(), IllegalTransition> {
        let attempts = self.get(id).map_or(0, |e| e.attempts) + 1;
        let to = match outcome {
            Ok(attachment) => EntryState::Done { attachment },
            Err(UploadError::Cancelled) => EntryState::Cancelled,
            Err(error) if self.holds_for_network(&error) => EntryState::Queued,
            Err(error) => match self.retry.decide(attempts, &error, retry_after_ms, random) {
                RetryDecision::RetryIn(wait) => EntryState::Retrying {
                    attempt: attempts,
                    at_ms: now_ms + wait as f64,
                    error,
                },
                RetryDecision::GiveUp => EntryState::Failed { error },
            },
        };
        let failed = matches!(to, EntryState::Retrying { .. });
        self.transition(id, to, |s| matches!(s, EntryState::Uploading { .. }))?;
        if failed {
            if let Some(entry) = self.get_mut(id) {
                entry.attempts = attempts;
            }
        }
        Ok(())
    }

    /// [`Self::finish_at`] with retries off: for callers that retry
    /// themselves, and for tests.
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
            matches!(
                s,
                EntryState::Queued | EntryState::Uploading { .. } | EntryState::Retrying { .. }
            )
        })
    }

    /// Puts an uploading file back in line as if never started: a partner
    /// in a batch whose request stopped because another file in it was
    /// cancelled. Its failed tries stay counted.
    pub fn requeue(&mut self, id: EntryId) -> Result<(), IllegalTransition> {
        self.transition(id, EntryState::Queued, |s| {
            matches!(s, EntryState::Uploading { .. })
        })
    }

    /// A file waiting to try again goes back in line now (the row's "Retry
    /// now"), its tries counted as they were.
    pub fn retry_now(&mut self, id: EntryId) -> Result<(), IllegalTransition> {
        self.transition(id, EntryState::Queued, |s| {
            matches!(s, EntryState::Retrying { .. })
        })
    }

    /// [`Self::requeue`], the file to go alone from now on (see
    /// [`Entry::alone`]).
    pub fn requeue_alone(&mut self, id: EntryId) -> Result<(), IllegalTransition> {
        self.requeue(id)?;
        if let Some(entry) = self.get_mut(id) {
            entry.alone = true;
        }
        Ok(())
    }

    /// Records that the server kept cancelled `id` (see
    /// [`Entry::left_on_server`]); `false` when there is no such entry.
    pub fn mark_left_on_server(&mut self, id: EntryId) -> bool {
        self.get_mut(id)
            .map(|entry| entry.left_on_server = true)
            .is_some()
    }

    /// Puts a failed or cancelled file back in line, with a fresh count of
    /// automatic retries, if it passes the restrictions against the files
    /// listed now: it stopped counting when it failed, and the same file
    /// may have been dropped again since (a second copy on the issue), or
    /// the list filled up to `max_files`. Else it ends refused, saying why.
    pub fn retry(&mut self, id: EntryId) -> Result<(), IllegalTransition> {
        self.retry_beside(id, &[])
    }

    /// [`Self::retry`] with the kept attachments counted as in
    /// [`Self::add_all_beside`].
    pub fn retry_beside(
        &mut self,
        id: EntryId,
        kept: &[Attachment],
    ) -> Result<(), IllegalTransition> {
        match self.get(id) {
            Some(entry) if is_retryable(&entry.state) => {
                self.retry_all_beside(&[id], kept);
                Ok(())
            }
            entry => Err(IllegalTransition {
                id,
                from: entry.map_or("absent", |e| e.state.name()),
                to: "queued",
            }),
        }
    }

    /// [`Self::retry_beside`] for many files at once (the bulk "Retry all"
    /// of thousands), in list order, with the listed files gathered once:
    /// a file put back in line counts for the ones after it, as if each
    /// were retried in turn. Files not failed or cancelled are left alone.
    /// Returns the ids that changed.
    pub fn retry_all_beside(&mut self, ids: &[EntryId], kept: &[Attachment]) -> Vec<EntryId> {
        let mut indices: Vec<usize> = ids
            .iter()
            .filter_map(|id| self.index_of(*id))
            .filter(|&i| is_retryable(&self.entries[i].state))
            .collect();
        indices.sort_unstable();
        indices.dedup();
        // The files retried do not count against themselves: a cancelled
        // file the server kept counts as listed until it is retried.
        let retried: HashSet<EntryId> = indices.iter().map(|&i| self.entries[i].id).collect();
        let mut listed = self.listed_beside(&|id| retried.contains(&id), kept);
        let mut changed = Vec::with_capacity(indices.len());
        for index in indices {
            let entry = &self.entries[index];
            let id = entry.id;
            let to = match self.restrictions.check_listed(&entry.file, &listed) {
                Ok(()) => {
                    listed.push(&entry.file);
                    EntryState::Queued
                }
                Err(reason) => EntryState::Refused { reason },
            };
            let queued = to == EntryState::Queued;
            if self.transition(id, to, is_retryable).is_ok() {
                if queued {
                    self.entries[index].attempts = 0;
                }
                changed.push(id);
            }
        }
        changed
    }

    /// What the restrictions count as listed: every row that counts but
    /// those `except` names, and the attachments of `kept` no such row
    /// stands for.
    fn listed_beside(&self, except: &dyn Fn(EntryId) -> bool, kept: &[Attachment]) -> ListedFiles {
        let counted: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| !except(e.id) && counts_against_restrictions(e))
            .collect();
        let mut listed = ListedFiles::new(counted.iter().map(|e| &e.file));
        if !kept.is_empty() {
            let shown: HashSet<&str> = counted
                .iter()
                .filter_map(|e| match &e.state {
                    EntryState::Done { attachment } => Some(attachment.id.as_str()),
                    _ => None,
                })
                .collect();
            for attachment in kept {
                if shown.contains(attachment.id.as_str()) {
                    listed.push_kept_shown(attachment);
                } else {
                    listed.push_kept(attachment);
                }
            }
        }
        listed
    }

    /// Forgets a file that is no longer running. Returns whether it was there.
    pub fn remove(&mut self, id: EntryId) -> bool {
        self.remove_all(&[id]) == 1
    }

    /// Forgets every file of `ids` that is not running, in one pass over the
    /// list (clearing 10,000 rows one `remove` at a time is quadratic).
    /// Returns how many went.
    pub fn remove_all(&mut self, ids: &[EntryId]) -> usize {
        self.take_all(ids).len()
    }

    /// [`Self::remove_all`], returning the entries that went (their
    /// attachments, for the kept list).
    pub fn take_all(&mut self, ids: &[EntryId]) -> Vec<Entry> {
        let asked: HashSet<EntryId> = ids.iter().copied().collect();
        let (taken, kept): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|e| {
                asked.contains(&e.id) && !matches!(e.state, EntryState::Uploading { .. })
            });
        self.entries = kept;
        for e in &taken {
            self.tally.remove(e.file.size, e.held, &e.state);
        }
        if !taken.is_empty() {
            // Indices moved: search from the front once.
            self.scan_from = 0;
        }
        taken
    }

    /// The whole list at a glance, from running totals: no scan.
    pub fn summary(&self) -> QueueSummary {
        let t = &self.tally;
        QueueSummary {
            done: t.done,
            counted: t.queued + t.uploading + t.retrying + t.done + t.failed,
            running: t.queued + t.uploading + t.retrying > 0,
            sent: t.sent,
            total: t.total.saturating_add(t.failed_bytes),
            left: t.total.saturating_sub(t.sent),
            sending: t.sending > 0,
            uploading: t.uploading > 0,
        }
    }

    /// Files that failed for good (no retry left).
    pub fn failed_count(&self) -> usize {
        self.tally.failed
    }

    /// Of [`Self::failed_count`], the files known not to be on the server:
    /// all but those whose answer was lost after the whole file went to an
    /// issue, which the user should check before sending again.
    pub fn failed_for_sure_count(&self) -> usize {
        self.tally.failed.saturating_sub(self.tally.lost)
    }

    /// Files the restrictions refused.
    pub fn refused_count(&self) -> usize {
        self.tally.refused
    }

    /// Files queued, uploading or waiting to retry: what "Cancel all"
    /// stops.
    pub fn running_count(&self) -> usize {
        self.tally.queued + self.tally.uploading + self.tally.retrying
    }

    /// Those files' ids, the ones waiting (queued or waiting to retry)
    /// first: cancelled in this order, none of them starts in a slot a
    /// running one frees.
    pub fn running_ids_waiting_first(&self) -> Vec<EntryId> {
        let (running, waiting): (Vec<&Entry>, Vec<&Entry>) = self
            .entries
            .iter()
            .filter(|e| is_waiting(&e.state) || matches!(e.state, EntryState::Uploading { .. }))
            .partition(|e| matches!(e.state, EntryState::Uploading { .. }));
        waiting.iter().chain(&running).map(|e| e.id).collect()
    }

    /// Bytes sent and bytes to send over every file that has not been
    /// cancelled; finished files count in full.
    pub fn total_progress(&self) -> (u64, u64) {
        (self.tally.sent, self.tally.total)
    }

    /// Whether the running totals match a count from scratch (for tests).
    #[cfg(test)]
    pub(crate) fn totals_are_consistent(&self) -> bool {
        let mut requests: Vec<(u64, usize)> = Vec::new();
        for e in &self.entries {
            if matches!(e.state, EntryState::Uploading { .. }) {
                match requests.iter_mut().find(|(r, _)| *r == e.request) {
                    Some(request) => request.1 += 1,
                    None => requests.push((e.request, 1)),
                }
            }
        }
        let mut in_flight = self.in_flight.clone();
        requests.sort_unstable();
        in_flight.sort_unstable();
        requests == in_flight
            && self.tally == Tally::of(&self.entries)
            && self.entries[..self.scan_from.min(self.entries.len())]
                .iter()
                .all(|e| !is_waiting(&e.state))
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
    fn a_failure_whose_answer_was_lost_is_not_failed_for_sure() {
        let failed = |error| EntryState::Failed { error };
        let lost = failed(UploadError::AnswerLost(Box::new(UploadError::Network(
            "x".into(),
        ))));
        assert!(failed(UploadError::Network("x".into())).is_failed_for_sure());
        assert!(!lost.is_failed_for_sure());
        assert!(lost.is_answer_lost());
        // Nor is a file the browser no longer reads: it would fail again.
        assert!(!failed(UploadError::FileChanged).is_failed_for_sure());
        assert!(!EntryState::Cancelled.is_failed_for_sure());
    }

    #[test]
    fn starts_fifo_under_the_limit() {
        let mut q = UploadQueue::new(2);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        let c = q.add(file("c", 1));
        assert_eq!(q.start_ready(0.0), vec![a, b]);
        assert_eq!(q.start_ready(0.0), vec![]);
        q.finish(a, Ok(attachment("1"))).unwrap();
        assert_eq!(q.start_ready(0.0), vec![c]);
        assert_eq!(q.active_count(), 2);
    }

    #[test]
    fn batches_fill_up_to_the_file_and_byte_limits_and_count_once() {
        let mut q = UploadQueue::new(2);
        let ids: Vec<EntryId> = (0..7)
            .map(|i| q.add(file(&format!("f{i}"), if i == 4 { 50 } else { 10 })))
            .collect();
        let limit = BatchLimit {
            files: 3,
            bytes: 25,
        };
        // Two slots: two requests. The first takes two files (a third would
        // pass 25 bytes); the second starts with the 10-byte f2 and stops
        // before the 50-byte f4.
        assert_eq!(
            q.start_batches(0.0, limit),
            vec![vec![ids[0], ids[1]], vec![ids[2], ids[3]]]
        );
        assert_eq!(q.active_count(), 2);
        // One file of the first request done: that request is still on.
        q.finish(ids[0], Ok(attachment("1"))).unwrap();
        assert_eq!(q.start_batches(0.0, limit), Vec::<Vec<EntryId>>::new());
        // The other fails: the slot frees, and a file over the byte limit
        // still goes, alone.
        q.finish(ids[1], Err(UploadError::Network("reset".into())))
            .unwrap();
        assert_eq!(q.start_batches(0.0, limit), vec![vec![ids[4]]]);
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn what_cancel_all_stops_lists_the_waiting_first() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        let c = q.add(file("c", 1));
        let d = q.add(file("d", 1));
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.cancel(c).unwrap();
        // `a` uploads, `b` and `d` wait, `c` is cancelled already.
        assert_eq!(q.running_ids_waiting_first(), vec![b, d, a]);
        assert_eq!(q.running_count(), 3);
    }

    #[test]
    fn files_requeued_alone_go_one_per_request_and_others_still_batch() {
        let mut q = UploadQueue::new(4);
        let ids: Vec<EntryId> = (0..5).map(|i| q.add(file(&format!("f{i}"), 1))).collect();
        let limit = BatchLimit {
            files: 3,
            bytes: u64::MAX,
        };
        assert_eq!(
            q.start_batches(0.0, limit),
            vec![ids[..3].to_vec(), ids[3..].to_vec()]
        );
        // The first request was refused whole: its files go alone.
        for id in &ids[..3] {
            q.requeue_alone(*id).unwrap();
        }
        q.finish(ids[3], Ok(attachment("3"))).unwrap();
        q.finish(ids[4], Ok(attachment("4"))).unwrap();
        let six = q.add(file("f5", 1));
        let seven = q.add(file("f6", 1));
        assert_eq!(
            q.start_batches(0.0, limit),
            vec![vec![ids[0]], vec![ids[1]], vec![ids[2]], vec![six, seven]]
        );
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn a_file_waiting_to_retry_goes_now_keeping_its_tries() {
        let mut q = UploadQueue::new(1).with_retry_policy(RetryPolicy {
            base_ms: 600_000,
            cap_ms: 600_000,
            max_attempts: 5,
            max_retry_after_ms: 0,
        });
        let a = q.add(file("a", 1));
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.finish_at(a, Err(UploadError::Network("x".into())), 0.0, None, 0.0)
            .unwrap();
        assert!(matches!(
            q.get(a).unwrap().state,
            EntryState::Retrying { .. }
        ));
        assert_eq!(
            q.start_ready(1.0),
            Vec::<EntryId>::new(),
            "not due for minutes"
        );
        q.retry_now(a).unwrap();
        assert_eq!(q.start_ready(1.0), vec![a]);
        assert_eq!(q.get(a).unwrap().attempts, 1);
        assert!(q.retry_now(a).is_err(), "only a file waiting to retry");
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn a_requeued_partner_goes_back_in_line_keeping_its_tries() {
        let mut q = UploadQueue::new(1).with_retry_policy(RetryPolicy {
            base_ms: 10,
            cap_ms: 10,
            max_attempts: 5,
            max_retry_after_ms: 0,
        });
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        let limit = BatchLimit {
            files: 60,
            bytes: u64::MAX,
        };
        assert_eq!(q.start_batches(0.0, limit), vec![vec![a, b]]);
        q.finish_at(a, Err(UploadError::Network("x".into())), 0.0, None, 0.0)
            .unwrap();
        // `b` was in the same request; its partner's cancel stops it.
        q.requeue(b).unwrap();
        assert_eq!(q.get(b).unwrap().state, EntryState::Queued);
        assert_eq!(q.active_count(), 0);
        assert!(q.requeue(b).is_err(), "only an uploading file goes back");
        // The retry of `a` comes due; both go in one request again.
        assert_eq!(q.start_batches(100.0, limit), vec![vec![a, b]]);
        assert_eq!(q.get(a).unwrap().attempts, 1);
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn reconfigure_raises_the_limit_for_the_next_starts_and_checks_new_arrivals() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 10));
        let b = q.add(file("b", 10));
        let c = q.add(file("c", 10));
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.reconfigure(
            3,
            Restrictions {
                max_file_size: Some(5),
                ..Restrictions::default()
            },
            RetryPolicy::default(),
        );
        assert_eq!(q.start_ready(0.0), vec![b, c]);
        let d = q.add(file("d", 10));
        assert!(matches!(
            q.get(d).map(|e| &e.state),
            Some(EntryState::Refused { .. })
        ));
        q.finish(a, Ok(attachment("1"))).unwrap();
        q.finish(c, Ok(attachment("3"))).unwrap();
        assert_eq!(
            q.done_attachments()
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>(),
            ["1", "3"]
        );
    }

    #[test]
    fn zero_concurrency_still_makes_progress() {
        let mut q = UploadQueue::new(0);
        let a = q.add(file("a", 1));
        assert_eq!(q.start_ready(0.0), vec![a]);
    }

    #[test]
    fn every_entry_ends_in_one_terminal_state() {
        let mut q = UploadQueue::new(3);
        let ok = q.add(file("ok", 5));
        let bad = q.add(file("bad", 5));
        let gone = q.add(file("gone", 5));
        q.start_ready(0.0);
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
        q.start_ready(0.0);
        q.finish(a, Err(UploadError::Cancelled)).unwrap();
        assert_eq!(q.get(a).unwrap().state, EntryState::Cancelled);
    }

    #[test]
    fn retry_requeues_failed_only() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 1));
        assert!(q.retry(a).is_err());
        q.start_ready(0.0);
        q.finish(a, Err(UploadError::Network("x".into()))).unwrap();
        q.retry(a).unwrap();
        assert_eq!(q.start_ready(0.0), vec![a]);
    }

    #[test]
    fn a_retry_is_checked_against_the_files_listed_since() {
        let mut q = UploadQueue::new(1);
        let first = q.add(file("report.pdf", 10));
        q.cancel(first).unwrap();
        // The same file again: the cancelled row no longer counts.
        let again = q.add(file("report.pdf", 10));
        assert_eq!(q.get(again).unwrap().state, EntryState::Queued);
        // Retrying the first would upload it twice.
        q.retry(first).unwrap();
        assert_eq!(
            q.get(first).unwrap().state,
            EntryState::Refused {
                reason: Refusal::Duplicate
            }
        );
        assert_eq!(q.start_ready(0.0), vec![again]);
        assert_eq!(q.summary().counted, 1);
    }

    fn kept(id: &str, name: &str, size: u64) -> Attachment {
        Attachment {
            name: name.into(),
            size,
            ..attachment(id)
        }
    }

    #[test]
    fn take_all_hands_back_what_went_and_keeps_what_runs() {
        let mut q = UploadQueue::new(1);
        let done = q.add(file("done", 1));
        assert_eq!(q.start_ready(0.0), vec![done]);
        q.finish(done, Ok(attachment("t1"))).unwrap();
        let running = q.add(file("running", 1));
        assert_eq!(q.start_ready(0.0), vec![running]);
        let taken = q.take_all(&[done, running]);
        assert_eq!(taken.len(), 1);
        assert!(
            matches!(&taken[0].state, EntryState::Done { attachment } if attachment.id == "t1")
        );
        assert_eq!(q.entries().len(), 1);
        assert_eq!(q.entries()[0].id, running);
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn failed_count_counts_files_failed_for_good() {
        let mut q = UploadQueue::new(2);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        assert_eq!(q.start_ready(0.0), vec![a, b]);
        q.finish(a, Err(UploadError::Network("x".into()))).unwrap();
        q.finish(b, Ok(attachment("t"))).unwrap();
        assert_eq!(q.failed_count(), 1);
        q.retry(a).unwrap();
        assert_eq!(q.failed_count(), 0);
    }

    #[test]
    fn done_attachments_leave_out_the_rows_named() {
        let mut q = UploadQueue::new(2);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        q.add(file("c", 1));
        assert_eq!(q.start_ready(0.0), vec![a, b]);
        q.finish(a, Ok(attachment("t1"))).unwrap();
        q.finish(b, Ok(attachment("t2"))).unwrap();
        let ids = |list: Vec<Attachment>| list.into_iter().map(|x| x.id).collect::<Vec<_>>();
        assert_eq!(
            ids(q.done_attachments_except(&HashSet::new())),
            ["t1", "t2"]
        );
        assert_eq!(ids(q.done_attachments_except(&HashSet::from([a]))), ["t2"]);
    }

    #[test]
    fn kept_attachments_without_a_row_count_as_listed() {
        // After a reload: two kept, no rows.
        let restored = [kept("t1", "a.png", 10), kept("t2", "b.png", 20)];
        let mut q = UploadQueue::new(1).with_restrictions(Restrictions {
            max_files: Some(3),
            max_total_size: Some(45),
            ..Restrictions::default()
        });
        let ids = q.add_all_beside(
            vec![file("a.png", 10), file("c.png", 16), file("d.png", 1)],
            &restored,
        );
        let states: Vec<_> = ids
            .iter()
            .map(|id| q.get(*id).unwrap().state.clone())
            .collect();
        assert_eq!(
            states,
            [
                EntryState::Refused {
                    reason: Refusal::Duplicate
                },
                EntryState::Refused {
                    reason: Refusal::TotalTooLarge { max: 45 }
                },
                EntryState::Queued,
            ]
        );
        let more = q.add_all_beside(vec![file("e.png", 1)], &restored);
        assert_eq!(
            q.get(more[0]).unwrap().state,
            EntryState::Refused {
                reason: Refusal::TooManyFiles { max: 3 }
            }
        );
        // Without the kept list the same files pass.
        let mut free = UploadQueue::new(1);
        let id = free.add(file("a.png", 10));
        assert_eq!(free.get(id).unwrap().state, EntryState::Queued);
    }

    #[test]
    fn files_the_host_refuses_take_no_place_under_the_limits() {
        let mut q = UploadQueue::new(3).with_restrictions(Restrictions {
            max_files: Some(2),
            max_total_size: Some(100),
            max_file_size: Some(50),
            ..Restrictions::default()
        });
        let by_host = |reason: Option<&str>| EntryState::Refused {
            reason: Refusal::ByHost {
                reason: reason.map(str::to_owned),
            },
        };
        let ids = q.add_checked_beside(
            vec![
                (file("a.exe", 40), Err(Some("No programs".into()))),
                // Too large as well: the host's verdict is the one told.
                (file("huge.bin", 90), Err(None)),
                (file("b.png", 40), Ok(())),
                (file("c.png", 40), Ok(())),
                (file("d.png", 1), Ok(())),
            ],
            &[],
        );
        let states: Vec<_> = ids
            .iter()
            .map(|id| q.get(*id).unwrap().state.clone())
            .collect();
        assert_eq!(
            states,
            [
                by_host(Some("No programs")),
                by_host(None),
                EntryState::Queued,
                EntryState::Queued,
                EntryState::Refused {
                    reason: Refusal::TooManyFiles { max: 2 }
                },
            ]
        );
        // Refused for good: neither started nor sent again by "Retry all".
        assert_eq!(q.start_ready(0.0), vec![ids[2], ids[3]]);
        assert_eq!(q.retry_all_beside(&ids[..2], &[]), vec![]);
        assert_eq!(q.get(ids[0]).unwrap().state, by_host(Some("No programs")));
        // The same file again, taken this time, is no duplicate of it.
        let mut again = UploadQueue::new(1);
        let first = again.add_checked_beside(vec![(file("a", 1), Err(None))], &[]);
        let second = again.add_checked_beside(vec![(file("a", 1), Ok(()))], &[]);
        assert_eq!(again.get(first[0]).unwrap().state, by_host(None));
        assert_eq!(again.get(second[0]).unwrap().state, EntryState::Queued);
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn a_retry_counts_the_kept_attachments() {
        let restored = [kept("t1", "a.png", 10), kept("t2", "b.png", 20)];
        let mut q = UploadQueue::new(1).with_restrictions(Restrictions {
            max_files: Some(3),
            ..Restrictions::default()
        });
        let a = q.add_all_beside(vec![file("c.png", 1)], &restored)[0];
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.finish(a, Err(UploadError::Network("x".into()))).unwrap();
        // Its place taken meanwhile.
        let d = q.add_all_beside(vec![file("d.png", 1)], &restored)[0];
        assert_eq!(q.get(d).unwrap().state, EntryState::Queued);
        q.retry_beside(a, &restored).unwrap();
        assert_eq!(
            q.get(a).unwrap().state,
            EntryState::Refused {
                reason: Refusal::TooManyFiles { max: 3 }
            }
        );
    }

    #[test]
    fn a_kept_attachment_with_its_row_counts_once() {
        let mut q = UploadQueue::new(1).with_restrictions(Restrictions {
            max_files: Some(2),
            ..Restrictions::default()
        });
        let a = q.add(file("a.png", 10));
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.finish(a, Ok(kept("t1", "a.png", 10))).unwrap();
        let list = [kept("t1", "a.png", 10)];
        let b = q.add_all_beside(vec![file("b.png", 5)], &list)[0];
        assert_eq!(q.get(b).unwrap().state, EntryState::Queued);
        // Its row removed, the kept attachment still counts.
        q.remove(a);
        let again = q.add_all_beside(vec![file("a.png", 10)], &list)[0];
        assert_eq!(
            q.get(again).unwrap().state,
            EntryState::Refused {
                reason: Refusal::Duplicate
            }
        );
    }

    #[test]
    fn a_kept_copy_is_refused_with_its_row_as_after_a_reload() {
        // Name and size are all a kept attachment tells after a reload: a
        // file of another time is refused then, so it is while the row
        // still stands too, and its row and item count once.
        let mut q = UploadQueue::new(1).with_restrictions(Restrictions {
            max_files: Some(2),
            ..Restrictions::default()
        });
        let first = FileMeta {
            last_modified: 1000.0,
            ..file("y.txt", 600)
        };
        let a = q.add(first);
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.finish(a, Ok(kept("t1", "y.txt", 600))).unwrap();
        let list = [kept("t1", "y.txt", 600)];
        let touched = FileMeta {
            last_modified: 2000.0,
            ..file("y.txt", 600)
        };
        let with_row = q.add_all_beside(vec![touched.clone()], &list)[0];
        let refused = EntryState::Refused {
            reason: Refusal::Duplicate,
        };
        assert_eq!(q.get(with_row).unwrap().state, refused);
        let mut reloaded = UploadQueue::new(1);
        let without_row = reloaded.add_all_beside(vec![touched], &list)[0];
        assert_eq!(reloaded.get(without_row).unwrap().state, refused);
        let other = q.add_all_beside(vec![file("z.txt", 600)], &list)[0];
        assert_eq!(q.get(other).unwrap().state, EntryState::Queued);
    }

    #[test]
    fn files_of_a_folder_are_told_apart_from_kept_ones_by_their_path() {
        // Two folders' empty `__init__.py`: the kept one (its row listed,
        // or restored without it) keeps no path, so the second is not it.
        let in_folder = |path: &str| FileMeta {
            relative_path: Some(path.into()),
            ..file("__init__.py", 0)
        };
        let mut q = UploadQueue::new(1);
        let a = q.add(in_folder("a/__init__.py"));
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.finish(a, Ok(kept("t1", "__init__.py", 0))).unwrap();
        let list = [kept("t1", "__init__.py", 0)];
        let b = q.add_all_beside(vec![in_folder("b/__init__.py")], &list)[0];
        assert_eq!(q.get(b).unwrap().state, EntryState::Queued);
        let mut reloaded = UploadQueue::new(1);
        let b = reloaded.add_all_beside(vec![in_folder("b/__init__.py")], &list)[0];
        assert_eq!(reloaded.get(b).unwrap().state, EntryState::Queued);
        // The same path again is the same file, by the row.
        let again = q.add_all_beside(vec![in_folder("a/__init__.py")], &list)[0];
        assert_eq!(
            q.get(again).unwrap().state,
            EntryState::Refused {
                reason: Refusal::Duplicate
            }
        );
    }

    #[test]
    fn a_cancelled_file_the_server_kept_still_counts() {
        let mut q = UploadQueue::new(1);
        let kept = q.add(file("report.pdf", 10));
        q.cancel(kept).unwrap();
        assert!(q.mark_left_on_server(kept));
        // On the issue all the same: the same file again is a duplicate.
        let again = q.add(file("report.pdf", 10));
        assert_eq!(
            q.get(again).unwrap().state,
            EntryState::Refused {
                reason: Refusal::Duplicate
            }
        );
        assert!(!q.mark_left_on_server(EntryId(999)));
    }

    #[test]
    fn a_retry_needs_a_place_in_a_full_list() {
        let mut q = UploadQueue::new(1).with_restrictions(Restrictions {
            max_files: Some(1),
            ..Restrictions::default()
        });
        let failed = q.add(file("a", 1));
        q.start_ready(0.0);
        q.finish(failed, Err(UploadError::Network("x".into())))
            .unwrap();
        let b = q.add(file("b", 1));
        assert_eq!(q.get(b).unwrap().state, EntryState::Queued);
        q.retry(failed).unwrap();
        assert_eq!(
            q.get(failed).unwrap().state,
            EntryState::Refused {
                reason: Refusal::TooManyFiles { max: 1 }
            }
        );
        // With its place free again, a failed file is retried as before.
        let c = q.add(file("c", 1));
        assert!(matches!(
            q.get(c).unwrap().state,
            EntryState::Refused { .. }
        ));
        q.remove(b);
        let d = q.add(file("d", 1));
        q.start_ready(0.0);
        q.finish(d, Err(UploadError::Network("x".into()))).unwrap();
        q.retry(d).unwrap();
        assert_eq!(q.get(d).unwrap().state, EntryState::Queued);
    }

    /// Fails every file of `ids` for good (each has started).
    fn fail_all(q: &mut UploadQueue, ids: &[EntryId], error: UploadError) {
        for id in ids {
            q.finish(*id, Err(error.clone())).unwrap();
        }
    }

    #[test]
    fn retry_all_gives_what_retries_in_turn_give_in_one_pass() {
        let restrictions = Restrictions {
            max_files: Some(3),
            reject_duplicates: true,
            ..Restrictions::default()
        };
        // Five failed files, two of them the same file, in a list of three.
        let build = || {
            let mut q = UploadQueue::new(10).with_restrictions(restrictions.clone());
            let ids = q.add_all(vec![file("a", 1), file("b", 1), file("c", 1)]);
            q.start_ready(0.0);
            fail_all(&mut q, &ids, UploadError::Network("x".into()));
            let more = q.add_all(vec![file("b", 1), file("d", 1)]);
            (q, ids.into_iter().chain(more).collect::<Vec<_>>())
        };
        let (mut one_by_one, ids) = build();
        for id in &ids[..3] {
            one_by_one.retry(*id).unwrap();
        }
        let (mut at_once, ids) = build();
        // Asked out of order, twice, and with a queued file: the list's
        // order decides, and only failed or cancelled files change.
        let asked = [ids[2], ids[0], ids[3], ids[1], ids[0]];
        assert_eq!(at_once.retry_all_beside(&asked, &[]), ids[..3].to_vec());
        let states = |q: &UploadQueue| -> Vec<EntryState> {
            q.entries().iter().map(|e| e.state.clone()).collect()
        };
        assert_eq!(states(&at_once), states(&one_by_one));
        // "b" and "d" were listed since: "a" takes the last place, "b" is
        // the same file as the listed one, "c" finds the list full.
        assert_eq!(
            states(&at_once)[..3],
            [
                EntryState::Queued,
                EntryState::Refused {
                    reason: Refusal::Duplicate
                },
                EntryState::Refused {
                    reason: Refusal::TooManyFiles { max: 3 }
                },
            ]
        );
        assert_eq!(at_once.refused_count(), 2);
        assert!(at_once.totals_are_consistent());
    }

    #[test]
    fn retry_all_takes_back_a_cancelled_file_the_server_kept_without_refusing_it_as_itself() {
        let mut q = UploadQueue::new(1).with_restrictions(Restrictions {
            reject_duplicates: true,
            ..Restrictions::default()
        });
        let a = q.add(file("a", 1));
        q.cancel(a).unwrap();
        q.mark_left_on_server(a);
        assert_eq!(q.retry_all_beside(&[a], &[]), vec![a]);
        assert_eq!(q.get(a).unwrap().state, EntryState::Queued);
    }

    #[test]
    fn the_tally_counts_refused_files_and_failures_whose_answer_was_lost() {
        let mut q = UploadQueue::new(10).with_restrictions(Restrictions {
            max_file_size: Some(5),
            ..Restrictions::default()
        });
        let ids = q.add_all(vec![
            file("a", 1),
            file("b", 1),
            file("c", 1),
            file("big", 9),
        ]);
        assert_eq!(q.refused_count(), 1);
        q.start_ready(0.0);
        q.finish(
            ids[0],
            Err(UploadError::Http {
                status: 400,
                message: String::new(),
            }),
        )
        .unwrap();
        let lost = UploadError::AnswerLost(Box::new(UploadError::Network("x".into())));
        q.finish(ids[1], Err(lost)).unwrap();
        assert_eq!((q.failed_count(), q.failed_for_sure_count()), (2, 1));
        // Retried, the lost one is sure again until it fails.
        q.retry(ids[1]).unwrap();
        assert_eq!((q.failed_count(), q.failed_for_sure_count()), (1, 1));
        q.remove_all(&[ids[3]]);
        assert_eq!(q.refused_count(), 0);
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn a_finished_row_is_found_by_its_attachment() {
        let mut q = UploadQueue::new(2);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        q.start_ready(0.0);
        q.finish(a, Ok(attachment("1"))).unwrap();
        assert_eq!(q.finished_as("1"), Some(a));
        // Still uploading, or no such attachment: none.
        assert_eq!(q.finished_as("2"), None);
        q.finish(b, Err(UploadError::Network("reset".into())))
            .unwrap();
        assert_eq!(q.finished_as("2"), None);
    }

    #[test]
    fn remove_keeps_running_uploads() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        q.start_ready(0.0);
        assert!(!q.remove(a));
        assert!(q.remove(b));
        assert_eq!(q.entries().len(), 1);
        assert!(!q.remove(EntryId(99)));
    }

    #[test]
    fn refused_files_never_start_and_say_why() {
        let mut q = UploadQueue::new(3).with_restrictions(Restrictions {
            max_file_size: Some(10),
            ..Restrictions::default()
        });
        let big = q.add(file("big", 11));
        let ok = q.add(file("ok", 10));
        assert_eq!(q.start_ready(0.0), vec![ok]);
        assert_eq!(
            q.get(big).unwrap().state,
            EntryState::Refused {
                reason: Refusal::TooLarge { size: 11, max: 10 }
            }
        );
        assert!(q.cancel(big).is_err());
        assert!(q.retry(big).is_err());
        // A refused file does not count as listed: the same name can come again.
        let mut q = UploadQueue::new(1);
        let a = q.add(file("dup", 1));
        let b = q.add(file("dup", 1));
        assert_eq!(q.get(b).unwrap().state.name(), "refused");
        q.start_ready(0.0);
        q.cancel(a).unwrap();
        let c = q.add(file("dup", 1));
        assert_eq!(q.get(c).unwrap().state, EntryState::Queued);
    }

    #[test]
    fn transient_failures_wait_then_retry_up_to_the_limit() {
        let mut q = UploadQueue::new(1).with_retry_policy(RetryPolicy {
            base_ms: 100,
            cap_ms: 1000,
            max_attempts: 3,
            max_retry_after_ms: 10_000,
        });
        let a = q.add(file("a", 1));
        let e503 = || {
            Err(UploadError::Http {
                status: 503,
                message: String::new(),
            })
        };
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.finish_at(a, e503(), 1000.0, None, 0.5).unwrap();
        assert!(matches!(
            q.get(a).unwrap().state,
            EntryState::Retrying { attempt: 1, at_ms, .. } if at_ms == 1075.0
        ));
        assert_eq!(q.next_retry_at(), Some(1075.0));
        assert_eq!(q.start_ready(1074.0), vec![]);
        assert_eq!(q.start_ready(1075.0), vec![a]);
        q.finish_at(a, e503(), 2000.0, Some(3000), 0.5).unwrap();
        assert!(matches!(
            q.get(a).unwrap().state,
            EntryState::Retrying { attempt: 2, at_ms, .. } if at_ms == 5000.0
        ));
        assert_eq!(q.start_ready(5000.0), vec![a]);
        q.finish_at(a, e503(), 6000.0, None, 0.5).unwrap();
        assert!(matches!(q.get(a).unwrap().state, EntryState::Failed { .. }));
        assert_eq!(q.next_retry_at(), None);
        // A manual retry starts a fresh count.
        q.retry(a).unwrap();
        assert_eq!(q.get(a).unwrap().attempts, 0);
    }

    #[test]
    fn permanent_failure_and_cancel_while_waiting() {
        let mut q = UploadQueue::new(2);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        q.start_ready(0.0);
        q.finish_at(
            a,
            Err(UploadError::Http {
                status: 413,
                message: String::new(),
            }),
            0.0,
            None,
            0.0,
        )
        .unwrap();
        assert_eq!(q.get(a).unwrap().state.name(), "failed");
        q.finish_at(b, Err(UploadError::Network("x".into())), 0.0, None, 0.9)
            .unwrap();
        assert_eq!(q.get(b).unwrap().state.name(), "retrying");
        q.cancel(b).unwrap();
        assert_eq!(q.start_ready(1e12), vec![]);
    }

    #[test]
    fn a_cancelled_run_cannot_touch_the_retried_one() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 1));
        q.start_ready(0.0);
        let first = q.run_of(a).unwrap();
        q.cancel(a).unwrap();
        q.retry(a).unwrap();
        q.start_ready(0.0);
        let second = q.run_of(a).unwrap();
        assert_ne!(first, second);
        assert!(!q.is_current(a, first));
        assert!(q.is_current(a, second));
    }

    #[test]
    fn no_wake_while_every_slot_is_busy() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        q.start_ready(0.0);
        q.finish_at(a, Err(UploadError::Network("x".into())), 0.0, None, 0.5)
            .unwrap();
        assert_eq!(q.start_ready(0.0), vec![b]);
        assert!(q.next_retry_at().is_some());
        assert_eq!(q.next_wake_at(), None);
        q.finish(b, Ok(attachment("1"))).unwrap();
        assert_eq!(q.next_wake_at(), q.next_retry_at());
    }

    #[test]
    fn offline_nothing_starts_and_no_timer_is_set() {
        let mut q = UploadQueue::new(2);
        let a = q.add(file("a", 1));
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.finish_at(a, Err(UploadError::Network("x".into())), 0.0, None, 0.5)
            .unwrap();
        let b = q.add(file("b", 1));
        assert_eq!(q.set_online(false), vec![a]);
        assert!(!q.is_online());
        // Queued, a retry due long ago, a free slot: still nothing starts.
        assert_eq!(q.start_ready(1e12), vec![]);
        assert_eq!(q.next_wake_at(), None);
        assert!(q.summary().running, "files waiting keep the widget busy");
        // Told twice, nothing more happens.
        assert_eq!(q.set_online(false), vec![]);
        assert!(q.set_online(true).is_empty());
        assert_eq!(q.start_ready(0.0), vec![a, b]);
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn a_connection_failure_while_offline_spends_no_try() {
        // No automatic retries at all: any try spent would fail the file.
        let mut q = UploadQueue::new(1).with_retry_policy(RetryPolicy::none());
        let a = q.add(file("a", 1));
        assert_eq!(q.start_ready(0.0), vec![a]);
        q.set_online(false);
        assert!(q.holds_for_network(&UploadError::Stalled { seconds: 30 }));
        q.finish_at(
            a,
            Err(UploadError::Network("offline".into())),
            0.0,
            None,
            0.5,
        )
        .unwrap();
        let entry = q.get(a).unwrap();
        assert_eq!((&entry.state, entry.attempts), (&EntryState::Queued, 0));
        assert_eq!(q.active_count(), 0);
        assert!(q.summary().running);
        assert!(q.totals_are_consistent());
        q.set_online(true);
        assert_eq!(q.start_ready(0.0), vec![a]);
        // Online, the same failure spends the one try as before.
        q.finish_at(a, Err(UploadError::Network("reset".into())), 0.0, None, 0.5)
            .unwrap();
        assert_eq!(q.get(a).unwrap().state.name(), "failed");
    }

    #[test]
    fn server_answers_while_offline_are_settled_as_ever() {
        let mut q = UploadQueue::new(2);
        let a = q.add(file("a", 1));
        let b = q.add(file("b", 1));
        assert_eq!(q.start_ready(0.0), vec![a, b]);
        q.set_online(false);
        let http = |status| {
            Err(UploadError::Http {
                status,
                message: String::new(),
            })
        };
        assert!(!q.holds_for_network(&UploadError::Http {
            status: 503,
            message: String::new()
        }));
        q.finish_at(a, http(413), 0.0, None, 0.5).unwrap();
        q.finish_at(b, http(503), 0.0, None, 0.5).unwrap();
        assert_eq!(q.get(a).unwrap().state.name(), "failed");
        assert!(matches!(
            q.get(b).unwrap().state,
            EntryState::Retrying { attempt: 1, .. }
        ));
    }

    #[test]
    fn going_offline_puts_connection_retries_back_in_line_and_back_online_they_go_at_once() {
        let mut q = UploadQueue::new(3);
        let ids = q.add_all((0..3).map(|i| file(&format!("f{i}"), 1)).collect());
        assert_eq!(q.start_ready(0.0), ids);
        let e503 = UploadError::Http {
            status: 503,
            message: String::new(),
        };
        // Both wait a long time; only the connection failure waits for the
        // connection instead.
        q.finish_at(
            ids[0],
            Err(UploadError::Network("x".into())),
            0.0,
            Some(60_000),
            0.5,
        )
        .unwrap();
        q.finish_at(ids[1], Err(e503), 0.0, Some(60_000), 0.5)
            .unwrap();
        assert_eq!(q.set_online(false), vec![ids[0]]);
        assert_eq!(q.get(ids[0]).unwrap().state, EntryState::Queued);
        assert_eq!(
            q.get(ids[0]).unwrap().attempts,
            1,
            "its failed try stays counted"
        );
        assert_eq!(q.get(ids[1]).unwrap().state.name(), "retrying");
        assert_eq!(q.next_wake_at(), None, "no timer while offline");
        assert!(q.totals_are_consistent());
        q.set_online(true);
        assert_eq!(q.start_ready(1.0), vec![ids[0]]);
        assert_eq!(q.next_wake_at(), Some(60_000.0));
    }

    #[test]
    fn back_online_the_limit_still_paces_the_waiting_files() {
        let mut q = UploadQueue::new(2);
        q.set_online(false);
        let ids = q.add_all((0..5).map(|i| file(&format!("f{i}"), 1)).collect());
        assert_eq!(q.start_ready(0.0), vec![]);
        q.set_online(true);
        assert_eq!(q.start_ready(0.0), ids[..2]);
        assert_eq!(q.start_ready(0.0), vec![]);
        q.finish(ids[0], Ok(attachment("1"))).unwrap();
        assert_eq!(q.start_ready(0.0), vec![ids[2]]);
    }

    #[test]
    fn summary_counts_what_matters() {
        let mut q = UploadQueue::new(1).with_restrictions(Restrictions {
            max_file_size: Some(100),
            ..Restrictions::default()
        });
        let a = q.add(file("a", 10));
        let b = q.add(file("b", 20));
        q.add(file("big", 1000));
        let c = q.add(file("c", 5));
        q.cancel(c).unwrap();
        q.start_ready(0.0);
        q.finish(a, Ok(attachment("1"))).unwrap();
        assert_eq!(
            q.summary(),
            QueueSummary {
                done: 1,
                counted: 2,
                running: true,
                sent: 10,
                total: 30,
                left: 20,
                sending: false,
                uploading: false,
            }
        );
        q.start_ready(0.0);
        assert!(q.summary().sending && q.summary().uploading);
        q.progress(b, 7, 20).unwrap();
        assert!(q.summary().sending);
        q.progress(b, 20, 20).unwrap();
        // All of it out: only the answer is awaited.
        assert!(!q.summary().sending && q.summary().uploading);
        q.finish(b, Err(UploadError::Network("x".into()))).unwrap();
        // The failed file counts in files and in bytes alike, none sent.
        assert_eq!(
            q.summary(),
            QueueSummary {
                done: 1,
                counted: 2,
                running: false,
                sent: 10,
                total: 30,
                left: 0,
                sending: false,
                uploading: false,
            }
        );
    }

    #[test]
    fn running_totals_follow_every_change() {
        let mut q = UploadQueue::new(2).with_restrictions(Restrictions {
            max_file_size: Some(100),
            ..Restrictions::default()
        });
        let ids = q.add_all(vec![
            file("a", 10),
            file("b", 20),
            file("big", 1000),
            file("c", 30),
        ]);
        assert!(q.totals_are_consistent());
        assert_eq!(q.total_progress(), (0, 60));
        assert_eq!(q.start_ready(0.0), vec![ids[0], ids[1]]);
        q.progress(ids[0], 4, 10).unwrap();
        assert_eq!(q.total_progress(), (4, 60));
        assert!(q.totals_are_consistent());
        q.finish_at(
            ids[1],
            Err(UploadError::Network("x".into())),
            0.0,
            None,
            0.5,
        )
        .unwrap();
        assert_eq!(q.summary().counted, 3);
        q.cancel(ids[3]).unwrap();
        q.finish(ids[0], Ok(attachment("1"))).unwrap();
        assert_eq!(q.total_progress(), (10, 30));
        assert!(q.totals_are_consistent());
        // The running upload stays; the others go, in one pass.
        assert_eq!(q.start_ready(1e12), vec![ids[1]]);
        assert_eq!(q.remove_all(&ids), 3);
        assert_eq!(q.entries().len(), 1);
        assert_eq!(q.total_progress(), (0, 20));
        assert_eq!(q.summary().counted, 1);
        assert!(q.totals_are_consistent());
    }

    #[test]
    fn starts_skip_the_finished_front_but_find_a_retried_file() {
        let mut q = UploadQueue::new(1);
        let ids = q.add_all((0..5).map(|i| file(&format!("f{i}"), 1)).collect());
        for id in &ids[..3] {
            assert_eq!(q.start_ready(0.0), vec![*id]);
            q.finish(*id, Err(UploadError::Network("x".into())))
                .unwrap();
        }
        assert!(q.totals_are_consistent());
        // The first file goes back in line ahead of the fourth.
        q.retry(ids[0]).unwrap();
        assert_eq!(q.start_ready(0.0), vec![ids[0]]);
        q.finish(ids[0], Ok(attachment("1"))).unwrap();
        assert_eq!(q.start_ready(0.0), vec![ids[3]]);
        q.finish(ids[3], Ok(attachment("4"))).unwrap();
        assert_eq!(q.start_ready(0.0), vec![ids[4]]);
        q.finish(ids[4], Ok(attachment("5"))).unwrap();
        assert_eq!(q.start_ready(0.0), vec![]);
        assert!(q.totals_are_consistent());
    }

    /// Flow's parts stay on the server when its upload stops: the bytes the
    /// server confirmed still count while the file waits, and its next run
    /// starts from them and never shows less.
    #[test]
    fn held_bytes_count_while_a_file_waits_and_a_next_run_starts_from_them() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("big.bin", 100));
        q.start_ready(0.0);
        // 70 bytes out, of which the server confirmed one 40-byte part.
        q.progress(a, 70, 100).unwrap();
        let epoch = q.held_epoch();
        assert!(q.hold(a, 40, epoch));
        q.set_online(false);
        q.finish_at(a, Err(UploadError::Network("gone".into())), 0.0, None, 0.5)
            .unwrap();
        assert_eq!(q.get(a).unwrap().state, EntryState::Queued);
        // The part in flight is not counted, only what the server holds.
        assert_eq!((q.summary().sent, q.summary().left), (40, 60));
        assert!(q.totals_are_consistent());
        q.set_online(true);
        q.start_ready(0.0);
        let uploading = |sent| EntryState::Uploading { sent, total: 100 };
        assert_eq!(q.get(a).unwrap().state, uploading(40));
        // The run's own count climbs through the held part again.
        q.progress(a, 10, 100).unwrap();
        assert_eq!(q.get(a).unwrap().state, uploading(40));
        q.progress(a, 60, 100).unwrap();
        assert_eq!(q.get(a).unwrap().state, uploading(60));
        // The server lost its parts (found by this run's look at them): the
        // run shows what goes out again, and its wait what is held now.
        assert!(q.hold(a, 0, epoch));
        q.progress(a, 5, 100).unwrap();
        assert_eq!(q.get(a).unwrap().state, uploading(5));
        let server_error = UploadError::Http {
            status: 500,
            message: String::new(),
        };
        q.finish_at(a, Err(server_error), 0.0, None, 0.5).unwrap();
        assert!(matches!(
            q.get(a).unwrap().state,
            EntryState::Retrying { .. }
        ));
        assert_eq!(q.summary().sent, 0);
        assert!(q.hold(a, 80, epoch));
        assert_eq!(q.summary().sent, 80);
        // Other options: the upload would start afresh, and what a run of
        // the old ones still confirms is not heard.
        q.forget_held();
        assert_eq!(q.summary().sent, 0);
        assert!(!q.hold(a, 90, epoch));
        assert_eq!(q.summary().sent, 0);
        assert!(q.totals_are_consistent());
        assert!(!q.hold(EntryId(99), 1, q.held_epoch()));
    }

    /// Only held bytes are a floor: a run of any other upload that starts
    /// again (a 401 answered with a fresh token) shows its bytes going out
    /// again from nothing.
    #[test]
    fn a_run_that_holds_nothing_may_show_less_than_before() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a.bin", 100));
        q.start_ready(0.0);
        q.progress(a, 100, 100).unwrap();
        q.progress(a, 3, 100).unwrap();
        assert_eq!(
            q.get(a).unwrap().state,
            EntryState::Uploading {
                sent: 3,
                total: 100
            }
        );
    }

    #[test]
    fn total_progress_sums_live_files() {
        let mut q = UploadQueue::new(1);
        let a = q.add(file("a", 100));
        let b = q.add(file("b", 50));
        let c = q.add(file("c", 7));
        q.cancel(c).unwrap();
        q.start_ready(0.0);
        q.progress(a, 40, 100).unwrap();
        assert_eq!(q.total_progress(), (40, 150));
        q.finish(a, Ok(attachment("1"))).unwrap();
        assert_eq!(q.total_progress(), (100, 150));
        let _ = b;
    }
}
