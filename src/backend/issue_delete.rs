//! Deleting a finished upload from its issue (T6, J6): which rows may, and
//! what the server's answer means. The same request takes back a file
//! cancelled after the server had it.

use super::{error_from_response, Mode};
use crate::core::{Attachment, EntryState, UploadError};

/// The attachment a row in `state`, uploaded in `mode`, may delete from
/// its issue: a finished upload of a mode that attaches straight onto an
/// issue. The others keep temporary ids the page attaches later (the
/// file is on no issue yet) or post to an endpoint with no way to delete.
pub fn deletable(mode: Mode, state: &EntryState) -> Option<&Attachment> {
    match state {
        EntryState::Done { attachment } if mode.deletes_from_issue() => Some(attachment),
        _ => None,
    }
}

/// What a deletion's answer means: 2xx, or 404 (gone already, which is
/// all that was asked), is done; anything else is why the file is still
/// on the issue, read from the body as any error answer is.
pub fn deletion_outcome(status: u16, body: &str) -> Result<(), UploadError> {
    if (200..300).contains(&status) || status == 404 {
        Ok(())
    } else {
        Err(error_from_response(status, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_finished_uploads_straight_to_an_issue_may_be_deleted() {
        let attachment = Attachment::named("41", "a.txt", 3);
        let done = EntryState::Done {
            attachment: attachment.clone(),
        };
        for mode in Mode::ALL {
            let expected = matches!(mode, Mode::TrackerIssue | Mode::Jira);
            assert_eq!(deletable(mode, &done).is_some(), expected, "{mode:?}");
        }
        assert_eq!(deletable(Mode::Jira, &done), Some(&attachment));
        for state in [
            EntryState::Queued,
            EntryState::Uploading { sent: 1, total: 3 },
            EntryState::Cancelled,
            EntryState::Failed {
                error: UploadError::Network("reset".into()),
            },
        ] {
            assert_eq!(deletable(Mode::TrackerIssue, &state), None, "{state:?}");
        }
    }

    #[test]
    fn gone_is_deleted_and_a_refusal_says_why() {
        assert_eq!(deletion_outcome(204, ""), Ok(()));
        assert_eq!(deletion_outcome(200, "{}"), Ok(()));
        assert_eq!(deletion_outcome(404, "not here"), Ok(()));
        let body = r#"{"errorMessages": ["You may not delete attachments."], "statusCode": 403}"#;
        match deletion_outcome(403, body) {
            Err(UploadError::Http { status, message }) => {
                assert_eq!(status, 403);
                assert_eq!(message, "You may not delete attachments.");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            deletion_outcome(503, ""),
            Err(UploadError::Http { status: 503, .. })
        ));
        assert!(deletion_outcome(301, "").is_err());
    }
}
