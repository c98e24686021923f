use serde::Deserialize;

use crate::core::UploadError;

/// Tracker's `{errors, errorMessages, statusCode}` and Jira's
/// `{errorMessages, errors, status}` share the fields we read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    #[serde(default)]
    error_messages: Vec<String>,
    #[serde(default)]
    errors: serde_json::Map<String, serde_json::Value>,
}

/// Longest server text shown to a person; error pages can be megabytes.
const MAX_MESSAGE_CHARS: usize = 300;

/// Turns a failed answer into an error a person can act on: the server's own
/// words when it gave any (Tracker localises them), else a sentence for the
/// status.
pub fn error_from_response(status: u16, body: &str) -> UploadError {
    let message = message_from_json(body)
        .or_else(|| message_from_text(body))
        .unwrap_or_else(|| fallback_message(status).to_owned());
    UploadError::Http { status, message }
}

fn message_from_json(body: &str) -> Option<String> {
    let parsed: ErrorBody = serde_json::from_str(body).ok()?;
    let mut parts: Vec<String> = parsed
        .error_messages
        .into_iter()
        .filter(|m| !m.trim().is_empty())
        .collect();
    for (field, value) in parsed.errors {
        let text = match value {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        parts.push(format!("{field}: {text}"));
    }
    (!parts.is_empty()).then(|| truncate(&parts.join("; ")))
}

fn message_from_text(body: &str) -> Option<String> {
    let trimmed = body.trim();
    if trimmed.is_empty() || trimmed.starts_with('{') || trimmed.starts_with('[') {
        return None;
    }
    if trimmed.starts_with('<') {
        // An HTML error page from a proxy: its title is the only readable part.
        let lower = trimmed.to_ascii_lowercase();
        let start = lower.find("<title>")? + "<title>".len();
        let end = start + lower[start..].find("</title>")?;
        let title = trimmed.get(start..end)?.trim();
        return (!title.is_empty()).then(|| truncate(title));
    }
    Some(truncate(trimmed))
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
        413 => "The file is larger than the server accepts",
        422 => "The server could not accept this data",
        429 => "Too many requests: wait a moment",
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
}
