//! The `detail` objects of the element's DOM events and the values of its
//! `attachments` property, as plain JavaScript objects.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::core::{Attachment, Refusal, UploadError, Wording};
use crate::ui::{EventFile, WidgetEvent};

/// `{id, name, size, mimetype?, content?, thumbnail?, createdAt?}`, the
/// field names of Tracker's own answer.
pub fn attachment_object(attachment: &Attachment) -> JsValue {
    let object = Object::new();
    set(&object, "id", &attachment.id.as_str().into());
    set(&object, "name", &attachment.name.as_str().into());
    set(&object, "size", &(attachment.size as f64).into());
    let optional = [
        ("mimetype", &attachment.mimetype),
        ("content", &attachment.content),
        ("thumbnail", &attachment.thumbnail),
        ("createdAt", &attachment.created_at),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            set(&object, key, &value.as_str().into());
        }
    }
    object.into()
}

pub fn attachments_array(attachments: &[Attachment]) -> Array {
    attachments.iter().map(attachment_object).collect()
}

pub fn ids_array(attachments: &[Attachment]) -> Array {
    attachments
        .iter()
        .map(|a| JsValue::from(a.id.as_str()))
        .collect()
}

/// `{id, name, size, type, relativePath?}`: the row's id in this widget
/// and what the browser said about the file.
fn file_object(file: &EventFile) -> JsValue {
    let object = Object::new();
    set(&object, "id", &(file.id.0 as f64).into());
    set(&object, "name", &file.meta.name.as_str().into());
    set(&object, "size", &(file.meta.size as f64).into());
    set(&object, "type", &file.meta.mime.as_str().into());
    if let Some(path) = &file.meta.relative_path {
        set(&object, "relativePath", &path.as_str().into());
    }
    object.into()
}

/// `{kind, message, status?, retryable}`; `kind` is one of `network`,
/// `http`, `invalid-response`, `cancelled`, `browser`, `needs-issue`,
/// `kept-expired`, `no-issue-key`, `attach-running`, `stalled`,
/// `not-started` (no byte of the body went out within the start limit),
/// `file-changed` (the file changed or went away after it was picked: to
/// be added again),
/// `not-taken-back` (a file cancelled after the server had it stays
/// attached; `status` is the failed deletion's), `answer-lost` (the answer
/// to a whole file sent to an issue was lost: it may be attached),
/// `refused` (by the restrictions), `refused-by-host` (by the page's
/// `beforeAdd`; `message` is its reason or the generic words). `message`
/// is in `words`, the widget's: what its row says.
pub fn error_object(error: &UploadError, words: &Wording) -> JsValue {
    let object = Object::new();
    let kind = match error {
        UploadError::Network(_) => "network",
        UploadError::Http { .. } => "http",
        UploadError::InvalidResponse(_) => "invalid-response",
        UploadError::Cancelled => "cancelled",
        UploadError::Browser(_) => "browser",
        UploadError::NeedsIssue { .. } => "needs-issue",
        UploadError::KeptExpired { .. } => "kept-expired",
        UploadError::NoIssueKey => "no-issue-key",
        UploadError::AttachRunning => "attach-running",
        UploadError::Stalled { .. } => "stalled",
        UploadError::NotStarted { .. } => "not-started",
        UploadError::FileChanged => "file-changed",
        UploadError::NotTakenBack { .. } => "not-taken-back",
        UploadError::AnswerLost(_) => "answer-lost",
        // The page's own verdict, told apart from the restrictions'.
        UploadError::Refused(Refusal::ByHost { .. }) => "refused-by-host",
        UploadError::Refused(_) => "refused",
        UploadError::NotDeleted(_) => "not-deleted",
        UploadError::NothingToDelete => "nothing-to-delete",
        UploadError::NoComments { .. } => "no-comments",
        UploadError::DeleteRunning => "delete-running",
    };
    set(&object, "kind", &kind.into());
    set(&object, "message", &words.error(error).into());
    if let Some(status) = error.status() {
        set(&object, "status", &status.into());
    }
    set(&object, "retryable", &error.is_retryable().into());
    object.into()
}

/// The `detail` of the DOM event that carries `event`, its texts in
/// `words`.
pub fn event_detail(event: &WidgetEvent, words: &Wording) -> JsValue {
    let object = Object::new();
    match event {
        WidgetEvent::AttachmentsChange(attachments) => {
            set(&object, "attachmentIds", &ids_array(attachments));
            set(&object, "attachments", &attachments_array(attachments));
        }
        WidgetEvent::UploadProgress {
            file,
            loaded,
            total,
        } => {
            set(&object, "file", &file_object(file));
            set(&object, "loaded", &(*loaded as f64).into());
            set(&object, "total", &(*total as f64).into());
        }
        WidgetEvent::UploadSuccess { file, attachment } => {
            set(&object, "file", &file_object(file));
            set(&object, "attachment", &attachment_object(attachment));
        }
        WidgetEvent::UploadError { file, error } => {
            set(&object, "file", &file_object(file));
            set(&object, "error", &error_object(error, words));
        }
        WidgetEvent::Attached {
            issue,
            attachment_ids,
        } => {
            set(&object, "issue", &issue.as_str().into());
            let ids: Array = attachment_ids
                .iter()
                .map(|id| JsValue::from(id.as_str()))
                .collect();
            set(&object, "attachmentIds", &ids);
        }
        WidgetEvent::BusyChange {
            busy,
            failed,
            attachment_ids,
        } => {
            set(&object, "busy", &(*busy).into());
            set(&object, "failed", &(*failed as f64).into());
            let ids: Array = attachment_ids
                .iter()
                .map(|id| JsValue::from(id.as_str()))
                .collect();
            set(&object, "attachmentIds", &ids);
        }
    }
    object.into()
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Defining a data property on a fresh plain object cannot throw.
    let _ = Reflect::set(object, &key.into(), value);
}
