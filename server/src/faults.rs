//! Injected failures, so clients can be tested against a flaky server:
//! `--fault-rate F` makes that share of upload requests fail, alternately
//! with a 503 in the API's error shape and by closing the connection while
//! the body is still arriving (after a status line whose body is cut
//! short: see [`close_connection`]). Which requests fail follows from
//! `--fault-seed` and the order of arrival alone, so a run can be replayed.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::Frame;
use http_body_util::BodyExt;

use crate::errors::{ApiError, Flavor};
use crate::lang::Lang;

/// How long a doomed request may take to send its first body bytes.
const FIRST_BYTES_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 503 with the API's error body.
    Unavailable,
    /// The connection is closed mid-body, the answer cut short.
    Close,
}

pub struct Faults {
    rate: f64,
    /// The flag that set `rate`, for the 503's message.
    flag: &'static str,
    seed: u64,
    counters: Mutex<Counters>,
}

#[derive(Default)]
struct Counters {
    /// Upload requests seen so far.
    seen: u64,
    /// Of those, failed on purpose.
    failed: u64,
}

impl Faults {
    /// `flag` names the option that asked for these faults
    /// (`--fault-rate`, `--faulty-mirror-rate`).
    pub fn new(rate: f64, seed: u64, flag: &'static str) -> Self {
        Self {
            rate,
            flag,
            seed,
            counters: Mutex::default(),
        }
    }

    /// The fate of the next upload request. The n-th request fails when a
    /// hash of (seed, n) falls under the rate; failures alternate between
    /// the two kinds, so each is exactly half (±1) of them.
    pub fn next(&self) -> Option<Fault> {
        let mut counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = counters.seen;
        counters.seen += 1;
        if unit_interval(splitmix64(self.seed ^ splitmix64(n))) >= self.rate {
            return None;
        }
        let kind = if counters.failed.wrapping_add(self.seed).is_multiple_of(2) {
            Fault::Unavailable
        } else {
            Fault::Close
        };
        counters.failed += 1;
        Some(kind)
    }
}

/// Middleware for upload routes (inside auth, so only real uploads count).
pub async fn inject(
    State((faults, flavor)): State<(Arc<Faults>, Flavor)>,
    request: Request,
    next: Next,
) -> Response {
    match faults.next() {
        None => next.run(request).await,
        Some(Fault::Unavailable) => ApiError::InjectedFault { flag: faults.flag }
            .render(flavor, Lang::from_headers(request.headers())),
        Some(Fault::Close) => {
            // Let some of the body arrive first, so the client sees the
            // connection die mid-upload, as with a real network failure.
            let mut body = request.into_body();
            let _ = tokio::time::timeout(FIRST_BYTES_WAIT, body.frame()).await;
            close_connection()
        }
    }
}

/// A 502 whose body breaks off: hyper sends the status line and headers
/// while the body waits, then drops the connection. With no status line at
/// all, a browser resends the request itself when the connection was a
/// reused one (Chromium does, unseen by the page), and the fault would
/// never reach the client under test; an answer cut short it cannot
/// resend, and the page sees a network error.
fn close_connection() -> Response {
    let mut response = Body::new(CutShort::new()).into_response();
    *response.status_mut() = axum::http::StatusCode::BAD_GATEWAY;
    // More than is ever sent: the client knows the answer was cut.
    response.headers_mut().insert(
        axum::http::header::CONTENT_LENGTH,
        axum::http::HeaderValue::from_static("64"),
    );
    response.extensions_mut().insert(ConnectionClosed);
    response
}

/// Marks a response that closes the connection (for the access log).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionClosed;

/// How long the body waits before it fails: long enough for hyper to have
/// written the status line and headers out.
const CUT_AFTER: Duration = Duration::from_millis(50);

struct CutShort {
    wait: Pin<Box<tokio::time::Sleep>>,
}

impl CutShort {
    fn new() -> Self {
        Self {
            wait: Box::pin(tokio::time::sleep(CUT_AFTER)),
        }
    }
}

impl http_body::Body for CutShort {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.wait.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::other(
                "connection closed on purpose (--fault-rate)",
            )))),
        }
    }
}

/// A seed for runs without `--fault-seed`; logged so the run can be replayed.
pub fn random_seed() -> u64 {
    use std::hash::BuildHasher;
    std::hash::RandomState::new().hash_one(std::time::SystemTime::now())
}

/// SplitMix64: tiny, well mixed, and the same on every platform and build,
/// which a replayable fault plan needs (std's hashers promise none of that).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The top 53 bits as a float in [0, 1).
fn unit_interval(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(rate: f64, seed: u64, n: usize) -> Vec<Option<Fault>> {
        let faults = Faults::new(rate, seed, "--fault-rate");
        (0..n).map(|_| faults.next()).collect()
    }

    #[test]
    fn same_seed_same_plan() {
        assert_eq!(plan(0.3, 7, 200), plan(0.3, 7, 200));
        assert_ne!(plan(0.3, 7, 200), plan(0.3, 8, 200));
    }

    #[test]
    fn any_seed_works() {
        let faults = Faults::new(1.0, u64::MAX, "--fault-rate");
        assert_eq!(faults.next(), Some(Fault::Close));
        assert_eq!(faults.next(), Some(Fault::Unavailable));
    }

    #[test]
    fn rate_bounds() {
        assert!(plan(0.0, 1, 500).iter().all(Option::is_none));
        assert!(plan(1.0, 1, 500).iter().all(Option::is_some));
    }

    #[test]
    fn about_the_rate_and_half_of_each_kind() {
        let plan = plan(0.25, 42, 4000);
        let failed: Vec<Fault> = plan.into_iter().flatten().collect();
        assert!((800..1200).contains(&failed.len()), "{}", failed.len());
        let closed = failed.iter().filter(|f| **f == Fault::Close).count();
        let unavailable = failed.len() - closed;
        assert!(closed.abs_diff(unavailable) <= 1);
    }

    #[test]
    fn splitmix_reference_values() {
        // From the reference implementation, seeded with 0.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    }
}
