//! Jira Cloud's attachment API (J1–J6), mounted at `/rest/api/3` and
//! `/rest/api/2` alike; links in answers stay on the version asked.

use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::json;

use super::upload::{choose_name, prepare, stream_to_part, Received};
use super::{attachment_by_raw_id, download, load_issue};
use crate::base_url::BaseUrl;
use crate::errors::{ApiError, JiraError};
use crate::model::{JiraAttachmentView, JiraIssueView, JiraUser, DEV_ACCOUNT_ID};
use crate::state::AppState;
use crate::storage::Attachment;
use crate::waiting_count::Waiting;

/// Jira's documented cap on files per upload request.
pub const MAX_FILES_PER_REQUEST: usize = 60;
/// Jira Cloud's cap on attachments per issue (`Config::jira_issue_attachment_cap`).
pub const MAX_ISSUE_ATTACHMENTS: u64 = 2000;

/// Which version prefix a request came in on.
#[derive(Debug, Clone, Copy)]
pub struct JiraApi {
    pub prefix: &'static str,
}

/// J1: `POST /rest/api/3/issue/{issueIdOrKey}/attachments` — multipart, one
/// or more parts named `file`; answers 200 with an array.
pub async fn upload(
    State(state): State<AppState>,
    Extension(api): Extension<JiraApi>,
    base: Result<BaseUrl, ApiError>,
    key: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, JiraError> {
    // Jira's XSRF rule: scripts must say `X-Atlassian-Token: no-check`.
    // Refused in plain text, as Jira does, before anything else is read.
    if !xsrf_ok(&headers) {
        return Ok((
            StatusCode::FORBIDDEN,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain;charset=UTF-8"),
            )],
            "XSRF check failed",
        )
            .into_response());
    }
    let base = base?;
    let issue = load_issue(&state, key).await?;
    let cap = state.config.jira_issue_attachment_cap;
    let full = ApiError::IssueAttachmentLimit { max: cap };
    // Early, to spare the client sending files that cannot be kept; the
    // check that counts is made again when the batch is committed.
    let existing = state
        .storage
        .count_for_issue(issue.key.clone())
        .await
        .map_err(ApiError::internal)?;
    if existing >= cap {
        return Err(full.into());
    }
    let mut multipart = multipart.map_err(|_| ApiError::BadMultipart)?;
    let limit = state.config.max_upload_bytes;
    let mut files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| ApiError::BadMultipart)?
    {
        // Other fields are skipped (and drained) by `next_field`.
        if field.name() != Some("file") {
            continue;
        }
        if files.len() == MAX_FILES_PER_REQUEST {
            return Err(ApiError::TooManyFiles {
                max: MAX_FILES_PER_REQUEST,
            }
            .into());
        }
        files.push(stream_to_part(field, &state.storage, limit).await?);
    }
    if files.is_empty() {
        return Err(ApiError::NoFileField.into());
    }
    // The whole body is in and checked: the batch is now stored whole (or
    // refused whole), in a task of its own, so that a client that goes
    // away does not cut it short (hyper drops the request's future), as a
    // chunked upload's assembly does. Files committed one by one would
    // leave part of the batch attached and the client, seeing no answer,
    // would send it all again.
    let task = tokio::spawn(store_batch(state.clone(), files, issue.key.clone(), cap));
    let _waiting = state.config.jira_store_waiters.as_deref().map(Waiting::new);
    let attachments = task.await.map_err(ApiError::internal)??;
    let views: Vec<_> = attachments
        .iter()
        .map(|attachment| JiraAttachmentView::new(attachment, &base, api.prefix))
        .collect();
    Ok(Json(views).into_response())
}

/// Types every file and renders its thumbnail, then commits them all in
/// one transaction that also checks the issue's cap (`cap`): concurrent
/// uploads to one issue cannot pass it together, and the issue's version
/// grows by one for the request.
async fn store_batch(
    state: AppState,
    files: Vec<Received>,
    issue_key: String,
    cap: u64,
) -> Result<Vec<Attachment>, ApiError> {
    let mut pending = Vec::with_capacity(files.len());
    for received in files {
        // Test hook: a closed gate lets everything through.
        if let Some(gate) = &state.config.jira_store_gate {
            if let Ok(permit) = gate.acquire().await {
                permit.forget();
            }
        }
        let name = choose_name(None, received.file_name.clone())?;
        pending.push(prepare(&state, received, name, Some(issue_key.clone())).await?);
    }
    state
        .storage
        .commit_batch(pending, issue_key, cap, state.now())
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::IssueAttachmentLimit { max: cap })
}

fn xsrf_ok(headers: &HeaderMap) -> bool {
    headers
        .get("x-atlassian-token")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("no-check") || v.eq_ignore_ascii_case("nocheck")
        })
}

/// J2: `GET /rest/api/3/attachment/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Extension(api): Extension<JiraApi>,
    base: Result<BaseUrl, ApiError>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<JiraAttachmentView>, JiraError> {
    let attachment = find(&state, id).await?;
    Ok(Json(JiraAttachmentView::new(
        &attachment,
        &base?,
        api.prefix,
    )))
}

/// J3: `GET /rest/api/3/attachment/meta`.
pub async fn meta(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({"enabled": true, "uploadLimit": state.config.max_upload_bytes}))
}

#[derive(Debug, Deserialize)]
pub struct RedirectQuery {
    redirect: Option<String>,
}

/// J4: `GET /rest/api/3/attachment/content/{id}` — 303 to the bytes, or the
/// bytes with `?redirect=false`. Our redirect target is that same URL with
/// `?redirect=false` (Jira's is a signed media URL).
pub async fn content(
    State(state): State<AppState>,
    Extension(api): Extension<JiraApi>,
    base: Result<BaseUrl, ApiError>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<RedirectQuery>, QueryRejection>,
) -> Result<Response, JiraError> {
    let attachment = find(&state, id).await?;
    if redirects(query)? {
        let location = base?.join(&format!(
            "{}/attachment/content/{}?redirect=false",
            api.prefix, attachment.id
        ));
        return see_other(&location);
    }
    Ok(download::file(&state, &attachment).await?)
}

/// J5: `GET /rest/api/3/attachment/thumbnail/{id}` — as J4, for the thumbnail.
pub async fn thumbnail(
    State(state): State<AppState>,
    Extension(api): Extension<JiraApi>,
    base: Result<BaseUrl, ApiError>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<RedirectQuery>, QueryRejection>,
) -> Result<Response, JiraError> {
    let attachment = find(&state, id).await?;
    if !attachment.has_thumbnail {
        return Err(ApiError::ThumbnailNotFound(attachment.id.to_string()).into());
    }
    if redirects(query)? {
        let location = base?.join(&format!(
            "{}/attachment/thumbnail/{}?redirect=false",
            api.prefix, attachment.id
        ));
        return see_other(&location);
    }
    Ok(download::thumbnail(&state, &attachment).await?)
}

fn redirects(query: Result<Query<RedirectQuery>, QueryRejection>) -> Result<bool, ApiError> {
    let Query(query) = query.map_err(|_| ApiError::BadQuery)?;
    Ok(!query
        .redirect
        .is_some_and(|r| r.eq_ignore_ascii_case("false")))
}

fn see_other(location: &str) -> Result<Response, JiraError> {
    let location = HeaderValue::from_str(location).map_err(ApiError::internal)?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
}

/// J6: `DELETE /rest/api/3/attachment/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, JiraError> {
    let attachment = find(&state, id).await?;
    let deleted = state
        .storage
        .delete_attached(attachment.id, None, state.now())
        .await
        .map_err(ApiError::internal)?;
    if deleted {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::AttachmentNotFound(attachment.id.to_string()).into())
    }
}

/// `GET /rest/api/3/issue/{issueIdOrKey}`: the issue with its attachments.
pub async fn issue(
    State(state): State<AppState>,
    Extension(api): Extension<JiraApi>,
    base: Result<BaseUrl, ApiError>,
    key: Result<Path<String>, PathRejection>,
) -> Result<Json<JiraIssueView>, JiraError> {
    let issue = load_issue(&state, key).await?;
    let attachments = state
        .storage
        .list_for_issue(issue.key.clone())
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(JiraIssueView::new(
        &issue,
        &attachments,
        &base?,
        api.prefix,
    )))
}

#[derive(Debug, Deserialize)]
pub struct UserQuery {
    #[serde(rename = "accountId")]
    account_id: Option<String>,
}

/// `GET /rest/api/3/user?accountId=…`, where `author.self` points.
pub async fn user(
    State(state): State<AppState>,
    Extension(api): Extension<JiraApi>,
    base: Result<BaseUrl, ApiError>,
    query: Result<Query<UserQuery>, QueryRejection>,
) -> Result<Json<JiraUser>, JiraError> {
    let Query(query) = query.map_err(|_| ApiError::BadQuery)?;
    if query.account_id.as_deref() != Some(DEV_ACCOUNT_ID) {
        return Err(ApiError::NotFound.into());
    }
    Ok(Json(JiraUser::dev_user(
        &base?,
        api.prefix,
        Some(&state.config.jira_email),
    )))
}

/// `GET /rest/api/3/myself`.
pub async fn myself(
    State(state): State<AppState>,
    Extension(api): Extension<JiraApi>,
    base: Result<BaseUrl, ApiError>,
) -> Result<Json<JiraUser>, JiraError> {
    Ok(Json(JiraUser::dev_user(
        &base?,
        api.prefix,
        Some(&state.config.jira_email),
    )))
}

/// An attachment Jira can see: one attached to an issue (Jira has no
/// temporary files).
async fn find(
    state: &AppState,
    id: Result<Path<String>, PathRejection>,
) -> Result<Attachment, ApiError> {
    let Path(raw) = id.map_err(|_| ApiError::NotFound)?;
    let attachment = attachment_by_raw_id(state, &raw).await?;
    if attachment.issue_key.is_none() {
        return Err(ApiError::AttachmentNotFound(ApiError::echo(&raw)));
    }
    Ok(attachment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xsrf_header_values() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("x-atlassian-token", HeaderValue::from_static(v));
            xsrf_ok(&h)
        };
        assert!(with("no-check"));
        assert!(with("No-Check"));
        assert!(with("nocheck"));
        assert!(!with("check"));
        assert!(!xsrf_ok(&HeaderMap::new()));
    }
}
