//! `POST /echo`: a test aid for `form` mode (local mode only). It tells a
//! page what its own request carried, so a browser test can see a custom
//! header, a form field or a cookie arrive: the page's `X-…` headers, the
//! multipart text fields, the file parts' names and sizes, and the names
//! (never the values) of the cookies. `?reply=<word>` answers that word as
//! `text/plain` instead, as FilePond's server protocol answers an id.
//! Nothing is stored; the file bytes are read and dropped.

use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Query};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::errors::ApiError;

/// At most this much of a reply, a header value or a field is echoed.
const ECHO_BYTES: usize = 256;
/// At most this many fields and file parts are listed.
const MAX_PARTS: usize = 64;
/// The largest request body taken (the router sets it as the body limit).
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// A body that broke off or is not multipart is a bad request; one over
/// [`MAX_BODY`] is too large, as at the upload endpoints.
fn unreadable(error: MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge {
            limit: MAX_BODY as u64,
        }
    } else {
        ApiError::BadMultipart
    }
}

#[derive(Deserialize)]
pub struct EchoQuery {
    reply: Option<String>,
}

pub async fn echo(
    Query(query): Query<EchoQuery>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let mut multipart = multipart.map_err(|_| ApiError::BadMultipart)?;
    let mut fields = Map::new();
    let mut files = Vec::new();
    while let Some(mut part) = multipart.next_field().await.map_err(unreadable)? {
        let name = part.name().unwrap_or_default().to_owned();
        match part.file_name().map(str::to_owned) {
            Some(file_name) => {
                let mut size = 0u64;
                while let Some(chunk) = part.chunk().await.map_err(unreadable)? {
                    size += chunk.len() as u64;
                }
                if files.len() < MAX_PARTS {
                    files.push(json!({"field": name, "filename": file_name, "size": size}));
                }
            }
            None => {
                let text = part.text().await.map_err(unreadable)?;
                if fields.len() < MAX_PARTS {
                    fields.insert(name, Value::String(cut(&text)));
                }
            }
        }
    }
    if let Some(reply) = query.reply {
        let mut response = (StatusCode::CREATED, cut(&reply)).into_response();
        let answer = response.headers_mut();
        answer.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        answer.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        return Ok(response);
    }
    let echoed: Map<String, Value> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-"))
        .filter_map(|(name, value)| {
            Some((name.to_string(), Value::String(cut(value.to_str().ok()?))))
        })
        .collect();
    let cookies: Vec<&str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split('=').next())
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    let body = json!({
        "headers": echoed,
        "fields": fields,
        "files": files,
        "cookies": cookies,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn cut(text: &str) -> String {
    let mut end = text.len().min(ECHO_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}
