use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncWriteExt, BufWriter};

/// Multipart chunks are small (a few KiB); each write to a tokio `File` is a
/// trip to the blocking pool, so they are gathered into writes of this size.
const WRITE_BUFFER: usize = 256 * 1024;

/// The `tmp/` paths of the parts alive in this process: the sweeper leaves
/// them alone, however long ago they were last written (a part streamed
/// early in a Jira request waits for the rest; a thumbnail waits its turn).
#[derive(Debug, Default, Clone)]
pub(super) struct LiveParts(Arc<Mutex<HashSet<PathBuf>>>);

impl LiveParts {
    /// False if the path is taken already.
    pub(super) fn register(&self, path: &Path) -> bool {
        self.lock().insert(path.to_path_buf())
    }

    pub(super) fn contains(&self, path: &Path) -> bool {
        self.lock().contains(path)
    }

    pub(super) fn forget(&self, path: &Path) {
        self.lock().remove(path);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        // A set of paths stays consistent whatever panicked holding it.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An upload being written to `tmp/`; removed on drop unless committed, so
/// every early return (limit reached, client gone, bad multipart) cleans up.
pub struct PartFile {
    path: PathBuf,
    file: Option<BufWriter<tokio::fs::File>>,
    live: LiveParts,
}

impl PartFile {
    /// `path` is registered in `live` already.
    pub(super) fn new(path: PathBuf, file: tokio::fs::File, live: LiveParts) -> Self {
        Self {
            path,
            file: Some(BufWriter::with_capacity(WRITE_BUFFER, file)),
            live,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(bytes).await,
            None => Err(io::Error::other("part file already closed")),
        }
    }

    /// Waits for every write to land, then closes the file, freeing its
    /// descriptor and buffer; what follows reopens it by path. tokio's
    /// `File` finishes writes in the background otherwise, and a rename or
    /// decode could see a short file.
    pub async fn close(&mut self) -> io::Result<()> {
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
        }
        Ok(())
    }

    /// The file now lives elsewhere (renamed into place): nothing to delete.
    pub(super) fn persisted(&mut self) {
        let path = std::mem::take(&mut self.path);
        self.live.forget(&path);
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
            self.live.forget(&self.path);
        }
    }
}
