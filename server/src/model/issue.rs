//! Tracker issues, queues, comments and users.

use serde::Serialize;

use super::{format_timestamp, AttachmentView, UserRef};
use super::{DEV_USER_DISPLAY, DEV_USER_ID, DEV_USER_LOGIN};
use crate::base_url::BaseUrl;
use crate::storage::{Attachment, Comment, Issue, DEMO_QUEUE, DEMO_QUEUE_ID};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueView {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub key: String,
    pub version: i64,
    pub summary: String,
    /// `null` when the issue has none: the contract lists `description`
    /// among the keys every issue object has.
    pub description: Option<String>,
    pub queue: QueueRef,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: UserRef,
    pub updated_by: UserRef,
    /// The contract: T8 answers the issue "with its `attachments` list".
    pub attachments: Vec<AttachmentView>,
}

#[derive(Debug, Serialize)]
pub struct QueueRef {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub key: String,
    pub display: String,
}

impl QueueRef {
    fn new(key: &str, base: &BaseUrl) -> Self {
        Self {
            self_url: base.join(&format!("/v2/queues/{key}")),
            id: DEMO_QUEUE_ID.to_owned(),
            key: key.to_owned(),
            display: queue_display(key),
        }
    }
}

fn queue_display(key: &str) -> String {
    if key == DEMO_QUEUE {
        "Demo".to_owned()
    } else {
        key.to_owned()
    }
}

impl IssueView {
    pub fn new(issue: &Issue, attachments: &[Attachment], base: &BaseUrl) -> Self {
        Self {
            self_url: base.join(&format!("/v2/issues/{}", issue.key)),
            id: issue.id.to_string(),
            key: issue.key.clone(),
            version: issue.version,
            summary: issue.summary.clone(),
            description: issue.description.clone(),
            queue: QueueRef::new(&issue.queue, base),
            created_at: format_timestamp(issue.created_at),
            updated_at: format_timestamp(issue.updated_at),
            created_by: UserRef::dev_user(base),
            updated_by: UserRef::dev_user(base),
            attachments: attachments
                .iter()
                .map(|a| AttachmentView::new(a, base))
                .collect(),
        }
    }
}

/// `GET /v2/queues/<key>`, where `queue.self` points.
#[derive(Debug, Serialize)]
pub struct QueueView {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub key: String,
    pub name: String,
    pub display: String,
}

impl QueueView {
    pub fn demo(base: &BaseUrl) -> Self {
        Self {
            self_url: base.join(&format!("/v2/queues/{DEMO_QUEUE}")),
            id: DEMO_QUEUE_ID.to_owned(),
            key: DEMO_QUEUE.to_owned(),
            name: queue_display(DEMO_QUEUE),
            display: queue_display(DEMO_QUEUE),
        }
    }
}

/// `GET /v2/users/<id>` and `/v2/myself`, where `createdBy.self` points.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    #[serde(rename = "self")]
    pub self_url: String,
    pub uid: u64,
    pub login: String,
    pub display: String,
    pub email: String,
    pub has_licence: bool,
    pub dismissed: bool,
}

impl UserView {
    pub fn dev_user(base: &BaseUrl, email: &str) -> Self {
        Self {
            self_url: base.join(&format!("/v2/users/{DEV_USER_ID}")),
            uid: DEV_USER_ID.parse().unwrap_or_default(),
            login: DEV_USER_LOGIN.to_owned(),
            display: DEV_USER_DISPLAY.to_owned(),
            email: email.to_owned(),
            has_licence: true,
            dismissed: false,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: i64,
    pub long_id: String,
    pub text: String,
    pub created_by: UserRef,
    pub updated_by: UserRef,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub transport: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
}

/// How Tracker lists a comment's files: a reference, not the full object.
#[derive(Debug, Serialize)]
pub struct AttachmentRef {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub display: String,
}

impl CommentView {
    pub fn new(comment: &Comment, base: &BaseUrl) -> Self {
        let key = &comment.issue_key;
        let created_at = format_timestamp(comment.created_at);
        Self {
            self_url: base.join(&format!("/v2/issues/{key}/comments/{}", comment.id)),
            id: comment.id,
            // Tracker's long ids are 24 hex digits.
            long_id: format!("{:024x}", comment.id),
            text: comment.text.clone(),
            created_by: UserRef::dev_user(base),
            updated_by: UserRef::dev_user(base),
            updated_at: created_at.clone(),
            created_at,
            version: 1,
            kind: "standard",
            transport: "internal",
            attachments: comment
                .attachments
                .iter()
                .map(|(id, name)| AttachmentRef {
                    self_url: base.join(&format!("/v2/issues/{key}/attachments/{id}")),
                    id: id.to_string(),
                    display: name.clone(),
                })
                .collect(),
        }
    }
}
