//! Keyboard and screen-reader use in headless Chromium. Focus: when the
//! button focus is on goes away (its row's buttons change, or its row or
//! kept item is removed), focus moves to the buttons that take its place,
//! never to `<body>`. The live region: every news of a moment is heard, and
//! news repeating the last is heard again. The bulk buttons beside the
//! summary (retry every failed row, remove every refused one) do what each
//! row's own button would, say their counts in either language, and hand
//! focus on when they go.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::WithUntracked;
use support::*;
use tracker_attachments::backend::{JsonRequest, UploadRequest};
use tracker_attachments::core::{EntryId, EntryState, Restrictions, RetryPolicy, UploadError};
use tracker_attachments::ui::{Controller, EventHandler, WidgetEvent};
use tracker_attachments::web::{RawResponse, Transport, TransportFuture};
use tracker_attachments::{Locale, WidgetOptions};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Focuses `el` as Tab would, then activates it as Enter would.
fn press(el: &Element) {
    let el: &HtmlElement = el.unchecked_ref();
    el.focus().unwrap();
    el.click();
}

fn focused() -> Option<Element> {
    document().active_element()
}

/// The `data-ta` of the focused element and the name of its row, if any.
fn focus_at() -> (Option<String>, Option<String>) {
    let Some(el) = focused() else {
        return (None, None);
    };
    let row = el
        .closest("[data-ta=row], [data-ta=kept-item]")
        .ok()
        .flatten()
        .and_then(|row| query(&row, ".ta-name"))
        .map(|name| text(&name));
    (attr(&el, "data-ta"), row)
}

#[wasm_bindgen_test]
async fn cancel_hands_focus_to_retry_and_retry_back_to_cancel() {
    let root = container();
    // The slow server keeps the upload running while the keys are pressed.
    let _handle = mount_widget(root.clone(), dev_options(slow_server(), "dev-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(&zone, &[file(b"slow", "a.txt", "text/plain")]);
    wait_for("the Cancel button", 5_000, || {
        query(&root, "[data-ta=cancel]").is_some()
    })
    .await;

    press(&query(&root, "[data-ta=cancel]").unwrap());
    wait_for("focus on Retry", 5_000, || {
        focus_at() == (Some("retry".into()), Some("a.txt".into()))
    })
    .await;

    press(&query(&root, "[data-ta=retry]").unwrap());
    wait_for("focus on Cancel again", 5_000, || {
        focus_at() == (Some("cancel".into()), Some("a.txt".into()))
    })
    .await;
    press(&query(&root, "[data-ta=cancel]").unwrap());
}

#[wasm_bindgen_test]
async fn an_upload_ending_under_focus_hands_it_to_remove() {
    let root = container();
    let _handle = mount_widget(root.clone(), dev_options(slow_server(), "dev-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(&zone, &[file(b"done soon", "b.txt", "text/plain")]);
    wait_for("the Cancel button", 5_000, || {
        query(&root, "[data-ta=cancel]").is_some()
    })
    .await;
    // Tabbed to, not pressed: the upload ends by itself. (Leptos rebuilds
    // this one button in place today, so focus stays without the row's own
    // hand-over; the test keeps it that way whichever does the work.)
    let cancel: HtmlElement = query(&root, "[data-ta=cancel]").unwrap().unchecked_into();
    cancel.focus().unwrap();
    wait_for(
        "the upload to end and focus to be on Remove",
        15_000,
        || focus_at() == (Some("remove".into()), Some("b.txt".into())),
    )
    .await;
}

#[wasm_bindgen_test]
async fn removing_a_row_focuses_the_next_then_the_previous_then_the_drop_zone() {
    let (root, _handle, _) = uploaded_rows(&["one.txt", "two.txt", "three.txt"]).await;
    let remove_of =
        |name: &str| query(&row_named(&root, name).unwrap(), "[data-ta=remove]").unwrap();

    press(&remove_of("two.txt"));
    wait_for("focus on the next row", 5_000, || {
        focus_at() == (Some("remove".into()), Some("three.txt".into()))
    })
    .await;
    press(&remove_of("three.txt"));
    wait_for("focus on the previous row", 5_000, || {
        focus_at() == (Some("remove".into()), Some("one.txt".into()))
    })
    .await;
    press(&remove_of("one.txt"));
    wait_for("focus on the drop zone", 5_000, || {
        focus_at().0.as_deref() == Some("dropzone")
    })
    .await;
    wait_for("the rows to go", 5_000, || {
        query(&root, "[data-ta=row]").is_none()
    })
    .await;
}

#[wasm_bindgen_test]
async fn removing_a_kept_item_focuses_its_neighbour() {
    let root = container();
    let _handle = mount_widget(root.clone(), dev_options(server(), "dev-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(
        &zone,
        &[
            file(b"k1", "kept1.txt", "text/plain"),
            file(b"k2", "kept2.txt", "text/plain"),
        ],
    );
    wait_for("two kept items", 10_000, || {
        query_all(&root, "[data-ta=kept-item]").len() == 2
    })
    .await;
    // Kept in the order the uploads ended: the other one is either.
    let items = query_all(&root, "[data-ta=kept-item]");
    let other = text(&query(&items[1], ".ta-name").unwrap());
    press(&query(&items[0], "button").unwrap());
    wait_for("focus on the other kept item", 5_000, || {
        focus_at() == (None, Some(other.clone()))
            && focused().is_some_and(|f| f.tag_name() == "BUTTON")
    })
    .await;
    press(&query(&items[1], "button").unwrap());
    wait_for("focus on the drop zone", 5_000, || {
        focus_at().0.as_deref() == Some("dropzone")
    })
    .await;
}

/// A widget with a finished row per name (each file holds its name).
async fn uploaded_rows(names: &[&str]) -> (HtmlElement, impl Sized, Controller) {
    let root = container();
    let (handle, controller) =
        mount_with_controller(root.clone(), dev_options(server(), "dev-token"));
    let files: Vec<web_sys::File> = names
        .iter()
        .map(|name| file(name.as_bytes(), name, "text/plain"))
        .collect();
    drop_files(&query(&root, "[data-ta=dropzone]").unwrap(), &files);
    wait_for("the uploaded rows", 10_000, || {
        query_all(&root, "[data-ta=row][data-state=done] [data-ta=remove]").len() == names.len()
    })
    .await;
    (root, handle, controller)
}

fn row_named(root: &Element, name: &str) -> Option<Element> {
    query_all(root, "[data-ta=row]")
        .into_iter()
        .find(|row| text(&query(row, ".ta-name").unwrap()) == name)
}

fn entry_named(controller: &Controller, name: &str) -> EntryId {
    controller.queue.with_untracked(|q| {
        q.entries()
            .iter()
            .find(|e| e.file.name == name)
            .map(|e| e.id)
            .unwrap()
    })
}

/// A widget for issue DEMO-1 with `name` uploaded and kept, its kept
/// item and the attach form shown.
async fn kept_for_demo_1(name: &str) -> (HtmlElement, impl Sized, Controller) {
    kept_for("DEMO-1", name).await
}

/// [`kept_for_demo_1`] for another issue.
async fn kept_for(issue: &str, name: &str) -> (HtmlElement, impl Sized, Controller) {
    let root = container();
    let mut options = dev_options(server(), "dev-token");
    options.issue = issue.into();
    let (handle, controller) = mount_with_controller(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(name.as_bytes(), name, "text/plain")],
    );
    wait_for("the kept item and the attach form", 10_000, || {
        query(&root, "[data-ta=kept-item] button").is_some()
            && query(&root, "[data-ta=attach-button]").is_some()
    })
    .await;
    (root, handle, controller)
}

/// Focuses the Remove button of the row of `name`, as Tab would.
fn focus_remove_of(root: &Element, name: &str) {
    let remove = query(&row_named(root, name).unwrap(), "[data-ta=remove]").unwrap();
    remove.unchecked_ref::<HtmlElement>().focus().unwrap();
}

#[wasm_bindgen_test]
async fn rows_removed_by_code_hand_focus_on_unless_the_user_left() {
    let (root, _handle, controller) =
        uploaded_rows(&["one.txt", "two.txt", "three.txt", "four.txt"]).await;

    // As `attachTo()` or another tab takes a row: no button was pressed.
    focus_remove_of(&root, "two.txt");
    controller.remove_all(&[entry_named(&controller, "two.txt")]);
    wait_for("focus on the row in its place", 5_000, || {
        focus_at() == (Some("remove".into()), Some("three.txt".into()))
    })
    .await;

    // Focus the user moved off the widget stays where the user put it.
    focus_remove_of(&root, "one.txt");
    focused()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .blur()
        .unwrap();
    controller.remove_all(&[entry_named(&controller, "one.txt")]);
    // The watch runs in a microtask after the removal: done by the time
    // a timer sees the row gone.
    wait_for("the row to go", 5_000, || {
        row_named(&root, "one.txt").is_none()
    })
    .await;
    assert_eq!(focused(), document().body().map(Element::from));

    // Nor when the user went to a field of the page and focus then fell
    // from there (a click on a button Safari does not focus).
    focus_remove_of(&root, "three.txt");
    let field: HtmlElement = document().create_element("input").unwrap().unchecked_into();
    document().body().unwrap().append_child(&field).unwrap();
    field.focus().unwrap();
    field.blur().unwrap();
    controller.remove_all(&[entry_named(&controller, "three.txt")]);
    wait_for("the third row to go", 5_000, || {
        row_named(&root, "three.txt").is_none()
    })
    .await;
    assert_eq!(focused(), document().body().map(Element::from));
    field.remove();

    focus_remove_of(&root, "four.txt");
    controller.clear();
    wait_for("focus on the drop zone", 5_000, || {
        query(&root, "[data-ta=row]").is_none() && focus_at().0.as_deref() == Some("dropzone")
    })
    .await;
}

#[wasm_bindgen_test]
async fn rows_removed_by_code_together_hand_focus_to_the_next_that_stays() {
    let (root, _handle, controller) = uploaded_rows(&["a.txt", "b.txt", "c.txt", "d.txt"]).await;
    focus_remove_of(&root, "b.txt");
    // b and the row before it go at once: its place now holds d.
    let ids = [
        entry_named(&controller, "a.txt"),
        entry_named(&controller, "b.txt"),
    ];
    controller.remove_all(&ids);
    wait_for("focus on the row that was next", 5_000, || {
        focus_at() == (Some("remove".into()), Some("c.txt".into()))
    })
    .await;
}

#[wasm_bindgen_test]
async fn attaching_from_code_hands_focus_from_a_kept_item_to_the_drop_zone() {
    let (root, _handle, controller) = kept_for_demo_1("by-code.txt").await;
    let remove = query(&root, "[data-ta=kept-item] button").unwrap();
    remove.unchecked_ref::<HtmlElement>().focus().unwrap();
    controller
        .attach("DEMO-1".into(), String::new())
        .await
        .unwrap();
    wait_for("focus on the drop zone", 5_000, || {
        query(&root, "[data-ta=kept-item]").is_none() && focus_at().0.as_deref() == Some("dropzone")
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_widget_puts_no_heading_into_the_pages_outline() {
    // Every part shown: a row, the kept list with its title and form.
    let (root, _handle, _) = kept_for_demo_1("outline.txt").await;
    let headings = query_all(&root, "h1, h2, h3, h4, h5, h6, [role=heading]");
    assert!(headings.is_empty(), "{} headings", headings.len());
}

#[wasm_bindgen_test]
async fn old_news_is_not_read_again_when_rows_leave() {
    let root = container();
    let (_handle, controller) = mount_with_controller(root.clone(), pdf_only_options());
    let files: Vec<web_sys::File> = (0..70)
        .map(|i| file(b"x", &format!("n{i}.txt"), "text/plain"))
        .collect();
    drop_files(&query(&root, "[data-ta=dropzone]").unwrap(), &files);
    let live = query(&root, "[data-ta=live]").unwrap();
    wait_for("the refusals told", 5_000, || {
        text(&live).contains("could not be uploaded")
    })
    .await;
    let told = live.first_child().unwrap();
    // Seventy rows leave: the signals they read are pruned, which runs
    // the live region's effect again, with nothing new to tell.
    controller.clear();
    wait_for("the rows gone", 5_000, || {
        query(&root, "[data-ta=row]").is_none()
    })
    .await;
    next_tick(0).await;
    next_tick(0).await;
    assert!(
        live.first_child().is_some_and(|now| now == told),
        "the news was set again: {}",
        text(&live)
    );
}

#[wasm_bindgen_test]
async fn every_refusal_of_a_drop_is_heard() {
    let (_handle, _, zone, live) = refusing_widget();
    drop_files(
        &zone,
        &[
            file(b"aaa", "a.txt", "text/plain"),
            file(b"bbb", "b.txt", "text/plain"),
            file(b"ccc", "c.txt", "text/plain"),
        ],
    );
    let told = "3 files added. \
                a.txt failed: Too large: 3\u{a0}B (at most 2\u{a0}B). \
                b.txt failed: Too large: 3\u{a0}B (at most 2\u{a0}B). \
                c.txt failed: Too large: 3\u{a0}B (at most 2\u{a0}B)";
    wait_for("the three refusals", 5_000, || text(&live) == told).await;
}

#[wasm_bindgen_test]
async fn uploads_finishing_within_a_moment_of_the_last_told_are_told_as_one_count() {
    let root = container();
    let link = ScriptedLink::new(Link::Held);
    let mut options = scripted_options(&link, None);
    options.concurrency = 5;
    let _handle = mount_widget(root.clone(), options);
    let live = query(&root, "[data-ta=live]").unwrap();
    let shown = TextsShown::watch(&live);
    let files: Vec<_> = (0..5)
        .map(|i| file(b"x", &format!("f{i}.txt"), "text/plain"))
        .collect();
    drop_files(&query(&root, "[data-ta=dropzone]").unwrap(), &files);
    wait_for("five uploads going", 5_000, || link.uploads.get() == 5).await;
    // The first answer: heard at once.
    link.answer(0);
    wait_for("the first told", 5_000, || uploads_told(&shown.said()) == 1).await;
    // The other four, each in a task of its own, a moment after it.
    for n in 1..5 {
        next_tick(0).await;
        link.answer(n);
    }
    wait_for("every upload told", 5_000, || {
        uploads_told(&shown.said()) == 5
    })
    .await;
    assert_eq!(rows_in(&root, "done"), 5);
    let said = shown.said();
    assert_eq!(said.len(), 3, "{said:?}");
    assert_eq!(said[0], "5 files added");
    assert_eq!(said[2], "4 files uploaded");
}

/// A page may submit or leave as soon as the widget is idle: news that
/// was waiting to be told with more is told by then, not a moment later.
#[wasm_bindgen_test]
async fn failures_waiting_to_be_told_together_are_told_when_the_widget_goes_idle() {
    let root = container();
    let link = ScriptedLink::new(Link::Down);
    let controller: Rc<Cell<Option<Controller>>> = Rc::default();
    // Whether news waited out a window when `busy-change` said idle.
    let at_idle: Rc<Cell<Option<bool>>> = Rc::default();
    let (mounted, heard) = (controller.clone(), at_idle.clone());
    let options = WidgetOptions {
        on_event: Some(EventHandler::new(move |event| {
            if let (WidgetEvent::BusyChange { busy: false, .. }, Some(c)) = (event, mounted.get()) {
                heard.set(Some(c.news_waits_out_a_window()));
            }
        })),
        ..scripted_options(&link, None)
    };
    let (_handle, mounted) = mount_with_controller(root.clone(), options);
    controller.set(Some(mounted));
    let live = query(&root, "[data-ta=live]").unwrap();
    let shown = TextsShown::watch(&live);
    let files: Vec<_> = (0..4)
        .map(|i| file(b"x", &format!("f{i}.txt"), "text/plain"))
        .collect();
    drop_files(&query(&root, "[data-ta=dropzone]").unwrap(), &files);
    wait_for("every failure told", 5_000, || {
        failures_told(&shown.said()) == 4
    })
    .await;
    // The failures after the first waited to be told together, and were
    // told when the widget went idle, not a moment after.
    assert!(shown.said().len() >= 2, "{:?}", shown.said());
    assert_eq!(at_idle.get(), Some(false));
}

/// How many files the texts tell of as uploaded: "a.txt uploaded" is one,
/// "4 files uploaded" four.
fn uploads_told(said: &[String]) -> usize {
    said.iter()
        .flat_map(|t| t.split(". "))
        .filter(|s| s.ends_with(" uploaded") && !s.ends_with("could not be uploaded"))
        .map(|s| counted(s).unwrap_or(1))
        .sum()
}

/// How many files the texts tell of as failed: "a.txt failed: …" is one,
/// "4 files could not be uploaded" four.
fn failures_told(said: &[String]) -> usize {
    said.iter()
        .map(|t| {
            let counted: usize = t
                .split(". ")
                .filter(|s| s.ends_with(" could not be uploaded"))
                .filter_map(counted)
                .sum();
            t.matches(" failed: ").count() + counted
        })
        .sum()
}

/// The count a sentence starts with ("4 files …", "1 file …").
fn counted(sentence: &str) -> Option<usize> {
    let (number, rest) = sentence.split_once(' ')?;
    rest.starts_with("file")
        .then(|| number.parse().ok())
        .flatten()
}

/// A widget refusing every file over 2 bytes: its mount handle, root,
/// drop zone and live region.
fn refusing_widget() -> (impl Sized, HtmlElement, Element, Element) {
    let root = container();
    let mut options = dev_options(server(), "dev-token");
    options.restrictions = Restrictions {
        max_file_size: Some(2),
        ..Restrictions::default()
    };
    let handle = mount_widget(root.clone(), options);
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    let live = query(&root, "[data-ta=live]").unwrap();
    (handle, root, zone, live)
}

#[wasm_bindgen_test]
async fn a_drop_listed_over_many_tasks_is_told_once() {
    let (_handle, root, zone, live) = refusing_widget();
    let shown = TextsShown::watch(&live);
    // More than one listing slice (250): refused over three tasks.
    let files: Vec<_> = (0..600)
        .map(|i| file(b"aaa", &format!("f{i}.txt"), "text/plain"))
        .collect();
    drop_files(&zone, &files);
    let told = "600 files added. 600 files could not be uploaded";
    wait_for("the drop told", 10_000, || text(&live) == told).await;
    wait_for("every row listed", 10_000, || {
        query_all(&root, "[data-ta=row]").len() == 600
    })
    .await;
    assert_eq!(shown.said(), [told]);
}

#[wasm_bindgen_test]
async fn news_repeating_the_last_word_for_word_is_heard_again() {
    let root = container();
    // A token the server refuses: every try fails the same way, and a
    // retry tells nothing before its failure.
    let _handle = mount_widget(root.clone(), dev_options(server(), "not-a-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    let live = query(&root, "[data-ta=live]").unwrap();
    drop_files(&zone, &[file(b"aaa", "a.txt", "text/plain")]);
    // (The failure may join the drop's news, ended in the same moment.)
    let failed = |live: &web_sys::Element| text(live).contains("a.txt failed:");
    wait_for("the failure", 10_000, || failed(&live)).await;
    let shown = text(&live);
    let told = &shown[shown.find("a.txt failed:").unwrap()..];
    let first = live.first_child().unwrap();

    click(&root, "[data-ta=retry]");
    // The same words, in a new node, so a screen reader hears them again.
    wait_for("the failure told again", 10_000, || {
        live.first_child().is_some_and(|now| now != first)
    })
    .await;
    assert_eq!(text(&live), told);
}

#[wasm_bindgen_test]
async fn removing_the_last_row_of_a_page_focuses_the_first_of_the_next() {
    let root = container();
    // Refused files: rows with a Remove button, and nothing to upload.
    let mut options = dev_options(server(), "dev-token");
    options.restrictions = Restrictions {
        max_file_size: Some(0),
        ..Restrictions::default()
    };
    let _handle = mount_widget(root.clone(), options);
    let files: Vec<web_sys::File> = (0..101)
        .map(|i| file(b"x", &format!("f{i}.txt"), "text/plain"))
        .collect();
    drop_files(&query(&root, "[data-ta=dropzone]").unwrap(), &files);
    wait_for("101 rows", 10_000, || {
        query_all(&root, "[data-ta=row] [data-ta=remove]").len() == 101
    })
    .await;
    // Row 100 ends the first page of 100; the next row is drawn again on
    // that page once it is gone, as a new node.
    let rows = query_all(&root, "[data-ta=row]");
    press(&query(&rows[99], "[data-ta=remove]").unwrap());
    wait_for("focus on the row after it, on its new page", 5_000, || {
        query_all(&root, "[data-ta=row]").len() == 100
            && focus_at() == (Some("remove".into()), Some("f100.txt".into()))
    })
    .await;
}

#[wasm_bindgen_test]
async fn attaching_every_kept_file_from_the_keyboard_focuses_the_drop_zone() {
    let (root, _handle, _) = kept_for_demo_1("attach.txt").await;
    press(&query(&root, "[data-ta=attach-button]").unwrap());
    wait_for(
        "the list to empty and focus to be on the drop zone",
        10_000,
        || {
            query(&root, "[data-ta=kept-item]").is_none()
                && focus_at().0.as_deref() == Some("dropzone")
        },
    )
    .await;
}

/// The Attach button keeps focus while it works and after a failure: a
/// `disabled` button had dropped it to the page for good.
#[wasm_bindgen_test]
async fn a_failed_attach_from_the_keyboard_leaves_focus_on_the_button() {
    let (root, _handle, _) = kept_for("NOPE-404", "stays.txt").await;
    let button = query(&root, "[data-ta=attach-button]").unwrap();
    press(&button);
    let status = query(&root, "[data-ta=attach-status]").unwrap();
    wait_for("the attach to fail", 10_000, || {
        text(&status).contains("NOPE-404")
    })
    .await;
    assert!(query(&root, "[data-ta=kept-item]").is_some());
    assert_eq!(attr(&button, "aria-disabled"), None);
    assert_eq!(focus_at().0.as_deref(), Some("attach-button"));
}

/// The state of a scripted network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    /// Every upload fails at once with a network error (the Wi-Fi dropped).
    Down,
    /// Every upload is taken (201, a temporary attachment).
    Up,
    /// Uploads go out and never end, until cancelled.
    Stuck,
    /// Uploads go out and are taken when the test answers them
    /// ([`ScriptedLink::answer`]).
    Held,
}

/// A network the test switches off and on, counting the uploads sent.
struct ScriptedLink {
    link: Cell<Link>,
    uploads: Cell<usize>,
    /// Of the uploads sent while [`Link::Held`], the functions that
    /// answer each, by its number.
    held: std::cell::RefCell<Vec<js_sys::Function>>,
}

impl ScriptedLink {
    fn new(link: Link) -> Rc<Self> {
        Rc::new(Self {
            link: Cell::new(link),
            uploads: Cell::new(0),
            held: Default::default(),
        })
    }

    /// Lets held upload `n` (the first is 0) be taken.
    fn answer(&self, n: usize) {
        let answer = self.held.borrow().get(n).cloned();
        answer
            .expect("a held upload")
            .call0(&JsValue::NULL)
            .unwrap();
    }
}

impl Transport for ScriptedLink {
    fn upload<'a>(
        &'a self,
        _: &'a UploadRequest,
        files: &'a [web_sys::Blob],
        _: Option<&'a web_sys::AbortSignal>,
        _: Rc<dyn Fn(u64, u64)>,
    ) -> TransportFuture<'a> {
        let n = self.uploads.get();
        self.uploads.set(n + 1);
        let size: u64 = files.iter().map(|f| f.size() as u64).sum();
        let link = self.link.get();
        // The name it was sent under, as a server answers.
        let name = files
            .first()
            .and_then(|f| f.dyn_ref::<web_sys::File>())
            .map_or_else(|| "f.txt".to_owned(), web_sys::File::name);
        let taken = RawResponse {
            status: 201,
            body: format!(r#"{{"id":"t{n}","name":"{name}","size":{size}}}"#),
            retry_after: None,
        };
        let held = (link == Link::Held).then(|| {
            let mut held = self.held.borrow_mut();
            js_sys::Promise::new(&mut |answer, _| held.push(answer))
        });
        Box::pin(async move {
            match link {
                Link::Down => Err(UploadError::Network("offline".into())),
                Link::Up => Ok(taken),
                Link::Stuck => std::future::pending().await,
                Link::Held => {
                    if let Some(held) = held {
                        let _ = wasm_bindgen_futures::JsFuture::from(held).await;
                    }
                    Ok(taken)
                }
            }
        })
    }

    fn json<'a>(
        &'a self,
        _: &'a JsonRequest,
        _: Option<&'a web_sys::AbortSignal>,
    ) -> TransportFuture<'a> {
        Box::pin(async { Err(UploadError::Network("offline".into())) })
    }
}

/// Options sending through `link`, failing a file at its first network
/// error (no automatic retries), with at most `max_files` files.
fn scripted_options(link: &Rc<ScriptedLink>, max_files: Option<usize>) -> WidgetOptions {
    let mut options = WidgetOptions {
        transport: link.clone(),
        retry: RetryPolicy {
            base_ms: 1,
            cap_ms: 1,
            max_attempts: 1,
            max_retry_after_ms: 0,
        },
        ..dev_options("http://scripted.invalid", "dev-token")
    };
    options.restrictions = Restrictions {
        max_files,
        ..Restrictions::default()
    };
    options
}

/// Waits for `condition` as `wait_for` does and gives back the longest
/// time between two of its checks (20 ms apart when the page is free).
async fn longest_stall_until(
    what: &str,
    timeout_ms: u32,
    mut condition: impl FnMut() -> bool,
) -> f64 {
    let start = js_sys::Date::now();
    let mut last = start;
    let mut longest: f64 = 0.0;
    while !condition() {
        let now = js_sys::Date::now();
        if now - start > f64::from(timeout_ms) {
            panic!("timed out after {timeout_ms} ms waiting for {what}");
        }
        next_tick(20).await;
        let after = js_sys::Date::now();
        longest = longest.max(after - last);
        last = after;
    }
    longest
}

fn rows_in(root: &Element, state: &str) -> usize {
    query_all(root, &format!("[data-ta=row][data-state={state}]")).len()
}

fn names_in(root: &Element, state: &str) -> Vec<String> {
    let mut names: Vec<String> = query_all(root, &format!("[data-ta=row][data-state={state}]"))
        .iter()
        .filter_map(|row| query(row, ".ta-name"))
        .map(|name| text(&name))
        .collect();
    names.sort();
    names
}

#[wasm_bindgen_test]
async fn bulk_retry_retries_each_failed_row_once_and_hands_focus_to_the_drop_zone() {
    let root = container();
    let link = ScriptedLink::new(Link::Down);
    let _handle = mount_widget(root.clone(), scripted_options(&link, None));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    assert!(query(&root, "[data-ta=retry-failed]").is_none());
    let names = ["a.txt", "b.txt", "c.txt", "d.txt"];
    let files: Vec<_> = names
        .iter()
        .map(|name| file(b"data", name, "text/plain"))
        .collect();
    drop_files(&zone, &files);
    let live = query(&root, "[data-ta=live]").unwrap();
    let failures = TextsShown::watch(&live);
    wait_for("four failed rows", 10_000, || rows_in(&root, "failed") == 4).await;
    // Heard before the press: failures that came together may wait a
    // moment to be told as one count.
    wait_for("the failures told", 5_000, || {
        failures_told(&failures.said()) == 4
    })
    .await;
    wait_for("the button counting them", 5_000, || {
        query(&root, "[data-ta=retry-failed]")
            .is_some_and(|b| text(&b) == "Retry all 4 failed uploads")
    })
    .await;
    let button = query(&root, "[data-ta=retry-failed]").unwrap();
    assert_eq!(button.tag_name(), "BUTTON");
    assert_eq!(attr(&button, "type").as_deref(), Some("button"));
    assert!(query(&root, "[data-ta=remove-refused]").is_none());
    assert_eq!(link.uploads.get(), 4);

    // The Wi-Fi is back.
    link.link.set(Link::Up);
    let shown = TextsShown::watch(&live);
    press(&button);
    wait_for(
        "every row done, the button gone and focus on the drop zone",
        10_000,
        || {
            rows_in(&root, "done") == 4
                && query(&root, "[data-ta=retry-failed]").is_none()
                && focus_at().0.as_deref() == Some("dropzone")
        },
    )
    .await;
    assert_eq!(names_in(&root, "done"), names);
    // Each file went once more: as many as its own Retry would send.
    assert_eq!(link.uploads.get(), 8);
    assert_ne!(focused(), document().body().map(Into::into));
    // A screen-reader user hears what the press did, before the uploads.
    wait_for("the uploads told", 5_000, || {
        shown.texts().iter().any(|t| t.contains("uploaded"))
    })
    .await;
    assert_eq!(
        shown.texts().first().map(String::as_str),
        Some("Retrying 4 files")
    );
}

/// A file waiting minutes for its next try offers "Retry now" beside
/// Cancel: the user who knows the server is back need not wait.
#[wasm_bindgen_test]
async fn a_file_waiting_to_retry_can_go_now() {
    let root = container();
    let link = ScriptedLink::new(Link::Down);
    let options = WidgetOptions {
        retry: RetryPolicy {
            base_ms: 600_000,
            cap_ms: 600_000,
            max_attempts: 3,
            max_retry_after_ms: 0,
        },
        ..scripted_options(&link, None)
    };
    let _handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"data", "later.txt", "text/plain")],
    );
    wait_for("the wait for the next try", 5_000, || {
        query(
            &root,
            "[data-ta=row][data-state=retrying] [data-ta=retry-now]",
        )
        .is_some()
    })
    .await;
    let now = query(&root, "[data-ta=retry-now]").unwrap();
    assert_eq!(
        attr(&now, "aria-label").as_deref(),
        Some("Retry later.txt now")
    );
    assert!(query(&root, "[data-ta=row] [data-ta=cancel]").is_some());
    assert_eq!(link.uploads.get(), 1);
    link.link.set(Link::Up);
    press(&now);
    wait_for("the upload", 5_000, || rows_in(&root, "done") == 1).await;
    assert_eq!(link.uploads.get(), 2);
    assert_ne!(focused(), document().body().map(Into::into));
}

/// "Cancel all" stops every running and waiting upload at once, as each
/// row's Cancel would, starts none of those waiting in their place, says
/// how many, and hands focus to the drop zone as it goes.
#[wasm_bindgen_test]
async fn cancel_all_stops_every_upload_and_starts_none_of_the_waiting() {
    let root = container();
    let link = ScriptedLink::new(Link::Stuck);
    let options = WidgetOptions {
        concurrency: 2,
        ..scripted_options(&link, None)
    };
    let _handle = mount_widget(root.clone(), options);
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(&zone, &[file(b"one", "one.txt", "text/plain")]);
    wait_for("one upload", 5_000, || rows_in(&root, "uploading") == 1).await;
    // One upload has its own Cancel only.
    assert!(query(&root, "[data-ta=cancel-all]").is_none());
    let more: Vec<_> = ["b.txt", "c.txt", "d.txt", "e.txt"]
        .iter()
        .map(|name| file(b"data", name, "text/plain"))
        .collect();
    drop_files(&zone, &more);
    wait_for("the button counting five", 5_000, || {
        query(&root, "[data-ta=cancel-all]").is_some_and(|b| text(&b) == "Cancel all 5 uploads")
    })
    .await;
    assert_eq!(link.uploads.get(), 2);
    let live = query(&root, "[data-ta=live]").unwrap();
    let shown = TextsShown::watch(&live);
    press(&query(&root, "[data-ta=cancel-all]").unwrap());
    wait_for(
        "every row cancelled, the button gone and focus on the drop zone",
        5_000,
        || {
            rows_in(&root, "cancelled") == 5
                && query(&root, "[data-ta=cancel-all]").is_none()
                && focus_at().0.as_deref() == Some("dropzone")
        },
    )
    .await;
    assert_eq!(link.uploads.get(), 2, "none of the waiting started");
    wait_for("the news", 5_000, || {
        shown.texts().iter().any(|t| t == "5 files cancelled")
    })
    .await;
}

/// "Cancel all" pressed while a big drop is still being listed (a slice
/// per task) cancels the drop: the files not listed yet never are.
#[wasm_bindgen_test]
async fn cancel_all_stops_a_drop_still_being_listed() {
    let root = container();
    let link = ScriptedLink::new(Link::Stuck);
    let (_handle, controller) = mount_with_controller(root.clone(), scripted_options(&link, None));
    let files: Vec<_> = (0..5_000)
        .map(|i| file(b"x", &format!("f{i}.txt"), "text/plain"))
        .collect();
    drop_files(&query(&root, "[data-ta=dropzone]").unwrap(), &files);
    wait_for("the button", 10_000, || {
        query(&root, "[data-ta=cancel-all]").is_some()
    })
    .await;
    let listed = query_all(&root, "[data-ta=row]").len();
    assert!(listed < 5_000, "listed at once: {listed}");
    controller.cancel_all();
    wait_for("idle", 10_000, || !controller.is_busy()).await;
    next_tick(50).await;
    let rows = query_all(&root, "[data-ta=row]").len();
    assert!(rows < 5_000, "{rows} rows: the rest of the drop was listed");
    assert_eq!(rows_in(&root, "cancelled"), rows);
}

#[wasm_bindgen_test]
async fn bulk_retry_tells_the_files_put_back_in_line_not_those_refused_again() {
    let root = container();
    let link = ScriptedLink::new(Link::Down);
    let _handle = mount_widget(root.clone(), scripted_options(&link, Some(2)));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(
        &zone,
        &[
            file(b"a", "a.txt", "text/plain"),
            file(b"b", "b.txt", "text/plain"),
        ],
    );
    wait_for("two failed rows", 10_000, || rows_in(&root, "failed") == 2).await;
    // A file uploaded since takes one of the two places.
    link.link.set(Link::Up);
    drop_files(&zone, &[file(b"c", "c.txt", "text/plain")]);
    let live = query(&root, "[data-ta=live]").unwrap();
    // Told before the press (it may wait a moment after the failures, or
    // join the drop's news when it ended in the same task).
    wait_for("it uploaded and was told", 10_000, || {
        rows_in(&root, "done") == 1 && text(&live).ends_with("c.txt uploaded")
    })
    .await;
    let shown = TextsShown::watch(&live);
    click(&root, "[data-ta=retry-failed]");
    wait_for("one more done and one refused", 10_000, || {
        rows_in(&root, "done") == 2 && rows_in(&root, "refused") == 1
    })
    .await;
    wait_for("the retry told", 5_000, || !shown.texts().is_empty()).await;
    let first = shown.texts()[0].clone();
    assert!(
        first.starts_with("Retrying 1 file. b.txt failed:"),
        "{first}"
    );
}

#[wasm_bindgen_test]
async fn bulk_remove_takes_exactly_the_refused_rows() {
    let root = container();
    let link = ScriptedLink::new(Link::Down);
    let (_handle, controller) =
        mount_with_controller(root.clone(), scripted_options(&link, Some(3)));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    // Two failed rows and a cancelled one: none of them counts against
    // `max-files`, and none is refused.
    drop_files(
        &zone,
        &[
            file(b"a", "failed-a.txt", "text/plain"),
            file(b"b", "failed-b.txt", "text/plain"),
        ],
    );
    wait_for("two failed rows", 10_000, || rows_in(&root, "failed") == 2).await;
    link.link.set(Link::Stuck);
    drop_files(&zone, &[file(b"c", "cancelled.txt", "text/plain")]);
    wait_for("its Cancel button", 5_000, || {
        query(&root, "[data-ta=cancel]").is_some()
    })
    .await;
    click(&root, "[data-ta=cancel]");
    wait_for("the cancelled row", 5_000, || {
        rows_in(&root, "cancelled") == 1
    })
    .await;

    // A drop of 2,003 onto `max-files` 3: three upload, 2,000 are refused.
    link.link.set(Link::Up);
    let files: Vec<_> = (0..2003)
        .map(|i| file(b"g", &format!("g{i}.txt"), "text/plain"))
        .collect();
    drop_files(&zone, &files);
    wait_for("2,000 refused rows and three done", 60_000, || {
        rows_in(&root, "refused") == 2000 && rows_in(&root, "done") == 3
    })
    .await;
    wait_for("the button counting them", 5_000, || {
        query(&root, "[data-ta=remove-refused]")
            .is_some_and(|b| text(&b) == "Remove all 2000 refused files")
    })
    .await;
    let button = query(&root, "[data-ta=remove-refused]").unwrap();
    assert_eq!(attr(&button, "type").as_deref(), Some("button"));

    let live = query(&root, "[data-ta=live]").unwrap();
    let start = js_sys::Date::now();
    press(&button);
    let in_click = js_sys::Date::now() - start;
    let stall_shown = longest_stall_until("the refused rows to leave the view", 60_000, || {
        rows_in(&root, "refused") == 0
    })
    .await;
    let shown = js_sys::Date::now() - start;
    let stall_gone = longest_stall_until("the controller to forget them", 60_000, || {
        controller.queue.with_untracked(|q| {
            !q.entries()
                .iter()
                .any(|e| matches!(e.state, EntryState::Refused { .. }))
        })
    })
    .await;
    let gone = js_sys::Date::now() - start;
    // Measured, not asserted: a loaded machine is slower.
    console_log!(
        "removing 2,000 refused rows of 2,006: {in_click} ms in the click, \
         {shown} ms until they left the view, {gone} ms until the last was \
         forgotten; the page's longest stall {} ms",
        stall_shown.max(stall_gone)
    );

    assert_eq!(controller.queue.with_untracked(|q| q.entries().len()), 6);
    assert_eq!(query_all(&root, "[data-ta=row]").len(), 6);
    wait_for("the removal told", 5_000, || {
        text(&live) == "2000 files removed from the list"
    })
    .await;
    assert_eq!(names_in(&root, "failed"), ["failed-a.txt", "failed-b.txt"]);
    assert_eq!(names_in(&root, "cancelled"), ["cancelled.txt"]);
    assert_eq!(names_in(&root, "done"), ["g0.txt", "g1.txt", "g2.txt"]);
    // The button went when pressed; focus went to the one left beside it.
    wait_for("focus on the other bulk button", 5_000, || {
        query(&root, "[data-ta=remove-refused]").is_none()
            && focus_at().0.as_deref() == Some("retry-failed")
    })
    .await;
    assert_eq!(
        text(&query(&root, "[data-ta=retry-failed]").unwrap()),
        "Retry all 2 failed uploads"
    );
}

#[wasm_bindgen_test]
async fn bulk_buttons_count_in_russian() {
    let root = container();
    let link = ScriptedLink::new(Link::Down);
    let mut options = scripted_options(&link, None);
    options.locale = Some(Locale::Ru.into());
    options.restrictions.max_file_size = Some(2);
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    let label = |what: &str| query(&root, &format!("[data-ta={what}]")).map(|b| text(&b));
    drop_files(
        &zone,
        &[
            file(b"ok", "ok.txt", "text/plain"),
            file(b"big", "big1.txt", "text/plain"),
            file(b"big", "big2.txt", "text/plain"),
        ],
    );
    wait_for(
        "one failed and two refused, counted in Russian",
        10_000,
        || {
            label("retry-failed").as_deref() == Some("Повторить 1 неудачную загрузку")
                && label("remove-refused").as_deref() == Some("Убрать 2 отклонённых файла")
        },
    )
    .await;
    // The count follows the list, and the noun the count.
    drop_files(
        &zone,
        &[
            file(b"big", "big3.txt", "text/plain"),
            file(b"big", "big4.txt", "text/plain"),
            file(b"big", "big5.txt", "text/plain"),
        ],
    );
    wait_for("five refused", 10_000, || {
        label("remove-refused").as_deref() == Some("Убрать 5 отклонённых файлов")
    })
    .await;
    // The words are the button's accessible name: no label says otherwise.
    let button = query(&root, "[data-ta=remove-refused]").unwrap();
    assert_eq!(attr(&button, "aria-label"), None);
    controller.set_locale(Locale::En);
    wait_for("the same counts in English", 5_000, || {
        label("retry-failed").as_deref() == Some("Retry 1 failed upload")
            && label("remove-refused").as_deref() == Some("Remove all 5 refused files")
    })
    .await;
}
