//! The Flow.js part endpoint: `GET /upload/flow` asks whether a part is
//! stored (200) or not (204 — Flow.js takes 404 as a permanent error);
//! `POST /upload/flow` stores one part, and the part that completes the file
//! answers 201 with the new Tracker temporary attachment. An upload is
//! its sender's (`owner`: a hash of the credential, or of the upstream's
//! user in proxy mode with the browser's credential, and the organisation)
//! as well as its `flowIdentifier`'s: another sender's parts of the same
//! identifier are another upload.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartRejection};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use serde_json::json;
use tokio::sync::watch;

use super::upload::{store, stream_to_part, Received, SNIFF_LEN};
use crate::auth;
use crate::base_url::BaseUrl;
use crate::errors::ApiError;
use crate::flow_protocol::{self, FlowChunk, FlowProblem, MAX_PARAM_LEN};
use crate::model::AttachmentView;
use crate::state::AppState;
use crate::storage::{Assembly, AssemblyOutcome, ChunkStored, FlowUpload, Outcome};
use crate::waiting_count::Waiting;

/// Flow.js sends eight parameters and the part; anything far beyond is not Flow.js.
const MAX_FIELDS: usize = 64;

/// How long a request that completes a file (or retries the part that did)
/// waits for the assembly before answering 503 with `Retry-After`: within
/// the read timeout of common reverse proxies (nginx: 60 s). A file that
/// takes longer (1 GiB sent upstream) is still assembled; the client's next
/// try waits anew and gets the answer.
const ASSEMBLY_WAIT: Duration = Duration::from_secs(55);

/// Largest upstream answer to an assembled file that is passed on.
const MAX_RELAYED_BODY: usize = 1024 * 1024;

fn problem(p: FlowProblem, limit: u64) -> ApiError {
    match p {
        FlowProblem::BadParams => ApiError::FlowParams,
        FlowProblem::Mismatch => ApiError::FlowMismatch,
        FlowProblem::TooLarge => ApiError::PayloadTooLarge { limit },
        FlowProblem::NameTooLong => ApiError::NameTooLong {
            max: super::MAX_FILE_NAME_BYTES,
        },
    }
}

/// Whose upload a request's parts belong to. Proxy mode with the
/// browser's credential asks the upstream first (`Proxy::check_sender`):
/// a credential it refuses stores nothing here and learns nothing of what
/// is stored, and the user it names owns the upload, so a refreshed or
/// new token of that user resumes it. Otherwise the sender's credential
/// and organisation do (`auth::owner_key`): local mode has one token, and
/// with the server's credential every file goes up as the server's one
/// user whoever sends it.
async fn owner(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let credential_key = auth::owner_key(headers);
    let Some(proxy) = &state.proxy else {
        return Ok(credential_key);
    };
    Ok(
        match proxy
            .check_sender(headers, &auth::credential_key(headers))
            .await?
        {
            Some(user) => auth::user_owner_key(&user, headers),
            None => credential_key,
        },
    )
}

/// `GET /upload/flow?flowIdentifier=…&flowChunkNumber=…`.
pub async fn test_chunk(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<StatusCode, ApiError> {
    let Query(params) = query.map_err(|_| ApiError::BadQuery)?;
    let sender = owner(&state, &headers).await?;
    let get = flow_protocol::either_name(|k| params.get(k).cloned());
    let (identifier, number) =
        flow_protocol::identify(&get).map_err(|p| problem(p, state.config.max_upload_bytes))?;
    let filename = get("flowFilename").filter(|f| !f.is_empty());
    let stored = state
        .storage
        .flow_has_chunk(sender, identifier, filename, number)
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
    let sender = owner(&state, &headers).await?;
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
        } else if flow_protocol::is_param(&name) {
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
            sender,
            chunk.declared,
            number,
            received.size,
            received.part,
            (state.now(), state.temp_cutoff()),
        )
        .await
        .map_err(ApiError::internal)?;
    let outcome = match stored {
        ChunkStored::Mismatch => return Err(ApiError::FlowMismatch),
        ChunkStored::Partial { stored } => {
            let body =
                json!({"flowChunkNumber": number, "storedChunks": stored, "totalChunks": total});
            return Ok(Json(body).into_response());
        }
        // The retried last part of a finished upload: the same answer.
        ChunkStored::Finished { attachment_id } => {
            return created(&state, &base, attachment_id).await
        }
        // Proxy mode: the same, as the upstream gave it.
        ChunkStored::Relayed {
            status,
            headers,
            body,
        } => return Ok(relayed_response(&state, &base, status, headers, body)),
        // A retried last part while the first copy is being assembled: it
        // must not hear "stored" before the file is, and it gets the answer
        // the first copy gets.
        ChunkStored::Assembling(outcome) => outcome,
        ChunkStored::Complete { assembly, outcome } => {
            // In a task of its own, so that a client that goes away does not
            // cut the assembly short (hyper drops the request's future).
            tokio::spawn(assemble(state.clone(), headers, assembly));
            outcome
        }
    };
    answer(&state, &base, outcome).await
}

/// Assembles the parts and stores the file here, or sends it upstream in
/// proxy mode; then settles the upload with the outcome.
async fn assemble(state: AppState, headers: HeaderMap, assembly: Assembly) {
    let gate = state.config.assembly_gate.clone();
    // Held until the outcome is settled; a closed gate lets everything through.
    let _permit = match &gate {
        Some(gate) => gate.acquire().await.ok(),
        None => None,
    };
    let outcome = build(&state, &headers, assembly.upload()).await;
    if let Err(e) = assembly.settle(outcome).await {
        tracing::warn!(error = %e, "could not record the end of an assembly");
    }
}

async fn build(state: &AppState, headers: &HeaderMap, upload: &FlowUpload) -> AssemblyOutcome {
    let (part, size, head) = match state.storage.flow_assemble(upload, SNIFF_LEN).await {
        Ok(assembled) => assembled,
        Err(e) => {
            tracing::error!(error = %e, "could not assemble a chunked upload");
            return AssemblyOutcome::Failed;
        }
    };
    let name = upload.declared.filename.clone();
    match &state.proxy {
        // Proxy mode: the whole file goes upstream as a temporary attachment
        // (T1), and the upstream's answer comes back as it is.
        Some(proxy) => relayed(proxy.send_file(part, size, &name, headers).await).await,
        None => {
            let received = Received {
                part,
                size,
                head,
                file_name: None,
                content_type: None,
            };
            match store(state, received, name, None).await {
                Ok(attachment) => AssemblyOutcome::Stored {
                    attachment_id: attachment.id,
                },
                // `store` has logged the cause.
                Err(_) => AssemblyOutcome::Failed,
            }
        }
    }
}

/// The upstream's answer, read whole so that every waiting request can be
/// given a copy. A T1 answer is one attachment object; anything past
/// `MAX_RELAYED_BODY` is not one.
async fn relayed(response: Response) -> AssemblyOutcome {
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_RELAYED_BODY).await {
        Ok(body) => AssemblyOutcome::Relayed {
            status: parts.status,
            headers: parts.headers,
            body,
        },
        Err(e) => {
            tracing::warn!(error = %e, "could not read the upstream's answer to an assembled file");
            AssemblyOutcome::Failed
        }
    }
}

/// Waits (boundedly) for the outcome of an assembly and answers with it.
async fn answer(
    state: &AppState,
    base: &BaseUrl,
    mut outcome: watch::Receiver<Outcome>,
) -> Result<Response, ApiError> {
    let _waiting = state.config.assembly_waiters.as_deref().map(Waiting::new);
    let outcome = match tokio::time::timeout(ASSEMBLY_WAIT, outcome.wait_for(Option::is_some)).await
    {
        Ok(Ok(outcome)) => (*outcome).clone(),
        // Still running (the client asks again after `Retry-After` and waits
        // anew), or gone without a word (then the next part takes over).
        Ok(Err(_)) | Err(_) => None,
    };
    match outcome.as_deref() {
        Some(AssemblyOutcome::Stored { attachment_id }) => {
            created(state, base, *attachment_id).await
        }
        Some(AssemblyOutcome::Relayed {
            status,
            headers,
            body,
        }) => Ok(relayed_response(
            state,
            base,
            *status,
            headers.clone(),
            body.clone(),
        )),
        Some(AssemblyOutcome::Failed) | None => Err(ApiError::AssemblyUnfinished),
    }
}

/// The upstream's answer to an assembled file, kept as the upstream gave
/// it, with its URLs moved onto the base of the request being answered
/// (each time: a retry may come in under another of the server's names).
fn relayed_response(
    state: &AppState,
    base: &BaseUrl,
    status: StatusCode,
    mut headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match &state.proxy {
        Some(proxy) => proxy.rebase(base).answer(&mut headers, body),
        // An answer remembered in proxy mode, replayed by a server started
        // since without `--upstream`: which URLs were the upstream's is
        // no longer known.
        None => body,
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// 201 with the temporary attachment a chunked upload became.
async fn created(
    state: &AppState,
    base: &BaseUrl,
    attachment_id: i64,
) -> Result<Response, ApiError> {
    let attachment = state
        .storage
        .get(attachment_id)
        .await
        .map_err(ApiError::internal)?
        .ok_or(ApiError::FlowMismatch)?;
    Ok((
        StatusCode::CREATED,
        Json(AttachmentView::new(&attachment, base)),
    )
        .into_response())
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
