//! English: every word the widget shows.

use super::Messages;

fn files(n: usize) -> String {
    if n == 1 {
        "1 file".to_owned()
    } else {
        format!("{n} files")
    }
}

pub static MESSAGES: Messages = Messages {
    tag: "en",

    decimal_separator: ".",
    group_separator: ",",
    byte_units: ["B", "KB", "MB", "GB", "TB", "PB"],
    hours: "h",
    minutes: "min",
    seconds: "s",
    no_time: "–",

    // Starts with the visible words, so voice control finds the zone by them.
    drop_zone_label: "Drop files here or browse: press Enter to choose files",
    drop_here: "Drop files here or ",
    browse: "browse",
    page_drop: "Drop files to upload",

    list_label: "Files",
    waiting: "Waiting",
    uploading: "Uploading",
    waiting_for_network: "Waiting for the network",
    uploading_of: |sent, total| format!("Uploading {sent} of {total}"),
    retrying: |error| format!("{error} — retrying"),
    uploaded: "Uploaded",
    cancelled: "Cancelled",
    progress_label: |name| format!("Upload progress of {name}"),
    cancel: "Cancel",
    retry: "Retry",
    retry_now: "Retry now",
    remove: "Remove",
    cancel_file: |name| format!("Cancel {name}"),
    retry_file: |name| format!("Retry {name}"),
    retry_now_file: |name| format!("Retry {name} now"),
    // Only the row goes: an uploaded file stays where it was uploaded to.
    remove_file: |name| format!("Remove {name} from the list"),
    in_folder: |path| format!("in {path}"),
    delete_from_issue: "Delete from issue",
    delete_file: |name, issue| format!("Delete {name} from {issue}"),
    delete_question: |name, issue| format!("Delete {name} from {issue}?"),
    delete: "Delete",
    keep: "Keep",
    deleting: "Deleting…",

    summary: |done, counted, sent, total| {
        format!("{done} of {counted} uploaded · {sent} of {total}")
    },
    speed_and_time_left: |speed, left| format!("{speed}/s · {left} left"),
    offline: "Offline: uploads will resume when the connection is back",
    back_online: "Back online: uploads resume",
    retry_failed: |n| {
        if n == 1 {
            "Retry 1 failed upload".to_owned()
        } else {
            format!("Retry all {n} failed uploads")
        }
    },
    // Only the rows go, as with each row's Remove.
    remove_refused: |n| {
        if n == 1 {
            "Remove 1 refused file".to_owned()
        } else {
            format!("Remove all {n} refused files")
        }
    },
    cancel_all: |n| {
        if n == 1 {
            "Cancel 1 upload".to_owned()
        } else {
            format!("Cancel all {n} uploads")
        }
    },

    files_added: |n| format!("{} added", files(n)),
    file_uploaded: |name| format!("{name} uploaded"),
    file_failed: |name, error| format!("{name} failed: {error}"),
    files_uploaded: |n| format!("{} uploaded", files(n)),
    files_failed: |n| format!("{} could not be uploaded", files(n)),
    files_retrying: |n| format!("Retrying {}", files(n)),
    files_removed: |n| format!("{} removed from the list", files(n)),
    files_cancelled: |n| format!("{} cancelled", files(n)),
    file_deleted: |name, issue| format!("{name} deleted from {issue}"),
    file_not_deleted: |name, error| format!("{name} was not deleted: {error}"),
    unreadable: |n| {
        if n == 1 {
            "1 file in the dropped folder could not be read".to_owned()
        } else {
            format!("{n} files in the dropped folder could not be read")
        }
    },

    kept_label: "Uploaded, not yet attached",
    kept_title: "Ready to attach",
    remove_kept: |name| format!("Remove {name} from the list"),
    comment_label: "Comment (optional)",
    attach_to: |issue| format!("Attach to {issue}"),
    attaching: "Attaching…",
    attached: |n, issue| format!("{} attached to {issue}", files(n)),
    comment_posted: |issue| format!("Comment posted to {issue}"),
    attach_failed: |error| format!("Could not attach: {error}"),
    no_issue_key: "No issue key to attach the files to",
    attach_running: "Attaching is already in progress",
    stalled: |s| format!("No progress for {s}\u{a0}s; the connection seems stuck"),
    not_started: |s| {
        format!("Not started after {s}\u{a0}s: no connection or no answer from the server yet")
    },
    file_changed: "The file changed or was moved after it was added; add it again",
    not_taken_back: |reason| {
        format!("Still attached: the server had the file before the cancel, and removing it failed: {reason}")
    },
    answer_lost: |error| {
        format!("{error} after the whole file was sent: it may be attached already, so check the issue before retrying")
    },
    not_deleted: |reason| format!("Still on the issue: deleting it failed: {reason}"),
    nothing_to_delete: "No file uploaded to an issue here has this id",
    delete_running: "This file is already being deleted",
    not_taken_back_unknown: "Still attached: the server had the file before the cancel, \
        and its answer did not say which attachment to remove",
    kept_expired: |n| {
        if n == 1 {
            "The kept file had expired or was attached already".to_owned()
        } else {
            format!("{n} kept files had expired or were attached already")
        }
    },

    too_large: |size, max| format!("Too large: {size} (at most {max})"),
    too_small: |size, min| format!("Too small: {size} (at least {min})"),
    too_many_files: |max| format!("Too many files (at most {max})"),
    total_too_large: |max| format!("All files together exceed {max}"),
    type_not_accepted: |accept| format!("This type of file is not accepted (allowed: {accept})"),
    duplicate: "Already in the list",
    refused_by_host: "Refused by this page",

    network_error: |detail| format!("Network error: {detail}"),
    http_status: |status| format!("HTTP {status}"),
    invalid_response: |detail| format!("Unexpected answer from the server: {detail}"),
    browser_error: |detail| format!("The browser refused: {detail}"),
    // For the person at the widget, who cannot set the key: the page's
    // developer has the mode in the error's kind and on the console.
    needs_issue: |_mode| "No issue to upload to: the page has not named one".to_owned(),
    no_comments: |mode| format!("Mode {mode} posts no comments: its server has none"),
};
