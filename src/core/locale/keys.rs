//! The key table: every message a host may reword through the `strings`
//! option, by its camelCase name, with the placeholders its template may
//! use. One table for all messages, so an override is one lookup and one
//! fill, never code per message.

use super::Messages;

/// What a message's override may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// Fixed text; the built-in is a text field of [`Messages`].
    Text,
    /// A template filled with values.
    Values,
    /// A template filled with values, the first of them a count: the
    /// override may be an object of plural forms.
    Count,
    /// The byte units, B to PB: an array of six texts.
    Units,
}

/// One row of the table.
#[derive(Debug)]
pub struct KeySpec {
    /// The name hosts write (`dropHere`).
    pub name: &'static str,
    /// The field of [`Messages`] it rewords (`drop_here`).
    pub field: &'static str,
    /// In the order the widget gives the values.
    pub placeholders: &'static [&'static str],
    pub kind: KeyKind,
    /// The built-in text of a [`KeyKind::Text`] message.
    builtin: Option<fn(&Messages) -> &'static str>,
}

macro_rules! builtin_text {
    (Text, $field:ident) => {
        Some(|m: &Messages| m.$field)
    };
    ($kind:ident, $field:ident) => {
        None
    };
}

macro_rules! keys {
    ($($field:ident $variant:ident $name:literal [$($placeholder:literal),*] $kind:ident;)*) => {
        /// A message of [`Messages`] a host may reword (every field but `tag`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($variant),* }

        impl Key {
            /// Every key, in the table's order.
            pub const ALL: &[Key] = &[$(Key::$variant),*];
        }

        /// Indexed by `Key as usize`.
        pub(super) static KEYS: &[KeySpec] = &[$(KeySpec {
            name: $name,
            field: stringify!($field),
            placeholders: &[$($placeholder),*],
            kind: KeyKind::$kind,
            builtin: builtin_text!($kind, $field),
        }),*];

        /// Does not compile when [`Messages`] gains a field the table
        /// lacks: every message stays reachable by a key.
        #[allow(dead_code)]
        fn every_field_has_a_key(m: &Messages) {
            let Messages { tag: _, $($field: _),* } = m;
        }
    };
}

keys! {
    decimal_separator DecimalSeparator "decimalSeparator" [] Text;
    group_separator GroupSeparator "groupSeparator" [] Text;
    byte_units ByteUnits "byteUnits" [] Units;
    hours Hours "hours" [] Text;
    minutes Minutes "minutes" [] Text;
    seconds Seconds "seconds" [] Text;
    no_time NoTime "noTime" [] Text;
    drop_zone_label DropZoneLabel "dropZoneLabel" [] Text;
    drop_here DropHere "dropHere" [] Text;
    browse Browse "browse" [] Text;
    page_drop PageDrop "pageDrop" [] Text;
    list_label ListLabel "listLabel" [] Text;
    waiting Waiting "waiting" [] Text;
    uploading Uploading "uploading" [] Text;
    waiting_for_network WaitingForNetwork "waitingForNetwork" [] Text;
    uploading_of UploadingOf "uploadingOf" ["sent", "total"] Values;
    retrying Retrying "retrying" ["error"] Values;
    uploaded Uploaded "uploaded" [] Text;
    cancelled Cancelled "cancelled" [] Text;
    progress_label ProgressLabel "progressLabel" ["name"] Values;
    cancel Cancel "cancel" [] Text;
    retry Retry "retry" [] Text;
    retry_now RetryNow "retryNow" [] Text;
    remove Remove "remove" [] Text;
    cancel_file CancelFile "cancelFile" ["name"] Values;
    retry_file RetryFile "retryFile" ["name"] Values;
    retry_now_file RetryNowFile "retryNowFile" ["name"] Values;
    remove_file RemoveFile "removeFile" ["name"] Values;
    in_folder InFolder "inFolder" ["path"] Values;
    delete_from_issue DeleteFromIssue "deleteFromIssue" [] Text;
    delete_file DeleteFile "deleteFile" ["name", "issue"] Values;
    delete_question DeleteQuestion "deleteQuestion" ["name", "issue"] Values;
    delete Delete "delete" [] Text;
    keep Keep "keep" [] Text;
    deleting Deleting "deleting" [] Text;
    summary Summary "summary" ["count", "done", "sent", "total"] Count;
    speed_and_time_left SpeedAndTimeLeft "speedAndTimeLeft" ["speed", "left"] Values;
    offline Offline "offline" [] Text;
    back_online BackOnline "backOnline" [] Text;
    retry_failed RetryFailed "retryFailed" ["count"] Count;
    remove_refused RemoveRefused "removeRefused" ["count"] Count;
    cancel_all CancelAll "cancelAll" ["count"] Count;
    files_added FilesAdded "filesAdded" ["count"] Count;
    file_uploaded FileUploaded "fileUploaded" ["name"] Values;
    file_failed FileFailed "fileFailed" ["name", "error"] Values;
    files_uploaded FilesUploaded "filesUploaded" ["count"] Count;
    files_failed FilesFailed "filesFailed" ["count"] Count;
    files_retrying FilesRetrying "filesRetrying" ["count"] Count;
    files_removed FilesRemoved "filesRemoved" ["count"] Count;
    files_cancelled FilesCancelled "filesCancelled" ["count"] Count;
    unreadable Unreadable "unreadable" ["count"] Count;
    file_deleted FileDeleted "fileDeleted" ["name", "issue"] Values;
    file_not_deleted FileNotDeleted "fileNotDeleted" ["name", "error"] Values;
    kept_label KeptLabel "keptLabel" [] Text;
    kept_title KeptTitle "keptTitle" [] Text;
    remove_kept RemoveKept "removeKept" ["name"] Values;
    comment_label CommentLabel "commentLabel" [] Text;
    attach_to AttachTo "attachTo" ["issue"] Values;
    attaching Attaching "attaching" [] Text;
    attached Attached "attached" ["count", "issue"] Count;
    comment_posted CommentPosted "commentPosted" ["issue"] Values;
    attach_failed AttachFailed "attachFailed" ["error"] Values;
    kept_expired KeptExpired "keptExpired" ["count"] Count;
    no_issue_key NoIssueKey "noIssueKey" [] Text;
    attach_running AttachRunning "attachRunning" [] Text;
    stalled Stalled "stalled" ["seconds"] Count;
    not_started NotStarted "notStarted" ["seconds"] Count;
    file_changed FileChanged "fileChanged" [] Text;
    not_taken_back NotTakenBack "notTakenBack" ["error"] Values;
    not_taken_back_unknown NotTakenBackUnknown "notTakenBackUnknown" [] Text;
    answer_lost AnswerLost "answerLost" ["error"] Values;
    not_deleted NotDeleted "notDeleted" ["error"] Values;
    nothing_to_delete NothingToDelete "nothingToDelete" [] Text;
    delete_running DeleteRunning "deleteRunning" [] Text;
    no_comments NoComments "noComments" ["mode"] Values;
    too_large TooLarge "tooLarge" ["size", "max"] Values;
    too_small TooSmall "tooSmall" ["size", "min"] Values;
    too_many_files TooManyFiles "tooManyFiles" ["max"] Count;
    total_too_large TotalTooLarge "totalTooLarge" ["max"] Values;
    type_not_accepted TypeNotAccepted "typeNotAccepted" ["accept"] Values;
    duplicate Duplicate "duplicate" [] Text;
    refused_by_host RefusedByHost "refusedByHost" [] Text;
    network_error NetworkError "networkError" ["detail"] Values;
    http_status HttpStatus "httpStatus" ["status"] Values;
    invalid_response InvalidResponse "invalidResponse" ["detail"] Values;
    browser_error BrowserError "browserError" ["detail"] Values;
    needs_issue NeedsIssue "needsIssue" ["mode"] Values;
}

impl Key {
    /// The key hosts write as `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Key> {
        let at = KEYS.iter().position(|spec| spec.name == name)?;
        Key::ALL.get(at).copied()
    }

    pub fn spec(self) -> &'static KeySpec {
        // The table and the enum come from one list: every key has its row.
        &KEYS[self as usize]
    }

    /// The built-in text of a [`KeyKind::Text`] message (empty for the
    /// others, whose built-ins are functions called where they are used).
    pub fn builtin_text(self, messages: &Messages) -> &'static str {
        self.spec().builtin.map_or("", |text| text(messages))
    }
}
