//! Issues and comments, and attaching temporary files to them. Every change
//! is one transaction, so a refused attachment id changes nothing.

use std::collections::HashSet;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::Storage;

/// The one queue of the reference server.
pub const DEMO_QUEUE: &str = "DEMO";
pub const DEMO_QUEUE_ID: &str = "1";

const ISSUE_COLUMNS: &str = "id, key, queue, summary, description, version, created_at, updated_at";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub id: i64,
    pub key: String,
    pub queue: String,
    pub summary: String,
    pub description: Option<String>,
    /// Grows with every change, as Tracker's does; `If-Match` compares it.
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: i64,
    pub issue_key: String,
    pub text: String,
    pub created_at: i64,
    /// `(id, name)` of the files attached with the comment.
    pub attachments: Vec<(i64, String)>,
}

/// An item of `attachmentIds` as the client sent it (`raw`, for the error
/// message) and as a number if it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRef {
    pub raw: String,
    pub id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewIssue {
    pub queue: String,
    pub summary: String,
    pub description: Option<String>,
    pub unique: Option<String>,
    pub attachments: Vec<AttachmentRef>,
}

#[derive(Debug, Clone, Default)]
pub struct IssuePatch {
    pub summary: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub attachments: Vec<AttachmentRef>,
}

impl IssuePatch {
    pub fn is_empty(&self) -> bool {
        self.summary.is_none() && self.description.is_none() && self.attachments.is_empty()
    }
}

#[derive(Debug)]
pub enum IssueError {
    NotFound,
    UnknownQueue,
    VersionMismatch {
        current: i64,
    },
    Duplicate {
        key: String,
    },
    /// Not a temporary attachment that can be attached: unknown, expired or
    /// already attached. Carries the id as the client wrote it.
    Unattachable(String),
    Db(anyhow::Error),
}

impl From<rusqlite::Error> for IssueError {
    fn from(e: rusqlite::Error) -> Self {
        IssueError::Db(e.into())
    }
}

impl From<anyhow::Error> for IssueError {
    fn from(e: anyhow::Error) -> Self {
        IssueError::Db(e)
    }
}

impl Storage {
    /// By key (`DEMO-1`) or, as Tracker and Jira both allow, by id.
    pub async fn issue(&self, key_or_id: String) -> anyhow::Result<Option<Issue>> {
        self.with_db(move |_, conn| lookup(conn, &key_or_id))
            .await?
            .map_err(Into::into)
    }

    pub async fn issues(&self) -> anyhow::Result<Vec<Issue>> {
        self.with_db(|_, conn| {
            conn.prepare(&format!("SELECT {ISSUE_COLUMNS} FROM issues ORDER BY id"))?
                .query_map([], row_to_issue)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .await?
        .map_err(Into::into)
    }

    /// Creates an issue, attaching temporary files alive at `cutoff`.
    pub async fn create_issue(
        &self,
        new: NewIssue,
        now: i64,
        cutoff: i64,
    ) -> Result<Issue, IssueError> {
        self.with_db(move |_, conn| -> Result<Issue, IssueError> {
            if new.queue != DEMO_QUEUE {
                return Err(IssueError::UnknownQueue);
            }
            let tx = conn.transaction()?;
            if let Some(unique) = &new.unique {
                let existing: Option<String> = tx
                    .query_row(
                        "SELECT key FROM issues WHERE unique_value = ?1",
                        [unique],
                        |row| row.get(0),
                    )
                    .optional()?;
                if let Some(key) = existing {
                    return Err(IssueError::Duplicate { key });
                }
            }
            let number: i64 = tx.query_row(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM issues WHERE queue = ?1",
                [&new.queue],
                |row| row.get(0),
            )?;
            let key = format!("{}-{number}", new.queue);
            tx.execute(
                "INSERT INTO issues (key, queue, number, summary, description, created_at, updated_at, unique_value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
                params![key, new.queue, number, new.summary, new.description, now, new.unique],
            )?;
            attach_temporaries(&tx, &new.attachments, &key, None, cutoff)?;
            let issue = lookup(&tx, &key)?.ok_or(IssueError::NotFound)?;
            tx.commit()?;
            Ok(issue)
        })
        .await?
    }

    /// Applies `patch` if the current version is one of `expected_versions`
    /// (from `If-Match`; `None` takes any).
    pub async fn patch_issue(
        &self,
        key_or_id: String,
        expected_versions: Option<Vec<i64>>,
        patch: IssuePatch,
        now: i64,
        cutoff: i64,
    ) -> Result<Issue, IssueError> {
        self.with_db(move |_, conn| -> Result<Issue, IssueError> {
            let tx = conn.transaction()?;
            let issue = lookup(&tx, &key_or_id)?.ok_or(IssueError::NotFound)?;
            if expected_versions
                .as_ref()
                .is_some_and(|versions| !versions.contains(&issue.version))
            {
                return Err(IssueError::VersionMismatch {
                    current: issue.version,
                });
            }
            if patch.is_empty() {
                return Ok(issue);
            }
            attach_temporaries(&tx, &patch.attachments, &issue.key, None, cutoff)?;
            if let Some(summary) = &patch.summary {
                tx.execute(
                    "UPDATE issues SET summary = ?2 WHERE key = ?1",
                    params![issue.key, summary],
                )?;
            }
            if let Some(description) = &patch.description {
                tx.execute(
                    "UPDATE issues SET description = ?2 WHERE key = ?1",
                    params![issue.key, description],
                )?;
            }
            touch(&tx, &issue.key, now)?;
            let issue = lookup(&tx, &issue.key)?.ok_or(IssueError::NotFound)?;
            tx.commit()?;
            Ok(issue)
        })
        .await?
    }

    pub async fn add_comment(
        &self,
        key_or_id: String,
        text: String,
        attachments: Vec<AttachmentRef>,
        now: i64,
        cutoff: i64,
    ) -> Result<Comment, IssueError> {
        self.with_db(move |_, conn| -> Result<Comment, IssueError> {
            let tx = conn.transaction()?;
            let issue = lookup(&tx, &key_or_id)?.ok_or(IssueError::NotFound)?;
            tx.execute(
                "INSERT INTO comments (issue_key, text, created_at) VALUES (?1, ?2, ?3)",
                params![issue.key, text, now],
            )?;
            let id = tx.last_insert_rowid();
            attach_temporaries(&tx, &attachments, &issue.key, Some(id), cutoff)?;
            // Files change the issue's attachment list; text alone does not
            // change the issue.
            if !attachments.is_empty() {
                touch(&tx, &issue.key, now)?;
            }
            let comment = comment(&tx, &issue.key, id)?.ok_or(IssueError::NotFound)?;
            tx.commit()?;
            Ok(comment)
        })
        .await?
    }

    pub async fn comments(&self, issue_key: String) -> anyhow::Result<Vec<Comment>> {
        self.with_db(move |_, conn| -> rusqlite::Result<Vec<Comment>> {
            let ids = conn
                .prepare("SELECT id FROM comments WHERE issue_key = ?1 ORDER BY id")?
                .query_map([&issue_key], |row| row.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut comments = Vec::with_capacity(ids.len());
            for id in ids {
                comments.extend(comment(conn, &issue_key, id)?);
            }
            Ok(comments)
        })
        .await?
        .map_err(Into::into)
    }

    pub async fn comment(&self, issue_key: String, id: i64) -> anyhow::Result<Option<Comment>> {
        self.with_db(move |_, conn| comment(conn, &issue_key, id))
            .await?
            .map_err(Into::into)
    }
}

fn lookup(conn: &Connection, key_or_id: &str) -> rusqlite::Result<Option<Issue>> {
    let by_key = conn
        .query_row(
            &format!("SELECT {ISSUE_COLUMNS} FROM issues WHERE key = ?1"),
            [key_or_id],
            row_to_issue,
        )
        .optional()?;
    match (by_key, key_or_id.parse::<i64>()) {
        (Some(issue), _) => Ok(Some(issue)),
        (None, Ok(id)) => conn
            .query_row(
                &format!("SELECT {ISSUE_COLUMNS} FROM issues WHERE id = ?1"),
                [id],
                row_to_issue,
            )
            .optional(),
        (None, Err(_)) => Ok(None),
    }
}

fn comment(conn: &Connection, issue_key: &str, id: i64) -> rusqlite::Result<Option<Comment>> {
    let Some((text, created_at)) = conn
        .query_row(
            "SELECT text, created_at FROM comments WHERE id = ?1 AND issue_key = ?2",
            params![id, issue_key],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let attachments = conn
        .prepare_cached("SELECT id, name FROM attachments WHERE comment_id = ?1 ORDER BY id")?
        .query_map([id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Comment {
        id,
        issue_key: issue_key.to_owned(),
        text,
        created_at,
        attachments,
    }))
}

/// Moves temporary attachments to the issue (and comment). Each one only
/// once: an id that is unknown, expired (created before `cutoff`) or already
/// attached fails the whole change. Repeats within one request count once.
fn attach_temporaries(
    tx: &Transaction<'_>,
    refs: &[AttachmentRef],
    issue_key: &str,
    comment_id: Option<i64>,
    cutoff: i64,
) -> Result<(), IssueError> {
    let mut seen = HashSet::new();
    for item in refs {
        let unattachable = || IssueError::Unattachable(item.raw.clone());
        let id = item.id.ok_or_else(unattachable)?;
        if !seen.insert(id) {
            continue;
        }
        let changed = tx.execute(
            "UPDATE attachments SET issue_key = ?2, comment_id = ?3
             WHERE id = ?1 AND issue_key IS NULL AND created_at >= ?4",
            params![id, issue_key, comment_id, cutoff],
        )?;
        if changed != 1 {
            return Err(unattachable());
        }
    }
    Ok(())
}

/// Records a change to the issue: a new version and `updatedAt`.
pub(super) fn touch(tx: &Transaction<'_>, key: &str, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE issues SET version = version + 1, updated_at = MAX(updated_at, ?2) WHERE key = ?1",
        params![key, now],
    )?;
    Ok(())
}

fn row_to_issue(row: &Row<'_>) -> rusqlite::Result<Issue> {
    Ok(Issue {
        id: row.get(0)?,
        key: row.get(1)?,
        queue: row.get(2)?,
        summary: row.get(3)?,
        description: row.get(4)?,
        version: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}
