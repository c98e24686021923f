use std::io;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncWriteExt, BufWriter};

/// Multipart chunks are small (a few KiB); each write to a tokio `File` is a
/// trip to the blocking pool, so they are gathered into writes of this size.
const WRITE_BUFFER: usize = 256 * 1024;

/// An upload being written to `tmp/`; removed on drop unless committed, so
/// every early return (limit reached, client gone, bad multipart) cleans up.
pub struct PartFile {
    path: PathBuf,
    file: Option<BufWriter<tokio::fs::File>>,
}

impl PartFile {
    pub(super) fn new(path: PathBuf, file: tokio::fs::File) -> Self {
        Self {
            path,
            file: Some(BufWriter::with_capacity(WRITE_BUFFER, file)),
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
        self.path = PathBuf::new();
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
