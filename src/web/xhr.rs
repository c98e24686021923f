//! Uploads through `XMLHttpRequest`, the one browser API that reports upload
//! progress byte by byte (`fetch` has none: whatwg/fetch#577).

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, Event, ProgressEvent, XmlHttpRequest};

use super::connection_wait::InFlight;
use super::transport::{answer_text, invalid_header, multipart_body};
use super::{js_error_text, RawResponse};
use crate::backend::UploadRequest;
use crate::core::UploadError;

/// How a finished request ended, as the promise below reports it.
const LOADED: &str = "load";
const ABORTED: &str = "abort";
const STALLED: &str = "stalled";
/// How often the stall watchdog looks.
const WATCHDOG_PERIOD_MS: i32 = 250;

fn browser_error(value: JsValue) -> UploadError {
    UploadError::Browser(js_error_text(&value))
}

/// How long an upload's body may make no progress before the request is
/// given up: [`UploadError::NotStarted`] before its first byte went out,
/// [`UploadError::Stalled`] after (both retried like a network error).
#[derive(Clone, Copy, Debug)]
pub struct Watchdog {
    /// Once the body has begun to go out.
    pub stall_ms: u32,
    /// From the send until the body begins to go out: connecting and a
    /// CORS preflight, which the browser never times out on a connection
    /// that stays open without an answer.
    pub start_ms: u32,
}

/// Sends the multipart request and calls `on_progress(sent, total)` as the
/// body goes out. The files are handles; their bytes stay in the browser.
/// A body that does not begin, or stops, going out within `watchdog`'s
/// limits ends the request as [`UploadError::NotStarted`] or
/// [`UploadError::Stalled`]; once the body is sent, the server may take
/// its time.
pub async fn send_upload_xhr(
    request: &UploadRequest,
    files: &[Blob],
    signal: Option<&AbortSignal>,
    on_progress: Rc<dyn Fn(u64, u64)>,
    watchdog: Watchdog,
) -> Result<RawResponse, UploadError> {
    if signal.is_some_and(AbortSignal::aborted) {
        return Err(UploadError::Cancelled);
    }
    let form = multipart_body(request, files)?;

    let xhr = XmlHttpRequest::new().map_err(browser_error)?;
    xhr.open_with_async(request.method.as_str(), &request.url, true)
        .map_err(browser_error)?;
    // Cookies to another origin too: a page whose API authenticates by
    // session cookie (the `with-credentials` attribute).
    xhr.set_with_credentials(request.with_credentials);
    for (name, value) in &request.headers {
        xhr.set_request_header(name, value)
            .map_err(|_| invalid_header(name))?;
    }

    // When the body last moved, or the request was sent while none has
    // yet; disarmed once the whole body is out.
    let last_progress = Rc::new(Cell::new(None::<f64>));
    let moved = Rc::new(Cell::new(false));
    let moved_at_end = moved.clone();
    let body_out = Rc::new(Cell::new(false));
    let seen = last_progress.clone();
    let seen_move = moved.clone();
    let out = body_out.clone();
    let report_end = on_progress.clone();
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        if !out.get() {
            seen.set(Some(js_sys::Date::now()));
            seen_move.set(true);
        }
        if ev.length_computable() {
            on_progress(ev.loaded() as u64, ev.total() as u64);
        }
    });
    let upload = xhr.upload().map_err(browser_error)?;
    upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    let sent_all = last_progress.clone();
    let out = body_out.clone();
    let body_sent = Closure::<dyn FnMut(ProgressEvent)>::new(move |ev: ProgressEvent| {
        out.set(true);
        sent_all.set(None);
        // The end of the body, told even where no last `progress` came: a
        // batch stops being cancellable as a whole from here.
        if ev.length_computable() {
            report_end(ev.loaded() as u64, ev.total() as u64);
        }
    });
    upload.set_onload(Some(body_sent.as_ref().unchecked_ref()));

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

    // The watchdog: a stalled body ends the request as `STALLED`, after
    // the limit that applied (the one said in the message).
    let stalled = Rc::new(Cell::new(None::<u32>));
    let in_flight = Rc::new(InFlight::sent_to(&request.url));
    let looker = {
        let xhr = xhr.clone();
        let stalled = stalled.clone();
        let last_progress = last_progress.clone();
        let in_flight = in_flight.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Some(last) = last_progress.get() {
                // Not begun while every connection the browser opens to
                // the host carries an earlier upload: waiting for one is
                // no stall, and the start is counted from when one frees.
                if !moved.get() && in_flight.may_wait_for_a_connection() {
                    last_progress.set(Some(js_sys::Date::now()));
                    return;
                }
                let limit = match moved.get() {
                    true => watchdog.stall_ms,
                    false => watchdog.start_ms,
                };
                if js_sys::Date::now() - last > f64::from(limit) {
                    stalled.set(Some(limit));
                    last_progress.set(None);
                    let _ = xhr.abort();
                }
            }
        })
    };
    let window = web_sys::window();
    let watchdog_id = window.as_ref().and_then(|w| {
        w.set_interval_with_callback_and_timeout_and_arguments_0(
            looker.as_ref().unchecked_ref(),
            WATCHDOG_PERIOD_MS,
        )
        .ok()
    });

    let abort_listener = signal.map(|signal| {
        let target = xhr.clone();
        let handler = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let _ = target.abort();
        });
        let _ = signal.add_event_listener_with_callback("abort", handler.as_ref().unchecked_ref());
        (signal.clone(), handler)
    });

    last_progress.set(Some(js_sys::Date::now()));
    let sent = xhr.send_with_opt_form_data(Some(&form));
    let outcome = match &sent {
        Ok(()) => JsFuture::from(done).await.ok().and_then(|v| v.as_string()),
        Err(_) => None,
    };

    if let (Some(window), Some(id)) = (&window, watchdog_id) {
        window.clear_interval_with_handle(id);
    }
    drop(looker);
    drop(in_flight);
    upload.set_onprogress(None);
    upload.set_onload(None);
    drop(body_sent);
    if let Some((signal, handler)) = &abort_listener {
        let _ =
            signal.remove_event_listener_with_callback("abort", handler.as_ref().unchecked_ref());
    }
    drop(handlers);
    drop(progress);
    // Only now, with every listener gone, may a refused send return.
    sent.map_err(browser_error)?;

    let stalled_after = stalled.get();
    let outcome = match stalled_after {
        Some(_) => Some(STALLED.to_owned()),
        None => outcome,
    };
    match outcome.as_deref() {
        Some(LOADED) => Ok(RawResponse {
            status: xhr.status().unwrap_or(0),
            body: js_sys::Reflect::get(&xhr, &JsValue::from_str("responseText"))
                .map(|text| answer_text(&text))
                .unwrap_or_default(),
            // From the whole list: asked for by name, a header another
            // origin does not expose logs an error on every upload.
            retry_after: xhr
                .get_all_response_headers()
                .ok()
                .and_then(|lines| crate::core::header_value(&lines, "retry-after")),
        }),
        Some(ABORTED) => Err(UploadError::Cancelled),
        Some(STALLED) if !moved_at_end.get() => Err(UploadError::NotStarted {
            seconds: watchdog.start_ms.div_ceil(1000),
        }),
        Some(STALLED) => Err(UploadError::Stalled {
            seconds: stalled_after.unwrap_or(watchdog.stall_ms).div_ceil(1000),
        }),
        // No answer before the body was out: the network, or a file the
        // browser no longer reads (it fails the request the same way). Not
        // after: the server may have the file, and the request's outcome
        // is to stay unknown (a lost answer is looked up on the issue).
        Some(other) if !body_out.get() => {
            for file in files {
                if !super::files::still_readable(file).await {
                    return Err(UploadError::FileChanged);
                }
            }
            Err(UploadError::Network(format!(
                "the connection failed ({other})"
            )))
        }
        Some(other) => Err(UploadError::Network(format!(
            "the connection failed ({other})"
        ))),
        None => Err(UploadError::Network("the request did not finish".into())),
    }
}
