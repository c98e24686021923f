//! Attach-later: Tracker temporary files (T1) become an issue's attachments
//! through a PATCH of the issue (T8) or a comment (T9), both JSON.

use super::percent::forced_path_segment;
use super::{error_from_response, Credentials, HttpMethod, JsonRequest};
use crate::core::json::write_string;
use crate::core::UploadError;

/// The issue's URL. A key read as `.` or `..` cannot go in as it is (the
/// PATCH would land on `/v2/`): the widget refuses it before calling this
/// ([`super::usable_issue_key`]), and the builder, which cannot fail, makes
/// it a key that names nothing.
fn issue_url(base: &str, issue_key: &str) -> String {
    format!(
        "{}/v2/issues/{}",
        base.trim_end_matches('/'),
        forced_path_segment(issue_key.trim())
    )
}

fn json_headers(credentials: &Credentials) -> Vec<(String, String)> {
    let mut headers = credentials.headers();
    headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    headers
}

/// `{"attachmentIds":[...]}`, with `"text"` after it for a comment (the
/// keys in the order serde_json's `json!` wrote them).
fn json_body(text: Option<&str>, ids: &[String]) -> String {
    let mut body = String::from("{\"attachmentIds\":[");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        write_string(&mut body, id);
    }
    body.push(']');
    if let Some(text) = text {
        body.push_str(",\"text\":");
        write_string(&mut body, text);
    }
    body.push('}');
    body
}

/// T8: `PATCH /v2/issues/<key>` with `{"attachmentIds": [...]}`. With
/// `if_match_version` the server refuses (412) if someone changed the issue
/// since that version was read, as the official client does it.
pub fn attach_request(
    base: &str,
    issue_key: &str,
    ids: &[String],
    credentials: &Credentials,
    if_match_version: Option<u64>,
) -> JsonRequest {
    let mut headers = json_headers(credentials);
    if let Some(version) = if_match_version {
        // An entity tag is a quoted string; Tracker's is the bare version.
        headers.push(("If-Match".to_owned(), format!("\"{version}\"")));
    }
    JsonRequest {
        with_credentials: credentials.send_cookies,
        method: HttpMethod::Patch,
        url: issue_url(base, issue_key),
        headers,
        body: json_body(None, ids),
    }
}

/// T9: `POST /v2/issues/<key>/comments` with the text and the ids.
pub fn comment_request(
    base: &str,
    issue_key: &str,
    text: &str,
    ids: &[String],
    credentials: &Credentials,
) -> JsonRequest {
    JsonRequest {
        with_credentials: credentials.send_cookies,
        method: HttpMethod::Post,
        url: format!("{}/comments", issue_url(base, issue_key)),
        headers: json_headers(credentials),
        body: json_body(Some(text), ids),
    }
}

/// Reads the answer to [`attach_request`]: any 2xx (T8 answers 200 with the
/// issue) is done. A 422 (a temporary file already attached, or expired)
/// carries the server's message naming the id, a 412 a changed issue.
pub fn parse_attach(status: u16, body: &str) -> Result<(), UploadError> {
    parse_json_answer(status, body)
}

/// Reads the answer to [`comment_request`] (201 with the comment).
pub fn parse_comment(status: u16, body: &str) -> Result<(), UploadError> {
    parse_json_answer(status, body)
}

/// T11: `GET /v2/attachments/<id>`, to tell whether a kept temporary id is
/// still usable. An expired one answers 404 and would make every attach of
/// the whole list fail. One attached already still answers 200; the 422 of
/// the attach names it ([`ids_refused_by_name`]).
pub fn temporary_attachment_request(
    base: &str,
    id: &str,
    credentials: &Credentials,
) -> JsonRequest {
    JsonRequest {
        with_credentials: credentials.send_cookies,
        method: HttpMethod::Get,
        // A kept id is the server's (or the page's) text: one read as `..`
        // would ask for `/v2/` instead, and its answer would prove nothing.
        url: format!(
            "{}/v2/attachments/{}",
            base.trim_end_matches('/'),
            forced_path_segment(id)
        ),
        headers: credentials.headers(),
        body: String::new(),
    }
}

/// What the answer to [`temporary_attachment_request`] says of the id: only
/// a 404 proves it gone; any other failure (a 503, a network error) proves
/// nothing, and the id is kept.
pub fn temporary_attachment_is_gone(status: u16) -> bool {
    status == 404
}

/// The ids of `sent` that a refused attach (422: each temporary file can be
/// attached only once) names in its error message: those were attached
/// already, e.g. by an attach whose answer was lost, and will never attach
/// again, though their metadata still reads (T11 answers 200). An id counts
/// only as a whole word, so `12` is not found in `123`.
pub fn ids_refused_by_name(refusal: &UploadError, sent: &[String]) -> Vec<String> {
    let UploadError::Http {
        status: 422,
        message,
    } = refusal
    else {
        return Vec::new();
    };
    let words: std::collections::HashSet<&str> = message
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    sent.iter()
        .filter(|id| words.contains(id.as_str()))
        .cloned()
        .collect()
}

fn parse_json_answer(status: u16, body: &str) -> Result<(), UploadError> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(error_from_response(status, body))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::backend::{AuthScheme, OrgHeader};

    #[test]
    fn a_refused_attach_names_the_ids_attached_already() {
        let sent = ["12".to_owned(), "123".to_owned(), "7f3a-b2".to_owned()];
        let body = r#"{"errors":{"attachmentIds":"Attachment 123 cannot be attached: it does not exist, has expired or is already attached."},"errorMessages":[],"statusCode":422}"#;
        let refused = |status, body| parse_attach(status, body).unwrap_err();
        assert_eq!(ids_refused_by_name(&refused(422, body), &sent), ["123"]);
        let body =
            r#"{"errorMessages":["Attachment 7f3a-b2 cannot be attached."],"statusCode":422}"#;
        assert_eq!(ids_refused_by_name(&refused(422, body), &sent), ["7f3a-b2"]);
        // Only a 422 says that; a 404's ids are checked one by one (T11).
        assert!(ids_refused_by_name(&refused(404, body), &sent).is_empty());
        let silent = r#"{"errorMessages":["Validation failed"],"statusCode":422}"#;
        assert!(ids_refused_by_name(&refused(422, silent), &sent).is_empty());
    }

    #[test]
    fn checks_a_temporary_id() {
        let req = temporary_attachment_request("http://h/", "12 3", &Credentials::default());
        assert_eq!(req.method, HttpMethod::Get);
        assert_eq!(req.url, "http://h/v2/attachments/12%203");
        assert!(!req.has_body());
        assert!(temporary_attachment_is_gone(404));
        assert!(!temporary_attachment_is_gone(200));
        assert!(!temporary_attachment_is_gone(503));
    }

    #[test]
    fn dot_keys_and_ids_cannot_leave_their_segment() {
        let creds = Credentials::default();
        let ids = ["1".to_owned()];
        assert_eq!(
            attach_request("http://h", " .. ", &ids, &creds, None).url,
            "http://h/v2/issues/%252E%252E"
        );
        assert_eq!(
            comment_request("http://h", "%2E%2e", "hi", &ids, &creds).url,
            "http://h/v2/issues/%2525%2532%2545%2525%2532%2565/comments"
        );
        assert_eq!(
            temporary_attachment_request("http://h", ".", &creds).url,
            "http://h/v2/attachments/%252E"
        );
        assert_eq!(
            attach_request("http://h", "DEMO-1", &ids, &creds, None).url,
            "http://h/v2/issues/DEMO-1"
        );
    }

    fn creds() -> Credentials {
        Credentials {
            scheme: Some(AuthScheme::OAuth),
            authorization: None,
            token: Some("dev-token".into()),
            org_id: Some("dev-org".into()),
            org_header: OrgHeader::XCloudOrgId,
            ..Credentials::default()
        }
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn body_json(req: &JsonRequest) -> serde_json::Value {
        serde_json::from_str(&req.body).expect("request body is JSON")
    }

    #[test]
    fn attach_request_patches_the_issue() {
        let req = attach_request(
            "http://127.0.0.1:8080/",
            "DEMO-1",
            &ids(&["123", "124"]),
            &creds(),
            None,
        );
        assert_eq!(
            req,
            JsonRequest {
                method: HttpMethod::Patch,
                url: "http://127.0.0.1:8080/v2/issues/DEMO-1".into(),
                headers: vec![
                    ("Authorization".into(), "OAuth dev-token".into()),
                    ("X-Cloud-Org-ID".into(), "dev-org".into()),
                    ("Content-Type".into(), "application/json".into()),
                ],
                body: r#"{"attachmentIds":["123","124"]}"#.into(),
                with_credentials: false,
            }
        );
    }

    #[test]
    fn attach_request_with_if_match() {
        let req = attach_request(
            "",
            " DEMO-2 ",
            &ids(&["1"]),
            &Credentials::default(),
            Some(7),
        );
        assert_eq!(req.url, "/v2/issues/DEMO-2");
        assert_eq!(
            req.headers,
            vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("If-Match".to_owned(), "\"7\"".to_owned()),
            ]
        );
    }

    #[test]
    fn attach_request_with_no_ids_is_an_empty_list() {
        let req = attach_request("", "A/B", &[], &Credentials::default(), None);
        assert_eq!(req.url, "/v2/issues/A%2FB");
        assert_eq!(req.body, r#"{"attachmentIds":[]}"#);
    }

    #[test]
    fn comment_request_escapes_text() {
        let text = "Логи \"до\" и после\n<b>&</b>";
        let req = comment_request(
            "https://api.tracker.yandex.net",
            "DEMO-3",
            text,
            &ids(&["9"]),
            &creds(),
        );
        assert_eq!(req.method, HttpMethod::Post);
        assert_eq!(
            req.url,
            "https://api.tracker.yandex.net/v2/issues/DEMO-3/comments"
        );
        assert!(req
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        assert_eq!(
            body_json(&req),
            json!({"text": text, "attachmentIds": ["9"]})
        );
        // Byte for byte what serde_json's `json!` sent before.
        assert_eq!(
            req.body,
            json!({"text": text, "attachmentIds": ["9"]}).to_string()
        );
        let odd = "\u{1}\t\\/\u{7f}😀";
        let req = comment_request("", "A-1", odd, &ids(&[odd, ""]), &creds());
        assert_eq!(
            req.body,
            json!({"text": odd, "attachmentIds": [odd, ""]}).to_string()
        );
        assert!(req.has_body());
    }

    #[test]
    fn success_statuses() {
        assert_eq!(
            parse_attach(200, r#"{"key": "DEMO-1", "version": 3}"#),
            Ok(())
        );
        assert_eq!(parse_attach(204, ""), Ok(()));
        assert_eq!(parse_comment(201, r#"{"id": 1, "text": "x"}"#), Ok(()));
        assert_eq!(parse_comment(200, "not json"), Ok(()));
    }

    #[test]
    fn already_attached_surfaces_the_message() {
        let body = r#"{"errors": {}, "errorsData": {}, "errorMessages": ["Attachment 123 is already attached."], "statusCode": 422}"#;
        let expected = Err(UploadError::Http {
            status: 422,
            message: "Attachment 123 is already attached.".into(),
        });
        assert_eq!(parse_attach(422, body), expected);
        assert_eq!(parse_comment(422, body), expected);
        let field_form = r#"{"errors": {"attachmentIds": "123 is already attached"}, "errorMessages": [], "statusCode": 422}"#;
        assert_eq!(
            parse_attach(422, field_form),
            Err(UploadError::Http {
                status: 422,
                message: "attachmentIds: 123 is already attached".into()
            })
        );
    }

    #[test]
    fn other_errors() {
        let err = parse_attach(412, "").unwrap_err();
        assert_eq!(err.status(), Some(412));
        assert!(!err.is_retryable());
        let err = parse_comment(
            403,
            r#"{"errors": {}, "errorMessages": ["Нет прав."], "statusCode": 403}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Нет прав. (HTTP 403)");
        let err = parse_attach(
            404,
            r#"{"errors": {}, "errorMessages": [], "statusCode": 404}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Not found (HTTP 404)");
    }
}
