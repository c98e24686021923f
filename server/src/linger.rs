//! Lingering close, around every route. When the server answers before
//! reading the whole body (413 at the limit, 403 without the XSRF header,
//! 400 for a bad part, 401 for a wrong token, 403 for a foreign origin),
//! hyper closes the socket with the rest of the upload unread,
//! and the kernel then resets the connection: the client often loses the
//! answer and sees only "connection reset". Like nginx's `lingering_close`,
//! we keep reading (and discarding) the rest for a bounded time and amount,
//! so the answer arrives; memory stays flat since nothing is kept.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::BodyExt;

/// Enough for the client to read the answer; a client that keeps sending
/// past this is cut off.
const LINGER_BYTES: u64 = 64 * 1024 * 1024;
const LINGER_TIME: Duration = Duration::from_secs(5);

pub async fn linger(request: Request, next: Next) -> Response {
    let request = request.map(|body| {
        Body::new(Lingering {
            inner: Some(body),
            finished: false,
        })
    });
    next.run(request).await
}

struct Lingering {
    inner: Option<Body>,
    finished: bool,
}

impl http_body::Body for Lingering {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        let Some(inner) = this.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            this.finished = true;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), |b| b.size_hint())
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        let Some(body) = self.inner.take() else {
            return;
        };
        if self.finished || body.is_end_stream() {
            return;
        }
        // Dropped outside a runtime only at shutdown, when nobody waits.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(drain(body));
        }
    }
}

async fn drain(mut body: Body) {
    let deadline = tokio::time::Instant::now() + LINGER_TIME;
    let mut drained = 0u64;
    while drained < LINGER_BYTES {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => {
                drained += frame.data_ref().map_or(0, |d| d.len() as u64);
            }
            _ => break,
        }
    }
}
