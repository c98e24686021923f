//! Attachment rows and their files: committing an upload, reading, deleting,
//! and sweeping expired temporary ones.

use std::io;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::{remove_quietly, PartFile, Storage};
use crate::thumbnail::Thumbnail;

const COLUMNS: &str = "id, name, size, mimetype, created_at, issue_key, thumbnail, width, height";

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

/// A received file, typed and with its thumbnail, ready to be committed.
pub struct Pending {
    pub part: PartFile,
    pub new: NewAttachment,
    pub thumbnail: Option<Thumbnail>,
}

/// What an upload knows before it gets an id.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub size: u64,
    pub mimetype: String,
    pub created_at: i64,
    /// Attach right away (T2, J1) instead of keeping it temporary.
    pub issue_key: Option<String>,
}

impl Storage {
    /// Gives the upload an id and moves its bytes (and thumbnail) into place.
    /// The row is committed last, so a failure leaves no row without a file.
    pub async fn commit(
        &self,
        mut part: PartFile,
        new: NewAttachment,
        thumbnail: Option<Thumbnail>,
    ) -> anyhow::Result<Attachment> {
        part.close().await?;
        // On disk before it is visible, so a power cut cannot leave a row
        // pointing at an empty file. Done before taking the database lock:
        // a large file's fsync takes a while.
        let path = part.path().to_path_buf();
        tokio::task::spawn_blocking(move || std::fs::File::open(path)?.sync_all()).await??;
        self.with_db(move |storage, conn| storage.commit_blocking(conn, part, new, thumbnail))
            .await?
    }

    fn commit_blocking(
        &self,
        conn: &mut Connection,
        part: PartFile,
        new: NewAttachment,
        thumbnail: Option<Thumbnail>,
    ) -> anyhow::Result<Attachment> {
        let mut placed = Vec::new();
        let result = (|| -> anyhow::Result<Attachment> {
            let tx = conn.transaction()?;
            let issue_key = new.issue_key.clone();
            let created_at = new.created_at;
            let attachment = self.insert_and_place(&tx, part, new, thumbnail, &mut placed)?;
            if let Some(key) = &issue_key {
                super::issues::touch(&tx, key, created_at)?;
            }
            tx.commit()?;
            Ok(attachment)
        })();
        if result.is_err() {
            self.unplace(&placed);
        }
        result
    }

    /// Attaches every file of `files` to `issue_key` in one transaction,
    /// if the issue then has at most `cap` attachments: counted under the
    /// database lock, with the rows inserted in the same transaction, so
    /// concurrent batches cannot together pass the cap. Either every file
    /// is stored, or none (`Ok(None)`: over the cap; the parts go). The
    /// issue's version grows by one for the whole batch.
    pub async fn commit_batch(
        &self,
        mut files: Vec<Pending>,
        issue_key: String,
        cap: u64,
        now: i64,
    ) -> anyhow::Result<Option<Vec<Attachment>>> {
        for file in &mut files {
            file.part.close().await?;
        }
        // On disk before they are visible, outside the database lock, as
        // `commit` does.
        let paths: Vec<_> = files.iter().map(|f| f.part.path().to_path_buf()).collect();
        tokio::task::spawn_blocking(move || -> io::Result<()> {
            for path in paths {
                std::fs::File::open(path)?.sync_all()?;
            }
            Ok(())
        })
        .await??;
        self.with_db(move |storage, conn| {
            let mut placed = Vec::new();
            let result = (|| -> anyhow::Result<Option<Vec<Attachment>>> {
                let tx = conn.transaction()?;
                let existing: u64 = tx.query_row(
                    "SELECT COUNT(*) FROM attachments WHERE issue_key = ?1",
                    [&issue_key],
                    |row| row.get(0),
                )?;
                if existing.saturating_add(files.len() as u64) > cap {
                    return Ok(None);
                }
                let mut attachments = Vec::with_capacity(files.len());
                for Pending {
                    part,
                    mut new,
                    thumbnail,
                } in files
                {
                    new.issue_key = Some(issue_key.clone());
                    attachments.push(storage.insert_and_place(
                        &tx,
                        part,
                        new,
                        thumbnail,
                        &mut placed,
                    )?);
                }
                super::issues::touch(&tx, &issue_key, now)?;
                tx.commit()?;
                Ok(Some(attachments))
            })();
            if result.is_err() {
                storage.unplace(&placed);
            }
            result
        })
        .await?
    }

    /// Inserts the row and moves the bytes (and thumbnail) into place;
    /// `placed` learns the id before any file is placed, so the caller can
    /// remove them if the transaction does not commit.
    fn insert_and_place(
        &self,
        tx: &Transaction<'_>,
        mut part: PartFile,
        new: NewAttachment,
        thumbnail: Option<Thumbnail>,
        placed: &mut Vec<i64>,
    ) -> anyhow::Result<Attachment> {
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
        placed.push(id);
        if let Some(thumb) = &thumbnail {
            let tmp = self.new_tmp_path();
            std::fs::write(&tmp, &thumb.png)?;
            if let Err(e) = std::fs::rename(&tmp, self.thumbnail_path(id)) {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
        }
        std::fs::rename(part.path(), self.file_path(id))?;
        part.persisted();
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

    /// The rows were rolled back, so the files just placed must go too.
    fn unplace(&self, placed: &[i64]) {
        for &id in placed {
            let _ = std::fs::remove_file(self.thumbnail_path(id));
            let _ = std::fs::remove_file(self.file_path(id));
        }
    }

    pub async fn get(&self, id: i64) -> anyhow::Result<Option<Attachment>> {
        self.with_db(move |_, conn| {
            conn.query_row(
                &format!("SELECT {COLUMNS} FROM attachments WHERE id = ?1"),
                [id],
                row_to_attachment,
            )
            .optional()
        })
        .await?
        .map_err(Into::into)
    }

    /// Everything attached to the issue, directly or through a comment, oldest first.
    pub async fn list_for_issue(&self, key: String) -> anyhow::Result<Vec<Attachment>> {
        self.with_db(move |_, conn| list_for_issue(conn, &key))
            .await?
            .map_err(Into::into)
    }

    pub async fn count_for_issue(&self, key: String) -> anyhow::Result<u64> {
        self.with_db(move |_, conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM attachments WHERE issue_key = ?1",
                [key],
                |row| row.get(0),
            )
        })
        .await?
        .map_err(Into::into)
    }

    /// Deletes an attached file (never a temporary one), only from `issue_key`
    /// when given; false if there was no such attachment.
    pub async fn delete_attached(
        &self,
        id: i64,
        issue_key: Option<String>,
        now: i64,
    ) -> anyhow::Result<bool> {
        self.with_db(move |storage, conn| -> anyhow::Result<bool> {
            let tx = conn.transaction()?;
            let key: Option<String> = tx
                .query_row(
                    "SELECT issue_key FROM attachments WHERE id = ?1 AND issue_key IS NOT NULL",
                    [id],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(key) = key.filter(|k| issue_key.as_ref().is_none_or(|want| want == k)) else {
                return Ok(false);
            };
            tx.execute("DELETE FROM attachments WHERE id = ?1", [id])?;
            super::issues::touch(&tx, &key, now)?;
            tx.commit()?;
            storage.remove_files(id);
            Ok(true)
        })
        .await?
    }

    /// Deletes temporary attachments created before `cutoff`, rows first, so
    /// a reader never finds a row whose file is gone for good.
    pub async fn sweep_temporaries(&self, cutoff: i64) -> anyhow::Result<usize> {
        self.with_db(move |storage, conn| -> anyhow::Result<usize> {
            let tx = conn.transaction()?;
            let ids = tx
                .prepare("SELECT id FROM attachments WHERE issue_key IS NULL AND created_at < ?1")?
                .query_map([cutoff], |row| row.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.execute(
                "DELETE FROM attachments WHERE issue_key IS NULL AND created_at < ?1",
                [cutoff],
            )?;
            tx.commit()?;
            for id in &ids {
                storage.remove_files(*id);
            }
            Ok(ids.len())
        })
        .await?
    }

    fn remove_files(&self, id: i64) {
        remove_quietly(&self.file_path(id));
        remove_quietly(&self.thumbnail_path(id));
    }
}

pub(super) fn list_for_issue(conn: &Connection, key: &str) -> rusqlite::Result<Vec<Attachment>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM attachments WHERE issue_key = ?1 ORDER BY id"
    ))?
    .query_map([key], row_to_attachment)?
    .collect()
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
