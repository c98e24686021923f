use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DataTransfer, File, FileList};

use super::PickedFile;
use crate::core::FileMeta;

/// `value` as a `File` of any window. A widget in a same-origin iframe is
/// handed the iframe's `File`s (a drop there, `addFiles` from its page),
/// which `instanceof File` here refuses; their tag is the same.
pub fn as_file(value: &JsValue) -> Option<File> {
    is_tagged(value, "File").then(|| value.clone().unchecked_into())
}

/// `value` as a `FileList` of any window (see [`as_file`]).
pub fn as_file_list(value: &JsValue) -> Option<FileList> {
    is_tagged(value, "FileList").then(|| value.clone().unchecked_into())
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
