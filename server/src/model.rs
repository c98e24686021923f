//! The Tracker attachment object as the API returns it.

use chrono::{DateTime, Utc};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::base_url::BaseUrl;
use crate::storage::Attachment;

/// Everything but RFC 3986 unreserved characters, so any name becomes one
/// safe path segment (a `/` in a name must not add a segment).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The one user of the reference server.
pub const DEV_USER_ID: &str = "1130000000000001";
pub const DEV_USER_DISPLAY: &str = "Dev User";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub name: String,
    pub content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    pub created_by: UserRef,
    pub created_at: String,
    pub mimetype: String,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<ImageMetadata>,
}

#[derive(Debug, Serialize)]
pub struct UserRef {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub display: String,
}

#[derive(Debug, Serialize)]
pub struct ImageMetadata {
    /// `"<width>x<height>"`.
    pub size: String,
}

impl UserRef {
    pub fn dev_user(base: &BaseUrl) -> Self {
        Self {
            self_url: base.join(&format!("/v2/users/{DEV_USER_ID}")),
            id: DEV_USER_ID.to_owned(),
            display: DEV_USER_DISPLAY.to_owned(),
        }
    }
}

impl AttachmentView {
    pub fn new(attachment: &Attachment, base: &BaseUrl) -> Self {
        let id = attachment.id;
        // A temporary file lives under /v2/attachments; once attached, under
        // its issue, as Tracker shows it.
        let (self_path, thumbnail_path) = match &attachment.issue_key {
            None => (
                format!("/v2/attachments/{id}"),
                format!("/v2/attachments/{id}/thumbnail"),
            ),
            Some(key) => (
                format!("/v2/issues/{key}/attachments/{id}"),
                format!("/v2/issues/{key}/thumbnails/{id}"),
            ),
        };
        let encoded_name = utf8_percent_encode(&attachment.name, PATH_SEGMENT);
        let metadata = match (attachment.width, attachment.height) {
            (Some(w), Some(h)) => Some(ImageMetadata {
                size: format!("{w}x{h}"),
            }),
            _ => None,
        };
        Self {
            content: base.join(&format!("{self_path}/{encoded_name}")),
            self_url: base.join(&self_path),
            id: id.to_string(),
            name: attachment.name.clone(),
            thumbnail: attachment.has_thumbnail.then(|| base.join(&thumbnail_path)),
            created_by: UserRef::dev_user(base),
            created_at: format_timestamp(attachment.created_at),
            mimetype: attachment.mimetype.clone(),
            size: attachment.size,
            metadata,
        }
    }
}

/// Tracker's `2026-11-21T23:50:01.339+0000`: milliseconds, and an offset
/// without a colon (not RFC 3339's `Z`).
pub fn format_timestamp(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f%z")
        .to_string()
}

pub fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_format() {
        assert_eq!(
            format_timestamp(1_795_305_001_339),
            "2026-11-21T23:50:01.339+0000"
        );
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00.000+0000");
    }

    #[test]
    fn content_url_keeps_the_name_in_one_segment() {
        let base = BaseUrl::from_parts(
            &axum::http::Request::builder()
                .header("host", "h")
                .body(())
                .unwrap()
                .into_parts()
                .0,
        )
        .unwrap();
        let attachment = Attachment {
            id: 1000,
            name: "../a b/отчёт.txt".into(),
            size: 1,
            mimetype: "text/plain".into(),
            created_at: 0,
            issue_key: None,
            has_thumbnail: false,
            width: None,
            height: None,
        };
        let view = AttachmentView::new(&attachment, &base);
        assert_eq!(
            view.content,
            "http://h/v2/attachments/1000/..%2Fa%20b%2F%D0%BE%D1%82%D1%87%D1%91%D1%82.txt"
        );
        let json = serde_json::to_value(&view).unwrap();
        assert!(json.get("thumbnail").is_none() && json.get("metadata").is_none());
    }
}
