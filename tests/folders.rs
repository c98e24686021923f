//! Dropped folders, text drags and the page-wide drop target in headless
//! Chromium. A synthetic `DataTransfer` cannot carry folders, so folder
//! entries are built here in JavaScript with the shape the browser's have
//! (`isFile`, `isDirectory`, `name`, `createReader().readEntries`, `file`).
#![cfg(target_arch = "wasm32")]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::{GetUntracked, WithUntracked};
use support::*;
use tracker_attachments::core::Restrictions;
use tracker_attachments::ui::Controller;
use tracker_attachments::web::{take_drop, walk_folders, Walked};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::DataTransfer;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const later = (f) => setTimeout(f, 0);
export function file_entry(name) {
  const file = new File([name], name, { type: 'text/plain' });
  return { isFile: true, isDirectory: false, name, file(ok) { later(() => ok(file)); } };
}
export function broken_entry(name) {
  return { isFile: true, isDirectory: false, name,
    file(ok, err) { later(() => err(new DOMException('gone', 'NotFoundError'))); } };
}
export function throwing_entry(name) {
  return { isFile: true, isDirectory: false, name, file() { throw new Error('no'); } };
}
// Answers 100 entries per readEntries call, as Chromium does, and counts calls.
export function dir_entry(name, children) {
  const dir = { isFile: false, isDirectory: true, name, reads: 0,
    createReader() {
      let at = 0;
      return { readEntries(ok) {
        dir.reads += 1;
        const batch = children.slice(at, at + 100);
        at += batch.length;
        later(() => ok(batch));
      } };
    } };
  return dir;
}
export function unreadable_dir(name) {
  return { isFile: false, isDirectory: true, name,
    createReader() { return { readEntries(ok, err) { later(() => err(new Error('denied'))); } }; } };
}
// A forged folder whose listing answers a Proxy: revoked (the promise
// that carries it rejects), or with a `get` trap that throws on reading
// the entries.
export function hostile_dir(name, revoked) {
  return { isFile: false, isDirectory: true, name,
    createReader() { return { readEntries(ok) {
      let batch;
      if (revoked) {
        const r = Proxy.revocable([], {});
        r.revoke();
        batch = r.proxy;
      } else {
        // Past the promise's look for `then`, every read throws.
        batch = new Proxy([1], { get(t, k) { if (k === 'then') return undefined; throw new Error('a trap'); } });
      }
      later(() => ok(batch));
    } }; } };
}
export function reads(dir) { return dir.reads; }
// `count` files; every listing after the first waits for `open_gate`, and
// `files_read` counts the files handed over.
export function gated_dir(name, count) {
  let open;
  const gate = new Promise((ok) => { open = ok; });
  const dir = { isFile: false, isDirectory: true, name, reads: 0, filesRead: 0, open,
    createReader() {
      let at = 0;
      return { readEntries(ok) {
        dir.reads += 1;
        const batch = children.slice(at, at + 100);
        at += batch.length;
        (dir.reads > 1 ? gate : Promise.resolve()).then(() => later(() => ok(batch)));
      } };
    } };
  const children = Array.from({ length: count }, (_, i) => {
    const file = new File(['x'], `f${i}.txt`, { type: 'text/plain' });
    return { isFile: true, isDirectory: false, name: file.name,
      file(ok) { later(() => { dir.filesRead += 1; ok(file); }); } };
  });
  return dir;
}
export function open_gate(dir) { dir.open(); }
export function files_read(dir) { return dir.filesRead; }
// A drop's DataTransfer as far as the widget reads it.
export function transfer(items) { return { items, files: null }; }
export function folder_item(entry) {
  return { kind: 'file', webkitGetAsEntry() { return entry; }, getAsFile() { return null; } };
}
export function plain_item(name) {
  const file = new File(['plain'], name);
  return { kind: 'file', getAsFile() { return file; } };
}
export function string_item() {
  return { kind: 'string', webkitGetAsEntry() { return null; }, getAsFile() { return null; } };
}
"#)]
extern "C" {
    fn file_entry(name: &str) -> JsValue;
    fn broken_entry(name: &str) -> JsValue;
    fn throwing_entry(name: &str) -> JsValue;
    fn dir_entry(name: &str, children: js_sys::Array) -> JsValue;
    fn unreadable_dir(name: &str) -> JsValue;
    fn hostile_dir(name: &str, revoked: bool) -> JsValue;
    fn reads(dir: &JsValue) -> u32;
    fn gated_dir(name: &str, count: u32) -> JsValue;
    fn open_gate(dir: &JsValue);
    fn files_read(dir: &JsValue) -> u32;
    fn transfer(items: js_sys::Array) -> JsValue;
    fn folder_item(entry: &JsValue) -> JsValue;
    fn plain_item(name: &str) -> JsValue;
    fn string_item() -> JsValue;
}

fn array(items: impl IntoIterator<Item = JsValue>) -> js_sys::Array {
    items.into_iter().collect()
}

#[wasm_bindgen_test]
async fn walks_nested_folders_in_batches_keeping_paths() {
    // photos/ holds 250 files and sub/, which holds a.txt, an empty folder,
    // deeper/ (b.txt and one file the browser will not read) and one whose
    // listing fails.
    let deeper = dir_entry(
        "deeper",
        array([
            file_entry("b.txt"),
            broken_entry("gone.txt"),
            throwing_entry("x.txt"),
        ]),
    );
    let sub = dir_entry(
        "sub",
        array([
            file_entry("a.txt"),
            dir_entry("empty", array([])),
            deeper,
            unreadable_dir("locked"),
        ]),
    );
    let photos = dir_entry(
        "photos",
        array(
            (0..250)
                .map(|i| file_entry(&format!("img{i}.txt")))
                .chain([sub]),
        ),
    );

    let batches = Rc::new(RefCell::new(Vec::<Vec<(String, Option<String>)>>::new()));
    let seen = batches.clone();
    let walked = walk_folders(vec![photos.clone()], move |batch| {
        seen.borrow_mut().push(
            batch
                .iter()
                .map(|p| (p.file.name(), p.relative_path.clone()))
                .collect(),
        );
        true
    })
    .await;

    assert_eq!(
        walked,
        Walked {
            added: 252,
            unreadable: 3
        }
    );
    // 251 entries at 100 a call, then the empty answer that ends the listing.
    assert_eq!(reads(&photos), 4);
    let batches = batches.borrow();
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(sizes, [100, 100, 50, 1, 1]);
    let all: Vec<(String, Option<String>)> = batches.iter().flatten().cloned().collect();
    assert_eq!(all[0], ("img0.txt".into(), Some("photos/img0.txt".into())));
    assert_eq!(all[249].1.as_deref(), Some("photos/img249.txt"));
    assert_eq!(all[250], ("a.txt".into(), Some("photos/sub/a.txt".into())));
    assert_eq!(
        all[251],
        ("b.txt".into(), Some("photos/sub/deeper/b.txt".into()))
    );
}

/// A forged drop whose listings answer Proxies that throw: each such
/// folder counts as unreadable, the real one beside them is read, and
/// nothing throws through the wasm.
#[wasm_bindgen_test]
async fn folders_whose_listings_throw_are_unreadable_not_fatal() {
    let walked = walk_folders(
        vec![
            hostile_dir("revoked", true),
            hostile_dir("trapped", false),
            dir_entry("fine", array([file_entry("fine.txt")])),
        ],
        |_| true,
    )
    .await;
    assert_eq!(
        walked,
        Walked {
            added: 1,
            unreadable: 2
        }
    );
}

#[wasm_bindgen_test]
async fn a_dropped_folder_lists_its_files_with_their_folders() {
    let root = container();
    // Every file is refused (too large), so no upload's news replaces the
    // folder's in the live region.
    let mut options = dev_options(server(), "dev-token");
    options.restrictions = Restrictions {
        max_file_size: Some(1),
        ..Restrictions::default()
    };
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    let docs = dir_entry(
        "docs",
        array([
            file_entry("top.txt"),
            broken_entry("gone.txt"),
            dir_entry("sub", array([file_entry("inner.txt")])),
        ]),
    );
    // A folder, a plain file from a browser without webkitGetAsEntry, and a
    // string item that must be ignored.
    let dropped = take_drop(&transfer(array([
        folder_item(&docs),
        plain_item("loose.txt"),
        string_item(),
    ])));
    assert_eq!((dropped.files.len(), dropped.folders.len()), (1, 1));
    let live = query(&root, "[data-ta=live]").unwrap();
    let shown = TextsShown::watch(&live);
    controller.add_drop(dropped);

    wait_for("three rows", 5_000, || {
        query_all(&root, "[data-ta=row]").len() == 3
    })
    .await;
    // The loose file, the folder's files and their refusals: one moment,
    // the count of files added first.
    let unreadable = "1 file in the dropped folder could not be read";
    wait_for("the news of the drop", 5_000, || {
        text(&live).ends_with(unreadable)
    })
    .await;
    let said = shown.said();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("3 files added. "), "{said:?}");
    for name in ["loose.txt", "top.txt", "inner.txt"] {
        assert!(said[0].contains(&format!("{name} ")), "{said:?}");
    }
    let rows = query_all(&root, "[data-ta=row]");
    let names: Vec<String> = rows
        .iter()
        .map(|r| text(&query(r, "[data-ta=name]").unwrap()))
        .collect();
    assert_eq!(names, ["loose.txt", "top.txt", "inner.txt"]);
    assert!(query(&rows[0], "[data-ta=path]").is_none());
    assert_eq!(text(&query(&rows[1], "[data-ta=path]").unwrap()), "in docs");
    assert_eq!(
        text(&query(&rows[2], "[data-ta=path]").unwrap()),
        "in docs/sub"
    );
    assert_eq!(
        attr(&query(&rows[2], "[data-ta=name]").unwrap(), "title").as_deref(),
        Some("docs/sub/inner.txt")
    );
    assert_eq!(
        query_all(&root, "[data-ta=row][data-state=refused]").len(),
        3
    );
}

#[wasm_bindgen_test]
async fn the_hosts_check_sees_each_files_path_in_its_folder() {
    use tracker_attachments::BeforeAdd;
    let root = container();
    let asked = Rc::new(RefCell::new(Vec::<(String, Option<String>)>::new()));
    let log = asked.clone();
    let mut options = dev_options(server(), "dev-token");
    // No uploads: what is taken is refused as too large.
    options.restrictions = Restrictions {
        max_file_size: Some(0),
        ..Restrictions::default()
    };
    options.before_add = Some(BeforeAdd::with_file(move |meta, file| {
        log.borrow_mut()
            .push((file.name(), meta.relative_path.clone()));
        match meta.relative_path.as_deref() {
            Some(path) if path.starts_with("docs/sub/") => Err(Some("Not from sub".into())),
            _ => Ok(()),
        }
    }));
    let (_handle, controller) = mount_with_controller(root.clone(), options);
    let docs = dir_entry(
        "docs",
        array([
            file_entry("top.txt"),
            dir_entry("sub", array([file_entry("inner.txt")])),
        ]),
    );
    controller.add_drop(take_drop(&transfer(array([folder_item(&docs)]))));
    wait_for("two rows", 5_000, || {
        query_all(&root, "[data-ta=row]").len() == 2
    })
    .await;
    assert_eq!(
        *asked.borrow(),
        [
            ("top.txt".to_owned(), Some("docs/top.txt".to_owned())),
            (
                "inner.txt".to_owned(),
                Some("docs/sub/inner.txt".to_owned())
            ),
        ]
    );
    let rows = query_all(&root, "[data-ta=row]");
    assert_eq!(
        text(&query(&rows[1], "[data-ta=status]").unwrap()),
        "Not from sub"
    );
    assert!(text(&query(&rows[0], "[data-ta=status]").unwrap()).starts_with("Too large"));
}

/// A widget that refuses every file (too large: rows, and no uploads),
/// and a drop of a folder of 250 whose reading waits at the first hundred
/// for `open_gate`.
async fn gated_drop_read_to_its_first_hundred(
) -> (web_sys::HtmlElement, impl Sized, Controller, JsValue) {
    let root = container();
    let mut options = dev_options(server(), "dev-token");
    options.restrictions = Restrictions {
        max_file_size: Some(0),
        ..Restrictions::default()
    };
    let (handle, controller) = mount_with_controller(root.clone(), options);
    let photos = gated_dir("photos", 250);
    controller.add_drop(take_drop(&transfer(array([folder_item(&photos)]))));
    wait_for("the first hundred rows", 5_000, || {
        query_all(&root, "[data-ta=row]").len() == 100
    })
    .await;
    (root, handle, controller, photos)
}

#[wasm_bindgen_test]
async fn clear_stops_a_folder_still_being_read() {
    let (root, _handle, controller, photos) = gated_drop_read_to_its_first_hundred().await;

    controller.clear();
    open_gate(&photos);
    // The second hundred reach the widget in the task that hands over the
    // last of them; this check runs in a later task.
    wait_for("the second listing to be read", 5_000, || {
        files_read(&photos) == 200
    })
    .await;
    let listed = controller.queue.with_untracked(|q| q.entries().len());
    assert_eq!(listed, 0, "files of the cleared drop were listed");
    assert_eq!(reads(&photos), 2);
    assert!(query_all(&root, "[data-ta=row]").is_empty());
    let live = text(&query(&root, "[data-ta=live]").unwrap());
    assert!(!live.contains("added"), "{live}");
}

#[wasm_bindgen_test]
async fn text_and_link_drags_add_nothing_and_say_nothing() {
    let root = container();
    // The slow server: the file's upload must not be done (and announced)
    // before its "added" is read below.
    let _handle = mount_widget(root.clone(), dev_options(slow_server(), "dev-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();

    let words = DataTransfer::new().unwrap();
    words.set_data("text/plain", "just some text").unwrap();
    // Dragged over, text is not taken: the default stays.
    assert!(dispatch_drag(&zone, "dragover", &words));
    dispatch_drop(&zone, &words);
    let link = DataTransfer::new().unwrap();
    link.set_data("text/uri-list", "https://example.com/")
        .unwrap();
    link.set_data("text/plain", "https://example.com/").unwrap();
    dispatch_drop(&zone, &link);
    assert_eq!(text(&query(&root, "[data-ta=live]").unwrap()), "");

    // Then a real file, so we know the drops were handled and rendered.
    let after = transfer_of(&[file(b"x", "after.txt", "text/plain")]);
    assert!(
        !dispatch_drag(&zone, "dragover", &after),
        "a file drag is taken"
    );
    dispatch_drop(&zone, &after);
    wait_for("the file row", 2_000, || {
        query(&root, "[data-ta=row]").is_some()
    })
    .await;
    assert_eq!(query_all(&root, "[data-ta=row]").len(), 1);
    let live = query(&root, "[data-ta=live]").unwrap();
    wait_for("the file's arrival told alone", 2_000, || {
        text(&live) == "1 file added"
    })
    .await;
}

#[wasm_bindgen_test]
async fn page_wide_drop_target_takes_files_and_goes_with_the_widget() {
    let root = container();
    let mut options = dev_options(server(), "dev-token");
    options.page_drop = true;
    let (handle, controller) = mount_with_controller(root.clone(), options);
    let body: web_sys::Element = document().body().unwrap().into();
    let overlay = query(&root, "[data-ta=page-drop]").expect("the overlay");
    assert!(overlay.has_attribute("hidden"));

    // A text drag over the page is left alone.
    let words = DataTransfer::new().unwrap();
    words.set_data("text/plain", "words").unwrap();
    assert!(dispatch_drag(&body, "dragenter", &words));
    assert!(dispatch_drag(&body, "dragover", &words));
    assert!(dispatch_drop_on(&body, &words));
    assert!(controller.order.get_untracked().is_empty());

    // Files over the page: the overlay shows; dropped, they are queued.
    let files = transfer_of(&[file(b"page", "page.txt", "text/plain")]);
    dispatch_drag(&body, "dragenter", &files);
    assert!(
        !dispatch_drag(&body, "dragover", &files),
        "dragover must be cancelled"
    );
    wait_for("the overlay", 2_000, || !overlay.has_attribute("hidden")).await;
    assert_eq!(text(&overlay), "Drop files to upload");
    assert!(
        !dispatch_drop_on(&body, &files),
        "the drop must be cancelled"
    );
    assert_eq!(controller.order.get_untracked().len(), 1);
    wait_for("the row and the overlay gone", 2_000, || {
        query(&root, "[data-ta=row]").is_some() && overlay.has_attribute("hidden")
    })
    .await;

    // A drop on the zone itself is taken once, not again by the page.
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(&zone, &[file(b"zone", "zone.txt", "text/plain")]);
    assert_eq!(controller.order.get_untracked().len(), 2);

    // Unmounted, the page is the browser's again.
    drop(handle);
    let later = transfer_of(&[file(b"late", "late.txt", "text/plain")]);
    assert!(dispatch_drag(&body, "dragover", &later));
    assert!(dispatch_drop_on(&body, &later));
}

fn dispatch_drop_on(target: &web_sys::Element, transfer: &DataTransfer) -> bool {
    dispatch_drag(target, "drop", transfer)
}

#[wasm_bindgen_test]
async fn files_dropped_anywhere_on_the_widget_are_taken() {
    // Dropped on the list rather than the zone, a file used to be opened
    // by the browser, and the page left with its uploads.
    let root = container();
    let _handle = mount_widget(root.clone(), dev_options(server(), "dev-token"));
    let zone = query(&root, "[data-ta=dropzone]").unwrap();
    drop_files(&zone, &[file(b"first", "first.txt", "text/plain")]);
    wait_for("the first row", 2_000, || {
        query(&root, "[data-ta=row]").is_some()
    })
    .await;
    let row = query(&root, "[data-ta=row]").unwrap();
    let second = transfer_of(&[file(b"second", "second.txt", "text/plain")]);
    assert!(
        !dispatch_drag(&row, "dragover", &second),
        "a file dragged over the list is taken"
    );
    let lit = || zone.class_list().contains("ta-dragging");
    wait_for("the zone to light up", 2_000, lit).await;
    assert!(
        !dispatch_drag(&row, "drop", &second),
        "the browser must not open the file"
    );
    wait_for("the second row", 2_000, || {
        query_all(&root, "[data-ta=row]").len() == 2
    })
    .await;
    wait_for("the zone to go dark", 2_000, || !lit()).await;
    // Text is still left alone outside the zone too.
    let words = DataTransfer::new().unwrap();
    words.set_data("text/plain", "just some text").unwrap();
    assert!(dispatch_drag(&row, "dragover", &words));
}

#[wasm_bindgen_test]
async fn a_folder_still_being_read_keeps_the_widget_busy() {
    // Every file refused: nothing uploads, yet more may come from the
    // folder, and a form must not be submitted before they do.
    let (root, _handle, controller, photos) = gated_drop_read_to_its_first_hundred().await;
    assert!(controller.is_busy(), "the folder is still being read");
    open_gate(&photos);
    wait_for("every row", 5_000, || {
        query_all(&root, "[data-ta=row]").len() == 250
    })
    .await;
    wait_for("the end of the reading", 5_000, || !controller.is_busy()).await;
}
