//! Reading JSON request bodies into the checks the contract implies: a body
//! that is not a JSON object is 400, a missing required field 422, a field
//! of the wrong type 400.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::errors::ApiError;
use crate::storage::AttachmentRef;

/// axum's default limit for buffered bodies, which this is (README:
/// "JSON bodies").
const JSON_LIMIT: u64 = 2 * 1024 * 1024;

pub fn object(body: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, ApiError> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge { limit: JSON_LIMIT }
        } else {
            ApiError::BadJson
        }
    })?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::BadJson),
    }
}

/// A non-empty string; absent, null or empty is "missing".
pub fn required_string(body: &Map<String, Value>, field: &'static str) -> Result<String, ApiError> {
    match body.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        None | Some(Value::Null) | Some(Value::String(_)) => Err(ApiError::MissingField(field)),
        Some(_) => Err(ApiError::InvalidField(field)),
    }
}

/// `None` when absent; `Some(None)` for an explicit null.
pub fn optional_string(
    body: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<Option<String>>, ApiError> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(ApiError::InvalidField(field)),
    }
}

/// `attachmentIds`: documented as strings, sent as numbers by the examples;
/// both are accepted. Tracker's `{"add": [...]}` form too. An item that is
/// neither a string nor a number is 400; a string that is no id is kept, so
/// the 422 can name it.
pub fn attachment_ids(body: &Map<String, Value>) -> Result<Vec<AttachmentRef>, ApiError> {
    const FIELD: &str = "attachmentIds";
    let items = match body.get(FIELD) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(Value::Object(ops)) => match ops.get("add") {
            Some(Value::Array(items)) => items,
            _ => return Err(ApiError::InvalidField(FIELD)),
        },
        // A lone id, as some clients send for one file.
        Some(single @ (Value::String(_) | Value::Number(_))) => std::slice::from_ref(single),
        Some(_) => return Err(ApiError::InvalidField(FIELD)),
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => Ok(AttachmentRef {
                raw: ApiError::echo(s),
                id: s.trim().parse().ok(),
            }),
            Value::Number(n) => Ok(AttachmentRef {
                raw: n.to_string(),
                id: n.as_i64(),
            }),
            _ => Err(ApiError::InvalidField(FIELD)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn attachment_ids_as_strings_numbers_or_add() {
        let refs = attachment_ids(&map(
            serde_json::json!({"attachmentIds": ["1001", 1002, " 1003 "]}),
        ))
        .unwrap();
        let ids: Vec<_> = refs.iter().map(|r| r.id).collect();
        assert_eq!(ids, [Some(1001), Some(1002), Some(1003)]);
        let refs =
            attachment_ids(&map(serde_json::json!({"attachmentIds": {"add": [7]}}))).unwrap();
        assert_eq!(refs[0].id, Some(7));
        let refs =
            attachment_ids(&map(serde_json::json!({"attachmentIds": ["abc", 1.5]}))).unwrap();
        assert_eq!(
            refs[0],
            AttachmentRef {
                raw: "abc".into(),
                id: None
            }
        );
        assert_eq!(refs[1].id, None);
        assert!(attachment_ids(&map(serde_json::json!({"attachmentIds": [true]}))).is_err());
        assert!(attachment_ids(&map(serde_json::json!({})))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn strings() {
        let body = map(serde_json::json!({"a": "x", "b": "", "c": 5, "d": null}));
        assert_eq!(required_string(&body, "a"), Ok("x".into()));
        assert_eq!(
            required_string(&body, "b"),
            Err(ApiError::MissingField("b"))
        );
        assert_eq!(
            required_string(&body, "c"),
            Err(ApiError::InvalidField("c"))
        );
        assert_eq!(
            required_string(&body, "z"),
            Err(ApiError::MissingField("z"))
        );
        assert_eq!(optional_string(&body, "d"), Ok(Some(None)));
        assert_eq!(optional_string(&body, "z"), Ok(None));
    }
}
