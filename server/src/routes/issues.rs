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
    let expected_versions = if_match(&headers);
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
            expected_versions,
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

/// The versions `If-Match` accepts: a list of entity tags (RFC 9110
/// §13.1.1: any one matching passes), each `"3"`, `W/"3"` or a bare `3`;
/// `*` or no header means any (`None`). Anything unparseable, and tags
/// that are no version, match no version: an empty list, so the 412.
fn if_match(headers: &HeaderMap) -> Option<Vec<i64>> {
    let value = headers.get(header::IF_MATCH)?;
    let Ok(value) = value.to_str() else {
        return Some(Vec::new());
    };
    let value = value.trim();
    if value == "*" {
        return None;
    }
    Some(entity_tags(value).unwrap_or_default())
}

/// The versions named by a list of entity tags; `None` if it is not one.
/// Empty list elements are skipped, as RFC 9110 §5.6.1 asks.
fn entity_tags(value: &str) -> Option<Vec<i64>> {
    let mut versions = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(versions);
        }
        let tag = rest.strip_prefix("W/").unwrap_or(rest);
        let (tag, after) = match tag.strip_prefix('"') {
            // A quoted tag may hold commas: it ends at its closing quote.
            Some(quoted) => {
                let end = quoted.find('"')?;
                (&quoted[..end], &quoted[end + 1..])
            }
            None => tag.split_at(tag.find(',').unwrap_or(tag.len())),
        };
        if let Ok(version) = tag.trim().parse() {
            versions.push(version);
        }
        rest = after.trim_start_matches([' ', '\t']);
        if !rest.is_empty() && !rest.starts_with(',') {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_if_match(value: &'static str) -> Option<Vec<i64>> {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_static(value));
        if_match(&headers)
    }

    #[test]
    fn if_match_forms() {
        assert_eq!(if_match(&HeaderMap::new()), None);
        assert_eq!(with_if_match("\"3\""), Some(vec![3]));
        assert_eq!(with_if_match("3"), Some(vec![3]));
        assert_eq!(with_if_match("W/\"4\""), Some(vec![4]));
        assert_eq!(with_if_match("*"), None);
        assert_eq!(with_if_match("\"abc\""), Some(vec![]));
        // A list: any one may match.
        assert_eq!(with_if_match("\"23\", \"1\""), Some(vec![23, 1]));
        assert_eq!(with_if_match("\"x\",W/\"5\" , 6,,"), Some(vec![5, 6]));
        // A comma inside a quoted tag does not split it.
        assert_eq!(with_if_match("\"1,2\""), Some(vec![]));
        // Not a list of entity tags: nothing matches.
        assert_eq!(with_if_match("\"1\" \"2\""), Some(vec![]));
        assert_eq!(with_if_match("\"1"), Some(vec![]));
        assert_eq!(with_if_match("\"1\", *"), Some(vec![1]));
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
