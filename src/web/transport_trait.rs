//! The seam between the engine and the network, so that tests can put a
//! scripted transport in place of the browser's.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use web_sys::{AbortSignal, Blob};

use super::{send_json, send_upload, send_upload_xhr, RawResponse};
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

    /// One part of a file. The default sends it like a whole file.
    fn upload_part<'a>(
        &'a self,
        request: &'a UploadRequest,
        part: &'a Blob,
        signal: Option<&'a AbortSignal>,
    ) -> TransportFuture<'a> {
        self.upload(
            request,
            std::slice::from_ref(part),
            signal,
            Rc::new(|_, _| {}),
        )
    }

    /// A JSON (or bodiless) request: part tests, attach, comment.
    fn json<'a>(
        &'a self,
        request: &'a JsonRequest,
        signal: Option<&'a AbortSignal>,
    ) -> TransportFuture<'a>;
}

/// The browser: `XMLHttpRequest` for whole files (the only API with upload
/// progress), `fetch` for parts and JSON (a part's progress is the part).
#[derive(Clone, Copy, Debug, Default)]
pub struct BrowserTransport;

impl Transport for BrowserTransport {
    fn upload<'a>(
        &'a self,
        request: &'a UploadRequest,
        files: &'a [Blob],
        signal: Option<&'a AbortSignal>,
        on_progress: Rc<dyn Fn(u64, u64)>,
    ) -> TransportFuture<'a> {
        Box::pin(send_upload_xhr(request, files, signal, on_progress))
    }

    fn upload_part<'a>(
        &'a self,
        request: &'a UploadRequest,
        part: &'a Blob,
        signal: Option<&'a AbortSignal>,
    ) -> TransportFuture<'a> {
        Box::pin(send_upload(request, std::slice::from_ref(part), signal))
    }

    fn json<'a>(
        &'a self,
        request: &'a JsonRequest,
        signal: Option<&'a AbortSignal>,
    ) -> TransportFuture<'a> {
        Box::pin(send_json(request, signal))
    }
}
