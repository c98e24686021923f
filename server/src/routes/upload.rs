//! Receiving files: multipart parts are streamed to `tmp/` chunk by chunk as
//! they arrive, refused with 413 the moment they pass the limit, and only
//! then given a type, a thumbnail and an id. A body that stops sending ends
//! its request (408) after an idle time, and its partial file goes with it.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::multipart::Field;
use axum::extract::{Multipart, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use percent_encoding::percent_decode_str;

use crate::errors::{ApiError, Flavor};
use crate::idle_timer::IdleTimer;
use crate::lang::Lang;
use crate::mime;
use crate::state::AppState;
use crate::storage::{Attachment, NewAttachment, PartFile, Pending, Storage};
use crate::thumbnail;

/// Enough to recognise every image signature `mime::sniff_image` knows.
pub const SNIFF_LEN: usize = 16;

/// Used when neither `?filename=` nor the part names the file.
const FALLBACK_NAME: &str = "file";

/// A file on disk, not yet committed.
pub struct Received {
    pub part: PartFile,
    pub size: u64,
    pub head: Vec<u8>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
}

/// Tracker's rule: the first part that has a file name is the file; failing
/// that, the first part (e.g. `curl -F 'file=<data.txt'`). Any field name.
/// Parts are streamed to disk as they arrive, since which one is the file is
/// only known at the end.
pub async fn receive_first_file(
    multipart: &mut Multipart,
    storage: &Storage,
    limit: u64,
) -> Result<Received, ApiError> {
    let mut fallback = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| ApiError::BadMultipart)?
    {
        let has_file_name = part_file_name(&field).is_some();
        if !has_file_name && fallback.is_some() {
            continue;
        }
        // A text field over the limit refuses the upload at once: read to
        // its end in search of a later file, it could be any length.
        let received = stream_to_part(field, storage, limit).await?;
        if has_file_name {
            return Ok(received);
        }
        fallback = Some(received);
    }
    fallback.ok_or(ApiError::NoFile)
}

/// Writes one part chunk by chunk, refusing it as soon as it passes `limit`;
/// the part file is dropped (and so deleted) on every error path, and
/// closed on success.
pub async fn stream_to_part(
    mut field: Field<'_>,
    storage: &Storage,
    limit: u64,
) -> Result<Received, ApiError> {
    let file_name = part_file_name(&field);
    let content_type = field.content_type().map(str::to_owned);
    let mut part = storage.new_part().await.map_err(ApiError::internal)?;
    let mut size: u64 = 0;
    let mut head = Vec::with_capacity(SNIFF_LEN);
    while let Some(chunk) = field.chunk().await.map_err(|_| ApiError::BadMultipart)? {
        size += chunk.len() as u64;
        if size > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        if head.len() < SNIFF_LEN {
            let take = (SNIFF_LEN - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
        }
        part.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    // Flushed and closed now, not when the file is stored: a Jira request
    // streams up to 60 parts before storing any, and each open part holds
    // a descriptor and a write buffer. Later steps reopen it by path.
    part.close().await.map_err(ApiError::internal)?;
    Ok(Received {
        part,
        size,
        head,
        file_name,
        content_type,
    })
}

/// The part's file name: `filename`, else an RFC 5987 `filename*` (RFC
/// 7578 asks senders not to use it, but some do; the parser reads only
/// `filename`). A name whose bytes are not UTF-8 (an old client's Latin-1
/// or cp1251) keeps its other characters and its extension, which gives
/// the type, rather than becoming `file`.
fn part_file_name(field: &Field<'_>) -> Option<String> {
    if let Some(name) = field.file_name() {
        return Some(name.to_owned());
    }
    let disposition = field.headers().get(header::CONTENT_DISPOSITION)?;
    let disposition = String::from_utf8_lossy(disposition.as_bytes());
    extended_file_name(&disposition).or_else(|| plain_file_name(&disposition))
}

/// The value of `filename*=<charset>'<language>'<percent-encoded>` in a
/// `Content-Disposition` header, in UTF-8 or ISO-8859-1 (the two RFC 5987
/// has every recipient read); `None` for another charset or none. Bytes
/// that are not the charset's become U+FFFD.
fn extended_file_name(disposition: &str) -> Option<String> {
    let value = parameter(disposition, "filename*")?;
    let mut pieces = value.splitn(3, '\'');
    let charset = pieces.next()?;
    let _language = pieces.next()?;
    let bytes: Vec<u8> = percent_decode_str(pieces.next()?).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        Some(String::from_utf8_lossy(&bytes).into_owned())
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.iter().map(|&b| char::from(b)).collect())
    } else {
        None
    }
}

/// The value of `filename=`, unquoted: what the multipart parser leaves
/// when the header is not UTF-8 (it came here read with U+FFFD).
fn plain_file_name(disposition: &str) -> Option<String> {
    let value = parameter(disposition, "filename")?;
    let Some(quoted) = value.strip_prefix('"') else {
        return Some(value.to_owned());
    };
    let mut name = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => name.extend(chars.next()),
            c => name.push(c),
        }
    }
    Some(name)
}

/// The trimmed value of the parameter `key` (any case) of a header value.
fn parameter<'a>(value: &'a str, key: &str) -> Option<&'a str> {
    parameters(value).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim().eq_ignore_ascii_case(key).then(|| value.trim())
    })
}

/// The `;`-separated pieces of a header value, a `;` inside quotes not
/// separating: `name="a;filename*=…"` holds no `filename*`.
fn parameters(value: &str) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    let mut escaped = false;
    value.split(move |c| {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => return true,
            _ => {}
        }
        false
    })
}

/// Longest file name taken, in bytes of UTF-8. File systems take 255; the
/// name goes into the attachment's URLs, percent-encoded (up to three
/// bytes a byte), and a URL over 64 KiB is more than the server reads.
pub const MAX_FILE_NAME_BYTES: usize = 1024;

/// The stored name: the query's, else the part's, else a fallback; empty
/// names count as none. Never used as a path.
pub fn choose_name(query: Option<String>, part: Option<String>) -> Result<String, ApiError> {
    let name = query
        .filter(|n| !n.is_empty())
        .or(part.filter(|n| !n.is_empty()))
        .unwrap_or_else(|| FALLBACK_NAME.to_owned());
    if name.len() > MAX_FILE_NAME_BYTES {
        return Err(ApiError::NameTooLong {
            max: MAX_FILE_NAME_BYTES,
        });
    }
    Ok(name)
}

/// Types the file, renders a thumbnail for the images we know, and commits
/// it: temporary without `issue_key`, attached with one.
pub async fn store(
    state: &AppState,
    received: Received,
    name: String,
    issue_key: Option<String>,
) -> Result<Attachment, ApiError> {
    let Pending {
        part,
        new,
        thumbnail,
    } = prepare(state, received, name, issue_key).await?;
    state
        .storage
        .commit(part, new, thumbnail)
        .await
        .map_err(ApiError::internal)
}

/// Types the file and renders a thumbnail for the images we know: all that
/// [`store`] does before committing.
pub async fn prepare(
    state: &AppState,
    received: Received,
    name: String,
    issue_key: Option<String>,
) -> Result<Pending, ApiError> {
    let Received {
        mut part,
        size,
        head,
        content_type,
        ..
    } = received;
    part.close().await.map_err(ApiError::internal)?;
    let mimetype = mime::choose(content_type.as_deref(), &name, &head);
    let thumbnail = match mime::sniff_image(&head) {
        Some(format) => {
            let rendered = thumbnail::render_bounded(part.path().to_path_buf(), format)
                .await
                .map_err(ApiError::internal)?;
            // A broken image is still a file the user wants to keep.
            rendered
                .inspect_err(|e| tracing::info!(error = %e, "no thumbnail"))
                .ok()
        }
        None => None,
    };
    let new = NewAttachment {
        name,
        size,
        mimetype,
        created_at: state.now(),
        issue_key,
    };
    Ok(Pending {
        part,
        new,
        thumbnail,
    })
}

/// Upload routes (innermost layer): the body fails once it has sent
/// nothing for `idle` while the handler waits for it, which ends the request
/// and drops (so deletes) the part being written; the answer is then 408 in
/// the route's error shape, whatever the handler made of the broken body,
/// and the connection is closed. Time spent by the server between reads
/// (writing to disk, waiting for a thumbnail) does not count.
pub async fn idle_timeout(
    State((idle, flavor)): State<(Duration, Flavor)>,
    request: Request,
    next: Next,
) -> Response {
    stall_guard(idle, ApiError::UploadIdle { idle }, flavor, request, next).await
}

/// Other routes that read a body (JSON): the same, with a message that
/// does not speak of a file.
pub async fn body_idle_timeout(
    State((idle, flavor)): State<(Duration, Flavor)>,
    request: Request,
    next: Next,
) -> Response {
    stall_guard(idle, ApiError::BodyIdle { idle }, flavor, request, next).await
}

/// Proxied routes, which take any body: a multipart one is an upload (a
/// file, and the message says so), any other (JSON: an issue, a comment)
/// gets the message that does not speak of a file.
pub async fn forwarded_idle_timeout(
    State((idle, flavor)): State<(Duration, Flavor)>,
    request: Request,
    next: Next,
) -> Response {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(mime::normalize)
        .is_some_and(|t| t.starts_with("multipart/"));
    let error = if multipart {
        ApiError::UploadIdle { idle }
    } else {
        ApiError::BodyIdle { idle }
    };
    stall_guard(idle, error, flavor, request, next).await
}

async fn stall_guard(
    idle: Duration,
    error: ApiError,
    flavor: Flavor,
    request: Request,
    next: Next,
) -> Response {
    let stalled = Arc::new(AtomicBool::new(false));
    let request = request.map(|body| {
        Body::new(IdleBody {
            inner: body,
            timer: IdleTimer::new(idle),
            stalled: stalled.clone(),
        })
    });
    let response = next.run(request).await;
    if !stalled.load(Ordering::SeqCst) {
        return response;
    }
    let mut response = error.render(flavor, Lang::En);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A request body that fails after `idle` without a frame.
struct IdleBody {
    inner: Body,
    timer: IdleTimer,
    stalled: Arc<AtomicBool>,
}

#[derive(Debug)]
struct Stalled;

impl std::fmt::Display for Stalled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body sent nothing for too long")
    }
}

impl std::error::Error for Stalled {}

impl http_body::Body for IdleBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if this.stalled.load(Ordering::SeqCst) {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            this.timer.stop();
            return Poll::Ready(frame);
        }
        match this.timer.poll_wait(cx).0 {
            Poll::Ready(()) => {
                this.stalled.store(true, Ordering::SeqCst);
                Poll::Ready(Some(Err(axum::Error::new(Stalled))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.stalled.load(Ordering::SeqCst) || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let chosen = |query: Option<&str>, part: Option<&str>| {
            choose_name(query.map(str::to_owned), part.map(str::to_owned))
        };
        assert_eq!(chosen(Some("q.txt"), Some("p.txt")).unwrap(), "q.txt");
        assert_eq!(chosen(Some(""), Some("p.txt")).unwrap(), "p.txt");
        assert_eq!(chosen(None, Some("")).unwrap(), "file");
        assert_eq!(chosen(None, None).unwrap(), "file");
        // Counted in bytes: 341 three-byte characters fit, 342 do not.
        assert!(chosen(None, Some(&"界".repeat(341))).is_ok());
        assert_eq!(
            chosen(None, Some(&"界".repeat(342))),
            Err(ApiError::NameTooLong {
                max: MAX_FILE_NAME_BYTES
            })
        );
        // A short query name stands in for a long part name.
        assert!(chosen(Some("q.txt"), Some(&"n".repeat(5000))).is_ok());
    }

    #[test]
    fn plain_file_names_read_from_a_header_that_is_not_utf8() {
        let read = plain_file_name;
        assert_eq!(
            read("form-data; name=\"file\"; filename=\"caf\u{FFFD}.txt\"").as_deref(),
            Some("caf\u{FFFD}.txt")
        );
        assert_eq!(
            read("form-data; filename=\"a\\\"b;c.txt\"").as_deref(),
            Some("a\"b;c.txt")
        );
        assert_eq!(
            read("form-data; filename=bare.txt").as_deref(),
            Some("bare.txt")
        );
        assert_eq!(read("form-data; name=\"filename=x\""), None);
    }

    #[test]
    fn extended_file_names() {
        let read = extended_file_name;
        assert_eq!(
            read("form-data; name=\"file\"; filename*=UTF-8''caf%C3%A9%20menu.txt").as_deref(),
            Some("café menu.txt")
        );
        assert_eq!(
            read("form-data; name=file; FILENAME*=utf-8'en'a%3Bb.txt").as_deref(),
            Some("a;b.txt")
        );
        // RFC 5987's other charset; broken UTF-8 keeps the rest of the name.
        assert_eq!(
            read("form-data; filename*=ISO-8859-1''caf%E9.txt").as_deref(),
            Some("café.txt")
        );
        assert_eq!(
            read("form-data; filename*=UTF-8''%FF.txt").as_deref(),
            Some("\u{FFFD}.txt")
        );
        // Other charsets, no charset, and a parameter quoted inside another's
        // value are no name.
        assert_eq!(read("form-data; filename*=KOI8-R''%C1.txt"), None);
        assert_eq!(read("form-data; filename*=caf.txt"), None);
        assert_eq!(read("form-data; name=\"a;filename*=UTF-8''x.txt\""), None);
        assert_eq!(
            read("form-data; name=\"a\\\";filename*=UTF-8''x.txt\""),
            None
        );
    }
}
