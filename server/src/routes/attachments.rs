//! Tracker temporary attachments: upload (T1), metadata and bytes (T11), and
//! the thumbnail of a temporary file (our choice of URL).

use std::time::Duration;

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use tokio_util::io::ReaderStream;

use crate::base_url::BaseUrl;
use crate::errors::ApiError;
use crate::mime;
use crate::model::{now_millis, AttachmentView};
use crate::state::AppState;
use crate::storage::{Attachment, NewAttachment, PartFile, Storage};
use crate::thumbnail;

/// Enough to recognise every image signature `mime::sniff_image` knows.
const SNIFF_LEN: usize = 16;

/// Used when neither `?filename=` nor the part names the file.
const FALLBACK_NAME: &str = "file";

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

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    filename: Option<String>,
}

/// T1: `POST /v2/attachments/` — one file, any multipart field name.
pub async fn upload_temporary(
    State(state): State<AppState>,
    base: BaseUrl,
    query: Result<Query<UploadQuery>, QueryRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    let Query(query) = query.map_err(|_| ApiError::BadQuery)?;
    let mut multipart = multipart.map_err(|_| ApiError::BadMultipart)?;
    let limit = state.config.max_upload_bytes;

    let mut received = receive_file(&mut multipart, &state.storage, limit).await?;
    received.part.close().await.map_err(ApiError::internal)?;

    let name = query
        .filename
        .filter(|n| !n.is_empty())
        .or(received.file_name)
        .unwrap_or_else(|| FALLBACK_NAME.to_owned());
    let mimetype = mime::choose(received.content_type.as_deref(), &name, &received.head);

    let thumbnail = match mime::sniff_image(&received.head) {
        Some(format) => {
            let path = received.part.path().to_path_buf();
            let rendered = tokio::task::spawn_blocking(move || thumbnail::render(&path, format))
                .await
                .map_err(ApiError::internal)?;
            // A broken image is still a file the user wants to keep.
            rendered
                .inspect_err(|e| tracing::info!(error = %e, "no thumbnail"))
                .ok()
        }
        None => None,
    };

    let new = NewAttachment {
        name,
        size: received.size,
        mimetype,
        created_at: now_millis(),
        issue_key: None,
    };
    let attachment = state
        .storage
        .commit(received.part, new, thumbnail)
        .await
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentView::new(&attachment, &base)),
    ))
}

struct Received {
    part: PartFile,
    size: u64,
    head: Vec<u8>,
    file_name: Option<String>,
    content_type: Option<String>,
}

/// Takes the first part that has a file name; failing that, the first part
/// (e.g. `curl -F 'file=<data.txt'`). Parts are streamed to disk as they
/// arrive, since which one is the file is only known at the end.
async fn receive_file(
    multipart: &mut Multipart,
    storage: &Storage,
    limit: u64,
) -> Result<Received, ApiError> {
    let mut fallback = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| ApiError::BadMultipart)?
    {
        let has_file_name = field.file_name().is_some();
        if !has_file_name && fallback.is_some() {
            continue;
        }
        let received = stream_to_part(field, storage, limit).await?;
        if has_file_name {
            return Ok(received);
        }
        fallback = Some(received);
    }
    fallback.ok_or(ApiError::NoFile)
}

/// Writes one part chunk by chunk, refusing it as soon as it passes `limit`;
/// the part file is dropped (and so deleted) on every error path.
async fn stream_to_part(
    mut field: Field<'_>,
    storage: &Storage,
    limit: u64,
) -> Result<Received, ApiError> {
    let file_name = field.file_name().map(str::to_owned);
    let content_type = field.content_type().map(str::to_owned);
    let mut part = storage.new_part().await.map_err(ApiError::internal)?;
    let mut size: u64 = 0;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    while let Some(chunk) = field.chunk().await.map_err(|_| ApiError::BadMultipart)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        if head.len() < SNIFF_LEN {
            let take = (SNIFF_LEN - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        part.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    Ok(Received {
        part,
        size,
        head,
        file_name,
        content_type,
    })
}

/// T11: `GET /v2/attachments/<id>`.
pub async fn get_temporary(
    State(state): State<AppState>,
    base: BaseUrl,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<AttachmentView>, ApiError> {
    let attachment = find(&state, id).await?;
    Ok(Json(AttachmentView::new(&attachment, &base)))
}

/// T11: `GET /v2/attachments/<id>/<filename>` — the bytes, streamed. The
/// file name in the path is decoration, as in Tracker.
pub async fn get_temporary_content(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = path.map(|Path((id, _name))| Path(id));
    let attachment = find(&state, id).await?;
    let file = tokio::fs::File::open(state.storage.file_path(attachment.id))
        .await
        .map_err(ApiError::internal)?;
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

/// `GET /v2/attachments/<id>/thumbnail` (our choice for temporary files).
pub async fn get_temporary_thumbnail(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let attachment = find(&state, id).await?;
    if !attachment.has_thumbnail {
        return Err(ApiError::ThumbnailNotFound(attachment.id.to_string()));
    }
    let png = tokio::fs::read(state.storage.thumbnail_path(attachment.id))
        .await
        .map_err(ApiError::internal)?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
        // Ids are never reused, so a thumbnail never changes; it needs auth,
        // so only the browser may keep it.
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=3600"),
        ),
    ];
    Ok((headers, png).into_response())
}

/// Looks up a temporary attachment by the id in the path; unknown, malformed
/// and expired ids are all 404.
async fn find(
    state: &AppState,
    id: Result<Path<String>, PathRejection>,
) -> Result<Attachment, ApiError> {
    let Path(raw) = id.map_err(|_| ApiError::NotFound)?;
    let not_found = || ApiError::AttachmentNotFound(raw.chars().take(64).collect());
    let id: i64 = raw.parse().map_err(|_| not_found())?;
    let attachment = state
        .storage
        .get(id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(not_found)?;
    if attachment.issue_key.is_none() && expired(&attachment, state.config.temp_ttl()) {
        return Err(not_found());
    }
    Ok(attachment)
}

/// The contract: an unattached temporary file answers 404 after its TTL.
fn expired(attachment: &Attachment, ttl: Duration) -> bool {
    let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
    now_millis().saturating_sub(attachment.created_at) > ttl_ms
}
