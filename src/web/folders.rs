//! Dropped folders: the entries of a drop are taken while the event lasts,
//! then folders are walked asynchronously, batch by batch.
//!
//! Entries are read duck-typed through `Reflect` (`isFile`, `isDirectory`,
//! `name`, `createReader().readEntries(ok, err)`, `file(ok, err)`), so a
//! browser without `webkitGetAsEntry` falls back to plain files and tests can
//! hand in entries of their own.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

use super::{as_file, sleep};

/// A file and, when it came from a dropped folder, its path there
/// (`folder/sub/a.txt`).
#[derive(Clone, Debug)]
pub struct PickedFile {
    pub file: File,
    pub relative_path: Option<String>,
}

impl From<File> for PickedFile {
    fn from(file: File) -> Self {
        Self {
            file,
            relative_path: None,
        }
    }
}

/// What a drop carried: plain files at once, folders to walk.
#[derive(Debug, Default)]
pub struct Dropped {
    pub files: Vec<File>,
    /// Directory entries (`FileSystemDirectoryEntry` or alike).
    pub folders: Vec<JsValue>,
}

impl Dropped {
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.folders.is_empty()
    }
}

/// How a folder walk went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Walked {
    pub added: usize,
    /// Files (or whole folders) the browser would not read.
    pub unreadable: usize,
}

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn flag(target: &JsValue, key: &str) -> bool {
    get(target, key).is_some_and(|v| v.is_truthy())
}

fn text(target: &JsValue, key: &str) -> Option<String> {
    get(target, key).and_then(|v| v.as_string())
}

fn call0(target: &JsValue, key: &str) -> Option<JsValue> {
    let method = get(target, key)?.dyn_into::<Function>().ok()?;
    method
        .call0(target)
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// Calls `target[key](ok, err)` now and returns the outcome to await; a
/// missing method or a throw becomes an error, never a panic.
fn call_back(target: &JsValue, key: &str) -> JsFuture {
    let method = get(target, key).and_then(|m| m.dyn_into::<Function>().ok());
    let promise = Promise::new(&mut |resolve, reject| {
        let outcome = match &method {
            Some(method) => method.call2(target, &resolve, &reject).map(|_| ()),
            None => Err(JsValue::from_str("not a file system entry")),
        };
        if let Err(error) = outcome {
            let _ = reject.call1(&JsValue::UNDEFINED, &error);
        }
    });
    JsFuture::from(promise)
}

#[wasm_bindgen(module = "/src/web/take_drop.js")]
extern "C" {
    #[wasm_bindgen(js_name = takeDrop, catch)]
    fn take_drop_js(transfer: &JsValue) -> Result<Array, JsValue>;
}

/// Takes what a drop (or any `DataTransfer`) carries, during the event: the
/// item list dies after it. Items of kind `file` that are folders become
/// entries to walk; other files are taken as they are; strings (text and
/// link drags) are ignored. Without `items` or `webkitGetAsEntry` this is
/// `DataTransfer.files`. The reading is one JavaScript call
/// (`take_drop.js`): a 10,000-file drop stays a short task.
pub fn take_drop(transfer: &JsValue) -> Dropped {
    let Ok(taken) = take_drop_js(transfer) else {
        return Dropped::default();
    };
    let listed = |index: u32| -> Vec<JsValue> {
        taken
            .get(index)
            .dyn_into::<Array>()
            .map(|list| list.to_vec())
            .unwrap_or_default()
    };
    Dropped {
        // `takeDrop` hands over `File`s only (of any window).
        files: listed(0).into_iter().map(JsCast::unchecked_into).collect(),
        folders: listed(1),
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

/// Walks `folders` depth first, in listing order, handing each batch of
/// files read (one `readEntries` answer, at most 100 in Chromium) to
/// `on_batch`, and yielding to the page between batches. `on_batch`
/// returns `false` to stop (the widget is gone). Paths start with the
/// dropped folder's name.
pub async fn walk_folders(
    folders: Vec<JsValue>,
    mut on_batch: impl FnMut(Vec<PickedFile>) -> bool,
) -> Walked {
    let mut walked = Walked::default();
    let mut stack: Vec<(JsValue, String)> = folders
        .into_iter()
        .rev()
        .map(|dir| {
            let name = text(&dir, "name").unwrap_or_default();
            (dir, name)
        })
        .collect();
    while let Some((dir, path)) = stack.pop() {
        let Some(reader) = call0(&dir, "createReader") else {
            walked.unreadable += 1;
            continue;
        };
        let mut subfolders = Vec::new();
        // Chromium answers at most 100 entries per call: read until empty.
        loop {
            let Ok(batch) = call_back(&reader, "readEntries").await else {
                walked.unreadable += 1;
                break;
            };
            // Read with every exception caught: a page may forge a drop
            // whose entries are Proxies that throw.
            let batch = match super::is_array(&batch) {
                Some(true) => super::items_of(&batch),
                _ => None,
            };
            let Some(batch) = batch else {
                walked.unreadable += 1;
                break;
            };
            if batch.is_empty() {
                break;
            }
            // Every `file()` of the batch is asked at once, then collected.
            let mut pending = Vec::new();
            for entry in batch {
                let name = text(&entry, "name").unwrap_or_default();
                let child = join(&path, &name);
                if flag(&entry, "isDirectory") {
                    subfolders.push((entry, child));
                } else if flag(&entry, "isFile") {
                    pending.push((call_back(&entry, "file"), child));
                }
            }
            let mut files = Vec::with_capacity(pending.len());
            for (future, child) in pending {
                match future.await.ok().as_ref().and_then(as_file) {
                    Some(file) => files.push(PickedFile {
                        file,
                        relative_path: Some(child),
                    }),
                    None => walked.unreadable += 1,
                }
            }
            if !files.is_empty() {
                walked.added += files.len();
                if !on_batch(files) {
                    return walked;
                }
            }
            // A tree of thousands must not hold the main thread.
            sleep(0).await;
        }
        stack.extend(subfolders.into_iter().rev());
    }
    walked
}
