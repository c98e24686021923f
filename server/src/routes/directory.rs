//! The things issue objects link to — fields (T12), users, queues — so that
//! every `self` URL a client is given answers.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;

use crate::base_url::BaseUrl;
use crate::errors::ApiError;
use crate::lang::Lang;
use crate::model::{self, FieldView, QueueView, UserView, DEV_USER_ID, DEV_USER_LOGIN};
use crate::state::AppState;
use crate::storage::{DEMO_QUEUE, DEMO_QUEUE_ID};

/// T12: `GET /v2/fields/`, names in the request's language.
pub async fn fields(base: BaseUrl, headers: HeaderMap) -> Json<Vec<FieldView>> {
    Json(model::fields(&base, Lang::from_headers(&headers)))
}

pub async fn field(
    base: BaseUrl,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<FieldView>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    model::field(&id, &base, Lang::from_headers(&headers))
        .map(Json)
        .ok_or(ApiError::NotFound)
}

/// `GET /v2/users/<id>` (by uid or login).
pub async fn user(
    State(state): State<AppState>,
    base: BaseUrl,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<UserView>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::NotFound)?;
    if id != DEV_USER_ID && id != DEV_USER_LOGIN {
        return Err(ApiError::NotFound);
    }
    Ok(Json(UserView::dev_user(&base, &state.config.jira_email)))
}

/// `GET /v2/myself`.
pub async fn myself(State(state): State<AppState>, base: BaseUrl) -> Json<UserView> {
    Json(UserView::dev_user(&base, &state.config.jira_email))
}

/// `GET /v2/queues/<key or id>`.
pub async fn queue(
    base: BaseUrl,
    key: Result<Path<String>, PathRejection>,
) -> Result<Json<QueueView>, ApiError> {
    let Path(key) = key.map_err(|_| ApiError::NotFound)?;
    if key != DEMO_QUEUE && key != DEMO_QUEUE_ID {
        return Err(ApiError::NotFound);
    }
    Ok(Json(QueueView::demo(&base)))
}
