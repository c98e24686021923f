use std::fmt;

use super::{Locale, Refusal};

/// Why one file did not upload. Every variant carries enough for a person to
/// act on, and [`UploadError::is_retryable`] is what a retry policy reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadError {
    /// The request never got an HTTP answer (offline, DNS, CORS, reset).
    Network(String),
    /// The server answered with a non-success status.
    Http { status: u16, message: String },
    /// A success status with a body we could not read as an attachment.
    InvalidResponse(String),
    /// The user (or an unmount) cancelled the request.
    Cancelled,
    /// The browser refused an operation (e.g. building the form data).
    Browser(String),
    /// The mode uploads to an issue, and no issue key was given.
    NeedsIssue { mode: String },
    /// Attaching later: every kept temporary attachment had expired or was
    /// attached elsewhere already.
    KeptExpired { count: usize },
    /// Attaching later was asked for without an issue key.
    NoIssueKey,
    /// Attaching later was asked for while an attach is still running.
    AttachRunning,
    /// The body stopped going out for this long (a half-dead connection);
    /// retried like a network error.
    Stalled { seconds: u32 },
    /// The request had not begun to send its body this long after it was
    /// sent: a connection or a CORS preflight that never answers (or, over
    /// HTTP/1.1, one waiting behind other tabs' uploads for a connection);
    /// retried like a network error.
    NotStarted { seconds: u32 },
    /// The browser would no longer read the file: it changed on disk (a log
    /// still being written), or was moved or deleted, after it was picked.
    /// Sending it again would fail alike: it is to be added again.
    FileChanged,
    /// Cancelled after the server had the whole file, and taking it back
    /// off the issue failed: the file stays attached. `reason` is why the
    /// deletion failed; `None` when the server's answer did not tell which
    /// attachment was the file's, so nothing was deleted.
    NotTakenBack { reason: Option<Box<UploadError>> },
    /// The whole file had gone out to an upload that attaches it to an
    /// issue, and then the answer was lost (see
    /// [`UploadError::leaves_outcome_unknown`]): the file may be attached
    /// already, so it is not sent again without the user.
    AnswerLost(Box<UploadError>),
    /// The restrictions refused the file before a byte was sent (told as
    /// an error so that a host hears of it as of any other failure).
    Refused(Refusal),
    /// Deleting a finished upload from its issue (the user's "Delete from
    /// issue", T6 or J6) failed for this reason: the file is still there.
    NotDeleted(Box<UploadError>),
    /// A deletion was asked for a file that is no finished upload on an
    /// issue in this widget (an unknown id, or a mode that keeps
    /// temporary files or has no way to delete).
    NothingToDelete,
    /// A deletion was asked for a file already being deleted.
    DeleteRunning,
    /// A comment was asked for in a mode whose endpoint has no comments
    /// (Jira, a plain form): refused rather than dropped in silence, so
    /// the host knows the user's text went nowhere.
    NoComments { mode: String },
}

impl UploadError {
    /// Transient failures only: a 4xx other than 408/429 will fail again.
    pub fn is_retryable(&self) -> bool {
        match self {
            UploadError::Network(_)
            | UploadError::Stalled { .. }
            | UploadError::NotStarted { .. } => true,
            UploadError::Http { status, .. } => {
                matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
            }
            // The deletion's own failure: a 503 may pass, a 403 will not.
            UploadError::NotDeleted(reason) => reason.is_retryable(),
            _ => false,
        }
    }

    /// A failure of the connection itself (no answer, or a body that
    /// stopped going out): the kind an offline browser explains, so the
    /// queue holds the file for the connection instead of spending a try.
    pub fn waits_for_network(&self) -> bool {
        matches!(
            self,
            UploadError::Network(_) | UploadError::Stalled { .. } | UploadError::NotStarted { .. }
        )
    }

    /// After the whole request went out, whether this failure leaves open
    /// if the server acted on it: the connection broke, or a server or a
    /// proxy in front of it failed or gave up waiting (500, 502, 504).
    /// A 408, 429 or 503 says the request was not taken.
    pub fn leaves_outcome_unknown(&self) -> bool {
        match self {
            UploadError::Network(_) => true,
            UploadError::Http { status, .. } => matches!(status, 500 | 502 | 504),
            _ => false,
        }
    }

    /// The HTTP status behind the error: for [`UploadError::NotTakenBack`],
    /// the deletion's.
    pub fn status(&self) -> Option<u16> {
        match self {
            UploadError::Http { status, .. } => Some(*status),
            UploadError::AnswerLost(lost) | UploadError::NotDeleted(lost) => lost.status(),
            UploadError::NotTakenBack {
                reason: Some(reason),
            } => reason.status(),
            _ => None,
        }
    }
}

/// English, for logs and the API; the widget shows [`Locale::error`] in the
/// reader's language.
impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Locale::En.error(self))
    }
}

impl std::error::Error for UploadError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> UploadError {
        UploadError::Http {
            status,
            message: String::new(),
        }
    }

    #[test]
    fn retries_transient_statuses_only() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(http(status).is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 413, 422] {
            assert!(!http(status).is_retryable(), "{status}");
        }
        assert!(UploadError::Network("reset".into()).is_retryable());
        assert!(UploadError::Stalled { seconds: 30 }.is_retryable());
        assert!(!UploadError::Cancelled.is_retryable());
        assert!(!UploadError::KeptExpired { count: 1 }.is_retryable());
        // Refused by the restrictions: it would be refused again.
        assert!(!UploadError::Refused(Refusal::Duplicate).is_retryable());
        // Retrying would put a second copy on the issue.
        assert!(!UploadError::NotTakenBack {
            reason: Some(Box::new(http(503)))
        }
        .is_retryable());
    }

    #[test]
    fn a_refusal_reads_as_the_rows_reason() {
        let refusal = Refusal::TooLarge {
            size: 2048,
            max: 1024,
        };
        for locale in [Locale::En, Locale::Ru] {
            assert_eq!(
                locale.error(&UploadError::Refused(refusal.clone())),
                locale.refusal(&refusal)
            );
        }
        assert_eq!(
            UploadError::Refused(refusal).to_string(),
            "Too large: 2.0\u{a0}KB (at most 1.0\u{a0}KB)"
        );
    }

    #[test]
    fn only_broken_answers_leave_the_outcome_unknown() {
        for status in [500, 502, 504] {
            assert!(http(status).leaves_outcome_unknown(), "{status}");
        }
        for status in [400, 403, 408, 413, 422, 429, 503] {
            assert!(!http(status).leaves_outcome_unknown(), "{status}");
        }
        assert!(UploadError::Network("reset".into()).leaves_outcome_unknown());
        assert!(!UploadError::Cancelled.leaves_outcome_unknown());
        assert!(!UploadError::InvalidResponse("x".into()).leaves_outcome_unknown());
        let lost = UploadError::AnswerLost(Box::new(http(504)));
        assert!(!lost.is_retryable());
        assert_eq!(lost.status(), Some(504));
    }

    #[test]
    fn a_file_left_attached_carries_the_deletions_status() {
        let refused = UploadError::NotTakenBack {
            reason: Some(Box::new(http(403))),
        };
        assert_eq!(refused.status(), Some(403));
        assert_eq!(UploadError::NotTakenBack { reason: None }.status(), None);
    }

    #[test]
    fn a_file_not_deleted_carries_the_deletions_status_and_retryability() {
        let busy = UploadError::NotDeleted(Box::new(http(503)));
        assert_eq!(busy.status(), Some(503));
        assert!(busy.is_retryable());
        let forbidden = UploadError::NotDeleted(Box::new(http(403)));
        assert_eq!(forbidden.status(), Some(403));
        assert!(!forbidden.is_retryable());
        assert!(
            UploadError::NotDeleted(Box::new(UploadError::Network("reset".into()))).is_retryable()
        );
        assert_eq!(UploadError::NothingToDelete.status(), None);
        assert!(!UploadError::DeleteRunning.is_retryable());
    }

    #[test]
    fn message_names_status() {
        let e = UploadError::Http {
            status: 404,
            message: "Issue does not exist.".into(),
        };
        assert_eq!(e.to_string(), "Issue does not exist. (HTTP 404)");
        assert_eq!(http(503).to_string(), "HTTP 503");
    }
}
