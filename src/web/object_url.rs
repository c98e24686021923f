use web_sys::{Blob, Url};

/// A `blob:` URL that is revoked when dropped, so a removed row or an
/// unmounted widget does not keep its image alive.
#[derive(Debug)]
pub struct ObjectUrl(String);

impl ObjectUrl {
    pub fn new(blob: &Blob) -> Result<Self, String> {
        Url::create_object_url_with_blob(blob)
            .map(ObjectUrl)
            .map_err(|e| super::js_error_text(&e))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        // Revoking an already revoked or unknown URL is a no-op in browsers.
        let _ = Url::revoke_object_url(&self.0);
    }
}
