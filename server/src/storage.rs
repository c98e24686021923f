//! Files on disk and their metadata in SQLite.
//!
//! Layout under the data directory:
//! - `files/<id>`: the bytes, named by id only (client file names are
//!   metadata, so they can never steer a path);
//! - `thumbs/<id>.png`: thumbnails;
//! - `tmp/<random>.part`: uploads in progress, renamed into place when
//!   complete so a reader never sees half a file;
//! - `meta.sqlite3`: the `attachments` table.

use std::hash::BuildHasher;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::thumbnail::Thumbnail;

/// Ids start here so they look like Tracker's and never like small indices.
const FIRST_ID: i64 = 1000;

/// One row of `attachments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub size: u64,
    pub mimetype: String,
    /// Milliseconds since the Unix epoch, UTC.
    pub created_at: i64,
    /// `None` while the file is a temporary (unattached) one.
    pub issue_key: Option<String>,
    pub has_thumbnail: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// What an upload knows before it gets an id.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub size: u64,
    pub mimetype: String,
    pub created_at: i64,
    pub issue_key: Option<String>,
}

#[derive(Clone)]
pub struct Storage {
    root: Arc<PathBuf>,
    // SQLite calls are short, but they block; callers go through
    // `spawn_blocking` (see `Storage::db`).
    db: Arc<Mutex<Connection>>,
}

impl Storage {
    pub fn open(root: &Path) -> anyhow::Result<Self> {
        for dir in ["files", "thumbs", "tmp"] {
            let dir = root.join(dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        remove_leftover_parts(&root.join("tmp"));
        let db_path = root.join("meta.sqlite3");
        let conn =
            Connection::open(&db_path).with_context(|| format!("opening {}", db_path.display()))?;
        migrate(&conn).context("preparing the database")?;
        Ok(Self {
            root: Arc::new(root.to_path_buf()),
            db: Arc::new(Mutex::new(conn)),
        })
    }

    pub fn file_path(&self, id: i64) -> PathBuf {
        self.root.join("files").join(id.to_string())
    }

    pub fn thumbnail_path(&self, id: i64) -> PathBuf {
        self.root.join("thumbs").join(format!("{id}.png"))
    }

    /// Creates a fresh `tmp/<random>.part` that is deleted again unless
    /// [`Storage::commit`] takes it, so an aborted or refused upload leaves
    /// nothing behind.
    pub async fn new_part(&self) -> io::Result<PartFile> {
        loop {
            let path = self
                .root
                .join("tmp")
                .join(format!("{}.part", random_name()));
            match tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .await
            {
                Ok(file) => {
                    return Ok(PartFile {
                        path,
                        file: Some(file),
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Gives the upload an id and moves its bytes (and thumbnail) into place.
    /// The row is committed last, so a failure leaves no row without a file.
    pub async fn commit(
        &self,
        mut part: PartFile,
        new: NewAttachment,
        thumbnail: Option<Thumbnail>,
    ) -> anyhow::Result<Attachment> {
        part.close().await?;
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.commit_blocking(part, new, thumbnail)).await?
    }

    fn commit_blocking(
        &self,
        mut part: PartFile,
        new: NewAttachment,
        thumbnail: Option<Thumbnail>,
    ) -> anyhow::Result<Attachment> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO attachments (name, size, mimetype, created_at, issue_key, thumbnail, width, height)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                new.name,
                new.size,
                new.mimetype,
                new.created_at,
                new.issue_key,
                thumbnail.is_some(),
                thumbnail.as_ref().map(|t| t.width),
                thumbnail.as_ref().map(|t| t.height),
            ],
        )?;
        let id = tx.last_insert_rowid();

        let file_path = self.file_path(id);
        let thumb_path = self.thumbnail_path(id);
        let placed = (|| -> io::Result<()> {
            if let Some(thumb) = &thumbnail {
                let tmp = self
                    .root
                    .join("tmp")
                    .join(format!("{}.part", random_name()));
                std::fs::write(&tmp, &thumb.png)?;
                if let Err(e) = std::fs::rename(&tmp, &thumb_path) {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e);
                }
            }
            std::fs::rename(&part.path, &file_path)?;
            part.persisted();
            Ok(())
        })();
        let result = placed
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(tx.commit()?));
        if let Err(e) = result {
            // The row is rolled back, so the files just placed must go too.
            let _ = std::fs::remove_file(&thumb_path);
            let _ = std::fs::remove_file(&file_path);
            return Err(e);
        }
        Ok(Attachment {
            id,
            name: new.name,
            size: new.size,
            mimetype: new.mimetype,
            created_at: new.created_at,
            issue_key: new.issue_key,
            has_thumbnail: thumbnail.is_some(),
            width: thumbnail.as_ref().map(|t| t.width),
            height: thumbnail.as_ref().map(|t| t.height),
        })
    }

    pub async fn get(&self, id: i64) -> anyhow::Result<Option<Attachment>> {
        self.db(move |conn| {
            conn.query_row(
                "SELECT id, name, size, mimetype, created_at, issue_key, thumbnail, width, height
                 FROM attachments WHERE id = ?1",
                [id],
                row_to_attachment,
            )
            .optional()
        })
        .await
    }

    async fn db<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = this.lock()?;
            Ok(f(&conn)?)
        })
        .await?
    }

    fn lock(&self) -> anyhow::Result<std::sync::MutexGuard<'_, Connection>> {
        self.db
            .lock()
            .map_err(|_| anyhow::anyhow!("database lock poisoned"))
    }
}

fn row_to_attachment(row: &Row<'_>) -> rusqlite::Result<Attachment> {
    Ok(Attachment {
        id: row.get(0)?,
        name: row.get(1)?,
        size: row.get(2)?,
        mimetype: row.get(3)?,
        created_at: row.get(4)?,
        issue_key: row.get(5)?,
        has_thumbnail: row.get(6)?,
        width: row.get(7)?,
        height: row.get(8)?,
    })
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    // WAL lets readers (downloads) proceed while an upload commits.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version < 1 {
        conn.execute_batch(&format!(
            "BEGIN;
             CREATE TABLE attachments (
                 id         INTEGER PRIMARY KEY AUTOINCREMENT,
                 name       TEXT    NOT NULL,
                 size       INTEGER NOT NULL,
                 mimetype   TEXT    NOT NULL,
                 created_at INTEGER NOT NULL,
                 issue_key  TEXT,
                 thumbnail  INTEGER NOT NULL DEFAULT 0,
                 width      INTEGER,
                 height     INTEGER
             );
             INSERT INTO sqlite_sequence (name, seq) VALUES ('attachments', {});
             PRAGMA user_version = 1;
             COMMIT;",
            FIRST_ID - 1
        ))?;
    }
    Ok(())
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

/// An upload being written to `tmp/`; removed on drop unless committed, so
/// every early return (limit reached, client gone, bad multipart) cleans up.
pub struct PartFile {
    path: PathBuf,
    file: Option<tokio::fs::File>,
}

impl PartFile {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        use tokio::io::AsyncWriteExt;
        match &mut self.file {
            Some(file) => file.write_all(bytes).await,
            None => Err(io::Error::other("part file already closed")),
        }
    }

    /// Waits for every write to land; tokio's `File` finishes them in the
    /// background otherwise, and a rename or decode could see a short file.
    pub async fn close(&mut self) -> io::Result<()> {
        use tokio::io::AsyncWriteExt;
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
        }
        Ok(())
    }

    fn persisted(&mut self) {
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
