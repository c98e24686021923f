//! Parts of chunked (Flow.js) uploads: stored as they come, in any order and
//! in parallel, and assembled once when the last one is in.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::{Arc, MutexGuard, PoisonError};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use bytes::Bytes;
use rusqlite::{params, Connection, OptionalExtension};
use tokio::sync::watch;

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

/// How an assembly ended, as every request waiting for it learns it.
#[derive(Debug)]
pub enum AssemblyOutcome {
    /// Stored here as this temporary attachment.
    Stored { attachment_id: i64 },
    /// Sent upstream (proxy mode): the upstream's answer, kept whole so
    /// that each waiting request can be given it.
    Relayed {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    /// Failed here; the parts are kept, so the last one sent again retries.
    Failed,
}

/// `None` while the assembly runs.
pub type Outcome = Option<Arc<AssemblyOutcome>>;
pub(super) type OutcomeSender = watch::Sender<Outcome>;

#[derive(Debug)]
pub enum ChunkStored {
    /// Stored; `stored` parts of the upload are in.
    Partial { stored: u64 },
    /// This part completed the upload, and this request (only this one)
    /// starts its assembly; `outcome` announces how it ends.
    Complete {
        assembly: Assembly,
        outcome: watch::Receiver<Outcome>,
    },
    /// The upload is being assembled (this part is a retry of the last
    /// one); `outcome` announces how it ends.
    Assembling(watch::Receiver<Outcome>),
    /// The part's totals differ from the ones its upload started with.
    Mismatch,
    /// The upload was finished already (this part is a retry whose first
    /// answer was lost); it became this attachment.
    Finished { attachment_id: i64 },
    /// Proxy mode: the upload was sent upstream already and the upstream
    /// took it; this is its answer, remembered (status, Content-Type only,
    /// body) for retries whose first answer was lost.
    Relayed {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
}

/// The right to settle one assembly. Dropped unsettled (its task panicked,
/// or was dropped before it began), it settles as failed, so the upload is
/// never left marked as assembling with nobody at work on it.
#[derive(Debug)]
pub struct Assembly {
    storage: Storage,
    upload: FlowUpload,
    settled: bool,
}

impl Assembly {
    pub fn upload(&self) -> &FlowUpload {
        &self.upload
    }

    /// Records the outcome (a stored file forgets its parts and is
    /// remembered for retries; a failure keeps the parts and lets the next
    /// last part assemble again) and announces it to every waiting request.
    pub async fn settle(mut self, outcome: AssemblyOutcome) -> anyhow::Result<()> {
        let upload_id = self.upload.id;
        let settled = self
            .storage
            .with_db(move |storage, conn| storage.settle_blocking(conn, upload_id, outcome))
            .await;
        // Settled only once the announcement is out. If the database could
        // not even be reached (a poisoned lock, a panic on the blocking
        // pool), nothing was announced: the waiters hear of a failure now,
        // rather than wait out their time, and the next part takes over.
        if settled.is_err() {
            self.storage.abandon(upload_id);
        }
        self.settled = true;
        settled?
    }
}

impl Drop for Assembly {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let storage = self.storage.clone();
        let upload_id = self.upload.id;
        let settle = move || {
            let settled = storage.lock().and_then(|mut conn| {
                storage.settle_blocking(&mut conn, upload_id, AssemblyOutcome::Failed)
            });
            if let Err(e) = settled {
                // Announced even without the database (a no-op if
                // `settle_blocking` got that far).
                storage.abandon(upload_id);
                tracing::warn!(error = %e, "could not release an abandoned assembly");
            }
        };
        // Off the async threads when there are some: the lock may be busy.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn_blocking(settle);
            }
            Err(_) => settle(),
        }
    }
}

impl Storage {
    fn assemblies(&self) -> MutexGuard<'_, HashMap<i64, OutcomeSender>> {
        // The map stays consistent whatever panicked while holding it: every
        // change is a single insert or remove.
        self.assemblies
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Announces a failure to the waiters of an assembly whose end could
    /// not be recorded; its flag, left set, is taken over by the next part
    /// (see `store_chunk_blocking`).
    fn abandon(&self, upload_id: i64) {
        if let Some(sender) = self.assemblies().remove(&upload_id) {
            sender.send_replace(Some(Arc::new(AssemblyOutcome::Failed)));
        }
    }

    /// With the database lock held, so the flag and the announcement change
    /// together.
    fn settle_blocking(
        &self,
        conn: &mut Connection,
        upload_id: i64,
        outcome: AssemblyOutcome,
    ) -> anyhow::Result<()> {
        let recorded = (|| -> rusqlite::Result<bool> {
            match &outcome {
                AssemblyOutcome::Stored { attachment_id } => {
                    let tx = conn.transaction()?;
                    tx.execute("DELETE FROM flow_chunks WHERE upload_id = ?1", [upload_id])?;
                    tx.execute(
                        "UPDATE flow_uploads SET assembling = 0, attachment_id = ?2 WHERE id = ?1",
                        params![upload_id, attachment_id],
                    )?;
                    tx.commit()?;
                    Ok(true)
                }
                // The attachment is upstream: its answer is remembered, as
                // `attachment_id` is in local mode, so a retried part gets it
                // again instead of starting an empty upload (or, for a
                // one-part file, sending the file up a second time). The
                // body is at most `MAX_RELAYED_BODY` (read so for the waiters).
                AssemblyOutcome::Relayed {
                    status,
                    headers,
                    body,
                } if status.is_success() => {
                    let content_type = headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok());
                    let tx = conn.transaction()?;
                    tx.execute("DELETE FROM flow_chunks WHERE upload_id = ?1", [upload_id])?;
                    tx.execute(
                        "UPDATE flow_uploads SET assembling = 0, relayed_status = ?2,
                         relayed_type = ?3, relayed_body = ?4 WHERE id = ?1",
                        params![upload_id, status.as_u16(), content_type, body.as_ref()],
                    )?;
                    tx.commit()?;
                    Ok(true)
                }
                // The upstream refused or failed (401, 413, 502, 503...):
                // the parts stay, so the last part sent again sends the file
                // again instead of starting an empty upload.
                AssemblyOutcome::Relayed { .. } | AssemblyOutcome::Failed => {
                    conn.execute(
                        "UPDATE flow_uploads SET assembling = 0 WHERE id = ?1",
                        [upload_id],
                    )?;
                    Ok(false)
                }
            }
        })();
        if let Ok(true) = recorded {
            remove_dir_quietly(&self.flow_dir(upload_id));
        }
        // Announced even if the database refused: the waiters must not wait
        // for an answer that will never come. A flag left set without an
        // entry here is taken over by the next part (see `store_chunk_blocking`).
        if let Some(sender) = self.assemblies().remove(&upload_id) {
            sender.send_replace(Some(Arc::new(outcome)));
        }
        recorded.map(drop).map_err(Into::into)
    }

    /// Whether `owner`'s upload `identifier` holds part `number`. Uploads
    /// are `owner`'s own (see `auth::owner_key`): another caller's upload
    /// of the same identifier is not seen; nor, when the request names
    /// its file (`filename`), another file's upload of that identifier.
    pub async fn flow_has_chunk(
        &self,
        owner: String,
        identifier: String,
        filename: Option<String>,
        number: u64,
    ) -> anyhow::Result<bool> {
        self.with_db(move |_, conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM flow_chunks JOIN flow_uploads ON flow_uploads.id = upload_id
                 WHERE owner = ?1 AND identifier = ?2 AND number = ?3
                   AND (?4 IS NULL OR filename = ?4)",
                params![owner, identifier, number, filename],
                |row| row.get::<_, i64>(0),
            )
        })
        .await?
        .map(|count| count > 0)
        .map_err(Into::into)
    }

    /// Files part `number` (whose size the caller checked) under its
    /// upload: `owner`'s upload of the declared identifier. Sending a part
    /// again replaces it, as Flow.js retries do. Temporary attachments
    /// created before `cutoff` have expired.
    pub async fn flow_store_chunk(
        &self,
        owner: String,
        declared: FlowDeclared,
        number: u64,
        size: u64,
        mut part: PartFile,
        (now, cutoff): (i64, i64),
    ) -> anyhow::Result<ChunkStored> {
        part.close().await?;
        self.with_db(move |storage, conn| {
            storage.store_chunk_blocking(conn, &owner, &declared, number, size, part, (now, cutoff))
        })
        .await?
    }

    #[allow(clippy::too_many_arguments)]
    fn store_chunk_blocking(
        &self,
        conn: &mut Connection,
        owner: &str,
        declared: &FlowDeclared,
        number: u64,
        size: u64,
        mut part: PartFile,
        (now, cutoff): (i64, i64),
    ) -> anyhow::Result<ChunkStored> {
        let tx = conn.transaction()?;
        let existing = tx
            .query_row(
                "SELECT id, total_size, chunk_size, total_chunks, assembling, attachment_id,
                        relayed_status, relayed_type, relayed_body, updated_at, filename
                 FROM flow_uploads WHERE owner = ?1 AND identifier = ?2",
                params![owner, declared.identifier],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        (
                            row.get::<_, u64>(1)?,
                            row.get::<_, u64>(2)?,
                            row.get::<_, u64>(3)?,
                            row.get::<_, String>(10)?,
                        ),
                        row.get::<_, bool>(4)?,
                        row.get::<_, Option<i64>>(5)?,
                        (
                            row.get::<_, Option<u16>>(6)?,
                            row.get::<_, Option<String>>(7)?,
                            row.get::<_, Option<Vec<u8>>>(8)?,
                            row.get::<_, i64>(9)?,
                        ),
                    ))
                },
            )
            .optional()?;
        // The file name too: Flow.js's default identifier (the size and
        // the name without punctuation) is the same for `a.b.txt` and
        // `ab.txt` of one size, and one file's parts or finished
        // attachment must never be taken for the other's.
        let same_totals =
            |(total_size, chunk_size, total_chunks, filename): (u64, u64, u64, String)| {
                (total_size, chunk_size, total_chunks)
                    == (
                        declared.total_size,
                        declared.chunk_size,
                        declared.total_chunks,
                    )
                    && filename == declared.filename
            };
        // A finished upload whose attachment is gone (attached, expired
        // though not yet swept, deleted) is over: the identifier starts afresh.
        let existing = match existing {
            // Sent upstream and taken there (proxy mode). Whether the
            // upstream's temporary attachment was attached since cannot be
            // known here, so the answer is remembered for the temporary TTL
            // counted from the last part, which came just before the
            // upstream created the attachment.
            Some((id, totals, _, _, (Some(status), content_type, body, updated_at))) => {
                let status = StatusCode::from_u16(status).ok();
                if let (Some(status), true, true) =
                    (status, updated_at >= cutoff, same_totals(totals))
                {
                    tx.commit()?;
                    let mut headers = HeaderMap::new();
                    if let Some(value) = content_type.and_then(|t| HeaderValue::from_str(&t).ok()) {
                        headers.insert(header::CONTENT_TYPE, value);
                    }
                    return Ok(ChunkStored::Relayed {
                        status,
                        headers,
                        body: Bytes::from(body.unwrap_or_default()),
                    });
                }
                tx.execute("DELETE FROM flow_uploads WHERE id = ?1", [id])?;
                None
            }
            Some((id, totals, _, Some(attachment_id), _)) => {
                let alive: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM attachments
                     WHERE id = ?1 AND issue_key IS NULL AND created_at >= ?2)",
                    params![attachment_id, cutoff],
                    |row| row.get(0),
                )?;
                if alive && same_totals(totals) {
                    tx.commit()?;
                    return Ok(ChunkStored::Finished { attachment_id });
                }
                tx.execute("DELETE FROM flow_uploads WHERE id = ?1", [id])?;
                None
            }
            Some((id, totals, assembling, None, _)) => Some((id, totals, assembling)),
            None => None,
        };
        let id = match existing {
            Some((id, totals, assembling)) => {
                if !same_totals(totals) {
                    return Ok(ChunkStored::Mismatch);
                }
                if assembling {
                    if let Some(sender) = self.assemblies().get(&id) {
                        return Ok(ChunkStored::Assembling(sender.subscribe()));
                    }
                    // Nobody is at work on it (its end could not be
                    // recorded): this part takes the upload over.
                }
                tx.execute(
                    "UPDATE flow_uploads SET updated_at = ?2 WHERE id = ?1",
                    params![id, now],
                )?;
                id
            }
            None => {
                tx.execute(
                    "INSERT INTO flow_uploads (owner, identifier, filename, total_size, chunk_size, total_chunks, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        owner,
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
        let complete = stored == declared.total_chunks;
        tx.execute(
            "UPDATE flow_uploads SET assembling = ?2 WHERE id = ?1",
            params![id, complete],
        )?;
        tx.commit()?;
        if !complete {
            return Ok(ChunkStored::Partial { stored });
        }
        let (sender, outcome) = watch::channel(None);
        self.assemblies().insert(id, sender);
        Ok(ChunkStored::Complete {
            assembly: Assembly {
                storage: self.clone(),
                upload: FlowUpload {
                    id,
                    declared: declared.clone(),
                },
                settled: false,
            },
            outcome,
        })
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

    /// Removes uploads that saw no part since `cutoff`, except those being
    /// assembled. An upload whose flag is set with nobody at work on it (no
    /// announcement pending: its end could not be recorded) is abandoned
    /// like any other and goes too. Read with the database lock held, which
    /// is when the flag and the announcements change together.
    pub async fn sweep_flow(&self, cutoff: i64) -> anyhow::Result<usize> {
        self.with_db(move |storage, conn| -> anyhow::Result<usize> {
            let candidates = conn
                .prepare("SELECT id, assembling FROM flow_uploads WHERE updated_at < ?1")?
                .query_map([cutoff], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, bool>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let ids: Vec<i64> = {
                let assemblies = storage.assemblies();
                candidates
                    .into_iter()
                    .filter(|(id, assembling)| !assembling || !assemblies.contains_key(id))
                    .map(|(id, _)| id)
                    .collect()
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    struct Dir(std::path::PathBuf);

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    async fn store_only_part(storage: &Storage) -> ChunkStored {
        let declared = FlowDeclared {
            identifier: "1-x".into(),
            filename: "x.bin".into(),
            total_size: 1,
            chunk_size: 10,
            total_chunks: 1,
        };
        let mut part = storage.new_part().await.unwrap();
        part.write_all(b"x").await.unwrap();
        storage
            .flow_store_chunk("0".repeat(64), declared, 1, 1, part, (0, 0))
            .await
            .unwrap()
    }

    /// A fresh storage, and an upload whose only part started its assembly
    /// while a second copy of that part waits for it.
    struct AssemblyUnderWay {
        _dir: Dir,
        storage: Storage,
        assembly: Assembly,
        outcome: watch::Receiver<Outcome>,
        waiter: watch::Receiver<Outcome>,
    }

    async fn assembly_under_way() -> AssemblyUnderWay {
        let dir = Dir(std::env::temp_dir().join(format!(
            "ta-server-unit-{}-{}",
            std::process::id(),
            super::super::random_name()
        )));
        let storage = Storage::open(&dir.0, 0).unwrap();
        let ChunkStored::Complete { assembly, outcome } = store_only_part(&storage).await else {
            panic!("the only part did not complete the upload");
        };
        let ChunkStored::Assembling(waiter) = store_only_part(&storage).await else {
            panic!("a part sent during the assembly did not wait for it");
        };
        AssemblyUnderWay {
            _dir: dir,
            storage,
            assembly,
            outcome,
            waiter,
        }
    }

    async fn heard(receiver: &mut watch::Receiver<Outcome>) -> Outcome {
        tokio::time::timeout(
            std::time::Duration::from_secs(30),
            receiver.wait_for(Option::is_some),
        )
        .await
        .expect("no outcome announced")
        .expect("the announcement was lost")
        .clone()
    }

    /// A panic in the assembly task, or the request dropped before the task
    /// began, drops the assembly unsettled: the waiters hear of a failure,
    /// and the next part takes the upload over instead of waiting forever.
    #[tokio::test]
    async fn an_assembly_dropped_unsettled_is_released() {
        let AssemblyUnderWay {
            _dir,
            storage,
            assembly,
            mut outcome,
            mut waiter,
        } = assembly_under_way().await;
        drop(assembly);
        for receiver in [&mut outcome, &mut waiter] {
            assert!(matches!(
                heard(receiver).await.as_deref(),
                Some(AssemblyOutcome::Failed)
            ));
        }
        assert!(matches!(
            store_only_part(&storage).await,
            ChunkStored::Complete { .. }
        ));
    }

    /// A settle that cannot reach the database (here its lock is poisoned)
    /// still tells the waiters, and leaves no announcement pending.
    #[tokio::test]
    async fn a_settle_that_cannot_record_still_announces_a_failure() {
        let AssemblyUnderWay {
            _dir,
            storage,
            assembly,
            mut outcome,
            mut waiter,
        } = assembly_under_way().await;
        let db = storage.db.clone();
        let poisoner = std::thread::spawn(move || {
            let _held = db.lock();
            panic!("poisoning the database lock on purpose");
        });
        assert!(poisoner.join().is_err());
        assert!(storage.db.is_poisoned());
        assert!(assembly
            .settle(AssemblyOutcome::Stored { attachment_id: 1 })
            .await
            .is_err());
        for receiver in [&mut outcome, &mut waiter] {
            assert!(matches!(
                heard(receiver).await.as_deref(),
                Some(AssemblyOutcome::Failed)
            ));
        }
        assert!(storage.assemblies().is_empty());
    }

    /// A settle whose outcome the database refuses to record leaves the
    /// flag set with nobody at work on it; once the upload is past the TTL,
    /// the sweeper removes it and its parts all the same.
    #[tokio::test]
    async fn an_assembly_whose_end_was_not_recorded_is_swept() {
        let AssemblyUnderWay {
            _dir,
            storage,
            assembly,
            mut outcome,
            ..
        } = assembly_under_way().await;
        let upload_id = assembly.upload().id;
        let refuse = |sql: &'static str| {
            storage.lock().unwrap().execute_batch(sql).unwrap();
        };
        refuse(
            "CREATE TRIGGER refuse BEFORE UPDATE ON flow_uploads
             BEGIN SELECT RAISE(ABORT, 'refused on purpose'); END;",
        );
        assert!(assembly.settle(AssemblyOutcome::Failed).await.is_err());
        assert!(matches!(
            heard(&mut outcome).await.as_deref(),
            Some(AssemblyOutcome::Failed)
        ));
        refuse("DROP TRIGGER refuse;");
        let assembling: bool = storage
            .lock()
            .unwrap()
            .query_row(
                "SELECT assembling FROM flow_uploads WHERE id = ?1",
                [upload_id],
                |row| row.get(0),
            )
            .unwrap();
        assert!(assembling, "the refused settle cleared the flag");
        assert!(storage.assemblies().is_empty());
        assert!(storage.flow_dir(upload_id).exists());

        // Not yet past its time: kept.
        assert_eq!(storage.sweep_flow(0).await.unwrap(), 0);
        assert_eq!(storage.sweep_flow(1).await.unwrap(), 1);
        assert!(!storage.flow_dir(upload_id).exists());
        let rows: i64 = storage
            .lock()
            .unwrap()
            .query_row("SELECT COUNT(*) FROM flow_uploads", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 0);
    }

    /// An assembly still at work is never swept, however old its upload.
    #[tokio::test]
    async fn an_assembly_at_work_is_not_swept() {
        let AssemblyUnderWay {
            _dir,
            storage,
            assembly,
            ..
        } = assembly_under_way().await;
        assert_eq!(storage.sweep_flow(i64::MAX).await.unwrap(), 0);
        assert!(storage.flow_dir(assembly.upload().id).exists());
        assembly
            .settle(AssemblyOutcome::Stored { attachment_id: 1 })
            .await
            .unwrap();
    }
}
