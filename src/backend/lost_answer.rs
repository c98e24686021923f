//! An upload straight onto an issue whose answer was lost after its last
//! byte: whether the issue holds the file now decides between sending it
//! again (it was not taken) and recording it as done (it was).

use crate::core::{
    parse_timestamp_ms, Attachment, FileMeta, RetryDecision, RetryPolicy, UploadError,
};

/// How far the server's clock may be behind the page's for a copy of the
/// file's name and size to count as the upload itself.
pub const CLOCK_SKEW_MS: f64 = 5.0 * 60.0 * 1000.0;

/// How far back a copy of the file's size makes the look-up unsure rather
/// than sure the file is not there (and so sent again): 26 hours, the widest
/// gap between two time zones (UTC−12 to UTC+14), so that a page whose clock
/// shows the right wall time in the wrong zone, hours ahead of the server,
/// is still covered. The server's own time would be better, but this layer
/// sees no `Date` header: the transport passes on `Retry-After` alone, and a
/// page on another origin cannot read `Date` unless the server exposes it.
pub const UNSURE_WINDOW_MS: f64 = 26.0 * 60.0 * 60.0 * 1000.0;

/// What the issue's attachments say of a file whose answer was lost.
#[derive(Clone, Debug, PartialEq)]
pub enum LostUpload {
    /// An attachment of its name and size, created since the request went
    /// out: the server took it. Only name, size and time tie it to the
    /// file, so it is not surely the file's (never taken back for it).
    Found(Attachment),
    /// Nothing of its size that can be new: the server did not take it
    /// (yet).
    NotThere,
    /// Something of its size that may be the upload (renamed by the
    /// server, of unknown age, or dated by a clock that may be off): the
    /// user has to look.
    Unsure,
}

/// Whether reading the issue can tell what became of an upload that ended
/// in `error` after its last byte. Not after a 504: the gateway gave up
/// waiting while the server may be at work for minutes yet, so a file
/// missing from the issue now proves nothing.
pub fn can_be_looked_up(error: &UploadError) -> bool {
    (error.leaves_outcome_unknown() && !matches!(error, UploadError::Http { status: 504, .. }))
        || is_unreadable_success(error)
}

/// Whether `error`, met by an upload onto an issue once its whole body was
/// out, leaves open whether the issue holds the file: the answer was lost
/// ([`UploadError::leaves_outcome_unknown`]), or it was a success that could
/// not be read ([`unreadable_success`]). Those are looked up on the issue
/// rather than sent again blindly.
pub fn may_be_on_the_issue(error: &UploadError) -> bool {
    error.leaves_outcome_unknown() || is_unreadable_success(error)
}

/// A 2xx from an upload straight onto an issue whose body cannot be read
/// (empty, cut, an entry without its size): the server took the file, so
/// it is on the issue, but the answer does not say as what. Told as a lost
/// answer, which is not retried by itself: sent again, the file would be
/// attached twice.
pub fn unreadable_success(error: UploadError) -> UploadError {
    UploadError::AnswerLost(Box::new(error))
}

/// What to do after the issue's attachments could not be read for a lost
/// answer's look-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookUpAgain {
    /// Read it again after this many milliseconds.
    In(u64),
    /// Read it again once the browser is back online.
    WhenOnline,
    /// Leave it to the user ([`LostUpload::Unsure`]).
    GiveUp,
}

/// After `failures` failed reads of the issue, the last failing with
/// `error`, while the browser is `online` or not. The look-up is the only
/// way to learn whether the file is there without asking the user: a
/// connection that dropped with the answer is likely gone for the look-up
/// too, so an offline browser waits for the connection (as the queue's
/// files do) instead of using up the tries, and a transient failure is
/// read again as `policy` allows. Anything else is an issue that cannot
/// be read.
pub fn look_up_again(
    policy: &RetryPolicy,
    failures: u32,
    error: &UploadError,
    online: bool,
    random: f64,
) -> LookUpAgain {
    if !online && error.waits_for_network() {
        return LookUpAgain::WhenOnline;
    }
    match policy.decide(failures, error, None, random) {
        RetryDecision::RetryIn(wait) => LookUpAgain::In(wait),
        RetryDecision::GiveUp => LookUpAgain::GiveUp,
    }
}

/// `error` told as a lost answer the user has to check, once: a success
/// that could not be read is one already.
pub fn answer_lost(error: UploadError) -> UploadError {
    match error {
        lost @ UploadError::AnswerLost(_) => lost,
        other => UploadError::AnswerLost(Box::new(other)),
    }
}

fn is_unreadable_success(error: &UploadError) -> bool {
    matches!(error, UploadError::AnswerLost(inner) if matches!(**inner, UploadError::InvalidResponse(_)))
}

/// Reads `listing` (what the issue holds, read after the answer was lost)
/// for `file`'s upload, sent at `sent_at_ms` by the page's clock: the
/// newest attachment of its name and size created since then (allowing for
/// [`CLOCK_SKEW_MS`]) is taken out of `listing`, so two files of one batch
/// cannot both claim it. Short of that, `NotThere` (the file goes again by
/// itself) only when nothing of the file's size can be new: a server may
/// rename what it takes (Jira writes `x:y.txt` as `x_y.txt`, normalises
/// Unicode; a proxy may add a suffix), and either clock may be off by hours
/// ([`UNSURE_WINDOW_MS`]), so a same-size attachment of another name, of
/// unknown age, or from before the request by the page's clock leaves it
/// to the user. Same size alone is the test because the rules of renaming
/// are nobody's contract: copying some would miss the others, a miss costs
/// a second copy on the issue, and a needless `Unsure` costs one look.
pub fn find_lost_upload(
    listing: &mut Vec<Attachment>,
    file: &FileMeta,
    sent_at_ms: f64,
) -> LostUpload {
    let created = |a: &Attachment| a.created_at.as_deref().and_then(parse_timestamp_ms);
    let same = |a: &Attachment| super::sent_name::names_the_file(&a.name, a.size, file);
    let newest = listing
        .iter()
        .enumerate()
        .filter(|(_, a)| same(a))
        .filter_map(|(i, a)| created(a).map(|at| (i, at)))
        .filter(|(_, at)| *at >= sent_at_ms - CLOCK_SKEW_MS)
        .max_by(|x, y| x.1.total_cmp(&y.1));
    if let Some((index, _)) = newest {
        return LostUpload::Found(listing.remove(index));
    }
    let may_be_it = |a: &Attachment| {
        a.size == file.size && created(a).is_none_or(|at| at >= sent_at_ms - UNSURE_WINDOW_MS)
    };
    if listing.iter().any(may_be_it) {
        LostUpload::Unsure
    } else {
        LostUpload::NotThere
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

    fn http(status: u16) -> UploadError {
        UploadError::Http {
            status,
            message: String::new(),
        }
    }

    #[test]
    fn the_newest_copy_of_the_file_since_the_request_is_its_upload() {
        let mut listing = vec![
            attachment("old", "log.txt", 4, Some("2026-11-21T07:00:00.000+0000")),
            attachment("new", "log.txt", 4, Some("2026-11-22T10:00:02.000+0000")),
            attachment("newer", "log.txt", 4, Some("2026-11-22T10:00:01.000+0000")),
            attachment("other", "log.txt", 5, Some("2026-11-22T10:00:03.000+0000")),
            attachment(
                "unrelated",
                "a.png",
                3,
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
        // The copy from a day and three hours ago is an earlier upload,
        // and nothing else there has the file's size.
        assert_eq!(
            find_lost_upload(&mut listing, &file, TEN),
            LostUpload::NotThere
        );
    }

    #[test]
    fn a_gateway_that_gave_up_waiting_cannot_be_looked_up() {
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
    }

    #[test]
    fn a_page_clock_hours_ahead_of_the_server_leaves_it_to_the_user() {
        // The page's clock says 10:00 while the server's said 07:00 when
        // it stored the upload: three hours ahead (a wrong time zone).
        let file = FileMeta::new("a.txt", 1, "");
        let at = |t: &str| vec![attachment("1", "a.txt", 1, Some(t))];
        for created in [
            "2026-11-22T09:54:00Z",
            "2026-11-22T07:00:00Z",
            "2026-11-21T08:01:00Z",
        ] {
            assert_eq!(
                find_lost_upload(&mut at(created), &file, TEN),
                LostUpload::Unsure,
                "{created}"
            );
        }
        // Older than any clock error: not this upload.
        assert_eq!(
            find_lost_upload(&mut at("2026-11-21T07:59:00Z"), &file, TEN),
            LostUpload::NotThere
        );
    }

    #[test]
    fn a_copy_the_server_renamed_leaves_it_to_the_user() {
        // Jira writes `x:y.txt` as `x_y.txt`, and composes `é`.
        let created = Some("2026-11-22T10:00:01.000+0000");
        for (sent, stored) in [
            ("x:y.txt", "x_y.txt"),
            ("cafe\u{301}.txt", "caf\u{e9}.txt"),
            ("log.txt", "log (1).txt"),
        ] {
            let file = FileMeta::new(sent, 9, "");
            let mut listing = vec![attachment("1", stored, 9, created)];
            assert_eq!(
                find_lost_upload(&mut listing, &file, TEN),
                LostUpload::Unsure,
                "{stored}"
            );
            assert_eq!(listing.len(), 1, "not claimed");
        }
        // Another size is another file, whatever its name.
        let file = FileMeta::new("x:y.txt", 9, "");
        let mut listing = vec![attachment("1", "x_y.txt", 10, created)];
        assert_eq!(
            find_lost_upload(&mut listing, &file, TEN),
            LostUpload::NotThere
        );
    }

    #[test]
    fn a_copy_of_unknown_age_leaves_it_to_the_user() {
        let file = FileMeta::new("a.txt", 1, "");
        for created in [Some("yesterday"), Some("2026-11-22T10:00:05"), None] {
            for name in ["a.txt", "renamed.txt"] {
                let mut listing = vec![attachment("1", name, 1, created)];
                assert_eq!(
                    find_lost_upload(&mut listing, &file, TEN),
                    LostUpload::Unsure,
                    "{name} {created:?}"
                );
            }
        }
        let mut empty = Vec::new();
        assert_eq!(
            find_lost_upload(&mut empty, &file, TEN),
            LostUpload::NotThere
        );
    }

    #[test]
    fn an_unreadable_success_is_a_lost_answer_worth_a_look() {
        let unreadable = unreadable_success(UploadError::InvalidResponse("cut".into()));
        assert_eq!(
            unreadable,
            UploadError::AnswerLost(Box::new(UploadError::InvalidResponse("cut".into())))
        );
        // Never sent again by itself, but looked up on the issue.
        assert!(!unreadable.is_retryable());
        assert!(may_be_on_the_issue(&unreadable));
        assert!(can_be_looked_up(&unreadable));
        // Told once, not wrapped again when the look-up is unsure.
        assert_eq!(answer_lost(unreadable.clone()), unreadable);
        assert_eq!(
            answer_lost(http(502)),
            UploadError::AnswerLost(Box::new(http(502)))
        );
        // A lost answer the user was told of already is not looked up anew.
        let told = answer_lost(http(504));
        assert!(!may_be_on_the_issue(&told));
        assert!(!can_be_looked_up(&told));
        assert!(may_be_on_the_issue(&http(504)));
        assert!(!may_be_on_the_issue(&http(503)));
        assert!(!may_be_on_the_issue(&UploadError::InvalidResponse(
            "x".into()
        )));
    }

    #[test]
    fn a_failed_look_up_waits_for_the_connection_or_tries_as_the_policy_allows() {
        let policy = RetryPolicy {
            base_ms: 100,
            cap_ms: 1_000,
            max_attempts: 3,
            max_retry_after_ms: 0,
        };
        let reset = UploadError::Network("connection reset".into());
        // Offline: waits, however many tries failed, since none could work.
        assert_eq!(
            look_up_again(&policy, 1, &reset, false, 0.5),
            LookUpAgain::WhenOnline
        );
        assert_eq!(
            look_up_again(&policy, 9, &reset, false, 0.5),
            LookUpAgain::WhenOnline
        );
        // Online: a transient failure is read again, with backoff, up to
        // the policy's tries.
        assert_eq!(
            look_up_again(&policy, 1, &reset, true, 0.5),
            LookUpAgain::In(75)
        );
        assert_eq!(
            look_up_again(&policy, 2, &http(503), true, 0.5),
            LookUpAgain::In(150)
        );
        assert_eq!(
            look_up_again(&policy, 3, &reset, true, 0.5),
            LookUpAgain::GiveUp
        );
        // An issue that refuses the read is not read again, offline or not.
        assert_eq!(
            look_up_again(&policy, 1, &http(403), true, 0.5),
            LookUpAgain::GiveUp
        );
        assert_eq!(
            look_up_again(&policy, 1, &http(404), false, 0.5),
            LookUpAgain::GiveUp
        );
    }
}
