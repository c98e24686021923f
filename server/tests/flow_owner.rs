//! Proxy mode without a credential of the server's: a Flow.js upload is
//! the user's the upstream names (`GET /v2/myself`: `uid`, else `login`),
//! not the token's, so a refreshed or new token of the same user resumes
//! it; another user's upload of the same identifier stays apart, and an
//! answer that names nobody keys the upload by the credential, as before.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use common::*;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use tracker_attachments_server::Config;

/// Alice's token, and the one that replaced it: the upstream names her by
/// `uid` for both (the login it gives with the second differs, as after a
/// rename: the uid is what counts).
const ALICE: &str = "OAuth alice-first-token";
const ALICE_REFRESHED: &str = "Bearer alice-refreshed-token";
/// Another user, as Tracker names one: `uid` a number, and a `login`.
const BOB: &str = "OAuth bob-token";
/// Carol's two tokens, named by `login` alone.
const CAROL: &str = "OAuth carol-first-token";
const CAROL_REFRESHED: &str = "OAuth carol-refreshed-token";
/// Taken, but the answers name nobody: no `uid` nor `login`; not JSON;
/// Alice's uid behind more than the server reads, with and without a
/// `Content-Length`.
const NAMELESS: &str = "OAuth nameless-token";
const NAMELESS_TOO: &str = "OAuth nameless-too-token";
const NOT_JSON: &str = "OAuth not-json-token";
const TOO_LONG: &str = "OAuth too-long-token";
const TOO_LONG_STREAMED: &str = "OAuth too-long-streamed-token";
/// Taken (200), but the answer breaks off before its end.
const BROKEN_OFF: &str = "OAuth broken-off-token";

const ALICE_UID: u64 = 1_130_000_000_000_001;

/// A file the upstream was sent, and with what credential.
#[derive(Debug, Clone)]
struct Sent {
    authorization: String,
    bytes: Vec<u8>,
}

type Files = Arc<Mutex<Vec<Sent>>>;

/// An upstream that names the users of the credentials above and takes
/// any file, answering with its position among those sent.
struct Upstream {
    base: String,
    files: Files,
    task: tokio::task::JoinHandle<()>,
}

impl Upstream {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let files = Files::default();
        let app = axum::Router::new()
            .route("/v2/myself", axum::routing::get(myself))
            .route("/v2/attachments/", axum::routing::post(take_file))
            .with_state(files.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { base, files, task }
    }

    fn files(&self) -> Vec<Sent> {
        self.files.lock().unwrap().clone()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn authorization_of(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn myself(headers: HeaderMap) -> Response {
    let json = [("content-type", "application/json")];
    // Past the server's 64 KiB.
    let padding = "x".repeat(80 * 1024);
    let body = match authorization_of(&headers).as_str() {
        ALICE => format!(r#"{{"uid": {ALICE_UID}, "login": "alice", "display": "Alice"}}"#),
        ALICE_REFRESHED => format!(r#"{{"uid": {ALICE_UID}, "login": "alice.renamed"}}"#),
        BOB => r#"{"uid": 1130000000000002, "login": "bob"}"#.to_owned(),
        CAROL | CAROL_REFRESHED => r#"{"login": "carol"}"#.to_owned(),
        NAMELESS | NAMELESS_TOO => r#"{"display": "Someone"}"#.to_owned(),
        NOT_JSON => return (StatusCode::OK, format!("uid={ALICE_UID}")).into_response(),
        TOO_LONG => format!(r#"{{"uid": {ALICE_UID}, "padding": "{padding}"}}"#),
        TOO_LONG_STREAMED => {
            let whole = format!(r#"{{"uid": {ALICE_UID}, "padding": "{padding}"}}"#);
            let pieces: Vec<Result<Vec<u8>, std::io::Error>> = whole
                .into_bytes()
                .chunks(16 * 1024)
                .map(|piece| Ok(piece.to_vec()))
                .collect();
            let body = Body::from_stream(futures_util::stream::iter(pieces));
            return (StatusCode::OK, json, body).into_response();
        }
        BROKEN_OFF => {
            // Pending once between the pieces, so hyper sends the head and
            // the first piece before the body fails and it drops the
            // connection.
            let pieces = futures_util::stream::unfold(0, |step| async move {
                match step {
                    0 => Some((Ok(r#"{"uid": 1130000000000001, "#), 1)),
                    1 => {
                        tokio::task::yield_now().await;
                        Some((Err(std::io::Error::other("the upstream broke off")), 2))
                    }
                    _ => None,
                }
            });
            return (StatusCode::OK, json, Body::from_stream(pieces)).into_response();
        }
        _ => return StatusCode::UNAUTHORIZED.into_response(),
    };
    (StatusCode::OK, json, body).into_response()
}

async fn take_file(
    State(files): State<Files>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let mut bytes = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            bytes = field.bytes().await.ok().map(|b| b.to_vec());
        }
    }
    let Some(bytes) = bytes else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let authorization = authorization_of(&headers);
    let mut files = files.lock().unwrap();
    files.push(Sent {
        authorization,
        bytes,
    });
    let id = files.len().to_string();
    (
        StatusCode::CREATED,
        axum::Json(serde_json::json!({"id": id})),
    )
        .into_response()
}

/// The proxy in this process passing the browser's credential on.
async fn passing_proxy(upstream: &Upstream, dir: &TempDir) -> TestServer {
    TestServer::start(Config {
        upstream: Some(upstream.base.clone()),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// A 300-byte file in three parts of 100, as Flow.js sends it.
struct Upload {
    identifier: &'static str,
    bytes: Vec<u8>,
}

const PART: usize = 100;
const PARTS: usize = 3;

impl Upload {
    fn new(identifier: &'static str, seed: u64) -> Self {
        Self {
            identifier,
            bytes: noise(PART * PARTS, seed),
        }
    }

    fn form(&self, number: usize) -> Form {
        let part = self.bytes[(number - 1) * PART..number * PART].to_vec();
        [
            ("flowChunkNumber", number.to_string()),
            ("flowChunkSize", PART.to_string()),
            ("flowCurrentChunkSize", PART.to_string()),
            ("flowTotalSize", self.bytes.len().to_string()),
            ("flowIdentifier", self.identifier.to_owned()),
            ("flowFilename", "photo.bin".to_owned()),
            ("flowTotalChunks", PARTS.to_string()),
        ]
        .into_iter()
        .fold(Form::new(), |form, (name, value)| form.text(name, value))
        .part("file", Part::bytes(part).file_name("blob"))
    }
}

/// Who sends: a credential and the organisation the page speaks for.
#[derive(Clone, Copy)]
struct Sender {
    authorization: &'static str,
    org: &'static str,
}

const fn of(authorization: &'static str) -> Sender {
    Sender {
        authorization,
        org: "org-a",
    }
}

impl Sender {
    async fn post(self, proxy: &TestServer, upload: &Upload, number: usize) -> reqwest::Response {
        proxy
            .client
            .post(proxy.url("/upload/flow"))
            .header("Authorization", self.authorization)
            .header("X-Org-ID", self.org)
            .multipart(upload.form(number))
            .send()
            .await
            .unwrap()
    }

    /// Parts `numbers`, each stored (200) without completing the file.
    async fn store(self, proxy: &TestServer, upload: &Upload, numbers: &[usize]) {
        for &number in numbers {
            let stored = self.post(proxy, upload, number).await;
            assert_eq!(stored.status(), StatusCode::OK, "part {number}");
        }
    }

    /// How many parts of `upload` this sender's last part finds stored:
    /// it completes none here (200, not 201).
    async fn stored_with(self, proxy: &TestServer, upload: &Upload, number: usize) -> Value {
        let partial = json(self.post(proxy, upload, number).await, StatusCode::OK).await;
        partial["storedChunks"].clone()
    }

    async fn test_get(self, proxy: &TestServer, identifier: &str, number: usize) -> StatusCode {
        proxy
            .client
            .get(proxy.url("/upload/flow"))
            .header("Authorization", self.authorization)
            .header("X-Org-ID", self.org)
            .query(&[
                ("flowIdentifier", identifier),
                ("flowChunkNumber", &number.to_string()),
            ])
            .send()
            .await
            .unwrap()
            .status()
    }
}

/// The widget's token is refreshed mid-upload (or the page reloaded with a
/// new one): the parts sent before are found with the new token and
/// assemble with those sent after into one file, sent up with the token
/// that completed it. The same user for another organisation is another
/// upload.
#[tokio::test]
async fn a_refreshed_token_of_the_same_user_resumes_the_upload() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let proxy = passing_proxy(&upstream, &dir).await;
    let upload = Upload::new("300-photo", 1);

    of(ALICE).store(&proxy, &upload, &[1, 2]).await;
    let refreshed = of(ALICE_REFRESHED);
    for number in [1, 2] {
        let found = refreshed.test_get(&proxy, upload.identifier, number).await;
        assert_eq!(found, StatusCode::OK, "part {number}");
    }
    assert_eq!(
        refreshed.test_get(&proxy, upload.identifier, 3).await,
        StatusCode::NO_CONTENT
    );
    let elsewhere = Sender {
        org: "org-b",
        ..refreshed
    };
    assert_eq!(
        elsewhere.test_get(&proxy, upload.identifier, 1).await,
        StatusCode::NO_CONTENT
    );

    let created = json(
        refreshed.post(&proxy, &upload, 3).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["id"], "1", "{created}");
    let files = upstream.files();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].bytes, upload.bytes);
    assert_eq!(files[0].authorization, ALICE_REFRESHED);
    // The finished upload's answer is the user's too: the last part sent
    // again with the first token gets it, and nothing goes up twice.
    let again = json(
        of(ALICE).post(&proxy, &upload, 3).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(again["id"], "1", "{again}");
    assert_eq!(upstream.files().len(), 1);

    // A user named by `login` alone resumes likewise.
    let carols = Upload::new("300-carol", 2);
    of(CAROL).store(&proxy, &carols, &[2, 3]).await;
    assert_eq!(
        of(CAROL_REFRESHED)
            .test_get(&proxy, carols.identifier, 2)
            .await,
        StatusCode::OK
    );
    json(
        of(CAROL_REFRESHED).post(&proxy, &carols, 1).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(upstream.files()[1].bytes, carols.bytes);
}

/// Two users' uploads of the same identifier (Flow.js derives it from the
/// size and name) stay two: neither sees the other's parts, and neither's
/// last part completes the other's file.
#[tokio::test]
async fn two_users_uploads_of_the_same_identifier_stay_apart() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let proxy = passing_proxy(&upstream, &dir).await;
    let alices = Upload::new("300-photo", 3);
    let bobs = Upload::new("300-photo", 4);

    of(ALICE).store(&proxy, &alices, &[1, 2]).await;
    assert_eq!(
        of(BOB).test_get(&proxy, "300-photo", 1).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(of(BOB).stored_with(&proxy, &bobs, 3).await, 1);
    assert_eq!(
        of(ALICE_REFRESHED).test_get(&proxy, "300-photo", 3).await,
        StatusCode::NO_CONTENT
    );
    assert!(upstream.files().is_empty());

    json(
        of(ALICE_REFRESHED).post(&proxy, &alices, 3).await,
        StatusCode::CREATED,
    )
    .await;
    // Bob's upload is still his, one part in, and not finished by Alice's.
    assert_eq!(of(BOB).stored_with(&proxy, &bobs, 3).await, 1);
    of(BOB).store(&proxy, &bobs, &[2]).await;
    json(of(BOB).post(&proxy, &bobs, 1).await, StatusCode::CREATED).await;
    let files = upstream.files();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].bytes, alices.bytes);
    assert_eq!(files[1].bytes, bobs.bytes);
    assert_eq!(files[1].authorization, BOB);
}

/// An answer that names nobody — no `uid` nor `login`, not JSON, or longer
/// than the server reads (though it names Alice) — keys the upload by the
/// credential, as before: the same token resumes it, another does not,
/// and none of them joins Alice's.
#[tokio::test]
async fn an_answer_naming_nobody_keys_the_upload_by_the_credential() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let proxy = passing_proxy(&upstream, &dir).await;
    let alices = Upload::new("300-photo", 5);
    of(ALICE).store(&proxy, &alices, &[1, 2]).await;

    let nameless = Upload::new("300-nameless", 6);
    of(NAMELESS).store(&proxy, &nameless, &[1, 2]).await;
    assert_eq!(
        of(NAMELESS).test_get(&proxy, nameless.identifier, 1).await,
        StatusCode::OK
    );
    assert_eq!(
        of(NAMELESS_TOO)
            .test_get(&proxy, nameless.identifier, 1)
            .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(of(NAMELESS_TOO).stored_with(&proxy, &nameless, 3).await, 1);

    for token in [NOT_JSON, TOO_LONG, TOO_LONG_STREAMED] {
        let sender = of(token);
        assert_eq!(
            sender.test_get(&proxy, alices.identifier, 1).await,
            StatusCode::NO_CONTENT,
            "{token}"
        );
        assert_eq!(sender.stored_with(&proxy, &alices, 3).await, 1, "{token}");
    }
    assert!(upstream.files().is_empty());

    json(
        of(NAMELESS).post(&proxy, &nameless, 3).await,
        StatusCode::CREATED,
    )
    .await;
    json(
        of(ALICE_REFRESHED).post(&proxy, &alices, 3).await,
        StatusCode::CREATED,
    )
    .await;
    let files = upstream.files();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].bytes, nameless.bytes);
    assert_eq!(files[1].bytes, alices.bytes);
}

/// A 2xx answer that breaks off says whose the credential is no more than
/// an unreachable upstream does: 502, to the next request too, and nothing
/// stored (keyed by the credential meanwhile, the parts sent after a
/// refresh would start afresh).
#[tokio::test]
async fn an_answer_that_breaks_off_gives_no_verdict() {
    let upstream = Upstream::start().await;
    let dir = TempDir::new();
    let proxy = passing_proxy(&upstream, &dir).await;
    let upload = Upload::new("300-broken", 7);
    for _ in 0..2 {
        let answer = of(BROKEN_OFF).post(&proxy, &upload, 1).await;
        error_message(answer, StatusCode::BAD_GATEWAY).await;
        assert_eq!(
            of(BROKEN_OFF).test_get(&proxy, upload.identifier, 1).await,
            StatusCode::BAD_GATEWAY
        );
    }
    assert!(walk(&dir.data_dir().join("flow")).is_empty());
    assert!(upstream.files().is_empty());
}
