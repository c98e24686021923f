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
}
