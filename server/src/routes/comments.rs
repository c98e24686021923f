//! Comments (T9), which may carry temporary attachments; listing and reading
//! them back so a comment's `self` URL works.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::{issue_error, json, load_issue};
use crate::base_url::BaseUrl;
use crate::errors::ApiError;
use crate::model::CommentView;
use crate::state::AppState;

/// T9: `POST /v2/issues/<key>/comments` with `text` and/or `attachmentIds`
/// (a comment needs one of the two).
pub async fn create(
    State(state): State<AppState>,
    base: BaseUrl,
    key: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    let Path(key) = key.map_err(|_| ApiError::NotFound)?;
    let body = json::object(body)?;
    let text = json::optional_string(&body, "text")?
        .flatten()
        .unwrap_or_default();
    let attachments = json::attachment_ids(&body)?;
    if text.trim().is_empty() && attachments.is_empty() {
        return Err(ApiError::MissingField("text"));
    }
    let comment = state
        .storage
        .add_comment(
            key.clone(),
            text,
            attachments,
            state.now(),
            state.temp_cutoff(),
        )
        .await
        .map_err(|e| issue_error(e, &key))?;
    Ok((StatusCode::CREATED, Json(CommentView::new(&comment, &base))))
}

/// `GET /v2/issues/<key>/comments`.
pub async fn list(
    State(state): State<AppState>,
    base: BaseUrl,
    key: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<CommentView>>, ApiError> {
    let issue = load_issue(&state, key).await?;
    let comments = state
        .storage
        .comments(issue.key)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        comments
            .iter()
            .map(|c| CommentView::new(c, &base))
            .collect(),
    ))
}

/// `GET /v2/issues/<key>/comments/<id>`.
pub async fn get(
    State(state): State<AppState>,
    base: BaseUrl,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<CommentView>, ApiError> {
    let Path((key, id)) = path.map_err(|_| ApiError::NotFound)?;
    let issue = load_issue(&state, Ok(Path(key))).await?;
    let not_found = || ApiError::CommentNotFound(ApiError::echo(&id));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let comment = state
        .storage
        .comment(issue.key, id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(not_found)?;
    Ok(Json(CommentView::new(&comment, &base)))
}
