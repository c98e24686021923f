//! Files on disk and their metadata in SQLite.
//!
//! Layout under the data directory (nothing is ever written elsewhere, and
//! no path is built from anything a client sent):
//! - `files/<id>`: attachment bytes, named by id only (client file names are
//!   metadata, so they can never steer a path);
//! - `thumbs/<id>.png`: thumbnails;
//! - `tmp/<random>.part`: uploads in progress, renamed into place when
//!   complete so a reader never sees half a file (one that no upload in
//!   progress owns is swept, see [`Storage::sweep_parts`]);
//! - `flow/<upload id>/<chunk number>`: parts of chunked uploads;
//! - `meta.sqlite3`: attachments, issues, comments and chunked uploads.

mod attachments;
mod flow;
mod issues;
mod part;
mod schema;

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::SystemTime;

use anyhow::Context;
use rusqlite::Connection;

pub use attachments::{Attachment, NewAttachment, Pending};
pub use flow::{Assembly, AssemblyOutcome, ChunkStored, FlowDeclared, FlowUpload, Outcome};
pub use issues::{
    AttachmentRef, Comment, Issue, IssueError, IssuePatch, NewIssue, DEMO_QUEUE, DEMO_QUEUE_ID,
};
use part::LiveParts;
pub use part::PartFile;

#[derive(Clone)]
pub struct Storage {
    root: Arc<PathBuf>,
    // SQLite calls are short, but they block; callers go through
    // `spawn_blocking` (see `Storage::with_db`).
    db: Arc<Mutex<Connection>>,
    /// Where the outcome of each assembly in progress is announced, by
    /// upload id. Changed only with the database lock held, together with
    /// the `assembling` flag, so that a flag set always has an entry here.
    assemblies: Arc<Mutex<HashMap<i64, flow::OutcomeSender>>>,
    /// The parts being written or waiting to be stored.
    live_parts: LiveParts,
}

/// By hand: the connection and the map of assemblies have nothing worth
/// printing.
impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// A handle that does not keep the storage alive, for the background sweeper:
/// once the router is dropped, the sweeper finds nothing and stops.
pub struct WeakStorage {
    root: Weak<PathBuf>,
    db: Weak<Mutex<Connection>>,
    assemblies: Weak<Mutex<HashMap<i64, flow::OutcomeSender>>>,
    /// Only paths: keeping it alive keeps nothing else.
    live_parts: LiveParts,
}

impl WeakStorage {
    pub fn upgrade(&self) -> Option<Storage> {
        Some(Storage {
            root: self.root.upgrade()?,
            db: self.db.upgrade()?,
            assemblies: self.assemblies.upgrade()?,
            live_parts: self.live_parts.clone(),
        })
    }
}

impl Storage {
    /// Opens (or creates) the data directory; `now` dates the seeded issues
    /// of a fresh one.
    pub fn open(root: &Path, now: i64) -> anyhow::Result<Self> {
        for dir in ["files", "thumbs", "tmp", "flow"] {
            let dir = root.join(dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        remove_leftover_parts(&root.join("tmp"));
        let db_path = root.join("meta.sqlite3");
        let mut conn =
            Connection::open(&db_path).with_context(|| format!("opening {}", db_path.display()))?;
        schema::migrate(&mut conn, now).context("preparing the database")?;
        // An assembly cut short by a crash or kill is retried by the next
        // part the client sends, or swept with the rest after the TTL.
        conn.execute("UPDATE flow_uploads SET assembling = 0", [])?;
        Ok(Self {
            root: Arc::new(root.to_path_buf()),
            db: Arc::new(Mutex::new(conn)),
            assemblies: Arc::default(),
            live_parts: LiveParts::default(),
        })
    }

    pub fn downgrade(&self) -> WeakStorage {
        WeakStorage {
            root: Arc::downgrade(&self.root),
            db: Arc::downgrade(&self.db),
            assemblies: Arc::downgrade(&self.assemblies),
            live_parts: self.live_parts.clone(),
        }
    }

    pub fn file_path(&self, id: i64) -> PathBuf {
        self.root.join("files").join(id.to_string())
    }

    pub fn thumbnail_path(&self, id: i64) -> PathBuf {
        self.root.join("thumbs").join(format!("{id}.png"))
    }

    fn flow_dir(&self, upload_id: i64) -> PathBuf {
        self.root.join("flow").join(upload_id.to_string())
    }

    fn new_tmp_path(&self) -> PathBuf {
        self.root
            .join("tmp")
            .join(format!("{}.part", random_name()))
    }

    /// Creates a fresh `tmp/<random>.part` that is deleted again unless
    /// committed, so an aborted or refused upload leaves nothing behind.
    pub async fn new_part(&self) -> io::Result<PartFile> {
        loop {
            let path = self.new_tmp_path();
            // Registered before the file exists, so the sweeper never finds
            // it unowned.
            if !self.live_parts.register(&path) {
                continue;
            }
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => return Ok(PartFile::new(path, file, self.live_parts.clone())),
                Err(e) => {
                    self.live_parts.forget(&path);
                    if e.kind() != io::ErrorKind::AlreadyExists {
                        return Err(e);
                    }
                }
            }
        }
    }

    /// Removes `tmp/*.part` files that no part of this process owns and
    /// that were last written before `before`: left by a removal that
    /// failed or a write cut short (a thumbnail's). Parts in progress are
    /// never touched, however old; a stalled upload ends on its own (the
    /// upload idle timeout) and takes its part with it. Returns how many
    /// went.
    pub async fn sweep_parts(&self, before: SystemTime) -> anyhow::Result<usize> {
        let tmp = self.root.join("tmp");
        let live = self.live_parts.clone();
        let removed = tokio::task::spawn_blocking(move || -> io::Result<usize> {
            let mut removed = 0;
            for entry in std::fs::read_dir(&tmp)? {
                let path = entry?.path();
                if path.extension().is_none_or(|ext| ext != "part") || live.contains(&path) {
                    continue;
                }
                // Gone meanwhile (stored, or removed by its owner): skipped.
                let Ok(modified) = std::fs::metadata(&path).and_then(|m| m.modified()) else {
                    continue;
                };
                // An unowned file cannot become owned again (new parts take
                // fresh names, created exclusively), so this cannot race.
                if modified < before {
                    match std::fs::remove_file(&path) {
                        Ok(()) => removed += 1,
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok(removed)
        })
        .await??;
        Ok(removed)
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn with_db<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&Storage, &mut Connection) -> T + Send + 'static,
        T: Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = this.lock()?;
            Ok(f(&this, &mut conn))
        })
        .await?
    }

    fn lock(&self) -> anyhow::Result<MutexGuard<'_, Connection>> {
        self.db
            .lock()
            .map_err(|_| anyhow::anyhow!("database lock poisoned"))
    }
}

/// Removes a file that may already be gone; anything else is logged, since
/// the caller has already committed and cannot undo.
fn remove_quietly(path: &Path) {
    if let Err(e) = std::fs::remove_file(path) {
        if e.kind() != io::ErrorKind::NotFound {
            tracing::warn!(path = %path.display(), error = %e, "could not remove a file");
        }
    }
}

/// Parts left by a crash or kill belong to no request any more.
fn remove_leftover_parts(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.path().extension().is_some_and(|ext| ext == "part") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Unpredictable, unique within the process; `create_new` guards against
/// another process picking the same name.
fn random_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // std's RandomState is seeded from the OS, which is all we need here.
    let hash = std::hash::RandomState::new().hash_one((
        n,
        std::process::id(),
        std::time::SystemTime::now(),
    ));
    format!("{hash:016x}{n:x}")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    struct Dir(PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn age(path: &Path, by: Duration) {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(SystemTime::now() - by)
            .unwrap();
    }

    /// Unowned parts last written before the cutoff go; fresh ones, and
    /// every part still owned by an upload in progress, stay.
    #[tokio::test]
    async fn sweep_parts_spares_fresh_and_owned_files() {
        let dir = Dir(std::env::temp_dir().join(format!(
            "ta-server-unit-{}-{}",
            std::process::id(),
            random_name()
        )));
        let storage = Storage::open(&dir.0, 0).unwrap();
        let tmp = dir.0.join("tmp");
        let hour = Duration::from_secs(3600);

        let stale = tmp.join("stale.part");
        let fresh = tmp.join("fresh.part");
        let other = tmp.join("stale.txt");
        for path in [&stale, &fresh, &other] {
            std::fs::write(path, b"x").unwrap();
        }
        age(&stale, hour);
        age(&other, hour);
        // Streamed long ago and still waiting to be stored.
        let mut owned = storage.new_part().await.unwrap();
        owned.write_all(b"bytes").await.unwrap();
        owned.close().await.unwrap();
        age(owned.path(), hour);

        let cutoff = SystemTime::now() - Duration::from_secs(60);
        assert_eq!(storage.sweep_parts(cutoff).await.unwrap(), 1);
        assert!(!stale.exists());
        assert!(fresh.exists() && other.exists() && owned.path().exists());

        // Once its upload is over, the part is its own to remove, and the
        // sweeper no longer knows it.
        let path = owned.path().to_path_buf();
        drop(owned);
        assert!(!path.exists());
        assert!(!storage.live_parts.contains(&path));
    }
}
