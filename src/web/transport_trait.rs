//! The seam between the engine and the network, so that tests can put a
//! scripted transport in place of the browser's.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use web_sys::{AbortSignal, Blob};

use super::{send_json, send_upload_xhr, RawResponse, Watchdog};
use crate::backend::{JsonRequest, UploadRequest};
use crate::core::UploadError;

pub type TransportFuture<'a> = Pin<Box<dyn Future<Output = Result<RawResponse, UploadError>> + 'a>>;

/// Sends what `backend/` decided. Every status is an `Ok` answer; an `Err` is
/// a request that got none (network, abort, browser refusal).
pub trait Transport {
    /// A multipart upload of `files` (handles: their bytes stay in the
    /// browser), reporting `on_progress(sent, total)` when it can.
    fn upload<'a>(
        &'a self,
        request: &'a UploadRequest,
        files: &'a [Blob],
        signal: Option<&'a AbortSignal>,
        on_progress: Rc<dyn Fn(u64, u64)>,
    ) -> TransportFuture<'a>;

    /// A JSON (or bodiless) request: part tests, attach, comment.
    fn json<'a>(
        &'a self,
        request: &'a JsonRequest,
        signal: Option<&'a AbortSignal>,
    ) -> TransportFuture<'a>;
}

/// The browser: `XMLHttpRequest` for whole files (the only API with upload
/// progress) and for parts (so the stall watchdog covers them too: a part
/// sent by `fetch` on a half-dead connection would hang until the system
/// gives up on it, holding its row and its place), `fetch` for JSON.
#[derive(Clone, Copy, Debug)]
pub struct BrowserTransport {
    /// A file or part upload whose body makes no progress for this long is
    /// given up (a network error, so it is retried): a half-dead connection
    /// would otherwise hang until the user cancels.
    pub stall_timeout_ms: u32,
    /// An upload whose body has not begun to go out this long after it was
    /// sent (a connection, or a CORS preflight, that never answers) is
    /// given up the same way.
    pub start_timeout_ms: u32,
    /// A JSON request (attach, comment, a part test, a take-back, a look
    /// at the issue) with no answer after this long is given up as a
    /// network error.
    pub answer_timeout_ms: u32,
}

/// As Uppy's XHR uploader: 30 s without a byte going out.
pub const DEFAULT_STALL_TIMEOUT_MS: u32 = 30_000;

/// Long enough for a slow Jira to attach or list, short of the minutes a
/// dead connection takes to fail on its own.
pub const DEFAULT_ANSWER_TIMEOUT_MS: u32 = 60_000;

impl Default for BrowserTransport {
    fn default() -> Self {
        Self {
            stall_timeout_ms: DEFAULT_STALL_TIMEOUT_MS,
            start_timeout_ms: DEFAULT_STALL_TIMEOUT_MS,
            answer_timeout_ms: DEFAULT_ANSWER_TIMEOUT_MS,
        }
    }
}

impl Transport for BrowserTransport {
    fn upload<'a>(
        &'a self,
        request: &'a UploadRequest,
        files: &'a [Blob],
        signal: Option<&'a AbortSignal>,
        on_progress: Rc<dyn Fn(u64, u64)>,
    ) -> TransportFuture<'a> {
        Box::pin(send_upload_xhr(
            request,
            files,
            signal,
            on_progress,
            Watchdog {
                stall_ms: self.stall_timeout_ms,
                start_ms: self.start_timeout_ms,
            },
        ))
    }

    fn json<'a>(
        &'a self,
        request: &'a JsonRequest,
        signal: Option<&'a AbortSignal>,
    ) -> TransportFuture<'a> {
        Box::pin(send_json(request, signal, self.answer_timeout_ms))
    }
}
