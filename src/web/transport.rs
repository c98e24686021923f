//! `fetch` with `FormData` and an `AbortSignal`.
//!
//! Written on `web_sys` rather than gloo-net: gloo-net 0.6 hits
//! `unreachable!` when a promise rejects with something other than an
//! `Error` (an `AbortController.abort(reason)` can do that), and a panic in
//! WebAssembly takes down every widget on the page.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, AbortSignal, Blob, FormData, Headers, Request, RequestCredentials,
    RequestInit, Response,
};

use super::js_error_text;
use super::listener::EventListener;
use super::timer::Deadline;
use crate::backend::{JsonRequest, UploadRequest};
use crate::core::UploadError;

/// Status and body text of an answer, whatever its status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawResponse {
    pub status: u16,
    pub body: String,
    /// The `Retry-After` header, for 429 and 503 answers.
    pub retry_after: Option<String>,
}

fn browser_error(value: JsValue) -> UploadError {
    UploadError::Browser(js_error_text(&value))
}

/// A rejected `fetch` is either our own abort or a network failure; the
/// browser says which only through the exception's name.
fn fetch_error(value: JsValue, signal: Option<&AbortSignal>) -> UploadError {
    let aborted = signal.is_some_and(AbortSignal::aborted)
        || value
            .dyn_ref::<js_sys::Error>()
            .is_some_and(|e| e.name() == "AbortError");
    if aborted {
        UploadError::Cancelled
    } else {
        UploadError::Network(js_error_text(&value))
    }
}

pub(crate) fn headers_from(pairs: &[(String, String)]) -> Result<Headers, UploadError> {
    let headers = Headers::new().map_err(browser_error)?;
    for (name, value) in pairs {
        headers
            .append(name, value)
            .map_err(|_| invalid_header(name))?;
    }
    Ok(headers)
}

/// A header the browser refused. The browser's own message quotes the
/// value, which may be a token: only the header's name is told.
pub(crate) fn invalid_header(name: &str) -> UploadError {
    UploadError::Browser(format!(
        "the {name} header has characters a header cannot carry"
    ))
}

/// The multipart body of `request`: its text fields, then `files[i]` as its
/// i-th file part. The blobs are appended as handles, never read.
pub(crate) fn multipart_body(
    request: &UploadRequest,
    files: &[Blob],
) -> Result<FormData, UploadError> {
    if files.len() != request.file_parts.len() {
        return Err(UploadError::Browser(format!(
            "{} files for {} file parts",
            files.len(),
            request.file_parts.len()
        )));
    }
    let form = FormData::new().map_err(browser_error)?;
    for (name, value) in &request.fields {
        form.append_with_str(name, value).map_err(browser_error)?;
    }
    for (part, file) in request.file_parts.iter().zip(files) {
        form.append_with_blob_and_filename(&part.field, file, &part.filename)
            .map_err(browser_error)?;
    }
    Ok(form)
}

/// Sends a JSON (or, with an empty body, a bodiless) request. No answer
/// within `timeout_ms` ends it as a network error: on a half-dead connection
/// an attach or a take-back would otherwise wait until the system gives up,
/// which can be many minutes.
pub async fn send_json(
    request: &JsonRequest,
    signal: Option<&AbortSignal>,
    timeout_ms: u32,
) -> Result<RawResponse, UploadError> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(UploadError::Cancelled);
    }
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    let headers = headers_from(&request.headers)?;
    if request.has_body() {
        headers
            .set("Content-Type", "application/json")
            .map_err(browser_error)?;
        init.set_body(&JsValue::from_str(&request.body));
    }
    init.set_headers(headers.as_ref());
    include_cookies(&init, request.with_credentials);
    // One signal for the fetch, aborted by the caller's or by the deadline.
    let controller = AbortController::new().map_err(browser_error)?;
    let own = controller.signal();
    init.set_signal(Some(&own));
    let deadline = Deadline::arm(timeout_ms, &controller);
    let _follow = signal.and_then(|signal| {
        let controller = controller.clone();
        EventListener::on(signal.clone().into(), "abort", move |_| controller.abort())
    });
    let answer = fetch_text(&request.url, &init, Some(&own)).await;
    match answer {
        Err(UploadError::Cancelled) if deadline.fired() => Err(UploadError::Network(format!(
            "no answer in {} s",
            timeout_ms.div_ceil(1000)
        ))),
        other => other,
    }
}

/// With `on`, the request carries the browser's cookies to another origin
/// too (`credentials: 'include'`); else the browser's default, cookies for
/// the page's own origin only.
pub(crate) fn include_cookies(init: &RequestInit, on: bool) {
    if on {
        init.set_credentials(RequestCredentials::Include);
    }
}

/// The most of an answer's text read into WebAssembly, in UTF-16 units.
/// Every answer this widget reads is a few kilobytes of JSON (an issue's
/// attachment list, tens of them); an endpoint echoing a 500 MB upload
/// back would otherwise be copied whole into memory that never shrinks,
/// and an allocation that fails aborts every widget on the page.
pub const MAX_ANSWER_UNITS: u32 = 4 << 20;

/// An answer's text as Rust reads it: at most [`MAX_ANSWER_UNITS`], cut in
/// JavaScript before the copy (a cut answer no longer parses, and is read
/// as the unreadable answer it is); not text at all reads as empty.
pub(crate) fn answer_text(text: &JsValue) -> String {
    let Some(text) = text.dyn_ref::<js_sys::JsString>() else {
        return String::new();
    };
    if text.length() > MAX_ANSWER_UNITS {
        String::from(text.slice(0, MAX_ANSWER_UNITS))
    } else {
        String::from(text)
    }
}

/// Runs a fetch and reads the body as text; any status is `Ok`.
pub(crate) async fn fetch_text(
    url: &str,
    init: &RequestInit,
    signal: Option<&AbortSignal>,
) -> Result<RawResponse, UploadError> {
    let response = fetch(url, init, signal).await?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let text_promise = response.text().map_err(browser_error)?;
    let body = answer_text(
        &JsFuture::from(text_promise)
            .await
            .map_err(|e| fetch_error(e, signal))?,
    );
    Ok(RawResponse {
        status,
        body,
        retry_after,
    })
}

pub(crate) async fn fetch(
    url: &str,
    init: &RequestInit,
    signal: Option<&AbortSignal>,
) -> Result<Response, UploadError> {
    let window = web_sys::window().ok_or_else(|| UploadError::Browser("no window".into()))?;
    let request = Request::new_with_str_and_init(url, init).map_err(browser_error)?;
    let answer = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|e| fetch_error(e, signal))?;
    answer
        .dyn_into::<Response>()
        .map_err(|_| UploadError::Browser("fetch did not return a Response".into()))
}
