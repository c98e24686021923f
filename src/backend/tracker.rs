use super::percent::{forced_path_segment, path_segment};
use super::upload_backend::single_file_outcomes;
use super::{
    encode_component, error_from_response, unreadable_success, Credentials, FilePart, HttpMethod,
    JsonRequest, UploadBackend, UploadRequest,
};
use crate::core::json::{optional_string, required_string, u64_field, FieldError, Json};
use crate::core::{web_url_only, Attachment, FileMeta, UploadError};

/// Where a Tracker upload lands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrackerTarget {
    /// T1: a temporary file whose id the page attaches later.
    Temporary,
    /// T2: straight onto an existing issue.
    Issue(String),
}

/// Yandex Tracker API v2 attachments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackerBackend {
    base: String,
    target: TrackerTarget,
}

/// The names of an attachment object's fields in one API's answers.
pub(super) struct WireFields {
    pub name: &'static str,
    pub mimetype: &'static str,
    pub created: &'static str,
}

/// Tracker's attachment object; only the fields the widget uses.
const TRACKER_FIELDS: WireFields = WireFields {
    name: "name",
    mimetype: "mimetype",
    created: "createdAt",
};

/// Reads an attachment object as the serde-derived reader did: `id` (a
/// string, or a number as examples send; Jira's too) and the name are
/// required, `size` is 0 when absent, the others may be absent or `null`;
/// other members are ignored, a field given twice or of the wrong type
/// refuses the object. `Ok(None)`: read, but the id is no usable id: blank,
/// or one a URL would read as `.` or `..` (a deletion of it would land on
/// the path above: the issue, or all its attachments).
pub(super) fn read_attachment(
    value: &Json,
    names: &WireFields,
) -> Result<Option<Attachment>, FieldError> {
    let [id, name, size, mimetype, content, thumbnail, created] = value.fields([
        "id",
        names.name,
        "size",
        names.mimetype,
        "content",
        "thumbnail",
        names.created,
    ])?;
    let id = match id {
        Some(Json::String(text)) => text.clone(),
        Some(number @ Json::Number(text)) if number.as_u64().is_some() => text.clone(),
        Some(_) => return Err(FieldError::WrongType("id")),
        None => return Err(FieldError::Missing("id")),
    };
    let attachment = Attachment {
        id,
        name: required_string(name, names.name)?,
        size: u64_field(size, "size", Some(0))?,
        mimetype: optional_string(mimetype, names.mimetype)?.map(|m| m.to_ascii_lowercase()),
        content: web_url_only(optional_string(content, "content")?),
        thumbnail: web_url_only(optional_string(thumbnail, "thumbnail")?),
        created_at: optional_string(created, names.created)?,
    };
    let usable = !attachment.id.trim().is_empty() && path_segment(&attachment.id).is_some();
    Ok(usable.then_some(attachment))
}

/// The attachments among `values` that read as [`read_attachment`] reads
/// them; the others are left out.
pub(super) fn read_attachments(values: &[Json], names: &WireFields) -> Vec<Attachment> {
    values
        .iter()
        .filter_map(|value| read_attachment(value, names).ok().flatten())
        .collect()
}

/// Reads a Tracker attachment object (T1, T2, and Flow's completing part,
/// which answers with the new temporary file).
pub(super) fn parse_attachment_object(body: &str) -> Result<Attachment, UploadError> {
    let invalid = |reason: String| {
        UploadError::InvalidResponse(format!("not an attachment object ({reason})"))
    };
    let value = Json::parse(body).map_err(|e| invalid(e.to_string()))?;
    read_attachment(&value, &TRACKER_FIELDS)
        .map_err(|e| invalid(e.to_string()))?
        .ok_or_else(|| UploadError::InvalidResponse("no usable attachment id".into()))
}

impl TrackerBackend {
    /// `base` is the API origin (`https://api.tracker.yandex.net`, a proxy,
    /// or empty for the page's own origin).
    pub fn new(base: &str, target: TrackerTarget) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            target,
        }
    }

    pub fn target(&self) -> &TrackerTarget {
        &self.target
    }

    /// One file, one multipart request. `credentials` are passed per call so
    /// that a token refreshed between retries is the one sent.
    pub fn upload_request(&self, file: &FileMeta, credentials: &Credentials) -> UploadRequest {
        UploadRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Post,
            url: format!(
                "{}{}?filename={}",
                self.base,
                self.path(),
                encode_component(&file.name)
            ),
            headers: credentials.headers(),
            fields: Vec::new(),
            file_parts: vec![FilePart {
                field: "file".to_owned(),
                filename: file.name.clone(),
            }],
        }
    }

    /// Reads the answer to [`Self::upload_request`]. A success whose body
    /// cannot be read is, onto an issue, a file attached as nobody knows
    /// what ([`unreadable_success`]); a temporary file unattached expires,
    /// so there it is a plain failure.
    pub fn parse_upload(&self, status: u16, body: &str) -> Result<Attachment, UploadError> {
        if !(200..300).contains(&status) {
            return Err(error_from_response(status, body));
        }
        parse_attachment_object(body).map_err(|error| match self.target {
            TrackerTarget::Issue(_) => unreadable_success(error),
            TrackerTarget::Temporary => error,
        })
    }

    /// The collection an upload goes to. A key read as `.` or `..` is
    /// refused before sending ([`super::usable_issue_key`]); here, where
    /// nothing can fail, it becomes a key that names nothing, so the upload
    /// meets a 404 instead of becoming a temporary file at `/v2/attachments/`.
    fn path(&self) -> String {
        match &self.target {
            TrackerTarget::Temporary => "/v2/attachments/".to_owned(),
            TrackerTarget::Issue(key) => {
                format!("/v2/issues/{}/attachments/", forced_path_segment(key))
            }
        }
    }
}

/// Tracker takes one file per request; the inherent methods above are the
/// one-file forms of these.
impl UploadBackend for TrackerBackend {
    fn upload_request(&self, files: &[&FileMeta], credentials: &Credentials) -> UploadRequest {
        match files.first() {
            Some(file) => TrackerBackend::upload_request(self, file, credentials),
            // Nothing to send: a request without a file part, which the
            // server refuses with 400 rather than the widget panicking.
            None => UploadRequest {
                with_credentials: credentials.send_cookies,
                method: HttpMethod::Post,
                url: format!("{}{}", self.base, self.path()),
                headers: credentials.headers(),
                fields: Vec::new(),
                file_parts: Vec::new(),
            },
        }
    }

    fn parse_upload(
        &self,
        files: &[&FileMeta],
        status: u16,
        body: &str,
    ) -> Vec<Result<Attachment, UploadError>> {
        single_file_outcomes(files, |_| TrackerBackend::parse_upload(self, status, body))
    }

    /// T3: `GET /v2/issues/<key>/attachments`.
    fn listing_request(&self, credentials: &Credentials) -> Option<JsonRequest> {
        let TrackerTarget::Issue(key) = &self.target else {
            return None;
        };
        // A key read as `..` would list what `/v2/attachments` is.
        let key = path_segment(key)?;
        Some(JsonRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Get,
            url: format!("{}/v2/issues/{key}/attachments", self.base),
            headers: credentials.headers(),
            body: String::new(),
        })
    }

    fn parse_listing(&self, status: u16, body: &str) -> Result<Vec<Attachment>, UploadError> {
        if !(200..300).contains(&status) {
            return Err(error_from_response(status, body));
        }
        match Json::parse(body) {
            Ok(Json::Array(values)) => Ok(read_attachments(&values, &TRACKER_FIELDS)),
            _ => Err(UploadError::InvalidResponse(
                "not a list of attachments".into(),
            )),
        }
    }

    /// T6: `DELETE /v2/issues/<key>/attachments/<id>/`, for uploads made
    /// straight onto an issue. None for a key or an id read as `.` or `..`:
    /// the deletion would land on the issue's attachments, or the issue.
    fn withdraw_request(
        &self,
        attachment: &Attachment,
        credentials: &Credentials,
    ) -> Option<JsonRequest> {
        let TrackerTarget::Issue(key) = &self.target else {
            return None;
        };
        let key = path_segment(key)?;
        let id = path_segment(&attachment.id)?;
        Some(JsonRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Delete,
            url: format!("{}/v2/issues/{key}/attachments/{id}/", self.base),
            headers: credentials.headers(),
            body: String::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{AuthScheme, OrgHeader};

    fn creds() -> Credentials {
        Credentials {
            scheme: Some(AuthScheme::OAuth),
            authorization: None,
            token: Some("dev-token".into()),
            org_id: Some("dev-org".into()),
            org_header: OrgHeader::XOrgId,
            ..Credentials::default()
        }
    }

    #[test]
    fn temporary_upload_request() {
        let backend = TrackerBackend::new("http://127.0.0.1:8080/", TrackerTarget::Temporary);
        let req = backend.upload_request(&FileMeta::new("скрин 1.png", 10, "image/png"), &creds());
        assert_eq!(req.method, HttpMethod::Post);
        assert_eq!(
            req.url,
            "http://127.0.0.1:8080/v2/attachments/?filename=%D1%81%D0%BA%D1%80%D0%B8%D0%BD%201.png"
        );
        assert_eq!(
            req.file_parts,
            vec![FilePart {
                field: "file".into(),
                filename: "скрин 1.png".into()
            }]
        );
        assert!(req
            .headers
            .contains(&("Authorization".into(), "OAuth dev-token".into())));
        assert!(req.headers.contains(&("X-Org-ID".into(), "dev-org".into())));
    }

    #[test]
    fn issue_upload_request_encodes_key() {
        let backend = TrackerBackend::new("", TrackerTarget::Issue("DEMO-1".into()));
        let req = backend.upload_request(&FileMeta::new("a&b", 1, ""), &Credentials::default());
        assert_eq!(req.url, "/v2/issues/DEMO-1/attachments/?filename=a%26b");
        assert!(req.headers.is_empty());
    }

    #[test]
    fn parses_attachment_object() {
        let body = r#"{"self": "http://h/v2/attachments/123", "id": "123", "name": "pic.png",
            "content": "http://h/v2/attachments/123/pic.png",
            "thumbnail": "http://h/v2/attachments/123/thumbnail",
            "createdBy": {"self": "http://h/v2/users/1", "id": "1", "display": "Dev User"},
            "createdAt": "2026-11-21T23:50:01.339+0000", "mimetype": "Image/PNG", "size": 5678,
            "metadata": {"size": "128x128"}}"#;
        let backend = TrackerBackend::new("", TrackerTarget::Temporary);
        let att = backend.parse_upload(201, body).unwrap();
        assert_eq!(att.id, "123");
        assert_eq!(att.name, "pic.png");
        assert_eq!(att.size, 5678);
        assert_eq!(att.mimetype.as_deref(), Some("image/png"));
        assert_eq!(
            att.thumbnail.as_deref(),
            Some("http://h/v2/attachments/123/thumbnail")
        );
        assert_eq!(
            att.created_at.as_deref(),
            Some("2026-11-21T23:50:01.339+0000")
        );
    }

    #[test]
    fn accepts_numeric_ids_and_missing_thumbnail() {
        let backend = TrackerBackend::new("", TrackerTarget::Temporary);
        let att = backend
            .parse_upload(201, r#"{"id": 77, "name": "a.txt", "size": 3}"#)
            .unwrap();
        assert_eq!(att.id, "77");
        assert_eq!(att.thumbnail, None);
    }

    #[test]
    fn links_other_than_web_ones_are_dropped() {
        let backend = TrackerBackend::new("", TrackerTarget::Temporary);
        let att = backend
            .parse_upload(
                201,
                r#"{"id": "7", "name": "a.txt", "size": 3,
                    "content": "javascript:alert(1)", "thumbnail": "/v2/attachments/7/thumbnail"}"#,
            )
            .unwrap();
        assert_eq!(att.content, None);
        assert_eq!(
            att.thumbnail.as_deref(),
            Some("/v2/attachments/7/thumbnail")
        );
    }

    #[test]
    fn error_status_reads_tracker_body() {
        let backend = TrackerBackend::new("", TrackerTarget::Temporary);
        let err = backend
            .parse_upload(
                401,
                r#"{"errors": {}, "errorsData": {}, "errorMessages": ["Not authorized."], "statusCode": 401}"#,
            )
            .unwrap_err();
        assert_eq!(
            err,
            UploadError::Http {
                status: 401,
                message: "Not authorized.".into()
            }
        );
    }

    #[test]
    fn success_with_garbage_is_invalid_response() {
        let backend = TrackerBackend::new("", TrackerTarget::Temporary);
        assert!(matches!(
            backend.parse_upload(201, "<html>ok</html>"),
            Err(UploadError::InvalidResponse(_))
        ));
        assert!(matches!(
            backend.parse_upload(201, r#"{"id": "", "name": "x"}"#),
            Err(UploadError::InvalidResponse(_))
        ));
    }

    #[test]
    fn trait_form_matches_inherent_form() {
        let backend = TrackerBackend::new("http://h", TrackerTarget::Issue("DEMO-2".into()));
        let file = FileMeta::new("a.txt", 3, "text/plain");
        let via_trait = UploadBackend::upload_request(&backend, &[&file], &creds());
        assert_eq!(via_trait, backend.upload_request(&file, &creds()));
        assert_eq!(
            via_trait.url,
            "http://h/v2/issues/DEMO-2/attachments/?filename=a.txt"
        );
        assert_eq!(backend.max_batch(), 1);

        let body = r#"{"id": "9", "name": "a.txt", "size": 3}"#;
        let outcomes = UploadBackend::parse_upload(&backend, &[&file], 201, body);
        assert_eq!(outcomes, vec![backend.parse_upload(201, body)]);
        assert_eq!(outcomes[0].as_ref().map(|a| a.id.as_str()), Ok("9"));
    }

    #[test]
    fn trait_with_no_files_builds_a_partless_request() {
        let backend = TrackerBackend::new("", TrackerTarget::Temporary);
        let req = UploadBackend::upload_request(&backend, &[], &Credentials::default());
        assert_eq!(req.url, "/v2/attachments/");
        assert!(req.file_parts.is_empty());
        assert!(UploadBackend::parse_upload(&backend, &[], 400, "").is_empty());
    }

    #[test]
    fn trait_reports_errors_per_file() {
        let backend = TrackerBackend::new("", TrackerTarget::Temporary);
        let file = FileMeta::new("big.iso", 2 << 30, "");
        let outcomes = UploadBackend::parse_upload(&backend, &[&file], 413, "");
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].as_ref().unwrap_err().status(), Some(413));
    }

    #[test]
    fn blank_and_missing_ids_are_invalid() {
        for body in [
            r#"{"id": "  ", "name": "x"}"#,
            r#"{"name": "x"}"#,
            r#"{"id": null, "name": "x"}"#,
            r#"{"id": -1, "name": "x"}"#,
            r#"[]"#,
            "",
        ] {
            assert!(
                matches!(
                    parse_attachment_object(body),
                    Err(UploadError::InvalidResponse(_))
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn an_unreadable_success_onto_an_issue_is_a_lost_answer() {
        let on_issue = TrackerBackend::new("", TrackerTarget::Issue("DEMO-1".into()));
        let temporary = TrackerBackend::new("", TrackerTarget::Temporary);
        for body in [
            "",
            "<html>ok</html>",
            r#"{"id": "4159", "name": "a.txt", "si"#,
            r#"{"id": "", "name": "a.txt"}"#,
            r#"{"id": "..", "name": "a.txt", "size": 3}"#,
        ] {
            // The server took the file: sent again, it would be attached twice.
            let error = on_issue.parse_upload(201, body).unwrap_err();
            assert!(
                matches!(&error, UploadError::AnswerLost(inner)
                    if matches!(**inner, UploadError::InvalidResponse(_))),
                "{body}: {error:?}"
            );
            assert!(!error.is_retryable(), "{body}");
            // A temporary file nobody attaches expires: a plain failure.
            assert!(
                matches!(
                    temporary.parse_upload(201, body),
                    Err(UploadError::InvalidResponse(_))
                ),
                "{body}"
            );
        }
        // A refusal is a refusal, and a readable success a success.
        assert_eq!(
            on_issue.parse_upload(404, "").unwrap_err().status(),
            Some(404)
        );
        assert!(on_issue
            .parse_upload(201, r#"{"id": "1", "name": "a.txt", "size": 3}"#)
            .is_ok());
    }

    #[test]
    fn dot_keys_and_ids_cannot_leave_their_segment() {
        let file = FileMeta::new("a.txt", 3, "");
        for key in ["..", ".", "%2E%2e"] {
            let backend = TrackerBackend::new("http://h", TrackerTarget::Issue(key.into()));
            let url = backend.upload_request(&file, &creds()).url;
            assert!(url.starts_with("http://h/v2/issues/%25"), "{key}: {url}");
            assert!(
                url.ends_with("/attachments/?filename=a.txt"),
                "{key}: {url}"
            );
            assert_eq!(backend.listing_request(&creds()), None, "{key}");
            let attachment = Attachment::named("4159", "a.txt", 3);
            assert_eq!(
                backend.withdraw_request(&attachment, &creds()),
                None,
                "{key}"
            );
        }
        assert_eq!(
            TrackerBackend::new("", TrackerTarget::Issue("..".into()))
                .upload_request(&file, &creds())
                .url,
            "/v2/issues/%252E%252E/attachments/?filename=a.txt"
        );
        // The server's id `..` would make the deletion one of the issue.
        let on_issue = TrackerBackend::new("http://h", TrackerTarget::Issue("DEMO-1".into()));
        for id in ["..", ".", "%2e", "%2E%2e"] {
            let attachment = Attachment::named(id, "a.txt", 3);
            assert_eq!(
                on_issue.withdraw_request(&attachment, &creds()),
                None,
                "{id}"
            );
            let body = format!(r#"{{"id": "{id}", "name": "a.txt", "size": 3}}"#);
            assert!(matches!(
                parse_attachment_object(&body),
                Err(UploadError::InvalidResponse(_))
            ));
            let listing = format!(r#"[{body}, {{"id": "7", "name": "b.txt"}}]"#);
            let listed = on_issue.parse_listing(200, &listing).unwrap();
            assert_eq!(listed.len(), 1, "{id}");
            assert_eq!(listed[0].id, "7");
        }
        // Dots inside an id are an id like any other.
        let attachment = Attachment::named("a..b", "a.txt", 3);
        assert_eq!(
            on_issue
                .withdraw_request(&attachment, &creds())
                .unwrap()
                .url,
            "http://h/v2/issues/DEMO-1/attachments/a..b/"
        );
    }

    #[test]
    fn withdraws_only_what_went_straight_onto_an_issue() {
        let body = r#"{"id": "4159", "name": "a.txt", "size": 3}"#;
        let on_issue = TrackerBackend::new("http://h/", TrackerTarget::Issue("DEMO 1".into()));
        let attachment = on_issue.parse_upload(201, body).unwrap();
        let request = UploadBackend::withdraw_request(&on_issue, &attachment, &creds()).unwrap();
        assert_eq!(request.method, HttpMethod::Delete);
        assert_eq!(request.url, "http://h/v2/issues/DEMO%201/attachments/4159/");
        assert!(request
            .headers
            .iter()
            .any(|(n, v)| n == "X-Org-ID" && v == "dev-org"));
        assert!(request
            .headers
            .iter()
            .any(|(n, v)| n == "Authorization" && v == "OAuth dev-token"));
        // A temporary file is attached nowhere: it expires on its own.
        let temporary = TrackerBackend::new("http://h/", TrackerTarget::Temporary);
        assert_eq!(
            UploadBackend::withdraw_request(&temporary, &attachment, &creds()),
            None
        );
    }

    #[test]
    fn lists_what_the_issue_holds() {
        let on_issue = TrackerBackend::new("http://h/", TrackerTarget::Issue("DEMO 1".into()));
        let request = on_issue.listing_request(&creds()).unwrap();
        assert_eq!(request.method, HttpMethod::Get);
        assert_eq!(request.url, "http://h/v2/issues/DEMO%201/attachments");
        assert!(request
            .headers
            .iter()
            .any(|(n, v)| n == "X-Org-ID" && v == "dev-org"));
        let body = r#"[{"id": "1", "name": "a.txt", "size": 3, "createdAt": "2026-11-22T10:00:00.000+0000"},
                       {"name": "no id"}, {"id": 2, "name": "b.png", "size": 9}]"#;
        let listing = on_issue.parse_listing(200, body).unwrap();
        let read: Vec<(&str, &str, Option<&str>)> = listing
            .iter()
            .map(|a| (a.id.as_str(), a.name.as_str(), a.created_at.as_deref()))
            .collect();
        assert_eq!(
            read,
            [
                ("1", "a.txt", Some("2026-11-22T10:00:00.000+0000")),
                ("2", "b.png", None)
            ]
        );
        assert_eq!(
            on_issue.parse_listing(404, "").unwrap_err().status(),
            Some(404)
        );
        assert!(on_issue.parse_listing(200, "{}").is_err());
        // Temporary files go onto no issue.
        let temporary = TrackerBackend::new("http://h/", TrackerTarget::Temporary);
        assert_eq!(temporary.listing_request(&creds()), None);
    }
}
