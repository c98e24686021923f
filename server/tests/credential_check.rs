//! Proxy mode without a credential of the server's: the part endpoint asks
//! the upstream (`GET /v2/myself`) whether it takes the browser's
//! credential, against an upstream that can hold that question until the
//! test lets it answer, and caps how many such questions run at once.
//! (How often it is asked per sender, and that the credential is never
//! logged: `proxy_hardening`.)

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use common::*;
use reqwest::multipart::{Form, Part};
use tokio::sync::watch;
use tracker_attachments_server::Config;

/// Held until `Upstream::release`, then given no verdict (500).
const HELD_UNJUDGED: &str = "OAuth held-unjudged-token";
/// Unknown to the upstream (401).
const REFUSED: &str = "OAuth refused-token";
/// Known to the upstream, but denied access (403).
const DENIED: &str = "OAuth denied-token";
/// The upstream is busy for these: 429 with `Retry-After: 7`.
const RATE_LIMITED: &str = "OAuth rate-limited-token";
/// 503, with a `Retry-After` date in an obsolete form.
const UNAVAILABLE: &str = "OAuth unavailable-token";
/// 503, with a `Retry-After` that is neither seconds nor a date.
const UNAVAILABLE_GARBLED: &str = "OAuth unavailable-garbled-token";

/// Held until released, then taken (200), as any credential not named
/// above is.
const HELD_A: &str = "OAuth held-a-token";
const HELD_B: &str = "OAuth held-b-token";
/// Taken at once.
const NEW: &str = "OAuth new-token";

/// Which held questions may be answered.
#[derive(Default)]
struct Released {
    all: bool,
    these: HashSet<String>,
}

impl Released {
    fn lets(&self, authorization: &str) -> bool {
        self.all || self.these.contains(authorization)
    }
}

/// What the upstream is and what it saw.
#[derive(Clone)]
struct Judge {
    /// The `Authorization` of every `GET /v2/myself`, counted as it
    /// arrives (before it is held).
    asked: Arc<Mutex<Vec<String>>>,
    /// `GET /v2/myself` being answered right now, and the most at once.
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
    released: watch::Receiver<Released>,
}

/// One `GET /v2/myself` counted in flight for as long as it lives, however
/// its answer ends (the proxy may give up on it).
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn new(judge: &'a Judge) -> Self {
        let now = judge.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        judge.most_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(&judge.in_flight)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An upstream that judges credentials (`GET /v2/myself`) by their
/// `Authorization` and takes any file; questions about a `held-`
/// credential wait for `release` or `release_one`.
struct Upstream {
    base: String,
    judge: Judge,
    release: watch::Sender<Released>,
    task: tokio::task::JoinHandle<()>,
}

impl Upstream {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (release, released) = watch::channel(Released::default());
        let judge = Judge {
            asked: Arc::new(Mutex::new(Vec::new())),
            in_flight: Arc::new(AtomicUsize::new(0)),
            most_in_flight: Arc::new(AtomicUsize::new(0)),
            released,
        };
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(judge.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base,
            judge,
            release,
            task,
        }
    }

    /// How often the upstream was asked about `authorization`.
    fn checks(&self, authorization: &str) -> usize {
        let asked = self.judge.asked.lock().unwrap();
        asked.iter().filter(|a| *a == authorization).count()
    }

    /// `GET /v2/myself` being answered right now.
    fn in_flight(&self) -> usize {
        self.judge.in_flight.load(Ordering::SeqCst)
    }

    /// The most `GET /v2/myself` answered at once so far.
    fn most_in_flight(&self) -> usize {
        self.judge.most_in_flight.load(Ordering::SeqCst)
    }

    /// Lets the held questions (and every later one) be answered.
    fn release(&self) {
        self.release.send_modify(|released| released.all = true);
    }

    /// Lets the questions about `authorization` be answered.
    fn release_one(&self, authorization: &str) {
        self.release.send_modify(|released| {
            released.these.insert(authorization.to_owned());
        });
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(State(judge): State<Judge>, request: Request) -> Response {
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let json = [("content-type", "application/json")];
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    match (method.as_str(), path.as_str()) {
        ("GET", "/v2/myself") => {
            judge.asked.lock().unwrap().push(authorization.clone());
            let _in_flight = InFlight::new(&judge);
            if authorization.starts_with("OAuth held-") {
                let mut released = judge.released.clone();
                // A closed channel: the test is over; answer anyway.
                let _ = released
                    .wait_for(|released| released.lets(&authorization))
                    .await;
            }
            match authorization.as_str() {
                HELD_UNJUDGED => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                REFUSED => (
                    StatusCode::UNAUTHORIZED,
                    json,
                    r#"{"errors": {}, "errorsData": {}, "errorMessages": ["No."], "statusCode": 401}"#,
                )
                    .into_response(),
                DENIED => (
                    StatusCode::FORBIDDEN,
                    json,
                    r#"{"errors": {}, "errorsData": {}, "errorMessages": ["No access."], "statusCode": 403}"#,
                )
                    .into_response(),
                RATE_LIMITED => busy(StatusCode::TOO_MANY_REQUESTS, "7"),
                UNAVAILABLE => busy(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sunday, 06-Nov-94 08:49:37 GMT",
                ),
                UNAVAILABLE_GARBLED => busy(StatusCode::SERVICE_UNAVAILABLE, "soon"),
                _ => (StatusCode::OK, json, r#"{"login": "someone"}"#).into_response(),
            }
        }
        // The forwarded API, busy.
        ("GET", "/v2/issues/LIMITED-1") => busy(StatusCode::TOO_MANY_REQUESTS, "30"),
        ("GET", "/v2/issues/DOWN-1") => busy(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
        ("POST", "/v2/attachments/") => {
            // Read whole before answering: answered first, the proxy may
            // still be writing the file when the connection closes.
            let _ = axum::body::to_bytes(request.into_body(), usize::MAX).await;
            (StatusCode::CREATED, json, r#"{"id": "1"}"#).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A busy upstream's answer, in Tracker's error shape.
fn busy(status: StatusCode, retry_after: &'static str) -> Response {
    let body = format!(
        r#"{{"errors": {{}}, "errorsData": {{}}, "errorMessages": ["Busy."], "statusCode": {}}}"#,
        status.as_u16()
    );
    (
        status,
        [
            ("content-type", "application/json"),
            ("retry-after", retry_after),
        ],
        body,
    )
        .into_response()
}

/// The proxy in this process passing the browser's credential on (no
/// `--upstream-auth-env`), counting the requests that wait for another's
/// credential check in `waiters`.
async fn passing_proxy(
    upstream: &Upstream,
    dir: &TempDir,
    waiters: &Arc<AtomicUsize>,
) -> TestServer {
    TestServer::start(Config {
        upstream: Some(upstream.base.clone()),
        credential_check_waiters: Some(waiters.clone()),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// A one-part Flow.js file of one byte, as `identifier`.
fn one_part(identifier: &str) -> Form {
    [
        ("flowChunkNumber", "1"),
        ("flowChunkSize", "1000"),
        ("flowCurrentChunkSize", "1"),
        ("flowTotalSize", "1"),
        ("flowIdentifier", identifier),
        ("flowFilename", "x.bin"),
        ("flowTotalChunks", "1"),
    ]
    .into_iter()
    .fold(Form::new(), |form, (k, v)| form.text(k, v.to_owned()))
    .part("file", Part::bytes(b"x".to_vec()).file_name("blob"))
}

/// The part `identifier` sent with `authorization`, in a task of its own.
fn spawn_part(
    proxy: &TestServer,
    authorization: &str,
    identifier: &str,
) -> tokio::task::JoinHandle<reqwest::Response> {
    let request = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Authorization", authorization)
        .multipart(one_part(identifier));
    tokio::spawn(async move { request.send().await.unwrap() })
}

const WAIT: Duration = Duration::from_secs(30);

/// Credential checks the capped proxy runs at once.
const SLOTS: usize = 2;

/// Requests waiting, as the proxy counts them: for another's check of
/// their credential, and for a slot to check theirs with.
#[derive(Default)]
struct Waiters {
    for_check: Arc<AtomicUsize>,
    for_slot: Arc<AtomicUsize>,
}

impl Waiters {
    fn for_check(&self) -> usize {
        self.for_check.load(Ordering::SeqCst)
    }

    fn for_slot(&self) -> usize {
        self.for_slot.load(Ordering::SeqCst)
    }
}

/// As `passing_proxy`, running at most `SLOTS` credential checks at once;
/// a request that needs another waits for one to end up to `slot_wait`.
async fn capped_proxy(
    upstream: &Upstream,
    dir: &TempDir,
    waiters: &Waiters,
    slot_wait: Duration,
) -> TestServer {
    TestServer::start(Config {
        upstream: Some(upstream.base.clone()),
        credential_check_waiters: Some(waiters.for_check.clone()),
        credential_slot_waiters: Some(waiters.for_slot.clone()),
        credential_check_slots: SLOTS,
        credential_slot_wait: slot_wait,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// Holds every slot of a capped proxy: a part of `HELD_A` and one of
/// `HELD_B`, whose checks the upstream holds.
async fn fill_the_slots(
    proxy: &TestServer,
    upstream: &Upstream,
) -> [tokio::task::JoinHandle<reqwest::Response>; SLOTS] {
    let held = [
        spawn_part(proxy, HELD_A, "1-held-a"),
        spawn_part(proxy, HELD_B, "1-held-b"),
    ];
    wait_until(WAIT, "both slots' checks to reach the upstream", || async {
        upstream.in_flight() == SLOTS
    })
    .await;
    held
}

/// Parts that come while their sender's credential is being checked wait
/// for that one check and get its outcome, "no verdict" (502) included,
/// rather than each asking in turn (against a blackholed upstream, 30 s
/// each). No verdict is kept: the next part asks again.
#[tokio::test]
async fn parts_waiting_for_a_check_share_its_outcome_and_no_verdict_is_not_kept() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let waiters = Arc::new(AtomicUsize::new(0));
    let proxy = passing_proxy(&upstream, &dir, &waiters).await;

    let first = spawn_part(&proxy, HELD_UNJUDGED, "1-a");
    wait_until(
        WAIT,
        "the first part's check to reach the upstream",
        || async { upstream.checks(HELD_UNJUDGED) == 1 },
    )
    .await;
    let mut parts = vec![first];
    for identifier in ["1-b", "1-c", "1-d"] {
        parts.push(spawn_part(&proxy, HELD_UNJUDGED, identifier));
    }
    wait_until(WAIT, "three parts to wait for that check", || async {
        waiters.load(Ordering::SeqCst) == 3
    })
    .await;
    upstream.release();
    let mut messages = Vec::new();
    for part in parts {
        messages.push(error_message(part.await.unwrap(), StatusCode::BAD_GATEWAY).await);
    }
    assert!(messages.iter().all(|m| *m == messages[0]), "{messages:?}");
    assert_eq!(upstream.checks(HELD_UNJUDGED), 1);
    assert_eq!(waiters.load(Ordering::SeqCst), 0);

    let again = spawn_part(&proxy, HELD_UNJUDGED, "1-e").await.unwrap();
    error_message(again, StatusCode::BAD_GATEWAY).await;
    assert_eq!(upstream.checks(HELD_UNJUDGED), 2);
    assert!(walk(&dir.data_dir().join("flow")).is_empty());
    assert!(walk(&dir.data_dir().join("tmp")).is_empty());
}

/// An upstream that is busy (429, 503) when asked about a credential is
/// heard as busy, not as broken (502): the same status in Tracker's error
/// shape, in the request's language, with the upstream's `Retry-After`
/// when it is a valid one (a date in the form senders must use), so the
/// widget waits as long as the upstream asks. Not kept: the next part asks
/// again.
#[tokio::test]
async fn a_busy_upstream_is_passed_on_with_its_retry_after_and_not_kept() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let waiters = Arc::new(AtomicUsize::new(0));
    let proxy = passing_proxy(&upstream, &dir, &waiters).await;
    let cases = [
        (RATE_LIMITED, StatusCode::TOO_MANY_REQUESTS, Some("7")),
        (
            UNAVAILABLE,
            StatusCode::SERVICE_UNAVAILABLE,
            Some("Sun, 06 Nov 1994 08:49:37 GMT"),
        ),
        (UNAVAILABLE_GARBLED, StatusCode::SERVICE_UNAVAILABLE, None),
    ];
    for (authorization, status, retry_after) in cases {
        for asked in 1..=2 {
            let answer = spawn_part(&proxy, authorization, "1-busy").await.unwrap();
            let passed = answer
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(passed.as_deref(), retry_after, "{authorization}");
            let message = error_message(answer, status).await;
            assert!(
                message.contains(&format!("({})", status.as_u16())),
                "{authorization}: {message}"
            );
            assert_eq!(upstream.checks(authorization), asked, "{authorization}");
        }
    }
    let answer = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Authorization", RATE_LIMITED)
        .header("Accept-Language", "ru")
        .multipart(one_part("1-busy"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["retry-after"], "7");
    let message = error_message(answer, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(message.starts_with("Вышестоящий сервис"), "{message}");
    assert!(walk(&dir.data_dir().join("flow")).is_empty());
    assert!(walk(&dir.data_dir().join("tmp")).is_empty());
}

/// The forwarded API passes a busy upstream's answer on as it came,
/// `Retry-After` included, and a page of an allowed origin may read that
/// header.
#[tokio::test]
async fn forwarded_answers_keep_the_upstreams_retry_after_for_the_page() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let origin = "http://app.test";
    let proxy = TestServer::start(Config {
        upstream: Some(upstream.base.clone()),
        cors_origins: vec![origin.into()],
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    for (path, status, retry_after) in [
        ("/v2/issues/LIMITED-1", StatusCode::TOO_MANY_REQUESTS, "30"),
        (
            "/v2/issues/DOWN-1",
            StatusCode::SERVICE_UNAVAILABLE,
            "Sun, 06 Nov 1994 08:49:37 GMT",
        ),
    ] {
        let answer = proxy
            .client
            .get(proxy.url(path))
            .header("Authorization", "OAuth page-token")
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), status, "{path}");
        assert_eq!(answer.headers()["retry-after"], retry_after, "{path}");
        assert_eq!(answer.headers()["access-control-allow-origin"], origin);
        let exposed = answer.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(
            exposed.split(',').any(|h| h.trim() == "retry-after"),
            "{exposed}"
        );
    }
}

/// A credential the upstream denies access (403) is 403 saying so, in
/// English or Russian: not local mode's message about the organisation
/// header, which the browser may not even have sent (the upstream is asked
/// with the server's). A refusal is kept: asked once.
#[tokio::test]
async fn a_credential_the_upstream_denies_access_is_403_saying_so() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let waiters = Arc::new(AtomicUsize::new(0));
    let proxy = passing_proxy(&upstream, &dir, &waiters).await;
    let send = |language: &str| {
        proxy
            .client
            .post(proxy.url("/upload/flow"))
            .header("Authorization", DENIED)
            .header("Accept-Language", language)
            .multipart(one_part("1-denied"))
            .send()
    };
    let message = error_message(send("en").await.unwrap(), StatusCode::FORBIDDEN).await;
    assert_eq!(
        message,
        "The upstream service refused this credential access (403)."
    );
    let message = error_message(send("ru").await.unwrap(), StatusCode::FORBIDDEN).await;
    assert_eq!(
        message,
        "Вышестоящий сервис отказал этим учётным данным в доступе (403)."
    );
    assert_eq!(upstream.checks(DENIED), 1);
    assert!(walk(&dir.data_dir().join("flow")).is_empty());
}

/// Flow.js's test request (`GET /upload/flow`: 200 if the part is stored,
/// 204 if not) is checked as storing one is, on the same verdicts: a
/// credential the upstream refuses, denies or cannot judge hears that, not
/// whether a part is stored.
#[tokio::test]
async fn testing_for_a_part_needs_a_credential_the_upstream_takes() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let waiters = Arc::new(AtomicUsize::new(0));
    let proxy = passing_proxy(&upstream, &dir, &waiters).await;
    let test = |authorization: &str| {
        proxy
            .client
            .get(proxy.url("/upload/flow?flowIdentifier=2-test&flowChunkNumber=1"))
            .header("Authorization", authorization)
            .send()
    };
    let refused = test(REFUSED).await.unwrap();
    let message = error_message(refused, StatusCode::UNAUTHORIZED).await;
    assert!(message.contains("token"), "{message}");
    // The verdict is the one storing a part goes by, and the other way round.
    let stored = spawn_part(&proxy, REFUSED, "1-test").await.unwrap();
    error_message(stored, StatusCode::UNAUTHORIZED).await;
    error_message(test(REFUSED).await.unwrap(), StatusCode::UNAUTHORIZED).await;
    assert_eq!(upstream.checks(REFUSED), 1);
    error_message(
        spawn_part(&proxy, DENIED, "1-test").await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    error_message(test(DENIED).await.unwrap(), StatusCode::FORBIDDEN).await;
    assert_eq!(upstream.checks(DENIED), 1);
    let busy = test(RATE_LIMITED).await.unwrap();
    assert_eq!(busy.headers()["retry-after"], "7");
    error_message(busy, StatusCode::TOO_MANY_REQUESTS).await;

    // One the upstream takes learns what it stored.
    let taken = "OAuth taken-token";
    assert_eq!(test(taken).await.unwrap().status(), StatusCode::NO_CONTENT);
    let first_of_two = [
        ("flowChunkNumber", "1"),
        ("flowChunkSize", "1"),
        ("flowCurrentChunkSize", "1"),
        ("flowTotalSize", "2"),
        ("flowIdentifier", "2-test"),
        ("flowFilename", "x.bin"),
        ("flowTotalChunks", "2"),
    ]
    .into_iter()
    .fold(Form::new(), |form, (k, v)| form.text(k, v.to_owned()))
    .part("file", Part::bytes(b"x".to_vec()).file_name("blob"));
    let stored = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Authorization", taken)
        .multipart(first_of_two)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::OK);
    assert_eq!(test(taken).await.unwrap().status(), StatusCode::OK);
    assert_eq!(upstream.checks(taken), 1);
}

/// The upstream is asked about a credential with the server's own
/// organisation, so the organisation headers a browser sends do not make
/// one token a new question: sent with many made-up organisations, it is
/// checked once (and cannot crowd others' verdicts out of the cache).
#[tokio::test]
async fn one_credential_is_checked_once_whatever_organisation_it_names() {
    const TOKEN: &str = "OAuth one-token-many-orgs";
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let waiters = Arc::new(AtomicUsize::new(0));
    let proxy = passing_proxy(&upstream, &dir, &waiters).await;
    for org in ["org-1", "org-2", "org-3"] {
        let answer = proxy
            .client
            .get(proxy.url("/upload/flow"))
            .query(&[("flowIdentifier", "9-x"), ("flowChunkNumber", "1")])
            .header("Authorization", TOKEN)
            .header("X-Org-ID", org)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NO_CONTENT, "{org}");
    }
    assert_eq!(upstream.checks(TOKEN), 1);
}

/// With every slot held by a check the upstream stalls, a request whose
/// credential needs a check of its own waits for a slot as long as the
/// slot wait, then is 503 in Tracker's shape (in the request's language)
/// with `Retry-After`, never having asked the upstream, which saw no more
/// questions at once than there are slots. Being turned away is no
/// verdict: once a slot is free, the credential is checked.
#[tokio::test]
async fn a_new_check_with_every_slot_taken_waits_then_is_503_with_retry_after() {
    const SLOT_WAIT: Duration = Duration::from_millis(500);
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let waiters = Waiters::default();
    let proxy = capped_proxy(&upstream, &dir, &waiters, SLOT_WAIT).await;
    let held = fill_the_slots(&proxy, &upstream).await;

    let started = Instant::now();
    let turned_away = spawn_part(&proxy, NEW, "1-new").await.unwrap();
    assert!(started.elapsed() >= SLOT_WAIT, "{:?}", started.elapsed());
    assert_eq!(turned_away.headers()["retry-after"], "5");
    let message = error_message(turned_away, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(
        message,
        "Too many credential checks are under way: try again later."
    );
    let in_russian = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .header("Authorization", NEW)
        .header("Accept-Language", "ru")
        .multipart(one_part("1-new"))
        .send()
        .await
        .unwrap();
    assert_eq!(in_russian.headers()["retry-after"], "5");
    let message = error_message(in_russian, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(message.starts_with("Слишком много проверок"), "{message}");
    assert_eq!(upstream.checks(NEW), 0);
    assert_eq!(upstream.most_in_flight(), SLOTS);
    assert_eq!(waiters.for_slot(), 0);

    upstream.release();
    for part in held {
        assert_eq!(part.await.unwrap().status(), StatusCode::CREATED);
    }
    let checked = spawn_part(&proxy, NEW, "1-new").await.unwrap();
    assert_eq!(checked.status(), StatusCode::CREATED);
    assert_eq!(upstream.checks(NEW), 1);
    assert!(walk(&dir.data_dir().join("flow")).is_empty());
}

/// A request waiting for a slot gets the one a finished check frees (the
/// other stays held) and its check goes ahead: no 503.
#[tokio::test]
async fn a_waiting_check_takes_the_slot_a_finished_one_frees() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let waiters = Waiters::default();
    let proxy = capped_proxy(&upstream, &dir, &waiters, WAIT).await;
    let [held_a, held_b] = fill_the_slots(&proxy, &upstream).await;

    let new = spawn_part(&proxy, NEW, "1-new");
    wait_until(WAIT, "the new credential to wait for a slot", || async {
        waiters.for_slot() == 1
    })
    .await;
    assert_eq!(upstream.checks(NEW), 0);
    upstream.release_one(HELD_A);
    assert_eq!(held_a.await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(new.await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(upstream.checks(NEW), 1);
    assert_eq!(waiters.for_slot(), 0);
    assert!(!held_b.is_finished());
    assert_eq!(upstream.most_in_flight(), SLOTS);

    upstream.release();
    assert_eq!(held_b.await.unwrap().status(), StatusCode::CREATED);
}

/// Parts of a sender whose check is under way wait for that check while
/// every slot is taken, taking none (a new credential meanwhile does
/// wait for one), and all get its outcome from one question.
#[tokio::test]
async fn parts_of_a_credential_being_checked_share_it_while_every_slot_is_taken() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let waiters = Waiters::default();
    let proxy = capped_proxy(&upstream, &dir, &waiters, WAIT).await;
    let [held_a, held_b] = fill_the_slots(&proxy, &upstream).await;

    let mut parts_of_a = vec![held_a];
    for identifier in ["1-a-2", "1-a-3", "1-a-4"] {
        parts_of_a.push(spawn_part(&proxy, HELD_A, identifier));
    }
    wait_until(WAIT, "three parts to wait for that check", || async {
        waiters.for_check() == 3
    })
    .await;
    let new = spawn_part(&proxy, NEW, "1-new");
    wait_until(WAIT, "the new credential to wait for a slot", || async {
        waiters.for_slot() == 1
    })
    .await;
    assert_eq!(upstream.checks(HELD_A), 1);

    upstream.release();
    for part in parts_of_a {
        assert_eq!(part.await.unwrap().status(), StatusCode::CREATED);
    }
    assert_eq!(held_b.await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(new.await.unwrap().status(), StatusCode::CREATED);
    assert_eq!(upstream.checks(HELD_A), 1);
    assert_eq!(upstream.checks(NEW), 1);
    assert_eq!(upstream.most_in_flight(), SLOTS);
}
