use crate::core::json::Json;
use crate::core::{shown_name, UploadError};

/// Longest server text shown to a person; error pages can be megabytes.
const MAX_MESSAGE_CHARS: usize = 300;

/// Turns a failed answer into an error a person can act on: the server's own
/// words when it gave any (Tracker localises them), else a sentence for the
/// status.
pub fn error_from_response(status: u16, body: &str) -> UploadError {
    let message = message_from_json(body)
        .or_else(|| message_from_text(body))
        .unwrap_or_else(|| fallback_message(status).to_owned());
    // The server's words may quote a file name, with the controls that
    // reorder text as the name had them.
    let message = shown_name(&message).into_owned();
    UploadError::Http { status, message }
}

/// Tracker's `{errors, errorMessages, statusCode}` and Jira's
/// `{errorMessages, errors, status}` share the fields read first; a form
/// endpoint or gateway more often says `message`, `error` (with OAuth's
/// `error_description`) or `detail`. Read as loose JSON so that one field of
/// an unexpected type does not lose the others.
fn message_from_json(body: &str) -> Option<String> {
    let object = Json::parse(body.trim_start_matches('\u{feff}')).ok()?;
    if !matches!(object, Json::Object(_)) {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    if let Some(messages) = object.get("errorMessages") {
        parts.extend(texts(messages));
    }
    if let Some(fields @ Json::Object(_)) = object.get("errors") {
        // Sorted by field name, each once, as serde_json's map gave them.
        for (field, value) in fields.sorted_members() {
            let text = texts(value).join(", ");
            if !text.is_empty() {
                parts.push(format!("{field}: {text}"));
            }
        }
    }
    if parts.is_empty() {
        for key in ["message", "error_description", "error", "detail"] {
            if let Some(Json::String(text)) = object.get(key) {
                if !text.trim().is_empty() {
                    parts.push(text.trim().to_owned());
                    break;
                }
            }
        }
    }
    (!parts.is_empty()).then(|| truncate(&parts.join("; ")))
}

/// The non-blank strings in a string or an array of them; other JSON shown
/// as JSON, which is still more than nothing.
fn texts(value: &Json) -> Vec<String> {
    match value {
        Json::String(text) => Some(text.trim().to_owned())
            .filter(|t| !t.is_empty())
            .into_iter()
            .collect(),
        Json::Array(items) => items.iter().flat_map(texts).collect(),
        Json::Null => Vec::new(),
        other => vec![other.to_text()],
    }
}

fn message_from_text(body: &str) -> Option<String> {
    let trimmed = body.trim_start_matches('\u{feff}').trim();
    // JSON that said nothing readable (`null`, `{}`, `[1]`) is no message
    // either: the status sentence says more.
    let is_json = Json::parse(trimmed).is_ok();
    if trimmed.is_empty() || is_json || trimmed.starts_with('{') || trimmed.starts_with('[') {
        return None;
    }
    if trimmed.starts_with('<') {
        // An HTML error page from a proxy: its title is the only readable part.
        let title = html_title(trimmed)?;
        return (!title.is_empty()).then(|| truncate(&title));
    }
    Some(truncate(trimmed))
}

/// The text of the page's `<title>` (attributes allowed), its character
/// references read.
fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    let open = loop {
        let at = from + lower[from..].find("<title")?;
        let after = at + "<title".len();
        match lower.as_bytes().get(after) {
            Some(b'>') => break after + 1,
            Some(c) if c.is_ascii_whitespace() => break after + lower[after..].find('>')? + 1,
            _ => from = after,
        }
    };
    let end = open + lower[open..].find("</title")?;
    Some(decode_references(html.get(open..end)?.trim()))
}

/// `text` with HTML's character references read: the common names and
/// numbers. Anything else stays as written.
fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.get(1..).and_then(|tail| {
            let end = tail.find(';').filter(|end| *end <= 10)?;
            let name = &tail[..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code).filter(|c| !c.is_control())?
                }
            };
            Some((c, end + 2))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn fallback_message(status: u16) -> &'static str {
    match status {
        400 => "The server refused the request",
        401 => "Not signed in: the token is missing or expired",
        403 => "No access: check the organisation and your rights",
        404 => "Not found",
        408 | 504 => "The server took too long to answer",
        409 => "The server refused: it conflicts with an earlier request",
        412 => "The issue changed meanwhile: reload it and try again",
        413 => "The file is larger than the server accepts",
        422 => "The server could not accept this data",
        429 => "Too many requests: wait a moment",
        502 => "The server could not be reached through the proxy",
        500..=599 => "The server had a problem",
        _ => "The request failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(err: UploadError) -> (u16, String) {
        match err {
            UploadError::Http { status, message } => (status, message),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn reads_tracker_error_body() {
        let body = r#"{"errors": {}, "errorsData": {}, "errorMessages": ["Задача не существует."], "statusCode": 404}"#;
        assert_eq!(
            message(error_from_response(404, body)),
            (404, "Задача не существует.".to_owned())
        );
    }

    #[test]
    fn reads_jira_field_errors() {
        let body = r#"{"errorMessages": [], "errors": {"file": "too big"}, "status": 413}"#;
        assert_eq!(message(error_from_response(413, body)).1, "file: too big");
    }

    #[test]
    fn reads_plain_text_and_html_titles() {
        assert_eq!(
            message(error_from_response(403, "XSRF check failed\n")).1,
            "XSRF check failed"
        );
        let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        assert_eq!(message(error_from_response(502, html)).1, "502 Bad Gateway");
    }

    #[test]
    fn titles_with_attributes_and_references_are_read() {
        let page = "<html><head><titlebar>x</titlebar><title lang=\"en\">Bad &lt;img&gt; &amp; \
                    &quot;more&quot; &#8212; &#x41;&#0;&bogus; &</title></head></html>";
        assert_eq!(
            message(error_from_response(400, page)).1,
            "Bad <img> & \"more\" — A&#0;&bogus; &"
        );
    }

    #[test]
    fn server_words_lose_the_controls_that_reorder_text() {
        let body = r#"{"errorMessages": ["File invoice\u202Efdp.exe refused"]}"#;
        assert_eq!(
            message(error_from_response(422, body)).1,
            "File invoicefdp.exe refused"
        );
    }

    #[test]
    fn falls_back_to_status_sentence() {
        assert!(message(error_from_response(401, "")).1.contains("token"));
        assert!(message(error_from_response(503, "{}")).1.contains("server"));
        assert!(message(error_from_response(500, "<html></html>"))
            .1
            .contains("server"));
    }

    #[test]
    fn truncates_huge_bodies() {
        let body = "x".repeat(10_000);
        let (_, text) = message(error_from_response(500, &body));
        assert_eq!(text.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn jira_body_with_status_only_falls_back() {
        let body = r#"{"errorMessages": [], "errors": {}, "status": 404}"#;
        assert_eq!(
            message(error_from_response(404, body)),
            (404, "Not found".to_owned())
        );
    }

    #[test]
    fn nginx_pages_and_empty_bodies() {
        let nginx_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
            <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n\
            </body>\r\n</html>\r\n";
        assert_eq!(
            message(error_from_response(502, nginx_502)).1,
            "502 Bad Gateway"
        );
        let nginx_413 = "<HTML><HEAD><TITLE>413 Request Entity Too Large</TITLE></HEAD></HTML>";
        assert_eq!(
            message(error_from_response(413, nginx_413)).1,
            "413 Request Entity Too Large"
        );
        assert_eq!(
            message(error_from_response(413, "")),
            (413, "The file is larger than the server accepts".to_owned())
        );
        assert_eq!(
            message(error_from_response(502, "  \n")).1,
            "The server could not be reached through the proxy"
        );
        assert_eq!(
            message(error_from_response(412, "")).1,
            "The issue changed meanwhile: reload it and try again"
        );
    }

    #[test]
    fn unclosed_or_empty_titles_fall_back() {
        for html in [
            "<html><title>cut off",
            "<title></title>",
            "<title>   </title>",
        ] {
            assert_eq!(
                message(error_from_response(500, html)).1,
                "The server had a problem",
                "{html}"
            );
        }
    }

    #[test]
    fn reads_mixed_and_odd_json_shapes() {
        // One field each, in the order of their names.
        let body = r#"{"errorMessages": ["First.", "  ", null], "errors": {"summary": ["too long", "bad"]}, "statusCode": 400}"#;
        assert_eq!(
            message(error_from_response(400, body)).1,
            "First.; summary: too long, bad"
        );
        let body = r#"{"errorMessages": [], "errors": {"x": null, "n": 3}}"#;
        assert_eq!(message(error_from_response(400, body)).1, "n: 3");
        // Several fields: by name, a repeated one once with its last value,
        // other JSON written compactly with its keys sorted.
        let body = r#"{"errors": {"zip": "bad", "file": ["big"], "zip": "worse", "meta": {"b": 1, "a": [true]}}}"#;
        assert_eq!(
            message(error_from_response(400, body)).1,
            r#"file: big; meta: {"a":[true],"b":1}; zip: worse"#
        );
        // errorMessages as a lone string still counts.
        let body = r#"{"errorMessages": "Only one.", "errors": []}"#;
        assert_eq!(message(error_from_response(400, body)).1, "Only one.");
    }

    #[test]
    fn reads_gateway_and_oauth_shapes() {
        let cases = [
            (
                r#"{"code": 16, "message": "The token has expired"}"#,
                "The token has expired",
            ),
            (
                r#"{"error": "invalid_token", "error_description": "Token expired"}"#,
                "Token expired",
            ),
            (r#"{"error": "quota"}"#, "quota"),
            (
                r#"{"detail": "Unsupported file type"}"#,
                "Unsupported file type",
            ),
        ];
        for (body, expected) in cases {
            assert_eq!(
                message(error_from_response(401, body)).1,
                expected,
                "{body}"
            );
        }
        // JSON that is not an object, or has nothing to say.
        for body in [r#"["a"]"#, "null", "42", r#"{"error": {"code": 1}}"#] {
            assert!(
                message(error_from_response(401, body)).1.contains("token"),
                "{body}"
            );
        }
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let body = "\u{feff}{\"errorMessages\": [\"Bad.\"]}";
        assert_eq!(message(error_from_response(400, body)).1, "Bad.");
        assert_eq!(
            message(error_from_response(400, "\u{feff}Plain")).1,
            "Plain"
        );
    }

    #[test]
    fn truncates_on_char_boundaries() {
        let body = "ж".repeat(1_000);
        let (_, text) = message(error_from_response(500, &body));
        assert_eq!(text.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(text.ends_with('…'));
    }
}
