//! Local mode (no `--upstream`): what the file system and the network
//! around the server must not turn into surprises.

mod common;

use common::*;
use reqwest::StatusCode;
use tracker_attachments_server::Config;

/// A server whose `--static-dir` holds one index page.
async fn static_site(dir: &TempDir, csp: Option<&str>) -> TestServer {
    let www = dir.0.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").unwrap();
    TestServer::start(Config {
        static_dir: Some(www),
        static_csp: csp.map(str::to_owned),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await
}

/// A name longer than the file system takes (255 bytes a segment, 4096 a
/// path) is a file that is not there: 404 in the error shape, not the
/// bare 500 the file server answers when the system refuses the name.
#[tokio::test]
async fn overlong_static_paths_are_not_found() {
    for csp in [None, Some("default-src 'self'")] {
        let dir = TempDir::new();
        let server = static_site(&dir, csp).await;
        let long = "a".repeat(300);
        let encoded = "%61".repeat(256);
        let deep = format!("/{}", vec!["b".repeat(200); 25].join("/"));
        for path in [
            format!("/{long}"),
            format!("/{long}/index.html"),
            format!("/x/{encoded}"),
            deep,
        ] {
            let response = server.client.get(server.url(&path)).send().await.unwrap();
            error_message(response, StatusCode::NOT_FOUND).await;
        }
        // At the limits the file server answers as it does for any name
        // that is not there.
        let response = server
            .client
            .get(server.url(&format!("/{}", "a".repeat(255))))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let index = server.client.get(server.url("/")).send().await.unwrap();
        assert_eq!(index.text().await.unwrap(), "<h1>demo</h1>");
    }
}

/// A request to the local server with `Host: host`.
async fn with_host(
    server: &TestServer,
    path: &str,
    host: &str,
    authorization: &str,
) -> reqwest::Response {
    server
        .client
        .get(server.url(path))
        .header("Host", host)
        .header("Authorization", authorization)
        .header("X-Org-ID", ORG)
        .send()
        .await
        .unwrap()
}

/// DNS rebinding: a page at http://rebind.attacker:PORT whose name now
/// resolves to 127.0.0.1 is same-origin to the browser, and the default
/// credentials are public. The API answers only requests addressed to the
/// server's own names or a `--cors-origin` host.
#[tokio::test]
async fn a_rebound_name_cannot_use_the_local_api() {
    let dir = TempDir::new();
    let server = TestServer::start(Config {
        cors_origins: vec!["*".into(), "https://tracker.example:8443".into()],
        faulty_mirror_rate: Some(0.0),
        ..Config::with_data_dir(dir.data_dir())
    })
    .await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let rebound = format!("rebind.attacker:{port}");
    let oauth = format!("OAuth {TOKEN}");
    let bearer = format!("Bearer {TOKEN}");
    for (path, authorization) in [
        ("/v2/issues/DEMO-1", &oauth),
        ("/v2/attachments/1", &oauth),
        ("/faulty/v2/issues/DEMO-1", &oauth),
        ("/upload/flow?flowIdentifier=x&flowChunkNumber=1", &oauth),
        (
            "/faulty/upload/flow?flowIdentifier=x&flowChunkNumber=1",
            &oauth,
        ),
        // Before auth: a wrong token learns nothing either.
        ("/v2/issues/DEMO-1", &"OAuth guess".to_owned()),
    ] {
        let refused = with_host(&server, path, &rebound, authorization).await;
        error_message(refused, StatusCode::MISDIRECTED_REQUEST).await;
    }
    for path in ["/rest/api/3/myself", "/faulty/rest/api/2/issue/DEMO-1"] {
        let refused = with_host(&server, path, &rebound, &bearer).await;
        jira_error(refused, StatusCode::MISDIRECTED_REQUEST).await;
    }
    // The server's own names and a listed origin's host pass.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "tracker.example:8443".to_owned(),
    ] {
        let read = with_host(&server, "/v2/issues/DEMO-1", &host, &oauth).await;
        assert_eq!(read.status(), StatusCode::OK, "{host}");
        let read = with_host(&server, "/rest/api/3/myself", &host, &bearer).await;
        assert_eq!(read.status(), StatusCode::OK, "{host}");
    }
    // Health needs no name.
    let health = with_host(&server, "/healthz", &rebound, "").await;
    assert_eq!(health.status(), StatusCode::OK);
}

/// Listening on every address (`--listen 0.0.0.0`), the server is meant to
/// be reached by names it cannot know (the machine's LAN address, say):
/// no `Host` is refused.
#[tokio::test]
async fn listening_on_every_address_serves_every_name() {
    let dir = TempDir::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Config {
        listen: format!("0.0.0.0:{port}").parse().unwrap(),
        ..Config::with_data_dir(dir.data_dir())
    };
    let app = tracker_attachments_server::app(config.clone())
        .await
        .unwrap();
    let task = tokio::spawn(async move {
        tracker_attachments_server::serve(listener, app, &config, std::future::pending()).await
    });
    let client = client();
    for host in [format!("192.168.1.5:{port}"), format!("mybox.local:{port}")] {
        let read = client
            .get(format!("http://127.0.0.1:{port}/v2/issues/DEMO-1"))
            .header("Host", &host)
            .header("Authorization", format!("OAuth {TOKEN}"))
            .header("X-Org-ID", ORG)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK, "{host}");
    }
    task.abort();
}

/// Sends `head` (a request line and headers, no body) as it is and reads
/// the whole answer: clients refuse to send two `Host` headers.
async fn raw_answer(server: &TestServer, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// Two `Host` headers name two servers: a check reading one and a handler
/// the other would disagree. Refused whole, in the API's error shape.
#[tokio::test]
async fn a_request_with_two_hosts_is_refused() {
    let dir = TempDir::new();
    let server = TestServer::with_dir(&dir).await;
    let own = server.base.trim_start_matches("http://").to_owned();
    for (path, shape) in [
        ("/v2/attachments/1", "\"statusCode\":400"),
        ("/rest/api/3/myself", "\"errorMessages\""),
    ] {
        for hosts in [
            format!("Host: rebind.attacker\r\nHost: {own}"),
            format!("Host: {own}\r\nHost: rebind.attacker"),
            format!("Host: {own}\r\nHost: {own}"),
        ] {
            let answer = raw_answer(
                &server,
                &format!(
                    "GET {path} HTTP/1.1\r\n{hosts}\r\nAuthorization: OAuth {TOKEN}\r\n\
                     X-Org-ID: {ORG}\r\nConnection: close\r\n\r\n"
                ),
            )
            .await;
            assert!(
                answer.starts_with("HTTP/1.1 400 "),
                "{path} {hosts}: {answer}"
            );
            assert!(answer.contains(shape), "{path}: {answer}");
            assert!(answer.contains("Host"), "{answer}");
        }
    }
    // A preflight too, before CORS answers it.
    let answer = raw_answer(
        &server,
        &format!(
            "OPTIONS /v2/attachments/ HTTP/1.1\r\nHost: {own}\r\nHost: {own}\r\n\
             Origin: http://page.example\r\nAccess-Control-Request-Method: POST\r\n\
             Connection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    // No Host at all, in HTTP/1.1; HTTP/1.0 may omit it.
    let answer = raw_answer(
        &server,
        &format!(
            "GET /v2/issues/DEMO-1 HTTP/1.1\r\nAuthorization: OAuth {TOKEN}\r\n\
             X-Org-ID: {ORG}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let answer = raw_answer(&server, "GET /healthz HTTP/1.0\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.0 200 "), "{answer}");
    // One Host is as before.
    let answer = raw_answer(
        &server,
        &format!(
            "GET /v2/issues/DEMO-1 HTTP/1.1\r\nHost: {own}\r\nAuthorization: OAuth {TOKEN}\r\n\
             X-Org-ID: {ORG}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}
