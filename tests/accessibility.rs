//! Keyboard and screen-reader use in headless Chromium. Focus: when the
//! button focus is on goes away (its row's buttons change, or its row or
//! kept item is removed), focus moves to the buttons that take its place,
//! never to `<body>`. The live region: every news of a moment is heard, and
//! news repeating the last is heard again.
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use tracker_attachments::core::Restrictions;
use wasm_bindgen::JsCast;
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
    let root = container();
    let _handle = mount_widget(root.clone(), dev_options(server(), "dev-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(
        &zone,
        &[
            file(b"1", "one.txt", "text/plain"),
            file(b"2", "two.txt", "text/plain"),
            file(b"3", "three.txt", "text/plain"),
        ],
    );
    wait_for("three uploaded rows", 10_000, || {
        query_all(&root, "[data-ta=row][data-state=done] [data-ta=remove]").len() == 3
    })
    .await;
    let remove_of = |name: &str| {
        query_all(&root, "[data-ta=row]")
            .into_iter()
            .find(|row| text(&query(row, ".ta-name").unwrap()) == name)
            .and_then(|row| query(&row, "[data-ta=remove]"))
            .unwrap()
    };

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
                a.txt failed: Too large: 3 B (at most 2 B). \
                b.txt failed: Too large: 3 B (at most 2 B). \
                c.txt failed: Too large: 3 B (at most 2 B)";
    wait_for("the three refusals", 5_000, || text(&live) == told).await;
}

/// Every text `el` shows from now on, as a `MutationObserver` sees it
/// (once per task that changed it).
struct TextsShown {
    texts: Rc<RefCell<Vec<String>>>,
    _watch: Mutations,
}

impl TextsShown {
    fn watch(el: &Element) -> Self {
        let texts = Rc::new(RefCell::new(Vec::new()));
        let (seen, watched) = (texts.clone(), el.clone());
        let watch = Mutations::watch(el, move |_| seen.borrow_mut().push(text(&watched)));
        Self {
            texts,
            _watch: watch,
        }
    }

    fn texts(&self) -> Vec<String> {
        self.texts.borrow().clone()
    }
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
    // (The region's first, empty text is set at mount.)
    let texts: Vec<_> = shown
        .texts()
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(texts, [told]);
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
    let failed = |live: &web_sys::Element| text(live).starts_with("a.txt failed:");
    wait_for("the failure", 10_000, || failed(&live)).await;
    let told = text(&live);
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
    let root = container();
    let mut options = dev_options(server(), "dev-token");
    options.issue = "DEMO-1".into();
    let _handle = mount_widget(root.clone(), options);
    drop_files(
        &query(&root, "[data-ta=dropzone]").unwrap(),
        &[file(b"attach me", "attach.txt", "text/plain")],
    );
    wait_for("the kept item", 10_000, || {
        query(&root, "[data-ta=kept-item]").is_some()
    })
    .await;
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
