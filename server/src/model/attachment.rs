//! The Tracker attachment object.

use serde::Serialize;

use super::{format_timestamp, name_segment, UserRef};
use crate::base_url::BaseUrl;
use crate::storage::Attachment;

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
pub struct ImageMetadata {
    /// `"<width>x<height>"`.
    pub size: String,
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
        let metadata = match (attachment.width, attachment.height) {
            (Some(w), Some(h)) => Some(ImageMetadata {
                size: format!("{w}x{h}"),
            }),
            _ => None,
        };
        Self {
            content: base.join(&format!("{self_path}/{}", name_segment(&attachment.name))),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn attachment(name: &str, issue_key: Option<&str>) -> Attachment {
        Attachment {
            id: 1000,
            name: name.into(),
            size: 1,
            mimetype: "image/png".into(),
            created_at: 0,
            issue_key: issue_key.map(Into::into),
            has_thumbnail: true,
            width: Some(2),
            height: Some(3),
        }
    }

    #[test]
    fn content_url_keeps_the_name_in_one_segment() {
        let view = AttachmentView::new(
            &attachment("../a b/отчёт.txt", None),
            &super::super::test_base(),
        );
        assert_eq!(
            view.content,
            "http://h/v2/attachments/1000/..%2Fa%20b%2F%D0%BE%D1%82%D1%87%D1%91%D1%82.txt"
        );
        assert_eq!(
            view.thumbnail.as_deref(),
            Some("http://h/v2/attachments/1000/thumbnail")
        );
    }

    #[test]
    fn attached_files_live_under_their_issue() {
        let view = AttachmentView::new(
            &attachment("p.png", Some("DEMO-1")),
            &super::super::test_base(),
        );
        assert_eq!(view.self_url, "http://h/v2/issues/DEMO-1/attachments/1000");
        assert_eq!(
            view.content,
            "http://h/v2/issues/DEMO-1/attachments/1000/p.png"
        );
        assert_eq!(
            view.thumbnail.as_deref(),
            Some("http://h/v2/issues/DEMO-1/thumbnails/1000")
        );
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["metadata"], serde_json::json!({"size": "2x3"}));
    }
}
