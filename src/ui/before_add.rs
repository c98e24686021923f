use std::fmt;
use std::rc::Rc;

use web_sys::File;

use crate::core::{FileMeta, HostVerdict};

/// The host's own check of each arriving file (Uppy's `onBeforeFileAdded`,
/// FilePond's `beforeAddFile`), set as [`WidgetOptions::before_add`]
/// (super::WidgetOptions). It is called once per file, in the order the
/// files are listed and before the restrictions, so a file it refuses takes
/// no place under `max_files`. `Ok(())` takes the file; `Err(Some(reason))`
/// refuses it with `reason` shown on its row (as text, one line, cut at
/// 200 characters); `Err(None)` refuses it with the generic words
/// (`refusedByHost`).
#[derive(Clone)]
pub struct BeforeAdd(Rc<FileCheck>);

/// A check given the file's metadata and its browser handle.
type FileCheck = dyn Fn(&FileMeta, &File) -> HostVerdict;

impl BeforeAdd {
    /// A check of what the browser says of the file: name, size, type,
    /// folder path.
    pub fn new(check: impl Fn(&FileMeta) -> HostVerdict + 'static) -> Self {
        Self(Rc::new(move |meta, _| check(meta)))
    }

    /// A check that needs the `File` itself (the element hands it to the
    /// page's function). The handle only: its bytes stay in the browser.
    pub fn with_file(check: impl Fn(&FileMeta, &File) -> HostVerdict + 'static) -> Self {
        Self(Rc::new(check))
    }

    pub fn check(&self, meta: &FileMeta, file: &File) -> HostVerdict {
        (self.0)(meta, file)
    }
}

impl fmt::Debug for BeforeAdd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BeforeAdd")
    }
}
