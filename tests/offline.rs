//! Going offline in headless Chromium: nothing is sent while the browser
//! is offline, a request that fails as it goes offline spends no try, and
//! back online the files waiting go. Offline is simulated as the page sees
//! it: `navigator.onLine` redefined and the window's `offline`/`online`
//! events dispatched (Playwright's `context.setOffline` in www/e2e does it
//! for real).
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use leptos::prelude::WithUntracked;
use support::*;
use tracker_attachments::backend::{JsonRequest, Mode, UploadRequest};
use tracker_attachments::core::{RetryPolicy, UploadError};
use tracker_attachments::web::{BrowserTransport, Transport, TransportFuture};
use tracker_attachments::WidgetOptions;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const OFFLINE: &str = "Offline: uploads will resume when the connection is back";
const BACK: &str = "Back online: uploads resume";

/// Makes `navigator.onLine` read `online` (an own property over the
/// prototype's getter) and, with `tell`, dispatches the window's event.
fn browser_online(online: bool, tell: bool) {
    let window = web_sys::window().unwrap();
    let navigator = Reflect::get(&window, &js("navigator")).unwrap();
    let descriptor = Object::new();
    Reflect::set(&descriptor, &js("value"), &JsValue::from_bool(online)).unwrap();
    Reflect::set(&descriptor, &js("configurable"), &JsValue::TRUE).unwrap();
    Object::define_property(&navigator.into(), &js("onLine"), &descriptor);
    if tell {
        let kind = if online { "online" } else { "offline" };
        window
            .dispatch_event(&web_sys::Event::new(kind).unwrap())
            .unwrap();
    }
}

/// Gives `navigator.onLine` back to the browser. Each test calls it first
/// as well as last: a failing test ends at its panic, which aborts on
/// wasm32 without running destructors, so it cannot put it back itself.
fn browser_online_restored() {
    let navigator = Reflect::get(&web_sys::window().unwrap(), &js("navigator")).unwrap();
    Reflect::delete_property(&navigator.into(), &js("onLine")).unwrap();
}

/// The browser's transport, counting uploads; with `drop_at`, that upload
/// (the first is 1) finds the browser gone offline (`navigator.onLine` false,
/// its event not yet dispatched, as Chromium may order them) and fails as
/// a request does then.
struct Link {
    browser: BrowserTransport,
    uploads: Cell<usize>,
    drop_at: Option<usize>,
    /// JSON requests sent (Flow's part tests).
    tests: Cell<usize>,
}

impl Transport for Link {
    fn upload<'a>(
        &'a self,
        request: &'a UploadRequest,
        files: &'a [web_sys::Blob],
        signal: Option<&'a web_sys::AbortSignal>,
        on_progress: Rc<dyn Fn(u64, u64)>,
    ) -> TransportFuture<'a> {
        self.uploads.set(self.uploads.get() + 1);
        if self.drop_at == Some(self.uploads.get()) {
            browser_online(false, false);
            return Box::pin(async {
                Err(UploadError::Network(
                    "net::ERR_INTERNET_DISCONNECTED".into(),
                ))
            });
        }
        self.browser.upload(request, files, signal, on_progress)
    }

    fn json<'a>(
        &'a self,
        request: &'a JsonRequest,
        signal: Option<&'a web_sys::AbortSignal>,
    ) -> TransportFuture<'a> {
        self.tests.set(self.tests.get() + 1);
        self.browser.json(request, signal)
    }
}

/// How many of the texts shown hold `sentence`.
fn count(told: &TextsShown, sentence: &str) -> usize {
    told.texts().iter().filter(|t| t.contains(sentence)).count()
}

fn state(row: &Element) -> String {
    attr(row, "data-state").unwrap_or_default()
}

fn status(row: &Element) -> String {
    text(&query(row, "[data-ta=status]").unwrap())
}

#[wasm_bindgen_test]
async fn a_file_added_offline_sends_nothing_and_goes_when_back_online() {
    browser_online_restored();
    let link = Rc::new(Link {
        browser: BrowserTransport::default(),
        uploads: Cell::new(0),
        drop_at: None,
        tests: Cell::new(0),
    });
    let root = container();
    let options = WidgetOptions {
        transport: link.clone(),
        ..dev_options(server(), "dev-token")
    };
    let _handle = mount_widget(root.clone(), options);
    browser_online(false, true);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"written offline", "offline.txt", "text/plain")],
    );
    wait_for("the row", 5_000, || query(&root, "[data-ta=row]").is_some()).await;
    let row = query(&root, "[data-ta=row]").unwrap();
    let summary = query(&root, "[data-ta=summary]").unwrap();
    wait_for("the summary to say offline", 5_000, || {
        text(&summary).contains(OFFLINE)
    })
    .await;
    // The pump ran when the file was listed (the row is drawn after it):
    // offline it started nothing.
    assert_eq!(state(&row), "queued", "{}", text(&row));
    assert_eq!(status(&row), "Waiting for the network");
    assert_eq!(link.uploads.get(), 0);
    // A screen reader hears that the file waits, with its arrival.
    let live = query(&root, "[data-ta=live]").unwrap();
    wait_for("the live region to say the file waits", 5_000, || {
        text(&live) == format!("1 file added. {OFFLINE}")
    })
    .await;

    browser_online(true, true);
    wait_for("the upload once back online", 20_000, || {
        state(&row) == "done"
    })
    .await;
    assert_eq!(link.uploads.get(), 1);
    assert!(!text(&summary).contains(OFFLINE), "{}", text(&summary));
    browser_online_restored();
}

/// A failed file retried while offline waits, and the live region says so
/// (the widget was idle when the browser went, so nothing had said it),
/// then "Back online" when it comes back.
#[wasm_bindgen_test]
async fn a_file_retried_offline_is_told_to_wait_and_back_online() {
    browser_online_restored();
    let root = container();
    // A refused token: the upload fails for good, with a Retry button.
    let _handle = mount_widget(root.clone(), dev_options(server(), "wrong-token"));
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"retried", "retried.txt", "text/plain")],
    );
    wait_for("the failure", 10_000, || {
        query(&root, "[data-ta=row]").is_some_and(|r| state(&r) == "failed")
    })
    .await;
    let live = query(&root, "[data-ta=live]").unwrap();
    let told = TextsShown::watch(&live);
    browser_online(false, true);
    click(&root, "[data-ta=retry]");
    wait_for("the retry told to wait", 5_000, || {
        count(&told, OFFLINE) == 1
    })
    .await;
    assert_eq!(state(&query(&root, "[data-ta=row]").unwrap()), "queued");
    browser_online(true, true);
    wait_for("back online told", 5_000, || count(&told, BACK) == 1).await;
    wait_for("the file failing again", 10_000, || {
        query(&root, "[data-ta=row]").is_some_and(|r| state(&r) == "failed")
    })
    .await;
    assert_eq!(count(&told, OFFLINE), 1);
    browser_online_restored();
}

/// Flow's parts stay on the server while a file waits for the network: the
/// summary still counts the parts the server confirmed, and back online
/// the file goes on from them.
#[wasm_bindgen_test]
async fn a_file_in_parts_waiting_offline_keeps_the_parts_it_sent() {
    const PART: usize = 64 * 1024;
    browser_online_restored();
    let link = Rc::new(Link {
        browser: BrowserTransport::default(),
        uploads: Cell::new(0),
        drop_at: Some(3),
        tests: Cell::new(0),
    });
    let root = container();
    let options = WidgetOptions {
        transport: link.clone(),
        mode: Mode::Flow,
        chunk_size: PART as u64,
        ..dev_options(server(), "dev-token")
    };
    browser_online(true, false);
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    let name = format!("parts-{}.bin", js_sys::Math::random().to_bits());
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(
            &vec![7u8; 4 * PART],
            &name,
            "application/octet-stream",
        )],
    );
    wait_for("the row", 5_000, || query(&root, "[data-ta=row]").is_some()).await;
    let row = || query(&root, "[data-ta=row]").unwrap();
    wait_for("the file to wait for the network", 10_000, || {
        status(&row()) == "Waiting for the network"
    })
    .await;
    // The two parts the server confirmed count, not the third that was
    // going out when the network went (before, nothing counted).
    let sent = controller.queue.with_untracked(|q| q.summary().sent);
    assert_eq!(sent, 2 * PART as u64);

    browser_online(true, true);
    wait_for("the upload once back online", 20_000, || {
        state(&row()) == "done"
    })
    .await;
    // The third part again, and the fourth: the first two are not resent,
    // nor tested again (the page saw the server confirm them).
    assert_eq!(link.uploads.get(), 5);
    assert_eq!(link.tests.get(), 3 + 2);
    browser_online_restored();
}

#[wasm_bindgen_test]
async fn a_request_failing_as_the_browser_goes_offline_spends_no_try() {
    browser_online_restored();
    let link = Rc::new(Link {
        browser: BrowserTransport::default(),
        uploads: Cell::new(0),
        drop_at: Some(1),
        tests: Cell::new(0),
    });
    let root = container();
    let options = WidgetOptions {
        transport: link.clone(),
        // Not one automatic retry: a try spent would fail the file.
        retry: RetryPolicy::none(),
        ..dev_options(server(), "dev-token")
    };
    browser_online(true, false);
    let _handle = mount_widget(root.clone(), options);
    let live = query(&root, "[data-ta=live]").unwrap();
    let told = TextsShown::watch(&live);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"cut off", "cut.txt", "text/plain")],
    );
    wait_for("the first try", 5_000, || link.uploads.get() == 1).await;
    let row = query(&root, "[data-ta=row]").unwrap();
    wait_for("the file to wait for the network", 5_000, || {
        status(&row) == "Waiting for the network"
    })
    .await;
    assert_eq!(state(&row), "queued");
    wait_for("the live region to say offline", 5_000, || {
        count(&told, OFFLINE) == 1
    })
    .await;
    // The browser's own event, late: nothing new to tell.
    browser_online(false, true);

    browser_online(true, true);
    wait_for("the upload once back online", 20_000, || {
        state(&row) == "done"
    })
    .await;
    assert_eq!(link.uploads.get(), 2);
    wait_for("the file told uploaded", 5_000, || {
        count(&told, "cut.txt uploaded") == 1
    })
    .await;
    assert_eq!(count(&told, OFFLINE), 1, "{:?}", told.texts());
    assert_eq!(count(&told, BACK), 1, "{:?}", told.texts());
    browser_online_restored();
}

/// The browser's transport, but the first upload's answer is lost as the
/// browser goes offline: the server has the file, the page hears only a
/// broken connection. Reads made while `navigator.onLine` is false fail
/// as they would offline, without reaching the server.
struct LostAnswerLink {
    browser: BrowserTransport,
    uploads: Cell<usize>,
    reads: Cell<usize>,
}

fn navigator_online() -> bool {
    let navigator = Reflect::get(&web_sys::window().unwrap(), &js("navigator")).unwrap();
    Reflect::get(&navigator, &js("onLine")).unwrap().as_bool() != Some(false)
}

impl Transport for LostAnswerLink {
    fn upload<'a>(
        &'a self,
        request: &'a UploadRequest,
        files: &'a [web_sys::Blob],
        signal: Option<&'a web_sys::AbortSignal>,
        on_progress: Rc<dyn Fn(u64, u64)>,
    ) -> TransportFuture<'a> {
        self.uploads.set(self.uploads.get() + 1);
        let first = self.uploads.get() == 1;
        let sent = self.browser.upload(request, files, signal, on_progress);
        Box::pin(async move {
            let answer = sent.await;
            if first && answer.is_ok() {
                browser_online(false, true);
                return Err(UploadError::Network(
                    "net::ERR_INTERNET_DISCONNECTED".into(),
                ));
            }
            answer
        })
    }

    fn json<'a>(
        &'a self,
        request: &'a JsonRequest,
        signal: Option<&'a web_sys::AbortSignal>,
    ) -> TransportFuture<'a> {
        self.reads.set(self.reads.get() + 1);
        if !navigator_online() {
            return Box::pin(async {
                Err(UploadError::Network(
                    "net::ERR_INTERNET_DISCONNECTED".into(),
                ))
            });
        }
        self.browser.json(request, signal)
    }
}

/// A tracker-issue widget whose upload of `name` loses its answer as the
/// browser goes offline, waited until the look-up's first (failed) read;
/// its link and the file's row, and the mount to keep.
async fn answer_lost_offline(name: &str) -> (Rc<LostAnswerLink>, Element, impl Sized) {
    browser_online_restored();
    let link = Rc::new(LostAnswerLink {
        browser: BrowserTransport::default(),
        uploads: Cell::new(0),
        reads: Cell::new(0),
    });
    let root = container();
    let options = WidgetOptions {
        transport: link.clone(),
        mode: tracker_attachments::backend::Mode::TrackerIssue,
        issue: "DEMO-3".into(),
        retry: RetryPolicy {
            base_ms: 1,
            cap_ms: 5,
            max_attempts: 3,
            max_retry_after_ms: 0,
        },
        ..dev_options(server(), "dev-token")
    };
    let handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(name.as_bytes(), name, "text/plain")],
    );
    wait_for("the look-up's first read", 10_000, || link.reads.get() >= 1).await;
    let row = query(&root, "[data-ta=row]").unwrap();
    (link, row, handle)
}

#[wasm_bindgen_test]
async fn an_answer_lost_offline_is_looked_up_on_the_issue_once_back_online() {
    // The issue is read once while offline, and fails; the look-up then
    // waits for the connection (without it, the row ends failed, "it may
    // be attached already", and the wait below sees that).
    let name = format!("lost-offline-{}.txt", js_sys::Date::now());
    let (link, row, _handle) = answer_lost_offline(&name).await;
    browser_online(true, true);
    wait_for("the file found on the issue", 20_000, || {
        state(&row) != "uploading"
    })
    .await;
    assert_eq!(state(&row), "done", "{}", status(&row));
    assert_eq!(link.uploads.get(), 1, "not sent a second time");
    assert_eq!(link.reads.get(), 2, "one read offline, one back online");
    browser_online_restored();
}

#[wasm_bindgen_test]
async fn a_file_cancelled_while_its_look_up_waits_for_the_connection_is_told_once_back() {
    let name = format!("lost-cancelled-{}.txt", js_sys::Date::now());
    let (link, row, _handle) = answer_lost_offline(&name).await;
    click(&row, "[data-ta=cancel]");
    // The cancel does not end the look-up: back online it learns that the
    // file is on the issue, and the cancelled row says it stays there
    // (found by name, size and time, it is not deleted on that guess).
    browser_online(true, true);
    wait_for(
        "the cancelled row to say the file is still attached",
        20_000,
        || status(&row).starts_with("Still attached"),
    )
    .await;
    assert_eq!(state(&row), "cancelled");
    assert_eq!(link.reads.get(), 2);
    assert_eq!(link.uploads.get(), 1);
    browser_online_restored();
}
