//! Helpers shared by the browser test suites.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Promise, Uint8Array};
use leptos::mount::mount_to;
use leptos::prelude::*;
use tracker_attachments::core::{Attachment, KeptAttachments, Locale};
use tracker_attachments::ui::Controller;
use tracker_attachments::{Credentials, TrackerAttachments, WidgetOptions};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, DragEvent, DragEventInit, Element, File, FilePropertyBag, HtmlElement,
};

/// The reference server the xtask starts for these tests (with CORS open).
pub fn server() -> &'static str {
    match option_env!("TA_TEST_SERVER") {
        Some(url) => url,
        None => panic!("TA_TEST_SERVER is not set: run the browser tests with `cargo xtask test`"),
    }
}

/// The same server started with `--fault-rate 0.3 --fault-seed 7`.
pub fn faulty_server() -> &'static str {
    match option_env!("TA_TEST_FAULTY_SERVER") {
        Some(url) => url,
        None => panic!(
            "TA_TEST_FAULTY_SERVER is not set: run the browser tests with `cargo xtask test`"
        ),
    }
}

/// The same server started with `--latency-ms 4000`: it reads nothing of
/// a request for four seconds, so a large body stalls meanwhile.
pub fn slow_server() -> &'static str {
    match option_env!("TA_TEST_SLOW_SERVER") {
        Some(url) => url,
        None => {
            panic!("TA_TEST_SLOW_SERVER is not set: run the browser tests with `cargo xtask test`")
        }
    }
}

/// GETs `url` with the development credentials and returns status and body.
pub async fn get_json(url: &str) -> (u16, String) {
    send_json("GET", url, None).await
}

/// Sends `method url` (with `body` as JSON) with the development
/// credentials and returns status and body.
#[allow(dead_code)] // not every suite sends a body
pub async fn send_json(method: &str, url: &str, body: Option<&str>) -> (u16, String) {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().unwrap();
    headers.set("Authorization", "OAuth dev-token").unwrap();
    headers.set("X-Org-ID", "dev-org").unwrap();
    if let Some(body) = body {
        headers.set("Content-Type", "application/json").unwrap();
        init.set_body(&body.into());
    }
    init.set_headers(headers.as_ref());
    let request = web_sys::Request::new_with_str_and_init(url, &init).unwrap();
    let response: web_sys::Response =
        JsFuture::from(web_sys::window().unwrap().fetch_with_request(&request))
            .await
            .unwrap()
            .unchecked_into();
    let body = JsFuture::from(response.text().unwrap()).await.unwrap();
    (response.status(), body.as_string().unwrap_or_default())
}

/// A 40x20 opaque red PNG.
pub const PNG_40X20: [u8; 101] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 40, 0, 0, 0, 20, 8, 6,
    0, 0, 0, 255, 70, 127, 187, 0, 0, 0, 44, 73, 68, 65, 84, 120, 218, 237, 206, 49, 13, 0, 0, 8,
    3, 48, 228, 204, 191, 10, 92, 129, 13, 66, 122, 244, 111, 117, 50, 151, 149, 160, 160, 160,
    160, 160, 160, 160, 160, 160, 160, 224, 231, 224, 2, 249, 161, 136, 59, 251, 88, 128, 169, 0,
    0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// A browser `File` built from test bytes (the test makes the bytes; the
/// component under test only ever sees the handle).
pub fn file(bytes: &[u8], name: &str, mime: &str) -> File {
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let bag = FilePropertyBag::new();
    bag.set_type(mime);
    File::new_with_buffer_source_sequence_and_options(&parts, name, &bag).expect("File constructor")
}

/// A file of `size` zero bytes, made in JavaScript so the test itself does
/// not hold a copy in WebAssembly memory.
pub fn big_file(size: u32, name: &str) -> File {
    let parts = Array::of1(&Uint8Array::new_with_length(size).into());
    File::new_with_buffer_source_sequence(&parts, name).expect("File constructor")
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container in the page body, so tests do not see each other.
pub fn container() -> HtmlElement {
    let el: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&el).unwrap();
    el
}

pub fn dev_options(api: &str, token: &str) -> WidgetOptions {
    WidgetOptions {
        api: api.to_owned(),
        credentials: Credentials {
            token: Some(token.to_owned()),
            org_id: Some("dev-org".to_owned()),
            ..Credentials::default()
        },
        // Tests share one page and so one sessionStorage: each test that
        // wants persistence asks for it under a key of its own.
        persist: tracker_attachments::web::Persist::None,
        // The suites read English; tests/locale.rs covers the others.
        locale: Some(Locale::En.into()),
        ..WidgetOptions::default()
    }
}

/// [`dev_options`] taking only `.pdf` files: a drop of text files lists
/// refused rows, with no network at all.
pub fn pdf_only_options() -> WidgetOptions {
    WidgetOptions {
        restrictions: tracker_attachments::core::Restrictions {
            accept: vec![".pdf".into()],
            ..Default::default()
        },
        ..dev_options(server(), "dev-token")
    }
}

/// Mounts the widget; the returned handle unmounts it when dropped.
pub fn mount_widget(
    parent: HtmlElement,
    options: WidgetOptions,
) -> leptos::mount::UnmountHandle<impl Mountable> {
    mount_to(
        parent,
        move || view! { <TrackerAttachments options=options/> },
    )
}

/// Mounts the widget and hands back its controller, for tests that drive it
/// from code (`set_locale`, `add_drop`).
pub fn mount_with_controller(
    parent: HtmlElement,
    options: WidgetOptions,
) -> (leptos::mount::UnmountHandle<impl Mountable>, Controller) {
    let slot = std::sync::Arc::new(std::sync::Mutex::new(None));
    let ready = slot.clone();
    let handle = mount_to(parent, move || {
        let ready = ready.clone();
        let on_ready = Callback::new(move |c: Controller| {
            if let Ok(mut slot) = ready.lock() {
                *slot = Some(c);
            }
        });
        view! { <TrackerAttachments options=options on_ready=on_ready/> }
    });
    let controller = slot
        .lock()
        .ok()
        .and_then(|c| *c)
        .expect("the widget hands out its controller on mount");
    (handle, controller)
}

/// Dispatches a real `drop` event carrying `files` on `target`.
pub fn drop_files(target: &Element, files: &[File]) {
    dispatch_drop(target, &transfer_of(files));
}

pub fn dispatch_drop(target: &Element, transfer: &DataTransfer) {
    dispatch_drag(target, "drop", transfer);
}

/// Dispatches a drag event (`dragenter`, `dragover`, `drop`, …) carrying
/// `transfer`; `false` when a listener called `preventDefault`.
pub fn dispatch_drag(target: &Element, kind: &str, transfer: &DataTransfer) -> bool {
    let init = DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(transfer));
    let event = DragEvent::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap()
}

/// A `DataTransfer` carrying `files`, as a file drag has.
pub fn transfer_of(files: &[File]) -> DataTransfer {
    let transfer = DataTransfer::new().unwrap();
    for f in files {
        transfer.items().add_with_file(f).unwrap();
    }
    transfer
}

pub async fn next_tick(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until `condition` holds, checking every 20 ms, and fails the test
/// after `timeout_ms` naming what it waited for.
pub async fn wait_for(what: &str, timeout_ms: u32, mut condition: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    while !condition() {
        if js_sys::Date::now() - start > f64::from(timeout_ms) {
            panic!("timed out after {timeout_ms} ms waiting for {what}");
        }
        next_tick(20).await;
    }
}

pub fn query(root: &Element, selector: &str) -> Option<Element> {
    root.query_selector(selector).ok().flatten()
}

pub fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// Clicks the element `selector` finds under `root`; a missing element
/// fails the test with the selector named.
pub fn click(root: &Element, selector: &str) {
    query(root, selector)
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

pub fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

pub fn attr(el: &Element, name: &str) -> Option<String> {
    el.get_attribute(name)
}

pub fn js(value: &str) -> JsValue {
    JsValue::from_str(value)
}

/// Every text `el` shows from now on, as a `MutationObserver` sees it
/// (once per task that changed it).
pub struct TextsShown {
    texts: Rc<RefCell<Vec<String>>>,
    _watch: Mutations,
}

impl TextsShown {
    pub fn watch(el: &Element) -> Self {
        let texts = Rc::new(RefCell::new(Vec::new()));
        let (seen, watched) = (texts.clone(), el.clone());
        let watch = Mutations::watch(el, move |_| seen.borrow_mut().push(text(&watched)));
        Self {
            texts,
            _watch: watch,
        }
    }

    pub fn texts(&self) -> Vec<String> {
        self.texts.borrow().clone()
    }

    /// [`Self::texts`] without the empty ones (the region's first text is
    /// set empty at mount).
    pub fn said(&self) -> Vec<String> {
        self.texts().into_iter().filter(|t| !t.is_empty()).collect()
    }
}

/// A `MutationObserver` on `target` and its subtree (children and text),
/// calling `on_records` with each batch of records until dropped.
pub struct Mutations {
    observer: JsValue,
    _callback: wasm_bindgen::closure::Closure<dyn FnMut(Array)>,
}

impl Mutations {
    pub fn watch(target: &Element, on_records: impl FnMut(Array) + 'static) -> Self {
        use js_sys::{Function, Object, Reflect};
        let callback = wasm_bindgen::closure::Closure::<dyn FnMut(Array)>::new(on_records);
        let constructor: Function =
            Reflect::get(&web_sys::window().unwrap(), &js("MutationObserver"))
                .unwrap()
                .unchecked_into();
        let observer = Reflect::construct(&constructor, &Array::of1(callback.as_ref())).unwrap();
        let options = Object::new();
        for option in ["childList", "characterData", "subtree"] {
            Reflect::set(&options, &js(option), &true.into()).unwrap();
        }
        let observe: Function = Reflect::get(&observer, &js("observe"))
            .unwrap()
            .unchecked_into();
        observe.call2(&observer, target, &options).unwrap();
        Self {
            observer,
            _callback: callback,
        }
    }
}

impl Drop for Mutations {
    fn drop(&mut self) {
        use js_sys::{Function, Reflect};
        if let Ok(disconnect) = Reflect::get(&self.observer, &js("disconnect")) {
            let _ = disconnect
                .unchecked_into::<Function>()
                .call0(&self.observer);
        }
    }
}

/// A kept attachment of one byte named after its id, as stored lists hold
/// them.
pub fn kept_item(id: &str) -> Attachment {
    Attachment {
        id: id.to_owned(),
        name: format!("{id}.txt"),
        size: 1,
        mimetype: None,
        content: None,
        thumbnail: None,
        created_at: None,
    }
}

/// A kept list of `count` items, `old-0` onwards.
pub fn long_kept_list(count: usize) -> KeptAttachments {
    let mut list = KeptAttachments::new();
    for i in 0..count {
        list.add(kept_item(&format!("old-{i}")));
    }
    list
}
