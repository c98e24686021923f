use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DataTransfer, File, FileList};

// Read with the exception caught: a value that only looks like a file (a
// Proxy around one, whose getters throw "Illegal invocation", or an object
// with the tag and none of the fields) must be skipped, not throw through
// the wasm, which would leave the widget's state borrowed for good.
#[wasm_bindgen]
extern "C" {
    /// Any value that may be a file or a file list, read by name.
    type MaybeFile;
    #[wasm_bindgen(catch, method, structural, getter, js_name = name)]
    fn checked_name(this: &MaybeFile) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, method, structural, getter, js_name = size)]
    fn checked_size(this: &MaybeFile) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, method, structural, getter, js_name = type)]
    fn checked_type(this: &MaybeFile) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, method, structural, getter, js_name = lastModified)]
    fn checked_last_modified(this: &MaybeFile) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, method, structural, getter, js_name = length)]
    fn checked_length(this: &MaybeFile) -> Result<JsValue, JsValue>;
}

use super::PickedFile;
use crate::core::FileMeta;

/// `value` as a `File` of any window. A widget in a same-origin iframe is
/// handed the iframe's `File`s (a drop there, `addFiles` from its page),
/// which `instanceof File` here refuses; their tag is the same.
pub fn as_file(value: &JsValue) -> Option<File> {
    let maybe: &MaybeFile = value.unchecked_ref();
    let reads = is_tagged(value, "File")
        && maybe.checked_name().is_ok_and(|v| v.is_string())
        && maybe.checked_size().is_ok_and(|v| v.as_f64().is_some())
        && maybe.checked_type().is_ok_and(|v| v.is_string())
        && maybe
            .checked_last_modified()
            .is_ok_and(|v| v.as_f64().is_some());
    reads.then(|| value.clone().unchecked_into())
}

/// `value` as a `FileList` of any window (see [`as_file`]).
pub fn as_file_list(value: &JsValue) -> Option<FileList> {
    let reads = is_tagged(value, "FileList")
        && value
            .unchecked_ref::<MaybeFile>()
            .checked_length()
            .is_ok_and(|v| v.as_f64().is_some());
    reads.then(|| value.clone().unchecked_into())
}

/// Whether `value` is an object whose `Symbol.toStringTag` is `tag`, as
/// the browser's own `File`s and `FileList`s are in every window.
fn is_tagged(value: &JsValue, tag: &str) -> bool {
    value.is_object()
        && js_sys::Reflect::get(value, &js_sys::Symbol::to_string_tag())
            .ok()
            .and_then(|t| t.as_string())
            .is_some_and(|t| t == tag)
}

/// The files of a `FileList`, as handles: no byte is read.
pub fn files_from_list(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// The files of a drop or paste. Text and link drags carry none and yield an
/// empty list rather than an error.
pub fn files_from_data_transfer(transfer: &DataTransfer) -> Vec<File> {
    transfer
        .files()
        .map(|list| files_from_list(&list))
        .unwrap_or_default()
}

/// What the engine needs to know about a file, with its path inside a
/// dropped folder.
pub fn picked_meta(picked: &PickedFile) -> FileMeta {
    FileMeta {
        relative_path: picked.relative_path.clone(),
        ..file_meta(&picked.file)
    }
}

/// What the engine needs to know about a file.
pub fn file_meta(file: &File) -> FileMeta {
    let size = file.size();
    FileMeta {
        name: file.name(),
        // `size` is a JS number; a negative or NaN one would be a browser bug.
        size: if size.is_finite() && size > 0.0 {
            size as u64
        } else {
            0
        },
        mime: file.type_(),
        last_modified: file.last_modified(),
        relative_path: None,
    }
}

/// Whether the browser still reads `blob` (its first byte, which stays in
/// JavaScript): a file picked and then changed on disk, moved or deleted
/// is refused (`NotReadableError`), and an upload of it can only fail
/// again. Asked after an upload failed without an answer, to tell such a
/// file from a network error.
pub async fn still_readable(blob: &web_sys::Blob) -> bool {
    let Ok(first) = blob.slice_with_i32_and_i32(0, 1) else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(first.array_buffer())
        .await
        .is_ok()
}
