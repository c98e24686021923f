//! Connections, before any route: a client that never finishes sending
//! its request's head (slowloris), or keeps a connection open and sends no
//! further request, loses the connection after `header_read_timeout`
//! (`--header-read-timeout`, hidden, 30 s by default) while other
//! connections are served as ever; SIGTERM stops the binary.

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
