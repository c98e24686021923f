//! Uploads through `XMLHttpRequest`, the one browser API that reports upload
//! progress byte by byte (`fetch` has none: whatwg/fetch#577).

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, Event, ProgressEvent, XmlHttpRequest};

use super::transport::multipart_body;
use super::{js_error_text, RawResponse};
use crate::backend::UploadRequest;
use crate::core::UploadError;

/// How a finished request ended, as the promise below reports it.
const LOADED: &str = "load";
const ABORTED: &str = "abort";

fn browser_error(value: JsValue) -> UploadError {
    UploadError::Browser(js_error_text(&value))
}

/// Sends the multipart request and calls `on_progress(sent, total)` as the
/// body goes out. The files are handles; their bytes stay in the browser.
pub async fn send_upload_xhr(
    request: &UploadRequest,
    files: &[Blob],
    signal: Option<&AbortSignal>,
    on_progress: Rc<dyn Fn(u64, u64)>,
) -> Result<RawResponse, UploadError> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(UploadError::Cancelled);
    }
    let form = multipart_body(request, files)?;

    let xhr = XmlHttpRequest::new().map_err(browser_error)?;
    xhr.open_with_async(request.method.as_str(), &request.url, true)
        .map_err(browser_error)?;
    for (name, value) in &request.headers {
        xhr.set_request_header(name, value).map_err(browser_error)?;
    }

    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if ev.length_computable() {
            on_progress(ev.loaded() as u64, ev.total() as u64);
        }
    });
    let upload = xhr.upload().map_err(browser_error)?;
    upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));

    // The handlers must outlive the request; they are dropped after it ends.
    let mut handlers: Vec<Closure<dyn FnMut(Event)>> = Vec::new();
    let done = Promise::new(&mut |resolve, _reject| {
        for (kind, outcome) in [
            ("load", LOADED),
            ("error", "error"),
            ("abort", ABORTED),
            ("timeout", "timeout"),
        ] {
            let resolve = resolve.clone();
            let handler = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(outcome));
            });
            let _ = xhr.add_event_listener_with_callback(kind, handler.as_ref().unchecked_ref());
            handlers.push(handler);
        }
    });

    let abort_listener = signal.map(|signal| {
        let target = xhr.clone();
        let handler = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let _ = target.abort();
        });
        let _ = signal.add_event_listener_with_callback("abort", handler.as_ref().unchecked_ref());
        (signal.clone(), handler)
    });

    let sent = xhr.send_with_opt_form_data(Some(&form));
    let outcome = match &sent {
        Ok(()) => JsFuture::from(done).await.ok().and_then(|v| v.as_string()),
        Err(_) => None,
    };

    upload.set_onprogress(None);
    if let Some((signal, handler)) = &abort_listener {
        let _ =
            signal.remove_event_listener_with_callback("abort", handler.as_ref().unchecked_ref());
    }
    drop(handlers);
    drop(progress);
    // Only now, with every listener gone, may a refused send return.
    sent.map_err(browser_error)?;

    match outcome.as_deref() {
        Some(LOADED) => Ok(RawResponse {
            status: xhr.status().unwrap_or(0),
            body: xhr.response_text().ok().flatten().unwrap_or_default(),
            retry_after: xhr.get_response_header("retry-after").ok().flatten(),
        }),
        Some(ABORTED) => Err(UploadError::Cancelled),
        Some(other) => Err(UploadError::Network(format!(
            "the connection failed ({other})"
        ))),
        None => Err(UploadError::Network("the request did not finish".into())),
    }
}
