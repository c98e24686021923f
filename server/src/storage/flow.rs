//! Parts of chunked (Flow.js) uploads: stored as they come, in any order and
//! in parallel, and assembled once when the last one is in.

use std::io::{self, Read};

use rusqlite::{params, Connection, OptionalExtension};

use super::{PartFile, Storage};

/// The totals every part of one upload declares; they must agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowDeclared {
    pub identifier: String,
    pub filename: String,
    pub total_size: u64,
    pub chunk_size: u64,
    pub total_chunks: u64,
}

#[derive(Debug, Clone)]
pub struct FlowUpload {
    pub id: i64,
    pub declared: FlowDeclared,
}

#[derive(Debug)]
pub enum ChunkStored {
    /// Stored; `stored` parts of the upload are in.
    Partial { stored: u64 },
    /// This part completed the upload, and this request (only this one)
    /// assembles it.
    Complete(FlowUpload),
    /// Another request is assembling the upload; nothing to do.
    Assembling,
    /// The part's totals differ from the ones its upload started with.
    Mismatch,
    /// The upload was finished already (this part is a retry whose first
    /// answer was lost); it became this attachment.
    Finished { attachment_id: i64 },
}

impl Storage {
    pub async fn flow_has_chunk(&self, identifier: String, number: u64) -> anyhow::Result<bool> {
        self.with_db(move |_, conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM flow_chunks JOIN flow_uploads ON flow_uploads.id = upload_id
                 WHERE identifier = ?1 AND number = ?2",
                params![identifier, number],
                |row| row.get::<_, i64>(0),
            )
        })
        .await?
        .map(|count| count > 0)
        .map_err(Into::into)
    }

    /// Files part `number` (whose size the caller checked) under its upload.
    /// Sending a part again replaces it, as Flow.js retries do.
    pub async fn flow_store_chunk(
        &self,
        declared: FlowDeclared,
        number: u64,
        size: u64,
        mut part: PartFile,
        now: i64,
    ) -> anyhow::Result<ChunkStored> {
        part.close().await?;
        self.with_db(move |storage, conn| {
            storage.store_chunk_blocking(conn, &declared, number, size, part, now)
        })
        .await?
    }

    fn store_chunk_blocking(
        &self,
        conn: &mut Connection,
        declared: &FlowDeclared,
        number: u64,
        size: u64,
        mut part: PartFile,
        now: i64,
    ) -> anyhow::Result<ChunkStored> {
        let tx = conn.transaction()?;
        let existing = tx
            .query_row(
                "SELECT id, total_size, chunk_size, total_chunks, assembling, attachment_id
                 FROM flow_uploads WHERE identifier = ?1",
                [&declared.identifier],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        (
                            row.get::<_, u64>(1)?,
                            row.get::<_, u64>(2)?,
                            row.get::<_, u64>(3)?,
                        ),
                        row.get::<_, bool>(4)?,
                        row.get::<_, Option<i64>>(5)?,
                    ))
                },
            )
            .optional()?;
        // A finished upload whose attachment is gone (attached, expired,
        // deleted) is over: the identifier starts afresh.
        let existing = match existing {
            Some((id, totals, _, Some(attachment_id))) => {
                let alive: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM attachments WHERE id = ?1 AND issue_key IS NULL)",
                    [attachment_id],
                    |row| row.get(0),
                )?;
                if alive
                    && totals
                        == (
                            declared.total_size,
                            declared.chunk_size,
                            declared.total_chunks,
                        )
                {
                    tx.commit()?;
                    return Ok(ChunkStored::Finished { attachment_id });
                }
                tx.execute("DELETE FROM flow_uploads WHERE id = ?1", [id])?;
                None
            }
            Some((id, totals, assembling, None)) => Some((id, totals, assembling)),
            None => None,
        };
        let id = match existing {
            Some((id, totals, assembling)) => {
                if totals
                    != (
                        declared.total_size,
                        declared.chunk_size,
                        declared.total_chunks,
                    )
                {
                    return Ok(ChunkStored::Mismatch);
                }
                if assembling {
                    return Ok(ChunkStored::Assembling);
                }
                tx.execute(
                    "UPDATE flow_uploads SET updated_at = ?2 WHERE id = ?1",
                    params![id, now],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO flow_uploads (identifier, filename, total_size, chunk_size, total_chunks, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        declared.identifier,
                        declared.filename,
                        declared.total_size,
                        declared.chunk_size,
                        declared.total_chunks,
                        now
                    ],
                )?;
                tx.last_insert_rowid()
            }
        };

        let dir = self.flow_dir(id);
        std::fs::create_dir_all(&dir)?;
        std::fs::rename(part.path(), dir.join(number.to_string()))?;
        part.persisted();
        tx.execute(
            "INSERT OR REPLACE INTO flow_chunks (upload_id, number, size) VALUES (?1, ?2, ?3)",
            params![id, number, size],
        )?;
        let stored: u64 = tx.query_row(
            "SELECT COUNT(*) FROM flow_chunks WHERE upload_id = ?1",
            [id],
            |row| row.get(0),
        )?;
        // Parallel parts race to be last; the flag makes exactly one of
        // them the assembler.
        let outcome = if stored == declared.total_chunks {
            tx.execute("UPDATE flow_uploads SET assembling = 1 WHERE id = ?1", [id])?;
            ChunkStored::Complete(FlowUpload {
                id,
                declared: declared.clone(),
            })
        } else {
            ChunkStored::Partial { stored }
        };
        tx.commit()?;
        Ok(outcome)
    }

    /// Concatenates the parts into a fresh temporary file; returns it with
    /// its size and first bytes (for type sniffing).
    pub async fn flow_assemble(
        &self,
        upload: &FlowUpload,
        head_len: usize,
    ) -> anyhow::Result<(PartFile, u64, Vec<u8>)> {
        let mut part = self.new_part().await?;
        part.close().await?;
        let dir = self.flow_dir(upload.id);
        let total_chunks = upload.declared.total_chunks;
        let target = part.path().to_path_buf();
        let (size, head) = tokio::task::spawn_blocking(move || -> io::Result<(u64, Vec<u8>)> {
            let mut out = std::fs::OpenOptions::new().append(true).open(&target)?;
            let mut size = 0;
            for number in 1..=total_chunks {
                let mut chunk = std::fs::File::open(dir.join(number.to_string()))?;
                // std's copy uses copy_file_range on Linux: no bytes pass
                // through this process.
                size += io::copy(&mut chunk, &mut out)?;
            }
            let mut head = Vec::with_capacity(head_len);
            std::fs::File::open(&target)?
                .take(head_len as u64)
                .read_to_end(&mut head)?;
            Ok((size, head))
        })
        .await??;
        Ok((part, size, head))
    }

    /// Removes a finished upload's parts and remembers the attachment it
    /// became, for a retried last part (until the sweeper's cutoff).
    pub async fn flow_finish(
        &self,
        upload_id: i64,
        attachment_id: i64,
        now: i64,
    ) -> anyhow::Result<()> {
        self.with_db(move |storage, conn| -> anyhow::Result<()> {
            let tx = conn.transaction()?;
            tx.execute("DELETE FROM flow_chunks WHERE upload_id = ?1", [upload_id])?;
            tx.execute(
                "UPDATE flow_uploads SET assembling = 0, attachment_id = ?2, updated_at = ?3
                 WHERE id = ?1",
                params![upload_id, attachment_id, now],
            )?;
            tx.commit()?;
            remove_dir_quietly(&storage.flow_dir(upload_id));
            Ok(())
        })
        .await?
    }

    /// Forgets a finished upload that left no local attachment (proxy mode)
    /// and removes its parts.
    pub async fn flow_forget(&self, upload_id: i64) -> anyhow::Result<()> {
        self.with_db(move |storage, conn| -> anyhow::Result<()> {
            delete_upload(conn, upload_id)?;
            remove_dir_quietly(&storage.flow_dir(upload_id));
            Ok(())
        })
        .await?
    }

    /// Lets the next part retry an assembly that failed.
    pub async fn flow_release(&self, upload_id: i64) -> anyhow::Result<()> {
        self.with_db(move |_, conn| {
            conn.execute(
                "UPDATE flow_uploads SET assembling = 0 WHERE id = ?1",
                [upload_id],
            )
        })
        .await??;
        Ok(())
    }

    /// Removes uploads that saw no part since `cutoff`.
    pub async fn sweep_flow(&self, cutoff: i64) -> anyhow::Result<usize> {
        self.with_db(move |storage, conn| -> anyhow::Result<usize> {
            let ids = conn
                .prepare("SELECT id FROM flow_uploads WHERE updated_at < ?1 AND assembling = 0")?
                .query_map([cutoff], |row| row.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for id in &ids {
                delete_upload(conn, *id)?;
                remove_dir_quietly(&storage.flow_dir(*id));
            }
            Ok(ids.len())
        })
        .await?
    }
}

fn delete_upload(conn: &mut Connection, upload_id: i64) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    tx.execute("DELETE FROM flow_chunks WHERE upload_id = ?1", [upload_id])?;
    tx.execute("DELETE FROM flow_uploads WHERE id = ?1", [upload_id])?;
    tx.commit()
}

fn remove_dir_quietly(dir: &std::path::Path) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        if e.kind() != io::ErrorKind::NotFound {
            tracing::warn!(path = %dir.display(), error = %e, "could not remove a directory");
        }
    }
}
