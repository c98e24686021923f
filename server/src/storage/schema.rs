//! The SQLite schema and its migrations; `user_version` counts them, so a
//! data directory from an older build is upgraded in place.

use rusqlite::{params, Connection};

/// Ids start here so they look like Tracker's and never like small indices.
const FIRST_ATTACHMENT_ID: i64 = 1000;
/// Jira issue ids are numbers; ours start where Jira Cloud's usually do.
const FIRST_ISSUE_ID: i64 = 10_001;
const FIRST_COMMENT_ID: i64 = 100;

/// What a fresh data directory holds, so demos and tests have issues to use.
const SEEDED_ISSUES: [(&str, &str); 3] = [
    (
        "Attach screenshots here",
        "Demo issue for the tracker-attachments widget.",
    ),
    (
        "Collect the logs of the failed deploy",
        "Upload logs and archives to this issue.",
    ),
    ("A third issue for experiments", ""),
];

pub(super) fn migrate(conn: &mut Connection, now: i64) -> rusqlite::Result<()> {
    // WAL lets readers (downloads) proceed while an upload commits.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version < 1 {
        let tx = conn.transaction()?;
        tx.execute_batch(
            "CREATE TABLE attachments (
                 id         INTEGER PRIMARY KEY AUTOINCREMENT,
                 name       TEXT    NOT NULL,
                 size       INTEGER NOT NULL,
                 mimetype   TEXT    NOT NULL,
                 created_at INTEGER NOT NULL,
                 issue_key  TEXT,
                 thumbnail  INTEGER NOT NULL DEFAULT 0,
                 width      INTEGER,
                 height     INTEGER
             );",
        )?;
        set_sequence(&tx, "attachments", FIRST_ATTACHMENT_ID)?;
        tx.pragma_update(None, "user_version", 1)?;
        tx.commit()?;
    }
    if version < 2 {
        let tx = conn.transaction()?;
        tx.execute_batch(
            "ALTER TABLE attachments ADD COLUMN comment_id INTEGER;
             CREATE INDEX attachments_issue ON attachments (issue_key);
             CREATE INDEX attachments_temporary ON attachments (created_at) WHERE issue_key IS NULL;
             CREATE TABLE issues (
                 id           INTEGER PRIMARY KEY AUTOINCREMENT,
                 key          TEXT    NOT NULL UNIQUE,
                 queue        TEXT    NOT NULL,
                 number       INTEGER NOT NULL,
                 summary      TEXT    NOT NULL,
                 description  TEXT,
                 version      INTEGER NOT NULL DEFAULT 1,
                 created_at   INTEGER NOT NULL,
                 updated_at   INTEGER NOT NULL,
                 unique_value TEXT    UNIQUE
             );
             CREATE TABLE comments (
                 id         INTEGER PRIMARY KEY AUTOINCREMENT,
                 issue_key  TEXT    NOT NULL,
                 text       TEXT    NOT NULL,
                 created_at INTEGER NOT NULL
             );
             CREATE TABLE flow_uploads (
                 id           INTEGER PRIMARY KEY AUTOINCREMENT,
                 identifier   TEXT    NOT NULL UNIQUE,
                 filename     TEXT    NOT NULL,
                 total_size   INTEGER NOT NULL,
                 chunk_size   INTEGER NOT NULL,
                 total_chunks INTEGER NOT NULL,
                 assembling   INTEGER NOT NULL DEFAULT 0,
                 updated_at   INTEGER NOT NULL
             );
             CREATE TABLE flow_chunks (
                 upload_id INTEGER NOT NULL,
                 number    INTEGER NOT NULL,
                 size      INTEGER NOT NULL,
                 PRIMARY KEY (upload_id, number)
             );",
        )?;
        set_sequence(&tx, "issues", FIRST_ISSUE_ID)?;
        set_sequence(&tx, "comments", FIRST_COMMENT_ID)?;
        for (number, (summary, description)) in (1..).zip(SEEDED_ISSUES) {
            tx.execute(
                "INSERT INTO issues (key, queue, number, summary, description, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![
                    format!("{}-{number}", super::DEMO_QUEUE),
                    super::DEMO_QUEUE,
                    number,
                    summary,
                    (!description.is_empty()).then_some(description),
                    now
                ],
            )?;
        }
        tx.pragma_update(None, "user_version", 2)?;
        tx.commit()?;
    }
    if version < 3 {
        // A finished Flow.js upload is remembered (until the sweeper) with
        // the attachment it became, so a last part retried after a lost
        // answer gets that attachment again instead of starting over.
        let tx = conn.transaction()?;
        tx.execute_batch("ALTER TABLE flow_uploads ADD COLUMN attachment_id INTEGER;")?;
        tx.pragma_update(None, "user_version", 3)?;
        tx.commit()?;
    }
    if version < 4 {
        // Proxy mode's counterpart of `attachment_id`: the upstream's 2xx
        // answer to an assembled file (status, Content-Type, body), so a
        // last part retried after a lost answer gets that answer again
        // instead of starting an empty upload or sending the file twice.
        let tx = conn.transaction()?;
        tx.execute_batch(
            "ALTER TABLE flow_uploads ADD COLUMN relayed_status INTEGER;
             ALTER TABLE flow_uploads ADD COLUMN relayed_type TEXT;
             ALTER TABLE flow_uploads ADD COLUMN relayed_body BLOB;",
        )?;
        tx.pragma_update(None, "user_version", 4)?;
        tx.commit()?;
    }
    if version < 5 {
        // An upload is its sender's: keyed by `owner` (a hash of the
        // credential and organisation, see `auth::owner_key`) and the
        // identifier, which alone was unique before. SQLite cannot drop a
        // column's UNIQUE, so the table is rebuilt, ids and all (parts
        // live under `flow/<id>`). Uploads of older builds get the owner
        // '', which no request has: nobody resumes them, and the sweeper
        // removes them after `--temp-ttl`.
        let tx = conn.transaction()?;
        let sequence: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'flow_uploads'",
            [],
            |row| row.get(0),
        )?;
        tx.execute_batch(
            "CREATE TABLE flow_uploads_v5 (
                 id             INTEGER PRIMARY KEY AUTOINCREMENT,
                 owner          TEXT    NOT NULL,
                 identifier     TEXT    NOT NULL,
                 filename       TEXT    NOT NULL,
                 total_size     INTEGER NOT NULL,
                 chunk_size     INTEGER NOT NULL,
                 total_chunks   INTEGER NOT NULL,
                 assembling     INTEGER NOT NULL DEFAULT 0,
                 updated_at     INTEGER NOT NULL,
                 attachment_id  INTEGER,
                 relayed_status INTEGER,
                 relayed_type   TEXT,
                 relayed_body   BLOB,
                 UNIQUE (owner, identifier)
             );
             INSERT INTO flow_uploads_v5 (id, owner, identifier, filename, total_size,
                 chunk_size, total_chunks, assembling, updated_at, attachment_id,
                 relayed_status, relayed_type, relayed_body)
             SELECT id, '', identifier, filename, total_size, chunk_size, total_chunks,
                 assembling, updated_at, attachment_id, relayed_status, relayed_type,
                 relayed_body
             FROM flow_uploads;
             DROP TABLE flow_uploads;
             ALTER TABLE flow_uploads_v5 RENAME TO flow_uploads;",
        )?;
        // Ids are never handed out twice, as before the rebuild: a part
        // directory left behind under an old id must not join a new upload.
        tx.execute(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?1) WHERE name = 'flow_uploads'",
            [sequence],
        )?;
        tx.execute(
            "INSERT INTO sqlite_sequence (name, seq)
             SELECT 'flow_uploads', ?1
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'flow_uploads')",
            [sequence],
        )?;
        tx.pragma_update(None, "user_version", 5)?;
        tx.commit()?;
    }
    Ok(())
}

/// The next AUTOINCREMENT id of `table` will be `first`.
fn set_sequence(tx: &rusqlite::Transaction<'_>, table: &str, first: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)",
        params![table, first - 1],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data directory of schema v3 (before proxy mode remembered its
    /// answers) is upgraded in place, keeping its unfinished uploads (to
    /// be swept: since v5 they belong to no sender).
    #[test]
    fn a_version_3_database_is_upgraded_in_place() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, 0).unwrap();
        // Back to what a v3 build left behind.
        conn.execute_batch(
            "DROP TABLE flow_uploads;
             CREATE TABLE flow_uploads (
                 id           INTEGER PRIMARY KEY AUTOINCREMENT,
                 identifier   TEXT    NOT NULL UNIQUE,
                 filename     TEXT    NOT NULL,
                 total_size   INTEGER NOT NULL,
                 chunk_size   INTEGER NOT NULL,
                 total_chunks INTEGER NOT NULL,
                 assembling   INTEGER NOT NULL DEFAULT 0,
                 updated_at   INTEGER NOT NULL,
                 attachment_id INTEGER
             );
             PRAGMA user_version = 3;
             INSERT INTO flow_uploads (identifier, filename, total_size, chunk_size, total_chunks, updated_at)
             VALUES ('3-abc', 'abc', 3, 1, 3, 7);",
        )
        .unwrap();
        migrate(&mut conn, 0).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, 5);
        let kept: (String, Option<u16>, Option<Vec<u8>>) = conn
            .query_row(
                "SELECT identifier, relayed_status, relayed_body FROM flow_uploads",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .unwrap();
        assert_eq!(kept, ("3-abc".to_owned(), None, None));
    }

    /// A data directory of schema v4 (uploads keyed by identifier alone)
    /// is upgraded in place: its uploads keep their ids (their parts'
    /// directories), get an owner no request has, and ids are not handed
    /// out again; two owners may then hold the same identifier.
    #[test]
    fn a_version_4_database_is_upgraded_in_place() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, 0).unwrap();
        // Back to what a v4 build left behind.
        conn.execute_batch(
            "DROP TABLE flow_uploads;
             CREATE TABLE flow_uploads (
                 id           INTEGER PRIMARY KEY AUTOINCREMENT,
                 identifier   TEXT    NOT NULL UNIQUE,
                 filename     TEXT    NOT NULL,
                 total_size   INTEGER NOT NULL,
                 chunk_size   INTEGER NOT NULL,
                 total_chunks INTEGER NOT NULL,
                 assembling   INTEGER NOT NULL DEFAULT 0,
                 updated_at   INTEGER NOT NULL,
                 attachment_id INTEGER,
                 relayed_status INTEGER,
                 relayed_type TEXT,
                 relayed_body BLOB
             );
             PRAGMA user_version = 4;
             INSERT INTO flow_uploads (id, identifier, filename, total_size, chunk_size,
                 total_chunks, updated_at, relayed_status, relayed_body)
             VALUES (7, '3-abc', 'abc', 3, 1, 3, 70, 201, x'7b7d'),
                    (9, '4-abcd', 'abcd', 4, 1, 4, 90, NULL, NULL);
             DELETE FROM flow_uploads WHERE id = 9;",
        )
        .unwrap();
        migrate(&mut conn, 0).unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, 5);
        let kept: (i64, String, String, i64, Option<u16>, Option<Vec<u8>>) = conn
            .query_row(
                "SELECT id, owner, identifier, updated_at, relayed_status, relayed_body
                 FROM flow_uploads",
                [],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(
            kept,
            (
                7,
                String::new(),
                "3-abc".into(),
                70,
                Some(201),
                Some(b"{}".to_vec())
            )
        );
        let insert = |owner: &str| {
            conn.execute(
                "INSERT INTO flow_uploads (owner, identifier, filename, total_size, chunk_size,
                     total_chunks, updated_at)
                 VALUES (?1, '3-abc', 'abc', 3, 1, 3, 0)",
                [owner],
            )
            .map(|_| conn.last_insert_rowid())
        };
        // Past the highest id ever used (9), not the highest left (7).
        assert_eq!(insert("a").unwrap(), 10);
        assert_eq!(insert("b").unwrap(), 11);
        assert!(insert("a").is_err(), "one owner, one upload per identifier");
    }
}
