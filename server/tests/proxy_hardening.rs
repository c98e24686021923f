//! Proxy mode against a fake upstream that records what reaches it: what
//! the proxy must never send there (paths outside the API, methods like
//! TRACE, headers injected through a file name), and what it must change
//! on the way back (`Location`), with the server's credential attached.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use common::*;
use reqwest::multipart::{Form, Part};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracker_attachments_server::Config;

/// One request as the upstream saw it: the request target exactly as sent.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    target: String,
    headers: HeaderMap,
    body: Bytes,
    /// The body ended before its declared end (the proxy's connection
    /// closed mid-body): `body` is empty.
    broken: bool,
}

/// An upstream that records every request and answers with `answer`.
struct Upstream {
    base: String,
    seen: Log,
    /// Requests whose head arrived, counted before their bodies are read.
    heads: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

type Answer = fn(&Seen, &str) -> Response;
type Log = Arc<Mutex<Vec<Seen>>>;

impl Upstream {
    async fn start(answer: Answer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let heads = Arc::new(AtomicUsize::new(0));
        let state = (seen.clone(), answer, base.clone(), heads.clone());
        let app = axum::Router::new().fallback(record).with_state(state);
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base,
            seen,
            heads,
            task,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State((seen, answer, base, heads)): State<(Log, Answer, String, Arc<AtomicUsize>)>,
    request: Request,
) -> Response {
    heads.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = request.into_parts();
    let (body, broken) = match axum::body::to_bytes(body, 16 * 1024 * 1024).await {
        Ok(body) => (body, false),
        Err(_) => (Bytes::new(), true),
    };
    let request = Seen {
        method: parts.method,
        target: parts
            .uri
            .path_and_query()
            .map_or_else(String::new, |p| p.as_str().to_owned()),
        headers: parts.headers,
        body,
        broken,
    };
    let response = answer(&request, &base);
    seen.lock().unwrap().push(request);
    response
}

fn ok_json(_: &Seen, _: &str) -> Response {
    (StatusCode::OK, [("content-type", "application/json")], "{}").into_response()
}

const SECRET: &str = "OAuth server-held-secret";
const AUTH_ENV: &str = "TA_TEST_HARDENING_AUTH";

/// The proxy in this process, in front of `upstream` (whose base may have
/// a path), with the server's credential from the environment.
async fn proxy(upstream: &str, dir: &TempDir) -> TestServer {
    // Every test sets the same value, so setting it concurrently is harmless.
    std::env::set_var(AUTH_ENV, SECRET);
    TestServer::start(Config {
        upstream: Some(upstream.into()),
        upstream_auth_env: Some(AUTH_ENV.into()),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// A request written byte for byte, so no client resolves its dot segments
/// first; the status and body of the answer.
async fn raw_request(base: &str, method: &str, target: &str) -> (u16, String) {
    let address = base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request =
        format!("{method} {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, body)| body.to_owned());
    (status, body)
}

/// Dot segments, raw or percent-encoded, and separators a URL parser
/// reads as `/` would take the request (and the server's credential) to
/// any path on the upstream's host: they are refused here, in the route's
/// error shape, and nothing reaches the upstream.
#[tokio::test]
async fn paths_cannot_climb_out_of_the_api() {
    let upstream = Upstream::start(ok_json).await;
    let dir = TempDir::new();
    let proxy = proxy(&format!("{}/tracker", upstream.base), &dir).await;
    for target in [
        "/rest/api/../../wiki/rest/api/space",
        "/rest/api/3/%2e%2e/%2E%2E/%2e%2e/wiki",
        "/rest/api/.%2e/x",
        "/v2/..",
        "/v2/../../admin",
        "/v2/%2e%2e/%2e%2e/admin?x=1",
        "/v2/./issues/DEMO-1",
        "/v2/%2E/issues",
        "/v2/issues/..%2f..%2f..%2fadmin",
        "/v2/issues/..%5C..%5Cadmin",
        "/v2/issues/%2e%2e%5cadmin",
        "/v2/issues/..\\..\\..\\admin",
    ] {
        let (status, body) = raw_request(&proxy.base, "GET", target).await;
        assert_eq!(status, 404, "{target}: {body} {:?}", upstream.seen());
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        if target.starts_with("/rest/") {
            assert_eq!(body["status"], 404, "{target}: {body}");
        } else {
            assert_eq!(body["statusCode"], 404, "{target}: {body}");
        }
    }
    assert!(upstream.seen().is_empty(), "{:?}", upstream.seen());

    // What stays inside the API passes, under the upstream's base path,
    // with the server's credential: names with dots, encoded slashes and
    // backslashes in a name (a file called `a/b` or `back\slash`).
    for target in [
        "/v2/issues/DEMO-1/attachments/7/..hidden",
        "/v2/issues/DEMO-1/attachments/7/a%2Fb.txt",
        "/v2/issues/DEMO-1/attachments/7/back%5Cslash.txt",
        "/v2/issues/DEMO-1/attachments/7/...",
        "/rest/api/3/attachment/content/7?redirect=false&x=..",
    ] {
        let (status, body) = raw_request(&proxy.base, "GET", target).await;
        assert_eq!(status, 200, "{target}: {body}");
        let last = upstream.seen().pop().unwrap();
        assert_eq!(last.method, Method::GET);
        assert_eq!(last.target, format!("/tracker{target}"));
        assert!(last.body.is_empty());
        assert_eq!(last.headers["authorization"], SECRET);
    }
}

/// What the browser sends for this server's origin stays here: its
/// cookies, and the CSRF tokens a page adds through the widget's
/// `headers`; the page's own harmless headers go on.
#[tokio::test]
async fn the_pages_cookies_and_csrf_tokens_never_go_upstream() {
    let upstream = Upstream::start(ok_json).await;
    let dir = TempDir::new();
    let proxy = proxy(&upstream.base, &dir).await;
    let response = reqwest::Client::new()
        .get(format!("{}/v2/issues/DEMO-1", proxy.base))
        .header("Cookie", "sessionid=s3cret; csrftoken=t0ken")
        .header("X-CSRFToken", "t0ken")
        .header("X-CSRF-Token", "t0ken")
        .header("X-XSRF-TOKEN", "t0ken")
        .header("X-Requested-With", "XMLHttpRequest")
        // The browser's (or a TLS terminator's) word on its route: the
        // upstream would build its URLs for https and another host.
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-Host", "elsewhere.example")
        .header("X-Forwarded-For", "10.0.0.1")
        .header("Forwarded", "proto=https;host=elsewhere.example")
        .header("Accept-Language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let seen = upstream.seen().pop().unwrap();
    for name in [
        "cookie",
        "x-csrftoken",
        "x-csrf-token",
        "x-xsrf-token",
        "x-requested-with",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-forwarded-for",
        "forwarded",
    ] {
        assert!(
            !seen.headers.contains_key(name),
            "{name}: {:?}",
            seen.headers
        );
    }
    assert_eq!(seen.headers["accept-language"], "ru");
    assert_eq!(seen.headers["authorization"], SECRET);
    // Answers made with the server's credential are not for other sites'
    // `<img>` tags.
    assert_eq!(
        response.headers()["cross-origin-resource-policy"],
        "same-origin"
    );
}

fn challenging(_: &Seen, _: &str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [
            ("content-type", "application/json"),
            ("www-authenticate", "Basic realm=\"upstream\""),
        ],
        r#"{"errorMessages":["no"]}"#,
    )
        .into_response()
}

/// The upstream's challenge stays upstream: a `Basic` one would have the
/// browser ask for a password on this server's origin. The 401 itself
/// comes back, for the widget to ask for a fresh token.
#[tokio::test]
async fn the_upstreams_challenge_is_not_passed_back() {
    let upstream = Upstream::start(challenging).await;
    let dir = TempDir::new();
    let proxy = proxy(&upstream.base, &dir).await;
    let response = reqwest::Client::new()
        .get(format!("{}/v2/issues/DEMO-1", proxy.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        !response.headers().contains_key("www-authenticate"),
        "{:?}",
        response.headers()
    );
}

fn html_attachment(seen: &Seen, _: &str) -> Response {
    if seen.target.ends_with(".pdf") {
        return (
            StatusCode::OK,
            [("content-type", "Application/PDF")],
            "%PDF-1.7",
        )
            .into_response();
    }
    (
        StatusCode::OK,
        [
            ("content-type", "text/html"),
            ("content-security-policy", "img-src *"),
        ],
        "<script>alert(document.domain)</script>",
    )
        .into_response()
}

/// An attachment's bytes from the upstream (HTML, SVG) are shown on this
/// server's origin, whose requests carry the server's credential: they
/// come back sandboxed and unsniffed, the upstream's own policy kept.
#[tokio::test]
async fn upstream_bytes_come_back_sandboxed() {
    let upstream = Upstream::start(html_attachment).await;
    let dir = TempDir::new();
    let proxy = proxy(&upstream.base, &dir).await;
    let response = reqwest::Client::new()
        .get(format!("{}/v2/attachments/1/report.html", proxy.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let policies: Vec<_> = headers
        .get_all("content-security-policy")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(policies, ["img-src *", "sandbox"]);
    // A PDF is not sandboxed: Chromium would show none.
    let pdf = reqwest::Client::new()
        .get(format!("{}/v2/attachments/2/report.pdf", proxy.base))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["x-content-type-options"], "nosniff");
    assert!(!pdf.headers().contains_key("content-security-policy"));
}

/// Only the methods the APIs use go upstream: TRACE would echo the
/// server's `Authorization` back to the caller, and others mean nothing
/// to Tracker or Jira.
#[tokio::test]
async fn only_api_methods_are_forwarded() {
    let upstream = Upstream::start(ok_json).await;
    let dir = TempDir::new();
    let proxy = proxy(&upstream.base, &dir).await;
    for (method, target) in [
        ("TRACE", "/v2/issues/DEMO-1"),
        ("TRACE", "/rest/api/3/myself"),
        ("PROPFIND", "/v2/issues/"),
        ("CONNECTX", "/rest/api/2/issue/DEMO-1"),
    ] {
        let (status, body) = raw_request(&proxy.base, method, target).await;
        assert_eq!(status, 405, "{method} {target}: {body}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        let field = if target.starts_with("/rest/") {
            "status"
        } else {
            "statusCode"
        };
        assert_eq!(body[field], 405, "{method} {target}: {body}");
    }
    assert!(upstream.seen().is_empty(), "{:?}", upstream.seen());
    for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
        let (status, _) = raw_request(&proxy.base, method, "/v2/issues/DEMO-1").await;
        assert_eq!(status, 200, "{method}");
        assert_eq!(upstream.seen().pop().unwrap().method.as_str(), method);
    }
}

/// The name of a chunked upload goes upstream in the query (encoded) and
/// as the multipart part's file name, where reqwest writes CR and LF as
/// they are: a name with them would add headers (or parts) to the request
/// that carries the server's credential. The part's name loses them; the
/// query keeps the name whole, and Tracker takes the name from there.
#[tokio::test]
async fn a_chunked_upload_name_cannot_add_part_headers_upstream() {
    let upstream = Upstream::start(ok_json).await;
    let dir = TempDir::new();
    let proxy = proxy(&upstream.base, &dir).await;
    let name = "a\r\nContent-Type: text/html\r\n\r\n<b>\u{0}\u{7f}.txt";
    let form = [
        ("flowChunkNumber", "1"),
        ("flowChunkSize", "1000"),
        ("flowCurrentChunkSize", "3"),
        ("flowTotalSize", "3"),
        ("flowIdentifier", "3-injected"),
        ("flowFilename", name),
        ("flowTotalChunks", "1"),
    ]
    .into_iter()
    .fold(Form::new(), |form, (k, v)| form.text(k, v))
    .part("file", Part::bytes(b"abc".to_vec()).file_name("blob"));
    let response = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let seen = upstream.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let sent = &seen[0];
    let query = sent.target.split_once('?').unwrap().1;
    let (key, value) = query.split_once('=').unwrap();
    assert_eq!(key, "filename");
    let value = value.replace('+', " ");
    assert_eq!(
        percent_encoding::percent_decode_str(&value)
            .decode_utf8()
            .unwrap(),
        name
    );
    let body = String::from_utf8_lossy(&sent.body);
    let (head, rest) = body
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("{body:?}"));
    // One part: its headers, then the bytes and the closing boundary.
    let headers: Vec<&str> = head.lines().skip(1).collect();
    assert_eq!(headers.len(), 1, "{body:?}");
    assert!(headers[0].starts_with("Content-Disposition: form-data; name=\"file\"; filename=\""));
    assert!(!headers[0].contains(['\r', '\0', '\u{7f}']), "{body:?}");
    assert!(rest.starts_with("abc\r\n--"), "{body:?}");
    assert_eq!(sent.headers["authorization"], SECRET);
}

/// The log never holds a query (file names live there), and reqwest's
/// error message names the whole URL: a failed upstream request is logged
/// by its path.
#[tokio::test]
async fn a_failed_upstream_request_is_logged_without_its_query() {
    let (_upstream, address) = refusing_address();
    let dir = TempDir::new();
    let log = dir.0.join("proxy.log");
    let data_dir = dir.data_dir();
    let proxy = ChildServer::spawn_logging(
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--upstream",
            &format!("http://{address}"),
        ],
        &[],
        Some(&log),
    );
    let failed = client()
        .get(proxy.url("/v2/issues/DEMO-1?filename=query-secret-name.txt"))
        .send()
        .await
        .unwrap();
    error_message(failed, reqwest::StatusCode::BAD_GATEWAY).await;
    // Stopped, so everything it logged is in the file.
    drop(proxy);
    let text = std::fs::read_to_string(&log).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("upstream request failed"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("/v2/issues/DEMO-1"), "{line}");
    assert!(!text.contains("query-secret-name"), "{text}");
}

/// `--upstream` with `user:password@` would log the password at start and
/// send it on every request: it is refused, and not echoed.
#[tokio::test]
async fn an_upstream_with_credentials_is_refused_at_start() {
    let dir = TempDir::new();
    for upstream in [
        "https://me:secret-in-url@tracker.test",
        "http://secret-in-url@127.0.0.1:9/base",
    ] {
        let config = Config {
            upstream: Some(upstream.into()),
            ..Config::with_data_dir(dir.data_dir())
        };
        let error = match tracker_attachments_server::app(config).await {
            Ok(_) => panic!("{upstream} was taken"),
            Err(error) => format!("{error:#}"),
        };
        assert!(error.contains("--upstream"), "{error}");
        assert!(error.contains("--upstream-auth-env"), "{error}");
        assert!(!error.contains("secret-in-url"), "{error}");
    }
}

/// `--cors-origin '*'` lets every page read answers and send changes; with
/// the server's own credential upstream, every website could use it.
#[tokio::test]
async fn any_origin_with_the_servers_credential_is_refused_at_start() {
    let dir = TempDir::new();
    std::env::set_var(AUTH_ENV, SECRET);
    let config = |cors: &str, auth: Option<&str>| Config {
        upstream: Some("http://127.0.0.1:9".into()),
        upstream_auth_env: auth.map(str::to_owned),
        cors_origins: vec!["http://app.test".into(), cors.into()],
        ..Config::with_data_dir(dir.data_dir())
    };
    // `null` is any site's sandboxed iframe: as open as `*`.
    for open in ["*", "null", "NULL"] {
        let error = match tracker_attachments_server::app(config(open, Some(AUTH_ENV))).await {
            Ok(_) => panic!("{open:?} was taken with --upstream-auth-env"),
            Err(error) => format!("{error:#}"),
        };
        assert!(error.contains("--cors-origin"), "{error}");
        assert!(error.contains("--upstream-auth-env"), "{error}");
    }
    // Named origins with the credential, or `*` with the browser's own
    // credential passed on, are fine.
    assert!(
        tracker_attachments_server::app(config("http://b.test", Some(AUTH_ENV)))
            .await
            .is_ok()
    );
    assert!(tracker_attachments_server::app(config("*", None))
        .await
        .is_ok());
}

// ---------------------------------------------------------------------------
// Stalled bodies

/// The upload idle timeout, shortened.
const IDLE: Duration = Duration::from_millis(300);
/// How long a test waits for an answer: far past `IDLE`, short of forever.
const ANSWER_WAIT: Duration = Duration::from_secs(30);

async fn proxy_with_idle(upstream: &str, dir: &TempDir) -> TestServer {
    std::env::set_var(AUTH_ENV, SECRET);
    TestServer::start(Config {
        upstream: Some(upstream.into()),
        upstream_auth_env: Some(AUTH_ENV.into()),
        upload_idle_timeout: IDLE,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// Sends a POST to `target` that declares `declared` body bytes, then
/// `sent` of them (fewer), then nothing; the answer's status, head and
/// JSON body, which must come within `ANSWER_WAIT`.
async fn stall(
    base: &str,
    target: &str,
    headers: &[(&str, &str)],
    declared: usize,
    sent: &[u8],
) -> (u16, String, serde_json::Value) {
    let address = base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut head =
        format!("POST {target} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {declared}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(sent).await.unwrap();
    let read = async {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed without an answer");
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8(buf[..end].to_vec()).unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().unwrap())
            })
            .unwrap_or_else(|| panic!("no Content-Length in {head}"));
        while buf.len() < end + length {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed mid-answer");
            buf.extend_from_slice(&chunk[..n]);
        }
        let status = head[9..12].parse().unwrap();
        let body = serde_json::from_slice(&buf[end..end + length]).unwrap();
        (status, head, body)
    };
    tokio::time::timeout(ANSWER_WAIT, read)
        .await
        .expect("a stalled body was never answered")
}

/// A proxied upload whose body never begins is ended after the idle time
/// with 408 in the route's error shape, as a local upload is, and nothing
/// of it went upstream: the proxy contacts the upstream only once the body
/// has begun.
#[tokio::test]
async fn a_proxied_body_that_never_begins_is_408_and_never_goes_upstream() {
    let upstream = Upstream::start(ok_json).await;
    let dir = TempDir::new();
    let proxy = proxy_with_idle(&upstream.base, &dir).await;
    let multipart = ("Content-Type", "multipart/form-data; boundary=x");
    let (status, head, answer) =
        stall(&proxy.base, "/v2/attachments/", &[multipart], 1000, b"").await;
    assert_eq!(status, 408, "{answer}");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    assert_eq!(answer["statusCode"], 408, "{answer}");
    assert_eq!(answer["errorsData"], serde_json::json!({}), "{answer}");
    let message = answer["errorMessages"][0].as_str().unwrap();
    assert!(message.contains("300 ms"), "{message}");
    assert!(message.contains("Send the file again"), "{message}");

    let (status, _, answer) = stall(
        &proxy.base,
        "/rest/api/3/issue/DEMO-1/attachments",
        &[multipart, ("X-Atlassian-Token", "no-check")],
        1000,
        b"",
    )
    .await;
    assert_eq!(status, 408, "{answer}");
    assert_eq!(answer["status"], 408, "{answer}");
    assert!(answer.get("statusCode").is_none(), "{answer}");
    // Answered, so the proxy is done with both: nothing can go up later.
    assert_eq!(upstream.heads.load(Ordering::SeqCst), 0);
    assert!(upstream.seen().is_empty(), "{:?}", upstream.seen());
}

/// A proxied JSON body (creating an issue, a comment, a change) that
/// stalls is 408 as well, in words for a request, not a file's.
#[tokio::test]
async fn a_proxied_json_body_that_stalls_is_408_that_speaks_of_no_file() {
    let upstream = Upstream::start(ok_json).await;
    let dir = TempDir::new();
    let proxy = proxy_with_idle(&upstream.base, &dir).await;
    for (target, flavor) in [
        ("/v2/issues/", "statusCode"),
        ("/v2/issues/DEMO-1/comments", "statusCode"),
        ("/rest/api/3/issue", "status"),
    ] {
        let (status, _, answer) = stall(
            &proxy.base,
            target,
            &[("Content-Type", "application/json; charset=utf-8")],
            100,
            b"{\"summary\": ",
        )
        .await;
        assert_eq!(status, 408, "{answer}");
        assert_eq!(answer[flavor], 408, "{answer}");
        let message = answer["errorMessages"][0].as_str().unwrap();
        assert!(message.contains("300 ms"), "{message}");
        assert!(message.contains("Send it again"), "{message}");
        assert!(!message.contains("file"), "{target}: {message}");
    }
}

/// A proxied body that stalls after it began going upstream aborts the
/// upstream request (the upstream sees its body end short, so never takes
/// a cut-off file), and the client gets 408 as well.
#[tokio::test]
async fn a_proxied_body_that_stalls_midway_aborts_the_upstream_request() {
    let upstream = Upstream::start(ok_json).await;
    let dir = TempDir::new();
    let proxy = proxy_with_idle(&upstream.base, &dir).await;
    let data = noise(64 * 1024, 5);
    let (status, _, answer) = stall(
        &proxy.base,
        "/v2/attachments/?filename=cut.bin",
        &[("Content-Type", "application/octet-stream")],
        data.len(),
        &data[..data.len() / 2],
    )
    .await;
    assert_eq!(status, 408, "{answer}");
    assert_eq!(answer["statusCode"], 408, "{answer}");
    wait_until(
        ANSWER_WAIT,
        "the upstream to see the request end",
        || async { !upstream.seen().is_empty() },
    )
    .await;
    let seen = upstream.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].broken, "the upstream took a cut-off body whole");
    // The proxy serves on.
    let (status, _) = raw_request(&proxy.base, "GET", "/v2/issues/DEMO-1").await;
    assert_eq!(status, 200);
}

// ---------------------------------------------------------------------------
// The browser's credential, checked before parts are stored

const TAKEN: &str = "OAuth taken-token";
/// Another credential the upstream takes.
const TAKEN_TOO: &str = "OAuth taken-too-token";
/// A credential the upstream cannot judge right now (it answers 500).
const UNJUDGED: &str = "OAuth unjudged-token";

/// An upstream that takes `TAKEN` only (`GET /v2/myself`: 200, else 401
/// in Tracker's shape; 500 for `UNJUDGED`) and any file (201).
fn judging(seen: &Seen, _: &str) -> Response {
    let authorization = seen
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let json = [("content-type", "application/json")];
    match (seen.method.as_str(), seen.target.as_str()) {
        ("GET", "/v2/myself") if authorization == TAKEN || authorization == TAKEN_TOO => {
            (StatusCode::OK, json, r#"{"login": "taken"}"#).into_response()
        }
        ("GET", "/v2/myself") if authorization == UNJUDGED => {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        ("GET", "/v2/myself") => (
            StatusCode::UNAUTHORIZED,
            json,
            r#"{"errors": {}, "errorsData": {}, "errorMessages": ["No."], "statusCode": 401}"#,
        )
            .into_response(),
        ("POST", target) if target.starts_with("/v2/attachments/") => {
            (StatusCode::CREATED, json, r#"{"id": "1"}"#).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The proxy in this process passing the browser's credential on (no
/// `--upstream-auth-env`), on `clock`.
async fn passing_proxy(
    upstream: &str,
    dir: &TempDir,
    clock: &tracker_attachments_server::Clock,
) -> TestServer {
    TestServer::start(Config {
        upstream: Some(upstream.into()),
        clock: clock.clone(),
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

/// How often the upstream was asked about `authorization`.
fn checks(upstream: &Upstream, authorization: &str) -> usize {
    upstream
        .seen()
        .iter()
        .filter(|s| s.target == "/v2/myself" && s.headers["authorization"] == authorization)
        .count()
}

/// Without a credential of the server's, a part is stored only for a
/// sender whose credential the upstream takes: the upstream is asked (with
/// the server's organisation) once per credential and then believed for a few
/// minutes; a made-up token is 401 in Tracker's shape and stores nothing;
/// an upstream that gives no verdict is 502, asked again next time.
#[tokio::test]
async fn the_part_endpoint_asks_the_upstream_once_per_credential_whether_it_takes_it() {
    let upstream = Upstream::start(judging).await;
    let dir = TempDir::new();
    let clock = tracker_attachments_server::Clock::manual(1_700_000_000_000);
    let proxy = passing_proxy(&upstream.base, &dir, &clock).await;
    let send = |authorization: &'static str, org: &'static str, identifier: &'static str| {
        proxy
            .client
            .post(proxy.url("/upload/flow"))
            .header("Authorization", authorization)
            .header("X-Org-ID", org)
            .multipart(one_part(identifier))
            .send()
    };
    let made_up = "OAuth made-up-token";
    for _ in 0..3 {
        let refused = send(made_up, "org-a", "1-made-up").await.unwrap();
        error_message(refused, StatusCode::UNAUTHORIZED).await;
    }
    // Asked once, and nothing else reached the upstream nor was kept here.
    assert_eq!(checks(&upstream, made_up), 1);
    assert_eq!(upstream.seen().len(), 1, "{:?}", upstream.seen());
    let asked = &upstream.seen()[0];
    assert_eq!(asked.method, Method::GET);
    assert_eq!(asked.headers["x-org-id"], "dev-org");
    assert!(walk(&dir.data_dir().join("flow")).is_empty());
    assert!(walk(&dir.data_dir().join("tmp")).is_empty());

    // A credential the upstream takes: the files go up; asked once.
    for identifier in ["1-a", "1-b", "1-c"] {
        let created = send(TAKEN, "org-a", identifier).await.unwrap();
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    assert_eq!(checks(&upstream, TAKEN), 1);
    let files = upstream
        .seen()
        .iter()
        .filter(|s| s.method == Method::POST)
        .count();
    assert_eq!(files, 3);
    // The same credential naming another organisation: the upstream is
    // asked with the server's, so its verdict holds.
    let created = send(TAKEN, "org-b", "1-d").await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(checks(&upstream, TAKEN), 1);
    // Parts sent in parallel with a new credential wait for one answer.
    let parallel = futures_util::future::join_all(
        ["1-e", "1-f", "1-g", "1-h"].map(|identifier| send(TAKEN_TOO, "org-c", identifier)),
    )
    .await;
    for response in parallel {
        assert_eq!(response.unwrap().status(), StatusCode::CREATED);
    }
    assert_eq!(checks(&upstream, TAKEN_TOO), 1);

    // The verdicts are believed for five minutes, then asked for again.
    clock.advance(Duration::from_secs(5 * 60 - 1));
    let created = send(TAKEN, "org-a", "1-i").await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    error_message(
        send(made_up, "org-a", "1-made-up").await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(checks(&upstream, TAKEN), 1);
    assert_eq!(checks(&upstream, made_up), 1);
    clock.advance(Duration::from_secs(1));
    let created = send(TAKEN, "org-a", "1-j").await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    error_message(
        send(made_up, "org-a", "1-made-up").await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(checks(&upstream, TAKEN), 2);
    assert_eq!(checks(&upstream, made_up), 2);

    // No verdict (the upstream fails): 502, nothing stored, and no
    // verdict kept either.
    for asked in 1..=2 {
        let failed = send(UNJUDGED, "org-a", "1-unjudged").await.unwrap();
        error_message(failed, StatusCode::BAD_GATEWAY).await;
        assert_eq!(checks(&upstream, UNJUDGED), asked);
    }
    assert!(walk(&dir.data_dir().join("flow")).is_empty());
    assert!(walk(&dir.data_dir().join("tmp")).is_empty());
}

/// The server's own credential (`--upstream-auth-env`) is the only one
/// that goes upstream: nothing to check, nobody asked.
#[tokio::test]
async fn with_the_servers_credential_no_sender_is_checked() {
    let upstream = Upstream::start(judging).await;
    let dir = TempDir::new();
    let proxy = proxy(&upstream.base, &dir).await;
    let created = proxy
        .client
        .post(proxy.url("/upload/flow"))
        .multipart(one_part("1-held"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let seen = upstream.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].headers["authorization"], SECRET);
}

/// The browser's credential appears nowhere in the log, refused or taken,
/// at the most talkative level.
#[tokio::test]
async fn a_checked_credential_is_never_logged() {
    let upstream = Upstream::start(judging).await;
    let dir = TempDir::new();
    let log = dir.0.join("proxy.log");
    let data_dir = dir.data_dir();
    let proxy = ChildServer::spawn_logging(
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--upstream",
            &upstream.base,
        ],
        &[("RUST_LOG", "trace")],
        Some(&log),
    );
    for (authorization, status) in [
        ("OAuth never-log-this-token", StatusCode::UNAUTHORIZED),
        (TAKEN, StatusCode::CREATED),
        (UNJUDGED, StatusCode::BAD_GATEWAY),
    ] {
        let answer = client()
            .post(proxy.url("/upload/flow"))
            .header("Authorization", authorization)
            .multipart(one_part("1-logged"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), status, "{authorization}");
    }
    // Stopped, so everything it logged is in the file.
    drop(proxy);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("refused a sender's credential"), "{text}");
    for secret in ["never-log-this-token", "taken-token", "unjudged-token"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

// ---------------------------------------------------------------------------
// An upstream that keeps the request waiting

/// `Config::upstream_answer_timeout`, shortened.
const ANSWER_BOUND: Duration = Duration::from_millis(400);

async fn proxy_with_answer_bound(upstream: &str, dir: &TempDir) -> TestServer {
    std::env::set_var(AUTH_ENV, SECRET);
    TestServer::start(Config {
        upstream: Some(upstream.into()),
        upstream_auth_env: Some(AUTH_ENV.into()),
        upstream_answer_timeout: ANSWER_BOUND,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// A raw upstream: every connection goes to `serve`, and stays open as
/// long as `serve` runs (the test's upstream lives as long as this).
struct RawUpstream {
    base: String,
    /// Request body bytes read so far, over all connections.
    body_read: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawUpstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a raw upstream does with a connection once it has read a
/// request's head: `Silent` reads on (the whole body and beyond) and never
/// answers; `NoBody` never reads the body and never answers; `Stall`
/// answers with a head declaring 1000 bytes of `content_type`, sends 100
/// and then nothing; `Slow` answers `pause` late and sends its body in 3
/// pieces `pause` apart.
#[derive(Clone, Copy)]
enum Behaviour {
    Silent,
    NoBody,
    Stall { content_type: &'static str },
    Slow { pause: Duration },
}

impl RawUpstream {
    async fn start(behaviour: Behaviour) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let body_read = Arc::new(AtomicUsize::new(0));
        let counter = body_read.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                connections.spawn(raw_connection(stream, behaviour, counter.clone()));
            }
        });
        Self {
            base,
            body_read,
            task,
        }
    }
}

async fn raw_connection(
    mut stream: tokio::net::TcpStream,
    behaviour: Behaviour,
    body_read: Arc<AtomicUsize>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let declared: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    let mut read = buf.len() - head_end;
    body_read.fetch_add(read, Ordering::SeqCst);
    match behaviour {
        Behaviour::NoBody => std::future::pending::<()>().await,
        Behaviour::Silent => loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => body_read.fetch_add(n, Ordering::SeqCst),
            };
        },
        Behaviour::Stall { .. } | Behaviour::Slow { .. } => {
            while read < declared {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => {
                        read += n;
                        body_read.fetch_add(n, Ordering::SeqCst);
                    }
                }
            }
        }
    }
    match behaviour {
        Behaviour::Stall { content_type } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&[b' '; 100]).await;
            std::future::pending::<()>().await;
        }
        Behaviour::Slow { pause } => {
            // Slow, but never as slow as the bound at any one point.
            tokio::time::sleep(pause).await;
            let pieces = [&b"{\"slow\": "[..], b"\"but in time", b"\"}     "];
            let length: usize = pieces.iter().map(|p| p.len()).sum();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            for piece in pieces {
                let _ = stream.write_all(piece).await;
                tokio::time::sleep(pause).await;
            }
        }
        Behaviour::Silent | Behaviour::NoBody => unreachable!(),
    }
}

/// The time an answer took must show the bound was waited out, and no
/// more than that and some slack for a busy machine.
fn assert_bounded(took: Duration) {
    assert!(took >= ANSWER_BOUND, "{took:?}");
    assert!(took < ANSWER_BOUND + Duration::from_secs(10), "{took:?}");
}

/// The answer to `request`, which must come, and not before the bound
/// (`hung` says what failed if it never does).
async fn answered_after_bound(request: reqwest::RequestBuilder, hung: &str) -> reqwest::Response {
    let start = std::time::Instant::now();
    let answer = tokio::time::timeout(ANSWER_WAIT, request.send())
        .await
        .expect(hung)
        .unwrap();
    assert_bounded(start.elapsed());
    answer
}

/// An upstream that takes the connection and never answers: a GET ends
/// after the bound with 504 in the route's error shape, Tracker's and
/// Jira's, instead of hanging.
#[tokio::test]
async fn a_silent_upstream_is_504_after_the_bound() {
    let upstream = RawUpstream::start(Behaviour::Silent).await;
    let dir = TempDir::new();
    let proxy = proxy_with_answer_bound(&upstream.base, &dir).await;
    let answer = answered_after_bound(
        proxy.client.get(proxy.url("/v2/issues/DEMO-1")),
        "the proxy hung on a silent upstream",
    )
    .await;
    let message = error_message(answer, StatusCode::GATEWAY_TIMEOUT).await;
    assert!(message.contains("did not answer in time"), "{message}");

    let answer = answered_after_bound(
        proxy.client.get(proxy.url("/rest/api/3/attachment/meta")),
        "the proxy hung on a silent upstream",
    )
    .await;
    jira_error(answer, StatusCode::GATEWAY_TIMEOUT).await;
}

/// The same for an upload the upstream takes whole and never answers.
#[tokio::test]
async fn a_silent_upstream_after_an_upload_is_504_after_the_bound() {
    let upstream = RawUpstream::start(Behaviour::Silent).await;
    let dir = TempDir::new();
    let proxy = proxy_with_answer_bound(&upstream.base, &dir).await;
    let data = noise(256 * 1024, 7);
    let answer = answered_after_bound(
        proxy
            .client
            .post(proxy.url("/v2/attachments/?filename=silent.bin"))
            .multipart(file_form("file", data.clone(), "silent.bin", None)),
        "the proxy hung on a silent upstream",
    )
    .await;
    error_message(answer, StatusCode::GATEWAY_TIMEOUT).await;
    // It had all of the body: the wait was for its answer.
    assert!(upstream.body_read.load(Ordering::SeqCst) > data.len());
}

/// An upstream that stops taking an upload's body (its buffers full) is
/// the upstream keeping the request waiting too: 504 after the bound,
/// and the browser hears it although it was still sending.
#[tokio::test]
async fn an_upstream_that_stops_taking_the_body_is_504_after_the_bound() {
    let upstream = RawUpstream::start(Behaviour::NoBody).await;
    let dir = TempDir::new();
    let proxy = proxy_with_answer_bound(&upstream.base, &dir).await;
    // More than the socket buffers between proxy and upstream hold.
    let data = vec![b'x'; 48 * 1024 * 1024];
    let answer = answered_after_bound(
        proxy
            .client
            .post(proxy.url("/v2/attachments/?filename=big.bin"))
            .header("Content-Type", "application/octet-stream")
            .body(data),
        "the proxy hung on an upstream that stopped reading",
    )
    .await;
    error_message(answer, StatusCode::GATEWAY_TIMEOUT).await;
}

/// An answer whose body stops arriving midway ends instead of hanging. A
/// streamed one (a download) has sent its head (200) already, so the
/// browser's answer is cut off short of its declared length, which reading
/// it whole reports as an error: no client takes it for the file.
#[tokio::test]
async fn a_streamed_answer_that_stalls_midway_is_cut_off_after_the_bound() {
    let content_type = "application/octet-stream";
    let upstream = RawUpstream::start(Behaviour::Stall { content_type }).await;
    let dir = TempDir::new();
    let proxy = proxy_with_answer_bound(&upstream.base, &dir).await;
    let start = std::time::Instant::now();
    let read = async {
        let answer = proxy
            .client
            .get(proxy.url("/v2/issues/DEMO-1/attachments/1/a.bin"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        answer.bytes().await
    };
    let body = tokio::time::timeout(ANSWER_WAIT, read)
        .await
        .expect("the stalled answer never ended");
    assert!(body.is_err(), "{body:?}");
    assert_bounded(start.elapsed());
}

/// A JSON answer is read whole before anything of it goes out (its URLs
/// move onto the proxy): one that stalls midway is still 504.
#[tokio::test]
async fn a_json_answer_that_stalls_midway_is_504_after_the_bound() {
    let content_type = "application/json";
    let upstream = RawUpstream::start(Behaviour::Stall { content_type }).await;
    let dir = TempDir::new();
    let proxy = proxy_with_answer_bound(&upstream.base, &dir).await;
    let answer = answered_after_bound(
        proxy.client.get(proxy.url("/rest/api/3/issue/DEMO-1")),
        "the stalled answer never ended",
    )
    .await;
    jira_error(answer, StatusCode::GATEWAY_TIMEOUT).await;
}

/// An upstream that is slow at every step, but never for as long as the
/// bound at once, and a browser that pauses longer than the bound between
/// pieces of its body (its own pace, which the upload idle timeout
/// judges): the answer comes through whole, though the whole exchange
/// takes several times the bound.
#[tokio::test]
async fn a_slow_upstream_within_the_bound_still_answers() {
    use futures_util::StreamExt;
    let pause = ANSWER_BOUND / 2;
    let upstream = RawUpstream::start(Behaviour::Slow { pause }).await;
    let dir = TempDir::new();
    let proxy = proxy_with_answer_bound(&upstream.base, &dir).await;
    let start = std::time::Instant::now();
    let answer = proxy
        .client
        .get(proxy.url("/v2/issues/DEMO-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let body = answer.text().await.unwrap();
    assert_eq!(body, "{\"slow\": \"but in time\"}     ");
    assert!(start.elapsed() > ANSWER_BOUND, "{:?}", start.elapsed());

    let pieces: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"first piece, ")),
        Ok(Bytes::from_static(b"second piece, ")),
        Ok(Bytes::from_static(b"last piece")),
    ];
    let slow_browser = futures_util::stream::iter(pieces).then(|piece| async move {
        tokio::time::sleep(ANSWER_BOUND + ANSWER_BOUND / 2).await;
        piece
    });
    let answer = proxy
        .client
        .post(proxy.url("/v2/attachments/?filename=slow.txt"))
        .header("Content-Type", "application/octet-stream")
        .header("Content-Length", "37")
        .body(reqwest::Body::wrap_stream(slow_browser))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(upstream.body_read.load(Ordering::SeqCst), 37);
}

/// The part endpoint's send-up of an assembled file has the same answer
/// time (plus a second per 512 KiB): a silent upstream is 504 there too,
/// and the parts stay for the part sent again.
#[tokio::test]
async fn a_silent_upstream_after_a_part_upload_is_504_after_the_bound() {
    let upstream = RawUpstream::start(Behaviour::Silent).await;
    let dir = TempDir::new();
    let proxy = proxy_with_answer_bound(&upstream.base, &dir).await;
    let answer = answered_after_bound(
        proxy
            .client
            .post(proxy.url("/upload/flow"))
            .multipart(one_part("1-silent")),
        "the part endpoint hung on a silent upstream",
    )
    .await;
    let message = error_message(answer, StatusCode::GATEWAY_TIMEOUT).await;
    assert!(message.contains("did not answer in time"), "{message}");
}
