//! An upload straight onto an issue whose answer was lost after its last
//! byte: whether the issue holds the file now decides between sending it
//! again (it was not taken) and recording it as done (it was).

use crate::core::{Attachment, FileMeta};

/// How far the server's clock may be behind the page's.
pub const CLOCK_SKEW_MS: f64 = 10.0 * 60.0 * 1000.0;

/// Takes out of `listing` (what the issue holds, read after the answer was
/// lost) the attachment that is `file`'s upload: the newest of its name and
/// size that is not older than the request, sent at `sent_at_ms`, allowing
/// for [`CLOCK_SKEW_MS`]. `created_ms` reads the server's timestamps; one
/// it cannot read, or none, does not rule an attachment out. Taken out, so
/// two files of one batch cannot both claim it.
pub fn find_lost_upload(
    listing: &mut Vec<Attachment>,
    file: &FileMeta,
    sent_at_ms: f64,
    created_ms: impl Fn(&str) -> Option<f64>,
) -> Option<Attachment> {
    let recent = |a: &Attachment| {
        a.created_at
            .as_deref()
            .and_then(&created_ms)
            .is_none_or(|at| at >= sent_at_ms - CLOCK_SKEW_MS)
    };
    let index = listing
        .iter()
        .rposition(|a| a.name == file.name && a.size == file.size && recent(a))?;
    Some(listing.remove(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: f64 = 3_600_000.0;

    fn attachment(id: &str, name: &str, size: u64, created: Option<&str>) -> Attachment {
        Attachment {
            id: id.into(),
            name: name.into(),
            size,
            mimetype: None,
            content: None,
            thumbnail: None,
            created_at: created.map(str::to_owned),
        }
    }

    /// Timestamps here are hours, written as numbers.
    fn hours(text: &str) -> Option<f64> {
        text.parse::<f64>().ok().map(|h| h * HOUR)
    }

    #[test]
    fn the_newest_copy_of_the_file_since_the_request_is_its_upload() {
        let mut listing = vec![
            attachment("old", "log.txt", 4, Some("1")),
            attachment("other", "log.txt", 5, Some("10")),
            attachment("new", "log.txt", 4, Some("10")),
            attachment("unrelated", "a.png", 4, Some("10")),
        ];
        let file = FileMeta::new("log.txt", 4, "text/plain");
        let found = find_lost_upload(&mut listing, &file, 10.0 * HOUR, hours);
        assert_eq!(found.map(|a| a.id).as_deref(), Some("new"));
        assert_eq!(listing.len(), 3, "taken out of the listing");
        // The copy from an hour ago and more is someone's earlier upload.
        assert_eq!(
            find_lost_upload(&mut listing, &file, 10.0 * HOUR, hours),
            None
        );
    }

    #[test]
    fn a_server_clock_a_little_behind_still_counts() {
        let file = FileMeta::new("a.txt", 1, "");
        let mut listing = vec![attachment("1", "a.txt", 1, Some("9.9"))];
        assert!(find_lost_upload(&mut listing, &file, 10.0 * HOUR, hours).is_some());
        let mut listing = vec![attachment("1", "a.txt", 1, Some("9.8"))];
        assert!(find_lost_upload(&mut listing, &file, 10.0 * HOUR, hours).is_none());
    }

    #[test]
    fn an_unreadable_or_missing_time_does_not_rule_it_out() {
        let file = FileMeta::new("a.txt", 1, "");
        let mut listing = vec![
            attachment("1", "a.txt", 1, Some("yesterday")),
            attachment("2", "a.txt", 1, None),
        ];
        let first = find_lost_upload(&mut listing, &file, 10.0 * HOUR, hours);
        let second = find_lost_upload(&mut listing, &file, 10.0 * HOUR, hours);
        assert_eq!(first.map(|a| a.id).as_deref(), Some("2"));
        assert_eq!(second.map(|a| a.id).as_deref(), Some("1"));
        assert!(listing.is_empty());
    }
}
