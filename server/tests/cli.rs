//! The binary as the xtask and the end-to-end tests start it, and its log.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Kills the server even when an assertion fails.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn prints_the_real_address_and_serves_it() {
    let data_dir = std::env::temp_dir().join(format!("ta-server-cli-{}", std::process::id()));
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_tracker-attachments-server"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("no address printed");

    let address = line
        .trim_end()
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let port: u16 = address.parse().unwrap();
    assert_ne!(port, 0);

    let response = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "ok");
    assert!(data_dir.join("meta.sqlite3").exists());

    drop(child);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// One line per request with method, path, status, bytes and time; never a
/// token (the server's, the browser's, or the one proxy mode sends upstream).
#[tokio::test]
async fn the_log_has_one_line_per_request_and_no_tokens() {
    let dir = common::TempDir::new();
    let log = dir.0.join("server.log");
    let data_dir = dir.data_dir();
    let server = common::ChildServer::spawn_logging(
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--token",
            "local-secret-token",
        ],
        &[],
        Some(&log),
    );
    let client = common::client();
    let upload = client
        .post(server.url("/v2/attachments/"))
        .query(&[("filename", "query-name.txt")])
        .header("Authorization", "OAuth local-secret-token")
        .header("X-Org-ID", common::ORG)
        .multipart(common::file_form(
            "file",
            vec![b'x'; 5000],
            "part-name.txt",
            None,
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), reqwest::StatusCode::CREATED);
    let refused = client
        .get(server.url("/v2/issues/DEMO-1"))
        .header("Authorization", "OAuth browser-guess-token")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);

    // A proxy whose upstream is down still must not print its credential.
    let proxy_log = dir.0.join("proxy.log");
    let proxy_data = dir.0.join("proxy-data");
    let (_upstream, address) = common::refusing_address();
    let proxy = common::ChildServer::spawn_logging(
        &[
            "--data-dir",
            proxy_data.to_str().unwrap(),
            "--upstream",
            &format!("http://{address}"),
            "--upstream-auth-env",
            "TA_TEST_LOGGED_AUTH",
        ],
        &[("TA_TEST_LOGGED_AUTH", "OAuth upstream-secret-token")],
        Some(&proxy_log),
    );
    let failed = client
        .get(proxy.url("/v2/issues/DEMO-1?x=1"))
        .header("Authorization", "OAuth browser-side-token")
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), reqwest::StatusCode::BAD_GATEWAY);
    drop(server);
    drop(proxy);

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.contains("request")).collect();
    assert_eq!(lines.len(), 2, "{text}");
    let upload_line = lines[0];
    for part in [
        "method=POST",
        "path=/v2/attachments/",
        "status=201",
        "bytes_in=",
        "bytes_out=",
        "ms=",
    ] {
        assert!(upload_line.contains(part), "{part} missing: {upload_line}");
    }
    let bytes_in: u64 = upload_line
        .split("bytes_in=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(bytes_in > 5000, "{upload_line}");
    assert!(lines[1].contains("status=401"), "{}", lines[1]);
    let proxy_text = std::fs::read_to_string(&proxy_log).unwrap();
    assert!(proxy_text.contains("status=502"), "{proxy_text}");
    for secret in [
        "local-secret-token",
        "browser-guess-token",
        "upstream-secret-token",
        "browser-side-token",
        "query-name",
    ] {
        assert!(
            !text.contains(secret) && !proxy_text.contains(secret),
            "{secret} was logged"
        );
    }
}

/// A request whose client goes away before the answer still gets its
/// access-log line, marked as dropped with no status sent; the credential
/// and query it carried are not in it. The answer is held by a proxied
/// request whose upstream takes the connection and says nothing.
#[tokio::test]
async fn a_request_given_up_unanswered_is_logged_as_dropped() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // Reads whatever comes and never answers; says when a request came.
    let upstream = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream_address = upstream.local_addr().unwrap();
    let reached = Arc::new(AtomicBool::new(false));
    let flag = reached.clone();
    let silent = tokio::spawn(async move {
        let (mut stream, _) = upstream.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
            flag.store(true, Ordering::SeqCst);
        }
        std::future::pending::<()>().await;
    });

    let dir = common::TempDir::new();
    let log = dir.0.join("server.log");
    let data_dir = dir.data_dir();
    let server = common::ChildServer::spawn_logging(
        &[
            "--data-dir",
            data_dir.to_str().unwrap(),
            "--upstream",
            &format!("http://{upstream_address}"),
        ],
        &[],
        Some(&log),
    );
    let address = server.base.strip_prefix("http://").unwrap().to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "GET /v2/issues/DEMO-1?filename=query-name HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: OAuth dropped-secret-token\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    common::wait_until(
        Duration::from_secs(20),
        "the request to reach the upstream",
        || std::future::ready(reached.load(Ordering::SeqCst)),
    )
    .await;
    // The client goes away while its request waits for the upstream.
    drop(stream);
    let dropped = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .find(|l| l.contains("outcome=\"dropped\""))
            .map(str::to_owned)
    };
    common::wait_until(
        Duration::from_secs(20),
        "the dropped request's log line",
        || std::future::ready(dropped().is_some()),
    )
    .await;
    let line = dropped().unwrap();
    for part in [
        "method=GET",
        "path=/v2/issues/DEMO-1",
        "status=0",
        "bytes_out=0",
    ] {
        assert!(line.contains(part), "{part} missing: {line}");
    }
    drop(server);
    silent.abort();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("dropped-secret-token"), "{text}");
    assert!(!text.contains("query-name"), "{text}");
    // One line for the one request.
    let lines = text
        .lines()
        .filter(|l| l.contains("path=/v2/issues/DEMO-1"))
        .count();
    assert_eq!(lines, 1, "{text}");
}
