//! Property tests of [`UploadQueue`]: under any interleaving of arrivals,
//! successes, failures, retries, cancels and removals, the limits hold and
//! nothing is lost.

use proptest::prelude::*;

use super::{
    Attachment, BatchLimit, EntryId, EntryState, FileMeta, KeptAttachments, Restrictions,
    RetryPolicy, UploadError, UploadQueue,
};

#[derive(Clone, Debug)]
enum Op {
    Add(u64),
    Start,
    Progress(usize, u64),
    Succeed(usize),
    FailTransient(usize),
    FailPermanent(usize),
    Cancel(usize),
    Requeue(usize),
    Retry(usize),
    Remove(usize),
    Tick(u64),
    /// The browser goes offline (`false`) or back online.
    Online(bool),
    /// The server confirms holding some bytes of a file (Flow's parts).
    Hold(usize, u64),
    /// The held bytes stop counting (the options changed).
    ForgetHeld,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u64..5_000).prop_map(Op::Add),
        Just(Op::Start),
        (0usize..40, 0u64..5_000).prop_map(|(i, n)| Op::Progress(i, n)),
        (0usize..40).prop_map(Op::Succeed),
        (0usize..40).prop_map(Op::FailTransient),
        (0usize..40).prop_map(Op::FailPermanent),
        (0usize..40).prop_map(Op::Cancel),
        (0usize..40).prop_map(Op::Requeue),
        (0usize..40).prop_map(Op::Retry),
        (0usize..40).prop_map(Op::Remove),
        (0u64..10_000).prop_map(Op::Tick),
        any::<bool>().prop_map(Op::Online),
        (0usize..40, 0u64..5_000).prop_map(|(i, n)| Op::Hold(i, n)),
        Just(Op::ForgetHeld),
    ]
}

fn attachment(id: EntryId) -> Attachment {
    Attachment {
        id: format!("srv-{}", id.0),
        name: "f".into(),
        size: 1,
        mimetype: None,
        content: None,
        thumbnail: None,
        created_at: None,
    }
}

/// Picks the `i`-th entry (wrapping), so generated indices always land.
fn pick(q: &UploadQueue, i: usize) -> Option<EntryId> {
    let entries = q.entries();
    (!entries.is_empty()).then(|| entries[i % entries.len()].id)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn limits_hold_and_nothing_is_lost(
        concurrency in 1usize..5,
        // Files and bytes per request: 1 is every API; more is a batching Jira.
        batch_files in 1usize..5,
        batch_bytes in prop_oneof![Just(u64::MAX), 1_000u64..8_000],
        ops in proptest::collection::vec(op(), 1..120),
    ) {
        let mut q = UploadQueue::new(concurrency)
            .with_restrictions(Restrictions {
                max_file_size: Some(4_000),
                reject_duplicates: false,
                ..Restrictions::default()
            })
            .with_retry_policy(RetryPolicy { base_ms: 100, cap_ms: 1_000, max_attempts: 3, max_retry_after_ms: 0 });
        let limit = BatchLimit { files: batch_files, bytes: batch_bytes };
        let mut kept = KeptAttachments::new();
        let mut now = 0.0;
        let mut added = 0usize;
        let mut removed = 0usize;

        for op in ops {
            match op {
                Op::Add(size) => {
                    q.add(FileMeta::new(format!("f{added}"), size, ""));
                    added += 1;
                }
                Op::Start => {
                    // The oldest ready files start, in requests of up to
                    // `limit`, as many requests as slots are free.
                    let free = concurrency.saturating_sub(q.active_count());
                    let ready: Vec<(EntryId, u64)> = q
                        .entries()
                        .iter()
                        .filter(|_| q.is_online())
                        .filter(|e| match e.state {
                            EntryState::Queued => true,
                            EntryState::Retrying { at_ms, .. } => at_ms <= now,
                            _ => false,
                        })
                        .map(|e| (e.id, e.file.size))
                        .collect();
                    let started = q.start_batches(now, limit);
                    // Stated as properties, not as a second copy of the loop:
                    // at most `free` requests, each within the limit (a file
                    // over the byte limit alone), together the oldest ready
                    // files in order, and each request as full as the next
                    // file allowed.
                    prop_assert!(started.len() <= free);
                    let size = |id: &EntryId| ready.iter().find(|(r, _)| r == id).map_or(0, |(_, s)| *s);
                    for batch in &started {
                        let bytes: u64 = batch.iter().map(size).sum();
                        prop_assert!(!batch.is_empty() && batch.len() <= limit.files);
                        prop_assert!(batch.len() == 1 || bytes <= limit.bytes);
                    }
                    let flat: Vec<EntryId> = started.iter().flatten().copied().collect();
                    let oldest: Vec<EntryId> = ready.iter().take(flat.len()).map(|(id, _)| *id).collect();
                    prop_assert_eq!(&flat, &oldest);
                    let mut rest = ready.iter().skip(flat.len());
                    let full = |batch: &Vec<EntryId>, next: u64| {
                        batch.len() == limit.files
                            || batch.iter().map(size).sum::<u64>().saturating_add(next) > limit.bytes
                    };
                    for pair in started.windows(2) {
                        prop_assert!(full(&pair[0], size(&pair[1][0])));
                    }
                    if let Some((_, next)) = rest.next() {
                        // Something was left: every slot is taken by a full request.
                        prop_assert_eq!(started.len(), free);
                        if let Some(last) = started.last() {
                            prop_assert!(full(last, *next));
                        }
                    }
                    for id in started.into_iter().flatten() {
                        // A run starts from what the server holds.
                        let entry = q.get(id).unwrap();
                        let from_held = matches!(entry.state, EntryState::Uploading { sent, .. } if sent == entry.held);
                        prop_assert!(from_held, "{:?}", entry);
                    }
                }
                Op::Progress(i, n) => {
                    if let Some(id) = pick(&q, i) {
                        let uploading = matches!(q.get(id).unwrap().state, EntryState::Uploading { .. });
                        prop_assert_eq!(q.progress(id, n, 5_000).is_ok(), uploading);
                        // A run never shows less than the bytes held.
                        if uploading {
                            let now_sent = match q.get(id).unwrap().state {
                                EntryState::Uploading { sent, .. } => sent,
                                _ => 0,
                            };
                            let held = q.get(id).unwrap().held;
                            prop_assert_eq!(now_sent, n.max(held));
                        }
                    }
                }
                Op::Hold(i, n) => {
                    if let Some(id) = pick(&q, i) {
                        prop_assert!(q.hold(id, n, q.held_epoch()));
                        let entry = q.get(id).unwrap();
                        prop_assert_eq!(entry.held, n.min(entry.file.size));
                    }
                }
                Op::ForgetHeld => {
                    q.forget_held();
                    prop_assert!(q.entries().iter().all(|e| e.held == 0));
                }
                Op::Succeed(i) => {
                    if let Some(id) = pick(&q, i) {
                        if q.finish_at(id, Ok(attachment(id)), now, None, 0.5).is_ok() {
                            kept.add(attachment(id));
                        }
                    }
                }
                Op::FailTransient(i) => {
                    if let Some(id) = pick(&q, i) {
                        let _ = q.finish_at(id, Err(UploadError::Network("reset".into())), now, None, 0.5);
                    }
                }
                Op::FailPermanent(i) => {
                    if let Some(id) = pick(&q, i) {
                        let _ = q.finish_at(
                            id,
                            Err(UploadError::Http { status: 403, message: String::new() }),
                            now,
                            None,
                            0.5,
                        );
                    }
                }
                Op::Cancel(i) => { if let Some(id) = pick(&q, i) { let _ = q.cancel(id); } }
                Op::Requeue(i) => {
                    if let Some(id) = pick(&q, i) {
                        let was_uploading = matches!(q.get(id).unwrap().state, EntryState::Uploading { .. });
                        prop_assert_eq!(q.requeue(id).is_ok(), was_uploading);
                    }
                }
                Op::Retry(i) => { if let Some(id) = pick(&q, i) { let _ = q.retry(id); } }
                Op::Remove(i) => {
                    if let Some(id) = pick(&q, i) {
                        if q.remove(id) { removed += 1; }
                    }
                }
                Op::Tick(ms) => now += ms as f64,
                Op::Online(online) => {
                    for id in q.set_online(online) {
                        prop_assert_eq!(&q.get(id).unwrap().state, &EntryState::Queued);
                    }
                    // Offline, nothing is due and no timer is asked for.
                    prop_assert!(online || q.next_wake_at().is_none());
                }
            }
            // Never more uploads in flight than the limit.
            prop_assert!(q.active_count() <= concurrency);
            let uploading = q.entries().iter().filter(|e| matches!(e.state, EntryState::Uploading { .. })).count();
            prop_assert!(uploading <= concurrency * batch_files);
            // The running totals agree with a count from scratch.
            prop_assert!(q.totals_are_consistent(), "{:?}", q);
            // Every arrival is listed until removed, and ids stay unique.
            prop_assert_eq!(q.entries().len(), added - removed);
            let mut ids: Vec<_> = q.entries().iter().map(|e| e.id).collect();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), q.entries().len());
        }

        // Drain: back online, everything in flight succeeds, waiting
        // retries come due.
        q.set_online(true);
        for _ in 0..(4 * (added + 1)) {
            now += 1_000_000.0;
            for id in q.start_batches(now, limit).into_iter().flatten() {
                q.finish_at(id, Ok(attachment(id)), now, None, 0.5).unwrap();
                kept.add(attachment(id));
            }
            for id in q.entries().iter().map(|e| e.id).collect::<Vec<_>>() {
                if matches!(q.get(id).unwrap().state, EntryState::Uploading { .. }) {
                    q.finish_at(id, Ok(attachment(id)), now, None, 0.5).unwrap();
                    kept.add(attachment(id));
                }
            }
        }
        prop_assert!(q.entries().iter().all(|e| e.state.is_terminal()), "{:?}", q.entries());

        // Every file that finished is kept exactly once, and nothing else is.
        let done: Vec<String> = q
            .entries()
            .iter()
            .filter_map(|e| match &e.state {
                EntryState::Done { attachment } => Some(attachment.id.clone()),
                _ => None,
            })
            .collect();
        let kept_ids = kept.ids();
        let mut unique = kept_ids.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), kept_ids.len());
        for id in &done {
            prop_assert!(kept_ids.contains(id), "done {} not kept", id);
        }
    }
}
