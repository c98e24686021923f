//! Files on disk and their metadata in SQLite.
//!
//! Layout under the data directory (nothing is ever written elsewhere, and
//! no path is built from anything a client sent):
//! - `files/<id>`: attachment bytes, named by id only (client file names are
//!   metadata, so they can never steer a path);
//! - `thumbs/<id>.png`: thumbnails;
//! - `tmp/<random>.part`: uploads in progress, renamed into place when
//!   complete so a reader never sees half a file;
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

use anyhow::Context;
use rusqlite::Connection;

pub use attachments::{Attachment, NewAttachment};
pub use flow::{Assembly, AssemblyOutcome, ChunkStored, FlowDeclared, FlowUpload, Outcome};
pub use issues::{
    AttachmentRef, Comment, Issue, IssueError, IssuePatch, NewIssue, DEMO_QUEUE, DEMO_QUEUE_ID,
};
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
}

impl WeakStorage {
    pub fn upgrade(&self) -> Option<Storage> {
        Some(Storage {
            root: self.root.upgrade()?,
            db: self.db.upgrade()?,
            assemblies: self.assemblies.upgrade()?,
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
        })
    }

    pub fn downgrade(&self) -> WeakStorage {
        WeakStorage {
            root: Arc::downgrade(&self.root),
            db: Arc::downgrade(&self.db),
            assemblies: Arc::downgrade(&self.assemblies),
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
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => return Ok(PartFile::new(path, file)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
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
