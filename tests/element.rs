//! The `<tracker-attachments>` custom element and `mount()`, driven the way a
//! page drives them: attributes, properties, methods and DOM events.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use support::*;
use tracker_attachments::element::{define_tracker_attachments, mount};
use tracker_attachments::web::Persist;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{CustomEvent, Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", js_sys::Math::random().to_bits())
}

/// A connected `<tracker-attachments>` with the reference server's dev
/// credentials and `extra` attributes, inside `parent`.
fn element_in(parent: &Element, extra: &[(&str, &str)]) -> HtmlElement {
    define_tracker_attachments().expect("define");
    let el: HtmlElement = document()
        .create_element("tracker-attachments")
        .unwrap()
        .unchecked_into();
    el.set_attribute("api", server()).unwrap();
    el.set_attribute("token", "dev-token").unwrap();
    el.set_attribute("org-id", "dev-org").unwrap();
    el.set_attribute("persist", "none").unwrap();
    for (name, value) in extra {
        el.set_attribute(name, value).unwrap();
    }
    parent.append_child(&el).unwrap();
    el
}

fn shadow(el: &HtmlElement) -> web_sys::ShadowRoot {
    el.shadow_root().expect("an open shadow root")
}

fn dropzone(el: &HtmlElement) -> Element {
    shadow(el)
        .query_selector("[data-ta=dropzone]")
        .unwrap()
        .expect("a drop zone in the shadow root")
}

fn rows_in_state(el: &HtmlElement, state: &str) -> u32 {
    shadow(el)
        .query_selector_all(&format!("[data-ta=row][data-state={state}]"))
        .unwrap()
        .length()
}

/// Every `detail` of the `name` events that reach `target`.
fn record(target: &web_sys::EventTarget, name: &str) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let event: CustomEvent = event.unchecked_into();
        sink.borrow_mut().push(event.detail());
    });
    target
        .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    seen
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

fn strings(value: &JsValue) -> Vec<String> {
    Array::from(value)
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect()
}

/// Drops `files` on `el` and waits until each is kept; their ids.
async fn drop_and_keep(el: &HtmlElement, files: &[web_sys::File]) -> Vec<String> {
    drop_files(&dropzone(el), files);
    wait_for("every file kept", 10_000, || {
        strings(&get(el, "attachmentIds")).len() == files.len()
    })
    .await;
    strings(&get(el, "attachmentIds"))
}

/// What `form` submits under `name`, as `new FormData(form)` reads it.
fn submitted(form: &Element, name: &str) -> Vec<String> {
    strings(
        &web_sys::FormData::new_with_form(form.unchecked_ref())
            .unwrap()
            .get_all(name),
    )
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: Function = get(target, method).unchecked_into();
    function.apply(target, &args.iter().collect::<Array>())
}

/// A page (or its framework) may set `name`, `id` or `persist-key` after
/// files were uploaded: the list is then stored under the new key, and
/// the files the rows say were uploaded move into it and stay in the form.
/// A `persist-key` the page gave, changed to another, is a switch of
/// lists (one per issue): then each keeps its own files.
#[wasm_bindgen_test]
async fn a_new_storage_key_keeps_the_files_this_widget_uploaded() {
    let form = document().create_element("form").unwrap();
    container().append_child(&form).unwrap();
    let el = element_in(&form, &[("persist", "session")]);
    let files = [
        file(b"a", "a.txt", "text/plain"),
        file(b"b", "b.txt", "text/plain"),
    ];
    let mut ids = drop_and_keep(&el, &files).await;
    ids.sort();
    let submitted = |name: &str| {
        let mut values = strings(
            &web_sys::FormData::new_with_form(form.unchecked_ref())
                .unwrap()
                .get_all(name),
        );
        values.sort();
        values
    };
    let suffix = js_sys::Math::random().to_bits();
    for (attribute, value) in [
        ("name", format!("files-{suffix}")),
        ("id", format!("id-{suffix}")),
        ("persist-key", format!("key-{suffix}")),
    ] {
        el.set_attribute(attribute, &value).unwrap();
        let mut kept = strings(&get(&el, "attachmentIds"));
        kept.sort();
        assert_eq!(kept, ids, "after {attribute}");
        wait_for("the form to carry them", 5_000, || {
            submitted(&format!("files-{suffix}")) == ids
        })
        .await;
    }
    // And stored under the new key, and under none of the keys they
    // moved from: a widget mounted with it has them.
    let session = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap();
    let holds = |name: &str| {
        (0..session.length().unwrap_or(0)).any(|i| {
            let key = session.key(i).ok().flatten().unwrap_or_default();
            let value = session.get_item(&key).ok().flatten().unwrap_or_default();
            key.ends_with(&format!(":{name}"))
                && ids
                    .iter()
                    .all(|id| value.contains(&format!("\"id\":\"{id}\"")))
        })
    };
    let new_key = format!("key-{suffix}");
    wait_for("the list stored under the new key", 5_000, || {
        holds(&new_key)
    })
    .await;
    assert!(!holds(&format!("files-{suffix}")));
    assert!(!holds(&format!("id-{suffix}")));
    let again = element_in(
        &container(),
        &[
            ("persist", "session"),
            ("persist-key", &format!("key-{suffix}")),
        ],
    );
    let mut restored = strings(&get(&again, "attachmentIds"));
    restored.sort();
    assert_eq!(restored, ids);
    again.remove();
    // The page's own key changed to another: another list, empty here.
    el.set_attribute("persist-key", &format!("other-{suffix}"))
        .unwrap();
    assert!(strings(&get(&el, "attachmentIds")).is_empty());
    assert!(holds(&new_key), "the first list keeps its files");
    el.remove();
    form.remove();
}

#[wasm_bindgen_test]
async fn uploads_from_a_drop_and_tells_the_page() {
    let form = document().create_element("form").unwrap();
    document().body().unwrap().append_child(&form).unwrap();
    let el = element_in(&form, &[("name", "ids")]);
    let changes = record(&document().into(), "attachments-change");
    let successes = record(&el, "upload-success");
    let progress = record(&el, "upload-progress");

    let files = [
        file(b"one", "one.txt", "text/plain"),
        file(b"two!", "two.txt", "text/plain"),
    ];
    let ids = drop_and_keep(&el, &files).await;
    assert_eq!(successes.borrow().len(), 2);
    for success in successes.borrow().iter() {
        let name = get(&get(success, "file"), "name").as_string().unwrap();
        let attachment = get(success, "attachment");
        assert_eq!(get(&attachment, "name").as_string(), Some(name));
        assert!(ids.contains(&get(&attachment, "id").as_string().unwrap()));
    }
    assert!(
        !progress.borrow().is_empty(),
        "progress events while sending"
    );
    // The events bubble and cross the shadow boundary to the document.
    wait_for("attachments-change on the document", 5_000, || {
        changes
            .borrow()
            .last()
            .is_some_and(|d| strings(&get(d, "attachmentIds")) == ids)
    })
    .await;
    let mut names: Vec<String> = Array::from(&get(&el, "attachments"))
        .iter()
        .map(|a| get(&a, "name").as_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["one.txt", "two.txt"]);

    // The surrounding form submits the kept ids under `name`.
    let data = web_sys::FormData::new_with_form(form.unchecked_ref()).unwrap();
    let mut submitted = strings(&data.get_all("ids"));
    submitted.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(submitted, expected);

    call(&el, "clear", &[]).unwrap();
    wait_for("an empty list after clear()", 5_000, || {
        strings(&get(&el, "attachmentIds")).is_empty()
            && web_sys::FormData::new_with_form(form.unchecked_ref())
                .unwrap()
                .get_all("ids")
                .length()
                == 0
    })
    .await;
    form.remove();
}

#[wasm_bindgen_test]
async fn an_upload_success_listener_finds_the_file_kept() {
    let el = element_in(&container(), &[]);
    // What `attachmentIds` holds while each `upload-success` is told.
    let seen = Rc::new(RefCell::new(Vec::<(String, Vec<String>)>::new()));
    let (sink, widget) = (seen.clone(), el.clone());
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let event: CustomEvent = event.unchecked_into();
        let id = get(&get(&event.detail(), "attachment"), "id");
        let kept = strings(&get(&widget, "attachmentIds"));
        sink.borrow_mut().push((id.as_string().unwrap(), kept));
    });
    el.add_event_listener_with_callback("upload-success", listener.as_ref().unchecked_ref())
        .unwrap();
    drop_files(&dropzone(&el), &[file(b"one", "one.txt", "text/plain")]);
    wait_for("the success told", 10_000, || !seen.borrow().is_empty()).await;
    let (id, kept) = seen.borrow()[0].clone();
    assert_eq!(kept, [id]);
    el.remove();
}

#[wasm_bindgen_test]
async fn a_removed_element_stores_its_long_list_in_full() {
    // Ten thousand kept already: the list is stored at most once a second,
    // so of two uploads ending together the second waits for the timer.
    let key = unique("removed");
    let stored_key = tracker_attachments::web::storage_key(&key);
    let long = long_kept_list(10_000);
    tracker_attachments::web::save_kept(Persist::Session, &stored_key, &long);
    let el = element_in(
        &container(),
        &[("persist", "session"), ("persist-key", &key)],
    );
    drop_files(
        &dropzone(&el),
        &[
            file(b"a", "a.txt", "text/plain"),
            file(b"b", "b.txt", "text/plain"),
        ],
    );
    wait_for("both kept", 10_000, || {
        strings(&get(&el, "attachmentIds")).len() == 10_002
    })
    .await;
    // The second is not stored yet (else this test shows nothing).
    let stored = tracker_attachments::web::load_kept(Persist::Session, &stored_key);
    assert_eq!(stored.len(), 10_001);
    // Removed before that timer: what it would have stored is stored as
    // the widget goes (once the task is done and the element is surely gone).
    el.remove();
    wait_for("the widget gone", 2_000, || {
        shadow(&el).child_element_count() == 0
    })
    .await;
    let stored = tracker_attachments::web::load_kept(Persist::Session, &stored_key);
    assert_eq!(stored.len(), 10_002);
}

/// The widget root's computed `background-color` and `color`.
fn ground_and_text(el: &HtmlElement) -> (String, String) {
    let widget = shadow(el)
        .query_selector("[data-ta=widget]")
        .unwrap()
        .unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&widget)
        .unwrap()
        .unwrap();
    let read = |name: &str| style.get_property_value(name).unwrap();
    (read("background-color"), read("color"))
}

#[wasm_bindgen_test]
async fn the_theme_attribute_pins_light_or_dark_and_auto_follows_the_system() {
    let dark = (
        "rgb(29, 33, 41)".to_owned(),
        "rgb(231, 234, 240)".to_owned(),
    );
    let light = (
        "rgb(255, 255, 255)".to_owned(),
        "rgb(29, 35, 48)".to_owned(),
    );
    let el = element_in(&container(), &[("theme", "dark")]);
    wait_for("the dark palette", 2_000, || ground_and_text(&el) == dark).await;
    el.set_attribute("theme", "light").unwrap();
    wait_for("the light palette", 2_000, || ground_and_text(&el) == light).await;
    // Auto: the system's choice, and on a light system no ground of its
    // own (it sits on the page as it is).
    el.remove_attribute("theme").unwrap();
    let system_dark = web_sys::window()
        .unwrap()
        .match_media("(prefers-color-scheme: dark)")
        .unwrap()
        .is_some_and(|m| m.matches());
    let auto = if system_dark {
        dark
    } else {
        ("rgba(0, 0, 0, 0)".to_owned(), light.1)
    };
    wait_for("the system's palette", 2_000, || {
        ground_and_text(&el) == auto
    })
    .await;
    el.remove();
}

#[wasm_bindgen_test]
async fn the_widget_lives_in_a_styled_shadow_root() {
    let el = element_in(&container(), &[]);
    let root = shadow(&el);
    assert!(root.query_selector(".ta-widget").unwrap().is_some());
    let sheets = Reflect::get(&root, &"adoptedStyleSheets".into()).unwrap();
    assert_eq!(Array::from(&sheets).length(), 1, "one adopted stylesheet");
    // The page's CSS does not reach inside.
    assert!(document().query_selector(".ta-widget").unwrap().is_none());
    // A theme set on the element crosses the shadow boundary.
    el.set_attribute("style", "--ta-accent: rgb(1, 2, 3)")
        .unwrap();
    let widget = root.query_selector(".ta-widget").unwrap().unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&widget)
        .unwrap()
        .unwrap();
    assert_eq!(
        style.get_property_value("--_ta-accent").unwrap().trim(),
        "rgb(1, 2, 3)"
    );
    // `hidden` hides it, though the sheet makes the host a block.
    let display = |el: &HtmlElement| {
        web_sys::window()
            .unwrap()
            .get_computed_style(el)
            .unwrap()
            .unwrap()
            .get_property_value("display")
            .unwrap()
    };
    assert_eq!(display(&el), "block");
    el.set_hidden(true);
    assert_eq!(display(&el), "none");
    el.remove();
}

/// An empty iframe of this page's origin in `place`, and its document.
fn same_origin_iframe(place: &web_sys::Element) -> (web_sys::HtmlIFrameElement, web_sys::Document) {
    let frame: web_sys::HtmlIFrameElement = document()
        .create_element("iframe")
        .unwrap()
        .unchecked_into();
    place.append_child(&frame).unwrap();
    let inner = frame.content_document().expect("a same-origin iframe");
    (frame, inner)
}

/// A widget in a same-origin iframe is handed that window's `File`s by
/// `addFiles` from its page: they fail `instanceof File` in the page that
/// loaded the widget, and were skipped. A drop there is taken too
/// (Chromium's `getAsFile` answers in the caller's window; the drop's
/// check no longer depends on that).
#[wasm_bindgen_test]
async fn files_of_an_iframe_s_window_are_taken() {
    let place = container();
    let (frame, inner) = same_origin_iframe(&place);
    let realm: JsValue = frame.content_window().unwrap().into();
    let el = element_in(&place, &[]);
    inner.body().unwrap().append_child(&el).unwrap();
    let construct = |class: &str, args: &[JsValue]| {
        let class: Function = get(&realm, class).unchecked_into();
        Reflect::construct(&class, &args.iter().collect::<Array>()).unwrap()
    };
    let file_there = |name: &str| {
        let bytes: JsValue = js_sys::Uint8Array::from(&b"from the frame"[..]).into();
        construct("File", &[Array::of1(&bytes).into(), name.into()])
    };
    assert!(!file_there("x.txt").is_instance_of::<web_sys::File>());

    let transfer = construct("DataTransfer", &[]);
    call(
        &get(&transfer, "items"),
        "add",
        &[file_there("dropped.txt")],
    )
    .unwrap();
    let init = js_sys::Object::new();
    for (key, value) in [
        ("bubbles", JsValue::TRUE),
        ("cancelable", JsValue::TRUE),
        ("dataTransfer", transfer),
    ] {
        Reflect::set(&init, &key.into(), &value).unwrap();
    }
    let drop = construct("DragEvent", &["drop".into(), init.into()]);
    dropzone(&el).dispatch_event(drop.unchecked_ref()).unwrap();
    wait_for("the dropped file uploaded", 10_000, || {
        rows_in_state(&el, "done") == 1
    })
    .await;

    call(
        &el,
        "addFiles",
        &[Array::of1(&file_there("added.txt")).into()],
    )
    .unwrap();
    wait_for("the added file uploaded", 10_000, || {
        rows_in_state(&el, "done") == 2
    })
    .await;
    el.remove();
    frame.remove();
}

/// Values that only look like files, or arrays whose traps throw: each is
/// skipped with a warning, the real files of the call still come, and the
/// widget goes on working (an exception thrown through the wasm would have
/// left it borrowed for good, and its removal throwing).
#[wasm_bindgen_test]
async fn add_files_skips_what_throws_and_keeps_the_rest() {
    let el = element_in(&container(), &[]);
    let capture = WarnCapture::start();
    let real = file(b"real", "real.txt", "text/plain");
    let wrapped = js_sys::Proxy::new(&real, &js_sys::Object::new());
    let disguised = js_sys::Object::new();
    Reflect::set(&disguised, &js_sys::Symbol::to_string_tag(), &"File".into()).unwrap();
    call(
        &el,
        "addFiles",
        &[Array::of3(&wrapped, &disguised, &real).into()],
    )
    .unwrap();
    let handler = js_sys::Object::new();
    let trap = js_sys::Function::new_no_args("throw new Error('a trap')");
    Reflect::set(&handler, &"get".into(), &trap).unwrap();
    let hostile = js_sys::Proxy::new(&Array::of1(&real), &handler);
    call(&el, "addFiles", &[hostile.into()]).unwrap();
    // A revoked Proxy throws even when asked whether it is an array.
    let revocable = js_sys::Proxy::revocable(&Array::of1(&real), &js_sys::Object::new());
    let revoked = Reflect::get(&revocable, &"proxy".into()).unwrap();
    let revoke: js_sys::Function = Reflect::get(&revocable, &"revoke".into())
        .unwrap()
        .unchecked_into();
    revoke.call0(&JsValue::NULL).unwrap();
    call(&el, "addFiles", &[revoked]).unwrap();
    // Tagged as a FileList, with a length, and an `item()` that throws.
    let fake_list = js_sys::Object::new();
    Reflect::set(
        &fake_list,
        &js_sys::Symbol::to_string_tag(),
        &"FileList".into(),
    )
    .unwrap();
    Reflect::set(&fake_list, &"length".into(), &2.into()).unwrap();
    Reflect::set(&fake_list, &"item".into(), &trap).unwrap();
    call(&el, "addFiles", &[fake_list.into()]).unwrap();
    wait_for("the real file uploaded", 10_000, || {
        rows_in_state(&el, "done") == 1
    })
    .await;
    let warned = capture.take();
    assert!(
        warned
            .iter()
            .any(|w| w.contains("skipped 2 items that are not Files")),
        "{warned:?}"
    );
    assert_eq!(
        warned
            .iter()
            .filter(|w| w.contains("could not read the array"))
            .count(),
        3,
        "{warned:?}"
    );
    // An array of a hundred thousand holes: told once, with the count.
    let holes = Array::new_with_length(100_000);
    call(&el, "addFiles", &[holes.into()]).unwrap();
    let warned = capture.take();
    assert_eq!(warned.len(), 1, "{} warnings", warned.len());
    assert!(warned[0].contains("skipped 100000 items"), "{warned:?}");
    // Still whole: another file comes, and the element leaves cleanly.
    call(
        &el,
        "addFiles",
        &[file(b"later", "later.txt", "text/plain").into()],
    )
    .unwrap();
    wait_for("the later file uploaded", 10_000, || {
        rows_in_state(&el, "done") == 2
    })
    .await;
    drop(capture);
    el.remove();
}

/// Options objects whose reading throws (a Proxy's trap, a getter) are
/// left out with a warning, and the widget goes on working.
#[wasm_bindgen_test]
async fn options_that_throw_as_they_are_read_are_left_out() {
    let hostile = || {
        let handler = js_sys::Object::new();
        let trap = js_sys::Function::new_no_args("throw new Error('a trap')");
        Reflect::set(&handler, &"ownKeys".into(), &trap).unwrap();
        JsValue::from(js_sys::Proxy::new(&js_sys::Object::new(), &handler))
    };
    let getter = js_sys::Function::new_no_args(
        "return Object.defineProperty({}, 'X-Token', { enumerable: true, get() { throw new Error('a getter'); } });",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let el = element_in(&container(), &[]);
    let capture = WarnCapture::start();
    Reflect::set(&el, &"headers".into(), &hostile()).unwrap();
    Reflect::set(&el, &"fields".into(), &getter).unwrap();
    Reflect::set(&el, &"strings".into(), &hostile()).unwrap();
    let handle = mount(container(), hostile()).expect("mounted with the defaults");
    // An option whose text throws as it is read.
    let throwing_text =
        js_sys::Function::new_no_args("return { toString() { throw new Error('no text'); } };")
            .call0(&JsValue::NULL)
            .unwrap();
    let options = js_sys::Object::new();
    Reflect::set(&options, &"maxSize".into(), &throwing_text).unwrap();
    let other = mount(container(), options.into()).expect("mounted without it");
    // Strings of a thousand unknown keys: ten told, the rest counted.
    let many = js_sys::Object::new();
    for i in 0..1000 {
        Reflect::set(&many, &format!("noSuchKey{i}").into(), &"x".into()).unwrap();
    }
    Reflect::set(&el, &"strings".into(), &many).unwrap();
    let warned = capture.take();
    assert!(
        warned.iter().any(|w| w.contains("\"maxSize\" takes text")),
        "{warned:?}"
    );
    assert_eq!(
        warned.iter().filter(|w| w.contains("noSuchKey")).count(),
        10,
        "{warned:?}"
    );
    assert!(
        warned.iter().any(|w| w.contains("990 more entries")),
        "{warned:?}"
    );
    other.unmount();
    for what in [
        "headers could not be read",
        "fields could not be read",
        "options could not be read",
    ] {
        assert!(
            warned.iter().any(|w| w.contains(what)),
            "{what}: {warned:?}"
        );
    }
    drop(capture);
    drop_files(&dropzone(&el), &[file(b"fine", "fine.txt", "text/plain")]);
    wait_for("the upload", 10_000, || rows_in_state(&el, "done") == 1).await;
    handle.unmount();
    el.remove();
}

/// The page styles the widget's parts with `::part()`, past what the
/// custom properties reach.
#[wasm_bindgen_test]
async fn the_page_styles_the_widgets_parts() {
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(
        "tracker-attachments.parted::part(dropzone) { border-top-color: rgb(1, 2, 3); }\n\
         tracker-attachments.parted::part(row) { background-color: rgb(4, 5, 6); }\n\
         tracker-attachments.parted::part(button) { color: rgb(7, 8, 9); }\n\
         tracker-attachments.parted::part(kept-item) { color: rgb(10, 11, 12); }",
    ));
    document().head().unwrap().append_child(&style).unwrap();
    let el = element_in(&container(), &[("class", "parted")]);
    drop_files(&dropzone(&el), &[file(b"parts", "parts.txt", "text/plain")]);
    wait_for("the upload", 10_000, || rows_in_state(&el, "done") == 1).await;
    wait_for("the kept item", 5_000, || {
        shadow_attr(&el, "[data-ta=kept-item]", "data-id").is_some()
    })
    .await;
    let root = el.shadow_root().unwrap();
    let computed = |selector: &str, property: &str| {
        let part = root.query_selector(selector).unwrap().unwrap();
        web_sys::window()
            .unwrap()
            .get_computed_style(&part)
            .unwrap()
            .unwrap()
            .get_property_value(property)
            .unwrap()
    };
    assert_eq!(
        computed("[data-ta=dropzone]", "border-top-color"),
        "rgb(1, 2, 3)"
    );
    assert_eq!(
        computed("[data-ta=row]", "background-color"),
        "rgb(4, 5, 6)"
    );
    assert_eq!(
        computed("[data-ta=row] [data-ta=remove]", "color"),
        "rgb(7, 8, 9)"
    );
    assert_eq!(computed("[data-ta=kept-item]", "color"), "rgb(10, 11, 12)");
    el.remove();
    style.remove();
}

/// A constructed sheet applies only in its own document: moved into a
/// same-origin iframe and back, the widget keeps its styles in both.
#[wasm_bindgen_test]
async fn a_widget_moved_into_an_iframe_and_back_keeps_its_styles() {
    let place = container();
    let el = element_in(&place, &[]);
    let (frame, inner) = same_origin_iframe(&place);
    let inner_window = frame.content_window().unwrap();
    let looks = |window: &web_sys::Window| {
        let widget = shadow(&el).query_selector(".ta-widget").unwrap().unwrap();
        let zone = dropzone(&el);
        let style = |e: &Element, property: &str| {
            window
                .get_computed_style(e)
                .unwrap()
                .unwrap()
                .get_property_value(property)
                .unwrap()
        };
        (
            style(&el, "display"),
            style(&widget, "--_ta-accent").trim().to_owned(),
            style(&zone, "border-top-style"),
        )
    };
    let styled = looks(&web_sys::window().unwrap());
    assert_eq!(styled.0, "block");
    assert!(!styled.1.is_empty() && styled.2 != "none", "{styled:?}");

    inner.body().unwrap().append_child(&el).unwrap();
    assert_eq!(looks(&inner_window), styled, "in the iframe");
    place.append_child(&el).unwrap();
    assert_eq!(
        looks(&web_sys::window().unwrap()),
        styled,
        "back on the page"
    );
    el.remove();
    frame.remove();
}

thread_local! {
    /// The page's own `console.warn`, read before the first capture: a
    /// failing test ends at its panic (an abort on wasm32, no destructor
    /// runs), so the next capture must not take a leftover one for it.
    static PAGE_WARN: JsValue = get(&get(&web_sys::window().unwrap().into(), "console"), "warn");
}

/// `console.warn` captured into a list until dropped; the page's own is
/// put back then (and by the next capture, after a test that panicked).
struct WarnCapture {
    warnings: Rc<RefCell<Vec<String>>>,
    _capture: Closure<dyn Fn(JsValue, JsValue)>,
}

impl WarnCapture {
    fn start() -> Self {
        PAGE_WARN.with(|_| ());
        let warnings = Rc::new(RefCell::new(Vec::<String>::new()));
        let console = get(&web_sys::window().unwrap().into(), "console");
        let sink = warnings.clone();
        // A second argument (an error the page threw) is kept as its text.
        let capture =
            Closure::<dyn Fn(JsValue, JsValue)>::new(move |message: JsValue, value: JsValue| {
                let mut text = message.as_string().unwrap_or_default();
                if !value.is_undefined() {
                    text.push(' ');
                    let said = match value.dyn_ref::<js_sys::Error>() {
                        Some(error) => String::from(error.message()),
                        None => value.as_string().unwrap_or_default(),
                    };
                    text.push_str(&said);
                }
                sink.borrow_mut().push(text);
            });
        Reflect::set(&console, &"warn".into(), capture.as_ref()).unwrap();
        WarnCapture {
            warnings,
            _capture: capture,
        }
    }

    /// The warnings so far, and forgets them.
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.borrow_mut())
    }
}

impl Drop for WarnCapture {
    fn drop(&mut self) {
        let console = get(&web_sys::window().unwrap().into(), "console");
        PAGE_WARN.with(|own| {
            let _ = Reflect::set(&console, &"warn".into(), own);
        });
    }
}

/// Runs `f` with `console.warn` captured into the list it is given.
fn capturing_warnings<T>(f: impl FnOnce(&RefCell<Vec<String>>) -> T) -> T {
    let capture = WarnCapture::start();
    f(&capture.warnings)
}

#[wasm_bindgen_test]
async fn bad_attributes_warn_and_fall_back() {
    let (el, text) = capturing_warnings(|warnings| {
        let el = element_in(&container(), &[("max-size", "lots"), ("mode", "s3")]);
        (el, warnings.borrow().join("\n"))
    });
    assert!(text.contains("max-size=\"lots\""), "{text}");
    assert!(text.contains("mode=\"s3\""), "{text}");
    // The defaults hold: tracker-temp mode, 1 GiB limit; a file uploads.
    drop_files(&dropzone(&el), &[file(b"fine", "fine.txt", "text/plain")]);
    wait_for("the upload with default settings", 10_000, || {
        rows_in_state(&el, "done") == 1
    })
    .await;
    el.remove();
}

#[wasm_bindgen_test]
fn a_bad_value_is_told_once_while_it_stays() {
    let capture = WarnCapture::start();
    let el = element_in(&container(), &[("max-size", "lots")]);
    let told = |warnings: Vec<String>, needle: &str| {
        warnings.iter().filter(|w| w.contains(needle)).count()
    };
    assert_eq!(told(capture.take(), "max-size=\"lots\""), 1);
    // Other attributes change; the bad size stays and is not told again.
    el.set_attribute("issue", "DEMO-2").unwrap();
    el.set_attribute("concurrency", "2").unwrap();
    assert_eq!(capture.take(), Vec::<String>::new());
    // A new bad value is told; put right and wrong again, told again.
    el.set_attribute("mode", "s3").unwrap();
    assert_eq!(told(capture.take(), "mode=\"s3\""), 1);
    el.set_attribute("max-size", "5 MB").unwrap();
    assert_eq!(capture.take(), Vec::<String>::new());
    el.set_attribute("max-size", "lots").unwrap();
    let warnings = capture.take();
    assert_eq!(
        told(warnings.clone(), "max-size=\"lots\""),
        1,
        "{warnings:?}"
    );
    assert_eq!(told(warnings, "mode="), 0);
    el.remove();
}

#[wasm_bindgen_test]
async fn a_console_that_calls_back_or_throws_breaks_nothing() {
    let parent = container();
    let key = unique("shared");
    let first = element_in(&parent, &[("persist", "session"), ("persist-key", &key)]);
    let second = element_in(&parent, &[("persist", "session")]);
    // A page's `console.warn` that reads the widget, then throws (as test
    // set-ups that fail on any warning do).
    let console = get(&web_sys::window().unwrap().into(), "console");
    let original = get(&console, "warn");
    let calls = Rc::new(Cell::new(0));
    let (counted, watched) = (calls.clone(), second.clone());
    let throwing = Closure::<dyn Fn(JsValue)>::new(move |_: JsValue| {
        counted.set(counted.get() + 1);
        let _ = Reflect::get(&watched, &"attachmentIds".into());
        wasm_bindgen::throw_str("no warnings allowed");
    });
    Reflect::set(&console, &"warn".into(), throwing.as_ref()).unwrap();
    // Warned while reconfiguring, then (a moment later) for the key the
    // first one keeps.
    second.set_attribute("max-size", "lots").unwrap();
    second.set_attribute("persist-key", &key).unwrap();
    next_tick(0).await;
    Reflect::set(&console, &"warn".into(), &original).unwrap();
    assert!(calls.get() >= 2, "{}", calls.get());

    // Both widgets still work.
    assert!(strings(&get(&second, "attachmentIds")).is_empty());
    second.set_attribute("persist-key", &unique("own")).unwrap();
    drop_files(&dropzone(&second), &[file(b"ok", "ok.txt", "text/plain")]);
    wait_for("the upload", 10_000, || rows_in_state(&second, "done") == 1).await;
    assert_eq!(strings(&get(&second, "attachmentIds")).len(), 1);
    first.remove();
    second.remove();
}

#[wasm_bindgen_test]
async fn a_changed_persist_key_is_checked_and_the_old_one_freed() {
    let (a, b, c) = (unique("key-a"), unique("key-b"), unique("key-c"));
    let parent = container();
    let capture = WarnCapture::start();
    // The check comes a moment after the key is taken.
    let told = || async {
        next_tick(0).await;
        capture.take().join("\n")
    };
    let first = element_in(&parent, &[("persist", "session"), ("persist-key", &a)]);
    let second = element_in(&parent, &[("persist", "session"), ("persist-key", &b)]);
    let quiet = told().await;
    assert!(quiet.is_empty(), "two keys, no warning: {quiet}");
    // Onto the first widget's key: warned, once.
    second.set_attribute("persist-key", &a).unwrap();
    let shared = told().await;
    assert_eq!(shared.matches(&a).count(), 1, "{shared}");
    // Off it again: `b` is free for a newcomer, which must not be warned.
    second.set_attribute("persist-key", &c).unwrap();
    let third = element_in(&parent, &[("persist", "session"), ("persist-key", &b)]);
    let after = told().await;
    assert!(after.is_empty(), "{after}");
    // The first one's key, kept only once `persist` changes: warned then.
    let later = element_in(&parent, &[("persist", "none"), ("persist-key", &a)]);
    let quiet = told().await;
    assert!(quiet.is_empty(), "kept nowhere: {quiet}");
    later.set_attribute("persist", "session").unwrap();
    let shared = told().await;
    assert_eq!(shared.matches(&a).count(), 1, "{shared}");
    for el in [first, second, third, later] {
        el.remove();
    }
}

/// htmx and Turbo swap an element for a like one: the new one is in the
/// page before the old one unmounts (a task after its removal). The
/// two never really share the list, and nothing is warned.
#[wasm_bindgen_test]
async fn an_element_swapped_for_a_like_one_is_not_warned_about() {
    let key = unique("swapped");
    let parent = container();
    let capture = WarnCapture::start();
    let old = element_in(&parent, &[("persist", "session"), ("persist-key", &key)]);
    next_tick(0).await;
    let new = element_in(&parent, &[("persist", "session"), ("persist-key", &key)]);
    old.remove();
    next_tick(0).await;
    let told = capture.take().join("\n");
    assert!(!told.contains(&key), "{told}");
    // A second one beside it still is.
    let beside = element_in(&parent, &[("persist", "session"), ("persist-key", &key)]);
    next_tick(0).await;
    let told = capture.take().join("\n");
    assert_eq!(told.matches(&key).count(), 1, "{told}");
    new.remove();
    beside.remove();
}

#[wasm_bindgen_test]
async fn attribute_changes_take_effect_at_run_time() {
    let el = element_in(&container(), &[]);
    el.set_attribute("max-size", "5").unwrap();
    drop_files(
        &dropzone(&el),
        &[file(b"too big!", "big.txt", "text/plain")],
    );
    wait_for("the refusal under the new limit", 5_000, || {
        rows_in_state(&el, "refused") == 1
    })
    .await;
    el.remove_attribute("max-size").unwrap();
    drop_files(&dropzone(&el), &[file(b"fits now", "ok.txt", "text/plain")]);
    wait_for("the upload after the limit went", 10_000, || {
        rows_in_state(&el, "done") == 1
    })
    .await;
    // `accept` reaches the dialog's input too.
    el.set_attribute("accept", "image/*,.pdf").unwrap();
    wait_for("the input's accept attribute", 5_000, || {
        shadow(&el)
            .query_selector("[data-ta=file-input]")
            .unwrap()
            .and_then(|i| i.get_attribute("accept"))
            .as_deref()
            == Some("image/*,.pdf")
    })
    .await;
    el.remove();
}

#[wasm_bindgen_test]
async fn removal_stops_and_frees_and_re_adding_restores_the_kept_list() {
    let key = unique("element-remount");
    let parent = container();
    let el = element_in(&parent, &[("persist", "session"), ("persist-key", &key)]);
    drop_files(
        &dropzone(&el),
        &[file(b"keep me", "keep.txt", "text/plain")],
    );
    wait_for("the kept id", 10_000, || {
        strings(&get(&el, "attachmentIds")).len() == 1
    })
    .await;
    let id = strings(&get(&el, "attachmentIds"));

    // A big upload is running when the element goes.
    let errors = record(&el, "upload-error");
    drop_files(&dropzone(&el), &[big_file(64 << 20, "big.bin")]);
    wait_for("the big upload to start", 10_000, || {
        rows_in_state(&el, "uploading") == 1
    })
    .await;
    el.remove();
    wait_for("the widget's DOM to go", 5_000, || {
        shadow(&el).child_element_count() == 0
    })
    .await;
    assert!(strings(&get(&el, "attachmentIds")).is_empty());
    assert!(
        errors.borrow().is_empty(),
        "a removal is not an upload error"
    );

    // Back in the page: a fresh widget with the list kept in the session.
    parent.append_child(&el).unwrap();
    assert_eq!(strings(&get(&el, "attachmentIds")), id);
    assert_eq!(
        shadow(&el)
            .query_selector_all(".ta-widget")
            .unwrap()
            .length(),
        1
    );
    wait_for("the kept item in the shadow root", 5_000, || {
        shadow(&el)
            .query_selector_all("[data-ta=kept-item]")
            .unwrap()
            .length()
            == 1
    })
    .await;
    // Moving the element within the page does not restart it.
    let other = container();
    drop_files(&dropzone(&el), &[file(b"moved", "moved.txt", "text/plain")]);
    other.append_child(&el).unwrap();
    wait_for("the upload that survived the move", 10_000, || {
        strings(&get(&el, "attachmentIds")).len() == 2
    })
    .await;
    call(&el, "clear", &[]).unwrap();
    el.remove();
}

/// Turbo's `data-turbo-permanent` takes the element out of the old body
/// and puts it into the new one with `await`s in between: promises that
/// settle before the element is back are not a removal.
#[wasm_bindgen_test]
async fn an_element_put_back_after_awaited_promises_keeps_its_upload() {
    let el = element_in(&container(), &[("persist", "none")]);
    let errors = record(&el, "upload-error");
    drop_files(&dropzone(&el), &[big_file(24 << 20, "kept-going.bin")]);
    wait_for("the upload to start", 10_000, || {
        rows_in_state(&el, "uploading") == 1
    })
    .await;
    el.remove();
    for _ in 0..3 {
        JsFuture::from(Promise::resolve(&JsValue::UNDEFINED))
            .await
            .unwrap();
    }
    container().append_child(&el).unwrap();
    wait_for("the upload to finish", 30_000, || {
        strings(&get(&el, "attachmentIds")).len() == 1
    })
    .await;
    assert!(errors.borrow().is_empty());
    el.remove();
}

#[wasm_bindgen_test]
async fn two_elements_keep_separate_lists() {
    let parent = container();
    let a = element_in(&parent, &[("id", &unique("a")), ("persist", "session")]);
    let b = element_in(&parent, &[("id", &unique("b")), ("persist", "session")]);
    drop_files(&dropzone(&a), &[file(b"for a", "a.txt", "text/plain")]);
    drop_files(
        &dropzone(&b),
        &[
            file(b"for b", "b1.txt", "text/plain"),
            file(b"for b!", "b2.txt", "text/plain"),
        ],
    );
    wait_for("both lists", 10_000, || {
        strings(&get(&a, "attachmentIds")).len() == 1
            && strings(&get(&b, "attachmentIds")).len() == 2
    })
    .await;
    let a_ids = strings(&get(&a, "attachmentIds"));
    assert!(strings(&get(&b, "attachmentIds"))
        .iter()
        .all(|id| !a_ids.contains(id)));
    call(&a, "clear", &[]).unwrap();
    call(&b, "clear", &[]).unwrap();
    parent.remove();
}

#[wasm_bindgen_test]
async fn an_async_authorization_function_is_asked_before_every_request() {
    let el = element_in(&container(), &[]);
    el.remove_attribute("token").unwrap();
    let calls = Rc::new(RefCell::new(0u32));
    let counter = calls.clone();
    let provider = Closure::<dyn Fn() -> Promise>::new(move || {
        *counter.borrow_mut() += 1;
        Promise::resolve(&JsValue::from_str("OAuth dev-token"))
    });
    Reflect::set(&el, &"authorization".into(), provider.as_ref()).unwrap();
    drop_files(
        &dropzone(&el),
        &[
            file(b"x", "x.txt", "text/plain"),
            file(b"yy", "y.txt", "text/plain"),
        ],
    );
    wait_for("both uploads", 10_000, || rows_in_state(&el, "done") == 2).await;
    assert!(*calls.borrow() >= 2, "asked {} times", calls.borrow());
    // Attaching asks again, and resolves with the ids attached.
    let before = *calls.borrow();
    let attached = record(&el, "attached");
    let ids = strings(&get(&el, "attachmentIds"));
    let promise: Promise = call(&el, "attachTo", &["DEMO-2".into()])
        .unwrap()
        .unchecked_into();
    let result = JsFuture::from(promise).await.expect("attachTo resolves");
    assert_eq!(strings(&result), ids);
    assert!(*calls.borrow() > before);
    assert_eq!(attached.borrow().len(), 1);
    assert_eq!(
        get(&attached.borrow()[0], "issue").as_string().as_deref(),
        Some("DEMO-2")
    );
    assert!(strings(&get(&el, "attachmentIds")).is_empty());
    el.remove();
    drop(provider);
}

#[wasm_bindgen_test]
async fn an_authorization_function_that_answers_nothing_says_so() {
    let el = element_in(&container(), &[]);
    el.remove_attribute("token").unwrap();
    let errors = record(&el, "upload-error");
    let provider =
        Closure::<dyn Fn() -> Promise>::new(|| Promise::resolve(&JsValue::from_str("  ")));
    Reflect::set(&el, &"authorization".into(), provider.as_ref()).unwrap();
    drop_files(&dropzone(&el), &[file(b"x", "x.txt", "text/plain")]);
    wait_for("the upload to fail", 10_000, || {
        rows_in_state(&el, "failed") == 1
    })
    .await;
    let message = get(&get(&errors.borrow()[0], "error"), "message")
        .as_string()
        .unwrap_or_default();
    assert!(message.contains("returned an empty string"), "{message}");
    el.remove();
    drop(provider);
}

type AskedProvider = Closure<dyn Fn(JsValue) -> Promise>;

/// An authorization function whose cached token the server refuses: it
/// records each ask's `refused`, and gives a fresh token only when told of
/// a refusal (unless `never_fresh`).
fn caching_provider(never_fresh: bool) -> (AskedProvider, Rc<RefCell<Vec<bool>>>) {
    let asks = Rc::new(RefCell::new(Vec::new()));
    let seen = asks.clone();
    let provider = Closure::<dyn Fn(JsValue) -> Promise>::new(move |ask: JsValue| {
        let refused = get(&ask, "refused")
            .as_bool()
            .expect("refused is a boolean");
        seen.borrow_mut().push(refused);
        let value = if refused && !never_fresh {
            "OAuth dev-token"
        } else {
            "OAuth expired-token"
        };
        Promise::resolve(&JsValue::from_str(value))
    });
    (provider, asks)
}

#[wasm_bindgen_test]
async fn a_refused_token_is_refreshed_and_the_request_sent_again() {
    let el = element_in(&container(), &[]);
    el.remove_attribute("token").unwrap();
    let (provider, asks) = caching_provider(false);
    Reflect::set(&el, &"authorization".into(), provider.as_ref()).unwrap();
    drop_files(&dropzone(&el), &[file(b"x", "x.txt", "text/plain")]);
    wait_for("the upload", 10_000, || rows_in_state(&el, "done") == 1).await;
    assert_eq!(asks.borrow().as_slice(), [false, true]);
    // Attaching meets the same refusal, and gets through the same way.
    let promise: Promise = call(&el, "attachTo", &["DEMO-2".into()])
        .unwrap()
        .unchecked_into();
    let ids = JsFuture::from(promise).await.expect("attachTo resolves");
    assert_eq!(strings(&ids).len(), 1);
    assert_eq!(asks.borrow().as_slice(), [false, true, false, true]);
    el.remove();
    drop(provider);
}

#[wasm_bindgen_test]
async fn a_token_refused_twice_fails_the_file_once() {
    let el = element_in(&container(), &[]);
    el.remove_attribute("token").unwrap();
    let (provider, asks) = caching_provider(true);
    Reflect::set(&el, &"authorization".into(), provider.as_ref()).unwrap();
    let errors = record(&el, "upload-error");
    drop_files(&dropzone(&el), &[file(b"x", "x.txt", "text/plain")]);
    wait_for("the failure", 10_000, || rows_in_state(&el, "failed") == 1).await;
    // Asked, refused, asked again: no loop, and the 401 stands.
    assert_eq!(asks.borrow().as_slice(), [false, true]);
    let error = get(&errors.borrow()[0], "error");
    assert_eq!(get(&error, "status").as_f64(), Some(401.0));
    el.remove();
    drop(provider);
}

#[wasm_bindgen_test]
async fn busy_tells_when_uploading_begins_and_ends() {
    let el = element_in(&container(), &[]);
    let changes = record(&el, "busy-change");
    assert_eq!(get(&el, "busy").as_bool(), Some(false));
    drop_files(
        &dropzone(&el),
        &[
            file(b"one", "one.txt", "text/plain"),
            file(b"two", "two.txt", "text/plain"),
        ],
    );
    assert_eq!(
        get(&el, "busy").as_bool(),
        Some(true),
        "busy from the drop on"
    );
    wait_for("both uploads", 10_000, || rows_in_state(&el, "done") == 2).await;
    wait_for("the end to be told", 2_000, || changes.borrow().len() == 2).await;
    let told: Vec<(Option<bool>, Option<f64>)> = changes
        .borrow()
        .iter()
        .map(|d| (get(d, "busy").as_bool(), get(d, "failed").as_f64()))
        .collect();
    assert_eq!(told, [(Some(true), Some(0.0)), (Some(false), Some(0.0))]);
    assert_eq!(get(&el, "busy").as_bool(), Some(false));
    el.remove();
}

#[wasm_bindgen_test]
async fn a_form_holds_every_id_when_the_uploads_are_over() {
    // A listener that submits the form on `busy-change` reads its data.
    let form = document().create_element("form").unwrap();
    container().append_child(&form).unwrap();
    let el = element_in(&form, &[]);
    let at_the_end = Rc::new(RefCell::new(None));
    let sink = at_the_end.clone();
    let form_then = form.clone();
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let detail = event.unchecked_into::<CustomEvent>().detail();
        if get(&detail, "busy").as_bool() == Some(false) {
            let values = submitted(&form_then, "attachmentIds");
            *sink.borrow_mut() = Some((values, strings(&get(&detail, "attachmentIds"))));
        }
    });
    el.add_event_listener_with_callback("busy-change", listener.as_ref().unchecked_ref())
        .unwrap();
    drop_files(
        &dropzone(&el),
        &[
            file(b"one", "one.txt", "text/plain"),
            file(b"two", "two.txt", "text/plain"),
        ],
    );
    wait_for("the end", 10_000, || at_the_end.borrow().is_some()).await;
    let (inputs, told) = at_the_end.borrow_mut().take().unwrap();
    assert_eq!(told.len(), 2);
    assert_eq!(inputs, told);
    assert_eq!(told, strings(&get(&el, "attachmentIds")));
    el.remove();
    drop(listener);
}

/// The element is a form control: the ids are its value, not children of
/// its light DOM, so a framework that rewrites its text (React rendering a
/// child) loses none, and `form="…"` names the form from elsewhere.
#[wasm_bindgen_test]
async fn the_form_submits_the_ids_whatever_the_page_does_to_the_light_dom() {
    let form = document().create_element("form").unwrap();
    let form_id = unique("form");
    form.set_id(&form_id);
    container().append_child(&form).unwrap();
    let el = element_in(&form, &[("persist", "none")]);
    el.set_text_content(Some("Loading…"));
    let ids = drop_and_keep(&el, &[file(b"x", "x.txt", "text/plain")]).await;
    wait_for("the id in the form", 5_000, || {
        submitted(&form, "attachmentIds") == ids
    })
    .await;
    // The page's own text is all the light DOM holds; rewritten, as a
    // framework re-rendering a child does, the form still has the id.
    assert_eq!(el.child_element_count(), 0);
    el.set_text_content(Some("Загрузка…"));
    assert_eq!(submitted(&form, "attachmentIds"), ids);
    assert!(get(&el, "form") == JsValue::from(&form));
    // As a control is named in `form.elements`.
    assert_eq!(
        get(&el, "type").as_string().as_deref(),
        Some("tracker-attachments")
    );
    assert_eq!(get(&el, "name").as_string().as_deref(), Some(""));
    Reflect::set(&el, &"name".into(), &"files".into()).unwrap();
    assert_eq!(attr(&el, "name").as_deref(), Some("files"));
    wait_for("the ids under the new name", 5_000, || {
        submitted(&form, "files") == ids
    })
    .await;
    el.remove_attribute("name").unwrap();
    wait_for("the ids under the default name", 5_000, || {
        submitted(&form, "attachmentIds") == ids
    })
    .await;
    // Outside the form, named by `form="…"`.
    let outside = container();
    outside.append_child(&el).unwrap();
    el.set_attribute("form", &form_id).unwrap();
    assert_eq!(submitted(&form, "attachmentIds"), ids);
    el.remove();
    form.remove();
}

/// A disabled control takes nothing: inside a `<fieldset disabled>`, or
/// with its own `disabled`, the drop zone is out of the tab order and said
/// to be disabled, and drops and `addFiles()` bring no file; the form
/// submits none of its ids, as it would not a disabled input's.
#[wasm_bindgen_test]
async fn a_disabled_fieldset_or_attribute_takes_no_files() {
    let form = document().create_element("form").unwrap();
    let fieldset = document().create_element("fieldset").unwrap();
    form.append_child(&fieldset).unwrap();
    container().append_child(&form).unwrap();
    let el = element_in(&fieldset, &[("persist", "none")]);
    let ids = drop_and_keep(&el, &[file(b"1", "first.txt", "text/plain")]).await;
    let submitted = || submitted(&form, "attachmentIds");
    let zone_disabled = || shadow_attr(&el, "[data-ta=dropzone]", "aria-disabled");
    // The fieldset, then the element's own attribute (present is
    // disabled, whatever its value, as for any control).
    for (disabled, value) in [(&fieldset, ""), (el.unchecked_ref::<Element>(), "false")] {
        disabled.set_attribute("disabled", value).unwrap();
        wait_for("the drop zone disabled", 2_000, || {
            zone_disabled().as_deref() == Some("true")
        })
        .await;
        assert_eq!(
            shadow_attr(&el, "[data-ta=dropzone]", "tabindex").as_deref(),
            Some("-1")
        );
        assert!(submitted().is_empty());
        // The kept item's Remove with it, as a disabled form's buttons.
        let remove = shadow(&el)
            .query_selector("[data-ta=kept-item] button")
            .unwrap()
            .expect("the kept item's Remove");
        assert!(remove.matches(":disabled").unwrap());
        drop_files(&dropzone(&el), &[file(b"2", "dropped.txt", "text/plain")]);
        let warned = capturing_warnings(|warnings| {
            call(
                &el,
                "addFiles",
                &[file(b"3", "added.txt", "text/plain").into()],
            )
            .unwrap();
            warnings.borrow().join("\n")
        });
        assert!(warned.contains("disabled"), "{warned}");
        // A paste is left to the page, not swallowed.
        let pasted = web_sys::DataTransfer::new().unwrap();
        pasted
            .items()
            .add_with_file(&file(b"5", "pasted.txt", "text/plain"))
            .unwrap();
        let init = web_sys::ClipboardEventInit::new();
        init.set_bubbles(true);
        init.set_cancelable(true);
        init.set_clipboard_data(Some(&pasted));
        let paste = web_sys::ClipboardEvent::new_with_event_init_dict("paste", &init).unwrap();
        dropzone(&el).dispatch_event(&paste).unwrap();
        assert!(!paste.default_prevented());
        fieldset.remove_attribute("disabled").unwrap();
        el.remove_attribute("disabled").unwrap();
        wait_for("the drop zone enabled", 2_000, || zone_disabled().is_none()).await;
        assert!(!remove.matches(":disabled").unwrap());
        assert_eq!(submitted(), ids);
    }
    assert_eq!(get(&el, "disabled").as_bool(), Some(false));
    drop_files(&dropzone(&el), &[file(b"4", "taken.txt", "text/plain")]);
    wait_for("the file taken once enabled", 10_000, || {
        strings(&get(&el, "attachmentIds")).len() == 2
    })
    .await;
    let names: Vec<String> = Array::from(&get(&el, "attachments"))
        .iter()
        .map(|a| get(&a, "name").as_string().unwrap_or_default())
        .collect();
    assert_eq!(names, ["first.txt", "taken.txt"]);
    form.remove();
}

/// `mount()` takes `disabled` as an option, and `setOptions()` changes it.
#[wasm_bindgen_test]
async fn mount_takes_disabled_as_an_option() {
    let form = document().create_element("form").unwrap();
    container().append_child(&form).unwrap();
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    form.append_child(&host).unwrap();
    let handle = mount(host.clone(), dev_options_object(&[]).into()).expect("mounted");
    handle.add_files(file(b"x", "x.txt", "text/plain").into());
    wait_for("the upload", 10_000, || {
        strings(&handle.attachment_ids().into()).len() == 1
    })
    .await;
    let submitted = || submitted(&form, "attachmentIds");
    assert_eq!(submitted().len(), 1);
    // Disabled, its hidden inputs are too: the form leaves the ids out, as
    // it does a disabled element's.
    handle.set_options(options_object(&[("disabled", JsValue::TRUE)]).into());
    let zone_disabled = || {
        host.shadow_root()
            .unwrap()
            .query_selector("[data-ta=dropzone]")
            .unwrap()
            .and_then(|zone| zone.get_attribute("aria-disabled"))
    };
    wait_for("the drop zone disabled", 2_000, || {
        zone_disabled().as_deref() == Some("true")
    })
    .await;
    wait_for("the ids left out", 2_000, || submitted().is_empty()).await;
    handle.set_options(options_object(&[("disabled", JsValue::NULL)]).into());
    wait_for("the drop zone enabled", 2_000, || zone_disabled().is_none()).await;
    wait_for("the ids back", 2_000, || submitted().len() == 1).await;
    handle.unmount();
    form.remove();
}

#[wasm_bindgen_test]
async fn a_widget_removed_while_busy_says_it_is_over() {
    let el = element_in(&container(), &[("api", slow_server())]);
    let changes = record(&el, "busy-change");
    drop_files(&dropzone(&el), &[file(b"slow", "slow.txt", "text/plain")]);
    wait_for("busy", 2_000, || changes.borrow().len() == 1).await;
    el.remove();
    wait_for("the end to be told", 2_000, || changes.borrow().len() == 2).await;
    assert_eq!(get(&changes.borrow()[1], "busy").as_bool(), Some(false));
}

#[wasm_bindgen_test]
async fn attach_errors_reject_with_a_typed_error() {
    let el = element_in(&container(), &[]);
    drop_files(&dropzone(&el), &[file(b"z", "z.txt", "text/plain")]);
    wait_for("the upload", 10_000, || rows_in_state(&el, "done") == 1).await;
    let promise: Promise = call(&el, "attachTo", &["NOPE-404".into()])
        .unwrap()
        .unchecked_into();
    let error = JsFuture::from(promise).await.expect_err("no such issue");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("http"));
    assert_eq!(get(&error, "status").as_f64(), Some(404.0));
    // Nothing was dropped.
    assert_eq!(strings(&get(&el, "attachmentIds")).len(), 1);
    // A missing key rejects (never throws) with the same shape.
    let kind_of_rejection = |result: Result<JsValue, JsValue>| async move {
        let promise: Promise = result.expect("a promise, not a throw").unchecked_into();
        let error = JsFuture::from(promise).await.expect_err("a rejection");
        get(&error, "kind").as_string().unwrap_or_default()
    };
    assert_eq!(
        kind_of_rejection(call(&el, "attachTo", &[])).await,
        "no-issue-key"
    );
    assert_eq!(
        kind_of_rejection(call(&el, "comment", &[JsValue::NULL, "text".into()])).await,
        "no-issue-key"
    );
    call(&el, "clear", &[]).unwrap();
    // Out of the document, the element rejects alike.
    el.remove();
    wait_for("the widget to go", 2_000, || {
        shadow(&el).child_element_count() == 0
    })
    .await;
    assert_eq!(
        kind_of_rejection(call(&el, "attachTo", &["DEMO-1".into()])).await,
        "cancelled"
    );
}

#[wasm_bindgen_test]
fn mount_into_an_element_without_a_shadow_root_of_ours_says_so() {
    let input: HtmlElement = document().create_element("input").unwrap().unchecked_into();
    let closed: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    closed
        .attach_shadow(&web_sys::ShadowRootInit::new(
            web_sys::ShadowRootMode::Closed,
        ))
        .unwrap();
    for (host, name) in [(input, "input"), (closed, "div")] {
        let error = mount(host, js_sys::Object::new().into())
            .err()
            .expect("refused");
        let message = String::from(error.unchecked_into::<js_sys::Error>().message());
        assert!(
            message.starts_with(&format!("tracker-attachments: cannot mount into <{name}>")),
            "{message}"
        );
    }
}

/// A host with an open shadow root of the page's keeps the page's styles
/// there: the widget's sheet is added beside them, once, however often it
/// is mounted.
#[wasm_bindgen_test]
fn mount_into_a_shadow_root_of_the_pages_keeps_its_styles() {
    let host = container();
    let root = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    let page_sheet = web_sys::CssStyleSheet::new().unwrap();
    page_sheet
        .replace_sync("p { color: rgb(255, 0, 0); }")
        .unwrap();
    root.set_adopted_style_sheets(&Array::of1(&page_sheet));
    let options = js_sys::Object::new();
    Reflect::set(&options, &"persist".into(), &"none".into()).unwrap();
    for _ in 0..2 {
        let handle = mount(host.clone(), options.clone().into()).expect("mounted");
        let adopted = root.adopted_style_sheets();
        assert_eq!(adopted.length(), 2);
        assert_eq!(adopted.get(0), JsValue::from(&page_sheet));
        assert!(
            root.query_selector("[data-ta=dropzone]").unwrap().is_some(),
            "the widget is there"
        );
        handle.unmount();
        // Unmounted, the root has the page's sheet alone again.
        let adopted = root.adopted_style_sheets();
        assert_eq!(adopted.length(), 1);
        assert_eq!(adopted.get(0), JsValue::from(&page_sheet));
    }
}

#[wasm_bindgen_test]
async fn mount_gives_a_handle_with_the_same_methods() {
    let host = container();
    let options = js_sys::Object::new();
    for (key, value) in [
        ("api", server()),
        ("token", "dev-token"),
        ("orgId", "dev-org"),
        ("persist", "none"),
    ] {
        Reflect::set(&options, &key.into(), &value.into()).unwrap();
    }
    Reflect::set(&options, &"maxFiles".into(), &2.into()).unwrap();
    let handle = mount(host.clone(), options.into()).expect("mounted");
    let changes = record(&host, "attachments-change");
    let files = Array::of3(
        &file(b"1", "1.txt", "text/plain").into(),
        &file(b"2", "2.txt", "text/plain").into(),
        &file(b"3", "3.txt", "text/plain").into(),
    );
    handle.add_files(files.into());
    wait_for("two uploads and one refusal", 10_000, || {
        strings(&handle.attachment_ids().into()).len() == 2
    })
    .await;
    assert_eq!(
        host.shadow_root()
            .unwrap()
            .query_selector_all("[data-ta=row][data-state=refused]")
            .unwrap()
            .length(),
        1
    );
    wait_for("the change event", 5_000, || {
        changes
            .borrow()
            .last()
            .is_some_and(|d| strings(&get(d, "attachmentIds")).len() == 2)
    })
    .await;
    handle.unmount();
    assert_eq!(host.shadow_root().unwrap().child_element_count(), 0);
    assert!(strings(&handle.attachment_ids().into()).is_empty());
    // Harmless after unmount.
    handle.clear();
    handle.add_files(Array::new().into());
}

/// A second `mount()` on an element with a widget throws, rather than
/// stacking a second widget (two queues, one storage key) under the
/// first; after `unmount()` the element takes one again.
#[wasm_bindgen_test]
fn a_second_mount_on_one_element_throws_until_the_first_is_unmounted() {
    let host = container();
    let options = || options_object(&[("api", server().into()), ("persist", "none".into())]);
    let first = mount(host.clone(), options().into()).expect("mounted");
    let error = mount(host.clone(), options().into())
        .err()
        .expect("a second mount is refused");
    let message = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default();
    assert!(message.contains("mounted already"), "{message}");
    let widgets = host
        .shadow_root()
        .unwrap()
        .query_selector_all("[data-ta=dropzone]")
        .unwrap();
    assert_eq!(widgets.length(), 1);
    first.unmount();
    let again = mount(host.clone(), options().into()).expect("mounted again");
    again.unmount();
}

#[wasm_bindgen_test]
async fn removal_revokes_the_object_urls_it_made() {
    let el = element_in(&container(), &[]);
    drop_files(&dropzone(&el), &[file(&PNG_40X20, "red.png", "image/png")]);
    wait_for("the server thumbnail", 10_000, || {
        shadow(&el)
            .query_selector("img[data-ta=thumbnail]")
            .unwrap()
            .and_then(|img| img.get_attribute("src"))
            .is_some_and(|src| src.starts_with("blob:"))
    })
    .await;
    let src = shadow(&el)
        .query_selector("img[data-ta=thumbnail]")
        .unwrap()
        .unwrap()
        .get_attribute("src")
        .unwrap();
    let window = web_sys::window().unwrap();
    assert!(
        JsFuture::from(window.fetch_with_str(&src)).await.is_ok(),
        "alive while shown"
    );

    el.remove();
    wait_for("the widget's DOM to go", 5_000, || {
        shadow(&el).child_element_count() == 0
    })
    .await;
    assert!(
        JsFuture::from(window.fetch_with_str(&src)).await.is_err(),
        "a revoked blob: URL cannot be fetched"
    );
}

#[wasm_bindgen_test]
async fn removal_stops_the_queue_for_good() {
    // One upload at a time, and an authorization function that counts the
    // uploads started: after the removal, the second file must never start.
    let el = element_in(&container(), &[("concurrency", "1")]);
    el.remove_attribute("token").unwrap();
    let calls = Rc::new(RefCell::new(0u32));
    let counter = calls.clone();
    let provider = Closure::<dyn Fn() -> Promise>::new(move || {
        *counter.borrow_mut() += 1;
        Promise::resolve(&JsValue::from_str("OAuth dev-token"))
    });
    Reflect::set(&el, &"authorization".into(), provider.as_ref()).unwrap();
    drop_files(
        &dropzone(&el),
        &[
            big_file(48 << 20, "first.bin"),
            file(b"second", "second.txt", "text/plain"),
        ],
    );
    wait_for("the first upload to start", 10_000, || {
        rows_in_state(&el, "uploading") == 1
    })
    .await;
    let finished = record(&el, "upload-success");
    let failed = record(&el, "upload-error");
    el.remove();
    wait_for("the widget's DOM to go", 5_000, || {
        shadow(&el).child_element_count() == 0
    })
    .await;
    // A probe upload of the same size, started later, finishes after the
    // first would have: by then a still-running queue would have started
    // the second file and asked for a token again.
    let probe = element_in(&container(), &[]);
    drop_files(&dropzone(&probe), &[big_file(48 << 20, "probe.bin")]);
    wait_for("the probe upload", 20_000, || {
        rows_in_state(&probe, "done") == 1
    })
    .await;
    assert_eq!(*calls.borrow(), 1, "uploads started after the removal");
    assert!(finished.borrow().is_empty(), "the first upload went on");
    assert!(failed.borrow().is_empty());
    // The server numbers attachments as they complete: had the first upload
    // gone on to the end, it would hold the id just before the probe's.
    let probe_id: u64 = strings(&get(&probe, "attachmentIds"))[0].parse().unwrap();
    let (status, body) = get_json(&format!("{}/v2/attachments/{}", server(), probe_id - 1)).await;
    assert!(
        status == 404 || !body.contains("first.bin"),
        "the removed widget's upload reached the server: {body}"
    );
    probe.remove();
    drop(provider);
}

#[wasm_bindgen_test]
async fn a_form_around_a_form_mode_element_submits_its_finished_ids() {
    let form = document().create_element("form").unwrap();
    document().body().unwrap().append_child(&form).unwrap();
    let url = format!("{}/v2/attachments/", server());
    let el = element_in(&form, &[("name", "ids"), ("mode", "form"), ("url", &url)]);
    let changes = record(&el, "attachments-change");
    drop_files(
        &dropzone(&el),
        &[
            file(b"posted", "posted.txt", "text/plain"),
            file(b"dropped", "dropped.txt", "text/plain"),
        ],
    );
    wait_for("the form-mode uploads", 10_000, || {
        strings(&get(&el, "attachmentIds")).len() == 2
    })
    .await;
    let submitted = || {
        let mut ids = strings(
            &web_sys::FormData::new_with_form(form.unchecked_ref())
                .unwrap()
                .get_all("ids"),
        );
        ids.sort();
        ids
    };
    let mut ids = strings(&get(&el, "attachmentIds"));
    ids.sort();
    wait_for("the ids in the form", 5_000, || submitted() == ids).await;
    // Removing a finished row takes its id out of the form and the event.
    let second: Element = shadow(&el)
        .query_selector_all("[data-ta=row]")
        .unwrap()
        .item(1)
        .unwrap()
        .unchecked_into();
    click(&second, "[data-ta=remove]");
    let left = strings(&get(&el, "attachmentIds"));
    assert_eq!(left.len(), 1);
    wait_for("one id in the form and the event", 5_000, || {
        submitted() == left
            && changes
                .borrow()
                .last()
                .is_some_and(|d| strings(&get(d, "attachmentIds")) == left)
    })
    .await;
    // clear() empties the form and tells the page, as in the modes that keep.
    call(&el, "clear", &[]).unwrap();
    wait_for("an empty form and an empty change", 5_000, || {
        submitted().is_empty()
            && changes
                .borrow()
                .last()
                .is_some_and(|d| strings(&get(d, "attachmentIds")).is_empty())
    })
    .await;
    form.remove();
}

#[wasm_bindgen_test]
async fn a_comment_with_nothing_kept_is_posted_all_the_same() {
    let el = element_in(&container(), &[]);
    let text = unique("a comment with no files");
    let promise: Promise = call(&el, "comment", &["DEMO-2".into(), text.as_str().into()])
        .unwrap()
        .unchecked_into();
    let ids = JsFuture::from(promise)
        .await
        .expect("the comment is posted");
    assert!(strings(&ids).is_empty());
    let (status, body) = get_json(&format!("{}/v2/issues/DEMO-2/comments", server())).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&text), "{body}");
    el.remove();
}

#[wasm_bindgen_test]
async fn a_comment_in_a_mode_without_comments_is_refused_not_dropped() {
    for (mode, extra) in [
        ("jira", ("issue", "DEMO-2")),
        ("form", ("url", "/upload/form")),
    ] {
        let el = element_in(&container(), &[("mode", mode), extra]);
        let text = unique("not for this mode");
        let promise: Promise = call(&el, "comment", &["DEMO-2".into(), text.as_str().into()])
            .unwrap()
            .unchecked_into();
        let error = JsFuture::from(promise)
            .await
            .expect_err("the host is told its text went nowhere");
        assert_eq!(
            get(&error, "kind").as_string().as_deref(),
            Some("no-comments"),
            "{mode}"
        );
        assert_eq!(get(&error, "retryable").as_bool(), Some(false), "{mode}");
        let message = get(&error, "message").as_string().unwrap_or_default();
        assert!(message.contains(mode), "{mode}: {message}");
        // Blank text is an attach, which has nothing to do in these modes.
        let promise: Promise = call(&el, "comment", &["DEMO-2".into(), " ".into()])
            .unwrap()
            .unchecked_into();
        let ids = JsFuture::from(promise).await.expect("nothing to attach");
        assert!(strings(&ids).is_empty(), "{mode}");
        let (_, body) = get_json(&format!("{}/v2/issues/DEMO-2/comments", server())).await;
        assert!(!body.contains(&text), "{mode}: {body}");
        el.remove();
    }
}

/// `mount()` options as a JavaScript object.
/// `mount()`'s options for the test server (no stored list), then `extra`
/// (a name given again wins).
fn dev_options_object(extra: &[(&str, JsValue)]) -> js_sys::Object {
    let options = options_object(&[
        ("api", server().into()),
        ("token", "dev-token".into()),
        ("orgId", "dev-org".into()),
        ("persist", "none".into()),
    ]);
    for (key, value) in extra {
        Reflect::set(&options, &(*key).into(), value).unwrap();
    }
    options
}

fn options_object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let options = js_sys::Object::new();
    for (key, value) in pairs {
        Reflect::set(&options, &(*key).into(), value).unwrap();
    }
    options
}

#[wasm_bindgen_test]
async fn mount_options_given_as_objects_use_their_text_or_warn() {
    let host = container();
    let accept = Array::of2(&"image/*".into(), &".txt".into());
    let api = web_sys::Url::new(server()).unwrap();
    let options = options_object(&[
        ("api", api.into()),
        ("token", "dev-token".into()),
        ("orgId", "dev-org".into()),
        ("persist", "none".into()),
        ("accept", accept.into()),
        ("issue", js_sys::Object::new().into()),
    ]);
    let (handle, warned) = capturing_warnings(|warnings| {
        let handle = mount(host.clone(), options.into()).expect("mounted");
        (handle, warnings.borrow().join("\n"))
    });
    assert!(warned.contains("option \"issue\""), "{warned}");
    handle.add_files(
        Array::of2(
            &file(b"ok", "ok.txt", "text/plain").into(),
            &file(b"a,b", "table.csv", "text/csv").into(),
        )
        .into(),
    );
    // The URL is the API (the upload lands), the array the accepted types.
    wait_for("the text file uploaded", 10_000, || {
        strings(&handle.attachment_ids().into()).len() == 1
    })
    .await;
    let refused = host
        .shadow_root()
        .unwrap()
        .query_selector("[data-ta=row][data-state=refused] [data-ta=name]")
        .unwrap()
        .map(|name| name.text_content().unwrap_or_default());
    assert_eq!(refused.as_deref(), Some("table.csv"));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn set_options_keeps_the_authorization_function_unless_given() {
    let host = container();
    let asked = Rc::new(std::cell::Cell::new(0u32));
    let count = asked.clone();
    let provider = Closure::<dyn Fn() -> JsValue>::new(move || {
        count.set(count.get() + 1);
        "OAuth dev-token".into()
    });
    let provider: Function = provider.into_js_value().unchecked_into();
    let base = || {
        vec![
            ("api", JsValue::from(server())),
            ("orgId", "dev-org".into()),
            ("persist", "none".into()),
        ]
    };
    let mut first = base();
    first.push(("authorization", provider.clone().into()));
    let handle = mount(host.clone(), options_object(&first).into()).expect("mounted");
    assert_eq!(handle.authorization(), JsValue::from(provider));
    // New options without `authorization`: the function stays.
    let mut second = base();
    second.push(("maxSize", "5MB".into()));
    handle.set_options(options_object(&second).into());
    handle.add_files(file(b"still signed", "signed.txt", "text/plain").into());
    wait_for("the upload with the kept function", 10_000, || {
        strings(&handle.attachment_ids().into()).len() == 1
    })
    .await;
    assert!(asked.get() >= 1);
    handle.unmount();
}

/// The text of the rows in `state`, in order.
fn row_names(host: &HtmlElement, state: &str) -> Vec<String> {
    let rows = host
        .shadow_root()
        .unwrap()
        .query_selector_all(&format!("[data-ta=row][data-state={state}] [data-ta=name]"))
        .unwrap();
    (0..rows.length())
        .filter_map(|i| rows.get(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn set_options_changes_only_the_options_it_names() {
    let host = container();
    let options = dev_options_object(&[("maxSize", JsValue::from(4))]);
    let handle = mount(host.clone(), options.into()).expect("mounted");
    // Only `maxFiles` named: the size limit, the API and the token stay.
    handle.set_options(options_object(&[("maxFiles", JsValue::from(5))]).into());
    handle.add_files(file(b"too large", "big.txt", "text/plain").into());
    wait_for("the large file refused", 10_000, || {
        row_names(&host, "refused") == ["big.txt"]
    })
    .await;
    // `null` puts the size limit back to none; the rest still stays.
    handle.set_options(options_object(&[("maxSize", JsValue::NULL)]).into());
    handle.add_files(file(b"now it fits", "fits.txt", "text/plain").into());
    wait_for(
        "the file uploaded with the kept API and token",
        10_000,
        || strings(&handle.attachment_ids().into()).len() == 1,
    )
    .await;
    assert_eq!(row_names(&host, "done"), ["fits.txt"]);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_freed_handle_takes_its_widget_with_it() {
    let host = container();
    let options = dev_options_object(&[]);
    let handle = mount(host.clone(), options.into()).expect("mounted");
    let root = host.shadow_root().unwrap();
    assert_eq!(root.child_element_count(), 1);
    // What JavaScript's free() (or `using`) does.
    drop(handle);
    assert_eq!(root.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn mount_keys_the_stored_list_by_its_elements_id() {
    let (a, b) = (container(), container());
    a.set_id(&unique("files-a"));
    b.set_id(&unique("files-b"));
    let options = || dev_options_object(&[("persist", "session".into())]);
    let (first, second, warned) = capturing_warnings(|warnings| {
        let first = mount(a.clone(), options().into()).expect("mounted");
        let second = mount(b.clone(), options().into()).expect("mounted");
        (first, second, warnings.borrow().join("\n"))
    });
    assert!(!warned.contains("two widgets"), "{warned}");
    first.add_files(file(b"a", "only-in-a.txt", "text/plain").into());
    wait_for("the upload in the first", 10_000, || {
        strings(&first.attachment_ids().into()).len() == 1
    })
    .await;
    let stored = web_sys::window()
        .unwrap()
        .session_storage()
        .unwrap()
        .unwrap()
        .get_item(&format!("tracker-attachments:{}", a.id()))
        .unwrap()
        .unwrap_or_default();
    assert!(stored.contains("only-in-a.txt"), "{stored}");
    assert!(strings(&second.attachment_ids().into()).is_empty());
    first.clear();
    first.unmount();
    second.unmount();
}

#[wasm_bindgen_test]
async fn a_refused_file_is_told_as_an_upload_error() {
    let el = element_in(&container(), &[("max-size", "4")]);
    let errors_log = record(&el, "upload-error");
    drop_files(
        &dropzone(&el),
        &[file(b"0123456789", "big.txt", "text/plain")],
    );
    // A screen reader hears it, not only "1 file added".
    let live = || {
        shadow(&el)
            .query_selector("[data-ta=live]")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap_or_default()
    };
    wait_for("the refusal in the live region", 5_000, || {
        live().contains("big.txt") && live().contains("Too large")
    })
    .await;
    let errors = errors_log.borrow().clone();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        get(&get(&errors[0], "file"), "name").as_string().as_deref(),
        Some("big.txt")
    );
    let error = get(&errors[0], "error");
    assert_eq!(get(&error, "kind").as_string().as_deref(), Some("refused"));
    assert_eq!(get(&error, "retryable").as_bool(), Some(false));
    let message = get(&error, "message").as_string().unwrap_or_default();
    assert!(message.starts_with("Too large"), "{message}");

    // In Russian, the event says what the row says, and so does a method's
    // rejection.
    el.set_attribute("locale", "ru").unwrap();
    drop_files(
        &dropzone(&el),
        &[file(b"0123456789", "big2.txt", "text/plain")],
    );
    wait_for("the second refusal", 5_000, || errors_len(&errors_log) == 2).await;
    let error = get(&errors_log.borrow().clone()[1], "error");
    let message = get(&error, "message").as_string().unwrap_or_default();
    assert!(message.starts_with("Слишком большой"), "{message}");
    let row_status = shadow(&el)
        .query_selector_all("[data-ta=row] [data-ta=status]")
        .unwrap()
        .get(1)
        .and_then(|n| n.text_content())
        .unwrap_or_default();
    assert!(row_status.contains(&message), "{row_status} / {message}");
    let promise: Promise = call(&el, "attachTo", &[]).unwrap().unchecked_into();
    let rejection = JsFuture::from(promise).await.expect_err("no issue key");
    assert_eq!(
        get(&rejection, "message").as_string().as_deref(),
        Some("Не указан ключ задачи, к которой прикрепить файлы")
    );
    el.remove();
}

fn errors_len(log: &Rc<RefCell<Vec<JsValue>>>) -> usize {
    log.borrow().len()
}

/// A plain object of `pairs`, as a page writes `{'X-CSRFToken': token}`.
fn text_object(pairs: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (name, value) in pairs {
        Reflect::set(&object, &(*name).into(), &(*value).into()).unwrap();
    }
    object.into()
}

#[wasm_bindgen_test]
async fn the_headers_and_fields_properties_reach_the_server() {
    define_tracker_attachments().expect("define");
    let el: HtmlElement = document()
        .create_element("tracker-attachments")
        .unwrap()
        .unchecked_into();
    let echo = format!("{}/echo", server());
    for (name, value) in [
        ("api", server()),
        ("token", "dev-token"),
        ("org-id", "dev-org"),
        ("persist", "none"),
        ("mode", "form"),
        ("url", echo.as_str()),
        ("id-field", "headers.x-csrftoken"),
    ] {
        el.set_attribute(name, value).unwrap();
    }
    // Set before the element is in the page, as a framework does.
    let headers = text_object(&[
        ("X-CSRFToken", "django-token"),
        ("Content-Type", "secret-type"),
        ("Sec-Fetch-Site", "secret-site"),
    ]);
    Reflect::set(&el, &"headers".into(), &headers).unwrap();
    Reflect::set(
        &el,
        &"fields".into(),
        &text_object(&[("folder", "folder-9")]),
    )
    .unwrap();
    let warned = capturing_warnings(|warnings| {
        container().append_child(&el).unwrap();
        warnings.borrow().join("\n")
    });
    assert!(warned.contains("\"Content-Type\""), "{warned}");
    assert!(warned.contains("\"Sec-Fetch-Site\""), "{warned}");
    assert!(!warned.contains("secret"), "{warned}");
    assert_eq!(get(&el, "headers"), headers);
    drop_files(&dropzone(&el), &[file(b"one", "one.txt", "text/plain")]);
    wait_for("the id the echo read from the header", 10_000, || {
        strings(&get(&el, "attachmentIds")) == ["django-token"]
    })
    .await;
    // The fields went in the same body; a new header value is the next
    // request's.
    el.set_attribute("id-field", "fields.folder").unwrap();
    drop_files(&dropzone(&el), &[file(b"two", "two.txt", "text/plain")]);
    wait_for("the id the echo read from the field", 10_000, || {
        strings(&get(&el, "attachmentIds")) == ["django-token", "folder-9"]
    })
    .await;
    Reflect::set(
        &el,
        &"headers".into(),
        &text_object(&[("X-CSRFToken", "rotated")]),
    )
    .unwrap();
    el.set_attribute("id-field", "headers.x-csrftoken").unwrap();
    drop_files(&dropzone(&el), &[file(b"three", "three.txt", "text/plain")]);
    wait_for("the new header value", 10_000, || {
        strings(&get(&el, "attachmentIds"))
            .last()
            .map(String::as_str)
            == Some("rotated")
    })
    .await;
    // `withCredentials` reflects its attribute.
    assert_eq!(get(&el, "withCredentials"), JsValue::FALSE);
    Reflect::set(&el, &"withCredentials".into(), &JsValue::TRUE).unwrap();
    assert!(el.has_attribute("with-credentials"));
    assert_eq!(get(&el, "withCredentials"), JsValue::TRUE);
    el.set_attribute("with-credentials", "false").unwrap();
    assert_eq!(get(&el, "withCredentials"), JsValue::FALSE);
    // A value the widget does not take (it warns and sends no cookies).
    el.set_attribute("with-credentials", "cookies").unwrap();
    assert_eq!(get(&el, "withCredentials"), JsValue::FALSE);
    el.set_attribute("with-credentials", "with-credentials")
        .unwrap();
    assert_eq!(get(&el, "withCredentials"), JsValue::TRUE);
    el.remove();
}

#[wasm_bindgen_test]
async fn mount_takes_headers_and_fields_and_set_options_keeps_them() {
    let host = container();
    let base = |url: String, id_field: &str| {
        vec![
            ("api", JsValue::from(server())),
            ("token", "dev-token".into()),
            ("orgId", "dev-org".into()),
            ("persist", "none".into()),
            ("mode", "form".into()),
            ("url", url.into()),
            ("idField", id_field.into()),
        ]
    };
    let mut first = base(format!("{}/echo", server()), "headers.x-csrf-token");
    first.push(("headers", text_object(&[("X-CSRF-Token", "rails-token")])));
    first.push(("fields", text_object(&[("folder", "f-3")])));
    let handle = mount(host.clone(), options_object(&first).into()).expect("mounted");
    handle.add_files(file(b"one", "one.txt", "text/plain").into());
    wait_for("the header's value as the id", 10_000, || {
        strings(&handle.attachment_ids().into()) == ["rails-token"]
    })
    .await;
    // New options without `headers` or `fields`: both stay.
    handle.set_options(options_object(&base(format!("{}/echo", server()), "fields.folder")).into());
    handle.add_files(file(b"two", "two.txt", "text/plain").into());
    wait_for("the field's value as the id", 10_000, || {
        strings(&handle.attachment_ids().into()) == ["rails-token", "f-3"]
    })
    .await;
    // A text answer of one word is the id.
    handle.set_options(options_object(&base(format!("{}/echo?reply=pond-1", server()), "")).into());
    handle.add_files(file(b"three", "three.txt", "text/plain").into());
    wait_for("the text answer as the id", 10_000, || {
        strings(&handle.attachment_ids().into())
            .last()
            .map(String::as_str)
            == Some("pond-1")
    })
    .await;
    handle.unmount();
}

/// A JavaScript value written as JSON, for `strings` objects.
fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON")
}

fn shadow_text(el: &HtmlElement, selector: &str) -> String {
    shadow(el)
        .query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn shadow_attr(el: &HtmlElement, selector: &str, name: &str) -> Option<String> {
    shadow(el)
        .query_selector(selector)
        .unwrap()
        .and_then(|e| e.get_attribute(name))
}

const GERMAN: &str = r#"{
    "dropHere": "Dateien hier ablegen oder ",
    "browse": "durchsuchen",
    "dropZoneLabel": "Dateien hier ablegen oder durchsuchen",
    "uploaded": "Hochgeladen",
    "removeFile": "{name} aus der Liste entfernen",
    "filesAdded": {"one": "{count} Datei hinzugefügt", "other": "{count} Dateien hinzugefügt"}
}"#;

/// Gives `el` (with `locale="he"`) Hebrew words, and waits until it is
/// written right to left.
async fn speak_hebrew(el: &HtmlElement) {
    Reflect::set(el, &"strings".into(), &json(r#"{"browse": "עיון"}"#)).unwrap();
    wait_for("right to left", 2_000, || {
        shadow_attr(el, "[data-ta=widget]", "dir").as_deref() == Some("rtl")
    })
    .await;
}

/// Right to left, the progress bar starts after the file's icon too, on
/// the icon's left, not under it.
#[wasm_bindgen_test]
async fn the_progress_bar_follows_the_direction_of_the_words() {
    let page = container();
    page.set_attribute("dir", "rtl").unwrap();
    let el = element_in(&page, &[("locale", "he"), ("api", slow_server())]);
    speak_hebrew(&el).await;
    drop_files(&dropzone(&el), &[file(b"slow", "slow.txt", "text/plain")]);
    let in_row = |selector: &str| {
        shadow(&el)
            .query_selector(&format!("[data-ta=row] {selector}"))
            .unwrap()
    };
    wait_for("the progress bar", 5_000, || in_row("progress").is_some()).await;
    let bar = in_row("progress").unwrap().get_bounding_client_rect();
    let icon = in_row(".ta-preview").unwrap().get_bounding_client_rect();
    assert!(
        bar.right() <= icon.left() + 1.0,
        "bar {}..{}, icon {}..{}",
        bar.left(),
        bar.right(),
        icon.left(),
        icon.right()
    );
    el.remove();
}

/// A row is as tall while it uploads, its progress bar shown, as once
/// done: the rows below do not jump as each file finishes (they moved
/// 20 px at each).
#[wasm_bindgen_test]
async fn a_row_keeps_its_height_from_uploading_to_done() {
    let page = container();
    page.unchecked_ref::<HtmlElement>()
        .style()
        .set_property("width", "700px")
        .unwrap();
    // Answered after four seconds: the row uploads meanwhile.
    let el = element_in(&page, &[("api", slow_server())]);
    drop_files(&dropzone(&el), &[file(b"slow", "slow.txt", "text/plain")]);
    let row = || shadow(&el).query_selector("[data-ta=row]").unwrap();
    wait_for("the progress bar", 5_000, || {
        row().is_some_and(|r| r.query_selector("progress").unwrap().is_some())
    })
    .await;
    let uploading = row().unwrap().get_bounding_client_rect().height();
    wait_for("the upload", 20_000, || {
        row().is_some_and(|r| attr(&r, "data-state").as_deref() == Some("done"))
    })
    .await;
    let done = row().unwrap().get_bounding_client_rect().height();
    assert_eq!(uploading, done);
    el.remove();
}

/// Pages of rows out of view are given the height of the rows they hold
/// before they are laid out: the list is as tall before the user scrolls
/// through it as after. A last page of 50 rows was estimated as one, and
/// the list grew by 3,000 px as it came into view (End fell short).
#[wasm_bindgen_test]
async fn pages_out_of_view_are_as_tall_as_their_rows() {
    let page = container();
    page.unchecked_ref::<HtmlElement>()
        .style()
        .set_property("width", "1000px")
        .unwrap();
    // Refused: rows and no network.
    let el = element_in(&page, &[("accept", ".pdf")]);
    let files: Vec<web_sys::File> = (0..250)
        .map(|i| file(b"x", &format!("row-{i:03}.txt"), "text/plain"))
        .collect();
    drop_files(&dropzone(&el), &files);
    let rows = || shadow(&el).query_selector_all("[data-ta=row]").unwrap();
    wait_for("the rows", 10_000, || rows().length() == 250).await;
    let (before, after) =
        heights_scrolled_through(&el, "[data-ta=list]", "[data-ta=row]", &[150, 249, 0]).await;
    assert!(
        (after - before).abs() <= after * 0.05,
        "{before} px before, {after} px after"
    );
    el.remove();
}

/// The height of `list` in `el`'s shadow root with its first items in
/// view and the rest below, then once its items at `stops` have each been
/// scrolled into view (every page laid out once, then out of view again).
async fn heights_scrolled_through(
    el: &HtmlElement,
    list: &str,
    items: &str,
    stops: &[u32],
) -> (f64, f64) {
    el.scroll_into_view();
    next_tick(100).await;
    let list = shadow(el).query_selector(list).unwrap().unwrap();
    let height = || list.get_bounding_client_rect().height();
    let before = height();
    for at in stops {
        shadow(el)
            .query_selector_all(items)
            .unwrap()
            .item(*at)
            .unwrap()
            .unchecked_into::<Element>()
            .scroll_into_view();
        next_tick(100).await;
    }
    (before, height())
}

/// The same for the kept list's pages: a last page of 50 kept files was
/// estimated as one, 2,000 px short.
#[wasm_bindgen_test]
async fn kept_pages_out_of_view_are_as_tall_as_their_items() {
    let page = container();
    page.unchecked_ref::<HtmlElement>()
        .style()
        .set_property("width", "1000px")
        .unwrap();
    let el = element_in(&page, &[]);
    let files: Vec<web_sys::File> = (0..150)
        .map(|i| file(b"x", &format!("kept-{i:03}.txt"), "text/plain"))
        .collect();
    drop_files(&dropzone(&el), &files);
    let items = || {
        shadow(&el)
            .query_selector_all("[data-ta=kept-item]")
            .unwrap()
    };
    wait_for("the kept files", 60_000, || items().length() == 150).await;
    let (before, after) =
        heights_scrolled_through(&el, ".ta-kept-list", "[data-ta=kept-item]", &[120, 149, 0]).await;
    assert!(
        (after - before).abs() <= after * 0.05,
        "{before} px before, {after} px after"
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn the_widget_is_written_in_the_direction_of_its_words() {
    // A Hebrew page: the English widget reads left to right ("5.0 MB",
    // not "MB 5.0"); given Hebrew words, right to left.
    let page = container();
    page.set_attribute("dir", "rtl").unwrap();
    let el = element_in(&page, &[("locale", "he")]);
    wait_for("the widget", 2_000, || {
        shadow_attr(&el, "[data-ta=widget]", "dir").is_some()
    })
    .await;
    assert_eq!(
        shadow_attr(&el, "[data-ta=widget]", "dir").as_deref(),
        Some("ltr")
    );
    speak_hebrew(&el).await;
    assert_eq!(
        shadow_attr(&el, "[data-ta=widget]", "lang").as_deref(),
        Some("he")
    );
    // The words the Hebrew strings leave to English still read left to
    // right inside it: the drop zone's "Drop files here or browse", not
    // "browse Drop files here or".
    let zone = dropzone(&el);
    let title = zone.query_selector(".ta-dropzone-title").unwrap().unwrap();
    let browse = zone.query_selector(".ta-dropzone-browse").unwrap().unwrap();
    assert!(
        title.get_bounding_client_rect().left() < browse.get_bounding_client_rect().left(),
        "the link before the words"
    );
    // And a size is "12 B", not "B 12".
    drop_files(
        &dropzone(&el),
        &[file(b"twelve bytes", "a.txt", "text/plain")],
    );
    let size_of = || {
        shadow(&el)
            .query_selector("[data-ta=row] .ta-size")
            .unwrap()
    };
    wait_for("the row", 2_000, || size_of().is_some()).await;
    let size = size_of().unwrap();
    let words = size.first_child().unwrap();
    assert_eq!(words.text_content().as_deref(), Some("12\u{a0}B"));
    let left_of = |at: u32| {
        let range = document().create_range().unwrap();
        range.set_start(&words, at).unwrap();
        range.set_end(&words, at + 1).unwrap();
        range.get_bounding_client_rect().left()
    };
    assert!(left_of(0) < left_of(3), "{} {}", left_of(0), left_of(3));
    el.remove();
}

#[wasm_bindgen_test]
async fn a_language_without_a_table_speaks_the_hosts_strings() {
    let capture = WarnCapture::start();
    define_tracker_attachments().expect("define");
    let el: HtmlElement = document()
        .create_element("tracker-attachments")
        .unwrap()
        .unchecked_into();
    for (name, value) in [
        ("api", server()),
        ("token", "dev-token"),
        ("org-id", "dev-org"),
        ("persist", "none"),
        ("locale", "de"),
    ] {
        el.set_attribute(name, value).unwrap();
    }
    // Set before the element is in the page, as frameworks do.
    Reflect::set(&el, &"strings".into(), &json(GERMAN)).unwrap();
    container().append_child(&el).unwrap();
    assert_eq!(
        shadow_attr(&el, "[data-ta=widget]", "lang").as_deref(),
        Some("de")
    );
    assert_eq!(
        shadow_text(&el, "[data-ta=dropzone]"),
        "Dateien hier ablegen oder durchsuchen"
    );
    assert_eq!(
        shadow_attr(&el, "[data-ta=dropzone]", "aria-label").as_deref(),
        Some("Dateien hier ablegen oder durchsuchen")
    );
    drop_files(&dropzone(&el), &[file(b"eins", "eins.txt", "text/plain")]);
    wait_for("the upload", 10_000, || rows_in_state(&el, "done") == 1).await;
    assert_eq!(
        shadow_text(&el, "[data-ta=row] [data-ta=status]"),
        "Hochgeladen"
    );
    assert_eq!(
        shadow_attr(&el, "[data-ta=row] [data-ta=remove]", "aria-label").as_deref(),
        Some("eins.txt aus der Liste entfernen")
    );
    // Words the host did not give are English.
    assert_eq!(shadow_text(&el, "[data-ta=row] [data-ta=remove]"), "Remove");
    // With strings given, a language without a table is no mistake (the
    // check ran long ago: it waits one task).
    assert_eq!(capture.take(), Vec::<String>::new());
    el.remove();

    // Strings set right after the element connects, as a page does that
    // writes the element in its HTML and sets them after `init()`: no
    // warning either. Without strings, the tag warns once, naming the
    // attribute, and `lang` is that of the words shown: English.
    let late = element_in(&container(), &[("locale", "de-AT")]);
    // As after `await init()`: the microtasks queued meanwhile run first.
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL))
        .await
        .unwrap();
    Reflect::set(&late, &"strings".into(), &json(GERMAN)).unwrap();
    let bare = element_in(&container(), &[("locale", "de-CH")]);
    wait_for("the warning", 2_000, || {
        !capture.warnings.borrow().is_empty()
    })
    .await;
    // Other changes do not tell it again; another tag does.
    bare.set_attribute("issue", "DEMO-2").unwrap();
    bare.set_attribute("locale", "fr").unwrap();
    wait_for("the second tag's warning", 2_000, || {
        capture.warnings.borrow().len() >= 2
    })
    .await;
    let warned = capture.take();
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(warned[0].contains("locale=\"de-CH\""), "{warned:?}");
    assert!(warned[1].contains("locale=\"fr\""), "{warned:?}");
    assert_eq!(
        shadow_attr(&bare, "[data-ta=widget]", "lang").as_deref(),
        Some("en")
    );
    late.remove();
    bare.remove();
}

#[wasm_bindgen_test]
async fn counted_messages_take_the_browsers_plural_forms() {
    // Every file refused: nothing uploads, so the news of the drop stays.
    let el = element_in(&container(), &[("locale", "pl"), ("max-size", "1")]);
    let forms = r#"{"filesAdded": {"one": "Dodano {count} plik", "few": "Dodano {count} pliki",
                                   "many": "Dodano {count} plików", "other": "Dodano {count} pliku"}}"#;
    Reflect::set(&el, &"strings".into(), &json(forms)).unwrap();
    let live = || shadow_text(&el, "[data-ta=live]");
    let files = |n: usize| -> Vec<web_sys::File> {
        (0..n)
            .map(|i| file(b"xx", &format!("{n}-{i}.txt"), "text/plain"))
            .collect()
    };
    // Intl.PluralRules("pl"): 3 → few, 5 → many, 22 → few.
    for (n, said) in [
        (3, "Dodano 3 pliki"),
        (5, "Dodano 5 plików"),
        (1, "Dodano 1 plik"),
    ] {
        drop_files(&dropzone(&el), &files(n));
        let mut seen = Vec::new();
        for _ in 0..200 {
            let now = live();
            if now.starts_with(said) {
                break;
            }
            if seen.last() != Some(&now) {
                seen.push(now);
            }
            next_tick(25).await;
        }
        assert!(live().starts_with(said), "{said}: {seen:?}");
    }
    el.remove();
}

#[wasm_bindgen_test]
async fn bad_strings_warn_by_key_and_keep_the_built_in_words() {
    let el = element_in(&container(), &[]);
    let capture = WarnCapture::start();
    let bad = r#"{"dropHear": "typo", "browse": 7,
                  "filesAdded": {"one": "{count} file"}, "byteUnits": "B KB",
                  "dropHere": "Put files here or "}"#;
    Reflect::set(&el, &"strings".into(), &json(bad)).unwrap();
    let warned = capture.take();
    assert_eq!(warned.len(), 4, "{warned:?}");
    for key in ["dropHear", "browse", "filesAdded", "byteUnits"] {
        assert!(
            warned.iter().any(|w| w.contains(&format!("\"{key}\""))),
            "{key}: {warned:?}"
        );
    }
    // The good entry is used, the bad ones keep English.
    wait_for("the good entry", 2_000, || {
        shadow_text(&el, "[data-ta=dropzone]") == "Put files here or browse"
    })
    .await;
    // Set again on every render, as frameworks do: told once.
    for _ in 0..3 {
        Reflect::set(&el, &"strings".into(), &json(bad)).unwrap();
    }
    let warned = capture.take();
    assert!(warned.is_empty(), "{warned:?}");
    // The whole option of the wrong type: one warning, built-in words.
    Reflect::set(&el, &"strings".into(), &"Dateien".into()).unwrap();
    let warned = capture.take();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(warned[0].contains("strings takes an object"), "{warned:?}");
    wait_for("the built-in words", 2_000, || {
        shadow_text(&el, "[data-ta=dropzone]") == "Drop files here or browse"
    })
    .await;
    drop(capture);
    el.remove();
}

#[wasm_bindgen_test]
fn a_warning_whose_listener_reads_the_element_breaks_nothing() {
    // A page's console.warn that reads the widget as it warns (a logger
    // taking the state along): told inside a borrow, this panicked, and a
    // panic kills every widget on the page.
    let el = element_in(&container(), &[]);
    let handle = mount(container(), js_sys::Object::new().into()).unwrap();
    let handle_value = JsValue::from(handle);
    let console = get(&web_sys::window().unwrap().into(), "console");
    let original = get(&console, "warn");
    let reads = Rc::new(Cell::new(0));
    let count = reads.clone();
    let (element, mounted) = (el.clone(), handle_value.clone());
    let reader = Closure::<dyn Fn(JsValue)>::new(move |_: JsValue| {
        let _ = get(&element, "attachmentIds");
        let _ = get(&mounted, "attachmentIds");
        count.set(count.get() + 1);
    });
    Reflect::set(&console, &"warn".into(), reader.as_ref()).unwrap();
    Reflect::set(&el, &"strings".into(), &json(r#"{"dropHear": "typo"}"#)).unwrap();
    let options = js_sys::Object::new();
    Reflect::set(&options, &"strings".into(), &json(r#"{"browse": 7}"#)).unwrap();
    call(&handle_value, "setOptions", &[options.into()]).unwrap();
    Reflect::set(&console, &"warn".into(), &original).unwrap();
    assert_eq!(reads.get(), 2);
    call(&handle_value, "free", &[]).unwrap();
    el.remove();
}

#[wasm_bindgen_test]
async fn strings_changed_at_run_time_redraw_every_text() {
    let el = element_in(&container(), &[("max-size", "1KB")]);
    drop_files(
        &dropzone(&el),
        &[
            file(b"ok", "ok.txt", "text/plain"),
            file(&[0u8; 2048], "big.txt", "text/plain"),
        ],
    );
    wait_for("one done, one refused", 10_000, || {
        rows_in_state(&el, "done") == 1 && rows_in_state(&el, "refused") == 1
    })
    .await;
    let strings = r#"{"uploaded": "Fertig", "tooLarge": "Zu groß: {size} > {max}",
                      "removeFile": "{name} entfernen", "remove": "Entfernen",
                      "summary": "{done} von {count} fertig", "browse": "durchsuchen",
                      "removeRefused": {"one": "Einen abgelehnten entfernen", "other": "{count} entfernen"},
                      "listLabel": "Dateien"}"#;
    Reflect::set(&el, &"strings".into(), &json(strings)).unwrap();
    let done = "[data-ta=row][data-state=done]";
    let refused = "[data-ta=row][data-state=refused]";
    wait_for("the new words", 2_000, || {
        shadow_text(&el, &format!("{done} [data-ta=status]")) == "Fertig"
    })
    .await;
    assert_eq!(
        shadow_text(&el, &format!("{refused} [data-ta=status]")),
        "Zu groß: 2.0\u{a0}KB > 1.0\u{a0}KB"
    );
    assert_eq!(
        shadow_text(&el, &format!("{done} [data-ta=remove]")),
        "Entfernen"
    );
    assert_eq!(
        shadow_attr(&el, &format!("{done} [data-ta=remove]"), "aria-label").as_deref(),
        Some("ok.txt entfernen")
    );
    assert_eq!(shadow_text(&el, "[data-ta=summary]"), "1 von 1 fertig");
    assert_eq!(
        shadow_text(&el, "[data-ta=remove-refused]").trim(),
        "Einen abgelehnten entfernen"
    );
    assert_eq!(
        shadow_attr(&el, "[data-ta=list]", "aria-label").as_deref(),
        Some("Dateien")
    );
    assert!(shadow_text(&el, "[data-ta=dropzone]").ends_with("durchsuchen"));
    // `null` goes back to the built-in words.
    Reflect::set(&el, &"strings".into(), &JsValue::NULL).unwrap();
    wait_for("English again", 2_000, || {
        shadow_text(&el, &format!("{done} [data-ta=status]")) == "Uploaded"
    })
    .await;
    assert_eq!(
        shadow_text(&el, "[data-ta=summary]"),
        "1 of 1 uploaded · 2\u{a0}B of 2\u{a0}B"
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn set_options_keeps_the_strings_unless_given() {
    let host = container();
    let base = || {
        vec![
            ("api", JsValue::from(server())),
            ("token", "dev-token".into()),
            ("orgId", "dev-org".into()),
            ("persist", "none".into()),
        ]
    };
    let mut first = base();
    first.push(("strings", json(r#"{"browse": "durchsuchen"}"#)));
    let handle = mount(host.clone(), options_object(&first).into()).expect("mounted");
    let zone = || {
        host.shadow_root()
            .unwrap()
            .query_selector("[data-ta=dropzone]")
            .unwrap()
            .and_then(|z| z.text_content())
            .unwrap_or_default()
    };
    assert!(zone().ends_with("durchsuchen"), "{}", zone());
    // New options without `strings`: they stay.
    let mut second = base();
    second.push(("maxSize", "5MB".into()));
    handle.set_options(options_object(&second).into());
    assert!(zone().ends_with("durchsuchen"), "{}", zone());
    // Other strings replace them; `null` removes them.
    let mut third = base();
    third.push(("strings", json(r#"{"browse": "parcourir"}"#)));
    handle.set_options(options_object(&third).into());
    wait_for("the new strings", 2_000, || zone().ends_with("parcourir")).await;
    let mut fourth = base();
    fourth.push(("strings", JsValue::NULL));
    handle.set_options(options_object(&fourth).into());
    wait_for("the built-in words", 2_000, || {
        zone() == "Drop files here or browse"
    })
    .await;
    handle.unmount();
}

#[wasm_bindgen_test]
async fn delete_attachment_takes_a_file_off_its_issue_from_the_element_and_the_handle() {
    let el = element_in(
        &container(),
        &[("mode", "tracker-issue"), ("issue", "DEMO-1")],
    );
    let changes = record(&el, "attachments-change");
    let name = unique("element-delete") + ".txt";
    drop_files(&dropzone(&el), &[file(b"e", &name, "text/plain")]);
    wait_for("the upload", 10_000, || rows_in_state(&el, "done") == 1).await;
    let id = strings(&get(&el, "attachmentIds")).remove(0);

    let kind_of_rejection = |result: Result<JsValue, JsValue>| async move {
        let promise: Promise = result.expect("a promise, not a throw").unchecked_into();
        let error = JsFuture::from(promise).await.expect_err("a rejection");
        get(&error, "kind").as_string().unwrap_or_default()
    };
    assert_eq!(
        kind_of_rejection(call(&el, "deleteAttachment", &["no-such-id".into()])).await,
        "nothing-to-delete"
    );
    let promise: Promise = call(&el, "deleteAttachment", &[id.clone().into()])
        .unwrap()
        .unchecked_into();
    let resolved = JsFuture::from(promise).await.expect("deleted");
    assert!(resolved.is_undefined());
    // By the time the promise resolves the widget no longer has it.
    assert!(strings(&get(&el, "attachmentIds")).is_empty());
    wait_for("the row to leave", 2_000, || {
        rows_in_state(&el, "done") == 0
    })
    .await;
    wait_for("the change event without it", 5_000, || {
        changes
            .borrow()
            .last()
            .is_some_and(|d| strings(&get(d, "attachmentIds")).is_empty())
    })
    .await;
    let (_, body) = get_json(&format!("{}/v2/issues/DEMO-1/attachments", server())).await;
    assert!(!body.contains(&name), "{body}");

    // `mount()`'s handle: the same, and a temporary file is nothing to delete.
    let host = container();
    let options = js_sys::Object::new();
    for (key, value) in [
        ("api", server()),
        ("token", "dev-token"),
        ("orgId", "dev-org"),
        ("persist", "none"),
    ] {
        Reflect::set(&options, &key.into(), &value.into()).unwrap();
    }
    let handle = mount(host.clone(), options.into()).expect("mounted");
    handle.add_files(file(b"t", "temporary.txt", "text/plain").into());
    wait_for("the temporary upload", 10_000, || {
        strings(&handle.attachment_ids().into()).len() == 1
    })
    .await;
    let temporary = strings(&handle.attachment_ids().into()).remove(0);
    let error = JsFuture::from(handle.delete_attachment(temporary.into()))
        .await
        .expect_err("a temporary file is on no issue");
    assert_eq!(
        get(&error, "kind").as_string().as_deref(),
        Some("nothing-to-delete")
    );
    assert_eq!(strings(&handle.attachment_ids().into()).len(), 1);
    handle.set_options({
        let changes = js_sys::Object::new();
        Reflect::set(&changes, &"mode".into(), &"jira".into()).unwrap();
        Reflect::set(&changes, &"issue".into(), &"DEMO-2".into()).unwrap();
        changes.into()
    });
    handle.clear();
    let jira_name = unique("handle-delete") + ".txt";
    handle.add_files(file(b"j", &jira_name, "text/plain").into());
    wait_for("the Jira upload", 10_000, || {
        strings(&handle.attachment_ids().into()).len() == 1
    })
    .await;
    let jira_id = strings(&handle.attachment_ids().into()).remove(0);
    let done = JsFuture::from(handle.delete_attachment(jira_id.into())).await;
    assert!(done.is_ok_and(|v| v.is_undefined()));
    assert!(strings(&handle.attachment_ids().into()).is_empty());
    let (_, body) = get_json(&format!("{}/v2/issues/DEMO-2/attachments", server())).await;
    assert!(!body.contains(&jira_name), "{body}");
    // After unmount it rejects, as the other promises do.
    handle.unmount();
    let error = JsFuture::from(handle.delete_attachment("1".into()))
        .await
        .expect_err("unmounted");
    assert_eq!(
        get(&error, "kind").as_string().as_deref(),
        Some("cancelled")
    );
    // An element out of the document rejects rather than throws.
    el.remove();
    wait_for("the widget to go", 2_000, || {
        shadow(&el).child_element_count() == 0
    })
    .await;
    assert_eq!(
        kind_of_rejection(call(&el, "deleteAttachment", &["1".into()])).await,
        "cancelled"
    );
}

/// A `beforeAdd` function: `answer` gives what it returns for a file's
/// name (`Err` throws); every name it was asked about, with whether it was
/// handed a `File` and a context object, is in the list.
type CheckLog = Rc<RefCell<Vec<(String, bool)>>>;

fn before_add(answer: impl Fn(&str) -> Result<JsValue, JsValue> + 'static) -> (Function, CheckLog) {
    let log: CheckLog = Rc::new(RefCell::new(Vec::new()));
    let sink = log.clone();
    let check = Closure::<dyn Fn(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        move |file: JsValue, context: JsValue| {
            let name = get(&file, "name").as_string().unwrap_or_default();
            let handed_a_file = file.is_instance_of::<web_sys::File>() && context.is_object();
            sink.borrow_mut().push((name.clone(), handed_a_file));
            answer(&name)
        },
    );
    (check.into_js_value().unchecked_into(), log)
}

/// The status text of the row of `name`.
fn status_of(el: &HtmlElement, name: &str) -> Option<String> {
    let rows = shadow(el).query_selector_all("[data-ta=row]").unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .map(|row| row.unchecked_into::<Element>())
        .find(|row| {
            row.query_selector("[data-ta=name]")
                .unwrap()
                .and_then(|n| n.text_content())
                .as_deref()
                == Some(name)
        })
        .and_then(|row| row.query_selector("[data-ta=status]").unwrap())
        .and_then(|status| status.text_content())
}

#[wasm_bindgen_test]
async fn before_add_refuses_by_the_pages_rules_without_using_up_max_files() {
    let el = element_in(&container(), &[("max-files", "1")]);
    let errors = record(&el, "upload-error");
    let (check, asked) = before_add(|name| {
        Ok(match name {
            "setup.exe" => "Programs cannot be attached".into(),
            "secret.txt" => false.into(),
            "empty-reason.txt" => " ".into(),
            _ => JsValue::UNDEFINED,
        })
    });
    Reflect::set(&el, &"beforeAdd".into(), &check).unwrap();
    assert_eq!(get(&el, "beforeAdd"), JsValue::from(check));
    drop_files(
        &dropzone(&el),
        &[
            file(b"MZ", "setup.exe", "application/octet-stream"),
            file(b"s", "secret.txt", "text/plain"),
            file(b"e", "empty-reason.txt", "text/plain"),
            file(b"ok", "ok.txt", "text/plain"),
        ],
    );
    // The one place under max-files goes to the file the page took.
    wait_for("the taken file uploaded", 10_000, || {
        rows_in_state(&el, "done") == 1
    })
    .await;
    assert_eq!(rows_in_state(&el, "refused"), 3);
    assert_eq!(
        *asked.borrow(),
        [
            ("setup.exe".to_owned(), true),
            ("secret.txt".to_owned(), true),
            ("empty-reason.txt".to_owned(), true),
            ("ok.txt".to_owned(), true),
        ]
    );
    assert_eq!(
        status_of(&el, "setup.exe").as_deref(),
        Some("Programs cannot be attached")
    );
    assert_eq!(
        status_of(&el, "secret.txt").as_deref(),
        Some("Refused by this page")
    );
    assert_eq!(
        status_of(&el, "empty-reason.txt").as_deref(),
        Some("Refused by this page")
    );
    wait_for("three upload errors", 5_000, || errors.borrow().len() == 3).await;
    let errors = errors.borrow();
    let error = get(&errors[0], "error");
    assert_eq!(
        get(&get(&errors[0], "file"), "name").as_string().as_deref(),
        Some("setup.exe")
    );
    assert_eq!(
        get(&error, "kind").as_string().as_deref(),
        Some("refused-by-host")
    );
    assert_eq!(
        get(&error, "message").as_string().as_deref(),
        Some("Programs cannot be attached")
    );
    assert_eq!(get(&error, "retryable").as_bool(), Some(false));
    assert_eq!(
        get(&get(&errors[1], "error"), "message")
            .as_string()
            .as_deref(),
        Some("Refused by this page")
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn a_before_add_that_throws_takes_the_file_and_warns_once_of_each_slip() {
    let capture = WarnCapture::start();
    let el = element_in(&container(), &[]);
    let (throws, _) = before_add(|name| match name {
        "odd.txt" => Ok(42.into()),
        _ => Err(js_sys::Error::new("the page's bug").into()),
    });
    Reflect::set(&el, &"beforeAdd".into(), &throws).unwrap();
    drop_files(
        &dropzone(&el),
        &[
            file(b"1", "one.txt", "text/plain"),
            file(b"2", "two.txt", "text/plain"),
            file(b"3", "odd.txt", "text/plain"),
        ],
    );
    wait_for("every file uploaded", 10_000, || {
        rows_in_state(&el, "done") == 3
    })
    .await;
    let warnings = capture.take();
    let told: Vec<_> = warnings
        .iter()
        .filter(|w| w.contains("beforeAdd"))
        .collect();
    // The two throws once, with what was thrown; the odd answer once.
    assert_eq!(told.len(), 2, "{warnings:?}");
    assert!(
        told.iter().all(|w| w.contains("the file is taken")),
        "{told:?}"
    );
    assert!(
        told.iter()
            .any(|w| w.contains("threw") && w.contains("the page's bug")),
        "{told:?}"
    );
    assert!(
        told.iter().any(|w| w.contains("returned something other")),
        "{told:?}"
    );
    el.remove();
}

#[wasm_bindgen_test]
async fn an_async_before_add_refuses_the_file_and_says_it_must_answer_at_once() {
    let capture = WarnCapture::start();
    let el = element_in(&container(), &[]);
    // What `async (file) => true` returns: a promise, whatever it would say.
    let (pending, _) = before_add(|_| Ok(js_sys::Promise::resolve(&JsValue::TRUE).into()));
    Reflect::set(&el, &"beforeAdd".into(), &pending).unwrap();
    drop_files(
        &dropzone(&el),
        &[
            file(b"1", "first.exe", "application/octet-stream"),
            file(b"2", "second.exe", "application/octet-stream"),
        ],
    );
    wait_for("both files refused", 5_000, || {
        rows_in_state(&el, "refused") == 2
    })
    .await;
    let warnings = capture.take();
    let told: Vec<_> = warnings
        .iter()
        .filter(|w| w.contains("beforeAdd"))
        .collect();
    assert_eq!(told.len(), 1, "{warnings:?}");
    assert!(told[0].contains("returned a promise"), "{told:?}");
    el.remove();
}

#[wasm_bindgen_test]
async fn before_add_set_to_null_takes_every_file_again() {
    let capture = WarnCapture::start();
    let el = element_in(&container(), &[]);
    let (refuse_all, asked) = before_add(|_| Ok(false.into()));
    Reflect::set(&el, &"beforeAdd".into(), &refuse_all).unwrap();
    call(
        &el,
        "addFiles",
        &[file(b"1", "first.txt", "text/plain").into()],
    )
    .unwrap();
    wait_for("the first file refused", 2_000, || {
        rows_in_state(&el, "refused") == 1
    })
    .await;
    // Not a function: warned about, and the check stays as it was.
    Reflect::set(&el, &"beforeAdd".into(), &"no".into()).unwrap();
    assert!(capture
        .take()
        .iter()
        .any(|w| w.contains("beforeAdd must be a function")));
    assert_eq!(get(&el, "beforeAdd"), JsValue::from(refuse_all.clone()));
    call(
        &el,
        "addFiles",
        &[file(b"2", "still.txt", "text/plain").into()],
    )
    .unwrap();
    wait_for("the second file refused", 2_000, || {
        rows_in_state(&el, "refused") == 2
    })
    .await;
    Reflect::set(&el, &"beforeAdd".into(), &JsValue::NULL).unwrap();
    assert!(get(&el, "beforeAdd").is_null());
    call(
        &el,
        "addFiles",
        &[file(b"3", "second.txt", "text/plain").into()],
    )
    .unwrap();
    wait_for("the second file uploaded", 10_000, || {
        rows_in_state(&el, "done") == 1
    })
    .await;
    assert_eq!(asked.borrow().len(), 2);
    el.remove();
}

#[wasm_bindgen_test]
async fn mount_and_set_options_take_before_add() {
    let host = container();
    let (refuse_all, _) = before_add(|_| Ok("Not today".into()));
    let options = dev_options_object(&[("beforeAdd", refuse_all.clone().into())]);
    let handle = mount(host.clone(), options.into()).expect("mounted");
    assert_eq!(handle.before_add(), JsValue::from(refuse_all));
    handle.add_files(file(b"1", "refused.txt", "text/plain").into());
    wait_for("the first file refused", 2_000, || {
        row_names(&host, "refused") == ["refused.txt"]
    })
    .await;
    // Other options changed: the check stays.
    handle.set_options(options_object(&[("maxSize", "5MB".into())]).into());
    handle.add_files(file(b"2", "again.txt", "text/plain").into());
    wait_for("the second file refused", 2_000, || {
        row_names(&host, "refused") == ["refused.txt", "again.txt"]
    })
    .await;
    let (take_all, _) = before_add(|_| Ok(true.into()));
    handle.set_options(options_object(&[("beforeAdd", take_all.into())]).into());
    handle.add_files(file(b"3", "taken.txt", "text/plain").into());
    handle.set_options(options_object(&[("beforeAdd", JsValue::NULL)]).into());
    assert!(handle.before_add().is_null());
    handle.add_files(file(b"4", "unchecked.txt", "text/plain").into());
    wait_for("both later files uploaded", 10_000, || {
        strings(&handle.attachment_ids().into()).len() == 2
    })
    .await;
    assert_eq!(row_names(&host, "refused").len(), 2);
    handle.unmount();
}

#[wasm_bindgen(inline_js = r#"
// Drops a folder `docs` holding `inner.txt` on `target`: a synthetic
// DataTransfer cannot carry folders, so the drop's is one of the shape the
// widget reads, over the real event's.
export function drop_a_folder(target) {
  const file = new File(['x'], 'inner.txt', { type: 'text/plain' });
  const entry = { isFile: true, isDirectory: false, name: 'inner.txt',
    file(ok) { setTimeout(() => ok(file), 0); } };
  const docs = { isFile: false, isDirectory: true, name: 'docs',
    createReader() {
      let read = false;
      return { readEntries(ok) { const batch = read ? [] : [entry]; read = true; setTimeout(() => ok(batch), 0); } };
    } };
  const transfer = { types: ['Files'], files: null,
    items: [{ kind: 'file', webkitGetAsEntry() { return docs; }, getAsFile() { return null; } }] };
  const event = new DragEvent('drop', { bubbles: true, cancelable: true, composed: true });
  Object.defineProperty(event, 'dataTransfer', { value: transfer });
  target.dispatchEvent(event);
}
"#)]
extern "C" {
    fn drop_a_folder(target: &Element);
}

#[wasm_bindgen_test]
async fn before_add_is_told_the_path_of_a_file_from_a_dropped_folder() {
    let el = element_in(&container(), &[]);
    let paths = Rc::new(RefCell::new(Vec::<Option<String>>::new()));
    let sink = paths.clone();
    let check = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(
        move |_file: JsValue, context: JsValue| {
            let path = get(&context, "relativePath").as_string();
            sink.borrow_mut().push(path.clone());
            format!("Not from {}", path.unwrap_or_default()).into()
        },
    );
    Reflect::set(&el, &"beforeAdd".into(), check.as_ref()).unwrap();
    drop_a_folder(&dropzone(&el));
    wait_for("the folder's file refused", 5_000, || {
        rows_in_state(&el, "refused") == 1
    })
    .await;
    assert_eq!(*paths.borrow(), [Some("docs/inner.txt".to_owned())]);
    assert_eq!(
        status_of(&el, "inner.txt").as_deref(),
        Some("Not from docs/inner.txt")
    );
    el.remove();
    drop(check);
}

#[wasm_bindgen_test]
async fn a_before_add_that_reads_or_clears_the_widget_breaks_nothing() {
    let el = element_in(&container(), &[]);
    let target = el.clone();
    let asked = Rc::new(RefCell::new(Vec::<String>::new()));
    let asking = asked.clone();
    let check = Closure::<dyn Fn(JsValue, JsValue) -> JsValue>::new(
        move |file: JsValue, _context: JsValue| {
            asking
                .borrow_mut()
                .push(get(&file, "name").as_string().unwrap_or_default());
            // Calls back in while the widget lists the drop.
            let _ = get(&target, "attachmentIds");
            let _ = get(&target, "busy");
            if get(&file, "name").as_string().as_deref() == Some("clear.txt") {
                call(&target, "clear", &[]).unwrap();
            }
            JsValue::TRUE
        },
    );
    Reflect::set(&el, &"beforeAdd".into(), check.as_ref()).unwrap();
    // Cleared from inside the check: the drop it was listing goes too.
    drop_files(
        &dropzone(&el),
        &[
            file(b"1", "kept-out.txt", "text/plain"),
            file(b"2", "clear.txt", "text/plain"),
            file(b"4", "after-clear.txt", "text/plain"),
        ],
    );
    // The drop's list is gone with the clear: its last file is not asked about.
    assert_eq!(*asked.borrow(), ["kept-out.txt", "clear.txt"]);
    drop_files(&dropzone(&el), &[file(b"3", "later.txt", "text/plain")]);
    wait_for("the later drop uploaded", 10_000, || {
        rows_in_state(&el, "done") == 1
    })
    .await;
    let rows = shadow(&el)
        .query_selector_all("[data-ta=row]")
        .unwrap()
        .length();
    assert_eq!(rows, 1);
    assert!(status_of(&el, "later.txt").is_some());
    el.remove();
    drop(check);
}
