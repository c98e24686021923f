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
