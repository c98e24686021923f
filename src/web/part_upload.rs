//! A file sent in parts over the Flow.js protocol: for each part a test GET
//! (so an upload interrupted by a reload resumes), then the part itself as a
//! `Blob.slice` of the file. A failed part is retried alone, per the
//! [`RetryPolicy`]; progress counts the bytes of each part as they go out.
//! A refused token is refreshed (`send_authorized`), and a token changed
//! mid-file has the parts walked once more.

use std::cell::Cell;
use std::rc::Rc;

use web_sys::{AbortSignal, Blob, File};

use super::{is_online, js_error_text, send_authorized, sleep, AuthorizationProvider, Transport};
use crate::backend::{Credentials, FlowBackend, PartOutcome, PartPresence, PartSpec};
use crate::core::{
    parse_retry_after, Attachment, FileMeta, RetryDecision, RetryPolicy, UploadError,
};

/// The part's bytes as a new `Blob` handle; nothing is copied into wasm.
fn slice(file: &File, part: &PartSpec) -> Result<Blob, UploadError> {
    file.slice_with_f64_and_f64(part.offset as f64, part.end() as f64)
        .map_err(|e| UploadError::Browser(js_error_text(&e)))
}

/// The bytes of a part of `part_size` that `sent` of its request's `total`
/// stand for: the request carries form fields around the part, so its
/// bytes are scaled down to the part's, and never more than the part.
fn part_share(part_size: u64, sent: u64, total: u64) -> u64 {
    if total == 0 {
        return 0;
    }
    let share = u128::from(part_size) * u128::from(sent.min(total)) / u128::from(total);
    u64::try_from(share).unwrap_or(part_size).min(part_size)
}

/// Runs `attempt` until it succeeds, fails for good, or is cancelled. For
/// the part that `completes` the file, a server still assembling it
/// ([`RetryPolicy::assembly_wait`]) is waited for on its own budget, not
/// counted as a failed try: the file is being made into an attachment.
/// How long the server held the answer counts from `body_out` (when the
/// attempt's last byte went out, set by the attempt; from the attempt's
/// start where it is never set): on a slow link the sending alone would
/// otherwise pass for a server at work.
async fn with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    signal: Option<&AbortSignal>,
    completes: bool,
    body_out: &Cell<Option<f64>>,
    mut attempt: F,
) -> Result<T, UploadError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = (Result<T, UploadError>, Option<String>)>,
{
    let mut failures = 0;
    let first_try = js_sys::Date::now();
    loop {
        let started = js_sys::Date::now();
        body_out.set(None);
        let (outcome, retry_after) = attempt().await;
        let sent_at = body_out.get().unwrap_or(started);
        let error = match outcome {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        // Offline, the queue holds the file for the connection without
        // spending a try (`UploadQueue::holds_for_network`); trying the part
        // again meanwhile would only spend this file's tries.
        if error.waits_for_network() && !is_online() {
            return Err(error);
        }
        let now = js_sys::Date::now();
        let retry_after_ms = retry_after
            .as_deref()
            .and_then(|v| parse_retry_after(v, now as u64));
        // Clock readings as whole milliseconds; a clock set back reads 0.
        let since = |start: f64| (now - start).max(0.0) as u64;
        let assembling = completes
            .then(|| policy.assembly_wait(&error, retry_after_ms, since(sent_at), since(first_try)))
            .flatten();
        let wait = match assembling {
            Some(wait) => wait,
            None => {
                failures += 1;
                match policy.decide(failures, &error, retry_after_ms, js_sys::Math::random()) {
                    RetryDecision::RetryIn(wait) => wait,
                    RetryDecision::GiveUp => return Err(error),
                }
            }
        };
        sleep(wait).await;
        if signal.is_some_and(AbortSignal::aborted) {
            return Err(UploadError::Cancelled);
        }
    }
}

/// How parts are sent: where, as whom, and how failures are retried.
pub struct PartUploader<'a> {
    pub backend: &'a FlowBackend,
    pub credentials: &'a Credentials,
    pub provider: Option<&'a AuthorizationProvider>,
    pub policy: &'a RetryPolicy,
    pub transport: &'a dyn Transport,
    /// Told, for each part the server had already (a resumed upload), the
    /// bytes it raises the progress by: counted, but not sent now, so not
    /// speed.
    pub on_skipped: &'a dyn Fn(u64),
    /// Told, each time a look at a part (its test, or its sending) tells
    /// more, how many bytes of the file the server is known to hold: the
    /// parts this walk found stored or stored itself, never the last (its
    /// answer completes the file). A walk started over (the token changed,
    /// or the file did not complete) starts from 0.
    pub on_confirmed: &'a dyn Fn(u64),
    /// What the progress shows already as the run starts (the bytes the
    /// server held when the file stopped): reports stay at it while the
    /// parts below it are confirmed, and those parts are not tested again.
    pub shown_from: u64,
}

/// Uploads `file` part by part and returns the attachment the completing
/// part answered with. `on_progress(sent, total)` counts the parts done
/// (stored now or found on the server) plus the share of the part going
/// out: its request's bytes sent, scaled to the part's size (the form
/// fields around it are not the file's). A retried part starts again from
/// zero, and the count stays where it was until the part passes it, so no
/// byte is counted twice. It goes back only when a part counted as on the
/// server (`shown_from`, or a walk before the token changed) is found
/// missing: then it shows that part going out again.
pub async fn upload_in_parts(
    uploader: &PartUploader<'_>,
    file: &File,
    meta: &FileMeta,
    signal: Option<&AbortSignal>,
    on_progress: Rc<dyn Fn(u64, u64)>,
) -> Result<Attachment, UploadError> {
    let PartUploader {
        backend,
        credentials,
        provider,
        policy,
        transport,
        on_skipped,
        on_confirmed,
        shown_from,
    } = *uploader;
    let plan = backend.plan(meta);
    let size = meta.size;
    // The most reported so far, so that a retried part does not go back.
    let reported = Rc::new(Cell::new(shown_from.min(size)));
    let report: Rc<dyn Fn(u64)> = {
        let reported = reported.clone();
        Rc::new(move |sent| {
            let shown = reported.get().max(sent);
            reported.set(shown);
            on_progress(shown, size);
        })
    };
    // The `Authorization` values the parts went with. A server that keys
    // an upload by who sends it (the reference server does) starts a new
    // upload when the host's token changes mid-file, and the parts sent
    // before are not its: then the plan is walked once more, and the parts
    // the new upload lacks are sent again.
    let first_value = std::cell::RefCell::new(None::<Option<String>>);
    let value_changed = Cell::new(false);
    let note_value = |credentials: &Credentials| {
        let mut first = first_value.borrow_mut();
        match first.as_ref() {
            None => *first = Some(credentials.authorization.clone()),
            Some(value) if *value != credentials.authorization => value_changed.set(true),
            Some(_) => {}
        }
    };
    let not_cancelled = || !signal.is_some_and(AbortSignal::aborted);
    // Once the token changed, what this walk found is the old sender's:
    // the new one's upload holds nothing known yet.
    let confirm = |bytes: u64| on_confirmed(if value_changed.get() { 0 } else { bytes });
    // Parts this page saw the server confirm before (the run stopped for
    // the network or a retry) are not tested again, as Flow.js does not
    // within a session: after an outage, hundreds of tests one after
    // another would stall the upload. Should the file then not complete
    // (the server lost some), the parts are walked again, each tested, up
    // to three walks in all, as long as a walk finds parts missing.
    let mut trusted = shown_from.min(size);
    for walk in 0..3 {
        let mut sent = 0u64;
        let mut confirmed = 0u64;
        // Parts found missing and sent again in this walk, the last aside.
        let mut resent = 0usize;
        if walk > 0 {
            on_confirmed(0);
        }
        for part in &plan {
            if part.end() <= trusted && !part.is_last() {
                // Shown already (the run starts from them): nothing to skip.
                confirmed += part.size;
                sent += part.size;
                report(sent);
                continue;
            }
            let presence = with_retries(policy, signal, false, &Cell::new(None), || async {
                let answer =
                    send_authorized(credentials, provider, &not_cancelled, |credentials| {
                        note_value(&credentials);
                        let request = backend.test_request(meta, part, &credentials);
                        async move { transport.json(&request, signal).await }
                    })
                    .await;
                match answer {
                    Ok(raw) => (backend.parse_test(raw.status, &raw.body), raw.retry_after),
                    Err(error) => (Err(error), None),
                }
            })
            .await?;
            let outcome = if presence == PartPresence::Stored && !part.is_last() {
                // Only what shows for the first time: a resumed run starts
                // from what was shown, and a second walk from its first's.
                let shown = reported.get();
                on_skipped((sent + part.size).max(shown) - shown);
                confirmed += part.size;
                confirm(confirmed);
                PartOutcome::Stored
            } else {
                if presence != PartPresence::Stored {
                    // Missing: the server holds only what was confirmed, and
                    // a resumed run that counted on more shows it going out
                    // again.
                    confirm(confirmed);
                    reported.set(reported.get().min(sent));
                }
                // The last part is always sent: its answer carries the attachment.
                let blob = slice(file, part)?;
                let before = sent;
                let body_out = Rc::new(Cell::new(None));
                with_retries(policy, signal, part.is_last(), &body_out, || async {
                    let answer =
                        send_authorized(credentials, provider, &not_cancelled, |credentials| {
                            note_value(&credentials);
                            let request = backend.part_request(meta, part, &credentials);
                            let out = body_out.clone();
                            let report = report.clone();
                            let part_size = part.size;
                            // The part's bytes as they go out, and when the last did.
                            let on_sent: Rc<dyn Fn(u64, u64)> = Rc::new(move |loaded, total| {
                                if loaded >= total {
                                    out.set(Some(js_sys::Date::now()));
                                }
                                report(before + part_share(part_size, loaded, total));
                            });
                            let blob = &blob;
                            async move {
                                transport
                                    .upload(&request, std::slice::from_ref(blob), signal, on_sent)
                                    .await
                            }
                        })
                        .await;
                    match answer {
                        Ok(raw) => (backend.parse_part(raw.status, &raw.body), raw.retry_after),
                        Err(error) => (Err(error), None),
                    }
                })
                .await?
            };
            sent += part.size;
            report(sent);
            if let PartOutcome::Completed(attachment) = outcome {
                return Ok(attachment);
            }
            if presence != PartPresence::Stored && !part.is_last() {
                confirmed += part.size;
                confirm(confirmed);
                resent += 1;
            }
        }
        // A walk after the first that found every part there and still
        // did not complete the file: another would go alike.
        if walk > 0 && resent == 0 && !value_changed.get() {
            break;
        }
        // The file did not complete: the server lost parts, trusted or
        // confirmed in this very walk (restarted on empty storage, or
        // parts expired), or the token changed and the parts were the old
        // sender's. The next walk tests every part.
        trusted = 0;
        if value_changed.get() {
            value_changed.set(false);
            *first_value.borrow_mut() = None;
        }
    }
    Err(UploadError::InvalidResponse(
        "every part was stored but the server never completed the file".into(),
    ))
}
