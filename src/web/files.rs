use web_sys::{DataTransfer, File, FileList};

use super::PickedFile;
use crate::core::FileMeta;

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
