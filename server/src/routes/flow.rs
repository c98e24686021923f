//! The Flow.js part endpoint: `GET /upload/flow` asks whether a part is
//! stored (200) or not (204 — Flow.js takes 404 as a permanent error);
//! `POST /upload/flow` stores one part, and the part that completes the file
//! answers 201 with the new Tracker temporary attachment.

use std::collections::HashMap;

use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::upload::{store, stream_to_part, Received, SNIFF_LEN};
use crate::base_url::BaseUrl;
use crate::errors::ApiError;
use crate::flow_protocol::{self, FlowChunk, FlowProblem, MAX_PARAM_LEN};
use crate::model::AttachmentView;
use crate::state::AppState;
use crate::storage::ChunkStored;

/// Flow.js sends eight parameters and the part; anything far beyond is not Flow.js.
const MAX_FIELDS: usize = 64;

fn problem(p: FlowProblem, limit: u64) -> ApiError {
    match p {
        FlowProblem::BadParams => ApiError::FlowParams,
        FlowProblem::Mismatch => ApiError::FlowMismatch,
        FlowProblem::TooLarge => ApiError::PayloadTooLarge { limit },
    }
}

/// `GET /upload/flow?flowIdentifier=…&flowChunkNumber=…`.
pub async fn test_chunk(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<StatusCode, ApiError> {
    let Query(params) = query.map_err(|_| ApiError::BadQuery)?;
    let (identifier, number) = flow_protocol::identify(|k| params.get(k).cloned())
        .map_err(|p| problem(p, state.config.max_upload_bytes))?;
    let stored = state
        .storage
        .flow_has_chunk(identifier, number)
        .await
        .map_err(ApiError::internal)?;
    Ok(if stored {
        StatusCode::OK
    } else {
        StatusCode::NO_CONTENT
    })
}

/// `POST /upload/flow`: the parameters as multipart fields (or in the
/// query), the part in field `file`.
pub async fn upload_chunk(
    State(state): State<AppState>,
    base: BaseUrl,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let Query(mut params) = query.map_err(|_| ApiError::BadQuery)?;
    let mut multipart = multipart.map_err(|_| ApiError::BadMultipart)?;
    let max = state.config.max_upload_bytes;
    let mut file: Option<Received> = None;
    let mut fields = 0;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| ApiError::BadMultipart)?
    {
        fields += 1;
        if fields > MAX_FIELDS {
            return Err(ApiError::FlowParams);
        }
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if file.is_some() {
                return Err(ApiError::FlowParams);
            }
            file = Some(receive_part(&state, field, &params, max).await?);
        } else if name.starts_with("flow") {
            params.insert(name, read_param(field).await?);
        }
        // Other fields (Flow.js's `query` option) are skipped by `next_field`.
    }
    let chunk = FlowChunk::parse(|k| params.get(k).cloned(), max).map_err(|p| problem(p, max))?;
    let received = file.ok_or(ApiError::NoFile)?;
    if received.size != chunk.current_size {
        return Err(ApiError::FlowMismatch);
    }
    let number = chunk.number;
    let total = chunk.declared.total_chunks;
    let stored = state
        .storage
        .flow_store_chunk(
            chunk.declared,
            number,
            received.size,
            received.part,
            state.now(),
        )
        .await
        .map_err(ApiError::internal)?;
    let upload = match stored {
        ChunkStored::Mismatch => return Err(ApiError::FlowMismatch),
        ChunkStored::Partial { stored } => {
            let body =
                json!({"flowChunkNumber": number, "storedChunks": stored, "totalChunks": total});
            return Ok(Json(body).into_response());
        }
        ChunkStored::Assembling => {
            let body =
                json!({"flowChunkNumber": number, "storedChunks": total, "totalChunks": total});
            return Ok(Json(body).into_response());
        }
        ChunkStored::Finished { attachment_id } => {
            // The retried last part of a finished upload: the same answer.
            let attachment = state
                .storage
                .get(attachment_id)
                .await
                .map_err(ApiError::internal)?
                .ok_or(ApiError::FlowMismatch)?;
            return Ok((
                StatusCode::CREATED,
                Json(AttachmentView::new(&attachment, &base)),
            )
                .into_response());
        }
        ChunkStored::Complete(upload) => upload,
    };

    let assembled = state
        .storage
        .flow_assemble(&upload, SNIFF_LEN)
        .await
        .map_err(ApiError::internal);
    // The local attachment id, when there is one to remember.
    let answer: Result<(Response, Option<i64>), ApiError> = match (assembled, &state.proxy) {
        (Err(e), _) => Err(e),
        // Proxy mode: the whole file goes upstream as a temporary attachment
        // (T1), and the upstream's answer comes back as it is.
        (Ok((part, size, _)), Some(proxy)) => Ok((
            proxy
                .send_file(part, size, &upload.declared.filename, &headers)
                .await,
            None,
        )),
        (Ok((part, size, head)), None) => {
            let received = Received {
                part,
                size,
                head,
                file_name: None,
                content_type: None,
            };
            store(&state, received, upload.declared.filename.clone(), None)
                .await
                .map(|attachment| {
                    let view = Json(AttachmentView::new(&attachment, &base));
                    (
                        (StatusCode::CREATED, view).into_response(),
                        Some(attachment.id),
                    )
                })
        }
    };
    match answer {
        Ok((response, attachment_id)) => {
            let finished = match attachment_id {
                Some(id) => state.storage.flow_finish(upload.id, id, state.now()).await,
                None => state.storage.flow_forget(upload.id).await,
            };
            if let Err(e) = finished {
                tracing::warn!(error = %e, "could not remove the parts of a finished upload");
            }
            Ok(response)
        }
        // Let a retried last part try the assembly again.
        Err(e) => {
            let _ = state.storage.flow_release(upload.id).await;
            Err(e)
        }
    }
}

/// Streams the part to disk. When the parameters came first (Flow.js sends
/// them first), its size is known: bytes past it are refused at once.
async fn receive_part(
    state: &AppState,
    field: Field<'_>,
    params: &HashMap<String, String>,
    max: u64,
) -> Result<Received, ApiError> {
    let expected = match FlowChunk::parse(|k| params.get(k).cloned(), max) {
        Ok(chunk) => Some(chunk.current_size),
        Err(FlowProblem::TooLarge) => return Err(ApiError::PayloadTooLarge { limit: max }),
        Err(_) => None,
    };
    let limit = expected.map_or(max, |e| e.min(max));
    match stream_to_part(field, &state.storage, limit).await {
        Err(ApiError::PayloadTooLarge { .. }) if expected.is_some_and(|e| e <= max) => {
            Err(ApiError::FlowMismatch)
        }
        other => other,
    }
}

async fn read_param(mut field: Field<'_>) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| ApiError::BadMultipart)? {
        if bytes.len() + chunk.len() > MAX_PARAM_LEN {
            return Err(ApiError::FlowParams);
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::FlowParams)
}
