//! A file sent in parts over the Flow.js protocol: for each part a test GET
//! (so an upload interrupted by a reload resumes), then the part itself as a
//! `Blob.slice` of the file. A failed part is retried alone, per the
//! [`RetryPolicy`]; progress is the sum over parts.

use std::cell::Cell;
use std::rc::Rc;

use web_sys::{AbortSignal, Blob, File};

use super::{fresh_credentials, js_error_text, sleep, AuthorizationProvider, Transport};
use crate::backend::{Credentials, FlowBackend, PartOutcome, PartPresence, PartSpec};
use crate::core::{
    parse_retry_after, Attachment, FileMeta, RetryDecision, RetryPolicy, UploadError,
};

/// The part's bytes as a new `Blob` handle; nothing is copied into wasm.
fn slice(file: &File, part: &PartSpec) -> Result<Blob, UploadError> {
    file.slice_with_f64_and_f64(part.offset as f64, part.end() as f64)
        .map_err(|e| UploadError::Browser(js_error_text(&e)))
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
    /// Told of each part the server had already (a resumed upload): counted
    /// in the progress, but not sent now, so not speed.
    pub on_skipped: &'a dyn Fn(u64),
}

/// Uploads `file` part by part and returns the attachment the completing
/// part answered with. `on_progress(sent, total)` counts whole parts.
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
    } = *uploader;
    let plan = backend.plan(meta);
    let mut sent = 0u64;
    for part in &plan {
        let presence = with_retries(policy, signal, false, &Cell::new(None), || async {
            let credentials = match fresh_credentials(credentials, provider).await {
                Ok(c) => c,
                Err(error) => return (Err(error), None),
            };
            let request = backend.test_request(meta, part, &credentials);
            match transport.json(&request, signal).await {
                Ok(raw) => (backend.parse_test(raw.status, &raw.body), raw.retry_after),
                Err(error) => (Err(error), None),
            }
        })
        .await?;
        let outcome = if presence == PartPresence::Stored && !part.is_last() {
            on_skipped(part.size);
            PartOutcome::Stored
        } else {
            // The last part is always sent: its answer carries the attachment.
            let blob = slice(file, part)?;
            let body_out = Rc::new(Cell::new(None));
            with_retries(policy, signal, part.is_last(), &body_out, || async {
                let credentials = match fresh_credentials(credentials, provider).await {
                    Ok(c) => c,
                    Err(error) => return (Err(error), None),
                };
                let request = backend.part_request(meta, part, &credentials);
                let out = body_out.clone();
                let on_sent: Rc<dyn Fn(u64, u64)> = Rc::new(move |sent, total| {
                    if sent >= total {
                        out.set(Some(js_sys::Date::now()));
                    }
                });
                let blobs = std::slice::from_ref(&blob);
                match transport.upload(&request, blobs, signal, on_sent).await {
                    Ok(raw) => (backend.parse_part(raw.status, &raw.body), raw.retry_after),
                    Err(error) => (Err(error), None),
                }
            })
            .await?
        };
        sent += part.size;
        on_progress(sent, meta.size);
        if let PartOutcome::Completed(attachment) = outcome {
            return Ok(attachment);
        }
    }
    Err(UploadError::InvalidResponse(
        "every part was stored but the server never completed the file".into(),
    ))
}
