//! An upload straight onto an issue whose answer was lost after its last
//! byte: whether the issue holds the file now decides between sending it
//! again (it was not taken) and recording it as done (it was).

use crate::core::{parse_timestamp_ms, Attachment, FileMeta, UploadError};

/// How far the server's clock may be behind the page's.
pub const CLOCK_SKEW_MS: f64 = 5.0 * 60.0 * 1000.0;

/// What the attachments say of a file whose answer was lost.
#[derive(Clone, Debug, PartialEq)]
pub enum LostUpload {
    /// An attachment of its name and size, created since the request went
    /// out: the server took it. Only name, size and time tie it to the
    /// file, so it is not surely the file's (never taken back for it).
    Found(Attachment),
    /// Nothing of its name and size: the server did not take it (yet).
    NotThere,
    /// Some of its name and size, with no time that can be read: the user
    /// has to look.
    Unsure,
}

/// Whether reading the issue can tell what became of an upload that ended
/// in `error` after its last byte. Not after a 504: the gateway gave up
/// waiting while the server may be at work for minutes yet, so a file
/// missing from the issue now proves nothing.
pub fn can_be_looked_up(error: &UploadError) -> bool {
    error.leaves_outcome_unknown() && !matches!(error, UploadError::Http { status: 504, .. })
}

/// Reads `listing` (what the issue holds, read after the answer was lost)
/// for `file`'s upload, sent at `sent_at_ms`, allowing for
/// [`CLOCK_SKEW_MS`]: the newest match is taken out of `listing`, so two
/// files of one batch cannot both claim it.
pub fn find_lost_upload(
    listing: &mut Vec<Attachment>,
    file: &FileMeta,
    sent_at_ms: f64,
) -> LostUpload {
    let created = |a: &Attachment| a.created_at.as_deref().and_then(parse_timestamp_ms);
    let same = |a: &Attachment| a.name == file.name && a.size == file.size;
    let newest = listing
        .iter()
        .enumerate()
        .filter(|(_, a)| same(a))
        .filter_map(|(i, a)| created(a).map(|at| (i, at)))
        .filter(|(_, at)| *at >= sent_at_ms - CLOCK_SKEW_MS)
        .max_by(|x, y| x.1.total_cmp(&y.1));
    match newest {
        Some((index, _)) => LostUpload::Found(listing.remove(index)),
        None if listing.iter().any(|a| same(a) && created(a).is_none()) => LostUpload::Unsure,
        None => LostUpload::NotThere,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-22T10:00:00Z.
    const TEN: f64 = 1_795_341_600_000.0;

    fn attachment(id: &str, name: &str, size: u64, created: Option<&str>) -> Attachment {
        Attachment {
            created_at: created.map(str::to_owned),
            ..Attachment::named(id, name, size)
        }
    }

    fn found(outcome: LostUpload) -> Option<String> {
        match outcome {
            LostUpload::Found(a) => Some(a.id),
            _ => None,
        }
    }

    #[test]
    fn the_newest_copy_of_the_file_since_the_request_is_its_upload() {
        let mut listing = vec![
            attachment("old", "log.txt", 4, Some("2026-11-22T09:00:00.000+0000")),
            attachment("new", "log.txt", 4, Some("2026-11-22T10:00:02.000+0000")),
            attachment("newer", "log.txt", 4, Some("2026-11-22T10:00:01.000+0000")),
            attachment("other", "log.txt", 5, Some("2026-11-22T10:00:03.000+0000")),
            attachment(
                "unrelated",
                "a.png",
                4,
                Some("2026-11-22T10:00:03.000+0000"),
            ),
        ];
        let file = FileMeta::new("log.txt", 4, "text/plain");
        assert_eq!(
            found(find_lost_upload(&mut listing, &file, TEN)).as_deref(),
            Some("new")
        );
        assert_eq!(listing.len(), 4, "taken out of the listing");
        assert_eq!(
            found(find_lost_upload(&mut listing, &file, TEN)).as_deref(),
            Some("newer")
        );
        // The copy from an hour ago is someone's earlier upload.
        assert_eq!(
            find_lost_upload(&mut listing, &file, TEN),
            LostUpload::NotThere
        );
    }

    #[test]
    fn a_gateway_that_gave_up_waiting_cannot_be_looked_up() {
        let http = |status| UploadError::Http {
            status,
            message: String::new(),
        };
        assert!(can_be_looked_up(&UploadError::Network("reset".into())));
        assert!(can_be_looked_up(&http(502)));
        assert!(!can_be_looked_up(&http(504)));
        assert!(!can_be_looked_up(&http(503)));
    }

    #[test]
    fn a_server_clock_a_little_behind_still_counts() {
        let file = FileMeta::new("a.txt", 1, "");
        let at = |t: &str| vec![attachment("1", "a.txt", 1, Some(t))];
        let four_minutes_behind = find_lost_upload(&mut at("2026-11-22T09:56:00Z"), &file, TEN);
        assert!(matches!(four_minutes_behind, LostUpload::Found(_)));
        let six_minutes_before = find_lost_upload(&mut at("2026-11-22T09:54:00Z"), &file, TEN);
        assert_eq!(six_minutes_before, LostUpload::NotThere);
    }

    #[test]
    fn a_copy_of_unknown_age_leaves_it_to_the_user() {
        let file = FileMeta::new("a.txt", 1, "");
        for created in [Some("yesterday"), Some("2026-11-22T10:00:05"), None] {
            let mut listing = vec![attachment("1", "a.txt", 1, created)];
            assert_eq!(
                find_lost_upload(&mut listing, &file, TEN),
                LostUpload::Unsure,
                "{created:?}"
            );
        }
        let mut empty = Vec::new();
        assert_eq!(
            find_lost_upload(&mut empty, &file, TEN),
            LostUpload::NotThere
        );
    }
}
