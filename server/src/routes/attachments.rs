//! Tracker temporary attachments: upload (T1), metadata and bytes (T11), and
//! the thumbnail of a temporary file (our choice of URL).

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;

use super::download;
use super::upload::{choose_name, receive_first_file, store};
use crate::base_url::BaseUrl;
use crate::errors::ApiError;
use crate::model::AttachmentView;
use crate::state::AppState;
use crate::storage::Attachment;

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    pub filename: Option<String>,
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
    let received = receive_first_file(&mut multipart, &state.storage, limit).await?;
    let name = choose_name(query.filename, received.file_name.clone())?;
    let attachment = store(&state, received, name, None).await?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentView::new(&attachment, &base)),
    ))
}

/// T11: `GET /v2/attachments/<id>`.
pub async fn get_temporary(
    State(state): State<AppState>,
    base: BaseUrl,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<AttachmentView>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let attachment = find(&state, &id).await?;
    Ok(Json(AttachmentView::new(&attachment, &base)))
}

/// T11: `GET /v2/attachments/<id>/<filename>` — the bytes, streamed. The
/// file name in the path is decoration, as in Tracker.
pub async fn get_temporary_content(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path((id, _name)) = path.map_err(|_| ApiError::NotFound)?;
    let attachment = find(&state, &id).await?;
    download::file(&state, &attachment).await
}

/// `GET /v2/attachments/<id>/thumbnail` (our choice for temporary files).
pub async fn get_temporary_thumbnail(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    let attachment = find(&state, &id).await?;
    download::thumbnail(&state, &attachment).await
}

/// Looks up an attachment by the id in the path; unknown, malformed and
/// expired ids are all 404 (the contract: an expired id answers 404).
async fn find(state: &AppState, raw: &str) -> Result<Attachment, ApiError> {
    let attachment = super::attachment_by_raw_id(state, raw).await?;
    let expired = attachment.issue_key.is_none() && attachment.created_at < state.temp_cutoff();
    if expired {
        return Err(ApiError::AttachmentNotFound(ApiError::echo(raw)));
    }
    Ok(attachment)
}
