use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, RequestInit, RequestRedirect, Response, ResponseType};

use super::transport::{fetch, headers_from, include_cookies};
use super::{js_error_text, ObjectUrl};
use crate::backend::error_from_response;
use crate::core::{is_fetchable_url, is_inert_image_type, UploadError};

/// The headers a thumbnail is fetched with.
pub struct ThumbnailHeaders {
    /// Every header the uploads carry.
    pub all: Vec<(String, String)>,
    /// Those the API itself asks for (`Authorization`, the organisation),
    /// without the page's own.
    pub api: Vec<(String, String)>,
}

/// Fetches a server thumbnail with the auth headers and returns it as a
/// `blob:` URL: thumbnails need the same headers as uploads, which a plain
/// `<img src>` cannot send. `with_credentials`: the cookies too, as the
/// uploads carry them.
///
/// A redirect (Jira sends thumbnails to a media server) is followed
/// without the page's own headers: the browser keeps custom headers on a
/// redirect to another origin, and the page's (an API key for its proxy)
/// are for the API's origin only. So with such headers the first request
/// does not follow; a redirect is asked again with the API's headers only
/// (`Authorization` the browser drops itself on leaving the origin).
pub async fn fetch_thumbnail(
    url: &str,
    headers: &ThumbnailHeaders,
    with_credentials: bool,
) -> Result<ObjectUrl, UploadError> {
    if !is_fetchable_url(url) {
        return Err(UploadError::InvalidResponse(
            "thumbnail URL is not http(s)".into(),
        ));
    }
    let page_headers = headers.all.len() != headers.api.len();
    let redirect = if page_headers {
        RequestRedirect::Manual
    } else {
        RequestRedirect::Follow
    };
    let mut response = get(url, &headers.all, redirect, with_credentials).await?;
    if response.type_() == ResponseType::Opaqueredirect {
        response = get(url, &headers.api, RequestRedirect::Follow, with_credentials).await?;
    }
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
    if !is_inert_image_type(&blob.type_()) {
        return Err(UploadError::InvalidResponse(format!(
            "thumbnail is {}, not a raster image",
            blob.type_()
        )));
    }
    ObjectUrl::new(&blob).map_err(UploadError::Browser)
}

async fn get(
    url: &str,
    headers: &[(String, String)],
    redirect: RequestRedirect,
    with_credentials: bool,
) -> Result<Response, UploadError> {
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_headers(headers_from(headers)?.as_ref());
    init.set_redirect(redirect);
    include_cookies(&init, with_credentials);
    fetch(url, &init, None).await
}
