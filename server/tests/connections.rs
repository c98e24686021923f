//! Connections, before any route: a client that never finishes sending
//! its request's head (slowloris), or keeps a connection open and sends no
//! further request, loses the connection after `header_read_timeout`
//! (`--header-read-timeout`, hidden, 30 s by default) while other
//! connections are served as ever; SIGTERM stops the binary, and a request
//! still running `shutdown_grace` (`--shutdown-grace`, hidden, 30 s) after
//! the server was told to stop is dropped.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tracker_attachments_server::Config;

const HEAD_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a test waits for the server to close a connection: far past
/// `HEAD_TIMEOUT`, for a busy machine, and far short of forever.
const CLOSE_WAIT: Duration = Duration::from_secs(20);

async fn server(dir: &TempDir) -> TestServer {
    TestServer::start(Config {
        header_read_timeout: HEAD_TIMEOUT,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// Reads until the server closes the connection (end of stream, or a
/// reset), within `CLOSE_WAIT`; what it sent before.
async fn read_until_closed(stream: &mut tokio::net::tcp::OwnedReadHalf) -> Vec<u8> {
    let mut read = Vec::new();
    let closed = tokio::time::timeout(CLOSE_WAIT, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server still held the connection after {CLOSE_WAIT:?}"
    );
    read
}

/// A client that sends its request's head one byte at a time, never
/// finishing it, holds its connection only for the head's time limit,
/// however steadily it sends; meanwhile other connections are served.
#[tokio::test]
async fn a_head_sent_a_byte_at_a_time_is_cut_off() {
    let dir = TempDir::new();
    let server = server(&dir).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let stream = TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let drip = tokio::spawn(async move {
        let head = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\nX-Slow: ");
        if writer.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        // The client's pace, a byte per tenth of the limit: each byte
        // arrives long before the limit, the head never ends.
        loop {
            tokio::time::sleep(HEAD_TIMEOUT / 10).await;
            if writer.write_all(b"a").await.is_err() {
                return;
            }
        }
    });
    let other = server.client.get(server.url("/healthz")).send().await;
    assert_eq!(other.unwrap().status(), StatusCode::OK);
    let answer = read_until_closed(&mut reader).await;
    // No answer: the server never saw a request.
    assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));
    assert!(started.elapsed() >= HEAD_TIMEOUT, "{:?}", started.elapsed());
    drip.abort();
    // The server is fine. A new connection: the pooled one of `other` has
    // been idle for the same limit, and the server closes it just now.
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let after = fresh.get(server.url("/healthz")).send().await;
    assert_eq!(after.unwrap().status(), StatusCode::OK);
}

/// A kept-alive connection that sends no next request is closed after the
/// same limit, not kept for as long as the client likes.
#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let dir = TempDir::new();
    let server = server(&dir).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n");
    writer.write_all(request.as_bytes()).await.unwrap();
    let answer = String::from_utf8(read_until_closed(&mut reader).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.ends_with("\r\n\r\nok"), "{answer}");
    assert!(
        !answer.to_ascii_lowercase().contains("connection: close"),
        "closed for another reason: {answer}"
    );
}

/// The binary takes the limit from its hidden flag, and stops on SIGTERM
/// with success, a connection with half a head open notwithstanding.
#[tokio::test]
async fn the_binary_cuts_off_slow_heads_and_stops_on_sigterm() {
    let dir = TempDir::new();
    let data_dir = dir.data_dir();
    let mut server = ChildServer::spawn(
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--header-read-timeout",
            "1s",
        ],
        &[],
    );
    let address = server.base.trim_start_matches("http://").to_owned();
    let stream = TcpStream::connect(&address).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(b"POST /v2/attachm").await.unwrap();
    assert!(read_until_closed(&mut reader).await.is_empty());

    let mut half = TcpStream::connect(&address).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let health = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let status = server.terminate(CLOSE_WAIT).await;
    assert!(status.success(), "{status}");
}

// ---------------------------------------------------------------------------
// Shutdown

/// The grace period the shutdown tests give: long enough for a request
/// that is about to finish, short for a test.
const GRACE: Duration = Duration::from_secs(1);

/// `serve` in a task of its own, stopped when the returned sender sends (or
/// is dropped).
async fn stoppable(
    config: Config,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = Config {
        listen: listener.local_addr().unwrap(),
        ..config
    };
    let address = config.listen.to_string();
    let app = tracker_attachments_server::app(config.clone())
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let stopped = async {
            let _ = stopped.await;
        };
        tracker_attachments_server::serve(listener, app, &config, stopped).await;
    });
    (address, stop, served)
}

const BOUNDARY: &str = "XyZ";

/// An upload (T1) of `size` bytes, sent up to its first `sent` bytes of
/// file data; the connection, to send the rest on or leave hanging.
async fn begin_upload(address: &str, size: usize, sent: usize) -> TcpStream {
    let opening = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.bin\"\r\n\r\n"
    );
    let length = opening.len() + size + closing().len();
    let head = format!(
        "POST /v2/attachments/ HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: OAuth {TOKEN}\r\nX-Org-ID: {ORG}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Content-Length: {length}\r\n\r\n"
    );
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(opening.as_bytes()).await.unwrap();
    stream.write_all(&vec![b'a'; sent]).await.unwrap();
    stream
}

fn closing() -> String {
    format!("\r\n--{BOUNDARY}--\r\n")
}

/// Waits until the server is writing an upload's file: its request is in
/// progress, past its head.
async fn wait_for_partial_file(dir: &TempDir) {
    let tmp = dir.data_dir().join("tmp");
    wait_until(CLOSE_WAIT, "the upload's partial file", || async {
        !walk(&tmp).is_empty()
    })
    .await;
}

/// A request still in progress when the grace period after the stop ends
/// (an upload that stalled) no longer keeps the server: its connection is
/// closed, its request dropped (so its partial file removed), and `serve`
/// returns, after the grace period and not long after it.
#[tokio::test]
async fn a_request_still_running_after_the_shutdown_grace_is_dropped() {
    let dir = TempDir::new();
    let (address, stop, served) = stoppable(Config {
        shutdown_grace: GRACE,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let stream = begin_upload(&address, 1_000_000, 1000).await;
    wait_for_partial_file(&dir).await;

    let stopped_at = Instant::now();
    stop.send(()).unwrap();
    let returned = tokio::time::timeout(GRACE + CLOSE_WAIT, served).await;
    let took = stopped_at.elapsed();
    assert!(
        returned.is_ok(),
        "serve had not returned {:?} after the stop",
        GRACE + CLOSE_WAIT
    );
    returned.unwrap().unwrap();
    // The request had the whole grace period.
    assert!(took >= GRACE, "{took:?}");
    // Its task is gone: nothing of the upload is left.
    assert!(walk(&dir.data_dir().join("tmp")).is_empty());
    let (mut reader, _writer) = stream.into_split();
    let answer = read_until_closed(&mut reader).await;
    assert!(answer.is_empty(), "{:?}", String::from_utf8_lossy(&answer));
}

/// A request that finishes within the grace period is answered as ever,
/// and `serve` returns as soon as it is, without waiting out the rest.
#[tokio::test]
async fn a_request_that_finishes_within_the_shutdown_grace_is_answered() {
    const LONG_GRACE: Duration = Duration::from_secs(60);
    let dir = TempDir::new();
    let (address, stop, served) = stoppable(Config {
        shutdown_grace: LONG_GRACE,
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let size = 200_000;
    let mut stream = begin_upload(&address, size, 1000).await;
    wait_for_partial_file(&dir).await;

    let stopped_at = Instant::now();
    stop.send(()).unwrap();
    stream.write_all(&vec![b'a'; size - 1000]).await.unwrap();
    stream.write_all(closing().as_bytes()).await.unwrap();
    let (mut reader, _writer) = stream.into_split();
    let answer = String::from_utf8(read_until_closed(&mut reader).await).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201 Created\r\n"), "{answer}");
    assert!(answer.contains("\"size\":200000"), "{answer}");
    tokio::time::timeout(CLOSE_WAIT, served)
        .await
        .expect("serve did not return once the request was answered")
        .unwrap();
    assert!(
        stopped_at.elapsed() < LONG_GRACE,
        "{:?}",
        stopped_at.elapsed()
    );
    assert_eq!(walk(&dir.data_dir().join("files")).len(), 1);
}

/// The binary takes the grace period from its hidden flag: a stalled
/// upload does not keep it running after SIGTERM.
#[tokio::test]
async fn the_binary_stops_on_sigterm_despite_a_stalled_upload() {
    let dir = TempDir::new();
    let data_dir = dir.data_dir();
    let mut server = ChildServer::spawn(
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--shutdown-grace",
            "1s",
        ],
        &[],
    );
    let address = server.base.trim_start_matches("http://").to_owned();
    let _stream = begin_upload(&address, 1_000_000, 1000).await;
    wait_for_partial_file(&dir).await;
    let status = server.terminate(GRACE + CLOSE_WAIT).await;
    assert!(status.success(), "{status}");
    assert!(walk(&data_dir.join("tmp")).is_empty());
}

/// Sends an upload's head and then its whole body, reading meanwhile; the
/// answer's status line, and whether every byte of the body was taken.
async fn refused_while_sending(
    address: &str,
    path: &str,
    auth: &str,
    length: usize,
) -> (String, bool) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: {auth}\r\n\
         X-Org-ID: {ORG}\r\nX-Atlassian-Token: no-check\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Content-Length: {length}\r\n\r\n"
    );
    let stream = TcpStream::connect(address).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        write.write_all(head.as_bytes()).await?;
        let chunk = vec![b'a'; 64 * 1024];
        let mut left = length;
        while left > 0 {
            let n = left.min(chunk.len());
            write.write_all(&chunk[..n]).await?;
            left -= n;
        }
        write.flush().await
    });
    let answer = read_until_closed_or(&mut read, b"\r\n").await;
    let taken = writer.await.unwrap().is_ok();
    let status = String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    (status, taken)
}

/// Reads until `end` has arrived or the connection closed.
async fn read_until_closed_or(stream: &mut tokio::net::tcp::OwnedReadHalf, end: &[u8]) -> Vec<u8> {
    let mut read = Vec::new();
    let _ = tokio::time::timeout(CLOSE_WAIT, async {
        let mut buf = [0u8; 4096];
        while !read.windows(end.len()).any(|w| w == end) {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read
}

/// A refusal before the body is read (a wrong token, on every upload
/// route) keeps reading the rest, as a 413 does: closed with the upload
/// unread, the connection is reset and the client (a proxy's forward,
/// a browser) often loses the 401 that would have it renew the token.
#[tokio::test]
async fn a_refused_token_is_heard_while_the_body_still_comes() {
    let dir = TempDir::new();
    let server = server(&dir).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let length = 24 * 1024 * 1024;
    for (path, auth) in [
        ("/v2/attachments/", "OAuth wrong-token"),
        ("/v2/issues/DEMO-1/attachments/", "OAuth wrong-token"),
        ("/rest/api/3/issue/DEMO-1/attachments", "Bearer wrong-token"),
        ("/upload/flow", "OAuth wrong-token"),
    ] {
        let (status, taken) = refused_while_sending(&address, path, auth, length).await;
        assert_eq!(status, "HTTP/1.1 401 Unauthorized", "{path}");
        assert!(taken, "{path}: the body was cut off after the 401");
    }
}
