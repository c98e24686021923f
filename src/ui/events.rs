use std::fmt;
use std::rc::Rc;

use crate::core::{Attachment, EntryId, FileMeta, UploadError};

/// What a widget tells its host. Rust hosts receive these through
/// [`WidgetOptions::on_event`](super::WidgetOptions); the custom element turns
/// each into a DOM `CustomEvent` of the same name.
#[derive(Clone, Debug, PartialEq)]
pub enum WidgetEvent {
    /// `attachments-change`: the attachments the host may act on changed —
    /// the kept temporary attachments in `tracker-temp` and `flow` modes,
    /// the finished uploads in the others.
    AttachmentsChange(Vec<Attachment>),
    /// `upload-progress`: bytes of one file sent so far.
    UploadProgress {
        file: EventFile,
        loaded: u64,
        total: u64,
    },
    /// `upload-success`: one file is stored.
    UploadSuccess {
        file: EventFile,
        attachment: Attachment,
    },
    /// `upload-error`: one file failed for good (no retry left), or a file
    /// cancelled too late stays attached ([`UploadError::NotTakenBack`]).
    UploadError { file: EventFile, error: UploadError },
    /// `attached`: the kept files went onto an issue (or its comment).
    Attached {
        issue: String,
        attachment_ids: Vec<String>,
    },
    /// `busy-change`: files began to upload (`busy`), or every file is
    /// done, failed, refused or cancelled and no drop is still being
    /// listed (`!busy`: a form may be submitted now; also told when the
    /// widget goes while busy). `failed` counts the rows that failed for
    /// good; `attachment_ids` are `attachmentIds` as of now.
    BusyChange {
        busy: bool,
        failed: usize,
        attachment_ids: Vec<String>,
    },
}

impl WidgetEvent {
    /// The DOM event name.
    pub fn name(&self) -> &'static str {
        match self {
            WidgetEvent::AttachmentsChange(_) => "attachments-change",
            WidgetEvent::UploadProgress { .. } => "upload-progress",
            WidgetEvent::UploadSuccess { .. } => "upload-success",
            WidgetEvent::UploadError { .. } => "upload-error",
            WidgetEvent::Attached { .. } => "attached",
            WidgetEvent::BusyChange { .. } => "busy-change",
        }
    }
}

/// The file an event is about: its row id in this widget and what the
/// browser said about it.
#[derive(Clone, Debug, PartialEq)]
pub struct EventFile {
    pub id: EntryId,
    pub meta: FileMeta,
}

/// A host's event sink.
#[derive(Clone)]
pub struct EventHandler(Rc<dyn Fn(&WidgetEvent)>);

impl EventHandler {
    pub fn new(handle: impl Fn(&WidgetEvent) + 'static) -> Self {
        Self(Rc::new(handle))
    }

    pub fn emit(&self, event: &WidgetEvent) {
        (self.0)(event);
    }
}

impl fmt::Debug for EventHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventHandler")
    }
}
