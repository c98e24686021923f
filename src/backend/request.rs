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

/// One multipart upload, fully decided: the browser layer appends the file
/// under `file_field` after `fields` and sends it as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadRequest {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// Text fields sent before the file part.
    pub fields: Vec<(String, String)>,
    pub file_field: String,
    /// The filename the multipart part carries.
    pub filename: String,
}
