/// What the engine knows about a picked file: never its bytes, which stay in
/// the browser's `File` handle.
#[derive(Clone, Debug, PartialEq)]
pub struct FileMeta {
    pub name: String,
    pub size: u64,
    /// The browser's MIME guess; empty when it has none (common for CSV, HEIC).
    pub mime: String,
    /// Milliseconds since the epoch, as `File.lastModified` gives it.
    pub last_modified: f64,
    /// Path inside a dropped folder, when the file came from one.
    pub relative_path: Option<String>,
}

impl FileMeta {
    pub fn new(name: impl Into<String>, size: u64, mime: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            size,
            mime: mime.into(),
            last_modified: 0.0,
            relative_path: None,
        }
    }
}
