//! Files of an issue: upload straight to it (T2), list (T3), bytes (T4),
//! thumbnail (T5), delete (T6), metadata (T7).

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;

use super::attachments::UploadQuery;
use super::upload::{choose_name, receive_first_file, store};
use super::{attachment_by_raw_id, download, load_issue};
use crate::base_url::BaseUrl;
use crate::errors::ApiError;
use crate::model::AttachmentView;
use crate::state::AppState;
use crate::storage::{Attachment, Issue};

/// T2: `POST /v2/issues/<key>/attachments/` — like T1, but attached at once.
pub async fn upload(
    State(state): State<AppState>,
    base: BaseUrl,
    key: Result<Path<String>, PathRejection>,
    query: Result<Query<UploadQuery>, QueryRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    // The issue first: no point receiving a file for nothing.
    let issue = load_issue(&state, key).await?;
    let Query(query) = query.map_err(|_| ApiError::BadQuery)?;
    let mut multipart = multipart.map_err(|_| ApiError::BadMultipart)?;
    let limit = state.config.max_upload_bytes;
    let received = receive_first_file(&mut multipart, &state.storage, limit).await?;
    let name = choose_name(query.filename, received.file_name.clone())?;
    let attachment = store(&state, received, name, Some(issue.key)).await?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentView::new(&attachment, &base)),
    ))
}

/// T3: `GET /v2/issues/<key>/attachments`.
pub async fn list(
    State(state): State<AppState>,
    base: BaseUrl,
    key: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<AttachmentView>>, ApiError> {
    let issue = load_issue(&state, key).await?;
    let attachments = state
        .storage
        .list_for_issue(issue.key)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        attachments
            .iter()
            .map(|a| AttachmentView::new(a, &base))
            .collect(),
    ))
}

/// T7: `GET /v2/issues/<key>/attachments/<id>`.
pub async fn get(
    State(state): State<AppState>,
    base: BaseUrl,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<AttachmentView>, ApiError> {
    let (_, attachment) = find(&state, path).await?;
    Ok(Json(AttachmentView::new(&attachment, &base)))
}

/// T4: `GET /v2/issues/<key>/attachments/<id>/<filename>`.
pub async fn content(
    State(state): State<AppState>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let path = path.map(|Path((key, id, _name))| Path((key, id)));
    let (_, attachment) = find(&state, path).await?;
    download::file(&state, &attachment).await
}

/// T5: `GET /v2/issues/<key>/thumbnails/<id>`.
pub async fn thumbnail(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let (_, attachment) = find(&state, path).await?;
    download::thumbnail(&state, &attachment).await
}

/// T6: `DELETE /v2/issues/<key>/attachments/<id>/`.
pub async fn delete(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let (issue, attachment) = find(&state, path).await?;
    let deleted = state
        .storage
        .delete_attached(attachment.id, Some(issue.key), state.now())
        .await
        .map_err(ApiError::internal)?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::AttachmentNotFound(attachment.id.to_string()))
    }
}

/// The issue and one of its attachments; an attachment of another issue
/// (or a temporary one) is not found here.
async fn find(
    state: &AppState,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(Issue, Attachment), ApiError> {
    let Path((key, id)) = path.map_err(|_| ApiError::NotFound)?;
    let issue = load_issue(state, Ok(Path(key))).await?;
    let attachment = attachment_by_raw_id(state, &id).await?;
    if attachment.issue_key.as_deref() != Some(issue.key.as_str()) {
        return Err(ApiError::AttachmentNotFound(ApiError::echo(&id)));
    }
    Ok((issue, attachment))
}
