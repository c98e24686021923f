//! The upstream's verdicts on the browsers' credentials, for proxy mode
//! without a credential of the server's (see `Proxy::check_sender`).
//!
//! A sender's credential is checked by one request at a time. Those that
//! come while the check runs (a file's parts, sent in parallel) wait for
//! it and get its outcome, whatever it is: were a failed check not shared,
//! each of them would start its own in turn, and with a blackholed
//! upstream each would wait out the whole check time. Only a verdict is
//! kept, for `VERDICT_TTL`: an upstream that said nothing of the
//! credential is asked again by the next request that comes after.
//!
//! At most so many checks run at once (`MAX_CONCURRENT_CHECKS`): a request
//! that would start one more waits for a slot, for a bounded time, and is
//! then told the server is busy (never kept). It is filed as a check under
//! way only once it holds a slot, so the map never holds more checks than
//! slots, and none that nobody runs; sharing another's check takes no slot.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{watch, Semaphore, SemaphorePermit};
use tokio::time::Instant;

use crate::auth::UpstreamUser;
use crate::clock::Clock;
use crate::errors::ApiError;
use crate::waiting_count::Waiting;

/// How long a verdict is believed: a revoked token stores parts at most
/// this long after its last check.
pub const VERDICT_TTL: Duration = Duration::from_secs(5 * 60);

/// Most senders kept (verdicts and checks under way); past it the expired
/// go, then the oldest verdict.
pub const MAX_VERDICTS: usize = 10_000;

/// Most checks asked of the upstream at once. Each is a `GET /v2/myself`
/// to the real Tracker: uncapped, a flood of made-up credentials would be
/// as many concurrent requests there (this server amplifying an attack on
/// its own upstream) and as many checks under way in the map. Honest use
/// needs few: a sender is checked once per `VERDICT_TTL`, its parallel
/// parts share that check, and a check is one round trip; 32 lets that
/// many users start uploading in the same instant while staying a small
/// burst for the upstream and far below `MAX_VERDICTS`.
pub const MAX_CONCURRENT_CHECKS: usize = 32;

/// How many checks may run at once, and how long a request that needs
/// one more may wait for one of them to end.
#[derive(Debug, Clone, Copy)]
pub struct CheckSlots {
    pub count: usize,
    pub wait: Duration,
}

/// What a check of a credential came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// The upstream takes the credential, and names its user when its
    /// answer does: the Flow.js upload's owner (`auth::user_owner_key`),
    /// kept and shared with the verdict so that every part of the sender
    /// is filed alike.
    Taken(Option<UpstreamUser>),
    /// The upstream refuses it: the refusal to answer with.
    Refused(ApiError),
    /// The upstream said nothing of the credential (unreachable, busy,
    /// another answer): the error to answer with. Never kept.
    Unjudged(ApiError),
}

/// The outcome of a check under way, once it has one. The channel closes
/// without one when the request that ran the check went away.
type Outcome = watch::Receiver<Option<Judgement>>;

enum Entry {
    Checking(Outcome),
    /// A verdict (never `Unjudged`) and when it was made (ms).
    Judged(Judgement, i64),
}

/// What a request finds for its sender.
enum Found {
    Judged(Judgement),
    Checking(Outcome),
    /// Nothing to go by: the request checks, filed as the check under way.
    Nothing(watch::Sender<Option<Judgement>>, Outcome),
    /// Nothing to go by, and the request holds no slot to check with: it
    /// waits for one, filed nowhere meanwhile.
    NeedsSlot,
}

pub struct CredentialVerdicts {
    entries: Mutex<HashMap<String, Entry>>,
    clock: Clock,
    /// One permit per check that may run at once.
    slots: Semaphore,
    slot_wait: Duration,
    /// Test hook: see `Config::credential_check_waiters`.
    waiters: Option<Arc<AtomicUsize>>,
    /// Test hook: see `Config::credential_slot_waiters`.
    slot_waiters: Option<Arc<AtomicUsize>>,
}

impl CredentialVerdicts {
    pub fn new(
        clock: Clock,
        slots: CheckSlots,
        waiters: Option<Arc<AtomicUsize>>,
        slot_waiters: Option<Arc<AtomicUsize>>,
    ) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            clock,
            // More would make `Semaphore::new` panic; none that large is
            // a cap anyway.
            slots: Semaphore::new(slots.count.min(Semaphore::MAX_PERMITS)),
            slot_wait: slots.wait,
            waiters,
            slot_waiters,
        }
    }

    /// The sender's judgement: a verdict that still holds, else the
    /// outcome of the check under way, else `check`'s (run only then),
    /// which whoever comes while it runs shares. If the request running a
    /// check goes away before its outcome, those waiting for it look
    /// again, and one of them checks.
    ///
    /// `check` runs only with a slot. Without one free within the slot
    /// wait (counted from when the request first needs one), the outcome
    /// is `ApiError::CredentialChecksBusy`, unjudged.
    pub async fn judge(&self, sender: &str, check: impl Future<Output = Judgement>) -> Judgement {
        let mut slot = None;
        let mut slot_deadline = None;
        let (outcome, filed) = loop {
            match self.find(sender, slot.is_some()) {
                Found::Judged(judgement) => return judgement,
                Found::Checking(outcome) => {
                    // Sharing a check asks nothing upstream: the slot
                    // taken to start one goes back to whoever waits. Should
                    // that check's request go away, the wait for a slot
                    // starts afresh rather than from a deadline now past.
                    slot = None;
                    slot_deadline = None;
                    if let Some(judgement) = self.wait(outcome).await {
                        return judgement;
                    }
                }
                Found::NeedsSlot => {
                    let deadline = *slot_deadline.get_or_insert_with(|| self.slot_deadline());
                    match self.take_slot(deadline).await {
                        // Looks again: a check of the sender may have been
                        // filed, or judged, while this one waited.
                        Some(taken) => slot = Some(taken),
                        None => {
                            tracing::warn!(
                                "too many credential checks under way: a request that needed one more was turned away (503)"
                            );
                            return Judgement::Unjudged(ApiError::CredentialChecksBusy);
                        }
                    }
                }
                Found::Nothing(outcome, filed) => break (outcome, filed),
            }
        };
        let running = RunningCheck {
            verdicts: self,
            sender,
            outcome,
            filed,
            settled: false,
            _slot: slot,
        };
        let judgement = check.await;
        running.settle(judgement.clone());
        judgement
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        // The map holds no invariant a panic elsewhere could have broken
        // half-way: every change is one insert or remove.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Files a check of the sender's, as under way, only for a request
    /// that holds a slot to run it with.
    fn find(&self, sender: &str, holds_slot: bool) -> Found {
        let now = self.clock.now_millis();
        let mut entries = self.entries();
        match entries.get(sender) {
            Some(Entry::Judged(judgement, at)) if holds(*at, now) => {
                return Found::Judged(judgement.clone())
            }
            // A closed one has no request left to settle it, and waiting
            // on it would end at once, again and again. Each check unfiles
            // itself before it closes, so this guards rather than happens:
            // such an entry is replaced like nothing.
            Some(Entry::Checking(outcome)) if outcome.has_changed().is_ok() => {
                return Found::Checking(outcome.clone())
            }
            _ => {}
        }
        if !holds_slot {
            return Found::NeedsSlot;
        }
        if !entries.contains_key(sender) {
            make_room(&mut entries, now);
        }
        let (outcome, filed) = watch::channel(None);
        entries.insert(sender.to_owned(), Entry::Checking(filed.clone()));
        Found::Nothing(outcome, filed)
    }

    /// When a request that needs a slot from now on stops waiting for one.
    fn slot_deadline(&self) -> Instant {
        let now = Instant::now();
        // A wait too long to add up is no bound, as with tokio's `timeout`.
        now.checked_add(self.slot_wait)
            .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 86_400))
    }

    /// A slot for one more check, if one frees before `deadline`.
    async fn take_slot(&self, deadline: Instant) -> Option<SemaphorePermit<'_>> {
        let _waiting = self.slot_waiters.as_deref().map(Waiting::new);
        // The semaphore is never closed: an error is no slot all the same.
        tokio::time::timeout_at(deadline, self.slots.acquire())
            .await
            .ok()?
            .ok()
    }

    /// The outcome of another request's check; `None` if that request went
    /// away without one.
    async fn wait(&self, mut outcome: Outcome) -> Option<Judgement> {
        let _waiting = self.waiters.as_deref().map(Waiting::new);
        let outcome = outcome.wait_for(Option::is_some).await.ok()?;
        (*outcome).clone()
    }
}

fn holds(at: i64, now: i64) -> bool {
    let ttl = i64::try_from(VERDICT_TTL.as_millis()).unwrap_or(i64::MAX);
    now.saturating_sub(at) < ttl
}

/// Keeps `entries` under `MAX_VERDICTS` before one more goes in: the
/// expired verdicts go, then the oldest refusal (a flood of made-up
/// credentials must not push out the verdicts of those the upstream took),
/// then the oldest verdict, or, were every one a check under
/// way, one of those (its waiters still get its outcome; it is only no
/// longer found by those who come later). That last cannot happen while
/// there are fewer slots than `MAX_VERDICTS`: it guards.
fn make_room(entries: &mut HashMap<String, Entry>, now: i64) {
    if entries.len() < MAX_VERDICTS {
        return;
    }
    entries.retain(|_, entry| match entry {
        Entry::Judged(_, at) => holds(*at, now),
        Entry::Checking(outcome) => outcome.has_changed().is_ok(),
    });
    if entries.len() < MAX_VERDICTS {
        return;
    }
    let oldest = entries
        .iter()
        .filter_map(|(sender, entry)| match entry {
            Entry::Judged(judgement, at) => {
                Some((matches!(judgement, Judgement::Taken(_)), *at, sender))
            }
            Entry::Checking(_) => None,
        })
        .min()
        .map(|(_, _, sender)| sender.clone());
    if let Some(sender) = oldest.or_else(|| entries.keys().next().cloned()) {
        entries.remove(&sender);
    }
}

/// A check a request runs for its sender, filed as under way until it
/// settles. Dropped unsettled (its request went away mid-check), it is
/// unfiled, and closing its channel tells those waiting to look again.
struct RunningCheck<'a> {
    verdicts: &'a CredentialVerdicts,
    sender: &'a str,
    outcome: watch::Sender<Option<Judgement>>,
    /// What was filed, to tell this check's entry from a later one's.
    filed: Outcome,
    settled: bool,
    /// Held until the check settles or its request goes away: dropped
    /// after the entry is changed (`Drop` runs before the fields go).
    _slot: Option<SemaphorePermit<'a>>,
}

impl RunningCheck<'_> {
    /// The entry is changed before the waiters are told, so that a request
    /// coming in between finds the verdict, or, when there is none, checks
    /// afresh, rather than joining a check that is over.
    fn settle(mut self, judgement: Judgement) {
        let now = self.verdicts.clock.now_millis();
        let mut entries = self.verdicts.entries();
        if self.is_filed(&entries) {
            match &judgement {
                Judgement::Unjudged(_) => {
                    entries.remove(self.sender);
                }
                Judgement::Taken(_) | Judgement::Refused(_) => {
                    entries.insert(
                        self.sender.to_owned(),
                        Entry::Judged(judgement.clone(), now),
                    );
                }
            }
        }
        drop(entries);
        self.outcome.send_replace(Some(judgement));
        self.settled = true;
    }

    fn is_filed(&self, entries: &HashMap<String, Entry>) -> bool {
        matches!(
            entries.get(self.sender),
            Some(Entry::Checking(filed)) if filed.same_channel(&self.filed)
        )
    }
}

impl Drop for RunningCheck<'_> {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let mut entries = self.verdicts.entries();
        if self.is_filed(&entries) {
            entries.remove(self.sender);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures_util::FutureExt;

    use super::*;

    /// Verdicts on `clock` with `count` slots and a long slot wait.
    fn with_slots(clock: Clock, count: usize) -> CredentialVerdicts {
        let wait = Duration::from_secs(30);
        CredentialVerdicts::new(clock, CheckSlots { count, wait }, None, None)
    }

    /// A check that counts how often it ran and comes to `judgement`.
    async fn counted(runs: &AtomicUsize, judgement: Judgement) -> Judgement {
        runs.fetch_add(1, Ordering::SeqCst);
        judgement
    }

    #[tokio::test]
    async fn verdicts_are_kept_for_their_time_and_no_verdict_is_not() {
        let clock = Clock::manual(1_700_000_000_000);
        let verdicts = with_slots(clock.clone(), MAX_CONCURRENT_CHECKS);
        let runs = AtomicUsize::new(0);
        let refused = Judgement::Refused(ApiError::Unauthorized);
        for _ in 0..2 {
            let judged = verdicts.judge("a", counted(&runs, refused.clone())).await;
            assert_eq!(judged, refused);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        clock.advance(VERDICT_TTL - Duration::from_millis(1));
        verdicts
            .judge("a", counted(&runs, Judgement::Taken(None)))
            .await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_millis(1));
        let judged = verdicts
            .judge("a", counted(&runs, Judgement::Taken(None)))
            .await;
        assert_eq!(judged, Judgement::Taken(None));
        assert_eq!(runs.load(Ordering::SeqCst), 2);

        let unjudged = Judgement::Unjudged(ApiError::BadGateway);
        for expected_runs in 1..=2 {
            let judged = verdicts.judge("b", counted(&runs, unjudged.clone())).await;
            assert_eq!(judged, unjudged);
            assert_eq!(runs.load(Ordering::SeqCst), 2 + expected_runs);
        }
        assert!(!verdicts.entries().contains_key("b"));
    }

    /// Polled in order by `join!`: the first files its check and waits
    /// for `release`, the second finds the check under way and waits for
    /// it, the third releases it. Both get the check's "no verdict", and
    /// only one check ran.
    #[tokio::test]
    async fn those_waiting_for_a_check_get_its_outcome_even_without_a_verdict() {
        let verdicts = with_slots(Clock::manual(0), MAX_CONCURRENT_CHECKS);
        let runs = AtomicUsize::new(0);
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let unjudged = Judgement::Unjudged(ApiError::BadGateway);
        let held = async {
            runs.fetch_add(1, Ordering::SeqCst);
            let _ = released.await;
            unjudged.clone()
        };
        let (first, second, ()) = tokio::join!(
            verdicts.judge("a", held),
            verdicts.judge("a", counted(&runs, Judgement::Taken(None))),
            async {
                let _ = release.send(());
            },
        );
        assert_eq!(first, unjudged);
        assert_eq!(second, unjudged);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    /// As above, with a verdict: the user the upstream named goes to the
    /// request that waited and is kept for the next, so all of the
    /// sender's parts are filed under one owner.
    #[tokio::test]
    async fn the_user_named_with_a_verdict_is_shared_and_kept() {
        let verdicts = with_slots(Clock::manual(0), MAX_CONCURRENT_CHECKS);
        let runs = AtomicUsize::new(0);
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let taken = Judgement::Taken(Some(UpstreamUser::Uid("7".into())));
        let held = async {
            runs.fetch_add(1, Ordering::SeqCst);
            let _ = released.await;
            taken.clone()
        };
        let (first, second, ()) = tokio::join!(
            verdicts.judge("a", held),
            verdicts.judge("a", counted(&runs, Judgement::Taken(None))),
            async {
                let _ = release.send(());
            },
        );
        assert_eq!(first, taken);
        assert_eq!(second, taken);
        let later = verdicts
            .judge("a", counted(&runs, Judgement::Taken(None)))
            .await;
        assert_eq!(later, taken);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_check_whose_request_went_away_is_made_again() {
        let verdicts = with_slots(Clock::manual(0), MAX_CONCURRENT_CHECKS);
        let never = std::future::pending::<Judgement>();
        // Polled once (the check is filed and waits), then dropped.
        assert!(verdicts.judge("a", never).now_or_never().is_none());
        assert!(!verdicts.entries().contains_key("a"));
        let runs = AtomicUsize::new(0);
        let judged = verdicts
            .judge("a", counted(&runs, Judgement::Taken(None)))
            .await;
        assert_eq!(judged, Judgement::Taken(None));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn verdicts_stay_bounded_and_the_oldest_go() {
        let clock = Clock::manual(1_700_000_000_000);
        let verdicts = with_slots(clock.clone(), MAX_CONCURRENT_CHECKS);
        let refused = Judgement::Refused(ApiError::Unauthorized);
        for i in 0..MAX_VERDICTS + 10 {
            let sender = i.to_string();
            verdicts
                .judge(&sender, std::future::ready(refused.clone()))
                .await;
            clock.advance(Duration::from_millis(1));
        }
        let entries = verdicts.entries();
        assert_eq!(entries.len(), MAX_VERDICTS);
        assert!(!entries.contains_key("0"));
        assert!(!entries.contains_key("9"));
        assert!(entries.contains_key("10"));
        assert!(entries.contains_key(&(MAX_VERDICTS + 9).to_string()));
    }

    #[tokio::test]
    async fn a_flood_of_refusals_does_not_push_out_the_credentials_taken() {
        let clock = Clock::manual(1_700_000_000_000);
        let verdicts = with_slots(clock.clone(), MAX_CONCURRENT_CHECKS);
        // Taken first, so older than every refusal that follows.
        verdicts
            .judge("taken", std::future::ready(Judgement::Taken(None)))
            .await;
        let refused = Judgement::Refused(ApiError::Unauthorized);
        for i in 0..MAX_VERDICTS + 10 {
            clock.advance(Duration::from_millis(1));
            verdicts
                .judge(&format!("made-up-{i}"), std::future::ready(refused.clone()))
                .await;
        }
        let entries = verdicts.entries();
        assert_eq!(entries.len(), MAX_VERDICTS);
        assert!(entries.contains_key("taken"));
        assert!(!entries.contains_key("made-up-0"));
    }

    /// Polled in order by `join!`: "a" takes the one slot and waits for
    /// `release`; "b" needs a slot too and waits for it, filed nowhere
    /// (only checks that run are); the third looks, then releases "a",
    /// whose slot goes to "b", whose check then runs.
    #[tokio::test]
    async fn a_check_waiting_for_a_slot_is_filed_nowhere_and_runs_once_one_frees() {
        let verdicts = with_slots(Clock::manual(0), 1);
        let runs = AtomicUsize::new(0);
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let held = async {
            let _ = released.await;
            Judgement::Taken(None)
        };
        let (first, second, ()) = tokio::join!(
            verdicts.judge("a", held),
            verdicts.judge("b", counted(&runs, Judgement::Taken(None))),
            async {
                let entries = verdicts.entries();
                assert!(entries.contains_key("a"));
                assert!(!entries.contains_key("b"));
                assert_eq!(runs.load(Ordering::SeqCst), 0);
                drop(entries);
                let _ = release.send(());
            },
        );
        assert_eq!(first, Judgement::Taken(None));
        assert_eq!(second, Judgement::Taken(None));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    /// With the one slot held past the slot wait (none here), a new
    /// check is busy: it never runs, and nothing of it is kept, so the
    /// sender is checked once a slot is free.
    #[tokio::test]
    async fn no_slot_in_time_is_busy_and_not_kept() {
        let slots = CheckSlots {
            count: 1,
            wait: Duration::ZERO,
        };
        let verdicts = CredentialVerdicts::new(Clock::manual(0), slots, None, None);
        let runs = AtomicUsize::new(0);
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let held = async {
            let _ = released.await;
            Judgement::Taken(None)
        };
        let busy = Judgement::Unjudged(ApiError::CredentialChecksBusy);
        let ((), turned_away) = tokio::join!(
            async {
                verdicts.judge("a", held).await;
            },
            async {
                let judged = verdicts
                    .judge("b", counted(&runs, Judgement::Taken(None)))
                    .await;
                assert!(!verdicts.entries().contains_key("b"));
                let _ = release.send(());
                judged
            },
        );
        assert_eq!(turned_away, busy);
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        let judged = verdicts
            .judge("b", counted(&runs, Judgement::Taken(None)))
            .await;
        assert_eq!(judged, Judgement::Taken(None));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    /// A request that goes away mid-check gives its slot back with its
    /// entry: with one slot and no wait, the next sender still checks.
    #[tokio::test]
    async fn a_check_whose_request_went_away_frees_its_slot() {
        let slots = CheckSlots {
            count: 1,
            wait: Duration::ZERO,
        };
        let verdicts = CredentialVerdicts::new(Clock::manual(0), slots, None, None);
        let never = std::future::pending::<Judgement>();
        assert!(verdicts.judge("a", never).now_or_never().is_none());
        let judged = verdicts
            .judge("b", std::future::ready(Judgement::Taken(None)))
            .await;
        assert_eq!(judged, Judgement::Taken(None));
    }

    /// Past what a semaphore holds, or a wait past what a clock adds up
    /// to: capped, no panic.
    #[tokio::test]
    async fn slots_and_waits_too_large_are_capped() {
        let slots = CheckSlots {
            count: usize::MAX,
            wait: Duration::MAX,
        };
        let verdicts = CredentialVerdicts::new(Clock::manual(0), slots, None, None);
        assert!(verdicts.slot_deadline() > Instant::now());
        let judged = verdicts
            .judge("a", std::future::ready(Judgement::Taken(None)))
            .await;
        assert_eq!(judged, Judgement::Taken(None));
    }
}
