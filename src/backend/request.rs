#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// One file part of a multipart body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePart {
    /// The form field name (`file` for Tracker and Jira).
    pub field: String,
    /// The filename the part carries.
    pub filename: String,
}

/// One multipart upload, fully decided: the browser layer appends `fields`,
/// then one blob per entry of `file_parts` (in order), and sends it as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// Text fields sent before the file parts.
    pub fields: Vec<(String, String)>,
    /// Usually one; a Jira batch carries several.
    pub file_parts: Vec<FilePart>,
    /// Send the browser's cookies to another origin too
    /// ([`super::Credentials::send_cookies`]).
    pub with_credentials: bool,
}

/// A request whose body, if any, is JSON text: attach-later (T8, T9) and the
/// Flow part test. An empty `body` means the request has none (a GET), so the
/// browser layer must not send `Content-Type` or a body for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// JSON text, or empty for no body.
    pub body: String,
    /// Send the browser's cookies to another origin too
    /// ([`super::Credentials::send_cookies`]).
    pub with_credentials: bool,
}

impl JsonRequest {
    /// Whether the browser layer should send [`Self::body`].
    pub fn has_body(&self) -> bool {
        !self.body.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_words() {
        let words: Vec<_> = [
            HttpMethod::Get,
            HttpMethod::Post,
            HttpMethod::Patch,
            HttpMethod::Delete,
        ]
        .into_iter()
        .map(HttpMethod::as_str)
        .collect();
        assert_eq!(words, ["GET", "POST", "PATCH", "DELETE"]);
    }

    #[test]
    fn empty_json_body_means_none() {
        let mut req = JsonRequest {
            method: HttpMethod::Get,
            url: "/x".into(),
            headers: Vec::new(),
            body: String::new(),
            with_credentials: false,
        };
        assert!(!req.has_body());
        req.body = "{}".into();
        assert!(req.has_body());
    }
}
