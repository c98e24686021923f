//! Every word and number the widget shows, per language. Each built-in
//! locale is one table ([`Messages`], in `en.rs` and `ru.rs`); the host may
//! reword any message and speak any language through [`CustomStrings`]
//! (the key table in `keys.rs`), and [`Wording`] says each message in the
//! host's words or the table's.
//!
//! Sentences that carry values are functions in the table rather than
//! templates, so each language builds its own grammar (Russian agrees verbs
//! and nouns with the count) and the compiler checks every argument.

mod custom;
mod en;
mod keys;
mod language;
mod ru;
mod template;
mod wording;

pub use custom::{CustomStrings, CustomText, StringsWarning};
pub use keys::{Key, KeyKind, KeySpec};
pub use language::Language;
pub use template::{fill, PluralForms};
pub use wording::{PluralRule, Wording};

use super::{Refusal, UploadError};

/// A language the widget speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    #[default]
    En,
    Ru,
}

/// CLDR plural categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PluralCategory {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl PluralCategory {
    /// A category by its CLDR name (what `Intl.PluralRules` answers).
    pub fn from_name(name: &str) -> Option<PluralCategory> {
        Some(match name {
            "zero" => PluralCategory::Zero,
            "one" => PluralCategory::One,
            "two" => PluralCategory::Two,
            "few" => PluralCategory::Few,
            "many" => PluralCategory::Many,
            "other" => PluralCategory::Other,
            _ => return None,
        })
    }
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ru];

    /// A BCP 47 tag's language: `ru`, `ru-RU`, `RU` → Russian; `en-GB` →
    /// English; anything else → `None`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else if primary.eq_ignore_ascii_case("ru") {
            Some(Locale::Ru)
        } else {
            None
        }
    }

    /// The first of the user's preferred languages (in their order) that
    /// the widget speaks; English when none is.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Locale {
        preferred
            .into_iter()
            .find_map(Locale::from_tag)
            .unwrap_or_default()
    }

    /// The tag for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        self.messages().tag
    }

    /// This locale's table.
    pub fn messages(self) -> &'static Messages {
        match self {
            Locale::En => &en::MESSAGES,
            Locale::Ru => &ru::MESSAGES,
        }
    }

    /// The plural category of `n` (CLDR rules). Russian: 1, 21, 101 → one;
    /// 2–4, 22–24 → few; 0, 5–20, 11–14, 111 → many; fractions → other.
    pub fn plural(self, n: f64) -> PluralCategory {
        match self {
            Locale::En if n == 1.0 => PluralCategory::One,
            Locale::En => PluralCategory::Other,
            Locale::Ru => {
                if !n.is_finite() || n.fract() != 0.0 {
                    return PluralCategory::Other;
                }
                let i = n.abs() as u64;
                match (i % 10, i % 100) {
                    (1, r) if r != 11 => PluralCategory::One,
                    (2..=4, r) if !(12..=14).contains(&r) => PluralCategory::Few,
                    _ => PluralCategory::Many,
                }
            }
        }
    }

    /// A byte count as a person reads it: `1.5 MB`, `1,5 МБ`.
    pub fn bytes(self, bytes: u64) -> String {
        Wording::from(self).bytes(bytes)
    }

    /// A time left as a person reads it: `2 min 5 s`, `2 мин 5 с`.
    pub fn duration(self, seconds: f64) -> String {
        Wording::from(self).duration(seconds)
    }

    /// Why a file was refused, in words.
    pub fn refusal(self, refusal: &Refusal) -> String {
        Wording::from(self).refusal(refusal)
    }

    /// Why a file did not upload, in words.
    pub fn error(self, error: &UploadError) -> String {
        Wording::from(self).error(error)
    }

    /// The news of one moment, one sentence after another.
    pub fn announcements(self, news: &[Announcement]) -> String {
        Wording::from(self).announcements(news)
    }

    /// A sentence for the screen-reader live region.
    pub fn announcement(self, announcement: &Announcement) -> String {
        Wording::from(self).announcement(announcement)
    }
}

/// What the live region says, kept as data so that it reads in the current
/// locale even after a switch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Announcement {
    FilesAdded(usize),
    Uploaded {
        name: String,
    },
    Failed {
        name: String,
        error: UploadError,
    },
    /// Several files uploaded at one moment, told as a count.
    UploadedMany(usize),
    /// Several files failed (or were refused) at one moment.
    FailedMany(usize),
    /// Rows put back in line at once (the bulk "Retry all").
    Retrying(usize),
    /// Rows taken off the list at once (the bulk "Remove refused").
    Removed(usize),
    /// Uploads stopped at once (the bulk "Cancel all").
    Cancelled(usize),
    /// A dropped folder was read: files added from it, and files the
    /// browser could not read.
    FolderRead {
        added: usize,
        unreadable: usize,
    },
    /// The browser went offline while files were to upload: they wait.
    WentOffline,
    /// It is back online: the waiting files go.
    BackOnline,
    /// A finished upload was deleted from `issue` at the user's (or the
    /// host's) request.
    Deleted {
        name: String,
        issue: String,
    },
    /// Deleting it failed: it is still on the issue.
    NotDeleted {
        name: String,
        error: UploadError,
    },
}

/// One locale's words. Plain fields are fixed text; functions build the
/// sentences that carry values (already formatted sizes and times, counts,
/// names).
pub struct Messages {
    /// BCP 47 tag, for the `lang` attribute.
    pub tag: &'static str,

    // Numbers.
    pub decimal_separator: &'static str,
    /// Between groups of three digits of an exact byte count.
    pub group_separator: &'static str,
    /// Bytes, then KiB … PiB.
    pub byte_units: [&'static str; 6],
    pub hours: &'static str,
    pub minutes: &'static str,
    pub seconds: &'static str,
    /// A time that cannot be told.
    pub no_time: &'static str,

    // Drop zone.
    pub drop_zone_label: &'static str,
    pub drop_here: &'static str,
    pub browse: &'static str,
    /// Over the whole page while files are dragged over it (`page_drop`).
    pub page_drop: &'static str,

    // File list.
    pub list_label: &'static str,
    pub waiting: &'static str,
    pub uploading: &'static str,
    /// A file in line while the browser is offline.
    pub waiting_for_network: &'static str,
    /// Sent and total size, formatted.
    pub uploading_of: fn(&str, &str) -> String,
    /// The error that will be retried.
    pub retrying: fn(&str) -> String,
    pub uploaded: &'static str,
    pub cancelled: &'static str,
    pub progress_label: fn(&str) -> String,
    pub cancel: &'static str,
    pub retry: &'static str,
    /// A file waiting to try again goes now.
    pub retry_now: &'static str,
    pub remove: &'static str,
    /// Labels of the row actions, with the file name.
    pub cancel_file: fn(&str) -> String,
    pub retry_file: fn(&str) -> String,
    pub retry_now_file: fn(&str) -> String,
    pub remove_file: fn(&str) -> String,
    /// Where a file from a dropped folder lies (its relative path).
    pub in_folder: fn(&str) -> String,
    /// A finished upload's second button in the modes that attach to an
    /// issue: the file goes off the issue, not only off the list.
    pub delete_from_issue: &'static str,
    /// Its accessible name, with the file name and the issue key.
    pub delete_file: fn(&str, &str) -> String,
    /// The row's question before deleting (file name, issue key), and
    /// its two answers.
    pub delete_question: fn(&str, &str) -> String,
    pub delete: &'static str,
    pub keep: &'static str,
    /// The row's status while the deletion waits for the server.
    pub deleting: &'static str,

    // Summary line: done, counted, sent and total bytes (formatted).
    pub summary: fn(usize, usize, &str, &str) -> String,
    /// Speed (formatted bytes) and time left (formatted).
    pub speed_and_time_left: fn(&str, &str) -> String,
    /// Said by the summary line while offline, and by the live region
    /// when the browser goes offline.
    pub offline: &'static str,
    /// Said by the live region when the browser is back online.
    pub back_online: &'static str,
    /// The buttons beside the summary line, with the count of rows each
    /// acts on (the visible text is the accessible name).
    pub retry_failed: fn(usize) -> String,
    pub remove_refused: fn(usize) -> String,
    /// Cancels every file queued, uploading or waiting to retry.
    pub cancel_all: fn(usize) -> String,

    // Live region.
    pub files_added: fn(usize) -> String,
    pub file_uploaded: fn(&str) -> String,
    /// File name and the error, in words.
    pub file_failed: fn(&str, &str) -> String,
    pub files_uploaded: fn(usize) -> String,
    pub files_failed: fn(usize) -> String,
    pub files_retrying: fn(usize) -> String,
    pub files_removed: fn(usize) -> String,
    pub files_cancelled: fn(usize) -> String,
    pub unreadable: fn(usize) -> String,
    /// File name and issue key.
    pub file_deleted: fn(&str, &str) -> String,
    /// File name and why deleting it failed.
    pub file_not_deleted: fn(&str, &str) -> String,

    // Kept attachments.
    pub kept_label: &'static str,
    pub kept_title: &'static str,
    pub remove_kept: fn(&str) -> String,
    pub comment_label: &'static str,
    pub attach_to: fn(&str) -> String,
    pub attaching: &'static str,
    /// Count and issue key.
    pub attached: fn(usize, &str) -> String,
    /// A comment posted with no file to attach: the issue key.
    pub comment_posted: fn(&str) -> String,
    pub attach_failed: fn(&str) -> String,
    /// None of the kept files could be attached: all had expired.
    pub kept_expired: fn(usize) -> String,
    pub no_issue_key: &'static str,
    pub attach_running: &'static str,
    /// Seconds without progress.
    pub stalled: fn(u32) -> String,
    /// Seconds the request waited without beginning to send.
    pub not_started: fn(u32) -> String,
    /// The file changed or went away after it was picked.
    pub file_changed: &'static str,
    /// A file cancelled too late stays attached: why deleting it failed.
    pub not_taken_back: fn(&str) -> String,
    /// The same, when the answer did not tell which attachment it was.
    pub not_taken_back_unknown: &'static str,
    /// The answer to a whole file sent to an issue was lost: why.
    pub answer_lost: fn(&str) -> String,
    /// Deleting a finished upload from its issue failed: why.
    pub not_deleted: fn(&str) -> String,
    /// The host asked to delete a file that is no upload on an issue here.
    pub nothing_to_delete: &'static str,
    /// The host asked to delete a file already being deleted.
    pub delete_running: &'static str,

    // Refusals.
    pub too_large: fn(&str, &str) -> String,
    pub too_small: fn(&str, &str) -> String,
    pub too_many_files: fn(usize) -> String,
    pub total_too_large: fn(&str) -> String,
    pub type_not_accepted: fn(&str) -> String,
    pub duplicate: &'static str,
    /// The host's check refused a file and gave no reason.
    pub refused_by_host: &'static str,

    // Upload errors.
    pub network_error: fn(&str) -> String,
    pub http_status: fn(u16) -> String,
    pub invalid_response: fn(&str) -> String,
    pub browser_error: fn(&str) -> String,
    /// The mode's name.
    pub needs_issue: fn(&str) -> String,
    pub no_comments: fn(&str) -> String,
}

#[cfg(test)]
mod tests;
