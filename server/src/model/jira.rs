//! Jira's attachment, user and (minimal) issue objects. Note `mimeType` here
//! where Tracker says `mimetype`.

use serde::Serialize;

use super::{format_timestamp, DEV_ACCOUNT_ID, DEV_USER_DISPLAY};
use crate::base_url::BaseUrl;
use crate::storage::{Attachment, Issue};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JiraAttachmentView {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub filename: String,
    pub author: JiraUser,
    pub created: String,
    pub size: u64,
    pub mime_type: String,
    pub content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JiraUser {
    #[serde(rename = "self")]
    pub self_url: String,
    pub account_id: String,
    pub display_name: String,
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
}

impl JiraUser {
    /// `prefix` is `/rest/api/3` or `/rest/api/2`: links stay on the API
    /// version the client used.
    pub fn dev_user(base: &BaseUrl, prefix: &str, email: Option<&str>) -> Self {
        Self {
            self_url: base.join(&format!("{prefix}/user?accountId={DEV_ACCOUNT_ID}")),
            account_id: DEV_ACCOUNT_ID.to_owned(),
            display_name: DEV_USER_DISPLAY.to_owned(),
            active: true,
            email_address: email.map(str::to_owned),
        }
    }
}

impl JiraAttachmentView {
    pub fn new(attachment: &Attachment, base: &BaseUrl, prefix: &str) -> Self {
        let id = attachment.id;
        Self {
            self_url: base.join(&format!("{prefix}/attachment/{id}")),
            id: id.to_string(),
            filename: attachment.name.clone(),
            author: JiraUser::dev_user(base, prefix, None),
            created: format_timestamp(attachment.created_at),
            size: attachment.size,
            mime_type: attachment.mimetype.clone(),
            content: base.join(&format!("{prefix}/attachment/content/{id}")),
            thumbnail: attachment
                .has_thumbnail
                .then(|| base.join(&format!("{prefix}/attachment/thumbnail/{id}"))),
        }
    }
}

/// `GET /rest/api/3/issue/{key}`: just enough for a client to list what is
/// attached.
#[derive(Debug, Serialize)]
pub struct JiraIssueView {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub key: String,
    pub fields: JiraIssueFields,
}

#[derive(Debug, Serialize)]
pub struct JiraIssueFields {
    pub summary: String,
    pub created: String,
    pub updated: String,
    pub attachment: Vec<JiraAttachmentView>,
}

impl JiraIssueView {
    pub fn new(issue: &Issue, attachments: &[Attachment], base: &BaseUrl, prefix: &str) -> Self {
        Self {
            self_url: base.join(&format!("{prefix}/issue/{}", issue.id)),
            id: issue.id.to_string(),
            key: issue.key.clone(),
            fields: JiraIssueFields {
                summary: issue.summary.clone(),
                created: format_timestamp(issue.created_at),
                updated: format_timestamp(issue.updated_at),
                attachment: attachments
                    .iter()
                    .map(|a| JiraAttachmentView::new(a, base, prefix))
                    .collect(),
            },
        }
    }
}
