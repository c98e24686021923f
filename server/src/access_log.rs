//! One log line per request: method, path, status, bytes in and out, time.
//! The line is written when the response body is done (or dropped), so
//! streamed downloads and uploads are counted in full. A request given up
//! before it was answered (its handler dropped: the client went away, or
//! the connection was closed at shutdown) gets its line too, with status 0
//! (no status line was sent) and outcome `dropped`. Never headers or the
//! query: headers carry tokens, queries carry file names.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::faults::ConnectionClosed;

/// Paths can hold 4,000-character file names; the log does not need them whole.
const MAX_LOGGED_PATH: usize = 256;

pub async fn log(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path: String = request.uri().path().chars().take(MAX_LOGGED_PATH).collect();
    let received = Arc::new(AtomicU64::new(0));
    let request = request.map(|body| {
        Body::new(Counted {
            inner: body,
            count: received.clone(),
        })
    });
    // Writes the line if this future is dropped before the answer exists.
    let mut unanswered = Unanswered(Some(Line {
        method,
        path,
        received,
        start,
    }));
    let response = next.run(request).await;
    let line = unanswered.0.take();
    let status = response.status();
    let closed = response.extensions().get::<ConnectionClosed>().is_some();
    response.map(|body| {
        Body::new(Logged {
            inner: body,
            sent: 0,
            failed: false,
            status,
            closed,
            line,
        })
    })
}

/// The line of a request whose handling is under way; dropped with it
/// still inside, the request was never answered.
struct Unanswered(Option<Line>);

impl Drop for Unanswered {
    fn drop(&mut self) {
        if let Some(line) = self.0.take() {
            line.write(0, "dropped", 0);
        }
    }
}

struct Counted {
    inner: Body,
    count: Arc<AtomicU64>,
}

impl http_body::Body for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                self.count.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

struct Line {
    method: Method,
    path: String,
    received: Arc<AtomicU64>,
    start: Instant,
}

impl Line {
    fn write(self, status: u16, outcome: &str, sent: u64) {
        let millis = self.start.elapsed().as_secs_f64() * 1000.0;
        let received = self.received.load(Ordering::Relaxed);
        tracing::info!(
            target: "access",
            method = %self.method,
            path = %self.path,
            status,
            outcome,
            bytes_in = received,
            bytes_out = sent,
            ms = format_args!("{millis:.1}"),
            "request"
        );
    }
}

struct Logged {
    inner: Body,
    sent: u64,
    failed: bool,
    status: StatusCode,
    closed: bool,
    line: Option<Line>,
}

impl http_body::Body for Logged {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                self.sent += frame.data_ref().map_or(0, |d| d.len() as u64);
            }
            Poll::Ready(Some(Err(_))) => self.failed = true,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        let Some(line) = self.line.take() else {
            return;
        };
        // A response cut short (the client left, or an injected close) is
        // logged as such rather than as the status it never finished.
        let outcome = if self.closed {
            "closed"
        } else if self.failed {
            "aborted"
        } else {
            "ok"
        };
        // No status line was ever sent for an injected close.
        let status = if self.closed { 0 } else { self.status.as_u16() };
        line.write(status, outcome, self.sent);
    }
}
