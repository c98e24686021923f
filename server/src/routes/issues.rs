//! Tracker issues: read (T0), change and attach (T8), create (T10).

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;

use super::{issue_error, json, load_issue};
use crate::base_url::BaseUrl;
use crate::errors::ApiError;
use crate::model::IssueView;
use crate::state::AppState;
use crate::storage::{Issue, IssuePatch, NewIssue, DEMO_QUEUE, DEMO_QUEUE_ID};

/// `GET /v2/issues/` — every issue (the real API filters and pages; the
/// reference server has a handful).
pub async fn list(
    State(state): State<AppState>,
    base: BaseUrl,
) -> Result<Json<Vec<IssueView>>, ApiError> {
    let issues = state.storage.issues().await.map_err(ApiError::internal)?;
    let mut views = Vec::with_capacity(issues.len());
    for issue in &issues {
        views.push(view(&state, issue, &base).await?);
    }
    Ok(Json(views))
}

/// T0: `GET /v2/issues/<key>`.
pub async fn get(
    State(state): State<AppState>,
    base: BaseUrl,
    key: Result<Path<String>, PathRejection>,
) -> Result<Json<IssueView>, ApiError> {
    let issue = load_issue(&state, key).await?;
    Ok(Json(view(&state, &issue, &base).await?))
}

/// T10: `POST /v2/issues/` with `queue`, `summary`, optional `description`,
/// `unique` (a repeat is 409) and `attachmentIds`.
pub async fn create(
    State(state): State<AppState>,
    base: BaseUrl,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<IssueView>), ApiError> {
    let body = json::object(body)?;
    let queue = queue_key(body.get("queue"))?;
    let summary = json::required_string(&body, "summary")?;
    let description = json::optional_string(&body, "description")?.flatten();
    let unique = match body.get("unique") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(ApiError::InvalidField("unique")),
    };
    let attachments = json::attachment_ids(&body)?;
    let new = NewIssue {
        queue: queue.clone(),
        summary,
        description,
        unique,
        attachments,
    };
    let issue = state
        .storage
        .create_issue(new, state.now(), state.temp_cutoff())
        .await
        .map_err(|e| issue_error(e, &queue))?;
    Ok((
        StatusCode::CREATED,
        Json(view(&state, &issue, &base).await?),
    ))
}

/// T8: `PATCH /v2/issues/<key>` with `summary`, `description` and/or
/// `attachmentIds`. `If-Match: "<version>"` that is not current is 412 and
/// changes nothing.
pub async fn patch(
    State(state): State<AppState>,
    base: BaseUrl,
    key: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<IssueView>, ApiError> {
    let Path(key) = key.map_err(|_| ApiError::NotFound)?;
    let expected_version = if_match(&headers);
    let body = json::object(body)?;
    let summary = match json::optional_string(&body, "summary")? {
        None => None,
        Some(Some(s)) if !s.trim().is_empty() => Some(s),
        Some(_) => return Err(ApiError::MissingField("summary")),
    };
    let patch = IssuePatch {
        summary,
        description: json::optional_string(&body, "description")?,
        attachments: json::attachment_ids(&body)?,
    };
    let issue = state
        .storage
        .patch_issue(
            key.clone(),
            expected_version,
            patch,
            state.now(),
            state.temp_cutoff(),
        )
        .await
        .map_err(|e| issue_error(e, &key))?;
    Ok(Json(view(&state, &issue, &base).await?))
}

async fn view(state: &AppState, issue: &Issue, base: &BaseUrl) -> Result<IssueView, ApiError> {
    let attachments = state
        .storage
        .list_for_issue(issue.key.clone())
        .await
        .map_err(ApiError::internal)?;
    Ok(IssueView::new(issue, &attachments, base))
}

/// `"queue": "DEMO"`, or an object with its `key` or `id`, as Tracker takes it.
fn queue_key(value: Option<&Value>) -> Result<String, ApiError> {
    const FIELD: &str = "queue";
    match value {
        None | Some(Value::Null) => Err(ApiError::MissingField(FIELD)),
        Some(Value::String(key)) if key.is_empty() => Err(ApiError::MissingField(FIELD)),
        Some(Value::String(key)) => Ok(key.clone()),
        Some(Value::Object(queue)) => match (queue.get("key"), queue.get("id")) {
            (Some(Value::String(key)), _) => Ok(key.clone()),
            (_, Some(id)) if id.as_str() == Some(DEMO_QUEUE_ID) || id.as_i64() == Some(1) => {
                Ok(DEMO_QUEUE.to_owned())
            }
            (_, Some(Value::String(id))) => Ok(id.clone()),
            (_, Some(Value::Number(id))) => Ok(id.to_string()),
            _ => Err(ApiError::MissingField(FIELD)),
        },
        Some(Value::Number(id)) if id.as_i64() == Some(1) => Ok(DEMO_QUEUE.to_owned()),
        Some(_) => Err(ApiError::InvalidField(FIELD)),
    }
}

/// The version `If-Match` asks for: `"3"`, `3` or `W/"3"`; `*` or no header
/// means any. Anything unparseable can match no version, so it gets the 412
/// (versions start at 1, so 0 never matches).
fn if_match(headers: &HeaderMap) -> Option<i64> {
    let value = headers.get(header::IF_MATCH)?;
    let Ok(value) = value.to_str() else {
        return Some(0);
    };
    let value = value.trim();
    if value == "*" {
        return None;
    }
    let value = value.strip_prefix("W/").unwrap_or(value).trim_matches('"');
    Some(value.trim().parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_if_match(value: &'static str) -> Option<i64> {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_static(value));
        if_match(&headers)
    }

    #[test]
    fn if_match_forms() {
        assert_eq!(if_match(&HeaderMap::new()), None);
        assert_eq!(with_if_match("\"3\""), Some(3));
        assert_eq!(with_if_match("3"), Some(3));
        assert_eq!(with_if_match("W/\"4\""), Some(4));
        assert_eq!(with_if_match("*"), None);
        assert_eq!(with_if_match("\"abc\""), Some(0));
    }

    #[test]
    fn queue_forms() {
        let q = |v: Value| queue_key(Some(&v));
        assert_eq!(q(serde_json::json!("DEMO")), Ok("DEMO".into()));
        assert_eq!(q(serde_json::json!({"key": "DEMO"})), Ok("DEMO".into()));
        assert_eq!(q(serde_json::json!({"id": "1"})), Ok("DEMO".into()));
        assert_eq!(q(serde_json::json!({"id": 1})), Ok("DEMO".into()));
        assert_eq!(q(serde_json::json!("NOPE")), Ok("NOPE".into()));
        assert_eq!(
            q(serde_json::json!(true)),
            Err(ApiError::InvalidField("queue"))
        );
        assert_eq!(queue_key(None), Err(ApiError::MissingField("queue")));
    }
}
