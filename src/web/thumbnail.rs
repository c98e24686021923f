use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, RequestInit};

use super::transport::{fetch, headers_from, include_cookies};
use super::{js_error_text, ObjectUrl};
use crate::backend::error_from_response;
use crate::core::{is_fetchable_url, UploadError};

/// Fetches a server thumbnail with the auth headers and returns it as a
/// `blob:` URL: thumbnails need the same headers as uploads, which a plain
/// `<img src>` cannot send. `with_credentials`: the cookies too, as the
/// uploads carry them.
pub async fn fetch_thumbnail(
    url: &str,
    headers: &[(String, String)],
    with_credentials: bool,
) -> Result<ObjectUrl, UploadError> {
    if !is_fetchable_url(url) {
        return Err(UploadError::InvalidResponse(
            "thumbnail URL is not http(s)".into(),
        ));
    }
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_headers(headers_from(headers)?.as_ref());
    include_cookies(&init, with_credentials);
    let response = fetch(url, &init, None).await?;
    if !response.ok() {
        return Err(error_from_response(response.status(), ""));
    }
    let promise = response
        .blob()
        .map_err(|e| UploadError::Browser(js_error_text(&e)))?;
    let blob: Blob = JsFuture::from(promise)
        .await
        .map_err(|e| UploadError::Network(js_error_text(&e)))?
        .dyn_into()
        .map_err(|_| UploadError::Browser("thumbnail body is not a Blob".into()))?;
    if !blob.type_().starts_with("image/") {
        return Err(UploadError::InvalidResponse(format!(
            "thumbnail is {}, not an image",
            blob.type_()
        )));
    }
    ObjectUrl::new(&blob).map_err(UploadError::Browser)
}
