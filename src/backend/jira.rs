use super::percent::{forced_path_segment, path_segment};
use super::tracker::{read_attachments, WireFields};
use super::{
    error_from_response, unreadable_success, Credentials, FilePart, HttpMethod, JsonRequest, Mode,
    UploadBackend, UploadRequest,
};
use crate::core::json::Json;
use crate::core::{Attachment, FileMeta, UploadError};

/// Most files Jira takes in one J1 request; more answer 413.
pub const JIRA_MAX_BATCH: usize = 60;

/// Jira Cloud REST v3 attachments (J1). Jira has no temporary files, so the
/// issue key is known before anything is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JiraBackend {
    /// API origin, without a trailing slash (empty: the page's own origin).
    pub base: String,
    pub issue_key: String,
    /// Send up to [`JIRA_MAX_BATCH`] files per request instead of one each.
    /// One request is cheaper, but its progress and its failure are shared.
    pub batch: bool,
}

/// Jira's attachment object; only the fields the widget uses.
const JIRA_FIELDS: WireFields = WireFields {
    name: "filename",
    mimetype: "mimeType",
    created: "created",
};

impl JiraBackend {
    pub fn new(base: &str, issue_key: &str, batch: bool) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            issue_key: issue_key.trim().to_owned(),
            batch,
        }
    }

    /// J1's URL. A key read as `.` or `..` is refused before sending
    /// ([`super::usable_issue_key`]); here, where nothing can fail, it
    /// becomes a key that names nothing rather than a path above the issue.
    fn url(&self) -> String {
        format!(
            "{}/rest/api/3/issue/{}/attachments",
            self.base.trim_end_matches('/'),
            forced_path_segment(&self.issue_key)
        )
    }
}

impl UploadBackend for JiraBackend {
    fn max_batch(&self) -> usize {
        if self.batch {
            JIRA_MAX_BATCH
        } else {
            1
        }
    }

    /// J1: every file in field `file`. A caller that passes more than
    /// [`Self::max_batch`] files gets them all in the request and Jira's 413
    /// back, which reports the mistake instead of hiding it.
    fn upload_request(&self, files: &[&FileMeta], credentials: &Credentials) -> UploadRequest {
        let mut headers = credentials.headers_for(Mode::Jira);
        // Without it Jira refuses every multipart POST (403 "XSRF check failed").
        headers.push(("X-Atlassian-Token".to_owned(), "no-check".to_owned()));
        UploadRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Post,
            url: self.url(),
            headers,
            fields: Vec::new(),
            file_parts: files
                .iter()
                .map(|file| FilePart {
                    field: "file".to_owned(),
                    filename: file.name.clone(),
                })
                .collect(),
        }
    }

    fn parse_upload(
        &self,
        files: &[&FileMeta],
        status: u16,
        body: &str,
    ) -> Vec<Result<Attachment, UploadError>> {
        if !(200..300).contains(&status) {
            let error = error_from_response(status, body);
            return files.iter().map(|_| Err(error.clone())).collect();
        }
        // A success means Jira attached every file of the request: one whose
        // entry cannot be read (no answer, a cut one, `"size": null`) is on
        // the issue as nobody knows what, and sent again it would be there
        // twice.
        let entries = match parse_entries(body) {
            Ok(entries) => entries,
            Err(error) => {
                let error = unreadable_success(error);
                return files.iter().map(|_| Err(error.clone())).collect();
            }
        };
        match_entries(files, entries)
            .into_iter()
            .map(|outcome| outcome.map_err(unreadable_success))
            .collect()
    }

    /// `GET /rest/api/3/issue/{key}?fields=attachment`; none for a key read
    /// as `.` or `..`, which would ask another path.
    fn listing_request(&self, credentials: &Credentials) -> Option<JsonRequest> {
        let key = path_segment(&self.issue_key)?;
        Some(JsonRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Get,
            url: format!("{}/rest/api/3/issue/{key}?fields=attachment", self.base),
            headers: credentials.headers_for(Mode::Jira),
            body: String::new(),
        })
    }

    fn parse_listing(&self, status: u16, body: &str) -> Result<Vec<Attachment>, UploadError> {
        if !(200..300).contains(&status) {
            return Err(error_from_response(status, body));
        }
        let issue = Json::parse(body)
            .map_err(|e| UploadError::InvalidResponse(format!("not a Jira issue ({e})")))?;
        match issue.get("fields").and_then(|f| f.get("attachment")) {
            Some(Json::Array(values)) => Ok(read_attachments(values, &JIRA_FIELDS)),
            _ => Err(UploadError::InvalidResponse(
                "the Jira issue lists no attachments".into(),
            )),
        }
    }

    /// J6: `DELETE /rest/api/3/attachment/{id}`; none for an id read as
    /// `.` or `..`, which would delete at another path.
    fn withdraw_request(
        &self,
        attachment: &Attachment,
        credentials: &Credentials,
    ) -> Option<JsonRequest> {
        let id = path_segment(&attachment.id)?;
        Some(JsonRequest {
            with_credentials: credentials.send_cookies,
            method: HttpMethod::Delete,
            url: format!("{}/rest/api/3/attachment/{id}", self.base),
            headers: credentials.headers_for(Mode::Jira),
            body: String::new(),
        })
    }
}

/// The answer's attachments; an unreadable entry is dropped here, and the
/// file it belonged to is then reported as unmatched. J1 answers an array;
/// any other JSON value is read as an array of one, which costs nothing and
/// survives a proxy or an older server that unwraps it.
fn parse_entries(body: &str) -> Result<Vec<Attachment>, UploadError> {
    let answer = Json::parse(body).map_err(|e| {
        UploadError::InvalidResponse(format!("not a list of Jira attachments ({e})"))
    })?;
    let values = match answer {
        Json::Array(values) => values,
        one => vec![one],
    };
    Ok(read_attachments(&values, &JIRA_FIELDS))
}

/// Pairs each file with its answer. Jira's docs do not promise the order of
/// the array, so filename and size decide; when some files found no such
/// entry but the answer still has exactly one entry left per such file (Jira
/// renamed them, e.g. normalised Unicode), order decides for those.
fn match_entries(
    files: &[&FileMeta],
    entries: Vec<Attachment>,
) -> Vec<Result<Attachment, UploadError>> {
    let mut left: Vec<Option<Attachment>> = entries.into_iter().map(Some).collect();
    let mut matched: Vec<Option<Attachment>> = files
        .iter()
        .map(|file| {
            let slot = left.iter_mut().find(|slot| {
                slot.as_ref()
                    .is_some_and(|a| super::sent_name::names_the_file(&a.name, a.size, file))
            })?;
            slot.take()
        })
        .collect();

    let unmatched = matched.iter().filter(|m| m.is_none()).count();
    let rest: Vec<Attachment> = left.into_iter().flatten().collect();
    if unmatched > 0 && rest.len() == unmatched {
        let empty_slots = matched.iter_mut().filter(|m| m.is_none());
        for (slot, attachment) in empty_slots.zip(rest) {
            *slot = Some(attachment);
        }
    }

    files
        .iter()
        .zip(matched)
        .map(|(file, attachment)| {
            attachment.ok_or_else(|| {
                UploadError::InvalidResponse(format!("Jira's answer does not list {}", file.name))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{AuthScheme, OrgHeader};

    fn basic() -> Credentials {
        Credentials {
            scheme: Some(AuthScheme::Basic),
            authorization: None,
            token: Some("dXNlckBleGFtcGxlLmNvbTp0b2s=".into()),
            org_id: Some("dev-org".into()),
            org_header: OrgHeader::XOrgId,
            ..Credentials::default()
        }
    }

    fn entry(id: &str, filename: &str, size: u64) -> String {
        format!(
            r#"{{"self": "https://x.atlassian.net/rest/api/3/attachment/{id}", "id": "{id}",
                "filename": "{filename}", "size": {size}, "mimeType": "Image/PNG",
                "author": {{"accountId": "5b10", "displayName": "Dev", "active": true}},
                "created": "2026-11-22T10:00:00.000+0000",
                "content": "https://x.atlassian.net/rest/api/3/attachment/content/{id}",
                "thumbnail": "https://x.atlassian.net/rest/api/3/attachment/thumbnail/{id}"}}"#
        )
    }

    fn ids(outcomes: &[Result<Attachment, UploadError>]) -> Vec<Result<&str, &UploadError>> {
        outcomes
            .iter()
            .map(|o| o.as_ref().map(|a| a.id.as_str()))
            .collect()
    }

    #[test]
    fn request_for_one_file() {
        let backend = JiraBackend::new("https://x.atlassian.net/", "PRJ-7", false);
        let file = FileMeta::new("отчёт 1.pdf", 10, "application/pdf");
        let req = backend.upload_request(&[&file], &basic());
        assert_eq!(req.method, HttpMethod::Post);
        assert_eq!(
            req.url,
            "https://x.atlassian.net/rest/api/3/issue/PRJ-7/attachments"
        );
        assert_eq!(
            req.headers,
            vec![
                (
                    "Authorization".to_owned(),
                    "Basic dXNlckBleGFtcGxlLmNvbTp0b2s=".to_owned()
                ),
                ("X-Atlassian-Token".to_owned(), "no-check".to_owned()),
            ]
        );
        assert!(req.fields.is_empty());
        assert_eq!(
            req.file_parts,
            vec![FilePart {
                field: "file".into(),
                filename: "отчёт 1.pdf".into()
            }]
        );
        assert_eq!(backend.max_batch(), 1);
    }

    #[test]
    fn batch_repeats_field_file_and_bearer_works() {
        let backend = JiraBackend::new("", " PRJ 1 ", true);
        assert_eq!(backend.max_batch(), 60);
        let a = FileMeta::new("a.png", 1, "");
        let b = FileMeta::new("b.png", 2, "");
        let creds = Credentials {
            scheme: Some(AuthScheme::Bearer),
            token: Some("jwt".into()),
            ..Credentials::default()
        };
        let req = backend.upload_request(&[&a, &b], &creds);
        assert_eq!(req.url, "/rest/api/3/issue/PRJ%201/attachments");
        assert_eq!(
            req.headers[0],
            ("Authorization".to_owned(), "Bearer jwt".to_owned())
        );
        assert_eq!(
            req.file_parts
                .iter()
                .map(|p| (p.field.as_str(), p.filename.as_str()))
                .collect::<Vec<_>>(),
            [("file", "a.png"), ("file", "b.png")]
        );
    }

    #[test]
    fn proxy_mode_still_sends_xsrf_header() {
        let backend = JiraBackend::new("", "PRJ-1", false);
        let req = backend.upload_request(&[], &Credentials::default());
        assert_eq!(
            req.headers,
            vec![("X-Atlassian-Token".to_owned(), "no-check".to_owned())]
        );
        assert!(req.file_parts.is_empty());
    }

    #[test]
    fn parses_the_attachment_array() {
        let backend = JiraBackend::new("", "PRJ-1", false);
        let file = FileMeta::new("pic.png", 5678, "image/png");
        let body = format!("[{}]", entry("10001", "pic.png", 5678));
        let outcomes = backend.parse_upload(&[&file], 200, &body);
        assert_eq!(
            outcomes,
            vec![Ok(Attachment {
                id: "10001".into(),
                name: "pic.png".into(),
                size: 5678,
                mimetype: Some("image/png".into()),
                content: Some("https://x.atlassian.net/rest/api/3/attachment/content/10001".into()),
                thumbnail: Some(
                    "https://x.atlassian.net/rest/api/3/attachment/thumbnail/10001".into()
                ),
                created_at: Some("2026-11-22T10:00:00.000+0000".into()),
            })]
        );
    }

    #[test]
    fn matches_by_name_and_size_whatever_the_order() {
        let backend = JiraBackend::new("", "PRJ-1", true);
        let a = FileMeta::new("same.txt", 1, "");
        let b = FileMeta::new("same.txt", 2, "");
        let c = FileMeta::new("c.txt", 3, "");
        let body = format!(
            "[{}, {}, {}]",
            entry("3", "c.txt", 3),
            entry("2", "same.txt", 2),
            entry("1", "same.txt", 1)
        );
        let outcomes = backend.parse_upload(&[&a, &b, &c], 200, &body);
        assert_eq!(ids(&outcomes), [Ok("1"), Ok("2"), Ok("3")]);
    }

    #[test]
    fn identical_files_take_one_entry_each() {
        let backend = JiraBackend::new("", "PRJ-1", true);
        let a = FileMeta::new("dup.txt", 4, "");
        let body = format!(
            "[{}, {}]",
            entry("7", "dup.txt", 4),
            entry("8", "dup.txt", 4)
        );
        let outcomes = backend.parse_upload(&[&a, &a], 200, &body);
        assert_eq!(ids(&outcomes), [Ok("7"), Ok("8")]);
    }

    #[test]
    fn renamed_files_fall_back_to_order() {
        let backend = JiraBackend::new("", "PRJ-1", true);
        let a = FileMeta::new("a.txt", 1, "");
        // "é" sent decomposed, answered composed: names differ, order holds.
        let b = FileMeta::new("cafe\u{301}.txt", 2, "");
        let c = FileMeta::new("x:y.txt", 3, "");
        let body = format!(
            "[{}, {}, {}]",
            entry("1", "a.txt", 1),
            entry("2", "caf\u{e9}.txt", 2),
            entry("3", "x_y.txt", 3)
        );
        let outcomes = backend.parse_upload(&[&a, &b, &c], 200, &body);
        assert_eq!(ids(&outcomes), [Ok("1"), Ok("2"), Ok("3")]);
    }

    /// What a success that could not be read for a file is told as.
    fn unreadable(detail: &str) -> UploadError {
        UploadError::AnswerLost(Box::new(UploadError::InvalidResponse(detail.into())))
    }

    fn is_unreadable(outcome: &Result<Attachment, UploadError>) -> bool {
        matches!(outcome, Err(UploadError::AnswerLost(inner))
            if matches!(**inner, UploadError::InvalidResponse(_)))
    }

    #[test]
    fn a_file_missing_from_the_answer_is_a_lost_answer() {
        let backend = JiraBackend::new("", "PRJ-1", true);
        let a = FileMeta::new("a.txt", 1, "");
        let b = FileMeta::new("b.txt", 2, "");
        let c = FileMeta::new("c.txt", 3, "");
        let body = format!(
            "[{}, {}]",
            entry("1", "a.txt", 1),
            entry("9", "other.txt", 9)
        );
        // Two files unmatched, one entry left: order would be a guess.
        let outcomes = backend.parse_upload(&[&a, &b, &c], 200, &body);
        assert_eq!(outcomes[0].as_ref().map(|x| x.id.as_str()), Ok("1"));
        // Jira took them all: sent again, they would be attached twice.
        assert_eq!(
            outcomes[1],
            Err(unreadable("Jira's answer does not list b.txt"))
        );
        assert!(is_unreadable(&outcomes[2]));
    }

    #[test]
    fn unreadable_entries_are_skipped_and_numeric_ids_kept() {
        let backend = JiraBackend::new("", "PRJ-1", true);
        let a = FileMeta::new("a.txt", 1, "");
        let b = FileMeta::new("b.txt", 2, "");
        let body =
            r#"[{"id": 42, "filename": "a.txt", "size": 1}, {"filename": "b.txt", "size": 2}]"#;
        let outcomes = backend.parse_upload(&[&a, &b], 200, body);
        let first = outcomes[0].as_ref().unwrap();
        assert_eq!(first.id, "42");
        assert_eq!(first.mimetype, None);
        assert!(is_unreadable(&outcomes[1]));
    }

    #[test]
    fn a_single_object_answer_is_read_as_one() {
        let backend = JiraBackend::new("", "PRJ-1", false);
        let a = FileMeta::new("a.txt", 1, "");
        let outcomes = backend.parse_upload(&[&a], 200, &entry("5", "a.txt", 1));
        assert_eq!(ids(&outcomes), [Ok("5")]);
    }

    #[test]
    fn garbage_success_is_a_lost_answer_for_every_file() {
        let backend = JiraBackend::new("", "PRJ-1", true);
        let a = FileMeta::new("a.txt", 1, "");
        let null_size = r#"[{"id": "1", "filename": "a.txt", "size": null}]"#;
        let dot_id = r#"[{"id": "..", "filename": "a.txt", "size": 1}]"#;
        for body in ["", "<html>ok</html>", "\"ok\"", "[1, 2]", null_size, dot_id] {
            let outcomes = backend.parse_upload(&[&a, &a], 200, body);
            assert_eq!(outcomes.len(), 2, "{body}");
            assert!(outcomes.iter().all(is_unreadable), "{body}: {outcomes:?}");
            assert!(
                outcomes
                    .iter()
                    .all(|o| o.as_ref().is_err_and(|e| !e.is_retryable())),
                "{body}"
            );
        }
    }

    #[test]
    fn dot_keys_and_ids_cannot_leave_their_segment() {
        let a = FileMeta::new("a.txt", 1, "");
        for key in ["..", " . ", "%2e", "%2E%2e"] {
            let backend = JiraBackend::new("https://x.atlassian.net", key, false);
            let url = backend.upload_request(&[&a], &basic()).url;
            assert!(
                url.starts_with("https://x.atlassian.net/rest/api/3/issue/%25"),
                "{key}: {url}"
            );
            assert!(url.ends_with("/attachments"), "{key}: {url}");
            assert_eq!(backend.listing_request(&basic()), None, "{key}");
        }
        assert_eq!(
            JiraBackend::new("", "..", false)
                .upload_request(&[&a], &basic())
                .url,
            "/rest/api/3/issue/%252E%252E/attachments"
        );
        let backend = JiraBackend::new("", "PRJ-1", false);
        for id in ["..", ".", "%2e", "%2E%2e"] {
            let attachment = Attachment::named(id, "a.txt", 1);
            assert_eq!(
                backend.withdraw_request(&attachment, &basic()),
                None,
                "{id}"
            );
        }
        let listing = r#"{"fields": {"attachment": [{"id": "..", "filename": "a.txt", "size": 1},
            {"id": "7", "filename": "b.txt", "size": 2}]}}"#;
        let listed = backend.parse_listing(200, listing).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, "7");
    }

    #[test]
    fn error_statuses_fail_every_file_with_jiras_words() {
        let backend = JiraBackend::new("", "PRJ-1", true);
        let a = FileMeta::new("a.txt", 1, "");
        let b = FileMeta::new("b.txt", 2, "");
        let cases = [
            (
                404,
                r#"{"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}, "status": 404}"#,
                "Issue does not exist or you do not have permission to see it.",
            ),
            (
                413,
                r#"{"errorMessages": [], "errors": {"file": "The file is too large."}, "status": 413}"#,
                "file: The file is too large.",
            ),
            (403, "XSRF check failed", "XSRF check failed"),
        ];
        for (status, body, message) in cases {
            let outcomes = backend.parse_upload(&[&a, &b], status, body);
            let expected = Err(UploadError::Http {
                status,
                message: message.into(),
            });
            assert_eq!(outcomes, vec![expected.clone(), expected], "{status}");
        }
    }

    #[test]
    fn status_only_error_body_uses_the_status_sentence() {
        let backend = JiraBackend::new("", "PRJ-1", false);
        let a = FileMeta::new("a.txt", 1, "");
        let outcomes = backend.parse_upload(
            &[&a],
            401,
            r#"{"errorMessages": [], "errors": {}, "status": 401}"#,
        );
        let err = outcomes[0].as_ref().unwrap_err();
        assert_eq!(err.status(), Some(401));
        assert!(err.to_string().contains("token"), "{err}");
    }

    #[test]
    fn lists_what_the_issue_holds() {
        let backend = JiraBackend::new("https://x.atlassian.net/", "DEV 1", false);
        let request = backend.listing_request(&basic()).unwrap();
        assert_eq!(request.method, HttpMethod::Get);
        assert_eq!(
            request.url,
            "https://x.atlassian.net/rest/api/3/issue/DEV%201?fields=attachment"
        );
        assert_eq!(request.headers.len(), 1, "authorization alone");
        let body = format!(
            r#"{{"key": "DEV-1", "fields": {{"attachment": [{}, {}]}}}}"#,
            entry("10001", "pic.png", 5678),
            entry("10002", "log.txt", 12)
        );
        let listing = backend.parse_listing(200, &body).unwrap();
        let ids: Vec<&str> = listing.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["10001", "10002"]);
        assert_eq!(listing[1].name, "log.txt");
        assert!(backend.parse_listing(200, r#"{"key": "DEV-1"}"#).is_err());
        assert_eq!(
            backend
                .parse_listing(403, r#"{"errorMessages": ["no"], "status": 403}"#)
                .unwrap_err()
                .status(),
            Some(403)
        );
    }

    #[test]
    fn withdraws_an_attachment_by_id_with_authorization_alone() {
        let backend = JiraBackend::new("https://x.atlassian.net/", "DEV-1", true);
        let file = FileMeta::new("pic.png", 5678, "image/png");
        let body = format!("[{}]", entry("10001/../x", "pic.png", 5678));
        let attachment = backend
            .parse_upload(&[&file], 200, &body)
            .remove(0)
            .unwrap();
        let request = backend.withdraw_request(&attachment, &basic()).unwrap();
        assert_eq!(request.method, HttpMethod::Delete);
        // The id is the server's text: encoded, so it cannot leave the path.
        assert_eq!(
            request.url,
            "https://x.atlassian.net/rest/api/3/attachment/10001%2F..%2Fx"
        );
        assert_eq!(
            request.headers,
            vec![(
                "Authorization".to_owned(),
                "Basic dXNlckBleGFtcGxlLmNvbTp0b2s=".to_owned()
            )]
        );
        assert!(request.body.is_empty());
    }
}
