//! The JSON objects the APIs return, built from storage rows and the base
//! URL of the request (clients follow the URLs they are given).

mod attachment;
mod fields;
mod issue;
mod jira;

use chrono::{DateTime, Utc};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::base_url::BaseUrl;

pub use attachment::AttachmentView;
pub use fields::{field, fields, FieldView};
pub use issue::{CommentView, IssueView, QueueView, UserView};
pub use jira::{JiraAttachmentView, JiraIssueView, JiraUser};

/// Everything but RFC 3986 unreserved characters, so any name becomes one
/// safe path segment (a `/` in a name must not add a segment).
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The one user of the reference server.
pub const DEV_USER_ID: &str = "1130000000000001";
pub const DEV_USER_LOGIN: &str = "dev";
pub const DEV_USER_DISPLAY: &str = "Dev User";
/// The same user as Jira names it.
pub const DEV_ACCOUNT_ID: &str = "5b10ac8d82e05b22cc7d4ef5";

#[derive(Debug, Serialize)]
pub struct UserRef {
    #[serde(rename = "self")]
    pub self_url: String,
    pub id: String,
    pub display: String,
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

/// The last segment of a content URL: the file name, percent-encoded. The
/// segment is decoration (the id finds the file), but two names would break
/// the URL: `.` and `..` are dot segments that clients resolve away (encoded
/// too, per the WHATWG URL standard), and `thumbnail` would hit the
/// temporary file's thumbnail route.
pub fn name_segment(name: &str) -> String {
    match name {
        "." | ".." => "file".to_owned(),
        "thumbnail" => "thumbnai%6C".to_owned(),
        _ => utf8_percent_encode(name, PATH_SEGMENT).to_string(),
    }
}

/// Tracker's and Jira's `2026-11-21T23:50:01.339+0000`: milliseconds, and an
/// offset without a colon (not RFC 3339's `Z`).
pub fn format_timestamp(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f%z")
        .to_string()
}

#[cfg(test)]
pub(crate) fn test_base() -> BaseUrl {
    BaseUrl::from_parts(
        &axum::http::Request::builder()
            .header("host", "h")
            .body(())
            .unwrap()
            .into_parts()
            .0,
    )
    .unwrap()
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
    fn name_segments_stay_one_working_segment() {
        assert_eq!(name_segment("a b/c.txt"), "a%20b%2Fc.txt");
        assert_eq!(name_segment(".."), "file");
        assert_eq!(name_segment("."), "file");
        assert_eq!(name_segment("..."), "...");
        assert_eq!(name_segment("thumbnail"), "thumbnai%6C");
    }
}
