//! Serving stored bytes and thumbnails, shared by the Tracker and Jira routes.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use tokio_util::io::ReaderStream;

use crate::errors::ApiError;
use crate::mime;
use crate::state::AppState;
use crate::storage::Attachment;

/// RFC 8187 `attr-char`s stay as they are; everything else is encoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The bytes, streamed from disk, with the name as given at upload in
/// `Content-Disposition` (RFC 8187, so any Unicode survives).
pub async fn file(state: &AppState, attachment: &Attachment) -> Result<Response, ApiError> {
    let file = match tokio::fs::File::open(state.storage.file_path(attachment.id)).await {
        Ok(file) => file,
        // Deleted or swept between the lookup and now.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApiError::AttachmentNotFound(attachment.id.to_string()))
        }
        Err(e) => return Err(ApiError::internal(e)),
    };
    let mimetype = HeaderValue::from_str(&attachment.mimetype)
        .unwrap_or(HeaderValue::from_static(mime::OCTET_STREAM));
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        utf8_percent_encode(&attachment.name, ATTR_CHAR)
    );
    let headers = [
        (header::CONTENT_TYPE, mimetype),
        (header::CONTENT_LENGTH, HeaderValue::from(attachment.size)),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
        ),
        // The bytes are the uploader's; never let a browser run them as
        // something else on our origin.
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    Ok((headers, Body::from_stream(ReaderStream::new(file))).into_response())
}

/// The cached PNG thumbnail, or 404 for files that have none.
pub async fn thumbnail(state: &AppState, attachment: &Attachment) -> Result<Response, ApiError> {
    let missing = || ApiError::ThumbnailNotFound(attachment.id.to_string());
    if !attachment.has_thumbnail {
        return Err(missing());
    }
    let png = match tokio::fs::read(state.storage.thumbnail_path(attachment.id)).await {
        Ok(png) => png,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => return Err(ApiError::internal(e)),
    };
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
        // Ids are never reused, so a thumbnail never changes; it needs auth,
        // so only the browser may keep it.
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=3600"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    Ok((headers, png).into_response())
}
